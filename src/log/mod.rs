//! `rapport log`: records a referral, a meeting or the next step in a
//! partner's note without opening an editor.
//!
//! The edit is made on the note's text, not by writing the YAML out again:
//! the new entry's lines are inserted where a person would type them, in
//! the style of the note (the list's indentation and dash style, its key
//! order, entries as block or flow mappings, its quote character, its line
//! endings), and every other byte
//! stays as it was. [`apply`] then reads the note back with the note
//! parser, as `check` does, and accepts the result only if it holds exactly
//! one more entry, equal to the one logged, and nothing else changed.
//!
//! Lists written in flow style: an empty one (`referrals: []`, or `~`)
//! becomes a block list: its `[]` is removed (a comment on that line keeps
//! its column) and the entry goes on the lines below. A non-empty flow list
//! written on one line gets the entry appended inside its brackets, as a
//! flow mapping; one spread over several lines is refused with a message.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::{Args, Subcommand};

use crate::book::{
    Direction, DiscoveryOutcome, Meeting, MeetingKind, NextStep, Outcome, Partner, Referral,
    ReferralType,
};
use crate::diagnostics::{self, Diagnostic};
use crate::read::discover::{discover, slugify};
use crate::read::frontmatter::split;
use crate::read::note;

/// What to record.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Referral(Referral),
    Meeting(Meeting),
    NextStep {
        date: crate::book::Day,
        action: String,
    },
}

/// A note's text with the entry added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub bytes: Vec<u8>,
    /// The 1-based line of the first line added or changed.
    pub line: usize,
    /// The lines added or changed, without line endings.
    pub lines: Vec<String>,
}

/// Why an entry was not recorded.
#[derive(Debug)]
pub enum Refused {
    /// The note does not check as it is.
    Before(Vec<Diagnostic>),
    /// With the entry, the note would not check.
    After(Vec<Diagnostic>),
    /// The note is written in a way the entry cannot be added to safely.
    Cannot(String),
}

/// Adds `entry` to the note `bytes` (file `file`, slug `slug`) and checks
/// the result as `check` would: the note must check before and after, and
/// read back with exactly the entry added.
pub fn apply(file: &str, slug: &str, bytes: &[u8], entry: &Entry) -> Result<Edit, Refused> {
    let before = note::parse(file, slug, bytes).map_err(Refused::Before)?;
    let edit = insert(bytes, entry).map_err(Refused::Cannot)?;
    let after = note::parse(file, slug, &edit.bytes).map_err(Refused::After)?;
    let mut expected = before.clone();
    match entry {
        Entry::Referral(r) => expected.referrals.push(r.clone()),
        Entry::Meeting(m) => expected.meetings.push(m.clone()),
        Entry::NextStep { date, action } => {
            expected.next_step = Some(NextStep {
                date: *date,
                action: action.clone(),
            })
        }
    }
    expected.body_line = after.body_line;
    if after != expected {
        return Err(Refused::Cannot(
            "the note is laid out in a way this entry cannot be added to safely; add it by hand"
                .into(),
        ));
    }
    Ok(edit)
}

// ------------------------------------------------------------ the text edit

/// One line of the front-matter: its text without the line ending.
struct Line<'a> {
    text: &'a str,
}

impl<'a> Line<'a> {
    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches(' ').len()
    }
    fn blank(&self) -> bool {
        self.text.trim().is_empty()
    }
    fn comment(&self) -> bool {
        self.text.trim_start().starts_with('#')
    }
    fn content(&self) -> bool {
        !self.blank() && !self.comment()
    }
    /// `- ...` : a list item.
    fn dash(&self) -> bool {
        let t = self.text.trim_start();
        t == "-" || t.starts_with("- ")
    }
    /// The key of a `key: value` line and the byte just after its colon.
    fn key(&self) -> Option<(&'a str, usize)> {
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

/// Where a value stands after a colon: its start and end, and the start of
/// a comment that follows.
fn value_span(text: &str, from: usize) -> (usize, usize, Option<usize>) {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let start = i;
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        let q = b[i];
        i += 1;
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
                i += 1;
                break;
            }
            i += 1;
        }
        i = i.min(b.len());
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
fn set_value(text: &str, colon_end: usize, new: &str) -> String {
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
struct ListStyle {
    dash: usize,
    keys: usize,
    flow: bool,
}

/// How text values are quoted when they must be.
#[derive(Debug, Clone, Copy)]
struct Quote {
    single: bool,
}

/// A YAML scalar for text: plain when it reads back as the same text in
/// any YAML reader, quoted otherwise.
fn scalar(s: &str, flow: bool, quote: Quote) -> String {
    if !needs_quotes(s, flow) {
        return s.to_string();
    }
    if quote.single && !s.chars().any(char::is_control) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        serde_json::to_string(s).expect("a string serializes")
    }
}

