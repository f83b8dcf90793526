//! The numbers: reciprocity in the look-back window, the six criteria of
//! collaboration readiness with the stage they lead to, its reason and the
//! next action, and keeping in touch. Pure functions over the book model.

pub mod periods;
pub mod stage;

pub use stage::{CriterionKey, Signals, Stage, StageFacts, STAGES};

use chrono::Months;
use serde::Serialize;

pub mod week;

use crate::book::{
    Day, Direction, DiscoveryOutcome, Initiative, InitiativeStatus, MeetingKind, Outcome, Partner,
    ReadinessSettings, ReferralType, Role, Settings,
};

/// The look-back window, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start: Day,
    pub end: Day,
}

impl Window {
    /// `months` months back from `as_of` (a day past the end of a shorter
    /// month is clamped to its last day) up to `as_of`.
    pub fn new(as_of: Day, months: u32) -> Window {
        let start = as_of
            .0
            .checked_sub_months(Months::new(months))
            .unwrap_or(chrono::NaiveDate::MIN);
        Window {
            start: Day(start),
            end: as_of,
        }
    }

    pub fn contains(&self, day: Day) -> bool {
        self.start <= day && day <= self.end
    }
}

/// How referrals flow between the advisor and a partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reciprocity {
    None,
    OneWayGiven,
    OneWayReceived,
    GivenHeavy,
    ReceivedHeavy,
    Balanced,
}

impl Reciprocity {
    pub const ALL: [Reciprocity; 6] = [
        Reciprocity::None,
        Reciprocity::OneWayGiven,
        Reciprocity::OneWayReceived,
        Reciprocity::GivenHeavy,
        Reciprocity::ReceivedHeavy,
        Reciprocity::Balanced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reciprocity::None => "none",
            Reciprocity::OneWayGiven => "one-way-given",
            Reciprocity::OneWayReceived => "one-way-received",
            Reciprocity::GivenHeavy => "given-heavy",
            Reciprocity::ReceivedHeavy => "received-heavy",
            Reciprocity::Balanced => "balanced",
        }
    }

    /// A one-way street, in either direction.
    pub fn is_one_way(self) -> bool {
        matches!(self, Reciprocity::OneWayGiven | Reciprocity::OneWayReceived)
    }

    /// From counts; the bands are decided on whole numbers, so a balance of
    /// exactly ±0.5 (3 to 1) is already heavy.
    pub fn classify(given: u32, received: u32) -> Reciprocity {
        let (g, r) = (u64::from(given), u64::from(received));
        match (g, r) {
            (0, 0) => Reciprocity::None,
            (_, 0) => Reciprocity::OneWayGiven,
            (0, _) => Reciprocity::OneWayReceived,
            // balance <= -0.5  <=>  (r - g) / (r + g) <= -1/2  <=>  g >= 3r
            _ if g >= 3 * r => Reciprocity::GivenHeavy,
            _ if r >= 3 * g => Reciprocity::ReceivedHeavy,
            _ => Reciprocity::Balanced,
        }
    }
}

/// Referral counts and sums in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    pub given: u32,
    pub received: u32,
    pub given_value: f64,
    pub received_value: f64,
    /// How many of the given ones are `net-new`.
    pub net_new_given: u32,
    /// How many of the received ones are `net-new`.
    pub net_new_received: u32,
    /// The sum of `value` of the received ones that were `won`.
    pub received_won_value: f64,
    /// Received ones `won` and `lost`.
    pub won: u32,
    pub lost: u32,
    /// `won / (won + lost)` rounded to 3 decimals, a half up; `None` when
    /// none is won or lost.
    pub conversion: Option<f64>,
    /// Received referrals of the last 30 days up to `as_of` (whatever the
    /// window) not thanked by `as_of`.
    pub to_thank: u32,
    /// `(received - given) / (received + given)`; `None` when both are 0.
    pub balance: Option<f64>,
    pub reciprocity: Reciprocity,
}

/// How many days back from `as_of` a received referral waits to be
/// thanked.
pub const THANK_DAYS: u32 = 30;

/// `won / (won + lost)` rounded to three decimals, a half up, in whole
/// numbers so that no binary fraction tips a half the wrong way.
pub fn conversion(won: u32, lost: u32) -> Option<f64> {
    let total = u64::from(won) + u64::from(lost);
    (total > 0).then(|| {
        let thousandths = (2000 * u64::from(won) + total) / (2 * total);
        thousandths as f64 / 1000.0
    })
}

