//! A record of what the last `rapport build` read and wrote, kept in the
//! output folder beside the manifest, so that a build of an unchanged book
//! neither parses, renders nor writes anything.
//!
//! The record holds a digest of every input (each note's path and bytes,
//! `rapport.yaml`, the templates, the static files, the options that
//! change the site, and rapport's own identity), what that build reported
//! (its counts, and how many warnings), and the size, change time
//! and file number of every file the build left in the folder. A build
//! whose inputs digest to the same value, into a folder whose files are
//! all there as recorded, would report and write the same: it can stop
//! after reading (a book with warnings is parsed again, to show them, but
//! not rendered). Anything else that writes into the folder (`watch`,
//! `serve`, a person) changes a file's recorded state, and the next build
//! renders.

use crate::site;
use crate::site::RECORD;
use std::fs;
use std::io;
use std::path::Path;
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::book::layout::Layout;
use crate::book::{settings, Settings};
use crate::diagnostics::Diagnostic;
use crate::pipeline::output;
use crate::pipeline::stages::{self, Counts, Options};
use crate::read::discover::{self, NoteFile};
use crate::render::templates::BUILTIN;

const HEADER: &str = "rapport-inputs 2";

/// A digest of everything a build's output depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputsDigest(String);

impl InputsDigest {
    /// This fingerprint with `extra` digested in: what else the output
    /// depends on (an encrypted site's salt and check value).
    pub fn with(&self, extra: &[u8]) -> InputsDigest {
        let mut h = Sha256::new();
        field(&mut h, self.0.as_bytes());
        field(&mut h, extra);
        InputsDigest(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// What identifies this rapport: its version, and the executable itself
/// (its size and modification time), so that any rebuilt binary counts
/// as a change.
pub fn rapport_identity() -> String {
    let exe = std::env::current_exe()
        .and_then(fs::metadata)
        .map(|m| format!("{} {}", m.len(), nanos(&m)))
        .unwrap_or_default();
    format!("{} {exe}", env!("CARGO_PKG_VERSION"))
}

fn nanos(m: &fs::Metadata) -> u128 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// Every file under `dir` (when it is a folder), path and bytes, in name
/// order. `None` when one cannot be read.
fn folder(h: &mut Sha256, dir: &Path) -> Option<()> {
    if dir.is_dir() {
        for entry in WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.ok()?;
            field(h, entry.path().as_os_str().as_encoded_bytes());
            if entry.file_type().is_file() {
                field(h, &fs::read(entry.path()).ok()?);
            }
        }
    }
    Some(())
}

/// A book's inputs, read and digested without being parsed: enough to
/// tell whether the last build's site is still the one this book makes.
pub struct Inputs {
    pub settings: Settings,
    pub layout: Layout,
    pub fingerprint: InputsDigest,
    /// The notes the walk of the notes folder found, and its problems,
    /// for the build to take (see `Pipeline::adopt_walk`).
    pub walk: Option<(Vec<NoteFile>, Vec<Diagnostic>)>,
}

impl Inputs {
    /// Reads the inputs of a build with `opts`, for the rapport named by
    /// `identity` (see [`rapport_identity`]). `None` when the settings do
    /// not load or an input cannot be read: the build then runs in full
    /// and reports why.
    pub fn read(opts: &Options, identity: &str) -> Option<Inputs> {
        let (settings, layout) = stages::settings_and_layout(opts, opts.today()).ok()?;
        let mut h = Sha256::new();
        field(&mut h, HEADER.as_bytes());
        field(&mut h, identity.as_bytes());
        field(&mut h, settings.as_of.to_string().as_bytes());
        field(&mut h, &[u8::from(opts.drafts)]);
        field(&mut h, layout.output.as_os_str().as_encoded_bytes());
        match fs::read(layout.root.join(settings::FILE)) {
            Ok(bytes) => field(&mut h, &bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => field(&mut h, b"-"),
            Err(_) => return None,
        }
        // What the folders say before any note is read (an output folder
        // inside the book, a file in `partners/` that is not a note).
        let (notes, found) = discover::discover(&layout.root, &layout.notes);
        for d in layout.check().iter().chain(&found) {
            field(&mut h, d.one_line().as_bytes());
        }
        // Each note's path and bytes, read and digested side by side.
        let digests: Vec<Option<[u8; 32]>> = notes
            .par_iter()
            .map(|f| fs::read(&f.path).ok().map(|b| Sha256::digest(&b).into()))
            .collect();
        for (f, digest) in notes.iter().zip(digests) {
            field(&mut h, f.rel.as_bytes());
            field(&mut h, f.slug.as_bytes());
            h.update(digest?);
        }
        // Every template's text, the built-in ones included.
        for (name, text) in BUILTIN {
            field(&mut h, name.as_bytes());
            field(&mut h, text.as_bytes());
        }
        folder(&mut h, &layout.templates)?;
        folder(&mut h, &layout.statics)?;
        let digest: [u8; 32] = h.finalize().into();
        Some(Inputs {
            settings,
            layout,
            fingerprint: InputsDigest(digest.iter().map(|b| format!("{b:02x}")).collect()),
            walk: Some((notes, found)),
        })
    }
}

/// What a build reported, as the record keeps it: its counts, and how
/// many warnings it gave. The warnings themselves are not kept: they quote
/// the notes, and the record lies in the folder that is published. A book
/// with warnings is read again to show them (see [`Outcome::warnings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub counts: Counts,
    pub warnings: usize,
}

impl Outcome {
    fn to_line(self) -> String {
        serde_json::to_string(&self).expect("an outcome serializes")
    }

    fn from_line(line: &str) -> Option<Outcome> {
        serde_json::from_str(line).ok()
    }
}

/// A file's state on disk: size, modification time and, on Unix, its
/// file number (a file written aside and renamed over gets a new one).
fn state(path: &Path) -> Option<String> {
    let m = fs::symlink_metadata(path).ok()?;
    if !m.is_file() {
        return None;
    }
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    Some(format!("{} {} {ino}", m.len(), nanos(&m)))
}

/// The record's text for `fingerprint`, `outcome` and the files now in
/// `out`.
fn record_text(
    out: &Path,
    fingerprint: &InputsDigest,
    outcome: &Outcome,
    files: &[&str],
) -> Option<String> {
    let mut text = format!("{HEADER}\n{}\n{}\n", fingerprint.0, outcome.to_line());
    // The files' states, looked up side by side: a site has thousands.
    let names: Vec<&str> = files.iter().copied().chain([site::MANIFEST]).collect();
    let lines: Vec<String> = names
        .par_iter()
        .map(|name| Some(format!("{} {name}\n", state(&out.join(name))?)))
        .collect::<Option<_>>()?;
    text.extend(lines);
    Some(text)
}

/// What the build that wrote `out` reported, when it had the same
/// `fingerprint` and its site is untouched since: the record matches, and
/// every file it lists is on disk as it was.
pub fn unchanged(out: &Path, fingerprint: &InputsDigest) -> Option<Outcome> {
    // A write that did not finish: the next build repairs it.
    if out.join(site::JOURNAL).exists() {
        return None;
    }
    let text = fs::read_to_string(out.join(RECORD)).ok()?;
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) || lines.next() != Some(fingerprint.0.as_str()) {
        return None;
    }
    let outcome = Outcome::from_line(lines.next()?)?;
    let listed: Vec<(&str, &str)> = lines
        .filter_map(|l| {
            // "size nanos ino name"; names may hold spaces.
            let mut parts = l.splitn(4, ' ');
            let (a, b, c, name) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            Some((&l[..a.len() + b.len() + c.len() + 2], name))
        })
        .collect();
    let manifest = output::read_manifest(out);
    let site: Vec<&str> = listed
        .iter()
        .map(|(_, n)| *n)
        .filter(|n| *n != site::MANIFEST)
        .collect();
    let untouched = site.len() == manifest.len()
        && site.iter().all(|n| manifest.contains(*n))
        && listed.len() == site.len() + 1
        && listed
            .iter()
            .all(|(st, name)| state(&out.join(name)).as_deref() == Some(*st))
        && !has_leftovers(out, &site);
    untouched.then_some(outcome)
}

/// Whether a write that was killed left files aside in the site's
/// folders: the next build must run to sweep them.
fn has_leftovers(out: &Path, site: &[&str]) -> bool {
    let folders: std::collections::BTreeSet<&Path> = site
        .iter()
        .filter_map(|n| Path::new(n).parent())
        .chain([Path::new("")])
        .collect();
    folders.into_iter().any(|dir| {
        fs::read_dir(out.join(dir)).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| site::is_tmp_name(&e.file_name().to_string_lossy()))
        })
    })
}

/// Forgets the record: the site in `out` is not one this record describes.
pub fn forget(out: &Path) -> io::Result<()> {
    match fs::remove_file(out.join(RECORD)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Records that `out` now holds `files`, written by a build with
/// `fingerprint` that reported `outcome`.
pub fn record(
    out: &Path,
    fingerprint: &InputsDigest,
    outcome: &Outcome,
    files: &[&str],
) -> io::Result<()> {
    match record_text(out, fingerprint, outcome, files) {
        Some(text) => output::replace_file(&out.join(RECORD), text.as_bytes()),
        // A file already gone: no record, the next build renders.
        None => forget(out),
    }
}