fn needs_quotes(s: &str, flow: bool) -> bool {
    if s.is_empty() || s.trim() != s || s.chars().any(char::is_control) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || (flow && s.contains([',', '[', ']', '{', '}']))
    {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
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

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The key-value pairs of an entry, in the format's order, values written
/// as YAML.
fn fields(entry: &Entry, flow: bool, quote: Quote) -> (&'static str, Vec<(&'static str, String)>) {
    let text = |s: &str| scalar(s, flow, quote);
    match entry {
        Entry::Referral(r) => {
            let mut f = vec![
                ("date", r.date.to_string()),
                ("direction", r.direction.to_string()),
            ];
            if let Some(c) = &r.client {
                f.push(("client", text(c)));
            }
            if r.kind != ReferralType::Existing {
                f.push(("type", r.kind.to_string()));
            }
            if let Some(o) = r.outcome {
                f.push(("outcome", o.to_string()));
            }
            if let Some(v) = r.value {
                f.push(("value", number(v)));
            }
            if let Some(n) = &r.note {
                f.push(("note", text(n)));
            }
            ("referrals", f)
        }
        Entry::Meeting(m) => {
            let mut f = vec![("date", m.date.to_string()), ("kind", m.kind.to_string())];
            if let Some(o) = m.outcome {
                f.push(("outcome", o.to_string()));
            }
            if let Some(s) = &m.summary {
                f.push(("summary", text(s)));
            }
            ("meetings", f)
        }
        Entry::NextStep { date, action } => (
            "next_step",
            vec![("date", date.to_string()), ("action", text(action))],
        ),
    }
}

/// The front-matter cut into lines, with what the edit needs to know.
struct Doc<'a> {
    /// Everything before the YAML (BOM and opening fence).
    head: &'a str,
    lines: Vec<Line<'a>>,
    /// Everything from the closing fence on.
    tail: &'a str,
    eol: &'static str,
    /// The column of the top-level keys.
    root: usize,
    quote: Quote,
}

