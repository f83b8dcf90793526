//! `rapport build --encrypt` as a user runs it: the password from
//! RAPPORT_PASSWORD, none means nothing written, an unchanged book writes
//! nothing, `--rekey` and `--change-password` rewrite everything, another
//! password without `--change-password` is refused,
//! `privacy.encrypt: true` cannot be forgotten, and the password appears
//! in no file and no message.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use rapport::encrypt;
use rapport::site::SiteFiles;
use sample::{rapport_with_password as rapport, sample, stderr};

const PASSWORD: &str = "saffron-kettle 5521 drift";

/// Every file under `dir`, as a site.
fn read_site(dir: &Path) -> SiteFiles {
    files::files_under(dir)
        .into_iter()
        .map(|(rel, bytes)| (rel, Arc::from(bytes)))
        .collect()
}

/// `(written, unchanged, removed)` from the last line.
fn stats(o: &Output) -> (usize, usize, usize) {
    let err = stderr(o);
    let line = err.lines().last().unwrap();
    let n = |word: &str| -> usize {
        let before = line.split(word).next().unwrap();
        before
            .split([' ', ','])
            .rfind(|s| !s.is_empty())
            .unwrap()
            .parse()
            .unwrap()
    };
    (n(" files written"), n(" unchanged"), n(" removed"))
}

fn assert_no_password(o: &Output, password: &str) {
    assert!(
        !stderr(o).contains(password),
        "the password is in a message"
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains(password));
}

#[test]
fn an_encrypted_build_writes_a_site_that_only_the_password_opens() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let o_s = out.to_str().unwrap();
    let book = sample();
    let book = book.to_str().unwrap();

    let o = rapport(&["build", book, "-o", o_s, "--encrypt"], Some(PASSWORD));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_no_password(&o, PASSWORD);
    let site = read_site(&out);
    assert!(site.contains_key(encrypt::SALT_FILE));
    assert!(
        !site.keys().any(|p| p.contains("okafor")),
        "{:?}",
        site.keys()
    );
    for (path, bytes) in &site {
        assert!(
            !String::from_utf8_lossy(bytes).contains(PASSWORD),
            "{path} holds the password"
        );
    }
    // It decrypts to the plain build of the same book.
    let key = encrypt::key_of_site(&site, PASSWORD).unwrap();
    let decrypted = encrypt::decrypt_site(&site, &key).unwrap();
    let plain_dir = tempfile::tempdir().unwrap();
    let o = rapport(
        &["build", book, "-o", plain_dir.path().to_str().unwrap()],
        None,
    );
    assert!(o.status.success());
    let plain = read_site(plain_dir.path());
    assert!(decrypted["data/referrals.csv"] == plain["data/referrals.csv"]);
    // The report links to partner pages by their opaque names; mapped back,
    // it is the plain report.
    let back: BTreeMap<String, String> = encrypt::renamed(&plain, &key)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(a, b)| (b, a))
        .collect();
    let report = String::from_utf8_lossy(&decrypted["reports/readiness.html"]).into_owned();
    let data: Vec<&str> = plain
        .keys()
        .filter(|p| p.starts_with("data/"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        encrypt::rewrite_links(&report, "reports/readiness.html", &back),
        encrypt::prepare_page(
            &String::from_utf8_lossy(&plain["reports/readiness.html"]),
            "reports/readiness.html",
            &BTreeMap::new(),
            &data
        ),
        "the report does not decrypt to the plain one (less its own policy)"
    );

    // Built again without --encrypt: refused, the encrypted site stays.
    let o = rapport(&["build", book, "-o", o_s], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--encrypt"), "{}", stderr(&o));
    assert!(read_site(&out) == site, "the encrypted site changed");

    // Built again: nothing rendered, nothing written (the record of the
    // last build's inputs, under the same key).
    let o = rapport(&["build", book, "-o", o_s, "--encrypt"], Some(PASSWORD));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing changed, 0 files written"),
        "{}",
        stderr(&o)
    );
    assert!(read_site(&out) == site, "an unchanged book changed files");

    // --rekey: a new salt, every encrypted file rewritten, the old names gone.
    let o = rapport(
        &["build", book, "-o", o_s, "--encrypt", "--rekey"],
        Some(PASSWORD),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("new salt"), "{}", stderr(&o));
    let rekeyed = read_site(&out);
    let encrypted = site
        .keys()
        .filter(|p| encrypt::is_encrypted(p))
        .collect::<Vec<_>>();
    for p in &encrypted {
        assert_ne!(rekeyed.get(*p), site.get(*p), "{p} was not rewritten");
    }
    assert!(stats(&o).0 >= encrypted.len(), "{}", stderr(&o));
    assert!(encrypt::key_of_site(&rekeyed, PASSWORD).is_ok());

    // Another password: refused (a typo must not re-encrypt the site),
    // exit 1, nothing written.
    let other = "velvet orbit canyon tulip ledger ninety";
    let o = rapport(&["build", book, "-o", o_s, "--encrypt"], Some(other));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("does not open the encrypted site")
            && stderr(&o).contains("--change-password"),
        "{}",
        stderr(&o)
    );
    assert_no_password(&o, other);
    assert!(
        read_site(&out) == rekeyed,
        "a refused password changed files"
    );

    // With --change-password: everything rewritten, the old one no longer
    // opens.
    let o = rapport(
        &["build", book, "-o", o_s, "--change-password"],
        Some(other),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("new password"), "{}", stderr(&o));
    assert_no_password(&o, other);
    let renewed = read_site(&out);
    assert_eq!(
        encrypt::key_of_site(&renewed, PASSWORD).unwrap_err(),
        encrypt::DecryptError::WrongPassword
    );
    assert!(encrypt::key_of_site(&renewed, other).is_ok());
}

