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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use walkdir::WalkDir;

use crate::diagnostics::{self, Diagnostic};
use crate::discover::{is_ignored_name, is_note_path, rel_display};
use crate::output::{self, SiteFiles, WriteStats};
use crate::pipeline::{self, Options, Pipeline};
use crate::settings;
use crate::templates;

/// The folder of files copied into the site as they are.
pub const STATIC_DIR: &str = "static";

/// How long the debouncer waits for a path to be quiet.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// After a first batch, further batches are gathered until none comes for
/// this long (bounded by [`GATHER_LIMIT`]).
const QUIET: Duration = Duration::from_millis(40);
const GATHER_LIMIT: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------- Ctrl-C

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_signal(_: libc::c_int) {
    if INTERRUPTED.swap(true, Ordering::SeqCst) {
        // A second Ctrl-C while the first is being handled: stop now.
        unsafe { libc::_exit(130) };
    }
}

/// Catches Ctrl-C (and SIGTERM) so that a rebuild in progress finishes its
/// writes before the program stops.
pub fn catch_interrupt() {
    #[cfg(unix)]
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

// ---------------------------------------------------------------- inputs

/// Where a book's inputs live, from its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub root: PathBuf,
    pub notes: PathBuf,
    pub templates: PathBuf,
    pub statics: PathBuf,
    pub output: PathBuf,
    /// The output folder on disk, links resolved, when it exists.
    pub output_real: Option<PathBuf>,
}

impl Layout {
    /// The layout for `opts`, reading `rapport.yaml` (defaults when it is
    /// broken, or `previous` when there is one).
    pub fn of(opts: &Options, previous: Option<&Layout>) -> Layout {
        let root = opts.root.clone();
        let s = match (settings::load(&root, pipeline::today()), previous) {
            (Ok(s), _) => s,
            (Err(_), Some(previous)) => return previous.clone(),
            (Err(_), None) => settings::parse(b"", pipeline::today()).expect("default settings"),
        };
        let output = pipeline::output_dir(opts, &s);
        Layout {
            notes: root.join(&s.notes_dir),
            templates: templates::book_dir(&root),
            statics: root.join(STATIC_DIR),
            output_real: output.canonicalize().ok(),
            output,
            root,
        }
    }

    fn settings_file(&self) -> PathBuf {
        self.root.join(settings::FILE)
    }

    /// Whether `path` is the output folder or inside it.
    pub fn in_output(&self, path: &Path) -> bool {
        path.starts_with(&self.output)
            || self
                .output_real
                .as_ref()
                .is_some_and(|o| path.starts_with(o))
    }

    /// Whether `path` is an input of the build: a note, the settings, a
    /// template or a static file (never anything in the output folder).
    pub fn is_input(&self, path: &Path) -> bool {
        if self.in_output(path) {
            return false;
        }
        if path == self.settings_file() {
            return true;
        }
        if let Ok(rel) = path.strip_prefix(&self.notes) {
            if is_note_path(rel) {
                return true;
            }
        }
        // The same files the build reads: templates whose own name does not
        // start with `.` or `_`; static files with no `.` folder or name.
        if let Ok(rel) = path.strip_prefix(&self.templates) {
            let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
            return name.is_some_and(|n| !is_ignored_name(&n));
        }
        if let Ok(rel) = path.strip_prefix(&self.statics) {
            return !rel.as_os_str().is_empty()
                && !rel
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        }
        false
    }