impl<'a> Doc<'a> {
    fn read(text: &'a str) -> Result<Doc<'a>, String> {
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
    fn keys(&self) -> Vec<(&'a str, usize)> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.content() && l.indent() == self.root && !l.dash())
            .filter_map(|(i, l)| l.key().map(|(k, _)| (k, i)))
            .collect()
    }

    /// The lines of a top-level key: its own line, and the end (exclusive)
    /// of the lines under it.
    fn region(&self, key: &str) -> Option<(usize, usize)> {
        let keys = self.keys();
        let at = keys.iter().position(|(k, _)| *k == key)?;
        let end = keys.get(at + 1).map_or(self.lines.len(), |(_, i)| *i);
        Some((keys[at].1, end))
    }

    /// The style of the first block list of mappings in the note, else the
    /// format's own (dash two spaces in, keys two further).
    fn any_list_style(&self) -> ListStyle {
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
    fn list_style(&self, k: usize, end: usize) -> Option<ListStyle> {
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
    fn key_order(&self, k: usize, end: usize, style: ListStyle) -> Vec<String> {
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
    fn list_end(&self, k: usize, end: usize) -> usize {
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
    fn assemble(
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
    fn ending(&self, i: usize) -> &'static str {
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

/// Adds `entry` to the note's text, touching no other line than those it
/// adds (and, for an empty flow list or an empty value, the key's line).
pub fn insert(bytes: &[u8], entry: &Entry) -> Result<Edit, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the note is not UTF-8 text".to_string())?;
    let doc = Doc::read(text)?;
    let (list, pairs) = fields(entry, false, doc.quote);
    let line_of = |index: usize| doc.head.lines().count() + index + 1;
    let pad = |n: usize| " ".repeat(n);
    let mut changed: Vec<(usize, String)> = Vec::new();
    let mut removed: Vec<usize> = Vec::new();
    let mut added: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    let first_line;

    if let Entry::NextStep { .. } = entry {
        let style = doc.any_list_style();
        let child = style.keys - style.dash;
        match doc.region(list) {
            None => {
                let mut lines = vec![format!("{}{list}:", pad(doc.root))];
                lines.extend(
                    pairs
                        .iter()
                        .map(|(k, v)| format!("{}{k}: {v}", pad(doc.root + child))),
                );
                added.push((None, lines));
                first_line = line_of(doc.lines.len());
            }
            Some((k, end)) => {
                let line = &doc.lines[k];
                let (_, colon) = line.key().expect("a key line");
                let (vs, ve, _) = value_span(line.text, colon);
                let mut block_from = None;
                if vs != ve {
                    // `next_step: {…}` or `~`: the value moves to the lines below.
                    changed.push((k, set_value(line.text, colon, "")));
                    block_from = Some(k);
                }
                let children: Vec<usize> = (k + 1..end)
                    .filter(|&i| doc.lines[i].content() && doc.lines[i].indent() > doc.root)
                    .collect();
                let indent = children
                    .first()
                    .map_or(doc.root + child, |&i| doc.lines[i].indent());
                let mut missing = Vec::new();
                for (key, value) in &pairs {
                    let found = children.iter().find(|&&i| {
                        doc.lines[i].indent() == indent
                            && doc.lines[i].key().is_some_and(|(k2, _)| k2 == *key)
                    });
                    match (found, block_from) {
                        (Some(&i), None) => {
                            let (_, c) = doc.lines[i].key().expect("a key line");
                            changed.push((i, set_value(doc.lines[i].text, c, value)));
                            // An old value over several lines goes with its key.
                            let mut m = i + 1;
                            let mut last = i;
                            while m < end
                                && (doc.lines[m].blank() || doc.lines[m].indent() > indent)
                            {
                                if !doc.lines[m].blank() {
                                    last = m;
                                }
                                m += 1;
                            }
                            removed.extend(i + 1..=last);
                        }
                        _ => missing.push(format!("{}{key}: {value}", pad(indent))),
                    }
                }
                let after = if block_from.is_some() {
                    k
                } else {
                    children
                        .last()
                        .copied()
                        .map_or(k, |c| doc.list_end(c - 1, end).max(c))
                };
                if !missing.is_empty() {
                    added.push((Some(after), missing));
                }
                first_line = line_of(
                    changed
                        .iter()
                        .map(|(i, _)| *i)
                        .min()
                        .unwrap_or(after + 1)
                        .min(after + 1),
                );
            }
        }
    } else {
        let region = doc.region(list);
        let flow_list = region.and_then(|(k, _)| {
            let line = &doc.lines[k];
            let (_, colon) = line.key()?;
            let (vs, ve, _) = value_span(line.text, colon);
            Some((k, colon, &line.text[vs..ve]))
        });
        match flow_list {
            Some((k, _, value)) if value.starts_with('[') && value != "[]" => {
                let line = &doc.lines[k];
                if !value.ends_with(']') {
                    return Err(format!(
                        "`{list}` is a `[...]` list spread over several lines; write its entries one per `- ` line, or add this one by hand"
                    ));
                }
                let (_, flow_pairs) = fields(entry, true, doc.quote);
                let item: Vec<String> = flow_pairs
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                let close = line.text.as_ptr() as usize;
                let value_end = value.as_ptr() as usize + value.len() - close - 1;
                let new = format!(
                    "{}, {{{}}}{}",
                    &line.text[..value_end],
                    item.join(", "),
                    &line.text[value_end..]
                );
                changed.push((k, new));
                first_line = line_of(k);
            }
            Some((_, _, value))
                if !(value.is_empty()
                    || matches!(value, "[]" | "~" | "null" | "Null" | "NULL")) =>
            {
                return Err(format!("`{list}` does not hold a list of entries"));
            }
            _ => {
                let (k, end, created) = match region {
                    Some((k, end)) => (Some(k), end, false),
                    None => (None, doc.lines.len(), true),
                };
                let own = k.and_then(|k| doc.list_style(k, end));
                let style = own.unwrap_or_else(|| doc.any_list_style());
                let order = match (k, own) {
                    (Some(k), Some(s)) => doc.key_order(k, end, s),
                    _ => Vec::new(),
                };
                let pairs = if style.flow {
                    fields(entry, true, doc.quote).1
                } else {
                    pairs
                };
                // Keys the last entry has keep its order; the others follow
                // the key they follow in the format's order.
                let mut last: i64 = -1;
                let ranks: Vec<(i64, usize)> = pairs
                    .iter()
                    .enumerate()
                    .map(|(i, (key, _))| match order.iter().position(|o| o == key) {
                        Some(p) => {
                            last = p as i64;
                            (last, 0)
                        }
                        None => (last, i + 1),
                    })
                    .collect();
                let mut ranked: Vec<_> = ranks.into_iter().zip(pairs).collect();
                ranked.sort_by_key(|(rank, _)| *rank);
                let pairs: Vec<(&str, String)> = ranked.into_iter().map(|(_, p)| p).collect();
                let mut lines = Vec::new();
                if created {
                    lines.push(format!("{}{list}:", pad(doc.root)));
                }
                if style.flow {
                    let item: Vec<String> =
                        pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    lines.push(format!("{}- {{{}}}", pad(style.dash), item.join(", ")));
                } else {
                    for (n, (key, value)) in pairs.iter().enumerate() {
                        if n == 0 {
                            lines.push(format!(
                                "{}-{}{key}: {value}",
                                pad(style.dash),
                                pad(style.keys - style.dash - 1)
                            ));
                        } else {
                            lines.push(format!("{}{key}: {value}", pad(style.keys)));
                        }
                    }
                }
                match k {
                    None => {
                        first_line = line_of(doc.lines.len());
                        added.push((None, lines));
                    }
                    Some(k) => {
                        let line = &doc.lines[k];
                        let (_, colon) = line.key().expect("a key line");
                        let (vs, ve, _) = value_span(line.text, colon);
                        if vs != ve {
                            changed.push((k, set_value(line.text, colon, "")));
                        }
                        let after = if own.is_some() {
                            doc.list_end(k, end)
                        } else {
                            k
                        };
                        first_line = line_of(if vs != ve { k } else { after + 1 });
                        added.push((Some(after), lines));
                    }
                }
            }
        }
    }
    let out = doc.assemble(&changed, &removed, &added);
    let mut shown: Vec<(usize, String)> = changed.clone();
    shown.extend(added.iter().flat_map(|(after, lines)| {
        let at = after.map_or(doc.lines.len(), |a| a + 1);
        lines.iter().map(move |l| (at, l.clone()))
    }));
    shown.sort_by_key(|(i, _)| *i);
    Ok(Edit {
        bytes: out.into_bytes(),
        line: first_line,
        lines: shown.into_iter().map(|(_, l)| l).collect(),
    })
}

// ------------------------------------------------------- finding a partner

/// A note that NAME may name.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub slug: String,
    /// The `name:` of the note, when it reads.
    pub name: Option<String>,
    pub rel: String,
    pub path: PathBuf,
}

impl Candidate {
    fn shown(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.slug),
            None => self.slug.clone(),
        }
    }
}

/// The one note NAME names: its slug, or its `name:` (case-insensitive),
/// or a name whose slug is the note's. Unknown or ambiguous: an error
/// listing the closest.
pub fn find<'a>(candidates: &'a [Candidate], query: &str) -> Result<&'a Candidate, String> {
    let q = query.trim().to_lowercase();
    let q_slug = slugify(query);
    let exact: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            c.slug == q
                || c.name
                    .as_ref()
                    .is_some_and(|n| n.trim().to_lowercase() == q)
                || (!q_slug.is_empty()
                    && (c.slug == q_slug || c.name.as_ref().is_some_and(|n| slugify(n) == q_slug)))
        })
        .collect();
    let list = |cs: &[&Candidate]| {
        cs.iter()
            .map(|c| format!("  {}", c.shown()))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match exact.len() {
        1 => return Ok(exact[0]),
        n if n > 1 => {
            return Err(format!(
                "`{query}` names more than one partner:\n{}\nuse the slug to say which",
                list(&exact)
            ))
        }
        _ => {}
    }
    let partial: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            !q.is_empty()
                && (c.slug.contains(&q)
                    || c.name
                        .as_ref()
                        .is_some_and(|n| n.to_lowercase().contains(&q)))
        })
        .collect();
    if partial.len() > 1 {
        return Err(format!(
            "`{query}` is part of more than one partner's name:\n{}\nuse the full name or the slug",
            list(&partial)
        ));
    }
    let score = |c: &Candidate| {
        let by_slug = strsim::jaro_winkler(&q_slug, &c.slug);
        let by_name = c
            .name
            .as_ref()
            .map_or(0.0, |n| strsim::jaro_winkler(&q, &n.to_lowercase()));
        by_slug.max(by_name)
    };
    let mut ranked: Vec<(f64, &Candidate)> = candidates.iter().map(|c| (score(c), c)).collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.slug.cmp(&b.1.slug)));
    let mut closest: Vec<&Candidate> = partial.clone();
    closest.extend(
        ranked
            .iter()
            .filter(|(s, c)| *s >= 0.6 && !partial.iter().any(|p| p.slug == c.slug))
            .map(|(_, c)| *c),
    );
    closest.truncate(3);
    if closest.is_empty() {
        Err(format!(
            "no partner is called `{query}`, and none comes close"
        ))
    } else {
        Err(format!(
            "no partner is called `{query}`; the closest:\n{}",
            list(&closest)
        ))
    }
}

