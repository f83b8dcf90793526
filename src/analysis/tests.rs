//! Unit tests of the numbers (FORMAT §4): every rule and boundary, on small
//! partners built in code.

use std::path::PathBuf;

use super::*;
use crate::book::{Advisor, Initiative, Meeting, Privacy, ReadinessSettings, Referral, Role};

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
        privacy: Privacy::default(),
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
fn balance_of_exactly_half_is_balanced() {
    // 3:1 is a balance of exactly ±0.5: balanced. 4:1 is beyond: heavy.
    assert_eq!(Reciprocity::classify(3, 1), Reciprocity::Balanced);
    assert_eq!(Reciprocity::classify(1, 3), Reciprocity::Balanced);
    assert_eq!(Reciprocity::classify(6, 2), Reciprocity::Balanced);
    assert_eq!(Reciprocity::classify(4, 1), Reciprocity::GivenHeavy);
    assert_eq!(Reciprocity::classify(1, 4), Reciprocity::ReceivedHeavy);
    assert_eq!(Reciprocity::classify(7, 2), Reciprocity::GivenHeavy);
    assert_eq!(Reciprocity::classify(2, 7), Reciprocity::ReceivedHeavy);
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
    assert_eq!(r.flow.reciprocity, Reciprocity::Balanced);
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
    assert!(!c.discovery_held.met, "{}", c.discovery_held.evidence);
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
        "4 resolved, 3 exceeded (75% ≥ 66%), none below in the last 3"
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
fn below_just_inside_the_last_three_fails_and_makes_not_a_fit() {
    let outcomes = [Exceeded, Below, Exceeded, Exceeded, Exceeded, Exceeded];
    // The last three are the 4th..6th: all exceeded. Move the below in.
    assert!(track(&outcomes).met);
    let outcomes = [Exceeded, Exceeded, Exceeded, Below, Exceeded, Exceeded];
    let c = track(&outcomes);
    assert!(!c.met);
    assert!(
        c.evidence.contains("a below among the last 3 (2026-04-15)"),
        "{}",
        c.evidence
    );
    let p = with(resolved(&outcomes), vec![keep_active()], vec![]);
    assert_eq!(stage(&p), Stage::NotAFit);
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
    assert!(
        c.evidence.starts_with("2 resolved, 3 needed"),
        "{}",
        c.evidence
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
fn exceed_share_of_zero_and_one() {
    assert!(track_with(&[Met, Met, Met], |r| r.exceed_share = 0.0).met);
    assert!(!track_with(&[Exceeded, Exceeded, Met], |r| r.exceed_share = 1.0).met);
    assert!(track_with(&[Exceeded, Exceeded, Exceeded], |r| r.exceed_share = 1.0).met);
}

#[test]
fn no_resolved_referrals_evidence() {
    let c = track(&[]);
    assert!(!c.met);
    assert_eq!(c.evidence, "no resolved given referrals yet (3 needed)");
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

// -------------------------------------------------------------- discovery

#[test]
fn discovery_held_by_any_discovery_meeting_up_to_as_of() {
    let r = report(&with(
        vec![],
        vec![meeting("2019-01-01", MeetingKind::Discovery, None)],
        vec![],
    ));
    assert!(r.readiness.criteria.discovery_held.met);
    assert_eq!(
        r.readiness.criteria.discovery_held.evidence,
        "discovery conversation on 2019-01-01"
    );
    let r = report(&with(
        vec![],
        vec![
            meeting("2026-10-01", MeetingKind::Meal, None),
            discovery(AS_OF, Interested),
        ],
        vec![],
    ));
    assert!(
        r.readiness.criteria.discovery_held.met,
        "held on as_of itself"
    );
    assert!(r
        .readiness
        .criteria
        .discovery_held
        .evidence
        .contains("2026-11-01 (interested)"));
    let r = report(&with(
        vec![],
        vec![meeting("2026-10-01", MeetingKind::Event, None)],
        vec![],
    ));
    assert!(!r.readiness.criteria.discovery_held.met);
}

#[test]
fn the_newest_discovery_outcome_decides_not_a_fit() {
    // Older not-interested, newer interested: not "not a fit".
    let p = with(
        vec![],
        vec![
            discovery("2025-01-01", NotInterested),
            discovery("2026-06-01", Interested),
            keep_active(),
        ],
        vec![],
    );
    assert_eq!(stage(&p), Stage::DesignNetNew);
    // Older interested, newer not-interested: not a fit.
    let p = with(
        vec![],
        vec![
            discovery("2025-01-01", Interested),
            discovery("2026-06-01", NotInterested),
            keep_active(),
        ],
        vec![],
    );
    assert_eq!(stage(&p), Stage::NotAFit);
    // The same, written newest first: dates decide, not note order.
    let p = with(
        vec![],
        vec![
            discovery("2026-06-01", NotInterested),
            discovery("2025-01-01", Interested),
            keep_active(),
        ],
        vec![],
    );
    assert_eq!(stage(&p), Stage::NotAFit);
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
    // A newer undecided or outcome-less discovery also outweighs an older no.
    for newer in [
        discovery("2026-06-01", Undecided),
        meeting("2026-06-01", MeetingKind::Discovery, None),
    ] {
        let p = with(
            vec![],
            vec![discovery("2025-01-01", NotInterested), newer, keep_active()],
            vec![],
        );
        assert_eq!(stage(&p), Stage::DesignNetNew);
    }
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

#[test]
fn net_new_by_referral_in_the_window_or_a_live_initiative() {
    let nn = |refs: Vec<Referral>, inits: Vec<Initiative>| {
        report(&with(refs, vec![], inits))
            .readiness
            .criteria
            .net_new
    };
    let c = nn(vec![net_new(received("2024-11-01"))], vec![]);
    assert!(c.met);
    assert_eq!(c.evidence, "1 net-new referral in the window");
    assert!(nn(vec![net_new(given("2026-01-01", Pending))], vec![]).met);
    assert!(
        !nn(vec![net_new(received("2024-10-31"))], vec![]).met,
        "before the window"
    );
    assert!(
        !nn(vec![received("2026-01-01")], vec![]).met,
        "existing, not net-new"
    );
    for (status, met) in [
        (Some(InitiativeStatus::Active), true),
        (Some(InitiativeStatus::Done), true),
        (Some(InitiativeStatus::Idea), false),
        (Some(InitiativeStatus::Dropped), false),
        (None, false),
    ] {
        let c = nn(vec![], vec![initiative(Some("2020-01-01"), status)]);
        assert_eq!(c.met, met, "{status:?}: {}", c.evidence);
    }
    // An initiative without a start date still counts.
    let c = nn(vec![], vec![initiative(None, Some(InitiativeStatus::Done))]);
    assert!(c.met);
    assert!(
        c.evidence.contains("Business-owner workshop"),
        "{}",
        c.evidence
    );
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
        "last activity 2026-05-05, 180 days ago (limit 180)"
    );
    let p = with(
        vec![],
        vec![meeting("2026-05-04", MeetingKind::Call, None)],
        vec![],
    );
    assert!(!report(&p).readiness.criteria.active.met);
    assert_eq!(stage(&p), Stage::Dormant);
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

// ----------------------------------------------------------------- stages

#[test]
fn each_stage_by_its_rule() {
    // 7. building-track-record: nothing resolved yet.
    let p = with(vec![given("2026-10-01", Pending)], vec![], vec![]);
    assert_eq!(stage(&p), Stage::BuildingTrackRecord);

    // 6. expert-provider: enough resolved, not enough exceeded, none below.
    let p = with(resolved(&[Met, Met, Exceeded]), vec![keep_active()], vec![]);
    assert_eq!(stage(&p), Stage::ExpertProvider);

    // 5. ready-for-discovery: a track record, no discovery yet.
    let p = with(
        resolved(&[Exceeded, Exceeded, Met]),
        vec![keep_active()],
        vec![],
    );
    assert_eq!(stage(&p), Stage::ReadyForDiscovery);

    // 4. design-net-new: discovery held, no net-new.
    let p = with(vec![], vec![discovery("2026-09-01", Interested)], vec![]);
    assert_eq!(stage(&p), Stage::DesignNetNew);

    // 3. collaborating: discovery held and net-new.
    let p = with(
        vec![net_new(received("2026-09-02"))],
        vec![discovery("2026-09-01", Interested)],
        vec![],
    );
    assert_eq!(stage(&p), Stage::Collaborating);
    let p = with(
        vec![],
        vec![discovery("2026-09-01", Interested)],
        vec![initiative(
            Some("2026-09-10"),
            Some(InitiativeStatus::Active),
        )],
    );
    assert_eq!(stage(&p), Stage::Collaborating);

    // 2. not-a-fit, by a discovery that ended in no...
    let p = with(vec![], vec![discovery("2026-09-01", NotInterested)], vec![]);
    assert_eq!(stage(&p), Stage::NotAFit);
    // ...or by a below among the last three resolved.
    let p = with(
        resolved(&[Exceeded, Exceeded, Below]),
        vec![keep_active()],
        vec![],
    );
    assert_eq!(stage(&p), Stage::NotAFit);

    // 1. dormant: nothing recent.
    let p = with(resolved(&[Exceeded, Exceeded, Exceeded]), vec![], vec![]);
    assert_eq!(stage(&p), Stage::Dormant);
    assert_eq!(stage(&partner()), Stage::Dormant);
}

#[test]
fn stage_rules_apply_in_order() {
    // Dormant beats not-a-fit (both ways of being not a fit).
    let p = with(vec![], vec![discovery("2025-01-01", NotInterested)], vec![]);
    assert_eq!(stage(&p), Stage::Dormant);
    let p = with(vec![given("2025-01-01", Below)], vec![], vec![]);
    assert_eq!(stage(&p), Stage::Dormant);
    // Not-a-fit beats collaborating: a below in the last three with a
    // discovery and net-new business.
    let p = with(
        [
            resolved(&[Exceeded, Exceeded, Below]),
            vec![net_new(received("2026-09-02"))],
        ]
        .concat(),
        vec![discovery("2026-09-01", Interested)],
        vec![initiative(None, Some(InitiativeStatus::Active))],
    );
    assert_eq!(stage(&p), Stage::NotAFit);
    // Not-a-fit (not interested) beats collaborating even with net-new.
    let p = with(
        vec![net_new(received("2026-09-02"))],
        vec![discovery("2026-09-01", NotInterested)],
        vec![],
    );
    assert_eq!(stage(&p), Stage::NotAFit);
    // Collaborating beats design-net-new and ready-for-discovery.
    let p = with(
        [
            resolved(&[Exceeded, Exceeded, Exceeded]),
            vec![net_new(given("2026-09-02", Pending))],
        ]
        .concat(),
        vec![discovery("2026-09-01", Interested)],
        vec![],
    );
    assert_eq!(stage(&p), Stage::Collaborating);
    // Design-net-new beats ready-for-discovery: a track record does not
    // send a partner back once discovery is held.
    let p = with(
        resolved(&[Exceeded, Exceeded, Exceeded]),
        vec![discovery("2026-09-01", Undecided)],
        vec![],
    );
    assert_eq!(stage(&p), Stage::DesignNetNew);
    // Ready-for-discovery beats expert-provider.
    let p = with(
        resolved(&[Met, Exceeded, Exceeded, Exceeded]),
        vec![keep_active()],
        vec![],
    );
    assert_eq!(stage(&p), Stage::ReadyForDiscovery);
    // Net-new without a discovery is not collaborating.
    let p = with(
        vec![net_new(received("2026-09-02"))],
        vec![],
        vec![initiative(None, Some(InitiativeStatus::Active))],
    );
    assert_eq!(stage(&p), Stage::BuildingTrackRecord);
}

#[test]
fn one_way_is_flagged_whatever_the_stage() {
    let p = with(
        vec![
            net_new(given("2026-09-02", Pending)),
            given("2026-09-03", Pending),
        ],
        vec![discovery("2026-09-01", Interested)],
        vec![],
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
    p.meetings.push(discovery("2026-08-03", Interested)); // discovery held
    scores.push(report(&p).readiness.score);
    p.initiatives.push(initiative(
        Some("2026-08-04"),
        Some(InitiativeStatus::Active),
    )); // net new
    scores.push(report(&p).readiness.score);
    p.referrals
        .extend(resolved(&[Exceeded, Exceeded, Exceeded])); // track record
    let r = report(&p);
    scores.push(r.readiness.score);
    assert_eq!(scores, vec![0, 17, 33, 50, 67, 83, 100]);
    assert_eq!(r.readiness.criteria.met_count(), 6);
    assert_eq!(r.readiness.stage, Stage::Collaborating);
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
        c.track_record.evidence,
        "4 resolved, 3 exceeded (75% ≥ 66%), none below in the last 3"
    );
    assert_eq!(
        c.two_way.evidence,
        "4 given, 2 received between 2024-11-01 and 2026-11-01"
    );
    assert_eq!(
        c.discovery_held.evidence,
        "discovery conversation on 2026-08-01 (interested)"
    );
    assert_eq!(c.net_new.evidence, "1 net-new referral in the window");
    assert_eq!(
        c.active.evidence,
        "last activity 2026-08-01, 92 days ago (limit 180)"
    );
    for (key, c) in c.iter() {
        assert!(!c.evidence.is_empty(), "{key}");
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
    assert_eq!(stage(&p), Stage::NotAFit);
}
