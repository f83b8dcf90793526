use super::*;
use crate::book::{Day, Direction, DiscoveryOutcome, MeetingKind, Outcome, ReferralType};
use proptest::prelude::*;
use std::path::PathBuf;

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn given(client: Option<&str>) -> Entry {
    Entry::Referral(Referral {
        date: day("2026-11-20"),
        direction: Direction::Given,
        client: client.map(str::to_string),
        kind: ReferralType::NetNew,
        outcome: Some(Outcome::Exceeded),
        value: Some(4500.0),
        note: None,
        thanked: None,
    })
}

fn added(before: &str, entry: &Entry) -> String {
    let edit = apply("partners/x.md", "x", before.as_bytes(), entry).unwrap_or_else(|e| {
        panic!("{e:?}");
    });
    edit.text
}

#[test]
fn appends_in_the_lists_own_style() {
    let before = "---\nname: Jane Doe   # the partner\nreferrals:\n- date: 2024-02-01\n  direction: received   # they sent R. Smith\n  outcome: won\n\n# Meetings below\nmeetings: []\n---\nBody\n";
    let after = added(before, &given(Some("R. Smith")));
    assert_eq!(
        after,
        "---\nname: Jane Doe   # the partner\nreferrals:\n- date: 2024-02-01\n  direction: received   # they sent R. Smith\n  outcome: won\n- date: 2026-11-20\n  direction: given\n  client: R. Smith\n  type: net-new\n  outcome: exceeded\n  value: 4500\n\n# Meetings below\nmeetings: []\n---\nBody\n"
    );
}

#[test]
fn follows_the_key_order_of_the_last_entry() {
    let before = "---\nname: A\nreferrals:\n    -   direction: given\n        date: 2024-02-01\n        outcome: met\n---\n";
    let after = added(before, &given(None));
    assert!(
        after.contains("    -   direction: given\n        type: net-new\n        date: 2026-11-20\n        outcome: exceeded\n        value: 4500\n---"),
        "{after}"
    );
}

#[test]
fn an_empty_flow_list_becomes_a_block_list_and_its_comment_stays_in_place() {
    let before = "\u{feff}---\r\nname: A\r\nmeetings: []     # none yet\r\nnext_step:\r\n  date: 2026-01-01\r\n  action: Call\r\n---\r\n";
    let entry = Entry::Meeting(Meeting {
        date: day("2026-11-21"),
        kind: MeetingKind::Discovery,
        outcome: Some(DiscoveryOutcome::Interested),
        summary: Some("Open to a workshop, yes: for owners".into()),
    });
    let after = added(before, &entry);
    assert_eq!(
        after,
        "\u{feff}---\r\nname: A\r\nmeetings:        # none yet\r\n  - date: 2026-11-21\r\n    kind: discovery\r\n    outcome: interested\r\n    summary: \"Open to a workshop, yes: for owners\"\r\nnext_step:\r\n  date: 2026-01-01\r\n  action: Call\r\n---\r\n"
    );
}

#[test]
fn a_one_line_flow_list_gets_the_entry_inside_its_brackets() {
    let before = "---\nname: A\nreferrals: [{date: 2024-01-01, direction: given}]  # short\n---\n";
    let after = added(before, &given(Some("Smith, R.")));
    assert!(after.contains("referrals: [{date: 2024-01-01, direction: given}, {date: 2026-11-20, direction: given, client: \"Smith, R.\", type: net-new, outcome: exceeded, value: 4500}]  # short\n"), "{after}");
}

#[test]
fn a_missing_list_is_created_at_the_end_of_the_front_matter() {
    let before = "---\nname: A\ntags: [x]\nmeetings:\n    - date: 2024-01-01\n      kind: call\n---\nbody\n---\n";
    let after = added(before, &given(None));
    assert!(after.ends_with("      kind: call\nreferrals:\n    - date: 2026-11-20\n      direction: given\n      type: net-new\n      outcome: exceeded\n      value: 4500\n---\nbody\n---\n"), "{after}");
}

