//! The site: every page and data file of a built book, rendered in memory.
//!
//! This module renders the partner pages and puts the site together;
//! `book_pages` renders the book-wide pages and data files. [`views`]
//! turns the numbers into what each page shows, [`charts`] draws the SVG
//! charts, [`markdown`] renders note bodies with their `[[wiki links]]`.
//! Partner pages are rendered in parallel and kept in a [`RenderCache`]
//! between runs, so that a watch rebuild renders again only the pages
//! whose inputs changed.

mod book_pages;
mod cache;
pub mod calendar;
pub mod charts;
pub mod export;
pub mod invitation;
pub mod markdown;
mod paged;
mod pages;
pub mod periods;
pub mod redact;
pub mod search;
pub mod templates;
pub mod views;

use std::collections::{HashMap, HashSet};

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::{Report, Window};
use crate::book::{Book, Partner, Settings};
use crate::diagnostics::Diagnostic;
use crate::site::{FileBytes, SiteFiles};
use book_pages::{book_wide, Wide};
pub use pages::book_file_names;
use templates::Templates;
pub use templates::{SCRIPT, STYLESHEET};

use markdown::{LinkTargets, Links};
use redact::{scrub_json, Scrubber};

pub use cache::{fingerprint, RenderCache};

/// A partner's page in the site.
pub fn partner_page_name(slug: &str) -> String {
    format!("partners/{slug}.html")
}

/// The name in [`partner_page_name`]'s place of a page of the partners
/// folder other than its index: a partner's slug, or the name of a page
/// of the partner table when it is cut into pages (`index_a`).
pub fn partner_page_slug(path: &str) -> Option<&str> {
    let stem = path.strip_prefix("partners/")?.strip_suffix(".html")?;
    (!stem.is_empty() && stem != "index" && !stem.contains('/')).then_some(stem)
}

/// Where partner pages go as they are rendered, when they are not to be
/// held in memory: their path in the site and their bytes.
pub type PageSink<'a> = dyn Fn(&str, &[u8]) + Sync + 'a;

/// A file made as it is written: called once, with a function that takes
/// each of its pieces in order, and stops at the first error it returns.
pub type Pieces<'a> =
    dyn Fn(&mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> + 'a;

/// Where a large file goes as it is made, a piece at a time, when it is
/// not to be whole in memory: its path in the site and its pieces.
pub type StreamSink<'a> = dyn Fn(&str, &Pieces<'_>) + Sync + 'a;
use cache::{serde_fingerprint, CachedPage, CachedRow, PartnerCharts, SharedInputs};
use views::{QuarterCounts, Row, SiteInfo};

#[derive(Serialize)]
struct PartnerPage<'a> {
    p: &'a Row,
    email: Option<&'a str>,
    email_href: Option<String>,
    phone: Option<&'a str>,
    website: Option<&'a str>,
    website_href: Option<String>,
    since: Option<String>,
    tags: Vec<String>,
    ideal_clients: Vec<String>,
    shared_ideal_clients: Vec<String>,
    body_html: String,
    timeline: Vec<views::Event>,
    initiatives: Vec<views::InitiativeView>,
    quarters: Vec<QuarterCounts>,
    chart: &'a str,
    extra: Option<serde_json::Value>,
    /// Whether the Contact card has anything to show.
    has_contact: bool,
}

/// A partner page's usual size, to render it into a buffer that does not
/// have to grow.
const PAGE_CAPACITY: usize = 32 * 1024;

