//! Where a book's files live: its folders, derived once from the settings,
//! and which files under them the build reads. The build, `watch` and the
//! file filters of discovery, templates and static files all ask here.

use std::path::{Path, PathBuf};

use crate::book::settings;
use crate::book::Settings;
use crate::diagnostics::Diagnostic;

/// The folder of a book's own templates, under its root.
pub const TEMPLATES_DIR: &str = "templates";
/// The folder of files copied into the site as they are, under its root.
pub const STATIC_DIR: &str = "static";

/// What an input file of the build is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Note,
    Settings,
    Template,
    Static,
}

/// The folders of a book.
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
    /// The layout of the book at `root` with `settings`; `output` replaces
    /// the settings' `output_dir` when given.
    pub fn new(root: &Path, output: Option<&Path>, settings: &Settings) -> Layout {
        let output = output.map_or_else(|| root.join(&settings.output_dir), Path::to_path_buf);
        // Every check below, and the write, look at the folder the path
        // really names: `X/new/..` is `X`, a link is where it leads.
        let output = resolve(&output);
        Layout {
            notes: root.join(&settings.notes_dir),
            templates: root.join(TEMPLATES_DIR),
            statics: root.join(STATIC_DIR),
            output_real: output.canonicalize().ok(),
            output,
            root: root.to_path_buf(),
        }
    }

    /// Whether both layouts name the same folders (the output folder as
    /// given, whether or not it exists on disk yet).
    pub fn same_folders(&self, other: &Layout) -> bool {
        (
            &self.root,
            &self.notes,
            &self.templates,
            &self.statics,
            &self.output,
        ) == (
            &other.root,
            &other.notes,
            &other.templates,
            &other.statics,
            &other.output,
        )
    }

    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.root.join(settings::FILE)
    }

    /// A problem when the output folder would overwrite an input: the book
    /// itself, its notes folder, or a place inside `static/` or `templates/`.
    pub fn check(&self) -> Option<Diagnostic> {
        let output = &self.output;
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let forbidden = is_root_folder(output)
            || home.as_deref().is_some_and(|h| same_place(output, h))
            || (inside(&self.root, output) && !same_place(output, &self.root));
        if forbidden {
            return Some(
                Diagnostic::error(
                    output.display().to_string(),
                    "the output folder cannot be `/`, the home folder, or a folder that holds the book",
                )
                .with_help("pass `-o` with a folder of its own, like `public`"),
            );
        }
        let clash = same_place(output, &self.root)
            || same_place(output, &self.notes)
            || [&self.statics, &self.templates]
                .iter()
                .any(|dir| inside(output, dir));
        clash.then(|| {
            Diagnostic::error(
                output.display().to_string(),
                "the output folder cannot be the book, its notes folder, or inside static/ or templates/",
            )
            .with_help("set `output_dir` in rapport.yaml or pass `-o` with a folder of its own, like `public`")
        })
    }

    /// Whether `path` is the output folder or inside it.
    pub fn in_output(&self, path: &Path) -> bool {
        path.starts_with(&self.output)
            || self
                .output_real
                .as_ref()
                .is_some_and(|o| path.starts_with(o))
    }

    /// Which input of the build `path` is, if any (never anything in the
    /// output folder).
    pub fn kind_of(&self, path: &Path) -> Option<InputKind> {
        if self.in_output(path) {
            return None;
        }
        if path == self.settings_file() {
            return Some(InputKind::Settings);
        }
        if let Ok(rel) = path.strip_prefix(&self.notes) {
            if is_note_path(rel) {
                return Some(InputKind::Note);
            }
        }
        if let Ok(rel) = path.strip_prefix(&self.templates) {
            let name = rel.file_name().map(|n| n.to_string_lossy());
            return name
                .is_some_and(|n| is_template_name(&n))
                .then_some(InputKind::Template);
        }
        if let Ok(rel) = path.strip_prefix(&self.statics) {
            return is_static_path(rel).then_some(InputKind::Static);
        }
        None
    }

    /// Whether `path` is an input of the build.
    pub fn is_input(&self, path: &Path) -> bool {
        self.kind_of(path).is_some()
    }
}

/// `path` as the folder it names: made absolute, then read one part at
/// a time, each part that exists on disk replaced by its real path (links
/// followed) and `.` and `..` taken lexically where the path does not
/// exist yet (`X/new/..` is `X`, as a `mkdir -p` would leave it).
pub fn resolve(path: &Path) -> PathBuf {
    use std::path::Component;
    let Ok(abs) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    let mut out = PathBuf::new();
    for part in abs.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => out.push(part.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if let Ok(real) = out.canonicalize() {
                    out = real;
                }
            }
        }
    }
    out
}

/// Whether `path` is the root of the file system.
fn is_root_folder(path: &Path) -> bool {
    let real = path.canonicalize().ok();
    let abs = std::path::absolute(path).ok();
    [real, abs].iter().flatten().any(|p| p.parent().is_none())
}

