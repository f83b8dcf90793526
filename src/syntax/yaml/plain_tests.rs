//! The quick reader against `yaml_serde`: whatever it reads, it reads as
//! `yaml_serde` does, into a plain value and into the typed front-matter
//! and settings; fixed cases for each construct and generated documents.

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value as Json;

use super::read;
use crate::book::{FrontMatter, SettingsFile};

/// `text` read by both readers, checked to agree wherever the quick one
/// reads it. Returns whether it did.
fn agree(text: &str) -> bool {
    let Some(quick) = read::<Json>(text) else {
        assert!(read::<FrontMatter>(text).is_none());
        return false;
    };
    let full = yaml_serde::from_str::<Json>(text);
    assert_eq!(
        full.as_ref().ok(),
        Some(&quick),
        "as a plain value, for {text:?}"
    );
    if let Some(fm) = read::<FrontMatter>(text) {
        let full = yaml_serde::from_str::<FrontMatter>(text);
        assert_eq!(
            full.as_ref().ok(),
            Some(&fm),
            "as front-matter, for {text:?}"
        );
    } else {
        assert!(
            yaml_serde::from_str::<FrontMatter>(text).is_err(),
            "as front-matter, yaml_serde reads what the quick reader refused: {text:?}"
        );
    }
    if let Some(s) = read::<SettingsFile>(text) {
        let full = yaml_serde::from_str::<SettingsFile>(text);
        assert_eq!(full.as_ref().ok(), Some(&s), "as settings, for {text:?}");
    }
    true
}

#[test]
fn a_plain_note_is_read_as_yaml_serde_reads_it() {
    let note = "name: Jane Doe   # the partner\n\
        firm: 'Doe & O''Brien'\n\
        profession: \"Estate attorney\"\n\
        role: esp\n\
        since: 2024-06-07\n\
        website: https://example.com/jane?x=1#top\n\
        phone: \"+1 555 0100\"\n\
        tags: [estate, 'tax law', \"trusts\", O'Malley]\n\
        ideal_clients: []\n\
        draft: false\n\
        contact_every: 60\n\
        referrals:\n\
        \x20 - date: 2025-01-15\n\
        \x20   direction: given\n\
        \x20   client: Client 544\n\
        \x20   type: net-new\n\
        \x20   outcome: exceeded\n\
        \x20   value: 2500\n\
        \x20   note:\n\
        \n\
        \x20   # a comment between keys\n\
        \x20 -   date: 2025-02-13\n\
        \x20     direction: received\n\
        meetings:\n\
        - date: 2026-01-02\n\
        \x20 kind: discovery\n\
        \x20 outcome: interested\n\
        next_step:\n\
        \x20   date: 2026-12-01\n\
        \x20   action: Lunch, then a call\n\
        extra:\n\
        \x20 nested:\n\
        \x20   - [a, b]\n\
        \x20   - -7\n\
        \x20   - ~\n\
        \x20   -\n\
        \x20   - - deep\n\
        \x20     - deeper\n";
    assert!(agree(note), "left to yaml_serde: {note}");
    let fm = read::<FrontMatter>(note).unwrap();
    assert_eq!(fm.firm.as_deref(), Some("Doe & O'Brien"));
    assert_eq!(fm.tags, ["estate", "tax law", "trusts", "O'Malley"]);
    assert_eq!(fm.referrals.len(), 2);
    assert_eq!(fm.referrals[0].value, Some(2500.0));
    assert_eq!(fm.referrals[0].note, None);
    assert_eq!(fm.meetings.len(), 1);
    assert_eq!(fm.contact_every, Some(60));
    assert_eq!(
        fm.website.as_deref(),
        Some("https://example.com/jane?x=1#top")
    );
    let crlf = note.replace('\n', "\r\n");
    assert!(agree(&crlf));
    assert_eq!(read::<FrontMatter>(&crlf), Some(fm));
}

