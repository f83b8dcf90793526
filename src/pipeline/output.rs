//! Writes a built site as one commit: nothing on disk changes until every
//! changed file has been written aside, and a failure before the commit
//! leaves the previous site byte for byte.
//!
//! The steps, under a lock on the output folder (`.rapport-lock`):
//!
//! 1. every file whose bytes differ, and the new manifest, are written
//!    beside their targets under names unique to this process
//!    (`.NAME.PID.N.rapport-tmp`); any failure removes all of them, and
//!    the folders this write created, and names the path that failed;
//! 2. a journal (`.rapport-pending`, written aside and renamed) lists
//!    every rename, every file of the old site to remove and the new
//!    manifest;
//! 3. each file aside is renamed over its target, the files that are gone
//!    are removed, the manifest is renamed into place, and the journal is
//!    removed. Ctrl-C and SIGTERM wait for the end of this step
//!    ([`exit_when_safe`]).
//!
//! Each rename is atomic, the set of them is not: a process killed during
//! step 3 leaves some files new and some old, and the journal. The next
//! run of any command ([`recover`], called when the settings are read, and
//! by [`Staged::open`]) completes the journal before anything else: the
//! new site, whole.
//!
//! Every folder below the output folder is opened without following a
//! link, and every file is made, read, renamed and removed relative to
//! it ([`super::nofollow`]): a link planted in a shared output folder is
//! never written or deleted through.

use std::collections::{BTreeSet, HashMap};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::site::{
    has_manifest, is_tmp_name, FileBytes, SiteFiles, JOURNAL, LOCK, MANIFEST, TMP_SUFFIX,
};

use super::nofollow::{self, Dir, Kind};

/// A write that stopped while putting the site in place, past the point
/// where it can be undone: the journal completes it on the next run. Held
/// inside the `io::Error` the write gives (see [`is_partly_updated`]).
#[derive(Debug)]
pub struct PartlyUpdated(pub io::Error);

impl std::fmt::Display for PartlyUpdated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}; the site is partly updated, and the next run of rapport completes it",
            self.0
        )
    }
}

impl std::error::Error for PartlyUpdated {}

/// Whether a write's error is a [`PartlyUpdated`] one.
pub fn is_partly_updated(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<PartlyUpdated>())
}

/// What a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// The last site one process wrote to a folder, with the length and
/// modification time each file had just after (watch mode).
///
/// While neither the manifest nor the output folder itself has changed
/// since (every write that changes a file makes and removes its journal
/// in that folder), no other build has written there, and each file is
/// taken to hold what this process wrote: only the files whose bytes
/// differ from the last site are looked at. Otherwise a file that still
/// has its length and time is not read again to compare, and anything
/// else is compared on disk, so a site changed meanwhile by another build
/// is seen as it is.
#[derive(Debug, Default, Clone)]
pub struct Known {
    files: Arc<SiteFiles>,
    stamps: HashMap<String, (u64, SystemTime)>,
    /// The manifest's and the output folder's length and time just after
    /// the write (see [`Known::untouched`] and [`Known::trusted`]).
    manifest: Option<(u64, SystemTime)>,
    folder: Option<(u64, SystemTime)>,
}

/// The manifest's and the folder's stamps, taken under the lock.
type FolderStamps = (Option<(u64, SystemTime)>, Option<(u64, SystemTime)>);

fn folder_stamps(out: &Path) -> FolderStamps {
    (stamp(&out.join(MANIFEST)), stamp(out))
}

fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let m = fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

impl Known {
    /// Records `files` as just written under `out`, whose manifest and
    /// folder had `taken` just after.
    fn after_write(out: &Path, files: Arc<SiteFiles>, taken: FolderStamps) -> Known {
        let stamps = files
            .keys()
            .filter_map(|rel| Some((rel.clone(), stamp(&out.join(rel))?)))
            .collect();
        Known {
            files,
            stamps,
            manifest: taken.0,
            folder: taken.1,
        }
    }

    /// Records `files` as just written under `out`, where this (the site
    /// written before) held every file `held` says (in the order of
    /// `files`): those keep their stamps, the others are looked at again.
    fn updated(
        mut self,
        out: &Path,
        files: Arc<SiteFiles>,
        held: &[bool],
        taken: FolderStamps,
    ) -> Known {
        for ((rel, _), held) in files.iter().zip(held) {
            if *held {
                continue;
            }
            match stamp(&out.join(rel)) {
                Some(s) => {
                    self.stamps.insert(rel.clone(), s);
                }
                None => {
                    self.stamps.remove(rel);
                }
            }
        }
        if self.stamps.len() > files.len() {
            self.stamps.retain(|rel, _| files.contains_key(rel));
        }
        self.files = files;
        (self.manifest, self.folder) = taken;
        self
    }

    /// The files of the site on disk, when no other build wrote to `out`
    /// since this one (its manifest and journal say so): then the manifest
    /// need not be read, nor the folders searched for files left aside.
    fn untouched(&self, out: &Path) -> Option<&SiteFiles> {
        let same = self.manifest.is_some()
            && stamp(&out.join(MANIFEST)) == self.manifest
            && !out.join(JOURNAL).exists();
        same.then_some(self.files.as_ref())
    }

    /// Whether the files on disk under `out` are still those this process
    /// wrote, as far as builds go: the manifest is untouched and the
    /// folder too (a write that changes any file makes its journal there).
    /// A file changed by hand, not by a build, is not seen.
    fn trusted(&self, out: &Path) -> bool {
        self.untouched(out).is_some() && self.folder.is_some() && stamp(out) == self.folder
    }

    /// Which of `files` the last site held with the same bytes (in their
    /// order): both lists are sorted, so they are walked side by side.
    fn same_bytes(&self, files: &SiteFiles) -> Vec<bool> {
        let mut old = self.files.iter().peekable();
        files
            .iter()
            .map(|(rel, bytes)| {
                while old.peek().is_some_and(|(o, _)| o.as_str() < rel.as_str()) {
                    old.next();
                }
                old.peek()
                    .is_some_and(|(o, b)| *o == rel && (Arc::ptr_eq(b, bytes) || *b == bytes))
            })
            .collect()
    }

