//! "This week": what a partner calls for this week, as a coach would say
//! it. Each item is one short sentence of what to do and why; a partner's
//! items come in the order of FORMAT §5 (overdue next steps and contacts,
//! most days first; the move up the ladder; referrals to thank; what falls
//! due in the 7 days after `as_of`, soonest first), and partners are put in
//! the order of their most urgent item.

use serde::Serialize;

use super::{add_days, days_between, plural, unthanked, Reciprocity, Report, Stage};
use crate::book::{Day, Direction, MeetingKind, Outcome, Partner, Role, Settings};

/// How many days after `as_of` "This week" looks ahead.
pub const AHEAD_DAYS: i64 = 7;

/// How many days after a declined discovery conversation the partner may
/// be asked again.
pub const ASK_AGAIN_DAYS: u32 = 365;

/// The four kinds of item, in the order a partner's row lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A next step or a contact due today or overdue.
    Overdue,
    /// A move up the ladder.
    Move,
    /// Received referrals to thank.
    Thank,
    /// A next step or a contact due in the 7 days after `as_of`.
    Soon,
}

/// Which move up the ladder an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Move {
    /// Invite a partner ready for it to a mutual discovery conversation.
    Invite,
    /// Follow up an undecided discovery conversation.
    FollowUp,
    /// Send a client to a partner the advisor only takes from.
    SendClient,
    /// Thank a center of influence the advisor only takes from, and keep
    /// them informed.
    KeepInformed,
    /// Ask a declined partner again, a year after the conversation.
    AskAgain,
}

/// One thing to do this week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: Kind,
    /// For a move, which one.
    pub step: Option<Move>,
    /// Days from `as_of` of what is due (negative: overdue; 0: today);
    /// 0 for moves and thanks.
    pub in_days: i64,
    /// What to do and why, in one short sentence.
    pub text: String,
}

impl Item {
    /// How urgent the item is: smaller is more urgent. Overdue first (most
    /// days first), then moves, thanks, and what falls due soon (soonest
    /// first).
    pub fn urgency(&self) -> (Kind, i64) {
        (self.kind, self.in_days)
    }
}

