//! Files on disk for the tests: every file under a folder, to compare sites;
//! a copy of one, to work on a book without touching the original; the
//! lines an edit added to a note; where a page's relative link leads.

#![allow(dead_code)] // each test uses what it needs

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Every file under `dir` (hidden ones too), by relative path with `/`,
/// with its bytes.
pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Copies the folder `from` to `to`, with everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    copy_dir_except(from, to, None);
}

/// Copies a book to `to` without the site it holds (a `public` folder at
/// any depth), so a test or benchmark starts from the notes alone.
pub fn copy_book(from: &Path, to: &Path) {
    copy_dir_except(from, to, Some("public"));
}

fn copy_dir_except(from: &Path, to: &Path, skip: Option<&str>) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if skip.is_some_and(|s| entry.file_name() == s) {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir_except(&entry.path(), &target, skip);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The lines `after` has that `before` has not, when `before` is `after`
/// with some lines taken out (every line of `before` is in `after`, in
/// order); panics otherwise.
pub fn inserted(before: &str, after: &str) -> Vec<String> {
    let mut b = before.split_inclusive('\n').peekable();
    let mut added = Vec::new();
    for line in after.split_inclusive('\n') {
        if b.peek() == Some(&line) {
            b.next();
        } else {
            added.push(line.to_string());
        }
    }
    assert!(
        b.peek().is_none(),
        "lines of the note changed, not only added:\n{after}"
    );
    added
}

/// The site path a relative link of `page` leads to (`link` without its
/// `#fragment` or `?query`): `../partners/a.html` from
/// `reports/x.html` is `partners/a.html`.
pub fn link_target(page: &str, link: &str) -> String {
    let mut parts: Vec<String> = Path::new(page)
        .parent()
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    for seg in link.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." => {}
            _ => parts.push(seg.to_string()),
        }
    }
    parts.join("/")
}

/// Asserts that each link `links_of` finds on each of `pages` (its site
/// path, its HTML) leads to a file that `written` holds, the link cut at
/// its `#fragment` or `?query`; a link that `skip` names (or an empty
/// one) is passed over. Gives how many links were checked.
pub fn assert_links_land<'a>(
    pages: impl IntoIterator<Item = (&'a String, &'a [u8])>,
    written: &dyn Fn(&str) -> bool,
    links_of: &dyn Fn(&str) -> Vec<String>,
    skip: &dyn Fn(&str) -> bool,
) -> usize {
    let mut checked = 0;
    for (page, bytes) in pages {
        for link in links_of(std::str::from_utf8(bytes).unwrap()) {
            let path = link.split(['#', '?']).next().unwrap();
            if path.is_empty() || skip(path) {
                continue;
            }
            let target = link_target(page, path);
            assert!(
                written(&target),
                "{page} links to {link}, which is not written"
            );
            checked += 1;
        }
    }
    checked
}