// ------------------------------------------------------------ the command

fn parse_day(s: &str) -> Result<crate::book::Day, String> {
    crate::book::Day::parse(s).ok_or_else(|| format!("`{s}` is not a date as YYYY-MM-DD"))
}

fn word<T: Copy + std::fmt::Display>(all: &[T], s: &str) -> T {
    *all.iter()
        .find(|w| w.to_string() == s)
        .expect("clap checked the word")
}

/// `rapport log NAME …`
#[derive(Args, Debug)]
pub struct LogArgs {
    /// The partner: the name in its note (any case) or its slug
    pub name: String,
    #[command(subcommand)]
    pub what: What,
}

/// What `rapport log` records.
#[derive(Subcommand, Debug)]
pub enum What {
    /// A referral you sent to the partner
    Given(ReferralArgs),
    /// A referral the partner sent to you
    Received(ReferralArgs),
    /// A meeting with the partner
    Meeting(MeetingArgs),
    /// Set the next step (replaces the one in the note)
    Next(NextArgs),
}

#[derive(Args, Debug)]
pub struct ReferralArgs {
    /// The day of the referral [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<crate::book::Day>,
    /// The client referred
    #[arg(long)]
    pub client: Option<String>,
    /// An existing client, or net-new business the partnership brought in
    #[arg(long = "type", value_name = "TYPE", value_parser = PossibleValuesParser::new(ReferralType::ALL.iter().map(|w| w.as_str())))]
    pub kind: Option<String>,
    /// Given: exceeded, met, below, pending; received: won, lost, pending
    #[arg(long, value_parser = PossibleValuesParser::new(Outcome::ALL.iter().map(|w| w.as_str())))]
    pub outcome: Option<String>,
    /// Fees or revenue it brought
    #[arg(long, value_name = "NUMBER")]
    pub value: Option<f64>,
    /// A few words on what happened
    #[arg(long)]
    pub note: Option<String>,
    /// The book's folder
    #[arg(default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct MeetingArgs {
    /// The day of the meeting [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<crate::book::Day>,
    /// What kind of meeting
    #[arg(long, value_parser = PossibleValuesParser::new(MeetingKind::ALL.iter().map(|w| w.as_str())))]
    pub kind: String,
    /// For a discovery conversation: how it ended
    #[arg(long, value_parser = PossibleValuesParser::new(DiscoveryOutcome::ALL.iter().map(|w| w.as_str())))]
    pub outcome: Option<String>,
    /// What you learned
    #[arg(long)]
    pub summary: Option<String>,
    /// The book's folder
    #[arg(default_value = ".")]
    pub root: PathBuf,
}

