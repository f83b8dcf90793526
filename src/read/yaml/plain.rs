//! A quick reader for the plain YAML that notes are written in.
//!
//! Almost every note uses a small part of YAML: `key: value` lines, lists
//! of entries (`- date: …`), one-line lists (`[a, b]`), plain, quoted and
//! empty values, whole numbers, and comments. This reader reads exactly that
//! part, in one pass over the lines, into a small tree of borrowed text that
//! deserializes straight into the target type.
//!
//! It never decides anything on its own. Whatever it is not certain to read
//! as `yaml_serde` does (anchors, tags, block text, escapes, floats, numbers
//! with signs or leading zeros, words that may be booleans, tabs, a value
//! continued on the next line, a repeated key, anything that fails to
//! deserialize) makes it answer `None`, and the caller reads the document
//! with `yaml_serde`, which also explains every problem. A property test
//! compares both readers on generated documents.

use std::borrow::Cow;

use serde::de::{self, value::Error, DeserializeOwned, IntoDeserializer, Visitor};

/// Reads `text` into `T` when it is written in the plain part of YAML and
/// deserializes without a problem; `None` otherwise.
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    let node = parse(text)?;
    T::deserialize(&node).ok()
}

/// A value of the document. Text borrows from the document unless a
/// quoted value had `''` in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

/// How deeply entries may nest before the reader hands over.
const MAX_DEPTH: usize = 32;

/// How many keys one mapping may have before the reader hands over.
const MAX_KEYS: usize = 64;

/// One line that holds something: where its content starts and the
/// content, without the indentation or a trailing `\r`.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
}

/// The tree of `text`, or `None` when it is not plain YAML of the kind
/// this reader knows (or has a mistake).
pub(crate) fn parse(text: &str) -> Option<Node<'_>> {
    let mut lines = Vec::with_capacity(text.len() / 24 + 1);
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let mut beyond_ascii = false;
        for &b in raw.as_bytes() {
            if b < 0x20 || b == 0x7F {
                // Tabs, a lone carriage return, control characters.
                return None;
            }
            beyond_ascii |= b >= 0x80;
        }
        if beyond_ascii && raw.chars().any(unusual) {
            return None;
        }
        let content = raw.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%') {
            return None;
        }
        lines.push(Line {
            indent: raw.len() - content.len(),
            text: content.trim_end_matches(' '),
        });
    }
    if lines.is_empty() || lines[0].indent != 0 {
        return None;
    }
    let mut reader = Reader { lines, at: 0 };
    let node = reader.mapping(0, 0)?;
    (reader.at == reader.lines.len()).then_some(node)
}

/// Characters YAML treats as line breaks or refuses, beyond ASCII.
fn unusual(c: char) -> bool {
    matches!(
        c,
        '\u{80}'..='\u{9F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
    )
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<Line<'a>> {
        self.lines.get(self.at).copied()
    }

    /// The block that starts at the current line, at `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.peek()?;
        if is_entry(line.text) {
            self.sequence(indent, depth)
        } else {
            self.mapping(indent, depth)
        }
    }

    /// `key: value` lines at `indent`.
    fn mapping(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        let mut pairs: Vec<(&'a str, Node<'a>)> = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_entry(line.text) {
                return None;
            }
            let (key, rest) = split_key(line.text)?;
            // A repeated key is a mistake; finding one is quadratic, so a
            // mapping with very many keys is left to `yaml_serde`.
            if pairs.len() >= MAX_KEYS || pairs.iter().any(|(k, _)| *k == key) {
                return None;
            }
            self.at += 1;
            let value = if rest.is_empty() {
                match self.peek() {
                    Some(next)
                        if next.indent > indent
                            || (next.indent == indent && is_entry(next.text)) =>
                    {
                        self.block(next.indent, depth + 1)?
                    }
                    _ => Node::Null,
                }
            } else {
                let value = inline(rest)?;
                self.after_inline(indent)?;
                value
            };
            pairs.push((key, value));
        }
        Some(Node::Map(pairs))
    }

    /// `- entry` lines at `indent`.
    fn sequence(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            if !is_entry(line.text) {
                break;
            }
            let rest = line.text[1..].trim_start_matches(' ');
            let item = if rest.is_empty() {
                self.at += 1;
                match self.peek() {
                    Some(next) if next.indent > indent => self.block(next.indent, depth + 1)?,
                    _ => Node::Null,
                }
            } else if is_entry(rest) || split_key(rest).is_some() {
                // The entry's content starts a block of its own, at the
                // column where it stands.
                let column = indent + (line.text.len() - rest.len());
                self.lines[self.at] = Line {
                    indent: column,
                    text: rest,
                };
                self.block(column, depth + 1)?
            } else {
                self.at += 1;
                let value = inline(rest)?;
                self.after_inline(indent)?;
                value
            };
            items.push(item);
        }
        Some(Node::Seq(items))
    }

    /// A value on its line is complete: a more indented line after it
    /// would continue it (or be a mistake), which this reader leaves to
    /// `yaml_serde`.
    fn after_inline(&self, indent: usize) -> Option<()> {
        match self.peek() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }
}

/// Whether a line's content is a list entry (`- x` or a lone `-`).
fn is_entry(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `key: rest` with a plain key; `rest` without a comment.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let end = text
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))?;
    let key = &text[..end];
    let after = &text[end..];
    if key.is_empty()
        || !(key.as_bytes()[0].is_ascii_alphabetic() || key.as_bytes()[0] == b'_')
        || special_word(key)
        || !after.starts_with(':')
    {
        return None;
    }
    let rest = &after[1..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let rest = rest.trim_start_matches(' ');
    Some((key, if rest.starts_with('#') { "" } else { rest }))
}

