//! Unit tests of the numbers (FORMAT §4): every rule and boundary, on small
//! partners built in code.

use std::path::PathBuf;

use super::*;
use crate::book::{
    Advisor, Cadence, Meeting, NextStep, Privacy, ReadinessSettings, Referral, Role,
};

// ---------------------------------------------------------------- helpers

fn d(s: &str) -> Day {
    Day::parse(s).unwrap_or_else(|| panic!("bad test date {s}"))
}

const AS_OF: &str = "2026-11-01";

fn settings_at(as_of: &str) -> Settings {
    Settings {
        title: "Test".into(),
        notes_dir: PathBuf::from("partners"),
        output_dir: PathBuf::from("public"),
        as_of: d(as_of),
        window_months: 24,
        advisor: Advisor {
            name: Some("Alex Smith".into()),
            ideal_clients: vec![
                "business owners".into(),
                "physicians".into(),
                "pre-retirees".into(),
            ],
        },
        readiness: ReadinessSettings::default(),
        cadence: Cadence::default(),
        currency: None,
        fiscal_year_start: 1,
        privacy: Privacy::default(),
        site_url: None,
    }
}

fn settings() -> Settings {
    settings_at(AS_OF)
}

fn partner() -> Partner {
    Partner {
        slug: "jane-doe".into(),
        file: "partners/jane-doe.md".into(),
        name: "Jane Doe".into(),
        firm: None,
        profession: Some("CPA".into()),
        role: Role::Esp,
        since: None,
        email: None,
        phone: None,
        website: None,
        tags: Vec::new(),
        ideal_clients: Vec::new(),
        draft: false,
        referrals: Vec::new(),
        meetings: Vec::new(),
        initiatives: Vec::new(),
        next_step: None,
        steps: Vec::new(),
        contact_every: None,
        extra: None,
        body: String::new(),
        body_line: 1,
    }
}

fn referral(date: &str, direction: Direction, outcome: Option<Outcome>) -> Referral {
    Referral {
        date: d(date),
        direction,
        client: None,
        kind: ReferralType::Existing,
        outcome,
        value: None,
        note: None,
        thanked: None,
    }
}

fn given(date: &str, outcome: Outcome) -> Referral {
    referral(date, Direction::Given, Some(outcome))
}

fn received(date: &str) -> Referral {
    referral(date, Direction::Received, Some(Outcome::Won))
}

fn net_new(mut r: Referral) -> Referral {
    r.kind = ReferralType::NetNew;
    r
}

fn valued(mut r: Referral, value: f64) -> Referral {
    r.value = Some(value);
    r
}

fn meeting(date: &str, kind: MeetingKind, outcome: Option<DiscoveryOutcome>) -> Meeting {
    Meeting {
        date: d(date),
        kind,
        outcome,
        summary: None,
    }
}

fn discovery(date: &str, outcome: DiscoveryOutcome) -> Meeting {
    meeting(date, MeetingKind::Discovery, Some(outcome))
}

fn initiative(started: Option<&str>, status: Option<InitiativeStatus>) -> Initiative {
    Initiative {
        name: "Business-owner workshop".into(),
        started: started.map(d),
        status,
        new_clients: None,
    }
}

/// A partner with the given referrals, meetings and initiatives.
fn with(refs: Vec<Referral>, meetings: Vec<Meeting>, initiatives: Vec<Initiative>) -> Partner {
    Partner {
        referrals: refs,
        meetings,
        initiatives,
        ..partner()
    }
}

fn report(p: &Partner) -> Report {
    analyse(p, &settings())
}

fn report_with(p: &Partner, s: &Settings) -> Report {
    analyse(p, s)
}

fn stage(p: &Partner) -> Stage {
    report(p).readiness.stage
}

use DiscoveryOutcome::{Interested, NotInterested, Undecided};
use Outcome::{Below, Exceeded, Met, Pending};

/// A recent check-in that keeps a partner active without counting for
/// anything else.
fn keep_active() -> Meeting {
    meeting("2026-10-01", MeetingKind::CheckIn, None)
}

// ------------------------------------------------------------- the window

#[test]
fn window_is_months_back_both_ends_included() {
    let w = Window::new(d("2026-11-01"), 24);
    assert_eq!(w.start, d("2024-11-01"));
    assert_eq!(w.end, d("2026-11-01"));
    assert!(w.contains(d("2024-11-01")), "start day included");
    assert!(!w.contains(d("2024-10-31")), "day before start excluded");
    assert!(w.contains(d("2026-11-01")), "as_of included");
    assert!(!w.contains(d("2026-11-02")), "day after as_of excluded");
}

#[test]
fn window_clamps_to_the_end_of_a_shorter_month() {
    assert_eq!(Window::new(d("2026-03-31"), 1).start, d("2026-02-28"));
    assert_eq!(Window::new(d("2024-03-31"), 1).start, d("2024-02-29"));
    assert_eq!(Window::new(d("2026-05-31"), 1).start, d("2026-04-30"));
    // 24 months back from a leap day lands on a leap day; 12 does not.
    assert_eq!(Window::new(d("2024-02-29"), 12).start, d("2023-02-28"));
    assert_eq!(Window::new(d("2024-02-29"), 48).start, d("2020-02-29"));
}

#[test]
fn window_ends_decide_what_is_counted() {
    let mut s = settings_at("2026-03-31");
    s.window_months = 1;
    let p = with(
        vec![
            given("2026-02-27", Met), // day before the clamped start
            given("2026-02-28", Met), // clamped start: in
            received("2026-03-31"),   // as_of: in
            received("2026-04-01"),   // after as_of: out
        ],
        vec![],
        vec![],
    );
    let f = report_with(&p, &s).flow;
    assert_eq!((f.given, f.received), (1, 1));

    let mut s = settings_at("2024-03-31");
    s.window_months = 1;
    let p = with(
        vec![given("2024-02-28", Met), given("2024-02-29", Met)],
        vec![],
        vec![],
    );
    assert_eq!(
        report_with(&p, &s).flow.given,
        1,
        "leap year start 2024-02-29"
    );
}

// ------------------------------------------------------------ reciprocity

#[test]
fn reciprocity_classes() {
    assert_eq!(Reciprocity::classify(0, 0), Reciprocity::None);
    assert_eq!(Reciprocity::classify(2, 0), Reciprocity::OneWayGiven);
    assert_eq!(Reciprocity::classify(0, 5), Reciprocity::OneWayReceived);
    assert_eq!(Reciprocity::classify(1, 1), Reciprocity::Balanced);
    assert_eq!(Reciprocity::classify(2, 3), Reciprocity::Balanced);
}

#[test]
fn balance_of_exactly_half_is_heavy() {
    // v3: 3:1 is a balance of exactly ±0.5, which is already heavy; just
    // inside it (5:2, ±0.43) is balanced.
    assert_eq!(Reciprocity::classify(3, 1), Reciprocity::GivenHeavy);
    assert_eq!(Reciprocity::classify(1, 3), Reciprocity::ReceivedHeavy);
    assert_eq!(Reciprocity::classify(6, 2), Reciprocity::GivenHeavy);
    assert_eq!(Reciprocity::classify(5, 2), Reciprocity::Balanced);
    assert_eq!(Reciprocity::classify(2, 5), Reciprocity::Balanced);
    assert_eq!(Reciprocity::classify(4, 1), Reciprocity::GivenHeavy);
    assert_eq!(Reciprocity::classify(1, 4), Reciprocity::ReceivedHeavy);
    assert_eq!(Reciprocity::classify(7, 2), Reciprocity::GivenHeavy);
    assert_eq!(Reciprocity::classify(2, 7), Reciprocity::ReceivedHeavy);
    // The class agrees with the balance itself at every small count.
    for g in 1..=12u32 {
        for r in 1..=12u32 {
            let b = (f64::from(r) - f64::from(g)) / f64::from(r + g);
            let want = if b <= -0.5 {
                Reciprocity::GivenHeavy
            } else if b >= 0.5 {
                Reciprocity::ReceivedHeavy
            } else {
                Reciprocity::Balanced
            };
            assert_eq!(Reciprocity::classify(g, r), want, "{g} given, {r} received");
        }
    }
}

fn outcome_received(date: &str, outcome: Outcome, value: f64) -> Referral {
    valued(referral(date, Direction::Received, Some(outcome)), value)
}

#[test]
fn won_value_sums_only_won_received_referrals_in_the_window() {
    let p = with(
        vec![
            outcome_received("2026-10-01", Outcome::Won, 9000.0),
            outcome_received("2026-09-01", Outcome::Won, 500.5),
            outcome_received("2026-08-01", Outcome::Lost, 7000.0),
            outcome_received("2026-07-01", Outcome::Pending, 3000.0),
            // Outside the window and after as_of: not counted.
            outcome_received("2024-10-31", Outcome::Won, 1e6),
            outcome_received("2026-11-02", Outcome::Won, 1e6),
            valued(given("2026-10-01", Exceeded), 4000.0),
        ],
        vec![],
        vec![],
    );
    let f = report(&p).flow;
    assert_eq!(f.received_won_value, 9500.5);
    assert_eq!(f.received_value, 19500.5);
    assert_eq!((f.won, f.lost), (2, 1));
    assert_eq!(f.conversion, Some(0.667));
}