/// The received referrals dated from `as_of` − 30 days to `as_of` with no
/// `thanked` date up to `as_of`.
pub fn unthanked(partner: &Partner, as_of: Day) -> impl Iterator<Item = &crate::book::Referral> {
    let from = Day(as_of
        .0
        .checked_sub_days(chrono::Days::new(u64::from(THANK_DAYS)))
        .unwrap_or(chrono::NaiveDate::MIN));
    partner.referrals.iter().filter(move |r| {
        r.direction == Direction::Received
            && from <= r.date
            && r.date <= as_of
            && r.thanked.is_none_or(|t| t > as_of)
    })
}

/// Counts the referrals of `partner` dated in `window` (which ends on
/// `as_of`).
pub fn flow(partner: &Partner, window: Window) -> Flow {
    let (mut given, mut received, mut given_value, mut received_value) = (0u32, 0u32, 0.0, 0.0);
    let (mut net_new_given, mut net_new_received) = (0u32, 0u32);
    let (mut won, mut lost, mut received_won_value) = (0u32, 0u32, 0.0);
    for r in partner.referrals.iter().filter(|r| window.contains(r.date)) {
        let v = r.value.unwrap_or(0.0);
        let net_new = u32::from(r.kind == ReferralType::NetNew);
        match r.direction {
            Direction::Given => {
                given += 1;
                given_value += v;
                net_new_given += net_new;
            }
            Direction::Received => {
                received += 1;
                received_value += v;
                net_new_received += net_new;
                match r.outcome() {
                    Outcome::Won => {
                        won += 1;
                        received_won_value += v;
                    }
                    Outcome::Lost => lost += 1,
                    _ => {}
                }
            }
        }
    }
    let total = given + received;
    let balance = (total > 0).then(|| (f64::from(received) - f64::from(given)) / f64::from(total));
    Flow {
        given,
        received,
        given_value,
        received_value,
        net_new_given,
        net_new_received,
        received_won_value,
        won,
        lost,
        conversion: conversion(won, lost),
        to_thank: unthanked(partner, window.end).count() as u32,
        balance,
        reciprocity: Reciprocity::classify(given, received),
    }
}

/// One readiness criterion: whether it is met, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub met: bool,
    pub evidence: String,
}

/// The six criteria, in the order of the format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criteria {
    pub track_record: Criterion,
    pub two_way: Criterion,
    pub mutual_interest: Criterion,
    pub shared_ideal_clients: Criterion,
    pub net_new: Criterion,
    pub active: Criterion,
}

impl Criteria {
    /// `(key, criterion)` pairs in order.
    pub fn iter(&self) -> [(CriterionKey, &Criterion); 6] {
        CriterionKey::ALL.map(|key| (key, self.get(key)))
    }

    /// The criterion of `key`.
    pub fn get(&self, key: CriterionKey) -> &Criterion {
        match key {
            CriterionKey::TrackRecord => &self.track_record,
            CriterionKey::TwoWay => &self.two_way,
            CriterionKey::MutualInterest => &self.mutual_interest,
            CriterionKey::SharedIdealClients => &self.shared_ideal_clients,
            CriterionKey::NetNew => &self.net_new,
            CriterionKey::Active => &self.active,
        }
    }

    /// The six criteria, to change each in place (redaction).
    pub fn iter_mut(&mut self) -> [&mut Criterion; 6] {
        [
            &mut self.track_record,
            &mut self.two_way,
            &mut self.mutual_interest,
            &mut self.shared_ideal_clients,
            &mut self.net_new,
            &mut self.active,
        ]
    }

    pub fn met_count(&self) -> u32 {
        self.iter().iter().filter(|(_, c)| c.met).count() as u32
    }
}

/// Collaboration readiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub score: u32,
    pub stage: Stage,
    /// One sentence: the rule that gave the stage and the evidence, dated.
    pub reason: String,
    /// What to do now, in plain words.
    pub next_action: String,
    pub criteria: Criteria,
}

/// Keeping in touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// The newest referral (either way), meeting, step done or thanks up
    /// to `as_of`.
    pub last_contact: Option<Day>,
    /// Days between contacts: the note's `contact_every`, else the role's.
    pub cadence: Option<u32>,
    /// `last_contact` + cadence, or `as_of` with no contact yet; `None`
    /// without a cadence.
    pub due: Option<Day>,
    /// `as_of` − `due` when 0 or more (0: due today).
    pub overdue_days: Option<i64>,
    /// `as_of` − the next step's date when 0 or more.
    pub next_step_overdue_days: Option<i64>,
}