#[derive(Args, Debug)]
pub struct NextArgs {
    /// When
    #[arg(value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: crate::book::Day,
    /// What you will do
    pub action: String,
    /// The book's folder
    #[arg(default_value = ".")]
    pub root: PathBuf,
}

/// Examples for `rapport log --help`.
pub const EXAMPLES: &str = "\
Examples:
  rapport log \"Jane Doe\" given --client \"R. Smith\" --type net-new --outcome exceeded --value 4500
  rapport log jane-doe received --date 2026-11-20 --client \"K. Lee\" --outcome won
  rapport log jane-doe meeting --kind discovery --outcome interested --summary \"Open to a workshop\"
  rapport log jane-doe next 2026-12-01 \"Send the recap\"
  rapport log jane-doe given --client \"R. Smith\" my-book

The entry is added to the note's own list, in the note's style; every other
line stays as it was. The note is checked afterwards: if it would not check,
nothing is written and the problems are shown.";

fn text_opt(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|s| !s.trim().is_empty()).cloned()
}

impl LogArgs {
    /// The entry to record, and the book it goes in.
    pub fn entry(&self, today: crate::book::Day) -> Result<(Entry, &Path), String> {
        Ok(match &self.what {
            What::Given(a) | What::Received(a) => {
                let direction = match self.what {
                    What::Given(_) => Direction::Given,
                    _ => Direction::Received,
                };
                if let Some(v) = a.value {
                    if !v.is_finite() || v.abs() >= 1e15 {
                        return Err(format!("--value {v} is not a number a note can hold"));
                    }
                }
                let r = Referral {
                    date: a.date.unwrap_or(today),
                    direction,
                    client: text_opt(&a.client),
                    kind: a
                        .kind
                        .as_deref()
                        .map_or(ReferralType::Existing, |k| word(ReferralType::ALL, k)),
                    outcome: a.outcome.as_deref().map(|o| word(Outcome::ALL, o)),
                    value: a.value,
                    note: text_opt(&a.note),
                    thanked: None,
                };
                (Entry::Referral(r), &a.root)
            }
            What::Meeting(a) => (
                Entry::Meeting(Meeting {
                    date: a.date.unwrap_or(today),
                    kind: word(MeetingKind::ALL, &a.kind),
                    outcome: a.outcome.as_deref().map(|o| word(DiscoveryOutcome::ALL, o)),
                    summary: text_opt(&a.summary),
                }),
                &a.root,
            ),
            What::Next(a) => {
                if a.action.trim().is_empty() {
                    return Err("the next step needs an action, like \"Send the recap\"".into());
                }
                (
                    Entry::NextStep {
                        date: a.date,
                        action: a.action.clone(),
                    },
                    &a.root,
                )
            }
        })
    }
}

