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
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::book::layout::{rel_display, Layout};
use crate::book::settings;
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

/// Asks the watch loop to stop once the rebuild in progress (if any) has
/// finished its writes; the command's Ctrl-C handler calls it. Gives
/// whether it had been asked already (a second Ctrl-C).
pub fn interrupt() -> bool {
    INTERRUPTED.swap(true, Ordering::SeqCst)
}

/// Whether the watch loop was asked to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

// ---------------------------------------------------------------- what the loop says

/// What the watch loop tells its caller as it goes; the caller decides
/// what to show.
pub enum Event<'a> {
    /// A build finished: the first one (`change` is `None`), or a rebuild
    /// after `change` (what changed, in words, relative to the book).
    Rebuilt {
        change: Option<&'a str>,
        outcome: &'a Rebuild,
        took: Duration,
        /// The book's folder and the output folder of the build.
        root: &'a Path,
        output: &'a Path,
    },
    /// The first build is done and the book is watched: its folder, and
    /// what of it is watched.
    Watching {
        root: &'a Path,
        folders: &'a [Watched],
    },
    /// A folder could not be watched; the others are.
    CannotWatch { path: &'a Path, error: String },
    /// The file watcher reported a problem; the book is read again whole.
    WatcherTrouble(String),
    /// Ctrl-C was pressed: the loop ended.
    Stopped,
}

/// A watched folder, as the loop describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// The book's folder and everything in it (the output folder aside).
    WholeBook,
    /// The book's folder alone: its settings file (and folders that appear).
    SettingsFile,
    /// A folder of the book, relative to it, and everything in it.
    Folder(String),
}

/// Why the watch loop could not start or go on.
#[derive(Debug)]
pub enum WatchError {
    /// The book's folder is not a folder.
    NotAFolder(PathBuf),
    /// The system's file watcher could not be started.
    CannotWatch(String),
    /// The system's file watcher stopped.
    WatcherStopped,
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WatchError::NotAFolder(root) => write!(
                f,
                "{} is not a folder; give the book's folder, the one holding rapport.yaml",
                root.display()
            ),
            WatchError::CannotWatch(e) => write!(f, "cannot watch for changes: {e}"),
            WatchError::WatcherStopped => write!(f, "the file watcher stopped"),
        }
    }
}

impl std::error::Error for WatchError {}

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
    let defaults = settings::parse(b"", opts.today()).expect("default settings are valid");
    Layout::new(&opts.root, opts.output.as_deref(), &defaults)
}

/// `opts` with absolute paths, so that event paths and cached paths
/// agree; the book's folder must be one.
fn absolute(opts: &Options) -> Result<Options, WatchError> {
    let mut opts = opts.clone();
    if !opts.root.is_dir() {
        return Err(WatchError::NotAFolder(opts.root));
    }
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
    Ok(opts)
}

// ---------------------------------------------------------------- the loop

/// What one gathering of file events found.
struct Batch {
    /// Input files named by an event: read again whatever their time says.
    touched: BTreeSet<PathBuf>,
    /// Every path named by an event, outside the output folder.
    seen: BTreeSet<PathBuf>,
    /// Events were lost: the book is read again whole.
    rescan: bool,
}

/// The watch loop's state between rebuilds.
struct Watch<F> {
    opts: Options,
    session: Session,
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    watched: BTreeMap<PathBuf, RecursiveMode>,
    layout: Layout,
    fingerprint: Fingerprint,
    /// Whether the next rebuild walks the book rather than trust the
    /// record of inputs alone.
    walk_next: bool,
    on: F,
}

/// Builds, then rebuilds on every change until [`interrupt`]ed, telling
/// `on` of each build and of what is watched. `serve` runs it too.
pub fn run(opts: &Options, on: impl FnMut(Event)) -> Result<(), WatchError> {
    let opts = absolute(opts)?;
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let debouncer =
        new_debouncer(DEBOUNCE, None, tx).map_err(|e| WatchError::CannotWatch(e.to_string()))?;
    let mut watch = Watch::first_build(opts, debouncer, on);
    while !interrupted() {
        let first = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(batch) => batch,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(WatchError::WatcherStopped),
        };
        let batch = watch.gather(first, &rx);
        watch.rebuild_after(batch);
    }
    watch.debouncer.stop();
    (watch.on)(Event::Stopped);
    Ok(())
}