    /// The files.
    pub fn files(&self) -> Arc<SiteFiles> {
        self.files.clone()
    }

    /// The bytes of the file at `rel` under `out`, when it is still the
    /// one this process wrote there (its length and time are as written).
    fn on_disk(&self, out: &Path, rel: &str) -> Option<&FileBytes> {
        let stamp = self.stamps.get(rel)?;
        let bytes = self.files.get(rel)?;
        fs::metadata(out.join(rel))
            .is_ok_and(|m| m.len() == stamp.0 && m.modified().ok() == Some(stamp.1))
            .then_some(bytes)
    }
}

/// What a write knows of a file on disk before it writes it.
enum Disk<'a> {
    /// Nothing: it is read back to compare.
    Unknown,
    /// It differs from the bytes to write.
    Differs,
    /// It is what `Known` holds if it still stands as this process wrote
    /// it (its length and time); the new bytes are the second.
    Wrote(&'a Known, &'a FileBytes),
}

/// An error that names the path it happened on.
fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Whether a manifest entry is a plain relative path inside the folder.
fn is_safe(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// A name to write `name` aside under, unique to this process and this
/// call.
fn tmp_name(name: &OsStr) -> OsString {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    OsString::from(format!(
        ".{}.{}.{n}{TMP_SUFFIX}",
        name.to_string_lossy(),
        std::process::id()
    ))
}

/// A name beside `target`, unique to this process and this call.
fn tmp_path(target: &Path) -> PathBuf {
    target.with_file_name(tmp_name(target.file_name().unwrap_or_default()))
}

/// The folder part and the file name of a path in the site.
fn split_rel(rel: &str) -> (&str, &OsStr) {
    let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    (folder, OsStr::new(name))
}

/// Writes `bytes` to a new file `name` in `dir`, never through a link.
fn write_in(dir: &Dir, name: &OsStr, bytes: &[u8]) -> io::Result<()> {
    let mut f = dir.create_new(name)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Whether `name` in `dir` is a regular file that already holds exactly
/// `bytes` (the size is compared first, so a changed file is seldom
/// read; a link is never read through).
fn unchanged(dir: &Dir, name: &OsStr, bytes: &[u8]) -> bool {
    matches!(dir.kind(name), Ok(Some(Kind::File(n))) if n == bytes.len() as u64)
        && dir.read(name).is_ok_and(|old| old == bytes)
}

/// A file given in pieces: called with a function that takes each piece
/// in order (as `encrypt::Pieces`).
type Pieces<'a> = dyn Fn(&mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> + 'a;

/// Files given in pieces up to this size are put together first and
/// written in one go: 1 MiB.
const SMALL_FILE: u64 = 1 << 20;

/// [`unchanged`] for a file given in pieces: it is read a piece at a time
/// beside them, and the first piece that differs stops both (an encrypted
/// file that changed differs in its first bytes, the nonce).
fn same_pieces(dir: &Dir, name: &OsStr, len: u64, pieces: &Pieces<'_>) -> bool {
    if !matches!(dir.kind(name), Ok(Some(Kind::File(n))) if n == len) {
        return false;
    }
    let Ok(file) = dir.open_read(name) else {
        return false;
    };
    let mut file = io::BufReader::with_capacity(64 * 1024, file);
    let mut old = Vec::new();
    let differs = || io::Error::other("differs");
    let compared = pieces(&mut |piece| {
        old.resize(piece.len(), 0);
        io::Read::read_exact(&mut file, &mut old)?;
        if old == piece {
            Ok(())
        } else {
            Err(differs())
        }
    });
    compared.is_ok() && io::Read::read(&mut file, &mut [0u8; 1]).is_ok_and(|n| n == 0)
}

/// Whether `a` and `b` in `dir` are regular files with the same bytes,
/// read a piece at a time (the sizes are compared first; a link is never
/// read through).
fn same_files(dir: &Dir, a: &OsStr, b: &OsStr) -> bool {
    let len = |name| match dir.kind(name) {
        Ok(Some(Kind::File(n))) => Some(n),
        _ => None,
    };
    if len(a).is_none() || len(a) != len(b) {
        return false;
    }
    let (Ok(fa), Ok(fb)) = (dir.open_read(a), dir.open_read(b)) else {
        return false;
    };
    let mut fa = io::BufReader::with_capacity(64 * 1024, fa);
    let mut fb = io::BufReader::with_capacity(64 * 1024, fb);
    loop {
        let (Ok(pa), Ok(pb)) = (
            io::BufRead::fill_buf(&mut fa),
            io::BufRead::fill_buf(&mut fb),
        ) else {
            return false;
        };
        let n = pa.len().min(pb.len());
        if n == 0 {
            return pa.is_empty() && pb.is_empty();
        }
        if pa[..n] != pb[..n] {
            return false;
        }
        io::BufRead::consume(&mut fa, n);
        io::BufRead::consume(&mut fb, n);
    }
}

/// Writes `bytes` to a new file at `path`, which must not exist.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Writes `bytes` to `target` through a file beside it and a rename.
pub fn replace_file(target: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| at(parent, e))?;
    }
    let tmp = tmp_path(target);
    if let Err(e) = write_new(&tmp, bytes) {
        let _ = fs::remove_file(&tmp);
        return Err(at(target, e));
    }
    fs::rename(&tmp, target).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        at(target, e)
    })
}

fn parse_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().filter(|l| is_safe(l)).map(str::to_owned)
}

