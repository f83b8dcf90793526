//! What a run keeps for the next: partner pages and book-wide files with
//! the inputs they were rendered from, the chart frames shared by partner
//! pages within a run, and the fingerprints that key them.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::analysis::Report;
use crate::book::{Partner, Settings};
use crate::diagnostics::Diagnostic;
use crate::site::FileBytes;

use super::charts::{self, Series};
use super::markdown::Links;
use super::redact::Scrubber;
use super::views::{self, QuarterCounts};

/// What every partner page depends on besides its own partner.
#[derive(PartialEq)]
pub(super) struct SharedInputs {
    pub(super) settings: Settings,
    pub(super) templates: u64,
    pub(super) scrubber: Option<Scrubber>,
}

/// A partner's row of the book-wide tables, and the same as template
/// values, with the partner and report it was made from.
pub(super) struct CachedRow {
    pub(super) partner: Arc<Partner>,
    pub(super) report: Arc<Report>,
    pub(super) row: views::Row,
    pub(super) value: tera::Value,
    /// Its lines of the two tables that list every partner.
    pub(super) tables: TableRows,
    /// What the dashboard's lists show of it ([`views::Brief`]).
    pub(super) brief: tera::Value,
    /// Its parts of the data files, on a site that is not redacted.
    pub(super) data: Option<Arc<DataParts>>,
}

/// A partner's line of the partner table and of the reciprocity report's
/// table, rendered by `partners-row.html` and `reciprocity-row.html`.
pub(super) struct TableRows {
    pub(super) partners: String,
    pub(super) reciprocity: String,
}

/// A partner's object in `data/partners.json`, lines in
/// `data/referrals.csv` and events in `data/calendar.ics`.
pub(super) struct DataParts {
    pub(super) json: String,
    pub(super) csv: Vec<u8>,
    pub(super) ics: Vec<super::calendar::Written>,
}

pub(super) struct CachedPage {
    pub(super) partner: Arc<Partner>,
    pub(super) html: FileBytes,
    pub(super) warnings: Vec<Diagnostic>,
    /// Its `[[links]]` and what they resolved to: the page is stale when
    /// one of them resolves differently now.
    pub(super) links: Links,
    /// The fingerprint of the partner and its report, of which the
    /// book-wide files' key is made.
    pub(super) key: u64,
}

/// Partner pages of the previous run, reused when nothing they depend on
/// changed: their partner (the same `Arc`), the settings, the templates,
/// the partner names and slugs that `[[links]]` resolve to, and (for a
/// redacted site) the client names of the book.
///
/// The book-wide files (dashboard, partner table, reports, data files) are
/// reused as a whole when the shared inputs are unchanged and no partner
/// changed outside its note body: they show everything but the body, so an
/// edit to one note's free text changes none of them. The search index,
/// which holds the bodies, is joined from each partner's part, of which
/// only the changed partners' are made again.
#[derive(Default)]
pub struct RenderCache {
    pub(super) shared: Option<SharedInputs>,
    pub(super) pages: HashMap<String, CachedPage>,
    pub(super) book_key: Option<u64>,
    pub(super) book_files: Vec<(String, FileBytes)>,
    /// Each partner's row of the book-wide tables, by slug.
    pub(super) rows: HashMap<String, Arc<CachedRow>>,
    /// Each partner's part of the search index, by slug, with the note it
    /// was made from; and the index they were last joined into.
    pub(super) search: HashMap<String, (Arc<Partner>, Arc<super::search::Part>)>,
    pub(super) search_file: Option<FileBytes>,
    /// What `[[links]]` resolved against in the last run: while it is the
    /// same, every cached page's links still resolve as they did.
    pub(super) targets: Option<super::markdown::LinkTargets>,
    /// How many partner pages the last run rendered (the rest were reused).
    pub rendered_last: usize,
    /// How many book-wide pages the last run rendered.
    pub book_pages_rendered_last: usize,
}

impl RenderCache {
    pub fn new() -> RenderCache {
        RenderCache::default()
    }

    pub fn clear(&mut self) {
        self.shared = None;
        self.pages.clear();
        self.book_key = None;
        self.book_files.clear();
        self.rows.clear();
        self.search.clear();
        self.search_file = None;
        self.targets = None;
    }
}

/// Draws the per-partner quarterly chart: plotters draws one frame (axes,
/// labels, legend) per scale, shared by every partner page of the run;
/// each page adds only its bars.
pub(super) struct PartnerCharts {
    labels: Vec<String>,
    frames: Mutex<HashMap<u64, Arc<charts::Frame>>>,
    /// The last quarter is still running (marked "so far").
    so_far: bool,
}

impl PartnerCharts {
    pub(super) fn new(quarters: &[i32], so_far: bool) -> PartnerCharts {
        PartnerCharts {
            labels: quarters.iter().map(|&q| views::quarter_short(q)).collect(),
            frames: Mutex::new(HashMap::new()),
            so_far,
        }
    }

    pub(super) fn get(&self, quarters: &[QuarterCounts]) -> String {
        let given: Vec<f64> = quarters.iter().map(|q| f64::from(q.given)).collect();
        let received: Vec<f64> = quarters.iter().map(|q| f64::from(q.received)).collect();
        let series = [
            Series {
                name: "Given",
                color: charts::GIVEN,
                values: &given,
            },
            Series {
                name: "Received",
                color: charts::RECEIVED,
                values: &received,
            },
        ];
        let top = charts::columns_top(quarters.len(), &series, false);
        let frame = {
            let found = self
                .frames
                .lock()
                .expect("frames")
                .get(&top.to_bits())
                .cloned();
            match found {
                Some(f) => f,
                None => {
                    let f = Arc::new(charts::column_frame(
                        &self.labels,
                        &series,
                        top,
                        (360, 220),
                        "",
                        self.so_far,
                    ));
                    self.frames
                        .lock()
                        .expect("frames")
                        .entry(top.to_bits())
                        .or_insert(f)
                        .clone()
                }
            }
        };
        let total_g: u32 = quarters.iter().map(|q| q.given).sum();
        let total_r: u32 = quarters.iter().map(|q| q.received).sum();
        let desc = format!(
            "Bars per quarter from {} to {}: {total_g} referrals given and {total_r} received in all.{} The table below lists each quarter.",
            quarters.first().map_or("", |q| q.label.as_str()),
            quarters.last().map_or("", |q| q.label.as_str()),
            if self.so_far {
                " The last quarter is counted so far and drawn lighter."
            } else {
                ""
            },
        );
        frame.with_bars(
            &series,
            false,
            "quarters-chart",
            "Referrals given and received per quarter",
            &desc,
        )
    }
}

/// A fingerprint of a value's serialized form, for cache keys.
pub fn serde_fingerprint<T: Serialize>(value: &T) -> u64 {
    struct HashWriter(std::collections::hash_map::DefaultHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(std::collections::hash_map::DefaultHasher::new());
    serde_json::to_writer(&mut w, value).expect("plain data serializes");
    w.0.finish()
}

/// A stable fingerprint of anything hashable, for cache keys.
pub fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}