/// Words that YAML readers may take for something other than text.
fn special_word(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "inf", "nan", "infinity",
    ];
    word.len() <= 8
        && matches!(
            word.as_bytes()[0] | 0x20,
            b'f' | b'i' | b'n' | b'o' | b't' | b'y'
        )
        && WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The value after `key: ` or `- `, which ends its line.
fn inline(rest: &str) -> Option<Node<'_>> {
    match rest.as_bytes()[0] {
        b'[' => flow_list(rest),
        b'\'' | b'"' => {
            let (value, after) = quoted(rest)?;
            ends(after).then_some(Node::Str(value))
        }
        _ => plain(strip_comment(rest)),
    }
}

/// Nothing but a comment (or nothing) follows.
fn ends(after: &str) -> bool {
    let trimmed = after.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())
}

/// A plain value without its ` # comment`.
fn strip_comment(rest: &str) -> &str {
    let b = rest.as_bytes();
    match (1..b.len()).find(|&i| b[i] == b'#' && b[i - 1] == b' ') {
        Some(i) => rest[..i].trim_end_matches(' '),
        None => rest,
    }
}

/// Whether a plain value holds `: `, which would make it a mapping.
fn has_colon_space(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == b": ")
}

/// A plain (unquoted) value: text, a whole number, a boolean or null.
fn plain(s: &str) -> Option<Node<'_>> {
    if s.is_empty() {
        return None;
    }
    match s {
        "~" | "null" | "Null" | "NULL" => return Some(Node::Null),
        "true" | "True" | "TRUE" => return Some(Node::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Node::Bool(false)),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() || first == b'-' {
        if let Some(n) = whole_number(s) {
            return Some(Node::Int(n));
        }
        return is_date(s).then_some(Node::Str(Cow::Borrowed(s)));
    }
    if b"?:,[]{}#&*!|>'\"%@`+.".contains(&first)
        || s.ends_with(':')
        || has_colon_space(s)
        || special_word(s)
    {
        return None;
    }
    Some(Node::Str(Cow::Borrowed(s)))
}

/// `0`, or digits without a leading zero, maybe after a `-`, that fit
/// easily in 64 bits.
fn whole_number(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let ok = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && !(s.starts_with('-') && digits == "0");
    if !ok {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD`, which YAML keeps as text.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// A quoted value that closes on its line, and what follows it. Double
/// quotes with a `\` escape are left to `yaml_serde`.
fn quoted(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let quote = s.as_bytes()[0];
    let body = &s[1..];
    if quote == b'"' {
        let end = body.find(['"', '\\'])?;
        if body.as_bytes()[end] == b'\\' {
            return None;
        }
        return Some((Cow::Borrowed(&body[..end]), &body[end + 1..]));
    }
    let mut owned: Option<String> = None;
    let mut from = 0;
    loop {
        let end = from + body[from..].find('\'')?;
        if body.as_bytes().get(end + 1) == Some(&b'\'') {
            owned
                .get_or_insert_with(String::new)
                .push_str(&body[from..=end]);
            from = end + 2;
            continue;
        }
        let value = match owned {
            Some(mut o) => {
                o.push_str(&body[from..end]);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(&body[..end]),
        };
        return Some((value, &body[end + 1..]));
    }
}

/// `[a, b, 'c']` on one line: text, numbers, booleans and nulls.
fn flow_list(s: &str) -> Option<Node<'_>> {
    let mut items = Vec::new();
    let mut rest = s[1..].trim_start_matches(' ');
    if let Some(after) = rest.strip_prefix(']') {
        return ends(after).then_some(Node::Seq(items));
    }
    loop {
        let item;
        if matches!(rest.as_bytes().first(), Some(b'\'' | b'"')) {
            let (value, after) = quoted(rest)?;
            item = Node::Str(value);
            rest = after.trim_start_matches(' ');
        } else {
            let end = rest.find([',', ']'])?;
            let word = rest[..end].trim_end_matches(' ');
            if word.contains([':', '#', '[', '{', '}']) {
                return None;
            }
            item = plain(word)?;
            rest = &rest[end..];
        }
        items.push(item);
        match rest.as_bytes().first() {
            Some(b',') => {
                rest = rest[1..].trim_start_matches(' ');
                if rest.starts_with(']') || rest.is_empty() {
                    return None;
                }
            }
            Some(b']') => return ends(&rest[1..]).then_some(Node::Seq(items)),
            _ => return None,
        }
    }
}

impl<'de> de::Deserializer<'de> for &Node<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::Int(n) if *n >= 0 => visitor.visit_u64(*n as u64),
            Node::Int(n) => visitor.visit_i64(*n),
            Node::Str(s) => visitor.visit_str(s),
            Node::Seq(items) => visitor.visit_seq(de::value::SeqDeserializer::new(items.iter())),
            Node::Map(pairs) => visitor.visit_map(de::value::MapDeserializer::new(
                pairs.iter().map(|(k, v)| (*k, v)),
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Node::Str(s) => visitor.visit_enum(s.as_ref().into_deserializer()),
            _ => Err(de::Error::custom("not a plain variant")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Str(s) => visitor.visit_str(s),
            _ => Err(de::Error::custom("not text")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Map(_) => self.deserialize_any(visitor),
            _ => Err(de::Error::custom("not a mapping")),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Seq(_) => self.deserialize_any(visitor),
            _ => Err(de::Error::custom("not a list")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple
        tuple_struct ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for &Node<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
