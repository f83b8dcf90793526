//! Faults and hostile conditions around writing and printing: a write that
//! fails part-way leaves the old site byte for byte, folders rapport does
//! not own are refused, parallel builds, a watch session and a manual
//! build sharing a folder, control characters from notes, closed pipes.

#[path = "common/files.rs"]
mod files;

use rapport::site;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rapport::pipeline::session::{Rebuild, Session};
use rapport::pipeline::stages::Options;

const BIN: &str = env!("CARGO_BIN_EXE_rapport");

const SETTINGS: &str = "title: Fault book\nas_of: 2026-11-01\nwindow_months: 24\nadvisor:\n  name: Alex Smith\n  ideal_clients: [retirees]\n";

fn note(name: &str, body: &str) -> String {
    format!(
        "---\nname: {name}\nprofession: Estate attorney\nideal_clients: [retirees]\nreferrals:\n  - {{date: 2025-01-15, direction: given, outcome: exceeded}}\n  - {{date: 2026-02-15, direction: received, outcome: won}}\n---\n{body}\n"
    )
}

fn slug(i: usize) -> String {
    format!("partner-{i:02}")
}

/// A book of `n` notes in a fresh folder.
fn book(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    fs::create_dir_all(root.join("partners")).unwrap();
    fs::write(root.join("rapport.yaml"), SETTINGS).unwrap();
    add_notes(&root, 0..n);
    (dir, root)
}

fn add_notes(root: &Path, range: std::ops::Range<usize>) {
    for i in range {
        fs::write(
            root.join(format!("partners/{}.md", slug(i))),
            note(&format!("Partner {i:02}"), "Met at the chamber lunch."),
        )
        .unwrap();
    }
}

