//! A served page open in headless Chromium reloads by itself when a note is
//! saved, shows an overlay naming the file and line of a typo, and comes
//! back once it is fixed.

mod common;
mod watch_common;

use std::time::Duration;

use common::cdp::Browser;
use watch_common::*;

const WAIT: Duration = Duration::from_secs(30);

/// Whether `expr` is true in the page. An evaluation that meets the page
/// reloading fails; it counts as not yet.
fn holds(b: &mut Browser, expr: &str) -> bool {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.eval(expr)));
    std::panic::set_hook(quiet);
    r.is_ok_and(|v| v == serde_json::json!(true))
}

/// Polls `expr` until it holds, at most `limit`.
fn wait_for(b: &mut Browser, expr: &str, limit: Duration) -> bool {
    wait_until(limit, || holds(b, expr))
}

#[test]
fn the_open_page_follows_saves_and_shows_problems() {
    let book = sample_book();
    let root = book.path();
    let (s, port) = start_serve(root);
    let mut b = Browser::launch();
    b.open(&format!("http://127.0.0.1:{port}/"));
    assert!(wait_for(
        &mut b,
        "!!document.body?.textContent.includes('Lena Park')",
        WAIT
    ));
    // Wait for the script's first answer, so the page is listening.
    assert!(wait_for(
        &mut b,
        "performance.getEntriesByType('resource').some(e => e.name.includes('/__rapport/status'))",
        WAIT
    ));
    // A mark that a reload wipes out.
    b.eval("window.__mark = 1");

    // A save: the page reloads by itself and shows it.
    let lena = note(root, "lena-park.md");
    edit(&lena, "name: Lena Park", "name: Lena Park-Hughes");
    assert!(
        wait_for(
            &mut b,
            "!!document.body?.textContent.includes('Lena Park-Hughes')",
            WAIT
        ),
        "{}",
        s.log()
    );
    assert!(
        holds(&mut b, "window.__mark === undefined"),
        "the page reloaded"
    );

    // A typo: an overlay names the file and the line; the page stays.
    b.eval("window.__mark = 2");
    edit(&lena, "role: esp", "role: espp");
    assert!(
        wait_for(&mut b, "!!document.getElementById('rapport-overlay')", WAIT),
        "{}",
        s.log()
    );
    let text = b.eval("document.getElementById('rapport-overlay')?.textContent");
    let text = text.as_str().unwrap();
    assert!(text.contains("partners/lena-park.md:5:"), "{text}");
    assert!(text.contains("espp"), "{text}");
    assert_eq!(b.eval("window.__mark"), 2, "no reload for a failed build");
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-overlay.png"));

    // The fix: the overlay goes and the page reloads.
    edit(&lena, "role: espp", "role: esp");
    assert!(
        wait_for(
            &mut b,
            "!document.getElementById('rapport-overlay') && window.__mark === undefined",
            WAIT
        ),
        "{}",
        s.log()
    );
    assert!(wait_for(
        &mut b,
        "!!document.body?.textContent.includes('Lena Park-Hughes')",
        WAIT
    ));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}
