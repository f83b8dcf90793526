//! The book-wide files: the dashboard, the partner table, the reciprocity
//! and readiness reports, the stylesheet and script, and the three data
//! files. Each draws on one row per partner; under `watch` what each row
//! gives these files is kept between runs (see [`CachedRow`]), so a rebuild
//! makes it again only for the partners that changed, and joins.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use tera::Context;

use crate::analysis::{Reciprocity, Report, Stage, Window};
use crate::book::{Book, Direction, Outcome, Partner, Settings};
use crate::diagnostics::Diagnostic;
use crate::site::FileBytes;

use super::cache::{CachedRow, DataParts, TableRows};
use super::charts::{self, Series};
use super::paged::{Family, Part, PAGE_ROWS};
use super::pages::{Make, TABLE};
use super::periods::{self, PeriodsView};
use super::redact::{redacted_copies, Scrubber};
use super::templates::page_context;
use super::templates::Templates;
use super::views::{self, Brief, ClassCount, QuarterCounts, Row, SiteInfo, StageCount, Totals};
use super::{calendar, export};
use crate::analysis::periods::{book_sums, PeriodSums, Spans};

/// Book-wide files: their paths in the site and their bytes.
pub(super) type BookFiles = Vec<(String, FileBytes)>;

/// One row per partner (see [`Row`]), for every book-wide page. In a run
/// that keeps them for the next (`watch`, `serve`), each with its template
/// values and its lines of the two tables that list every partner
/// ([`CachedRow`]), which the pages share instead of each making them
/// again. A build that streams its pages keeps none, which keeps its peak
/// of memory low, and makes each where a page needs it.
struct BookRows<'a> {
    rows: Vec<&'a Row>,
    kept: Option<&'a [Arc<CachedRow>]>,
}

/// The two tables that list every partner, each line drawn by a template
/// of its own.
#[derive(Clone, Copy)]
enum Table {
    Partners,
    Reciprocity,
}

impl Table {
    /// The template that draws a line.
    fn template(self) -> &'static str {
        match self {
            Table::Partners => "partners-row.html",
            Table::Reciprocity => "reciprocity-row.html",
        }
    }

    /// What the page calls its lines, joined.
    fn lines_key(self) -> &'static str {
        match self {
            Table::Partners => "partner_rows",
            Table::Reciprocity => "reciprocity_rows",
        }
    }

    /// A partner's line of this table.
    fn line(self, t: &TableRows) -> &str {
        match self {
            Table::Partners => &t.partners,
            Table::Reciprocity => &t.reciprocity,
        }
    }
}

/// A partner's lines of the two long tables, from its row's template
/// value.
fn table_rows(value: &tera::Value, templates: &Templates) -> Result<TableRows, Box<Diagnostic>> {
    Ok(TableRows {
        partners: templates.render_row(Table::Partners.template(), value)?,
        reciprocity: templates.render_row(Table::Reciprocity.template(), value)?,
    })
}

impl BookRows<'_> {
    /// Puts `table` of the partners `at` (their places in `self.rows`, in
    /// the table's order) into `ctx`: their rows under `partners`, and
    /// their lines, one after another, under the table's own key.
    fn insert_table(
        &self,
        ctx: &mut Context,
        table: Table,
        at: &[usize],
        templates: &Templates,
    ) -> Result<(), Box<Diagnostic>> {
        let (values, text): (Vec<tera::Value>, String) = match self.kept {
            Some(kept) => {
                let len = at.iter().map(|&i| table.line(&kept[i].tables).len()).sum();
                let mut text = String::with_capacity(len);
                for &i in at {
                    text.push_str(table.line(&kept[i].tables));
                }
                (at.iter().map(|&i| kept[i].value.clone()).collect(), text)
            }
            None => {
                let values: Vec<tera::Value> = at
                    .iter()
                    .map(|&i| tera::Value::from_serializable(self.rows[i]))
                    .collect();
                let mut text = String::new();
                for v in &values {
                    text.push_str(&templates.render_row(table.template(), v)?);
                }
                (values, text)
            }
        };
        ctx.insert_value("partners", tera::Value::from(values));
        ctx.insert_value(table.lines_key(), tera::Value::from(text));
        Ok(())
    }

    /// Puts what the dashboard's lists show of `rows` ([`Brief`]) into
    /// `ctx` under `key`.
    fn insert_briefs(&self, ctx: &mut Context, key: &'static str, at: &[usize]) {
        let brief = |i: usize| match self.kept {
            Some(kept) => kept[i].brief.clone(),
            None => tera::Value::from_serializable(&Brief::of(self.rows[i])),
        };
        let values: Vec<tera::Value> = at.iter().map(|&i| brief(i)).collect();
        ctx.insert_value(key, tera::Value::from(values));
    }

    /// The rows of "This week" ([`views::WeekRow`]), in its order: by
    /// their most urgent item, then by name.
    fn week(&self) -> Vec<&views::WeekRow> {
        let mut rows: Vec<&views::WeekRow> =
            self.rows.iter().filter_map(|r| r.week.as_ref()).collect();
        rows.sort_by(|a, b| a.urgency.cmp(&b.urgency).then_with(|| a.name.cmp(&b.name)));
        rows
    }
}

