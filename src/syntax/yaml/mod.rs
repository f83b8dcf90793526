//! YAML into typed structs, with every problem located.
//!
//! The common case (a valid document in the plain part of YAML that notes
//! are written in) is one pass of the quick reader in [`plain`] straight
//! into the target type; anything else is one `yaml_serde` pass. Only when
//! that fails is the document looked at again: a second parser records
//! where every key and value stands, and each top-level key (and each entry
//! of a list) is deserialized on its own, so a note with three mistakes
//! gets three located problems, not one.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser};
use serde::de::DeserializeOwned;
use yaml_serde::{Mapping, Value};

use crate::diagnostics::did_you_mean;

mod plain;
mod serde_messages;
use serde_messages::Message;

/// One step in a path through a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A problem in a YAML text, with its place in that text (1-based line and
/// column in characters) and how many characters to mark.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlProblem {
    pub line: usize,
    pub column: usize,
    pub width: usize,
    pub message: String,
    pub label: String,
    pub help: Vec<String>,
    /// A second place that takes part in the problem (where the reading
    /// stopped, when the problem starts earlier): line, column, width and
    /// what is said there.
    pub also: Option<(usize, usize, usize, String)>,
}

/// What the document is, for messages ("a partner note", "rapport.yaml").
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub what: &'static str,
    /// Said under an unknown top-level key.
    pub unknown_key_help: Option<&'static str>,
    /// Top-level keys that must be present, each with what is said when it
    /// is missing.
    pub required: &'static [(&'static str, &'static str)],
    /// The value another word written for one of `expected` most likely
    /// means (`sent` for `given`), for a did-you-mean; the model's
    /// vocabulary, handed down so that this reader needs no model.
    pub synonym: fn(expected: &[&str], bad: &str) -> Option<&'static str>,
}

/// A problem found after deserializing, at a path in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub path: Vec<Seg>,
    pub message: String,
    pub label: String,
    pub help: Vec<String>,
}

/// Rules a deserialized document must also follow (an outcome that fits its
/// direction, a share between 0 and 1…). `check` runs on the whole document
/// and, when some keys are broken, on each readable key alone.
pub trait Checked {
    fn check(&self) -> Vec<Check>;

    /// Whether a required top-level key (see [`Doc::required`]) is present.
    fn has(&self, _key: &str) -> bool {
        true
    }
}

fn located(index: &SpanIndex, c: Check) -> YamlProblem {
    let pos = index.value(&c.path);
    YamlProblem {
        also: None,
        line: pos.line,
        column: pos.column,
        width: pos.width,
        message: c.message,
        label: c.label,
        help: c.help,
    }
}

/// Whether a required value is there: not null, and not blank text.
fn present(v: &Value) -> bool {
    !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty())
}

fn missing_required(index: &SpanIndex, has: impl Fn(&str) -> bool, doc: Doc) -> Vec<YamlProblem> {
    doc.required
        .iter()
        .filter(|(key, _)| !has(key))
        .map(|(key, label)| YamlProblem {
            also: None,
            line: index.root.line,
            column: index.root.column,
            width: index.root.width,
            message: format!("{} has no `{key}`", doc.what),
            label: label.to_string(),
            help: Vec::new(),
        })
        .collect()
}

/// Deserializes `text` into `T`, or returns every problem found.
///
/// `T` must accept an empty mapping (all its top-level keys optional), so
/// that each key can be checked alone.
pub fn from_str<T: DeserializeOwned + Checked>(
    text: &str,
    doc: Doc,
) -> Result<T, Vec<YamlProblem>> {
    // The quick reader takes no nested brackets: only the other path needs
    // the depth checked first.
    let parsed = match plain::read::<T>(text) {
        Some(v) => v,
        None => {
            if let Some(problem) = too_deep(text) {
                return Err(vec![problem]);
            }
            if is_blank(text) {
                deserialize::<T>(Value::Mapping(Mapping::new()))
                    .map_err(|(path, msg)| vec![locate(&SpanIndex::default(), &path, &msg, doc)])?
            } else {
                match yaml_serde::from_str::<T>(text) {
                    Ok(v) => v,
                    Err(first) => return Err(explain::<T>(text, first, doc)),
                }
            }
        }
    };
    let checks = parsed.check();
    let complete = doc.required.iter().all(|(k, _)| parsed.has(k));
    if checks.is_empty() && complete {
        return Ok(parsed);
    }
    // Rare from here: a second look, for places.
    let index = SpanIndex::build(text);
    let mut problems: Vec<YamlProblem> = checks.into_iter().map(|c| located(&index, c)).collect();
    problems.extend(missing_required(&index, |k| parsed.has(k), doc));
    if problems.is_empty() {
        return Ok(parsed);
    }
    problems.sort_by_key(|p| (p.line, p.column));
    Err(problems)
}

/// How deeply `[...]` and `{...}` may nest. The YAML scanner takes time in
/// proportion to the depth for every token, so a megabyte of `[` would
/// take hours; no note needs more than a few levels.
pub const MAX_FLOW_DEPTH: usize = 64;