/// Everything computed for one partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub flow: Flow,
    pub readiness: Readiness,
    pub one_way: bool,
    /// The newest dated activity up to `as_of` (referrals, meetings, steps
    /// done, thanks, initiative starts, `since`).
    pub last_activity: Option<Day>,
    pub contact: Contact,
}

fn percent(x: f64) -> String {
    format!("{}%", (x * 100.0).round())
}

/// Two shares as percentages, with a decimal when whole numbers would show
/// the same figure on both sides of a `<`.
fn percents(share: f64, needed: f64, reached: bool) -> (String, String) {
    let (a, b) = (percent(share), percent(needed));
    if a != b || reached {
        return (a, b);
    }
    let precise = |x: f64| {
        let s = format!("{:.1}", x * 100.0);
        format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
    };
    (precise(share), precise(needed))
}

/// `1 client`, `3 clients`.
fn plural(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Small counts in words.
fn word(n: usize) -> String {
    match n {
        1 => "one".into(),
        2 => "two".into(),
        3 => "three".into(),
        n => n.to_string(),
    }
}

fn days_between(from: Day, to: Day) -> i64 {
    (to.0 - from.0).num_days()
}

fn add_days(day: Day, days: u32) -> Day {
    Day(day
        .0
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(chrono::NaiveDate::MAX))
}

/// The sentence with its first letter in upper case.
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Normalises an ideal-client entry for comparison.
fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The partner's ideal clients that the advisor shares (compared trimmed
/// and case-insensitively), as the partner wrote them, trimmed.
pub fn shared_ideal_clients<'a>(partner: &'a Partner, settings: &Settings) -> Vec<&'a str> {
    let advisor: Vec<String> = settings
        .advisor
        .ideal_clients
        .iter()
        .map(|s| norm(s))
        .collect();
    partner
        .ideal_clients
        .iter()
        .filter(|c| advisor.contains(&norm(c)))
        .map(|c| c.trim())
        .collect()
}

/// Whether an initiative is business being created together: `active`
/// (not started after `as_of`), or `done` with at least one new client and
/// started inside the window.
pub fn is_working(initiative: &Initiative, window: Window) -> bool {
    match initiative.status {
        Some(InitiativeStatus::Active) => initiative.started.is_none_or(|d| d <= window.end),
        Some(InitiativeStatus::Done) => {
            initiative.new_clients.unwrap_or(0) >= 1
                && initiative.started.is_some_and(|d| window.contains(d))
        }
        _ => false,
    }
}

fn describe_initiative(i: &Initiative) -> String {
    let detail = match (i.status, i.started) {
        (Some(InitiativeStatus::Done), started) => {
            let clients = plural(i.new_clients.unwrap_or(0), "new client", "new clients");
            match started {
                Some(d) => format!("done, {clients}, started {d}"),
                None => format!("done, {clients}"),
            }
        }
        (_, Some(d)) => format!("active since {d}"),
        (_, None) => "active".into(),
    };
    format!("{} ({detail})", i.name.trim())
}

/// The resolved given referrals up to `as_of`, oldest first; of two on the
/// same day, the one written later in the note is the later.
fn resolved_given(partner: &Partner, as_of: Day) -> Vec<(Day, Outcome)> {
    let mut resolved: Vec<(Day, Outcome)> = partner
        .referrals
        .iter()
        .filter(|r| {
            r.direction == Direction::Given && r.date <= as_of && r.outcome().is_resolved_given()
        })
        .map(|r| (r.date, r.outcome()))
        .collect();
    resolved.sort_by_key(|(d, _)| *d); // stable: same-day entries keep note order
    resolved
}

/// What the `below` among the last (up to three) resolved referrals say.
fn below_words(last: usize, belows: &[Day]) -> String {
    let dates = belows
        .iter()
        .map(Day::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match (last, belows.len()) {
        (1, 0) => "not below".into(),
        (2, 0) => "neither below".into(),
        (_, 0) => "none of the last three below".into(),
        (1, _) => format!("below ({dates})"),
        (2, 1) => format!("one of the two below ({dates})"),
        (2, _) => format!("both below ({dates})"),
        (_, 3) => format!("all of the last three below ({dates})"),
        (_, k) => format!("{} of the last three below ({dates})", word(k)),
    }
}

/// The dates that count as contact: referrals either way, meetings, next
/// steps done and the days received referrals were thanked (any date; the
/// caller keeps those up to `as_of`).
fn contact_dates(partner: &Partner) -> impl Iterator<Item = Day> + '_ {
    partner
        .referrals
        .iter()
        .map(|r| r.date)
        .chain(partner.meetings.iter().map(|m| m.date))
        .chain(partner.steps.iter().map(|s| s.date))
        .chain(partner.referrals.iter().filter_map(|r| r.thanked))
}