/// Reads the manifest of a previous build, with the files of a write that
/// was interrupted (see the module's documentation).
pub fn read_manifest(out: &Path) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = fs::read_to_string(out.join(MANIFEST))
        .map(|s| parse_list(&s).collect())
        .unwrap_or_default();
    if let Ok(s) = fs::read_to_string(out.join(JOURNAL)) {
        match s.strip_prefix(JOURNAL_HEADER) {
            Some(steps) => set.extend(
                steps
                    .lines()
                    .filter_map(|l| l.strip_prefix("name\t"))
                    .filter(|l| is_safe(l))
                    .map(str::to_owned),
            ),
            // A journal of an older rapport: the names, one a line.
            None => set.extend(parse_list(&s)),
        }
    }
    set
}

/// The first line of a journal that can be completed (see
/// [`complete_journal`]).
const JOURNAL_HEADER: &str = "rapport journal 2\n";

/// The journal of a commit: every name of the old and the new site (so
/// that a write that cannot be completed still knows its files), then
/// each step of the commit, in order.
fn journal_text(
    names: &[&str],
    renames: &[Aside],
    gone: &[&String],
    manifest: Option<&OsStr>,
) -> String {
    let mut text = String::from(JOURNAL_HEADER);
    for n in names {
        text.push_str(&format!("name\t{n}\n"));
    }
    for a in renames {
        text.push_str(&format!("rename\t{}\t{}\n", a.rel, a.tmp.to_string_lossy()));
    }
    for g in gone {
        text.push_str(&format!("remove\t{g}\n"));
    }
    if let Some(m) = manifest {
        text.push_str(&format!("manifest\t{}\n", m.to_string_lossy()));
    }
    text
}

/// Whether `name` is one a write put aside, in the folder it names.
fn is_aside_name(name: &str) -> bool {
    is_tmp_name(name) && !name.contains('/')
}

/// Completes the commit a killed process left half done in the folder
/// `root`, from its journal: every file still aside is renamed into
/// place, every file of the old site that is gone is removed, the new
/// manifest is put in place and the journal removed. Every file the
/// journal names was written aside before the journal was, so the new
/// site is whole afterwards. Running it again after a kill in the middle
/// does the rest. `false` when there is no journal to complete (none, or
/// one of an older rapport, which the next build repairs by comparing
/// every file). The caller holds the folder's lock.
fn complete_journal(root: &Dir) -> io::Result<bool> {
    let text = match root.read(OsStr::new(JOURNAL)) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let Some(steps) = text.strip_prefix(JOURNAL_HEADER) else {
        return Ok(false);
    };
    let _critical = Critical::enter();
    for line in steps.lines() {
        let mut field = line.split('\t');
        match (field.next(), field.next(), field.next()) {
            (Some("rename"), Some(rel), Some(tmp)) if is_safe(rel) && is_aside_name(tmp) => {
                let (folder, name) = split_rel(rel);
                // A folder that became a link is not written through.
                let Ok(dir) = nofollow::open_under(root, folder) else {
                    continue;
                };
                let tmp = OsStr::new(tmp);
                if let Some(Kind::File(_)) = dir.kind(tmp)? {
                    dir.rename(tmp, name)?;
                }
            }
            (Some("remove"), Some(rel), None) if is_safe(rel) => {
                nofollow::remove_regular(root, rel)?;
            }
            (Some("manifest"), Some(tmp), None) if is_aside_name(tmp) => {
                let tmp = OsStr::new(tmp);
                if let Some(Kind::File(_)) = root.kind(tmp)? {
                    root.rename(tmp, OsStr::new(MANIFEST))?;
                }
            }
            _ => {}
        }
    }
    root.remove_file(OsStr::new(JOURNAL))?;
    Ok(true)
}

/// Completes a write that a killed process left in `out` (its journal)
/// and removes the files a killed write left aside, unless another
/// rapport is writing there now. Only a folder that holds a site of
/// rapport's is touched. Done once per folder and process: every command
/// that reads a book calls it before anything else. Says whether it
/// completed a write.
pub fn recover(out: &Path) -> io::Result<bool> {
    static DONE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    {
        let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
        if done.iter().any(|d| d == out) {
            return Ok(false);
        }
        done.push(out.to_path_buf());
    }
    let journal = fs::symlink_metadata(out.join(JOURNAL)).is_ok();
    if !journal && !has_manifest(out) {
        return Ok(false);
    }
    let Some(_lock) = FolderLock::try_take(out)? else {
        return Ok(false);
    };
    let root = Dir::open(out).map_err(|e| at(out, e))?;
    let completed = complete_journal(&root).map_err(|e| {
        at(
            out,
            io::Error::new(
                e.kind(),
                format!("cannot complete the interrupted write: {e}"),
            ),
        )
    })?;
    sweep_leftovers(&root, read_manifest(out).iter());
    Ok(completed)
}

/// Reads the settings of the book at `root`, then completes a build that
/// was killed while renaming its files in the book's output folder. Every
/// command reads the settings first, through this, so a killed build is
/// completed before anything else.
pub fn settings_then_recover(
    root: &Path,
    today: crate::book::Day,
) -> Result<crate::book::Settings, Vec<crate::diagnostics::Diagnostic>> {
    let settings = crate::book::settings::load(root, today)?;
    recover_and_say(&crate::book::layout::resolve(
        &root.join(&settings.output_dir),
    ));
    Ok(settings)
}

/// [`recover`], saying on standard error what it did or why it could not.
pub fn recover_and_say(out: &Path) {
    match recover(out) {
        Ok(true) => crate::say!(
            "completed the write of a build that was interrupted in {}",
            out.display()
        ),
        Ok(false) => {}
        Err(e) => crate::say!("warning: {e}"),
    }
}

/// A stretch of a commit that a Ctrl-C or SIGTERM does not cut: from the
/// journal to its removal, the site is mixed. A signal that comes meanwhile
/// ends the process when the last such stretch ends
/// ([`exit_when_safe`]).
struct Critical;

struct Signals {
    depth: usize,
    pending: Option<i32>,
}

static SIGNALS: Mutex<Signals> = Mutex::new(Signals {
    depth: 0,
    pending: None,
});

fn signals() -> std::sync::MutexGuard<'static, Signals> {
    SIGNALS.lock().unwrap_or_else(|e| e.into_inner())
}

