//! The built sample site on a phone (390 × 844) and on a wide screen
//! (1400 px), in headless Chromium: no page scrolls or is cut off
//! sideways, every chart fits its box and its text renders at 11 CSS px
//! or more, the reciprocity table keeps the partner and the one-way column
//! in view, and the wide layout keeps its charts at their drawn size.
//! Screenshots go to `target/screenshots/phone-*.png` and `wide-*.png`.

mod common;
#[path = "common/sample.rs"]
mod sample;

use std::path::{Path, PathBuf};

use common::cdp::Browser;
use serde_json::{json, Value};

use sample::built_sample;

fn shots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

/// The pages a reader opens: every book-wide page and two partner pages
/// (one with a long note and a one-way flow).
const PAGES: &[&str] = &[
    "index.html",
    "partners/index.html",
    "partners/beatrice-nolan.html",
    "partners/daniel-whitcombe.html",
    "reports/reciprocity.html",
    "reports/readiness.html",
];

fn viewport(b: &mut Browser, width: u32, height: u32, mobile: bool) {
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
    );
}

/// What overflows the page sideways: the page's scroll width against the
/// window's, and every element whose box reaches past the right edge
/// (not inside a box that scrolls or clips it).
fn overflow(b: &mut Browser) -> Value {
    b.eval(
        "(function () {
            var w = window.innerWidth, out = [];
            function clipped(el) {
                for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                    var o = getComputedStyle(p).overflowX;
                    if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
                }
                return false;
            }
            document.querySelectorAll('body *').forEach(function (el) {
                var r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) return;
                var st = getComputedStyle(el);
                if (st.visibility === 'hidden' || st.position === 'absolute' && r.right < 0) return;
                if ((r.right > w + 0.5 || r.left < -0.5) && !clipped(el)) {
                    out.push(el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
                }
            });
            return {scroll: document.documentElement.scrollWidth, inner: w, out: out.slice(0, 8)};
        })()",
    )
}

/// Every chart's text: how many texts, the smallest rendered size in CSS
/// pixels (font size times the chart's scale), and every chart's width
/// against its box and against the width it was drawn at.
fn chart_text(b: &mut Browser) -> Value {
    b.eval(
        "(function () {
            var min = 1e9, n = 0, small = [], charts = [];
            document.querySelectorAll('svg.chart').forEach(function (svg) {
                var r = svg.getBoundingClientRect();
                var box = svg.parentElement.getBoundingClientRect();
                charts.push({id: svg.getAttribute('aria-labelledby'), width: r.width,
                    drawn: parseFloat(svg.getAttribute('width')), box: box.width,
                    right: r.right});
                svg.querySelectorAll('text').forEach(function (t) {
                    if (!t.textContent.trim()) return;
                    var m = t.getScreenCTM();
                    var size = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(m.a * m.a + m.b * m.b);
                    n += 1;
                    if (size < min) min = size;
                    if (size < 11) small.push(t.textContent.trim() + ' ' + size.toFixed(2));
                });
            });
            return {texts: n, min: n ? min : null, small: small.slice(0, 8), charts: charts};
        })()",
    )
}

fn check_page(b: &mut Browser, page: &str, width: u32) -> Value {
    let o = overflow(b);
    assert!(
        o["scroll"].as_f64().unwrap() <= o["inner"].as_f64().unwrap(),
        "{page} at {width} px scrolls sideways: {o}"
    );
    assert_eq!(o["out"], json!([]), "{page} at {width} px: cut off: {o}");
    let c = chart_text(b);
    if c["texts"].as_u64().unwrap() > 0 {
        let min = c["min"].as_f64().unwrap();
        assert!(
            min >= 11.0,
            "{page} at {width} px: chart text below 11 px: {c}"
        );
    }
    for chart in c["charts"].as_array().unwrap() {
        let (w, drawn, boxw) = (
            chart["width"].as_f64().unwrap(),
            chart["drawn"].as_f64().unwrap(),
            chart["box"].as_f64().unwrap(),
        );
        assert!(
            w <= boxw + 0.5,
            "{page}: a chart wider than its box: {chart}"
        );
        assert!(
            w <= drawn + 0.5,
            "{page}: a chart above its drawn size: {chart}"
        );
        assert!(w > 200.0, "{page}: a chart squeezed: {chart}");
        if width >= 1400 {
            assert!(
                (w - drawn).abs() < 0.5,
                "{page}: on a wide screen a chart keeps its drawn size: {chart}"
            );
        }
    }
    c
}

