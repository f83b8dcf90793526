//! One build, the same for `build`, `check`, `watch` and `serve`:
//! discover → parse → validate → analyse → render, all in memory. Writing
//! is left to the caller, and happens only for a build without errors.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::analysis::{self, Report};
use crate::book::layout::{rel_display, Layout};
use crate::book::{settings, today};
use crate::book::{Book, Day, Partner, Settings};
use crate::diagnostics::Diagnostic;
use crate::read::discover::{self, NoteFile};
use crate::read::{future, note};
use crate::render::markdown::{self, LinkTargets};
use crate::render::templates::{self, Templates};
use crate::render::{self as site};
use crate::site::SiteFiles;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    /// The output folder; `output_dir` of the settings when not given.
    pub output: Option<PathBuf>,
    pub as_of: Option<Day>,
    pub drafts: bool,
    /// Write into a non-empty output folder that holds no site of rapport's.
    pub force: bool,
    /// The day taken for today (what `as_of` defaults to, and what a date
    /// ahead is warned against); the clock's when `None`. A
    /// [`Session`](crate::pipeline::session::Session) sets it once per build.
    pub today: Option<Day>,
}

impl Options {
    /// The day taken for today.
    pub fn today(&self) -> Day {
        self.today.unwrap_or_else(today)
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub notes: usize,
    pub partners: usize,
    pub referrals: usize,
    pub drafts_left_out: usize,
}

/// A build that succeeded: the site in memory, and its warnings.
#[derive(Debug)]
pub struct Built {
    pub settings: Settings,
    pub output: PathBuf,
    pub files: SiteFiles,
    pub warnings: Vec<Diagnostic>,
    pub counts: Counts,
}

/// A build that failed: every problem (errors and warnings).
#[derive(Debug)]
pub struct Failed {
    pub problems: Vec<Diagnostic>,
    pub counts: Counts,
}

impl Failed {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|d| d.is_error()).count()
    }
}

/// What `check` found: the problems of a book that has no errors.
#[derive(Debug)]
pub struct CheckReport {
    pub warnings: Vec<Diagnostic>,
    pub counts: Counts,
}

/// A book read, checked and analysed, its pages not yet rendered.
pub struct Prepared {
    book: Book,
    reports: Vec<Arc<Report>>,
    templates: Arc<Templates>,
    layout: Layout,
    problems: Vec<Diagnostic>,
    counts: Counts,
}

impl Prepared {
    pub fn settings(&self) -> &Settings {
        &self.book.settings
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }
}

struct CachedNote {
    modified: Option<SystemTime>,
    len: u64,
    rel: String,
    slug: String,
    result: Result<Arc<Partner>, Vec<Diagnostic>>,
}

/// Runs builds, keeping parsed notes between runs so that only changed
/// notes are read and parsed again.
#[derive(Default)]
pub struct Pipeline {
    notes: HashMap<PathBuf, CachedNote>,
    /// Partner pages of the previous run, reused when unchanged.
    render_cache: site::RenderCache,
    /// The book's folders, from the last settings that loaded.
    layout: Option<Layout>,
    /// The report of each partner of the previous run, by slug, with the
    /// partner it was computed from, reused while that partner (the same
    /// `Arc`) and the settings are unchanged: a report depends on nothing
    /// else.
    reports: HashMap<String, (Arc<Partner>, Arc<Report>)>,
    /// The settings the cached reports were computed under.
    reports_settings: Option<Settings>,
    /// The notes the last walk of the notes folder found, kept for a run
    /// told exactly which inputs changed (see [`Pipeline::run_changed`]).
    discovered: Option<Discovered>,
    /// The partners the last run put together from its notes, patched by
    /// such a run when its notes stay in the book.
    assembled: Option<Assembled>,
    /// The templates of the last run, and the folder they came from, kept
    /// for such a run (no template changed).
    templates: Option<(PathBuf, Arc<Templates>)>,
    /// A walk of the notes folder made just before the next run (by the
    /// input record, see [`Pipeline::adopt_walk`]), for it to use instead
    /// of walking again.
    adopted: Option<Discovered>,
    /// The slugs the reports' cache was keyed by, set aside by
    /// [`Pipeline::render_all_into`] to be let go of with the pipeline.
    set_aside: Vec<String>,
}

