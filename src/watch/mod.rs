//! `rapport watch`: build, then rebuild on every change.
//!
//! Folders are watched, not files: the book's root (not recursively, for
//! `rapport.yaml` and folders that appear), the notes folder, `templates/`
//! and `static/` (recursively). The output folder is never watched, and
//! events inside it are dropped. Events are debounced, then gathered until
//! the book has been quiet for a moment, so a burst (a `git checkout`)
//! makes one rebuild.
//!
//! Whether a batch of events calls for a rebuild is decided from the files,
//! not from the events: a fingerprint of every input (path, modification
//! time, length) is compared with the one of the last build. Editor noise
//! (swap files, lock files, `~` backups, vim's `4913` probe) changes no
//! input and so rebuilds nothing. An event on an input file itself also
//! forces that file to be read again, in case two saves fell within one
//! tick of the file system's clock and left time and length unchanged.

mod fingerprint;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};

use crate::book::layout::{rel_display, Layout};
use crate::book::{settings, today};
use crate::diagnostics;
use crate::pipeline::session::{Rebuild, Session};
use crate::pipeline::stages::Options;

pub use fingerprint::Fingerprint;

/// How long the debouncer waits for a path to be quiet.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// After a first batch, further batches are gathered until none comes for
/// this long (bounded by [`GATHER_LIMIT`]).
const QUIET: Duration = Duration::from_millis(40);
const GATHER_LIMIT: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------- Ctrl-C

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Catches Ctrl-C (and SIGTERM) so that a rebuild in progress finishes its
/// writes before the program stops; a second Ctrl-C stops at once.
pub fn catch_interrupt() {
    let set = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            crate::pipeline::output::exit_when_safe(130);
        }
    });
    if let Err(e) = set {
        crate::say!("warning: cannot catch Ctrl-C: {e}");
    }
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

// ---------------------------------------------------------------- folders

/// The folders to watch for `layout`, and how.
fn watch_list(layout: &Layout) -> BTreeMap<PathBuf, RecursiveMode> {
    let mut list = BTreeMap::new();
    // Notes kept in the book's folder itself (`notes_dir: .`) need it
    // watched whole; events from the output folder are dropped anyway.
    let root_mode = if layout.notes == layout.root {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    list.insert(layout.root.clone(), root_mode);
    for dir in [&layout.notes, &layout.templates, &layout.statics] {
        if dir.is_dir() && !layout.in_output(dir) && dir != &layout.root {
            list.insert(dir.clone(), RecursiveMode::Recursive);
        }
    }
    list
}

/// The layout of a book whose settings do not load: the defaults.
fn default_layout(opts: &Options) -> Layout {
    let defaults = settings::parse(b"", today()).expect("default settings are valid");
    Layout::new(&opts.root, opts.output.as_deref(), &defaults)
}

// ---------------------------------------------------------------- rebuilds

fn clock() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Prints the outcome of a rebuild: problems as `check` prints them, then
/// one line.
fn report(outcome: &Rebuild, what: &str, took: Duration, root: &Path, output: &Path) {
    let ms = took.as_millis();
    // File names can hold control characters too.
    let what = diagnostics::escape_controls(what);
    let output = match output.strip_prefix(root) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => output.display().to_string(),
    };
    match outcome {
        Rebuild::Built {
            stats,
            warnings,
            summary,
            ..
        } => {
            diagnostics::print(warnings);
            crate::say!(
                "[{}] {what}: rebuilt {output} in {ms} ms; {summary}; {} written, {} removed",
                clock(),
                plural(stats.written, "file"),
                stats.removed
            );
        }
        Rebuild::Failed { problems, summary } => {
            diagnostics::print(problems);
            crate::say!(
                "[{}] {what}: {summary} (found in {ms} ms); nothing written, the last good site is kept",
                clock()
            );
        }
        Rebuild::WriteError(e) => crate::say!(
            "[{}] {what}: error: {}",
            clock(),
            diagnostics::escape_controls(e)
        ),
    }
}

/// Builds, then rebuilds on every change until interrupted.
pub fn watch(opts: &Options) -> ExitCode {
    run(opts, "watching", |_| {})
}

