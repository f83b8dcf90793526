//! The site: every page and data file of a built book, rendered in memory.

use serde::Serialize;
use tera::Tera;

use crate::analysis::{Report, Window};
use crate::book::Book;
use crate::diagnostics::Diagnostic;
use crate::export;
use crate::output::SiteFiles;
use crate::templates::Templates;

/// Filters the built-in templates use.
pub fn register_filters(_tera: &mut Tera) {}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    as_of: String,
    window_start: String,
}

#[derive(Serialize)]
struct PartnerRow<'a> {
    slug: &'a str,
    name: &'a str,
    stage: &'static str,
    score: u32,
}

/// Renders the whole site; warnings come back beside the files.
pub fn render(
    book: &Book,
    reports: &[Report],
    templates: &Templates,
) -> Result<(SiteFiles, Vec<Diagnostic>), Vec<Diagnostic>> {
    let settings = &book.settings;
    let window = Window::new(settings.as_of, settings.window_months);
    let mut files = SiteFiles::new();
    let pairs: Vec<_> = book
        .partners
        .iter()
        .map(|p| p.as_ref())
        .zip(reports)
        .collect();
    files.insert(
        "data/partners.json".into(),
        export::partners_json(&pairs).into_bytes(),
    );
    let partners: Vec<_> = book.partners.iter().map(|p| p.as_ref()).collect();
    files.insert(
        "data/referrals.csv".into(),
        export::referrals_csv(&partners, window, settings.privacy.redact_clients),
    );
    let site = SiteInfo {
        title: &settings.title,
        as_of: settings.as_of.to_string(),
        window_start: window.start.to_string(),
    };
    let rows: Vec<PartnerRow> = pairs
        .iter()
        .map(|(p, r)| PartnerRow {
            slug: &p.slug,
            name: &p.name,
            stage: r.readiness.stage.as_str(),
            score: r.readiness.score,
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("site", &site);
    ctx.insert("partners", &rows);
    let index = templates.render("index.html", &ctx).map_err(|d| vec![*d])?;
    files.insert("index.html".into(), index.into_bytes());
    Ok((files, Vec::new()))
}