/// Everything due for one partner this week, most urgent first; empty when
/// nothing is.
pub fn items(partner: &Partner, report: &Report, settings: &Settings) -> Vec<Item> {
    let as_of = settings.as_of;
    let mut out = Vec::new();
    let c = &report.contact;
    let step = partner.next_step.as_ref();
    let step_in = step.map(|s| days_between(as_of, s.date));
    let contact_in = c.due.map(|d| days_between(as_of, d));
    let action = |s: &str| {
        let t = s.trim().trim_end_matches('.');
        super::capitalized(t)
    };

    // Overdue: the next step, then the contact (the more days first; on
    // the same day the step first).
    if let (Some(s), Some(d)) = (step, step_in.filter(|d| *d <= 0)) {
        let late = match d {
            0 => "due today".to_string(),
            d => format!("{} overdue", plural(-d, "day", "days")),
        };
        out.push(Item {
            kind: Kind::Overdue,
            step: None,
            in_days: d,
            text: format!(
                "{}: the next step planned for {}, {late}.",
                action(&s.action),
                s.date
            ),
        });
    }
    if let (Some(due), Some(d), Some(cadence)) = (c.due, contact_in.filter(|d| *d <= 0), c.cadence)
    {
        let text = match c.last_contact {
            None => format!("Get in touch: no contact recorded yet, and your cadence is every {cadence} days."),
            Some(last) if d == 0 => format!("Get in touch today: last contact {last}, every {cadence} days."),
            Some(last) => format!(
                "Get in touch: last contact {last}, {} past your {cadence}-day cadence (due {due}).",
                plural(-d, "day", "days")
            ),
        };
        out.push(Item {
            kind: Kind::Overdue,
            step: None,
            in_days: d,
            text,
        });
    }

    // The move up the ladder; a dormant partner gets none.
    let stage = report.readiness.stage;
    if stage != Stage::Dormant {
        let newest_discovery = partner
            .meetings
            .iter()
            .filter(|m| m.kind == MeetingKind::Discovery && m.date <= as_of)
            .max_by_key(|m| m.date)
            .map(|m| m.date);
        let mv = |m: Move, text: String| Item {
            kind: Kind::Move,
            step: Some(m),
            in_days: 0,
            text,
        };
        match stage {
            Stage::ReadyForDiscovery => {
                let resolved: Vec<Outcome> = partner
                    .referrals
                    .iter()
                    .filter(|r| {
                        r.direction == Direction::Given
                            && r.date <= as_of
                            && r.outcome().is_resolved_given()
                    })
                    .map(|r| r.outcome())
                    .collect();
                let exceeded = resolved.iter().filter(|o| **o == Outcome::Exceeded).count();
                out.push(mv(
                    Move::Invite,
                    format!(
                        "Invite them to a mutual discovery conversation about new clients together: {exceeded} of your {} referrals exceeded expectations.",
                        resolved.len()
                    ),
                ));
            }
            Stage::DiscoveryUndecided => {
                let when = newest_discovery
                    .map(|d| format!(" of {d}"))
                    .unwrap_or_default();
                out.push(mv(
                    Move::FollowUp,
                    format!("Follow up the discovery conversation{when}: it ended undecided, so ask what would help them decide."),
                ));
            }
            Stage::Declined => {
                // Declined: the newest discovery said no.
                if let Some(day) = newest_discovery {
                    if as_of >= add_days(day, ASK_AGAIN_DAYS) {
                        out.push(mv(
                            Move::AskAgain,
                            format!("Ask again whether they would explore new clients together: they declined on {day}, a year ago or more."),
                        ));
                    }
                }
            }
            _ => {}
        }
        if report.flow.reciprocity == Reciprocity::OneWayReceived {
            let n = report.flow.received;
            let months = settings.window_months;
            if partner.role == Role::Coi {
                out.push(mv(
                    Move::KeepInformed,
                    format!(
                        "Thank them and keep them informed: they sent you {} in {} and you sent none.",
                        plural(n, "introduction", "introductions"),
                        plural(months, "month", "months")
                    ),
                ));
            } else if stage != Stage::NotAFit {
                out.push(mv(
                    Move::SendClient,
                    format!(
                        "Look for a client to send them: they sent you {} in {} and you sent none.",
                        plural(n, "client", "clients"),
                        plural(months, "month", "months")
                    ),
                ));
            }
        }
    }

    // Referrals to thank.
    let to_thank: Vec<Day> = unthanked(partner, as_of).map(|r| r.date).collect();
    if !to_thank.is_empty() {
        let dates = to_thank
            .iter()
            .map(Day::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let text = match to_thank.len() {
            1 => format!("Thank them for the referral of {dates}: not thanked yet."),
            n => format!("Thank them for the {n} referrals of {dates}: not thanked yet."),
        };
        out.push(Item {
            kind: Kind::Thank,
            step: None,
            in_days: 0,
            text,
        });
    }

    // What falls due in the 7 days after as_of, soonest first.
    let soon = |d: &i64| (1..=AHEAD_DAYS).contains(d);
    if let (Some(s), Some(d)) = (step, step_in.filter(soon)) {
        out.push(Item {
            kind: Kind::Soon,
            step: None,
            in_days: d,
            text: format!(
                "{}: the next step planned for {}.",
                action(&s.action),
                s.date
            ),
        });
    }
    if let (Some(due), Some(d), Some(cadence)) = (c.due, contact_in.filter(soon), c.cadence) {
        let last = c
            .last_contact
            .map(|l| format!(", last contact {l}"))
            .unwrap_or_default();
        out.push(Item {
            kind: Kind::Soon,
            step: None,
            in_days: d,
            text: format!("Get in touch by {due}: every {cadence} days{last}."),
        });
    }
    // Stable: on equal urgency the next step stays before the contact.
    out.sort_by_key(Item::urgency);
    out
}

/// Puts partners' rows in the order of "This week": by their most urgent
/// item, then by name. `rows` holds each partner's items (most urgent
/// first, as [`items`] gives them) and name; rows without items are left
/// out.
pub fn order<T>(rows: &mut Vec<T>, items: impl Fn(&T) -> &[Item], name: impl Fn(&T) -> &str) {
    rows.retain(|r| !items(r).is_empty());
    rows.sort_by(|a, b| {
        let ua = items(a)[0].urgency();
        let ub = items(b)[0].urgency();
        ua.cmp(&ub).then_with(|| name(a).cmp(name(b)))
    });
}

#[cfg(test)]
mod tests;
