//! What each page shows, as plain data handed to the templates: rows of
//! numbers, timelines, groups and chart data, with words for people.

use serde::Serialize;

use crate::analysis::{week, CriterionKey, Reciprocity, Report, Stage, Window};
use crate::book::{Direction, MeetingKind, Outcome, Partner, ReferralType, Settings};

use super::redact::Scrubber;

/// The book-wide facts every page shows in its frame.
#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub as_of: String,
    pub window_start: String,
    pub window_end: String,
    pub window_months: u32,
    pub advisor: Option<String>,
    pub redacted: bool,
    pub stale_days: u32,
    /// The settings' currency, shown with every value.
    pub currency: Option<String>,
}

impl SiteInfo {
    pub fn new(settings: &Settings, window: Window) -> SiteInfo {
        SiteInfo {
            title: settings.title.clone(),
            as_of: settings.as_of.to_string(),
            window_start: window.start.to_string(),
            window_end: window.end.to_string(),
            window_months: settings.window_months,
            advisor: settings.advisor.name.clone(),
            redacted: settings.privacy.redact_clients,
            stale_days: settings.readiness.stale_days,
            currency: settings.currency.clone().filter(|c| !c.is_empty()),
        }
    }
}

/// One readiness criterion, for people.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionView {
    pub key: CriterionKey,
    pub label: &'static str,
    pub met: bool,
    pub evidence: String,
    /// The stage above needs it.
    pub needed: bool,
}

/// The words for a reciprocity class.
pub fn reciprocity_label(r: Reciprocity) -> &'static str {
    match r {
        Reciprocity::None => "No referrals in the window",
        Reciprocity::OneWayGiven => "One-way street: you give, nothing comes back",
        Reciprocity::OneWayReceived => "One-way street: they send, you give nothing back",
        Reciprocity::GivenHeavy => "Given-heavy: you send 3 to 1 or more",
        Reciprocity::ReceivedHeavy => "Received-heavy: they send 3 to 1 or more",
        Reciprocity::Balanced => "Balanced",
    }
}

/// A number with thousands separators and two decimals (none when
/// whole); a number too small for two decimals is written out in full
/// (`0.0000001`), never rounded to nothing.
pub fn amount(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let abs = x.abs();
    let text = if abs != 0.0 && abs < 0.005 {
        abs.to_string()
    } else {
        format!("{abs:.2}")
    };
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac.chars().any(|c| c != '0') {
        out.push('.');
        out.push_str(frac);
    }
    if x < 0.0 && out != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// A value with the currency of the settings when there is one:
/// `USD 4,500` for a code, `$4,500` for a symbol.
pub fn money(x: f64, currency: Option<&str>) -> String {
    let n = amount(x);
    match currency.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if c.chars().all(|ch| ch.is_alphabetic()) => format!("{c} {n}"),
        Some(c) => match n.strip_prefix('-') {
            Some(pos) => format!("-{c}{pos}"),
            None => format!("{c}{n}"),
        },
        None => n,
    }
}

/// "3 days", "1 day".
pub fn days(n: i64) -> String {
    format!("{n} day{}", if n == 1 { "" } else { "s" })
}

/// How late something is, for people: "due today", "12 days overdue".
pub fn overdue_words(d: i64) -> String {
    if d == 0 {
        "due today".to_string()
    } else {
        format!("{} overdue", days(d))
    }
}

/// When something falls due, counted from `as_of`: "due today", "3 days
/// overdue", "due in 5 days".
pub fn due_words(in_days: i64) -> String {
    if in_days <= 0 {
        overdue_words(-in_days)
    } else if in_days == 1 {
        "due tomorrow".to_string()
    } else {
        format!("due in {}", days(in_days))
    }
}

/// "gave 3, received 1": the balance as people read it.
pub fn flow_words(given: u32, received: u32) -> String {
    if given == 0 && received == 0 {
        "no referrals either way".to_string()
    } else {
        format!("gave {given}, received {received}")
    }
}

