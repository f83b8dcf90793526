//! A shared output folder and a hostile book: links planted in the output
//! folder are never followed, an output path through a missing folder is
//! resolved before it is checked, nothing outside the book is published
//! from `static/`, and builds killed at random moments (SIGKILL, SIGTERM,
//! Ctrl-C) leave, once the next command has run, the old site or the new
//! one, whole, with no file left aside.

#[path = "common/files.rs"]
mod files;
#[path = "common/sample.rs"]
mod sample;

use rapport::site;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A copy of the sample book in a fresh folder.
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    files::copy_dir(&sample::sample(), &root);
    let _ = fs::remove_dir_all(root.join("public"));
    (dir, root)
}

/// A folder outside the book holding `names`, each with its own bytes.
fn outside(dir: &Path, names: &[&str]) -> BTreeMap<String, Vec<u8>> {
    fs::create_dir_all(dir).unwrap();
    for n in names {
        fs::write(dir.join(n), format!("precious {n}")).unwrap();
    }
    files::files_under(dir)
}

#[test]
fn links_in_the_output_folder_are_never_written_or_deleted_through() {
    let (d, root) = sample_copy();
    let out = d.path().join("site");
    sample::build_ok(&root, &out);
    let theirs = d.path().join("theirs");
    let before = outside(&theirs, &["lena-park.html", "index.html", "notes.txt"]);

    // A folder of the site swapped for a link to someone else's folder.
    fs::remove_dir_all(out.join("partners")).unwrap();
    symlink(&theirs, out.join("partners")).unwrap();
    let o = sample::build(&root, &out);
    assert!(!o.status.success(), "the build must refuse the link");
    assert!(
        stderr(&o).contains("partners") && stderr(&o).contains("link"),
        "{}",
        stderr(&o)
    );
    assert_eq!(files::files_under(&theirs), before, "nothing written there");
    fs::remove_file(out.join("partners")).unwrap();
    sample::build_ok(&root, &out);

    // A file of the site swapped for a link: replaced, not written through.
    fs::remove_file(out.join("index.html")).unwrap();
    symlink(theirs.join("index.html"), out.join("index.html")).unwrap();
    fs::write(root.join("rapport.yaml"), {
        let mut s = fs::read_to_string(root.join("rapport.yaml")).unwrap();
        s.push_str("\n# changed\n");
        s
    })
    .unwrap();
    sample::build_ok(&root, &out);
    let index = fs::symlink_metadata(out.join("index.html")).unwrap();
    assert!(index.file_type().is_file(), "a file of rapport's own again");
    assert_eq!(files::files_under(&theirs), before);

    // A folder rapport wrote, now a link, whose files are gone from the
    // site: nothing is deleted through it.
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/notes.txt"), "a static file").unwrap();
    sample::build_ok(&root, &out);
    assert!(out.join("img/notes.txt").is_file());
    fs::remove_dir_all(root.join("static/img")).unwrap();
    fs::remove_dir_all(out.join("img")).unwrap();
    symlink(&theirs, out.join("img")).unwrap();
    let o = sample::build(&root, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        files::files_under(&theirs),
        before,
        "nothing deleted through the link"
    );
    assert!(fs::symlink_metadata(out.join("img"))
        .unwrap()
        .file_type()
        .is_symlink());
    // And no command leaves a file aside anywhere.
    let left: Vec<String> = files::files_under(d.path())
        .into_keys()
        .filter(|k| k.contains("rapport-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_output_path_through_a_missing_folder_is_resolved_before_it_is_checked() {
    let (d, root) = sample_copy();
    // Someone's own folder, with their own index.html.
    let theirs = d.path().join("theirs");
    fs::create_dir_all(&theirs).unwrap();
    fs::write(theirs.join("index.html"), "my own page").unwrap();
    let o = sample::build(&root, &theirs.join("new/.."));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(theirs.join("index.html")).unwrap(),
        "my own page"
    );
    assert_eq!(fs::read_dir(&theirs).unwrap().count(), 1, "nothing added");

    // The notes folder and the book itself, reached the same way.
    for out in [
        root.join("partners/new/.."),
        root.join("new/.."),
        root.join("new/../partners/./x/.."),
    ] {
        let before = files::files_under(&root);
        let o = sample::build_with(&root, &out, &["--force"]);
        assert!(!o.status.success(), "{}: {}", out.display(), stderr(&o));
        assert!(
            stderr(&o).contains("output folder cannot be"),
            "{}",
            stderr(&o)
        );
        assert_eq!(files::files_under(&root), before, "{}", out.display());
        assert!(!root.join("new").exists() && !root.join("partners/new").exists());
    }

    // A path that resolves to a good folder is used as that folder.
    let site = d.path().join("site");
    sample::build_ok(&root, &d.path().join("new/../site"));
    assert!(site.join("index.html").is_file());
    assert!(!d.path().join("new").exists());
}

#[test]
fn nothing_outside_the_book_is_published_and_every_skipped_file_is_named() {
    let (d, root) = sample_copy();
    let secret = d.path().join("secret");
    outside(&secret, &["secret.txt"]);

    // The whole static folder a link to a folder outside the book.
    let _ = fs::remove_dir_all(root.join("static"));
    symlink(&secret, root.join("static")).unwrap();
    let out = d.path().join("site");
    let o = sample::build_ok(&root, &out);
    assert!(!out.join("secret.txt").exists(), "published from outside");
    assert!(stderr(&o).contains("static"), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));

    // A real static folder with links in it.
    fs::remove_file(root.join("static")).unwrap();
    fs::create_dir_all(root.join("static/docs")).unwrap();
    fs::write(root.join("static/docs/guide.txt"), "a guide").unwrap();
    symlink("guide.txt", root.join("static/docs/latest.txt")).unwrap();
    symlink(secret.join("secret.txt"), root.join("static/leak.txt")).unwrap();
    symlink(&secret, root.join("static/more")).unwrap();
    symlink(root.join("partners"), root.join("static/notes")).unwrap();
    symlink(root.join("rapport.yaml"), root.join("static/settings.txt")).unwrap();
    let o = sample::build_ok(&root, &out);
    let err = stderr(&o);
    let site = files::files_under(&out);
    assert_eq!(site["docs/guide.txt"], b"a guide");
    assert_eq!(site["docs/latest.txt"], b"a guide", "a link inside static/");
    for gone in ["leak.txt", "more/secret.txt", "notes", "settings.txt"] {
        assert!(
            !site.keys().any(|k| k.starts_with(gone)),
            "{gone} published"
        );
        let first = gone.split('/').next().unwrap();
        assert!(
            err.contains(&format!("static/{first}")),
            "static/{first} not named: {err}"
        );
    }
    assert!(
        !site
            .values()
            .any(|v| v.windows(8).any(|w| w == b"precious")),
        "nothing from outside"
    );
    // `check` names them too.
    let c = sample::rapport(&[OsStr::new("check"), root.as_os_str()]);
    assert!(String::from_utf8_lossy(&c.stderr).contains("static/leak.txt"));
}