/// The problem of a document whose flow collections nest deeper than
/// [`MAX_FLOW_DEPTH`], found in one pass (see [`scan_brackets`]).
fn too_deep(text: &str) -> Option<YamlProblem> {
    // The depth never exceeds the number of brackets opened: most notes
    // are answered by one quick count.
    let opened = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if opened <= MAX_FLOW_DEPTH {
        return None;
    }
    let mut depth = 0usize;
    let mut problem = None;
    scan_brackets(text, |line, column, c| {
        if matches!(c, ']' | '}') {
            depth = depth.saturating_sub(1);
            return true;
        }
        depth += 1;
        if depth <= MAX_FLOW_DEPTH {
            return true;
        }
        problem = Some(YamlProblem {
            line,
            column,
            width: 1,
            message: format!("lists and mappings nest more than {MAX_FLOW_DEPTH} levels deep"),
            label: format!("level {depth} opens here"),
            help: vec!["a note needs a few levels at most; look for a run of `[` or `{`".into()],
            also: None,
        });
        false
    });
    problem
}

/// Calls `visit` with the line, column and character of every `[`, `{`,
/// `]` and `}` of `text`, in one pass, until it returns `false`. Brackets in
/// quoted text and in comments do not count; one in plain text may count
/// too (`name: a[1]`).
fn scan_brackets(text: &str, mut visit: impl FnMut(usize, usize, char) -> bool) {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    // The character just before, and the last one that was not blank: a
    // quote opens text only where a value may start, not inside a word
    // (`O'Malley`).
    let (mut prev, mut last) = ('\n', '\n');
    let (mut line, mut column) = (1, 0);
    for c in text.chars() {
        column += 1;
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
        } else if c == '\n' {
            comment = false;
        } else if !comment {
            let blank_before = matches!(prev, ' ' | '\t' | '\n');
            match c {
                '#' if blank_before => comment = true,
                '\'' | '"'
                    if (blank_before
                        && matches!(last, '\n' | ':' | '-' | '?' | ',' | '[' | '{'))
                        || matches!(prev, '[' | '{' | ',') =>
                {
                    quote = Some(c)
                }
                '[' | '{' | ']' | '}' if !visit(line, column, c) => return,
                _ => {}
            }
        }
        if c == '\n' {
            (line, column) = (line + 1, 0);
            last = '\n';
        } else if c != ' ' && c != '\t' {
            last = c;
        }
        prev = c;
    }
}

/// The `[` or `{` that is still open at `line`:`column` and never closed
/// after it: its line, column and character.
fn unclosed_bracket(text: &str, line: usize, column: usize) -> Option<(usize, usize, char)> {
    let mut stack: Vec<(usize, usize, char)> = Vec::new();
    let mut open_there: Option<(usize, (usize, usize, char))> = None;
    scan_brackets(text, |l, c, ch| {
        if open_there.is_none() && (l, c) >= (line, column) {
            open_there = stack.last().map(|b| (stack.len(), *b));
        }
        if matches!(ch, '[' | '{') {
            stack.push((l, c, ch));
        } else {
            stack.pop();
        }
        true
    });
    match open_there {
        // Closed later after all: the reading stopped for another reason.
        Some((depth, b)) => (stack.len() >= depth && stack.get(depth - 1) == Some(&b)).then_some(b),
        None => stack.last().copied(),
    }
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    })
}

fn explain<T: DeserializeOwned + Checked>(
    text: &str,
    first: yaml_serde::Error,
    doc: Doc,
) -> Vec<YamlProblem> {
    let value = match yaml_serde::from_str::<Value>(text) {
        Ok(v) => v,
        Err(e) => {
            // A whole number too large for any integer type stops the
            // reading of the document, though it is not a syntax error:
            // report it, put 0 in its place and look for the other problems.
            // So do a control character and a duplicate key: report them,
            // blank them out and read on.
            if let Some((problem, patched)) = oversized_number(&e, text)
                .or_else(|| control_character(&e, text))
                .or_else(|| duplicate_removed(&e, text))
            {
                let mut problems = from_str::<T>(&patched, doc).err().unwrap_or_default();
                problems.push(problem);
                problems.sort_by_key(|p| (p.line, p.column));
                return problems;
            }
            return vec![syntax(&e, text)];
        }
    };
    let index = SpanIndex::build(text);
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => Mapping::new(),
        _ => {
            return vec![YamlProblem {
                also: None,
                line: index.root.line,
                column: index.root.column,
                width: index.root.width,
                message: format!("{} must be a set of `key: value` lines", doc.what),
                label: "expected `key: value` lines, like `name: Jane Doe`".into(),
                help: Vec::new(),
            }]
        }
    };
    let mut problems = Vec::new();
    for (k, v) in &map {
        let Some(key) = k.as_str() else {
            let pos = index.root;
            problems.push(YamlProblem {
                also: None,
                line: pos.line,
                column: pos.column,
                width: pos.width,
                message: format!("a key of {} must be text", doc.what),
                label: "expected a key such as `name`".into(),
                help: Vec::new(),
            });
            continue;
        };
        let single = |v: Value| {
            let mut m = Mapping::new();
            m.insert(k.clone(), v);
            Value::Mapping(m)
        };
        let (path, msg) = match deserialize::<T>(single(v.clone())) {
            Ok(partial) => {
                problems.extend(partial.check().into_iter().map(|c| located(&index, c)));
                continue;
            }
            Err(e) => e,
        };
        let per_entry =
            matches!(v, Value::Sequence(_)) && matches!(path.get(1), Some(Seg::Index(_)));
        if let (true, Value::Sequence(items)) = (per_entry, v) {
            for (i, item) in items.iter().enumerate() {
                let at_entry = |mut path: Vec<Seg>| {
                    if path.len() > 1 {
                        path[1] = Seg::Index(i);
                    }
                    path
                };
                // A broken key of the entry is reported, then left out so
                // that the entry's other problems are found too.
                let mut item = item.clone();
                let mut dropped: Vec<String> = Vec::new();
                loop {
                    match deserialize::<T>(single(Value::Sequence(vec![item.clone()]))) {
                        Ok(partial) => {
                            problems.extend(partial.check().into_iter().map(|mut c| {
                                c.path = at_entry(c.path);
                                located(&index, c)
                            }));
                            break;
                        }
                        Err((path, msg)) => {
                            let said = serde_messages::parse(&msg);
                            let missing = matches!(said, Message::MissingField { .. });
                            // A key left out for being misspelt is not
                            // missing too: `directon` is `direction`.
                            if let Message::MissingField { field } = said {
                                // A required key left out for a bad value
                                // (a date that does not exist) gets a
                                // stand-in, so that the entry's other keys
                                // are still checked.
                                let stand_in = STAND_INS.iter().find(|(k, _)| *k == field);
                                if let (Some((k, v)), Value::Mapping(m)) = (stand_in, &mut item) {
                                    if dropped.iter().any(|d| d == k) && !m.contains_key(*k) {
                                        m.insert(Value::from(*k), Value::from(*v));
                                        continue;
                                    }
                                }
                                if dropped
                                    .iter()
                                    .any(|d| d == field || did_you_mean(d, [field]).is_some())
                                {
                                    break;
                                }
                            }
                            problems.push(locate(&index, &at_entry(path.clone()), &msg, doc));
                            let bad = if let Message::UnknownField { field, .. } = said {
                                Some(field.to_string())
                            } else {
                                match path.get(2) {
                                    Some(Seg::Key(k)) if !missing => Some(k.clone()),
                                    _ => None,
                                }
                            };
                            let removed = match (&bad, &mut item) {
                                (Some(k), Value::Mapping(m)) => m.remove(k.as_str()).is_some(),
                                _ => false,
                            };
                            if !removed {
                                break;
                            }
                            dropped.extend(bad);
                        }
                    }
                }
            }
        } else {
            let _ = key;
            problems.push(locate(&index, &path, &msg, doc));
        }
    }
    problems.extend(missing_required(
        &index,
        |k| map.get(k).is_some_and(present),
        doc,
    ));
    if problems.is_empty() {
        problems.push(syntax(&first, text));
    }
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

