//! The built sample site in headless Chromium, opened from disk: no console
//! errors, charts drawn and visible, the partners table sorts and filters,
//! the readiness report prints without navigation. Screenshots go to
//! `target/screenshots/` for review.

mod common;
#[path = "common/sample.rs"]
mod sample;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cdp::Browser;
use serde_json::{json, Value};

use sample::built_sample;

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

    // Partners table: sorted by name, then by criteria met when its header
    // is clicked: largest first on the first click (v2), then reversed.
    b.open(&url(site.path(), "partners/index.html"));
    assert!(b.errors.is_empty(), "partners: {:?}", b.errors);
    let names = column(&mut b, 0);
    assert_eq!(names.len(), 16);
    let scores = |b: &mut Browser| -> Vec<u32> {
        column(b, 4)
            .iter()
            .map(|s| s.trim_end_matches(" of 6").parse().unwrap())
            .collect()
    };
    let before = scores(&mut b);
    click_header(&mut b, "Criteria");
    let down = scores(&mut b);
    assert!(
        down.windows(2).all(|w| w[0] >= w[1]),
        "descending: {down:?}"
    );
    assert_ne!(down, before, "sorting by criteria changed nothing");
    let mut sorted = before.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(down, sorted, "same rows, new order");
    click_header(&mut b, "Criteria");
    let up = scores(&mut b);
    assert!(up.windows(2).all(|w| w[0] <= w[1]), "ascending: {up:?}");
    assert_eq!(
        b.eval(
            "document.querySelector('#partners thead th:nth-child(5)').getAttribute('aria-sort')"
        ),
        json!("ascending")
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
    assert_eq!(visible_charts(&mut b), 5, "reciprocity charts");
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

const PAGES: [(&str, &str); 5] = [
    ("index.html", "dashboard"),
    ("partners/index.html", "partners"),
    ("partners/maya-okafor.html", "partner"),
    ("reports/reciprocity.html", "reciprocity"),
    ("reports/readiness.html", "readiness"),
];

fn viewport(b: &mut Browser, width: u32, height: u32) {
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
    );
}

/// The table `id` does not scroll in its box (the element the script
/// `scroll_box` gives), and its last column, called `last`, ends within
/// the window's `inner` width.
fn assert_table_fits(b: &mut Browser, id: &str, scroll_box: &str, last: &str, inner: f64) {
    let table = b
        .eval(&format!("document.getElementById('{id}').scrollWidth"))
        .as_f64()
        .unwrap();
    let width = b
        .eval(&format!("{scroll_box}.clientWidth"))
        .as_f64()
        .unwrap();
    assert!(table <= width, "the table is {table} px in {width} px");
    let right = b
        .eval(&format!(
            "Math.max.apply(null, Array.from(document.querySelectorAll('#{id} tr')).map(function (r) {{
                return r.cells[r.cells.length - 1].getBoundingClientRect().right; }}))"
        ))
        .as_f64()
        .unwrap();
    assert!(right <= inner, "{last} ends at {right} px of {inner}");
}

/// The smallest chart text on the page, in CSS pixels as drawn: the font
/// size times the scale at which the chart is shown.
fn smallest_chart_text(b: &mut Browser) -> f64 {
    b.eval(
        "(function () { var least = 1000;
            document.querySelectorAll('svg.chart').forEach(function (s) {
                var scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
                s.querySelectorAll('text').forEach(function (t) {
                    if (!t.textContent.trim()) { return; }
                    least = Math.min(least, parseFloat(getComputedStyle(t).fontSize) * scale);
                });
            });
            return least; })()",
    )
    .as_f64()
    .unwrap()
}

