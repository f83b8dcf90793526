//! Splits a note into its YAML front-matter and its Markdown body.

/// A note cut in two. Lines are 1-based lines of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// The file line on which the YAML text starts.
    pub yaml_line: usize,
    pub body: &'a str,
    /// The file line on which the body starts.
    pub body_line: usize,
}

/// Why a note could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// Nothing but white space.
    Empty,
    /// The first line is not `---`; holds that line's number.
    NoOpening(usize),
    /// The opening `---` is never closed.
    Unclosed,
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Splits `text` (without a byte-order mark) at its `---` fences.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let first = text.split_inclusive('\n').next().unwrap_or("");
    if !is_fence(first) {
        let first_text_line = text
            .lines()
            .position(|l| !l.trim().is_empty())
            .map_or(1, |i| i + 1);
        return Err(SplitError::NoOpening(first_text_line));
    }
    let yaml_start = first.len();
    // The closing fence is the first line after the opening one that is
    // `---` (maybe with trailing blanks): look only where lines start so.
    let mut from = yaml_start;
    while let Some(i) = text[from..].find("---") {
        let at = from + i;
        let line_end = text[at..].find('\n').map_or(text.len(), |e| at + e + 1);
        if (at == yaml_start || text.as_bytes()[at - 1] == b'\n') && is_fence(&text[at..line_end]) {
            let line_no = 1 + text[..at].bytes().filter(|&b| b == b'\n').count();
            return Ok(Split {
                yaml: &text[yaml_start..at],
                yaml_line: 2,
                body: &text[line_end..],
                body_line: line_no + 1,
            });
        }
        from = at + 3;
    }
    Err(SplitError::Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_and_crlf() {
        for text in [
            "---\nname: A\n---\nBody\n",
            "---\r\nname: A\r\n---\r\nBody\r\n",
        ] {
            let s = split(text).unwrap();
            assert_eq!(s.yaml.trim_end(), "name: A");
            assert_eq!(s.body.trim_end(), "Body");
            assert_eq!((s.yaml_line, s.body_line), (2, 4));
        }
    }

    #[test]
    fn reports_empty_missing_and_unclosed() {
        assert_eq!(split("  \n\n"), Err(SplitError::Empty));
        assert_eq!(split("\nname: A\n"), Err(SplitError::NoOpening(2)));
        assert_eq!(split("---\nname: A\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn a_fence_inside_the_body_is_body() {
        let s = split("---\nname: A\n---\ntext\n---\nmore").unwrap();
        assert_eq!(s.body, "text\n---\nmore");
    }

    #[test]
    fn the_closing_fence_is_a_whole_line() {
        let s = split("---\nname: A---\nnote: ---x\n  ---\n--- \r\nBody\n").unwrap();
        assert_eq!(s.yaml, "name: A---\nnote: ---x\n  ---\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!((s.yaml_line, s.body_line), (2, 6));
        let s = split("---\r\n---\r\n").unwrap();
        assert_eq!((s.yaml, s.body, s.body_line), ("", "", 3));
        assert_eq!(split("---\nname: A\n----\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn empty_front_matter_and_no_body() {
        let s = split("---\n---").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body, "");
    }
}