/// Values that stand in for a required key of a list entry whose own value
/// was refused: none of the entry's other checks depends on them.
const STAND_INS: &[(&str, &str)] = &[("date", "2000-01-01")];

fn deserialize<T: DeserializeOwned>(value: Value) -> Result<T, (Vec<Seg>, String)> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                _ => None,
            })
            .collect();
        (path, e.into_inner().to_string())
    })
}

/// The problem of a number too large to hold, and `text` with `0` in its
/// place; `None` for any other error.
fn oversized_number(e: &yaml_serde::Error, text: &str) -> Option<(YamlProblem, String)> {
    let message = e.to_string();
    if !serde_messages::is_integer_refused(&message) {
        return None;
    }
    let loc = e.location()?;
    let line_start: usize = text
        .split_inclusive('\n')
        .take(loc.line() - 1)
        .map(str::len)
        .sum();
    let line = text[line_start..].split('\n').next()?;
    let start = line_start + line.char_indices().nth(loc.column() - 1)?.0;
    let rest = &text[start..];
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}' | '#'))
        .unwrap_or(rest.len());
    let token = &rest[..len];
    if token.is_empty()
        || !token
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let patched = format!("{}0{}", &text[..start], &rest[len..]);
    let problem = YamlProblem {
        also: None,
        line: loc.line(),
        column: loc.column(),
        width: token.chars().count(),
        message: format!("the number `{token}` is too large"),
        label: "expected a number that fits, like 4500".into(),
        help: Vec::new(),
    };
    Some((problem, patched))
}

/// The problem of a character YAML refuses (a control character other
/// than tab and line ends), and `text` with a blank in its place; `None`
/// for any other error.
fn control_character(e: &yaml_serde::Error, text: &str) -> Option<(YamlProblem, String)> {
    if !e.to_string().contains("control characters are not allowed") {
        return None;
    }
    let refused = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}'))
            || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    let (at, c) = text.char_indices().find(|(_, c)| refused(*c))?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    // A space in its place, unless that would make the next character
    // start a list, a quote or a comment (`\u{1b}[31m` is not a list).
    let after = &text[at + c.len_utf8()..];
    let stand_in = match after.chars().next() {
        Some(
            '[' | ']' | '{' | '}' | ',' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
            | '@' | '`',
        ) => '_',
        _ => ' ',
    };
    let patched = format!("{before}{stand_in}{after}");
    let problem = YamlProblem {
        line,
        column,
        width: 1,
        message: format!("the control character U+{:04X} is not allowed", c as u32),
        label: "this character".into(),
        help: vec![
            "delete it: it is invisible in most editors, so retype the text around it".into(),
        ],
        also: None,
    };
    Some((problem, patched))
}

