//! The week's coaching on the built site, checked the way a user would:
//! "This week" has one row per partner and its tile counts them, each
//! partner ready for a discovery conversation has an invitation draft that
//! opens in an e-mail program, partners.json carries the v3 numbers, and an
//! empty book says how to start.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::fs;
use std::path::Path;

use sample::{build_ok, built_sample, sample};
use serde_json::Value;

fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap()
}

fn partners(dir: &Path) -> Vec<Value> {
    serde_json::from_str(&read(dir, "data/partners.json")).unwrap()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let len = s[from..].find(end).unwrap_or_else(|| panic!("no {end}"));
    &s[from..from + len]
}

/// Decodes `%XX` escapes (the rest as it is).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The slugs of This week's rows, in order.
fn week_rows(index: &str) -> Vec<String> {
    let table = between(index, "<h2 id=\"week-h\">", "</section>");
    table
        .split(" id=\"week-")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn this_week_has_one_row_a_partner_and_its_tile_counts_the_rows() {
    let site = built_sample();
    let index = read(site.path(), "index.html");
    let rows = week_rows(&index);
    assert!(rows.len() >= 8, "{rows:?}");
    let mut unique = rows.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        rows.len(),
        "a partner appears twice: {rows:?}"
    );
    let tile = between(
        &index,
        "<a href=\"#week-h\">This week</a></dt><dd><a href=\"#week-h\">",
        "<",
    );
    assert_eq!(tile, rows.len().to_string());
    // The most urgent first: the partner with the most days overdue.
    let most = partners(site.path())
        .iter()
        .filter_map(|p| {
            let days = [
                p["next_step"]["overdue_days"].as_i64(),
                p["contact_overdue_days"].as_i64(),
            ];
            days.into_iter()
                .flatten()
                .max()
                .map(|d| (d, p["slug"].as_str().unwrap().to_string()))
        })
        .max()
        .unwrap();
    assert_eq!(rows[0], most.1);
    // Every partner ready for discovery has a row with its invitation.
    for p in partners(site.path()) {
        if p["readiness"]["stage"] == "ready-for-discovery" {
            let slug = p["slug"].as_str().unwrap();
            assert!(rows.iter().any(|r| r == slug), "{slug}");
        }
        // A partner with a referral to thank has a row that says so.
        if p["to_thank"].as_u64().unwrap() > 0 {
            let slug = p["slug"].as_str().unwrap();
            let row = between(&index, &format!(" id=\"week-{slug}\""), "</tr>");
            assert!(row.contains("Thank them for the referral"), "{slug}: {row}");
        }
    }
}

#[test]
fn each_ready_partner_has_an_invitation_draft_as_mailto_and_text() {
    let site = built_sample();
    let index = read(site.path(), "index.html");
    let ready: Vec<Value> = partners(site.path())
        .into_iter()
        .filter(|p| p["readiness"]["stage"] == "ready-for-discovery")
        .collect();
    assert!(!ready.is_empty());
    assert_eq!(
        index.matches("<details class=\"invitation\"").count(),
        ready.len()
    );
    for p in &ready {
        let slug = p["slug"].as_str().unwrap();
        let draft = between(&index, &format!("id=\"invite-{slug}\""), "</details>");
        let href = between(draft, "<a class=\"mailto\" href=\"", "\"");
        assert!(href.starts_with("mailto:"), "{href}");
        assert!(
            !href.contains(' ') && !href.contains('\n'),
            "not encoded: {href}"
        );
        let note = fs::read_to_string(
            files::files_under(&sample().join("partners"))
                .keys()
                .find(|k| k.ends_with(&format!("{slug}.md")))
                .map(|k| sample().join("partners").join(k))
                .unwrap(),
        )
        .unwrap();
        let email = note
            .lines()
            .find_map(|l| l.strip_prefix("email: "))
            .map(str::trim);
        if let Some(email) = email {
            assert!(href.starts_with(&format!("mailto:{email}?")), "{href}");
        }
        let query = href.split_once('?').unwrap().1;
        let (subject, body) = query.split_once("&amp;body=").unwrap();
        let subject = percent_decode(subject.strip_prefix("subject=").unwrap());
        let body = percent_decode(body);
        assert!(!subject.is_empty());
        for words in [
            "loved referring clients to you",
            "not changing",
            "new clients together",
            "both our ideal profiles",
            "open to a conversation",
        ] {
            assert!(body.contains(words), "{slug}: {words} not in {body}");
        }
        // Personalised: how many clients, shared ideal clients, the name.
        let given = note.matches("direction: given").count();
        assert!(body.contains(&format!("{given} of them")), "{slug}: {body}");
        assert!(body.contains(", such as "), "{slug}: {body}");
        assert!(body.contains("\r\n"), "line breaks as CRLF");
        // The same text to copy.
        let text = between(draft, "<textarea", "</textarea>");
        let text = &text[text.find('>').unwrap() + 1..];
        assert!(text.contains("open to a conversation"));
        assert!(draft.contains("data-copy=\"invite-text-"));
    }
}

