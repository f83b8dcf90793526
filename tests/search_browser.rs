//! The search box in headless Chromium, from disk: a word of a note body
//! and a client's name each lead to the right partner, from pages at every
//! depth; note text is shown as text, never as markup; and on an encrypted
//! site the index is encrypted and searchable once the site is open.

mod common;
#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cdp::Browser;
use rapport::encrypt;
use rapport::pipeline::output;
use serde_json::json;

const LONG: Duration = Duration::from_secs(30);

fn url(site: &Path, page: &str) -> String {
    format!("file://{}/{page}", site.display())
}

/// Every note of the sample book that goes into the site: (slug, text).
fn notes() -> Vec<(String, String)> {
    files::files_under(&sample::sample().join("partners"))
        .into_iter()
        .filter(|(k, _)| k.ends_with(".md"))
        .map(|(k, v)| {
            let slug = Path::new(&k)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_lowercase();
            (slug, String::from_utf8(v).unwrap())
        })
        .filter(|(_, t)| !t.contains("\ndraft: true"))
        .collect()
}

/// Types `query` into the search box and waits for the results.
fn search(b: &mut Browser, query: &str) {
    assert_eq!(
        b.eval(&format!(
            "(function () {{ var i = document.getElementById('site-search-q'); i.focus(); i.value = {};
                i.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()",
            json!(query)
        )),
        json!(true)
    );
    let shown = b.wait_for(
        "!!document.querySelector('#site-search-results .search-count')",
        LONG,
    );
    assert!(
        shown,
        "no results for {query}: state {}, errors {:?}",
        b.eval("document.getElementById('site-search').getAttribute('data-state')"),
        b.errors
    );
}

/// The results shown: (partner, where, snippet, link).
fn results(b: &mut Browser) -> Vec<(String, String, String, String)> {
    let v = b.eval(
        "Array.from(document.querySelectorAll('#site-search-results li')).map(function (li) {
            var a = li.querySelector('a');
            return [a.textContent, li.querySelector('.search-kind').textContent,
                    li.querySelector('.search-snippet').textContent, a.href];
        })",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |i: usize| r[i].as_str().unwrap().to_string();
            (s(0), s(1), s(2), s(3))
        })
        .collect()
}

/// Clicks the first result for `partner` and waits for its page.
fn follow(b: &mut Browser, partner: &str, encrypted: bool) {
    let clicked = b.eval(&format!(
        "(function () {{ var as = document.querySelectorAll('#site-search-results li a');
            for (var i = 0; i < as.length; i++) {{ if (as[i].textContent === {}) {{ return as[i].href; }} }}
            return false; }})()",
        json!(partner)
    ));
    assert!(clicked.is_string(), "no result for {partner}");
    if encrypted {
        // An open encrypted page swaps the next page in when a link is
        // followed, keeping the key in its memory; opening the address
        // anew would ask for the password again.
        b.eval(&format!(
            "(function () {{ var as = document.querySelectorAll('#site-search-results li a');
                for (var i = 0; i < as.length; i++) {{ if (as[i].textContent === {}) {{ as[i].click(); return true; }} }}
                return false; }})()",
            json!(partner)
        ));
    } else {
        // Opened as a click would (an eval racing the navigation would fail).
        b.open(clicked.as_str().unwrap());
    }
    let h1 = format!(
        "(document.querySelector('h1') || {{}}).textContent === {}",
        json!(partner)
    );
    assert!(b.wait_for(&h1, LONG), "did not land on {partner}'s page");
}

fn name_of(text: &str) -> String {
    let line = text.lines().find(|l| l.starts_with("name:")).unwrap();
    line["name:".len()..].trim().trim_matches('"').to_string()
}