/// The book's partners as put together from its notes.
#[derive(Clone)]
struct Assembled {
    drafts: bool,
    partners: Vec<Arc<Partner>>,
    off_site_clients: Vec<String>,
    counts: Counts,
    /// The notes' problems, in the order of the notes.
    problems: Vec<Diagnostic>,
}

/// What a walk of the notes folder found.
struct Discovered {
    notes_dir: PathBuf,
    files: Vec<NoteFile>,
    problems: Vec<Diagnostic>,
}

/// A note read and parsed.
fn parse_file(f: &NoteFile) -> Result<Arc<Partner>, Vec<Diagnostic>> {
    match std::fs::read(&f.path) {
        Ok(bytes) => note::parse(&f.rel, &f.slug, &bytes).map(Arc::new),
        Err(e) => Err(vec![Diagnostic::error(
            f.rel.clone(),
            format!("cannot be read: {e}"),
        )]),
    }
}

/// The settings of the book at `opts.root`, with the options applied, and
/// its folders. `today` is the day `as_of` defaults to.
pub fn settings_and_layout(
    opts: &Options,
    today: Day,
) -> Result<(Settings, Layout), Vec<Diagnostic>> {
    Ok(with_options(
        crate::pipeline::output::settings_then_recover(&opts.root, today)?,
        opts,
    ))
}

/// `settings` with the options applied, and the book's folders.
fn with_options(mut settings: Settings, opts: &Options) -> (Settings, Layout) {
    if let Some(as_of) = opts.as_of {
        settings.as_of = as_of;
    }
    let layout = Layout::new(&opts.root, opts.output.as_deref(), &settings);
    (settings, layout)
}

/// The partners of a book, from the results of its notes in the order of
/// the notes: drafts left out unless `drafts`, sorted by slug.
fn assemble<'a>(
    results: impl Iterator<Item = &'a Result<Arc<Partner>, Vec<Diagnostic>>>,
    drafts: bool,
) -> Assembled {
    let mut partners = Vec::new();
    let mut counts = Counts::default();
    let mut off_site_clients = Vec::new();
    let mut problems = Vec::new();
    for result in results {
        counts.notes += 1;
        match result {
            Ok(p) if p.draft && !drafts => {
                counts.drafts_left_out += 1;
                off_site_clients.extend(p.referrals.iter().filter_map(|r| r.client.clone()));
            }
            Ok(p) => partners.push(p.clone()),
            Err(d) => problems.extend(d.iter().cloned()),
        }
    }
    partners.sort_by(|a, b| a.slug.cmp(&b.slug));
    counts.partners = partners.len();
    counts.referrals = partners.iter().map(|p| p.referrals.len()).sum();
    Assembled {
        drafts,
        partners,
        off_site_clients,
        counts,
        problems,
    }
}

/// `last` with notes read again, each as (what it gave before, what it
/// gives now), when each was a partner of the book and still is: the
/// partner is replaced in place. Anything else (a note that turns draft,
/// breaks or mends) gives `None`, for [`assemble`] to do it all again.
fn patch<'a>(
    mut last: Assembled,
    notes: impl Iterator<
        Item = (
            Option<Result<Arc<Partner>, Vec<Diagnostic>>>,
            &'a Result<Arc<Partner>, Vec<Diagnostic>>,
        ),
    >,
) -> Option<Assembled> {
    let shown = |p: &Partner| !p.draft || last.drafts;
    for (before, now) in notes {
        let (Some(Ok(old)), Ok(new)) = (before, now) else {
            return None;
        };
        if !shown(&old) || !shown(new) || old.slug != new.slug {
            return None;
        }
        let at = last
            .partners
            .binary_search_by(|p| p.slug.cmp(&new.slug))
            .ok()?;
        last.counts.referrals = last.counts.referrals - old.referrals.len() + new.referrals.len();
        last.partners[at] = new.clone();
    }
    Some(last)
}