impl Critical {
    fn enter() -> Critical {
        signals().depth += 1;
        Critical
    }
}

impl Drop for Critical {
    fn drop(&mut self) {
        let mut s = signals();
        s.depth -= 1;
        if s.depth == 0 {
            if let Some(code) = s.pending {
                let _ = writeln!(
                    io::stderr(),
                    "interrupted: the site was put in place whole first"
                );
                std::process::exit(code);
            }
        }
    }
}

/// Ends the process with `code` now, or, while a commit is putting its
/// files in place, as soon as it has (for a Ctrl-C or SIGTERM handler).
pub fn exit_when_safe(code: i32) {
    let mut s = signals();
    if s.depth == 0 {
        std::process::exit(code);
    }
    s.pending = Some(code);
}

/// Holds the lock on an output folder; a second writer waits, saying so.
pub struct FolderLock {
    _file: fs::File,
}

impl FolderLock {
    /// Takes the lock on `out` (created if missing).
    pub fn take(out: &Path) -> io::Result<FolderLock> {
        fs::create_dir_all(out).map_err(|e| at(out, e))?;
        let path = out.join(LOCK);
        let file = lock_file(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let _ = writeln!(
                    io::stderr(),
                    "waiting: another rapport is writing to {}",
                    out.display()
                );
                file.lock().map_err(|e| at(&path, e))?;
            }
            Err(fs::TryLockError::Error(e)) => return Err(at(&path, e)),
        }
        Ok(FolderLock { _file: file })
    }

    /// Takes the lock on the existing folder `out` when nobody holds it.
    pub fn try_take(out: &Path) -> io::Result<Option<FolderLock>> {
        let path = out.join(LOCK);
        let file = lock_file(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FolderLock { _file: file })),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(at(&path, e)),
        }
    }
}

/// Opens (or makes) the lock file, never through a link.
fn lock_file(path: &Path) -> io::Result<fs::File> {
    let mut open = fs::OpenOptions::new();
    open.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NOFOLLOW);
    open.open(path).map_err(|e| at(path, e))
}

/// Writes `files` under `out`.
pub fn write_site(out: &Path, files: &SiteFiles) -> io::Result<WriteStats> {
    write_site_then(out, files, &|| {}, |_| Ok(()))
}

/// Like [`write_site`], calling `progress` once for each file handled,
/// then `after` once the site is written, still under the folder's lock,
/// so that what `after` records about the folder (the build's input
/// record) cannot describe another build's site.
pub fn write_site_then(
    out: &Path,
    files: &SiteFiles,
    progress: &(dyn Fn() + Sync),
    after: impl FnOnce(&[&str]) -> io::Result<()>,
) -> io::Result<WriteStats> {
    Staged::open(out)?.commit(files, None, progress, after)
}

/// What a failed write must undo: files written aside, folders made.
/// Each name is in the folder beside it.
#[derive(Default)]
struct Undo {
    aside: Vec<(Arc<Dir>, OsString)>,
    folders: Vec<(Arc<Dir>, OsString)>,
}

impl Undo {
    fn run(&mut self) {
        for (dir, name) in self.aside.drain(..) {
            let _ = dir.remove_file(&name);
        }
        for (dir, name) in self.folders.drain(..).rev() {
            let _ = dir.remove_dir(&name);
        }
    }
}

/// A file written aside: its folder, its name there, and its path in the
/// site.
struct Aside {
    dir: Arc<Dir>,
    tmp: OsString,
    rel: String,
}

/// Removes files left aside by a write that did not finish, in the
/// folders of the site (the lock is held, so no write is under way),
/// never through a link.
fn sweep_leftovers<'a>(root: &Dir, rels: impl Iterator<Item = &'a String>) {
    let folders: BTreeSet<&str> = rels.map(|rel| split_rel(rel).0).chain([""]).collect();
    for folder in folders {
        if let Ok(dir) = nofollow::open_under(root, folder) {
            sweep_dir(&dir);
        }
    }
}

/// Removes the files left aside in one folder.
fn sweep_dir(dir: &Dir) {
    let Ok(names) = dir.names() else {
        return;
    };
    for name in names {
        if is_tmp_name(&name.to_string_lossy()) {
            let _ = dir.remove_file(&name);
        }
    }
}

/// Writes `files` under `out` as one commit (see the module's
/// documentation); `known` is the last site this process wrote there, to
/// skip reading files that cannot have changed. Gives what to pass as
/// `known` next time.
pub fn write_site_known(
    out: &Path,
    files: Arc<SiteFiles>,
    known: Option<Known>,
    progress: &(dyn Fn() + Sync),
) -> io::Result<(WriteStats, Known)> {
    let staged = Staged::open_known(out, known.as_ref())?;
    let mut taken = (None, None);
    let (stats, held) = staged.commit_held(&files, known.as_ref(), progress, |_| {
        taken = folder_stamps(out);
        Ok(())
    })?;
    let known = match known {
        Some(k) => k.updated(out, files, &held, taken),
        None => Known::after_write(out, files, taken),
    };
    Ok((stats, known))
}

/// What a staged write has done so far.
#[derive(Default)]
struct Progress {
    undo: Undo,
    /// Each file written aside.
    renames: Vec<Aside>,
    /// The files handed in one by one with [`Staged::put`].
    streamed: Vec<String>,
    /// The folders known to exist, by their path in the site
    /// (`partners`; the output folder is ``), each open.
    folders: HashMap<String, Arc<Dir>>,
    /// The first failure; nothing more is written after it.
    failed: Option<io::Error>,
}