    /// The folders to watch, and how.
    fn watch_list(&self) -> BTreeMap<PathBuf, RecursiveMode> {
        let mut list = BTreeMap::new();
        // Notes kept in the book's folder itself (`notes_dir: .`) need it
        // watched whole; events from the output folder are dropped anyway.
        let root_mode = if self.notes == self.root {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        list.insert(self.root.clone(), root_mode);
        for dir in [&self.notes, &self.templates, &self.statics] {
            if dir.is_dir() && !self.in_output(dir) && dir != &self.root {
                list.insert(dir.clone(), RecursiveMode::Recursive);
            }
        }
        list
    }
}

/// Modification time and length of every input, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint(BTreeMap<PathBuf, (Option<SystemTime>, u64)>);

impl Fingerprint {
    /// Takes the fingerprint of a book's inputs.
    pub fn take(layout: &Layout) -> Fingerprint {
        let mut map = BTreeMap::new();
        let mut add = |path: &Path| {
            if let Ok(m) = std::fs::metadata(path) {
                if m.is_file() {
                    map.insert(path.to_path_buf(), (m.modified().ok(), m.len()));
                }
            }
        };
        add(&layout.settings_file());
        for dir in [&layout.notes, &layout.templates, &layout.statics] {
            if !dir.is_dir() {
                continue;
            }
            let notes = dir == &layout.notes;
            let walker = WalkDir::new(dir)
                .follow_links(true)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0
                        || !(layout.in_output(e.path())
                            || (notes && is_ignored_name(&e.file_name().to_string_lossy())))
                });
            for entry in walker.filter_map(Result::ok) {
                if entry.file_type().is_file() && layout.is_input(entry.path()) {
                    add(entry.path());
                }
            }
        }
        Fingerprint(map)
    }

    /// The fingerprint after events on `paths`, without walking the book
    /// when it can: an input file is looked at alone, a file that is no
    /// input changes nothing; a folder (or a path that was one) calls for a
    /// full walk.
    pub fn updated(&self, layout: &Layout, paths: &BTreeSet<PathBuf>) -> Fingerprint {
        let mut next = self.clone();
        for p in paths {
            let meta = std::fs::metadata(p);
            if layout.is_input(p) {
                match meta {
                    Ok(m) if m.is_file() => {
                        next.0.insert(p.clone(), (m.modified().ok(), m.len()));
                    }
                    _ => {
                        next.0.remove(p);
                    }
                }
                continue;
            }
            let was_folder = || self.0.keys().any(|k| k.starts_with(p) && k != p);
            match meta {
                Ok(m) if !m.is_dir() => {}
                Ok(_) => return Fingerprint::take(layout),
                Err(_) if was_folder() => return Fingerprint::take(layout),
                Err(_) => {}
            }
        }
        next
    }

    /// What changed from `self` to `new`, in words, relative to `root`.
    pub fn describe(&self, new: &Fingerprint, root: &Path, forced: &BTreeSet<PathBuf>) -> String {
        let rel = |p: &Path| rel_display(root, p);
        let added: Vec<&PathBuf> = new.0.keys().filter(|p| !self.0.contains_key(*p)).collect();
        let removed: Vec<&PathBuf> = self.0.keys().filter(|p| !new.0.contains_key(*p)).collect();
        let mut changed: Vec<&PathBuf> = new
            .0
            .iter()
            .filter(|(p, v)| self.0.get(*p).is_some_and(|old| old != *v))
            .map(|(p, _)| p)
            .collect();
        for p in forced {
            if new.0.contains_key(p) && self.0.contains_key(p) && !changed.contains(&p) {
                changed.push(p);
            }
        }
        let total = added.len() + removed.len() + changed.len();
        if total == 0 {
            return "no input changed".into();
        }
        if added.len() == 1 && removed.len() == 1 && changed.is_empty() {
            return format!("{} renamed to {}", rel(removed[0]), rel(added[0]));
        }
        let mut parts: Vec<String> = Vec::new();
        for (list, word) in [
            (&changed, "changed"),
            (&added, "added"),
            (&removed, "removed"),
        ] {
            match list.len() {
                0 => {}
                1 => parts.push(format!("{} {word}", rel(list[0]))),
                _ if total <= 3 => parts.push(format!(
                    "{} {word}",
                    list.iter().map(|p| rel(p)).collect::<Vec<_>>().join(", ")
                )),
                n => parts.push(format!("{n} files {word}")),
            }
        }
        parts.join(", ")
    }
}

// ---------------------------------------------------------------- rebuilds

/// What a rebuild gave.
pub enum Outcome {
    /// A good site, written to `output`.
    Built {
        files: Arc<SiteFiles>,
        stats: WriteStats,
        warnings: Vec<Diagnostic>,
        summary: String,
    },
    /// Problems: nothing was written, the last good site stays.
    Failed {
        problems: Vec<Diagnostic>,
        summary: String,
    },
    /// The site could not be written.
    WriteError(String),
}

/// Rebuilds a book again and again, reading only changed notes and writing
/// only changed files. Used by `watch` and `serve`, and by the tests and
/// benchmarks in-process.
pub struct Rebuilder {
    opts: Options,
    pipeline: Pipeline,
    /// The last site written, and where.
    last: Option<(PathBuf, Arc<SiteFiles>)>,
}

impl Rebuilder {
    pub fn new(opts: &Options) -> Rebuilder {
        Rebuilder {
            opts: opts.clone(),
            pipeline: Pipeline::new(),
            last: None,
        }
    }

    /// Forgets every parsed note, so the next rebuild reads them all.
    pub fn forget_all(&mut self) {
        self.pipeline.clear();
    }

    /// The last good site, if any.
    pub fn last_site(&self) -> Option<Arc<SiteFiles>> {
        self.last.as_ref().map(|(_, f)| f.clone())
    }

