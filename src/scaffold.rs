//! `rapport new` and `rapport init`: fresh notes and books to fill in.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::book::{Day, Role};
use crate::read::discover::{discover, slugify};

/// What `rapport new` is told of a partner: the name, and what else the
/// command line gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewNote {
    pub name: String,
    pub firm: Option<String>,
    pub profession: Option<String>,
    pub role: Option<Role>,
    pub email: Option<String>,
    /// The long note, every key present and explained.
    pub explained: bool,
}

impl NewNote {
    /// A note for `name` and nothing else.
    pub fn named(name: &str) -> NewNote {
        NewNote {
            name: name.to_string(),
            ..NewNote::default()
        }
    }

    /// The note's text, short or explained.
    pub fn text(&self, today: Day) -> String {
        if self.explained {
            explained_text(self, today)
        } else {
            short_text(self, today)
        }
    }
}

/// Text as a YAML value: plain when every YAML reader reads it back as the
/// same text, quoted otherwise.
fn yaml_text(s: &str) -> String {
    let first = s.chars().next().unwrap_or(' ');
    let plain = !s.is_empty()
        && s.trim() == s
        && !s.chars().any(char::is_control)
        && !"-?:,[]{}#&*!|>'\"%@`+.~".contains(first)
        && !first.is_ascii_digit()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        )
        && yaml_serde::from_str::<serde_json::Value>(&format!("k: {s}"))
            .ok()
            .and_then(|v| v.get("k").and_then(|k| k.as_str().map(|k| k == s)))
            == Some(true);
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string serializes")
    }
}

/// Text in double quotes, whatever it holds: the name is always written so,
/// as every note `rapport new` has written.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// `key: value` for an optional text, the value left empty when not given.
fn text_line(key: &str, value: Option<&str>) -> String {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => format!("{key}: {}", yaml_text(v)),
        None => format!("{key}:"),
    }
}

/// The short note `rapport new` writes: who the partner is, and where the
/// rest goes. Its body is empty: the hint for it is a comment, so nothing
/// of it reaches the partner's page.
pub fn short_text(note: &NewNote, today: Day) -> String {
    let role = note.role.unwrap_or_default();
    let slug = slugify(&note.name);
    format!(
        r#"---
name: {name}
{firm}
{profession}
role: {role}{role_pad}# esp | collaborator | coi | prospect | inactive
since: {today}
{email}
# Record what happens from the command line, for example
#   rapport log {slug} given --client "R. Smith"
# or add referrals:, meetings: and next_step: here by hand
# (`rapport new --explained` writes a note with every key explained).
#
# Below the closing line: your own notes in Markdown (how you met, what
# they do best, what their clients need), shown on their page.
---
"#,
        name = quoted(&note.name),
        firm = text_line("firm", note.firm.as_deref()),
        profession = text_line("profession", note.profession.as_deref()),
        role_pad = " ".repeat(14usize.saturating_sub(role.as_str().len()).max(1)),
        email = text_line("email", note.email.as_deref()),
    )
}

/// The explained note: valid as it stands, every section present and
/// explained in comments. Its body is empty too.
pub fn explained_text(note: &NewNote, today: Day) -> String {
    let role = note.role.unwrap_or_default();
    let pad = |line: String| format!("{line:<27} ");
    format!(
        r#"---
name: {name}
{firm}# the partner's firm or practice
{profession}# CPA, estate attorney, insurance agent... (used for grouping)
{role}# esp | collaborator | coi | prospect | inactive
{since}# when the relationship began (YYYY-MM-DD)
{email}
phone:
website:                    # https://...
tags: []                    # e.g. [tax, business-owners]
ideal_clients: []           # whom they serve best, e.g. [business owners, physicians]
draft: false                # true keeps the partner off the site (unless --drafts)

# Every referral, in either direction. One entry per client:
#   - date: {today}           # required
#     direction: given        # given: you sent a client to them | received: they sent one to you
#     client: R. Smith        # optional; hidden when privacy.redact_clients is true
#     type: existing          # existing | net-new
#     outcome: pending        # given: exceeded | met | below | pending
#                             # received: won | lost | pending
#     value: 4500             # optional number: fees or revenue it brought
#     note: what happened
#     thanked: {today}        # received only: the day you thanked them
referrals: []

# Meetings; a mutual discovery conversation is `kind: discovery`:
#   - date: {today}
#     kind: discovery         # discovery | check-in | event | call | meal | other
#     outcome: interested     # discovery only: interested | not-interested | undecided
#     summary: what you learned
meetings: []

# Joint efforts aimed at net-new clients for both of you:
#   - name: Business-owner tax workshop
#     started: {today}
#     status: idea            # idea | active | done | dropped
#     new_clients: 0          # clients it brought to either side
initiatives: []

# The next thing you plan to do, with its day (both are needed):
# next_step:
#   date: {today}
#   action: Send the workshop recap

contact_every:              # days between contacts; empty: the cadence of the role in rapport.yaml

extra: {{}}                   # anything else, free-form

# The values above may be written in any case (`ESP`, `Given`). Dates are
# YYYY-MM-DD; a date after today is a warning (a mistyped year?), except
# the next step's.
#
# Below the closing line: your own notes in Markdown (how you met, what
# they do best, what their clients need), shown on their page.
---
"#,
        name = quoted(&note.name),
        firm = pad(text_line("firm", note.firm.as_deref())),
        profession = pad(text_line("profession", note.profession.as_deref())),
        role = pad(format!("role: {role}")),
        since = pad(format!("since: {today}")),
        email = text_line("email", note.email.as_deref()),
    )
}