/// A site written file by file, under the folder's lock, as its pages are
/// rendered: each changed file goes aside at once (step 1 of the module's
/// documentation), so that no page has to be held in memory until the
/// end, and [`commit`](Staged::commit) renames them all into place.
/// Dropped without a commit (a render that failed), it removes every file
/// it wrote aside and every folder it made: the previous site stays as it
/// was.
pub struct Staged {
    out: PathBuf,
    /// The output folder, open: every file is reached from it without
    /// following a link.
    root: Arc<Dir>,
    _lock: FolderLock,
    old: BTreeSet<String>,
    interrupted: bool,
    /// Whether `out` was made by this write (and goes again if it fails).
    made: bool,
    /// Whether folders may hold files a killed write left aside (not when
    /// this process wrote the folder last and nobody has since).
    sweep: bool,
    /// Whether the files on disk are those of the last site this process
    /// wrote ([`Known::trusted`]).
    trusted: bool,
    committed: bool,
    state: Mutex<Progress>,
}

impl Staged {
    /// Takes the lock on `out` (made if missing) and sweeps what an
    /// interrupted write left aside.
    pub fn open(out: &Path) -> io::Result<Staged> {
        Staged::open_known(out, None)
    }

    /// [`open`](Staged::open), where `known` is the last site this process
    /// wrote to `out`: when nobody wrote there since, its list of files
    /// stands for the manifest, and no folder needs sweeping.
    fn open_known(out: &Path, known: Option<&Known>) -> io::Result<Staged> {
        let made = !out.exists();
        let lock = FolderLock::take(out)?;
        let root = Arc::new(Dir::open(out).map_err(|e| at(out, e))?);
        // A write killed while renaming is completed first.
        let journal = fs::symlink_metadata(out.join(JOURNAL)).is_ok();
        if journal {
            complete_journal(&root).map_err(|e| at(&out.join(JOURNAL), e))?;
        }
        let untouched = known.filter(|_| !journal).and_then(|k| k.untouched(out));
        let trusted = !journal && known.is_some_and(|k| k.trusted(out));
        let (old, interrupted, sweep) = match untouched {
            Some(site) => (site.keys().cloned().collect(), false, false),
            None => (read_manifest(out), journal, true),
        };
        if sweep {
            sweep_leftovers(&root, old.iter());
        }
        let mut progress = Progress::default();
        progress.folders.insert(String::new(), root.clone());
        Ok(Staged {
            out: out.to_path_buf(),
            root,
            _lock: lock,
            old,
            interrupted,
            made,
            sweep,
            trusted,
            committed: false,
            state: Mutex::new(progress),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The folder of `rel`, open, with the folders that are missing made
    /// and recorded. A folder that was there is swept of what a killed
    /// write left aside the first time a file goes into it (before this
    /// write puts anything there). A link on the way is refused, never
    /// followed.
    fn folders_for(&self, rel: &str) -> io::Result<Arc<Dir>> {
        let (folder, _) = split_rel(rel);
        let mut state = self.state();
        if let Some(dir) = state.folders.get(folder) {
            return Ok(dir.clone());
        }
        let mut cur = self.root.clone();
        let mut shown = String::new();
        for part in folder.split('/') {
            if !shown.is_empty() {
                shown.push('/');
            }
            shown.push_str(part);
            if let Some(dir) = state.folders.get(&shown) {
                cur = dir.clone();
                continue;
            }
            let name = OsStr::new(part);
            let path = cur.path().join(name);
            let made = cur.make(name).map_err(|e| at(&path, e))?;
            let child = Arc::new(cur.child(name).map_err(|e| at(&path, e))?);
            if made {
                state.undo.folders.push((cur.clone(), name.to_owned()));
            } else if self.sweep {
                sweep_dir(&child);
            }
            state.folders.insert(shown.clone(), child.clone());
            cur = child;
        }
        Ok(cur)
    }

    /// Hands in one file of the new site: written aside when its bytes
    /// differ from the file on disk. Safe to call from several threads; a
    /// failure is kept and returned by [`commit`](Staged::commit).
    pub fn put(&self, rel: &str, bytes: &[u8]) {
        if self.put_known(rel, bytes, Disk::Unknown).is_some() {
            self.state().streamed.push(rel.to_string());
        }
    }

    /// Hands in one file of the new site given in pieces (`len` bytes in
    /// all, handed in order to the function `pieces` is called with), as
    /// [`put`](Staged::put) does a file in one buffer: a large file is
    /// compared with the one on disk, and written aside, a piece at a
    /// time, and is never whole in memory. A small one is put together
    /// and handed to [`put`](Staged::put).
    pub fn put_pieces(&self, rel: &str, len: u64, pieces: &Pieces<'_>) {
        if len <= SMALL_FILE {
            let mut bytes = Vec::with_capacity(len as usize);
            let gathered = pieces(&mut |piece| {
                bytes.extend_from_slice(piece);
                Ok(())
            });
            match gathered {
                Ok(()) => self.put(rel, &bytes),
                Err(e) => {
                    self.state()
                        .failed
                        .get_or_insert(at(&self.out.join(rel), e));
                }
            }
            return;
        }
        if self.state().failed.is_some() {
            return;
        }
        let target = self.out.join(rel);
        let (_, name) = split_rel(rel);
        let result = self.folders_for(rel).and_then(|dir| {
            if same_pieces(&dir, name, len, pieces) {
                Ok(None)
            } else {
                self.write_aside(&dir, rel, &target, &|f: &mut fs::File| {
                    pieces(&mut |piece| f.write_all(piece))
                })
                .map(Some)
            }
        });
        if self.record(result).is_some() {
            self.state().streamed.push(rel.to_string());
        }
    }

    /// Hands in one file of the new site made as it is written: `fill` is
    /// called once, with a function that takes each piece in order. The
    /// file goes aside a piece at a time, so it is never whole in memory
    /// nor its length needed beforehand, and is then compared with the
    /// file on disk: when they are the same, the one aside is removed and
    /// the file on disk left alone.
    pub fn put_streamed(&self, rel: &str, fill: &Pieces<'_>) {
        if self.state().failed.is_some() {
            return;
        }
        let target = self.out.join(rel);
        let (_, name) = split_rel(rel);
        let result = self.folders_for(rel).and_then(|dir| {
            let aside = self.write_aside(&dir, rel, &target, &|f: &mut fs::File| {
                let mut w = io::BufWriter::with_capacity(64 * 1024, f);
                fill(&mut |piece| w.write_all(piece))?;
                w.flush()
            })?;
            // Should the one aside not go, it replaces the same bytes.
            if same_files(&dir, name, &aside.tmp) && dir.remove_file(&aside.tmp).is_ok() {
                return Ok(None);
            }
            Ok(Some(aside))
        });
        if self.record(result).is_some() {
            self.state().streamed.push(rel.to_string());
        }
    }

    /// Writes the file `rel` (at `target`) aside in its folder `dir`, its
    /// bytes from `fill`; a folder in its place is an error.
    fn write_aside(
        &self,
        dir: &Arc<Dir>,
        rel: &str,
        target: &Path,
        fill: &dyn Fn(&mut fs::File) -> io::Result<()>,
    ) -> io::Result<Aside> {
        let (_, name) = split_rel(rel);
        if dir.kind(name).map_err(|e| at(target, e))? == Some(Kind::Folder) {
            return Err(at(
                target,
                io::Error::new(io::ErrorKind::IsADirectory, "a folder is in the way"),
            ));
        }
        // A link at the file's own name is replaced by the rename, never
        // written through.
        let tmp = tmp_name(name);
        let written = dir.create_new(&tmp).and_then(|mut f| {
            fill(&mut f)?;
            f.flush()
        });
        match written {
            Ok(()) => Ok(Aside {
                dir: dir.clone(),
                tmp,
                rel: rel.to_string(),
            }),
            Err(e) => {
                let _ = dir.remove_file(&tmp);
                Err(at(target, e))
            }
        }
    }

    /// Keeps what handing in one file gave: the file written aside, or
    /// the failure. `None` after a failure.
    fn record(&self, result: io::Result<Option<Aside>>) -> Option<()> {
        let mut state = self.state();
        match result {
            Ok(aside) => {
                if let Some(aside) = aside {
                    state
                        .undo
                        .aside
                        .push((aside.dir.clone(), aside.tmp.clone()));
                    state.renames.push(aside);
                }
                Some(())
            }
            Err(e) => {
                state.failed.get_or_insert(e);
                None
            }
        }
    }

    /// [`put`](Staged::put); says whether `known` held the file as it is,
    /// or `None` after a failure.
    fn put_known(&self, rel: &str, bytes: &[u8], disk: Disk) -> Option<bool> {
        if self.state().failed.is_some() {
            return None;
        }
        let target = self.out.join(rel);
        let (_, name) = split_rel(rel);
        // What this process wrote and still stands need not be read back
        // to compare; the same `Arc` is the same bytes, no need to compare
        // them either.
        let (held, read) = match disk {
            Disk::Unknown => (false, true),
            Disk::Differs => (false, false),
            Disk::Wrote(k, new) => match k.on_disk(&self.out, rel) {
                Some(old) => (Arc::ptr_eq(old, new) || old == new, false),
                None => (false, true),
            },
        };
        let result = self.folders_for(rel).and_then(|dir| {
            if held || (read && unchanged(&dir, name, bytes)) {
                Ok(None)
            } else {
                self.write_aside(&dir, rel, &target, &|f: &mut fs::File| f.write_all(bytes))
                    .map(Some)
            }
        });
        self.record(result).map(|()| held)
    }

    /// Hands in the rest of the site (`files`), then writes the manifest
    /// and renames every file aside into place (steps 2 and 3), and calls
    /// `after` with the names of the whole site, still under the lock.
    /// Files of the previous site that were not handed in are removed.
    pub fn commit(
        self,
        files: &SiteFiles,
        known: Option<&Known>,
        progress: &(dyn Fn() + Sync),
        after: impl FnOnce(&[&str]) -> io::Result<()>,
    ) -> io::Result<WriteStats> {
        self.commit_held(files, known, progress, after)
            .map(|(stats, _)| stats)
    }

    /// [`commit`](Staged::commit), also saying which of `files` `known`
    /// held as they are (in their order).
    fn commit_held(
        mut self,
        files: &SiteFiles,
        known: Option<&Known>,
        progress: &(dyn Fn() + Sync),
        after: impl FnOnce(&[&str]) -> io::Result<()>,
    ) -> io::Result<(WriteStats, Vec<bool>)> {
        let held: Vec<bool> = match known.filter(|_| self.trusted) {
            // Only the files whose bytes changed are looked at.
            Some(k) => {
                let same = k.same_bytes(files);
                let changed: Vec<(&String, &FileBytes)> = files
                    .iter()
                    .zip(&same)
                    .filter(|(_, same)| !**same)
                    .map(|(file, _)| file)
                    .collect();
                // On disk they are as `k` has them, so they differ.
                changed.par_iter().for_each(|(rel, bytes)| {
                    self.put_known(rel, bytes, Disk::Differs);
                });
                for _ in 0..files.len() {
                    progress();
                }
                same
            }
            None => files
                .par_iter()
                .map(|(rel, bytes)| {
                    let disk = known.map_or(Disk::Unknown, |k| Disk::Wrote(k, bytes));
                    let held = self.put_known(rel, bytes, disk);
                    progress();
                    held.unwrap_or(false)
                })
                .collect(),
        };
        let mut streamed = std::mem::take(&mut self.state().streamed);
        streamed.sort_unstable();
        let names = merged(
            streamed.iter().map(String::as_str),
            files.keys().map(String::as_str),
        );
        let stats = self.finish(&names);
        self.committed = stats.is_ok();
        let stats = stats?;
        after(&names)?;
        Ok((stats, held))
    }

    /// Steps 2 and 3; on a failure before the journal, undoes step 1.
    fn finish(&self, names: &[&str]) -> io::Result<WriteStats> {
        let mut state = self.state();
        if let Some(e) = state.failed.take() {
            state.undo.run();
            return Err(e);
        }
        let out = &self.out;
        let root = &self.root;
        let target = out.join(MANIFEST);
        let listing = || listed(names);
        let same = if self.sweep {
            fs::read_to_string(&target).ok().as_deref() == Some(listing().as_str())
        } else {
            // Untouched since this process wrote it: it lists `old`.
            self.old.len() == names.len() && self.old.iter().zip(names).all(|(a, b)| a == b)
        };
        // A name that would break the lists of names is never written.
        if let Some(bad) = names.iter().find(|n| n.contains(['\n', '\r', '\t'])) {
            state.undo.run();
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{:?}: a file name with a line break or a tab", bad),
            ));
        }
        let manifest = if same && !self.interrupted {
            None
        } else {
            let tmp = tmp_name(OsStr::new(MANIFEST));
            state.undo.aside.push((root.clone(), tmp.clone()));
            if let Err(e) = write_in(root, &tmp, listing().as_bytes()) {
                state.undo.run();
                return Err(at(&target, e));
            }
            Some(tmp)
        };
        let renames = std::mem::take(&mut state.renames);
        // Both lists are sorted: walked side by side.
        let mut next = 0;
        let gone: Vec<&String> = self
            .old
            .iter()
            .filter(|rel| {
                while names.get(next).is_some_and(|n| *n < rel.as_str()) {
                    next += 1;
                }
                names.get(next) != Some(&rel.as_str())
            })
            .collect();
        let mut stats = WriteStats {
            written: renames.len(),
            unchanged: names.len() - renames.len(),
            removed: 0,
        };
        if renames.is_empty() && gone.is_empty() && manifest.is_none() {
            state.undo = Undo::default();
            return Ok(stats);
        }
        // The journal: from here until it is removed, the site may be
        // mixed, and the journal says how to complete it.
        let journal = journal_text(
            &merged(self.old.iter().map(String::as_str), names.iter().copied()),
            &renames,
            &gone,
            manifest.as_deref(),
        );
        let journal_aside = tmp_name(OsStr::new(JOURNAL));
        state.undo.aside.push((root.clone(), journal_aside.clone()));
        if let Err(e) = write_in(root, &journal_aside, journal.as_bytes()) {
            state.undo.run();
            return Err(at(&out.join(JOURNAL), e));
        }
        // A Ctrl-C from here waits until the site is whole.
        let _critical = Critical::enter();
        if let Err(e) = root.rename(&journal_aside, OsStr::new(JOURNAL)) {
            state.undo.run();
            return Err(at(&out.join(JOURNAL), e));
        }
        // Past this point nothing is undone: the journal completes it.
        state.undo = Undo::default();
        let unfinished = |e: io::Error| io::Error::new(e.kind(), PartlyUpdated(e));
        for a in &renames {
            let (_, name) = split_rel(&a.rel);
            if let Err(e) = a.dir.rename(&a.tmp, name) {
                return Err(unfinished(at(&out.join(&a.rel), e)));
            }
        }
        for rel in gone {
            match nofollow::remove_regular(root, rel) {
                Ok(true) => stats.removed += 1,
                Ok(false) => {}
                Err(e) => return Err(unfinished(at(&out.join(rel), e))),
            }
        }
        if let Some(m) = &manifest {
            root.rename(m, OsStr::new(MANIFEST))
                .map_err(|e| unfinished(at(&target, e)))?;
        }
        let journal = out.join(JOURNAL);
        root.remove_file(OsStr::new(JOURNAL))
            .map_err(|e| at(&journal, e))?;
        Ok(stats)
    }
}

/// Names one a line.
fn listed(names: &[&str]) -> String {
    let mut text = String::with_capacity(names.iter().map(|n| n.len() + 1).sum());
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    text
}

/// Two sorted lists of names as one, sorted, without repeats.
fn merged<'a>(a: impl Iterator<Item = &'a str>, b: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let a: Vec<&str> = a.collect();
    let b: Vec<&str> = b.collect();
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x <= y => {
                i += 1;
                if x == y {
                    j += 1;
                }
                *x
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                j += 1;
                *y
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, None) => unreachable!(),
        };
        out.push(next);
    }
    out
}