#[test]
fn a_word_of_a_note_and_a_clients_name_lead_to_the_right_partner() {
    let site = sample::built_sample();
    let notes = notes();
    // A word only one note's body holds.
    let word = "gala";
    let holders: Vec<&(String, String)> = notes
        .iter()
        .filter(|(_, t)| t.to_lowercase().contains(word))
        .collect();
    assert_eq!(holders.len(), 1, "pick a word of one note only");
    let (slug, text) = holders[0];
    let partner = name_of(text);

    let mut b = Browser::launch();
    b.open(&url(site.path(), "index.html"));
    search(&mut b, "GALA");
    let found = results(&mut b);
    assert!(!found.is_empty());
    let (who, kind, snippet, href) = &found[0];
    assert_eq!(who, &partner);
    assert_eq!(kind, "in note");
    assert!(snippet.to_lowercase().contains(word), "{snippet}");
    assert!(href.ends_with(&format!("/partners/{slug}.html")), "{href}");
    follow(&mut b, &partner, false);
    assert!(b.errors.is_empty(), "{:?}", b.errors);

    // A client's name, from a page one folder down: a client only one
    // note names.
    let csv = fs::read_to_string(site.path().join("data/referrals.csv")).unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let (client_slug, client) = r
        .records()
        .map(|rec| rec.unwrap())
        .map(|rec| (rec[0].to_string(), rec[7].to_string()))
        .find(|(_, c)| {
            !c.is_empty() && notes.iter().filter(|(_, t)| t.contains(c.as_str())).count() == 1
        })
        .expect("a client named in one note");
    let owner = name_of(&notes.iter().find(|(s, _)| *s == client_slug).unwrap().1);
    b.open(&url(site.path(), "reports/reciprocity.html"));
    search(&mut b, &client);
    let found = results(&mut b);
    assert!(
        found
            .iter()
            .any(|(w, k, s, _)| *w == owner && k == "in client" && s.contains(&client)),
        "{client}: {found:?}"
    );
    follow(&mut b, &owner, false);
    // From a partner page, a search for nothing there says so.
    search(&mut b, "zzzqqq-nothing");
    assert!(results(&mut b).is_empty());
    let count = b.eval("document.querySelector('#site-search-results .search-count').textContent");
    assert!(
        count.as_str().unwrap().starts_with("Nothing found"),
        "{count}"
    );
    assert!(b.errors.is_empty(), "{:?}", b.errors);
}

#[test]
fn note_text_is_shown_as_text_never_as_markup() {
    let book = tempfile::tempdir().unwrap();
    files::copy_dir(&sample::sample(), book.path());
    let _ = fs::remove_dir_all(book.path().join("public"));
    fs::write(
        book.path().join("partners/zed-hostile.md"),
        "---\nname: Zed Hostile\nreferrals:\n  - date: 2026-05-05\n    direction: given\n    note: \"quokka <img src=x onerror=window.pwned=1> <b>bold</b>\"\n---\nA quokka body with `<i>code</i>`.\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    sample::build_ok(book.path(), out.path());
    let mut b = Browser::launch();
    b.open(&url(out.path(), "partners/index.html"));
    search(&mut b, "quokka");
    let found = results(&mut b);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|(w, _, _, _)| w == "Zed Hostile"));
    assert!(
        found
            .iter()
            .any(|(_, k, s, _)| k == "in referral"
                && s.contains("<img src=x onerror=window.pwned=1>")),
        "{found:?}"
    );
    let markup = b.eval(
        "document.querySelectorAll('#site-search-results img, #site-search-results b, #site-search-results i').length === 0
            && window.pwned === undefined",
    );
    assert_eq!(markup, json!(true));
}

const PASSWORD: &str = "tulip-ledger-93 orbit";

fn shots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

#[test]
fn an_encrypted_site_searches_its_encrypted_index_once_open() {
    let plain = sample::in_memory(&sample::sample());
    let index = plain.get("data/search.js").expect("an index").clone();
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = encrypt::key_for_output(dir.path(), PASSWORD, false);
    output::write_site(dir.path(), &encrypt::encrypt_site(&plain, &key)).unwrap();
    // The index is written encrypted, under the data files' carrier name.
    assert!(!dir.path().join("data/search.js").exists());
    let carried = fs::read_to_string(dir.path().join("data/search.js.js")).unwrap();
    let word = "gala";
    assert!(String::from_utf8_lossy(&index)
        .to_lowercase()
        .contains(word));
    assert!(carried.starts_with("rapportData(\"data/search.js\", \""));
    assert!(!carried.contains("rapportSearchIndex") && !carried.contains("Beatrice"));

    // Unlocked, the page is swapped in and its search box made ready.
    let (mut b, who) = open_and_find(dir.path(), &key, word);
    b.screenshot(&shots().join("search-encrypted.png"));
    follow(&mut b, &who, true);
}

