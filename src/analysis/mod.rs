//! The numbers: reciprocity in the look-back window and the six criteria of
//! collaboration readiness, with the stage they lead to. Pure functions over
//! the book model.

use chrono::Months;
use serde::Serialize;

use crate::book::{
    Day, Direction, DiscoveryOutcome, InitiativeStatus, MeetingKind, Outcome, Partner,
    ReferralType, Settings,
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
    /// exactly ±0.5 (3 to 1) is `balanced`.
    pub fn classify(given: u32, received: u32) -> Reciprocity {
        let (g, r) = (u64::from(given), u64::from(received));
        match (g, r) {
            (0, 0) => Reciprocity::None,
            (_, 0) => Reciprocity::OneWayGiven,
            (0, _) => Reciprocity::OneWayReceived,
            // balance < -0.5  <=>  (r - g) / (r + g) < -1/2  <=>  g > 3r
            _ if g > 3 * r => Reciprocity::GivenHeavy,
            _ if r > 3 * g => Reciprocity::ReceivedHeavy,
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
    /// `(received - given) / (received + given)`; `None` when both are 0.
    pub balance: Option<f64>,
    pub reciprocity: Reciprocity,
}

/// Counts the referrals of `partner` dated in `window`.
pub fn flow(partner: &Partner, window: Window) -> Flow {
    let (mut given, mut received, mut given_value, mut received_value) = (0u32, 0u32, 0.0, 0.0);
    for r in partner.referrals.iter().filter(|r| window.contains(r.date)) {
        let v = r.value.unwrap_or(0.0);
        match r.direction {
            Direction::Given => {
                given += 1;
                given_value += v;
            }
            Direction::Received => {
                received += 1;
                received_value += v;
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
    pub discovery_held: Criterion,
    pub shared_ideal_clients: Criterion,
    pub net_new: Criterion,
    pub active: Criterion,
}

impl Criteria {
    /// `(key, criterion)` pairs in order.
    pub fn iter(&self) -> [(&'static str, &Criterion); 6] {
        [
            ("track_record", &self.track_record),
            ("two_way", &self.two_way),
            ("discovery_held", &self.discovery_held),
            ("shared_ideal_clients", &self.shared_ideal_clients),
            ("net_new", &self.net_new),
            ("active", &self.active),
        ]
    }

    pub fn met_count(&self) -> u32 {
        self.iter().iter().filter(|(_, c)| c.met).count() as u32
    }
}

/// Where a partner stands on the path from expert service provider to
/// collaborator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Dormant,
    NotAFit,
    Collaborating,
    DesignNetNew,
    ReadyForDiscovery,
    ExpertProvider,
    BuildingTrackRecord,
}

impl Stage {
    /// The stages in the order of the path, then the two side-tracks.
    pub const PATH: [Stage; 7] = [
        Stage::BuildingTrackRecord,
        Stage::ExpertProvider,
        Stage::ReadyForDiscovery,
        Stage::DesignNetNew,
        Stage::Collaborating,
        Stage::NotAFit,
        Stage::Dormant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Dormant => "dormant",
            Stage::NotAFit => "not-a-fit",
            Stage::Collaborating => "collaborating",
            Stage::DesignNetNew => "design-net-new",
            Stage::ReadyForDiscovery => "ready-for-discovery",
            Stage::ExpertProvider => "expert-provider",
            Stage::BuildingTrackRecord => "building-track-record",
        }
    }

    /// A heading for people.
    pub fn title(self) -> &'static str {
        match self {
            Stage::Dormant => "Dormant",
            Stage::NotAFit => "Not a fit for collaboration",
            Stage::Collaborating => "Collaborating",
            Stage::DesignNetNew => "Design net-new business",
            Stage::ReadyForDiscovery => "Ready for a discovery conversation",
            Stage::ExpertProvider => "Expert service provider",
            Stage::BuildingTrackRecord => "Building a track record",
        }
    }

    /// The recommended next action, in plain words.
    pub fn next_action(self) -> &'static str {
        match self {
            Stage::Dormant => {
                "Reconnect: nothing has happened here for a while. Call or meet to learn what has changed before referring again."
            }
            Stage::NotAFit => {
                "Keep the relationship cordial but stop investing in collaboration: either the service fell short recently or they are not interested in building net-new business together. Refer elsewhere where it serves your clients better."
            }
            Stage::Collaborating => {
                "Keep the joint process running: review the net-new initiatives together, measure what they bring both of you, and plan the next one."
            }
            Stage::DesignNetNew => {
                "Turn the discovery conversation into a plan: design one joint effort aimed at new ideal clients for both of you (a workshop, a co-written guide, an introduction series)."
            }
            Stage::ReadyForDiscovery => {
                "They consistently exceed expectations. Invite them to a mutual discovery conversation about bringing in new clients together, then listen."
            }
            Stage::ExpertProvider => {
                "A good expert service provider: keep referring where it serves your clients, and watch for work that consistently exceeds expectations before proposing more."
            }
            Stage::BuildingTrackRecord => {
                "Refer where it fits and record how each referral turns out; a few resolved referrals will show whether they exceed expectations."
            }
        }
    }
}

/// Collaboration readiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub score: u32,
    pub stage: Stage,
    pub criteria: Criteria,
}

/// Everything computed for one partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub flow: Flow,
    pub readiness: Readiness,
    pub one_way: bool,
    /// The newest dated activity up to `as_of`.
    pub last_activity: Option<Day>,
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

/// Computes the numbers of one partner as of `settings.as_of`.
pub fn analyse(partner: &Partner, settings: &Settings) -> Report {
    let as_of = settings.as_of;
    let window = Window::new(as_of, settings.window_months);
    let rs = &settings.readiness;
    let flow = flow(partner, window);

    // 1. Track record: resolved given referrals, all time up to as_of.
    let mut resolved: Vec<(Day, Outcome)> = partner
        .referrals
        .iter()
        .filter(|r| {
            r.direction == Direction::Given && r.date <= as_of && r.outcome().is_resolved_given()
        })
        .map(|r| (r.date, r.outcome()))
        .collect();
    resolved.sort_by_key(|(d, _)| *d); // stable: same-day entries keep note order
    let n = resolved.len();
    let exceeded = resolved
        .iter()
        .filter(|(_, o)| *o == Outcome::Exceeded)
        .count();
    let last_three = &resolved[n.saturating_sub(3)..];
    let recent_below = last_three
        .iter()
        .rev()
        .find(|(_, o)| *o == Outcome::Below)
        .map(|(d, _)| *d);
    let share = if n > 0 {
        exceeded as f64 / n as f64
    } else {
        0.0
    };
    let enough = n >= rs.min_outcomes as usize;
    let share_ok = n > 0 && share >= rs.exceed_share;
    let track_record = Criterion {
        met: enough && share_ok && recent_below.is_none(),
        evidence: if n == 0 {
            format!(
                "no resolved given referrals yet ({} needed)",
                rs.min_outcomes
            )
        } else {
            let below = match recent_below {
                Some(d) => format!("a below among the last 3 ({d})"),
                None => format!("none below in the last {}", last_three.len()),
            };
            let cmp = if share_ok { "≥" } else { "<" };
            let needed = if enough {
                String::new()
            } else {
                format!(", {} needed", rs.min_outcomes)
            };
            let (have, want) = percents(share, rs.exceed_share, share_ok);
            format!("{n} resolved{needed}, {exceeded} exceeded ({have} {cmp} {want}), {below}")
        },
    };

    // 2. Two-way flow in the window.
    let two_way = Criterion {
        met: flow.given > 0 && flow.received > 0,
        evidence: format!(
            "{} given, {} received between {} and {}",
            flow.given, flow.received, window.start, window.end
        ),
    };

    // 3. A mutual discovery conversation held.
    // Of two on the same day, the one written later counts as newer:
    // `max_by_key` keeps the last of equal maxima.
    let newest_discovery = partner
        .meetings
        .iter()
        .filter(|m| m.kind == MeetingKind::Discovery && m.date <= as_of)
        .max_by_key(|m| m.date);
    let discovery_held = Criterion {
        met: newest_discovery.is_some(),
        evidence: match newest_discovery {
            Some(m) => format!(
                "discovery conversation on {}{}",
                m.date,
                m.outcome.map(|o| format!(" ({o})")).unwrap_or_default()
            ),
            None => "no mutual discovery conversation yet".into(),
        },
    };

    // 4. Shared ideal clients.
    let advisor_has_some = !settings.advisor.ideal_clients.is_empty();
    let shared = shared_ideal_clients(partner, settings);
    let shared_ideal_clients = Criterion {
        met: !shared.is_empty(),
        evidence: if !shared.is_empty() {
            format!("both serve {}", shared.join(", "))
        } else if partner.ideal_clients.is_empty() {
            "the partner's ideal clients are not recorded".into()
        } else if !advisor_has_some {
            "your own ideal clients are not set in rapport.yaml".into()
        } else {
            "no ideal client in common".into()
        },
    };

    // 5. Net-new business.
    let net_new_refs = partner
        .referrals
        .iter()
        .filter(|r| r.kind == ReferralType::NetNew && window.contains(r.date))
        .count();
    let live_initiatives: Vec<&str> = partner
        .initiatives
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                Some(InitiativeStatus::Active | InitiativeStatus::Done)
            )
        })
        .filter(|i| i.started.is_none_or(|d| d <= as_of))
        .map(|i| i.name.as_str())
        .collect();
    let net_new = Criterion {
        met: net_new_refs > 0 || !live_initiatives.is_empty(),
        evidence: match (net_new_refs, live_initiatives.is_empty()) {
            (0, true) => {
                "no net-new referral in the window and no active or done initiative".into()
            }
            (n, true) => format!(
                "{n} net-new referral{} in the window",
                if n == 1 { "" } else { "s" }
            ),
            (0, false) => format!("initiative: {}", live_initiatives.join(", ")),
            (n, false) => format!(
                "{n} net-new referral{} in the window; initiative: {}",
                if n == 1 { "" } else { "s" },
                live_initiatives.join(", ")
            ),
        },
    };

    // 6. Active: the newest dated activity is recent enough.
    let last_activity = partner
        .referrals
        .iter()
        .map(|r| r.date)
        .chain(partner.meetings.iter().map(|m| m.date))
        .chain(partner.initiatives.iter().filter_map(|i| i.started))
        .filter(|d| *d <= as_of)
        .max();
    let active = match last_activity {
        Some(d) => {
            let days = (as_of.0 - d.0).num_days();
            Criterion {
                met: days <= i64::from(rs.stale_days),
                evidence: format!(
                    "last activity {d}, {days} days ago (limit {})",
                    rs.stale_days
                ),
            }
        }
        None => Criterion {
            met: false,
            evidence: "no dated activity".into(),
        },
    };

    let criteria = Criteria {
        track_record,
        two_way,
        discovery_held,
        shared_ideal_clients,
        net_new,
        active,
    };
    let met = criteria.met_count();
    // 100 × met / 6, rounded half up, in whole numbers.
    let score = (200 * met + 6) / 12;
    let not_interested =
        newest_discovery.is_some_and(|m| m.outcome == Some(DiscoveryOutcome::NotInterested));
    let stage = if !criteria.active.met {
        Stage::Dormant
    } else if not_interested || recent_below.is_some() {
        Stage::NotAFit
    } else if criteria.discovery_held.met && criteria.net_new.met {
        Stage::Collaborating
    } else if criteria.discovery_held.met {
        Stage::DesignNetNew
    } else if criteria.track_record.met {
        Stage::ReadyForDiscovery
    } else if enough {
        Stage::ExpertProvider
    } else {
        Stage::BuildingTrackRecord
    };
    Report {
        one_way: flow.reciprocity.is_one_way(),
        flow,
        readiness: Readiness {
            score,
            stage,
            criteria,
        },
        last_activity,
    }
}

#[cfg(test)]
mod tests;
