//! `data/calendar.ics`: an RFC 5545 calendar of the reminders a book holds,
//! one all-day event per open next step and one per contact due. Pure: the
//! caller says what is due, this writes the text.
//!
//! Nothing in the file depends on when it is written, so an unchanged book
//! writes the same bytes:
//! - each UID comes from the partner's slug and the kind of event
//!   ([`next_step_uid`], [`contact_uid`]), so a calendar that subscribes to
//!   the file updates an event in place when its date or text changes;
//! - DTSTAMP, which the RFC requires on every event, is the event's own day
//!   at midnight UTC, not the time of the build;
//! - events come in date order, then by UID.

use chrono::{Days, NaiveDate};

use crate::book::{Day, Partner};

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub date: Day,
    pub summary: String,
    pub description: Option<String>,
}

/// What one partner has due, as the caller computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub slug: String,
    pub name: String,
    /// An open next step: its date and action.
    pub next_step: Option<(Day, String)>,
    /// The day to get in touch by.
    pub contact_due: Option<Day>,
}

/// Where the build is to write the calendar, under the output folder.
pub const FILE: &str = "data/calendar.ics";

impl Due {
    /// What `partner` has due: its next step when it has both a date and
    /// an action, and `contact_due` as the caller computed it.
    pub fn of(partner: &Partner, contact_due: Option<Day>) -> Due {
        let next_step = partner
            .next_step
            .as_ref()
            .filter(|s| !s.action.trim().is_empty())
            .map(|s| (s.date, s.action.clone()));
        Due {
            slug: partner.slug.clone(),
            name: partner.name.clone(),
            next_step,
            contact_due,
        }
    }
}

/// The UID of a partner's next-step event.
pub fn next_step_uid(slug: &str) -> String {
    format!("next-step-{slug}@rapport")
}

/// The UID of a partner's get-in-touch event.
pub fn contact_uid(slug: &str) -> String {
    format!("contact-{slug}@rapport")
}

/// The events of one partner's dues: "Next step: <action> — <name>" on
/// the next step's day, "Get in touch with <name>" on the contact's due
/// day.
pub fn partner_events(d: &Due) -> Vec<Event> {
    let mut out = Vec::new();
    if let Some((date, action)) = &d.next_step {
        out.push(Event {
            uid: next_step_uid(&d.slug),
            date: *date,
            summary: format!("Next step: {} — {}", action.trim(), d.name),
            description: None,
        });
    }
    if let Some(date) = d.contact_due {
        out.push(Event {
            uid: contact_uid(&d.slug),
            date,
            summary: format!("Get in touch with {}", d.name),
            description: None,
        });
    }
    out
}

/// An event with its lines of the file already written: a book's events
/// are written once each and then put in order ([`join`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub date: Day,
    pub uid: String,
    /// From `BEGIN:VEVENT` to `END:VEVENT`, each line folded and ended.
    pub text: String,
}

/// The lines of one event.
pub fn written(e: Event) -> Written {
    let mut out = String::new();
    let mut line = |text: String| fold_into(&mut out, &text);
    line("BEGIN:VEVENT".into());
    line(format!("UID:{}", e.uid));
    line(format!("DTSTAMP:{}T000000Z", basic(e.date.0)));
    line(format!("DTSTART;VALUE=DATE:{}", basic(e.date.0)));
    let end = e.date.0.checked_add_days(Days::new(1)).unwrap_or(e.date.0);
    line(format!("DTEND;VALUE=DATE:{}", basic(end)));
    line(format!("SUMMARY:{}", escape_text(&e.summary)));
    if let Some(d) = &e.description {
        line(format!("DESCRIPTION:{}", escape_text(d)));
    }
    line("TRANSP:TRANSPARENT".into());
    line("END:VEVENT".into());
    Written {
        date: e.date,
        uid: e.uid,
        text: out,
    }
}

/// One partner's events, written.
pub fn partner_written(d: &Due) -> Vec<Written> {
    partner_events(d).into_iter().map(written).collect()
}