#[test]
fn conversion_rounds_to_three_decimals_a_half_up() {
    assert_eq!(conversion(0, 0), None);
    assert_eq!(conversion(1, 0), Some(1.0));
    assert_eq!(conversion(0, 3), Some(0.0));
    assert_eq!(conversion(1, 2), Some(0.333));
    assert_eq!(conversion(2, 1), Some(0.667));
    // 1/8 = 0.125 exactly; 1/16 = 0.0625 -> 0.063 (a half rounds up);
    // 1/1600 = 0.000625 -> 0.001; 3/16 = 0.1875 -> 0.188.
    assert_eq!(conversion(1, 7), Some(0.125));
    assert_eq!(conversion(1, 15), Some(0.063));
    assert_eq!(conversion(1, 1599), Some(0.001));
    assert_eq!(conversion(3, 13), Some(0.188));
    // Just below a half stays down: 1/2001 = 0.00049975 -> 0.
    assert_eq!(conversion(1, 2000), Some(0.0));
    assert_eq!(conversion(u32::MAX, u32::MAX), Some(0.5));
}

#[test]
fn conversion_is_null_when_nothing_is_won_or_lost() {
    let p = with(
        vec![
            outcome_received("2026-10-01", Outcome::Pending, 100.0),
            given("2026-10-01", Exceeded),
        ],
        vec![],
        vec![],
    );
    let f = report(&p).flow;
    assert_eq!(f.conversion, None);
    assert_eq!(f.received_won_value, 0.0);
}

fn thanked(mut r: Referral, day: &str) -> Referral {
    r.thanked = Some(d(day));
    r
}

#[test]
fn to_thank_counts_the_last_30_days_both_ends_included() {
    let p = with(
        vec![
            // 2026-10-02 is as_of - 30 days: counted; a day earlier is not.
            received("2026-10-02"),
            received("2026-10-01"),
            received(AS_OF),
            // Thanked on or before as_of: done.
            thanked(received("2026-10-20"), "2026-10-21"),
            thanked(received("2026-10-25"), AS_OF),
            // Thanked only after as_of: still to thank.
            thanked(received("2026-10-26"), "2026-11-05"),
            // After as_of, or given: never.
            received("2026-11-02"),
            given("2026-10-20", Met),
        ],
        vec![],
        vec![],
    );
    assert_eq!(report(&p).flow.to_thank, 3);
    // Whatever the window: a one-month window still sees 30 days back.
    let mut s = settings();
    s.window_months = 0;
    assert_eq!(report_with(&p, &s).flow.to_thank, 3);
    assert_eq!(report_with(&p, &s).flow.received, 1);
}

#[test]
fn steps_done_and_thanks_are_contact_and_activity() {
    let mut p = with(vec![received("2025-01-10")], vec![], vec![]);
    // Only the old referral: dormant, contact long overdue.
    let r = report(&p);
    assert_eq!(r.contact.last_contact, Some(d("2025-01-10")));
    assert!(!r.readiness.criteria.active.met);
    p.steps = vec![crate::book::Step {
        date: d("2026-10-01"),
        action: "Sent the outline".into(),
    }];
    let r = report(&p);
    assert_eq!(r.contact.last_contact, Some(d("2026-10-01")));
    assert_eq!(r.last_activity, Some(d("2026-10-01")));
    assert!(r.readiness.criteria.active.met);
    assert_ne!(r.readiness.stage, Stage::Dormant);
    // A thanks is contact too; one dated after as_of is not.
    p.steps.clear();
    p.referrals = vec![thanked(received("2025-01-10"), "2026-10-15")];
    let r = report(&p);
    assert_eq!(r.contact.last_contact, Some(d("2026-10-15")));
    assert!(r.readiness.criteria.active.met);
    p.referrals = vec![thanked(received("2025-01-10"), "2026-11-15")];
    p.steps = vec![crate::book::Step {
        date: d("2026-11-20"),
        action: "Later".into(),
    }];
    let r = report(&p);
    assert_eq!(r.contact.last_contact, Some(d("2025-01-10")));
    assert!(!r.readiness.criteria.active.met);
}

#[test]
fn flow_counts_sums_and_balance() {
    let p = with(
        vec![
            valued(given("2026-01-01", Met), 100.0),
            valued(given("2026-02-01", Met), 250.5),
            given("2026-03-01", Pending),
            valued(received("2026-04-01"), 9000.0),
            valued(given("2020-01-01", Met), 1_000_000.0), // before the window
        ],
        vec![],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.flow.given, 3);
    assert_eq!(r.flow.received, 1);
    assert_eq!(r.flow.given_value, 350.5);
    assert_eq!(r.flow.received_value, 9000.0);
    assert_eq!(r.flow.balance, Some(-0.5));
    // v3: 3 to 1 is given-heavy.
    assert_eq!(r.flow.reciprocity, Reciprocity::GivenHeavy);
    assert!(!r.one_way);

    let r = report(&with(vec![], vec![], vec![]));
    assert_eq!(r.flow.balance, None);
    assert_eq!(r.flow.reciprocity, Reciprocity::None);
    assert!(!r.one_way);
}

#[test]
fn one_way_streets_are_flagged_in_both_directions() {
    let r = report(&with(vec![given("2026-10-01", Met)], vec![], vec![]));
    assert_eq!(r.flow.reciprocity, Reciprocity::OneWayGiven);
    assert_eq!(r.flow.balance, Some(-1.0));
    assert!(r.one_way);
    let r = report(&with(vec![received("2026-10-01")], vec![], vec![]));
    assert_eq!(r.flow.reciprocity, Reciprocity::OneWayReceived);
    assert_eq!(r.flow.balance, Some(1.0));
    assert!(r.one_way);
    let r = report(&with(
        vec![given("2026-10-01", Met), received("2026-10-02")],
        vec![],
        vec![],
    ));
    assert!(!r.one_way);
}

// ------------------------------------------------- entries after as_of

#[test]
fn entries_after_as_of_are_ignored_by_every_number() {
    let future = "2026-11-02";
    let p = with(
        vec![
            net_new(given(future, Below)),
            net_new(received(future)),
            given(future, Exceeded),
            given(future, Exceeded),
            given(future, Exceeded),
        ],
        vec![discovery(future, NotInterested)],
        vec![initiative(Some(future), Some(InitiativeStatus::Active))],
    );
    let r = report(&p);
    assert_eq!((r.flow.given, r.flow.received), (0, 0));
    assert_eq!(r.flow.reciprocity, Reciprocity::None);
    let c = &r.readiness.criteria;
    assert!(!c.track_record.met, "{}", c.track_record.evidence);
    assert!(!c.two_way.met);
    assert!(!c.mutual_interest.met, "{}", c.mutual_interest.evidence);
    assert!(!c.net_new.met, "{}", c.net_new.evidence);
    assert!(!c.active.met, "{}", c.active.evidence);
    assert_eq!(r.last_activity, None);
    assert_eq!(r.readiness.score, 0);
    assert_eq!(r.readiness.stage, Stage::Dormant);
}

#[test]
fn a_future_below_or_not_interested_does_not_make_a_partner_not_a_fit() {
    let p = with(
        vec![
            given("2026-01-01", Exceeded),
            given("2026-02-01", Exceeded),
            given("2026-03-01", Exceeded),
            given("2026-12-01", Below),
        ],
        vec![keep_active(), discovery("2026-12-01", NotInterested)],
        vec![],
    );
    assert_eq!(stage(&p), Stage::ReadyForDiscovery);
}

#[test]
fn the_newest_activity_up_to_as_of_is_the_last_activity() {
    let p = with(
        vec![given("2026-05-01", Met), given("2027-01-01", Met)],
        vec![meeting("2026-06-01", MeetingKind::Call, None)],
        vec![initiative(Some("2026-07-01"), Some(InitiativeStatus::Idea))],
    );
    assert_eq!(report(&p).last_activity, Some(d("2026-07-01")));
}

// ----------------------------------------------------------- track record

fn resolved(outcomes: &[Outcome]) -> Vec<Referral> {
    // One a month, oldest first, all before as_of.
    outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| given(&format!("2026-{:02}-15", i + 1), *o))
        .collect()
}

fn track(outcomes: &[Outcome]) -> Criterion {
    report(&with(resolved(outcomes), vec![keep_active()], vec![]))
        .readiness
        .criteria
        .track_record
}

fn track_with(outcomes: &[Outcome], f: impl FnOnce(&mut ReadinessSettings)) -> Criterion {
    let mut s = settings();
    f(&mut s.readiness);
    analyse(&with(resolved(outcomes), vec![keep_active()], vec![]), &s)
        .readiness
        .criteria
        .track_record
}

#[test]
fn track_record_met_with_its_evidence() {
    let c = track(&[Met, Exceeded, Exceeded, Exceeded]);
    assert!(c.met);
    assert_eq!(
        c.evidence,
        "4 resolved, 3 exceeded (75% ≥ 66%), none of the last three below"
    );
}

#[test]
fn below_just_outside_the_last_three_does_not_count() {
    let c = track(&[Below, Exceeded, Exceeded, Exceeded]);
    assert!(c.met, "{}", c.evidence);
    let p = with(
        resolved(&[Below, Exceeded, Exceeded, Exceeded]),
        vec![keep_active()],
        vec![],
    );
    assert_eq!(stage(&p), Stage::ReadyForDiscovery);
}