fn rapport(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("rapport runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", root.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    rapport(&args)
}

fn build_ok(root: &Path, out: &Path) {
    let o = build(root, out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Every folder under `dir`.
fn folders(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect()
}

/// After a failed build: the site as before, byte for byte, no file left
/// aside, no folder added, and the error names a path inside the site.
fn assert_old_site(out: &Path, before: &BTreeMap<String, Vec<u8>>, dirs: &[PathBuf], o: &Output) {
    assert!(!o.status.success(), "the build should fail: {}", stderr(o));
    let after = files::files_under(out);
    let temps: Vec<&String> = after.keys().filter(|k| k.contains("rapport-tmp")).collect();
    assert!(temps.is_empty(), "files left aside: {temps:?}");
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (k, v) in before {
        assert!(after[k] == *v, "{k} changed");
    }
    assert_eq!(folders(out), dirs, "the same folders");
    let err = stderr(o);
    let named = format!("cannot write the site: {}/", out.display());
    assert!(err.contains(&named), "the failing path is named: {err}");
    assert!(err.contains("the previous site is unchanged"), "{err}");
}

/// The book grows from 2 notes to 15 and `change` makes the next write
/// fail; then the old site must be there whole, and once the fault is gone
/// a build writes the new site whole.
fn fault_test(
    out: &Path,
    fault: impl FnOnce(&Path),
    run: impl FnOnce(&Path, &Path) -> Output,
    undo: impl FnOnce(&Path),
) {
    let (_d, root) = book(2);
    build_ok(&root, out);
    let before = files::files_under(out);
    let dirs = folders(out);
    add_notes(&root, 2..15);
    fault(&root);
    let o = run(&root, out);
    assert_old_site(out, &before, &dirs, &o);
    undo(out);
    build_ok(&root, out);
    let site = files::files_under(out);
    assert!(site.keys().all(|k| !k.contains("rapport-tmp")));
    let index = String::from_utf8_lossy(&site["partners/index.html"]).into_owned();
    assert!(index.contains("Partner 14"), "the new site after the fault");
}

/// Mounts a tmpfs of `size` at `at`, when allowed (as root).
fn mount_tmpfs(at: &Path, size: &str) -> bool {
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
    }
    ok
}

struct Unmount(PathBuf);
impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_file_system_leaves_the_old_site() {
    let mnt = tempfile::tempdir().unwrap();
    if !mount_tmpfs(mnt.path(), "8m") {
        return;
    }
    let _guard = Unmount(mnt.path().to_path_buf());
    let out = mnt.path().join("site");
    let filler = mnt.path().join("filler");
    fault_test(
        &out,
        |_| {
            // Fill the file system, then free a little: room for a few
            // small files, not for the new site.
            let mut f = fs::File::create(&filler).unwrap();
            let block = vec![b'x'; 64 * 1024];
            while std::io::Write::write_all(&mut f, &block).is_ok() {}
            let len = f.metadata().unwrap().len();
            f.set_len(len.saturating_sub(24 * 1024)).unwrap();
        },
        |root, out| build(root, out, &[]),
        |_| fs::remove_file(&filler).unwrap(),
    );
}

/// Makes a folder read-only, or writable again. Root ignores permissions,
/// so for root the folder is made immutable instead.
fn read_only(dir: &Path, on: bool, root_user: bool) {
    if root_user {
        let flag = if on { "+i" } else { "-i" };
        let ok = Command::new("chattr").arg(flag).arg(dir).status();
        assert!(ok.is_ok_and(|s| s.success()), "chattr {flag}");
    } else {
        use std::os::unix::fs::PermissionsExt;
        let mode = if on { 0o555 } else { 0o755 };
        fs::set_permissions(dir, fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn a_read_only_sub_folder_leaves_the_old_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let partners = out.join("partners");
    if root_user {
        // chattr needs a file system that supports it.
        let probe = dir.path().join("probe");
        fs::create_dir(&probe).unwrap();
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(&probe)
            .status()
            .is_ok_and(|s| s.success());
        let _ = Command::new("chattr").arg("-i").arg(&probe).status();
        if !ok {
            eprintln!("skipped: running as root and chattr +i is not supported here");
            return;
        }
    }
    let (_d, root) = book(2);
    build_ok(&root, &out);
    let before = files::files_under(&out);
    let dirs = folders(&out);
    add_notes(&root, 2..15);
    read_only(&partners, true, root_user);
    let o = build(&root, &out, &[]);
    read_only(&partners, false, root_user);
    assert_old_site(&out, &before, &dirs, &o);
    let named = format!("cannot write the site: {}/", partners.display());
    assert!(
        stderr(&o).contains(&named),
        "the sub-folder is named: {}",
        stderr(&o)
    );
    build_ok(&root, &out);
    assert!(out.join("partners/partner-14.html").exists());
}

#[test]
fn a_file_size_limit_leaves_the_old_site() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    fault_test(
        &out,
        |root| {
            // One note too big for the limit once rendered.
            let body = "A long story about the partnership. ".repeat(12_000);
            fs::write(
                root.join("partners/partner-07.md"),
                note("Partner 07", &body),
            )
            .unwrap();
        },
        |root, out| {
            let mut cmd = Command::new(BIN);
            cmd.args(["build", root.to_str().unwrap(), "-o", out.to_str().unwrap()])
                .env("NO_COLOR", "1");
            // SAFETY: only async-signal-safe calls between fork and exec.
            unsafe {
                cmd.pre_exec(|| {
                    let limit = libc::rlimit {
                        rlim_cur: 200 * 1024,
                        rlim_max: 200 * 1024,
                    };
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    // A write past the limit fails with EFBIG instead of
                    // killing the process.
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    Ok(())
                });
            }
            cmd.output().unwrap()
        },
        |_| {},
    );
}

#[test]
fn a_write_killed_between_renames_is_repaired_by_the_next_build() {
    let (_d, root) = book(3);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build_ok(&root, &out);
    // What a build killed while renaming leaves: a journal of both sites,
    // some pages new, a file still aside, the old manifest.
    fs::write(
        out.join("partners/gone-partner.html"),
        "from the killed build",
    )
    .unwrap();
    fs::write(out.join("index.html"), "half new").unwrap();
    fs::write(
        out.join("partners/.partner-01.html.4242.7.rapport-tmp"),
        "aside",
    )
    .unwrap();
    let mut journal = fs::read_to_string(out.join(site::MANIFEST)).unwrap();
    journal.push_str("partners/gone-partner.html\n");
    fs::write(out.join(site::JOURNAL), journal).unwrap();
    build_ok(&root, &out);
    let site = files::files_under(&out);
    assert!(
        !site.contains_key("partners/gone-partner.html"),
        "a page of the killed build"
    );
    assert!(!site.contains_key(site::JOURNAL));
    assert!(
        site.keys().all(|k| !k.contains("rapport-tmp")),
        "{:?}",
        site.keys()
    );
    let fresh = tempfile::tempdir().unwrap();
    build_ok(&root, fresh.path());
    let clean = files::files_under(fresh.path());
    let strip = |m: &BTreeMap<String, Vec<u8>>| {
        m.iter()
            .filter(|(k, _)| k.as_str() != site::LOCK && k.as_str() != site::RECORD)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert!(
        strip(&site) == strip(&clean),
        "the repaired site equals a fresh one"
    );
}

/// The real thing: builds killed with SIGKILL at many moments, each
/// followed by a good build, which must leave exactly the site a fresh
/// build writes.
#[test]
fn builds_killed_at_any_moment_are_repaired_by_the_next_build() {
    let (d, root) = book(40);
    let strip = |mut m: BTreeMap<String, Vec<u8>>| {
        m.remove(site::LOCK);
        // The record of the last build's inputs names inodes and times,
        // which differ between two builds of the same site.
        m.remove(site::RECORD);
        m
    };
    let reference = d.path().join("reference");
    let r = build(&root, &reference, &["--as-of", "2026-11-01"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let expected = strip(files::files_under(&reference));
    let out = d.path().join("site");
    build_ok(&root, &out);
    let mut caught = 0;
    for i in 0..25u64 {
        // Another day, so the killed build has every page to write.
        let mut child = Command::new(BIN)
            .args([
                "build",
                root.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--as-of",
                "2026-12-15",
            ])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(i * 3));
        let _ = child.kill();
        let _ = child.wait();
        let left = files::files_under(&out);
        if left.contains_key(site::JOURNAL) || left.keys().any(|k| k.contains("rapport-tmp")) {
            caught += 1;
        }
        let r = build(&root, &out, &["--as-of", "2026-11-01"]);
        assert!(r.status.success(), "after kill {i}: {}", stderr(&r));
        let site = strip(files::files_under(&out));
        assert!(
            site == expected,
            "after kill {i}: differs from a fresh build: {:?}",
            site.keys()
                .filter(|k| expected.get(*k) != site.get(*k))
                .chain(expected.keys().filter(|k| !site.contains_key(*k)))
                .collect::<Vec<_>>()
        );
    }
    eprintln!("{caught} of 25 builds were killed while writing");
}

#[test]
fn folders_rapport_does_not_own_are_refused() {
    let (d, root) = book(2);
    // A folder with the user's own index.html.
    let theirs = d.path().join("theirs");
    fs::create_dir_all(&theirs).unwrap();
    fs::write(theirs.join("index.html"), "my own page").unwrap();
    let o = build(&root, &theirs, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("not empty") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(theirs.join("index.html")).unwrap(),
        "my own page"
    );
    assert_eq!(fs::read_dir(&theirs).unwrap().count(), 1, "nothing added");
    let o = build(&root, &theirs, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Now it holds rapport's manifest: later builds need no --force.
    build_ok(&root, &theirs);

    // `/`, the home folder, a folder that holds the book.
    for out in [Path::new("/"), d.path()] {
        let o = build(&root, out, &["--force"]);
        assert!(!o.status.success(), "{}", out.display());
        assert!(
            stderr(&o).contains("output folder cannot be"),
            "{}",
            stderr(&o)
        );
    }
    let home = d.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let o = Command::new(BIN)
        .args([
            "build",
            root.to_str().unwrap(),
            "-o",
            home.to_str().unwrap(),
            "--force",
        ])
        .env("HOME", &home)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("home folder"), "{}", stderr(&o));
    assert_eq!(fs::read_dir(&home).unwrap().count(), 0);

    // watch and serve take --force as well.
    for cmd in ["watch", "serve"] {
        let help = rapport(&[cmd, "--help"]);
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("--force"),
            "{cmd}"
        );
    }
}

#[test]
fn a_second_build_waits_for_the_first_and_says_so() {
    let (_d, root) = book(2);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    fs::create_dir_all(&out).unwrap();
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(site::LOCK))
        .unwrap();
    lock.lock().unwrap();
    let mut child = Command::new(BIN)
        .args(["build", root.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let waiting = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("waiting") => break line,
            Ok(_) => continue,
            Err(_) => panic!("the second build never said it waits"),
        }
    };
    assert!(waiting.contains(out.to_str().unwrap()), "{waiting}");
    assert!(child.try_wait().unwrap().is_none(), "it waits for the lock");
    assert!(
        !out.join("index.html").exists(),
        "nothing written while locked"
    );
    drop(lock);
    assert!(child.wait().unwrap().success());
    assert!(out.join("index.html").exists());
}

#[test]
fn parallel_builds_all_succeed_and_leave_a_whole_site() {
    let (d, root) = book(6);
    // Four different sites (four days), so every build has files to write.
    let days = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"];
    let references: Vec<BTreeMap<String, Vec<u8>>> = days
        .iter()
        .map(|day| {
            let o = d.path().join(format!("ref-{day}"));
            let r = build(&root, &o, &["--as-of", day]);
            assert!(r.status.success(), "{}", stderr(&r));
            let mut s = files::files_under(&o);
            s.remove(site::LOCK);
            s.remove(site::RECORD);
            s
        })
        .collect();
    let out = d.path().join("shared");
    for round in 0..12 {
        let children: Vec<_> = days
            .iter()
            .map(|day| {
                Command::new(BIN)
                    .args([
                        "build",
                        root.to_str().unwrap(),
                        "-o",
                        out.to_str().unwrap(),
                        "--as-of",
                        day,
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "round {round}: {}", stderr(&o));
        }
        let mut site = files::files_under(&out);
        site.remove(site::LOCK);
        site.remove(site::RECORD);
        assert!(
            references.contains(&site),
            "round {round}: the site is one whole build: {:?}",
            site.keys().collect::<Vec<_>>()
        );
    }
}

/// A watch session on `root` writing into a new folder, after its first
/// build: the folder (kept while it lives), the site's path and the
/// session.
fn watched(root: &Path) -> (tempfile::TempDir, PathBuf, Session) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let opts = Options {
        root: root.to_path_buf(),
        output: Some(out.clone()),
        ..Options::default()
    };
    let mut session = Session::new(&opts);
    assert!(matches!(
        session.rebuild(&Default::default()),
        Rebuild::Built { .. }
    ));
    (dir, out, session)
}

#[test]
fn watch_removes_pages_a_manual_build_added_meanwhile() {
    let (_d, root) = book(3);
    fs::write(
        root.join("partners/dora-draft.md"),
        note("Dora Draft", "Not ready.").replace("---\nname", "---\ndraft: true\nname"),
    )
    .unwrap();
    let (_site, out, mut session) = watched(&root);
    let draft_pages = |out: &Path| -> Vec<String> {
        files::files_under(out)
            .into_keys()
            .filter(|k| k.contains("dora-draft"))
            .collect()
    };
    assert!(draft_pages(&out).is_empty());
    // Meanwhile, by hand: a build with the drafts.
    let o = build(&root, &out, &["--drafts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !draft_pages(&out).is_empty(),
        "the manual build wrote the draft"
    );
    // The next change the watch sees: the draft's page goes.
    let changed = root.join("partners/partner-01.md");
    fs::write(&changed, note("Partner 01", "Lunch again.")).unwrap();
    let outcome = session.rebuild_changed(&[changed].into_iter().collect());
    assert!(
        matches!(outcome, Rebuild::Built { .. }),
        "{:?}",
        outcome.problems()
    );
    assert!(draft_pages(&out).is_empty(), "{:?}", draft_pages(&out));
    let manifest = fs::read_to_string(out.join(site::MANIFEST)).unwrap();
    assert!(!manifest.contains("dora-draft"), "{manifest}");
}

/// A build by hand that rewrites pages without changing the list of files
/// (another `--as-of`) is seen by the next watch rebuild, which puts its
/// own pages back, though only one note changed.
#[test]
fn watch_rewrites_pages_a_manual_build_changed_meanwhile() {
    let (_d, root) = book(3);
    let (_site, out, mut session) = watched(&root);
    let before = files::files_under(&out);
    let o = build(&root, &out, &["--as-of", "2020-01-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut by_hand = files::files_under(&out);
    // A build keeps a record of its inputs beside the site.
    by_hand.remove(site::RECORD);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        by_hand.keys().collect::<Vec<_>>(),
        "the same files"
    );
    assert_ne!(
        before["partners/partner-02.html"], by_hand["partners/partner-02.html"],
        "the manual build changed a page the watch will not render again"
    );
    let changed = root.join("partners/partner-01.md");
    fs::write(&changed, note("Partner 01", "Lunch again.")).unwrap();
    let Rebuild::Built { files: site, .. } =
        session.rebuild_changed(&[changed].into_iter().collect())
    else {
        panic!("the rebuild failed");
    };
    let now = files::files_under(&out);
    for (rel, bytes) in site.iter() {
        assert!(now[rel] == **bytes, "{rel} is the watch's own again");
    }
}

#[test]
fn control_characters_from_a_note_reach_the_terminal_escaped() {
    let (_d, root) = book(1);
    fs::write(
        root.join("partners/evil.md"),
        "---\nname: Evil\nprofession: Planner\n---\nSee [[\u{1b}]8;;http://evil.example\u{7}Bob\u{1b}]8;;\u{7}\rX]] and \u{1b}[2J.\n",
    )
    .unwrap();
    let o = rapport(&["check", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "a warning");
    let err = stderr(&o);
    assert!(
        !err.contains(['\u{1b}', '\u{7}', '\r']),
        "raw control characters: {err:?}"
    );
    assert!(
        err.contains("[[\\u{1b}]8;;http://evil.example\\u{7}Bob\\u{1b}]8;;\\u{7}\\u{d}X]]"),
        "shown escaped: {err}"
    );
    assert!(
        err.contains("and \\u{1b}[2J."),
        "the source line escaped: {err}"
    );
}

/// Standard output and error both a pipe nobody reads any more.
fn closed_pipe_run(args: &[&str]) -> Option<i32> {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = Command::new(BIN)
        .args(args)
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .status()
        .unwrap();
    o.code()
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_usual_status() {
    let (_d, root) = book(2);
    fs::write(
        root.join("partners/bad.md"),
        "---\nname: Bad\nrol: x\n---\n",
    )
    .unwrap();
    let r = root.to_str().unwrap();
    assert_eq!(closed_pipe_run(&["check", r]), Some(1), "problems: 1");
    fs::remove_file(root.join("partners/bad.md")).unwrap();
    assert_eq!(closed_pipe_run(&["check", r]), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    assert_eq!(
        closed_pipe_run(&["build", r, "-o", out.to_str().unwrap()]),
        Some(0)
    );
    assert_eq!(closed_pipe_run(&["completions", "bash"]), Some(0));
    // The same through a shell pipe, as a user would.
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{BIN}' check '{r}' 2>&1 | true; echo ${{PIPESTATUS[0]}}"
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "0");
}

/// Every page carries one Content-Security-Policy that allows only the
/// site's own files and its own inline scripts, by hash.
#[test]
fn every_page_has_a_policy_that_allows_only_its_own_scripts() {
    let (_d, root) = book(3);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build_ok(&root, &out);
    let mut pages = 0;
    for (rel, bytes) in files::files_under(&out) {
        if !rel.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes).unwrap();
        let metas: Vec<&str> = html
            .split("<meta http-equiv=\"Content-Security-Policy\" content=\"")
            .skip(1)
            .collect();
        assert_eq!(metas.len(), 1, "{rel}: one policy");
        let csp = metas[0].split('"').next().unwrap();
        let head_end = html.find("</head>").unwrap();
        assert!(
            html.find("Content-Security-Policy").unwrap() < head_end,
            "{rel}"
        );
        let directive = |name: &str| -> Vec<String> {
            csp.split(';')
                .map(str::trim)
                .find_map(|d| {
                    d.strip_prefix(name)
                        .map(|v| v.split_whitespace().map(String::from).collect())
                })
                .unwrap_or_else(|| panic!("{rel}: no {name}"))
        };
        assert_eq!(directive("default-src "), ["'none'"], "{rel}");
        for (name, allowed) in [
            ("img-src ", &["'self'", "data:", "blob:"][..]),
            ("connect-src ", &["'self'"][..]),
            ("font-src ", &["'self'"][..]),
        ] {
            assert_eq!(directive(name), allowed, "{rel}: {name}");
        }
        assert_eq!(directive("script-src "), ["'self'"], "{rel}");
        for chunk in html.split("<script").skip(1) {
            let (attrs, _) = chunk.split_once('>').unwrap();
            assert!(
                attrs.contains("src="),
                "{rel}: an inline script, which the policy would block"
            );
        }
    }
    assert!(pages >= 5, "{pages} pages");
}
