//! Problems found in a book, with their place in the file, and how they are
//! shown on a terminal (colored) or in a pipe (plain).

use std::borrow::Cow;
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
    /// Other places that take part in the problem, each with what is said
    /// there (where the reading stopped, for a bracket opened earlier).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secondary: Vec<(Place, String)>,
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
            secondary: Vec::new(),
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

    /// Marks a second place of the same source, with what is said there.
    pub fn also_at(mut self, place: Place, label: impl Into<String>) -> Diagnostic {
        self.secondary.push((place, label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column: message`, the one-line form, control characters
    /// escaped.
    pub fn one_line(&self) -> String {
        escape_controls(&self.one_line_raw()).into_owned()
    }

    fn one_line_raw(&self) -> String {
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

    /// The same problem with every control character of its text, and of
    /// the source it quotes, shown escaped (see [`escape_controls`]); the
    /// marked bytes follow the source.
    pub fn escaped(&self) -> Diagnostic {
        let esc = |s: &str| escape_controls(s).into_owned();
        let (source, place) = match (&self.source, &self.place) {
            (Some(text), Some(place)) => {
                let (shown, map) = escape_with_offsets(text);
                let place = Place {
                    bytes: map.new_offset(place.bytes.start)..map.new_offset(place.bytes.end),
                    ..place.clone()
                };
                (Some(Arc::from(shown)), Some(place))
            }
            _ => (self.source.clone(), self.place.clone()),
        };
        Diagnostic {
            severity: self.severity,
            file: esc(&self.file),
            message: esc(&self.message),
            place,
            label: esc(&self.label),
            help: self.help.iter().map(|h| esc(h)).collect(),
            secondary: self
                .secondary
                .iter()
                .map(|(p, label)| {
                    let place = match &self.source {
                        Some(text) => {
                            let map = escape_with_offsets(text).1;
                            Place {
                                bytes: map.new_offset(p.bytes.start)..map.new_offset(p.bytes.end),
                                ..p.clone()
                            }
                        }
                        None => p.clone(),
                    };
                    (place, esc(label))
                })
                .collect(),
            source,
        }
    }

    /// The marked line of the source and a marker under it, as the
    /// terminal shows them (control characters escaped), for the serve
    /// overlay: `3 | role: espp` then `  |       ^^^^ expected …`.
    pub fn snippet(&self) -> Option<String> {
        let d = self.escaped();
        let (place, text) = (d.place?, d.source?);
        let src = Source::new(text);
        let line = place.line.clamp(1, src.lines());
        let start = src.line_starts[line - 1];
        let text = src.line_text(line);
        let from = place.bytes.start.saturating_sub(start).min(text.len());
        let to = place
            .bytes
            .end
            .saturating_sub(start)
            .clamp(from, text.len());
        let (from, to) = (floor_char(text, from), floor_char(text, to));
        let indent = text[..from].chars().count();
        let width = text[from..to].chars().count().max(1);
        let num = line.to_string();
        let pad = " ".repeat(num.len());
        let mut out = format!(
            "{num} | {text}\n{pad} | {}{}",
            " ".repeat(indent),
            "^".repeat(width)
        );
        if !d.label.is_empty() {
            out.push(' ');
            out.push_str(&d.label);
        }
        Some(out)
    }

    fn to_codespan(&self) -> CsDiagnostic<()> {
        let base = match self.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        };
        let mut notes = self.help.clone();
        match (&self.place, &self.source) {
            (Some(place), Some(_)) => {
                let mut labels =
                    vec![Label::primary((), place.bytes.clone()).with_message(&self.label)];
                labels.extend(
                    self.secondary.iter().map(|(p, label)| {
                        Label::secondary((), p.bytes.clone()).with_message(label)
                    }),
                );
                base.with_message(&self.message).with_labels(labels)
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

/// The largest char boundary of `s` at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether a character must not reach a terminal as it is: control
/// characters (escape, bell, carriage return, …, but not line feed and
/// tab) and the invisible marks that reorder text on screen.
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character shown as Rust writes it
/// (`\u{1b}`), so that text from a note can neither clear the screen nor
/// make links or move the cursor on the terminal that shows a problem. A
/// carriage return that ends a line is kept.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(escape_with_offsets(text).0)
}

/// Where each escape added bytes: the old offset of the character and
/// the bytes added up to and including it.
struct OffsetMap(Vec<(usize, usize)>);

impl OffsetMap {
    fn new_offset(&self, old: usize) -> usize {
        let before = self.0.partition_point(|(at, _)| *at < old);
        old + before.checked_sub(1).map_or(0, |i| self.0[i].1)
    }
}

fn escape_with_offsets(text: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::new();
    let mut added = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let line_end = c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n');
        if is_hidden(c) && !line_end {
            let shown = format!("\\u{{{:x}}}", c as u32);
            added += shown.len() - c.len_utf8();
            map.push((i, added));
            out.push_str(&shown);
        } else {
            out.push(c);
        }
    }
    (out, OffsetMap(map))
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
        let d = &d.escaped();
        let file = SimpleFile::new(d.file.as_str(), d.source.as_deref().unwrap_or(""));
        let mut writer = StylesWriter::new(&mut buffer, &styles);
        // Rendering into memory can only fail if the place lies outside the
        // file, which `Source::place` rules out; fall back to one line.
        if term::emit_to_write_style(&mut writer, &config, &file, &d.to_codespan()).is_err() {
            let _ = writeln!(buffer, "{}", d.one_line_raw());
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
    fn control_characters_are_shown_escaped() {
        let text = "---\nname: \u{1b}[2J\u{1b}]8;;http://x.example\u{7}link\u{1b}]8;;\u{7}\rX\nrole: espp\n---\n";
        let src = Source::new(text);
        let d = Diagnostic::error("partners/a\u{1b}[31m.md", "unknown `\u{1b}[2J`").at(
            &src,
            src.place(2, 7, 5),
            "expected \u{7}",
        );
        let plain = render(std::slice::from_ref(&d), false);
        assert!(!plain.contains(['\u{1b}', '\u{7}', '\r']), "{plain:?}");
        assert!(
            plain.contains("\\u{1b}[2J\\u{1b}]8;;http://x.example\\u{7}link"),
            "{plain:?}"
        );
        assert!(plain.contains("\\u{d}X"), "{plain:?}");
        assert!(plain.contains("partners/a\\u{1b}[31m.md"), "{plain:?}");
        // In color, the only escapes are the colors rapport writes itself.
        let colored = render(std::slice::from_ref(&d), true);
        for part in colored.split('\u{1b}').skip(1) {
            let code: String = part
                .chars()
                .take_while(|c| *c == '[' || *c == ';' || c.is_ascii_digit())
                .collect();
            assert!(
                code.starts_with('[') && part[code.len()..].starts_with('m'),
                "{colored:?}"
            );
        }
        assert!(!colored.contains('\u{7}'), "{colored:?}");
        assert!(!d.one_line().contains('\u{1b}'));
        let snippet = d.snippet().unwrap();
        assert!(snippet.starts_with("2 | name: \\u{1b}[2J"), "{snippet}");
        assert!(!snippet.contains('\u{1b}'), "{snippet}");
    }

    #[test]
    fn the_snippet_marks_the_place() {
        let src = Source::new("---\nname: Jane\nrole: espp\n---\n");
        let d = Diagnostic::error("partners/jane.md", "unknown role `espp`").at(
            &src,
            src.place(3, 7, 4),
            "expected one of esp, collaborator",
        );
        assert_eq!(
            d.snippet().unwrap(),
            "3 | role: espp\n  |       ^^^^ expected one of esp, collaborator"
        );
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
