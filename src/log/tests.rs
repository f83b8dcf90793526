use super::*;
use crate::book::{
    Day, Direction, DiscoveryOutcome, InitiativeStatus, Meeting, MeetingKind, Outcome, Partner,
    Referral, ReferralType,
};
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
    let e = find(&cs, "Pat O'Brien").unwrap_err().to_string();
    assert!(e.contains("obrien") && e.contains("pat-obrien"), "{e}");
    let e = find(&cs, "jane").unwrap_err().to_string();
    assert!(e.contains("jane-doe") && e.contains("jane-roe"), "{e}");
    let e = find(&cs, "Jane Dow").unwrap_err().to_string();
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

// ------------------------------------------------------------ the v3 verbs

/// The lines `after` adds to `before`, when removing them gives `before`
/// back exactly; `None` otherwise.
fn added_lines(before: &str, after: &str) -> Option<Vec<String>> {
    let mut b = before.split_inclusive('\n').peekable();
    let mut added = Vec::new();
    for line in after.split_inclusive('\n') {
        if b.peek() == Some(&line) {
            b.next();
        } else {
            added.push(line.to_string());
        }
    }
    b.peek().is_none().then_some(added)
}

/// `action` on the note `text`, checked as `log` checks it.
fn act(text: &str, action: &Action) -> Result<String, crate::note_edit::Refused> {
    crate::note_edit::check_and_apply("partners/x.md", "x", text.as_bytes(), |p| plan(p, action))
        .map(|a| a.text)
}

fn parsed(text: &str) -> Partner {
    note::parse("partners/x.md", "x", text.as_bytes())
        .unwrap_or_else(|d| panic!("the note checks: {d:?}\n{text}"))
}

/// The lines that differ, when both texts have as many lines.
fn changed_lines(before: &str, after: &str) -> Vec<(String, String)> {
    let b: Vec<&str> = before.split_inclusive('\n').collect();
    let a: Vec<&str> = after.split_inclusive('\n').collect();
    assert_eq!(b.len(), a.len(), "as many lines:\n{after}");
    b.iter()
        .zip(&a)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (x.to_string(), y.to_string()))
        .collect()
}