/// The rows of the partners, each with its template value. The rows of
/// the last run in `kept` are reused for every partner whose note and
/// report are the same (the same `Arc`s; a row depends on nothing else but
/// the settings and the scrubber, which empty the cache when they change),
/// and `kept` is left holding this run's rows.
#[allow(clippy::too_many_arguments)]
fn book_rows(
    partners: &[Arc<Partner>],
    reports: &[Arc<Report>],
    settings: &Settings,
    scrub: Option<&Scrubber>,
    window: Window,
    templates: &Templates,
    kept: &mut HashMap<String, Arc<CachedRow>>,
) -> Result<Vec<Arc<CachedRow>>, Box<Diagnostic>> {
    let kept_rows = &*kept;
    let made: Vec<Arc<CachedRow>> = partners
        .par_iter()
        .zip(reports.par_iter())
        .map(|(p, r)| {
            if let Some(c) = kept_rows.get(&p.slug) {
                if Arc::ptr_eq(&c.partner, p) && Arc::ptr_eq(&c.report, r) {
                    return Ok(c.clone());
                }
            }
            let row = Row::new(p, r, settings, scrub);
            let value = tera::Value::from_serializable(&row);
            let tables = table_rows(&value, templates)?;
            Ok(Arc::new(CachedRow {
                partner: p.clone(),
                report: r.clone(),
                value,
                tables,
                brief: tera::Value::from_serializable(&Brief::of(&row)),
                row,
                data: scrub.is_none().then(|| {
                    Arc::new(DataParts {
                        json: export::partner_json(p, r),
                        csv: export::partner_csv(p, window, false),
                        ics: calendar::partner_written(
                            &calendar::Due::of(p, r),
                            &calendar::Options::plain(settings.as_of, settings.site_url.as_deref()),
                        ),
                    })
                }),
            }))
        })
        .collect::<Result<_, Box<Diagnostic>>>()?;
    for c in &made {
        match kept.get_mut(&c.partner.slug) {
            Some(k) if Arc::ptr_eq(k, c) => {}
            Some(k) => *k = c.clone(),
            None => {
                kept.insert(c.partner.slug.clone(), c.clone());
            }
        }
    }
    if kept.len() > made.len() {
        let slugs: HashSet<&str> = partners.iter().map(|p| p.slug.as_str()).collect();
        kept.retain(|slug, _| slugs.contains(slug.as_str()));
    }
    Ok(made)
}

/// What the data files are made from: the book, its reports, and in a run
/// that keeps its rows, each partner's part of them.
pub(super) struct Sources<'a> {
    pub(super) book: &'a Book,
    pub(super) reports: &'a [Arc<Report>],
    pub(super) pairs: &'a [(&'a Partner, &'a Report)],
    pub(super) window: Window,
    pub(super) scrub: Option<&'a Scrubber>,
    /// This run's rows, when the run keeps them (`watch`, `serve`).
    made: Option<Vec<Arc<CachedRow>>>,
    /// On a redacted site, the copies with client names scrubbed out of
    /// free text, made once for the three data files that need them.
    redacted: OnceLock<(Vec<Partner>, Vec<Report>)>,
    spans: Spans,
    period_sums: PeriodSums,
}

impl Sources<'_> {
    /// The scrubbed copies of a redacted site, made on first use.
    fn redacted(&self, sc: &Scrubber) -> &(Vec<Partner>, Vec<Report>) {
        self.redacted.get_or_init(|| {
            let reports: Vec<Report> = self.reports.iter().map(|r| Report::clone(r)).collect();
            redacted_copies(self.book, &reports, sc)
        })
    }

    /// Each partner's part of the data files, when every kept row has one.
    fn parts(&self) -> Option<Vec<&DataParts>> {
        self.made
            .as_ref()
            .and_then(|m| m.iter().map(|c| c.data.as_deref()).collect())
    }

    fn plain(&self) -> calendar::Options<'_> {
        let s = &self.book.settings;
        calendar::Options::plain(s.as_of, s.site_url.as_deref())
    }
}

fn dues(pairs: &[(&Partner, &Report)]) -> Vec<calendar::Due> {
    pairs.iter().map(|(p, r)| calendar::Due::of(p, r)).collect()
}

/// `data/partners.json`; on a redacted site, from the scrubbed copies.
pub(super) fn partners_json(s: &Sources) -> Vec<u8> {
    match s.scrub {
        Some(sc) => {
            let (ps, rs) = s.redacted(sc);
            let pairs: Vec<_> = ps.iter().zip(rs).collect();
            export::partners_json(&pairs).into_bytes()
        }
        None => match s.parts() {
            Some(parts) => {
                let objects: Vec<&str> = parts.iter().map(|d| &*d.json).collect();
                export::join_json(&objects).into_bytes()
            }
            None => export::partners_json(s.pairs).into_bytes(),
        },
    }
}

/// Whether the data file `path` can be written a piece at a time, never
/// whole in memory: `data/partners.json`, `data/referrals.csv` and
/// `data/calendar.ics`, made from
/// the book (not from parts kept between rebuilds) on a site that is not
/// redacted (a redacted site's files are scrubbed whole).
fn in_pieces(path: &str, s: &Sources) -> bool {
    s.scrub.is_none()
        && s.made.is_none()
        && [PARTNERS_JSON, REFERRALS_CSV, calendar::FILE].contains(&path)
}

