//! The book model: partners, their referrals, meetings and initiatives, and
//! the book's settings. Plain data, free of I/O, shared by every stage.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};

use crate::book::words::{self, Word};
use crate::syntax::text;

pub use crate::syntax::date::{date_problem, Day};

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every variant, in the order the format lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The words, in the same order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word used for this value in notes, data files and pages.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The value written `word`, in any case (`ESP`, `Exceeded`).
            pub fn parse(word: &str) -> Option<$name> {
                <$name as Word>::parse(word)
            }

            /// The value another word most likely means (`sent`: `given`),
            /// for a did-you-mean; never read as that value.
            pub fn suggest(word: &str) -> Option<$name> {
                <$name as Word>::suggest(word)
            }
        }

        impl Word for $name {
            const ALL: &'static [$name] = $name::ALL;
            const WORDS: &'static [&'static str] = $name::WORDS;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        /// Read in any case; another word is an "unknown variant" error.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                words::deserialize(d)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// What a partner is to the advisor today.
    #[derive(Default)]
    Role {
        #[default]
        Esp = "esp",
        Collaborator = "collaborator",
        Coi = "coi",
        Prospect = "prospect",
        Inactive = "inactive",
    }
);

impl Role {
    /// The role spelled out for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Esp => "Expert service provider",
            Role::Collaborator => "Collaborator",
            Role::Coi => "Center of influence",
            Role::Prospect => "Prospect",
            Role::Inactive => "Inactive",
        }
    }
}

word_enum!(
    /// `given`: the advisor sent a client to the partner; `received`: the
    /// partner sent one to the advisor.
    Direction {
        Given = "given",
        Received = "received",
    }
);

word_enum!(
    /// Whether a referral concerned an existing client or net-new business.
    #[derive(Default)]
    ReferralType {
        #[default]
        Existing = "existing",
        NetNew = "net-new",
    }
);

word_enum!(
    /// How a referral turned out. The first four apply to given referrals,
    /// `won`, `lost` and `pending` to received ones.
    Outcome {
        Exceeded = "exceeded",
        Met = "met",
        Below = "below",
        Pending = "pending",
        Won = "won",
        Lost = "lost",
    }
);

impl Outcome {
    /// Whether this outcome may stand on a referral of that direction.
    pub fn fits(self, direction: Direction) -> bool {
        match direction {
            Direction::Given => matches!(
                self,
                Outcome::Exceeded | Outcome::Met | Outcome::Below | Outcome::Pending
            ),
            Direction::Received => {
                matches!(self, Outcome::Won | Outcome::Lost | Outcome::Pending)
            }
        }
    }

    /// The outcomes allowed for a direction, as written in notes.
    pub fn allowed(direction: Direction) -> &'static [Outcome] {
        match direction {
            Direction::Given => &[
                Outcome::Exceeded,
                Outcome::Met,
                Outcome::Below,
                Outcome::Pending,
            ],
            Direction::Received => &[Outcome::Won, Outcome::Lost, Outcome::Pending],
        }
    }

    /// A given referral whose service has been judged (not pending).
    pub fn is_resolved_given(self) -> bool {
        matches!(self, Outcome::Exceeded | Outcome::Met | Outcome::Below)
    }
}

word_enum!(
    /// The kind of a meeting.
    MeetingKind {
        Discovery = "discovery",
        CheckIn = "check-in",
        Event = "event",
        Call = "call",
        Meal = "meal",
        Other = "other",
    }
);

word_enum!(
    /// How a mutual discovery conversation ended.
    DiscoveryOutcome {
        Interested = "interested",
        NotInterested = "not-interested",
        Undecided = "undecided",
    }
);

word_enum!(
    /// Where a joint initiative stands.
    InitiativeStatus {
        Idea = "idea",
        Active = "active",
        Done = "done",
        Dropped = "dropped",
    }
);

/// One referral, in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub date: Day,
    pub direction: Direction,
    #[serde(default, deserialize_with = "text::opt")]
    pub client: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: ReferralType,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default, deserialize_with = "text::opt")]
    pub note: Option<String>,
    /// Received referrals only: the day the advisor thanked the partner.
    #[serde(default)]
    pub thanked: Option<Day>,
}

impl Referral {
    /// The outcome, `pending` when the note leaves it out.
    pub fn outcome(&self) -> Outcome {
        self.outcome.unwrap_or(Outcome::Pending)
    }
}

