//! `rapport watch` on a temporary copy of the sample book: real changes on
//! disk, the way editors and git make them, each waited for with a bounded
//! poll on the written site.

mod watch_common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use rapport::pipeline::output;
use rapport::pipeline::session::{Rebuild, Session};
use rapport::pipeline::stages::{Options, Pipeline};
use rapport::site::SiteFiles;
use watch_common::*;

fn site(root: &Path) -> PathBuf {
    root.join("public")
}

fn json(root: &Path) -> String {
    read(&site(root).join("data/partners.json"))
}

#[test]
fn edits_renames_deletes_and_new_folders_rebuild_the_site() {
    let book = sample_book();
    let root = book.path();
    let w = start_watch(root);
    assert!(read(&site(root).join("index.html")).contains("Lena Park"));

    // A plain edit.
    edit(
        &note(root, "lena-park.md"),
        "name: Lena Park",
        "name: Lena Parkinson",
    );
    w.wait_log(|_| json(root).contains("Lena Parkinson"), "plain edit");

    // Write a temporary file, then rename it over the note (vim, JetBrains).
    let text = read(&note(root, "lena-park.md")).replace("Lena Parkinson", "Lena Park-Rename");
    let tmp = note(root, ".lena-park.md.tmp1234");
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, note(root, "lena-park.md")).unwrap();
    w.wait_log(
        |_| json(root).contains("Lena Park-Rename"),
        "write then rename",
    );

    // A deleted note: the partner leaves the site.
    fs::remove_file(note(root, "tom-kessler.md")).unwrap();
    w.wait_log(|_| !json(root).contains("\"tom-kessler\""), "delete");

    // A renamed note: the old slug goes, the new one comes.
    fs::rename(
        note(root, "nadia-flores.md"),
        note(root, "nadia-flores-cpa.md"),
    )
    .unwrap();
    w.wait_log(
        |_| {
            let j = json(root);
            j.contains("\"nadia-flores-cpa\"") && !j.contains("\"nadia-flores\"")
        },
        "rename",
    );

    // A new sub-folder (two levels) with a note in it.
    let deep = note(root, "insurance/life");
    fs::create_dir_all(&deep).unwrap();
    fs::write(
        deep.join("olga-brandt.md"),
        "---\nname: Olga Brandt\nprofession: Life insurance\n---\nNew.\n",
    )
    .unwrap();
    w.wait_log(|_| json(root).contains("Olga Brandt"), "new sub-folder");

    // A whole folder renamed, then removed.
    fs::rename(note(root, "insurance"), note(root, "cover")).unwrap();
    w.wait_log(
        |l| l.contains("partners/cover/life/olga-brandt.md"),
        "folder rename",
    );
    fs::remove_dir_all(note(root, "cover")).unwrap();
    w.wait_log(|_| !json(root).contains("Olga Brandt"), "folder removed");

    // Each change made one line naming it.
    let lines = w.rebuild_lines();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("partners/tom-kessler.md removed")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("partners/nadia-flores.md renamed to partners/nadia-flores-cpa.md")),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| l.contains(" ms")), "{lines:#?}");
}

#[test]
fn a_broken_note_keeps_the_last_good_site_until_fixed() {
    let book = sample_book();
    let root = book.path();
    let w = start_watch(root);
    let index = site(root).join("index.html");
    let good = fs::read(&index).unwrap();
    let good_json = json(root);
    let before = fs::metadata(&index).unwrap().modified().unwrap();

    edit(
        &note(root, "maya-okafor.md"),
        "name: Maya Okafor",
        "nmae: Maya Okafor",
    );
    w.wait_log(|l| l.contains("nothing written"), "failed rebuild");
    let log = w.log();
    // Problems are printed as `check` prints them: file, line, column, the line.
    assert!(log.contains("partners/maya-okafor.md:2:1"), "{log}");
    assert!(log.contains("did you mean `name`?"), "{log}");
    assert_eq!(fs::read(&index).unwrap(), good);
    assert_eq!(json(root), good_json);
    assert_eq!(fs::metadata(&index).unwrap().modified().unwrap(), before);

    edit(
        &note(root, "maya-okafor.md"),
        "nmae: Maya Okafor",
        "name: Maya O. Okafor",
    );
    w.wait_log(|_| json(root).contains("Maya O. Okafor"), "recovery");
}