/// Unlocks the encrypted site at `dir` (whose key is `key`), searches for
/// `word` and checks the first result: its words hold `word`, and its link
/// names the page of the sample's partner whose note holds it by the
/// page's opaque name. Gives the browser and that partner's name.
fn open_and_find(dir: &Path, key: &encrypt::SiteKey, word: &str) -> (Browser, String) {
    let (b, found) = unlock_and_search(dir, word);
    assert!(!found.is_empty(), "nothing found on the encrypted site");
    let (who, _, snippet, href) = found[0].clone();
    assert!(snippet.to_lowercase().contains(word));
    let slug = notes()
        .into_iter()
        .find(|(_, t)| t.to_lowercase().contains(word))
        .unwrap()
        .0;
    let opaque = key.opaque_name(&slug);
    assert!(href.ends_with(&format!("partners/{opaque}.html")), "{href}");
    (b, who)
}

/// Unlocks the encrypted site at `dir` from its dashboard and searches for
/// `word`, giving what the search box shows.
fn unlock_and_search(dir: &Path, word: &str) -> (Browser, Vec<(String, String, String, String)>) {
    let mut b = Browser::launch();
    b.open(&url(dir, "index.html"));
    assert!(b.wait_for("!document.getElementById('rapport-form').hidden", LONG));
    b.eval(&format!(
        "(function () {{ document.getElementById('rapport-password').value = {};
            document.querySelector('#rapport-form button').click(); return true; }})()",
        json!(PASSWORD)
    ));
    assert!(b.wait_for(
        "!!document.getElementById('site-search') && !!document.getElementById('site-search').getAttribute('data-state')",
        LONG
    ));
    search(&mut b, word);
    let found = results(&mut b);
    (b, found)
}

#[test]
fn an_index_sealed_in_chunks_is_searched_and_one_with_a_chunk_moved_is_refused() {
    let mut plain = sample::in_memory(&sample::sample());
    // An index as large as a large book's: sealed in chunks (three).
    let mut index = plain.get("data/search.js").expect("an index").to_vec();
    index.extend_from_slice(b"/*");
    index.resize(index.len() + 2 * encrypt::CHUNK + 1000, b'x');
    index.extend_from_slice(b"*/\n");
    plain.insert("data/search.js".into(), index.into());
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = encrypt::key_for_output(dir.path(), PASSWORD, false);
    output::write_site(dir.path(), &encrypt::encrypt_site(&plain, &key)).unwrap();
    let carrier = dir.path().join("data/search.js.js");
    let carried = fs::read_to_string(&carrier).unwrap();
    let head = "rapportData(\"data/search.js\", [\"";
    let chunks: Vec<String> = carried
        .strip_prefix(head)
        .and_then(|r| r.strip_suffix("\"]);\n"))
        .expect("a list of chunks")
        .split("\", \"")
        .map(str::to_string)
        .collect();
    assert_eq!(chunks.len(), 3);

    let word = "gala";
    let (mut b, who) = open_and_find(dir.path(), &key, word);
    b.screenshot(&shots().join("search-encrypted-chunks.png"));
    follow(&mut b, &who, true);
    drop(b);

    // Two chunks swapped, the last left out, or one cut short: the index
    // does not open, and the search box says so.
    let (a, c, d) = (&chunks[0], &chunks[1], &chunks[2]);
    for (what, list) in [
        ("swapped", vec![c, a, d]),
        ("cut short", vec![a, c]),
        ("truncated", vec![a, c, &d[..d.len() / 2].to_string()]),
    ] {
        let joined: Vec<&str> = list.iter().map(|s| s.as_str()).collect();
        fs::write(&carrier, format!("{head}{}\"]);\n", joined.join("\", \""))).unwrap();
        let (mut b, found) = unlock_and_search(dir.path(), word);
        assert!(found.is_empty(), "{what}: the damaged index was read");
        let said =
            b.eval("document.querySelector('#site-search-results .search-count').textContent");
        assert_eq!(
            said,
            json!("The search index could not be loaded."),
            "{what}"
        );
    }
}
