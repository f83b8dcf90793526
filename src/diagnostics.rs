//! Problems found in a book, with their place in the file, and how they are
//! shown on a terminal (colored) or in a pipe (plain).

use std::io::{self, IsTerminal, Write};
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor, Config, Styles, StylesWriter};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file: 1-based line and column (in characters), and the byte
/// range to underline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub bytes: Range<usize>,
}

/// One problem.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the book root.
    pub file: String,
    pub message: String,
    pub place: Option<Place>,
    /// What was expected, said under the marked line.
    pub label: String,
    /// Suggestions, such as a did-you-mean.
    pub help: Vec<String>,
    #[serde(skip)]
    pub source: Option<Arc<str>>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            message: message.into(),
            place: None,
            label: String::new(),
            help: Vec::new(),
            source: None,
        }
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    /// Points the problem at a place in `source`.
    pub fn at(mut self, source: &Source, place: Place, label: impl Into<String>) -> Diagnostic {
        self.place = Some(place);
        self.label = label.into();
        self.source = Some(source.text.clone());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column: message`, the one-line form.
    pub fn one_line(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.place {
            Some(p) => format!(
                "{}:{}:{}: {kind}: {}",
                self.file, p.line, p.column, self.message
            ),
            None => format!("{}: {kind}: {}", self.file, self.message),
        }
    }

    fn to_codespan(&self) -> CsDiagnostic<()> {
        let base = match self.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        };
        let mut notes = self.help.clone();
        match (&self.place, &self.source) {
            (Some(place), Some(_)) => {
                base.with_message(&self.message)
                    .with_labels(vec![
                        Label::primary((), place.bytes.clone()).with_message(&self.label)
                    ])
            }
            _ => {
                if !self.label.is_empty() {
                    notes.insert(0, self.label.clone());
                }
                base.with_message(format!("{}: {}", self.file, self.message))
            }
        }
        .with_notes(notes)
    }
}

/// A file's text with its line starts, to turn line and column into bytes.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(text: impl Into<Arc<str>>) -> Source {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { text, line_starts }
    }

    /// The number of lines.
    pub fn lines(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line.clamp(1, self.lines()) - 1];
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        rest[..end].trim_end_matches('\r')
    }

    /// The place of a 1-based line and column (in characters), marking
    /// `width` characters (at least one, at most to the end of the line).
    pub fn place(&self, line: usize, column: usize, width: usize) -> Place {
        let line = line.clamp(1, self.lines());
        let start = self.line_starts[line - 1];
        let text = self.line_text(line);
        let mut chars = text.char_indices().map(|(i, _)| i).chain([text.len()]);
        let from = chars.nth(column.saturating_sub(1)).unwrap_or(text.len());
        let rest = &text[from..];
        let to = rest
            .char_indices()
            .map(|(i, _)| i)
            .chain([rest.len()])
            .nth(width.max(1))
            .unwrap_or(rest.len());
        let column = text[..from].chars().count() + 1;
        Place {
            line,
            column,
            bytes: start + from..start + from + to,
        }
    }

    /// The place of a whole line.
    pub fn line_place(&self, line: usize) -> Place {
        let width = self.line_text(line.clamp(1, self.lines())).chars().count();
        self.place(line, 1, width)
    }
}

/// Whether diagnostics written to standard error should be colored.
pub fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none() && io::stderr().is_terminal()
}

/// Renders diagnostics as text, colored or plain.
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let config = Config::default();
    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    let styles = if color {
        Styles::default()
    } else {
        Styles::no_color()
    };
    for d in diagnostics {
        let file = SimpleFile::new(d.file.as_str(), d.source.as_deref().unwrap_or(""));
        let mut writer = StylesWriter::new(&mut buffer, &styles);
        // Rendering into memory can only fail if the place lies outside the
        // file, which `Source::place` rules out; fall back to one line.
        if term::emit_to_write_style(&mut writer, &config, &file, &d.to_codespan()).is_err() {
            let _ = writeln!(buffer, "{}", d.one_line());
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// Prints diagnostics to standard error.
pub fn print(diagnostics: &[Diagnostic]) {
    let text = render(diagnostics, color_wanted());
    let _ = io::stderr().write_all(text.as_bytes());
}

/// The closest candidate to a misspelt word, if one is close enough.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_counts_characters_not_bytes() {
        let src = Source::new("a: 1\nnamé: x\r\nlast");
        let p = src.place(2, 7, 1);
        assert_eq!((p.line, p.column), (2, 7));
        assert_eq!(&src.text[p.bytes.clone()], "x");
        assert_eq!(src.line_text(2), "namé: x");
    }

    #[test]
    fn did_you_mean_finds_close_keys() {
        let keys = ["referrals", "meetings", "initiatives"];
        assert_eq!(did_you_mean("refferals", keys), Some("referrals"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }

    #[test]
    fn plain_rendering_shows_file_line_and_the_line() {
        let src = Source::new("---\nname: Jane\nrole: espp\n---\n");
        let d = Diagnostic::error("partners/jane.md", "unknown role `espp`").at(
            &src,
            src.place(3, 7, 4),
            "expected one of esp, collaborator",
        );
        let out = render(&[d], false);
        assert!(out.contains("partners/jane.md:3:7"), "{out}");
        assert!(out.contains("role: espp"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
    }
}
