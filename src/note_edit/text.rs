//! The note's text, cut into lines, and how YAML values are written in it:
//! what the edits of this module read and write.

use crate::syntax::frontmatter::split;

/// One line of the front-matter: its text without the line ending.
pub struct Line<'a> {
    pub text: &'a str,
}

impl<'a> Line<'a> {
    pub fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches(' ').len()
    }
    pub fn blank(&self) -> bool {
        self.text.trim().is_empty()
    }
    pub fn comment(&self) -> bool {
        self.text.trim_start().starts_with('#')
    }
    pub fn content(&self) -> bool {
        !self.blank() && !self.comment()
    }
    /// `- ...` : a list item.
    pub fn dash(&self) -> bool {
        let t = self.text.trim_start();
        t == "-" || t.starts_with("- ")
    }
    /// The key of a `key: value` line and the byte just after its colon.
    pub fn key(&self) -> Option<(&'a str, usize)> {
        let start = self.indent();
        let text: &'a str = self.text;
        let rest = &text[start..];
        // A key may be quoted: `"referrals":`.
        let (key, len) = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let close = rest[1..].find(q)? + 1;
                (&rest[1..close], close + 1)
            }
            _ => {
                let len = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                (&rest[..len], len)
            }
        };
        if key.is_empty() || !rest[len..].starts_with(':') {
            return None;
        }
        let after = &rest[len + 1..];
        if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
            return None;
        }
        Some((key, start + len + 1))
    }
}

/// The closing quote of the quoted scalar that opens at `b[open]` (a `"`
/// or a `'`), escapes and doubled quotes skipped; `b.len()` when it is
/// never closed.
pub fn closing_quote(b: &[u8], open: usize) -> usize {
    let q = b[open];
    let mut i = open + 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i;
        }
        i += 1;
    }
    b.len()
}

/// Where a value stands after a colon: its start and end, and the start of
/// a comment that follows.
pub fn value_span(text: &str, from: usize) -> (usize, usize, Option<usize>) {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let start = i;
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        i = (closing_quote(b, i) + 1).min(b.len());
    }
    // A comment is a `#` after white space (or at the value's start).
    let mut comment = None;
    let mut j = i;
    while j < b.len() {
        if b[j] == b'#' && (j == start || b[j - 1] == b' ' || b[j - 1] == b'\t') {
            comment = Some(j);
            break;
        }
        j += 1;
    }
    let end_limit = comment.unwrap_or(b.len());
    let end = start.max(from + text[from..end_limit].trim_end().len());
    (start, end.max(start), comment)
}

/// `text` with the value after the colon at `colon_end` replaced by `new`
/// (nothing when empty); a comment after it keeps its column when there is
/// room.
pub fn set_value(text: &str, colon_end: usize, new: &str) -> String {
    let (_, _, comment) = value_span(text, colon_end);
    let mut out = text[..colon_end].to_string();
    if !new.is_empty() {
        out.push(' ');
        out.push_str(new);
    }
    if let Some(c) = comment {
        let gap = c.saturating_sub(out.len()).max(1);
        out.push_str(&" ".repeat(gap));
        out.push_str(&text[c..]);
    }
    out
}

/// How list entries are written: the column of the dash, the column of
/// the keys, and whether entries are flow mappings (`- {a: 1}`).
#[derive(Debug, Clone, Copy)]
pub struct ListStyle {
    pub dash: usize,
    pub keys: usize,
    pub flow: bool,
}

/// How text values are quoted when they must be.
#[derive(Debug, Clone, Copy)]
pub struct Quote {
    pub single: bool,
}

/// A YAML scalar for text: plain when it reads back as the same text in
/// any YAML reader, quoted otherwise.
pub fn scalar(s: &str, flow: bool, quote: Quote) -> String {
    if !needs_quotes(s, flow) {
        return s.to_string();
    }
    if quote.single && !s.chars().any(|c| c.is_control() || unusual_break(c)) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        // JSON's escapes are YAML's, and YAML 1.1 reads U+2028, U+2029 and
        // a byte-order mark inside a string as line breaks or noise: escaped.
        serde_json::to_string(s)
            .expect("a string serializes")
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
            .replace('\u{feff}', "\\ufeff")
    }
}