/// The problem of a key written twice in one mapping, and `text` with the
/// second one and its value blanked out (lines kept, so places stay true);
/// `None` for any other error, or a key inside `{...}`.
fn duplicate_removed(e: &yaml_serde::Error, text: &str) -> Option<(YamlProblem, String)> {
    let message = e.to_string();
    let wanted = serde_messages::duplicate_key(serde_messages::without_location(&message))?;
    let (pos, key) = duplicate_key(text, wanted)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let key_line = lines.get(pos.line - 1)?;
    let indent = pos.column - 1;
    let prefix: String = key_line.chars().take(indent).collect();
    if prefix.chars().any(|c| c != ' ') {
        return None;
    }
    let blank = |l: &str| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    };
    let mut patched = String::with_capacity(text.len());
    let mut inside = false;
    for (i, l) in lines.iter().enumerate() {
        let spaces = l.len() - l.trim_start_matches(' ').len();
        if i + 1 == pos.line {
            inside = true;
        } else if inside {
            let deeper = spaces > indent || (spaces == indent && l[spaces..].starts_with('-'));
            inside = deeper || blank(l);
        }
        if inside {
            patched.push_str(if l.ends_with("\r\n") {
                "\r\n"
            } else if l.ends_with('\n') {
                "\n"
            } else {
                ""
            });
        } else {
            patched.push_str(l);
        }
    }
    Some((duplicate_problem(pos, &key), patched))
}

fn duplicate_problem(pos: Pos, key: &str) -> YamlProblem {
    YamlProblem {
        line: pos.line,
        column: pos.column,
        width: pos.width,
        message: format!("the key `{key}` is written twice"),
        label: format!("a second `{key}:` here"),
        help: vec![format!(
            "keep one `{key}:` line; to add entries to a list, put them under the first `{key}:`"
        )],
        also: None,
    }
}

/// A syntax error as yaml_serde reports it.
fn syntax(e: &yaml_serde::Error, text: &str) -> YamlProblem {
    let full = e.to_string();
    let message = serde_messages::without_location(&full).to_string();
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let line_count = text.lines().count().max(1);
    if let Some(wanted) = serde_messages::duplicate_key(&message) {
        // yaml_serde points at the start of the mapping; point at the
        // second occurrence of the key instead.
        if let Some((pos, key)) = duplicate_key(text, wanted) {
            return duplicate_problem(pos, &key);
        }
    }
    if let Some(problem) = tab_indent(text, line, &message) {
        return problem;
    }
    let at_end = line > line_count;
    let line = line.min(line_count);
    if message.contains("expected ',' or ']'") || message.contains("expected ',' or '}'") {
        if let Some((l, c, open)) = unclosed_bracket(text, line, column) {
            let (what, close, like) = if open == '[' {
                ("list", ']', "`tags: [tax, estate]`")
            } else {
                (
                    "mapping",
                    '}',
                    "`next_step: {date: 2026-12-01, action: Call}`",
                )
            };
            return YamlProblem {
                line: l,
                column: c,
                width: 1,
                message: format!("this `{open}` is never closed"),
                label: format!("this `{open}` opens a {what} that is never closed"),
                help: vec![format!(
                    "close the {what} with `{close}` on the same line, like {like}"
                )],
                also: Some(if at_end {
                    let last = text.lines().nth(line - 1).unwrap_or("");
                    let end = last.trim_end().chars().count() + 1;
                    (line, end, 1, format!("expected `{close}` before the end"))
                } else {
                    (
                        line,
                        column,
                        1,
                        format!("expected `,` or `{close}` before here"),
                    )
                }),
            };
        }
    }
    YamlProblem {
        also: None,
        line,
        column,
        width: 1,
        message: format!("YAML syntax error: {message}"),
        label: "the YAML cannot be read from here on".into(),
        help: vec![
            "check indentation, and quote text that holds `: ` or starts with a special character"
                .into(),
        ],
    }
}

/// The problem of a tab in the indentation, when the reading stopped
/// there: on the line where it stopped, or (when the message speaks of a
/// tab) the first line indented with one.
fn tab_indent(text: &str, line: usize, message: &str) -> Option<YamlProblem> {
    let tab_in_indent = |l: &str| {
        l.chars()
            .take_while(|c| matches!(c, ' ' | '\t'))
            .position(|c| c == '\t')
    };
    let at = |n: usize, l: &str| Some((n, tab_in_indent(l)?));
    let lines = || text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let (line, column) = lines()
        .nth(line.saturating_sub(1))
        .and_then(|(n, l)| at(n, l))
        .or_else(|| {
            message
                .contains("tab")
                .then(|| lines().find_map(|(n, l)| at(n, l)))
                .flatten()
        })?;
    Some(YamlProblem {
        line,
        column: column + 1,
        width: 1,
        message: "a tab cannot indent YAML; use spaces".into(),
        label: "a tab here".into(),
        help: vec![
            "indent the front-matter with spaces only (two per level, as in `rapport new`); most editors can turn tabs into spaces".into(),
        ],
        also: None,
    })
}

/// The first key that appears a second time in the same mapping, with the
/// place of that second occurrence.
fn duplicate_key(text: &str, wanted: Option<&str>) -> Option<(Pos, String)> {
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    let mut found = None;
    walk(text, |node| {
        let (Some(map), Some(key)) = (node.key_of, node.scalar) else {
            return true;
        };
        let is_wanted = wanted.is_none_or(|w| w == key);
        if !seen.insert((map, key.to_string())) && is_wanted {
            let pos = Pos {
                line: node.pos.line,
                column: node.pos.column,
                width: key.chars().count().max(1),
            };
            found = Some((pos, key.to_string()));
            return false;
        }
        true
    });
    found
}

fn field_name(path: &[Seg]) -> Option<&str> {
    path.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(k.as_str()),
        Seg::Index(_) => None,
    })
}