/// One partner's numbers, the same on every page that lists partners.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub slug: String,
    pub name: String,
    pub firm: Option<String>,
    pub profession: String,
    pub role: &'static str,
    /// The role spelled out: "Expert service provider".
    pub role_label: &'static str,
    /// Serialized as its kebab-case name, as `Stage::as_str` spells it.
    pub stage: Stage,
    pub stage_title: &'static str,
    /// The stage's place on the ladder, lowest first, for sorting.
    pub stage_rank: usize,
    /// Why the partner is at this stage, with dates.
    pub reason: String,
    /// The stage above this one, when there is one to reach.
    pub next_stage_title: Option<&'static str>,
    /// What holds the partner back from it: the unmet criteria it needs.
    pub blocked: Vec<&'static str>,
    pub next_action: String,
    pub score: u32,
    pub given: u32,
    pub received: u32,
    pub net_new_given: u32,
    pub net_new_received: u32,
    /// "gave 3, received 1".
    pub flow_words: String,
    pub given_value: String,
    pub received_value: String,
    pub given_value_raw: f64,
    pub received_value_raw: f64,
    pub balance: String,
    pub balance_raw: f64,
    /// What the balance means, in words.
    pub balance_hint: String,
    pub received_won_value: String,
    /// Won of the received referrals won or lost: "67%", or none.
    pub conversion: Option<String>,
    /// What the conversion means, in words.
    pub conversion_hint: String,
    /// Received referrals of the last 30 days not thanked yet.
    pub to_thank: u32,
    /// Serialized as its kebab-case name, as `Reciprocity::as_str` spells it.
    pub reciprocity: Reciprocity,
    pub reciprocity_label: &'static str,
    pub one_way: bool,
    pub active: bool,
    pub last_activity: Option<String>,
    pub next_step_date: Option<String>,
    pub next_step_action: Option<String>,
    /// Days from `as_of` to the next step (negative: overdue).
    pub next_step_in: Option<i64>,
    /// "12 days overdue", "due today", "due in 5 days".
    pub next_step_when: Option<String>,
    pub next_step_overdue: bool,
    pub last_contact: Option<String>,
    pub cadence: Option<u32>,
    pub contact_due: Option<String>,
    /// Days from `as_of` to the day to get in touch by (negative: overdue).
    pub contact_in: Option<i64>,
    pub contact_when: Option<String>,
    pub contact_overdue: bool,
    /// A next step or a contact is due today or overdue.
    pub overdue: bool,
    /// The more urgent of the two for the due column: its words and its
    /// days from `as_of`.
    pub due_when: Option<String>,
    pub due_in: Option<i64>,
    pub criteria: Vec<CriterionView>,
    pub met: u32,
    /// Its row of the dashboard's "This week", when anything is due.
    #[serde(skip)]
    pub week: Option<WeekRow>,
}