#[test]
fn one_below_just_inside_the_last_three_fails_the_track_record_only() {
    let outcomes = [Exceeded, Below, Exceeded, Exceeded, Exceeded, Exceeded];
    // The last three are the 4th..6th: all exceeded. Move the below in.
    assert!(track(&outcomes).met);
    let outcomes = [Exceeded, Exceeded, Exceeded, Below, Exceeded, Exceeded];
    let c = track(&outcomes);
    assert!(!c.met);
    assert_eq!(
        c.evidence,
        "6 resolved, 5 exceeded (83% ≥ 66%), one of the last three below (2026-04-15)"
    );
    // One below is not two: enough resolved, so an expert provider.
    let p = with(resolved(&outcomes), vec![keep_active()], vec![]);
    assert_eq!(stage(&p), Stage::ExpertProvider);
}

#[test]
fn the_last_three_are_by_date_not_by_note_order() {
    // Written newest first: the below is the oldest of four, so outside.
    let mut refs = resolved(&[Below, Exceeded, Exceeded, Exceeded]);
    refs.reverse();
    let p = with(refs, vec![keep_active()], vec![]);
    assert!(report(&p).readiness.criteria.track_record.met);
    assert_eq!(stage(&p), Stage::ReadyForDiscovery);
}

#[test]
fn pending_given_referrals_are_not_resolved() {
    // Two exceeded and a pending: only two resolved, three needed.
    let c = track(&[Exceeded, Exceeded, Pending]);
    assert!(!c.met);
    assert_eq!(
        c.evidence,
        "2 resolved (3 needed), 2 exceeded (100% ≥ 66%), neither below"
    );
    // A pending after a below does not push the below out of the last three.
    let c = track(&[Below, Exceeded, Exceeded, Pending, Pending, Pending]);
    assert!(!c.met, "{}", c.evidence);
    // A referral with no outcome at all is pending too.
    let mut refs = resolved(&[Exceeded, Exceeded]);
    refs.push(referral("2026-05-01", Direction::Given, None));
    let p = with(refs, vec![keep_active()], vec![]);
    assert!(!report(&p).readiness.criteria.track_record.met);
    // Received referrals never count towards the track record.
    let mut refs = resolved(&[Exceeded, Exceeded]);
    refs.push(received("2026-05-01"));
    let p = with(refs, vec![keep_active()], vec![]);
    assert!(!report(&p).readiness.criteria.track_record.met);
}

#[test]
fn min_outcomes_boundary() {
    assert!(!track(&[Exceeded, Exceeded]).met);
    assert!(track(&[Exceeded, Exceeded, Exceeded]).met);
    assert!(!track_with(&[Exceeded, Exceeded, Exceeded], |r| r.min_outcomes = 4).met);
    assert!(
        track_with(&[Exceeded, Exceeded, Exceeded, Exceeded], |r| r
            .min_outcomes =
            4)
        .met
    );
    assert!(track_with(&[Exceeded], |r| r.min_outcomes = 1).met);
}

#[test]
fn track_record_counts_all_time_not_only_the_window() {
    let p = with(
        vec![
            given("2015-01-01", Exceeded),
            given("2016-01-01", Exceeded),
            given("2026-10-01", Exceeded),
        ],
        vec![],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.flow.given, 1);
    assert!(r.readiness.criteria.track_record.met);
}

#[test]
fn exceed_share_reached_exactly_passes() {
    // 2 of 3 with 0.66.
    let c = track(&[Met, Exceeded, Exceeded]);
    assert!(c.met, "{}", c.evidence);
    assert!(
        c.evidence.contains("3 resolved, 2 exceeded (67% ≥ 66%)"),
        "{}",
        c.evidence
    );
    // 3 of 4 with exactly 0.75.
    assert!(
        track_with(&[Met, Exceeded, Exceeded, Exceeded], |r| r.exceed_share =
            0.75)
        .met
    );
    // 3 of 5 with exactly 0.6 (the met ones last, so no below matters).
    assert!(
        track_with(&[Exceeded, Exceeded, Exceeded, Met, Met], |r| r
            .exceed_share =
            0.6)
        .met
    );
    // 7 of 10 with exactly 0.7.
    let mut o = vec![Exceeded; 7];
    o.extend([Met; 3]);
    assert!(track_with(&o, |r| r.exceed_share = 0.7).met);
    // Just short.
    let c = track_with(&[Exceeded, Exceeded, Exceeded, Met, Met], |r| {
        r.exceed_share = 0.61
    });
    assert!(!c.met);
    assert!(c.evidence.contains("(60% < 61%)"), "{}", c.evidence);
    let c = track(&[Met, Met, Exceeded]);
    assert!(!c.met);
    assert!(
        c.evidence.contains("1 exceeded (33% < 66%)"),
        "{}",
        c.evidence
    );
}

#[test]
fn evidence_never_shows_the_same_percentage_on_both_sides_of_less_than() {
    // 2 of 3 is 66.7%, short of 0.67, though both round to 67%.
    let c = track_with(&[Met, Exceeded, Exceeded], |r| r.exceed_share = 0.67);
    assert!(!c.met);
    assert!(c.evidence.contains("(66.7% < 67%)"), "{}", c.evidence);
    // Whole percentages otherwise, also when equal and reached.
    let c = track_with(&[Met, Exceeded, Exceeded], |r| r.exceed_share = 0.666);
    assert!(c.met);
    assert!(c.evidence.contains("(67% ≥ 67%)"), "{}", c.evidence);
}

#[test]
fn exceed_share_near_zero_and_of_one() {
    assert!(!track_with(&[Met, Met, Met], |r| r.exceed_share = 0.01).met);
    assert!(track_with(&[Met, Met, Exceeded], |r| r.exceed_share = 0.01).met);
    assert!(!track_with(&[Exceeded, Exceeded, Met], |r| r.exceed_share = 1.0).met);
    assert!(track_with(&[Exceeded, Exceeded, Exceeded], |r| r.exceed_share = 1.0).met);
}

#[test]
fn no_resolved_referrals_evidence() {
    let c = track(&[]);
    assert!(!c.met);
    assert_eq!(c.evidence, "no resolved given referral yet (3 needed)");
}

// ---------------------------------------------------------------- two way

#[test]
fn two_way_needs_both_directions_in_the_window() {
    let r = report(&with(
        vec![given("2026-10-01", Met), received("2024-10-31")],
        vec![],
        vec![],
    ));
    let c = &r.readiness.criteria.two_way;
    assert!(!c.met);
    assert_eq!(
        c.evidence,
        "1 given, 0 received between 2024-11-01 and 2026-11-01"
    );
    let r = report(&with(
        vec![given("2026-10-01", Met), received("2024-11-01")],
        vec![],
        vec![],
    ));
    assert!(r.readiness.criteria.two_way.met);
}

// -------------------------------------------------------- mutual interest

fn mutual(p: &Partner) -> Criterion {
    report(p).readiness.criteria.mutual_interest
}

#[test]
fn mutual_interest_is_the_newest_discovery_saying_interested() {
    let p = with(vec![], vec![discovery("2019-01-01", Interested)], vec![]);
    let c = mutual(&p);
    assert!(c.met);
    assert_eq!(c.evidence, "discovery on 2019-01-01, interested");
    // Held on as_of itself counts; a meal is not a discovery.
    let p = with(
        vec![],
        vec![
            meeting("2026-10-01", MeetingKind::Meal, None),
            discovery(AS_OF, Interested),
        ],
        vec![],
    );
    assert_eq!(mutual(&p).evidence, "discovery on 2026-11-01, interested");
    let p = with(
        vec![],
        vec![meeting("2026-10-01", MeetingKind::Event, None)],
        vec![],
    );
    let c = mutual(&p);
    assert!(!c.met);
    assert_eq!(c.evidence, "no discovery conversation yet");
}

#[test]
fn a_discovery_that_is_undecided_or_has_no_outcome_is_not_mutual_interest() {
    let c = mutual(&with(
        vec![],
        vec![discovery("2026-09-01", Undecided)],
        vec![],
    ));
    assert!(!c.met);
    assert_eq!(c.evidence, "discovery on 2026-09-01, undecided");
    let c = mutual(&with(
        vec![],
        vec![meeting("2026-09-01", MeetingKind::Discovery, None)],
        vec![],
    ));
    assert!(!c.met);
    assert_eq!(
        c.evidence,
        "discovery on 2026-09-01, no outcome recorded, so undecided"
    );
}

#[test]
fn the_newest_discovery_decides_whatever_the_note_order() {
    // An interested one, then a newer no: declined, written either way.
    for meetings in [
        vec![
            discovery("2025-01-01", Interested),
            discovery("2026-06-01", NotInterested),
        ],
        vec![
            discovery("2026-06-01", NotInterested),
            discovery("2025-01-01", Interested),
        ],
    ] {
        let p = with(vec![], [meetings, vec![keep_active()]].concat(), vec![]);
        assert!(!mutual(&p).met);
        assert_eq!(stage(&p), Stage::Declined);
    }
    // A no, then a newer yes: design net-new.
    let p = with(
        vec![],
        vec![
            discovery("2026-06-01", Interested),
            discovery("2025-01-01", NotInterested),
            keep_active(),
        ],
        vec![],
    );
    assert_eq!(stage(&p), Stage::DesignNetNew);
    // A newer undecided or outcome-less discovery outweighs an older yes.
    for newer in [
        discovery("2026-06-01", Undecided),
        meeting("2026-06-01", MeetingKind::Discovery, None),
    ] {
        let p = with(
            vec![],
            vec![discovery("2025-01-01", Interested), newer, keep_active()],
            vec![],
        );
        assert_eq!(stage(&p), Stage::DiscoveryUndecided);
    }
}