/// The paths of the partners' pages in the site.
fn partner_pages(book: &Book) -> HashSet<String> {
    book.partners
        .iter()
        .map(|p| site::partner_page_name(&p.slug))
        .collect()
}

impl Pipeline {
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    /// The book's folders, from the last run whose settings loaded.
    pub fn layout(&self) -> Option<&Layout> {
        self.layout.as_ref()
    }

    /// Forgets every parsed partner (the next run reads every note
    /// again), so the book being rendered holds its partners alone. Only
    /// the partners go: the rest of the caches' small pieces stay until
    /// the pipeline goes, since letting go of hundreds of thousands of
    /// them just before a render slows every allocation of the render
    /// (glibc's allocator; a quarter more time at 100,000 notes).
    fn release_partners(&mut self) {
        for c in self.notes.values_mut() {
            c.modified = None;
            c.result = Err(Vec::new());
        }
        self.assembled = None;
        self.set_aside
            .extend(self.reports.drain().map(|(slug, _)| slug));
        self.reports_settings = None;
        self.render_cache.clear();
    }

    /// Forgets every cached note, so the next run reads them all.
    pub fn clear(&mut self) {
        self.notes.clear();
        self.discovered = None;
        self.assembled = None;
        self.templates = None;
        self.render_cache.clear();
        self.reports.clear();
        self.reports_settings = None;
    }

    /// How many partner pages the last successful run rendered afresh.
    pub fn pages_rendered_last(&self) -> usize {
        self.render_cache.rendered_last
    }

    /// How many book-wide files (dashboard, partner table, reports, data
    /// files, stylesheet) the last successful run rendered afresh.
    pub fn book_files_rendered_last(&self) -> usize {
        self.render_cache.book_pages_rendered_last
    }

    /// Forgets the pages and files the last run rendered, so that the
    /// site it gave holds them alone (and can let go of each in turn).
    pub fn forget_rendered(&mut self) {
        self.render_cache.clear();
    }

    /// Forgets one cached note, so the next run reads it again whatever its
    /// modification time and length say: two saves within one tick of the
    /// file system's clock can leave both unchanged.
    pub fn forget(&mut self, path: &Path) {
        self.notes.remove(path);
    }

    /// Builds the book in memory.
    pub fn run(&mut self, opts: &Options) -> Result<Built, Failed> {
        let prepared = self.prepare(opts)?;
        self.render(prepared)
    }

    /// Builds the book in memory, where `changed` holds every input that
    /// changed since the last run (as a watcher's record of the inputs
    /// tells) and nothing else changed. When they are all notes the last
    /// run read, and still files, the notes folder is not walked again:
    /// those notes alone are read again, whatever their modification time
    /// says. Anything else (a note added or gone, the settings, a
    /// template) makes the run a full one, as [`run`](Pipeline::run).
    pub fn run_changed(
        &mut self,
        opts: &Options,
        changed: &BTreeSet<PathBuf>,
    ) -> Result<Built, Failed> {
        for p in changed {
            self.forget_parsed(p);
        }
        let prepared = self.prepare_with(opts, Some(changed))?;
        self.render(prepared)
    }

    /// Marks a cached note as to be read again, keeping what the walk
    /// knew of it (its place in the book, its slug).
    fn forget_parsed(&mut self, path: &Path) {
        if let Some(c) = self.notes.get_mut(path) {
            c.modified = None;
        }
    }

    /// The notes of the last walk, when `changed` (every input that
    /// changed since) says it still stands: every changed path is a note
    /// that walk found and is still a file. Gives where those notes are in
    /// the walk's list, with their time and length looked at again.
    fn last_walk_standing(
        &mut self,
        notes_dir: &Path,
        changed: &BTreeSet<PathBuf>,
    ) -> Option<Vec<usize>> {
        let d = self.discovered.as_mut()?;
        if d.notes_dir != notes_dir {
            return None;
        }
        let mut found = Vec::with_capacity(changed.len());
        for p in changed {
            let rel = self.notes.get(p)?.rel.as_str();
            // The walk's list is sorted by `rel`.
            let i = d.files.binary_search_by(|f| f.rel.as_str().cmp(rel)).ok()?;
            match std::fs::metadata(p) {
                Ok(m) if m.is_file() && d.files[i].path == *p => {
                    found.push((i, m.modified().ok(), m.len()))
                }
                _ => return None,
            }
        }
        Some(
            found
                .into_iter()
                .map(|(i, modified, len)| {
                    d.files[i].modified = modified;
                    d.files[i].len = len;
                    i
                })
                .collect(),
        )
    }