impl Row {
    /// The row of a partner; `with_criteria` adds the six criteria and
    /// their evidence (pages that list every partner in a table leave
    /// them out).
    pub fn new(p: &Partner, r: &Report, settings: &Settings, scrub: Option<&Scrubber>) -> Row {
        let currency = settings.currency.as_deref();
        let as_of = settings.as_of;
        let from_today = |d: crate::book::Day| (d.0 - as_of.0).num_days();
        let clean = |s: &str| match scrub {
            Some(sc) => sc.scrub(s),
            None => s.to_string(),
        };
        let stage = r.readiness.stage;
        let needs = stage.needs();
        let criteria = r
            .readiness
            .criteria
            .iter()
            .into_iter()
            .map(|(key, c)| CriterionView {
                key,
                label: key.label(),
                met: c.met,
                evidence: clean(&c.evidence),
                needed: needs.contains(&key),
            })
            .collect();
        let blocked = needs
            .iter()
            .filter(|k| !r.readiness.criteria.get(**k).met)
            .map(|k| k.short())
            .collect();
        let next_step_in = p.next_step.as_ref().map(|n| from_today(n.date));
        let contact_in = r.contact.due.map(from_today);
        let due_in = match (next_step_in, contact_in) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Row {
            slug: p.slug.clone(),
            name: p.name.clone(),
            firm: p.firm.as_deref().map(clean),
            profession: p.profession.as_deref().map(clean).unwrap_or_default(),
            role: p.role.as_str(),
            role_label: p.role.label(),
            stage,
            stage_title: stage.label(),
            stage_rank: stage.rank(),
            reason: clean(&r.readiness.reason),
            next_stage_title: stage.next().map(Stage::label),
            blocked,
            next_action: clean(&r.readiness.next_action),
            score: r.readiness.score,
            given: r.flow.given,
            received: r.flow.received,
            net_new_given: r.flow.net_new_given,
            net_new_received: r.flow.net_new_received,
            flow_words: flow_words(r.flow.given, r.flow.received),
            given_value: money(r.flow.given_value, currency),
            received_value: money(r.flow.received_value, currency),
            given_value_raw: r.flow.given_value,
            received_value_raw: r.flow.received_value,
            balance: r
                .flow
                .balance
                .map_or_else(|| "–".to_string(), |b| format!("{b:+.2}")),
            balance_raw: r.flow.balance.unwrap_or(0.0),
            balance_hint: match r.flow.balance {
                None => "no referral either way in the window".into(),
                Some(_) => "−1: you only give; +1: they only send; 0: even; ±0.5: 3 to 1".into(),
            },
            received_won_value: money(r.flow.received_won_value, currency),
            conversion: r
                .flow
                .conversion
                .map(|c| format!("{}%", (c * 100.0).round())),
            conversion_hint: match r.flow.won + r.flow.lost {
                0 => "none of the clients they sent is won or lost yet".into(),
                n => format!(
                    "{} of the {n} clients they sent with an outcome became your clients",
                    r.flow.won
                ),
            },
            to_thank: r.flow.to_thank,
            reciprocity: r.flow.reciprocity,
            reciprocity_label: reciprocity_label(r.flow.reciprocity),
            one_way: r.one_way,
            active: r.readiness.criteria.active.met,
            last_activity: r.last_activity.map(|d| d.to_string()),
            next_step_date: p.next_step.as_ref().map(|n| n.date.to_string()),
            next_step_action: p.next_step.as_ref().map(|n| clean(&n.action)),
            next_step_in,
            next_step_when: next_step_in.map(due_words),
            next_step_overdue: next_step_in.is_some_and(|d| d <= 0),
            last_contact: r.contact.last_contact.map(|d| d.to_string()),
            cadence: r.contact.cadence,
            contact_due: r.contact.due.map(|d| d.to_string()),
            contact_in,
            contact_when: contact_in.map(due_words),
            contact_overdue: contact_in.is_some_and(|d| d <= 0),
            overdue: due_in.is_some_and(|d| d <= 0),
            due_when: due_in.map(due_words),
            due_in,
            criteria,
            met: r.readiness.criteria.met_count(),
            week: week_row(p, r, settings, scrub),
        }
    }
}

/// The dashboard's totals for the window.
#[derive(Debug, Serialize)]
pub struct Totals {
    pub partners: usize,
    pub active: usize,
    pub given: u32,
    pub received: u32,
    pub net_new_given: u32,
    pub net_new_received: u32,
    pub given_value: String,
    pub received_value: String,
    pub won: u32,
    pub lost: u32,
    pub pending: u32,
    pub conversion: Option<String>,
    pub one_way: usize,
    pub ready: usize,
    /// Partners with something to do this week: the rows of "This week".
    pub this_week: usize,
}