#[test]
fn of_two_discoveries_on_one_day_the_one_written_later_decides() {
    let p = with(
        vec![],
        vec![
            discovery("2026-06-01", NotInterested),
            discovery("2026-06-01", Interested),
            keep_active(),
        ],
        vec![],
    );
    assert_eq!(stage(&p), Stage::DesignNetNew);
    let p = with(
        vec![],
        vec![
            discovery("2026-06-01", Interested),
            discovery("2026-06-01", NotInterested),
            keep_active(),
        ],
        vec![],
    );
    assert_eq!(stage(&p), Stage::Declined);
}

// ---------------------------------------------------------- ideal clients

fn shared(partner_clients: &[&str], advisor_clients: &[&str]) -> Criterion {
    let mut s = settings();
    s.advisor.ideal_clients = advisor_clients.iter().map(|c| c.to_string()).collect();
    let p = Partner {
        ideal_clients: partner_clients.iter().map(|c| c.to_string()).collect(),
        ..partner()
    };
    analyse(&p, &s).readiness.criteria.shared_ideal_clients
}

#[test]
fn ideal_clients_compare_case_insensitively_and_trimmed() {
    let c = shared(&["  Business Owners ", "athletes"], &["business owners"]);
    assert!(c.met);
    assert_eq!(c.evidence, "both serve Business Owners");
    assert!(shared(&["PHYSICIANS"], &[" Physicians\t"]).met);
    assert!(!shared(&["business-owners"], &["business owners"]).met);
    let c = shared(&["athletes"], &["physicians"]);
    assert!(!c.met);
    assert_eq!(c.evidence, "no ideal client in common");
    assert!(!shared(&[], &["physicians"]).met);
    assert!(!shared(&["physicians"], &[]).met);
}

// ---------------------------------------------------------------- net new

fn nn(refs: Vec<Referral>, inits: Vec<Initiative>) -> Criterion {
    report(&with(refs, vec![], inits))
        .readiness
        .criteria
        .net_new
}

#[test]
fn net_new_is_counted_by_direction_in_the_window() {
    let p = with(
        vec![
            net_new(given("2026-01-01", Pending)),
            net_new(given("2024-11-01", Met)), // window start: in
            net_new(given("2024-10-31", Met)), // day before: out
            net_new(received("2026-02-01")),
            received("2026-03-01"),
            net_new(received("2026-11-02")), // after as_of: out
        ],
        vec![],
        vec![],
    );
    let f = report(&p).flow;
    assert_eq!((f.given, f.received), (2, 2));
    assert_eq!((f.net_new_given, f.net_new_received), (2, 1));
}

#[test]
fn net_new_referrals_both_ways_without_an_initiative_are_business_together() {
    let c = nn(
        vec![
            net_new(given("2026-06-01", Pending)),
            net_new(received("2026-07-01")),
        ],
        vec![],
    );
    assert!(c.met);
    assert_eq!(
        c.evidence,
        "net-new referrals both ways in the window: 1 given, 1 received"
    );
}

#[test]
fn net_new_one_way_only_is_counted_but_not_yet_business_together() {
    let c = nn(vec![net_new(received("2026-07-01"))], vec![]);
    assert!(!c.met);
    assert_eq!(
        c.evidence,
        "no working initiative, and net-new only one way in the window (0 given, 1 received)"
    );
    let c = nn(
        vec![
            net_new(given("2026-06-01", Met)),
            net_new(given("2026-06-02", Met)),
        ],
        vec![],
    );
    assert!(!c.met, "{}", c.evidence);
    // The given one falls out of the window: one way only.
    let c = nn(
        vec![
            net_new(given("2024-10-31", Met)),
            net_new(received("2026-07-01")),
        ],
        vec![],
    );
    assert!(!c.met, "{}", c.evidence);
    let c = nn(vec![received("2026-07-01")], vec![]);
    assert!(!c.met);
    assert_eq!(
        c.evidence,
        "no working initiative and no net-new referral in the window"
    );
}

fn done(started: Option<&str>, new_clients: Option<u32>) -> Initiative {
    Initiative {
        new_clients,
        ..initiative(started, Some(InitiativeStatus::Done))
    }
}

#[test]
fn an_active_initiative_works_unless_it_starts_after_as_of() {
    let active = |started| initiative(started, Some(InitiativeStatus::Active));
    let c = nn(vec![], vec![active(None)]);
    assert!(c.met);
    assert_eq!(
        c.evidence,
        "working initiative: Business-owner workshop (active)"
    );
    let c = nn(vec![], vec![active(Some(AS_OF))]);
    assert!(c.met);
    assert_eq!(
        c.evidence,
        "working initiative: Business-owner workshop (active since 2026-11-01)"
    );
    // Long-running: started before the window, still active.
    assert!(nn(vec![], vec![active(Some("2019-01-01"))]).met);
    assert!(!nn(vec![], vec![active(Some("2026-11-02"))]).met);
}

#[test]
fn a_done_initiative_works_with_new_clients_and_a_start_in_the_window() {
    let c = nn(vec![], vec![done(Some("2024-11-01"), Some(2))]);
    assert!(c.met, "window start is inside");
    assert_eq!(
        c.evidence,
        "working initiative: Business-owner workshop (done, 2 new clients, started 2024-11-01)"
    );
    assert!(
        !nn(vec![], vec![done(Some("2024-10-31"), Some(2))]).met,
        "started the day before the window"
    );
    assert!(
        !nn(vec![], vec![done(Some("2026-01-01"), Some(0))]).met,
        "no new client"
    );
    assert!(
        !nn(vec![], vec![done(Some("2026-01-01"), None)]).met,
        "new clients not recorded"
    );
    assert!(
        !nn(vec![], vec![done(None, Some(3))]).met,
        "no start date: cannot be placed in the window"
    );
    assert!(
        !nn(vec![], vec![done(Some("2026-11-02"), Some(3))]).met,
        "started after as_of"
    );
    assert!(nn(vec![], vec![done(Some("2026-11-01"), Some(1))]).met);
}

#[test]
fn ideas_dropped_and_unmarked_initiatives_do_not_work() {
    for status in [
        Some(InitiativeStatus::Idea),
        Some(InitiativeStatus::Dropped),
        None,
    ] {
        let mut i = initiative(Some("2026-01-01"), status);
        i.new_clients = Some(5);
        assert!(!nn(vec![], vec![i]).met, "{status:?}");
    }
}

// ----------------------------------------------------------------- active

#[test]
fn active_within_stale_days_inclusive() {
    // 2026-05-05 is exactly 180 days before 2026-11-01.
    let p = with(
        vec![],
        vec![meeting("2026-05-05", MeetingKind::Call, None)],
        vec![],
    );
    let c = report(&p).readiness.criteria.active;
    assert!(c.met, "{}", c.evidence);
    assert_eq!(
        c.evidence,
        "last activity on 2026-05-05, 180 days ago (limit 180)"
    );
    let p = with(
        vec![],
        vec![meeting("2026-05-04", MeetingKind::Call, None)],
        vec![],
    );
    assert!(!report(&p).readiness.criteria.active.met);
    assert_eq!(stage(&p), Stage::Dormant);
    let p = with(
        vec![],
        vec![meeting(AS_OF, MeetingKind::Call, None)],
        vec![],
    );
    assert_eq!(
        report(&p).readiness.criteria.active.evidence,
        "last activity on 2026-11-01, today (limit 180)"
    );
    let p = with(
        vec![],
        vec![meeting("2026-10-31", MeetingKind::Call, None)],
        vec![],
    );
    assert_eq!(
        report(&p).readiness.criteria.active.evidence,
        "last activity on 2026-10-31, 1 day ago (limit 180)"
    );
    // An initiative start is activity; one without a date is not.
    let p = with(vec![], vec![], vec![initiative(Some("2026-10-01"), None)]);
    assert!(report(&p).readiness.criteria.active.met);
    let p = with(
        vec![],
        vec![],
        vec![initiative(None, Some(InitiativeStatus::Active))],
    );
    let c = report(&p).readiness.criteria.active;
    assert!(!c.met);
    assert_eq!(c.evidence, "no dated activity");
}

#[test]
fn since_counts_as_activity() {
    let since = |day: &str| Partner {
        since: Some(d(day)),
        ..partner()
    };
    let r = report(&since("2026-10-01"));
    assert!(r.readiness.criteria.active.met);
    assert_eq!(r.last_activity, Some(d("2026-10-01")));
    assert_eq!(r.readiness.stage, Stage::BuildingTrackRecord);
    assert_eq!(report(&since("2026-05-04")).readiness.stage, Stage::Dormant);
    assert_eq!(
        report(&since("2026-11-02")).readiness.stage,
        Stage::Dormant,
        "a start after as_of is ignored"
    );
}

// ----------------------------------------------------------------- stages

fn interested() -> Meeting {
    discovery("2026-09-01", Interested)
}

#[test]
fn stage_1_dormant_when_quiet_or_inactive() {
    let r = report(&partner());
    assert_eq!(r.readiness.stage, Stage::Dormant);
    assert_eq!(r.readiness.reason, "Dormant: no dated activity yet");
    let p = with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![meeting("2026-05-04", MeetingKind::Call, None)],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Dormant);
    assert_eq!(
        r.readiness.reason,
        "Dormant: last activity on 2026-05-04, 181 days ago, past the 180-day limit"
    );
    // The inactive role is dormant however busy, and kept for the record.
    let p = Partner {
        role: Role::Inactive,
        ..with(
            resolved(&[Exceeded, Exceeded, Exceeded]),
            vec![keep_active(), interested()],
            vec![],
        )
    };
    let r = report(&p);
    assert!(r.readiness.criteria.active.met);
    assert_eq!(r.readiness.stage, Stage::Dormant);
    assert_eq!(
        r.readiness.reason,
        "Dormant: the role is inactive, kept for the record"
    );
    assert_eq!(r.readiness.next_action, "Keep the note for the record");
}

