//! The encrypted sample site in headless Chromium, from disk and over
//! HTTP: a password form and nothing else until the password is typed; a
//! wrong one says so; the right one shows the dashboard with its charts,
//! and moving between pages does not ask again, while no storage of the
//! origin (localStorage, sessionStorage, IndexedDB, cookies) holds
//! anything; the calendar link and the bar's links download their files
//! decrypted; an encrypted script of a page runs once decrypted; "Lock"
//! forgets the key in every tab; a page copied over another, or damaged,
//! is refused as such, never as a wrong password. No console errors,
//! nothing asked of another host. Screenshots go to
//! `target/screenshots/`.

mod common;
#[path = "common/sample.rs"]
mod sample;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cdp::Browser;
use rapport::encrypt;
use rapport::pipeline::output;
use rapport::site::SiteFiles;
use serde_json::json;

const PASSWORD: &str = "tulip-ledger-93 orbit";
const WRONG: &str = "That password does not open this site.";
const DAMAGED: &str = "This page is damaged, or it is not the page of this address: it was not opened. The password is right: the site's other pages still open.";

struct Site {
    dir: tempfile::TempDir,
    plain: SiteFiles,
    key: encrypt::SiteKey,
}

/// The sample's site, plus an encrypted script (`data/probe.js`, as a
/// search index would be) that the reciprocity report loads.
fn encrypted_sample() -> Site {
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let mut plain = sample::in_memory(&book);
    plain.insert(
        "data/probe.js".into(),
        b"window.rapportProbe = (window.rapportProbe || 0) + 42;\n"
            .to_vec()
            .into(),
    );
    let report = String::from_utf8(plain["reports/reciprocity.html"].to_vec())
        .unwrap()
        .replace(
            "</body>",
            "<script src=\"../data/probe.js\"></script>\n</body>",
        );
    plain.insert(
        "reports/reciprocity.html".into(),
        report.into_bytes().into(),
    );
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = encrypt::key_for_output(dir.path(), PASSWORD, false);
    output::write_site(dir.path(), &encrypt::encrypt_site(&plain, &key)).unwrap();
    Site { dir, plain, key }
}

fn shots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

/// The password form is on the page and shown.
const FORM_SHOWN: &str =
    "!!document.getElementById('rapport-form') && !document.getElementById('rapport-form').hidden";

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

/// What the origin's storages hold: localStorage, sessionStorage, the
/// IndexedDB databases and the cookies, as one list of strings.
fn stored(b: &mut Browser) -> Vec<String> {
    let v = b.eval(
        "(async function () {
            var found = [];
            function all(s, name) {
                try { for (var i = 0; i < s.length; i++) { found.push(name + ': ' + s.key(i)); } }
                catch (e) { found.push(name + ' unreadable: ' + e); }
            }
            all(localStorage, 'localStorage');
            all(sessionStorage, 'sessionStorage');
            try { (await indexedDB.databases()).forEach(function (d) { found.push('IndexedDB: ' + d.name); }); }
            catch (e) { found.push('IndexedDB unreadable: ' + e); }
            if (document.cookie) { found.push('cookie: ' + document.cookie); }
            return found;
        })()",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Clicks the first link of the page whose text is `text` (in `scope`).