fn received(client: &str) -> Action {
    Action::Add(Entry::Referral(Referral {
        date: day("2026-11-10"),
        direction: Direction::Received,
        client: Some(client.into()),
        kind: ReferralType::Existing,
        outcome: None,
        value: None,
        note: None,
        thanked: None,
    }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn outcome_changes_one_line_of_the_chosen_referral(shape in shape(), which in 0..4usize) {
        let mut shape = shape;
        shape.referrals = shape.referrals.max(3);
        let before = note_text(&shape);
        let n = shape.referrals - 2;
        let i = which % n;
        let action = Action::Outcome {
            outcome: Outcome::Exceeded,
            date: Some(day(&format!("2024-0{}-01", i + 1))),
            client: None,
        };
        let after = act(&before, &action).unwrap_or_else(|e| panic!("{e:?}\n{before}"));
        let changed = changed_lines(&before, &after);
        prop_assert_eq!(changed.len(), 1, "{}", after);
        prop_assert!(changed[0].1.contains("exceeded") && changed[0].0.contains("met"));
        let p = parsed(&after);
        prop_assert_eq!(p.referrals[i].outcome, Some(Outcome::Exceeded));
        // Without --date every given referral is a candidate: none pending.
        let pending = Action::Outcome { outcome: Outcome::Exceeded, date: None, client: None };
        prop_assert!(act(&before, &pending).is_err());
    }

    #[test]
    fn thanks_marks_the_newest_received_referral_and_adds_only_that(shape in shape(), client in prop::sample::select(vec!["K. Lee", "yes", "Lee: K"])) {
        let with_two = act(&act(&note_text(&shape), &received("Older")).unwrap(), &received(client)).unwrap();
        let action = Action::Thanks { date: day("2026-11-12"), client: None };
        let after = act(&with_two, &action).unwrap_or_else(|e| panic!("{e:?}\n{with_two}"));
        let p = parsed(&after);
        let thanked: Vec<Option<&str>> = p.referrals.iter().filter(|r| r.thanked.is_some()).map(|r| r.client.as_deref()).collect();
        prop_assert_eq!(thanked, vec![Some(client)]);
        if shape.flow_items && shape.referrals >= 3 {
            prop_assert_eq!(changed_lines(&with_two, &after).len(), 1);
        } else {
            let added = added_lines(&with_two, &after).expect("only lines added");
            prop_assert_eq!(added.len(), 1, "{:?}", added);
            prop_assert!(added[0].trim_start().starts_with("thanked: 2026-11-12"));
        }
        // The older one next, then none is left.
        let again = act(&after, &action).unwrap();
        prop_assert!(act(&again, &action).is_err());
    }

    #[test]
    fn done_moves_the_next_step_into_steps(shape in shape(), next in any::<bool>()) {
        let mut shape = shape;
        if !shape.order.contains(&6) {
            shape.order.push(6);
        }
        let before = note_text(&shape);
        let action = Action::Done {
            date: day("2026-11-30"),
            next: next.then(|| (day("2027-01-10"), "Plan: the workshop".to_string())),
        };
        let after = act(&before, &action).unwrap_or_else(|e| panic!("{e:?}\n{before}"));
        let p = parsed(&after);
        prop_assert_eq!(p.steps.len(), 1);
        prop_assert_eq!(p.steps[0].date, day("2026-11-30"));
        prop_assert_eq!(p.steps[0].action.as_str(), "Send the recap");
        // The note without its next step and steps is the same note.
        let strip = |t: &str| -> Vec<String> {
            without_next_step(t).into_iter().filter(|l| !l.starts_with("steps:") && !l.contains("date: 2026-11-30") && !l.contains("action: Send the recap")).map(str::to_string).collect()
        };
        prop_assert_eq!(strip(&before), strip(&after));
        if next {
            let s = p.next_step.unwrap();
            prop_assert_eq!(s.date, day("2027-01-10"));
            prop_assert_eq!(before.lines().count() + 3, after.lines().count(), "{}", after);
        } else {
            prop_assert!(p.next_step.is_none());
            prop_assert!(act(&after, &action).is_err(), "nothing open to mark done");
        }
    }

    #[test]
    fn initiative_adds_one_then_updates_only_what_is_given(shape in shape(), name in prop::sample::select(vec!["Owner workshop", "Q1: tax night", "no"])) {
        let before = note_text(&shape);
        let add = Action::Initiative { name: name.into(), status: None, started: Some(day("2026-11-01")), new_clients: None };
        let after = act(&before, &add).unwrap_or_else(|e| panic!("{e:?}\n{before}"));
        let added = added_lines(&before, &after).expect("only lines added");
        prop_assert_eq!(added.len(), 4, "{:?}", added);
        let p = parsed(&after);
        prop_assert_eq!(&p.initiatives[0].name, name);
        prop_assert_eq!(p.initiatives[0].status, Some(InitiativeStatus::Idea));
        let update = Action::Initiative { name: name.to_uppercase(), status: Some(InitiativeStatus::Active), started: None, new_clients: Some(2) };
        let updated = act(&after, &update).unwrap();
        let without_new: String = updated.split_inclusive('\n').filter(|l| !l.trim_start().starts_with("new_clients")).collect();
        let changed = changed_lines(&after, &without_new);
        prop_assert_eq!(changed.len(), 1, "status changed in place");
        let p = parsed(&updated);
        prop_assert_eq!(p.initiatives.len(), 1);
        prop_assert_eq!(p.initiatives[0].started, Some(day("2026-11-01")));
        prop_assert_eq!(p.initiatives[0].new_clients, Some(2));
    }

    #[test]
    fn set_replaces_a_value_in_place_or_adds_its_line(shape in shape(), value in prop::sample::select(vec!["CPA", "yes", "2026-01-01 10:00:00", "<<", "Tax: estates"])) {
        let before = note_text(&shape);
        let action = Action::Set { key: SetKey::Profession, value: value.into() };
        let after = act(&before, &action).unwrap_or_else(|e| panic!("{e:?}\n{before}"));
        let added = added_lines(&before, &after).expect("only a line added");
        prop_assert_eq!(added.len(), 1);
        prop_assert_eq!(parsed(&after).profession, Some(value.to_string()));
        let action = Action::Set { key: SetKey::Firm, value: value.into() };
        let after = act(&before, &action).unwrap();
        prop_assert_eq!(parsed(&after).firm, Some(value.to_string()));
        if shape.order.contains(&1) {
            prop_assert_eq!(changed_lines(&before, &after).len(), 1);
        }
        let action = Action::Set { key: SetKey::Tags, value: "tax, estates, yes".into() };
        let after = act(&before, &action).unwrap();
        prop_assert_eq!(parsed(&after).tags, vec!["tax".to_string(), "estates".into(), "yes".into()]);
    }
}

#[test]
fn next_refuses_while_a_step_is_open_unless_replace() {
    let before = "---\nname: A\nnext_step:\n  date: 2026-01-01\n  action: Call\n---\n";
    let next = |replace| Action::Next {
        date: day("2026-02-01"),
        action: "Lunch".into(),
        replace,
    };
    match act(before, &next(false)) {
        Err(crate::note_edit::Refused::Declined(m)) => {
            assert!(m.contains("done") && m.contains("--replace"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(act(before, &next(true)).unwrap().contains("action: Lunch"));
}

#[test]
fn outcome_lists_the_candidates_when_more_than_one_fits() {
    let before = "---\nname: A\nreferrals:\n  - {date: 2026-01-01, direction: received, client: \"A\\u001b[2J\"}\n  - {date: 2026-01-02, direction: received, client: B}\n---\n";
    let won = Action::Outcome {
        outcome: Outcome::Won,
        date: None,
        client: None,
    };
    match act(before, &won) {
        Err(crate::note_edit::Refused::Declined(m)) => {
            assert!(m.contains("2026-01-01") && m.contains("2026-01-02"), "{m}");
            assert!(!m.contains('\u{1b}'), "escaped: {m}");
        }
        other => panic!("{other:?}"),
    }
    let b = Action::Outcome {
        outcome: Outcome::Won,
        date: None,
        client: Some("b".into()),
    };
    assert_eq!(
        parsed(&act(before, &b).unwrap()).referrals[1].outcome,
        Some(Outcome::Won)
    );
}

#[test]
fn a_slug_decides_between_two_notes_of_the_same_name_and_a_first_name_finds_one() {
    let cs = vec![
        cand("jane-doe", "Jane Doe"),
        cand("jane-doe-2", "Jane Doe"),
        cand("dana-whitfield", "Dana Whitfield"),
        cand("jordana-x", "Jordana X"),
        cand("evil", "Eve\u{1b}[2J\nLine"),
        cand("evil-2", "Eve\u{1b}[2J\nLine"),
    ];
    assert_eq!(find(&cs, "jane-doe").unwrap().slug, "jane-doe");
    assert_eq!(find(&cs, "jane-doe-2").unwrap().slug, "jane-doe-2");
    assert!(find(&cs, "Jane Doe").is_err());
    assert_eq!(find(&cs, "dana").unwrap().slug, "dana-whitfield");
    assert_eq!(find(&cs, "Dana W").unwrap().slug, "dana-whitfield");
    let e = find(&cs, "eve").unwrap_err().to_string();
    assert!(
        !e.contains('\u{1b}') && e.contains("\\u{1b}[2J\\nLine"),
        "{e}"
    );
}
