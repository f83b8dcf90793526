//! `data/calendar.ics`: an RFC 5545 calendar of the reminders a book holds,
//! one all-day event per open next step and one per contact due. Pure: the
//! caller says what is due, this writes the text.
//!
//! An overdue reminder is dated `as_of` (so it shows in this week's view of
//! a calendar) and its summary says since when; every event carries a
//! DESCRIPTION with the partner's stage, reason and next action, and a URL
//! to the partner's page when the book sets `site_url`.
//!
//! Nothing in the file depends on when it is written, so an unchanged book
//! writes the same bytes:
//! - each UID comes from the partner's slug and the kind of event
//!   ([`next_step_uid`], [`contact_uid`]), so a calendar that subscribes to
//!   the file updates an event in place when its date or text changes;
//! - DTSTAMP and LAST-MODIFIED are `as_of` at midnight UTC and SEQUENCE
//!   the number of days from 2000-01-01 to `as_of`: the revision of every
//!   event is the day the book's numbers are computed for, which moves
//!   forward with the book, never the time of the build (see
//!   `docs/site.md`);
//! - events come in date order, then by UID.
//!
//! On a redacted site every text field (the calendar's name, summaries,
//! descriptions, the URL) is scrubbed before it is escaped and folded, so a
//! client name cannot survive split across two lines; [`scrub_folded`]
//! does the same for a whole file.

use chrono::{Days, NaiveDate};
use rayon::prelude::*;

use super::redact::Scrubber;
use crate::analysis::Report;
use crate::book::{Day, Partner};

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub date: Day,
    pub summary: String,
    pub description: Option<String>,
    pub url: Option<String>,
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
    /// The partner's stage, for people ("Ready for discovery").
    pub stage: String,
    /// Why the partner is at that stage.
    pub reason: String,
    /// What to do now.
    pub next_action: String,
}

/// What every event of a book shares: the day the numbers are computed
/// for, where the site is published, and the client names to keep out.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub as_of: Day,
    /// Ends in `/` (the settings make sure of it).
    pub site_url: Option<&'a str>,
    pub scrub: Option<&'a Scrubber>,
}

impl Options<'_> {
    /// The options of a plain (unredacted) site.
    pub fn plain(as_of: Day, site_url: Option<&str>) -> Options<'_> {
        Options {
            as_of,
            site_url,
            scrub: None,
        }
    }

    /// `text` with client names scrubbed out on a redacted site.
    fn scrub(&self, text: &str) -> String {
        match self.scrub {
            Some(sc) => sc.scrub(text),
            None => text.to_string(),
        }
    }
}

/// Where the build is to write the calendar, under the output folder.
pub const FILE: &str = "data/calendar.ics";