    /// Everything `run` finds, without writing anything: the book is read,
    /// checked and analysed, and its templates compiled. No page is
    /// rendered unless the book has templates of its own, which only a
    /// render can fully check.
    pub fn check(&mut self, opts: &Options) -> Result<CheckReport, Failed> {
        let prepared = self.prepare(opts)?;
        if prepared.templates.overridden() {
            return self.render(prepared).map(|b| CheckReport {
                warnings: b.warnings,
                counts: b.counts,
            });
        }
        warnings_without_rendering(prepared)
    }

    /// Reads, checks and analyses the book; fails on any error.
    pub fn prepare(&mut self, opts: &Options) -> Result<Prepared, Failed> {
        self.prepare_with(opts, None)
    }

    /// Takes the notes (and the problems) a walk of `notes_dir` has just
    /// found, for the next run to use instead of walking that folder again.
    pub fn adopt_walk(&mut self, notes_dir: PathBuf, walk: (Vec<NoteFile>, Vec<Diagnostic>)) {
        let (files, problems) = walk;
        self.adopted = Some(Discovered {
            notes_dir,
            files,
            problems,
        });
    }

    /// [`prepare`](Pipeline::prepare); `changed` as for
    /// [`run_changed`](Pipeline::run_changed).
    fn prepare_with(
        &mut self,
        opts: &Options,
        changed: Option<&BTreeSet<PathBuf>>,
    ) -> Result<Prepared, Failed> {
        let root = &opts.root;
        let mut problems = Vec::new();
        if !root.is_dir() {
            let d = Diagnostic::error(root.display().to_string(), "there is no book folder here")
                .with_help("give the folder that holds rapport.yaml and partners/, or start one with `rapport init`");
            return Err(Failed {
                problems: vec![d],
                counts: Counts::default(),
            });
        }
        let today = opts.today();
        let loaded = crate::pipeline::output::settings_then_recover(root, today);
        let settings_loaded = loaded.is_ok();
        let settings = loaded.unwrap_or_else(|p| {
            problems.extend(p);
            settings::parse(b"", today).expect("default settings are valid")
        });
        let (settings, layout) = with_options(settings, opts);
        if settings_loaded {
            self.layout = Some(layout.clone());
        }
        problems.extend(layout.check());

        let standing = changed.and_then(|c| self.last_walk_standing(&layout.notes, c));
        let adopted = self.adopted.take().filter(|d| d.notes_dir == layout.notes);
        if let Some(walk) = adopted {
            self.discovered = Some(walk);
        } else if standing.is_none() {
            let (files, found) = discover::discover(root, &layout.notes);
            self.discovered = Some(Discovered {
                notes_dir: layout.notes.clone(),
                files,
                problems: found,
            });
        }
        let discovered = self.discovered.as_ref().expect("walked or kept");
        let files = &discovered.files;
        problems.extend(discovered.problems.iter().cloned());
        // After a walk every note is compared with the cache; otherwise
        // only the changed ones are read.
        let candidates: Vec<&NoteFile> = match &standing {
            Some(at) => at.iter().map(|&i| &files[i]).collect(),
            None => files.iter().collect(),
        };
        let fresh: Vec<(PathBuf, CachedNote)> = candidates
            .par_iter()
            .filter(|f| {
                self.notes.get(&f.path).is_none_or(|c| {
                    c.modified != f.modified
                        || c.len != f.len
                        || c.slug != f.slug
                        || c.rel != f.rel
                        || f.modified.is_none()
                })
            })
            .map(|f| {
                let result = parse_file(f);
                (
                    f.path.clone(),
                    CachedNote {
                        modified: f.modified,
                        len: f.len,
                        rel: f.rel.clone(),
                        slug: f.slug.clone(),
                        result,
                    },
                )
            })
            .collect();
        // What the notes read again gave before, to patch the partners.
        let before: Vec<Option<Result<Arc<Partner>, Vec<Diagnostic>>>> = fresh
            .iter()
            .map(|(path, _)| self.notes.get(path).map(|c| c.result.clone()))
            .collect();
        let reread: Vec<PathBuf> = fresh.iter().map(|(path, _)| path.clone()).collect();
        self.notes.extend(fresh);
        // Every note found is cached now: any other entry is a note gone.
        if self.notes.len() > files.len() {
            let present: HashSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
            self.notes
                .retain(|path, _| present.contains(path.as_path()));
        }

        let patched = match (&standing, self.assembled.take()) {
            (Some(_), Some(last)) if last.drafts == opts.drafts => {
                let now = reread.iter().map(|path| &self.notes[path].result);
                patch(last, before.into_iter().zip(now))
            }
            _ => None,
        };
        let assembled = patched.unwrap_or_else(|| {
            assemble(
                files.iter().map(|f| &self.notes[&f.path].result),
                opts.drafts,
            )
        });
        self.assembled = Some(assembled.clone());
        let Assembled {
            partners,
            off_site_clients,
            counts,
            problems: note_problems,
            ..
        } = assembled;
        problems.extend(note_problems);
        // Dates from the future, by this run's `as_of`: the parsed notes
        // are kept between runs, these warnings are not.
        let future: Vec<Diagnostic> = files
            .par_iter()
            .flat_map_iter(|f| match &self.notes[&f.path].result {
                Ok(p) => future::warnings(&f.path, p, settings.as_of, today),
                Err(_) => Vec::new(),
            })
            .collect();
        problems.extend(future);

        // No template changed in a run that kept the last walk.
        let kept = self
            .templates
            .take()
            .filter(|(dir, _)| standing.is_some() && *dir == layout.templates);
        let templates = match kept {
            Some((_, t)) => Some(t),
            None => templates::load(&layout)
                .map(Arc::new)
                .map_err(|p| problems.extend(p))
                .ok(),
        };
        if let Some(t) = &templates {
            self.templates = Some((layout.templates.clone(), t.clone()));
        }
        if problems.iter().any(Diagnostic::is_error) {
            return Err(Failed { problems, counts });
        }
        let templates = templates.expect("loaded when there is no error");
        let book = Book {
            settings,
            partners,
            off_site_clients,
        };
        let reports = self.analyse(&book);

        Ok(Prepared {
            book,
            reports,
            templates,
            layout,
            problems,
            counts,
        })
    }