#[test]
fn texts_that_yaml_would_misread_are_quoted() {
    for text in [
        "yes",
        "No",
        "123",
        "0x1F",
        "1e3",
        "2024-01-01",
        "null",
        "~",
        "- dash",
        "#1 client",
        "a: b",
        "a #b",
        "@handle",
        "[x]",
        "{y}",
        "'quoted'",
        "\"dq\"",
        " lead",
        "trail ",
        "*star",
        "!tag",
        "%pct",
        "&anchor",
        "|bar",
        ">gt",
        "end:",
        "tab\there",
        "line\nbreak",
        "",
    ] {
        assert!(needs_quotes(text, false), "{text:?}");
    }
    for text in [
        "R. Smith",
        "Café 🎉",
        "O'Brien",
        "a-b",
        "50%",
        "a,b",
        "Q1 review",
    ] {
        assert!(!needs_quotes(text, false), "{text:?}");
    }
    assert!(needs_quotes("a,b", true));
    let before = "---\nname: A\nfirm: 'Doe & Co'\nreferrals:\n---\n";
    let after = added(before, &given(Some("O'Brien: jr")));
    assert!(after.contains("  client: 'O''Brien: jr'\n"), "{after}");
}

#[test]
fn next_step_values_are_replaced_in_place_keeping_comments() {
    let before = "---\nname: A\nnext_step:\n  date: 2026-11-02          # when (YYYY-MM-DD)\n  action: Call              # what you will do next\n\nextra: {}\n---\n";
    let entry = Entry::NextStep {
        date: day("2026-12-01"),
        action: "Send the recap".into(),
    };
    let after = added(before, &entry);
    assert_eq!(after, "---\nname: A\nnext_step:\n  date: 2026-12-01          # when (YYYY-MM-DD)\n  action: Send the recap    # what you will do next\n\nextra: {}\n---\n");
    // And made when missing, or when written in flow style.
    let after = added("---\nname: A\n---\n", &entry);
    assert_eq!(
        after,
        "---\nname: A\nnext_step:\n  date: 2026-12-01\n  action: Send the recap\n---\n"
    );
    let after = added(
        "---\nname: A\nnext_step: {date: 2025-01-01, action: x} # old\n---\n",
        &entry,
    );
    assert_eq!(after, "---\nname: A\nnext_step:                               # old\n  date: 2026-12-01\n  action: Send the recap\n---\n");
}

#[test]
fn a_note_that_does_not_check_is_refused_before_and_after() {
    let broken = "---\nname: A\nrole: espp\n---\n";
    assert!(matches!(
        apply("partners/x.md", "x", broken.as_bytes(), &given(None)),
        Err(Refused::Before(_))
    ));
    let won_given = Entry::Referral(Referral {
        outcome: Some(Outcome::Won),
        ..match given(None) {
            Entry::Referral(r) => r,
            _ => unreachable!(),
        }
    });
    match apply("partners/x.md", "x", b"---\nname: A\n---\n", &won_given) {
        Err(Refused::After(d)) => assert!(d[0].message.contains("`won`"), "{d:?}"),
        other => panic!("{other:?}"),
    }
    let multi = "---\nname: A\nreferrals: [\n  {date: 2024-01-01, direction: given}]\n---\n";
    assert!(matches!(
        apply("partners/x.md", "x", multi.as_bytes(), &given(None)),
        Err(Refused::Cannot(_))
    ));
}

fn cand(slug: &str, name: &str) -> Candidate {
    Candidate {
        slug: slug.into(),
        name: Some(name.into()),
        rel: format!("partners/{slug}.md"),
        path: PathBuf::from(format!("partners/{slug}.md")),
    }
}

#[test]
fn names_and_slugs_find_one_partner_or_list_the_closest() {
    let cs = vec![
        cand("jane-doe", "Jane Doe"),
        cand("jane-roe", "Jane Roe"),
        cand("obrien", "Pat O'Brien"),
        cand("pat-obrien", "Pat O'Brien"),
    ];
    assert_eq!(find(&cs, "jane-doe").unwrap().slug, "jane-doe");
    assert_eq!(find(&cs, "JANE doe").unwrap().slug, "jane-doe");
    assert_eq!(find(&cs, "Jane  Doe").unwrap().slug, "jane-doe");
    let filed = vec![cand("a1", "Tab Case"), cand("b2", "Other One")];
    assert_eq!(
        find(&filed, "tab-case").unwrap().slug,
        "a1",
        "the slug of the name"
    );
    let e = find(&cs, "Pat O'Brien").unwrap_err();
    assert!(e.contains("obrien") && e.contains("pat-obrien"), "{e}");
    let e = find(&cs, "jane").unwrap_err();
    assert!(e.contains("jane-doe") && e.contains("jane-roe"), "{e}");
    let e = find(&cs, "Jane Dow").unwrap_err();
    assert!(e.lines().nth(1).unwrap().contains("jane-doe"), "{e}");
}

