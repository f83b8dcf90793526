//! Dates from the future: a referral, meeting, step done, initiative start,
//! `since` or `thanked` dated after the as-of date and after today is
//! usually a mistyped year. No number counts it (FORMAT §4 ignores what is
//! dated after `as_of`), so each is a warning pointing at the date. A
//! `next_step` is a plan and may be dated any day.
//!
//! The check runs on the parsed partner, on every build, with that build's
//! `as_of` (parsed notes are kept between runs, `as_of` may change): a
//! note without such a date costs a look at its dates. Only a note that
//! has one is read again, to find the places.

use std::path::Path;

use crate::book::{Day, Partner};
use crate::diagnostics::{Diagnostic, Source};
use crate::syntax::decode::decode;
use crate::syntax::frontmatter::split;
use crate::syntax::yaml::{Seg, SpanIndex};

/// One date from the future: where it is in the front-matter, what it
/// dates, and the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Future {
    pub path: Vec<Seg>,
    pub what: &'static str,
    pub day: Day,
}

/// The day after which a date is from the future: the later of `as_of`
/// and today.
pub fn limit(as_of: Day, today: Day) -> Day {
    as_of.max(today)
}

/// Whether any date of `p` that is counted (all but the next step) is
/// after `limit`. No allocation: the cost for a note without one.
pub fn any_after(p: &Partner, limit: Day) -> bool {
    let after = |d: Day| d > limit;
    p.since.is_some_and(after)
        || p.referrals
            .iter()
            .any(|r| after(r.date) || r.thanked.is_some_and(after))
        || p.meetings.iter().any(|m| after(m.date))
        || p.steps.iter().any(|s| after(s.date))
        || p.initiatives.iter().any(|i| i.started.is_some_and(after))
}

/// Every date of `p` after `limit` (the next step's aside), in the order
/// of the note's keys.
pub fn dates_after(p: &Partner, limit: Day) -> Vec<Future> {
    let mut found = Vec::new();
    let mut add = |path: Vec<Seg>, what: &'static str, day: Option<Day>| {
        if let Some(day) = day.filter(|d| *d > limit) {
            found.push(Future { path, what, day });
        }
    };
    let key = |k: &str| Seg::Key(k.to_string());
    let at = |list: &str, i: usize, k: &str| vec![key(list), Seg::Index(i), key(k)];
    add(vec![key("since")], "the relationship's start", p.since);
    for (i, r) in p.referrals.iter().enumerate() {
        add(at("referrals", i, "date"), "a referral", Some(r.date));
        add(at("referrals", i, "thanked"), "a thank-you", r.thanked);
    }
    for (i, m) in p.meetings.iter().enumerate() {
        add(at("meetings", i, "date"), "a meeting", Some(m.date));
    }
    for (i, s) in p.initiatives.iter().enumerate() {
        add(
            at("initiatives", i, "started"),
            "an initiative's start",
            s.started,
        );
    }
    for (i, s) in p.steps.iter().enumerate() {
        add(at("steps", i, "date"), "a step done", Some(s.date));
    }
    found
}

/// The warnings for `found` in the note `file` whose bytes are `bytes`:
/// each located at its date.
pub fn located(file: &str, bytes: &[u8], as_of: Day, found: &[Future]) -> Vec<Diagnostic> {
    let text = decode(file, bytes).ok();
    let parts = text.and_then(|t| split(t).ok());
    let index = parts.as_ref().map(|p| SpanIndex::build(p.yaml));
    let source = text.map(|t| Source::new(t.to_owned()));
    found
        .iter()
        .map(|f| {
            let d = Diagnostic::warning(
                file,
                format!("dated after the as-of date {as_of}: not counted"),
            )
            .with_help(
                "a mistyped year? write the day it happened; what is still to come goes in `next_step`",
            );
            let label = format!("{} dated {}, after {as_of} and after today", f.what, f.day);
            match (&source, &parts, &index) {
                (Some(source), Some(parts), Some(index)) => {
                    let pos = index.value(&f.path);
                    let place = source.place(pos.line + parts.yaml_line - 1, pos.column, pos.width);
                    d.at(source, place, label)
                }
                // The note changed since it was parsed: said without a place.
                _ => Diagnostic { label, ..d },
            }
        })
        .collect()
}

/// The warnings about dates from the future in `p`, read from `path` (the
/// note it was parsed from) only when it has one.
pub fn warnings(path: &Path, p: &Partner, as_of: Day, today: Day) -> Vec<Diagnostic> {
    let limit = limit(as_of, today);
    if !any_after(p, limit) {
        return Vec::new();
    }
    let found = dates_after(p, limit);
    match std::fs::read(path) {
        Ok(bytes) => located(&p.file, &bytes, as_of, &found),
        Err(_) => located(&p.file, b"", as_of, &found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::note;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    const NOTE: &str = "---\nname: A\nsince: 2027-01-02\nreferrals:\n  - date: 2026-10-01\n    direction: received\n    thanked: 2031-01-01\n  - date: 2030-05-06\n    direction: given\nmeetings:\n  - date: 2030-01-01\n    kind: call\ninitiatives:\n  - name: W\n    started: 2029-02-03\nsteps:\n  - date: 2028-01-01\n    action: Sent it\nnext_step:\n  date: 2032-01-01\n  action: Plan\n---\nBody\n";

    #[test]
    fn every_counted_date_after_as_of_and_today_is_a_located_warning() {
        let p = note::parse("partners/a.md", "a", NOTE.as_bytes()).unwrap();
        let as_of = day("2026-11-01");
        let today = day("2026-12-01");
        assert!(any_after(&p, limit(as_of, today)));
        let found = dates_after(&p, limit(as_of, today));
        let d = located("partners/a.md", NOTE.as_bytes(), as_of, &found);
        let seen: Vec<(usize, usize, bool)> = d
            .iter()
            .map(|d| {
                let p = d.place.as_ref().unwrap();
                (p.line, p.column, d.is_error())
            })
            .collect();
        // since, thanked, the second referral, the meeting, the
        // initiative, the step; never the next step.
        assert_eq!(
            seen,
            vec![
                (3, 8, false),
                (7, 14, false),
                (8, 11, false),
                (11, 11, false),
                (15, 14, false),
                (17, 11, false)
            ],
            "{d:#?}"
        );
        assert_eq!(
            d[0].message,
            "dated after the as-of date 2026-11-01: not counted"
        );
        assert!(d[2].label.contains("2030-05-06"), "{}", d[2].label);
    }

    #[test]
    fn a_date_up_to_as_of_or_today_is_no_warning() {
        let p = note::parse("partners/a.md", "a", NOTE.as_bytes()).unwrap();
        // After as_of but not after today: nothing is from the future.
        assert!(!any_after(&p, limit(day("2026-11-01"), day("2031-01-01"))));
        // Not after as_of.
        assert!(!any_after(&p, limit(day("2031-01-01"), day("2026-01-01"))));
        assert!(dates_after(&p, day("2031-01-01")).is_empty());
        // Only the newest remains after a later as_of.
        let found = dates_after(&p, limit(day("2030-12-31"), day("2026-01-01")));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].day, day("2031-01-01"));
        // The next step alone is never warned about.
        let plan = "---\nname: B\nnext_step:\n  date: 2999-01-01\n  action: Call\n---\n";
        let p = note::parse("partners/b.md", "b", plan.as_bytes()).unwrap();
        assert!(!any_after(&p, day("2026-01-01")));
    }
}