    /// The report of every partner of `book`, from the cache when its
    /// partner and the settings are unchanged; the cache is updated.
    fn analyse(&mut self, book: &Book) -> Vec<Arc<Report>> {
        if self.reports_settings.as_ref() != Some(&book.settings) {
            self.reports.clear();
            self.reports_settings = Some(book.settings.clone());
        }
        let cached = &self.reports;
        let reports: Vec<(Arc<Report>, bool)> = book
            .partners
            .par_iter()
            .map(|p| match cached.get(&p.slug) {
                Some((q, r)) if Arc::ptr_eq(p, q) => (r.clone(), false),
                _ => (Arc::new(analysis::analyse(p, &book.settings)), true),
            })
            .collect();
        for (p, (r, fresh)) in book.partners.iter().zip(&reports) {
            if *fresh {
                self.reports.insert(p.slug.clone(), (p.clone(), r.clone()));
            }
        }
        if self.reports.len() > book.partners.len() {
            let slugs: HashSet<&str> = book.partners.iter().map(|p| p.slug.as_str()).collect();
            self.reports.retain(|slug, _| slugs.contains(slug.as_str()));
        }
        reports.into_iter().map(|(r, _)| r).collect()
    }

    /// Renders every page of a prepared book.
    pub fn render(&mut self, prepared: Prepared) -> Result<Built, Failed> {
        self.render_with(prepared, None, None)
    }

    /// Renders every page of a prepared book, handing each partner page to
    /// `sink` as it is rendered instead of holding it: the site that is
    /// returned has every other file. Those pages are not cached for a
    /// later run.
    pub fn render_into(
        &mut self,
        prepared: Prepared,
        sink: &site::PageSink<'_>,
    ) -> Result<Built, Failed> {
        self.render_with(prepared, Some(sink), None)
    }