/// What the dashboard's lists need of a partner.
#[derive(Debug, Serialize)]
pub struct Brief<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub profession: &'a str,
    pub stage: Stage,
    pub stage_title: &'static str,
    pub reason: &'a str,
    pub met: u32,
    pub given: u32,
    pub received: u32,
    pub net_new_received: u32,
    pub last_activity: Option<&'a str>,
}

impl<'a> Brief<'a> {
    pub fn of(r: &'a Row) -> Brief<'a> {
        Brief {
            slug: &r.slug,
            name: &r.name,
            profession: &r.profession,
            stage: r.stage,
            stage_title: r.stage_title,
            reason: &r.reason,
            met: r.met,
            given: r.given,
            received: r.received,
            net_new_received: r.net_new_received,
            last_activity: r.last_activity.as_deref(),
        }
    }
}

/// How many partners a stage holds, with what it calls for.
#[derive(Debug, Serialize)]
pub struct StageCount {
    pub stage: &'static str,
    pub title: &'static str,
    pub next_action: &'static str,
    pub count: usize,
}

/// One item of a partner's row of "This week".
#[derive(Debug, Clone, Serialize)]
pub struct WeekItemView {
    /// `overdue`, `move`, `thank` or `soon`.
    pub kind: week::Kind,
    /// The badge: "12 days overdue", "invite", "to thank", "due in 3 days".
    pub when: String,
    /// What to do and why, in one sentence.
    pub text: String,
    /// Due today or overdue.
    pub urgent: bool,
    /// The invitation to a discovery conversation: its draft is on the
    /// dashboard.
    pub invite: bool,
}

/// A partner's row of the dashboard's "This week": everything due for
/// them, most urgent first.
#[derive(Debug, Clone, Serialize)]
pub struct WeekRow {
    pub slug: String,
    pub name: String,
    pub stage: Stage,
    pub stage_title: &'static str,
    /// Its most urgent item is due today or overdue.
    pub overdue: bool,
    pub items: Vec<WeekItemView>,
    /// The most urgent item's place in the order of rows.
    #[serde(skip)]
    pub urgency: (week::Kind, i64),
}

/// A partner's row of "This week", when anything is due for them.
pub fn week_row(
    p: &Partner,
    r: &Report,
    settings: &Settings,
    scrub: Option<&Scrubber>,
) -> Option<WeekRow> {
    let items = week::items(p, r, settings);
    let urgency = items.first()?.urgency();
    let clean = |s: &str| match scrub {
        Some(sc) => sc.scrub(s),
        None => s.to_string(),
    };
    let stage = r.readiness.stage;
    Some(WeekRow {
        slug: p.slug.clone(),
        name: p.name.clone(),
        stage,
        stage_title: stage.label(),
        overdue: urgency.0 == week::Kind::Overdue,
        urgency,
        items: items
            .iter()
            .map(|i| WeekItemView {
                kind: i.kind,
                when: match (i.kind, i.step) {
                    (week::Kind::Overdue, _) => overdue_words(-i.in_days),
                    (week::Kind::Soon, _) => due_words(i.in_days),
                    (week::Kind::Thank, _) => "to thank".into(),
                    (_, Some(week::Move::Invite)) => "invite".into(),
                    (_, Some(week::Move::FollowUp)) => "follow up".into(),
                    (_, Some(week::Move::SendClient)) => "send a client".into(),
                    (_, Some(week::Move::KeepInformed)) => "thank".into(),
                    (_, Some(week::Move::AskAgain)) => "ask again".into(),
                    (week::Kind::Move, None) => "move".into(),
                },
                text: clean(&i.text),
                urgent: i.kind == week::Kind::Overdue,
                invite: i.step == Some(week::Move::Invite),
            })
            .collect(),
    })
}

/// How many partners a reciprocity class holds.
#[derive(Debug, Serialize)]
pub struct ClassCount {
    pub key: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub one_way: bool,
}

/// A calendar quarter, counted from year 0.
pub fn quarter_of(day: crate::book::Day) -> i32 {
    use chrono::Datelike;
    day.0.year() * 4 + (day.0.month0() / 3) as i32
}

/// The quarters the window touches, oldest first.
pub fn window_quarters(window: Window) -> Vec<i32> {
    (quarter_of(window.start)..=quarter_of(window.end)).collect()
}

pub fn quarter_label(q: i32) -> String {
    format!("{} Q{}", q.div_euclid(4), q.rem_euclid(4) + 1)
}

pub fn quarter_short(q: i32) -> String {
    format!(
        "Q{} ’{:02}",
        q.rem_euclid(4) + 1,
        q.div_euclid(4).rem_euclid(100)
    )
}

/// Referral counts of one quarter.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, Hash)]
pub struct QuarterCounts {
    pub label: String,
    pub given: u32,
    pub received: u32,
    pub net_new: u32,
    pub existing: u32,
}

/// Counts a partner's referrals in the window by quarter, added to `into`.
pub fn add_quarters(p: &Partner, window: Window, quarters: &[i32], into: &mut [QuarterCounts]) {
    let Some(&first) = quarters.first() else {
        return;
    };
    for r in &p.referrals {
        if !window.contains(r.date) {
            continue;
        }
        let i = (quarter_of(r.date) - first) as usize;
        let Some(q) = into.get_mut(i) else { continue };
        match r.direction {
            Direction::Given => q.given += 1,
            Direction::Received => q.received += 1,
        }
        match r.kind {
            ReferralType::NetNew => q.net_new += 1,
            ReferralType::Existing => q.existing += 1,
        }
    }
}

pub fn empty_quarters(quarters: &[i32]) -> Vec<QuarterCounts> {
    quarters
        .iter()
        .map(|&q| QuarterCounts {
            label: quarter_label(q),
            ..QuarterCounts::default()
        })
        .collect()
}

/// One dated entry of a partner's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub date: String,
    /// `given`, `received`, `meeting`, `initiative` or `step` (a next step
    /// done), for styling.
    pub kind: &'static str,
    pub what: String,
    pub detail: Option<String>,
    pub outcome: Option<&'static str>,
    pub value: Option<String>,
    pub client: Option<String>,
    /// Dated after `as_of`: planned, not counted.
    pub upcoming: bool,
}