#[allow(clippy::too_many_arguments)]
fn partner_page(
    p: &Partner,
    r: &Report,
    settings: &Settings,
    site: &SiteInfo,
    window: Window,
    quarters: &[i32],
    templates: &Templates,
    targets: &LinkTargets,
    scrub: Option<&Scrubber>,
    charts: &PartnerCharts,
) -> Result<(Vec<u8>, Vec<Diagnostic>, Links), Box<Diagnostic>> {
    let row = Row::new(p, r, settings, scrub);
    let clean = |s: &str| match scrub {
        Some(sc) => sc.scrub(s),
        None => s.to_string(),
    };
    let (body_html, warnings, links) = markdown::body_html(p, targets);
    let mut q = views::empty_quarters(quarters);
    views::add_quarters(p, window, quarters, &mut q);
    let chart = charts.get(&q);
    let tags: Vec<String> = p.tags.iter().map(|t| clean(t)).collect();
    let ideal_clients: Vec<String> = p.ideal_clients.iter().map(|t| clean(t)).collect();
    let has_contact = p.email.is_some()
        || p.phone.is_some()
        || p.website.is_some()
        || !tags.is_empty()
        || !ideal_clients.is_empty();
    let page = PartnerPage {
        p: &row,
        email: p.email.as_deref(),
        email_href: p.email.as_deref().and_then(views::mail_link),
        phone: p.phone.as_deref(),
        website: p.website.as_deref(),
        website_href: p.website.as_deref().and_then(views::safe_web_link),
        since: p.since.map(|d| d.to_string()),
        tags,
        ideal_clients,
        shared_ideal_clients: crate::analysis::shared_ideal_clients(p, settings)
            .into_iter()
            .map(clean)
            .collect(),
        body_html,
        timeline: views::timeline(p, settings, scrub),
        initiatives: views::initiatives(p, scrub),
        chart: &chart,
        quarters: q,
        extra: match (scrub, &p.extra) {
            (Some(sc), Some(e)) => Some(scrub_json(e, sc)),
            (_, e) => e.clone(),
        },
        has_contact,
    };
    let mut ctx = templates::page_context(site, "../", "partner");
    ctx.insert("partner", &page);
    let spans = crate::analysis::periods::Spans::new(settings.as_of, settings.fiscal_year_start);
    let sums = crate::analysis::periods::partner_sums(p, &spans);
    let whose = format!("{} alone", clean(&p.name));
    ctx.insert(
        "periods",
        &periods::PeriodsView::new(&spans, &sums, settings.currency.as_deref(), &whose),
    );
    let html = templates.render_bytes("partner.html", &ctx, PAGE_CAPACITY)?;
    let html = match scrub {
        Some(sc) => sc.scrub_html(&String::from_utf8_lossy(&html)).into_bytes(),
        None => html,
    };
    Ok((html, warnings, links))
}

/// Each partner of `book` beside its report.
fn pairs_of<'a>(book: &'a Book, reports: &'a [Arc<Report>]) -> Vec<(&'a Partner, &'a Report)> {
    book.partners
        .iter()
        .map(|p| p.as_ref())
        .zip(reports.iter().map(|r| r.as_ref()))
        .collect()
}

