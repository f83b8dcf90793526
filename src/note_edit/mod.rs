//! The note editor: the one place that changes a partner note's text and
//! replaces the note on disk.
//!
//! Edits work on the note's text, not by writing the YAML out again: new
//! lines go where a person would type them, in the style of the note (the
//! list's indentation and dash style, its key order, entries as block or
//! flow mappings, its quote character, its line endings), and every other
//! byte stays as it was. [`apply`] makes edits on a text; [`update`] locks
//! a note file, reads it again under the lock, makes the edits, checks the
//! result with the note parser (it must read back as exactly what the
//! caller expects) and replaces the file (see [`replace`]).
//!
//! Lists written in flow style: an empty one (`referrals: []`, or `~`)
//! becomes a block list: its `[]` is removed (a comment on that line keeps
//! its column) and the entry goes on the lines below. A non-empty flow list
//! written on one line gets the entry appended inside its brackets, as a
//! flow mapping; one spread over several lines is refused with a message.
//!
//! `rapport log` and `rapport import` both write through this module.

mod ops;
pub mod replace;
mod text;

use std::path::Path;

use crate::book::Partner;
use crate::diagnostics::Diagnostic;
use crate::read::note;

pub use replace::replace;
pub use text::needs_quotes;

/// A value to write: text (quoted when YAML would read it otherwise) or a
/// word, date or number written as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Free text: `R. Smith`, `yes` (quoted), `a: b` (quoted).
    Text(String),
    /// Written as given: `2026-11-20`, `won`, `4500`.
    Plain(String),
}

impl Value {
    /// A day, written `YYYY-MM-DD`.
    pub fn day(d: crate::book::Day) -> Value {
        Value::Plain(d.to_string())
    }
    /// A number, as a note writes it (`4500`, `-250`, `12.5`).
    pub fn number(v: f64) -> Value {
        Value::Plain(text::number(v))
    }
    fn render(&self, flow: bool, quote: text::Quote) -> String {
        match self {
            Value::Text(s) => text::scalar(s, flow, quote),
            Value::Plain(s) => s.clone(),
        }
    }
}

/// The key-value pairs of a mapping, in the order they should be written.
pub type Fields = Vec<(String, Value)>;

/// One change to a note's front-matter.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A new entry at the end of a top-level list (`referrals`,
    /// `meetings`, `initiatives`, `steps`), made when missing.
    Append { list: String, fields: Fields },
    /// A top-level mapping (`next_step`) given these keys; its other keys
    /// and comments stay.
    SetMapping { key: String, fields: Fields },
    /// A top-level key removed with the lines under it.
    Remove { key: String },
    /// A top-level key set to one value (made when missing, after the key
    /// that comes before it in the format's order).
    Set { key: String, value: Value },
    /// A top-level list of texts replaced whole (`tags`, `ideal_clients`).
    SetList { key: String, items: Vec<String> },
    /// A key set in the `index`-th (0-based) entry of a top-level list.
    SetInEntry {
        list: String,
        index: usize,
        key: String,
        value: Value,
    },
}

/// A text after edits, with the lines added or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// The 1-based line of the first line added or changed (0: none).
    pub line: usize,
    /// The lines added or changed, without line endings.
    pub lines: Vec<String>,
}

/// Makes `edits` on the note's text, in order. An edit the note is laid
/// out in a way it cannot be made to safely is refused, with why.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut out = text.to_string();
    for edit in edits {
        out = ops::apply_one(&out, edit)?;
    }
    Ok(out)
}

/// [`apply`], and which lines of the result are new or changed.
pub fn apply_shown(text: &str, edits: &[Edit]) -> Result<Applied, String> {
    let out = apply(text, edits)?;
    let (line, lines) = changed_lines(text, &out);
    Ok(Applied {
        text: out,
        line,
        lines,
    })
}