/// Computes the numbers of one partner as of `settings.as_of`: the flow
/// in the window, the six criteria, the stage their rules give, the
/// contact, then the reason and the next action written from all of it.
pub fn analyse(partner: &Partner, settings: &Settings) -> Report {
    let as_of = settings.as_of;
    let window = Window::new(as_of, settings.window_months);
    let flow = flow(partner, window);
    let track = track_record(partner, as_of, &settings.readiness);
    let discovery = newest_discovery(partner, as_of);
    let working: Vec<&Initiative> = partner
        .initiatives
        .iter()
        .filter(|i| is_working(i, window))
        .collect();
    let last_activity = last_activity(partner, as_of);
    let criteria = Criteria {
        track_record: track.criterion,
        two_way: two_way(&flow, window),
        mutual_interest: mutual_interest(discovery),
        shared_ideal_clients: shared_clients(partner, settings),
        net_new: net_new(&flow, &working),
        active: active(last_activity, as_of, settings.readiness.stale_days),
    };
    // 100 × met / 6, rounded half up, in whole numbers.
    let score = (200 * criteria.met_count() + 6) / 12;
    let stage = Stage::classify(&Signals {
        inactive_role: partner.role == Role::Inactive,
        active: criteria.active.met,
        recent_belows: track.belows.len(),
        mutual_interest: criteria.mutual_interest.met,
        net_new: criteria.net_new.met,
        discovery: discovery.map(|(_, o, _)| o),
        track_record: criteria.track_record.met,
        enough_resolved: track.enough,
    });
    let contact = keeping_in_touch(partner, settings);

    let facts = Facts {
        partner,
        settings,
        stage,
        criteria: &criteria,
        flow: &flow,
        resolved: &track.resolved,
        exceeded: track.exceeded,
        belows: &track.belows,
        share_words: track.share_words,
        discovery,
        working: &working,
        last_activity,
        contact: &contact,
    };
    let reason = facts.reason();
    let next_action = facts.next_action();
    Report {
        one_way: flow.reciprocity.is_one_way(),
        flow,
        readiness: Readiness {
            score,
            stage,
            reason,
            next_action,
            criteria,
        },
        last_activity,
        contact,
    }
}

/// Criterion 1 and what it was decided from.
struct TrackRecord {
    /// The resolved given referrals up to `as_of`, oldest first.
    resolved: Vec<(Day, Outcome)>,
    /// How many of them `exceeded`.
    exceeded: usize,
    /// The dates of the `below` among the last three.
    belows: Vec<Day>,
    /// At least `min_outcomes` of them.
    enough: bool,
    /// The share `exceeded` and the share needed, as percentages.
    share_words: (String, String),
    criterion: Criterion,
}

/// Criterion 1, the track record: resolved given referrals, all time
/// up to `as_of`.
fn track_record(partner: &Partner, as_of: Day, rs: &ReadinessSettings) -> TrackRecord {
    let resolved = resolved_given(partner, as_of);
    let n = resolved.len();
    let exceeded = resolved
        .iter()
        .filter(|(_, o)| *o == Outcome::Exceeded)
        .count();
    let last_three = &resolved[n.saturating_sub(3)..];
    let belows: Vec<Day> = last_three
        .iter()
        .filter(|(_, o)| *o == Outcome::Below)
        .map(|(d, _)| *d)
        .collect();
    let share = if n > 0 {
        exceeded as f64 / n as f64
    } else {
        0.0
    };
    let enough = n >= rs.min_outcomes as usize;
    let share_ok = n > 0 && share >= rs.exceed_share;
    let (have, want) = percents(share, rs.exceed_share, share_ok);
    let criterion = Criterion {
        met: enough && share_ok && belows.is_empty(),
        evidence: if n == 0 {
            format!(
                "no resolved given referral yet ({} needed)",
                rs.min_outcomes
            )
        } else {
            let needed = if enough {
                String::new()
            } else {
                format!(" ({} needed)", rs.min_outcomes)
            };
            let cmp = if share_ok { "≥" } else { "<" };
            format!(
                "{n} resolved{needed}, {exceeded} exceeded ({have} {cmp} {want}), {}",
                below_words(last_three.len(), &belows)
            )
        },
    };
    TrackRecord {
        exceeded,
        belows,
        enough,
        share_words: (have, want),
        criterion,
        resolved,
    }
}

