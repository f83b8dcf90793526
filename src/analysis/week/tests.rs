//! Unit tests of "This week": which items a partner gets, in which order,
//! and the order of partners.

use super::*;
use crate::analysis::analyse;

const SETTINGS: &str =
    "as_of: 2026-11-01\nadvisor:\n  ideal_clients: [business owners]\ncadence:\n  coi: 60\n";

/// A partner from the YAML of a note's front-matter, with its items.
fn week_of(name: &str, yaml: &str) -> (String, Vec<Item>) {
    let today = Day::parse("2026-11-01").unwrap();
    let settings = crate::book::settings::parse(SETTINGS.as_bytes(), today).unwrap();
    let note = format!("---\nname: {name}\n{yaml}---\n");
    let p = crate::read::note::parse("partners/x.md", "x", note.as_bytes())
        .unwrap_or_else(|e| panic!("{note}: {e:?}"));
    let r = analyse(&p, &settings);
    (name.to_string(), items(&p, &r, &settings))
}

fn kinds(items: &[Item]) -> Vec<(Kind, i64)> {
    items.iter().map(Item::urgency).collect()
}

/// Three exceeded referrals and a recent check-in: ready for discovery.
const READY: &str = "referrals:\n  - {date: 2026-03-01, direction: given, outcome: exceeded}\n  - {date: 2026-05-01, direction: given, outcome: exceeded}\n  - {date: 2026-07-01, direction: given, outcome: exceeded}\nmeetings:\n  - {date: 2026-10-20, kind: check-in}\n";

#[test]
fn a_partner_with_nothing_due_has_no_items() {
    let (_, items) = week_of(
        "Quiet Ann",
        "meetings:\n  - {date: 2026-10-20, kind: call}\n",
    );
    assert!(items.is_empty(), "{items:?}");
}

#[test]
fn items_come_in_the_order_of_the_format() {
    // Everything at once: a step 17 days overdue, a contact 2 days
    // overdue, ready for discovery, one referral to thank, nothing soon.
    let yaml = "contact_every: 25\nreferrals:\n  - {date: 2026-03-01, direction: given, outcome: exceeded}\n  - {date: 2026-05-01, direction: given, outcome: exceeded}\n  - {date: 2026-07-01, direction: given, outcome: exceeded}\n  - {date: 2026-10-05, direction: received, outcome: won}\nnext_step:\n  date: 2026-10-15\n  action: send the recap.\n";
    let (_, items) = week_of("Jane Doe", yaml);
    assert_eq!(
        kinds(&items),
        [
            (Kind::Overdue, -17),
            (Kind::Overdue, -2),
            (Kind::Move, 0),
            (Kind::Thank, 0)
        ]
    );
    assert_eq!(
        items[0].text,
        "Send the recap: the next step planned for 2026-10-15, 17 days overdue."
    );
    assert_eq!(
        items[1].text,
        "Get in touch: last contact 2026-10-05, 2 days past your 25-day cadence (due 2026-10-30)."
    );
    assert_eq!(items[2].step, Some(Move::Invite));
    assert!(
        items[2].text.contains("3 of your 3 referrals exceeded"),
        "{}",
        items[2].text
    );
    assert_eq!(
        items[3].text,
        "Thank them for the referral of 2026-10-05: not thanked yet."
    );
}

#[test]
fn the_more_overdue_of_step_and_contact_comes_first_and_today_is_zero() {
    // The contact (no contact yet: due on as_of, 0 days) and a step due
    // today: both 0 days overdue, the step first.
    let (_, items) = week_of(
        "Jane Doe",
        "since: 2026-10-01\nnext_step:\n  date: 2026-11-01\n  action: Call Jane\n",
    );
    assert_eq!(kinds(&items), [(Kind::Overdue, 0), (Kind::Overdue, 0)]);
    assert!(
        items[0].text.starts_with("Call Jane: "),
        "{}",
        items[0].text
    );
    assert!(items[0].text.ends_with("due today."));
    assert!(items[1].text.starts_with("Get in touch"));
    // A contact 40 days overdue before a step 2 days overdue.
    let (_, items) = week_of(
        "Jane Doe",
        "contact_every: 30\nmeetings:\n  - {date: 2026-08-23, kind: call}\nnext_step:\n  date: 2026-10-30\n  action: Call Jane\n",
    );
    assert_eq!(kinds(&items), [(Kind::Overdue, -40), (Kind::Overdue, -2)]);
}

#[test]
fn what_falls_due_within_seven_days_comes_last_soonest_first() {
    let (_, items) = week_of(
        "Jane Doe",
        "contact_every: 30\nmeetings:\n  - {date: 2026-10-05, kind: call}\nnext_step:\n  date: 2026-11-08\n  action: Call Jane\n",
    );
    // Contact due 2026-11-04 (in 3 days), step in 7 days.
    assert_eq!(kinds(&items), [(Kind::Soon, 3), (Kind::Soon, 7)]);
    assert_eq!(
        items[0].text,
        "Get in touch by 2026-11-04: every 30 days, last contact 2026-10-05."
    );
    // Eight days ahead is not this week.
    let (_, items) = week_of(
        "Jane Doe",
        "meetings:\n  - {date: 2026-10-05, kind: call}\nnext_step:\n  date: 2026-11-09\n  action: Call Jane\n",
    );
    assert!(items.is_empty(), "{items:?}");
}

