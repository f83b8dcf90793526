//! What a user checks on the built sample site: every stage says why, what
//! is overdue says by how many days wherever it appears, net-new counts by
//! partner, the calendar of what is due, and a first-run page without an
//! empty card.

#[path = "common/sample.rs"]
mod sample;

use std::fs;
use std::path::Path;

use icalendar::{CalendarComponent, Component, DatePerhapsTime};
use serde_json::Value;

use sample::{build_ok, built_sample, sample};

fn read(dir: &Path, page: &str) -> String {
    fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

fn partners(dir: &Path) -> Vec<Value> {
    let json: Value = serde_json::from_str(&read(dir, "data/partners.json")).unwrap();
    json.as_array().unwrap().clone()
}

/// Text as the templates write it into HTML.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2F;")
}

/// "due today", "1 day overdue", "12 days overdue".
fn overdue(days: i64) -> String {
    match days {
        0 => "due today".into(),
        1 => "1 day overdue".into(),
        d => format!("{d} days overdue"),
    }
}

#[test]
fn every_stage_carries_its_reason_and_the_criteria_the_next_stage_needs() {
    let dir = built_sample();
    let table = read(dir.path(), "partners/index.html");
    let report = read(dir.path(), "reports/readiness.html");
    for p in partners(dir.path()) {
        let slug = p["slug"].as_str().unwrap();
        let reason = html(p["readiness"]["reason"].as_str().unwrap());
        let page = read(dir.path(), &format!("partners/{slug}.html"));
        assert!(page.contains(&reason), "{slug}: no reason {reason}");
        assert!(table.contains(&reason), "{slug}: no reason in the table");
        assert!(report.contains(&reason), "{slug}: no reason in the report");
        // The stage leads; the criteria are its evidence, not a bare count.
        assert!(!page.contains(" of 6 criteria"), "{slug}");
        let stage = p["readiness"]["stage"].as_str().unwrap();
        if !["collaborating", "dormant", "not-a-fit"].contains(&stage) {
            assert!(page.contains("needed for "), "{slug}: no criterion marked");
        }
        assert_eq!(
            p["readiness"]["criteria"].as_object().unwrap().len(),
            6,
            "{slug}"
        );
    }
    // A partner held back says by what.
    let rafael = read(dir.path(), "partners/rafael-ortiz.html");
    assert!(
        rafael.contains("Next stage, Collaborating: needs net-new business created together ("),
        "rafael-ortiz"
    );
    // Roles are spelled out.
    assert!(table.contains("Expert service provider"));
    assert!(table.contains("Center of influence"));
}

#[test]
fn overdue_says_how_many_days_wherever_it_shows() {
    let dir = built_sample();
    let dashboard = read(dir.path(), "index.html");
    let table = read(dir.path(), "partners/index.html");
    let report = read(dir.path(), "reports/readiness.html");
    let mut seen = 0;
    for p in partners(dir.path()) {
        let slug = p["slug"].as_str().unwrap();
        let page = read(dir.path(), &format!("partners/{slug}.html"));
        let step = p["next_step"]["overdue_days"].as_i64();
        let contact = p["contact_overdue_days"].as_i64();
        for days in [step, contact].into_iter().flatten() {
            let words = overdue(days);
            assert!(page.contains(&words), "{slug}: {words} not on its page");
            assert!(
                dashboard.contains(&words),
                "{slug}: {words} not on the dashboard"
            );
            assert!(report.contains(&words), "{slug}: {words} not in the report");
            seen += 1;
        }
        // The table's due column shows the more overdue of the two.
        if let Some(most) = step.into_iter().chain(contact).max() {
            assert!(table.contains(&overdue(most)), "{slug}: not in the table");
        }
    }
    assert!(seen >= 5, "the sample book has overdue steps and contacts");
}

#[test]
fn net_new_counts_by_partner_and_direction() {
    let dir = built_sample();
    let table = read(dir.path(), "partners/index.html");
    let reciprocity = read(dir.path(), "reports/reciprocity.html");
    let dashboard = read(dir.path(), "index.html");
    assert!(table.contains(">Net-new received</th>"));
    assert!(table.contains(">Net-new given</th>"));
    assert!(reciprocity.contains(">Net-new received</th>"));
    assert!(reciprocity.contains("id=\"netnew-partners-chart-t\""));
    let all = partners(dir.path());
    let top = all
        .iter()
        .max_by_key(|p| {
            (
                p["net_new_received"].as_u64().unwrap(),
                std::cmp::Reverse(p["slug"].as_str().unwrap().to_string()),
            )
        })
        .unwrap();
    let n = top["net_new_received"].as_u64().unwrap();
    assert!(n > 0);
    let line = format!(
        "href=\"partners/{}.html\">{}</a> — {n} net-new of",
        top["slug"].as_str().unwrap(),
        top["name"].as_str().unwrap()
    );
    assert!(dashboard.contains(&line), "{line}");
    // Balance as people read it, and values in the book's currency. The
    // partner table has the two counts in columns of their own, and marks
    // a one-way street.
    assert!(reciprocity.contains("gave 5, received 0"));
    let priya = table
        .lines()
        .find(|l| l.contains("href=\"priya-raman.html\""))
        .expect("a row for priya-raman");
    assert!(priya.contains("<td>5<td>0<td>"), "{priya}");
    assert!(priya.contains(">one-way</span>"), "{priya}");
    let maya = read(dir.path(), "partners/maya-okafor.html");
    assert!(maya.contains("USD 4,100"), "values carry the currency");
}