#[test]
fn editor_noise_and_the_output_folder_trigger_nothing() {
    let book = sample_book();
    let root = book.path();
    let w = start_watch(root);
    let partners = note(root, "");
    // vim: swap files, the `4913` probe, `~` backups; emacs: lock files and
    // `#auto-save#` files; files written into the output folder.
    for name in [
        ".lena-park.md.swp",
        ".lena-park.md.swx",
        "4913",
        "lena-park.md~",
        ".#lena-park.md",
        "#lena-park.md#",
        "notes.txt",
    ] {
        fs::write(partners.join(name), "---\nname: Noise\n---\n").unwrap();
    }
    fs::write(site(root).join("mine.md"), "---\nname: Noise\n---\n").unwrap();
    fs::write(site(root).join("index.html"), "overwritten by hand").unwrap();
    for name in ["4913", "lena-park.md~", "#lena-park.md#"] {
        fs::remove_file(partners.join(name)).unwrap();
    }
    // Then one real change, saved whole: exactly one rebuild, naming only
    // the real file.
    edit_whole(
        &note(root, "priya-raman.md"),
        "name: Priya Raman",
        "name: Priya R. Raman",
    );
    w.wait_log(|_| json(root).contains("Priya R. Raman"), "real edit");
    // The line comes right after the files are written.
    w.wait_rebuilds(1);
    let lines = w.rebuild_lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with('[')
            && lines[0].contains("] partners/priya-raman.md changed: rebuilt"),
        "{lines:#?}"
    );
    assert!(!json(root).contains("Noise"));
    // The file written by hand into the output folder is left alone.
    assert!(site(root).join("mine.md").exists());
}