#[test]
fn every_page_fits_a_phone_and_a_desktop() {
    let site = built_sample();
    let dir = shots();
    let mut b = Browser::launch();
    for (width, height) in [(1400, 900), (390, 844)] {
        viewport(&mut b, width, height);
        for (page, name) in PAGES {
            b.open(&url(site.path(), page));
            assert!(b.errors.is_empty(), "{page}: {:?}", b.errors);
            // No page scrolls sideways: wide tables and charts scroll in
            // their own box.
            let (scroll, inner) = (
                b.eval("document.documentElement.scrollWidth")
                    .as_f64()
                    .unwrap(),
                b.eval("innerWidth").as_f64().unwrap(),
            );
            assert!(scroll <= inner, "{page} at {width} px is {scroll} px wide");
            if name == "partners" {
                // The partner table fits: it does not scroll in its box,
                // and every column, the last (Due) too, is on screen.
                let scroll_box = "document.querySelector('.table-scroll')";
                assert_table_fits(&mut b, "partners", scroll_box, "Due", inner);
            }
            if name == "reciprocity" && width == 1400 {
                // On a desktop every column of the reciprocity table, the
                // last (Reciprocity) too, is in view without scrolling its
                // box; on a phone the box scrolls.
                let scroll_box = "document.querySelector('#reciprocity').parentElement";
                assert_table_fits(&mut b, "reciprocity", scroll_box, "Reciprocity", inner);
            }
            let least = smallest_chart_text(&mut b);
            assert!(
                least >= 11.0,
                "{page} at {width} px: chart text of {least} px"
            );
            // The whole page in the viewport for its picture: rows of the
            // partner table are drawn when on screen (content-visibility).
            let tall = b
                .eval("document.documentElement.scrollHeight")
                .as_u64()
                .unwrap();
            viewport(&mut b, width, tall as u32);
            b.screenshot(&dir.join(format!("{name}-{width}.png")));
            viewport(&mut b, width, height);
        }
    }
}

#[test]
fn the_dashboard_answers_its_questions_without_scrolling() {
    let site = built_sample();
    let mut b = Browser::launch();
    viewport(&mut b, 1400, 900);
    b.open(&url(site.path(), "index.html"));
    // This week comes first after the totals (FORMAT v3): its heading and
    // its most urgent row are inside the first screen; each question's
    // card follows it, its heading and first answer within one screen of
    // where This week ends (This week is as long as the week's work).
    let week_first = b.eval(
        "document.querySelector('.tiles').closest('section').nextElementSibling.querySelector('h2').id",
    );
    assert_eq!(week_first, json!("week-h"));
    let week_end = b
        .eval("document.getElementById('week-h').closest('section').getBoundingClientRect().bottom")
        .as_f64()
        .unwrap();
    for (id, screen) in [
        ("week-h", 900.0),
        ("oneway-h", week_end + 900.0),
        ("ready-h", week_end + 900.0),
        ("givers-h", week_end + 900.0),
    ] {
        let bottom = b.eval(&format!(
            "(function () {{ var h = document.getElementById('{id}');
                var first = h.nextElementSibling;
                while (first && first.tagName === 'P' && first.classList.contains('small')) {{ first = first.nextElementSibling; }}
                var li = first.querySelector('tbody tr, li');
                return (li || first).getBoundingClientRect().bottom; }})()"
        ));
        let bottom = bottom.as_f64().unwrap();
        assert!(
            bottom <= screen,
            "{id} answers below {screen} px ({bottom} px)"
        );
    }
    // Empty cards keep their own height: no card is stretched to match a
    // neighbour by more than its content.
    let stretched = b.eval(
        "Array.from(document.querySelectorAll('.questions .card, .grid .card')).filter(function (c) {
            var last = c.lastElementChild.getBoundingClientRect().bottom;
            return c.getBoundingClientRect().bottom - last > 40;
        }).map(function (c) { return c.querySelector('h2').textContent; })",
    );
    assert_eq!(stretched, json!([]), "stretched cards");
    // Number tiles link to their lists.
    let tiles = b.eval("Array.from(document.querySelectorAll('.tiles > div')).filter(function (d) { return d.querySelector('dd a[href]'); }).length");
    assert_eq!(
        tiles,
        b.eval("document.querySelectorAll('.tiles > div').length")
    );
}

