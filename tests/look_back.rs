//! Looking back and finding: `data/periods.json` and the periods on the
//! pages, checked against the referrals the site itself lists, and the
//! search index written with the site.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::fs;
use std::path::Path;

use sample::{build_ok, built_sample, sample};

/// One referral as `data/referrals.csv` lists it.
struct Line {
    slug: String,
    date: String,
    given: bool,
    net_new: bool,
    won: bool,
    value: f64,
}

fn referrals(site: &Path) -> Vec<Line> {
    let mut r = csv::Reader::from_path(site.join("data/referrals.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Line {
                slug: rec[0].to_string(),
                date: rec[2].to_string(),
                given: &rec[3] == "given",
                net_new: &rec[4] == "net-new",
                won: &rec[5] == "won",
                value: rec[6].parse().unwrap_or(0.0),
            }
        })
        .collect()
}

/// Checks one span of periods.json against the referrals dated in it.
fn check_span(span: &serde_json::Value, lines: &[Line], from: &str, to: &str) {
    assert_eq!(span["from"], from, "{span}");
    assert_eq!(span["to"], to, "{span}");
    let inside: Vec<&Line> = lines
        .iter()
        .filter(|l| from <= l.date.as_str() && l.date.as_str() <= to)
        .collect();
    let count = |f: &dyn Fn(&Line) -> bool| inside.iter().filter(|l| f(l)).count() as u64;
    let sum = |f: &dyn Fn(&Line) -> bool| -> f64 {
        inside.iter().filter(|l| f(l)).map(|l| l.value).sum()
    };
    assert_eq!(span["given"], count(&|l| l.given), "{from}..{to}");
    assert_eq!(span["received"], count(&|l| !l.given), "{from}..{to}");
    assert_eq!(span["net_new_given"], count(&|l| l.given && l.net_new));
    assert_eq!(span["net_new_received"], count(&|l| !l.given && l.net_new));
    assert_eq!(span["given_value"].as_f64().unwrap(), sum(&|l| l.given));
    assert_eq!(span["received_value"].as_f64().unwrap(), sum(&|l| !l.given));
    assert_eq!(
        span["received_won_value"].as_f64().unwrap(),
        sum(&|l| !l.given && l.won)
    );
}

fn periods(site: &Path) -> (String, serde_json::Value) {
    let text = fs::read_to_string(site.join("data/periods.json")).unwrap();
    let v = serde_json::from_str(&text).unwrap();
    (text, v)
}

#[test]
fn periods_json_of_the_sample_book_counts_every_partners_referrals_in_each_span() {
    let dir = built_sample();
    let site = dir.path();
    let (text, v) = periods(site);
    // The keys in the order of the format.
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("as_of") < at("quarter") && at("quarter") < at("year"));
    let keys: Vec<&str> = v["quarter"]["current"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys.len(), 9);
    assert!(text.find("\"from\"").unwrap() < text.find("\"received_won_value\"").unwrap());
    assert_eq!(v["as_of"], "2026-11-01");
    let lines = referrals(site);
    assert!(lines.iter().any(|l| l.date.as_str() >= "2026-01-01"));
    check_span(&v["quarter"]["current"], &lines, "2026-10-01", "2026-11-01");
    check_span(
        &v["quarter"]["previous"],
        &lines,
        "2026-07-01",
        "2026-08-01",
    );
    check_span(&v["year"]["current"], &lines, "2026-01-01", "2026-11-01");
    check_span(&v["year"]["previous"], &lines, "2025-01-01", "2025-11-01");
    // The year is not empty, so the comparison says something.
    assert!(v["year"]["current"]["received"].as_u64().unwrap() > 0);

    // The dashboard and the reciprocity report show the comparison with
    // its dates, partial periods said to be partial.
    for page in ["index.html", "reports/reciprocity.html"] {
        let html = fs::read_to_string(site.join(page)).unwrap();
        assert!(html.contains("Looking back"), "{page}");
        assert!(html.contains("2026-01-01 to 2026-11-01 (partial"), "{page}");
        assert!(html.contains("against 2025-01-01 to 2025-11-01"), "{page}");
        let g = |k: &str| {
            v["year"]["current"][k].as_i64().unwrap() - v["year"]["previous"][k].as_i64().unwrap()
        };
        let shown = match g("received") {
            0 => "0".to_string(),
            n if n > 0 => format!("+{n}"),
            n => format!("\u{2212}{}", -n),
        };
        assert!(html.contains(&format!(">{shown}</td>")), "{page}: {shown}");
    }
    // Each partner page compares that partner alone.
    let slug = &lines
        .iter()
        .find(|l| l.date.as_str() >= "2026-01-01")
        .unwrap()
        .slug;
    let html = fs::read_to_string(site.join(format!("partners/{slug}.html"))).unwrap();
    let mine = lines
        .iter()
        .filter(|l| {
            &l.slug == slug && l.date.as_str() >= "2026-01-01" && l.date.as_str() <= "2026-11-01"
        })
        .count();
    let table = &html[html.find("<strong>Year so far</strong>").unwrap()..];
    let row = &table[table.find("Given</th>").unwrap()..];
    let given = lines
        .iter()
        .filter(|l| {
            &l.slug == slug
                && l.given
                && l.date.as_str() >= "2026-01-01"
                && l.date.as_str() <= "2026-11-01"
        })
        .count();
    assert!(mine > 0);
    assert!(
        row.starts_with(&format!("Given</th><td class=\"num\">{given}</td>")),
        "{}",
        &row[..80]
    );
}

#[test]
fn a_fiscal_year_starting_in_july_moves_the_year_and_its_quarters() {
    let book = tempfile::tempdir().unwrap();
    files::copy_dir(&sample(), book.path());
    let _ = fs::remove_dir_all(book.path().join("public"));
    let settings = book.path().join("rapport.yaml");
    let mut text = fs::read_to_string(&settings).unwrap();
    text.push_str("fiscal_year_start: 7\n");
    fs::write(&settings, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    build_ok(book.path(), out.path());
    let (_, v) = periods(out.path());
    let lines = referrals(out.path());
    check_span(&v["quarter"]["current"], &lines, "2026-10-01", "2026-11-01");
    check_span(
        &v["quarter"]["previous"],
        &lines,
        "2026-07-01",
        "2026-08-01",
    );
    check_span(&v["year"]["current"], &lines, "2026-07-01", "2026-11-01");
    check_span(&v["year"]["previous"], &lines, "2025-07-01", "2025-11-01");
    let html = fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("2026-07-01 to 2026-11-01 (partial"));

    // A month that is not one is refused where it is written.
    let mut text = fs::read_to_string(&settings).unwrap();
    text = text.replace("fiscal_year_start: 7", "fiscal_year_start: 13");
    fs::write(&settings, text).unwrap();
    let failed = sample::build(book.path(), out.path());
    assert_eq!(failed.status.code(), Some(1));
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(
        err.contains("rapport.yaml") && err.contains("1 to 12"),
        "{err}"
    );
}
