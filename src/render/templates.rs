//! Page templates: the built-in ones from the project's `templates/`,
//! embedded in the binary, each replaceable by a file of the same name in a
//! book's own `templates/` folder.

use std::sync::Arc;

use tera::{ErrorKind, Tera};
use walkdir::WalkDir;

use crate::book::layout::{is_template_name, rel_display, Layout};
use crate::diagnostics::{Diagnostic, Source};

use super::views::SiteInfo;

/// The stylesheet's path in the site.
pub const STYLESHEET: &str = "style.css";
/// The site's one script (sorting and filtering tables), a file of its own
/// so that the pages' security policy allows no inline script.
pub const SCRIPT: &str = "site.js";

/// What every page template gets: `site`, `root` (the relative path to
/// the site's top) and `page` (which page it is).
pub fn page_context(site: &SiteInfo, root: &str, page: &str) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("site", site);
    ctx.insert("root", root);
    ctx.insert("page", page);
    ctx
}

// `BUILTIN`: every file of `templates/`, embedded (see build.rs).
include!(concat!(env!("OUT_DIR"), "/builtin_templates.rs"));

/// A template's name and text, and where it came from for messages.
struct TemplateText {
    name: String,
    text: String,
    shown_as: String,
}

/// Loads the built-in templates, then the book's overrides.
pub fn load(layout: &Layout) -> Result<Templates, Vec<Diagnostic>> {
    let mut texts: Vec<TemplateText> = BUILTIN
        .iter()
        .map(|(name, text)| TemplateText {
            name: name.to_string(),
            text: text.to_string(),
            shown_as: format!("{name} (built-in template)"),
        })
        .collect();
    let (root, dir) = (&layout.root, &layout.templates);
    let mut problems = Vec::new();
    if dir.is_dir() {
        for entry in WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file()
                || !is_template_name(&entry.file_name().to_string_lossy())
            {
                continue;
            }
            let name = rel_display(dir, entry.path());
            let shown_as = rel_display(root, entry.path());
            match std::fs::read(entry.path()) {
                Ok(bytes) => match crate::syntax::decode::decode(&shown_as, &bytes) {
                    Ok(text) => {
                        texts.retain(|t| t.name != name);
                        texts.push(TemplateText {
                            name,
                            text: text.to_owned(),
                            shown_as,
                        });
                    }
                    Err(d) => problems.push(*d),
                },
                Err(e) => {
                    problems.push(Diagnostic::error(shown_as, format!("cannot be read: {e}")))
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".svg", ".xml"]);
    // Parse one by one first, so that every broken template is reported.
    for t in &texts {
        let mut alone = Tera::new();
        if let Err(e) = alone.add_raw_template(&t.name, &t.text) {
            if matches!(e.kind(), ErrorKind::SyntaxError(_)) {
                problems.push(template_error(&e, &texts));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    tera.add_raw_templates(texts.iter().map(|t| (t.name.as_str(), t.text.as_str())))
        .map_err(|e| vec![template_error(&e, &texts)])?;
    Ok(Templates { tera, texts })
}

/// A tera error as a diagnostic naming the template, line and column.
fn template_error(e: &tera::Error, texts: &[TemplateText]) -> Diagnostic {
    let report = match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => r,
        _ => return Diagnostic::error("templates", format!("template error: {e}")),
    };
    let found = texts.iter().find(|t| t.name == report.filename());
    let file = found.map_or_else(|| report.filename().to_string(), |t| t.shown_as.clone());
    let mut d = Diagnostic::error(file, format!("template error: {}", report.message()));
    if let Some(t) = found {
        let source = Source::new(Arc::<str>::from(t.text.as_str()));
        let span = report.span();
        let width = if span.end_line == span.start_line {
            span.end_col.saturating_sub(span.start_col)
        } else {
            1
        };
        let place = source.place(span.start_line, span.start_col + 1, width);
        d = d.at(&source, place, "here");
    }
    d
}

/// The loaded templates, ready to render pages.
pub struct Templates {
    tera: Tera,
    texts: Vec<TemplateText>,
}

impl Templates {
    /// Renders template `name`; an error names the template, line and column.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Box<Diagnostic>> {
        self.tera
            .render(name, context)
            .map_err(|e| Box::new(template_error(&e, &self.texts)))
    }

    /// Renders the row template `name` for one partner, its row as `p`.
    pub fn render_row(&self, name: &str, row: &tera::Value) -> Result<String, Box<Diagnostic>> {
        let mut ctx = tera::Context::new();
        ctx.insert_value("p", row.clone());
        self.render(name, &ctx)
    }

    /// Renders a template into bytes, in a buffer of `capacity` to start
    /// with (a page's usual size saves growing it step by step).
    pub fn render_bytes(
        &self,
        name: &str,
        context: &tera::Context,
        capacity: usize,
    ) -> Result<Vec<u8>, Box<Diagnostic>> {
        let mut out = Vec::with_capacity(capacity);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| Box::new(template_error(&e, &self.texts)))?;
        Ok(out)
    }

    /// A fingerprint of every template's name and text: equal when the
    /// templates would render the same pages.
    pub fn fingerprint(&self) -> u64 {
        let pairs: Vec<(&str, &str)> = self
            .texts
            .iter()
            .map(|t| (t.name.as_str(), t.text.as_str()))
            .collect();
        super::cache::fingerprint(&pairs)
    }

    /// Whether the book replaces any built-in template.
    pub fn overridden(&self) -> bool {
        self.texts.iter().any(|t| {
            !BUILTIN
                .iter()
                .any(|(name, text)| *name == t.name && *text == t.text)
        })
    }

    /// Whether a template of that name exists.
    pub fn has(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }
}
