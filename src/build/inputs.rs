//! A record of what the last `rapport build` read and wrote, kept in the
//! output folder beside the manifest, so that a build of an unchanged book
//! renders and writes nothing.
//!
//! The record holds a digest of every input (each note's path and bytes,
//! `rapport.yaml`, the templates, the static files, the options that
//! change the site, and rapport's own identity), and the size, change time
//! and file number of every file the build left in the folder. A build
//! whose inputs digest to the same value, into a folder whose files are
//! all there as recorded, would write the same bytes: it can stop after
//! reading. Anything else that writes into the folder (`watch`, `serve`,
//! a person) changes a file's recorded state, and the next build renders.

use std::fs;
use std::io;
use std::path::Path;
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::book::settings;
use crate::build::output::{self, SiteFiles};
use crate::build::pipeline::{Options, Prepared};

/// The record's name in the output folder.
pub const RECORD: &str = ".rapport-inputs";

const HEADER: &str = "rapport-inputs 1";

/// A digest of everything a build's output depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(String);

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

impl Fingerprint {
    /// The fingerprint of a prepared build with `opts`, for the rapport
    /// named by `identity` (see [`rapport_identity`]). `None` when an input
    /// cannot be read.
    pub fn of(prepared: &Prepared, opts: &Options, identity: &str) -> Option<Fingerprint> {
        let layout = prepared.layout();
        let mut h = Sha256::new();
        field(&mut h, HEADER.as_bytes());
        field(&mut h, identity.as_bytes());
        field(&mut h, prepared.settings().as_of.to_string().as_bytes());
        field(&mut h, &[u8::from(opts.drafts)]);
        field(&mut h, layout.output.as_os_str().as_encoded_bytes());
        match fs::read(layout.root.join(settings::FILE)) {
            Ok(bytes) => field(&mut h, &bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => field(&mut h, b"-"),
            Err(_) => return None,
        }
        // Every template's text, the built-in ones included.
        h.update(prepared.templates().fingerprint().to_le_bytes());
        h.update(prepared.notes_digest());
        if layout.statics.is_dir() {
            for entry in WalkDir::new(&layout.statics).sort_by_file_name() {
                let entry = entry.ok()?;
                field(&mut h, entry.path().as_os_str().as_encoded_bytes());
                if entry.file_type().is_file() {
                    field(&mut h, &fs::read(entry.path()).ok()?);
                }
            }
        }
        let digest: [u8; 32] = h.finalize().into();
        Some(Fingerprint(
            digest.iter().map(|b| format!("{b:02x}")).collect(),
        ))
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

/// The record's text for `fingerprint` and the files now in `out`.
fn record_text(out: &Path, fingerprint: &Fingerprint, files: &SiteFiles) -> Option<String> {
    let mut text = format!("{HEADER}\n{}\n", fingerprint.0);
    for name in files.keys().map(String::as_str).chain([output::MANIFEST]) {
        text.push_str(&format!("{} {name}\n", state(&out.join(name))?));
    }
    Some(text)
}

/// Whether `out` holds the site a build with `fingerprint` wrote, untouched
/// since: the record matches, and every file it lists is on disk as it was.
pub fn unchanged(out: &Path, fingerprint: &Fingerprint) -> bool {
    // A write that did not finish: the next build repairs it.
    if out.join(output::JOURNAL).exists() {
        return false;
    }
    let Ok(text) = fs::read_to_string(out.join(RECORD)) else {
        return false;
    };
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) || lines.next() != Some(fingerprint.0.as_str()) {
        return false;
    }
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
        .filter(|n| *n != output::MANIFEST)
        .collect();
    site.len() == manifest.len()
        && site.iter().all(|n| manifest.contains(*n))
        && listed.len() == site.len() + 1
        && listed
            .iter()
            .all(|(st, name)| state(&out.join(name)).as_deref() == Some(*st))
        && !has_leftovers(out, &site)
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
                .any(|e| output::is_tmp_name(&e.file_name().to_string_lossy()))
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
/// `fingerprint`.
pub fn record(out: &Path, fingerprint: &Fingerprint, files: &SiteFiles) -> io::Result<()> {
    match record_text(out, fingerprint, files) {
        Some(text) => output::replace_file(&out.join(RECORD), text.as_bytes()),
        // A file already gone: no record, the next build renders.
        None => forget(out),
    }
}