#[test]
fn unchanged_output_files_keep_their_modification_time() {
    let book = sample_book();
    let root = book.path();
    let w = start_watch(root);
    let stamp = |rel: &str| {
        fs::metadata(site(root).join(rel))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before: Vec<_> = ["index.html", "data/partners.json", "data/referrals.csv"]
        .iter()
        .map(|r| stamp(r))
        .collect();
    // A change to the note's free text only: no number or name moves.
    let path = note(root, "helen-brooks.md");
    fs::write(&path, format!("{}\nOne more line of notes.\n", read(&path))).unwrap();
    w.wait_rebuilds(1);
    let after: Vec<_> = ["index.html", "data/partners.json", "data/referrals.csv"]
        .iter()
        .map(|r| stamp(r))
        .collect();
    assert_eq!(before, after, "{}", w.log());
}

#[test]
fn a_burst_of_a_hundred_notes_makes_one_rebuild() {
    let book = sample_book();
    let root = book.path();
    let w = start_watch(root);
    let partners_at_start: usize = w
        .log()
        .lines()
        .find(|l| l.contains("] first build"))
        .and_then(|l| l.split("; ").nth(1))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a partner count on the first line");
    // Like a `git checkout`: files written aside, then moved in quickly.
    let stage = tempfile::tempdir_in(root).unwrap();
    for i in 0..100 {
        fs::write(
            stage.path().join(format!("burst-{i:03}.md")),
            format!("---\nname: Burst {i:03}\nprofession: CPA\n---\n"),
        )
        .unwrap();
    }
    for i in 0..100 {
        let name = format!("burst-{i:03}.md");
        fs::rename(stage.path().join(&name), note(root, &name)).unwrap();
    }
    w.wait_log(
        |_| json(root).contains("Burst 099") && json(root).contains("Burst 000"),
        "burst",
    );
    // The line of the rebuild that wrote them comes right after the files.
    let want = format!("; {} partners,", partners_at_start + 100);
    w.wait_log(|l| l.contains(&want), "the burst's line");
    let lines = w.rebuild_lines();
    // One rebuild; a machine under heavy load may split the burst in two.
    assert!(lines.len() <= 2, "{lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("files added")),
        "{lines:#?}"
    );
}

#[test]
fn settings_templates_and_static_files_are_watched_and_ctrl_c_stops_cleanly() {
    let book = sample_book();
    let root = book.path();
    let mut w = start_watch(root);
    edit(
        &root.join("rapport.yaml"),
        "title: Referral partners — Rivera Wealth Partners",
        "title: Rivera partners, watched",
    );
    w.wait_log(
        |_| read(&site(root).join("index.html")).contains("Rivera partners, watched"),
        "settings",
    );
    // A templates/ folder that did not exist when watching began.
    fs::create_dir_all(root.join("templates")).unwrap();
    let base = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html"));
    fs::write(
        root.join("templates/base.html"),
        base.replacen("<main", "<main data-custom-template", 1),
    )
    .unwrap();
    w.wait_log(
        |_| read(&site(root).join("index.html")).contains("data-custom-template"),
        "new template",
    );
    // A static/ folder that did not exist either; its files are copied.
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/logo.svg"), "<svg/>").unwrap();
    w.wait_log(
        |_| site(root).join("img/logo.svg").exists(),
        "new static file",
    );
    fs::write(root.join("static/img/logo.svg"), "<svg id=v2/>").unwrap();
    w.wait_log(
        |_| read(&site(root).join("img/logo.svg")).contains("v2"),
        "static edit",
    );
    fs::remove_file(root.join("static/img/logo.svg")).unwrap();
    w.wait_log(
        |_| !site(root).join("img/logo.svg").exists(),
        "static delete",
    );
    let status = w.interrupt();
    assert!(status.success(), "{status:?}\n{}", w.log());
    assert!(w.log().trim_end().ends_with("stopped"), "{}", w.log());
    let leftovers: Vec<_> = walk(&site(root))
        .into_keys()
        .filter(|k| k.contains("rapport-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ------------------------------------------------- incremental = full build

/// Every file under `dir`, by relative path.
fn walk(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A small seeded random number generator (xorshift), so that a failure
/// can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn notes(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walk(&root.join("partners"))
        .into_keys()
        .filter(|k| k.ends_with(".md"))
        .map(|k| root.join("partners").join(k))
        .collect();
    found.sort();
    found
}

const NAMES: &[&str] = &[
    "ada", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo",
];
const FOLDERS: &[&str] = &["", "legal/", "banking/", "new/", "new/deeper/"];

fn random_note(rng: &mut Rng, name: &str) -> String {
    let outcome = ["exceeded", "met", "below", "pending"][rng.below(4)];
    let kind = ["existing", "net-new"][rng.below(2)];
    format!(
        "---\nname: {name} {}\nprofession: {}\nreferrals:\n  - date: 2026-0{}-1{}\n    direction: given\n    type: {kind}\n    outcome: {outcome}\n    value: {}\n---\nNote {}.\n",
        rng.below(1000),
        ["CPA", "Attorney", "Lender"][rng.below(3)],
        1 + rng.below(9),
        rng.below(10),
        rng.below(9000),
        rng.next() % 100,
    )
}

/// One random change to the book; returns the paths it touched, as the
/// watcher would report them.
/// Puts in place, or takes away, the book's own template for the lines of
/// one of the two long tables (by `which`).
fn toggle_row_template(root: &Path, which: usize) -> PathBuf {
    let name = ["partners-row.html", "reciprocity-row.html"][which % 2];
    let p = root.join("templates").join(name);
    if p.exists() {
        fs::remove_file(&p).unwrap();
    } else {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "<tr><td>{{ p.name }}<td>{{ p.given }}\n").unwrap();
    }
    p
}

fn random_change(rng: &mut Rng, root: &Path) -> BTreeSet<PathBuf> {
    let existing = notes(root);
    let mut touched = BTreeSet::new();
    let pick = |rng: &mut Rng| existing[rng.below(existing.len())].clone();
    match rng.below(10) {
        // Edit a value in place (often the same length).
        0..=2 if !existing.is_empty() => {
            let p = pick(rng);
            let text = read(&p);
            let digit = char::from(b'0' + rng.below(10) as u8);
            let changed: String = match text.find("value: ") {
                Some(at) => {
                    let mut t = text.clone();
                    t.replace_range(at + 7..at + 8, &digit.to_string());
                    t
                }
                None => text.replacen("---\nname: ", &format!("---\nname: {digit}"), 1),
            };
            fs::write(&p, changed).unwrap();
            touched.insert(p);
        }
        // Rewrite a whole note through a temporary file and a rename.
        3 if !existing.is_empty() => {
            let p = pick(rng);
            let tmp = p.with_file_name(".save.tmp");
            fs::write(&tmp, random_note(rng, "Rewritten")).unwrap();
            fs::rename(&tmp, &p).unwrap();
            touched.insert(p);
        }
        // Create a note, maybe in a new folder.
        4 | 5 => {
            let folder = FOLDERS[rng.below(FOLDERS.len())];
            let name = NAMES[rng.below(NAMES.len())];
            let p = root
                .join("partners")
                .join(folder)
                .join(format!("{name}-{}.md", rng.below(20)));
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, random_note(rng, name)).unwrap();
            touched.insert(p);
        }
        // Delete a note.
        6 if existing.len() > 3 => {
            let p = pick(rng);
            fs::remove_file(&p).unwrap();
            touched.insert(p);
        }
        // Rename a note, maybe into another folder.
        7 | 8 if !existing.is_empty() => {
            let p = pick(rng);
            let folder = FOLDERS[rng.below(FOLDERS.len())];
            let to = root.join("partners").join(folder).join(format!(
                "{}-{}.md",
                NAMES[rng.below(NAMES.len())],
                rng.below(20)
            ));
            if !to.exists() {
                fs::create_dir_all(to.parent().unwrap()).unwrap();
                fs::rename(&p, &to).unwrap();
                touched.insert(p);
                touched.insert(to);
            }
        }
        // Break a note (an unknown key), or mend the broken ones.
        _ => {
            let broken: Vec<PathBuf> = existing
                .iter()
                .filter(|p| read(p).contains("\nnmae: "))
                .cloned()
                .collect();
            if broken.is_empty() && !existing.is_empty() {
                let p = pick(rng);
                let text = read(&p);
                fs::write(&p, text.replacen("\nname: ", "\nnmae: ", 1)).unwrap();
                touched.insert(p);
            } else {
                for p in broken {
                    let text = read(&p);
                    fs::write(&p, text.replacen("\nnmae: ", "\nname: ", 1)).unwrap();
                    touched.insert(p);
                }
            }
        }
    }
    touched
}

fn fresh_build(root: &Path, out: &Path) -> Result<SiteFiles, usize> {
    let opts = Options {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        ..Options::default()
    };
    match Pipeline::new().run(&opts) {
        Ok(built) => {
            output::write_site(out, &built.files).unwrap();
            Ok(built.files)
        }
        Err(failed) => Err(failed.errors()),
    }
}

/// A session on the book at `root` writing to `out`, after its first
/// (full) build.
fn built_session(root: &Path, out: &Path) -> Session {
    let opts = Options {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        ..Options::default()
    };
    let mut session = Session::new(&opts);
    assert!(matches!(
        session.rebuild(&BTreeSet::new()),
        Rebuild::Built { .. }
    ));
    session
}

#[test]
fn incremental_rebuilds_equal_a_fresh_full_build_file_for_file() {
    // The walk depends on the sample book's notes; each seed must reach
    // both outcomes often enough (checked at the end).
    for seed in [0x5eed_0001_u64, 0x5eed_0003, 0x5eed_0004] {
        let book = sample_book();
        let root = book.path();
        let out = tempfile::tempdir().unwrap();
        let incremental = out.path().join("incremental");
        let mut rebuilder = built_session(root, &incremental);
        let mut rng = Rng(seed);
        let (mut good, mut failed) = (0, 0);
        for step in 0..120 {
            let mut touched = random_change(&mut rng, root);
            // Now and then, the lines of a long table drawn otherwise.
            if step % 15 == 7 {
                touched.insert(toggle_row_template(root, step / 15));
            }
            let last_good = walk(&incremental);
            // What `watch` does (it knows every input that changed), and
            // the rebuild that walks the book, on alternate steps.
            let outcome = if step % 2 == 0 {
                rebuilder.rebuild_changed(&touched)
            } else {
                rebuilder.rebuild(&touched)
            };
            let full = out.path().join(format!("full-{step}"));
            match (outcome, fresh_build(root, &full)) {
                (Rebuild::Built { files, .. }, Ok(fresh)) => {
                    good += 1;
                    assert_eq!(*files, fresh, "seed {seed:#x} step {step}: in memory");
                    let (a, b) = (walk(&incremental), walk(&full));
                    assert_eq!(
                        a.keys().collect::<Vec<_>>(),
                        b.keys().collect::<Vec<_>>(),
                        "seed {seed:#x} step {step}: file list"
                    );
                    for (k, v) in &a {
                        assert!(b[k] == *v, "seed {seed:#x} step {step}: {k} differs");
                    }
                }
                (Rebuild::Failed { problems, .. }, Err(errors)) => {
                    failed += 1;
                    assert_eq!(
                        problems.iter().filter(|d| d.is_error()).count(),
                        errors,
                        "seed {seed:#x} step {step}"
                    );
                    assert_eq!(
                        walk(&incremental),
                        last_good,
                        "seed {seed:#x} step {step}: kept"
                    );
                }
                (Rebuild::Built { .. }, Err(_)) => {
                    panic!("seed {seed:#x} step {step}: incremental built, fresh failed")
                }
                (Rebuild::Failed { problems, .. }, Ok(_)) => panic!(
                    "seed {seed:#x} step {step}: incremental failed, fresh built: {:?}",
                    problems.iter().map(|d| d.one_line()).collect::<Vec<_>>()
                ),
                (Rebuild::WriteError(e), _) => panic!("seed {seed:#x} step {step}: {e}"),
            }
            let _ = fs::remove_dir_all(&full);
        }
        assert!(
            good > 30 && failed > 5,
            "seed {seed:#x}: {good} good, {failed} failed"
        );
    }
}

/// A named change to one file of a book.
type Change<'a> = (&'a str, PathBuf, Box<dyn Fn(&Path)>);

/// The rebuild `watch` makes after one note changed writes, file for file,
/// what a fresh build of the same book writes: after a new line of free
/// text (only the partner's page changes), a new name (every book-wide
/// page, and the pages whose `[[links]]` named the partner), the name given
/// back, and the same on a site with client names redacted; then a note
/// broken and mended, made a draft and not, a note added and removed. Each
/// rebuild is told only the changed file, as `watch` tells it.
#[test]
fn one_note_rebuilds_write_what_a_fresh_build_writes() {
    let book = sample_book();
    let root = book.path();
    let out = tempfile::tempdir().unwrap();
    let incremental = out.path().join("incremental");
    let mut session = built_session(root, &incremental);
    let amara = root.join("partners/amara-nwosu.md");
    let ruth = root.join("partners/legal/ruth-abernathy.md");
    let settings = root.join("rapport.yaml");
    let steps: Vec<(&str, PathBuf, &str, &str)> = vec![
        (
            "body",
            amara.clone(),
            "introduced us.",
            "introduced us. Lunch booked.",
        ),
        (
            "name",
            ruth.clone(),
            "\nname: Ruth Abernathy\n",
            "\nname: Ruth Abernathy-Stone\n",
        ),
        ("body again", amara.clone(), "Lunch booked.", "Lunch held."),
        (
            "name back",
            ruth.clone(),
            "\nname: Ruth Abernathy-Stone\n",
            "\nname: Ruth Abernathy\n",
        ),
        (
            "redacted",
            settings.clone(),
            "redact_clients: false",
            "redact_clients: true",
        ),
        (
            "redacted body",
            amara.clone(),
            "Lunch held.",
            "Lunch held twice.",
        ),
        (
            "redacted name",
            ruth.clone(),
            "\nname: Ruth Abernathy\n",
            "\nname: Ruth A. Stone\n",
        ),
    ];
    let newcomer = root.join("partners/zoe-newcomer.md");
    let newcomer_text: String = read(&amara)
        .lines()
        .map(|l| match l.starts_with("name: ") {
            true => "name: Zoe Newcomer\n".to_string(),
            false => format!("{l}\n"),
        })
        .collect();
    let mut changes: Vec<Change> = steps
        .into_iter()
        .map(|(what, path, from, to)| {
            let change: Box<dyn Fn(&Path)> = Box::new(move |p| edit(p, from, to));
            (what, path, change)
        })
        .collect();
    let more: Vec<Change> = vec![
        (
            "broken",
            amara.clone(),
            Box::new(|p| edit(p, "\nname: ", "\nnmae: ")),
        ),
        (
            "mended",
            amara.clone(),
            Box::new(|p| edit(p, "\nnmae: ", "\nname: ")),
        ),
        (
            "draft",
            amara.clone(),
            Box::new(|p| edit(p, "---\n", "---\ndraft: true\n")),
        ),
        (
            "no longer a draft",
            amara.clone(),
            Box::new(|p| edit(p, "draft: true\n", "")),
        ),
        (
            "added",
            newcomer.clone(),
            Box::new(move |p| fs::write(p, &newcomer_text).unwrap()),
        ),
        (
            "removed",
            newcomer.clone(),
            Box::new(|p| fs::remove_file(p).unwrap()),
        ),
    ];
    changes.extend(more);
    let mut failed = 0;
    for (step, (what, path, change)) in changes.into_iter().enumerate() {
        change(&path);
        let last_good = walk(&incremental);
        let outcome = session.rebuild_changed(&[path].into());
        let full = out.path().join(format!("full-{step}"));
        let files = match (outcome, fresh_build(root, &full)) {
            (Rebuild::Built { files, .. }, Ok(fresh)) => {
                assert_eq!(*files, fresh, "{what}: in memory");
                files
            }
            (Rebuild::Failed { .. }, Err(_)) => {
                failed += 1;
                assert_eq!(walk(&incremental), last_good, "{what}: the last site kept");
                continue;
            }
            (Rebuild::Built { .. }, Err(_)) => panic!("{what}: a fresh build fails"),
            (other, _) => panic!("{what}: the rebuild failed: {:?}", other.problems()),
        };
        let (a, b) = (walk(&incremental), walk(&full));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "{what}: file list"
        );
        for (k, v) in &a {
            assert!(b[k] == *v, "{what}: {k} differs");
        }
        assert!(files.keys().all(|k| a.contains_key(k)), "{what}: on disk");
    }
    assert_eq!(failed, 1, "only the broken note fails");
    let page = read(&incremental.join("partners/amara-nwosu.html"));
    assert!(
        page.contains("Lunch held twice."),
        "the body edit is on the page"
    );
    assert!(
        read(&incremental.join("data/partners.json")).contains("Ruth A. Stone"),
        "the new name is in the data"
    );
}