#[test]
fn what_the_quick_reader_is_not_sure_of_is_left_to_yaml_serde() {
    for text in [
        "name: a\nvalue: 1.5\n",
        "name: a\nphone: 555 0100\n",
        "name: a\ncode: 0875\n",
        "name: a\nn: +1\n",
        "name: yes\n",
        "name: No\n",
        "name: .inf\n",
        "name: NaN\n",
        "name: &a x\nfirm: *a\n",
        "name: !tag x\n",
        "name: |\n  block\n",
        "name: >\n  folded\n",
        "name: \"esc\\n\"\n",
        "name: 'two\n  lines'\n",
        "name: plain\n  continued\n",
        "name: a: b\n",
        "name: a\nname: b\n",
        "name:\ta\n",
        "name: a\u{2028}b\n",
        "name: a\rb\n",
        "---\nname: a\n",
        "  name: a\n",
        "- a\n",
        "name: {a: 1}\n",
        "tags: [a, [b]]\n",
        "tags: [a, b,]\n",
        "tags: [a: b]\n",
        "tags: [a, b\n",
        "tags: [a] x\n",
        "name: 'a' x\n",
        "name: 'a'#x\n",
        "\"name\": a\n",
        "? name\n: a\n",
        "name: -\n",
        "name: 12345678901234567890\n",
        "true: a\n",
        "name: a\n    firm: b\n",
        "name: a\n- b\n",
    ] {
        assert!(read::<Json>(text).is_none(), "read quickly: {text:?}");
        agree(text);
    }
}

#[test]
fn a_mapping_with_very_many_keys_is_left_to_yaml_serde() {
    let mut text = String::from("extra:\n");
    for i in 0..200 {
        text.push_str(&format!("  k{i}: v\n"));
    }
    assert!(read::<Json>(&text).is_none());
    let few: String = text.lines().take(40).map(|l| format!("{l}\n")).collect();
    assert!(agree(&few));
}

/// The YAML documents under `dir` (relative to the project): each note's
/// front-matter and each settings file.
fn documents(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            match e.path().extension()?.to_str()? {
                "md" => Some(
                    crate::syntax::frontmatter::split(&text)
                        .ok()?
                        .yaml
                        .to_string(),
                ),
                "yaml" => Some(text),
                _ => None,
            }
        })
        .collect()
}

/// `n` values drawn from `strategy`.
fn draw<S: Strategy>(strategy: S, n: usize) -> Vec<S::Value> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::default());
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

#[test]
fn every_sample_and_fixture_document_reads_alike() {
    let all: Vec<String> = ["sample-data", "tests/fixtures"]
        .into_iter()
        .flat_map(documents)
        .collect();
    let seen = all.len();
    let read_quickly = all.iter().filter(|text| agree(text)).count();
    assert!(seen > 30, "only {seen} documents found");
    // The sample notes are written plainly: most must take the quick path.
    assert!(
        read_quickly * 2 > seen,
        "only {read_quickly} of {seen} documents read quickly"
    );
}

/// Values the quick reader reads, as they are written in notes.
const USUAL: &[&str] = &[
    "Jane Doe",
    "given",
    "net-new",
    "2025-01-15",
    "2500",
    "-5",
    "0",
    "true",
    "~",
    "'it''s'",
    "\"dq\"",
    "[a, b]",
    "[]",
    "https://example.com/a",
    "O'Malley",
    "a # c",
    "",
];

