//! The rules an encrypted build keeps, as a user meets them: the password
//! from `--password-file`; a weak password refused unless
//! `--allow-weak-password`; `rapport passphrase`; a book template's inline
//! script refused and no hash of any script published; every page padded
//! to a size bucket, so partner pages of different lengths are written at
//! the same size.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use rapport::encrypt;
use sample::{rapport_with_password as rapport, sample, stderr};

const PASSWORD: &str = "saffron kettle drift meadow 5521 lantern";

fn build(out: &Path, extra: &[&str], password: Option<&str>) -> Output {
    let book = sample();
    let mut args = vec!["build", book.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let args: Vec<String> = args.into_iter().map(String::from).collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    rapport(&refs, password)
}

#[test]
fn the_password_comes_from_a_file_and_a_weak_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");

    // A weak password: refused, exit 1, nothing written, the password in
    // no message.
    let weak = "Summer2026!";
    let o = build(&out, &["--encrypt"], Some(weak));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("too weak"), "{}", stderr(&o));
    assert!(stderr(&o).contains("rapport passphrase"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(weak));
    assert!(!out.exists(), "a weak password wrote something");

    // Taken with the flag that says the risk.
    let o = build(&out, &["--encrypt", "--allow-weak-password"], Some(weak));
    assert!(o.status.success(), "{}", stderr(&o));
    let site = files::files_under(&out);
    let written: BTreeMap<String, std::sync::Arc<Vec<u8>>> = site
        .iter()
        .map(|(p, b)| (p.clone(), std::sync::Arc::new(b.clone())))
        .collect();
    assert!(encrypt::key_of_site(&written, weak).is_ok());
    fs::remove_dir_all(&out).unwrap();

    // From a file: its first line, the line end left out; the variable is
    // not needed.
    let file = dir.path().join("password.txt");
    fs::write(&file, format!("{PASSWORD}\n")).unwrap();
    let o = build(
        &out,
        &["--encrypt", "--password-file", file.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let site = files::files_under(&out);
    let written: BTreeMap<String, std::sync::Arc<Vec<u8>>> = site
        .iter()
        .map(|(p, b)| (p.clone(), std::sync::Arc::new(b.clone())))
        .collect();
    assert!(encrypt::key_of_site(&written, PASSWORD).is_ok());
    for (p, b) in &site {
        assert!(
            !String::from_utf8_lossy(b).contains(PASSWORD),
            "{p} holds the password"
        );
    }
}

#[test]
fn passphrase_prints_six_words_of_the_eff_list_that_pass_the_rule() {
    let list: BTreeSet<String> = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/encrypt/eff_large_wordlist.txt"),
    )
    .unwrap()
    .lines()
    .map(String::from)
    .collect();
    assert_eq!(list.len(), 7776);
    let mut seen = BTreeSet::new();
    for _ in 0..3 {
        let o = rapport(&["passphrase"], None);
        assert!(o.status.success(), "{}", stderr(&o));
        let line = String::from_utf8(o.stdout).unwrap();
        let words: Vec<&str> = line.trim_end().split(' ').collect();
        assert_eq!(words.len(), 6, "{line}");
        assert!(words.iter().all(|w| list.contains(*w)), "{line}");
        seen.insert(line);
    }
    assert_eq!(seen.len(), 3, "the same passphrase twice");
    // It opens an encrypted build without the override.
    let dir = tempfile::tempdir().unwrap();
    let p = seen.into_iter().next().unwrap();
    let o = build(
        &dir.path().join("public"),
        &["--encrypt"],
        Some(p.trim_end()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_inline_script_is_refused_and_no_hash_of_a_script_is_published() {
    let dir = tempfile::tempdir().unwrap();
    // The sample, with a base template that runs an inline script.
    let book = dir.path().join("book");
    fs::create_dir_all(book.join("partners")).unwrap();
    fs::create_dir_all(book.join("templates")).unwrap();
    for e in fs::read_dir(sample().join("partners")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            fs::copy(e.path(), book.join("partners").join(e.file_name())).unwrap();
        }
    }
    fs::copy(sample().join("rapport.yaml"), book.join("rapport.yaml")).unwrap();
    let base =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html"))
            .unwrap()
            .replace("</body>", "<script>document.title = 'x';</script>\n</body>");
    fs::write(book.join("templates/base.html"), base).unwrap();
    let out = dir.path().join("public");
    let o = rapport(
        &[
            "build",
            book.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--encrypt",
        ],
        Some(PASSWORD),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("inline script") && stderr(&o).contains("index.html"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "something was written");

    // The sample's own site: every page carries the same policy, with no
    // hash in it, and no file holds one.
    let out = dir.path().join("sample");
    let o = build(&out, &["--encrypt"], Some(PASSWORD));
    assert!(o.status.success(), "{}", stderr(&o));
    let mut policies = BTreeSet::new();
    for (path, bytes) in files::files_under(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("'sha256-"), "{path} publishes a hash");
        if path.ends_with(".html") {
            let at = text.find("Content-Security-Policy\" content=\"").unwrap();
            let rest = &text[at + 34..];
            policies.insert(rest[..rest.find('"').unwrap()].to_string());
        }
    }
    assert_eq!(policies.len(), 1, "{policies:?}");
}

/// The ciphertext of a locked page, decoded.
fn sealed_of(page: &str) -> Vec<u8> {
    let open = "id=\"rapport-ciphertext\">";
    let start = page.find(open).unwrap() + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(page[start..end].trim())
        .unwrap()
}

#[test]
fn every_file_is_padded_to_a_size_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let plain_dir = dir.path().join("plain");
    let o = build(&plain_dir, &[], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("public");
    let o = build(&out, &["--encrypt"], Some(PASSWORD));
    assert!(o.status.success(), "{}", stderr(&o));
    let plain = files::files_under(&plain_dir);
    let written = files::files_under(&out);

    // Each ciphertext is the nonce, a bucket and the tag.
    let bucket =
        |n: usize| n == encrypt::MIN_BUCKET || (n > encrypt::MIN_BUCKET && n.is_power_of_two());
    for (path, bytes) in &written {
        let text = String::from_utf8_lossy(bytes);
        let sealed = if path.ends_with(".html") {
            sealed_of(&text)
        } else if let Some(b64) = path
            .strip_suffix(".js")
            .filter(|p| p.starts_with("data/"))
            .and_then(|_| text.split('"').nth(3))
        {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
        } else {
            continue;
        };
        assert!(bucket(sealed.len() - 28), "{path}: {} bytes", sealed.len());
    }

    // Partner pages of many different lengths are written at one or two
    // sizes: the file sizes do not rank partners.
    let small: BTreeSet<usize> = plain
        .iter()
        .filter(|(p, _)| p.starts_with("partners/") && !p.ends_with("index.html"))
        .map(|(_, b)| b.len())
        .collect();
    assert!(small.len() > 5, "{small:?}");
    let sizes: BTreeSet<usize> = written
        .iter()
        .filter(|(p, _)| p.starts_with("partners/") && !p.ends_with("index.html"))
        .map(|(_, b)| b.len())
        .collect();
    assert!(sizes.len() <= 2, "partner pages written at {sizes:?}");
}