/// Says in words what serde's type names mean.
fn plain_expected(expected: &str) -> String {
    let e = expected.trim();
    match e {
        "f64" | "f32" => "a number".into(),
        "u32" | "u64" | "u16" | "u8" | "usize" => "a whole number, 0 or more".into(),
        "i32" | "i64" => "a whole number".into(),
        "a boolean" => "true or false".into(),
        _ if e.starts_with("struct ") => "a set of `key: value` lines".into(),
        _ => e.to_string(),
    }
}

fn list_words(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns a serde message at a path into a located, worded problem.
fn locate(index: &SpanIndex, path: &[Seg], msg: &str, doc: Doc) -> YamlProblem {
    let mut help = Vec::new();
    let (pos, message, label);
    let said = serde_messages::parse(msg);
    if let Message::UnknownField {
        field: bad,
        expected,
    } = &said
    {
        let bad = *bad;
        let mut map_path = path.to_vec();
        if map_path.last() == Some(&Seg::Key(bad.to_string())) {
            map_path.pop();
        }
        pos = index.key(&map_path, bad);
        message = match field_name(&map_path) {
            Some(parent) => format!("unknown key `{bad}` in `{parent}`"),
            None => format!("unknown key `{bad}` in {}", doc.what),
        };
        label = if expected.is_empty() {
            "no keys are allowed here".to_string()
        } else {
            format!("expected one of {}", list_words(expected))
        };
        if let Some(s) = did_you_mean(bad, expected.iter().copied()) {
            help.push(format!("did you mean `{s}`?"));
        }
        if map_path.is_empty() {
            if let Some(h) = doc.unknown_key_help {
                help.push(h.to_string());
            }
        }
    } else if let Message::UnknownVariant {
        variant: bad,
        expected,
    } = &said
    {
        pos = index.value(path);
        let field = field_name(path).unwrap_or("value");
        message = format!("`{bad}` is not a valid {field}");
        label = format!("expected one of {}", list_words(expected));
        // A word people often write for one of the values (`sent` for
        // `given`) before a word that is merely close in spelling.
        if let Some(s) =
            (doc.synonym)(expected, bad).or_else(|| did_you_mean(bad, expected.iter().copied()))
        {
            help.push(format!("did you mean `{s}`?"));
        }
    } else if let Message::MissingField { field: missing } = said {
        pos = index.value(path);
        message = match field_name(path) {
            Some(parent) => format!("missing `{missing}` in an entry of `{parent}`"),
            None => format!("missing `{missing}`"),
        };
        label = format!("expected a `{missing}:` line here");
    } else if let Message::Invalid { found, expected } = said {
        pos = index.value(path);
        let field = field_name(path).unwrap_or("value");
        let found = if found == "unit value" {
            "nothing"
        } else {
            found
        };
        message = format!("wrong value for `{field}`: found {found}");
        label = format!("expected {}", plain_expected(expected));
    } else if let Some(found) = msg.strip_prefix("expected a date as YYYY-MM-DD, found ") {
        pos = index.value(path);
        let field = field_name(path).unwrap_or("date");
        let raw = found.trim().trim_matches('`');
        let (why, suggestions) = crate::syntax::date::date_problem(raw);
        message = format!("`{field}` is not a date: {why}");
        label = "expected a date as YYYY-MM-DD, like 2024-02-01".into();
        help.extend(suggestions);
    } else {
        pos = index.value(path);
        message = msg.to_string();
        label = "here".into();
    }
    YamlProblem {
        also: None,
        line: pos.line,
        column: pos.column,
        width: pos.width,
        message,
        label,
        help,
    }
}

/// Where a node stands: 1-based line and column, and its width on that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub width: usize,
}

impl Default for Pos {
    fn default() -> Self {
        Pos {
            line: 1,
            column: 1,
            width: 1,
        }
    }
}

/// The place of every key and value of a document, by path.
#[derive(Debug, Default)]
pub struct SpanIndex {
    values: HashMap<Vec<Seg>, Pos>,
    keys: HashMap<Vec<Seg>, Pos>,
    root: Pos,
}

enum Frame {
    Map {
        id: usize,
        path: Vec<Seg>,
        key: Option<String>,
        expect_key: bool,
    },
    Seq {
        path: Vec<Seg>,
        next: usize,
    },
}

/// One node of a document, as [`walk`] meets it.
struct Node<'a> {
    /// Where its value is found: the keys and indexes from the root.
    path: &'a [Seg],
    /// For a key: which mapping it belongs to (mappings are numbered in
    /// document order); `None` for a value.
    key_of: Option<usize>,
    /// Its text, when it is a scalar.
    scalar: Option<&'a str>,
    pos: Pos,
}