/// Renders the whole site, reusing partner pages from `cache` when their
/// inputs did not change; the result is the same as a fresh render.
/// Partner pages go to `sink` when there is one, and with `whole` the
/// book-wide files and the search index too, each as soon as it is made
/// (then the site returned holds none of them): the index of a site that
/// is not redacted goes to `whole` a piece at a time as it is made, every
/// other file to `sink`. With both, the book-wide pages come last, after
/// the note body of every partner that `book` alone holds is let go of
/// (the partners are otherwise as they were).
pub fn render_cached(
    book: &mut Book,
    reports: &[Arc<Report>],
    templates: &Templates,
    cache: &mut RenderCache,
    sink: Option<&PageSink<'_>>,
    whole: Option<&StreamSink<'_>>,
) -> Result<(SiteFiles, Vec<Diagnostic>), Vec<Diagnostic>> {
    let settings = &book.settings;
    let window = Window::new(settings.as_of, settings.window_months);
    let mut files = SiteFiles::new();
    let pairs = pairs_of(book, reports);
    let site = SiteInfo::new(settings, window);
    // The link targets of the last run stand while every partner has a
    // cached page (so the slugs are the same) under the same name.
    let names_kept = cache.targets.is_some()
        && cache.pages.len() == book.partners.len()
        && book.partners.par_iter().all(|p| {
            cache
                .pages
                .get(&p.slug)
                .is_some_and(|c| Arc::ptr_eq(&c.partner, p) || c.partner.name == p.name)
        });
    let (targets, same_targets) = match cache.targets.take() {
        Some(kept) if names_kept => (kept, true),
        last => {
            let targets = LinkTargets::new(
                book.partners
                    .iter()
                    .map(|p| (p.slug.as_str(), p.name.as_str())),
            );
            let same = last.as_ref() == Some(&targets);
            (targets, same)
        }
    };
    let scrubber = settings.privacy.redact_clients.then(|| {
        Scrubber::new(
            book.partners
                .iter()
                .flat_map(|p| p.referrals.iter().filter_map(|r| r.client.as_deref()))
                .chain(book.off_site_clients.iter().map(String::as_str)),
            book.partners.iter().map(|p| p.name.as_str()),
        )
    });
    let scrub = scrubber.as_ref();
    let quarters = views::window_quarters(window);

    // Partner pages: reuse what the previous run rendered when possible.
    let shared = SharedInputs {
        settings: settings.clone(),
        templates: templates.fingerprint(),
        scrubber: scrubber.clone(),
    };
    if cache.shared.as_ref() != Some(&shared) {
        cache.clear();
    }
    // The last quarter is still running unless as_of is its last day.
    let so_far = settings.as_of.0.succ_opt().is_some_and(|next| {
        views::quarter_of(crate::book::Day(next)) == views::quarter_of(settings.as_of)
    });
    let charts_memo = PartnerCharts::new(&quarters, so_far);
    // A page is reused while its partner is the same `Arc` and its links
    // resolve as before. Each page keeps the fingerprint of what its
    // partner shows on book-wide pages (the partner and its report, which
    // depends only on the partner and the settings). A page handed to the
    // sink is neither kept nor cached, and then no fingerprint is needed.
    enum Page<'a> {
        Reused(&'a CachedPage),
        Fresh(CachedPage),
        /// Its warnings, and whether it was rendered afresh.
        Streamed(Vec<Diagnostic>, bool),
    }
    let pages = || -> Vec<Result<Page, Box<Diagnostic>>> {
        book.partners
            .par_iter()
            .zip(pairs.par_iter())
            .map(|(arc, (p, r))| {
                let same = cache
                    .pages
                    .get(&p.slug)
                    .filter(|c| Arc::ptr_eq(&c.partner, arc));
                if let Some(c) = same {
                    let links_hold = same_targets
                        || c.links
                            .iter()
                            .all(|(text, slug)| targets.resolve(text) == slug.as_deref());
                    if links_hold {
                        return Ok(match sink {
                            Some(put) => {
                                put(&partner_page_name(&p.slug), &c.html);
                                Page::Streamed(c.warnings.clone(), false)
                            }
                            None => Page::Reused(c),
                        });
                    }
                }
                let page = partner_page(
                    p,
                    r,
                    settings,
                    &site,
                    window,
                    &quarters,
                    templates,
                    &targets,
                    scrub,
                    &charts_memo,
                )?;
                let (html, warnings, links) = page;
                if let Some(put) = sink {
                    put(&partner_page_name(&p.slug), &html);
                    return Ok(Page::Streamed(warnings, true));
                }
                // Not the body: of the book-wide files only the search
                // index holds it, and that is joined from parts of its own.
                let key = same.map_or_else(|| serde_fingerprint(&(p, r)), |c| c.key);
                Ok(Page::Fresh(CachedPage {
                    partner: arc.clone(),
                    html: Arc::new(html),
                    warnings,
                    links,
                    key,
                }))
            })
            .collect()
    };
    // Where the book-wide files go as they are made, if not into the site.
    let stream = sink.filter(|_| whole.is_some());
    // A build that streams every file makes the book-wide pages last,
    // once the note bodies are let go of (below): beside the partner
    // pages it makes the data files and the search index only.
    let first = match stream {
        Some(_) => Wide::Data,
        None => Wide::Every,
    };
    let wide = |kept: Option<&mut HashMap<String, Arc<CachedRow>>>, which: Wide| {
        let side_by_side = sink.is_none();
        book_wide(
            book,
            reports,
            &pairs,
            kept,
            &site,
            window,
            &quarters,
            templates,
            scrub,
            side_by_side,
            stream,
            whole,
            which,
        )
    };
    // A build that streams its pages renders the book-wide files beside
    // them (it reuses nothing); otherwise they may come from the cache.
    let (results, early) = match sink {
        Some(_) => {
            let (pages, wide) = rayon::join(pages, || {
                let made = wide(None, first);
                match (stream, whole) {
                    // Scrubbed as a whole on a redacted site, so made whole.
                    (Some(put), _) if scrub.is_some() => {
                        put(search::FILE, &search_index(book, scrub, None).0);
                        (made, None)
                    }
                    (_, Some(put)) => {
                        let partners: Vec<&Partner> =
                            book.partners.iter().map(|p| p.as_ref()).collect();
                        put(search::FILE, &|piece| {
                            search::write_index(&partners, None, piece)
                        });
                        (made, None)
                    }
                    _ => (made, Some(search_index(book, scrub, None))),
                }
            });
            (pages, Some(wide))
        }
        None => (pages(), None),
    };
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut fresh = Vec::new();
    let mut keys = Vec::with_capacity(pairs.len());
    let mut rendered_streamed = 0;
    for (p, res) in book.partners.iter().zip(results) {
        let page = match res {
            Ok(Page::Reused(c)) => c,
            Ok(Page::Fresh(c)) => {
                fresh.push(c);
                fresh.last().expect("just pushed")
            }
            Ok(Page::Streamed(w, rendered)) => {
                rendered_streamed += usize::from(rendered);
                warnings.extend(w);
                continue;
            }
            Err(d) => {
                // One template error repeats for every partner: report once.
                if !errors.iter().any(|e: &Diagnostic| e.message == d.message) {
                    errors.push(*d);
                }
                continue;
            }
        };
        keys.push(page.key);
        files.insert(partner_page_name(&p.slug), page.html.clone());
        warnings.extend(page.warnings.iter().cloned());
    }
    if !errors.is_empty() {
        cache.clear();
        return Err(errors);
    }
    cache.rendered_last = fresh.len() + rendered_streamed;
    for page in fresh {
        cache.pages.insert(page.partner.slug.clone(), page);
    }
    if cache.pages.len() > book.partners.len() {
        let slugs: HashSet<&str> = book.partners.iter().map(|p| p.slug.as_str()).collect();
        cache.pages.retain(|slug, _| slugs.contains(slug.as_str()));
    }
    cache.shared = Some(shared);
    // Pages handed to a sink are not cached: those cached are not known to
    // have been checked against these targets.
    cache.targets = sink.is_none().then_some(targets);

    // Book-wide files: everything but the note bodies goes into them.
    // Without the pages' fingerprints (all streamed), nothing is reused.
    let book_key = sink.is_none().then(|| fingerprint(&keys));
    let (book_files, index) = match early {
        Some((wide, index)) if first == Wide::Data => {
            wide?;
            // Every partner page and the search index are made: nothing
            // else shows a note's body, and a build that streams its files
            // is the pipeline's last, so the bodies are let go of before
            // the rows of the book-wide pages are made.
            for p in &mut book.partners {
                if let Some(p) = Arc::get_mut(p) {
                    p.body = String::new();
                }
            }
            let pairs = pairs_of(book, reports);
            let made = book_wide(
                book,
                reports,
                &pairs,
                None,
                &site,
                window,
                &quarters,
                templates,
                scrub,
                false,
                stream,
                whole,
                Wide::Pages,
            )?;
            (made, index)
        }
        Some((wide, index)) => (wide?, index),
        None if book_key.is_some() && cache.book_key == book_key => {
            let (index, made) = search_index(book, scrub, Some(cache));
            cache.book_pages_rendered_last = usize::from(made);
            for (path, bytes) in &cache.book_files {
                files.insert(path.clone(), bytes.clone());
            }
            files.insert(search::FILE.to_string(), index);
            return Ok((files, warnings));
        }
        None => {
            let wide = wide(Some(&mut cache.rows), Wide::Every)?;
            (wide, Some(search_index(book, scrub, Some(cache))))
        }
    };
    for (path, bytes) in &book_files {
        files.insert(path.clone(), bytes.clone());
    }
    // An index handed to the sink was made all the same.
    let index_made = index.as_ref().is_none_or(|(_, made)| *made);
    if let Some((index, _)) = index {
        files.insert(search::FILE.to_string(), index);
    }
    cache.book_pages_rendered_last = book_files.len() + usize::from(index_made);
    cache.book_key = book_key;
    cache.book_files = book_files;
    Ok((files, warnings))
}