/// A partner's referrals, meetings, initiatives and next steps done,
/// newest first.
pub fn timeline(p: &Partner, settings: &Settings, scrub: Option<&Scrubber>) -> Vec<Event> {
    let as_of = settings.as_of;
    let redact = settings.privacy.redact_clients;
    let clean = |s: &str| match scrub {
        Some(sc) => sc.scrub(s),
        None => s.to_string(),
    };
    let mut events: Vec<(crate::book::Day, usize, Event)> = Vec::new();
    for r in &p.referrals {
        let kind_word = match r.kind {
            ReferralType::NetNew => "net-new",
            ReferralType::Existing => "existing client",
        };
        let what = match r.direction {
            Direction::Given => format!("Referral given ({kind_word})"),
            Direction::Received => match r.thanked {
                Some(t) if t <= as_of => format!("Referral received ({kind_word}), thanked {t}"),
                _ => format!("Referral received ({kind_word})"),
            },
        };
        let outcome = r.outcome();
        events.push((
            r.date,
            events.len(),
            Event {
                date: r.date.to_string(),
                kind: r.direction.as_str(),
                what,
                detail: r.note.as_deref().map(clean),
                outcome: Some(outcome_word(outcome)),
                value: r.value.map(amount),
                client: if redact { None } else { r.client.clone() },
                upcoming: r.date > as_of,
            },
        ));
    }
    for m in &p.meetings {
        let what = match m.kind {
            MeetingKind::Discovery => "Mutual discovery conversation".to_string(),
            MeetingKind::CheckIn => "Check-in".to_string(),
            MeetingKind::Event => "Event".to_string(),
            MeetingKind::Call => "Call".to_string(),
            MeetingKind::Meal => "Meal".to_string(),
            MeetingKind::Other => "Meeting".to_string(),
        };
        events.push((
            m.date,
            events.len(),
            Event {
                date: m.date.to_string(),
                kind: "meeting",
                what,
                detail: m.summary.as_deref().map(clean),
                outcome: m.outcome.map(|o| o.as_str()),
                value: None,
                client: None,
                upcoming: m.date > as_of,
            },
        ));
    }
    for i in &p.initiatives {
        let Some(date) = i.started else { continue };
        let mut detail = String::new();
        if let Some(s) = i.status {
            detail.push_str(&format!("status {s}"));
        }
        if let Some(n) = i.new_clients {
            if !detail.is_empty() {
                detail.push_str(", ");
            }
            detail.push_str(&format!("{n} new client{}", if n == 1 { "" } else { "s" }));
        }
        events.push((
            date,
            events.len(),
            Event {
                date: date.to_string(),
                kind: "initiative",
                what: format!("Initiative started: {}", clean(&i.name)),
                detail: (!detail.is_empty()).then_some(detail),
                outcome: None,
                value: None,
                client: None,
                upcoming: date > as_of,
            },
        ));
    }
    for st in &p.steps {
        events.push((
            st.date,
            events.len(),
            Event {
                date: st.date.to_string(),
                kind: "step",
                what: format!("Next step done: {}", clean(&st.action)),
                detail: None,
                outcome: None,
                value: None,
                client: None,
                upcoming: st.date > as_of,
            },
        ));
    }
    events.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    events.into_iter().map(|(_, _, e)| e).collect()
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Exceeded => "exceeded expectations",
        Outcome::Met => "met expectations",
        Outcome::Below => "below expectations",
        Outcome::Pending => "pending",
        Outcome::Won => "won",
        Outcome::Lost => "lost",
    }
}