    /// Renders every file of a prepared book, handing each to `sink` as
    /// soon as it is made (partner pages, book-wide pages, data files)
    /// and the search index to `stream` a piece at a time as it is made,
    /// instead of holding them: the site that is returned has only the
    /// book's static files. Nothing rendered is kept for a later run, and
    /// the parsed notes are forgotten first (the next run reads them all
    /// again): the book's partners are then held by the render alone,
    /// which lets go of their note bodies once the partner pages and the
    /// search index are made.
    pub fn render_all_into(
        &mut self,
        prepared: Prepared,
        sink: &site::PageSink<'_>,
        stream: &site::StreamSink<'_>,
    ) -> Result<Built, Failed> {
        self.release_partners();
        self.render_with(prepared, Some(sink), Some(stream))
    }

    fn render_with(
        &mut self,
        prepared: Prepared,
        sink: Option<&site::PageSink<'_>>,
        whole: Option<&site::StreamSink<'_>>,
    ) -> Result<Built, Failed> {
        let Prepared {
            mut book,
            reports,
            templates,
            layout,
            mut problems,
            counts,
            ..
        } = prepared;
        let rendered = site::render_cached(
            &mut book,
            &reports,
            &templates,
            &mut self.render_cache,
            sink,
            whole,
        );
        match rendered {
            Ok((mut files, warnings)) => {
                problems.extend(warnings);
                // Files handed to the sink are files of the site all the same.
                let streamed = match sink {
                    Some(_) if whole.is_some() => {
                        let mut names = partner_pages(&book);
                        names.extend(crate::render::book_file_names(&book, &reports));
                        names
                    }
                    Some(_) => partner_pages(&book),
                    None => HashSet::new(),
                };
                if let Err(e) = copy_static(&layout, &mut files, &streamed, &mut problems) {
                    problems.push(*e);
                    return Err(Failed { problems, counts });
                }
                let Book {
                    settings,
                    partners,
                    off_site_clients,
                } = book;
                if whole.is_some() {
                    // Held by nothing else (see `render_all_into`): let go
                    // of beside the write.
                    std::thread::spawn(move || drop((partners, reports, off_site_clients)));
                }
                Ok(Built {
                    settings,
                    output: layout.output,
                    files,
                    warnings: problems,
                    counts,
                })
            }
            Err(errors) => {
                problems.extend(errors);
                Err(Failed { problems, counts })
            }
        }
    }
}

/// The problems a render of `prepared` reports, found without rendering:
/// the warnings about `[[links]]` naming no partner, and those about
/// static files. Only right when the templates are the built-in ones
/// (which render every book), or when a render of the same inputs
/// succeeded before.
pub fn warnings_without_rendering(prepared: Prepared) -> Result<CheckReport, Failed> {
    let Prepared {
        book,
        reports,
        layout,
        mut problems,
        counts,
        ..
    } = prepared;
    let targets = LinkTargets::new(
        book.partners
            .iter()
            .map(|p| (p.slug.as_str(), p.name.as_str())),
    );
    let links: Vec<Vec<Diagnostic>> = book
        .partners
        .par_iter()
        .map(|p| markdown::link_warnings(p, &targets))
        .collect();
    problems.extend(links.into_iter().flatten());
    // Only the names of the pages matter to `copy_static`.
    let mut pages = partner_pages(&book);
    pages.extend(crate::render::book_file_names(&book, &reports));
    if let Err(e) = copy_static(&layout, &mut SiteFiles::new(), &pages, &mut problems) {
        problems.push(*e);
        return Err(Failed { problems, counts });
    }
    Ok(CheckReport {
        warnings: problems,
        counts,
    })
}