    /// Rebuilds after changes to `touched` (read again whatever their
    /// modification time says), writing the site when it is good.
    pub fn rebuild(&mut self, touched: &BTreeSet<PathBuf>) -> Outcome {
        for p in touched {
            self.pipeline.forget(p);
        }
        match self.pipeline.run(&self.opts) {
            Ok(built) => {
                if let Some(refusal) = crate::encrypt::cli::plain_write_refused(
                    &built.output,
                    built.settings.privacy.encrypt && self.opts.output.is_none(),
                ) {
                    return Outcome::WriteError(refusal.0);
                }
                let files = Arc::new(built.files);
                let write = match &self.last {
                    Some((out, old))
                        if *out == built.output && out.join(output::MANIFEST).exists() =>
                    {
                        output::write_changes(out, old, &files)
                    }
                    _ => output::write_site(&built.output, &files),
                };
                match write {
                    Ok(stats) => {
                        self.last = Some((built.output, files.clone()));
                        Outcome::Built {
                            files,
                            stats,
                            summary: pipeline::summary(&built.counts, &built.warnings),
                            warnings: built.warnings,
                        }
                    }
                    Err(e) => {
                        // Whatever is on disk now, check it whole next time.
                        self.last = None;
                        Outcome::WriteError(format!(
                            "cannot write the site to {}: {e}",
                            built.output.display()
                        ))
                    }
                }
            }
            Err(failed) => Outcome::Failed {
                summary: pipeline::summary(&failed.counts, &failed.problems),
                problems: failed.problems,
            },
        }
    }
}

/// What `serve` hears of each rebuild.
pub enum Update<'a> {
    Built(&'a Arc<SiteFiles>),
    Failed(&'a [Diagnostic]),
}

fn clock() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Prints the outcome of a rebuild: problems as `check` prints them, then
/// one line.
fn report(outcome: &Outcome, what: &str, took: Duration, root: &Path, output: &Path) {
    let ms = took.as_millis();
    let output = match output.strip_prefix(root) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => output.display().to_string(),
    };
    match outcome {
        Outcome::Built {
            stats,
            warnings,
            summary,
            ..
        } => {
            diagnostics::print(warnings);
            eprintln!(
                "[{}] {what}: rebuilt {output} in {ms} ms; {summary}; {} written, {} removed",
                clock(),
                plural(stats.written, "file"),
                stats.removed
            );
        }
        Outcome::Failed { problems, summary } => {
            diagnostics::print(problems);
            eprintln!(
                "[{}] {what}: {summary} (found in {ms} ms); nothing written, the last good site is kept",
                clock()
            );
        }
        Outcome::WriteError(e) => eprintln!("[{}] {what}: error: {e}", clock()),
    }
}

/// Builds, then rebuilds on every change until interrupted.
pub fn watch(opts: &Options) -> ExitCode {
    run(opts, "watching", |_| {})
}

/// The watch loop, shared with `serve`: `on_update` hears of every build.
pub fn run(opts: &Options, doing: &str, mut on_update: impl FnMut(Update)) -> ExitCode {
    catch_interrupt();
    let mut opts = opts.clone();
    if !opts.root.is_dir() {
        eprintln!(
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
            eprintln!("error: cannot watch for changes: {e}");
            return ExitCode::from(1);
        }
    };
    let mut watched: BTreeMap<PathBuf, RecursiveMode> = BTreeMap::new();
    let mut resync = |layout: &Layout, watched: &mut BTreeMap<PathBuf, RecursiveMode>| {
        let want = layout.watch_list();
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
                    Err(e) => eprintln!("warning: cannot watch {}: {e}", slot.key().display()),
                }
            }
        }
    };

    let mut layout = Layout::of(&opts, None);
    resync(&layout, &mut watched);
    let mut fingerprint = Fingerprint::take(&layout);
    let mut rebuilder = Rebuilder::new(&opts);
    let start = Instant::now();
    let outcome = rebuilder.rebuild(&BTreeSet::new());
    report(
        &outcome,
        "first build",
        start.elapsed(),
        &opts.root,
        &layout.output,
    );
    publish(&outcome, &mut on_update);
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
    eprintln!(
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
                eprintln!("error: the file watcher stopped");
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
                        eprintln!("warning: file watcher: {e}");
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
        let new_layout = Layout::of(&opts, Some(&layout));
        resync(&new_layout, &mut watched);
        let now = if rescan || new_layout != layout {
            Fingerprint::take(&new_layout)
        } else {
            fingerprint.updated(&new_layout, &seen)
        };
        layout = new_layout;
        if rescan {
            // Events were lost: read every note again.
            rebuilder.forget_all();
        } else if now == fingerprint && touched.is_empty() {
            continue;
        }
        let what = fingerprint.describe(&now, &opts.root, &touched);
        fingerprint = now;
        let start = Instant::now();
        let outcome = rebuilder.rebuild(&touched);
        report(&outcome, &what, start.elapsed(), &opts.root, &layout.output);
        publish(&outcome, &mut on_update);
    }
    debouncer.stop();
    eprintln!("stopped");
    ExitCode::SUCCESS
}

fn publish(outcome: &Outcome, on_update: &mut impl FnMut(Update)) {
    match outcome {
        Outcome::Built { files, .. } => on_update(Update::Built(files)),
        Outcome::Failed { problems, .. } => on_update(Update::Failed(problems)),
        Outcome::WriteError(e) => {
            on_update(Update::Failed(&[Diagnostic::error("(output)", e.clone())]))
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
        let layout = Layout::of(&opts, None);
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