/// The search index (`data/search.js`), scrubbed as every book-wide file
/// is on a redacted site, and whether it was made again. With a cache,
/// each partner's part is kept for the next run and made again only for a
/// note that changed, and the index is joined again only when a part
/// changed or a partner came or went.
fn search_index(
    book: &Book,
    scrub: Option<&Scrubber>,
    cache: Option<&mut RenderCache>,
) -> (FileBytes, bool) {
    let finish = |bytes: Vec<u8>| -> FileBytes {
        Arc::new(match scrub {
            Some(sc) => sc.scrub_output(search::FILE, &bytes),
            None => bytes,
        })
    };
    let Some(cache) = cache else {
        let partners: Vec<&Partner> = book.partners.iter().map(|p| p.as_ref()).collect();
        return (finish(search::index_script(&partners, scrub)), true);
    };
    let kept = &cache.search;
    let parts: Vec<(Arc<search::Part>, bool)> = book
        .partners
        .par_iter()
        .map(|p| match kept.get(&p.slug) {
            Some((q, part)) if Arc::ptr_eq(q, p) => (part.clone(), false),
            _ => (Arc::new(search::Part::of(p, scrub)), true),
        })
        .collect();
    let same = kept.len() == parts.len() && parts.iter().all(|(_, fresh)| !fresh);
    if let (true, Some(file)) = (same, &cache.search_file) {
        return (file.clone(), false);
    }
    for (p, (part, fresh)) in book.partners.iter().zip(&parts) {
        if *fresh {
            cache
                .search
                .insert(p.slug.clone(), (p.clone(), part.clone()));
        }
    }
    if cache.search.len() > parts.len() {
        let slugs: HashSet<&str> = book.partners.iter().map(|p| p.slug.as_str()).collect();
        cache.search.retain(|slug, _| slugs.contains(slug.as_str()));
    }
    let joined: Vec<&search::Part> = parts.iter().map(|(part, _)| part.as_ref()).collect();
    let file = finish(search::join(&joined));
    cache.search_file = Some(file.clone());
    (file, true)
}
