//! The encrypted sample site in headless Chromium, from disk and over
//! HTTP: a password form and nothing else until the password is typed; a
//! wrong one says so; the right one shows the dashboard with its charts,
//! and moving to a partner page does not ask again; a data file downloads
//! under its plain name with its plain bytes; "Lock" forgets the key; no
//! console errors, nothing asked of another host. Screenshots go to
//! `target/screenshots/`.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cdp::Browser;
use rapport::build::output::{self, SiteFiles};
use rapport::build::pipeline::{Options, Pipeline};
use rapport::encrypt;
use serde_json::json;

const PASSWORD: &str = "tulip-ledger-93 orbit";

struct Site {
    dir: tempfile::TempDir,
    plain: SiteFiles,
    key: encrypt::SiteKey,
}

fn encrypted_sample() -> Site {
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let plain = Pipeline::new()
        .run(&Options {
            root: book,
            ..Options::default()
        })
        .expect("the sample builds")
        .files;
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = encrypt::key_for_output(dir.path(), PASSWORD, false);
    output::write_site(dir.path(), &encrypt::encrypt_site(&plain, &key)).unwrap();
    Site { dir, plain, key }
}

fn shots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

const LONG: Duration = Duration::from_secs(30);

fn assert_no_errors(b: &mut Browser, step: &str) {
    b.wait(Duration::from_millis(200), |_| false);
    assert!(b.errors.is_empty(), "{step}: {:?}", b.errors);
}

/// Whether the page shows the password form and nothing of the site.
fn locked(b: &mut Browser) -> bool {
    b.eval(
        "!!document.getElementById('rapport-form') && !document.getElementById('rapport-form').hidden
            && !document.querySelector('.site-header') && document.querySelectorAll('svg').length === 0
            && document.title === 'Private site — rapport'",
    ) == json!(true)
}

fn type_password(b: &mut Browser, password: &str) {
    b.eval(&format!(
        "(function () {{ document.getElementById('rapport-password').value = {};
            document.querySelector('#rapport-form button').click(); return true; }})()",
        json!(password)
    ));
}

fn visible_charts(b: &mut Browser) -> u64 {
    b.eval(
        "Array.from(document.querySelectorAll('svg.chart')).filter(function (s) {
            var r = s.getBoundingClientRect();
            return r.width > 100 && r.height > 50 && s.querySelectorAll('rect, circle').length > 3;
        }).length",
    )
    .as_u64()
    .unwrap()
}

fn h1(b: &mut Browser) -> String {
    b.eval("(document.querySelector('h1') || {}).textContent || ''")
        .as_str()
        .unwrap()
        .trim()
        .to_string()
}

