//! Replacing a note on disk: the project's one routine for it.
//!
//! - The note is locked (an advisory lock on the note itself) and read
//!   again under the lock, so two runs on one note take turns and the
//!   second edits what the first wrote. A run that got the lock on a note
//!   that was meanwhile replaced opens the new one and locks again.
//! - A symlinked note is resolved: the file the link points to is
//!   replaced, the link stays. A note with several hard links is written in
//!   place (under the lock), so every name keeps showing the same file.
//! - A read-only note (no write permission) is refused.
//! - Otherwise the new text is written aside, in the note's folder, under a
//!   fresh random name created exclusively (never an existing file, never
//!   through a symlink), with the note's own permissions from its creation,
//!   flushed to disk, then renamed over the note.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::Refused;

/// Locks the note at `path`, reads it, and writes what `edit` makes of its
/// bytes; `edit`'s other result is handed back. Nothing is written when
/// `edit` refuses.
pub fn with_note<T>(
    path: &Path,
    edit: impl FnOnce(&[u8]) -> Result<(Vec<u8>, T), Refused>,
) -> Result<T, Refused> {
    let target = fs::canonicalize(path).map_err(Refused::Io)?;
    let (mut file, meta) = lock(&target)?;
    if meta.permissions().readonly() {
        return Err(Refused::ReadOnly);
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(Refused::Io)?;
    let (new, out) = edit(&bytes)?;
    if new != bytes {
        if links(&meta) > 1 {
            write_in_place(&target, &new).map_err(Refused::Io)?;
        } else {
            replace_locked(&target, &meta, &new).map_err(Refused::Io)?;
        }
    }
    drop(file);
    Ok(out)
}

/// Replaces the note at `path` with `bytes` under its lock (see the
/// module's documentation).
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), Refused> {
    with_note(path, |_| Ok((bytes.to_vec(), ())))
}

/// The note opened and locked, with its metadata: retried when the file
/// at `target` is no longer the one locked (another run replaced it while
/// this one waited).
fn lock(target: &Path) -> Result<(File, fs::Metadata), Refused> {
    for _ in 0..1000 {
        let file = File::open(target).map_err(Refused::Io)?;
        file.lock().map_err(Refused::Io)?;
        let meta = file.metadata().map_err(Refused::Io)?;
        let now = fs::metadata(target).map_err(Refused::Io)?;
        if same_file(&meta, &now) {
            return Ok((file, meta));
        }
    }
    Err(Refused::Io(std::io::Error::other(
        "the note kept being replaced while waiting for it",
    )))
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

#[cfg(unix)]
fn links(meta: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_: &fs::Metadata) -> u64 {
    1
}

/// Overwrites the file itself: every hard link keeps seeing it.
fn write_in_place(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(target)?;
    f.write_all(bytes)?;
    f.set_len(bytes.len() as u64)?;
    f.sync_all()
}

fn replace_locked(target: &Path, meta: &fs::Metadata, bytes: &[u8]) -> std::io::Result<()> {
    let (mut file, aside) = create_aside(target, meta)?;
    let written = file
        .write_all(bytes)
        .and_then(|_| file.sync_all())
        .and_then(|_| fs::rename(&aside, target));
    if written.is_err() {
        let _ = fs::remove_file(&aside);
        return written;
    }
    // The rename itself made durable; a folder that cannot be synced is
    // not an error.
    if let Some(dir) = target.parent() {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// A new file beside `target`, under a random name no file had, created
/// exclusively (an existing file or symlink at that name is an error, not
/// followed), with `meta`'s permissions from the start.
pub(crate) fn create_aside(target: &Path, meta: &fs::Metadata) -> std::io::Result<(File, PathBuf)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for _ in 0..16 {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let aside = target.with_file_name(format!(".{name}.{tag}.rapport-tmp"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            // Never more than the note allows, even before the umask.
            options.mode(meta.permissions().mode() & 0o777);
        }
        match options.open(&aside) {
            Ok(file) => {
                // The umask may have taken bits the note has: give them back
                // (never more than the note's own).
                file.set_permissions(meta.permissions())?;
                return Ok((file, aside));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free name beside the note")))
}
