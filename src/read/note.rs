//! Reads one partner note: bytes in, a validated `Partner` or every problem
//! out. Pure: the caller reads the file.

use crate::book::{Direction, FrontMatter, MeetingKind, Outcome, Partner};
use crate::diagnostics::{Diagnostic, Source};
use crate::syntax::decode::{decode, yaml_diagnostics};
use crate::syntax::frontmatter::{split, SplitError};
use crate::syntax::yaml::{self, Check, Checked, Doc, Seg};

/// How partner notes are described in problems.
pub const NOTE: Doc = Doc {
    what: "the note",
    unknown_key_help: Some("free-form data goes under `extra:`"),
    required: &[("name", "expected a `name:` line, like `name: Jane Doe`")],
    synonym: crate::book::words::synonym,
};

impl Checked for FrontMatter {
    fn has(&self, key: &str) -> bool {
        key != "name" || self.name.is_some()
    }

    fn check(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        let at = |list: &str, i: usize, key: &str| {
            vec![Seg::Key(list.into()), Seg::Index(i), Seg::Key(key.into())]
        };
        for (i, r) in self.referrals.iter().enumerate() {
            if let Some(outcome) = r.outcome.filter(|o| !o.fits(r.direction)) {
                let allowed: Vec<&str> = Outcome::allowed(r.direction)
                    .iter()
                    .map(|o| o.as_str())
                    .collect();
                checks.push(Check {
                    path: at("referrals", i, "outcome"),
                    message: format!("`{outcome}` is not an outcome of a {} referral", r.direction),
                    label: format!("expected one of {}", allowed.join(", ")),
                    help: vec![match r.direction {
                        Direction::Given => "a given referral is judged by the partner's service: exceeded, met or below".into(),
                        Direction::Received => "a received referral is judged by whether you won the client: won or lost".into(),
                    }],
                });
            }
            if r.value.is_some_and(|v| !v.is_finite()) {
                checks.push(Check {
                    path: at("referrals", i, "value"),
                    message: "`value` is not a finite number".into(),
                    label: "expected a number, like 4500".into(),
                    help: Vec::new(),
                });
            }
        }
        for (i, m) in self.meetings.iter().enumerate() {
            if m.outcome.is_some() && m.kind != MeetingKind::Discovery {
                checks.push(Check {
                    path: at("meetings", i, "outcome"),
                    message: format!("a {} meeting has no outcome", m.kind),
                    label: "only a discovery meeting has an outcome (interested, not-interested, undecided)".into(),
                    help: vec!["set `kind: discovery`, or move the outcome into the summary".into()],
                });
            }
        }
        if let Some(days) = self.contact_every.filter(|d| !(1..=3650).contains(d)) {
            checks.push(Check {
                path: vec![Seg::Key("contact_every".into())],
                message: format!("`contact_every` must be from 1 to 3650 days, not {days}"),
                label: "expected a whole number of days, like 60".into(),
                help: vec![
                    "leave it out (or write `null`) to use the cadence of the partner's role"
                        .into(),
                ],
            });
        }
        checks
    }
}