/// The whole visit, from `base` (a `file://` or `http://` URL of the
/// site's folder, ending in `/`).
fn visit(site: &Site, base: &str, shot: &str) {
    let mut b = Browser::launch();
    let downloads = tempfile::tempdir().unwrap();
    b.call(
        "Page.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.path().to_string_lossy()}),
    );

    // Locked: a form, nothing else.
    b.open(&format!("{base}index.html"));
    assert!(
        b.wait_for(
            "!document.getElementById('rapport-form').hidden",
            Duration::from_secs(5)
        ),
        "no password form"
    );
    assert!(locked(&mut b), "the locked page shows more than a form");
    let text = b
        .eval("document.body.innerText")
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !text.contains("Rivera") && !text.contains("Dashboard"),
        "{text}"
    );
    b.screenshot(&shots().join(format!("{shot}-locked.png")));

    // A wrong password says so and shows nothing.
    type_password(&mut b, "not the password");
    assert!(
        b.wait_for("!document.getElementById('rapport-error').hidden", LONG),
        "no error for a wrong password"
    );
    let error = b.eval("document.getElementById('rapport-error').textContent");
    assert_eq!(error, json!("That password does not open this site."));
    assert!(locked(&mut b), "a wrong password showed something");
    assert_eq!(
        b.eval("sessionStorage.length"),
        json!(0),
        "a wrong key was kept"
    );
    assert_no_errors(&mut b, "wrong password");

    // The right one shows the dashboard, charts drawn.
    type_password(&mut b, PASSWORD);
    assert!(
        b.wait_for("!!document.querySelector('.site-header')", LONG),
        "the dashboard did not open"
    );
    assert_eq!(h1(&mut b), "Dashboard");
    assert_eq!(visible_charts(&mut b), 2, "dashboard charts");
    assert_eq!(
        b.eval("getComputedStyle(document.querySelector('.card')).borderRadius"),
        json!("12px"),
        "the stylesheet does not apply"
    );
    let text = b
        .eval("document.body.innerText")
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("Camila Rivera"), "{text}");
    b.screenshot(&shots().join(format!("{shot}-dashboard.png")));
    assert_no_errors(&mut b, "dashboard");

    // Following a link to a partner page does not ask again. The link
    // names the page by its opaque name.
    let maya = format!("partners/{}.html", site.key.opaque_name("maya-okafor"));
    let href = b.eval(&format!(
        "(function () {{ var a = document.querySelector('main a[href=\"{maya}\"]'); return a ? a.href : null; }})()"
    ));
    let href = href
        .as_str()
        .expect("the dashboard links to the partner page by its opaque name")
        .to_string();
    b.open(&href);
    assert!(
        b.wait_for("!!document.querySelector('.site-header')", LONG),
        "the partner page asked again or did not open"
    );
    assert!(
        b.eval("!document.getElementById('rapport-form')") == json!(true),
        "the form is still there"
    );
    assert_eq!(visible_charts(&mut b), 1, "partner chart");
    assert_eq!(
        b.eval("document.querySelectorAll('.criteria li').length"),
        json!(6)
    );
    b.screenshot(&shots().join(format!("{shot}-partner.png")));
    assert_no_errors(&mut b, "partner page");

    // The partners table: its own script runs (the table sorts).
    b.open(&format!("{base}partners/index.html"));
    assert!(
        b.wait_for("!!document.querySelector('#partners')", LONG),
        "the table did not open"
    );
    assert!(
        b.wait_for(
            "document.querySelectorAll('#partners thead th button').length > 3",
            Duration::from_secs(5)
        ),
        "the table's script did not run"
    );
    b.eval("(function () { var bs = document.querySelectorAll('#partners thead th button');
        for (var i = 0; i < bs.length; i++) { if (bs[i].textContent.trim() === 'Criteria') { bs[i].click(); } } return true; })()");
    assert_eq!(
        b.eval(
            "document.querySelector('#partners thead th:nth-child(5)').getAttribute('aria-sort')"
        ),
        // v2: numbers sort largest first on the first click.
        json!("descending")
    );
    assert_no_errors(&mut b, "partners table");

    // A report with charts.
    b.open(&format!("{base}reports/reciprocity.html"));
    assert!(
        b.wait_for("!!document.querySelector('.site-header')", LONG),
        "the report did not open"
    );
    assert_eq!(visible_charts(&mut b), 5, "reciprocity charts"); // v2: net-new by partner
    assert_no_errors(&mut b, "reciprocity");

    // A data file downloads under its plain name, decrypted.
    b.eval("(function () { Array.from(document.querySelectorAll('#rapport-bar a'))
        .filter(function (a) { return a.textContent === 'partners.json'; })[0].click(); return true; })()");
    let target = downloads.path().join("partners.json");
    assert!(
        b.wait(LONG, |_| std::fs::read(&target).is_ok_and(
            |got| got[..] == site.plain["data/partners.json"][..]
        )),
        "partners.json was not downloaded with its plain content"
    );
    assert_no_errors(&mut b, "download");

    // Nothing was asked of another host.
    let origin = base.split('/').take(3).collect::<Vec<_>>().join("/");
    let requests =
        b.eval("performance.getEntriesByType('resource').map(function (e) { return e.name; })");
    for url in requests.as_array().unwrap() {
        let url = url.as_str().unwrap();
        assert!(
            url.starts_with(&origin) || url.starts_with("blob:") || url.starts_with("data:"),
            "{url} is on another host"
        );
    }

    // Lock: the key is forgotten, the form is back.
    b.eval("document.getElementById('rapport-lock-link').click(); true");
    assert!(
        b.wait_for(
            "!!document.getElementById('rapport-form') && !document.getElementById('rapport-form').hidden",
            LONG
        ),
        "locking did not bring the form back"
    );
    assert!(locked(&mut b));
    assert_eq!(b.eval("sessionStorage.length"), json!(0));
    b.open(&href);
    assert!(
        b.wait_for("!document.getElementById('rapport-form').hidden", LONG),
        "a locked site opened a page"
    );
    assert!(locked(&mut b));
    assert_no_errors(&mut b, "lock");
}

#[test]
fn the_encrypted_site_opens_with_its_password_from_disk() {
    let site = encrypted_sample();
    let base = format!("file://{}/", site.dir.path().display());
    visit(&site, &base, "encrypted-file");
}

/// Serves `dir` on 127.0.0.1 until the process ends; the base URL.
fn serve(dir: &Path) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let path = req.url().split('?').next().unwrap().trim_start_matches('/');
            let path = if path.is_empty() { "index.html" } else { path };
            let file = dir.join(path);
            let ok = !path.contains("..") && file.is_file();
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                _ => "application/octet-stream",
            };
            let _ = if ok {
                let header =
                    tiny_http::Header::from_bytes("Content-Type", kind).expect("a valid header");
                req.respond(
                    tiny_http::Response::from_data(std::fs::read(&file).unwrap())
                        .with_header(header),
                )
            } else {
                req.respond(tiny_http::Response::empty(404))
            };
        }
    });
    format!("http://127.0.0.1:{port}/")
}

#[test]
fn the_encrypted_site_opens_with_its_password_over_http() {
    let site = encrypted_sample();
    let base = serve(site.dir.path());
    visit(&site, &base, "encrypted-http");
}