impl Due {
    /// What `partner` has due: its next step when it has both a date and
    /// an action, its contact due day, and its stage, reason and next
    /// action, from its `report`.
    pub fn of(partner: &Partner, report: &Report) -> Due {
        let next_step = partner
            .next_step
            .as_ref()
            .filter(|s| !s.action.trim().is_empty())
            .map(|s| (s.date, s.action.clone()));
        Due {
            slug: partner.slug.clone(),
            name: partner.name.clone(),
            next_step,
            contact_due: report.contact.due,
            stage: report.readiness.stage.label().to_string(),
            reason: report.readiness.reason.clone(),
            next_action: report.readiness.next_action.clone(),
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

/// The address of a partner's page under `site_url`.
pub fn page_url(site_url: &str, slug: &str) -> String {
    format!("{site_url}partners/{slug}.html")
}

/// The day an event is shown on, and the day it has been overdue since
/// when that is before `as_of` (a reminder due today is not overdue yet).
fn shown_on(due: Day, as_of: Day) -> (Day, Option<Day>) {
    if due < as_of {
        (as_of, Some(due))
    } else {
        (due, None)
    }
}

/// The two events a partner may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NextStep,
    Contact,
}

/// The events of one partner's dues: "Next step: <action> — <name>" on
/// the next step's day, "Get in touch with <name>" on the contact's due
/// day; either, when overdue, on `as_of` and saying since when.
pub fn partner_events(d: &Due, opts: &Options) -> Vec<Event> {
    let (description, url) = described(d, opts);
    [Kind::NextStep, Kind::Contact]
        .into_iter()
        .filter_map(|kind| event_of(d, opts, kind, &description, &url))
        .collect()
}

/// The event of that kind of [`partner_events`], when `d` has one.
fn partner_event(d: &Due, opts: &Options, kind: Kind) -> Option<Event> {
    let (description, url) = described(d, opts);
    event_of(d, opts, kind, &description, &url)
}

/// What both events of `d` say besides their summary: the description,
/// scrubbed, and the partner page's address.
fn described(d: &Due, opts: &Options) -> (String, Option<String>) {
    let mut description = format!(
        "Stage: {}\nWhy: {}\nNext: {}",
        d.stage.trim(),
        d.reason.trim(),
        d.next_action.trim()
    );
    // A link whose address would give a client name away is left out
    // rather than broken.
    let url = opts
        .site_url
        .map(|site| page_url(site, &d.slug))
        .filter(|u| opts.scrub(u) == *u);
    if let Some(u) = &url {
        description.push_str(&format!("\nPartner page: {u}"));
    }
    (opts.scrub(&description), url)
}

fn event_of(
    d: &Due,
    opts: &Options,
    kind: Kind,
    description: &str,
    url: &Option<String>,
) -> Option<Event> {
    let (uid, date, summary) = match kind {
        Kind::NextStep => {
            let (date, action) = d.next_step.as_ref()?;
            let (date, since) = shown_on(*date, opts.as_of);
            let head = match since {
                Some(s) => format!("Next step, overdue since {s}"),
                None => "Next step".to_string(),
            };
            let summary = format!("{head}: {} — {}", action.trim(), d.name);
            (next_step_uid(&d.slug), date, summary)
        }
        Kind::Contact => {
            let (date, since) = shown_on(d.contact_due?, opts.as_of);
            let tail = match since {
                Some(s) => format!(" (overdue since {s})"),
                None => String::new(),
            };
            let summary = format!("Get in touch with {}{tail}", d.name);
            (contact_uid(&d.slug), date, summary)
        }
    };
    Some(Event {
        uid,
        date,
        summary: opts.scrub(&summary),
        description: Some(description.to_string()),
        url: url.clone(),
    })
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

/// The revision stamp of every event: `as_of` at midnight UTC.
fn stamp(as_of: Day) -> String {
    format!("{}T000000Z", basic(as_of.0))
}

/// The revision number of every event: days from 2000-01-01 to `as_of`
/// (0 before then), so it grows as the book's day moves on.
pub fn sequence(as_of: Day) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");
    (as_of.0 - epoch).num_days().max(0)
}

/// The lines of one event, its text already scrubbed ([`partner_events`]).
pub fn written(e: Event, as_of: Day) -> Written {
    let mut out = String::new();
    let mut line = |text: String| fold_into(&mut out, &text);
    line("BEGIN:VEVENT".into());
    line(format!("UID:{}", e.uid));
    line(format!("DTSTAMP:{}", stamp(as_of)));
    line(format!("LAST-MODIFIED:{}", stamp(as_of)));
    line(format!("SEQUENCE:{}", sequence(as_of)));
    line(format!("DTSTART;VALUE=DATE:{}", basic(e.date.0)));
    let end = e.date.0.checked_add_days(Days::new(1)).unwrap_or(e.date.0);
    line(format!("DTEND;VALUE=DATE:{}", basic(end)));
    line(format!("SUMMARY:{}", escape_text(&e.summary)));
    if let Some(d) = &e.description {
        line(format!("DESCRIPTION:{}", escape_text(d)));
    }
    if let Some(u) = &e.url {
        line(format!("URL:{u}"));
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
pub fn partner_written(d: &Due, opts: &Options) -> Vec<Written> {
    partner_events(d, opts)
        .into_iter()
        .map(|e| written(e, opts.as_of))
        .collect()
}

/// The end of every calendar file.
const END: &str = "END:VCALENDAR\r\n";

/// The lines of a calendar file before its events.
fn head(name: &str, opts: &Options) -> String {
    let mut head = String::new();
    let mut line = |text: String| fold_into(&mut head, &text);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//rapport//referral partners//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", escape_text(&opts.scrub(name))));
    head
}

fn in_order(events: &mut [&Written]) {
    events.sort_unstable_by(|a, b| (a.date, &a.uid).cmp(&(b.date, &b.uid)));
}

/// The whole calendar file, named `name` in calendar programs, of events
/// already written, put in date order, then by UID.
pub fn join(name: &str, opts: &Options, mut events: Vec<&Written>) -> String {
    in_order(&mut events);
    let head = head(name, opts);
    let len = head.len() + events.iter().map(|e| e.text.len()).sum::<usize>() + END.len();
    let mut out = String::with_capacity(len);
    out.push_str(&head);
    for e in events {
        out.push_str(&e.text);
    }
    out.push_str(END);
    out
}

/// The kind, day and UID of each event [`partner_events`] gives for
/// `d`, in the same order, without writing any of them.
fn event_keys(d: &Due, as_of: Day) -> impl Iterator<Item = (Kind, Day, String)> + '_ {
    let step = d.next_step.as_ref().map(|(date, _)| {
        let day = shown_on(*date, as_of).0;
        (Kind::NextStep, day, next_step_uid(&d.slug))
    });
    let contact = d
        .contact_due
        .map(|date| (Kind::Contact, shown_on(date, as_of).0, contact_uid(&d.slug)));
    step.into_iter().chain(contact)
}

/// [`calendar`] of the dues `due(0)`…`due(count - 1)` handed to `put` a
/// piece at a time (the head, then each event), so that neither the file
/// nor its events are ever whole in memory: the events are put in order
/// by their day and UID alone, and each is written as it is handed over.
pub fn write_calendar(
    name: &str,
    opts: &Options,
    count: usize,
    due: &(dyn Fn(usize) -> Due + Sync),
    put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut order: Vec<(Day, String, usize, Kind)> = (0..count)
        .into_par_iter()
        .flat_map_iter(|i| {
            let d = due(i);
            event_keys(&d, opts.as_of)
                .map(|(kind, date, uid)| (date, uid, i, kind))
                .collect::<Vec<_>>()
        })
        .collect();
    order.par_sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    put(head(name, opts).as_bytes())?;
    for (_, _, i, kind) in order {
        let event = partner_event(&due(i), opts, kind).expect("every key is an event");
        put(written(event, opts.as_of).text.as_bytes())?;
    }
    put(END.as_bytes())
}

/// The calendar of `due`: every partner's events, written and joined.
pub fn calendar(name: &str, opts: &Options, due: &[Due]) -> String {
    let events: Vec<Written> = due.iter().flat_map(|d| partner_written(d, opts)).collect();
    join(name, opts, events.iter().collect())
}

/// A folded calendar file with every client name scrubbed out of each
/// content line as a whole (unfolded), then folded again: a name split
/// across two lines is found like any other. A file with nothing to scrub
/// comes back as it was.
pub fn scrub_folded(text: &str, sc: &Scrubber) -> String {
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut out = String::with_capacity(text.len());
    for line in unfolded.split_terminator("\r\n") {
        fold_into(&mut out, &sc.scrub(line));
    }
    out
}

/// A folded calendar file with the partner page at the end of each URL
/// and description renamed by `rename` (from `partners/<slug>.html` to
/// the name an encrypted site gives that page), then folded again.
pub fn rename_pages(text: &str, rename: &dyn Fn(&str) -> Option<String>) -> String {
    let unfolded = text.replace("\r\n ", "");
    let mut out = String::with_capacity(text.len());
    for line in unfolded.split_terminator("\r\n") {
        let renamed = (line.starts_with("URL:") || line.starts_with("DESCRIPTION:"))
            .then(|| line.rfind("/partners/"))
            .flatten()
            .filter(|_| line.ends_with(".html"))
            .and_then(|at| rename(&line[at + 1..]).map(|page| format!("{}/{page}", &line[..at])));
        fold_into(&mut out, renamed.as_deref().unwrap_or(line));
    }
    out
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
            stage: "Ready for discovery".into(),
            reason: format!("Ready for discovery: 3 of 3 referrals to {name} exceeded"),
            next_action: "Invite them to a discovery conversation".into(),
        }
    }

    fn settings() -> crate::book::Settings {
        crate::book::settings::parse(b"as_of: 2026-11-01\n", day("2026-11-01")).unwrap()
    }

    /// Before every date of [`sample`].
    fn opts() -> Options<'static> {
        Options::plain(day("2026-11-01"), None)
    }