/// Criterion 2, referrals both ways in the window.
fn two_way(flow: &Flow, window: Window) -> Criterion {
    Criterion {
        met: flow.given > 0 && flow.received > 0,
        evidence: format!(
            "{} given, {} received between {} and {}",
            flow.given, flow.received, window.start, window.end
        ),
    }
}

/// The newest discovery conversation up to `as_of`: its date, its outcome
/// (`undecided` when none was recorded) and whether one was. Of two on
/// the same day, the one written later counts as newer: `max_by_key`
/// keeps the last of equal maxima.
fn newest_discovery(partner: &Partner, as_of: Day) -> Option<(Day, DiscoveryOutcome, bool)> {
    partner
        .meetings
        .iter()
        .filter(|m| m.kind == MeetingKind::Discovery && m.date <= as_of)
        .max_by_key(|m| m.date)
        .map(|m| {
            (
                m.date,
                m.outcome.unwrap_or(DiscoveryOutcome::Undecided),
                m.outcome.is_some(),
            )
        })
}

/// Criterion 3, mutual interest: the newest discovery up to `as_of` said yes.
fn mutual_interest(discovery: Option<(Day, DiscoveryOutcome, bool)>) -> Criterion {
    Criterion {
        met: discovery.is_some_and(|(_, o, _)| o == DiscoveryOutcome::Interested),
        evidence: match discovery {
            None => "no discovery conversation yet".into(),
            Some((d, DiscoveryOutcome::Interested, _)) => format!("discovery on {d}, interested"),
            Some((d, DiscoveryOutcome::NotInterested, _)) => {
                format!("discovery on {d}, not interested")
            }
            Some((d, DiscoveryOutcome::Undecided, true)) => format!("discovery on {d}, undecided"),
            Some((d, DiscoveryOutcome::Undecided, false)) => {
                format!("discovery on {d}, no outcome recorded, so undecided")
            }
        },
    }
}

/// Criterion 4, shared ideal clients.
fn shared_clients(partner: &Partner, settings: &Settings) -> Criterion {
    let shared = shared_ideal_clients(partner, settings);
    Criterion {
        met: !shared.is_empty(),
        evidence: if !shared.is_empty() {
            format!("both serve {}", shared.join(", "))
        } else if partner.ideal_clients.is_empty() {
            "the partner's ideal clients are not recorded".into()
        } else if settings.advisor.ideal_clients.is_empty() {
            "your own ideal clients are not set in rapport.yaml".into()
        } else {
            "no ideal client in common".into()
        },
    }
}

/// Criterion 5, net-new business created together: a working initiative,
/// or net-new referrals both ways in the window.
fn net_new(flow: &Flow, working: &[&Initiative]) -> Criterion {
    let (nn_given, nn_received) = (flow.net_new_given, flow.net_new_received);
    let both_ways = nn_given >= 1 && nn_received >= 1;
    let refs = format!("{nn_given} given, {nn_received} received");
    let evidence = if !working.is_empty() {
        let names: Vec<String> = working.iter().map(|i| describe_initiative(i)).collect();
        let mut s = format!(
            "working initiative{}: {}",
            if names.len() == 1 { "" } else { "s" },
            names.join("; ")
        );
        if both_ways {
            s.push_str(&format!(
                "; net-new referrals both ways in the window ({refs})"
            ));
        }
        s
    } else if both_ways {
        format!("net-new referrals both ways in the window: {refs}")
    } else if nn_given + nn_received == 0 {
        "no working initiative and no net-new referral in the window".into()
    } else {
        format!("no working initiative, and net-new only one way in the window ({refs})")
    };
    Criterion {
        met: !working.is_empty() || both_ways,
        evidence,
    }
}

/// The newest dated activity up to `as_of`: contacts, initiative starts
/// and `since`.
fn last_activity(partner: &Partner, as_of: Day) -> Option<Day> {
    contact_dates(partner)
        .chain(partner.initiatives.iter().filter_map(|i| i.started))
        .chain(partner.since)
        .filter(|d| *d <= as_of)
        .max()
}

