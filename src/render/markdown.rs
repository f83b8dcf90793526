//! Note bodies: Markdown to sanitized HTML, `[[wiki links]]` between
//! partners.

use std::collections::HashMap;

use pulldown_cmark::{html, Options, Parser};

use crate::book::Partner;
use crate::diagnostics::{Diagnostic, Source};

/// The partners a `[[link]]` may name: by slug and by lower-cased name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LinkTargets {
    by_key: HashMap<String, String>,
}

impl LinkTargets {
    pub fn new<'a>(partners: impl IntoIterator<Item = (&'a str, &'a str)>) -> LinkTargets {
        let mut by_key = HashMap::new();
        for (slug, name) in partners {
            by_key.insert(slug.to_string(), slug.to_string());
            by_key
                .entry(name.trim().to_lowercase())
                .or_insert_with(|| slug.to_string());
        }
        LinkTargets { by_key }
    }

    /// The slug a link text names, if any.
    pub fn resolve(&self, text: &str) -> Option<&str> {
        let key = text.trim().to_lowercase();
        self.by_key
            .get(&key)
            .or_else(|| self.by_key.get(&crate::read::discover::slugify(&key)))
            .map(String::as_str)
    }
}

/// Replaces `[[target]]` and `[[target|label]]` by Markdown links to the
/// partner's page (relative to another partner page); an unknown target
/// becomes its plain text and a warning.
/// The `[[links]]` of a body: each link text and the slug it resolved to.
pub type Links = Vec<(String, Option<String>)>;

fn link_wiki(
    partner: &Partner,
    body: &str,
    targets: &LinkTargets,
) -> (String, Vec<Diagnostic>, Links) {
    let mut out = String::with_capacity(body.len());
    let mut warnings = Vec::new();
    let mut links = Links::new();
    let mut rest = body;
    let mut offset = 0;
    while let Some(open) = rest.find("[[") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("]]") else { break };
        let inner = &after[..close];
        if inner.contains('\n') || inner.contains("[[") || inner.trim().is_empty() {
            out.push_str(&rest[..open + 2]);
            offset += open + 2;
            rest = &rest[open + 2..];
            continue;
        }
        out.push_str(&rest[..open]);
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, l.trim()),
            None => (inner, inner.trim()),
        };
        let label_md = escape_md(label);
        let resolved = targets.resolve(target);
        links.push((target.to_string(), resolved.map(str::to_owned)));
        match resolved {
            Some(slug) => out.push_str(&format!("[{label_md}]({slug}.html)")),
            None => {
                out.push_str(&label_md);
                warnings.push(unknown_link(partner, body, offset + open, inner));
            }
        }
        let used = open + 2 + close + 2;
        offset += used;
        rest = &rest[used..];
    }
    out.push_str(rest);
    (out, warnings, links)
}

fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]()#+-.!<>|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn unknown_link(partner: &Partner, body: &str, at: usize, inner: &str) -> Diagnostic {
    let line_in_body = body[..at].matches('\n').count();
    let line = partner.body_line + line_in_body;
    let line_start = body[..at].rfind('\n').map_or(0, |i| i + 1);
    let column = body[line_start..at].chars().count() + 1;
    // Rebuild the file's lines around the body so the message shows the
    // real line number.
    let text = format!(
        "{}{}",
        "\n".repeat(partner.body_line.saturating_sub(1)),
        body
    );
    let source = Source::new(text);
    let place = source.place(line, column, inner.chars().count() + 4);
    Diagnostic::warning(
        partner.file.clone(),
        format!("`[[{inner}]]` names no partner; it is shown as plain text"),
    )
    .at(&source, place, "no partner with this name or slug")
}

/// The note body as sanitized HTML, warnings about its links, and the
/// links with what they resolved to. Client names are not scrubbed here:
/// on a redacted site the whole rendered page goes through
/// [`Scrubber::scrub_html`](super::redact::Scrubber::scrub_html), which sees
/// the text as a reader does.
pub fn body_html(partner: &Partner, targets: &LinkTargets) -> (String, Vec<Diagnostic>, Links) {
    if partner.body.trim().is_empty() {
        return (String::new(), Vec::new(), Links::new());
    }
    let (source, warnings, links) = link_wiki(partner, &partner.body, targets);
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(&source, opts));
    (sanitize(&raw), warnings, links)
}

/// Keeps safe markup only; links may go to http(s), mailto or relative
/// places, and open without leaking where they came from.
/// A URL that stays on the site: no scheme (`https:`, `data:`…), not
/// protocol-relative (`//host`), and no backslash (which browsers read as
/// a slash in `https:\\host`).
fn is_relative_url(url: &str) -> bool {
    let url = url.trim();
    let before_path = url.split(['/', '?', '#']).next().unwrap_or("");
    !url.is_empty() && !before_path.contains(':') && !url.starts_with("//") && !url.contains('\\')
}

/// `text-align: left|center|right`, as the Markdown renderer writes it.
fn is_alignment(style: &str) -> bool {
    let s = style.trim().trim_end_matches(';');
    s.split_once(':').is_some_and(|(k, v)| {
        k.trim() == "text-align" && matches!(v.trim(), "left" | "center" | "right")
    })
}

fn sanitize(raw: &str) -> String {
    use std::sync::OnceLock;
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("th", ["align", "style"])
            .add_tag_attributes("td", ["align", "style"])
            .add_tag_attributes("sup", ["class", "id"])
            .add_tag_attributes("div", ["class", "id"])
            .add_tag_attributes("a", ["id"])
            .add_tag_attributes("li", ["id"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"))
            // Images only from the site itself (a book's static/ files):
            // nothing may be loaded from another host.
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("img", "src") => is_relative_url(value).then(|| value.into()),
                // Tables carry their column alignment as a style; no other
                // style may pass (a `url(...)` in one would load from afar).
                (_, "style") => is_alignment(value).then(|| value.into()),
                _ => Some(value.into()),
            });
        b
    });
    cleaner.clean(raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_a_body_loads_from_another_host() {
        let html = sanitize(concat!(
            "<img src=\"https:evil.example/t.png\"><img src=\"https:\\\\evil.example/a.png\">",
            "<img src=\"//evil.example/b.png\"><img src=\"data:image/png;base64,AAAA\">",
            "<img src=\"img/logo.png\">",
            "<table><tr><td style=\"background:url(https://evil.example/bg.png)\">x</td>",
            "<td style=\"text-align: center\">y</td></tr></table>",
        ));
        assert!(!html.contains("evil.example"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("img/logo.png"), "{html}");
        assert!(html.contains("text-align: center"), "{html}");
    }

    #[test]
    fn images_load_only_from_the_site() {
        assert_eq!(
            sanitize(
                r#"<img src="https://x.example/t.png" alt="t"><img src="../img/a.png" alt="a">"#
            ),
            r#"<img alt="t"><img src="../img/a.png" alt="a">"#
        );
    }

    #[test]
    fn wiki_targets_resolve_by_name_or_slug() {
        let t = LinkTargets::new([("jane-doe", "Jane Doe")]);
        assert_eq!(t.resolve("Jane Doe"), Some("jane-doe"));
        assert_eq!(t.resolve("jane-doe"), Some("jane-doe"));
        assert_eq!(t.resolve("John"), None);
    }
}