fn click_link(b: &mut Browser, scope: &str, text: &str) {
    let clicked = b.eval(&format!(
        "(function () {{ var a = Array.from(document.querySelectorAll({})).filter(function (a) {{
            return a.textContent.trim() === {}; }})[0]; if (!a) {{ return false; }} a.click(); return true; }})()",
        json!(format!("{scope} a[href]")),
        json!(text)
    ));
    assert_eq!(clicked, json!(true), "no link {text:?} in {scope}");
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
    assert_eq!(error, json!(WRONG));
    assert!(locked(&mut b), "a wrong password showed something");
    assert_eq!(stored(&mut b), Vec::<String>::new(), "a wrong key was kept");
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
    // The key is in no storage of the origin.
    assert_eq!(stored(&mut b), Vec::<String>::new(), "something was stored");
    // The policy of the locked page is still in force: an inline script
    // does not run.
    b.eval("(function () { var s = document.createElement('script'); s.textContent = 'window.injected = 1;';
        document.body.appendChild(s); return true; })()");
    b.wait(Duration::from_millis(200), |_| false);
    assert_eq!(
        b.eval("window.injected === undefined"),
        json!(true),
        "an inline script ran"
    );
    b.errors.clear(); // the refused script is reported

    // The calendar link downloads the calendar, decrypted, and says it
    // cannot be subscribed to.
    let note = b.eval("(document.querySelector('.rapport-calendar-note') || {}).textContent || ''");
    assert!(
        note.as_str().unwrap().contains("cannot be subscribed to"),
        "{note}"
    );
    let downloads_calendar = downloads.path().join("calendar.ics");
    b.eval("(function () { document.querySelector('main a[href$=\"calendar.ics\"]').click(); return true; })()");
    assert!(
        b.wait(LONG, |_| {
            std::fs::read(&downloads_calendar)
                .is_ok_and(|got| got[..] == site.plain["data/calendar.ics"][..])
        }),
        "calendar.ics was not downloaded with its plain content"
    );
    assert_no_errors(&mut b, "calendar");

    // Following a link to a partner page does not ask again. The link
    // names the page by its opaque name.
    let maya = format!("partners/{}.html", site.key.opaque_name("maya-okafor"));
    let href = b.eval(&format!(
        "(function () {{ var a = document.querySelector('main a[href=\"{maya}\"]'); if (!a) {{ return null; }}
            var h = a.href; a.click(); return h; }})()"
    ));
    let href = href
        .as_str()
        .expect("the dashboard links to the partner page by its opaque name")
        .to_string();
    assert!(
        b.wait_for(
            "(document.querySelector('h1') || {}).textContent === 'Maya Okafor'",
            LONG
        ),
        "the partner page asked again or did not open"
    );
    assert_eq!(stored(&mut b), Vec::<String>::new(), "something was stored");
    if base.starts_with("http") {
        assert_eq!(b.eval("location.href"), json!(href), "the address follows");
    }
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

    // The partners table, from the menu: its own script runs (the table
    // sorts).
    click_link(&mut b, "header nav", "Partners");
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

    // A report with charts, and an encrypted script that runs once
    // decrypted (once).
    click_link(&mut b, "header nav", "Reciprocity");
    assert!(
        b.wait_for("!!document.querySelector('#rapport-bar') && document.title.indexOf('Reciprocity') !== -1", LONG),
        "the report did not open"
    );
    assert_eq!(visible_charts(&mut b), 5, "reciprocity charts"); // v2: net-new by partner
    assert!(
        b.wait_for("window.rapportProbe === 42", LONG),
        "the encrypted script did not run once"
    );
    assert_no_errors(&mut b, "reciprocity");

    // Back: the partners table again, without asking.
    b.eval("history.back(); true");
    assert!(
        b.wait_for(
            "!!document.querySelector('#partners') && !!document.querySelector('#rapport-bar')",
            LONG
        ),
        "back did not show the partners table"
    );
    click_link(&mut b, "header nav", "Reciprocity");
    assert!(
        b.wait_for("!!document.querySelector('#rapport-bar') && document.title.indexOf('Reciprocity') !== -1", LONG),
        "the report did not open again"
    );

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

    // A second tab asks for the password once of its own.
    let first = b.new_tab();
    b.open(&format!("{base}reports/readiness.html"));
    assert!(b.wait_for(FORM_SHOWN, LONG), "the second tab did not ask");
    type_password(&mut b, PASSWORD);
    assert!(
        b.wait_for("!!document.querySelector('#rapport-bar')", LONG),
        "the second tab did not open"
    );

    // Lock in the second tab: the key is forgotten in both, the form is
    // back in both.
    b.eval("document.getElementById('rapport-lock-link').click(); true");
    let form_back = "!!document.getElementById('rapport-form') && !document.getElementById('rapport-form').hidden";
    assert!(
        b.wait_for(form_back, LONG),
        "locking did not bring the form back"
    );
    assert!(locked(&mut b));
    let second = b.use_tab(&first);
    assert!(
        b.wait_for(form_back, LONG),
        "locking in another tab did not lock this one"
    );
    assert!(locked(&mut b));
    assert_eq!(stored(&mut b), Vec::<String>::new());
    let _ = second;
    b.open(&href);
    assert!(b.wait_for(FORM_SHOWN, LONG), "a locked site opened a page");
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