/// Values a note might hold, and values that look like something else.
fn scalar() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        "Jane Doe",
        "given",
        "received",
        "existing",
        "net-new",
        "won",
        "lost",
        "pending",
        "exceeded",
        "met",
        "below",
        "esp",
        "coi",
        "call",
        "discovery",
        "interested",
        "idea",
        "done",
        "ESP",
        "Given",
        "RECEIVED",
        "Net-New",
        "Exceeded",
        "Check-In",
        "sent",
        "lunch",
        "Closed",
        "2025-01-15",
        "2025-13-40",
        "2025-1-5",
        "20250115",
        "2500",
        "0",
        "-5",
        "-0",
        "0875",
        "+1",
        "1.5",
        "1e3",
        ".5",
        ".inf",
        "-.inf",
        ".nan",
        "NaN",
        "inf",
        "Infinity",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "~",
        "null",
        "Null",
        "NULL",
        "",
        "a: b",
        "a:",
        "a:b",
        "a #b",
        "a#b",
        "O'Malley",
        "'quoted'",
        "'it''s'",
        "''",
        "'",
        "\"dq\"",
        "\"a\\nb\"",
        "\"\"",
        "\"",
        "[x]",
        "[x, y]",
        "[]",
        "[ ]",
        "[a,b]",
        "[1, -2, ~, true]",
        "{a: 1}",
        "{}",
        "&a x",
        "*a",
        "!tag x",
        "| block",
        ">",
        "- x",
        "-",
        "--",
        "https://example.com/a",
        "0x1F",
        "0o17",
        "0b1",
        "1_000",
        "12345678901234567890",
        "99999999999",
        "4294967296",
        "caf\u{e9}",
        "x\u{2028}y",
        "x\u{85}y",
        "a\tb",
        "@x",
        "`x`",
        "%x",
        "?",
        "? x",
        ": x",
        "a, b",
        "a ",
        " a",
        "# c",
        "a # c",
        "\\",
        "a\\b",
        "<<",
        "=",
        "...",
        "---",
    ]);
    let usual = prop::sample::select(USUAL);
    prop_oneof![
        12 => usual.prop_map(str::to_string),
        2 => tricky.prop_map(str::to_string),
        1 => "[ -~]{0,12}",
        1 => "[a-zA-Z][a-zA-Z '.,&-]{0,14}",
    ]
}

/// The front-matter's keys that hold a value or a one-line list.
const NOTE_KEYS: &[&str] = &[
    "name",
    "firm",
    "profession",
    "role",
    "since",
    "email",
    "phone",
    "website",
    "tags",
    "ideal_clients",
    "draft",
    "contact_every",
    "extra",
];

/// The keys of referrals and meetings.
const ENTRY_KEYS: &[&str] = &[
    "date",
    "direction",
    "client",
    "type",
    "outcome",
    "value",
    "note",
    "kind",
    "summary",
];

/// Keys of every kind: the note's and its entries', other keys of the
/// format, and keys that are not plain words.
fn key() -> impl Strategy<Value = String> {
    let others = [
        "referrals",
        "meetings",
        "initiatives",
        "next_step",
        "action",
        "started",
        "status",
        "new_clients",
        "title",
        "as_of",
        "window_months",
        "currency",
        "x_y",
        "y",
        "null",
        "a b",
        "\"q\"",
        "-k",
        "k-1",
    ];
    let keys: Vec<&str> = NOTE_KEYS
        .iter()
        .chain(ENTRY_KEYS)
        .chain(&others)
        .copied()
        .collect();
    prop::sample::select(keys).prop_map(str::to_string)
}