/// Parses and validates one note.
pub fn parse(file: &str, slug: &str, bytes: &[u8]) -> Result<Partner, Vec<Diagnostic>> {
    let text = decode(file, bytes).map_err(|d| vec![*d])?;
    // Only a note with a problem needs its lines indexed, to show them.
    let source = || Source::new(text.to_owned());
    let parts = match split(text) {
        Ok(p) => p,
        Err(e) => {
            let source = source();
            let d = match e {
                SplitError::Empty => Diagnostic::error(file, "the note is empty")
                    .with_help("a note starts with front-matter between two `---` lines; `rapport new \"Name\"` writes one"),
                SplitError::NoOpening(line) => Diagnostic::error(file, "the note has no front-matter").at(
                    &source,
                    source.line_place(line),
                    "expected `---` on the first line, opening the front-matter",
                ),
                SplitError::Unclosed => Diagnostic::error(file, "the front-matter is never closed").at(
                    &source,
                    source.line_place(1),
                    "this `---` opens the front-matter; expected a closing `---` line after it",
                ),
            };
            return Err(vec![d]);
        }
    };
    let fm: FrontMatter = yaml::from_str(parts.yaml, NOTE)
        .map_err(|problems| yaml_diagnostics(file, &source(), parts.yaml_line, problems))?;

    let name = fm.name.clone().unwrap_or_default();
    Ok(Partner {
        slug: slug.to_string(),
        file: file.to_string(),
        name: name.trim().to_string(),
        firm: fm.firm,
        profession: fm.profession,
        role: fm.role.unwrap_or_default(),
        since: fm.since,
        email: fm.email,
        phone: fm.phone,
        website: fm.website,
        tags: fm.tags,
        ideal_clients: fm.ideal_clients,
        draft: fm.draft.unwrap_or(false),
        referrals: fm.referrals,
        meetings: fm.meetings,
        initiatives: fm.initiatives,
        next_step: fm.next_step,
        steps: fm.steps,
        contact_every: fm.contact_every,
        extra: fm.extra,
        body: parts.body.to_string(),
        body_line: parts.body_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &[u8]) -> Vec<Diagnostic> {
        parse("partners/x.md", "x", text).unwrap_err()
    }

    #[test]
    fn a_good_note_with_bom_and_crlf() {
        let p = parse(
            "partners/jane.md",
            "jane",
            b"\xEF\xBB\xBF---\r\nname: Jane Doe\r\nreferrals:\r\n  - date: 2024-02-01\r\n    direction: received\r\n    outcome: won\r\n---\r\nHello\r\n",
        )
        .unwrap();
        assert_eq!(p.name, "Jane Doe");
        assert_eq!(p.referrals[0].outcome(), Outcome::Won);
        assert_eq!(p.body.trim_end(), "Hello");
        assert_eq!(p.body_line, 8);
    }

    #[test]
    fn outcome_must_fit_direction_with_file_line() {
        let d = errors(b"---\nname: A\nreferrals:\n  - date: 2024-02-01\n    direction: given\n    outcome: won\n---\n");
        assert_eq!(d.len(), 1);
        let p = d[0].place.as_ref().unwrap();
        assert_eq!((p.line, p.column), (6, 14));
        assert!(d[0].message.contains("`won`"), "{}", d[0].message);
    }

    #[test]
    fn yaml_lines_are_file_lines() {
        let d = errors(b"---\nname: A\nrefferals: []\n---\n");
        assert_eq!(d[0].place.as_ref().unwrap().line, 3);
        assert!(d[0].help.iter().any(|h| h.contains("referrals")));
    }

    #[test]
    fn non_utf8_names_the_first_bad_byte() {
        let d = errors(b"---\nname: Ren\xE9\n---\n");
        let p = d[0].place.as_ref().unwrap();
        assert_eq!((p.line, p.column), (2, 10));
        assert!(d[0].label.contains("0xE9"));
    }

    #[test]
    fn structural_problems() {
        assert!(errors(b"").first().unwrap().message.contains("empty"));
        assert!(errors(b"name: A\n")
            .first()
            .unwrap()
            .message
            .contains("no front-matter"));
        assert!(errors(b"---\nname: A\n")
            .first()
            .unwrap()
            .message
            .contains("never closed"));
        assert!(errors(b"---\nfirm: B\n---\n")
            .first()
            .unwrap()
            .message
            .contains("`name`"));
    }

    #[test]
    fn broken_keys_do_not_hide_other_problems() {
        let d = errors(b"---\nrole: espp\nreferrals:\n  - date: 2024-01-02\n    direction: given\n    outcome: won\n---\n");
        let lines: Vec<usize> = d.iter().map(|d| d.place.as_ref().unwrap().line).collect();
        assert_eq!(lines, vec![2, 2, 6], "{d:#?}");
        assert!(d.iter().any(|d| d.message.contains("no `name`")));
    }

    #[test]
    fn contact_every_is_days_from_1_to_3650_or_null() {
        for (text, want) in [
            ("contact_every: 1\n", Some(1)),
            ("contact_every: 3650\n", Some(3650)),
            ("contact_every:\n", None),
            ("contact_every: null\n", None),
            ("", None),
        ] {
            let note = format!("---\nname: A\n{text}---\n");
            let p = parse("partners/x.md", "x", note.as_bytes()).unwrap();
            assert_eq!(p.contact_every, want, "{text}");
        }
        for bad in ["0", "3651", "-1", "often", "1.5"] {
            let note = format!("---\nname: A\nfirm: B\ncontact_every: {bad}\n---\n");
            let d = errors(note.as_bytes());
            assert_eq!(d.len(), 1, "{bad}: {d:?}");
            let p = d[0].place.as_ref().unwrap();
            assert_eq!((p.line, p.column), (4, 16), "{bad}");
        }
    }

    #[test]
    fn a_next_step_needs_a_date_and_an_action() {
        let p = parse(
            "partners/x.md",
            "x",
            b"---\nname: A\nnext_step:\n  date: 2026-12-01\n  action: Send the recap\n---\n",
        )
        .unwrap();
        let step = p.next_step.unwrap();
        assert_eq!(step.date.to_string(), "2026-12-01");
        assert_eq!(step.action, "Send the recap");
        assert!(
            parse("partners/x.md", "x", b"---\nname: A\nnext_step:\n---\n")
                .unwrap()
                .next_step
                .is_none()
        );
        let d = errors(b"---\nname: A\nnext_step:\n  date: 2026-12-01\n---\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`action`"), "{}", d[0].message);
        let d = errors(b"---\nname: A\nnext_step:\n  action: Call\n---\n");
        assert!(d[0].message.contains("`date`"), "{}", d[0].message);
        let d = errors(b"---\nname: A\nnext_step:\n  date: 2026-12-01\n  action: \"  \"\n---\n");
        assert_eq!(d[0].place.as_ref().unwrap().line, 5, "{d:?}");
    }

    #[test]
    fn outcome_only_on_discovery_meetings() {
        let d = errors(b"---\nname: A\nmeetings:\n  - date: 2024-01-01\n    kind: call\n    outcome: interested\n---\n");
        assert_eq!(d[0].place.as_ref().unwrap().line, 6);
    }
}