// ------------------------------------------------------------- killed builds

const SETTINGS: &str = "title: Killed builds\nas_of: 2026-11-01\nadvisor:\n  name: Alex Smith\n  ideal_clients: [retirees]\n";

/// A book of `n` notes, built into its own `public/`.
fn book(dir: &Path, n: usize) -> PathBuf {
    let root = dir.join("book");
    fs::create_dir_all(root.join("partners")).unwrap();
    fs::write(root.join("rapport.yaml"), SETTINGS).unwrap();
    for i in 0..n {
        fs::write(
            root.join(format!("partners/partner-{i:03}.md")),
            format!(
                "---\nname: Partner {i:03}\nprofession: CPA\nreferrals:\n  - {{date: 2025-01-15, direction: given, outcome: exceeded}}\n  - {{date: 2026-02-15, direction: received, outcome: won}}\n---\nMet at the chamber lunch.\n"
            ),
        )
        .unwrap();
    }
    root
}

/// The site in `out` without what differs between two builds of it (the
/// lock, the record of the inputs) or what a killed build left aside.
fn site(out: &Path) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
    let mut all = files::files_under(out);
    all.remove(site::LOCK);
    all.remove(site::RECORD);
    let aside: Vec<String> = all
        .keys()
        .filter(|k| k.contains("rapport-tmp") || k.as_str() == site::JOURNAL)
        .cloned()
        .collect();
    for k in &aside {
        all.remove(k);
    }
    (all, aside)
}

