//! A plain `rapport build` hands every file to the write as soon as it is
//! made (the data files and the search index a piece at a time): the site
//! it writes is, file for file and byte for byte, the site a build held
//! in memory gives (the one `watch` and `serve` keep), on a plain and on
//! a redacted site.

#[path = "../benches/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "common/sample.rs"]
mod sample;

use std::collections::BTreeMap;
use std::path::Path;

/// Every file of the site in `dir` but rapport's own records.
fn on_disk(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap();
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.starts_with(".rapport") {
            continue;
        }
        files.insert(rel, std::fs::read(entry.path()).unwrap());
    }
    files
}

fn same_as_in_memory(extra_settings: &str) {
    let book = tempfile::tempdir().unwrap();
    corpus::write_book_with(book.path(), 300, 7, corpus::Profile::Heavy).unwrap();
    if !extra_settings.is_empty() {
        let yaml = book.path().join("rapport.yaml");
        let mut text = std::fs::read_to_string(&yaml).unwrap();
        text.push_str(extra_settings);
        std::fs::write(&yaml, text).unwrap();
    }
    let held = sample::in_memory(book.path());
    let out = tempfile::tempdir().unwrap();
    sample::build_ok(book.path(), out.path());
    let written = on_disk(out.path());
    let held_names: Vec<&String> = held.keys().collect();
    let written_names: Vec<&String> = written.keys().collect();
    assert_eq!(written_names, held_names, "not the same files");
    for (path, bytes) in &held {
        assert!(
            written[path] == **bytes,
            "{path} differs from the site held in memory"
        );
    }
    for big in [
        "data/search.js",
        "data/partners.json",
        "data/referrals.csv",
        "data/calendar.ics",
    ] {
        assert!(written[big].len() > 10_000, "{big} is nearly empty");
    }
}

#[test]
fn a_plain_build_writes_the_site_a_build_in_memory_holds() {
    same_as_in_memory("");
}

#[test]
fn a_redacted_build_writes_the_site_a_build_in_memory_holds() {
    same_as_in_memory("privacy:\n  redact_clients: true\n");
}
