//! The incremental build-and-write session: a [`Pipeline`] that keeps
//! parsed notes and rendered pages between runs, and the last site written,
//! so each rebuild reads only changed notes and writes only changed files.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::book::layout::Layout;
use crate::diagnostics::Diagnostic;
use crate::pipeline::output::{self, Known, WriteStats};
use crate::pipeline::stages::{self, Options, Pipeline};
use crate::site::SiteFiles;

/// What a rebuild gave.
pub enum Rebuild {
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

impl Rebuild {
    /// The problems to show for a rebuild that gave no new site.
    pub fn problems(&self) -> Vec<Diagnostic> {
        match self {
            Rebuild::Built { .. } => Vec::new(),
            Rebuild::Failed { problems, .. } => problems.clone(),
            Rebuild::WriteError(e) => vec![Diagnostic::error("(output)", e.clone())],
        }
    }
}

/// Rebuilds a book again and again, reading only changed notes and writing
/// only changed files. Used by `watch` and `serve` (which hears of each
/// [`Rebuild`]), and by the tests and benchmarks in-process.
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
        let built = self.pipeline.run(&self.opts);
        self.write(built)
    }

    /// Rebuilds after exactly the inputs in `changed` changed since the
    /// last rebuild and nothing else did (what `watch` knows from its
    /// record of every input): when they are all notes read before, only
    /// those are read again, without walking the notes folder
    /// ([`Pipeline::run_changed`]). Otherwise the same as
    /// [`rebuild`](Session::rebuild).
    pub fn rebuild_changed(&mut self, changed: &BTreeSet<PathBuf>) -> Rebuild {
        let built = self.pipeline.run_changed(&self.opts, changed);
        self.write(built)
    }

    /// Writes a good build; gives what the rebuild gave.
    fn write(&mut self, built: Result<stages::Built, stages::Failed>) -> Rebuild {
        match built {
            Ok(built) => {
                if let Some(refusal) = crate::encrypt::publish::plain_write_refused(
                    &built.output,
                    built.settings.privacy.encrypt && self.opts.output.is_none(),
                ) {
                    return Rebuild::WriteError(refusal.0);
                }
                if let Some(refusal) =
                    crate::book::layout::check_output_folder(&built.output, self.opts.force)
                {
                    return Rebuild::WriteError(format!(
                        "{}: {}; {}",
                        refusal.file,
                        refusal.message,
                        refusal.help.join("; ")
                    ));
                }
                let files = Arc::new(built.files);
                let known = match self.last.take() {
                    Some((out, known)) if out == built.output => Some(known),
                    _ => None,
                };
                match output::write_site_known(&built.output, files.clone(), known, &|| {}) {
                    Ok((stats, known)) => {
                        self.last = Some((built.output.clone(), known));
                        Rebuild::Built {
                            files,
                            stats,
                            summary: stages::summary(&built.counts, &built.warnings),
                            warnings: built.warnings,
                        }
                    }
                    Err(e) => {
                        self.last = None;
                        Rebuild::WriteError(format!("cannot write the site: {e}"))
                    }
                }
            }
            Err(failed) => Rebuild::Failed {
                summary: stages::summary(&failed.counts, &failed.problems),
                problems: failed.problems,
            },
        }
    }
}