// ------------------------------------------------------------ property test

#[derive(Debug, Clone)]
struct Shape {
    crlf: bool,
    bom: bool,
    dash: usize,
    keys: usize,
    /// 0: absent, 1: `key:` with nothing, 2: `[]`, 3+: block entries.
    referrals: usize,
    meetings: usize,
    order: Vec<usize>,
    comments: Vec<bool>,
    blanks: Vec<bool>,
    inline: Vec<bool>,
    body: String,
    /// Entries written `- {date: …, kind: …}`.
    flow_items: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        (
            any::<bool>(),
            any::<bool>(),
            0..3usize,
            0..2usize,
            any::<bool>(),
        ),
        (0..6usize, 0..6usize),
        Just((0..8usize).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(any::<bool>(), 24),
        prop::collection::vec(any::<bool>(), 24),
        prop::collection::vec(any::<bool>(), 24),
        prop::sample::select(vec![
            "",
            "Body text.\n",
            "# Heading\n\n---\nnot front-matter\n",
            "no newline at end",
        ]),
    )
        .prop_map(
            |(
                (crlf, bom, d, k, flow_items),
                (referrals, meetings),
                order,
                comments,
                blanks,
                inline,
                body,
            )| {
                let dash = [0, 2, 4][d];
                Shape {
                    crlf,
                    bom,
                    dash,
                    keys: dash + [2, 4][k],
                    referrals,
                    meetings,
                    order,
                    comments,
                    blanks,
                    inline,
                    body: body.to_string(),
                    flow_items,
                }
            },
        )
}

/// A note of that shape, as a person might have written it.
fn note_text(s: &Shape) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut n = 0;
    let mut flag = |v: &Vec<bool>| {
        n += 1;
        v[n % v.len()]
    };
    let list = |key: &str,
                count: usize,
                s: &Shape,
                items: &dyn Fn(usize) -> Vec<(&'static str, String)>,
                inline: bool| {
        let mut out = Vec::new();
        match count {
            0 => {}
            1 => out.push(format!(
                "{key}:{}",
                if inline { "   # to fill in" } else { "" }
            )),
            2 => out.push(format!(
                "{key}: []{}",
                if inline { "   # none yet" } else { "" }
            )),
            c => {
                out.push(format!("{key}:"));
                for i in 0..c - 2 {
                    if s.flow_items {
                        let pairs: Vec<String> =
                            items(i).iter().map(|(k, v)| format!("{k}: {v}")).collect();
                        out.push(format!("{}- {{{}}}", " ".repeat(s.dash), pairs.join(", ")));
                        continue;
                    }
                    for (j, (k, v)) in items(i).into_iter().enumerate() {
                        let lead = if j == 0 {
                            format!("{}-{}", " ".repeat(s.dash), " ".repeat(s.keys - s.dash - 1))
                        } else {
                            " ".repeat(s.keys)
                        };
                        let tail = if inline && j == 1 { "  # noted" } else { "" };
                        out.push(format!("{lead}{k}: {v}{tail}"));
                    }
                    if inline && i == 0 {
                        out.push(format!("{}# an aside inside the entry", " ".repeat(s.keys)));
                    }
                }
            }
        }
        out
    };
    for &key in &s.order {
        if flag(&s.comments) {
            lines.push("# a comment between keys".into());
        }
        let inline = flag(&s.inline);
        let c = if inline { "  # why" } else { "" };
        let block: Vec<String> = match key {
            0 => vec![format!("name: Jane Doe{c}")],
            1 => vec![format!("firm: \"Doe & Associates\"{c}")],
            2 => vec![format!("role: esp{c}")],
            3 => vec![format!("tags: [tax, owners]{c}")],
            4 => list(
                "referrals",
                s.referrals,
                s,
                &|i| {
                    vec![
                        ("date", format!("2024-0{}-01", i + 1)),
                        ("direction", "given".into()),
                        ("client", "R. Smith".into()),
                        ("outcome", "met".into()),
                    ]
                },
                inline,
            ),
            5 => list(
                "meetings",
                s.meetings,
                s,
                &|i| {
                    vec![
                        ("date", format!("2024-1{i}-02")),
                        ("kind", "call".into()),
                        ("summary", "'Lunch: fine'".into()),
                    ]
                },
                inline,
            ),
            6 => vec![
                "next_step:".into(),
                format!("{}date: 2026-01-15{c}", " ".repeat(s.keys - s.dash)),
                format!("{}action: Send the recap", " ".repeat(s.keys - s.dash)),
            ],
            _ => vec!["phone: \"+1 555 0100\"".into()],
        };
        lines.extend(block);
        if flag(&s.blanks) {
            lines.push(String::new());
        }
    }
    let eol = if s.crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    if s.bom {
        text.push('\u{feff}');
    }
    text.push_str("---");
    text.push_str(eol);
    for l in lines {
        text.push_str(&l);
        text.push_str(eol);
    }
    text.push_str("---");
    text.push_str(eol);
    text.push_str(&s.body.replace('\n', eol));
    text
}