#[test]
fn stage_2_not_a_fit_takes_two_below_of_the_last_three() {
    let p = with(
        resolved(&[Exceeded, Below, Below]),
        vec![keep_active()],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::NotAFit);
    assert_eq!(
        r.readiness.reason,
        "Not a fit: two of the last three resolved given referrals were below expectations (2026-02-15, 2026-03-15)"
    );
    // Two below, but one of them older than the last three: one counts.
    let p = with(
        resolved(&[Below, Below, Exceeded, Exceeded]),
        vec![keep_active()],
        vec![],
    );
    assert_eq!(stage(&p), Stage::ExpertProvider);
    // Two below among fewer than min_outcomes resolved: not a fit already.
    let p = with(resolved(&[Below, Below]), vec![keep_active()], vec![]);
    assert_eq!(stage(&p), Stage::NotAFit);
    // One below alone only fails the track record.
    let p = with(resolved(&[Below]), vec![keep_active()], vec![]);
    assert_eq!(stage(&p), Stage::BuildingTrackRecord);
}

#[test]
fn two_below_against_one() {
    let below_in_last_three =
        |outcomes: &[Outcome]| stage(&with(resolved(outcomes), vec![keep_active()], vec![]));
    assert_eq!(
        below_in_last_three(&[Exceeded, Exceeded, Exceeded, Below, Exceeded, Below]),
        Stage::NotAFit
    );
    assert_eq!(
        below_in_last_three(&[Exceeded, Exceeded, Below, Exceeded, Exceeded, Below]),
        Stage::ExpertProvider,
        "the first below is fourth from last"
    );
}

#[test]
fn a_same_day_tie_among_the_last_three_follows_the_note() {
    // Four resolved; the oldest two share a day, so which one is the
    // fourth from last (outside the last three) is the note's order.
    let refs = |first: Outcome, second: Outcome| {
        vec![
            given("2026-01-01", first),
            given("2026-01-01", second),
            given("2026-02-01", Below),
            given("2026-03-01", Exceeded),
        ]
    };
    // Written below then exceeded: the below is the older, out of the three.
    let p = with(refs(Below, Exceeded), vec![keep_active()], vec![]);
    assert_eq!(stage(&p), Stage::ExpertProvider);
    // Written exceeded then below: the below is the later, two in the three.
    let p = with(refs(Exceeded, Below), vec![keep_active()], vec![]);
    assert_eq!(stage(&p), Stage::NotAFit);
    assert!(
        report(&p)
            .readiness
            .reason
            .ends_with("(2026-01-01, 2026-02-01)"),
        "{}",
        report(&p).readiness.reason
    );
}

#[test]
fn stage_3_collaborating_takes_interest_and_business_together() {
    let p = with(
        vec![],
        vec![interested()],
        vec![initiative(
            Some("2026-09-10"),
            Some(InitiativeStatus::Active),
        )],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Collaborating);
    assert_eq!(
        r.readiness.reason,
        "Collaborating: discovery on 2026-09-01, interested; working initiative: Business-owner workshop (active since 2026-09-10)"
    );
    assert_eq!(
        r.readiness.next_action,
        "Keep the joint initiative (Business-owner workshop) running and measure what it brings both of you"
    );
    // Net-new both ways, no initiative.
    let p = with(
        vec![
            net_new(given("2026-09-05", Pending)),
            net_new(received("2026-09-20")),
        ],
        vec![interested()],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Collaborating);
    assert_eq!(
        r.readiness.reason,
        "Collaborating: discovery on 2026-09-01, interested; net-new referrals both ways in the window: 1 given, 1 received"
    );
    assert_eq!(
        r.readiness.next_action,
        "Turn the net-new referrals flowing both ways into one joint initiative"
    );
    // Business together without mutual interest is not collaborating.
    let p = with(
        vec![],
        vec![keep_active()],
        vec![initiative(None, Some(InitiativeStatus::Active))],
    );
    assert_eq!(stage(&p), Stage::BuildingTrackRecord);
}

#[test]
fn stage_4_design_net_new() {
    let r = report(&with(vec![], vec![interested()], vec![]));
    assert_eq!(r.readiness.stage, Stage::DesignNetNew);
    assert_eq!(
        r.readiness.reason,
        "Design net-new: discovery on 2026-09-01, interested; no business created together yet"
    );
    assert_eq!(r.readiness.next_action, "Propose one joint initiative");
    // A track record does not send a partner back once interest is shown.
    let p = with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![interested()],
        vec![],
    );
    assert_eq!(stage(&p), Stage::DesignNetNew);
}

#[test]
fn one_way_with_interest_and_one_net_new_referral_designs_net_new() {
    let p = with(
        vec![
            net_new(given("2026-09-02", Pending)),
            given("2026-09-03", Pending),
        ],
        vec![interested()],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::DesignNetNew);
    assert!(r.one_way);
    assert_eq!(r.flow.reciprocity, Reciprocity::OneWayGiven);
    assert!(!r.readiness.criteria.net_new.met);
    assert_eq!(
        r.readiness.next_action,
        "You sent 2 clients in 24 months and received none: raise it before sending more, then propose one joint initiative"
    );
}

#[test]
fn stage_5_discovery_undecided_is_followed_up() {
    for m in [
        discovery("2026-09-01", Undecided),
        meeting("2026-09-01", MeetingKind::Discovery, None),
    ] {
        let r = report(&with(
            resolved(&[Exceeded, Exceeded, Exceeded]),
            vec![m],
            vec![],
        ));
        assert_eq!(r.readiness.stage, Stage::DiscoveryUndecided);
        assert!(
            r.readiness
                .reason
                .starts_with("Discovery undecided: discovery on 2026-09-01, "),
            "{}",
            r.readiness.reason
        );
        assert_eq!(
            r.readiness.next_action,
            "Follow up the discovery conversation of 2026-09-01: ask what would help them decide"
        );
    }
}

#[test]
fn stage_6_declined_keeps_an_expert_provider_and_asks_again_after_a_year() {
    let p = with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![discovery("2026-01-20", NotInterested), keep_active()],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Declined);
    assert_eq!(
        r.readiness.reason,
        "Declined: discovery on 2026-01-20, not interested"
    );
    assert_eq!(
        r.readiness.next_action,
        "Keep referring where it serves your clients; ask again on or after 2027-01-20"
    );
    // A year to the day: ask again.
    let p = with(
        vec![],
        vec![discovery("2025-11-01", NotInterested), keep_active()],
        vec![],
    );
    assert_eq!(
        report(&p).readiness.next_action,
        "A year has passed since they declined on 2025-11-01: ask again whether they would explore new clients together"
    );
    let p = with(
        vec![],
        vec![discovery("2025-11-02", NotInterested), keep_active()],
        vec![],
    );
    assert!(report(&p)
        .readiness
        .next_action
        .ends_with("ask again on or after 2026-11-02"));
}

#[test]
fn stage_7_ready_for_discovery() {
    let r = report(&with(
        resolved(&[Exceeded, Exceeded, Met]),
        vec![keep_active()],
        vec![],
    ));
    assert_eq!(r.readiness.stage, Stage::ReadyForDiscovery);
    assert_eq!(
        r.readiness.reason,
        "Ready for discovery: 2 of 3 resolved given referrals exceeded expectations (67%), the latest on 2026-03-15, none of the last three below"
    );
}

#[test]
fn stage_8_expert_provider() {
    let r = report(&with(
        resolved(&[Met, Met, Exceeded]),
        vec![keep_active()],
        vec![],
    ));
    assert_eq!(r.readiness.stage, Stage::ExpertProvider);
    assert_eq!(
        r.readiness.reason,
        "Expert provider: only 1 of 3 resolved given referrals exceeded expectations (33%, 66% needed)"
    );
    let r = report(&with(
        resolved(&[Exceeded, Exceeded, Exceeded, Below]),
        vec![keep_active()],
        vec![],
    ));
    assert_eq!(r.readiness.stage, Stage::ExpertProvider);
    assert_eq!(
        r.readiness.reason,
        "Expert provider: 3 of 4 resolved given referrals exceeded expectations (75%), but one of the last three was below (2026-04-15)"
    );
    assert_eq!(
        r.readiness.next_action,
        "Keep referring where it serves your clients, and talk through the referral that fell short on 2026-04-15"
    );
}

#[test]
fn stage_9_building_a_track_record() {
    let r = report(&with(vec![given("2026-10-01", Pending)], vec![], vec![]));
    assert_eq!(r.readiness.stage, Stage::BuildingTrackRecord);
    assert_eq!(
        r.readiness.reason,
        "Building a track record: no resolved given referral yet (3 needed)"
    );
    let r = report(&with(resolved(&[Exceeded]), vec![keep_active()], vec![]));
    assert_eq!(r.readiness.stage, Stage::BuildingTrackRecord);
    assert_eq!(
        r.readiness.reason,
        "Building a track record: 1 resolved given referral so far, the latest on 2026-01-15; 3 needed"
    );
    assert_eq!(
        r.readiness.next_action,
        "Refer where it fits and record how each referral turns out: 2 more resolved referrals needed"
    );
}

