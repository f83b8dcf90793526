//! Finds the notes of a book: every `*.md` under the notes folder, skipping
//! names that start with `.` or `_`, each with its slug.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use walkdir::WalkDir;

use crate::book::layout::{is_ignored_name, rel_display};
use crate::diagnostics::Diagnostic;

/// A note file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteFile {
    pub path: PathBuf,
    /// The path relative to the book root, with `/` separators.
    pub rel: String,
    pub slug: String,
    pub modified: Option<SystemTime>,
    pub len: u64,
}

/// A slug: lower-cased, every run of characters outside `a-z0-9` made one
/// `-`, trimmed of `-`.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    out
}

/// The slug no note may have: `partners/index.html` is the partner list.
pub const RESERVED_SLUG: &str = "index";

/// Lists the notes under `notes_dir`, sorted by path, with a problem for
/// every empty or duplicate slug and unreadable entry.
pub fn discover(root: &Path, notes_dir: &Path) -> (Vec<NoteFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if !notes_dir.is_dir() {
        problems.push(
            Diagnostic::error(
                rel_display(root, notes_dir),
                "the notes folder does not exist",
            )
            .with_help("create it, or set `notes_dir` in rapport.yaml"),
        );
        return (files, problems);
    }
    let walker = WalkDir::new(notes_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let where_ = err
                    .path()
                    .map(|p| rel_display(root, p))
                    .unwrap_or_else(|| rel_display(root, notes_dir));
                problems.push(Diagnostic::error(where_, format!("cannot be read: {err}")));
                continue;
            }
        };
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let stem = entry
            .path()
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy();
        let rel = rel_display(root, entry.path());
        let slug = slugify(&stem);
        if slug.is_empty() {
            problems.push(
                Diagnostic::error(rel, "this file name leaves an empty slug")
                    .with_help("name the note with letters or digits, like `jane-doe.md`"),
            );
            continue;
        }
        if slug == RESERVED_SLUG {
            problems.push(
                Diagnostic::error(
                    rel,
                    "the slug `index` is taken by the list of partners (partners/index.html)",
                )
                .with_help("rename the note after the partner, like `jane-doe.md`"),
            );
            continue;
        }
        let meta = entry.metadata().ok();
        files.push(NoteFile {
            path: entry.path().to_path_buf(),
            rel,
            slug,
            modified: meta.as_ref().and_then(|m| m.modified().ok()),
            len: meta.map_or(0, |m| m.len()),
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for f in &files {
        if let Some(first) = seen.insert(&f.slug, &f.rel) {
            problems.push(
                Diagnostic::error(
                    f.rel.clone(),
                    format!(
                        "two notes have the slug `{}`: {} and {}",
                        f.slug, first, f.rel
                    ),
                )
                .with_help("rename one of them; each partner needs its own page"),
            );
        }
    }
    (files, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::layout::is_note_path;

    #[test]
    fn slugs_follow_the_rule() {
        assert_eq!(slugify("Jane Doe"), "jane-doe");
        assert_eq!(slugify("jane-doe"), "jane-doe");
        assert_eq!(slugify("  O'Brien & Sons, LLC  "), "o-brien-sons-llc");
        assert_eq!(slugify("José Núñez"), "jos-n-ez");
        assert_eq!(slugify("__--"), "");
        assert_eq!(slugify("Smith2024"), "smith2024");
    }

    #[test]
    fn ignored_paths() {
        assert!(is_note_path(Path::new("a/jane.md")));
        assert!(!is_note_path(Path::new("_drafts/jane.md")));
        assert!(!is_note_path(Path::new(".jane.md.swp")));
        assert!(!is_note_path(Path::new("jane.md~")));
        assert!(!is_note_path(Path::new("jane.txt")));
    }
}