/// The notes of the book at `root`, each with its name when it reads.
pub fn candidates(root: &Path, today: crate::book::Day) -> Result<Vec<Candidate>, String> {
    if !root.is_dir() {
        return Err(format!("there is no book folder at {}", root.display()));
    }
    let settings = crate::book::settings::load(root, today)
        .map_err(|_| "rapport.yaml has problems; run `rapport check` first".to_string())?;
    let (files, _) = discover(root, &root.join(&settings.notes_dir));
    Ok(files
        .into_iter()
        .map(|f| {
            let name = std::fs::read(&f.path)
                .ok()
                .and_then(|b| note::parse(&f.rel, &f.slug, &b).ok())
                .map(|p: Partner| p.name);
            Candidate {
                slug: f.slug,
                name,
                rel: f.rel,
                path: f.path,
            }
        })
        .collect())
}

/// Replaces a note whole: written aside (with the note's permissions, so
/// a note readable only by its owner stays so), then renamed over it.
fn write_note(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.rapport-tmp"));
    let permissions = std::fs::metadata(path)?.permissions();
    let result = std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::set_permissions(&tmp, permissions))
        .and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Runs `rapport log`.
pub fn run(args: &LogArgs, today: crate::book::Day) -> ExitCode {
    let fail = |msg: String| {
        crate::say!("error: {msg}");
        ExitCode::from(1)
    };
    let (entry, root) = match args.entry(today) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let candidates = match candidates(root, today) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let target = match find(&candidates, &args.name) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let bytes = match std::fs::read(&target.path) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read {}: {e}", target.rel)),
    };
    match apply(&target.rel, &target.slug, &bytes, &entry) {
        Ok(edit) => {
            if let Err(e) = write_note(&target.path, &edit.bytes) {
                return fail(format!("cannot write {}: {e}", target.rel));
            }
            let what = match &entry {
                Entry::Referral(r) => format!("a {} referral", r.direction),
                Entry::Meeting(m) => format!("a {} meeting", m.kind),
                Entry::NextStep { .. } => "the next step".into(),
            };
            crate::say!("{}:{}: recorded {what}", target.rel, edit.line);
            for l in &edit.lines {
                crate::say!("  {l}");
            }
            ExitCode::SUCCESS
        }
        Err(Refused::Before(problems)) => {
            diagnostics::print(&problems);
            fail(format!(
                "{} does not check as it is; fix it first (nothing was written)",
                target.rel
            ))
        }
        Err(Refused::After(problems)) => {
            diagnostics::print(&problems);
            fail(format!(
                "with this entry {} would not check; nothing was written",
                target.rel
            ))
        }
        Err(Refused::Cannot(why)) => fail(format!("{}: {why}; nothing was written", target.rel)),
    }
}

#[cfg(test)]
mod tests;