/// Calls `visit` on every node (scalar, mapping, list, alias) of `text` in
/// document order, until it returns `false`. Stops quietly at a syntax
/// error. The one walk over saphyr's events, for the span index and the
/// duplicate-key search alike.
fn walk(text: &str, mut visit: impl FnMut(&Node) -> bool) {
    let mut stack: Vec<Frame> = Vec::new();
    let mut maps = 0;
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        let pos = Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
            width: if span.end.line() == span.start.line() {
                span.end.col().saturating_sub(span.start.col()).max(1)
            } else {
                1
            },
        };
        let scalar = match &event {
            Event::Scalar(s, ..) => Some(s.as_ref()),
            _ => None,
        };
        match event {
            Event::Scalar(..)
            | Event::MappingStart(..)
            | Event::SequenceStart(..)
            | Event::Alias(..) => {}
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                continue;
            }
            _ => continue,
        }
        let (node_path, key_of) = match stack.last_mut() {
            None => (Vec::new(), None),
            Some(Frame::Seq { path, next }) => {
                let mut p = path.clone();
                p.push(Seg::Index(*next));
                *next += 1;
                (p, None)
            }
            Some(Frame::Map {
                id,
                path,
                key,
                expect_key,
            }) => {
                let is_key = *expect_key;
                if is_key {
                    *key = scalar.map(str::to_string);
                }
                *expect_key = !is_key;
                let mut p = path.clone();
                if let Some(k) = key.clone() {
                    p.push(Seg::Key(k));
                }
                (p, is_key.then_some(*id))
            }
        };
        let node = Node {
            path: &node_path,
            key_of,
            scalar,
            pos,
        };
        if !visit(&node) {
            return;
        }
        match event {
            Event::MappingStart(..) => {
                stack.push(Frame::Map {
                    id: maps,
                    path: node_path,
                    key: None,
                    expect_key: true,
                });
                maps += 1;
            }
            Event::SequenceStart(..) => stack.push(Frame::Seq {
                path: node_path,
                next: 0,
            }),
            _ => {}
        }
    }
}

impl SpanIndex {
    /// Records the places of a document's nodes. Stops quietly at a syntax
    /// error; what was read up to there is kept.
    pub fn build(text: &str) -> SpanIndex {
        let mut index = SpanIndex::default();
        let mut root_seen = false;
        walk(text, |node| {
            if node.key_of.is_some() {
                index.keys.entry(node.path.to_vec()).or_insert(node.pos);
            } else {
                if node.path.is_empty() && !root_seen {
                    index.root = node.pos;
                    root_seen = true;
                }
                index.values.entry(node.path.to_vec()).or_insert(node.pos);
            }
            true
        });
        index
    }

    /// The place of the value at `path`, or of its nearest located parent.
    pub fn value(&self, path: &[Seg]) -> Pos {
        let mut p = path.to_vec();
        loop {
            if let Some(pos) = self.values.get(&p) {
                // A block mapping or list starts on the line after its key;
                // the key is the better place to point at.
                if let Some(k) = self.keys.get(&p) {
                    if k.line < pos.line && !matches!(p.last(), Some(Seg::Index(_))) {
                        return *k;
                    }
                }
                return *pos;
            }
            if p.pop().is_none() {
                return self.root;
            }
        }
    }

