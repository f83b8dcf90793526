//! `rapport new` and `rapport init`: fresh notes and books to fill in.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::book::Day;
use crate::read::discover::{discover, slugify};

/// A fresh note for `name`, valid as it stands, every section present and
/// explained.
pub fn note_text(name: &str, today: Day) -> String {
    let quoted = serde_json::to_string(name).expect("a string serializes");
    format!(
        r#"---
name: {quoted}
firm:                       # the partner's firm or practice
profession:                 # CPA, estate attorney, insurance agent... (used for grouping)
role: esp                   # esp | collaborator | coi | prospect | inactive
since: {today}              # when the relationship began (YYYY-MM-DD)
email:
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
#     value: 4500             # optional: fees or revenue it brought
#     note: what happened
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
---
How you met, what they do best, and what their clients need.
"#
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
# delete it once you have written your own. Every key is explained by
# `rapport new "Name"`.
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

/// Writes `partners/<slug>.md` (or the book's notes folder) for `name`.
/// Refuses a name whose slug is taken anywhere in the notes folder.
pub fn new_note(root: &Path, name: &str, today: Day) -> Result<PathBuf, String> {
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
    let settings = crate::book::settings::load(root, today)
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
    io::Write::write_all(&mut file, note_text(name, today).as_bytes())
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

    #[test]
    fn a_new_note_is_valid() {
        let today = Day::parse("2026-11-25").unwrap();
        let text = note_text("O'Brien: \"Tax\" Jane", today);
        let p = crate::read::note::parse("partners/x.md", "x", text.as_bytes()).unwrap();
        assert_eq!(p.name, "O'Brien: \"Tax\" Jane");
        assert_eq!(p.since, Some(today));
    }

    #[test]
    fn a_new_note_leaves_cadence_and_next_step_to_fill_in() {
        let today = Day::parse("2026-11-25").unwrap();
        let p = crate::read::note::parse("partners/x.md", "x", note_text("A", today).as_bytes())
            .unwrap();
        assert_eq!(p.next_step, None);
        assert_eq!(p.contact_every, None);
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
