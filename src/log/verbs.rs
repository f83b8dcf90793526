//! Each verb of `rapport log` as edits of the note and the partner the
//! note must read back as: pure, given the note as it reads now.

use crate::book::{
    Day, Direction, Initiative, InitiativeStatus, NextStep, Outcome, Partner, ReferralType, Role,
    Step,
};
use crate::note_edit::{Edit, Fields, Plan, Refused, Value};

use super::{shown, Entry};

/// What `rapport log` does to a note.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `given`, `received`, `meeting`: a new entry.
    Add(Entry),
    /// `next DATE ACTION`: refused while a next step is open, unless
    /// `replace`.
    Next {
        date: Day,
        action: String,
        replace: bool,
    },
    /// `outcome OUTCOME [--date D] [--client C]`.
    Outcome {
        outcome: Outcome,
        date: Option<Day>,
        client: Option<String>,
    },
    /// `done [--date D] [--next DATE ACTION]`.
    Done {
        date: Day,
        next: Option<(Day, String)>,
    },
    /// `thanks [--date D] [--client C]`.
    Thanks { date: Day, client: Option<String> },
    /// `initiative TITLE [--status S] [--started D] [--new-clients N]`.
    Initiative {
        name: String,
        status: Option<InitiativeStatus>,
        started: Option<Day>,
        new_clients: Option<u32>,
    },
    /// `set KEY VALUE`.
    Set { key: SetKey, value: String },
}

/// The keys `log NAME set` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKey {
    Role,
    Firm,
    Profession,
    Email,
    Phone,
    Website,
    Since,
    ContactEvery,
    Tags,
    IdealClients,
}

impl SetKey {
    pub const ALL: &'static [SetKey] = &[
        SetKey::Role,
        SetKey::Firm,
        SetKey::Profession,
        SetKey::Email,
        SetKey::Phone,
        SetKey::Website,
        SetKey::Since,
        SetKey::ContactEvery,
        SetKey::Tags,
        SetKey::IdealClients,
    ];

    /// The key as the note writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SetKey::Role => "role",
            SetKey::Firm => "firm",
            SetKey::Profession => "profession",
            SetKey::Email => "email",
            SetKey::Phone => "phone",
            SetKey::Website => "website",
            SetKey::Since => "since",
            SetKey::ContactEvery => "contact_every",
            SetKey::Tags => "tags",
            SetKey::IdealClients => "ideal_clients",
        }
    }
}

impl Action {
    /// What was recorded, in words.
    pub fn what(&self) -> String {
        match self {
            Action::Add(Entry::Referral(r)) => format!("a {} referral", r.direction),
            Action::Add(Entry::Meeting(m)) => format!("a {} meeting", m.kind),
            Action::Add(Entry::NextStep { .. }) | Action::Next { .. } => "the next step".into(),
            Action::Outcome { outcome, .. } => format!("the outcome `{outcome}`"),
            Action::Done { next: None, .. } => "the next step as done".into(),
            Action::Done { next: Some(_), .. } => {
                "the next step as done, and the following one".into()
            }
            Action::Thanks { .. } => "the thank-you".into(),
            Action::Initiative { name, .. } => format!("the initiative `{}`", shown(name)),
            Action::Set { key, .. } => format!("`{}`", key.as_str()),
        }
    }
}