/// The data file `path` ([`in_pieces`]) handed to `put` a piece at a
/// time: the same bytes as [`partners_json`], [`referrals_csv`] or
/// [`calendar_ics`] make.
fn write_in_pieces(
    path: &str,
    s: &Sources,
    put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if path == PARTNERS_JSON {
        return export::write_partners_json(s.pairs, put);
    }
    if path == REFERRALS_CSV {
        return export::write_referrals_csv(s.pairs, s.window, put);
    }
    let title = &s.book.settings.title;
    let pairs = s.pairs;
    let due = |i: usize| calendar::Due::of(pairs[i].0, pairs[i].1);
    calendar::write_calendar(title, &s.plain(), pairs.len(), &due, put)
}

/// The path of `data/partners.json`.
const PARTNERS_JSON: &str = "data/partners.json";

/// The path of `data/referrals.csv`.
const REFERRALS_CSV: &str = "data/referrals.csv";

/// `data/referrals.csv` (a redacted site leaves the client column empty).
pub(super) fn referrals_csv(s: &Sources) -> Vec<u8> {
    match s.scrub {
        Some(sc) => {
            let partners: Vec<_> = s.redacted(sc).0.iter().collect();
            export::referrals_csv(&partners, s.window, true)
        }
        None => match s.parts() {
            Some(parts) => export::join_csv(&parts.iter().map(|d| &*d.csv).collect::<Vec<_>>()),
            None => {
                let partners: Vec<_> = s.book.partners.iter().map(|p| p.as_ref()).collect();
                export::referrals_csv(&partners, s.window, false)
            }
        },
    }
}

/// `data/calendar.ics`; on a redacted site, from the same copies as
/// `partners.json`, so redaction applies to it as to that file.
pub(super) fn calendar_ics(s: &Sources) -> Vec<u8> {
    let title = &s.book.settings.title;
    let plain = s.plain();
    match s.scrub {
        Some(sc) => {
            let (ps, rs) = s.redacted(sc);
            let pairs: Vec<_> = ps.iter().zip(rs).collect();
            let opts = calendar::Options {
                scrub: Some(sc),
                ..plain
            };
            calendar::calendar(title, &opts, &dues(&pairs)).into_bytes()
        }
        None => match s.parts() {
            Some(parts) => {
                let events = parts.iter().flat_map(|d| &d.ics).collect();
                calendar::join(title, &plain, events).into_bytes()
            }
            None => calendar::calendar(title, &plain, &dues(s.pairs)).into_bytes(),
        },
    }
}

/// `data/periods.json`: this quarter and this year so far, over every
/// partner.
pub(super) fn periods_json(s: &Sources) -> Vec<u8> {
    periods::periods_json(s.book.settings.as_of, &s.spans, &s.period_sums).into_bytes()
}

/// What the book-wide pages are made from: the data files' sources and
/// one row per partner.
pub(super) struct Pages<'a> {
    pub(super) src: &'a Sources<'a>,
    rows: BookRows<'a>,
    pub(super) site: &'a SiteInfo,
    pub(super) templates: &'a Templates,
    /// The book's referrals per quarter, for the dashboard and the
    /// reciprocity report.
    pub(super) quarters: Vec<QuarterCounts>,
    /// Looking back: the quarter and the year so far, over every partner.
    pub(super) looking_back: PeriodsView,
    /// The reciprocity table's order (places in `rows`).
    by_balance: Vec<usize>,
    /// The pages of the two long tables; none while a table is short.
    partner_pages: Vec<Part>,
    reciprocity_pages: Vec<Part>,
}

impl Pages<'_> {
    /// The pages of a family.
    pub(super) fn parts(&self, family: Family) -> &[Part] {
        match family {
            Family::Partners => &self.partner_pages,
            Family::Reciprocity => &self.reciprocity_pages,
        }
    }
}

/// The stylesheet's context: each stage's slug and colour, for its badge.
pub(super) fn stylesheet(_: &Pages) -> Result<Context, Box<Diagnostic>> {
    Ok(views::stylesheet_context())
}

/// The context of a template that needs none (the scripts).
pub(super) fn nothing(_: &Pages) -> Result<Context, Box<Diagnostic>> {
    Ok(Context::new())
}

/// Which of the book-wide files [`book_wide`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wide {
    /// Every one.
    Every,
    /// The data files only (no row is made).
    Data,
    /// The pages only.
    Pages,
}

