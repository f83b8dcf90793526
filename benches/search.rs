//! The search box on a large book, in headless Chromium, from disk: how
//! big the index is, and how long the first query takes from the moment
//! it is typed on a freshly opened page (the index loaded, prepared and
//! searched), then a second query.
//!
//! ```sh
//! cargo bench --bench search                # 10,000 heavy notes
//! cargo bench --bench search -- 1000 light  # another size or profile
//! ```
//!
//! The book is generated once under `target/bench-books/` with
//! `benches/support/corpus.rs` (seed 42), as `benches/build.rs` does, and
//! built with the release binary into a fresh folder.

#[path = "../tests/common/cdp.rs"]
mod cdp;
#[path = "support/corpus.rs"]
mod corpus;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use corpus::Profile;
use serde_json::json;

fn book(n: usize, profile: Profile) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-books");
    let name = match profile {
        Profile::Heavy => format!("heavy-{n}"),
        _ => format!("book-{n}"),
    };
    let dir = base.join(&name);
    let done = base.join(format!("{name}.done"));
    if !done.exists() {
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        corpus::write_book_with(&dir, n, 42, profile).unwrap();
        fs::write(&done, "").unwrap();
    }
    dir
}

/// One timed query on the open page: milliseconds from typing to the
/// results shown, and what they say.
fn query(b: &mut cdp::Browser, q: &str) -> (f64, String) {
    let v = b.eval(&format!(
        "new Promise(function (resolve) {{
            var out = document.getElementById('site-search-results');
            var i = document.getElementById('site-search-q');
            while (out.firstChild) {{ out.removeChild(out.firstChild); }}
            var t0 = performance.now();
            var seen = new MutationObserver(function () {{
                var c = out.querySelector('.search-count');
                if (c) {{ seen.disconnect(); resolve([performance.now() - t0, c.textContent]); }}
            }});
            seen.observe(out, {{ childList: true, subtree: true }});
            i.focus(); i.value = {q};
            i.dispatchEvent(new Event('input', {{ bubbles: true }}));
        }})",
        q = json!(q)
    ));
    (
        v[0].as_f64().unwrap(),
        v[1].as_str().unwrap_or("").to_string(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let profile = args
        .get(1)
        .and_then(|w| Profile::parse(w))
        .unwrap_or(Profile::Heavy);
    let book = book(n, profile);
    let out = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/rapport");
    let t = Instant::now();
    let run = Command::new(&bin)
        .arg("build")
        .arg(&book)
        .arg("-o")
        .arg(out.path())
        .output()
        .expect("rapport runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    println!(
        "{n} {} notes built in {:.1} s",
        profile.label(),
        t.elapsed().as_secs_f64()
    );
    let index = fs::metadata(out.path().join("data/search.js"))
        .unwrap()
        .len();
    println!("index: {:.1} MB", index as f64 / 1e6);

    for (round, word) in ["workshop", "estate plan", "zzzqqq"].iter().enumerate() {
        let mut b = cdp::Browser::launch();
        let page = format!("file://{}/index.html", out.path().display());
        b.open(&page);
        let (first, said) = query(&mut b, word);
        let (again, _) = query(&mut b, "referral");
        println!(
            "run {}: first query {word:?} {first:.0} ms (index loaded, prepared and searched: {said}); a second query {again:.0} ms",
            round + 1
        );
    }
}