/// The example partner of a new book: a well-kept note, dated around
/// `today` so that its numbers mean something on the first build (an
/// expert service provider who consistently exceeds expectations, ready
/// for a discovery conversation).
pub fn example_text(today: Day) -> String {
    let ago = |days: u64| {
        Day(today
            .0
            .checked_sub_days(chrono::Days::new(days))
            .unwrap_or(today.0))
    };
    let ahead = Day(today
        .0
        .checked_add_days(chrono::Days::new(14))
        .unwrap_or(today.0));
    format!(
        r#"---
# An example of a well-kept note: rename the file, change the facts, or
# delete it once you have written your own. Every key is explained in
# the note `rapport new --explained "Name"` writes.
name: Example Partner
firm: Example & Co. CPAs
profession: CPA
role: esp                     # an expert service provider you refer clients to
since: {since}
email: partner@example.com
tags: [tax, business-owners]
ideal_clients: [business owners, pre-retirees]
referrals:
  - date: {r1}
    direction: given
    client: A. Client
    outcome: exceeded
    value: 3200
    note: S-corp return and a clean-up of three years of books, ahead of time
  - date: {r2}
    direction: given
    client: B. Client
    outcome: exceeded
    note: Called the client back the same day; the client wrote to thank us
  - date: {r3}
    direction: received
    client: C. Client
    type: net-new
    outcome: won
    value: 6000
    note: A business owner selling her company, new to both of us
  - date: {r4}
    direction: given
    client: D. Client
    outcome: exceeded
meetings:
  - date: {m1}
    kind: meal
    summary: Lunch; compared notes on business owners planning an exit
next_step:
  date: {ahead}
  action: Invite them to a mutual discovery conversation
---
How you met, what they do best, and what their clients need. Three
referrals out of three exceeded expectations: time to talk about bringing
in new clients together.
"#,
        since = ago(3 * 365),
        r1 = ago(300),
        r2 = ago(200),
        r3 = ago(120),
        r4 = ago(60),
        m1 = ago(30),
    )
}