/// Which of the two sites `got` is, if either.
fn which(got: &BTreeMap<String, Vec<u8>>, sites: &[BTreeMap<String, Vec<u8>>; 2]) -> Option<usize> {
    sites.iter().position(|s| s == got)
}

fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .take(6)
        .cloned()
        .collect()
}

/// Builds killed at random moments (SIGKILL, SIGTERM or SIGINT), each
/// followed by another command (`check`, or a `log` that fails): after
/// it, the site is the old one or the new one, whole, with no file aside
/// and no journal. After a SIGTERM or SIGINT, the site is whole even
/// before the next command.
#[test]
fn builds_killed_at_random_moments_leave_the_old_or_the_new_site() {
    let d = tempfile::tempdir().unwrap();
    let root = book(d.path(), 150);
    let days = ["2026-11-01", "2026-12-15"];
    let mut sites: [BTreeMap<String, Vec<u8>>; 2] = Default::default();
    for (i, day) in days.iter().enumerate() {
        let r = d.path().join(format!("reference-{i}"));
        let o = sample::build_with(&root, &r, &["--as-of", day]);
        assert!(o.status.success(), "{}", stderr(&o));
        sites[i] = site(&r).0;
    }
    assert_ne!(sites[0], sites[1]);
    let out = root.join("public");
    let run = |day: &str| {
        Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(["build", root.to_str().unwrap(), "--as-of", day])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long a whole build takes, to kill inside it.
    let began = Instant::now();
    assert!(run(days[0]).wait().unwrap().success());
    let whole = began.elapsed().as_micros() as u64 + 1;
    let mut now = 0usize;
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut rnd = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let signals = [libc::SIGKILL, libc::SIGTERM, libc::SIGINT];
    let (mut caught, mut rounds) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(150);
    for i in 0..60 {
        if Instant::now() > deadline {
            break;
        }
        rounds += 1;
        let target = 1 - now;
        let signal = signals[i % 3];
        let mut child = run(days[target]);
        if i % 4 < 2 {
            std::thread::sleep(Duration::from_micros(rnd(whole * 13 / 10)));
        } else {
            // Aimed at the renames: as soon as the journal is there.
            let until = Instant::now() + Duration::from_micros(whole * 3);
            while Instant::now() < until
                && fs::symlink_metadata(out.join(site::JOURNAL)).is_err()
                && child.try_wait().unwrap().is_none()
            {}
        }
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let _ = child.wait();
        let (left, aside) = site(&out);
        if aside.iter().any(|k| k == site::JOURNAL) {
            caught += 1;
        }
        if signal != libc::SIGKILL {
            assert!(
                !aside.iter().any(|k| k == site::JOURNAL),
                "round {i}: a journal after signal {signal}"
            );
            assert!(
                which(&left, &sites).is_some(),
                "round {i}: mixed after signal {signal}: {:?}",
                differences(&left, &sites[now])
            );
        }
        // The next command, whatever it is, puts things right first.
        let next: Vec<&OsStr> = if i % 2 == 0 {
            vec![OsStr::new("check"), root.as_os_str()]
        } else {
            vec![
                OsStr::new("log"),
                OsStr::new("nobody-at-all"),
                OsStr::new("given"),
                root.as_os_str(),
            ]
        };
        sample::rapport(&next);
        let (after, aside) = site(&out);
        assert!(aside.is_empty(), "round {i}: left aside: {aside:?}");
        now = which(&after, &sites).unwrap_or_else(|| {
            panic!(
                "round {i} (signal {signal}): neither site; differs from the old one in {:?}",
                differences(&after, &sites[now])
            )
        });
    }
    eprintln!("{caught} of {rounds} builds were killed while renaming");
}
