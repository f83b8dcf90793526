//! The Session: one object that owns a build from start to end, for
//! `build`, `watch` and `serve` alike. It holds the options, decides
//! "today" once per build, keeps the [`Pipeline`] (parsed notes, reports,
//! rendered pages) between rebuilds, decides whether the site is
//! encrypted, refuses an output folder that is not rapport's, and writes.
//! The commands only say what it did.
//!
//! - [`Session::rebuild`] and [`Session::rebuild_changed`] are the
//!   rebuilds of `watch` and `serve`: a plain site, written file by file
//!   where it changed, and the last site remembered to skip reading files
//!   back.
//! - [`Session::build`] is `rapport build`: the record of the last build's
//!   inputs first (an unchanged book into an untouched site is neither
//!   parsed, rendered nor written), then each partner page handed to the
//!   write (encrypted first, when the site is) as soon as it is rendered.

use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::book::layout::{check_output_folder, Layout};
use crate::book::Settings;
use crate::diagnostics::Diagnostic;
use crate::encrypt::publish::{self as encrypt_publish, EncryptFlags, Refusal};
use crate::encrypt::{self, SiteKey, SALT_FILE};
use crate::pipeline::inputs;
use crate::pipeline::output::{self, Known, WriteStats};
use crate::pipeline::stages::{self, Counts, Options, Pipeline};
use crate::site::SiteFiles;

/// Why a site was not written, or not wholly.
#[derive(Debug)]
pub enum WriteError {
    /// The output folder is not empty and holds no site rapport wrote;
    /// nothing was written.
    NotRapports(Box<Diagnostic>),
    /// Encryption refused the write (a password, a page with an inline
    /// script, a plain site over an encrypted one); nothing was written.
    Refused(Refusal),
    /// The site could not be written; the previous site is unchanged.
    Failed(io::Error),
    /// The write stopped while putting the site in place: the site is
    /// partly updated, and the next run of rapport completes it.
    PartlyUpdated(io::Error),
}

impl WriteError {
    /// A failed write, told apart by where it stopped.
    fn from_io(e: io::Error) -> WriteError {
        if output::is_partly_updated(&e) {
            WriteError::PartlyUpdated(e)
        } else {
            WriteError::Failed(e)
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::NotRapports(d) => {
                write!(f, "{}: {}; {}", d.file, d.message, d.help.join("; "))
            }
            WriteError::Refused(r) => f.write_str(&r.0),
            WriteError::Failed(e) | WriteError::PartlyUpdated(e) => {
                write!(f, "cannot write the site: {e}")
            }
        }
    }
}

impl std::error::Error for WriteError {}

/// The output folder refused before anything is written: not empty and
/// not rapport's (unless `force`).
fn refuse_foreign_folder(out: &Path, force: bool) -> Result<(), WriteError> {
    match check_output_folder(out, force) {
        Some(d) => Err(WriteError::NotRapports(Box::new(d))),
        None => Ok(()),
    }
}

/// What a rebuild gave.
pub enum Rebuild {
    /// A good site, written to its output folder.
    Built {
        files: Arc<SiteFiles>,
        stats: WriteStats,
        warnings: Vec<Diagnostic>,
        counts: Counts,
    },
    /// Problems: nothing was written, the last good site stays.
    Failed {
        problems: Vec<Diagnostic>,
        counts: Counts,
    },
    /// The site could not be written.
    WriteError(WriteError),
}

impl Rebuild {
    /// The problems to show for a rebuild that gave no new site.
    pub fn problems(&self) -> Vec<Diagnostic> {
        match self {
            Rebuild::Built { .. } => Vec::new(),
            Rebuild::Failed { problems, .. } => problems.clone(),
            Rebuild::WriteError(e) => vec![Diagnostic::error("(output)", e.to_string())],
        }
    }
}

