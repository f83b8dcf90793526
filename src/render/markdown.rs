//! Note bodies: Markdown to sanitized HTML, `[[wiki links]]` between
//! partners.

use std::collections::HashMap;

use pulldown_cmark::{html, Options, Parser};

use crate::book::Partner;
use crate::diagnostics::{Diagnostic, Source};
use crate::syntax::html::{pieces, Piece};

mod direct;
#[cfg(test)]
mod direct_tests;

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

/// At most this many warnings of one kind for one note; one more says how
/// many were left out.
pub const WARNINGS_PER_KIND: usize = 10;

fn link_wiki(
    partner: &Partner,
    body: &str,
    targets: &LinkTargets,
) -> (String, Vec<Diagnostic>, Links) {
    let mut out = String::with_capacity(body.len());
    let mut warnings = Vec::new();
    let mut unknown = 0usize;
    let mut places = Places::new(partner, body);
    let mut links = Links::new();
    let mut at = 0;
    // Each `]]` closes the last `[[` before it: every byte is looked at a
    // bounded number of times, whatever the note holds.
    while let Some(close) = body[at..].find("]]").map(|c| at + c) {
        let Some(open) = body[at..close].rfind("[[").map(|o| at + o) else {
            out.push_str(&body[at..close + 2]);
            at = close + 2;
            continue;
        };
        let inner = &body[open + 2..close];
        if inner.contains('\n') || inner.trim().is_empty() {
            out.push_str(&body[at..close + 2]);
            at = close + 2;
            continue;
        }
        out.push_str(&body[at..open]);
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
                unknown += 1;
                if unknown <= WARNINGS_PER_KIND {
                    warnings.push(places.unknown_link(open, inner));
                }
            }
        }
        at = close + 2;
    }
    out.push_str(&body[at..]);
    if unknown > WARNINGS_PER_KIND {
        let more = unknown - WARNINGS_PER_KIND;
        warnings.push(Diagnostic::warning(
            partner.file.clone(),
            format!(
                "and {} more {} to unknown partners",
                thousands(more),
                if more == 1 { "link" } else { "links" }
            ),
        ));
    }
    (out, warnings, links)
}

/// `49990` as `49,990`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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

/// Places in a note's body for its warnings: the file's text is built once
/// and shared by all of them, and lines are counted from the last place
/// asked for (places are asked for in order).
struct Places<'a> {
    partner: &'a Partner,
    body: &'a str,
    source: Option<Source>,
    counted_to: usize,
    line_in_body: usize,
    line_start: usize,
}

impl<'a> Places<'a> {
    fn new(partner: &'a Partner, body: &'a str) -> Places<'a> {
        Places {
            partner,
            body,
            source: None,
            counted_to: 0,
            line_in_body: 0,
            line_start: 0,
        }
    }

    fn unknown_link(&mut self, at: usize, inner: &str) -> Diagnostic {
        let (partner, body) = (self.partner, self.body);
        for (i, _) in body[self.counted_to..at].match_indices('\n') {
            self.line_in_body += 1;
            self.line_start = self.counted_to + i + 1;
        }
        self.counted_to = at;
        let line = partner.body_line + self.line_in_body;
        let column = body[self.line_start..at].chars().count() + 1;
        // Rebuild the file's lines around the body so the message shows the
        // real line number.
        let source = self.source.get_or_insert_with(|| {
            Source::new(format!(
                "{}{}",
                "\n".repeat(partner.body_line.saturating_sub(1)),
                body
            ))
        });
        let place = source.place(line, column, inner.chars().count() + 4);
        Diagnostic::warning(
            partner.file.clone(),
            format!("`[[{inner}]]` names no partner; it is shown as plain text"),
        )
        .at(source, place, "no partner with this name or slug")
    }
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
    (markdown_html(&source), warnings, links)
}

fn parser(source: &str) -> Parser<'_> {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    Parser::new_ext(source, opts)
}

/// Markdown as sanitized HTML: written straight from the parser's events
/// when the body holds nothing but Markdown, through the sanitizer when it
/// holds raw HTML (or anything else the direct writer leaves to it). Both
/// give the same bytes for the same body.
fn markdown_html(source: &str) -> String {
    direct::render(source, parser(source)).unwrap_or_else(|| sanitized_html(source))
}