    fn calendar(name: &str, due: &[Due]) -> String {
        super::calendar(name, &opts(), due)
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

    #[test]
    fn written_in_pieces_is_the_calendar_byte_for_byte() {
        let mut dues = sample();
        // Slugs where one begins the other, and events on one day (overdue
        // ones all shown on `as_of`): the order is the UID's, not the slug's.
        dues.push(due(
            "a",
            "A",
            Some(("2026-10-01", "Call")),
            Some("2026-09-01"),
        ));
        dues.push(due(
            "a-b",
            "A B",
            Some(("2026-10-02", "Call")),
            Some("2026-11-01"),
        ));
        dues.push(due("a-b-c", "A B C", None, Some("2026-11-01")));
        for as_of in ["2026-11-01", "2026-12-01", "2027-06-01"] {
            let opts = Options::plain(day(as_of), Some("https://example.com/site/"));
            let whole = super::calendar("Book", &opts, &dues);
            let mut pieces = Vec::new();
            let mut count = 0;
            write_calendar("Book", &opts, dues.len(), &|i| dues[i].clone(), &mut |p| {
                pieces.extend_from_slice(p);
                count += 1;
                Ok(())
            })
            .unwrap();
            assert_eq!(String::from_utf8(pieces).unwrap(), whole, "{as_of}");
            assert_eq!(count, 2 + parsed(&whole).len(), "{as_of}");
        }
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
        assert!(a.contains("DTSTAMP:20261101T000000Z\r\n"), "{a}");
        assert!(a.contains("LAST-MODIFIED:20261101T000000Z\r\n"), "{a}");
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
        let report = |due: Option<&str>| {
            let mut r = crate::analysis::analyse(&full, &settings());
            r.contact.due = due.map(day);
            r
        };
        let due = Due::of(&full, &report(Some("2027-01-01")));
        assert_eq!(
            due.next_step,
            Some((day("2026-12-01"), "Send the recap".to_string()))
        );
        assert_eq!(partner_events(&due, &opts()).len(), 2);
        // A next step needs both: a half-written one is a problem of the
        // note, so it never reaches the calendar.
        for partial in [
            "next_step:\n  date: 2026-12-01\n",
            "next_step:\n  action: Send the recap\n",
        ] {
            assert!(parse(partial).is_err(), "{partial}");
        }
        let empty = parse("").unwrap();
        let mut r = crate::analysis::analyse(&empty, &settings());
        r.contact.due = None;
        let due = Due::of(&empty, &r);
        assert_eq!(due.next_step, None);
        assert!(partner_events(&due, &opts()).is_empty());
    }

    #[test]
    fn an_empty_book_is_a_valid_empty_calendar() {
        let text = calendar("Partners", &[]);
        assert!(parsed(&text).is_empty());
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    }

    /// Each event read back by the parser: UID, start, summary,
    /// description, URL, sequence and last-modified as written.
    fn parsed_full(text: &str) -> Vec<(String, NaiveDate, String, String, Option<String>, u32)> {
        let cal: icalendar::Calendar = text.parse().expect("the calendar parses");
        cal.components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .map(|e| {
                let Some(DatePerhapsTime::Date(start)) = e.get_start() else {
                    panic!("an all-day event");
                };
                (
                    e.get_uid().unwrap().to_string(),
                    start,
                    e.get_summary().unwrap().to_string(),
                    e.get_description().expect("a description").to_string(),
                    e.get_url().map(str::to_string),
                    e.get_sequence().expect("a sequence"),
                )
            })
            .collect()
    }

    #[test]
    fn an_overdue_event_is_dated_as_of_and_says_since_when() {
        let d = due(
            "jane-doe",
            "Jane Doe",
            Some(("2026-10-15", "Send the recap")),
            Some("2026-09-01"),
        );
        let opts = Options::plain(day("2026-11-01"), Some("https://example.com/book/"));
        let text = super::calendar("Partners", &opts, std::slice::from_ref(&d));
        let events = parsed_full(&text);
        assert_eq!(events.len(), 2, "{text}");
        let want_url = "https://example.com/book/partners/jane-doe.html";
        let by_uid = |uid: &str| events.iter().find(|e| e.0 == uid).unwrap().clone();
        let step = by_uid("next-step-jane-doe@rapport");
        assert_eq!(step.1, day("2026-11-01").0, "shown on as_of");
        assert_eq!(
            step.2,
            "Next step, overdue since 2026-10-15: Send the recap — Jane Doe"
        );
        let contact = by_uid("contact-jane-doe@rapport");
        assert_eq!(contact.1, day("2026-11-01").0);
        assert_eq!(
            contact.2,
            "Get in touch with Jane Doe (overdue since 2026-09-01)"
        );
        for e in [&step, &contact] {
            assert_eq!(
                e.3,
                format!(
                    "Stage: Ready for discovery\nWhy: Ready for discovery: 3 of 3 referrals to Jane Doe exceeded\nNext: Invite them to a discovery conversation\nPartner page: {want_url}"
                )
            );
            assert_eq!(e.4.as_deref(), Some(want_url));
            assert_eq!(e.5 as i64, sequence(day("2026-11-01")));
        }
        // Due today is shown today and is not yet overdue; without
        // `site_url` there is no link.
        let text = super::calendar(
            "Partners",
            &Options::plain(day("2026-10-15"), None),
            std::slice::from_ref(&d),
        );
        let events = parsed_full(&text);
        let step = events
            .iter()
            .find(|e| e.0.starts_with("next-step"))
            .unwrap();
        assert_eq!(step.1, day("2026-10-15").0);
        assert_eq!(step.2, "Next step: Send the recap — Jane Doe");
        assert_eq!(step.4, None);
        assert!(!step.3.contains("Partner page"));
        assert!(!text.contains("URL:"));
    }

    #[test]
    fn a_later_as_of_is_a_later_revision_and_the_same_one_the_same_bytes() {
        let d = [due("a", "A", Some(("2026-12-01", "Call")), None)];
        let at = |s: &str| super::calendar("P", &Options::plain(day(s), None), &d);
        assert_eq!(at("2026-11-01"), at("2026-11-01"));
        let (a, b) = (
            parsed_full(&at("2026-11-01")),
            parsed_full(&at("2026-11-02")),
        );
        assert!(b[0].5 > a[0].5, "{} then {}", a[0].5, b[0].5);
        assert!(at("2026-11-02").contains("LAST-MODIFIED:20261102T000000Z\r\n"));
        assert_eq!(sequence(day("2000-01-01")), 0);
        assert_eq!(sequence(day("1999-06-01")), 0);
    }

    fn planted(pad: &str, client: &str) -> Vec<(String, Vec<Due>)> {
        // The name in the title, in a partner's name, in a next step and in
        // the reason, each after `pad`.
        let mut d = due(
            "partner",
            &format!("{pad}{client} Family Office"),
            Some(("2026-12-01", &format!("{pad}call about {client}"))),
            Some("2026-10-01"),
        );
        d.reason = format!("{pad}{client} was the last referral");
        vec![
            (
                format!("{pad}{client}"),
                vec![due("x", "X", None, Some("2026-12-01"))],
            ),
            ("Partners".into(), vec![d]),
        ]
    }

    fn assert_nowhere(text: &str, client: &str, what: &str) {
        let lower = |s: &str| s.to_lowercase();
        let unfolded = text.replace("\r\n ", "");
        for (form, t) in [("folded", text.to_string()), ("unfolded", unfolded)] {
            for part in client.split(' ').chain([client]) {
                assert!(
                    !lower(&t).contains(&lower(part)),
                    "{part:?} in the {form} file ({what}):\n{t}"
                );
            }
        }
        for line in text.strip_suffix("\r\n").unwrap().split("\r\n") {
            assert!(line.len() <= 75, "{what}: {line:?}");
        }
        text.parse::<icalendar::Calendar>().expect("still parses");
    }

    #[test]
    fn a_client_name_is_redacted_at_every_offset_before_folding() {
        for client in ["Jane Doe", "Zoë Ångström"] {
            let sc = Scrubber::new([client], ["Partner"]);
            for offset in 0..160 {
                for pad_char in ["x", "é", "🎉"] {
                    let pad = pad_char.repeat(offset / pad_char.len()) + " ";
                    for (title, dues) in planted(&pad, client) {
                        let opts = Options {
                            scrub: Some(&sc),
                            ..Options::plain(day("2026-11-01"), Some("https://example.com/"))
                        };
                        let what = format!("{client} after {offset} octets of {pad_char}");
                        let text = super::calendar(&title, &opts, &dues);
                        assert_nowhere(&text, client, &what);
                        // What the build then does to every file of the
                        // site changes nothing more.
                        let again = sc.scrub_output(FILE, text.as_bytes());
                        assert_eq!(String::from_utf8(again).unwrap(), text, "{what}");
                        // And a calendar written without the scrubber is
                        // caught whole by the pass over the written file.
                        let plain = super::calendar(
                            &title,
                            &Options::plain(day("2026-11-01"), None),
                            &dues,
                        );
                        let caught = sc.scrub_output(FILE, plain.as_bytes());
                        assert_nowhere(&String::from_utf8(caught).unwrap(), client, &what);
                    }
                }
            }
        }
    }

    #[test]
    fn a_link_that_would_name_a_client_is_left_out() {
        let sc = Scrubber::new(["Jane Doe"], Vec::<&str>::new());
        let opts = Options {
            scrub: Some(&sc),
            ..Options::plain(day("2026-11-01"), Some("https://example.com/"))
        };
        let text = super::calendar(
            "P",
            &opts,
            &[due(
                "doe-advisors",
                "Doe Advisors",
                None,
                Some("2026-12-01"),
            )],
        );
        // The UID is the slug's, as the site's file names are; no field a
        // calendar shows names the client.
        for line in text.replace("\r\n ", "").lines() {
            if !line.starts_with("UID:") {
                assert!(!line.to_lowercase().contains("doe"), "{line}");
            }
        }
        assert!(!text.contains("URL:"), "{text}");
    }

    #[test]
    fn an_encrypted_site_links_to_its_own_page_names() {
        let d = [due("jane-doe", "Jane Doe", None, Some("2026-12-01"))];
        let opts = Options::plain(day("2026-11-01"), Some("https://example.com/a/"));
        let text = super::calendar("P", &opts, &d);
        let renamed = rename_pages(&text, &|p| {
            (p == "partners/jane-doe.html").then(|| "partners/0123abcd.html".to_string())
        });
        let events = parsed_full(&renamed);
        assert_eq!(
            events[0].4.as_deref(),
            Some("https://example.com/a/partners/0123abcd.html")
        );
        assert!(events[0]
            .3
            .ends_with("Partner page: https://example.com/a/partners/0123abcd.html"));
        assert!(!renamed.contains("jane-doe.html"));
        assert_eq!(rename_pages(&text, &|_| None), text);
    }

    proptest::proptest! {
        #[test]
        fn any_client_name_planted_anywhere_is_gone(
            pad in "[a-zé🎉 ,;\\\\]{0,120}",
            first in "[A-Z][a-zé]{2,8}",
            last in "[A-Z][a-zø]{2,10}",
        ) {
            let client = format!("{first} {last}");
            let sc = Scrubber::new([client.as_str()], ["Partner"]);
            let opts = Options {
                scrub: Some(&sc),
                ..Options::plain(day("2026-11-01"), None)
            };
            for (title, dues) in planted(&format!("{pad} "), &client) {
                let text = super::calendar(&title, &opts, &dues);
                // Whole words, as names are matched ("Hem" is not in "them").
                let unfolded = text.replace("\r\n ", "").to_lowercase();
                let words: Vec<&str> = unfolded
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                let (first, last) = (first.to_lowercase(), last.to_lowercase());
                proptest::prop_assert!(!words.contains(&last.as_str()), "{}", text);
                proptest::prop_assert!(
                    !words.windows(2).any(|w| w[0] == first && w[1] == last),
                    "{}",
                    text
                );
            }
        }
    }
}