#[test]
fn moves_up_the_ladder() {
    // Ready: invite.
    let (_, items) = week_of("Ready Rita", READY);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].step, Some(Move::Invite));
    // Undecided: follow up.
    let yaml = format!("{READY}  - {{date: 2026-09-01, kind: discovery, outcome: undecided}}\n");
    let (_, items) = week_of("Undecided Uma", &yaml);
    assert_eq!(items[0].step, Some(Move::FollowUp));
    assert!(items[0].text.contains("of 2026-09-01"));
    // Only taking: send a client; a center of influence is thanked and
    // kept informed instead.
    let taking = "referrals:\n  - {date: 2026-06-01, direction: received}\n  - {date: 2026-09-15, direction: received}\n";
    let (_, items) = week_of("Taker Tom", taking);
    assert_eq!(items[0].step, Some(Move::SendClient));
    assert_eq!(
        items[0].text,
        "Look for a client to send them: they sent you 2 clients in 24 months and you sent none."
    );
    let (_, items) = week_of("Coi Carla", &format!("role: coi\n{taking}"));
    assert_eq!(items[0].step, Some(Move::KeepInformed));
    assert!(items[0]
        .text
        .starts_with("Thank them and keep them informed"));
}

#[test]
fn a_declined_partner_is_asked_again_after_365_days() {
    let declined = |day: &str| {
        format!("{READY}  - {{date: {day}, kind: discovery, outcome: not-interested}}\n")
    };
    // 2025-11-01 + 365 days = 2026-11-01: due.
    let (_, items) = week_of("Declined Dan", &declined("2025-11-01"));
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].step, Some(Move::AskAgain));
    assert!(items[0].text.contains("they declined on 2025-11-01"));
    // A day later: not yet.
    let (_, items) = week_of("Declined Dan", &declined("2025-11-02"));
    assert!(items.is_empty(), "{items:?}");
}

#[test]
fn a_dormant_partner_gets_no_move() {
    // Only takes, but quiet for years, and inactive: nothing but what is
    // overdue.
    let (_, items) = week_of(
        "Old Olga",
        "role: inactive\nreferrals:\n  - {date: 2025-06-01, direction: received}\n",
    );
    assert!(items.is_empty(), "{items:?}");
    let (_, items) = week_of(
        "Old Olga",
        "referrals:\n  - {date: 2025-01-01, direction: received}\n",
    );
    assert_eq!(kinds(&items), [(Kind::Overdue, -489)]);
}

#[test]
fn thanks_count_the_last_30_days_only() {
    let (_, items) = week_of(
        "Thea",
        "referrals:\n  - {date: 2026-10-02, direction: received, outcome: won}\n  - {date: 2026-10-10, direction: received, outcome: won, thanked: 2026-10-11}\n  - {date: 2026-10-20, direction: given, outcome: met}\n  - {date: 2026-10-30, direction: received}\n",
    );
    let thank: Vec<&Item> = items.iter().filter(|i| i.kind == Kind::Thank).collect();
    assert_eq!(thank.len(), 1, "one item, however many to thank");
    assert_eq!(
        thank[0].text,
        "Thank them for the 2 referrals of 2026-10-02, 2026-10-30: not thanked yet."
    );
}

#[test]
fn partners_are_ordered_by_their_most_urgent_item_then_by_name() {
    let mut rows = vec![
        week_of("Soon Sam", "contact_every: 30\nmeetings:\n  - {date: 2026-10-05, kind: call}\n"),
        week_of("Ready Rita", READY),
        week_of("Quiet Ann", "meetings:\n  - {date: 2026-10-20, kind: call}\n"),
        week_of(
            "Late Lou",
            "meetings:\n  - {date: 2026-10-20, kind: call}\nnext_step:\n  date: 2026-10-30\n  action: Call\n",
        ),
        week_of(
            "Later Lee",
            "meetings:\n  - {date: 2026-10-20, kind: call}\nnext_step:\n  date: 2026-10-01\n  action: Call\n",
        ),
        week_of("Ready Al", READY),
        week_of(
            "Thank Theo",
            "referrals:\n  - {date: 2026-10-30, direction: received}\n  - {date: 2026-10-30, direction: given}\n",
        ),
        // Ready too, but its most urgent item is an overdue step.
        week_of(
            "Zed Ready",
            &format!("{READY}next_step:\n  date: 2026-10-31\n  action: Call\n"),
        ),
    ];
    order(&mut rows, |r| &r.1, |r| &r.0);
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "Later Lee",
            "Late Lou",
            "Zed Ready",
            "Ready Al",
            "Ready Rita",
            "Thank Theo",
            "Soon Sam"
        ]
    );
}
