//! Encrypted publishing, checked in Rust: every written file decrypts back
//! to the plain build, the same book and password give the same bytes, a
//! changed page changes only its file, and nothing readable is left in
//! any written file or file name.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use rapport::encrypt::{self, KeyOrigin, SaltRecord, SiteKey};
use rapport::pipeline::output;
use rapport::site::SiteFiles;
use sample::sample;

/// The policy `<meta>` of every plain page (templates/base.html).
const CSP_META: &str = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'">"#;
const PASSWORD: &str = "correct horse battery staple 42";

fn key() -> SiteKey {
    encrypt::derive_key(PASSWORD, &encrypt::new_salt())
}

fn inverse(map: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    map.iter().map(|(a, b)| (b.clone(), a.clone())).collect()
}

fn page_names(plain: &SiteFiles, key: &SiteKey) -> BTreeMap<String, String> {
    encrypt::renamed(plain, key)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .collect()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn every_written_file_decrypts_back_to_the_plain_build() {
    let plain = sample::in_memory(&sample());
    let key = key();
    let written = encrypt::encrypt_site(&plain, &key);

    // The password and the salt file give the key back; a wrong one does not.
    let again = encrypt::key_of_site(&written, PASSWORD).expect("the password opens the site");
    assert_eq!(again.salt(), key.salt());
    assert_eq!(
        encrypt::key_of_site(&written, "correct horse battery staple 43").unwrap_err(),
        encrypt::DecryptError::WrongPassword
    );
    let decrypted = encrypt::decrypt_site(&written, &again).expect("every file opens");

    // Partner pages are renamed (and only they); data files keep their names
    // once decrypted; nothing else is added or lost.
    let names = page_names(&plain, &key);
    let partner_pages = plain
        .keys()
        .filter(|p| p.starts_with("partners/") && p.as_str() != "partners/index.html")
        .count();
    assert_eq!(names.len(), partner_pages);
    assert!(partner_pages >= 10, "{partner_pages}");
    let expected_paths: BTreeSet<String> = plain
        .keys()
        .map(|p| names.get(p).cloned().unwrap_or_else(|| p.clone()))
        .collect();
    let got_paths: BTreeSet<String> = decrypted.keys().cloned().collect();
    assert_eq!(got_paths, expected_paths);

    // What is compared: each decrypted page, its links to renamed pages
    // mapped back to the plain names, equals the plain page byte for byte;
    // each decrypted data file and each file left in clear equals the plain
    // file byte for byte.
    // A page loses its own policy (the locked page's stays in force).
    let back = inverse(&names);
    let data: Vec<&str> = plain
        .keys()
        .filter(|p| p.starts_with("data/"))
        .map(String::as_str)
        .collect();
    for (path, bytes) in &plain {
        let at = names.get(path).unwrap_or(path);
        let got = &decrypted[at];
        if path.ends_with(".html") {
            let restored = encrypt::rewrite_links(text(got), at, &back);
            let without_policy = encrypt::prepare_page(text(bytes), path, &BTreeMap::new(), &data);
            assert!(
                restored == without_policy,
                "{path} (written as {at}) does not decrypt to the plain page"
            );
            assert!(!restored.contains("Content-Security-Policy"), "{path}");
            assert_eq!(
                text(bytes).replacen(CSP_META, "", 1),
                without_policy,
                "{path}: more than the policy went"
            );
            // And the other way: the decrypted page is the plain page with
            // its links mapped.
            assert_eq!(
                text(got),
                encrypt::prepare_page(text(bytes), at, &names, &data)
            );
        } else if path == rapport::render::search::FILE {
            // The search index names partner pages by their written names.
            let plain_back =
                rapport::render::search::rename_pages(got, &|p| back.get(p).cloned()).unwrap();
            assert_eq!(
                rapport::render::search::parse_index(&plain_back),
                rapport::render::search::parse_index(bytes),
                "{path} differs once decrypted"
            );
        } else {
            assert!(got[..] == bytes[..], "{path} differs once decrypted");
        }
    }
    // The mapping did something: the dashboard links to opaque names only.
    let dashboard = text(&decrypted["index.html"]);
    for (old, new) in &names {
        assert!(
            !dashboard.contains(&format!("\"{old}\"")),
            "{old} still linked"
        );
        if text(&plain["index.html"]).contains(&format!("\"{old}\"")) {
            assert!(
                dashboard.contains(&format!("\"{new}\"")),
                "{new} not linked"
            );
        }
    }
}

/// Every `href` and `src` value in a page (double-quoted, as rapport writes them).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].to_string());
        }
    }
    out
}