#[test]
fn stage_rules_apply_in_order() {
    // Dormant beats not-a-fit.
    let p = with(resolved(&[Below, Below, Below]), vec![], vec![]);
    assert_eq!(stage(&p), Stage::Dormant);
    // Not-a-fit beats collaborating.
    let p = with(
        [
            resolved(&[Exceeded, Below, Below]),
            vec![
                net_new(given("2026-09-02", Pending)),
                net_new(received("2026-09-03")),
            ],
        ]
        .concat(),
        vec![interested()],
        vec![initiative(None, Some(InitiativeStatus::Active))],
    );
    assert_eq!(stage(&p), Stage::NotAFit);
    // Declined beats ready-for-discovery.
    let p = with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![discovery("2026-09-01", NotInterested)],
        vec![],
    );
    assert_eq!(stage(&p), Stage::Declined);
    // Ready-for-discovery beats expert-provider.
    let p = with(
        resolved(&[Met, Exceeded, Exceeded, Exceeded]),
        vec![keep_active()],
        vec![],
    );
    assert_eq!(stage(&p), Stage::ReadyForDiscovery);
}

#[test]
fn a_partner_meeting_all_six_criteria_is_collaborating() {
    let mut p = partner();
    p.ideal_clients = vec!["Physicians".into()];
    p.referrals = [
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![received("2026-08-02")],
    ]
    .concat();
    p.meetings = vec![discovery("2026-08-03", Interested)];
    p.initiatives = vec![initiative(
        Some("2026-08-04"),
        Some(InitiativeStatus::Active),
    )];
    let r = report(&p);
    assert_eq!(r.readiness.criteria.met_count(), 6);
    assert_eq!(r.readiness.score, 100);
    assert_eq!(r.readiness.stage, Stage::Collaborating);
}

#[test]
fn stages_sort_by_the_ladder_and_read_as_words() {
    let mut all = Stage::RULES.to_vec();
    all.sort();
    assert_eq!(all, Stage::LADDER);
    assert!(Stage::BuildingTrackRecord < Stage::ExpertProvider);
    assert!(Stage::ExpertProvider < Stage::ReadyForDiscovery);
    assert!(Stage::ReadyForDiscovery < Stage::DiscoveryUndecided);
    assert!(Stage::DesignNetNew < Stage::Collaborating);
    assert!(Stage::Dormant < Stage::BuildingTrackRecord);
    let words: Vec<&str> = Stage::RULES.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        words,
        [
            "dormant",
            "not-a-fit",
            "collaborating",
            "design-net-new",
            "discovery-undecided",
            "declined",
            "ready-for-discovery",
            "expert-provider",
            "building-track-record"
        ]
    );
    for s in Stage::RULES {
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        assert!(Stage::PATH.contains(&s));
    }
    assert_eq!(Stage::DesignNetNew.label(), "Design net-new business");
    assert_eq!(
        Stage::BuildingTrackRecord.label(),
        "Building a track record"
    );
    assert_eq!(Role::Esp.label(), "Expert service provider");
    assert_eq!(Role::Coi.label(), "Center of influence");
    assert_eq!(Stage::ExpertProvider.label(), "Reliable provider");
    // A role and a stage never share a label.
    for s in Stage::RULES {
        for r in Role::ALL {
            assert_ne!(s.label(), r.label(), "{s} and {r}");
        }
    }
}

/// Every stage, by a match that stops compiling when a stage is added: the
/// stage above each on the ladder.
fn ladder_after(s: Stage) -> Option<Stage> {
    match s {
        Stage::Dormant => Some(Stage::NotAFit),
        Stage::NotAFit => Some(Stage::BuildingTrackRecord),
        Stage::BuildingTrackRecord => Some(Stage::ExpertProvider),
        Stage::ExpertProvider => Some(Stage::Declined),
        Stage::Declined => Some(Stage::ReadyForDiscovery),
        Stage::ReadyForDiscovery => Some(Stage::DiscoveryUndecided),
        Stage::DiscoveryUndecided => Some(Stage::DesignNetNew),
        Stage::DesignNetNew => Some(Stage::Collaborating),
        Stage::Collaborating => None,
    }
}

fn every_stage() -> Vec<Stage> {
    std::iter::successors(Some(Stage::Dormant), |s| ladder_after(*s)).collect()
}

