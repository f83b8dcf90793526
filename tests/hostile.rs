//! Hostile input: notes of about a megabyte built to make a parser or a
//! loop work in more than linear time or memory (deep nesting, runs of
//! brackets and backticks, raw HTML, YAML aliases that multiply). Each must
//! build, or fail with located problems, within a generous time bound; and
//! a note with thousands of unknown links gives a bounded number of
//! warnings.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Far above what a megabyte takes on a slow machine (well under a second
/// in a release build), far below what a superlinear step takes.
const BOUND: Duration = Duration::from_secs(5);

const MB: usize = 1 << 20;

fn repeat_to(unit: &str, size: usize) -> String {
    unit.repeat(size / unit.len().max(1))
}

/// A book of two notes: the hostile one, and one with a client so that
/// redaction has names to look for.
fn book(dir: &Path, front: &str, body: &str) {
    fs::create_dir_all(dir.join("partners")).unwrap();
    fs::write(
        dir.join("rapport.yaml"),
        "as_of: 2026-11-01\nprivacy:\n  redact_clients: true\n",
    )
    .unwrap();
    fs::write(
        dir.join("partners/hostile.md"),
        format!("---\nname: Hostile Note\n{front}---\n{body}"),
    )
    .unwrap();
    fs::write(
        dir.join("partners/calm.md"),
        "---\nname: Calm Note\nreferrals:\n  - {date: 2026-01-05, direction: given, client: Bo Li}\n---\nBo Li [[Hostile Note]].\n",
    )
    .unwrap();
}

fn build(dir: &Path) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("build")
        .arg(dir)
        .arg("-o")
        .arg(dir.join("site"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out, started.elapsed())
}

/// Bodies of about a megabyte each.
fn bodies() -> Vec<(&'static str, String)> {
    let mut nested_lists = String::new();
    for i in 0..2000 {
        let _ = writeln!(nested_lists, "{}- item", "  ".repeat(i % 400));
    }
    let nested_lists = repeat_to(&nested_lists, MB);
    let mut backtick_runs = String::new();
    for k in 1..1400 {
        backtick_runs.push_str(&"`".repeat(k));
        backtick_runs.push_str(" a ");
    }
    vec![
        ("block quote markers", repeat_to(">", MB)),
        ("block quotes, one deeper each line", {
            let mut s = String::new();
            let mut i = 0;
            while s.len() < MB {
                let _ = writeln!(s, "{} x", "> ".repeat(i % 500));
                i += 1;
            }
            s
        }),
        ("nested lists", nested_lists),
        ("list markers on one line", repeat_to("- ", MB)),
        ("ordered list markers", repeat_to("1. ", MB)),
        ("emphasis run", repeat_to("*", MB)),
        ("emphasis openers", repeat_to("*a ", MB)),
        ("mixed emphasis", repeat_to("**_a", MB)),
        ("underscores", repeat_to("_", MB)),
        ("wiki link openers", repeat_to("[[", MB)),
        (
            "wiki link openers and one closer",
            repeat_to("[[", MB) + "]]",
        ),
        ("wiki link closers", repeat_to("]]", MB)),
        ("opening brackets", repeat_to("[", MB)),
        ("closing brackets", repeat_to("]", MB)),
        ("link openers", repeat_to("[a](", MB)),
        ("image openers", repeat_to("![", MB)),
        (
            "link reference uses",
            repeat_to("[a] ", MB / 2) + "\n\n[a]: x\n",
        ),
        ("footnote references", repeat_to("[^a] ", MB)),
        ("backticks", repeat_to("`", MB)),
        (
            "backtick runs of every length",
            repeat_to(&backtick_runs, MB),
        ),
        ("raw HTML nesting", repeat_to("<div>", MB)),
        ("raw inline HTML nesting", repeat_to("<b><i>", MB)),
        ("unclosed attribute quotes", repeat_to("<a title=\"", MB)),
        ("comment openers", repeat_to("<!--", MB)),
        ("character references", repeat_to("&", MB)),
        ("numeric references", repeat_to("&#", MB)),
        (
            "table pipes",
            format!("| a | b |\n|---|---|\n{}", repeat_to("| x ", MB)),
        ),
        ("one long line", repeat_to("a", MB)),
        ("many empty lines", repeat_to("\n", MB)),
        ("many short lines", repeat_to("a\n", MB)),
        ("a client name over and over", repeat_to("Bo Li ", MB)),
        ("a name's first word over and over", repeat_to("Bo ", MB)),
    ]
}