    /// The place of key `key` in the mapping at `map_path`.
    pub fn key(&self, map_path: &[Seg], key: &str) -> Pos {
        let mut p = map_path.to_vec();
        p.push(Seg::Key(key.to_string()));
        self.keys
            .get(&p)
            .copied()
            .unwrap_or_else(|| self.value(map_path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::FrontMatter;

    const NOTE: Doc = crate::read::note::NOTE;

    #[test]
    fn index_records_keys_and_values() {
        let text = "name: Jane\nreferrals:\n  - date: 2024-01-02\n    direction: given\n";
        let idx = SpanIndex::build(text);
        let p = idx.value(&[
            Seg::Key("referrals".into()),
            Seg::Index(0),
            Seg::Key("direction".into()),
        ]);
        assert_eq!((p.line, p.column, p.width), (4, 16, 5));
        let k = idx.key(&[], "name");
        assert_eq!((k.line, k.column), (1, 1));
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let text = "name: Jane\nrefferals: []\nrole: espp\nreferrals:\n  - date: 2024-13-01\n    direction: given\n  - date: 2024-01-02\n    direction: sideways\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(
            places,
            vec![(2, 1), (3, 7), (5, 11), (8, 16)],
            "{problems:#?}"
        );
        assert!(problems[0].help.iter().any(|h| h.contains("`referrals`")));
        assert!(problems[1].help.iter().any(|h| h.contains("`esp`")));
        assert!(problems[2].label.contains("YYYY-MM-DD"));
    }

    #[test]
    fn listed_values_read_in_any_case() {
        let text = "name: Jane\nrole: ESP\nreferrals:\n  - date: 2024-01-02\n    direction: Given\n    type: NET-NEW\n    outcome: Exceeded\nmeetings:\n  - date: 2024-01-03\n    kind: Discovery\n    outcome: Not-Interested\ninitiatives:\n  - name: Workshop\n    status: ACTIVE\n";
        let fm = from_str::<FrontMatter>(text, NOTE).unwrap();
        assert_eq!(fm.role, Some(crate::book::Role::Esp));
        let r = &fm.referrals[0];
        assert_eq!(r.direction, crate::book::Direction::Given);
        assert_eq!(r.kind, crate::book::ReferralType::NetNew);
        assert_eq!(r.outcome, Some(crate::book::Outcome::Exceeded));
        assert_eq!(fm.meetings[0].kind, crate::book::MeetingKind::Discovery);
        assert_eq!(
            fm.meetings[0].outcome,
            Some(crate::book::DiscoveryOutcome::NotInterested)
        );
        assert_eq!(
            fm.initiatives[0].status,
            Some(crate::book::InitiativeStatus::Active)
        );
        // The quick reader and yaml_serde read it alike.
        assert_eq!(plain::read::<FrontMatter>(text), Some(fm.clone()));
        assert_eq!(yaml_serde::from_str::<FrontMatter>(text).ok(), Some(fm));
    }

    #[test]
    fn other_common_words_suggest_the_value_meant() {
        let text = "name: Jane\nrole: partner\nreferrals:\n  - date: 2024-01-02\n    direction: sent\n  - date: 2024-01-03\n    direction: received\n    outcome: Closed\n  - date: 2024-01-04\n    direction: referred out\n    type: new\nmeetings:\n  - date: 2024-01-05\n    kind: lunch\n  - date: 2024-01-06\n    kind: discovery\n    outcome: declined\ninitiatives:\n  - name: Workshop\n    status: planned\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        let seen: Vec<(usize, usize, &str, &str)> = problems
            .iter()
            .map(|p| {
                (
                    p.line,
                    p.column,
                    p.message.as_str(),
                    p.help.first().map_or("", String::as_str),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    2,
                    7,
                    "`partner` is not a valid role",
                    "did you mean `collaborator`?"
                ),
                (
                    5,
                    16,
                    "`sent` is not a valid direction",
                    "did you mean `given`?"
                ),
                (
                    8,
                    14,
                    "`Closed` is not a valid outcome",
                    "did you mean `won`?"
                ),
                (
                    10,
                    16,
                    "`referred out` is not a valid direction",
                    "did you mean `given`?"
                ),
                (
                    11,
                    11,
                    "`new` is not a valid type",
                    "did you mean `net-new`?"
                ),
                (
                    14,
                    11,
                    "`lunch` is not a valid kind",
                    "did you mean `meal`?"
                ),
                (
                    17,
                    14,
                    "`declined` is not a valid outcome",
                    "did you mean `not-interested`?"
                ),
                (
                    20,
                    13,
                    "`planned` is not a valid status",
                    "did you mean `idea`?"
                ),
            ],
            "{problems:#?}"
        );
        // A word close in spelling still gets its suggestion.
        let problems = from_str::<FrontMatter>("name: A\nrole: colaborator\n", NOTE).unwrap_err();
        assert_eq!(problems[0].help, vec!["did you mean `collaborator`?"]);
    }

    #[test]
    fn a_duplicate_key_points_at_its_second_occurrence() {
        let text = "name: Jane\nfirm: B\nreferrals:\n  - date: 2024-01-01\n    direction: given\n    date: 2024-01-02\nname: June\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(
            (problems[0].line, problems[0].column),
            (6, 5),
            "{problems:?}"
        );
        assert!(problems[0].message.contains("`date`"), "{problems:?}");
        assert_eq!(
            (problems[1].line, problems[1].column),
            (7, 1),
            "{problems:?}"
        );
        assert!(problems[1].message.contains("`name`"), "{problems:?}");
        let problems =
            from_str::<FrontMatter>("name: A\nmeetings: []\nmeetings: []\n", NOTE).unwrap_err();
        assert_eq!(
            (problems[0].line, problems[0].column),
            (3, 1),
            "{problems:?}"
        );
        assert!(problems[0].message.contains("`meetings`"), "{problems:?}");
    }

    #[test]
    fn every_problem_of_one_entry_is_reported() {
        let text = "name: Jane\nreferrals:\n  - date: 2024-13-01\n    direction: sideways\n  - date: 2024-01-02\n    direction: given\n    outcome: won\n    outcom: met\n  - kind: call\n    directon: given\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        // Bad date and direction; wrong outcome and unknown key; unknown
        // keys, then the missing date (not a problem made up by leaving a
        // broken key out).
        assert_eq!(
            places,
            vec![(3, 11), (4, 16), (7, 14), (8, 5), (9, 5), (9, 5), (10, 5)],
            "{problems:#?}"
        );
        assert!(problems.iter().any(|p| p.message.contains("`won`")));
        assert!(problems
            .iter()
            .any(|p| p.message.contains("missing `date`")));
        assert!(!problems
            .iter()
            .any(|p| p.message.contains("missing `direction`")));
    }

    #[test]
    fn a_huge_number_does_not_hide_other_problems() {
        let text = "name: A\nrole: espp\nreferrals:\n  - date: 2024-01-01\n    direction: given\n    value: 99999999999999999999999999999\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(2, 7), (6, 12)], "{problems:#?}");
        assert!(problems[1].message.contains("too large"), "{problems:#?}");
    }

    #[test]
    fn a_bad_date_does_not_hide_a_wrong_outcome_beside_it() {
        let text = "name: Jane\nreferrals:\n  - date: 2026-11-31\n    direction: given\n    outcome: won\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].message.contains("November 2026 has 30 days"),
            "{problems:#?}"
        );
        assert!(problems[1].message.contains("`won`"), "{problems:#?}");
    }

    #[test]
    fn a_misspelt_key_is_reported_once_as_the_misspelling() {
        let text = "name: Jane\nreferrals:\n  - date: 2026-01-05\n    directon: given\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].message, "unknown key `directon` in `referrals`");
        assert_eq!(problems[0].help, vec!["did you mean `direction`?"]);
    }

    #[test]
    fn a_date_that_does_not_exist_says_why() {
        let text = "name: Jane\nsince: 2026-11-31\nmeetings:\n  - date: 10/11/2026\n    kind: call\n  - date: 13/11/2026\n    kind: call\n  - date: 2028-02-30\n    kind: call\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert_eq!(
            problems[0].message,
            "`since` is not a date: November 2026 has 30 days"
        );
        assert_eq!(
            problems[0].help,
            vec!["the last day of that month is 2026-11-30"]
        );
        assert!(
            problems[1].message.contains("not in the form YYYY-MM-DD"),
            "{problems:#?}"
        );
        assert!(
            problems[1].help[0].contains("ambiguous")
                && problems[1].help[0].contains("2026-11-10")
                && problems[1].help[0].contains("2026-10-11"),
            "{problems:#?}"
        );
        assert_eq!(problems[2].help, vec!["write it as 2026-11-13"]);
        assert_eq!(
            problems[3].message,
            "`date` is not a date: February 2028 has 29 days"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "name: Jane\nfirm: \"unclosed\nrole: esp\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.starts_with("YAML syntax error"),
            "{problems:?}"
        );
        assert!(problems[0].line >= 2);
    }

