//! Robustness: the sample notes and settings, mutated at random (bytes and
//! YAML structure), always parse to a partner or to clean, located problems
//! — never a panic. Seeded, so every run tries the same cases.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};

use rapport::book::Day;
use rapport::diagnostics::{self, Diagnostic};

fn sample_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

fn collect_notes(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_notes(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            let rel = path
                .strip_prefix(sample_root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read(&path).unwrap()));
        }
    }
}

fn sample_notes() -> Vec<(String, Vec<u8>)> {
    let mut notes = Vec::new();
    collect_notes(&sample_root().join("partners"), &mut notes);
    assert!(notes.len() >= 10, "the sample book has its notes");
    notes
}

fn sample_settings() -> Vec<u8> {
    std::fs::read(sample_root().join("rapport.yaml")).unwrap()
}

/// Values that YAML and the note format find awkward.
const VALUES: &[&str] = &[
    "",
    "~",
    "null",
    "[",
    "]",
    "{",
    "[a, [b, c]]",
    "{a: 1, b: [2]}",
    "- x",
    "2024-13-01",
    "2024-02-30",
    "0000-01-01",
    "9999-12-31",
    "+2024-01-01",
    "won",
    "below",
    "discovery",
    "net-new",
    "-1",
    "1e999",
    ".nan",
    "4294967296",
    "true",
    "&anchor x",
    "*anchor",
    "!!binary aGVsbG8=",
    "!custom x",
    "\"unterminated",
    "'",
    "|",
    ">-",
    "é\u{0301}日本 🤝",
    "key: value: more",
    "#",
    "---",
    "...",
];