/// A document as lines: nested mappings and lists of entries, with
/// comments, blank lines and both list indentations.
fn document() -> impl Strategy<Value = String> {
    let leaf = scalar().prop_map(|s| vec![(0usize, format!(" {s}"))]);
    let tree = leaf.prop_recursive(3, 40, 5, |inner| {
        prop_oneof![
            // A mapping: `key:` + value lines, indented.
            prop::collection::vec((key(), inner.clone(), 1usize..=4), 1..5).prop_map(|pairs| {
                let mut lines = vec![(0usize, String::new())];
                for (k, v, step) in pairs {
                    push_value(&mut lines, &format!("{k}:"), v, step);
                }
                lines
            }),
            // A list: `-` + value lines.
            prop::collection::vec((inner, 0usize..=3), 1..4).prop_map(|items| {
                let mut lines = vec![(0usize, String::new())];
                for (v, step) in items {
                    push_value(&mut lines, "-", v, step.max(1));
                }
                lines
            }),
        ]
    });
    (
        prop::collection::vec((key(), tree, 1usize..=3), 1..6),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(|(pairs, crlf, noise)| {
            let mut lines = vec![(0usize, String::new())];
            for (k, v, step) in pairs {
                push_value(&mut lines, &format!("{k}:"), v, step);
            }
            let mut out = String::new();
            for (i, (indent, text)) in lines.iter().enumerate().skip(1) {
                out.push_str(&" ".repeat(*indent));
                out.push_str(text);
                match (i + noise as usize) % 11 {
                    3 => out.push_str("   "),
                    5 => out.push_str(" # note"),
                    7 => out.push_str("\n\n# comment"),
                    _ => {}
                }
                out.push_str(if crlf { "\r\n" } else { "\n" });
            }
            out
        })
}

/// Appends `head` and a value given as lines (the first line's text goes
/// after `head` when it is a scalar; a block goes below, `step` deeper).
fn push_value(
    lines: &mut Vec<(usize, String)>,
    head: &str,
    value: Vec<(usize, String)>,
    step: usize,
) {
    if value[0].1.is_empty() {
        lines.push((0, head.to_string()));
        for (indent, text) in value.into_iter().skip(1) {
            lines.push((indent + step, text));
        }
    } else {
        lines.push((0, format!("{head}{}", value[0].1)));
    }
}

#[test]
fn generated_documents_read_alike() {
    let total = 4000;
    let quick = draw(document(), total).iter().filter(|d| agree(d)).count();
    // Not a vacuous comparison: a good share takes the quick path.
    assert!(quick * 10 > total, "only {quick} of {total} read quickly");
    eprintln!("{quick} of {total} generated documents read quickly");
}

/// Documents made only of what the quick reader knows.
fn plain_document() -> impl Strategy<Value = String> {
    let word = prop::sample::select(USUAL);
    let entry = prop::collection::vec((key(), word.clone()), 1..5);
    (
        prop::collection::vec((key(), word), 0..6),
        prop::collection::vec(entry, 0..4),
        1usize..=4,
    )
        .prop_map(|(top, entries, step)| {
            let mut out = String::new();
            let mut seen: Vec<String> = Vec::new();
            let fresh = |k: &str, seen: &mut Vec<String>| {
                let ok = !seen.iter().any(|s| s == k)
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    && !k.starts_with('-')
                    && !["y", "null"].contains(&k);
                if ok {
                    seen.push(k.to_string());
                }
                ok
            };
            for (k, v) in top {
                if fresh(&k, &mut seen) {
                    out.push_str(&format!("{k}: {v}\n"));
                }
            }
            out.push_str("list_of_entries:\n");
            for entry in entries {
                let mut first = true;
                let mut inner = Vec::new();
                for (k, v) in entry {
                    if !fresh(&k, &mut inner) {
                        continue;
                    }
                    let lead = if first { "- " } else { "  " };
                    out.push_str(&format!("{}{lead}{k}: {v}\n", " ".repeat(step)));
                    first = false;
                }
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn plain_documents_take_the_quick_path(doc in plain_document()) {
        prop_assert!(agree(&doc), "left to yaml_serde: {doc:?}");
    }
}

/// Note-shaped documents: the front-matter's own keys, each with a value
/// that may or may not fit it, and lists of referrals and meetings.
fn note_document() -> impl Strategy<Value = String> {
    let top = prop::sample::select(NOTE_KEYS);
    let inner = prop::sample::select(ENTRY_KEYS);
    let typed = prop::sample::select(vec![
        "esp",
        "coi",
        "given",
        "received",
        "existing",
        "net-new",
        "won",
        "met",
        "pending",
        "exceeded",
        "call",
        "discovery",
        "interested",
        "'esp'",
        "\"given\"",
        // Any case, and other words people write for the values.
        "ESP",
        "Coi",
        "Given",
        "RECEIVED",
        "Net-New",
        "EXISTING",
        "Won",
        "Met",
        "Pending",
        "Exceeded",
        "Call",
        "CHECK-IN",
        "Discovery",
        "Interested",
        "'Given'",
        "\"Won\"",
        "sent",
        "lunch",
        "closed",
        "new",
        "partner",
        "Referred Out",
        "Active",
        "DONE",
        "planned",
        "2025-01-15",
        "'2025-01-15'",
        "2025-02-30",
        "60",
        "0",
        "-1",
        "true",
        "false",
        "'true'",
        "~",
        "",
        "[a, b]",
        "[1, 2]",
        "[]",
        "4294967296",
        "Jane",
        "'60'",
    ]);
    let value = prop_oneof![3 => typed.prop_map(str::to_string), 1 => scalar()];
    (
        prop::collection::vec((top, value.clone()), 1..8),
        prop::collection::vec(prop::collection::vec((inner, value), 1..7), 0..4),
        0usize..3,
    )
        .prop_map(|(top, entries, list)| {
            let mut out = String::new();
            let mut seen: Vec<&str> = Vec::new();
            for (k, v) in top {
                if !seen.contains(&k) {
                    seen.push(k);
                    out.push_str(&format!("{k}: {v}\n"));
                }
            }
            // Initiatives take their own keys, in place of the others'.
            let initiative = |k: &'static str| match k {
                "date" => "name",
                "direction" | "kind" => "status",
                "type" => "started",
                "value" => "new_clients",
                other => other,
            };
            out.push_str(["meetings:\n", "referrals:\n", "initiatives:\n"][list]);
            for entry in entries {
                let mut keys: Vec<&str> = Vec::new();
                for (k, v) in entry {
                    let k = if list == 2 { initiative(k) } else { k };
                    if !keys.contains(&k) {
                        let lead = if keys.is_empty() { "  - " } else { "    " };
                        keys.push(k);
                        out.push_str(&format!("{lead}{k}: {v}\n"));
                    }
                }
            }
            out
        })
}

#[test]
fn generated_notes_read_alike_into_the_typed_front_matter() {
    let total = 4000;
    let typed = draw(note_document(), total)
        .iter()
        .filter(|doc| {
            agree(doc);
            read::<FrontMatter>(doc).is_some()
        })
        .count();
    assert!(
        typed * 20 > total,
        "only {typed} of {total} read quickly as notes"
    );
    eprintln!("{typed} of {total} generated notes read quickly");
}

#[test]
fn mutated_sample_notes_read_alike() {
    let notes = documents("sample-data/partners");
    assert!(notes.len() > 10);
    // Edits that matter to YAML: characters with a meaning, and spaces
    // that move a line in or out.
    let pieces = [
        " ", "  ", "\n", ":", ": ", "-", "- ", "#", " #", "'", "\"", "[", "]", ",", "{", "}", "&",
        "*", "!", "|", ">", "~", "0", "1.5", "true", "null", "\t", "\r", "\\", "%", "@",
    ];
    let edit = (
        0usize..10_000,
        0usize..4,
        0usize..pieces.len(),
        0usize..notes.len(),
    );
    let total = 3000;
    let mut quick = 0;
    for edits in draw(prop::collection::vec(edit, 1..4), total) {
        let mut text = notes[edits[0].3].clone();
        for (at, how, piece, _) in edits {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            match how {
                0 => text.insert_str(at, pieces[piece]),
                1 => text.replace_range(at..end, ""),
                _ => text.replace_range(at..end, pieces[piece]),
            }
        }
        if agree(&text) {
            quick += 1;
        }
    }
    assert!(quick * 10 > total, "only {quick} of {total} read quickly");
}