#[test]
fn the_calendar_is_written_and_an_unchanged_book_rewrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    build_ok(&sample(), dir.path());
    let text = read(dir.path(), "data/calendar.ics");
    let cal: icalendar::Calendar = text.parse().expect("the calendar parses");
    let events: Vec<(String, chrono::NaiveDate, String)> = cal
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .map(|e| match e.get_start() {
            Some(DatePerhapsTime::Date(d)) => (
                e.get_uid().unwrap().to_string(),
                d,
                e.get_summary().unwrap().to_string(),
            ),
            other => panic!("not an all-day event: {other:?}"),
        })
        .collect();
    // v3: an overdue reminder is shown on as_of and says since when.
    let as_of = "2026-11-01";
    let shown = |due: &str| if due < as_of { as_of } else { due }.to_string();
    let mut expected = 0;
    for p in partners(dir.path()) {
        let slug = p["slug"].as_str().unwrap();
        let kinds = [
            ("next-step", p["next_step"]["date"].as_str()),
            ("contact", p["contact_due"].as_str()),
        ];
        for (kind, due) in kinds {
            let Some(date) = due else { continue };
            expected += 1;
            let on = events
                .iter()
                .find(|(uid, _, _)| uid.contains(kind) && uid.contains(slug))
                .unwrap_or_else(|| panic!("{slug}: no {kind} event"));
            assert_eq!(on.1.to_string(), shown(date), "{slug}");
            assert_eq!(
                on.2.contains(&format!("overdue since {date}")),
                date < as_of,
                "{slug}: {}",
                on.2
            );
        }
    }
    assert_eq!(events.len(), expected);
    // The dashboard links to it.
    assert!(read(dir.path(), "index.html").contains("href=\"data/calendar.ics\""));
    // A second build of the same book writes nothing.
    let before = fs::metadata(dir.path().join("data/calendar.ics"))
        .unwrap()
        .modified()
        .unwrap();
    let again = build_ok(&sample(), dir.path());
    let said = String::from_utf8_lossy(&again.stdout).to_string()
        + &String::from_utf8_lossy(&again.stderr);
    assert!(said.contains(" 0 files written"), "{said}");
    let after = fs::metadata(dir.path().join("data/calendar.ics"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
    assert_eq!(read(dir.path(), "data/calendar.ics"), text);
}

#[test]
fn a_partner_without_contact_details_shows_no_contact_card() {
    let book = tempfile::tempdir().unwrap();
    fs::create_dir_all(book.path().join("partners")).unwrap();
    fs::write(book.path().join("rapport.yaml"), "as_of: 2026-11-01\n").unwrap();
    fs::write(
        book.path().join("partners/new-partner.md"),
        "---\nname: New Partner\nrole: esp\n---\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    let page = read(out.path(), "partners/new-partner.html");
    assert!(!page.contains("id=\"contact-h\""), "an empty Contact card");
    let maya = {
        let dir = built_sample();
        read(dir.path(), "partners/maya-okafor.html")
    };
    assert!(maya.contains("id=\"contact-h\""));
}

/// A book of `n` notes (the text of each from `note`), as of 2026-11-01,
/// built; the folder of its site.
fn built_book_of(n: usize, note: impl Fn(usize) -> String) -> tempfile::TempDir {
    let book = tempfile::tempdir().unwrap();
    let notes = book.path().join("partners");
    fs::create_dir(&notes).unwrap();
    for i in 0..n {
        fs::write(notes.join(format!("partner-{i:02}.md")), note(i)).unwrap();
    }
    fs::write(book.path().join("rapport.yaml"), "as_of: 2026-11-01\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    out
}

#[test]
fn a_large_stage_shows_sixty_partners_on_the_readiness_report_and_links_the_rest() {
    // 70 partners with nothing recorded yet: all dormant.
    let out = built_book_of(70, |i| format!("---\nname: Partner {i:02}\n---\n"));
    let report = read(out.path(), "reports/readiness.html");
    assert_eq!(
        report
            .matches("<article class=\"card partner-card\"")
            .count(),
        60
    );
    assert!(report.contains("And 10 more at this stage"), "{report}");
    assert!(report.contains("href=\"../partners/index.html#stage=dormant\""));
    // The partner table still lists every one of them.
    let table = read(out.path(), "partners/index.html");
    assert_eq!(table.matches("href=\"partner-").count(), 70);
}

#[test]
fn a_large_book_keeps_the_dashboard_short_and_links_the_rest() {
    // 70 partners with nothing dated but an overdue next step: all stale,
    // each with two things due (the step, and getting in touch).
    let out = built_book_of(70, |i| {
        format!(
            "---\nname: Partner {i:02}\nnext_step:\n  date: 2026-10-{:02}\n  action: Call back\n---\n",
            1 + i % 28
        )
    });
    let dashboard = read(out.path(), "index.html");
    // This week: one row a partner, the 50 most overdue of the 70, then
    // the rest counted and linked to the partner table filtered to what is
    // overdue.
    assert_eq!(dashboard.matches("<tr class=\"overdue\"").count(), 50);
    assert!(dashboard.contains("31 days overdue"), "most overdue first");
    assert!(
        dashboard.contains(
            "And 20 more partners with something due: <a href=\"partners/index.html#overdue\">"
        ),
        "{dashboard}"
    );
    // Stale relationships: 20 named, the rest counted and linked.
    assert_eq!(dashboard.matches("— no dated activity</li>").count(), 20);
    assert!(
        dashboard.contains("And 50 more: <a href=\"partners/index.html#stage=dormant\">"),
        "{dashboard}"
    );
    // The partner table still lists every one of them.
    let table = read(out.path(), "partners/index.html");
    assert_eq!(table.matches("href=\"partner-").count(), 70);
}
