//! Redaction: every client name of a book, found in free text and replaced
//! by [`REDACTED`]. Every output of a redacted site passes through here:
//! note bodies and timelines on the pages, and the data files (through
//! [`redacted_copies`]).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::analysis::Report;
use crate::book::{Book, Partner};

/// Every client name of a book, found in free text by whole words and
/// regardless of case.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scrubber {
    /// Lower-cased first word → lower-cased full names starting with it,
    /// longest first.
    by_first: HashMap<String, Vec<String>>,
}

/// What replaces a client name on a redacted site.
pub const REDACTED: &str = "[client]";

fn first_word(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

impl Scrubber {
    /// Scrubs `names`, and their surnames alone unless a surname is a
    /// word of one of the `keep` names (the partners' own names).
    pub fn new<'a, 'b>(
        names: impl IntoIterator<Item = &'a str>,
        keep: impl IntoIterator<Item = &'b str>,
    ) -> Scrubber {
        let kept: std::collections::HashSet<String> = keep
            .into_iter()
            .flat_map(|k| {
                k.split(|c: char| !c.is_alphanumeric())
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut by_first: HashMap<String, Vec<String>> = HashMap::new();
        let mut all = Vec::new();
        for name in names {
            let name = normalize(name);
            // A surname alone ("the Smith file", "Smith-Jones") gives the
            // client away too.
            if let Some((_, last)) = name.rsplit_once([' ', '.']) {
                if last.chars().filter(|c| c.is_alphanumeric()).count() >= 3
                    && last
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '\'')
                    && !kept.contains(last)
                {
                    all.push(last.to_string());
                }
            }
            all.push(name);
        }
        for name in all {
            if name.is_empty() {
                continue;
            }
            let first = first_word(&name).to_string();
            let list = by_first.entry(first).or_default();
            if !list.contains(&name) {
                list.push(name);
            }
        }
        for list in by_first.values_mut() {
            list.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        }
        Scrubber { by_first }
    }

    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }

    /// `text` with every client name replaced by [`REDACTED`]: matched as
    /// whole words, in any case, with any run of white space (a line
    /// break, two spaces) between its words.
    pub fn scrub(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut prev: Option<char> = None;
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            let c = rest.chars().next().expect("inside the text");
            if c.is_alphanumeric() && !prev.is_some_and(char::is_alphanumeric) {
                let word: String = first_word(rest)
                    .chars()
                    .flat_map(char::to_lowercase)
                    .collect();
                let matched = self
                    .by_first
                    .get(&word)
                    .and_then(|cands| cands.iter().find_map(|cand| match_at(rest, cand)));
                if let Some(len) = matched {
                    out.push_str(&text[copied..i]);
                    out.push_str(REDACTED);
                    i += len;
                    copied = i;
                    prev = text[..i].chars().next_back();
                    continue;
                }
            }
            prev = Some(c);
            i += c.len_utf8();
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// Lower case, trimmed, every run of white space one space.
fn normalize(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(char::to_lowercase)
        .collect()
}

/// How many bytes of `text` spell `name` (normalized) from its start, as a
/// whole word; a space in `name` stands for any run of white space.
fn match_at(text: &str, name: &str) -> Option<usize> {
    let mut want = name.chars().peekable();
    let mut pending: Vec<char> = Vec::new();
    let mut used = 0;
    let mut chars = text.char_indices().peekable();
    while want.peek().is_some() || !pending.is_empty() {
        if !pending.is_empty() {
            if want.next() != Some(pending.remove(0)) {
                return None;
            }
            continue;
        }
        let (at, c) = chars.next()?;
        used = at + c.len_utf8();
        if c.is_whitespace() {
            if want.next() != Some(' ') {
                return None;
            }
            while let Some((at, c)) = chars.peek().copied() {
                if !c.is_whitespace() {
                    break;
                }
                used = at + c.len_utf8();
                chars.next();
            }
        } else {
            pending.extend(c.to_lowercase());
        }
    }
    let next = text[used..].chars().next();
    (!next.is_some_and(char::is_alphanumeric)).then_some(used)
}

/// Copies of the partners and their reports with client names scrubbed out
/// of every free text the data files carry.
pub(super) fn redacted_copies(
    book: &Book,
    reports: &[Report],
    sc: &Scrubber,
) -> (Vec<Partner>, Vec<Report>) {
    let partners = book
        .partners
        .par_iter()
        .map(|p| {
            let mut p = Partner::clone(p);
            for r in &mut p.referrals {
                r.client = None;
                r.note = r.note.as_deref().map(|n| sc.scrub(n));
            }
            for m in &mut p.meetings {
                m.summary = m.summary.as_deref().map(|s| sc.scrub(s));
            }
            for i in &mut p.initiatives {
                i.name = sc.scrub(&i.name);
            }
            if let Some(n) = &mut p.next_step {
                n.action = sc.scrub(&n.action);
            }
            p.body = sc.scrub(&p.body);
            p.firm = p.firm.as_deref().map(|f| sc.scrub(f));
            p.profession = p.profession.as_deref().map(|f| sc.scrub(f));
            for t in p.tags.iter_mut().chain(p.ideal_clients.iter_mut()) {
                *t = sc.scrub(t);
            }
            p.extra = p.extra.as_ref().map(|e| scrub_json(e, sc));
            p
        })
        .collect();
    let reports = reports
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.readiness.reason = sc.scrub(&r.readiness.reason);
            r.readiness.next_action = sc.scrub(&r.readiness.next_action);
            for e in r.readiness.criteria.iter_mut() {
                e.evidence = sc.scrub(&e.evidence);
            }
            r
        })
        .collect();
    (partners, reports)
}

/// Every string in a JSON value, scrubbed.
pub(super) fn scrub_json(v: &serde_json::Value, sc: &Scrubber) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(sc.scrub(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| scrub_json(x, sc)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (sc.scrub(k), scrub_json(x, sc)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_across_line_breaks_unusual_letters_and_hyphens() {
        let s = Scrubber::new(["Tom McDonald", "Bo Li", "Ann Smith-Jones"], ["Lena Park"]);
        assert_eq!(
            s.scrub("Trip to İzmir: Tom McDonald came; TOM  MCDONALD too."),
            "Trip to İzmir: [client] came; [client] too."
        );
        assert_eq!(
            s.scrub("We met Bo\nLi, and later bo li."),
            "We met [client], and later [client]."
        );
        assert_eq!(
            s.scrub("The Smith-Jones file; Ann Smith-Jones."),
            "The [client] file; [client]."
        );
        assert_eq!(s.scrub("Bolivia and Lima stay."), "Bolivia and Lima stay.");
    }

    #[test]
    fn scrubs_whole_names_in_any_case() {
        let s = Scrubber::new(["R. Smith", "Ann Lee", "J. Park"], ["Lena Park"]);
        assert_eq!(
            s.scrub(
                "Met r. smith and ANN LEE; Ann Leeds stays, the Smith file goes, Lena Park stays."
            ),
            "Met [client] and [client]; Ann Leeds stays, the [client] file goes, Lena Park stays."
        );
    }
}