/// Adds the book's `static/` files to the site (those
/// [`static_files`](crate::book::layout::static_files) lists; each file it
/// skips is a warning). A file that would replace a page rapport renders
/// is left out, with a warning.
fn copy_static(
    layout: &Layout,
    files: &mut crate::site::SiteFiles,
    streamed: &HashSet<String>,
    problems: &mut Vec<Diagnostic>,
) -> Result<(), Box<Diagnostic>> {
    let (entries, skipped) = crate::book::layout::static_files(layout);
    problems.extend(skipped);
    for entry in entries {
        let rel = entry.rel.clone();
        let shown = rel_display(&layout.root, &layout.statics.join(&rel));
        if files.contains_key(&rel) || streamed.contains(&rel) {
            problems.push(Diagnostic::warning(
                shown,
                format!("`{rel}` is a page rapport writes; the static file is not copied"),
            ));
            continue;
        }
        let bytes = crate::book::layout::read_static(&entry)
            .map_err(|e| Box::new(Diagnostic::error(shown, format!("cannot be read: {e}"))))?;
        files.insert(rel, bytes.into());
    }
    Ok(())
}

/// The summary line: `14 partners, 73 referrals, 0 problems`.
pub fn summary(counts: &Counts, problems: &[Diagnostic]) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let errors = problems.iter().filter(|d| d.is_error()).count();
    let warnings = problems.len() - errors;
    let mut line = format!(
        "{}, {}, {}",
        plural(counts.partners, "partner"),
        plural(counts.referrals, "referral"),
        plural(errors, "problem")
    );
    if warnings > 0 {
        line.push_str(&format!(", {}", plural(warnings, "warning")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_copy() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let to = dir.path().join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        dir
    }

    fn opts(root: &Path) -> Options {
        Options {
            root: root.to_path_buf(),
            as_of: Day::parse("2026-11-01"),
            ..Options::default()
        }
    }

    fn shown(problems: &[Diagnostic]) -> Vec<String> {
        problems.iter().map(|d| format!("{d:?}")).collect()
    }

    #[test]
    fn the_page_table_names_what_a_render_writes_besides_partner_pages() {
        let book = sample_copy();
        let mut pipeline = Pipeline::new();
        let prepared = pipeline.prepare(&opts(book.path())).unwrap();
        let mut listed = crate::render::book_file_names(&prepared.book, &prepared.reports);
        let partners = partner_pages(&prepared.book);
        let built = Pipeline::new().run(&opts(book.path())).unwrap();
        let mut rendered: Vec<String> = built
            .files
            .keys()
            .filter(|k| !partners.contains(*k))
            .cloned()
            .collect();
        rendered.sort();
        listed.sort();
        assert_eq!(rendered, listed);
    }

    #[test]
    fn check_finds_what_a_render_finds_without_rendering() {
        let book = sample_copy();
        let root = book.path();
        let note = root.join("partners/amara-nwosu.md");
        let mut text = std::fs::read_to_string(&note).unwrap();
        text.push_str("\nAsk [[Nobody Here]] and [[lena-park|Lena]].\n");
        std::fs::write(&note, text).unwrap();
        std::fs::create_dir_all(root.join("static/partners")).unwrap();
        std::fs::write(root.join("static/index.html"), "mine").unwrap();
        std::fs::write(root.join("static/partners/amara-nwosu.html"), "mine").unwrap();
        std::fs::write(root.join("static/notes.txt"), "kept").unwrap();

        let built = Pipeline::new().run(&opts(root)).unwrap();
        let mut pipeline = Pipeline::new();
        let checked = pipeline.check(&opts(root)).unwrap();
        assert_eq!(shown(&checked.warnings), shown(&built.warnings));
        assert_eq!(checked.counts, built.counts);
        assert_eq!(checked.warnings.len(), 3, "{:?}", shown(&checked.warnings));
        assert_eq!(pipeline.pages_rendered_last(), 0);
        assert_eq!(pipeline.book_files_rendered_last(), 0);
    }

    #[test]
    fn check_renders_when_the_book_has_its_own_templates() {
        let book = sample_copy();
        let root = book.path();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(
            root.join("templates/partner.html"),
            "{{ partner.no_such_field }}",
        )
        .unwrap();
        let failed = Pipeline::new().check(&opts(root)).unwrap_err();
        assert_eq!(failed.errors(), 1);
        assert!(failed.problems[0].message.contains("no_such_field"));
    }
}