fn url(site: &Path, page: &str) -> String {
    format!("file://{}/{page}", site.display())
}

#[test]
fn every_page_fits_a_phone_and_a_wide_screen() {
    let site = built_sample();
    let dir = shots();
    let mut b = Browser::launch();
    let mut texts = 0;
    for (width, height, mobile, prefix) in [(390, 844, true, "phone"), (1400, 1000, false, "wide")]
    {
        viewport(&mut b, width, height, mobile);
        for page in PAGES {
            b.open(&url(site.path(), page));
            assert!(b.errors.is_empty(), "{page}: {:?}", b.errors);
            let c = check_page(&mut b, page, width);
            texts += c["texts"].as_u64().unwrap();
            let name = page.replace('/', "-").replace(".html", "");
            b.screenshot(&dir.join(format!("{prefix}-{name}.png")));
        }
    }
    assert!(texts > 100, "the charts were measured: {texts} texts");
}

#[test]
fn the_reciprocity_table_keeps_partner_and_one_way_in_view_on_a_phone() {
    let site = built_sample();
    let mut b = Browser::launch();
    viewport(&mut b, 390, 844, true);
    b.open(&url(site.path(), "reports/reciprocity.html"));
    let cells = b.eval(
        "(function () {
            var w = window.innerWidth, rows = [];
            document.querySelectorAll('#reciprocity tbody tr').forEach(function (tr) {
                [0, 8].forEach(function (i) {
                    var td = tr.cells[i], r = td.getBoundingClientRect();
                    var st = getComputedStyle(td);
                    rows.push({i: i, text: td.textContent.trim(), left: r.left, right: r.right,
                        width: r.width, shown: st.display !== 'none' && st.visibility !== 'hidden'});
                });
            });
            return rows;
        })()",
    );
    let cells = cells.as_array().unwrap();
    assert_eq!(cells.len(), 32, "16 partners, two cells each");
    for c in cells {
        assert!(c["shown"] == json!(true), "{c}");
        assert!(c["width"].as_f64().unwrap() > 20.0, "{c}");
        assert!(
            c["left"].as_f64().unwrap() >= 0.0 && c["right"].as_f64().unwrap() <= 390.0,
            "a key cell out of view: {c}"
        );
    }
    let one_way: Vec<&str> = cells
        .iter()
        .filter(|c| c["i"] == json!(8))
        .map(|c| c["text"].as_str().unwrap())
        .filter(|t| t.starts_with("One-way"))
        .collect();
    assert!(
        one_way.len() >= 2,
        "the one-way streets are named: {cells:?}"
    );
}