/// What `rapport build` tells as it goes, for the command to show.
pub enum Progress<'a> {
    /// A note about the key (a salt drawn, a password changed).
    Note(&'a str),
    /// Reading and rendering are over.
    Rendered,
    /// The warnings of a good build, before it is written.
    Warnings(&'a [Diagnostic]),
    /// Putting `files` files in place begins.
    Writing { files: usize },
    /// One more file is in place.
    WroteOne,
    /// The files are in place (or the write failed).
    Written,
}

/// What a `rapport build` did.
#[derive(Debug)]
pub struct Written {
    pub counts: Counts,
    pub warnings: Vec<Diagnostic>,
    pub output: PathBuf,
    /// What the write did; `None` when the book and the site were
    /// unchanged, and nothing was rendered or written.
    pub stats: Option<WriteStats>,
}

/// Why a `rapport build` wrote nothing (or not all).
#[derive(Debug)]
pub enum BuildError {
    /// The book has errors; nothing was written.
    Problems(stages::Failed),
    /// The site was not written.
    Write(WriteError),
}

/// Builds a book, once or again and again, reading only changed notes
/// and writing only changed files. Used by `build`, `watch` and `serve`
/// (which hears of each [`Rebuild`]), and by the tests and benchmarks
/// in-process.
pub struct Session {
    opts: Options,
    pipeline: Pipeline,
    /// The last site written, and where. Only a hint to skip reading
    /// files back: the manifest on disk says which files are rapport's.
    last: Option<(PathBuf, Known)>,
}

impl Session {
    pub fn new(opts: &Options) -> Session {
        Session {
            opts: opts.clone(),
            pipeline: Pipeline::new(),
            last: None,
        }
    }

    /// The options of one build: "today" is read from the clock here,
    /// once, so the record of inputs, the reports and the warnings about
    /// dates ahead all take the same day, and a watch that runs past
    /// midnight moves to the new day with its next rebuild.
    fn this_build(&self) -> Options {
        Options {
            today: Some(self.opts.today()),
            ..self.opts.clone()
        }
    }

    /// Forgets every parsed note, so the next rebuild reads them all.
    pub fn forget_all(&mut self) {
        self.pipeline.clear();
    }

    /// The book's folders, from the last rebuild whose settings loaded.
    pub fn layout(&self) -> Option<&Layout> {
        self.pipeline.layout()
    }

    /// Rebuilds after changes to `touched` (read again whatever their
    /// modification time says), writing the site when it is good.
    pub fn rebuild(&mut self, touched: &BTreeSet<PathBuf>) -> Rebuild {
        for p in touched {
            self.pipeline.forget(p);
        }
        let built = self.pipeline.run(&self.this_build());
        self.write(built)
    }

    /// Rebuilds after exactly the inputs in `changed` changed since the
    /// last rebuild and nothing else did (what `watch` knows from its
    /// record of every input): when they are all notes read before, only
    /// those are read again, without walking the notes folder
    /// ([`Pipeline::run_changed`]). Otherwise the same as
    /// [`rebuild`](Session::rebuild).
    pub fn rebuild_changed(&mut self, changed: &BTreeSet<PathBuf>) -> Rebuild {
        let built = self.pipeline.run_changed(&self.this_build(), changed);
        self.write(built)
    }

    /// Writes a good build of `watch` or `serve`, which never encrypt;
    /// gives what the rebuild gave.
    fn write(&mut self, built: Result<stages::Built, stages::Failed>) -> Rebuild {
        let built = match built {
            Ok(built) => built,
            Err(failed) => {
                return Rebuild::Failed {
                    problems: failed.problems,
                    counts: failed.counts,
                }
            }
        };
        if let Some(refusal) = encrypt_publish::plain_write_refused(
            &built.output,
            built.settings.privacy.encrypt && self.opts.output.is_none(),
        ) {
            return Rebuild::WriteError(WriteError::Refused(refusal));
        }
        if let Err(e) = refuse_foreign_folder(&built.output, self.opts.force) {
            return Rebuild::WriteError(e);
        }
        let files = Arc::new(built.files);
        let known = match self.last.take() {
            Some((out, known)) if out == built.output => Some(known),
            _ => None,
        };
        match output::write_site_known(&built.output, files.clone(), known, &|| {}) {
            Ok((stats, known)) => {
                self.last = Some((built.output, known));
                Rebuild::Built {
                    files,
                    stats,
                    counts: built.counts,
                    warnings: built.warnings,
                }
            }
            Err(e) => {
                self.last = None;
                Rebuild::WriteError(WriteError::from_io(e))
            }
        }
    }

    /// `rapport build`: builds the book once and writes the site,
    /// encrypted when `flags`, the settings or the output folder say so,
    /// telling `progress` as it goes. The process is expected to end
    /// after it: the site's memory is let go of without being freed, which
    /// only costs time.
    pub fn build(
        mut self,
        flags: &EncryptFlags,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Written, BuildError> {
        let opts = self.this_build();
        // An unchanged book into an untouched site: nothing to render or
        // write. An encrypted site is unchanged only under the key it was
        // written with (its salt and check value join the fingerprint);
        // --rekey and --change-password always rewrite.
        let mut inputs = (!flags.rekey && !flags.change_password)
            .then(|| inputs::Inputs::read(&opts, &inputs::rapport_identity()))
            .flatten();
        let mut key: Option<SiteKey> = None;
        // The key of a site that cannot be unchanged (no record of a last
        // build in the folder: a first build) is derived beside the parse.
        let mut key_beside: Option<(PathBuf, bool)> = None;
        if let Some(i) = &mut inputs {
            let out = &i.layout.output;
            if encrypts(flags, &i.settings, out) {
                if out.join(crate::site::RECORD).exists() {
                    let k = site_key(out, flags, i.settings.privacy.encrypt, progress)?;
                    i.fingerprint = i.fingerprint.with(&k.public_id());
                    key = Some(k);
                } else {
                    key_beside = Some((out.clone(), i.settings.privacy.encrypt));
                }
            }
            if key_beside.is_none() {
                if let Some(last) = inputs::unchanged(&i.layout.output, &i.fingerprint) {
                    let out = i.layout.output.clone();
                    return self.unchanged(&opts, last, out, progress);
                }
            }
            // The notes folder was just walked for the record: not again.
            if let Some(walk) = i.walk.take() {
                self.pipeline.adopt_walk(i.layout.notes.clone(), walk);
            }
        }
        let prepared = match key_beside {
            None => self.pipeline.prepare(&opts),
            Some((out, setting)) => {
                let pipeline = &mut self.pipeline;
                let (k, prepared) = std::thread::scope(|s| {
                    let derived = s.spawn(|| site_key(&out, flags, setting, progress));
                    let prepared = pipeline.prepare(&opts);
                    (
                        derived.join().expect("the key's derivation does not panic"),
                        prepared,
                    )
                });
                let k = k?;
                if let Some(i) = &mut inputs {
                    i.fingerprint = i.fingerprint.with(&k.public_id());
                }
                key = Some(k);
                prepared
            }
        }
        .map_err(BuildError::Problems)?;
        let out = prepared.layout().output.clone();
        let encrypted = encrypts(flags, prepared.settings(), &out);
        refuse_foreign_folder(&out, opts.force).map_err(BuildError::Write)?;
        if !encrypted {
            return self.build_plain(prepared, &inputs, progress);
        }
        // The key before anything is rendered: a refused password wastes
        // no render.
        let key = match key {
            Some(k) => k,
            None => site_key(&out, flags, prepared.settings().privacy.encrypt, progress)?,
        };
        self.build_encrypted(prepared, &inputs, &key, progress)
    }

    /// An unchanged book into an untouched site: nothing to render or
    /// write. A book without warnings is not even parsed; one with
    /// warnings is parsed and checked again to show them.
    fn unchanged(
        mut self,
        opts: &Options,
        last: inputs::Outcome,
        output: PathBuf,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Written, BuildError> {
        let (counts, warnings) = if last.warnings == 0 {
            (last.counts, Vec::new())
        } else {
            let checked = self
                .pipeline
                .prepare(opts)
                .and_then(stages::warnings_without_rendering)
                .map_err(BuildError::Problems)?;
            (checked.counts, checked.warnings)
        };
        progress(Progress::Rendered);
        progress(Progress::Warnings(&warnings));
        Ok(Written {
            counts,
            warnings,
            output,
            stats: None,
        })
    }

    /// Renders and writes a plain site: each file (partner page, book-wide
    /// page, data file, search index) goes aside in the output folder as
    /// soon as it is made and is let go of, and the whole site is
    /// renamed into place once every page has rendered (or everything
    /// written aside is removed, when one fails).
    fn build_plain(
        mut self,
        prepared: stages::Prepared,
        inputs: &Option<inputs::Inputs>,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Written, BuildError> {
        let out = prepared.layout().output.clone();
        let staged = open_staged(&out)?;
        let result = self.pipeline.render_all_into(
            prepared,
            &|rel, bytes| staged.put(rel, bytes),
            &|rel, pieces| staged.put_streamed(rel, pieces),
        );
        progress(Progress::Rendered);
        let built = result.map_err(BuildError::Problems)?;
        // The pages of the book are held no longer than needed, and let
        // go of beside the writing.
        let pipeline = self.pipeline;
        std::thread::spawn(move || drop(pipeline));
        progress(Progress::Warnings(&built.warnings));
        let written = commit(staged, &built.files, &built, inputs, progress);
        finish(written, built)
    }

    /// Renders, encrypts and writes an encrypted site: every file, a
    /// partner page, a book-wide page or a data file, is encrypted and
    /// goes aside in the output folder as soon as it is made (a large one
    /// in pieces), as a plain build's does, so neither the plain nor the
    /// encrypted site is held at once.
    fn build_encrypted(
        self,
        prepared: stages::Prepared,
        inputs: &Option<inputs::Inputs>,
        key: &SiteKey,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Written, BuildError> {
        let out = prepared.layout().output.clone();
        let staged = open_staged(&out)?;
        let inline = Mutex::new(Vec::new());
        // Every file's name, for the unlock script (the data files a page
        // offers for download).
        let names = Mutex::new(Vec::new());
        let put = |path: &str, len: u64, pieces: &encrypt::Pieces<'_>| {
            staged.put_pieces(path, len, pieces)
        };
        let keep = |path: &str, bytes: Vec<u8>| staged.put(path, &bytes);
        let named = |rel: &str| {
            names
                .lock()
                .expect("no panic holds it")
                .push(rel.to_string())
        };
        let refused = |rel: &str| {
            inline
                .lock()
                .expect("no panic holds it")
                .push(rel.to_string())
        };
        // The site's stylesheet is always among its files.
        let hand = |rel: &str, bytes: Vec<u8>| {
            named(rel);
            if encrypt::encrypt_into(key, rel, bytes, true, &keep, &put) {
                refused(rel);
            }
        };
        // A data file is sealed as it comes, a chunk at a time when it is
        // large, and its carrier script written aside as it is sealed.
        let data = |rel: &str, fill: &encrypt::Pieces<'_>| {
            named(rel);
            staged.put_streamed(&encrypt::carrier_path(rel), &|out| {
                encrypt::write_data(key, rel, fill, out)
            });
        };
        let mut pipeline = self.pipeline;
        let result = pipeline.render_all_into(
            prepared,
            &|rel, bytes| {
                if encrypt::is_data(rel) {
                    return data(rel, &|put| put(bytes));
                }
                if !rel.ends_with(".html") {
                    return hand(rel, bytes.to_vec());
                }
                // A page is encrypted from where it lies, not copied.
                named(rel);
                let (locked, runs_inline) = encrypt::encrypt_and_check_page(key, rel, bytes, true);
                if runs_inline {
                    return refused(rel);
                }
                let target = locked.path().to_string();
                staged.put(&target, &locked.into_bytes());
            },
            &|rel, pieces| {
                if encrypt::is_data(rel) {
                    return data(rel, pieces);
                }
                let mut whole = Vec::new();
                let gathered = pieces(&mut |piece| {
                    whole.extend_from_slice(piece);
                    Ok(())
                });
                if gathered.is_ok() {
                    hand(rel, whole);
                }
            },
        );
        progress(Progress::Rendered);
        let mut built = result.map_err(BuildError::Problems)?;
        std::thread::spawn(move || drop(pipeline));
        // What is left is the book's static files.
        let mut clear = SiteFiles::new();
        for (path, bytes) in std::mem::take(&mut built.files) {
            if encrypt::is_encrypted(&path) {
                hand(&path, std::sync::Arc::unwrap_or_clone(bytes));
            } else {
                named(&path);
                clear.insert(path, bytes);
            }
        }
        // In the site's order, as a built site lists them.
        let mut names = names.into_inner().expect("no panic holds it");
        names.sort();
        for (path, bytes) in encrypt::added_files(names.iter(), key) {
            clear.insert(path, bytes.into());
        }
        let mut inline = inline.into_inner().expect("no panic holds it");
        if !inline.is_empty() {
            drop(staged);
            inline.sort();
            let refusal = encrypt_publish::inline_script_refusal(&inline);
            return Err(BuildError::Write(WriteError::Refused(refusal)));
        }
        progress(Progress::Warnings(&built.warnings));
        let written = commit(staged, &clear, &built, inputs, progress);
        finish(written, built)
    }
}

/// Whether the site of `rapport build` is encrypted: asked for, set in
/// the settings, or already so in the output folder.
fn encrypts(flags: &EncryptFlags, settings: &Settings, out: &Path) -> bool {
    flags.any() || settings.privacy.encrypt || out.join(SALT_FILE).exists()
}

/// The key of an encrypted site in `out`; its note, if any, told.
fn site_key(
    out: &Path,
    flags: &EncryptFlags,
    setting: bool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<SiteKey, BuildError> {
    let (key, note) = encrypt_publish::build_key(out, flags, setting)
        .map_err(|r| BuildError::Write(WriteError::Refused(r)))?;
    if let Some(n) = note {
        progress(Progress::Note(&n));
    }
    Ok(key)
}

/// Opens the write of the site in `out` before rendering.
fn open_staged(out: &Path) -> Result<output::Staged, BuildError> {
    output::Staged::open(out).map_err(|e| BuildError::Write(WriteError::Failed(e)))
}

/// Renames the site written aside into place, telling each file, and
/// records what this build read (or forgets the record when it cannot be
/// kept), beside the manifest.
fn commit(
    staged: output::Staged,
    files: &SiteFiles,
    built: &stages::Built,
    inputs: &Option<inputs::Inputs>,
    progress: &(dyn Fn(Progress) + Sync),
) -> io::Result<WriteStats> {
    progress(Progress::Writing { files: files.len() });
    let written = staged.commit(
        files,
        None,
        &|| progress(Progress::WroteOne),
        |names| match inputs {
            Some(i) => {
                let outcome = inputs::Outcome {
                    counts: built.counts,
                    warnings: built.warnings.len(),
                };
                inputs::record(&built.output, &i.fingerprint, &outcome, names)
            }
            None => inputs::forget(&built.output),
        },
    );
    progress(Progress::Written);
    written
}

/// What a build that wrote (or failed to) gives. The site's files are
/// let go of without being freed: the process ends after a build.
fn finish(written: io::Result<WriteStats>, built: stages::Built) -> Result<Written, BuildError> {
    let stages::Built {
        output,
        files,
        warnings,
        counts,
        ..
    } = built;
    std::mem::forget(files);
    let stats = written.map_err(|e| BuildError::Write(WriteError::from_io(e)))?;
    Ok(Written {
        counts,
        warnings,
        output,
        stats: Some(stats),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_stopped_while_renaming_is_told_apart_by_its_type() {
        let stopped = io::Error::new(
            io::ErrorKind::PermissionDenied,
            output::PartlyUpdated(io::Error::other("public/index.html: denied")),
        );
        let e = WriteError::from_io(stopped);
        assert!(matches!(e, WriteError::PartlyUpdated(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            "cannot write the site: public/index.html: denied; the site is partly updated, \
             and the next run of rapport completes it"
        );
        let before = WriteError::from_io(io::Error::other("public: denied"));
        assert!(matches!(before, WriteError::Failed(_)), "{before:?}");
        assert_eq!(before.to_string(), "cannot write the site: public: denied");
    }
}