/// A meeting with the partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    pub date: Day,
    pub kind: MeetingKind,
    #[serde(default)]
    pub outcome: Option<DiscoveryOutcome>,
    #[serde(default, deserialize_with = "text::opt")]
    pub summary: Option<String>,
}

/// A joint effort aimed at net-new clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initiative {
    #[serde(deserialize_with = "text::required")]
    pub name: String,
    #[serde(default)]
    pub started: Option<Day>,
    #[serde(default)]
    pub status: Option<InitiativeStatus>,
    #[serde(default)]
    pub new_clients: Option<u32>,
}

/// The next thing to do with a partner: a plan, kept whatever its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextStep {
    pub date: Day,
    #[serde(deserialize_with = "text::required")]
    pub action: String,
}

/// A next step that was done, kept with the day it was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub date: Day,
    #[serde(deserialize_with = "text::required")]
    pub action: String,
}

/// A note's front-matter as written. Every key is optional here so that
/// each key can be checked on its own; `name` is required by validation.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    #[serde(default, deserialize_with = "text::opt")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text::opt")]
    pub firm: Option<String>,
    #[serde(default, deserialize_with = "text::opt")]
    pub profession: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub since: Option<Day>,
    #[serde(default, deserialize_with = "text::opt")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "text::opt")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "text::opt")]
    pub website: Option<String>,
    #[serde(default, deserialize_with = "text::list")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "text::list")]
    pub ideal_clients: Vec<String>,
    #[serde(default)]
    pub draft: Option<bool>,
    #[serde(default, deserialize_with = "text::seq")]
    pub referrals: Vec<Referral>,
    #[serde(default, deserialize_with = "text::seq")]
    pub meetings: Vec<Meeting>,
    #[serde(default, deserialize_with = "text::seq")]
    pub initiatives: Vec<Initiative>,
    #[serde(default)]
    pub next_step: Option<NextStep>,
    #[serde(default, deserialize_with = "text::seq")]
    pub steps: Vec<Step>,
    /// Days between contacts; `None` (absent or null): the role's cadence.
    #[serde(default)]
    pub contact_every: Option<u32>,
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
}

/// One partner: a validated note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Partner {
    pub slug: String,
    /// The note's path relative to the book root, with `/` separators.
    pub file: String,
    pub name: String,
    pub firm: Option<String>,
    pub profession: Option<String>,
    pub role: Role,
    pub since: Option<Day>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub tags: Vec<String>,
    pub ideal_clients: Vec<String>,
    pub draft: bool,
    pub referrals: Vec<Referral>,
    pub meetings: Vec<Meeting>,
    pub initiatives: Vec<Initiative>,
    pub next_step: Option<NextStep>,
    /// Next steps done, oldest first.
    pub steps: Vec<Step>,
    /// Days between contacts when the note sets them; else the role's.
    pub contact_every: Option<u32>,
    pub extra: Option<serde_json::Value>,
    /// The Markdown body after the front-matter.
    #[serde(skip)]
    pub body: String,
    /// The line of the note file on which the body starts (1-based).
    #[serde(skip)]
    pub body_line: usize,
}

/// The advisor who keeps the book.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advisor {
    #[serde(default, deserialize_with = "text::opt")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text::list")]
    pub ideal_clients: Vec<String>,
}

/// Thresholds for collaboration readiness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadinessSettings {
    pub min_outcomes: u32,
    pub exceed_share: f64,
    pub stale_days: u32,
}

impl Default for ReadinessSettings {
    fn default() -> Self {
        ReadinessSettings {
            min_outcomes: 3,
            exceed_share: 0.66,
            stale_days: 180,
        }
    }
}

/// What may leave the machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Privacy {
    pub redact_clients: bool,
    /// `build` always encrypts the site.
    pub encrypt: bool,
}

/// Reads a key that may be written as `null`: `Some(None)` then, `None`
/// when the key is left out (with `#[serde(default)]`).
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
    Option::<u32>::deserialize(d).map(Some)
}

/// `cadence` in `rapport.yaml` as written: days between contacts by role.
/// A role left out keeps its default; a role set to `null` has none.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CadenceFile {
    #[serde(default, deserialize_with = "nullable")]
    pub esp: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    pub collaborator: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    pub coi: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    pub prospect: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    pub inactive: Option<Option<u32>>,
}

impl CadenceFile {
    /// `(role, value as written)` for every role named.
    pub fn named(&self) -> Vec<(Role, Option<u32>)> {
        [
            (Role::Esp, self.esp),
            (Role::Collaborator, self.collaborator),
            (Role::Coi, self.coi),
            (Role::Prospect, self.prospect),
            (Role::Inactive, self.inactive),
        ]
        .into_iter()
        .filter_map(|(role, v)| v.map(|v| (role, v)))
        .collect()
    }
}