/// Characters some YAML readers take for a line break or drop.
fn unusual_break(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Whether `s` must be quoted to be read back as the same text by any YAML
/// reader, YAML 1.1 ones included (`yes`, `on`, `<<`, `=`, `1_000`,
/// `2026-01-01 10:00:00`, `12:30`, `.inf`…). `flow`: inside `[...]` or
/// `{...}`.
pub fn needs_quotes(s: &str, flow: bool) -> bool {
    if s.is_empty() || s.trim() != s || s.chars().any(|c| c.is_control() || unusual_break(c)) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        // Some YAML 1.1 readers refuse any `:` inside `{...}` or `[...]`.
        || (flow && s.contains([',', '[', ']', '{', '}', ':']))
    {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~" | "<<" | "="
    ) {
        return true;
    }
    // Numbers, dates and times in any notation some reader knows.
    if (first.is_ascii_digit() || "+-.".contains(first))
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || "xXoO._+-:".contains(c))
    {
        return true;
    }
    // YAML 1.1 timestamps: `2026-01-01 10:00:00`, `2026-01-01T10:00:00Z`.
    if first.is_ascii_digit()
        && s.chars()
            .all(|c| c.is_ascii_digit() || "-:. tTzZ+".contains(c))
    {
        return true;
    }
    // Infinity and not-a-number, as YAML writes them.
    if matches!(
        lower.trim_start_matches(['+', '-']),
        ".inf" | ".nan" | "inf" | "nan" | "infinity"
    ) {
        return true;
    }
    if s.parse::<f64>().is_ok() {
        return true;
    }
    // Whatever else this YAML reader would not read back as the same text.
    let doc = if flow {
        format!("k: [{s}]")
    } else {
        format!("k: {s}")
    };
    let back = yaml_serde::from_str::<yaml_serde::Value>(&doc).ok();
    let value = back.as_ref().and_then(|v| v.get("k"));
    let value = if flow {
        value.and_then(|v| v.get(0))
    } else {
        value
    };
    value.and_then(|v| v.as_str()) != Some(s)
}

pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The front-matter cut into lines, with what the edit needs to know.
pub struct Doc<'a> {
    /// Everything before the YAML (BOM and opening fence).
    pub head: &'a str,
    pub lines: Vec<Line<'a>>,
    /// Everything from the closing fence on.
    pub tail: &'a str,
    pub eol: &'static str,
    /// The column of the top-level keys.
    pub root: usize,
    pub quote: Quote,
}

impl<'a> Doc<'a> {
    pub fn read(text: &'a str) -> Result<Doc<'a>, String> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let parts = split(body).map_err(|_| "the note has no front-matter".to_string())?;
        let yaml_start = parts.yaml.as_ptr() as usize - text.as_ptr() as usize;
        let yaml_end = yaml_start + parts.yaml.len();
        let head = &text[..yaml_start];
        let eol = if head.ends_with("\r\n") { "\r\n" } else { "\n" };
        let lines: Vec<Line> = parts
            .yaml
            .split_inclusive('\n')
            .map(|l| Line {
                text: l.trim_end_matches('\n').trim_end_matches('\r'),
            })
            .collect();
        let root = lines.iter().find(|l| l.content()).map_or(0, Line::indent);
        let yaml = parts.yaml;
        let single = yaml.matches(": '").count() > yaml.matches(": \"").count();
        Ok(Doc {
            head,
            lines,
            tail: &text[yaml_end..],
            eol,
            root,
            quote: Quote { single },
        })
    }

    /// The top-level keys: name and line index.
    pub fn keys(&self) -> Vec<(&'a str, usize)> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.content() && l.indent() == self.root && !l.dash())
            .filter_map(|(i, l)| l.key().map(|(k, _)| (k, i)))
            .collect()
    }

    /// The lines of a top-level key: its own line, and the end (exclusive)
    /// of the lines under it.
    pub fn region(&self, key: &str) -> Option<(usize, usize)> {
        let keys = self.keys();
        let at = keys.iter().position(|(k, _)| *k == key)?;
        let end = keys.get(at + 1).map_or(self.lines.len(), |(_, i)| *i);
        Some((keys[at].1, end))
    }

    /// The style of the first block list of mappings in the note, else the
    /// format's own (dash two spaces in, keys two further).
    pub fn any_list_style(&self) -> ListStyle {
        for (key, _) in self.keys() {
            if let Some(style) = self
                .region(key)
                .and_then(|(k, end)| self.list_style(k, end))
            {
                if !style.flow {
                    return style;
                }
            }
        }
        ListStyle {
            dash: self.root + 2,
            keys: self.root + 4,
            flow: false,
        }
    }