/// What `action` did to the note of `p`, in words, naming the referral
/// or initiative it chose.
pub fn described(p: &Partner, plan: &Plan, action: &Action) -> String {
    let entry = plan.edits.iter().find_map(|e| match e {
        Edit::SetInEntry { list, index, .. } if list == "referrals" => {
            p.referrals.get(*index).map(|r| {
                format!(
                    " on the {} referral of {}{}",
                    r.direction,
                    r.date,
                    r.client
                        .as_deref()
                        .map_or(String::new(), |c| format!(" ({})", shown(c)))
                )
            })
        }
        _ => None,
    });
    format!("{}{}", action.what(), entry.unwrap_or_default())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn plain(s: impl ToString) -> Value {
    Value::Plain(s.to_string())
}

fn field(key: &str, value: Value) -> (String, Value) {
    (key.to_string(), value)
}

fn declined(why: impl Into<String>) -> Refused {
    Refused::Declined(why.into())
}

/// The edits `action` makes on the note of `p`, and what it must read
/// back as.
pub fn plan(p: &Partner, action: &Action) -> Result<Plan, Refused> {
    let mut expected = p.clone();
    let edits = match action {
        Action::Add(Entry::Referral(r)) => {
            let mut f: Fields = vec![
                field("date", Value::day(r.date)),
                field("direction", plain(r.direction)),
            ];
            if let Some(c) = &r.client {
                f.push(field("client", text(c)));
            }
            if r.kind != ReferralType::Existing {
                f.push(field("type", plain(r.kind)));
            }
            if let Some(o) = r.outcome {
                f.push(field("outcome", plain(o)));
            }
            if let Some(v) = r.value {
                f.push(field("value", Value::number(v)));
            }
            if let Some(n) = &r.note {
                f.push(field("note", text(n)));
            }
            if let Some(t) = r.thanked {
                f.push(field("thanked", Value::day(t)));
            }
            expected.referrals.push(r.clone());
            vec![Edit::Append {
                list: "referrals".into(),
                fields: f,
            }]
        }
        Action::Add(Entry::Meeting(m)) => {
            let mut f: Fields = vec![
                field("date", Value::day(m.date)),
                field("kind", plain(m.kind)),
            ];
            if let Some(o) = m.outcome {
                f.push(field("outcome", plain(o)));
            }
            if let Some(s) = &m.summary {
                f.push(field("summary", text(s)));
            }
            expected.meetings.push(m.clone());
            vec![Edit::Append {
                list: "meetings".into(),
                fields: f,
            }]
        }
        Action::Add(Entry::NextStep { date, action }) => {
            return plan(
                p,
                &Action::Next {
                    date: *date,
                    action: action.clone(),
                    replace: true,
                },
            )
        }
        Action::Next {
            date,
            action,
            replace,
        } => {
            if let (Some(open), false) = (&p.next_step, replace) {
                return Err(declined(format!(
                    "the next step `{}` ({}) is still open: say `done` first, or `--replace` to drop it",
                    shown(&open.action),
                    open.date
                )));
            }
            expected.next_step = Some(NextStep {
                date: *date,
                action: action.clone(),
            });
            vec![next_step(*date, action)]
        }
        Action::Outcome {
            outcome,
            date,
            client,
        } => {
            let chosen = date.is_some() || client.is_some();
            let fits: Vec<usize> = p
                .referrals
                .iter()
                .enumerate()
                .filter(|(_, r)| outcome.fits(r.direction))
                .filter(|(_, r)| date.is_none_or(|d| r.date == d))
                .filter(|(_, r)| {
                    client
                        .as_ref()
                        .is_none_or(|c| same_client(r.client.as_deref(), c))
                })
                .filter(|(_, r)| chosen || r.outcome() == Outcome::Pending)
                .map(|(i, _)| i)
                .collect();
            let i = one_referral(p, &fits, || {
                if chosen {
                    format!("no referral with an outcome like `{outcome}` has that date and client")
                } else {
                    format!(
                        "no {} referral is pending; say which with --date or --client",
                        directions(*outcome)
                    )
                }
            })?;
            expected.referrals[i].outcome = Some(*outcome);
            vec![Edit::SetInEntry {
                list: "referrals".into(),
                index: i,
                key: "outcome".into(),
                value: plain(outcome),
            }]
        }
        Action::Done { date, next } => {
            let Some(open) = &p.next_step else {
                return Err(declined(
                    "there is no next step to mark done; set one with `next DATE ACTION`",
                ));
            };
            expected.steps.push(Step {
                date: *date,
                action: open.action.clone(),
            });
            let step = Edit::Append {
                list: "steps".into(),
                fields: vec![
                    field("date", Value::day(*date)),
                    field("action", text(&open.action)),
                ],
            };
            match next {
                None => {
                    expected.next_step = None;
                    vec![
                        Edit::Remove {
                            key: "next_step".into(),
                        },
                        step,
                    ]
                }
                Some((d, a)) => {
                    expected.next_step = Some(NextStep {
                        date: *d,
                        action: a.clone(),
                    });
                    vec![next_step(*d, a), step]
                }
            }
        }
        Action::Thanks { date, client } => {
            let fits: Vec<usize> = p
                .referrals
                .iter()
                .enumerate()
                .filter(|(_, r)| r.direction == Direction::Received && r.thanked.is_none())
                .filter(|(_, r)| {
                    client
                        .as_ref()
                        .is_none_or(|c| same_client(r.client.as_deref(), c))
                })
                .map(|(i, _)| i)
                .collect();
            // The newest; among the same day, the last written.
            let Some(&i) = fits.iter().max_by_key(|&&i| (p.referrals[i].date, i)) else {
                return Err(declined(match client {
                    Some(c) => format!(
                        "no received referral for `{}` is waiting for a thank-you",
                        shown(c)
                    ),
                    None => "no received referral is waiting for a thank-you".into(),
                }));
            };
            expected.referrals[i].thanked = Some(*date);
            vec![Edit::SetInEntry {
                list: "referrals".into(),
                index: i,
                key: "thanked".into(),
                value: Value::day(*date),
            }]
        }
        Action::Initiative {
            name,
            status,
            started,
            new_clients,
        } => {
            let name = name.trim();
            if name.is_empty() {
                return Err(declined("the initiative needs a name"));
            }
            let found = p
                .initiatives
                .iter()
                .position(|i| i.name.trim().to_lowercase() == name.to_lowercase());
            match found {
                Some(i) => {
                    let mut edits = Vec::new();
                    let set = |key: &str, value: Value| Edit::SetInEntry {
                        list: "initiatives".into(),
                        index: i,
                        key: key.into(),
                        value,
                    };
                    if let Some(d) = started {
                        expected.initiatives[i].started = Some(*d);
                        edits.push(set("started", Value::day(*d)));
                    }
                    if let Some(s) = status {
                        expected.initiatives[i].status = Some(*s);
                        edits.push(set("status", plain(s)));
                    }
                    if let Some(n) = new_clients {
                        expected.initiatives[i].new_clients = Some(*n);
                        edits.push(set("new_clients", plain(n)));
                    }
                    if edits.is_empty() {
                        return Err(declined(format!(
                            "the initiative `{}` is already in the note; say what changes with --status, --started or --new-clients",
                            shown(name)
                        )));
                    }
                    edits
                }
                None => {
                    let status = status.unwrap_or(InitiativeStatus::Idea);
                    let mut f: Fields = vec![field("name", text(name))];
                    if let Some(d) = started {
                        f.push(field("started", Value::day(*d)));
                    }
                    f.push(field("status", plain(status)));
                    if let Some(n) = new_clients {
                        f.push(field("new_clients", plain(n)));
                    }
                    expected.initiatives.push(Initiative {
                        name: name.to_string(),
                        started: *started,
                        status: Some(status),
                        new_clients: *new_clients,
                    });
                    vec![Edit::Append {
                        list: "initiatives".into(),
                        fields: f,
                    }]
                }
            }
        }
        Action::Set { key, value } => vec![set(&mut expected, *key, value)?],
    };
    Ok(Plan { edits, expected })
}

fn next_step(date: Day, action: &str) -> Edit {
    Edit::SetMapping {
        key: "next_step".into(),
        fields: vec![
            field("date", Value::day(date)),
            field("action", text(action)),
        ],
    }
}

fn same_client(have: Option<&str>, want: &str) -> bool {
    have.is_some_and(|h| h.trim().to_lowercase() == want.trim().to_lowercase())
}

fn directions(outcome: Outcome) -> &'static str {
    match (
        outcome.fits(Direction::Given),
        outcome.fits(Direction::Received),
    ) {
        (true, false) => "given",
        (false, true) => "received",
        _ => "",
    }
}

