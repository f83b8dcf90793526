//! A book too big for one table page: the partner table and the
//! reciprocity table are cut into pages (docs/site.md), each page small,
//! every partner reachable from them, every link relative, the pages
//! sortable and filterable in a browser from disk, and the same on an
//! encrypted site.

mod common;
#[path = "../benches/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::cdp::Browser;
use serde_json::json;

/// The most rows a table page holds (`PAGE_ROWS` in src/render/paged.rs).
const PAGE_ROWS: usize = 2_000;
/// The most a book-wide page may weigh.
const LIMIT: usize = 5_000_000;
/// Enough partners to cut both tables.
const PARTNERS: usize = PAGE_ROWS + 150;

/// A generated book of [`PARTNERS`] notes, built.
fn built() -> (tempfile::TempDir, tempfile::TempDir) {
    let book = tempfile::tempdir().unwrap();
    corpus::write_book(book.path(), PARTNERS, 42).unwrap();
    let site = tempfile::tempdir().unwrap();
    sample::build_ok(book.path(), site.path());
    (book, site)
}

fn read(site: &Path, page: &str) -> String {
    std::fs::read_to_string(site.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

/// Every `href="…"` of a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// The pages of a table, as the page that lists them links them
/// (`stem` is how their names begin), each checked to exist.
fn table_pages(site: &Path, folder: &str, list: &str, stem: &str) -> Vec<String> {
    let pages: Vec<String> = hrefs(&read(site, &format!("{folder}/{list}")))
        .into_iter()
        .filter(|h| h.starts_with(stem))
        .map(|h| format!("{folder}/{h}"))
        .collect();
    assert!(pages.len() > 1, "{folder}/{list} links {pages:?}");
    for p in &pages {
        assert!(site.join(p).is_file(), "{p} is linked but not written");
    }
    pages
}

/// The partner pages of the site (their slugs).
fn partner_slugs(site: &Path) -> BTreeSet<String> {
    std::fs::read_dir(site.join("partners"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with("index"))
        .map(|n| n.trim_end_matches(".html").to_string())
        .collect()
}

fn rows(html: &str) -> usize {
    let body = &html[html.find("<tbody>").expect("a table")..];
    body.matches("<tr").count()
}

fn assert_relative(page: &str, html: &str) {
    for link in hrefs(html).into_iter().chain(
        html.split("src=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string()),
    ) {
        assert!(
            !link.contains("://") && !link.starts_with('/') && !link.starts_with("data:"),
            "{page} links {link}"
        );
    }
}

#[test]
fn a_long_table_is_cut_into_small_pages_that_reach_every_partner() {
    let (_book, site) = built();
    let site = site.path();
    let slugs = partner_slugs(site);
    assert_eq!(slugs.len(), PARTNERS);

    // The partner list links its pages and holds no table itself.
    let index = read(site, "partners/index.html");
    assert!(!index.contains("<tbody>"), "the list still holds the table");
    assert!(index.contains(&format!("{PARTNERS} partners")));
    let mut reached = BTreeSet::new();
    for page in table_pages(site, "partners", "index.html", "index_") {
        let html = read(site, &page);
        assert!(html.len() < LIMIT, "{page}: {} bytes", html.len());
        assert!(rows(&html) <= PAGE_ROWS, "{page}: {} rows", rows(&html));
        assert!(html.contains("id=\"filters\"") && html.contains("class=\"sortable\""));
        assert_relative(&page, &html);
        for h in hrefs(&html) {
            if let Some(slug) = h.strip_suffix(".html").filter(|s| slugs.contains(*s)) {
                reached.insert(slug.to_string());
            }
        }
    }
    assert_eq!(reached, slugs, "partners the table's pages do not reach");

    // The reciprocity report keeps its charts and links its table's pages.
    let report = read(site, "reports/reciprocity.html");
    assert!(report.contains("scatter-chart"));
    assert!(
        !report.contains("id=\"reciprocity\""),
        "the report still holds the table"
    );
    let mut reached = BTreeSet::new();
    let mut listed = 0;
    for page in table_pages(site, "reports", "reciprocity.html", "reciprocity_") {
        let html = read(site, &page);
        assert!(html.len() < LIMIT, "{page}: {} bytes", html.len());
        assert!(rows(&html) <= PAGE_ROWS, "{page}: {} rows", rows(&html));
        listed += rows(&html);
        assert_relative(&page, &html);
        for h in hrefs(&html) {
            if let Some(slug) = h
                .strip_prefix("../partners/")
                .and_then(|s| s.strip_suffix(".html"))
            {
                if slugs.contains(slug) {
                    reached.insert(slug.to_string());
                }
            }
        }
    }
    assert_eq!(
        listed, PARTNERS,
        "each partner once in the reciprocity pages"
    );
    assert_eq!(reached, slugs);

    // Every book-wide page is under the limit.
    for page in [
        "index.html",
        "reports/readiness.html",
        "reports/reciprocity.html",
        "partners/index.html",
    ] {
        let html = read(site, page);
        assert!(html.len() < LIMIT, "{page}: {} bytes", html.len());
        assert_relative(page, &html);
    }
}

#[test]
fn check_knows_the_names_of_the_table_pages() {
    let book = tempfile::tempdir().unwrap();
    corpus::write_book(book.path(), PARTNERS, 42).unwrap();
    let statics = book.path().join("static/partners");
    std::fs::create_dir_all(&statics).unwrap();
    std::fs::write(statics.join("index_a.html"), "mine").unwrap();
    let run = sample::rapport_in(&["check", "."], book.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("`partners/index_a.html` is a page rapport writes"),
        "{all}"
    );
}

fn visible(b: &mut Browser, col: usize) -> Vec<String> {
    let v = b.eval(&format!(
        "Array.from(document.querySelectorAll('#partners tbody tr')).filter(function (r) {{ return !r.hidden; }})
            .map(function (r) {{ return r.cells[{col}].textContent.trim(); }})"
    ));
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_table_page_sorts_and_filters_in_a_browser_from_disk() {
    let (_book, site) = built();
    let pages = table_pages(site.path(), "partners", "index.html", "index_");
    let mut b = Browser::launch();
    b.open(&format!("file://{}/{}", site.path().display(), pages[0]));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let all = visible(&mut b, 0).len();
    assert!(all > 10, "{all} rows");
    // The search box keeps the rows that hold its words.
    let first = visible(&mut b, 0)[0].clone();
    let word = first.split_whitespace().nth(1).unwrap().to_string();
    b.eval(&format!(
        "(function () {{ var f = document.getElementById('filter'); f.value = {}; f.dispatchEvent(new Event('input')); }})()",
        json!(word)
    ));
    let kept = visible(&mut b, 0);
    assert!(
        !kept.is_empty() && kept.len() < all,
        "{} of {all}",
        kept.len()
    );
    assert!(kept.iter().all(|n| n.contains(&word)), "{kept:?}");
    b.eval("(function () { var f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()");
    assert_eq!(visible(&mut b, 0).len(), all);
    // Given, largest first on the first click.
    let clicked = b.eval(
        "(function () { var bs = document.querySelectorAll('#partners thead th button');
            for (var i = 0; i < bs.length; i++) { if (bs[i].textContent.trim() === 'Given') { bs[i].click(); return true; } }
            return false; })()",
    );
    assert_eq!(clicked, json!(true));
    let given: Vec<u32> = visible(&mut b, 5)
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(given.windows(2).all(|w| w[0] >= w[1]), "{given:?}");
    assert!(given[0] > given[given.len() - 1], "{given:?}");
    // The link back to the list of pages.
    b.open(&format!(
        "file://{}/partners/index.html",
        site.path().display()
    ));
    let links = b.eval("document.querySelectorAll('nav.table-pages a').length");
    assert_eq!(links, json!(pages.len()));
    b.wait(Duration::from_millis(100), |_| false);
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}

/// On an encrypted site the table's pages are pages like the others:
/// written under opaque names, and every link of the list and of the
/// pages, once decrypted, leads to a written file.
#[test]
fn an_encrypted_site_links_the_table_pages() {
    use rapport::encrypt;

    let book = tempfile::tempdir().unwrap();
    corpus::write_book(book.path(), PARTNERS, 42).unwrap();
    let plain = sample::in_memory(book.path());
    assert!(plain.contains_key("partners/index_a.html"));
    let key = encrypt::derive_key("correct horse battery staple 42", &encrypt::new_salt());
    let written = encrypt::encrypt_site(&plain, &key);
    // The partner table's pages are named like partner pages (opaque);
    // the reciprocity pages keep their names, like the report, and hold
    // nothing readable.
    assert!(
        !written.keys().any(|p| p.contains("index_")),
        "a page of the partner table is written under its plain name"
    );
    let class_page = &written["reports/reciprocity_balanced.html"];
    assert!(!String::from_utf8_lossy(class_page).contains("partners/"));
    let decrypted = encrypt::decrypt_site(&written, &key).unwrap();
    let checked = files::assert_links_land(
        decrypted
            .iter()
            .filter(|(p, _)| {
                p.starts_with("partners/index") || p.starts_with("reports/reciprocity")
            })
            .map(|(p, b)| (p, &b[..])),
        &|target| written.contains_key(target),
        &hrefs,
        &|_| false,
    );
    assert!(checked > PARTNERS, "only {checked} links checked");
}