#[test]
fn the_partner_table_filters_and_sorts_largest_first() {
    let site = built_sample();
    let mut b = Browser::launch();
    b.open(&url(site.path(), "partners/index.html"));
    let all = column(&mut b, 0).len();
    // One-way streets only.
    b.eval("(function () { var c = document.getElementById('f-oneway'); c.checked = true; c.dispatchEvent(new Event('change')); })()");
    let balances = column(&mut b, 9);
    assert!(
        !balances.is_empty() && balances.iter().all(|s| s.ends_with("one-way")),
        "{balances:?}"
    );
    let n = column(&mut b, 0).len();
    assert!(n > 0 && n < all, "{n} of {all}");
    b.eval("(function () { var c = document.getElementById('f-oneway'); c.checked = false; c.dispatchEvent(new Event('change')); })()");
    // Overdue only: every row left says so in its due column.
    b.eval("(function () { var c = document.getElementById('f-overdue'); c.checked = true; c.dispatchEvent(new Event('change')); })()");
    let due = column(&mut b, 10);
    assert!(!due.is_empty() && due.len() < all, "{due:?}");
    assert!(
        due.iter()
            .all(|d| d.contains("overdue") || d.contains("today")),
        "{due:?}"
    );
    b.eval("(function () { var c = document.getElementById('f-overdue'); c.checked = false; c.dispatchEvent(new Event('change')); })()");
    // A stage from the select.
    b.eval("(function () { var s = document.getElementById('f-stage'); s.value = 'collaborating'; s.dispatchEvent(new Event('change')); })()");
    let stages = column(&mut b, 3);
    assert!(
        !stages.is_empty() && stages.iter().all(|s| s.starts_with("Collaborating")),
        "{stages:?}"
    );
    b.eval("(function () { var s = document.getElementById('f-stage'); s.value = ''; s.dispatchEvent(new Event('change')); })()");
    // A link can ask for a filter.
    b.open(&url(site.path(), "index.html"));
    b.open(&format!(
        "{}#one-way",
        url(site.path(), "partners/index.html")
    ));
    assert_eq!(column(&mut b, 0).len(), n);
    // Net-new received: largest first on the first click.
    b.open(&url(site.path(), "partners/index.html"));
    click_header(&mut b, "Net-new received");
    let nn: Vec<u32> = column(&mut b, 7)
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(nn.windows(2).all(|w| w[0] >= w[1]), "{nn:?}");
    assert!(nn[0] > 0);
}

#[test]
fn the_reciprocity_table_sorts_and_the_scatter_names_are_clear() {
    let site = built_sample();
    let mut b = Browser::launch();
    b.open(&url(site.path(), "reports/reciprocity.html"));
    // Sorted by balance as it comes.
    let balances: Vec<f64> = b
        .eval("Array.from(document.querySelectorAll('#reciprocity tbody tr')).map(function (r) { return parseFloat(r.cells[7].getAttribute('data-sort')); })")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(balances.windows(2).all(|w| w[0] <= w[1]), "{balances:?}");
    // The table sorts: Given, largest first.
    b.eval("(function () { var bs = document.querySelectorAll('#reciprocity thead th button'); bs[1].click(); })()");
    let given: Vec<u32> = b
        .eval("Array.from(document.querySelectorAll('#reciprocity tbody tr')).map(function (r) { return r.cells[1].textContent.trim(); })")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().parse().unwrap())
        .collect();
    assert!(given.windows(2).all(|w| w[0] >= w[1]), "{given:?}");
    // The scatter: no two names overlap, and every one-way partner is named.
    let boxes = b.eval(
        "Array.from(document.querySelectorAll('#scatter-chart text, svg[aria-labelledby^=\"scatter-chart\"] text')).map(function (t) {
            var r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; })",
    );
    let boxes: Vec<(String, f64, f64, f64, f64)> = boxes
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v[0].as_str().unwrap().to_string(),
                v[1].as_f64().unwrap(),
                v[2].as_f64().unwrap(),
                v[3].as_f64().unwrap(),
                v[4].as_f64().unwrap(),
            )
        })
        .collect();
    let names: Vec<&(String, f64, f64, f64, f64)> = boxes
        .iter()
        .filter(|b| b.0.chars().any(char::is_alphabetic) && !b.0.contains("Referrals"))
        .collect();
    for (i, a) in names.iter().enumerate() {
        for c in &names[i + 1..] {
            let apart =
                a.3 <= c.1 + 1.0 || c.3 <= a.1 + 1.0 || a.4 <= c.2 + 1.0 || c.4 <= a.2 + 1.0;
            assert!(apart, "{} overlaps {}", a.0, c.0);
        }
    }
    let json: Value =
        serde_json::from_slice(&std::fs::read(site.path().join("data/partners.json")).unwrap())
            .unwrap();
    let text: String = names
        .iter()
        .map(|b| b.0.as_str())
        .collect::<Vec<_>>()
        .join(" | ");
    for p in json.as_array().unwrap() {
        if p["one_way"] == json!(true) {
            let name = p["name"].as_str().unwrap();
            assert!(text.contains(name), "one-way {name} not named: {text}");
        }
    }
}