#[test]
fn every_link_of_a_decrypted_page_reaches_a_written_file() {
    let plain = sample::in_memory(&sample());
    let key = key();
    let written = encrypt::encrypt_site(&plain, &key);
    let decrypted = encrypt::decrypt_site(&written, &key).unwrap();
    let checked = files::assert_links_land(
        decrypted
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(p, b)| (p, &b[..])),
        &|target| written.contains_key(target),
        &links,
        // The dashboard's calendar link leads to a data file, which an
        // encrypted site only carries inside its script: not a download.
        &|path| path.contains(':') || path.ends_with("data/calendar.ics"),
    );
    assert!(checked > 200, "only {checked} links checked");
}

#[test]
fn the_same_book_and_password_give_the_same_bytes_and_one_change_one_file() {
    let plain = sample::in_memory(&sample());
    let salt = encrypt::new_salt();
    let first = encrypt::encrypt_site(&plain, &encrypt::derive_key(PASSWORD, &salt));
    let second = encrypt::encrypt_site(&plain, &encrypt::derive_key(PASSWORD, &salt));
    assert!(first == second, "two encryptions of one site differ");

    // One page changed: only its file changes.
    let mut changed = plain.clone();
    let page = "partners/maya-okafor.html";
    let mut bytes = changed[page].to_vec();
    bytes.extend_from_slice(b"\n<!-- edited -->\n");
    changed.insert(page.to_string(), Arc::from(bytes));
    let key = encrypt::derive_key(PASSWORD, &salt);
    let third = encrypt::encrypt_site(&changed, &key);
    let differing: Vec<&String> = first
        .keys()
        .filter(|p| first.get(*p) != third.get(*p))
        .collect();
    assert_eq!(
        differing,
        vec![&format!("partners/{}.html", key.opaque_name("maya-okafor"))]
    );
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        third.keys().collect::<Vec<_>>()
    );

    // A new salt rewrites every encrypted file.
    let other = encrypt::encrypt_site(&plain, &key_with_new_salt());
    for (path, bytes) in &first {
        if encrypt::is_encrypted(path) {
            assert!(other.get(path) != Some(bytes), "{path} did not change");
        }
    }
}

fn key_with_new_salt() -> SiteKey {
    encrypt::derive_key(PASSWORD, &encrypt::new_salt())
}

#[test]
fn an_unchanged_book_written_again_writes_nothing_and_a_new_password_rewrites_all() {
    let plain = sample::in_memory(&sample());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();

    let (key, origin) = encrypt::key_for_output(out, PASSWORD, false);
    assert_eq!(
        origin,
        KeyOrigin::NewSalt {
            password_changed: false
        }
    );
    let stats = output::write_site(out, &encrypt::encrypt_site(&plain, &key)).unwrap();
    assert!(stats.written > 20);
    let record = encrypt::read_salt(out).expect("the salt is kept");
    assert_eq!(record, SaltRecord::of(&key));

    // The same password: the kept salt, and nothing is rewritten.
    let (same, origin) = encrypt::key_for_output(out, PASSWORD, false);
    assert_eq!(origin, KeyOrigin::Kept);
    assert_eq!(same.salt(), key.salt());
    let stats = output::write_site(out, &encrypt::encrypt_site(&plain, &same)).unwrap();
    assert_eq!((stats.written, stats.removed), (0, 0), "{stats:?}");

    // `--rekey`: a new salt, every encrypted file rewritten, old names gone.
    let (rekeyed, origin) = encrypt::key_for_output(out, PASSWORD, true);
    assert!(matches!(origin, KeyOrigin::NewSalt { .. }));
    assert_ne!(rekeyed.salt(), key.salt());
    let stats = output::write_site(out, &encrypt::encrypt_site(&plain, &rekeyed)).unwrap();
    let encrypted = plain.keys().filter(|p| encrypt::is_encrypted(p)).count();
    assert!(stats.written > encrypted, "{stats:?}");
    assert_eq!(stats.removed, page_names(&plain, &key).len(), "{stats:?}");

    // A different password is noticed: a new salt again.
    let (_, origin) = encrypt::key_for_output(out, "another password", false);
    assert_eq!(
        origin,
        KeyOrigin::NewSalt {
            password_changed: true
        }
    );
}