    /// The style of the block list under the key on line `k`.
    pub fn list_style(&self, k: usize, end: usize) -> Option<ListStyle> {
        let first = (k + 1..end).find(|&i| self.lines[i].content())?;
        let line = &self.lines[first];
        if !line.dash() || line.indent() < self.root {
            return None;
        }
        let dash = line.indent();
        let after = &line.text[dash + 1..];
        let rest = after.trim_start_matches(' ');
        if rest.is_empty() || rest.starts_with('#') {
            return Some(ListStyle {
                dash,
                keys: dash + 2,
                flow: false,
            });
        }
        let keys = dash + 1 + (after.len() - rest.len());
        // Entries that are scalars (a list of words) are not a style for
        // entries that are mappings.
        let is_mapping = rest.starts_with('{')
            || Line {
                text: &line.text[keys..],
            }
            .key()
            .is_some();
        if !is_mapping && !rest.starts_with('{') {
            let next = (first + 1..end).find(|&i| self.lines[i].content());
            if next.is_none_or(|i| self.lines[i].indent() <= dash) {
                return None;
            }
        }
        let last = (k + 1..end)
            .rev()
            .find(|&i| self.lines[i].dash() && self.lines[i].indent() == dash)
            .unwrap_or(first);
        let flow = self.lines[last].text[dash + 1..]
            .trim_start()
            .starts_with('{');
        Some(ListStyle { dash, keys, flow })
    }

    /// The key order of the last entry of the list under line `k`.
    pub fn key_order(&self, k: usize, end: usize, style: ListStyle) -> Vec<String> {
        let Some(last) = (k + 1..end)
            .rev()
            .find(|&i| self.lines[i].dash() && self.lines[i].indent() == style.dash)
        else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        if let Some(text) = self.lines[last].text.get(style.keys..) {
            if let Some((key, _)) = (Line { text }).key() {
                keys.push(key.to_string());
            }
        }
        for line in &self.lines[last + 1..end] {
            if line.content() && line.indent() == style.keys {
                if let Some((key, _)) = line.key() {
                    keys.push(key.to_string());
                }
            }
        }
        keys
    }

    /// The last line of the list under line `k` (its last line of content,
    /// and comments right under it indented into the entry).
    pub fn list_end(&self, k: usize, end: usize) -> usize {
        let mut last = (k + 1..end)
            .rev()
            .find(|&i| self.lines[i].content())
            .unwrap_or(k);
        while last + 1 < end
            && self.lines[last + 1].comment()
            && self.lines[last + 1].indent() > self.root
        {
            last += 1;
        }
        last
    }

    /// The note put back together: `changed` replaces lines by index,
    /// `removed` lines are left out,
    /// `added` goes after the line index given (`None`: at the end of the
    /// front-matter).
    pub fn assemble(
        &self,
        changed: &[(usize, String)],
        removed: &[usize],
        added: &[(Option<usize>, Vec<String>)],
    ) -> String {
        let mut out = String::from(self.head);
        let eol = self.eol;
        let push_added = |out: &mut String, after: Option<usize>| {
            for (_, lines) in added.iter().filter(|(a, _)| *a == after) {
                for l in lines {
                    out.push_str(l);
                    out.push_str(eol);
                }
            }
        };
        for (i, line) in self.lines.iter().enumerate() {
            if removed.contains(&i) {
                push_added(&mut out, Some(i));
                continue;
            }
            match changed.iter().find(|(c, _)| *c == i) {
                Some((_, text)) => out.push_str(text),
                None => out.push_str(line.text),
            }
            // The line's own ending, as it was.
            out.push_str(self.ending(i));
            push_added(&mut out, Some(i));
        }
        push_added(&mut out, None);
        out.push_str(self.tail);
        out
    }

    /// The line ending of line `i` as written.
    pub fn ending(&self, i: usize) -> &'static str {
        let start = self.lines[i].text.as_ptr() as usize + self.lines[i].text.len();
        let next = self
            .lines
            .get(i + 1)
            .map_or(self.tail.as_ptr() as usize, |l| l.text.as_ptr() as usize);
        match next - start {
            2 => "\r\n",
            1 => "\n",
            _ => "",
        }
    }
}