/// Front matter of about a megabyte each, or made to grow when expanded.
fn fronts() -> Vec<(&'static str, String)> {
    let mut laughs = String::from("extra:\n  a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        let _ = writeln!(laughs, "  a{i}: &a{i} [{refs}]");
    }
    let mut many_keys = String::from("extra:\n");
    while many_keys.len() < MB {
        let n = many_keys.len();
        let _ = writeln!(many_keys, "  k{n}: v");
    }
    let mut referrals = String::from("referrals:\n");
    while referrals.len() < MB {
        referrals.push_str("  - {date: 2026-01-05, direction: given, outcome: met}\n");
    }
    let mut block_referrals = String::from("referrals:\n");
    while block_referrals.len() < MB {
        block_referrals.push_str("  - date: 2026-01-05\n    direction: given\n    outcome: met\n");
    }
    vec![
        ("YAML aliases that multiply (billion laughs)", laughs),
        (
            "deep flow sequences",
            format!("extra: {}\n", repeat_to("[", MB)),
        ),
        (
            "deep flow mappings",
            format!("extra: {}\n", repeat_to("{a: ", MB)),
        ),
        ("deep block nesting", {
            let mut s = String::from("extra:\n");
            let mut i = 1;
            while s.len() < MB {
                let _ = writeln!(s, "{}k:", " ".repeat(i));
                i += 1;
            }
            s
        }),
        (
            "a huge scalar",
            format!("extra:\n  big: {}\n", repeat_to("x", MB)),
        ),
        (
            "a huge quoted scalar",
            format!("extra:\n  big: \"{}\"\n", repeat_to("x\\t", MB)),
        ),
        ("many keys", many_keys),
        ("many referrals", referrals),
        ("many referrals, one key a line", block_referrals),
        (
            "anchors everywhere",
            format!("extra: [{}]\n", repeat_to("&a x, ", MB)),
        ),
    ]
}

#[test]
fn hostile_notes_take_time_in_proportion_to_their_size() {
    let cases: Vec<(&str, String, String)> = bodies()
        .into_iter()
        .map(|(what, body)| (what, String::new(), body))
        .chain(
            fronts()
                .into_iter()
                .map(|(what, front)| (what, front, "Text.\n".to_string())),
        )
        .collect();
    let mut slow = Vec::new();
    for (what, front, body) in &cases {
        let dir = tempfile::tempdir().unwrap();
        book(dir.path(), front, body);
        let (out, took) = build(dir.path());
        // Built, or refused with problems: never a crash.
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{what}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("{what}: {took:?}");
        if took > BOUND {
            slow.push(format!("{what}: {took:?}"));
        }
    }
    assert!(slow.is_empty(), "too slow: {slow:#?}");
}

#[test]
fn thousands_of_unknown_links_give_ten_warnings_and_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::new();
    for i in 0..50_000 {
        let _ = write!(body, "[[nobody {i}]] ");
        if i % 10 == 9 {
            body.push('\n');
        }
    }
    assert!(body.len() > 500_000);
    book(dir.path(), "", &body);
    let (out, took) = build(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(took < BOUND, "{took:?}");
    assert_eq!(stderr.matches("names no partner").count(), 10, "{stderr}");
    assert!(
        stderr.contains("and 49,990 more links to unknown partners"),
        "{stderr}"
    );
    // The warnings show their lines, not the note again and again.
    assert!(stderr.len() < 20_000, "{} bytes of warnings", stderr.len());
}
