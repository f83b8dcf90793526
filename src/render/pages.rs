//! What each page shows, as plain data handed to the templates: rows of
//! numbers, timelines, groups and chart data, with words for people.

use serde::Serialize;

use crate::analysis::{Reciprocity, Report, Stage, Window};
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
        }
    }
}

/// One readiness criterion, for people.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionView {
    pub key: &'static str,
    pub label: &'static str,
    pub met: bool,
    pub evidence: String,
}

/// The words for a criterion.
pub fn criterion_label(key: &str) -> &'static str {
    match key {
        "track_record" => "Track record: consistently exceeds expectations",
        "two_way" => "Referrals flow both ways",
        "mutual_interest" => "Mutual interest in a discovery conversation",
        "shared_ideal_clients" => "Shares your ideal clients",
        "net_new" => "Net-new business together",
        "active" => "Active relationship",
        _ => "Criterion",
    }
}

/// The words for a reciprocity class.
pub fn reciprocity_label(r: Reciprocity) -> &'static str {
    match r {
        Reciprocity::None => "No referrals in the window",
        Reciprocity::OneWayGiven => "One-way street: you give, nothing comes back",
        Reciprocity::OneWayReceived => "One-way street: they send, you give nothing back",
        Reciprocity::GivenHeavy => "Given-heavy: you send more than 3 to 1",
        Reciprocity::ReceivedHeavy => "Received-heavy: they send more than 3 to 1",
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

/// One partner's numbers, the same on every page that lists partners.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub slug: String,
    pub name: String,
    pub firm: Option<String>,
    pub profession: String,
    pub role: &'static str,
    /// Serialized as its kebab-case name, as `Stage::as_str` spells it.
    pub stage: Stage,
    pub stage_title: &'static str,
    /// The stage's place on the ladder, lowest first, for sorting.
    pub stage_rank: usize,
    pub next_action: String,
    pub score: u32,
    pub given: u32,
    pub received: u32,
    pub given_value: String,
    pub received_value: String,
    pub given_value_raw: f64,
    pub received_value_raw: f64,
    pub balance: String,
    pub balance_raw: f64,
    /// Serialized as its kebab-case name, as `Reciprocity::as_str` spells it.
    pub reciprocity: Reciprocity,
    pub reciprocity_label: &'static str,
    pub one_way: bool,
    pub active: bool,
    pub last_activity: Option<String>,
    pub next_step_date: Option<String>,
    pub next_step_action: Option<String>,
    pub criteria: Vec<CriterionView>,
    pub met: u32,
}

impl Row {
    /// The row of a partner; `with_criteria` adds the six criteria and
    /// their evidence (pages that list every partner in a table leave
    /// them out).
    pub fn new(p: &Partner, r: &Report, scrub: Option<&Scrubber>, with_criteria: bool) -> Row {
        let clean = |s: &str| match scrub {
            Some(sc) => sc.scrub(s),
            None => s.to_string(),
        };
        let criteria = r
            .readiness
            .criteria
            .iter()
            .iter()
            .filter(|_| with_criteria)
            .map(|(key, c)| CriterionView {
                key,
                label: criterion_label(key),
                met: c.met,
                evidence: clean(&c.evidence),
            })
            .collect();
        let stage = r.readiness.stage;
        Row {
            slug: p.slug.clone(),
            name: p.name.clone(),
            firm: p.firm.as_deref().map(clean),
            profession: p.profession.as_deref().map(clean).unwrap_or_default(),
            role: p.role.as_str(),
            stage,
            stage_title: stage.label(),
            stage_rank: Stage::LADDER.iter().position(|s| *s == stage).unwrap_or(0),
            next_action: clean(&r.readiness.next_action),
            score: r.readiness.score,
            given: r.flow.given,
            received: r.flow.received,
            given_value: amount(r.flow.given_value),
            received_value: amount(r.flow.received_value),
            given_value_raw: r.flow.given_value,
            received_value_raw: r.flow.received_value,
            balance: r
                .flow
                .balance
                .map_or_else(|| "–".to_string(), |b| format!("{b:+.2}")),
            balance_raw: r.flow.balance.unwrap_or(0.0),
            reciprocity: r.flow.reciprocity,
            reciprocity_label: reciprocity_label(r.flow.reciprocity),
            one_way: r.one_way,
            active: r.readiness.criteria.active.met,
            last_activity: r.last_activity.map(|d| d.to_string()),
            next_step_date: p.next_step.as_ref().map(|n| n.date.to_string()),
            next_step_action: p.next_step.as_ref().map(|n| clean(&n.action)),
            criteria,
            met: r.readiness.criteria.met_count(),
        }
    }
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
    /// `given`, `received`, `meeting` or `initiative`, for styling.
    pub kind: &'static str,
    pub what: String,
    pub detail: Option<String>,
    pub outcome: Option<&'static str>,
    pub value: Option<String>,
    pub client: Option<String>,
    /// Dated after `as_of`: planned, not counted.
    pub upcoming: bool,
}

/// A partner's referrals, meetings and initiatives, newest first.
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
            Direction::Received => format!("Referral received ({kind_word})"),
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

/// Partners of one stage, for the readiness report and the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct StageGroup<'a> {
    pub stage: &'static str,
    pub title: &'static str,
    pub next_action: &'static str,
    pub count: usize,
    pub partners: Vec<&'a Row>,
}

pub fn stage_groups(rows: &[Row]) -> Vec<StageGroup<'_>> {
    Stage::PATH
        .iter()
        .map(|s| {
            let partners: Vec<&Row> = rows.iter().filter(|r| r.stage == *s).collect();
            StageGroup {
                stage: s.as_str(),
                title: s.label(),
                next_action: s.advice(),
                count: partners.len(),
                partners,
            }
        })
        .collect()
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