impl Drop for Staged {
    fn drop(&mut self) {
        self.state().undo.run();
        // A failed first build leaves no folder behind.
        if self.made && !self.committed {
            let _ = fs::remove_file(self.out.join(LOCK));
            let _ = fs::remove_dir(&self.out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(entries: &[(&str, &str)]) -> SiteFiles {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), Arc::new(v.as_bytes().to_vec())))
            .collect()
    }

    #[test]
    fn writes_only_changes_and_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::write(out.join("mine.txt"), "user file").unwrap();
        let s = write_site(out, &site(&[("index.html", "a"), ("partners/x.html", "x")])).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (2, 0, 0));
        let s = write_site(out, &site(&[("index.html", "b")])).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (1, 0, 1));
        assert!(!out.join("partners/x.html").exists());
        assert_eq!(
            fs::read_to_string(out.join("mine.txt")).unwrap(),
            "user file"
        );
        let s = write_site(out, &site(&[("index.html", "b")])).unwrap();
        assert_eq!((s.written, s.unchanged), (0, 1));
    }

    /// Hands `bytes` to `put_pieces` in pieces of 70,000 bytes, then
    /// commits.
    fn put_pieces_and_commit(out: &Path, rel: &str, bytes: &[u8]) -> WriteStats {
        let staged = Staged::open(out).unwrap();
        let pieces = |put: &mut dyn FnMut(&[u8]) -> io::Result<()>| {
            bytes.chunks(70_000).try_for_each(&mut *put)
        };
        staged.put_pieces(rel, bytes.len() as u64, &pieces);
        staged
            .commit(&SiteFiles::new(), None, &|| {}, |_| Ok(()))
            .unwrap()
    }

    #[test]
    fn a_large_file_in_pieces_is_written_compared_and_rewritten_like_any_other() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let s = put_pieces_and_commit(out, "data/big.js", &big);
        assert_eq!((s.written, s.unchanged), (1, 0));
        assert_eq!(fs::read(out.join("data/big.js")).unwrap(), big);
        assert_eq!(
            fs::read_to_string(out.join(MANIFEST)).unwrap(),
            "data/big.js\n"
        );
        // The same bytes: compared piece by piece, not written.
        let s = put_pieces_and_commit(out, "data/big.js", &big);
        assert_eq!((s.written, s.unchanged), (0, 1));
        // A change in the last piece, at the same length: written.
        let mut changed = big.clone();
        *changed.last_mut().unwrap() ^= 1;
        let s = put_pieces_and_commit(out, "data/big.js", &changed);
        assert_eq!((s.written, s.unchanged), (1, 0));
        assert_eq!(fs::read(out.join("data/big.js")).unwrap(), changed);
        // Another length: written.
        let s = put_pieces_and_commit(out, "data/big.js", &big[..2_000_000]);
        assert_eq!((s.written, s.unchanged), (1, 0));
        assert_eq!(
            fs::read(out.join("data/big.js")).unwrap(),
            &big[..2_000_000]
        );
        // A small file in pieces is put together and written as one.
        let s = put_pieces_and_commit(out, "small.js", b"tiny");
        assert_eq!((s.written, s.removed), (1, 1));
        assert_eq!(fs::read(out.join("small.js")).unwrap(), b"tiny");
    }

    #[test]
    fn a_large_file_whose_pieces_fail_leaves_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_site(out, &site(&[("index.html", "old")])).unwrap();
        let names = || {
            let mut n: Vec<_> = fs::read_dir(out)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            n.sort();
            n
        };
        let before = names();
        let staged = Staged::open(out).unwrap();
        staged.put("index.html", b"new");
        let failing = |put: &mut dyn FnMut(&[u8]) -> io::Result<()>| {
            put(&vec![1; 2 << 20])?;
            Err(io::Error::other("the disk is full"))
        };
        staged.put_pieces("data/big.js", 4 << 20, &failing);
        let e = staged
            .commit(&SiteFiles::new(), None, &|| {}, |_| Ok(()))
            .unwrap_err();
        assert!(
            e.to_string().contains("data/big.js") && e.to_string().contains("the disk is full"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert_eq!(names(), before, "a file or folder was left behind");
    }

    /// Hands `bytes` to `put_streamed` in pieces of 70,000 bytes, then
    /// commits.
    fn put_streamed_and_commit(out: &Path, rel: &str, bytes: &[u8]) -> WriteStats {
        let staged = Staged::open(out).unwrap();
        let fill = |put: &mut dyn FnMut(&[u8]) -> io::Result<()>| {
            bytes.chunks(70_000).try_for_each(&mut *put)
        };
        staged.put_streamed(rel, &fill);
        staged
            .commit(&SiteFiles::new(), None, &|| {}, |_| Ok(()))
            .unwrap()
    }

    #[test]
    fn a_file_written_as_it_is_made_is_left_alone_when_the_same_and_rewritten_when_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let s = put_streamed_and_commit(out, "data/search.js", &big);
        assert_eq!((s.written, s.unchanged), (1, 0));
        assert_eq!(fs::read(out.join("data/search.js")).unwrap(), big);
        assert_eq!(
            fs::read_to_string(out.join(MANIFEST)).unwrap(),
            "data/search.js\n"
        );
        let modified = || {
            fs::metadata(out.join("data/search.js"))
                .unwrap()
                .modified()
                .unwrap()
        };
        let before = modified();
        std::thread::sleep(std::time::Duration::from_millis(20));
        // The same bytes: the file on disk stays, nothing is left aside.
        let s = put_streamed_and_commit(out, "data/search.js", &big);
        assert_eq!((s.written, s.unchanged), (0, 1));
        assert_eq!(modified(), before, "an unchanged file was written again");
        let left: Vec<_> = fs::read_dir(out.join("data"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["search.js"], "a file was left aside");
        // A change in the last byte, at the same length: written.
        let mut changed = big.clone();
        *changed.last_mut().unwrap() ^= 1;
        let s = put_streamed_and_commit(out, "data/search.js", &changed);
        assert_eq!((s.written, s.unchanged), (1, 0));
        assert_eq!(fs::read(out.join("data/search.js")).unwrap(), changed);
        // Shorter, the same start: written.
        let s = put_streamed_and_commit(out, "data/search.js", &changed[..1_000]);
        assert_eq!((s.written, s.unchanged), (1, 0));
        assert_eq!(
            fs::read(out.join("data/search.js")).unwrap(),
            &changed[..1_000]
        );
    }

    #[test]
    fn a_file_written_as_it_is_made_that_fails_leaves_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_site(
            out,
            &site(&[("index.html", "old"), ("data/search.js", "old")]),
        )
        .unwrap();
        let staged = Staged::open(out).unwrap();
        staged.put("index.html", b"new");
        let failing = |put: &mut dyn FnMut(&[u8]) -> io::Result<()>| {
            put(&vec![1; 2 << 20])?;
            Err(io::Error::other("the disk is full"))
        };
        staged.put_streamed("data/search.js", &failing);
        let e = staged
            .commit(&SiteFiles::new(), None, &|| {}, |_| Ok(()))
            .unwrap_err();
        assert!(
            e.to_string().contains("data/search.js") && e.to_string().contains("the disk is full"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert_eq!(
            fs::read_to_string(out.join("data/search.js")).unwrap(),
            "old"
        );
        let left: Vec<_> = fs::read_dir(out.join("data"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["search.js"], "a file was left aside");
    }

    #[test]
    fn manifest_entries_outside_the_folder_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(dir.path().join("precious.md"), "keep").unwrap();
        fs::write(out.join(MANIFEST), "../precious.md\n/etc/passwd\n").unwrap();
        write_site(&out, &site(&[("index.html", "a")])).unwrap();
        assert!(dir.path().join("precious.md").exists());
    }
}