/// The whole calendar file, named `name` in calendar programs, of events
/// already written, put in date order, then by UID.
pub fn join(name: &str, mut events: Vec<&Written>) -> String {
    events.sort_unstable_by(|a, b| (a.date, &a.uid).cmp(&(b.date, &b.uid)));
    let mut head = String::new();
    let mut line = |text: String| fold_into(&mut head, &text);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//rapport//referral partners//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", escape_text(name)));
    const END: &str = "END:VCALENDAR\r\n";
    let len = head.len() + events.iter().map(|e| e.text.len()).sum::<usize>() + END.len();
    let mut out = String::with_capacity(len);
    out.push_str(&head);
    for e in events {
        out.push_str(&e.text);
    }
    out.push_str(END);
    out
}

/// The calendar of `due`: every partner's events, written and joined.
pub fn calendar(name: &str, due: &[Due]) -> String {
    let events: Vec<Written> = due.iter().flat_map(partner_written).collect();
    join(name, events.iter().collect())
}

/// A date in the RFC's basic form, `YYYYMMDD`.
fn basic(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Escapes TEXT as RFC 5545 section 3.3.11 says: backslash, semicolon and
/// comma take a backslash, a line break becomes `\n`; other control
/// characters, which TEXT may not hold, are dropped.
pub fn escape_text(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no line is longer than 75
/// octets (a continuation line starts with one space, which counts), never
/// inside a UTF-8 character, each ended by CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut room = 75;
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > room {
            out.push_str("\r\n ");
            room = 74;
            used = 0;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{CalendarComponent, Component, DatePerhapsTime};

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn due(slug: &str, name: &str, step: Option<(&str, &str)>, contact: Option<&str>) -> Due {
        Due {
            slug: slug.into(),
            name: name.into(),
            next_step: step.map(|(d, a)| (day(d), a.to_string())),
            contact_due: contact.map(day),
        }
    }

    fn sample() -> Vec<Due> {
        vec![
            due(
                "jane-doe",
                "Jane Doe",
                Some((
                    "2026-12-01",
                    "Send the recap; ask about Q1, the workshop, and the CPA referral list \\ notes",
                )),
                Some("2027-03-13"),
            ),
            due(
                "jose-nunez",
                "José Núñez",
                Some((
                    "2026-11-30",
                    "Café with José 🎉🎉🎉 — réviser l'agenda, préparer l'atelier, écrire à l'équipe, et fêter ça 🥂",
                )),
                None,
            ),
            due("obrien", "O'Brien & Sons, LLC", None, Some("2026-11-01")),
            due("nobody", "No One", None, None),
        ]
    }

    /// Reads the file back with an independent iCalendar parser: each
    /// event's UID, day (and next day as end) and summary.
    fn parsed(text: &str) -> Vec<(String, NaiveDate, NaiveDate, String)> {
        let cal: icalendar::Calendar = text.parse().expect("the calendar parses");
        cal.components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .map(|e| {
                let date = |d: Option<DatePerhapsTime>| match d {
                    Some(DatePerhapsTime::Date(d)) => d,
                    other => panic!("expected an all-day date, found {other:?}"),
                };
                (
                    e.get_uid().unwrap().to_string(),
                    date(e.get_start()),
                    date(e.get_end()),
                    e.get_summary().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn every_event_reads_back_on_its_day_with_its_text_and_uid() {
        let text = calendar("Referral partners, Smith; Wealth", &sample());
        let events = parsed(&text);
        let expected = [
            (
                "contact-obrien@rapport",
                "2026-11-01",
                "Get in touch with O'Brien & Sons, LLC".to_string(),
            ),
            (
                "next-step-jose-nunez@rapport",
                "2026-11-30",
                "Next step: Café with José 🎉🎉🎉 — réviser l'agenda, préparer l'atelier, écrire à l'équipe, et fêter ça 🥂 — José Núñez".to_string(),
            ),
            (
                "next-step-jane-doe@rapport",
                "2026-12-01",
                "Next step: Send the recap; ask about Q1, the workshop, and the CPA referral list \\ notes — Jane Doe".to_string(),
            ),
            (
                "contact-jane-doe@rapport",
                "2027-03-13",
                "Get in touch with Jane Doe".to_string(),
            ),
        ];
        assert_eq!(events.len(), expected.len(), "{text}");
        for (got, (uid, date, summary)) in events.iter().zip(expected) {
            assert_eq!(got.0, uid);
            assert_eq!(got.1, day(date).0);
            assert_eq!(got.2, day(date).0.succ_opt().unwrap(), "ends the next day");
            assert_eq!(got.3, summary);
        }
        assert!(text.contains("X-WR-CALNAME:Referral partners\\, Smith\\; Wealth\r\n"));
    }

    #[test]
    fn lines_end_in_crlf_and_fold_at_75_octets() {
        let text = calendar("Partners", &sample());
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        let body = text.strip_suffix("\r\n").unwrap();
        let mut folded = 0;
        for line in body.split("\r\n") {
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "bare line break in {line:?}"
            );
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            if line.starts_with(' ') {
                folded += 1;
            }
        }
        assert!(folded >= 3, "the long summaries are folded:\n{text}");
        // Every byte is still there once unfolded (folding never splits a
        // character: each line above is a &str, so valid UTF-8).
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded
            .contains("SUMMARY:Next step: Café with José 🎉🎉🎉 — réviser l'agenda\\, préparer"));
    }

    #[test]
    fn folding_splits_between_characters_at_the_limit() {
        for width in 60..80 {
            let line = format!("SUMMARY:{}{}", "a".repeat(width), "é🎉".repeat(40));
            let mut out = String::new();
            fold_into(&mut out, &line);
            for l in out.strip_suffix("\r\n").unwrap().split("\r\n") {
                assert!(l.len() <= 75);
            }
            assert_eq!(out.replace("\r\n ", "").trim_end(), line);
        }
    }

    #[test]
    fn text_is_escaped_as_the_rfc_says() {
        assert_eq!(
            escape_text("a\\b;c,d\r\ne\nf\u{7}"),
            "a\\\\b\\;c\\,d\\ne\\nf"
        );
    }

    #[test]
    fn the_same_input_writes_the_same_bytes_whatever_the_clock() {
        let a = calendar("Partners", &sample());
        let b = calendar("Partners", &sample());
        assert_eq!(a, b);
        assert!(a.contains("DTSTAMP:20261201T000000Z\r\n"), "{a}");
        let mut reversed = sample();
        reversed.reverse();
        assert_eq!(
            calendar("Partners", &reversed),
            a,
            "order of input does not matter"
        );
    }

    #[test]
    fn a_partner_has_a_next_step_event_only_with_both_date_and_action() {
        let parse = |step: &str| {
            let text = format!("---\nname: Jane Doe\n{step}---\n");
            crate::read::note::parse("partners/jane-doe.md", "jane-doe", text.as_bytes())
        };
        let full = parse("next_step:\n  date: 2026-12-01\n  action: Send the recap\n").unwrap();
        let due = Due::of(&full, Some(day("2027-01-01")));
        assert_eq!(
            due.next_step,
            Some((day("2026-12-01"), "Send the recap".to_string()))
        );
        assert_eq!(partner_events(&due).len(), 2);
        // A next step needs both: a half-written one is a problem of the
        // note, so it never reaches the calendar.
        for partial in [
            "next_step:\n  date: 2026-12-01\n",
            "next_step:\n  action: Send the recap\n",
        ] {
            assert!(parse(partial).is_err(), "{partial}");
        }
        let due = Due::of(&parse("").unwrap(), None);
        assert_eq!(due.next_step, None);
        assert!(partner_events(&due).is_empty());
    }

    #[test]
    fn an_empty_book_is_a_valid_empty_calendar() {
        let text = calendar("Partners", &[]);
        assert!(parsed(&text).is_empty());
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    }
}