/// The watch loop, shared with `serve`: `on_update` hears of every build.
pub fn run(opts: &Options, doing: &str, mut on_update: impl FnMut(&Rebuild)) -> ExitCode {
    catch_interrupt();
    let mut opts = opts.clone();
    if !opts.root.is_dir() {
        crate::say!(
            "error: {} is not a folder; give the book's folder, the one holding rapport.yaml",
            opts.root.display()
        );
        return ExitCode::from(2);
    }
    // Absolute paths, so that event paths and cached paths agree.
    if let Ok(root) = opts.root.canonicalize() {
        opts.root = root;
    }
    if let Some(out) = &opts.output {
        if out.is_relative() {
            if let Ok(cwd) = std::env::current_dir() {
                opts.output = Some(cwd.join(out));
            }
        }
    }

    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = match new_debouncer(DEBOUNCE, None, tx) {
        Ok(d) => d,
        Err(e) => {
            crate::say!("error: cannot watch for changes: {e}");
            return ExitCode::from(1);
        }
    };
    let mut watched: BTreeMap<PathBuf, RecursiveMode> = BTreeMap::new();
    let mut resync = |layout: &Layout, watched: &mut BTreeMap<PathBuf, RecursiveMode>| {
        let want = watch_list(layout);
        for (path, mode) in watched.clone() {
            if want.get(&path) != Some(&mode) || !path.is_dir() {
                let _ = debouncer.unwatch(&path);
                watched.remove(&path);
            }
        }
        for (path, mode) in want {
            if let std::collections::btree_map::Entry::Vacant(slot) = watched.entry(path) {
                match debouncer.watch(slot.key(), mode) {
                    Ok(()) => {
                        slot.insert(mode);
                    }
                    Err(e) => crate::say!("warning: cannot watch {}: {e}", slot.key().display()),
                }
            }
        }
    };

    let mut session = Session::new(&opts);
    let start = Instant::now();
    let outcome = session.rebuild(&BTreeSet::new());
    let mut layout = session
        .layout()
        .cloned()
        .unwrap_or_else(|| default_layout(&opts));
    resync(&layout, &mut watched);
    let mut fingerprint = Fingerprint::take(&layout);
    // The folders were watched, and the record of inputs taken, after the
    // build walked the book: what changed in between sent no event, so the
    // next rebuild walks the book again rather than trust the record alone.
    let mut walk_next = true;
    report(
        &outcome,
        "first build",
        start.elapsed(),
        &opts.root,
        &layout.output,
    );
    on_update(&outcome);
    let shown: Vec<String> = watched
        .iter()
        .map(|(p, mode)| match rel_display(&opts.root, p) {
            s if s.is_empty() && *mode == RecursiveMode::Recursive => {
                "the whole book but its output folder".to_string()
            }
            s if s.is_empty() => settings::FILE.to_string(),
            s => format!("{s}/"),
        })
        .collect();
    crate::say!(
        "{doing} {} ({}); Ctrl-C stops",
        opts.root.display(),
        shown.join(", ")
    );

    loop {
        if interrupted() {
            break;
        }
        let first = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                crate::say!("error: the file watcher stopped");
                return ExitCode::from(1);
            }
        };
        let mut touched = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut rescan = false;
        let gather_start = Instant::now();
        let mut batch = Some(first);
        while let Some(b) = batch.take() {
            match b {
                Ok(events) => {
                    for ev in events {
                        if ev.event.need_rescan() {
                            rescan = true;
                        }
                        if matches!(ev.event.kind, EventKind::Access(_)) {
                            continue;
                        }
                        for p in &ev.event.paths {
                            if layout.in_output(p) {
                                continue;
                            }
                            if layout.is_input(p) {
                                touched.insert(p.clone());
                            }
                            seen.insert(p.clone());
                        }
                    }
                }
                Err(errors) => {
                    rescan = true;
                    for e in errors {
                        crate::say!("warning: file watcher: {e}");
                    }
                }
            }
            if gather_start.elapsed() < GATHER_LIMIT {
                batch = rx.recv_timeout(QUIET).ok();
            }
        }
        if seen.is_empty() && !rescan {
            continue;
        }
        // Folders that appeared (templates/, static/) are watched from now.
        resync(&layout, &mut watched);
        let now = if rescan {
            Fingerprint::take(&layout)
        } else {
            fingerprint.updated(&layout, &seen)
        };
        if rescan {
            // Events were lost: read every note again.
            session.forget_all();
        } else if now == fingerprint && touched.is_empty() {
            continue;
        }
        let what = fingerprint.describe(&now, &opts.root, &touched);
        let start = Instant::now();
        let outcome = if rescan || walk_next {
            walk_next = false;
            session.rebuild(&touched)
        } else {
            // Every input that changed, as the record of them says, and
            // those events named (two saves within one tick of the clock
            // can leave time and length as they were).
            let mut changed = fingerprint.changed(&now);
            changed.extend(touched.iter().cloned());
            session.rebuild_changed(&changed)
        };
        fingerprint = now;
        // The settings are read once, by the rebuild. New folders in them
        // change what is watched and what counts as an input; the output
        // folder found on disk changes only the layout.
        if let Some(new_layout) = session.layout().filter(|l| **l != layout) {
            let moved = !new_layout.same_folders(&layout);
            layout = new_layout.clone();
            if moved {
                resync(&layout, &mut watched);
                fingerprint = Fingerprint::take(&layout);
                walk_next = true;
            }
        }
        report(&outcome, &what, start.elapsed(), &opts.root, &layout.output);
        on_update(&outcome);
    }
    debouncer.stop();
    crate::say!("stopped");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn book() -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("partners/legal")).unwrap();
        fs::write(root.join("partners/a.md"), "a").unwrap();
        fs::write(root.join("partners/legal/b.md"), "b").unwrap();
        let opts = Options {
            root,
            ..Options::default()
        };
        let layout = default_layout(&opts);
        (dir, layout)
    }

    #[test]
    fn inputs_and_noise() {
        let (_d, l) = book();
        let n = |rel: &str| l.notes.join(rel);
        assert!(l.is_input(&n("a.md")));
        assert!(l.is_input(&n("deep/er/c.md")));
        assert!(l.is_input(&l.root.join("rapport.yaml")));
        assert!(l.is_input(&l.root.join("templates/base.html")));
        assert!(l.is_input(&l.root.join("static/css/site.css")));
        for noise in [
            ".a.md.swp",
            "a.md~",
            ".#a.md",
            "#a.md#",
            "4913",
            "_drafts/x.md",
            "a.txt",
        ] {
            assert!(!l.is_input(&n(noise)), "{noise}");
        }
        // templates/ and static/: the files the build reads.
        assert!(!l.is_input(&l.root.join("static/.DS_Store")));
        assert!(!l.is_input(&l.root.join("static/.git/config")));
        assert!(l.is_input(&l.root.join("static/_headers")));
        assert!(!l.is_input(&l.root.join("templates/_macros.html")));
        assert!(!l.is_input(&l.root.join("templates/.base.html.swp")));
        assert!(l.is_input(&l.root.join("templates/_parts/head.html")));
        assert!(!l.is_input(&l.root.join("public/index.html")));
        assert!(!l.is_input(&l.root.join("README.md")));
    }

    #[test]
    fn an_updated_fingerprint_equals_a_fresh_one() {
        let (_d, l) = book();
        let n = |rel: &str| l.notes.join(rel);
        let mut fp = Fingerprint::take(&l);
        let steps: Vec<Box<dyn Fn() -> Vec<PathBuf>>> = vec![
            Box::new(|| {
                fs::write(n("a.md"), "longer a").unwrap();
                vec![n("a.md")]
            }),
            Box::new(|| {
                fs::write(n("4913"), "").unwrap();
                fs::remove_file(n("4913")).unwrap();
                vec![n("4913")]
            }),
            Box::new(|| {
                fs::create_dir_all(n("new/deeper")).unwrap();
                fs::write(n("new/deeper/c.md"), "c").unwrap();
                vec![n("new")]
            }),
            Box::new(|| {
                fs::rename(n("legal"), n("law")).unwrap();
                vec![n("legal"), n("law")]
            }),
            Box::new(|| {
                fs::remove_dir_all(n("new")).unwrap();
                vec![n("new")]
            }),
            Box::new(|| {
                fs::remove_file(n("a.md")).unwrap();
                vec![n("a.md")]
            }),
        ];
        for (i, step) in steps.iter().enumerate() {
            let paths: BTreeSet<PathBuf> = step().into_iter().collect();
            let updated = fp.updated(&l, &paths);
            assert_eq!(updated, Fingerprint::take(&l), "step {i}");
            fp = updated;
        }
    }

    #[test]
    fn a_book_whose_notes_are_its_root_is_walked_once_with_every_input() {
        let (_d, l) = book();
        fs::create_dir_all(l.root.join("templates/_parts")).unwrap();
        fs::write(l.root.join("templates/_parts/head.html"), "h").unwrap();
        fs::write(l.root.join("templates/_macros.html"), "m").unwrap();
        fs::create_dir_all(l.root.join("_set_aside")).unwrap();
        fs::write(l.root.join("_set_aside/x.md"), "x").unwrap();
        let flat = Layout {
            notes: l.root.clone(),
            ..l.clone()
        };
        let fp = Fingerprint::take(&flat);
        let mut expected: Vec<PathBuf> = vec![
            l.root.join("partners/a.md"),
            l.root.join("partners/legal/b.md"),
            l.root.join("templates/_parts/head.html"),
        ];
        expected.sort();
        assert_eq!(fp.paths(), expected);
    }

    #[test]
    fn changes_are_described_briefly() {
        let (_d, l) = book();
        let before = Fingerprint::take(&l);
        fs::rename(l.notes.join("a.md"), l.notes.join("legal/a2.md")).unwrap();
        let after = Fingerprint::take(&l);
        assert_eq!(
            before.describe(&after, &l.root, &BTreeSet::new()),
            "partners/a.md renamed to partners/legal/a2.md"
        );
        assert_eq!(
            after.describe(&after, &l.root, &BTreeSet::new()),
            "no input changed"
        );
    }
}
