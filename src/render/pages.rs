//! The page table: every book-wide file of the site, each with what makes
//! it. It is the only list of them: [`book_wide`](super::book_pages) runs
//! it, and [`book_file_names`] gives the pipeline the names it must know
//! without rendering (a static file may not take one). A new book-wide
//! page is its template in `templates/` (embedded by build.rs) and one
//! entry here, with the function that makes its context.

use crate::analysis::Report;
use crate::book::Book;

use super::book_pages::{self as made, Pages, Sources};
use super::paged::{Family, Part};
use super::templates::{SCRIPT, STYLESHEET};
use super::{calendar, periods, search};

/// What makes a file.
pub(super) enum Make {
    /// A data file, made from the book alone (no page row). A build that
    /// streams its pages makes these first, one after another.
    Data(fn(&Sources) -> Vec<u8>),
    /// A page: its template, and the function that makes its context.
    Page {
        template: &'static str,
        context: fn(&Pages) -> Result<tera::Context, Box<crate::diagnostics::Diagnostic>>,
    },
    /// The search index: joined from each partner's part, which the
    /// renderer keeps between rebuilds (so a note's text edit makes again
    /// only that partner's part); `book_wide` leaves it to the renderer.
    Index,
    /// A family of pages: a long table cut into pages (none while it is
    /// short, see [`paged`](super::paged)), each page drawn by `template`
    /// with the context `context` makes for its part.
    Family {
        family: Family,
        template: &'static str,
        context: fn(&Pages, &Part) -> Result<tera::Context, Box<crate::diagnostics::Diagnostic>>,
    },
}

/// One entry of the table: where the file goes in the site (for a family,
/// the pattern of its names), and what makes it.
pub(super) struct Entry {
    pub path: &'static str,
    pub make: Make,
}

/// Every book-wide file. A build that streams its pages makes the pages
/// first, one after another, then the data files.
pub(super) const TABLE: &[Entry] = &[
    Entry {
        path: "data/partners.json",
        make: Make::Data(made::partners_json),
    },
    Entry {
        path: "data/referrals.csv",
        make: Make::Data(made::referrals_csv),
    },
    Entry {
        path: calendar::FILE,
        make: Make::Data(made::calendar_ics),
    },
    Entry {
        path: periods::FILE,
        make: Make::Data(made::periods_json),
    },
    Entry {
        path: "reports/readiness.html",
        make: Make::Page {
            template: "readiness.html",
            context: made::readiness,
        },
    },
    Entry {
        path: "partners/index.html",
        make: Make::Page {
            template: "partners.html",
            context: made::partner_table,
        },
    },
    Entry {
        path: "reports/reciprocity.html",
        make: Make::Page {
            template: "reciprocity.html",
            context: made::reciprocity,
        },
    },
    Entry {
        path: "partners/index_<letter>.html",
        make: Make::Family {
            family: Family::Partners,
            template: "partners-page.html",
            context: made::partners_part,
        },
    },
    Entry {
        path: "reports/reciprocity_<class>.html",
        make: Make::Family {
            family: Family::Reciprocity,
            template: "reciprocity-page.html",
            context: made::reciprocity_part,
        },
    },
    Entry {
        path: "index.html",
        make: Make::Page {
            template: "index.html",
            context: made::dashboard,
        },
    },
    Entry {
        path: STYLESHEET,
        make: Make::Page {
            template: "style.css",
            context: made::stylesheet,
        },
    },
    Entry {
        path: SCRIPT,
        make: Make::Page {
            template: "site.js",
            context: made::nothing,
        },
    },
    Entry {
        path: search::SCRIPT,
        make: Make::Page {
            template: "search.js",
            context: made::nothing,
        },
    },
    Entry {
        path: search::FILE,
        make: Make::Index,
    },
];

/// The paths of the book-wide files a render of `book` writes, known
/// without rendering.
pub fn book_file_names(book: &Book, reports: &[std::sync::Arc<Report>]) -> Vec<String> {
    let mut names = Vec::new();
    for e in TABLE {
        match &e.make {
            Make::Family { family, .. } => {
                let rows = book
                    .partners
                    .iter()
                    .zip(reports)
                    .map(|(p, r)| (p.name.as_str(), r.flow.reciprocity));
                names.extend(family.cut(rows).into_iter().map(|part| part.path));
            }
            _ => names.push(e.path.to_string()),
        }
    }
    names
}
