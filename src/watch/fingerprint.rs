//! A fingerprint of every input of a book (path, modification time,
//! length), to tell whether a batch of file events changed anything the
//! build reads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use walkdir::WalkDir;

use crate::book::layout::{is_ignored_name, rel_display, Layout};

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
        // One walk per folder that no other covers: with `notes_dir: .`
        // the notes walk is the whole book, templates and static included.
        let mut walked: Vec<&PathBuf> = Vec::new();
        for dir in [&layout.notes, &layout.templates, &layout.statics] {
            if !dir.is_dir() || walked.iter().any(|w| dir.starts_with(w)) {
                continue;
            }
            walked.push(dir);
            let notes = dir == &layout.notes;
            // In the notes walk, folders set aside are skipped, but not
            // inside templates/ and static/, which have their own filters.
            let set_aside = |p: &Path, name: &str| {
                notes
                    && is_ignored_name(name)
                    && !p.starts_with(&layout.templates)
                    && !p.starts_with(&layout.statics)
            };
            let walker = WalkDir::new(dir)
                .follow_links(true)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0
                        || !(layout.in_output(e.path())
                            || set_aside(e.path(), &e.file_name().to_string_lossy()))
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

    /// Every input added, removed or changed (time or length) from `self`
    /// to `new`.
    pub fn changed(&self, new: &Fingerprint) -> BTreeSet<PathBuf> {
        let gone = self.0.keys().filter(|p| !new.0.contains_key(*p));
        let differ = new
            .0
            .iter()
            .filter(|(p, v)| self.0.get(*p) != Some(*v))
            .map(|(p, _)| p);
        gone.chain(differ).cloned().collect()
    }

    /// The inputs, in order.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.0.keys().cloned().collect()
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