/// Writes `partners/<slug>.md` (or the book's notes folder) for `note`.
/// Refuses a name whose slug is taken anywhere in the notes folder.
pub fn new_note(root: &Path, note: &NewNote, today: Day) -> Result<PathBuf, String> {
    let name = note.name.as_str();
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(format!(
            "`{name}` leaves an empty slug; use a name with letters or digits"
        ));
    }
    if !root.is_dir() {
        return Err(format!(
            "there is no book folder at {}; start one with `rapport init {}`",
            root.display(),
            root.display()
        ));
    }
    let settings = crate::pipeline::output::settings_then_recover(root, today)
        .map_err(|_| "rapport.yaml has problems; run `rapport check` first".to_string())?;
    let notes_dir = root.join(&settings.notes_dir);
    if notes_dir.is_dir() {
        let (files, _) = discover(root, &notes_dir);
        if let Some(f) = files.iter().find(|f| f.slug == slug) {
            return Err(format!("a note for `{slug}` already exists: {}", f.rel));
        }
    }
    let path = notes_dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(format!("{} already exists", path.display()));
    }
    fs::create_dir_all(&notes_dir)
        .map_err(|e| format!("cannot create {}: {e}", notes_dir.display()))?;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    io::Write::write_all(&mut file, note.text(today).as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// `rapport.yaml` with every setting written out and explained.
pub fn settings_text(today: Day) -> String {
    format!(
        r#"# Settings of this book of referral partners. Every key is optional.

title: Referral partners        # the site's title
notes_dir: partners             # where the notes are, one .md file per partner
output_dir: public              # where `rapport build` writes the site

# The day the reports are computed for. Leave it out to use today's date;
# `--as-of YYYY-MM-DD` on the command line overrides it.
# as_of: {today}

window_months: 24               # look-back for reciprocity and recent activity

advisor:
  name:                         # your name
  ideal_clients: []             # e.g. [business owners, physicians, pre-retirees]

readiness:
  min_outcomes: 3               # resolved given referrals needed to judge a track record (1 to 100)
  exceed_share: 0.66            # share of those that must have exceeded expectations (above 0, at most 1)
  stale_days: 180               # no dated activity for longer than this: dormant

# Days between contacts, by role (1 to 3650). A note's `contact_every` wins.
# A role you name here replaces its own default only; a role left out
# (inactive, by default) has no cadence.
cadence:
  esp: 180
  collaborator: 60
  coi: 90
  prospect: 30

# currency: USD                 # shown with every value on the site
fiscal_year_start: 1            # the month (1-12) the year starts, for the quarter and year comparisons

# Where you publish the site, for the calendar's links to partner pages.
# site_url: https://example.com/partners/

privacy:
  redact_clients: false         # true: client names never reach the site
  encrypt: false                # true: `rapport build` always encrypts the site
"#
    )
}

/// Starts a new book in `dir`, which must be empty or absent.
pub fn init(dir: &Path, today: Day) -> Result<PathBuf, String> {
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty; choose a new or empty folder",
                dir.display()
            ));
        }
    }
    let write = |path: PathBuf, text: String| -> Result<(), String> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(dir.join(crate::book::settings::FILE), settings_text(today))?;
    let example = dir.join("partners").join("example-partner.md");
    write(example.clone(), example_text(today))?;
    Ok(example)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> crate::book::Partner {
        crate::read::note::parse("partners/x.md", "x", text.as_bytes())
            .unwrap_or_else(|d| panic!("{text}\n{d:#?}"))
    }

    #[test]
    fn a_new_note_is_valid_short_or_explained() {
        let today = Day::parse("2026-11-25").unwrap();
        for explained in [false, true] {
            let mut note = NewNote::named("O'Brien: \"Tax\" Jane");
            note.explained = explained;
            let p = parsed(&note.text(today));
            assert_eq!(p.name, "O'Brien: \"Tax\" Jane");
            assert_eq!(p.since, Some(today));
            assert_eq!(p.role, Role::Esp);
            assert_eq!((p.firm, p.profession, p.email), (None, None, None));
            assert_eq!(p.next_step, None);
            assert_eq!(p.contact_every, None);
            // Nothing of the note's hints reaches the partner's page.
            assert!(p.body.trim().is_empty(), "{:?}", p.body);
        }
    }

    #[test]
    fn what_the_command_line_gives_is_written_in() {
        let today = Day::parse("2026-11-25").unwrap();
        for explained in [false, true] {
            let note = NewNote {
                name: "Jane Doe".into(),
                firm: Some("Doe & Associates: CPAs #1".into()),
                profession: Some("CPA".into()),
                role: Some(Role::Coi),
                email: Some("jane@example.com".into()),
                explained,
            };
            let text = note.text(today);
            let p = parsed(&text);
            assert_eq!(p.firm.as_deref(), Some("Doe & Associates: CPAs #1"));
            assert_eq!(p.profession.as_deref(), Some("CPA"));
            assert_eq!(p.role, Role::Coi);
            assert_eq!(p.email.as_deref(), Some("jane@example.com"));
            assert!(text.contains("\nprofession: CPA"), "{text}");
            assert!(p.body.trim().is_empty());
        }
        let short = NewNote::named("A").text(today);
        let long = NewNote {
            explained: true,
            ..NewNote::named("A")
        }
        .text(today);
        assert!(short.lines().count() * 2 < long.lines().count());
    }

    #[test]
    fn text_is_quoted_only_when_yaml_would_misread_it() {
        for (text, plain) in [
            ("Jane Doe", true),
            ("O'Brien", true),
            ("Doe & Co.", true),
            ("a: b", false),
            ("a #b", false),
            ("true", false),
            ("No", false),
            ("123", false),
            ("2026-01-01", false),
            ("-x", false),
            (" padded", false),
            ("tab\there", false),
        ] {
            let written = yaml_text(text);
            assert_eq!(written == text, plain, "{text:?} -> {written}");
            let back: serde_json::Value = yaml_serde::from_str(&format!("k: {written}")).unwrap();
            assert_eq!(back["k"].as_str(), Some(text), "{written}");
        }
    }

    #[test]
    fn fresh_settings_are_valid() {
        let today = Day::parse("2026-11-25").unwrap();
        let s = crate::book::settings::parse(settings_text(today).as_bytes(), today).unwrap();
        assert_eq!(s.readiness.exceed_share, 0.66);
        assert_eq!(s.cadence, crate::book::Cadence::default());
        assert!(!s.privacy.encrypt);
    }

    #[test]
    fn the_example_partner_is_ready_for_a_discovery_conversation() {
        use crate::analysis::{analyse, Stage};
        let today = Day::parse("2026-11-25").unwrap();
        let p = crate::read::note::parse(
            "partners/example-partner.md",
            "example-partner",
            example_text(today).as_bytes(),
        )
        .unwrap();
        let mut settings =
            crate::book::settings::parse(settings_text(today).as_bytes(), today).unwrap();
        let r = analyse(&p, &settings);
        assert_eq!(
            r.readiness.stage,
            Stage::ReadyForDiscovery,
            "{}",
            r.readiness.reason
        );
        assert!(r.readiness.criteria.active.met);
        assert!(r.readiness.criteria.two_way.met);
        assert_eq!(r.contact.overdue_days, None);
        // With the advisor's ideal clients set, the example shares them.
        settings.advisor.ideal_clients = vec!["Business owners".into()];
        assert!(
            analyse(&p, &settings)
                .readiness
                .criteria
                .shared_ideal_clients
                .met
        );
    }
}