/// Every combination of what the stage rules read.
fn every_signal() -> Vec<Signals> {
    let mut out = Vec::new();
    let flags = [false, true];
    let discoveries = [
        None,
        Some(DiscoveryOutcome::Interested),
        Some(DiscoveryOutcome::NotInterested),
        Some(DiscoveryOutcome::Undecided),
    ];
    for inactive_role in flags {
        for active in flags {
            for recent_belows in 0..=3 {
                for mutual_interest in flags {
                    for net_new in flags {
                        for discovery in discoveries {
                            for track_record in flags {
                                for enough_resolved in flags {
                                    out.push(Signals {
                                        inactive_role,
                                        active,
                                        recent_belows,
                                        mutual_interest,
                                        net_new,
                                        discovery,
                                        track_record,
                                        enough_resolved,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// FORMAT §4's rules as the format words them, one after the other.
fn stage_as_the_format_says(s: &Signals) -> Stage {
    if s.inactive_role || !s.active {
        Stage::Dormant
    } else if s.recent_belows >= 2 {
        Stage::NotAFit
    } else if s.mutual_interest && s.net_new {
        Stage::Collaborating
    } else if s.mutual_interest {
        Stage::DesignNetNew
    } else if s.discovery == Some(DiscoveryOutcome::Undecided) {
        Stage::DiscoveryUndecided
    } else if s.discovery == Some(DiscoveryOutcome::NotInterested) {
        Stage::Declined
    } else if s.track_record {
        Stage::ReadyForDiscovery
    } else if s.enough_resolved {
        Stage::ExpertProvider
    } else {
        Stage::BuildingTrackRecord
    }
}

#[test]
fn the_stage_table_gives_the_stage_the_format_rules_give() {
    let mut reached = std::collections::BTreeSet::new();
    for s in every_signal() {
        let stage = Stage::classify(&s);
        assert_eq!(stage, stage_as_the_format_says(&s), "{s:?}");
        reached.insert(stage);
    }
    // Every stage's rule can apply.
    assert_eq!(reached.into_iter().collect::<Vec<_>>(), every_stage());
}

#[test]
fn every_stage_has_its_row_with_words_a_colour_and_a_way_up() {
    let all = every_stage();
    assert_eq!(STAGES.len(), all.len(), "a row per stage");
    assert_eq!(Stage::LADDER.to_vec(), all);
    for order in [Stage::RULES, Stage::PATH] {
        let mut sorted = order.to_vec();
        sorted.sort();
        assert_eq!(sorted, all);
    }
    let mut colours = std::collections::HashSet::new();
    let mut slugs = std::collections::HashSet::new();
    for s in all {
        let f = s.facts();
        assert_eq!(f.stage, s, "the row of {s:?}");
        assert_eq!(
            s.rank(),
            Stage::LADDER.iter().position(|x| *x == s).unwrap()
        );
        assert_eq!(Stage::PATH[f.path], s);
        for words in [f.label, f.reason_name, f.advice] {
            assert!(!words.trim().is_empty(), "{s:?} has no words");
        }
        assert!(
            f.slug.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !f.slug.is_empty(),
            "{s:?}: {}",
            f.slug
        );
        assert!(slugs.insert(f.slug), "{s:?}: slug taken");
        assert!(colours.insert(f.colour), "{s:?}: colour taken");
        let hex = s.colour().hex();
        assert!(
            hex.len() == 7
                && hex.starts_with('#')
                && hex[1..].chars().all(|c| c.is_ascii_hexdigit()),
            "{hex}"
        );
        // A way up: the stage above it and what that needs, or, for a
        // side-track with nowhere above it, what holds it back.
        match (s, f.next) {
            (Stage::Collaborating, next) => {
                assert_eq!(next, None, "collaborating is the top");
                assert!(f.needs.is_empty());
            }
            (Stage::Dormant | Stage::NotAFit, None) => assert!(!f.needs.is_empty(), "{s:?}"),
            (_, Some(next)) => {
                assert!(next > s, "{s:?} goes up to {next:?}");
                assert!(!f.needs.is_empty(), "{s:?}");
            }
            (_, None) => panic!("{s:?} has no next stage"),
        }
    }
}

#[test]
fn meeting_what_a_stage_needs_takes_it_to_the_next_stage() {
    let mut lifted = 0;
    for signals in every_signal() {
        let stage = Stage::classify(&signals);
        let Some(next) = stage.next() else { continue };
        let mut up = signals;
        for key in stage.needs() {
            match key {
                CriterionKey::TrackRecord => up.track_record = true,
                CriterionKey::MutualInterest => up.mutual_interest = true,
                CriterionKey::NetNew => up.net_new = true,
                CriterionKey::Active => up.active = true,
                CriterionKey::TwoWay | CriterionKey::SharedIdealClients => {
                    panic!("{stage:?} needs {key}, which no rule reads")
                }
            }
        }
        assert!(Stage::classify(&up) >= next, "{signals:?}");
        lifted += 1;
    }
    assert!(lifted > 0);
}

#[test]
fn criteria_keys_are_the_formats() {
    let r = report(&partner());
    let keys: Vec<String> = r
        .readiness
        .criteria
        .iter()
        .iter()
        .map(|(k, _)| {
            serde_json::to_value(k)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let json = serde_json::to_value(&r.readiness.criteria).unwrap();
    let fields: Vec<&String> = json.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    let mut fields_sorted: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    fields_sorted.sort();
    assert_eq!(sorted, fields_sorted);
    assert_eq!(
        keys,
        [
            "track_record",
            "two_way",
            "mutual_interest",
            "shared_ideal_clients",
            "net_new",
            "active"
        ]
    );
    for (k, c) in r.readiness.criteria.iter() {
        assert_eq!(k.as_str(), k.to_string());
        assert!(std::ptr::eq(r.readiness.criteria.get(k), c));
        assert!(!k.label().is_empty() && !k.short().is_empty());
    }
}

#[test]
fn one_way_is_flagged_whatever_the_stage() {
    let p = with(
        vec![
            net_new(received("2026-09-02")),
            net_new(received("2026-09-03")),
        ],
        vec![interested()],
        vec![initiative(None, Some(InitiativeStatus::Active))],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Collaborating);
    assert!(r.one_way);
}

// ------------------------------------------------------------------ score

#[test]
fn score_is_rounded_share_of_six() {
    // Add one criterion at a time.
    let mut p = partner();
    let mut scores = vec![report(&p).readiness.score];
    p.meetings.push(keep_active()); // active
    scores.push(report(&p).readiness.score);
    p.ideal_clients = vec!["Physicians".into()]; // shared ideal clients
    scores.push(report(&p).readiness.score);
    p.referrals.push(given("2026-08-01", Pending));
    p.referrals.push(received("2026-08-02")); // two way
    scores.push(report(&p).readiness.score);
    p.meetings.push(discovery("2026-08-03", Interested)); // mutual interest
    scores.push(report(&p).readiness.score);
    p.initiatives.push(initiative(
        Some("2026-08-04"),
        Some(InitiativeStatus::Active),
    )); // net new
    scores.push(report(&p).readiness.score);
    p.referrals
        .extend(resolved(&[Exceeded, Exceeded, Exceeded])); // track record
    scores.push(report(&p).readiness.score);
    assert_eq!(scores, vec![0, 17, 33, 50, 67, 83, 100]);
}

// --------------------------------------------------------------- evidence

#[test]
fn evidence_reads_well_for_few_referrals() {
    assert_eq!(
        track(&[Exceeded]).evidence,
        "1 resolved (3 needed), 1 exceeded (100% ≥ 66%), not below"
    );
    assert_eq!(
        track(&[Below]).evidence,
        "1 resolved (3 needed), 0 exceeded (0% < 66%), below (2026-01-15)"
    );
    assert_eq!(
        track(&[Exceeded, Below]).evidence,
        "2 resolved (3 needed), 1 exceeded (50% < 66%), one of the two below (2026-02-15)"
    );
    assert_eq!(
        track(&[Below, Below]).evidence,
        "2 resolved (3 needed), 0 exceeded (0% < 66%), both below (2026-01-15, 2026-02-15)"
    );
    assert_eq!(
        track(&[Below, Below, Exceeded]).evidence,
        "3 resolved, 1 exceeded (33% < 66%), two of the last three below (2026-01-15, 2026-02-15)"
    );
    assert_eq!(
        track(&[Below, Below, Below]).evidence,
        "3 resolved, 0 exceeded (0% < 66%), all of the last three below (2026-01-15, 2026-02-15, 2026-03-15)"
    );
}

#[test]
fn evidence_mentions_the_numbers() {
    let p = with(
        [
            resolved(&[Met, Exceeded, Exceeded, Exceeded]),
            vec![received("2026-06-01"), net_new(received("2026-07-01"))],
        ]
        .concat(),
        vec![discovery("2026-08-01", Interested)],
        vec![],
    );
    let r = report(&p);
    let c = &r.readiness.criteria;
    assert_eq!(
        c.two_way.evidence,
        "4 given, 2 received between 2024-11-01 and 2026-11-01"
    );
    assert_eq!(
        c.mutual_interest.evidence,
        "discovery on 2026-08-01, interested"
    );
    assert_eq!(
        c.active.evidence,
        "last activity on 2026-08-01, 92 days ago (limit 180)"
    );
    for (key, c) in c.iter() {
        assert!(!c.evidence.is_empty(), "{key}");
        assert!(!c.evidence.contains("  "), "{key}: {}", c.evidence);
    }
}

// ------------------------------------------------------- keeping in touch

fn contact(p: &Partner) -> Contact {
    report(p).contact
}

#[test]
fn last_contact_is_the_newest_referral_or_meeting_up_to_as_of() {
    let p = Partner {
        since: Some(d("2026-10-20")),
        ..with(
            vec![given("2026-03-01", Met), received("2026-06-01")],
            vec![
                meeting("2026-05-01", MeetingKind::Call, None),
                meeting("2026-11-02", MeetingKind::Meal, None),
            ],
            vec![initiative(
                Some("2026-10-25"),
                Some(InitiativeStatus::Active),
            )],
        )
    };
    // Neither `since` nor an initiative start is a contact.
    let c = contact(&p);
    assert_eq!(c.last_contact, Some(d("2026-06-01")));
    assert_eq!(c.cadence, Some(180));
    assert_eq!(c.due, Some(d("2026-11-28")));
    assert_eq!(c.overdue_days, None);
}

#[test]
fn contact_due_today_is_zero_days_overdue() {
    // 2026-05-05 + 180 days = 2026-11-01.
    let p = with(
        vec![],
        vec![meeting("2026-05-05", MeetingKind::Call, None)],
        vec![],
    );
    let c = contact(&p);
    assert_eq!(c.due, Some(d(AS_OF)));
    assert_eq!(c.overdue_days, Some(0));
    assert_eq!(
        report(&p).readiness.next_action,
        "Get in touch: due today on your 180-day cadence, then refer a first client where it fits and record how it turns out"
    );
    // A day later it is not yet due.
    let p = with(
        vec![],
        vec![meeting("2026-05-06", MeetingKind::Call, None)],
        vec![],
    );
    let c = contact(&p);
    assert_eq!(c.due, Some(d("2026-11-02")));
    assert_eq!(c.overdue_days, None);
}

#[test]
fn with_no_contact_yet_contact_is_due_on_as_of() {
    let p = Partner {
        since: Some(d("2026-10-01")),
        ..partner()
    };
    let c = contact(&p);
    assert_eq!(c.last_contact, None);
    assert_eq!(c.due, Some(d(AS_OF)));
    assert_eq!(c.overdue_days, Some(0));
    assert!(report(&p)
        .readiness
        .next_action
        .starts_with("Get in touch: no contact recorded yet (180-day cadence), then "));
}

#[test]
fn no_cadence_means_no_due_date() {
    let p = Partner {
        role: Role::Inactive,
        ..with(vec![], vec![keep_active()], vec![])
    };
    let c = contact(&p);
    assert_eq!(c.last_contact, Some(d("2026-10-01")));
    assert_eq!((c.cadence, c.due, c.overdue_days), (None, None, None));
    let p = Partner {
        role: Role::Inactive,
        ..partner()
    };
    assert_eq!(contact(&p).due, None);
}

#[test]
fn contact_every_beats_the_cadence_of_the_role() {
    let p = Partner {
        contact_every: Some(30),
        ..with(vec![], vec![keep_active()], vec![])
    };
    let c = contact(&p);
    assert_eq!(c.cadence, Some(30));
    assert_eq!(c.due, Some(d("2026-10-31")));
    assert_eq!(c.overdue_days, Some(1));
    // It also gives an inactive partner a cadence.
    let p = Partner {
        role: Role::Inactive,
        contact_every: Some(365),
        ..with(vec![], vec![keep_active()], vec![])
    };
    assert_eq!(contact(&p).due, Some(d("2027-10-01")));
}

#[test]
fn cadence_follows_the_role_and_a_replaced_role_keeps_the_others() {
    let mut s = settings();
    s.cadence = Cadence::from_file(&crate::book::CadenceFile {
        coi: Some(Some(45)),
        ..Default::default()
    });
    let due = |role: Role| {
        let p = Partner {
            role,
            ..with(vec![], vec![keep_active()], vec![])
        };
        analyse(&p, &s).contact.due
    };
    assert_eq!(due(Role::Coi), Some(d("2026-11-15")));
    assert_eq!(due(Role::Esp), Some(d("2027-03-30")));
    assert_eq!(due(Role::Collaborator), Some(d("2026-11-30")));
    assert_eq!(due(Role::Prospect), Some(d("2026-10-31")));
    assert_eq!(due(Role::Inactive), None);
}

#[test]
fn an_overdue_contact_says_how_far_past_the_cadence() {
    // A center of influence last met 130 days ago on a 90-day cadence.
    let p = Partner {
        role: Role::Coi,
        ..with(
            vec![],
            vec![meeting("2026-06-24", MeetingKind::Call, None)],
            vec![],
        )
    };
    let r = report(&p);
    assert_eq!(r.contact.due, Some(d("2026-09-22")));
    assert_eq!(r.contact.overdue_days, Some(40));
    assert_eq!(
        r.readiness.next_action,
        "Get in touch: 40 days past your 90-day cadence, then keep them informed and thank them for each introduction"
    );
}

fn step(date: &str, action: &str) -> Option<NextStep> {
    Some(NextStep {
        date: d(date),
        action: action.into(),
    })
}

#[test]
fn an_overdue_next_step_comes_first() {
    let p = Partner {
        next_step: step("2026-10-15", "Send the recap"),
        ..with(vec![], vec![interested()], vec![])
    };
    let r = report(&p);
    assert_eq!(r.contact.next_step_overdue_days, Some(17));
    assert_eq!(
        r.readiness.next_action,
        "Send the recap (17 days overdue), then propose one joint initiative"
    );
    let p = Partner {
        next_step: step(AS_OF, "Call Jane"),
        ..with(vec![], vec![interested()], vec![])
    };
    let r = report(&p);
    assert_eq!(r.contact.next_step_overdue_days, Some(0));
    assert_eq!(
        r.readiness.next_action,
        "Call Jane (due today), then propose one joint initiative"
    );
    let p = Partner {
        next_step: step("2026-10-31", "Call Jane"),
        ..with(vec![], vec![interested()], vec![])
    };
    assert!(report(&p)
        .readiness
        .next_action
        .starts_with("Call Jane (1 day overdue), then "));
    // A step still ahead is a plan, not overdue.
    let p = Partner {
        next_step: step("2026-11-02", "Call Jane"),
        ..with(vec![], vec![interested()], vec![])
    };
    let r = report(&p);
    assert_eq!(r.contact.next_step_overdue_days, None);
    assert_eq!(r.readiness.next_action, "Propose one joint initiative");
}

#[test]
fn an_overdue_step_carries_an_overdue_contact_with_it_before_the_advice() {
    let p = Partner {
        role: Role::Coi,
        next_step: step("2026-10-01", "Send the newsletter"),
        ..with(
            vec![],
            vec![meeting("2026-06-24", MeetingKind::Call, None)],
            vec![],
        )
    };
    assert_eq!(
        report(&p).readiness.next_action,
        "Send the newsletter (31 days overdue; contact 40 days past your 90-day cadence), then keep them informed and thank them for each introduction"
    );
}

// ------------------------------------------------------ one-way in words

#[test]
fn one_way_received_asks_for_a_client_to_send_whatever_the_role() {
    for role in [Role::Esp, Role::Coi, Role::Collaborator] {
        let p = Partner {
            role,
            ..with(
                vec![
                    received("2026-08-01"),
                    received("2026-09-01"),
                    received("2026-10-01"),
                ],
                vec![],
                vec![],
            )
        };
        let r = report(&p);
        assert!(
            r.readiness.next_action.starts_with(
                "You have received 3 and sent none: look for a client to send them, then "
            ),
            "{role}: {}",
            r.readiness.next_action
        );
    }
}

#[test]
fn one_way_given_is_raised_where_the_relationship_is_meant_two_way() {
    let refs = resolved(&[Met, Met, Exceeded]);
    // An expert provider: expected, not mentioned.
    let r = report(&with(refs.clone(), vec![keep_active()], vec![]));
    assert_eq!(r.readiness.stage, Stage::ExpertProvider);
    assert!(r.one_way);
    assert_eq!(
        r.readiness.next_action,
        "Keep referring where it serves your clients, and watch for work that consistently exceeds expectations"
    );
    // A collaborator by role: raised first, and not followed by advice to
    // keep referring, which would contradict it.
    let p = Partner {
        role: Role::Collaborator,
        ..with(refs, vec![keep_active()], vec![])
    };
    assert_eq!(
        report(&p).readiness.next_action,
        "You sent 3 clients in 24 months and received none: raise it before sending more"
    );
}

#[test]
fn one_way_given_is_mentioned_to_an_expert_provider_only_with_the_invitation() {
    let r = report(&with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![keep_active()],
        vec![],
    ));
    assert_eq!(r.readiness.stage, Stage::ReadyForDiscovery);
    assert_eq!(
        r.readiness.next_action,
        "Invite them to a mutual discovery conversation about bringing in new clients together, and listen (so far you sent 3 clients in 24 months and received none: ask how they could send clients your way)"
    );
    // A single client and a one-month window read in the singular.
    let mut s = settings();
    s.window_months = 1;
    s.readiness.min_outcomes = 1;
    let r = analyse(
        &with(vec![given("2026-10-20", Exceeded)], vec![], vec![]),
        &s,
    );
    assert_eq!(r.readiness.stage, Stage::ReadyForDiscovery);
    assert!(
        r.readiness
            .next_action
            .contains("so far you sent 1 client in 1 month and received none"),
        "{}",
        r.readiness.next_action
    );
}

#[test]
fn a_center_of_influence_is_thanked_not_judged() {
    let p = Partner {
        role: Role::Coi,
        ..with(
            vec![received("2026-09-01"), given("2026-09-15", Met)],
            vec![keep_active()],
            vec![],
        )
    };
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::BuildingTrackRecord);
    assert_eq!(
        r.readiness.next_action,
        "Keep them informed and thank them for each introduction"
    );
}

// ------------------------------------------- the next action as one sentence

/// How many times a sentence says "then" as a word.
fn thens(s: &str) -> usize {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.eq_ignore_ascii_case("then"))
        .count()
}

#[test]
fn the_next_action_is_one_sentence_with_at_most_one_then() {
    // Everything at once: an overdue step, an overdue contact, a one-way
    // street the advisor only takes from, a stage to advise on.
    let p = Partner {
        role: Role::Coi,
        next_step: step("2026-10-01", "Send the newsletter"),
        contact_every: Some(30),
        ..with(
            vec![received("2026-06-01"), received("2026-06-24")],
            vec![],
            vec![],
        )
    };
    let a = report(&p).readiness.next_action;
    assert_eq!(thens(&a), 1, "{a}");
    assert!(!a.contains(". "), "one sentence: {a}");
    assert!(
        a.starts_with("Send the newsletter (31 days overdue; contact"),
        "{a}"
    );
    assert!(
        a.ends_with("then look for a client to send them (you have received 2 and sent none)"),
        "{a}"
    );
}

#[test]
fn a_step_that_already_says_then_is_followed_by_nothing() {
    // An inactive partner kept for the record, with an old plan of two
    // parts: no "then keep the note for the record" after it.
    let p = Partner {
        role: Role::Inactive,
        next_step: step(
            "2026-01-10",
            "Find out whether he sold the agency, then decide whether to keep him in the book",
        ),
        ..partner()
    };
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Dormant);
    assert_eq!(
        r.readiness.next_action,
        "Find out whether he sold the agency, then decide whether to keep him in the book (295 days overdue)"
    );
    // With no step, the note is simply kept.
    let p = Partner {
        role: Role::Inactive,
        ..partner()
    };
    assert_eq!(
        report(&p).readiness.next_action,
        "Keep the note for the record"
    );
}

#[test]
fn a_planned_discovery_conversation_is_not_contradicted_by_the_advice() {
    // No referral yet, but a discovery conversation planned: the advice
    // is to hold it, not to "refer a first client".
    let p = Partner {
        role: Role::Prospect,
        next_step: step("2026-11-20", "Mutual discovery conversation at her clinic"),
        ..with(vec![], vec![keep_active()], vec![])
    };
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::BuildingTrackRecord);
    let a = &r.readiness.next_action;
    assert!(!a.contains("refer a first client"), "{a}");
    assert!(
        a.contains("hold the discovery conversation planned for 2026-11-20"),
        "{a}"
    );
    // A partner ready for it is invited to the planned one.
    let p = Partner {
        next_step: step("2026-11-09", "Ask for a discovery conversation"),
        ..with(
            resolved(&[Exceeded, Exceeded, Exceeded]),
            vec![keep_active()],
            vec![],
        )
    };
    let a = report(&p).readiness.next_action;
    assert!(
        a.starts_with("Invite them to the mutual discovery conversation planned for 2026-11-09"),
        "{a}"
    );
    // Any other plan leaves the advice as it is.
    let p = Partner {
        next_step: step("2026-11-20", "Send the brochure"),
        ..with(vec![], vec![keep_active()], vec![])
    };
    assert_eq!(
        report(&p).readiness.next_action,
        "Refer a first client where it fits and record how it turns out"
    );
}

#[test]
fn a_quiet_relationship_is_reconnected_not_sent_clients() {
    // Dormant, with received referrals and nothing sent: the one-way
    // street waits until the relationship is active again.
    let p = with(
        vec![received("2025-01-01"), received("2025-02-01")],
        vec![],
        vec![],
    );
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Dormant);
    let a = &r.readiness.next_action;
    assert!(!a.contains("look for a client"), "{a}");
    assert_eq!(
        a,
        "Get in touch: 458 days past your 180-day cadence, then learn what has changed before referring again"
    );
    // An overdue step is the reconnecting itself: nothing follows it.
    let p = Partner {
        next_step: step("2026-03-01", "Call and ask how the business is going"),
        ..p
    };
    let a = report(&p).readiness.next_action;
    assert_eq!(thens(&a), 0, "{a}");
    assert!(
        a.starts_with("Call and ask how the business is going (245 days overdue"),
        "{a}"
    );
}

#[test]
fn a_declined_partner_is_asked_again_365_days_after_the_conversation() {
    let p = with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![discovery("2025-11-01", NotInterested), keep_active()],
        vec![],
    );
    // 2025-11-01 + 365 days = 2026-11-01: as_of itself.
    let r = report(&p);
    assert_eq!(r.readiness.stage, Stage::Declined);
    assert!(
        r.readiness
            .next_action
            .starts_with("A year has passed since they declined on 2025-11-01: ask again"),
        "{}",
        r.readiness.next_action
    );
    let p = with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![discovery("2025-11-02", NotInterested), keep_active()],
        vec![],
    );
    assert!(report(&p)
        .readiness
        .next_action
        .ends_with("ask again on or after 2026-11-02"));
}