/// Days between contacts, by role; `None`: no cadence for that role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cadence {
    pub esp: Option<u32>,
    pub collaborator: Option<u32>,
    pub coi: Option<u32>,
    pub prospect: Option<u32>,
    pub inactive: Option<u32>,
}

impl Default for Cadence {
    fn default() -> Self {
        Cadence {
            esp: Some(180),
            collaborator: Some(60),
            coi: Some(90),
            prospect: Some(30),
            inactive: None,
        }
    }
}

impl Cadence {
    /// The defaults, with each role named in the settings replaced.
    pub fn from_file(file: &CadenceFile) -> Cadence {
        let mut c = Cadence::default();
        for (role, days) in file.named() {
            *c.slot(role) = days;
        }
        c
    }

    fn slot(&mut self, role: Role) -> &mut Option<u32> {
        match role {
            Role::Esp => &mut self.esp,
            Role::Collaborator => &mut self.collaborator,
            Role::Coi => &mut self.coi,
            Role::Prospect => &mut self.prospect,
            Role::Inactive => &mut self.inactive,
        }
    }

    /// The days between contacts for a role.
    pub fn of(&self, role: Role) -> Option<u32> {
        match role {
            Role::Esp => self.esp,
            Role::Collaborator => self.collaborator,
            Role::Coi => self.coi,
            Role::Prospect => self.prospect,
            Role::Inactive => self.inactive,
        }
    }
}

/// `rapport.yaml` as written; every key optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    #[serde(default, deserialize_with = "text::opt")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "text::opt")]
    pub notes_dir: Option<String>,
    #[serde(default, deserialize_with = "text::opt")]
    pub output_dir: Option<String>,
    #[serde(default)]
    pub as_of: Option<Day>,
    #[serde(default)]
    pub window_months: Option<u32>,
    #[serde(default)]
    pub advisor: Option<Advisor>,
    #[serde(default)]
    pub readiness: Option<ReadinessSettings>,
    #[serde(default)]
    pub cadence: Option<CadenceFile>,
    #[serde(default, deserialize_with = "text::opt")]
    pub currency: Option<String>,
    /// The month (1-12) the year starts, for the periods.
    #[serde(default)]
    pub fiscal_year_start: Option<u32>,
    #[serde(default)]
    pub privacy: Option<Privacy>,
    /// Where the site is published (an http or https address), for the
    /// calendar's links to partner pages.
    #[serde(default, deserialize_with = "text::opt")]
    pub site_url: Option<String>,
}

/// The settings a build runs with, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub title: String,
    pub notes_dir: PathBuf,
    pub output_dir: PathBuf,
    pub as_of: Day,
    pub window_months: u32,
    pub advisor: Advisor,
    pub readiness: ReadinessSettings,
    pub cadence: Cadence,
    /// Shown with every value on the site when set (`USD`, `€`…).
    pub currency: Option<String>,
    /// The month (1-12) the year starts, for the periods (default 1).
    pub fiscal_year_start: u32,
    pub privacy: Privacy,
    /// Where the site is published, ending in `/`, when set.
    pub site_url: Option<String>,
}

/// A whole book, ready for analysis: settings and every partner that goes
/// into the site, in slug order.
#[derive(Debug, Clone)]
pub struct Book {
    pub settings: Settings,
    pub partners: Vec<Arc<Partner>>,
    /// Clients named only in notes kept off the site (drafts): a redacted
    /// site scrubs them too.
    pub off_site_clients: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn days_read_and_write_as_chrono_does() {
        let mut d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        while d < end {
            let text = Day(d).to_string();
            assert_eq!(text, d.format("%Y-%m-%d").to_string());
            assert_eq!(Day::parse(&text), Some(Day(d)));
            d += chrono::Duration::days(97);
        }
        let far = NaiveDate::from_ymd_opt(12345, 6, 7).unwrap();
        assert_eq!(Day(far).to_string(), far.format("%Y-%m-%d").to_string());
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "0000-00-00",
            "2026-1-01",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
            assert_eq!(
                NaiveDate::parse_from_str(bad, "%Y-%m-%d")
                    .ok()
                    .filter(|_| bad.len() == 10),
                None
            );
        }
        assert_eq!(
            Day::parse("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29).map(Day)
        );
    }
}