/// The encrypted sample with one partner page copied over another and one
/// damaged (a byte of its ciphertext changed); their written names.
fn tampered_sample() -> (Site, String, String, String) {
    let site = encrypted_sample();
    // Three partners the dashboard links to.
    let dashboard = String::from_utf8(site.plain["index.html"].to_vec()).unwrap();
    let mut slugs: Vec<&str> = dashboard
        .split("href=\"partners/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.strip_suffix(".html"))
        .filter(|slug| *slug != "index")
        .collect();
    slugs.dedup();
    slugs.sort();
    slugs.dedup();
    assert!(slugs.len() >= 3, "{slugs:?}");
    let name = |slug: &str| format!("partners/{}.html", site.key.opaque_name(slug));
    let (source, swapped, damaged) = (name(slugs[0]), name(slugs[1]), name(slugs[2]));
    let dir = site.dir.path();
    std::fs::copy(dir.join(&source), dir.join(&swapped)).unwrap();
    let page = std::fs::read_to_string(dir.join(&damaged)).unwrap();
    let at = page.find("id=\"rapport-ciphertext\">").unwrap() + 200;
    let flipped = if &page[at..at + 1] == "A" { "B" } else { "A" };
    let page = format!("{}{flipped}{}", &page[..at], &page[at + 1..]);
    std::fs::write(dir.join(&damaged), page).unwrap();
    (site, source, swapped, damaged)
}

/// The locked page with its form put away: no header, no chart, the
/// neutral title.
fn locked_but_for_the_message(b: &mut Browser) -> bool {
    b.eval(
        "!!document.getElementById('rapport-form') && document.getElementById('rapport-form').hidden
            && !document.querySelector('.site-header') && document.querySelectorAll('svg').length === 0
            && document.title === 'Private site — rapport'",
    ) == json!(true)
}

fn error_text(b: &mut Browser) -> String {
    b.eval("(document.getElementById('rapport-error') || {}).textContent || ''")
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_page_copied_over_another_or_damaged_is_refused_as_such() {
    let (site, _source, swapped, damaged) = tampered_sample();
    let base = format!("file://{}/", site.dir.path().display());
    let mut b = Browser::launch();
    let shown = "!!document.getElementById('rapport-error') && !document.getElementById('rapport-error').hidden";

    // Opened directly, with the right password: refused as damaged, never
    // as a wrong password, and nothing of either partner shown.
    for page in [&swapped, &damaged] {
        b.open(&format!("{base}{page}"));
        assert!(b.wait_for(FORM_SHOWN, LONG), "{page}: no form");
        type_password(&mut b, PASSWORD);
        assert!(b.wait_for(shown, LONG), "{page}: no message");
        assert_eq!(error_text(&mut b), DAMAGED, "{page}");
        assert!(
            locked_but_for_the_message(&mut b),
            "{page}: something of the site is shown"
        );
        // The key is kept: the dashboard opens without asking.
        click_link(&mut b, "main", "Open the dashboard");
        assert!(
            b.wait_for(
                "(document.querySelector('h1') || {}).textContent === 'Dashboard'",
                LONG
            ),
            "{page}: the dashboard asked again"
        );
        assert_eq!(stored(&mut b), Vec::<String>::new());
    }
    b.screenshot(&shots().join("encrypted-tampered-dashboard.png"));

    // Followed from an opened page: refused the same way, the key kept.
    for page in [&swapped, &damaged] {
        b.open(&format!("{base}index.html"));
        assert!(b.wait_for(FORM_SHOWN, LONG));
        type_password(&mut b, PASSWORD);
        assert!(b.wait_for("!!document.querySelector('#rapport-bar')", LONG));
        let followed = b.eval(&format!(
            "(function () {{ var a = document.querySelector('main a[href=\"{page}\"]'); if (!a) {{ return false; }}
                a.click(); return true; }})()"
        ));
        assert_eq!(
            followed,
            json!(true),
            "the dashboard does not link to {page}"
        );
        assert!(
            b.wait_for(
                "(document.querySelector('h1') || {}).textContent === 'Damaged page'",
                LONG
            ),
            "{page}: not refused"
        );
        assert_eq!(error_text(&mut b), DAMAGED, "{page}");
        b.screenshot(&shots().join("encrypted-tampered-followed.png"));
        click_link(&mut b, "main", "Open the dashboard");
        assert!(
            b.wait_for(
                "(document.querySelector('h1') || {}).textContent === 'Dashboard'",
                LONG
            ),
            "{page}: the dashboard asked again"
        );
    }
    assert_no_errors(&mut b, "tampered");
}

/// What one unlock costs in this Chromium: PBKDF2-HMAC-SHA256 of the site's
/// iterations, as the unlock script runs it (median of three). Printed for
/// `docs/security.md`; the test only checks that the pages ask for
/// today's iterations.
#[test]
fn the_unlock_derivation_costs_what_the_docs_say() {
    let site = encrypted_sample();
    let mut b = Browser::launch();
    b.open(&format!("file://{}/index.html", site.dir.path().display()));
    let iterations =
        b.eval("parseInt(document.documentElement.getAttribute('data-rapport-iterations'), 10)");
    assert_eq!(iterations, json!(encrypt::ITERATIONS));
    let ms = b.eval(
        "(async function () {
            var n = parseInt(document.documentElement.getAttribute('data-rapport-iterations'), 10);
            var times = [];
            for (var i = 0; i < 3; i++) {
                var t = performance.now();
                var base = await crypto.subtle.importKey('raw', new TextEncoder().encode('x' + i), 'PBKDF2', false, ['deriveBits']);
                await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations: n }, base, 256);
                times.push(performance.now() - t);
            }
            times.sort(function (a, b) { return a - b; });
            return times[1];
        })()",
    );
    eprintln!(
        "PBKDF2-HMAC-SHA256, {} iterations, in headless Chromium: {:.0} ms (median of 3)",
        encrypt::ITERATIONS,
        ms.as_f64().unwrap()
    );
}