/// The lines of `after` that are not in `before` (by a longest common
/// subsequence of lines): the first one's 1-based number, and their text.
fn changed_lines(before: &str, after: &str) -> (usize, Vec<String>) {
    let clean = |l: &str| l.trim_end_matches('\n').trim_end_matches('\r').to_string();
    let b: Vec<&str> = before.split_inclusive('\n').collect();
    let a: Vec<&str> = after.split_inclusive('\n').collect();
    let prefix = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let suffix = b[prefix..]
        .iter()
        .rev()
        .zip(a[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let b = &b[prefix..b.len() - suffix];
    let a_mid = &a[prefix..a.len() - suffix];
    // lcs[i][j]: the common lines of b[i..] and a_mid[j..].
    let mut lcs = vec![vec![0u32; a_mid.len() + 1]; b.len() + 1];
    for i in (0..b.len()).rev() {
        for j in (0..a_mid.len()).rev() {
            lcs[i][j] = if b[i] == a_mid[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut first = 0;
    let mut lines = Vec::new();
    while j < a_mid.len() {
        if i < b.len() && b[i] == a_mid[j] {
            i += 1;
            j += 1;
        } else if i < b.len() && lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            if first == 0 {
                first = prefix + j + 1;
            }
            lines.push(clean(a_mid[j]));
            j += 1;
        }
    }
    (first, lines)
}

/// Why a note was not changed.
#[derive(Debug)]
pub enum Refused {
    /// The note does not check as it is.
    Before(Vec<Diagnostic>),
    /// With the change, the note would not check.
    After(Vec<Diagnostic>),
    /// The note is written in a way the change cannot be made to safely,
    /// or it would not read back as expected.
    Cannot(String),
    /// The caller declined, having read the note (an open next step, a
    /// referral that cannot be told from another…).
    Declined(String),
    /// The note's permissions say it must not be written.
    ReadOnly,
    /// Reading, locking or writing failed.
    Io(std::io::Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Before(_) => write!(f, "the note does not check as it is; fix it first"),
            Refused::After(_) => write!(f, "with this change the note would not check"),
            Refused::Cannot(why) | Refused::Declined(why) => write!(f, "{why}"),
            Refused::ReadOnly => write!(
                f,
                "the note is read-only (its permissions allow no writing); make it writable first"
            ),
            Refused::Io(e) => write!(f, "{e}"),
        }
    }
}

/// What a change is: the edits to make, and the partner the note must
/// read back as afterwards.
pub struct Plan {
    pub edits: Vec<Edit>,
    pub expected: Partner,
}

/// Makes the change `plan` asks for (given the note as it reads now) on
/// the note at `path`, as the book calls it `file` with slug `slug`:
/// the note is locked, read again under the lock, edited, checked (it
/// must check before and read back as `expected` after) and replaced
/// whole; nothing is written when any step refuses.
pub fn update(
    path: &Path,
    file: &str,
    slug: &str,
    plan: impl FnOnce(&Partner) -> Result<Plan, Refused>,
) -> Result<Applied, Refused> {
    replace::with_note(path, |bytes| {
        let applied = check_and_apply(file, slug, bytes, plan)?;
        Ok((applied.text.clone().into_bytes(), applied))
    })
}

/// The pure half of [`update`]: `bytes` edited and checked.
pub fn check_and_apply(
    file: &str,
    slug: &str,
    bytes: &[u8],
    plan: impl FnOnce(&Partner) -> Result<Plan, Refused>,
) -> Result<Applied, Refused> {
    let before = note::parse(file, slug, bytes).map_err(Refused::Before)?;
    let Plan {
        edits,
        mut expected,
    } = plan(&before)?;
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Refused::Cannot("the note is not UTF-8 text".into()))?;
    let applied = apply_shown(text, &edits).map_err(Refused::Cannot)?;
    let after = note::parse(file, slug, applied.text.as_bytes()).map_err(Refused::After)?;
    expected.body_line = after.body_line;
    if after != expected {
        return Err(Refused::Cannot(
            "the note is laid out in a way this change cannot be made to safely; make it by hand"
                .into(),
        ));
    }
    Ok(applied)
}

#[cfg(test)]
mod tests;