/// Criterion 6, active: the newest dated activity is recent enough.
fn active(last_activity: Option<Day>, as_of: Day, stale_days: u32) -> Criterion {
    match last_activity {
        Some(d) => {
            let days = days_between(d, as_of);
            let ago = match days {
                0 => "today".to_string(),
                n => format!("{} ago", plural(n, "day", "days")),
            };
            Criterion {
                met: days <= i64::from(stale_days),
                evidence: format!("last activity on {d}, {ago} (limit {stale_days})"),
            }
        }
        None => Criterion {
            met: false,
            evidence: "no dated activity".into(),
        },
    }
}

/// Keeping in touch: the last contact, the cadence, when the next is due
/// and by how much it and the next step are overdue.
fn keeping_in_touch(partner: &Partner, settings: &Settings) -> Contact {
    let as_of = settings.as_of;
    let last_contact = contact_dates(partner).filter(|d| *d <= as_of).max();
    let cadence = partner
        .contact_every
        .or_else(|| settings.cadence.of(partner.role));
    let due = cadence.map(|c| last_contact.map_or(as_of, |d| add_days(d, c)));
    let overdue = |d: Day| Some(days_between(d, as_of)).filter(|n| *n >= 0);
    Contact {
        last_contact,
        cadence,
        due,
        overdue_days: due.and_then(overdue),
        next_step_overdue_days: partner.next_step.as_ref().and_then(|s| overdue(s.date)),
    }
}

/// What the reason and the next action are written from.
struct Facts<'a> {
    partner: &'a Partner,
    settings: &'a Settings,
    stage: Stage,
    criteria: &'a Criteria,
    flow: &'a Flow,
    resolved: &'a [(Day, Outcome)],
    exceeded: usize,
    belows: &'a [Day],
    share_words: (String, String),
    discovery: Option<(Day, DiscoveryOutcome, bool)>,
    working: &'a [&'a Initiative],
    last_activity: Option<Day>,
    contact: &'a Contact,
}

