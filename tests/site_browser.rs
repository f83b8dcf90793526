//! The built sample site in headless Chromium, opened from disk: no console
//! errors, charts drawn and visible, the partners table sorts and filters,
//! the readiness report prints without navigation. Screenshots go to
//! `target/screenshots/` for review.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::cdp::Browser;
use serde_json::{json, Value};

fn built_sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("build")
        .arg(&book)
        .arg("-o")
        .arg(dir.path())
        .output()
        .expect("rapport runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn shots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

fn url(site: &Path, page: &str) -> String {
    format!("file://{}/{page}", site.display())
}

/// Charts on the page with a non-empty box, visible.
fn visible_charts(b: &mut Browser) -> u64 {
    b.eval(
        "Array.from(document.querySelectorAll('svg.chart')).filter(function (s) {
            var r = s.getBoundingClientRect();
            var st = getComputedStyle(s);
            return r.width > 100 && r.height > 50 && st.visibility !== 'hidden' && st.display !== 'none'
                && s.querySelector('title') && s.querySelector('desc') && s.querySelectorAll('rect, circle').length > 3;
        }).length",
    )
    .as_u64()
    .unwrap()
}

fn column(b: &mut Browser, i: usize) -> Vec<String> {
    let v = b.eval(&format!(
        "Array.from(document.querySelectorAll('#partners tbody tr')).filter(function (r) {{ return !r.hidden; }})
            .map(function (r) {{ return r.cells[{i}].textContent.trim(); }})"
    ));
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn click_header(b: &mut Browser, label: &str) {
    let clicked = b.eval(&format!(
        "(function () {{ var bs = document.querySelectorAll('#partners thead th button');
            for (var i = 0; i < bs.length; i++) {{ if (bs[i].textContent.trim() === '{label}') {{ bs[i].click(); return true; }} }}
            return false; }})()"
    ));
    assert_eq!(clicked, json!(true), "no header button {label}");
}

#[test]
fn the_site_works_in_a_browser_from_disk() {
    let site = built_sample();
    let dir = shots();
    let mut b = Browser::launch();

    // Dashboard.
    b.open(&url(site.path(), "index.html"));
    assert!(b.errors.is_empty(), "dashboard: {:?}", b.errors);
    assert_eq!(visible_charts(&mut b), 2, "dashboard charts");
    let css_applied = b.eval("getComputedStyle(document.querySelector('.card')).borderRadius");
    assert_eq!(css_applied, json!("12px"), "the stylesheet did not load");
    b.screenshot(&dir.join("dashboard.png"));

    // Partners table: sorted by name, then by score when its header is clicked.
    b.open(&url(site.path(), "partners/index.html"));
    assert!(b.errors.is_empty(), "partners: {:?}", b.errors);
    let names = column(&mut b, 0);
    assert_eq!(names.len(), 16);
    let scores =
        |b: &mut Browser| -> Vec<u32> { column(b, 4).iter().map(|s| s.parse().unwrap()).collect() };
    let before = scores(&mut b);
    click_header(&mut b, "Score");
    let up = scores(&mut b);
    assert!(up.windows(2).all(|w| w[0] <= w[1]), "ascending: {up:?}");
    assert_ne!(up, before, "sorting by score changed nothing");
    let mut sorted = before.clone();
    sorted.sort_unstable();
    assert_eq!(up, sorted, "same rows, new order");
    click_header(&mut b, "Score");
    let down = scores(&mut b);
    assert!(
        down.windows(2).all(|w| w[0] >= w[1]),
        "descending: {down:?}"
    );
    assert_eq!(
        b.eval(
            "document.querySelector('#partners thead th:nth-child(5)').getAttribute('aria-sort')"
        ),
        json!("descending")
    );
    click_header(&mut b, "Name");
    let by_name = column(&mut b, 0);
    let mut expected = names.clone();
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(by_name, expected);
    // The filter box keeps matching rows only.
    b.eval("(function () { var f = document.getElementById('filter'); f.value = 'attorney'; f.dispatchEvent(new Event('input')); })()");
    let left = column(&mut b, 1);
    assert!(!left.is_empty() && left.len() < 16, "{left:?}");
    assert!(
        left.iter().all(|p| p.to_lowercase().contains("attorney")),
        "{left:?}"
    );
    b.eval("(function () { var f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()");
    b.screenshot(&dir.join("partners.png"));

    // A partner page.
    b.open(&url(site.path(), "partners/maya-okafor.html"));
    assert!(b.errors.is_empty(), "partner: {:?}", b.errors);
    assert_eq!(visible_charts(&mut b), 1, "partner chart");
    let criteria = b.eval("document.querySelectorAll('.criteria li').length");
    assert_eq!(criteria, json!(6));
    b.screenshot(&dir.join("partner.png"));

    // The reports.
    b.open(&url(site.path(), "reports/reciprocity.html"));
    assert!(b.errors.is_empty(), "reciprocity: {:?}", b.errors);
    assert_eq!(visible_charts(&mut b), 4, "reciprocity charts");
    b.screenshot(&dir.join("reciprocity.png"));

    b.open(&url(site.path(), "reports/readiness.html"));
    assert!(b.errors.is_empty(), "readiness: {:?}", b.errors);
    assert_eq!(visible_charts(&mut b), 1, "readiness chart");
    b.screenshot(&dir.join("readiness.png"));
    // On paper: no navigation chrome.
    b.call("Emulation.setEmulatedMedia", json!({"media": "print"}));
    let header: Value = b.eval("getComputedStyle(document.querySelector('.site-header')).display");
    assert_eq!(header, json!("none"));
    b.screenshot(&dir.join("readiness-print.png"));

    // Dark mode.
    b.call(
        "Emulation.setEmulatedMedia",
        json!({"media": "screen", "features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
    );
    b.open(&url(site.path(), "index.html"));
    let bg = b.eval("getComputedStyle(document.body).backgroundColor");
    assert_ne!(bg, json!("rgb(246, 247, 249)"), "dark mode not applied");
    b.screenshot(&dir.join("dashboard-dark.png"));
    assert!(
        b.wait(Duration::from_millis(200), |b| b.errors.is_empty()),
        "{:?}",
        b.errors
    );
}