impl<F: FnMut(Event)> Watch<F> {
    /// The first build, then the folders it names watched.
    fn first_build(
        opts: Options,
        debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
        on: F,
    ) -> Watch<F> {
        let mut session = Session::new(&opts);
        let start = Instant::now();
        let outcome = session.rebuild(&BTreeSet::new());
        let layout = session
            .layout()
            .cloned()
            .unwrap_or_else(|| default_layout(&opts));
        let mut watch = Watch {
            fingerprint: Fingerprint::default(),
            opts,
            session,
            debouncer,
            watched: BTreeMap::new(),
            layout,
            // The folders are watched, and the record of inputs taken,
            // after the build walked the book: what changed in between
            // sent no event, so the next rebuild walks the book again
            // rather than trust the record alone.
            walk_next: true,
            on,
        };
        watch.resync();
        watch.fingerprint = Fingerprint::take(&watch.layout);
        watch.tell(None, &outcome, start.elapsed());
        let folders = watch.shown();
        (watch.on)(Event::Watching {
            root: &watch.opts.root,
            folders: &folders,
        });
        watch
    }

    /// Tells of a finished build.
    fn tell(&mut self, change: Option<&str>, outcome: &Rebuild, took: Duration) {
        (self.on)(Event::Rebuilt {
            change,
            outcome,
            took,
            root: &self.opts.root,
            output: &self.layout.output,
        });
    }

    /// The watched folders as the user knows them.
    fn shown(&self) -> Vec<Watched> {
        self.watched
            .iter()
            .map(|(p, mode)| match rel_display(&self.opts.root, p) {
                s if s.is_empty() && *mode == RecursiveMode::Recursive => Watched::WholeBook,
                s if s.is_empty() => Watched::SettingsFile,
                s => Watched::Folder(s),
            })
            .collect()
    }

    /// Watches the folders the layout names, and no others.
    fn resync(&mut self) {
        let want = watch_list(&self.layout);
        for (path, mode) in self.watched.clone() {
            if want.get(&path) != Some(&mode) || !path.is_dir() {
                let _ = self.debouncer.unwatch(&path);
                self.watched.remove(&path);
            }
        }
        for (path, mode) in want {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.watched.entry(path) {
                match self.debouncer.watch(slot.key(), mode) {
                    Ok(()) => {
                        slot.insert(mode);
                    }
                    Err(e) => (self.on)(Event::CannotWatch {
                        path: slot.key(),
                        error: e.to_string(),
                    }),
                }
            }
        }
    }

    /// Gathers the events of `first` and of the batches that follow it
    /// until the book is quiet.
    fn gather(
        &mut self,
        first: DebounceEventResult,
        rx: &mpsc::Receiver<DebounceEventResult>,
    ) -> Batch {
        let mut found = Batch {
            touched: BTreeSet::new(),
            seen: BTreeSet::new(),
            rescan: false,
        };
        let gather_start = Instant::now();
        let mut batch = Some(first);
        while let Some(b) = batch.take() {
            match b {
                Ok(events) => {
                    for ev in events {
                        if ev.event.need_rescan() {
                            found.rescan = true;
                        }
                        if matches!(ev.event.kind, EventKind::Access(_)) {
                            continue;
                        }
                        for p in &ev.event.paths {
                            if self.layout.in_output(p) {
                                continue;
                            }
                            if self.layout.is_input(p) {
                                found.touched.insert(p.clone());
                            }
                            found.seen.insert(p.clone());
                        }
                    }
                }
                Err(errors) => {
                    found.rescan = true;
                    for e in errors {
                        (self.on)(Event::WatcherTrouble(e.to_string()));
                    }
                }
            }
            if gather_start.elapsed() < GATHER_LIMIT {
                batch = rx.recv_timeout(QUIET).ok();
            }
        }
        found
    }