impl Facts<'_> {
    fn dates(days: &[Day]) -> String {
        days.iter()
            .map(Day::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One sentence: the rule and the evidence that decided the stage.
    fn reason(&self) -> String {
        let c = self.criteria;
        let n = self.resolved.len();
        let min = self.settings.readiness.min_outcomes;
        let (have, want) = &self.share_words;
        let latest = self.resolved.last().map(|(d, _)| *d);
        let body = match self.stage {
            Stage::Dormant if self.partner.role == Role::Inactive => {
                "the role is inactive, kept for the record".to_string()
            }
            Stage::Dormant => match self.last_activity {
                Some(d) => format!(
                    "last activity on {d}, {} ago, past the {}-day limit",
                    plural(days_between(d, self.settings.as_of), "day", "days"),
                    self.settings.readiness.stale_days
                ),
                None => "no dated activity yet".into(),
            },
            Stage::NotAFit => format!(
                "{} of the last three resolved given referrals were below expectations ({})",
                word(self.belows.len()),
                Self::dates(self.belows)
            ),
            Stage::Collaborating => {
                format!("{}; {}", c.mutual_interest.evidence, c.net_new.evidence)
            }
            Stage::DesignNetNew => format!(
                "{}; no business created together yet",
                c.mutual_interest.evidence
            ),
            Stage::DiscoveryUndecided | Stage::Declined => c.mutual_interest.evidence.clone(),
            Stage::ReadyForDiscovery => format!(
                "{} of {n} resolved given referrals exceeded expectations ({have}), the latest on {}, none of the last three below",
                self.exceeded,
                latest.map(|d| d.to_string()).unwrap_or_default()
            ),
            Stage::ExpertProvider => {
                let mut parts = Vec::new();
                if self.exceeded as f64 / n as f64 >= self.settings.readiness.exceed_share {
                    parts.push(format!(
                        "{} of {n} resolved given referrals exceeded expectations ({have})",
                        self.exceeded
                    ));
                } else {
                    parts.push(format!(
                        "only {} of {n} resolved given referrals exceeded expectations ({have}, {want} needed)",
                        self.exceeded
                    ));
                }
                if let [d] = self.belows {
                    parts.push(format!("one of the last three was below ({d})"));
                }
                parts.join(", but ")
            }
            Stage::BuildingTrackRecord if n == 0 => {
                format!("no resolved given referral yet ({min} needed)")
            }
            Stage::BuildingTrackRecord => format!(
                "{} so far, the latest on {}; {min} needed",
                plural(n as i64, "resolved given referral", "resolved given referrals"),
                latest.map(|d| d.to_string()).unwrap_or_default()
            ),
        };
        format!("{}: {body}", self.stage.reason_name())
    }

    /// Whether the relationship is meant to run both ways.
    fn meant_two_way(&self) -> bool {
        matches!(self.partner.role, Role::Collaborator | Role::Coi)
            || matches!(self.stage, Stage::DesignNetNew | Stage::Collaborating)
    }

    fn sent_none_back(&self) -> String {
        format!(
            "you sent {} in {} and received none",
            plural(self.flow.given, "client", "clients"),
            plural(self.settings.window_months, "month", "months")
        )
    }

    /// What to do now, as one sentence: the most important action, then
    /// at most one more. What is overdue comes first (the next step, or
    /// else the contact), then a one-way street that needs raising, then
    /// what the stage calls for; the advice never contradicts the planned
    /// next step or the one-way street, and a next step whose own words
    /// already say "then" is followed by nothing.
    fn next_action(&self) -> String {
        // Each candidate as the sentence's lead and as its "then" part.
        let mut candidates: Vec<(String, String)> = Vec::new();
        let step = self.partner.next_step.as_ref();
        let step_overdue = step.zip(self.contact.next_step_overdue_days);
        let contact_overdue = self.contact.overdue_days.zip(self.contact.cadence);
        let contact_words = |days: i64, cadence: u32| match (self.contact.last_contact, days) {
            (None, _) => format!("no contact recorded yet ({cadence}-day cadence)"),
            (Some(_), 0) => format!("due today on your {cadence}-day cadence"),
            (Some(_), d) => format!(
                "{} past your {cadence}-day cadence",
                plural(d, "day", "days")
            ),
        };
        if let Some((step, days)) = step_overdue {
            let when = match days {
                0 => "due today".to_string(),
                d => format!("{} overdue", plural(d, "day", "days")),
            };
            // Doing the step is a contact (a step done counts as one), so
            // an overdue contact is said with it, not as a second action.
            let also = contact_overdue
                .map(|(d, c)| format!("; contact {}", contact_words(d, c)))
                .unwrap_or_default();
            let s = format!(
                "{} ({when}{also})",
                step.action.trim().trim_end_matches('.')
            );
            candidates.push((s.clone(), s));
        } else if let Some((days, cadence)) = contact_overdue {
            let s = format!("get in touch: {}", contact_words(days, cadence));
            candidates.push((s.clone(), s));
        }
        let quiet = matches!(self.stage, Stage::Dormant);
        let raised_one_way =
            self.flow.reciprocity == Reciprocity::OneWayGiven && self.meant_two_way() && !quiet;
        if raised_one_way {
            candidates.push((
                format!("{}: raise it before sending more", self.sent_none_back()),
                format!(
                    "raise the one-way flow before sending more ({})",
                    self.sent_none_back()
                ),
            ));
        }
        if self.flow.reciprocity == Reciprocity::OneWayReceived
            && !quiet
            && self.stage != Stage::NotAFit
        {
            let n = self.flow.received;
            candidates.push((
                format!("you have received {n} and sent none: look for a client to send them"),
                format!("look for a client to send them (you have received {n} and sent none)"),
            ));
        }
        let (advice, refers) = self.stage_advice();
        if !quiet {
            if !(refers && raised_one_way) || candidates.is_empty() {
                candidates.push((advice.clone(), advice));
            }
        } else if candidates.is_empty() {
            candidates.push((advice.clone(), advice));
        } else if step_overdue.is_none() && self.partner.role != Role::Inactive {
            // The contact is the reconnecting; a step on a quiet
            // relationship is too, and needs nothing after it.
            let then = if self.partner.role == Role::Coi {
                "thank them for past introductions"
            } else {
                "learn what has changed before referring again"
            };
            candidates.push((String::new(), then.to_string()));
        }
        let mut it = candidates.into_iter();
        let Some((lead, _)) = it.next() else {
            return String::new();
        };
        let says_then = lead
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case("then"));
        match it.next() {
            Some((_, then)) if !says_then => capitalized(&format!("{lead}, then {then}")),
            _ => capitalized(&lead),
        }
    }

    /// The planned next step, when it is not overdue and is a discovery
    /// conversation: its date.
    fn planned_discovery(&self) -> Option<Day> {
        let step = self.partner.next_step.as_ref()?;
        (self.contact.next_step_overdue_days.is_none()
            && step.action.to_lowercase().contains("discovery"))
        .then_some(step.date)
    }

    /// The day a declined partner may be asked again: 365 days after the
    /// conversation.
    fn ask_again(&self) -> Option<(Day, Day)> {
        let (day, _, _) = self.discovery?;
        Some((day, add_days(day, week::ASK_AGAIN_DAYS)))
    }

    /// What the stage calls for, in the words of the partner's role, and
    /// whether it asks for more referrals.
    fn stage_advice(&self) -> (String, bool) {
        let coi = self.partner.role == Role::Coi;
        let n = self.resolved.len();
        let min = self.settings.readiness.min_outcomes as usize;
        let planned = self.planned_discovery();
        let s = |t: &str| (t.to_string(), false);
        match self.stage {
            Stage::Dormant if self.partner.role == Role::Inactive => {
                s("keep the note for the record")
            }
            Stage::Dormant if coi => {
                s("reconnect: call to catch up and thank them for past introductions")
            }
            Stage::Dormant => {
                s("reconnect: call or meet to learn what has changed before referring again")
            }
            Stage::NotAFit if coi => {
                s("keep them informed and thanked, and send clients where they are served better")
            }
            Stage::NotAFit => s(
                "talk through the referrals that fell short, and refer elsewhere until the service is what your clients need",
            ),
            Stage::Collaborating => match self.working {
                [] => s("turn the net-new referrals flowing both ways into one joint initiative"),
                [one] => (
                    format!(
                        "keep the joint initiative ({}) running and measure what it brings both of you",
                        one.name.trim()
                    ),
                    false,
                ),
                _ => s("keep the joint initiatives running and measure what they bring both of you"),
            },
            Stage::DesignNetNew => s("propose one joint initiative"),
            Stage::DiscoveryUndecided => (
                format!(
                    "follow up the discovery conversation of {}: ask what would help them decide",
                    self.discovery.map(|(d, _, _)| d.to_string()).unwrap_or_default()
                ),
                false,
            ),
            Stage::Declined => {
                let Some((day, again)) = self.ask_again() else {
                    return s("");
                };
                if self.settings.as_of >= again {
                    (
                        format!("a year has passed since they declined on {day}: ask again whether they would explore new clients together"),
                        false,
                    )
                } else if let Some(when) = planned {
                    (
                        format!("hold the discovery conversation planned for {when} and listen"),
                        false,
                    )
                } else if coi {
                    (
                        format!("keep them informed and thanked; ask again on or after {again}"),
                        false,
                    )
                } else {
                    (
                        format!("keep referring where it serves your clients; ask again on or after {again}"),
                        true,
                    )
                }
            }
            Stage::ReadyForDiscovery => {
                let mut t = match planned {
                    Some(when) => format!(
                        "invite them to the mutual discovery conversation planned for {when}, about bringing in new clients together, and listen"
                    ),
                    None => "invite them to a mutual discovery conversation about bringing in new clients together, and listen".to_string(),
                };
                if self.flow.reciprocity == Reciprocity::OneWayGiven && !self.meant_two_way() {
                    t.push_str(&format!(
                        " (so far {}: ask how they could send clients your way)",
                        self.sent_none_back()
                    ));
                }
                (t, false)
            }
            _ if planned.is_some() => (
                format!(
                    "hold the discovery conversation planned for {} and listen",
                    planned.map(|d| d.to_string()).unwrap_or_default()
                ),
                false,
            ),
            Stage::ExpertProvider | Stage::BuildingTrackRecord if coi => {
                s("keep them informed and thank them for each introduction")
            }
            Stage::ExpertProvider => match self.belows {
                [d] => (
                    format!("keep referring where it serves your clients, and talk through the referral that fell short on {d}"),
                    true,
                ),
                _ => (
                    "keep referring where it serves your clients, and watch for work that consistently exceeds expectations".into(),
                    true,
                ),
            },
            Stage::BuildingTrackRecord if n == 0 => (
                "refer a first client where it fits and record how it turns out".into(),
                true,
            ),
            Stage::BuildingTrackRecord => (
                format!(
                    "refer where it fits and record how each referral turns out: {} needed",
                    plural((min - n) as i64, "more resolved referral", "more resolved referrals")
                ),
                true,
            ),
        }
    }
}

#[cfg(test)]
mod tests;
