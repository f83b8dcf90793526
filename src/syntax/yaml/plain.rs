//! A quick reader for the plain YAML that notes are written in.
//!
//! Almost every note uses a small part of YAML: `key: value` lines, lists
//! of entries (`- date: …`), one-line lists (`[a, b]`), plain, quoted and
//! empty values, whole numbers, and comments. This reader reads exactly that
//! part, in one pass over the lines, straight into the target type: it is a
//! serde deserializer over the lines, and builds nothing in between.
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
    let lines = lines(text)?;
    if lines.is_empty() || lines[0].indent != 0 || is_entry(lines[0].text) {
        return None;
    }
    let mut reader = Reader { lines, at: 0 };
    let value = T::deserialize(Value {
        reader: &mut reader,
        slot: Slot::Block(0),
        depth: 0,
    })
    .ok()?;
    (reader.at == reader.lines.len()).then_some(value)
}

/// A value written on one line: text, a number, a boolean, null, or a
/// one-line list of those. Text borrows from the document unless a quoted
/// value had `''` in it.
#[derive(Debug)]
enum Node<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
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

/// The lines of `text` that hold something, or `None` when it has
/// characters this reader leaves to `yaml_serde`.
fn lines(text: &str) -> Option<Vec<Line<'_>>> {
    // One pass over the bytes, without branches so that it runs many
    // bytes at a time: control characters (tabs included), and whether
    // there are carriage returns or characters beyond ASCII to look at.
    let (mut control, mut cr, mut high) = (0u8, 0u8, 0u8);
    for &c in text.as_bytes() {
        control |= (u8::from(c < 0x20) & u8::from(c != b'\n') & u8::from(c != b'\r'))
            | u8::from(c == 0x7F);
        cr |= u8::from(c == b'\r');
        high |= c & 0x80;
    }
    if control != 0 || (high != 0 && text.chars().any(unusual)) {
        return None;
    }
    let mut lines = Vec::with_capacity(text.len() / 24 + 1);
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if cr != 0 && raw.contains('\r') {
            // A carriage return alone breaks a line in YAML.
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
    Some(lines)
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

    /// Where the value after `key:` or `-` (with nothing after it on the
    /// line) is: the block on the next lines, when they are deeper (or a
    /// list at the same indentation, after a key), or null.
    fn below(&self, indent: usize, list_may_align: bool) -> Slot<'a> {
        match self.peek() {
            Some(next)
                if next.indent > indent
                    || (list_may_align && next.indent == indent && is_entry(next.text)) =>
            {
                Slot::Block(next.indent)
            }
            _ => Slot::Null,
        }
    }

    /// A value on its line is complete: a more indented line after it
    /// would continue it (or be a mistake), which this reader leaves to
    /// `yaml_serde`.
    fn after_inline(&self, indent: usize) -> Result<(), Error> {
        match self.peek() {
            Some(next) if next.indent > indent => Err(hand_over()),
            _ => Ok(()),
        }
    }

    /// The block at `indent` was read to its end (a visitor may stop
    /// early): the next line is less indented, or, after a list, a key at
    /// the list's indentation.
    fn block_ends(&self, indent: usize, list: bool) -> Result<(), Error> {
        match self.peek() {
            Some(next)
                if next.indent > indent
                    || (next.indent == indent && (!list || is_entry(next.text))) =>
            {
                Err(hand_over())
            }
            _ => Ok(()),
        }
    }
}

/// Where a value stands.
#[derive(Debug, Clone, Copy)]
enum Slot<'a> {
    /// Nothing: null.
    Null,
    /// On the line, after `key: ` or `- `.
    Inline(&'a str),
    /// The lines from the current one, at this indentation.
    Block(usize),
}

/// The error that makes the reader hand the document to `yaml_serde`.
fn hand_over() -> Error {
    de::Error::custom("left to yaml_serde")
}

/// One value of the document, read as it is deserialized.
struct Value<'r, 'a> {
    reader: &'r mut Reader<'a>,
    slot: Slot<'a>,
    depth: usize,
}

impl<'a> Value<'_, 'a> {
    /// The value written on its line.
    fn inline(&self) -> Result<Option<Node<'a>>, Error> {
        match self.slot {
            Slot::Inline(rest) => inline(rest).map(Some).ok_or_else(hand_over),
            _ => Ok(None),
        }
    }

    /// Whether the block here is a list (else a mapping).
    fn block_is_list(&self) -> bool {
        self.reader.peek().is_some_and(|l| is_entry(l.text))
    }

    fn map<'de, V: Visitor<'de>>(self, indent: usize, visitor: V) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            return Err(hand_over());
        }
        let reader = self.reader;
        let value = visitor.visit_map(Pairs {
            reader: &mut *reader,
            indent,
            keys: Vec::with_capacity(8),
            pending: Slot::Null,
            depth: self.depth + 1,
        })?;
        reader.block_ends(indent, false)?;
        Ok(value)
    }

    fn list<'de, V: Visitor<'de>>(self, indent: usize, visitor: V) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            return Err(hand_over());
        }
        let reader = self.reader;
        let value = visitor.visit_seq(Entries {
            reader: &mut *reader,
            indent,
            depth: self.depth + 1,
        })?;
        reader.block_ends(indent, true)?;
        Ok(value)
    }
}