#[test]
fn a_file_moved_or_altered_does_not_open() {
    let plain = sample::in_memory(&sample());
    let key = key();
    let written = encrypt::encrypt_site(&plain, &key);
    // Swap two partner pages: each names its own path, so neither opens.
    let pages: Vec<&String> = written
        .keys()
        .filter(|p| p.starts_with("partners/") && p.as_str() != "partners/index.html")
        .take(2)
        .collect();
    let mut swapped = written.clone();
    swapped.insert(pages[0].clone(), written[pages[1]].clone());
    swapped.insert(pages[1].clone(), written[pages[0]].clone());
    assert!(matches!(
        encrypt::decrypt_site(&swapped, &key),
        Err(encrypt::DecryptError::Damaged(_))
    ));
    // Another key opens nothing.
    assert!(encrypt::decrypt_site(&written, &key_with_new_salt()).is_err());
}

// ---- leaks ----

/// The strings of the note's front matter that must never be readable:
/// names, firms, contacts, clients, notes, summaries, actions, and values.
fn secrets_of_notes(book: &Path) -> Vec<String> {
    fn collect(v: &yaml_serde::Value, key: &str, out: &mut Vec<String>) {
        use yaml_serde::Value;
        const TEXT: &[&str] = &[
            "name",
            "firm",
            "email",
            "phone",
            "website",
            "client",
            "note",
            "summary",
            "action",
            "assistant",
        ];
        match v {
            Value::String(s) if TEXT.contains(&key) => out.push(s.clone()),
            Value::Number(n) if key == "value" => {
                let n = n.as_f64().unwrap() as u64;
                if n >= 1000 {
                    out.push(n.to_string());
                    let s = n.to_string();
                    let (a, b) = s.split_at(s.len() - 3);
                    out.push(format!("{a},{b}"));
                }
            }
            Value::Sequence(items) => items.iter().for_each(|i| collect(i, key, out)),
            Value::Mapping(m) => {
                for (k, v) in m {
                    collect(v, k.as_str().unwrap_or(""), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(book.join("partners")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = fs::read_to_string(entry.path()).unwrap();
        let mut parts = text.splitn(3, "---\n");
        parts.next();
        let front: yaml_serde::Value = yaml_serde::from_str(parts.next().unwrap()).unwrap();
        collect(&front, "", &mut out);
        // The note's text: each line long enough to be distinctive.
        for line in parts.next().unwrap_or("").lines() {
            let line = line.trim();
            if line.len() >= 24 && line.is_char_boundary(24) {
                out.push(line[..24].to_string());
            }
        }
        let slug = entry
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        out.push(slug);
    }
    out
}

/// The text with every run of 20 or more base64 characters removed: the
/// ciphertexts, salts, hashes and opaque names, which short numbers could
/// match by chance.
fn without_base64(s: &str) -> String {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=';
    let mut out = String::new();
    let mut run = String::new();
    for c in s.chars() {
        if is_b64(c) {
            run.push(c);
        } else {
            if run.len() < 20 {
                out.push_str(&run);
            }
            run.clear();
            out.push(c);
        }
    }
    if run.len() < 20 {
        out.push_str(&run);
    }
    out
}

/// Whether `number` occurs in `hay` as a whole number (no digit on
/// either side).
fn contains_number(hay: &str, number: &str) -> bool {
    hay.match_indices(number).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + number.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Each secret, and its escaped forms, as written by a plain build.
fn forms(secret: &str) -> Vec<String> {
    let mut f = vec![
        secret.to_lowercase(),
        html_escaped(secret).to_lowercase(),
        secret.replace('\'', "’").to_lowercase(),
    ];
    f.sort();
    f.dedup();
    f
}

/// Builds `book` plain and encrypted into folders, and checks that every
/// secret readable in the plain site is nowhere in the encrypted one.
fn assert_no_leak(book: &Path, extra: &[&str], at_least: usize) {
    let mut secrets = secrets_of_notes(book);
    secrets.extend(extra.iter().map(|s| s.to_string()));
    let plain = sample::in_memory(book);
    let plain_dir = tempfile::tempdir().unwrap();
    output::write_site(plain_dir.path(), &plain).unwrap();
    let plain_text: String = files::files_under(plain_dir.path())
        .iter()
        .map(|(p, b)| format!("{p}\n{}\n", String::from_utf8_lossy(b)))
        .collect::<String>()
        .to_lowercase();

    // Only secrets the plain site shows count: the test must be able to fail.
    let shown: Vec<String> = secrets
        .into_iter()
        .filter(|s| forms(s).iter().any(|f| plain_text.contains(f)))
        .collect();
    assert!(
        shown.len() >= at_least,
        "only {} secrets found in the plain site: {shown:?}",
        shown.len()
    );

    let dir = tempfile::tempdir().unwrap();
    let (key, _) = encrypt::key_for_output(dir.path(), PASSWORD, false);
    output::write_site(dir.path(), &encrypt::encrypt_site(&plain, &key)).unwrap();
    let written = files::files_under(dir.path());
    assert!(written.len() >= plain.len());
    for (path, bytes) in &written {
        let content = String::from_utf8_lossy(bytes).to_lowercase();
        let readable = without_base64(&content);
        let name = path.to_lowercase();
        for secret in &shown {
            for form in forms(secret) {
                // Names and sentences cannot appear in base64 (they hold
                // spaces or dashes); numbers are looked for outside it.
                if form.chars().all(|c| c.is_ascii_digit() || c == ',') {
                    assert!(
                        !contains_number(&readable, &form),
                        "{path} holds {secret:?} in clear"
                    );
                } else {
                    assert!(!content.contains(&form), "{path} holds {secret:?} in clear");
                    assert!(
                        !name.contains(&form),
                        "the file name {path} holds {secret:?}"
                    );
                }
            }
        }
        assert!(
            !content.contains(&PASSWORD.to_lowercase()),
            "{path} holds the password"
        );
    }
}

#[test]
fn the_encrypted_sample_site_holds_no_name_client_firm_value_or_note() {
    assert_no_leak(
        &sample(),
        &[
            "Camila Rivera",
            "Rivera Wealth Partners",
            "Referral partners",
        ],
        150,
    );
}

#[test]
fn a_book_of_planted_names_and_numbers_leaks_none_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path();
    fs::create_dir_all(book.join("partners")).unwrap();
    fs::write(
        book.join("rapport.yaml"),
        "title: Zanzibar Quillfeather Private Office\nas_of: 2026-11-01\nadvisor:\n  name: Orsolya Vantablack\n  ideal_clients: [glassblowers]\n",
    )
    .unwrap();
    fs::write(
        book.join("partners/xerxes-plumtree.md"),
        "---\nname: Xerxes Plumtree\nfirm: Quokkaworks Fiduciary LLP\nprofession: Zither tuner\nrole: esp\n\
         email: xerxes@quokkaworks.example\nphone: \"(555) 987-6543\"\n\
         referrals:\n  - date: 2026-03-02\n    direction: given\n    client: Wilhelmina Oxtongue\n    value: 987654\n    \
         outcome: exceeded\n    note: Marmalade sonata for the heptagonal trust\n  \
         - date: 2026-05-09\n    direction: received\n    client: Bartholomew Ziggurat\n    value: 314159\n    outcome: won\n\
         next_step:\n  date: 2026-12-01\n  action: Phone Xerxes about the velvet harpsichord\n---\n\
         Xerxes keeps a ledger of every pelican he has ever photographed in Ulaanbaatar.\n",
    )
    .unwrap();
    assert_no_leak(
        book,
        &[
            "Zanzibar Quillfeather",
            "Orsolya Vantablack",
            "Zither tuner",
            "glassblowers",
            "pelican",
            "Ulaanbaatar",
        ],
        14,
    );
}