#[test]
fn without_a_password_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let book = sample();
    let o = rapport(
        &[
            "build",
            book.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--encrypt",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("RAPPORT_PASSWORD"), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was written"));
    assert!(!out.exists(), "something was written");

    let missing = dir.path().join("no-such-file");
    let o = rapport(
        &[
            "build",
            book.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--password-file",
            missing.to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot read the password file"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn privacy_encrypt_in_the_settings_encrypts_every_build() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    fs::create_dir_all(book.join("partners")).unwrap();
    for e in fs::read_dir(sample().join("partners")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            fs::copy(e.path(), book.join("partners").join(e.file_name())).unwrap();
        }
    }
    let yaml = fs::read_to_string(sample().join("rapport.yaml")).unwrap();
    let on = if yaml.contains("encrypt: false") {
        yaml.replacen("encrypt: false", "encrypt: true", 1)
    } else {
        assert!(yaml.contains("redact_clients: false"));
        yaml.replace(
            "redact_clients: false",
            "redact_clients: false\n  encrypt: true",
        )
    };
    fs::write(book.join("rapport.yaml"), on).unwrap();
    let out = book.join("public");
    let b = book.to_str().unwrap();

    // No password, no flag: refused, nothing written.
    let o = rapport(&["build", b], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!out.exists());

    // With the password: encrypted without being asked for it on the command line.
    let o = rapport(&["build", b], Some(PASSWORD));
    assert!(o.status.success(), "{}", stderr(&o));
    let site = read_site(&out);
    let key = encrypt::key_of_site(&site, PASSWORD).unwrap();
    let pages: BTreeMap<_, _> = encrypt::decrypt_site(&site, &key)
        .unwrap()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .collect();
    assert!(pages.len() > 5);
    assert!(String::from_utf8_lossy(&site["index.html"]).contains("Private site"));
    // watch and serve write nothing into the book's output folder, but
    // preview elsewhere.
    use rapport::pipeline::session::{Rebuild, Session};
    let opts = rapport::pipeline::stages::Options {
        root: book.clone(),
        ..Default::default()
    };
    assert!(matches!(
        Session::new(&opts).rebuild(&Default::default()),
        Rebuild::WriteError(_)
    ));
    assert!(read_site(&out) == site, "the encrypted site changed");
    let preview = dir.path().join("preview");
    let opts = rapport::pipeline::stages::Options {
        output: Some(preview.clone()),
        ..opts
    };
    assert!(matches!(
        Session::new(&opts).rebuild(&Default::default()),
        Rebuild::Built { .. }
    ));
    assert!(preview.join("index.html").exists());
    // `check` is unaffected and needs no password.
    let o = rapport(&["check", b], None);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn watch_and_serve_never_write_a_plain_site_over_an_encrypted_one() {
    use rapport::pipeline::session::{Rebuild, Session, WriteError};
    use rapport::pipeline::stages::Options;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let o = rapport(
        &[
            "build",
            sample().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--encrypt",
        ],
        Some(PASSWORD),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let before = read_site(&out);
    let opts = Options {
        root: sample(),
        output: Some(out.clone()),
        ..Options::default()
    };
    match Session::new(&opts).rebuild(&Default::default()) {
        Rebuild::WriteError(e @ WriteError::Refused(_)) => {
            assert!(e.to_string().contains("never encrypt"), "{e}")
        }
        _ => panic!("a plain site was written over the encrypted one"),
    }
    assert!(read_site(&out) == before, "the encrypted site changed");
    // Another folder is fine.
    let preview = dir.path().join("preview");
    let opts = Options {
        output: Some(preview.clone()),
        ..opts
    };
    assert!(matches!(
        Session::new(&opts).rebuild(&Default::default()),
        Rebuild::Built { .. }
    ));
    assert!(preview.join("index.html").exists());
}