/// Why rapport must not write a site into `out`: it is a folder that holds
/// files and no site rapport wrote there (no manifest, nor the lock of a
/// first write under way), so they are the user's. `force` allows it.
/// `None` when the folder is missing, empty or rapport's.
pub fn check_output_folder(out: &Path, force: bool) -> Option<Diagnostic> {
    use crate::site::{has_manifest, is_own_name, LOCK};
    if force || has_manifest(out) || out.join(LOCK).is_file() {
        return None;
    }
    let entries = std::fs::read_dir(out).ok()?;
    let foreign = entries
        .filter_map(Result::ok)
        .any(|e| !is_own_name(&e.file_name().to_string_lossy()));
    foreign.then(|| {
        Diagnostic::error(
            out.display().to_string(),
            "this folder is not empty and holds no site rapport wrote; its files are not replaced",
        )
        .with_help(
            "choose an empty or new folder with `-o`, or pass `--force` to write into it anyway",
        )
    })
}

/// Whether a file or folder name is left out of the notes (and a template
/// name left out of the templates): hidden (`.`) or set aside (`_`).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

/// Whether a path relative to the notes folder is a note: a `.md` file
/// with no ignored folder or name on the way.
pub fn is_note_path(rel: &Path) -> bool {
    let ignored = rel
        .components()
        .any(|c| is_ignored_name(&c.as_os_str().to_string_lossy()));
    !ignored && rel.extension().is_some_and(|e| e == "md")
}

/// Whether a file name under `templates/` is a template the build loads.
pub fn is_template_name(name: &str) -> bool {
    !is_ignored_name(name)
}

/// Whether a folder or file name under `static/` is copied: not hidden.
pub fn is_static_name(name: &str) -> bool {
    !name.starts_with('.')
}

/// Whether a path relative to `static/` is a file the build copies.
pub fn is_static_path(rel: &Path) -> bool {
    !rel.as_os_str().is_empty()
        && rel
            .components()
            .all(|c| is_static_name(&c.as_os_str().to_string_lossy()))
}

/// A file of `static/` to copy into the site: its path in the site and
/// the file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    pub rel: String,
    pub path: PathBuf,
}

/// The files of the book's `static/` folder that are published, and a
/// warning naming each file that is not. One rule: nothing outside the
/// book is published. So `static/` itself must be a real folder (a link
/// to a folder elsewhere publishes nothing), a link inside it is copied
/// only when it leads to a file inside `static/`, and a link to a folder
/// is not followed. Hidden names (`.git`, `.DS_Store`) are not part of
/// the site and are passed over without a word, as hidden notes are.
pub fn static_files(layout: &Layout) -> (Vec<StaticFile>, Vec<Diagnostic>) {
    let dir = &layout.statics;
    let shown = |p: &Path| rel_display(&layout.root, p);
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return (files, skipped);
    };
    if meta.file_type().is_symlink() {
        skipped.push(Diagnostic::warning(
            shown(dir),
            "the static folder is a symbolic link; nothing in it is published (rapport publishes only files inside the book): put the files themselves in static/",
        ));
        return (files, skipped);
    }
    if !meta.is_dir() {
        return (files, skipped);
    }
    let real_dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || is_static_name(&e.file_name().to_string_lossy()));
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map_or_else(|| shown(dir), shown);
                skipped.push(Diagnostic::warning(
                    at,
                    format!("cannot be read, not published: {e}"),
                ));
                continue;
            }
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let path = entry.path();
        let rel = rel_display(dir, path);
        let skip = |why: &str| Diagnostic::warning(shown(path), format!("{why}; not published"));
        if rel.chars().any(char::is_control) {
            skipped.push(skip(
                "the file name holds a control character (a line break?)",
            ));
        } else if kind.is_file() {
            files.push(StaticFile {
                rel,
                path: path.to_path_buf(),
            });
        } else if kind.is_symlink() {
            match path.canonicalize() {
                Ok(real) if real.starts_with(&real_dir) && real.is_file() => {
                    files.push(StaticFile { rel, path: real });
                }
                Ok(real) if real.is_dir() => skipped.push(skip(
                    "a symbolic link to a folder (links to folders are not followed)",
                )),
                Ok(_) => skipped.push(skip(
                    "a symbolic link to a file outside static/ (rapport publishes only files inside the book)",
                )),
                Err(_) => skipped.push(skip("a symbolic link that leads nowhere")),
            }
        } else {
            skipped.push(skip("not a regular file"));
        }
    }
    (files, skipped)
}

/// Reads a static file, never through a link swapped in since it was
/// listed (the file of a link is listed by its real path).
pub fn read_static(file: &StaticFile) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NOFOLLOW);
    let mut bytes = Vec::new();
    open.open(&file.path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Display form of `path` relative to `root`, with `/` between parts.
pub fn rel_display(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` is `dir` or lies inside it (compared as absolute paths,
/// and on disk where both exist).
fn inside(path: &Path, dir: &Path) -> bool {
    let lexical = match (std::path::absolute(path), std::path::absolute(dir)) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    };
    lexical || same_place(path, dir) || path.parent().is_some_and(|p| p != path && inside(p, dir))
}

/// Whether two paths name the same folder, lexically or on disk.
fn same_place(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