/// Keys, known and not.
const KEYS: &[&str] = &[
    "name",
    "referrals",
    "meetings",
    "initiatives",
    "next_step",
    "extra",
    "date",
    "direction",
    "outcome",
    "value",
    "kind",
    "status",
    "started",
    "new_clients",
    "refferals",
    "draft",
    "as_of",
    "window_months",
    "readiness",
    "exceed_share",
    "min_outcomes",
    "advisor",
    "ideal_clients",
    "? complex",
    "- item",
    "<<",
    "\"quoted key\"",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    Truncate(usize),
    DropLine(usize),
    DuplicateLine(usize),
    Indent(usize, i8),
    SwapValues(usize, usize),
    InsertKey(usize, usize, usize, usize),
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        any::<u8>(),
        prop::sample::select(b"-:#[]{},&*!|>'\"%@` \t\r\n\x00\xEF\xBB\xBF\xC3\xA9\xFF".to_vec()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pos = any::<usize>();
    prop_oneof![
        (pos, interesting_byte()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        pos.prop_map(Mutation::Delete),
        (pos, interesting_byte()).prop_map(|(p, b)| Mutation::Replace(p, b)),
        pos.prop_map(Mutation::Truncate),
        pos.prop_map(Mutation::DropLine),
        pos.prop_map(Mutation::DuplicateLine),
        (pos, -4i8..=4).prop_map(|(p, d)| Mutation::Indent(p, d)),
        (pos, pos).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        (pos, 0..KEYS.len(), 0..VALUES.len(), 0usize..6)
            .prop_map(|(p, k, v, i)| Mutation::InsertKey(p, k, v, i)),
    ]
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

/// The position of `: ` in a line, where its value starts.
fn value_start(line: &[u8]) -> Option<usize> {
    line.windows(2).position(|w| w == b": ").map(|i| i + 2)
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    match *m {
        Mutation::Insert(p, b) => bytes.insert(p % (len + 1), b),
        Mutation::Delete(p) if len > 0 => {
            bytes.remove(p % len);
        }
        Mutation::Replace(p, b) if len > 0 => bytes[p % len] = b,
        Mutation::Truncate(p) => bytes.truncate(p % (len + 1)),
        Mutation::DropLine(p) => {
            let mut lines = lines_of(bytes);
            let i = p % lines.len();
            lines.remove(i);
            *bytes = join(&lines);
        }
        Mutation::DuplicateLine(p) => {
            let mut lines = lines_of(bytes);
            let i = p % lines.len();
            lines.insert(i, lines[i].clone());
            *bytes = join(&lines);
        }
        Mutation::Indent(p, delta) => {
            let mut lines = lines_of(bytes);
            let i = p % lines.len();
            let line = &mut lines[i];
            if delta > 0 {
                for _ in 0..delta {
                    line.insert(0, b' ');
                }
            } else {
                for _ in 0..(-delta) {
                    if line.first() == Some(&b' ') {
                        line.remove(0);
                    }
                }
            }
            *bytes = join(&lines);
        }
        Mutation::SwapValues(a, b) => {
            let mut lines = lines_of(bytes);
            let with_values: Vec<usize> = (0..lines.len())
                .filter(|&i| value_start(&lines[i]).is_some())
                .collect();
            if with_values.len() >= 2 {
                let i = with_values[a % with_values.len()];
                let j = with_values[b % with_values.len()];
                if i != j {
                    let (si, sj) = (value_start(&lines[i]), value_start(&lines[j]));
                    let vi = lines[i].split_off(si.unwrap());
                    let vj = lines[j].split_off(sj.unwrap());
                    lines[i].extend(vj);
                    lines[j].extend(vi);
                    *bytes = join(&lines);
                }
            }
        }
        Mutation::InsertKey(p, k, v, indent) => {
            let mut lines = lines_of(bytes);
            let i = p % (lines.len() + 1);
            let line = format!("{}{}: {}", " ".repeat(indent), KEYS[k], VALUES[v]);
            lines.insert(i, line.into_bytes());
            *bytes = join(&lines);
        }
        _ => {}
    }
}

/// Every problem is clean: it names the file, says something, and points
/// inside the file when it points anywhere; rendering it does not panic.
fn assert_clean(file: &str, bytes: &[u8], problems: &[Diagnostic]) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty(), "an error comes with a problem");
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let line_count = text.matches('\n').count() + 1;
    for d in problems {
        prop_assert_eq!(&d.file, file);
        prop_assert!(!d.message.trim().is_empty(), "empty message: {:?}", d);
        if let Some(place) = &d.place {
            prop_assert!(
                place.line >= 1 && place.line <= line_count,
                "line {} outside the file's {} lines: {:?}",
                place.line,
                line_count,
                d
            );
            prop_assert!(place.column >= 1, "column 0: {:?}", d);
            if let Some(source) = &d.source {
                prop_assert!(place.bytes.start <= place.bytes.end);
                prop_assert!(
                    place.bytes.end <= source.len(),
                    "range past the end: {:?}",
                    d
                );
                prop_assert!(source.is_char_boundary(place.bytes.start));
                prop_assert!(source.is_char_boundary(place.bytes.end));
            }
        }
        let _ = d.one_line();
    }
    let plain = diagnostics::render(problems, false);
    prop_assert!(plain.contains(file), "rendering names the file: {}", plain);
    let _ = diagnostics::render(problems, true);
    Ok(())
}

fn config(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(seed),
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

fn today() -> Day {
    Day::parse("2026-11-01").unwrap()
}

#[test]
fn unmutated_samples_parse() {
    for (file, bytes) in sample_notes() {
        if let Err(d) = rapport::read::note::parse(&file, "x", &bytes) {
            panic!("{}", diagnostics::render(&d, false));
        }
    }
    rapport::book::settings::parse(&sample_settings(), today()).unwrap();
}

proptest! {
    #![proptest_config(config(320, 0x5241_5050_4f52_5401))]

    #[test]
    fn mutated_notes_parse_or_fail_cleanly(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let notes = sample_notes();
        let (file, original) = &notes[which.index(notes.len())];
        let mut bytes = original.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        match rapport::read::note::parse(file, "x", &bytes) {
            Ok(p) => {
                prop_assert!(!p.name.trim().is_empty(), "a partner has a name");
                prop_assert!(p.body_line >= 1);
            }
            Err(problems) => assert_clean(file, &bytes, &problems)?,
        }
    }
}

proptest! {
    #![proptest_config(config(120, 0x5241_5050_4f52_5402))]

    #[test]
    fn mutated_settings_parse_or_fail_cleanly(
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mut bytes = sample_settings();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        match rapport::book::settings::parse(&bytes, today()) {
            Ok(s) => {
                prop_assert!((0.0..=1.0).contains(&s.readiness.exceed_share));
                prop_assert!(s.window_months >= 1);
            }
            Err(problems) => assert_clean("rapport.yaml", &bytes, &problems)?,
        }
    }
}

// ------------------------------------------------ the numbers, at random

mod numbers {
    use super::*;
    use rapport::analysis::{analyse, Reciprocity, Stage, Window};
    use rapport::book::{
        Direction, DiscoveryOutcome, Initiative, InitiativeStatus, Meeting, MeetingKind, Outcome,
        Partner, Referral, ReferralType,
    };

    fn day() -> impl Strategy<Value = Day> {
        // 2022-01-01 to about 2028-06: before, in and after the window.
        (0i64..2350).prop_map(|n| {
            Day(chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new(n as u64))
        })
    }

    fn referral() -> impl Strategy<Value = Referral> {
        (
            day(),
            any::<bool>(),
            any::<bool>(),
            0usize..4,
            prop::option::of(0.0f64..10_000.0),
        )
            .prop_map(|(date, given, net_new, o, value)| {
                let direction = if given {
                    Direction::Given
                } else {
                    Direction::Received
                };
                let outcome = Outcome::allowed(direction).get(o).copied();
                Referral {
                    date,
                    direction,
                    client: None,
                    kind: if net_new {
                        ReferralType::NetNew
                    } else {
                        ReferralType::Existing
                    },
                    outcome,
                    value,
                    note: None,
                    thanked: None,
                }
            })
    }

    fn meeting() -> impl Strategy<Value = Meeting> {
        (day(), 0usize..6, 0usize..4).prop_map(|(date, k, o)| {
            let kind = MeetingKind::ALL[k];
            Meeting {
                date,
                kind,
                outcome: (kind == MeetingKind::Discovery)
                    .then(|| DiscoveryOutcome::ALL.get(o).copied())
                    .flatten(),
                summary: None,
            }
        })
    }

    fn initiative() -> impl Strategy<Value = Initiative> {
        (prop::option::of(day()), 0usize..5).prop_map(|(started, s)| Initiative {
            name: "x".into(),
            started,
            status: InitiativeStatus::ALL.get(s).copied(),
            new_clients: None,
        })
    }

    fn partner() -> impl Strategy<Value = Partner> {
        (
            prop::collection::vec(referral(), 0..12),
            prop::collection::vec(meeting(), 0..4),
            prop::collection::vec(initiative(), 0..3),
            prop::sample::subsequence(vec!["physicians", " Business Owners ", "athletes"], 0..3),
        )
            .prop_map(|(referrals, meetings, initiatives, ideal)| {
                let text = "---\nname: P\n---\n";
                let mut p =
                    rapport::read::note::parse("partners/p.md", "p", text.as_bytes()).unwrap();
                p.referrals = referrals;
                p.meetings = meetings;
                p.initiatives = initiatives;
                p.ideal_clients = ideal.into_iter().map(String::from).collect();
                p
            })
    }

    proptest! {
        #![proptest_config(config(200, 0x5241_5050_4f52_5403))]

        /// The numbers agree with FORMAT §4 read directly.
        #[test]
        fn numbers_follow_the_rules(p in partner(), months in 1u32..40) {
            let mut s = rapport::book::settings::parse(
                b"as_of: 2026-11-01\nadvisor:\n  ideal_clients: [physicians, business owners]\n",
                today(),
            )
            .unwrap();
            s.window_months = months;
            let r = analyse(&p, &s);
            let w = Window::new(s.as_of, months);
            let in_window = |d: Day| w.start <= d && d <= s.as_of;
            let given = p.referrals.iter().filter(|x| x.direction == Direction::Given && in_window(x.date)).count() as u32;
            let received = p.referrals.iter().filter(|x| x.direction == Direction::Received && in_window(x.date)).count() as u32;
            prop_assert_eq!((r.flow.given, r.flow.received), (given, received));
            match r.flow.balance {
                None => prop_assert_eq!(given + received, 0),
                Some(b) => {
                    prop_assert!((-1.0..=1.0).contains(&b));
                    let heavy = b.abs() >= 0.5; // v3: 3 to 1 is heavy
                    let expect = match (given, received) {
                        (_, 0) => Reciprocity::OneWayGiven,
                        (0, _) => Reciprocity::OneWayReceived,
                        _ if heavy && b < 0.0 => Reciprocity::GivenHeavy,
                        _ if heavy => Reciprocity::ReceivedHeavy,
                        _ => Reciprocity::Balanced,
                    };
                    prop_assert_eq!(r.flow.reciprocity, expect);
                }
            }
            let c = &r.readiness.criteria;
            let met = c.iter().iter().filter(|(_, c)| c.met).count() as f64;
            prop_assert_eq!(r.readiness.score, (100.0 * met / 6.0).round() as u32);
            prop_assert_eq!(c.two_way.met, given > 0 && received > 0);
            prop_assert_eq!(
                c.shared_ideal_clients.met,
                p.ideal_clients.iter().any(|c| c != "athletes")
            );
            prop_assert_eq!(r.one_way, r.flow.reciprocity.is_one_way());
            if let Some(last) = r.last_activity {
                prop_assert!(last <= s.as_of);
            }
            let stage = r.readiness.stage;
            prop_assert_eq!(stage == Stage::Dormant, !c.active.met);
            if stage == Stage::Collaborating {
                prop_assert!(c.mutual_interest.met && c.net_new.met);
            }
            if stage == Stage::ReadyForDiscovery {
                prop_assert!(c.track_record.met && !c.mutual_interest.met);
            }
            if c.active.met && c.mutual_interest.met {
                prop_assert!(matches!(stage, Stage::NotAFit | Stage::Collaborating | Stage::DesignNetNew));
            }
            if c.met_count() == 6 {
                prop_assert_eq!(stage, Stage::Collaborating);
            }
            let (rule, evidence) = r.readiness.reason.split_once(": ").unwrap_or_default();
            prop_assert!(!rule.is_empty() && !evidence.is_empty(), "{}", r.readiness.reason);
            prop_assert!(!r.readiness.next_action.is_empty());
            for (key, c) in c.iter() {
                prop_assert!(!c.evidence.is_empty(), "{}", key);
            }
        }
    }
}