/// The one referral among `fits`, or an error listing them.
fn one_referral(p: &Partner, fits: &[usize], none: impl Fn() -> String) -> Result<usize, Refused> {
    match fits {
        [i] => Ok(*i),
        [] => Err(declined(none())),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|&i| {
                    let r = &p.referrals[i];
                    format!(
                        "  {} {} {} ({})",
                        r.date,
                        r.direction,
                        r.client.as_deref().map_or("(no client)".into(), shown),
                        r.outcome()
                    )
                })
                .collect();
            Err(declined(format!(
                "{} referrals could be the one:\n{}\nsay which with --date and/or --client",
                many.len(),
                list.join("\n")
            )))
        }
    }
}

/// `set KEY VALUE` as an edit, with the partner changed to match.
fn set(expected: &mut Partner, key: SetKey, value: &str) -> Result<Edit, Refused> {
    let v = value.trim();
    let words = || -> Vec<String> {
        v.split(',')
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty())
            .collect()
    };
    if v.is_empty() && !matches!(key, SetKey::Tags | SetKey::IdealClients) {
        return Err(declined(format!("`{}` needs a value", key.as_str())));
    }
    let scalar = |value: Value| Edit::Set {
        key: key.as_str().into(),
        value,
    };
    Ok(match key {
        SetKey::Role => {
            let role = Role::ALL
                .iter()
                .find(|r| r.as_str().eq_ignore_ascii_case(v))
                .ok_or_else(|| {
                    declined(format!(
                        "`{}` is not a role; expected one of {}",
                        shown(v),
                        Role::ALL
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
            expected.role = *role;
            scalar(plain(role))
        }
        SetKey::Since => {
            let d = Day::parse(v)
                .ok_or_else(|| declined(format!("`{}` is not a date as YYYY-MM-DD", shown(v))))?;
            expected.since = Some(d);
            scalar(Value::day(d))
        }
        SetKey::ContactEvery => {
            let n: u32 = v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                declined(format!("`{}` is not a number of days, like 60", shown(v)))
            })?;
            expected.contact_every = Some(n);
            scalar(plain(n))
        }
        SetKey::Tags | SetKey::IdealClients => {
            let items = words();
            if key == SetKey::Tags {
                expected.tags = items.clone();
            } else {
                expected.ideal_clients = items.clone();
            }
            Edit::SetList {
                key: key.as_str().into(),
                items,
            }
        }
        SetKey::Firm | SetKey::Profession | SetKey::Email | SetKey::Phone | SetKey::Website => {
            let slot = match key {
                SetKey::Firm => &mut expected.firm,
                SetKey::Profession => &mut expected.profession,
                SetKey::Email => &mut expected.email,
                SetKey::Phone => &mut expected.phone,
                _ => &mut expected.website,
            };
            *slot = Some(v.to_string());
            scalar(text(v))
        }
    })
}