    /// Rebuilds when a batch of events changed an input.
    fn rebuild_after(&mut self, batch: Batch) {
        let Batch {
            touched,
            seen,
            rescan,
        } = batch;
        if seen.is_empty() && !rescan {
            return;
        }
        // Folders that appeared (templates/, static/) are watched from now.
        self.resync();
        let now = if rescan {
            Fingerprint::take(&self.layout)
        } else {
            self.fingerprint.updated(&self.layout, &seen)
        };
        if rescan {
            // Events were lost: read every note again.
            self.session.forget_all();
        } else if now == self.fingerprint && touched.is_empty() {
            return;
        }
        let what = self.fingerprint.describe(&now, &self.opts.root, &touched);
        let start = Instant::now();
        let outcome = if rescan || self.walk_next {
            self.walk_next = false;
            self.session.rebuild(&touched)
        } else {
            // Every input that changed, as the record of them says, and
            // those events named (two saves within one tick of the clock
            // can leave time and length as they were).
            let mut changed = self.fingerprint.changed(&now);
            changed.extend(touched.iter().cloned());
            self.session.rebuild_changed(&changed)
        };
        self.fingerprint = now;
        self.follow_settings();
        self.tell(Some(&what), &outcome, start.elapsed());
    }

    /// The settings are read once, by the rebuild. New folders in them
    /// change what is watched and what counts as an input; the output
    /// folder found on disk changes only the layout.
    fn follow_settings(&mut self) {
        let Some(new_layout) = self.session.layout().filter(|l| **l != self.layout) else {
            return;
        };
        let moved = !new_layout.same_folders(&self.layout);
        self.layout = new_layout.clone();
        if moved {
            self.resync();
            self.fingerprint = Fingerprint::take(&self.layout);
            self.walk_next = true;
        }
    }
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

    /// What a test hears of one event.
    #[derive(Debug, PartialEq)]
    enum Heard {
        Built(Option<String>, usize),
        Failed(Option<String>),
        WriteError,
        Watching(Vec<Watched>),
        Trouble,
        Stopped,
    }

    #[test]
    fn the_loop_tells_each_build_and_stops_when_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("partners")).unwrap();
        let note = root.join("partners/ana.md");
        fs::write(&note, "---\nname: Ana Ruiz\nrole: esp\n---\n").unwrap();
        let opts = Options {
            root: root.clone(),
            ..Options::default()
        };
        let (tx, rx) = mpsc::channel();
        let looping = std::thread::spawn(move || {
            run(&opts, |event| {
                let heard = match event {
                    Event::Rebuilt {
                        change, outcome, ..
                    } => {
                        let change = change.map(str::to_string);
                        match outcome {
                            Rebuild::Built { counts, .. } => Heard::Built(change, counts.partners),
                            Rebuild::Failed { .. } => Heard::Failed(change),
                            Rebuild::WriteError(_) => Heard::WriteError,
                        }
                    }
                    Event::Watching { folders, .. } => Heard::Watching(folders.to_vec()),
                    Event::CannotWatch { .. } | Event::WatcherTrouble(_) => Heard::Trouble,
                    Event::Stopped => Heard::Stopped,
                };
                tx.send(heard).unwrap();
            })
        });
        let next = || rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(next(), Heard::Built(None, 1));
        assert_eq!(
            next(),
            Heard::Watching(vec![
                Watched::SettingsFile,
                Watched::Folder("partners".into())
            ])
        );
        fs::write(&note, "---\nname: Ana Ruiz\nrole: [esp\n---\n").unwrap();
        assert_eq!(
            next(),
            Heard::Failed(Some("partners/ana.md changed".into()))
        );
        fs::write(&note, "---\nname: Ana Ruiz\nrole: esp\n---\nMended.\n").unwrap();
        assert_eq!(
            next(),
            Heard::Built(Some("partners/ana.md changed".into()), 1)
        );
        assert!(!interrupt(), "nothing asked the loop to stop before");
        assert_eq!(next(), Heard::Stopped);
        assert!(looping.join().unwrap().is_ok());
        assert!(root.join("public/index.html").is_file());
        // A book folder that is none: a typed error, nothing watched.
        let missing = Options {
            root: root.join("no-such-book"),
            ..Options::default()
        };
        let e = run(&missing, |_| panic!("no event for a missing book")).unwrap_err();
        assert!(matches!(e, WatchError::NotAFolder(_)), "{e}");
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
