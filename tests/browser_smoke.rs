//! The browser client itself works: a page opens over file:// and its
//! script runs.

mod common;

use std::time::Duration;

use common::cdp::Browser;

#[test]
fn a_page_opens_and_its_script_runs() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.html");
    std::fs::write(
        &page,
        "<!doctype html><title>t</title><p id=x>a</p><script>document.getElementById('x').textContent='b'</script>",
    )
    .unwrap();
    let mut b = Browser::launch();
    b.open(&format!("file://{}", page.display()));
    assert!(b.wait_for(
        "document.getElementById('x').textContent === 'b'",
        Duration::from_secs(5)
    ));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}