/// The `key: value` lines of a mapping at `indent`.
struct Pairs<'r, 'a> {
    reader: &'r mut Reader<'a>,
    indent: usize,
    /// The keys read so far: a repeated one is a mistake.
    keys: Vec<&'a str>,
    /// Where the value of the key just read is.
    pending: Slot<'a>,
    depth: usize,
}

impl<'de, 'a> de::MapAccess<'de> for Pairs<'_, 'a> {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(line) = self.reader.peek() else {
            return Ok(None);
        };
        if line.indent < self.indent {
            return Ok(None);
        }
        if line.indent > self.indent || is_entry(line.text) {
            return Err(hand_over());
        }
        let (key, rest) = split_key(line.text).ok_or_else(hand_over)?;
        // A repeated key is a mistake; finding one is quadratic, so a
        // mapping with very many keys is left to `yaml_serde`.
        let seen = |k: &&str| k.len() == key.len() && k.as_bytes() == key.as_bytes();
        if self.keys.len() >= MAX_KEYS || self.keys.iter().any(seen) {
            return Err(hand_over());
        }
        self.keys.push(key);
        self.reader.at += 1;
        self.pending = if rest.is_empty() {
            self.reader.below(self.indent, true)
        } else {
            self.reader.after_inline(self.indent)?;
            Slot::Inline(rest)
        };
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(Value {
            reader: &mut *self.reader,
            slot: self.pending,
            depth: self.depth,
        })
    }
}

/// The `- entry` lines of a list at `indent`.
struct Entries<'r, 'a> {
    reader: &'r mut Reader<'a>,
    indent: usize,
    depth: usize,
}

impl<'de> de::SeqAccess<'de> for Entries<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(line) = self.reader.peek() else {
            return Ok(None);
        };
        if line.indent < self.indent || (line.indent == self.indent && !is_entry(line.text)) {
            return Ok(None);
        }
        if line.indent > self.indent {
            return Err(hand_over());
        }
        let rest = line.text[1..].trim_start_matches(' ');
        let slot = if rest.is_empty() {
            self.reader.at += 1;
            self.reader.below(self.indent, false)
        } else if is_entry(rest) || split_key(rest).is_some() {
            // The entry's content starts a block of its own, at the
            // column where it stands.
            let column = self.indent + (line.text.len() - rest.len());
            self.reader.lines[self.reader.at] = Line {
                indent: column,
                text: rest,
            };
            Slot::Block(column)
        } else {
            self.reader.at += 1;
            self.reader.after_inline(self.indent)?;
            Slot::Inline(rest)
        };
        seed.deserialize(Value {
            reader: &mut *self.reader,
            slot,
            depth: self.depth,
        })
        .map(Some)
    }
}

impl<'de> de::Deserializer<'de> for Value<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.slot {
            Slot::Null => visitor.visit_unit(),
            Slot::Inline(_) => match self.inline()? {
                Some(node) => (&node).deserialize_any(visitor),
                None => Err(hand_over()),
            },
            Slot::Block(indent) if self.block_is_list() => self.list(indent, visitor),
            Slot::Block(indent) => self.map(indent, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.slot {
            Slot::Null => visitor.visit_none(),
            Slot::Inline(_) => match self.inline()? {
                Some(node) => (&node).deserialize_option(visitor),
                None => Err(hand_over()),
            },
            Slot::Block(_) => visitor.visit_some(self),
        }
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
        match self.slot {
            Slot::Block(indent) if !self.block_is_list() => self.map(indent, visitor),
            _ => Err(hand_over()),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.slot {
            Slot::Block(indent) if self.block_is_list() => self.list(indent, visitor),
            Slot::Inline(_) => match self.inline()? {
                Some(node) => (&node).deserialize_seq(visitor),
                None => Err(hand_over()),
            },
            _ => Err(hand_over()),
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
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct identifier ignored_any
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.inline()? {
            Some(node) => (&node).deserialize_enum(name, variants, visitor),
            None => Err(hand_over()),
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
        _ => {
            // One pass: the value ends where a ` #` comment starts; a `: `
            // before that would make it a mapping.
            let b = rest.as_bytes();
            let mut end = b.len();
            for i in 1..b.len() {
                match (b[i - 1], b[i]) {
                    (b' ', b'#') => {
                        end = i;
                        break;
                    }
                    (b':', b' ') => return None,
                    _ => {}
                }
            }
            plain(rest[..end].trim_end_matches(' '))
        }
    }
}

/// Nothing but a comment (or nothing) follows.
fn ends(after: &str) -> bool {
    let trimmed = after.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())
}

/// A plain (unquoted) value: text, a whole number, a boolean or null.
/// The caller has cut off a comment and made sure no `: ` is inside.
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
    if b"?:,[]{}#&*!|>'\"%@`+.".contains(&first) || s.ends_with(':') || special_word(s) {
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
        _visitor: V,
    ) -> Result<V::Value, Error> {
        Err(hand_over())
    }

    fn deserialize_map<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(hand_over())
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