fn entry() -> impl Strategy<Value = Entry> {
    let texts = prop::sample::select(vec![
        "R. Smith",
        "O'Brien: jr",
        "#1 client",
        "yes",
        "1234",
        "- dash",
        "Café 🎉 with José",
        "a, b; c",
        "[x] {y}",
        "null",
        "@handle",
        "50% done # not a comment?",
        "“curly” quotes",
    ]);
    let referral = (
        any::<bool>(),
        prop::option::of(texts.clone()),
        any::<bool>(),
        prop::option::of(0..4usize),
        prop::option::of(0u32..100_000),
        prop::option::of(texts.clone()),
    )
        .prop_map(|(g, client, net, outcome, value, note)| {
            let direction = if g {
                Direction::Given
            } else {
                Direction::Received
            };
            Entry::Referral(Referral {
                date: day("2026-11-24"),
                direction,
                client: client.map(str::to_string),
                kind: if net {
                    ReferralType::NetNew
                } else {
                    ReferralType::Existing
                },
                outcome: outcome
                    .map(|i| Outcome::allowed(direction)[i % Outcome::allowed(direction).len()]),
                value: value.map(|v| v as f64 / 4.0),
                note: note.map(str::to_string),
                thanked: None,
            })
        });
    let meeting = (
        0..6usize,
        prop::option::of(0..3usize),
        prop::option::of(texts),
    )
        .prop_map(|(k, outcome, summary)| {
            let kind = MeetingKind::ALL[k];
            Entry::Meeting(Meeting {
                date: day("2026-11-25"),
                kind,
                outcome: outcome
                    .filter(|_| kind == MeetingKind::Discovery)
                    .map(|i| DiscoveryOutcome::ALL[i]),
                summary: summary.map(str::to_string),
            })
        });
    prop_oneof![referral, meeting]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn only_the_entrys_lines_are_added(shape in shape(), entry in entry()) {
        let before = note_text(&shape);
        let parsed_before = note::parse("partners/x.md", "x", before.as_bytes())
            .unwrap_or_else(|d| panic!("the generated note is valid: {d:?}\n{before}"));
        let edit = apply("partners/x.md", "x", before.as_bytes(), &entry)
            .unwrap_or_else(|e| panic!("{e:?}\n{before}"));
        let after = edit.text.clone();

        // Line by line: the same lines before and after the inserted block.
        let b: Vec<&str> = before.split_inclusive('\n').collect();
        let a: Vec<&str> = after.split_inclusive('\n').collect();
        let prefix = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
        let suffix = b[prefix..].iter().rev().zip(a[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
        let removed = &b[prefix..b.len() - suffix];
        let inserted = &a[prefix..a.len() - suffix];
        let list = if matches!(entry, Entry::Referral(_)) { shape.referrals } else { shape.meetings };
        if list == 2 {
            // `key: []` lost its brackets, and only them.
            prop_assert_eq!(removed.len(), 1);
            let was = removed[0].replacen("[]", "  ", 1);
            let was = if was.contains('#') { was } else { was.replacen(":   ", ":", 1).replacen(":  ", ":", 1) };
            prop_assert_eq!(&was, inserted[0]);
        } else {
            prop_assert!(removed.is_empty(), "lines changed: {:?}\n{}", removed, after);
        }
        let eol = if shape.crlf { "\r\n" } else { "\n" };
        for l in inserted {
            prop_assert!(l.ends_with(eol) && !l.trim_end_matches(eol).contains('\r'));
        }
        prop_assert_eq!(after.starts_with('\u{feff}'), shape.bom);

        // Read back: one more entry, equal to what was logged.
        let parsed = note::parse("partners/x.md", "x", after.as_bytes()).unwrap();
        match &entry {
            Entry::Referral(r) => {
                prop_assert_eq!(parsed.referrals.len(), parsed_before.referrals.len() + 1);
                prop_assert_eq!(parsed.referrals.last().unwrap(), r);
            }
            Entry::Meeting(m) => {
                prop_assert_eq!(parsed.meetings.len(), parsed_before.meetings.len() + 1);
                prop_assert_eq!(parsed.meetings.last().unwrap(), m);
            }
            Entry::NextStep { .. } => unreachable!(),
        }
        prop_assert_eq!(parsed.body, parsed_before.body);
    }
}

/// The lines of a note without its `next_step:` block.
fn without_next_step(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("next_step:") {
            inside = true;
            continue;
        }
        if inside && line.starts_with(' ') && !line.trim().is_empty() {
            continue;
        }
        inside = false;
        out.push(line);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn next_touches_only_the_next_step(
        shape in shape(),
        action in prop::sample::select(vec!["Send the recap", "Call: ask about Q1", "yes", "#2 on the list", "Café 🎉, then lunch"]),
        keep in any::<bool>(),
    ) {
        let mut shape = shape;
        if !keep {
            shape.order.retain(|&k| k != 6);
        }
        let before = note_text(&shape);
        let entry = Entry::NextStep { date: day("2026-12-01"), action: action.to_string() };
        let edit = apply("partners/x.md", "x", before.as_bytes(), &entry)
            .unwrap_or_else(|e| panic!("{e:?}\n{before}"));
        let after = edit.text;
        prop_assert_eq!(without_next_step(&before), without_next_step(&after));
        if keep {
            prop_assert_eq!(before.lines().count(), after.lines().count(), "values replaced in place:\n{}", after);
        }
        let parsed = note::parse("partners/x.md", "x", after.as_bytes()).unwrap();
        let step = parsed.next_step.unwrap();
        prop_assert_eq!(step.date, day("2026-12-01"));
        prop_assert_eq!(step.action.as_str(), action);
    }
}

#[test]
fn next_replaces_a_value_written_over_several_lines() {
    let entry = Entry::NextStep {
        date: day("2026-12-01"),
        action: "New".into(),
    };
    let before = "---\nname: A\nnext_step:\n  date: 2024-01-01\n  action: >\n    long folded\n\n    text\n\nextra: {}\n---\n";
    assert_eq!(
        added(before, &entry),
        "---\nname: A\nnext_step:\n  date: 2026-12-01\n  action: New\n\nextra: {}\n---\n"
    );
}

#[test]
fn a_quoted_key_is_the_same_key() {
    let before = "---\nname: A\n\"referrals\":\n  - date: 2024-01-01\n    direction: given\n---\n";
    let after = added(before, &given(None));
    assert!(after.ends_with("    direction: given\n  - date: 2026-11-20\n    direction: given\n    type: net-new\n    outcome: exceeded\n    value: 4500\n---\n"), "{after}");
}

#[test]
fn entries_written_as_flow_mappings_get_one_more_like_them() {
    let before = "---\nname: A\nreferrals:\n- {date: 2024-01-01, direction: given}\n---\n";
    let after = added(before, &given(Some("Smith, R.")));
    assert_eq!(after, "---\nname: A\nreferrals:\n- {date: 2024-01-01, direction: given}\n- {date: 2026-11-20, direction: given, client: \"Smith, R.\", type: net-new, outcome: exceeded, value: 4500}\n---\n");
}