#[test]
fn the_readiness_report_prints_compactly() {
    let site = built_sample();
    let dir = shots();
    let mut b = Browser::launch();
    b.open(&url(site.path(), "reports/readiness.html"));
    let r = b.call(
        "Page.printToPDF",
        json!({"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": true, "preferCSSPageSize": true}),
    );
    use base64::Engine as _;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(r["data"].as_str().unwrap())
        .unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("readiness.pdf"), &pdf).unwrap();
    // Pages of the PDF: one "/Type /Page" object each.
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page>").count()
        + text.matches("/Type /Page/").count()
        + text.matches("/Type /Page ").count();
    assert!(pages >= 1);
    // 16 partners: far fewer pages than one for each.
    assert!(pages <= 8, "{pages} pages");
}

#[test]
fn this_week_starts_with_the_most_urgent_row_and_drafts_each_invitation() {
    let site = built_sample();
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(site.path().join("data/partners.json")).unwrap(),
    )
    .unwrap();
    let partners = json.as_array().unwrap();
    // The most days overdue, of a next step or a contact.
    let most = partners
        .iter()
        .filter_map(|p| {
            [
                p["next_step"]["overdue_days"].as_i64(),
                p["contact_overdue_days"].as_i64(),
            ]
            .into_iter()
            .flatten()
            .max()
            .map(|d| (d, p["name"].as_str().unwrap().to_string()))
        })
        .max()
        .unwrap();
    let ready: Vec<&str> = partners
        .iter()
        .filter(|p| p["readiness"]["stage"] == "ready-for-discovery")
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    let mut b = Browser::launch();
    viewport(&mut b, 1400, 1000);
    b.open(&url(site.path(), "index.html"));
    assert!(b.errors.is_empty(), "dashboard: {:?}", b.errors);
    let first = b.eval(
        "(function () { var r = document.querySelector('#week-h ~ div table tbody tr');
            return [r.querySelector('th a').textContent, r.querySelector('.badge').textContent,
                    r.getBoundingClientRect().top]; })()",
    );
    assert_eq!(first[0], json!(most.1), "the most urgent row first");
    assert_eq!(first[1], json!(format!("{} days overdue", most.0)));
    assert!(first[2].as_f64().unwrap() < 1000.0, "in the first screen");
    // The tile counts the rows.
    let counts = b.eval(
        "[document.querySelectorAll('#week-h ~ div table tbody tr').length,
          parseInt(document.querySelector('.tiles a[href=\\'#week-h\\']').parentNode.nextElementSibling.textContent, 10)]",
    );
    assert_eq!(counts[0], counts[1], "tile and rows");
    // An invitation draft for each ready partner, with a mailto link, the
    // text to copy and a copy button the script shows.
    for slug in &ready {
        let draft = b.eval(&format!(
            "(function () {{ var d = document.getElementById('invite-{slug}'); if (!d) {{ return null; }}
                d.open = true;
                var a = d.querySelector('a.mailto'), t = d.querySelector('textarea'), c = d.querySelector('button.copy');
                return [a.getAttribute('href').indexOf('mailto:') === 0, t.value.indexOf('open to a conversation') >= 0,
                        !c.hidden, t.getBoundingClientRect().height > 50]; }})()"
        ));
        assert_eq!(draft, json!([true, true, true, true]), "{slug}");
    }
    let dir = shots();
    std::fs::create_dir_all(&dir).unwrap();
    b.screenshot(&dir.join("dashboard-this-week-1400.png"));
}