/// Markdown to HTML, then through the sanitizer.
fn sanitized_html(source: &str) -> String {
    let mut raw = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut raw, parser(source));
    sanitize(&cap_depth(&raw, MAX_DEPTH))
}

/// The warnings [`body_html`] gives about a body's links, without
/// rendering it.
pub fn link_warnings(partner: &Partner, targets: &LinkTargets) -> Vec<Diagnostic> {
    if partner.body.trim().is_empty() {
        return Vec::new();
    }
    link_wiki(partner, &partner.body, targets).1
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

/// How deeply elements of a body may nest (block quotes in block quotes,
/// lists in lists, raw `<div>`s): the HTML parser of the sanitizer takes
/// time in proportion to the depth for every element, so a note of nothing
/// but `>` would take minutes.
const MAX_DEPTH: usize = 48;

/// Elements that never hold others.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// The longest run of text without a tag handed to the sanitizer: its
/// HTML writer looks for the next `<` afresh after every `&` (and every
/// character like `©`) of a text, so a long text full of them takes time
/// in proportion to the square of its length.
const MAX_TEXT_RUN: usize = 2048;

/// `html` made safe to hand to the sanitizer in linear time: the start
/// tags nested deeper than `max` left out, and with them the end tags that
/// would close nothing; long texts split by an empty `<span></span>`.
fn cap_depth(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let mut open: Vec<&str> = Vec::new();
    let mut out = String::new();
    let mut copied = 0;
    let mut dropped = false;
    let bytes = html.as_bytes();
    let mut run_start = 0;
    for piece in pieces(html) {
        let tag = match piece {
            Piece::Tag(tag) => tag,
            // Text, and whatever else is not a tag (a comment, a script's
            // text), is one run until the next tag.
            other => {
                let range = other.range();
                // No split within MAX_TEXT_RUN bytes of the last one.
                let mut i = range.start.max(run_start + MAX_TEXT_RUN + 1);
                while i < range.end {
                    // `&` and 0xC2 start a character reference or a character.
                    if bytes[i] == b'&' || bytes[i] == 0xC2 {
                        out.push_str(&html[copied..i]);
                        out.push_str("<span></span>");
                        copied = i;
                        run_start = i;
                        dropped = true;
                        i += MAX_TEXT_RUN + 1;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
        };
        let name = tag.name(html);
        let keep = if tag.closing {
            match open.iter().rposition(|n| n.eq_ignore_ascii_case(name)) {
                Some(at) => {
                    open.truncate(at);
                    true
                }
                None => false,
            }
        } else if VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) || tag.self_closing(html) {
            true
        } else if open.len() < max {
            open.push(name);
            true
        } else {
            false
        };
        if !keep {
            out.push_str(&html[copied..tag.range.start]);
            copied = tag.range.end;
            dropped = true;
        }
        run_start = tag.range.end;
    }
    if !dropped {
        return html.into();
    }
    out.push_str(&html[copied..]);
    out.into()
}

/// The schemes a link may use (a relative URL needs none).
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// What every link gets as its `rel`.
const LINK_REL: &str = "noopener noreferrer";

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
            .url_schemes(URL_SCHEMES.iter().copied().collect())
            .link_rel(Some(LINK_REL))
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
    fn the_depth_cap_counts_tags_as_the_sanitizer_reads_them() {
        // An end tag in a comment or a script closes nothing: the divs
        // around them are still capped.
        for filler in ["<!--</div>-->", "<script></div></script>"] {
            let raw = format!("<div>{filler}").repeat(100);
            let capped = cap_depth(&raw, MAX_DEPTH);
            assert_eq!(capped.matches("<div>").count(), MAX_DEPTH, "{filler}");
        }
        // A `>` in a quoted value does not end the tag; a quote outside a
        // value opens nothing.
        let raw = "<div title=\"a>b\"><div x'y>".repeat(40);
        let capped = cap_depth(&raw, MAX_DEPTH);
        assert_eq!(capped.matches("<div").count(), MAX_DEPTH);
    }

    #[test]
    fn wiki_targets_resolve_by_name_or_slug() {
        let t = LinkTargets::new([("jane-doe", "Jane Doe")]);
        assert_eq!(t.resolve("Jane Doe"), Some("jane-doe"));
        assert_eq!(t.resolve("jane-doe"), Some("jane-doe"));
        assert_eq!(t.resolve("John"), None);
    }
}