#[test]
fn a_book_invitation_template_replaces_the_wording() {
    let book = tempfile::tempdir().unwrap();
    files::copy_dir(&sample(), book.path());
    let _ = fs::remove_dir_all(book.path().join("public"));
    fs::create_dir_all(book.path().join("templates")).unwrap();
    fs::write(
        book.path().join("templates/invitation.txt"),
        "Subject: Coffee, {{ partner.first_name }}?\n\nShall we talk about {{ shared | join(sep=\" & \") }}?\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    let index = read(out.path(), "index.html");
    assert!(index.contains("subject=Coffee%2C%20Daniel%3F"), "{index}");
    assert!(index.contains("Shall we talk about"));
    assert!(!index.contains("loved referring clients"));
}

#[test]
fn partners_json_carries_the_v3_numbers() {
    let site = built_sample();
    let text = read(site.path(), "data/partners.json");
    let all = partners(site.path());
    // The keys in the order of the format, in every object of the file.
    for object in text.split("\n  {").skip(1) {
        let at = |k: &str| {
            object
                .find(&format!("\n    \"{k}\":"))
                .unwrap_or_else(|| panic!("no {k} in {object}"))
        };
        assert!(at("net_new_received") < at("received_won_value"));
        assert!(at("received_won_value") < at("conversion"));
        assert!(at("conversion") < at("to_thank"));
        assert!(at("to_thank") < at("balance"));
    }
    for p in &all {
        if let Some(c) = p["conversion"].as_f64() {
            assert!((0.0..=1.0).contains(&c));
            assert_eq!((c * 1000.0).round() / 1000.0, c);
        }
    }
    let maya = all.iter().find(|p| p["slug"] == "maya-okafor").unwrap();
    assert_eq!(maya["to_thank"], 1, "the referral of 2026-10-22");
    assert_eq!(maya["last_contact"], "2026-10-22");
    // The JSON writes the conversion as a decimal, 1.0 included.
    assert!(text.contains("\"conversion\": 1.0,") || text.contains("\"conversion\": 0."));
    // 3 to 1 is heavy, no longer balanced.
    for p in &all {
        let (g, r) = (
            p["given"].as_u64().unwrap(),
            p["received"].as_u64().unwrap(),
        );
        if g > 0 && r > 0 && (g >= 3 * r || r >= 3 * g) {
            assert_ne!(p["reciprocity"], "balanced", "{}", p["slug"]);
        }
    }
}

#[test]
fn an_empty_book_says_how_to_add_a_first_partner() {
    let book = tempfile::tempdir().unwrap();
    fs::write(book.path().join("rapport.yaml"), "as_of: 2026-11-01\n").unwrap();
    fs::create_dir_all(book.path().join("partners")).unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    let index = read(out.path(), "index.html");
    for cmd in ["rapport new", "rapport import", "rapport log"] {
        assert!(index.contains(cmd), "{cmd} not on the dashboard");
    }
    assert!(!index.contains("Every relationship is active"));
}