#[test]
fn the_current_quarter_is_marked_so_far_and_one_referral_is_one_step() {
    let site = built_sample();
    let mut b = Browser::launch();
    b.open(&url(site.path(), "index.html"));
    // The sample's as_of, 2026-11-01, is inside 2026 Q4.
    let labels = b.eval(
        "Array.from(document.querySelectorAll('#main svg.chart')).filter(function (s) {
            return s.getAttribute('aria-labelledby').indexOf('flow-chart') === 0; })
          .map(function (s) { return Array.from(s.querySelectorAll('text')).map(function (t) { return t.textContent.trim(); }); })",
    );
    let labels = labels[0].as_array().unwrap();
    let at = labels.iter().position(|t| t == "Q4 ’26").expect("Q4 ’26");
    assert_eq!(labels[at + 1], json!("so far"), "{labels:?}");
    assert_eq!(
        labels.iter().filter(|t| *t == "so far").count(),
        1,
        "{labels:?}"
    );
    // A partner page's chart: whole-number ticks, and one referral is a
    // quarter of the height at most.
    b.open(&url(site.path(), "partners/beatrice-nolan.html"));
    let ticks = b.eval(
        "(function () { var s = document.querySelector('svg.chart');
            var out = [];
            s.querySelectorAll('text').forEach(function (t) {
                if (/^[0-9]+$/.test(t.textContent.trim()) && t.getAttribute('text-anchor') === 'end')
                    out.push(parseInt(t.textContent, 10));
            });
            // The bars, not the legend's square (the size of a line of text).
            var bars = Array.from(s.querySelectorAll('rect[fill=\"#D96A00\"]')).map(function (r) { return parseFloat(r.getAttribute('height')); })
                .filter(function (h) { return h > 16; });
            var soFar = Array.from(s.querySelectorAll('text')).filter(function (t) { return t.textContent.trim() === 'so far'; }).length;
            return {ticks: out, bars: bars, so_far: soFar};
        })()",
    );
    assert_eq!(
        ticks["so_far"],
        json!(1),
        "the partner's current quarter: {ticks}"
    );
    let nums: Vec<i64> = ticks["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert!(nums.len() >= 3, "{ticks}");
    assert!(
        *nums.iter().max().unwrap() >= 4,
        "a top of at least 4: {ticks}"
    );
    let bars: Vec<f64> = ticks["bars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(bars.len(), 3, "three quarters with one received: {ticks}");
    assert!(
        bars.windows(2).all(|w| (w[0] - w[1]).abs() < 1.0),
        "one referral is one step: {ticks}"
    );
}

/// The text of each page of a PDF, by `pdftotext` (poppler-utils); `None`
/// when it is not installed.
fn pdf_pages(pdf: &Path) -> Option<Vec<String>> {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(
        text.split('\u{c}')
            .map(str::to_string)
            .filter(|p| !p.trim().is_empty())
            .collect(),
    )
}

#[test]
fn the_readiness_report_prints_on_letter_and_a4_without_splitting_a_card() {
    let site = built_sample();
    let dir = shots();
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = Browser::launch();
    b.open(&url(site.path(), "reports/readiness.html"));
    let cards = b
        .eval("document.querySelectorAll('.partner-card').length")
        .as_u64()
        .unwrap() as usize;
    assert_eq!(cards, 16);
    // Letter and A4, in inches, with the stylesheet's own margins.
    for (name, w, h) in [("letter", 8.5, 11.0), ("a4", 8.27, 11.69)] {
        let r = b.call(
            "Page.printToPDF",
            json!({"paperWidth": w, "paperHeight": h, "marginTop": 0, "marginBottom": 0,
                   "marginLeft": 0, "marginRight": 0, "preferCSSPageSize": true,
                   "printBackground": true, "displayHeaderFooter": false}),
        );
        use base64::Engine as _;
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("pdf data"))
            .unwrap();
        let path = dir.join(format!("readiness-{name}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        let Some(pages) = pdf_pages(&path) else {
            eprintln!("pdftotext is not installed: {name} printed, not checked");
            continue;
        };
        assert!(pages.len() >= 2, "{name}: {} pages", pages.len());
        // Every card opens with its next action and closes with the
        // criterion of activity: a card split across two pages leaves a
        // page with one more of either.
        let mut total = 0;
        for (i, page) in pages.iter().enumerate() {
            let opens = page.matches("Next action:").count();
            let closes = page.matches("Active relationship:").count();
            assert_eq!(
                opens,
                closes,
                "{name}: a card split at page {}:\n{page}",
                i + 1
            );
            total += opens;
        }
        assert_eq!(total, cards, "{name}: every card printed");
    }
}