/// Initiatives without a start date, which the timeline cannot place.
#[derive(Debug, Clone, Serialize)]
pub struct InitiativeView {
    pub name: String,
    pub status: Option<&'static str>,
    pub new_clients: Option<u32>,
    pub started: Option<String>,
}

pub fn initiatives(p: &Partner, scrub: Option<&Scrubber>) -> Vec<InitiativeView> {
    p.initiatives
        .iter()
        .map(|i| InitiativeView {
            name: match scrub {
                Some(s) => s.scrub(&i.name),
                None => i.name.clone(),
            },
            status: i.status.map(|s| s.as_str()),
            new_clients: i.new_clients,
            started: i.started.map(|d| d.to_string()),
        })
        .collect()
}

/// A stage's badge in the stylesheet.
#[derive(Debug, Clone, Serialize)]
pub struct StageBadge {
    /// As in the class name: `stage-ready-for-discovery`.
    pub slug: &'static str,
    /// `#rrggbb`, the same as its bars on the charts.
    pub colour: String,
}

/// What the stylesheet template gets: `stages`, the badge of each stage
/// in the order of the readiness report.
pub fn stylesheet_context() -> tera::Context {
    let stages: Vec<StageBadge> = Stage::PATH
        .iter()
        .map(|s| StageBadge {
            slug: s.as_str(),
            colour: s.colour().hex(),
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("stages", &stages);
    ctx
}

/// Partners of one stage, for the readiness report and the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct StageGroup<P> {
    pub stage: &'static str,
    pub title: &'static str,
    pub next_action: &'static str,
    pub count: usize,
    /// The partners shown in full, at most [`CARDS_PER_STAGE`].
    pub partners: Vec<P>,
    /// How many more are at this stage, listed in the partner table.
    pub more: usize,
}

/// How many partners a stage shows in full on the readiness report; the
/// rest are counted and linked, so a book of thousands of partners still
/// gives a report a browser opens quickly.
pub const CARDS_PER_STAGE: usize = 60;

/// The partners by stage, in the order of the path: each partner shown
/// in full as `shown` gives it (by its place in `rows`).
pub fn stage_groups<P>(rows: &[&Row], shown: impl Fn(usize) -> P) -> Vec<StageGroup<P>> {
    let mut groups: Vec<StageGroup<P>> = Stage::PATH
        .iter()
        .map(|s| StageGroup {
            stage: s.as_str(),
            title: s.label(),
            next_action: s.advice(),
            count: 0,
            partners: Vec::new(),
            more: 0,
        })
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let Some(g) = Stage::PATH.iter().position(|s| *s == r.stage) else {
            continue;
        };
        let g = &mut groups[g];
        g.count += 1;
        if g.partners.len() < CARDS_PER_STAGE {
            g.partners.push(shown(i));
        } else {
            g.more += 1;
        }
    }
    groups
}