/// The book's data files and book-wide pages, scrubbed when the site is
/// redacted: every entry of the page table ([`TABLE`]), in its order
/// (those `wide` names).
/// With `stream` (only when not `side_by_side`), each file is handed to
/// it as soon as it is made and let go of, and none is returned; with
/// `pieces` too, the large data files that can be are handed to it a
/// piece at a time as they are made ([`in_pieces`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn book_wide(
    book: &Book,
    reports: &[Arc<Report>],
    pairs: &[(&Partner, &Report)],
    kept_rows: Option<&mut HashMap<String, Arc<CachedRow>>>,
    site: &SiteInfo,
    window: Window,
    quarters: &[i32],
    templates: &Templates,
    scrub: Option<&Scrubber>,
    side_by_side: bool,
    stream: Option<&super::PageSink<'_>>,
    pieces: Option<&super::StreamSink<'_>>,
    wide: Wide,
) -> Result<BookFiles, Vec<Diagnostic>> {
    let settings = &book.settings;
    let (pages_too, data_too) = (wide != Wide::Data, wide != Wide::Pages);
    // In a run that keeps its rows, each partner's part of the data files
    // is kept with its row (not on a redacted site, whose files come from
    // scrubbed copies).
    let made: Option<Vec<Arc<CachedRow>>> = kept_rows
        .map(|kept| {
            book_rows(
                &book.partners,
                reports,
                settings,
                scrub,
                window,
                templates,
                kept,
            )
        })
        .transpose()
        .map_err(|d| vec![*d])?;
    let spans = Spans::new(settings.as_of, settings.fiscal_year_start);
    let period_sums = book_sums(book.partners.iter().map(|p| p.as_ref()), &spans);
    let src = Sources {
        book,
        reports,
        pairs,
        window,
        scrub,
        made,
        redacted: OnceLock::new(),
        spans,
        period_sums,
    };
    // Each file made into the site's bytes where it is made.
    let data = |make: fn(&Sources) -> Vec<u8>| Ok(Arc::new(make(&src)));
    type Made = Result<FileBytes, Box<Diagnostic>>;
    let mut book_files: BookFiles = Vec::with_capacity(TABLE.len());
    let mut errs = Vec::new();
    let mut keep = |path: String, made: Made| match (made, stream) {
        // Scrubbed here as the others are below, before it goes.
        (Ok(bytes), Some(put)) => match scrub {
            Some(sc) => put(&path, &sc.scrub_output(&path, &bytes)),
            None => put(&path, &bytes),
        },
        (Ok(bytes), None) => book_files.push((path, bytes)),
        (Err(d), _) => errs.push(*d),
    };
    let mut fresh: Vec<Row> = Vec::new();
    let rows = match &src.made {
        None if !pages_too => BookRows {
            rows: Vec::new(),
            kept: None,
        },
        None => {
            fresh = pairs
                .par_iter()
                .map(|(p, r)| Row::new(p, r, settings, scrub))
                .collect();
            BookRows {
                rows: fresh.iter().collect(),
                kept: None,
            }
        }
        Some(made) => BookRows {
            rows: made.iter().map(|c| &c.row).collect(),
            kept: Some(made),
        },
    };
    let order = by_balance(&rows.rows);
    let key = |i: usize| (rows.rows[i].name.as_str(), rows.rows[i].reciprocity);
    let partner_pages = Family::Partners.cut((0..rows.rows.len()).map(key));
    let mut reciprocity_pages = Family::Reciprocity.cut(order.iter().map(|&i| key(i)));
    for part in &mut reciprocity_pages {
        for at in &mut part.rows {
            *at = order[*at];
        }
    }
    let pages = Pages {
        src: &src,
        by_balance: order,
        partner_pages,
        reciprocity_pages,
        rows,
        site,
        templates,
        quarters: book_quarters(book, window, quarters),
        looking_back: PeriodsView::new(
            &src.spans,
            &src.period_sums,
            settings.currency.as_deref(),
            "every partner on the site",
        ),
    };
    // Every file still to make: an entry, or one page of a family.
    let jobs: Vec<(String, &Make, Option<&Part>)> = TABLE
        .iter()
        .flat_map(|e| -> Vec<(String, &Make, Option<&Part>)> {
            match &e.make {
                Make::Data(_) if !side_by_side || !data_too => Vec::new(),
                Make::Page { .. } | Make::Family { .. } if !pages_too => Vec::new(),
                // Joined from each partner's part, kept between rebuilds,
                // by the renderer (`render::search_index`).
                Make::Index => Vec::new(),
                Make::Family { family, .. } => pages
                    .parts(*family)
                    .iter()
                    .map(|part| (part.path.clone(), &e.make, Some(part)))
                    .collect(),
                make => vec![(e.path.to_string(), make, None)],
            }
        })
        .collect();
    let run = |(path, make, part): &(String, &Make, Option<&Part>)| -> (String, Made) {
        let made = match (make, part) {
            (Make::Data(make), _) => data(*make),
            (Make::Page { template, context }, _) => context(&pages)
                .and_then(|ctx| templates.render(template, &ctx))
                .map(|text| Arc::new(text.into_bytes())),
            (Make::Index, _) => unreachable!("the search index is joined by the renderer"),
            (
                Make::Family {
                    template, context, ..
                },
                Some(part),
            ) => context(&pages, part)
                .and_then(|ctx| templates.render(template, &ctx))
                .map(|text| Arc::new(text.into_bytes())),
            (Make::Family { .. }, None) => unreachable!("a family's job is one of its pages"),
        };
        (path.clone(), made)
    };
    // The rest: a build that streams its pages makes them one after
    // another, beside the partner pages, which keeps the peak of memory
    // low; otherwise (watch, serve) side by side, which is quicker, one
    // task a file (a few heavy pages are not to share a thread).
    if side_by_side {
        let done: Vec<(String, Made)> = jobs.par_iter().with_max_len(1).map(run).collect();
        for (path, made) in done {
            keep(path, made);
        }
    } else if let (Some(put), Wide::Pages) = (stream, wide) {
        // The pages alone, after the partner pages (the rows no longer
        // beside the note bodies): side by side, each handed over as soon
        // as it is made; the problems in the table's order.
        let failed = std::sync::Mutex::new(Vec::new());
        jobs.par_iter()
            .enumerate()
            .with_max_len(1)
            .for_each(|(i, job)| match run(job) {
                (path, Ok(bytes)) => match scrub {
                    Some(sc) => put(&path, &sc.scrub_output(&path, &bytes)),
                    None => put(&path, &bytes),
                },
                (_, Err(d)) => failed.lock().expect("no panic holds it").push((i, *d)),
            });
        let mut failed = failed.into_inner().expect("no panic holds it");
        failed.sort_by_key(|(i, _)| *i);
        errs.extend(failed.into_iter().map(|(_, d)| d));
    } else {
        for job in &jobs {
            let (path, made) = run(job);
            keep(path, made);
        }
        // Then the data files, one after another: the rows of the pages
        // and their template values are let go of before they are made.
        drop(jobs);
        drop(pages);
        drop(fresh);
        for e in TABLE.iter().filter(|_| data_too) {
            if let Make::Data(make) = e.make {
                match pieces.filter(|_| in_pieces(e.path, &src)) {
                    Some(put) => put(e.path, &|piece| write_in_pieces(e.path, &src, piece)),
                    None => keep(e.path.to_string(), data(make)),
                }
            }
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    if let Some(sc) = scrub {
        // What a reader sees of every file, whatever put a name there.
        for (path, bytes) in &mut book_files {
            *bytes = Arc::new(sc.scrub_output(path, bytes));
        }
    }
    Ok(book_files)
}

/// The partner table's context; when the table is cut into pages, the
/// links to them.
pub(super) fn partner_table(p: &Pages) -> Result<Context, Box<Diagnostic>> {
    if p.partner_pages.is_empty() {
        let every: Vec<usize> = (0..p.rows.rows.len()).collect();
        return partner_table_of(&p.rows, &every, p.site, p.templates);
    }
    let mut ctx = page_context(p.site, "../", "partners");
    ctx.insert("table_pages", &p.partner_pages);
    ctx.insert("partner_count", &p.rows.rows.len());
    ctx.insert("page_rows", &PAGE_ROWS);
    Ok(ctx)
}

/// A page of the partner table cut into pages: its partners, and the
/// links to the others.
pub(super) fn partners_part(p: &Pages, part: &Part) -> Result<Context, Box<Diagnostic>> {
    let mut ctx = partner_table_of(&p.rows, &part.rows, p.site, p.templates)?;
    ctx.insert("part", part);
    ctx.insert("current", &part.path);
    ctx.insert("table_pages", &p.partner_pages);
    ctx.insert("partner_count", &p.rows.rows.len());
    Ok(ctx)
}

/// A page of the reciprocity table cut into pages.
pub(super) fn reciprocity_part(p: &Pages, part: &Part) -> Result<Context, Box<Diagnostic>> {
    let mut ctx = page_context(p.site, "../", "reciprocity");
    p.rows
        .insert_table(&mut ctx, Table::Reciprocity, &part.rows, p.templates)?;
    ctx.insert("part", part);
    ctx.insert("current", &part.path);
    ctx.insert("table_pages", &p.reciprocity_pages);
    ctx.insert("partner_count", &p.rows.rows.len());
    Ok(ctx)
}

/// The dashboard's context.
pub(super) fn dashboard(p: &Pages) -> Result<Context, Box<Diagnostic>> {
    let s = p.src;
    let mut ctx = dashboard_of(
        s.book,
        s.reports,
        &p.rows,
        p.site,
        s.window,
        &p.quarters,
        p.templates,
        s.scrub,
    )?;
    ctx.insert("periods", &p.looking_back);
    Ok(ctx)
}

/// The reciprocity report's context.
pub(super) fn reciprocity(p: &Pages) -> Result<Context, Box<Diagnostic>> {
    let mut ctx = reciprocity_of(
        &p.rows,
        &p.by_balance,
        &p.reciprocity_pages,
        p.site,
        &p.quarters,
        p.templates,
    )?;
    ctx.insert("periods", &p.looking_back);
    Ok(ctx)
}

/// The readiness report's context.
pub(super) fn readiness(p: &Pages) -> Result<Context, Box<Diagnostic>> {
    Ok(readiness_of(&p.rows, p.site))
}

fn book_quarters(book: &Book, window: Window, quarters: &[i32]) -> Vec<QuarterCounts> {
    let mut q = views::empty_quarters(quarters);
    for p in &book.partners {
        views::add_quarters(p, window, quarters, &mut q);
    }
    q
}

/// Whether the last quarter of the window is still running on `as_of`
/// (`YYYY-MM-DD`): it does not end that day.
fn quarter_so_far(as_of: &str) -> bool {
    crate::book::Day::parse(as_of).is_some_and(|day| {
        day.0
            .succ_opt()
            .is_some_and(|next| views::quarter_of(crate::book::Day(next)) == views::quarter_of(day))
    })
}

fn quarter_chart(q: &[QuarterCounts], as_of: &str) -> String {
    let so_far = quarter_so_far(as_of);
    let labels: Vec<String> = q.iter().map(|q| short_label(&q.label)).collect();
    let given: Vec<f64> = q.iter().map(|q| f64::from(q.given)).collect();
    let received: Vec<f64> = q.iter().map(|q| f64::from(q.received)).collect();
    let (tg, tr): (u32, u32) = (
        q.iter().map(|q| q.given).sum(),
        q.iter().map(|q| q.received).sum(),
    );
    charts::columns(
        "flow-chart",
        "Referrals given and received per quarter",
        &format!(
            "Side-by-side bars for each quarter of the window, {} to {}: {tg} referrals given and {tr} received in all.{} The quarterly table lists the numbers.",
            q.first().map_or("", |x| x.label.as_str()),
            q.last().map_or("", |x| x.label.as_str()),
            if so_far {
                format!(" The last quarter is counted so far, up to {as_of}, and drawn lighter.")
            } else {
                String::new()
            }
        ),
        &labels,
        &[
            Series { name: "Given", color: charts::GIVEN, values: &given },
            Series { name: "Received", color: charts::RECEIVED, values: &received },
        ],
        false,
        (480, 300),
        "Referrals",
        so_far,
    )
}

fn stage_counts(rows: &[&Row]) -> Vec<StageCount> {
    let mut counts = [0; Stage::PATH.len()];
    for r in rows {
        if let Some(i) = Stage::PATH.iter().position(|s| *s == r.stage) {
            counts[i] += 1;
        }
    }
    Stage::PATH
        .iter()
        .zip(counts)
        .map(|(s, count)| StageCount {
            stage: s.as_str(),
            title: s.label(),
            next_action: s.advice(),
            count,
        })
        .collect()
}

fn stage_chart(counts: &[StageCount]) -> String {
    let labels: Vec<String> = counts.iter().map(|g| g.title.to_string()).collect();
    let values: Vec<f64> = counts.iter().map(|g| g.count as f64).collect();
    let colors: Vec<_> = Stage::PATH
        .iter()
        .map(|s| charts::stage_color(*s))
        .collect();
    let desc = counts
        .iter()
        .map(|g| format!("{}: {}", g.title, g.count))
        .collect::<Vec<_>>()
        .join("; ");
    charts::rows_colored(
        "stage-chart",
        "Partners per stage",
        &format!("Horizontal bars, one per stage in the order of the path, each in the stage's colour. {desc}."),
        &labels,
        &[Series {
            name: "Partners",
            color: charts::NET_NEW,
            values: &values,
        }],
        Some(&colors),
        420,
        200,
    )
}

/// The partner table, with the choices of its filters.
fn partner_table_of(
    all: &BookRows,
    at: &[usize],
    site: &SiteInfo,
    templates: &Templates,
) -> Result<Context, Box<Diagnostic>> {
    let rows: Vec<&Row> = at.iter().map(|&i| all.rows[i]).collect();
    let mut professions: Vec<&str> = rows
        .iter()
        .map(|r| r.profession.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    professions.sort_by_cached_key(|p| p.to_lowercase());
    professions.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let stages: Vec<StageCount> = stage_counts(&rows)
        .into_iter()
        .filter(|s| s.count > 0)
        .collect();
    let mut ctx = page_context(site, "../", "partners");
    all.insert_table(&mut ctx, Table::Partners, at, templates)?;
    ctx.insert("professions", &professions);
    ctx.insert("stages", &stages);
    Ok(ctx)
}

/// How many rows of "This week" the dashboard shows; the rest are
/// counted and linked.
const WEEK_ROWS: usize = 50;

/// How many invitation drafts the dashboard shows (as many as partners it
/// names as ready for a discovery conversation).
const DRAFTS: usize = 20;

/// An invitation draft with the partner it is for.
#[derive(serde::Serialize)]
struct Draft<'a> {
    slug: &'a str,
    name: &'a str,
    email: Option<&'a str>,
    #[serde(flatten)]
    invitation: super::invitation::Invitation,
}

#[allow(clippy::too_many_arguments)]
fn dashboard_of(
    book: &Book,
    reports: &[Arc<Report>],
    all: &BookRows,
    site: &SiteInfo,
    window: Window,
    q: &[QuarterCounts],
    templates: &Templates,
    scrub: Option<&Scrubber>,
) -> Result<Context, Box<Diagnostic>> {
    let rows = &all.rows;
    let currency = book.settings.currency.as_deref();
    let (mut won, mut lost, mut pending) = (0, 0, 0);
    for p in &book.partners {
        for r in &p.referrals {
            if r.direction == Direction::Received && window.contains(r.date) {
                match r.outcome() {
                    Outcome::Won => won += 1,
                    Outcome::Lost => lost += 1,
                    _ => pending += 1,
                }
            }
        }
    }
    let given_value: f64 = reports.iter().map(|r| r.flow.given_value).sum();
    let received_value: f64 = reports.iter().map(|r| r.flow.received_value).sum();
    let week = all.week();
    let totals = Totals {
        partners: rows.len(),
        active: rows.iter().filter(|r| r.active).count(),
        given: reports.iter().map(|r| r.flow.given).sum(),
        received: reports.iter().map(|r| r.flow.received).sum(),
        net_new_given: reports.iter().map(|r| r.flow.net_new_given).sum(),
        net_new_received: reports.iter().map(|r| r.flow.net_new_received).sum(),
        given_value: views::money(given_value, currency),
        received_value: views::money(received_value, currency),
        won,
        lost,
        pending,
        conversion: (won + lost > 0).then(|| {
            format!(
                "{}%",
                (100.0 * f64::from(won) / f64::from(won + lost)).round()
            )
        }),
        one_way: rows.iter().filter(|r| r.one_way).count(),
        ready: rows
            .iter()
            .filter(|r| r.stage == Stage::ReadyForDiscovery)
            .count(),
        this_week: week.len(),
    };
    let counts = stage_counts(rows);
    // The places in `rows` of the partners a list shows, in its order.
    let pick = |keep: &dyn Fn(&Row) -> bool, order: &dyn Fn(&Row, &Row) -> Ordering| {
        let mut at: Vec<usize> = (0..rows.len()).filter(|&i| keep(rows[i])).collect();
        at.sort_by(|&a, &b| order(rows[a], rows[b]));
        at
    };
    let mut ctx = page_context(site, "", "dashboard");
    ctx.insert("totals", &totals);
    ctx.insert("stages", &counts);
    let lists: [(&'static str, Vec<usize>); 5] = [
        (
            "one_way_given",
            pick(&|r| r.reciprocity == Reciprocity::OneWayGiven, &|a, b| {
                b.given.cmp(&a.given).then(a.name.cmp(&b.name))
            }),
        ),
        (
            "one_way_received",
            pick(
                &|r| r.reciprocity == Reciprocity::OneWayReceived,
                &|a, b| b.received.cmp(&a.received).then(a.name.cmp(&b.name)),
            ),
        ),
        (
            "ready",
            pick(&|r| r.stage == Stage::ReadyForDiscovery, &|_, _| {
                Ordering::Equal
            }),
        ),
        ("givers", {
            let mut top = pick(&|r| r.net_new_received > 0, &|a, b| {
                b.net_new_received
                    .cmp(&a.net_new_received)
                    .then(a.name.cmp(&b.name))
            });
            top.truncate(5);
            top
        }),
        (
            "stale",
            pick(&|r| !r.active, &|a, b| {
                a.last_activity
                    .cmp(&b.last_activity)
                    .then(a.name.cmp(&b.name))
            }),
        ),
    ];
    for (key, at) in &lists {
        all.insert_briefs(&mut ctx, key, at);
    }
    ctx.insert("week", &week[..week.len().min(WEEK_ROWS)]);
    ctx.insert("week_count", &week.len());
    // The invitation drafts, for the partners the ready list names.
    let drafts = lists
        .iter()
        .find(|(key, _)| *key == "ready")
        .map(|(_, at)| {
            at.iter()
                .take(DRAFTS)
                .map(|&i| {
                    let p = &book.partners[i];
                    Ok(Draft {
                        slug: &p.slug,
                        name: &p.name,
                        email: p.email.as_deref(),
                        invitation: super::invitation::draft(p, &book.settings, templates, scrub)?,
                    })
                })
                .collect::<Result<Vec<_>, Box<Diagnostic>>>()
        })
        .transpose()?
        .unwrap_or_default();
    ctx.insert("drafts", &drafts);
    ctx.insert("calendar", calendar::FILE);
    ctx.insert("quarters", q);
    ctx.insert("flow_chart", &quarter_chart(q, &site.as_of));
    ctx.insert("stage_chart", &stage_chart(&counts));
    Ok(ctx)
}

fn reciprocity_of(
    all: &BookRows,
    by_balance: &[usize],
    table_pages: &[Part],
    site: &SiteInfo,
    q: &[QuarterCounts],
    templates: &Templates,
) -> Result<Context, Box<Diagnostic>> {
    let rows = &all.rows;
    // 1. Given versus received: every one-way partner named, and the
    // busiest six.
    let mut at: HashMap<(u32, u32), Vec<&Row>> = HashMap::new();
    for r in rows {
        at.entry((r.given, r.received)).or_default().push(r);
    }
    let mut busiest: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| r.given + r.received > 0)
        .collect();
    busiest.sort_by(|a, b| {
        (b.given + b.received)
            .cmp(&(a.given + a.received))
            .then(a.name.cmp(&b.name))
    });
    let busy: Vec<&str> = busiest.iter().take(6).map(|r| r.slug.as_str()).collect();
    let mut keys: Vec<_> = at.keys().copied().collect();
    keys.sort_unstable();
    let points: Vec<charts::Point> = keys
        .iter()
        .map(|k| {
            let here = &at[k];
            let named: Vec<&str> = here
                .iter()
                .filter(|r| r.one_way || busy.contains(&r.slug.as_str()))
                .map(|r| r.name.as_str())
                .collect();
            let label = match named.len() {
                0 => None,
                1 | 2 => Some(named.join(", ")),
                n => Some(format!("{}, {} and {} more", named[0], named[1], n - 2)),
            };
            charts::Point {
                given: k.0,
                received: k.1,
                partners: here.len(),
                label,
                one_way: here.iter().any(|r| r.one_way),
            }
        })
        .collect();
    let one_way = rows.iter().filter(|r| r.one_way).count();
    let scatter = charts::scatter(
        "scatter-chart",
        "Referrals given versus received, one dot per partner",
        &format!(
            "Each dot is a partner placed by referrals given (across) and received (up) between {} and {}; a number on a dot says how many partners share it. The diagonal is a perfect balance; the shaded band between the dashed lines is within 3 to 1. {} partners sit on an axis: one-way streets, each named. The table below lists every partner.",
            site.window_start, site.window_end, one_way
        ),
        &points,
    );
    // 2. The 20 busiest, side by side.
    let top: Vec<&Row> = busiest.iter().take(20).copied().collect();
    let busiest_chart = paired_bars(
        "busiest-chart",
        "Given and received for the busiest partners",
        "the partners with the most referrals in the window, busiest first",
        &top,
        ("Given", charts::GIVEN, |r: &Row| r.given),
        ("Received", charts::RECEIVED, |r: &Row| r.received),
    );
    // 3. Who brings net-new business: net-new received by partner.
    let mut givers: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| r.net_new_received + r.net_new_given > 0)
        .collect();
    givers.sort_by(|a, b| {
        b.net_new_received
            .cmp(&a.net_new_received)
            .then(b.net_new_given.cmp(&a.net_new_given))
            .then(a.name.cmp(&b.name))
    });
    givers.truncate(20);
    let givers_chart = (!givers.is_empty()).then(|| {
        paired_bars(
            "netnew-partners-chart",
            "Net-new referrals by partner",
            "the partners with net-new referrals in the window, most net-new received first",
            &givers,
            ("Net-new received", charts::NET_NEW, |r: &Row| {
                r.net_new_received
            }),
            ("Net-new given", charts::GIVEN, |r: &Row| r.net_new_given),
        )
    });
    // 4 and 5. Per quarter.
    let labels: Vec<String> = q.iter().map(|q| short_label(&q.label)).collect();
    let nn: Vec<f64> = q.iter().map(|q| f64::from(q.net_new)).collect();
    let ex: Vec<f64> = q.iter().map(|q| f64::from(q.existing)).collect();
    let (tn, te): (u32, u32) = (
        q.iter().map(|x| x.net_new).sum(),
        q.iter().map(|x| x.existing).sum(),
    );
    let net_new_chart = charts::columns(
        "netnew-chart",
        "Net-new versus existing-client referrals per quarter",
        &format!(
            "Stacked bars for each quarter of the window, both directions together: {tn} net-new and {te} existing-client referrals in all. The quarterly table lists the numbers."
        ),
        &labels,
        &[
            Series { name: "Net-new", color: charts::NET_NEW, values: &nn },
            Series { name: "Existing clients", color: charts::EXISTING, values: &ex },
        ],
        true,
        (480, 300),
        "Referrals",
        quarter_so_far(&site.as_of),
    );
    let mut ctx = page_context(site, "../", "reciprocity");
    // The table, or when it is cut into pages, the links to them.
    if table_pages.is_empty() {
        all.insert_table(&mut ctx, Table::Reciprocity, by_balance, templates)?;
    } else {
        ctx.insert("table_pages", table_pages);
        ctx.insert("partner_count", &rows.len());
        ctx.insert("page_rows", &PAGE_ROWS);
    }
    ctx.insert("quarters", q);
    ctx.insert("scatter_chart", &scatter);
    ctx.insert("busiest_chart", &busiest_chart);
    ctx.insert("busiest_count", &top.len());
    ctx.insert("givers_chart", &givers_chart);
    ctx.insert("givers", &givers);
    ctx.insert("flow_chart", &quarter_chart(q, &site.as_of));
    ctx.insert("net_new_chart", &net_new_chart);
    let counts: Vec<ClassCount> = crate::analysis::Reciprocity::ALL
        .iter()
        .map(|c| ClassCount {
            key: c.as_str(),
            label: views::reciprocity_label(*c),
            count: rows.iter().filter(|r| r.reciprocity == *c).count(),
            one_way: c.is_one_way(),
        })
        .collect();
    ctx.insert("classes", &counts);
    Ok(ctx)
}

fn readiness_of(all: &BookRows, site: &SiteInfo) -> Context {
    let rows = &all.rows;
    let mut ctx = page_context(site, "../", "readiness");
    ctx.insert("stage_chart", &stage_chart(&stage_counts(rows)));
    // The partners shown in full: their kept template values, if any.
    match all.kept {
        Some(kept) => ctx.insert("stages", &views::stage_groups(rows, |i| &kept[i].value)),
        None => ctx.insert("stages", &views::stage_groups(rows, |i| rows[i])),
    }
    ctx
}

/// A chart of two bars a partner, with its description: "Pairs of bars for
/// `who`: Jane Doe 3 received, 1 given; …", each count named as its series.
fn paired_bars(
    id: &str,
    title: &str,
    who: &str,
    rows: &[&Row],
    first: (&str, plotters::style::RGBColor, fn(&Row) -> u32),
    second: (&str, plotters::style::RGBColor, fn(&Row) -> u32),
) -> String {
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let values =
        |f: fn(&Row) -> u32| -> Vec<f64> { rows.iter().map(|r| f64::from(f(r))).collect() };
    let (a, b) = (values(first.2), values(second.2));
    let word = |series: &str| series.rsplit(' ').next().unwrap_or(series).to_lowercase();
    let description = format!(
        "Pairs of bars for {who}: {}.",
        rows.iter()
            .map(|r| format!(
                "{} {} {}, {} {}",
                r.name,
                first.2(r),
                word(first.0),
                second.2(r),
                word(second.0)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    charts::rows(
        id,
        title,
        &description,
        &names,
        &[
            Series {
                name: first.0,
                color: first.1,
                values: &a,
            },
            Series {
                name: second.0,
                color: second.1,
                values: &b,
            },
        ],
        420,
        160,
    )
}

/// A quarter's label made short for a chart's axis.
fn short_label(long: &str) -> String {
    // "2025 Q3" -> "Q3 ’25"
    match long.split_once(' ') {
        Some((y, q)) if y.len() == 4 => format!("{q} ’{}", &y[2..]),
        _ => long.to_string(),
    }
}

/// The reciprocity table's order, by balance: the partners you only give
/// to first, those with no referral at all last (their places in `rows`).
fn by_balance(rows: &[&Row]) -> Vec<usize> {
    let mut by_balance: Vec<usize> = (0..rows.len()).collect();
    by_balance.sort_by(|&a, &b| {
        let (a, b) = (rows[a], rows[b]);
        let key = |r: &Row| (r.given + r.received == 0, r.balance_raw);
        let (ea, ba) = key(a);
        let (eb, bb) = key(b);
        ea.cmp(&eb)
            .then(ba.total_cmp(&bb))
            .then((b.given + b.received).cmp(&(a.given + a.received)))
            .then(a.name.cmp(&b.name))
    });
    by_balance
}