    #[test]
    fn a_tab_in_the_indentation_is_pointed_at() {
        for (text, place) in [
            (
                "name: A\nreferrals:\n\t- date: 2024-01-01\n\t  direction: given\n",
                (3, 1),
            ),
            (
                "name: A\nreferrals:\n  - date: 2024-01-01\n  \t direction: given\n",
                (4, 3),
            ),
            (
                "name: A\nnext_step:\n\tdate: 2024-01-01\n\taction: x\n",
                (3, 1),
            ),
            ("name: A\nfirm: B\n\t# a comment\n", (3, 1)),
        ] {
            let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
            assert_eq!(problems.len(), 1, "{text:?}: {problems:#?}");
            let p = &problems[0];
            assert_eq!(
                p.message, "a tab cannot indent YAML; use spaces",
                "{text:?}"
            );
            assert_eq!(
                (p.line, p.column, p.width),
                (place.0, place.1, 1),
                "{text:?}"
            );
        }
        // A tab between a key and its value is YAML, and is read.
        let fm = from_str::<FrontMatter>("name:\tA\nfirm: B\t\n", NOTE).unwrap();
        assert_eq!(fm.name.as_deref(), Some("A"));
    }

    #[test]
    fn an_unclosed_bracket_is_pointed_at_where_it_opens() {
        let text = "name: Jane\nfirm: B\ntags: [tax, business\nrole: esp\nsince: 2024-01-01\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let p = &problems[0];
        assert_eq!((p.line, p.column), (3, 7), "{p:#?}");
        assert_eq!(p.message, "this `[` is never closed");
        let (line, ..) = p.also.clone().expect("where the reading stopped");
        assert!(line > 3, "{p:#?}");
        let text = "name: Jane\nnext_step: {date: 2026-12-01, action: Call\nrole: esp\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(
            (problems[0].line, problems[0].column),
            (2, 12),
            "{problems:#?}"
        );
        assert_eq!(problems[0].message, "this `{` is never closed");
        assert!(problems[0].also.is_some());
        // Open to the end: the end of the last line is where it stopped.
        let problems = from_str::<FrontMatter>("name: A\ntags: [a, b\n", NOTE).unwrap_err();
        assert_eq!((problems[0].line, problems[0].column), (2, 7));
        assert_eq!(
            problems[0].also,
            Some((2, 12, 1, "expected `]` before the end".to_string())),
            "{problems:#?}"
        );
        // A bracket that is closed is not blamed for another mistake.
        assert_eq!(unclosed_bracket("tags: [a, b]\nx: [c: d: e]\n", 2, 8), None);
    }

    #[test]
    fn a_control_character_is_pointed_at_and_the_rest_is_read() {
        for c in ['\u{7}', '\u{1b}'] {
            let text = format!("name: Jane\nfirm: B\nrole: {c}espp\nsince: 2024-13-01\n");
            let problems = from_str::<FrontMatter>(&text, NOTE).unwrap_err();
            let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
            assert_eq!(places, vec![(3, 7), (3, 8), (4, 8)], "{problems:#?}");
            let control = problems
                .iter()
                .find(|p| p.message.contains("control character"))
                .expect("the control character is named");
            assert!(
                control.message.contains(&format!("U+{:04X}", c as u32)),
                "{control:#?}"
            );
        }
    }

    #[test]
    fn a_duplicate_key_does_not_hide_the_other_problems() {
        let text = "name: Jane\nfirm: A\nrole: esp\nbogus: 1\nsince: 2024-13-01\nfirm: B\nmeetings:\n  - date: 2024-01-01\n    kind: call\nmeetings:\n  - date: 2024-02-01\n    kind: lunch\nreferrals:\n- date: 2024-01-01\n  direction: given\n  outcome: won\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(
            places,
            vec![(4, 1), (5, 8), (6, 1), (10, 1), (16, 12)],
            "{problems:#?}"
        );
        assert!(problems[0].message.contains("`bogus`"), "{problems:#?}");
        assert!(problems[1].message.contains("`since`"), "{problems:#?}");
        assert_eq!(problems[2].message, "the key `firm` is written twice");
        assert_eq!(problems[3].message, "the key `meetings` is written twice");
        assert!(problems[4].message.contains("`won`"), "{problems:#?}");
    }

    #[test]
    fn missing_required_field_points_at_the_entry() {
        let text = "name: Jane\nmeetings:\n  - kind: call\n";
        let problems = from_str::<FrontMatter>(text, NOTE).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.contains("`date`"), "{:?}", problems[0]);
    }

    #[test]
    fn lenient_text_and_empty_lists() {
        let text = "name: Jane\nphone: 5550100\nreferrals:\ntags: tax\n";
        let fm = from_str::<FrontMatter>(text, NOTE).unwrap();
        assert_eq!(fm.phone.as_deref(), Some("5550100"));
        assert!(fm.referrals.is_empty());
        assert_eq!(fm.tags, vec!["tax".to_string()]);
    }
}