/// Whether a URL may become a link on the site.
pub fn safe_web_link(url: &str) -> Option<String> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    ((lower.starts_with("https://") || lower.starts_with("http://"))
        && u.len() > 8
        && !u
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>'))
    .then(|| u.to_string())
}

/// A `mailto:` link for an e-mail address that looks like one.
pub fn mail_link(email: &str) -> Option<String> {
    let e = email.trim();
    let ok = e.split_once('@').is_some_and(|(a, b)| {
        !a.is_empty()
            && b.contains('.')
            && !e
                .chars()
                .any(|c| c.is_whitespace() || "\"<>,;:()[]\\".contains(c))
    });
    ok.then(|| format!("mailto:{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_has_each_stages_badge_in_the_charts_colour() {
        let css = tera::Tera::one_off(
            include_str!("../../templates/style.css"),
            &stylesheet_context(),
            false,
        )
        .unwrap();
        for s in Stage::LADDER {
            let plotters::style::RGBColor(r, g, b) = super::super::charts::stage_color(s);
            let colour = format!("#{r:02x}{g:02x}{b:02x}");
            assert_eq!(colour, s.colour().hex());
            let badge = format!("\n.stage-{} {{ border-color: {colour}; }}\n", s.as_str());
            assert_eq!(css.matches(&badge).count(), 1, "{badge}");
        }
        // Listed together, in the order of the readiness report.
        let badges: Vec<&str> = css
            .lines()
            .filter(|l| l.starts_with(".stage-") && l.contains("border-color"))
            .collect();
        let slugs: Vec<String> = badges
            .iter()
            .map(|l| l[".stage-".len()..l.find(' ').unwrap()].to_string())
            .collect();
        let path: Vec<&str> = Stage::PATH.iter().map(|s| s.as_str()).collect();
        assert_eq!(slugs, path);
    }

    #[test]
    fn amounts_read_well() {
        assert_eq!(amount(0.0), "0");
        assert_eq!(amount(4500.0), "4,500");
        assert_eq!(amount(1234567.5), "1,234,567.50");
    }

    #[test]
    fn any_finite_amount_is_shown_as_it_is() {
        assert_eq!(amount(1e20), "100,000,000,000,000,000,000");
        assert_eq!(amount(-3.5), "-3.50");
        assert_eq!(amount(0.1), "0.10");
        assert_eq!(amount(1e-7), "0.0000001");
        assert_eq!(amount(-1e-7), "-0.0000001");
        assert_eq!(amount(0.999), "1");
        assert_eq!(amount(-2e15), "-2,000,000,000,000,000");
    }

    #[test]
    fn only_web_and_mail_links() {
        assert!(safe_web_link("javascript:alert(1)").is_none());
        assert!(safe_web_link("https://example.org").is_some());
        assert_eq!(mail_link("a@b.org").as_deref(), Some("mailto:a@b.org"));
        assert!(mail_link("not an address").is_none());
    }
}
