//! Writes a built site: only once everything is rendered, each file whole
//! (written aside, then renamed over), only files whose content changed,
//! and removing only files a previous build wrote that are gone now.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

/// The list of files rapport wrote, kept in the output folder so that a
/// later build removes only its own files.
pub const MANIFEST: &str = ".rapport-files";

/// A rendered site: relative paths (with `/`) and their bytes.
pub type SiteFiles = BTreeMap<String, Arc<[u8]>>;

/// What a write did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Whether a manifest entry is a plain relative path inside the folder.
fn is_safe(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn tmp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.rapport-tmp"))
}

/// Whether `target` already holds exactly `bytes` (the size is compared
/// first, so a changed file is seldom read).
fn unchanged(target: &Path, bytes: &[u8]) -> bool {
    fs::metadata(target).is_ok_and(|m| m.len() == bytes.len() as u64)
        && fs::read(target).is_ok_and(|old| old == bytes)
}

/// Writes `bytes` to `target` through a file beside it and a rename.
pub fn replace_file(target: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    write_aside_and_rename(target, bytes)
}

/// Like [`replace_file`], the folder already made.
fn write_aside_and_rename(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = tmp_path(target);
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, target).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Reads the manifest of a previous build.
pub fn read_manifest(out: &Path) -> BTreeSet<String> {
    fs::read_to_string(out.join(MANIFEST))
        .map(|s| {
            s.lines()
                .filter(|l| is_safe(l))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `files` under `out`.
pub fn write_site(out: &Path, files: &SiteFiles) -> io::Result<WriteStats> {
    write_site_with(out, files, &|| {})
}

/// Like [`write_site`], calling `progress` once for each file handled.
pub fn write_site_with(
    out: &Path,
    files: &SiteFiles,
    progress: &(dyn Fn() + Sync),
) -> io::Result<WriteStats> {
    fs::create_dir_all(out)?;
    let old = read_manifest(out);
    // Each folder once, rather than once per file.
    let folders: BTreeSet<&Path> = files
        .keys()
        .filter_map(|rel| Path::new(rel).parent())
        .collect();
    for folder in folders {
        fs::create_dir_all(out.join(folder))?;
    }
    let results: Vec<io::Result<bool>> = files
        .par_iter()
        .map(|(rel, bytes)| {
            let target = out.join(rel);
            let result = if unchanged(&target, bytes) {
                Ok(false)
            } else {
                write_aside_and_rename(&target, bytes).map(|_| true)
            };
            progress();
            result
        })
        .collect();
    let mut stats = WriteStats::default();
    for r in results {
        if r? {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }
    stats.removed = remove_gone(out, old.iter(), files)?;
    write_manifest(out, files)?;
    Ok(stats)
}

/// Writes `new` over a site that holds `old` (the files this process last
/// wrote there): only the files whose bytes differ, without reading the
/// folder back, then removes those that are gone. For watch mode, where
/// the last site is still in memory.
pub fn write_changes(out: &Path, old: &SiteFiles, new: &SiteFiles) -> io::Result<WriteStats> {
    let mut stats = WriteStats::default();
    for (rel, bytes) in new {
        if old.get(rel) == Some(bytes) && out.join(rel).exists() {
            stats.unchanged += 1;
        } else {
            replace_file(&out.join(rel), bytes)?;
            stats.written += 1;
        }
    }
    stats.removed = remove_gone(out, old.keys(), new)?;
    write_manifest(out, new)?;
    Ok(stats)
}

/// Removes the files of `old` that `new` no longer has; how many were there.
fn remove_gone<'a>(
    out: &Path,
    old: impl Iterator<Item = &'a String>,
    new: &SiteFiles,
) -> io::Result<usize> {
    let mut removed = 0;
    for rel in old.filter(|rel| !new.contains_key(*rel)) {
        match fs::remove_file(out.join(rel)) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Records which files rapport wrote, when that list changed.
fn write_manifest(out: &Path, files: &SiteFiles) -> io::Result<()> {
    let manifest: String = files.keys().map(|k| format!("{k}\n")).collect();
    if fs::read_to_string(out.join(MANIFEST)).ok().as_deref() != Some(manifest.as_str()) {
        replace_file(&out.join(MANIFEST), manifest.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(entries: &[(&str, &str)]) -> SiteFiles {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), Arc::from(v.as_bytes())))
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
