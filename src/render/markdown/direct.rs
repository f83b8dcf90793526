//! A note body written straight from the Markdown parser's events, for
//! bodies that hold no raw HTML: the HTML the sanitizer would give back
//! for the renderer's own markup, without parsing that markup a second
//! time.
//!
//! The Markdown renderer's HTML is safe by construction but for its URLs;
//! the sanitizer, fed that HTML, keeps every element and changes only the
//! spelling (void elements without ` /`, its own escaping), the attributes
//! it does not allow (a code block's language class), the URLs it refuses,
//! and adds `rel` to links. This module writes that result directly. Any
//! body it cannot reproduce exactly (raw HTML, nesting deeper than
//! [`MAX_DEPTH`], a text run long enough for `cap_depth` to split, a link
//! inside a link, carriage returns or NUL characters) gives `None`, and the
//! caller takes the sanitizer's path. `direct_tests.rs` checks that both
//! paths agree byte for byte.

use std::collections::HashMap;

use pulldown_cmark::{Alignment, CowStr, Event, LinkType, Parser, Tag, TagEnd};

use super::{is_alignment, is_relative_url, LINK_REL, MAX_DEPTH, MAX_TEXT_RUN, URL_SCHEMES};

/// The body's sanitized HTML, or `None` when only the sanitizer may say.
pub(super) fn render(source: &str, parser: Parser<'_>) -> Option<String> {
    // The HTML parser reads `\r` as a line end and drops NUL characters:
    // leave both to it.
    if source.contains(['\r', '\0']) {
        return None;
    }
    let mut w = Writer {
        out: String::with_capacity(source.len() * 3 / 2),
        end_newline: true,
        in_head: true,
        alignments: Vec::new(),
        cell: 0,
        numbers: HashMap::new(),
        depth: 0,
        run: 0,
        in_link: false,
    };
    let mut events = parser;
    while let Some(event) = events.next() {
        w.event(event, &mut events)?;
    }
    Some(w.out)
}

struct Writer<'a> {
    out: String,
    /// Whether the Markdown renderer's last write ended a line (it decides
    /// where that renderer puts a line end before a block).
    end_newline: bool,
    in_head: bool,
    alignments: Vec<Alignment>,
    cell: usize,
    /// Footnote numbers, in the order the renderer hands them out.
    numbers: HashMap<CowStr<'a>, usize>,
    /// Elements open, as `cap_depth` counts them.
    depth: usize,
    /// At most how many bytes the Markdown renderer has written since its
    /// last tag (its escaping makes `&`, `<` and `>` longer).
    run: usize,
    in_link: bool,
}

impl<'a> Writer<'a> {
    fn event(&mut self, event: Event<'a>, events: &mut Parser<'a>) -> Option<()> {
        match event {
            Event::Start(tag) => self.start(tag, events)?,
            Event::End(tag) => self.end(tag)?,
            Event::Text(text) => {
                self.text(&text)?;
                self.end_newline = text.ends_with('\n');
            }
            Event::Code(text) => {
                self.open("<code>")?;
                self.text(&text)?;
                self.close("</code>");
            }
            Event::SoftBreak => self.newline()?,
            Event::HardBreak => {
                self.tag("<br>");
                self.newline()?;
            }
            Event::Rule => {
                self.line_start()?;
                self.tag("<hr>");
                self.newline()?;
            }
            Event::FootnoteReference(name) => {
                if self.in_link {
                    return None;
                }
                self.open(r#"<sup class="footnote-reference">"#)?;
                self.out.push_str("<a");
                let mut href = String::with_capacity(name.len() + 1);
                href.push('#');
                href.push_str(&name);
                self.link_attributes(&href, "");
                self.open(">")?;
                let number = self.number(name);
                self.push_number(number as u64);
                self.close("</a>");
                self.close("</sup>");
            }
            Event::TaskListMarker(checked) => {
                self.tag(if checked {
                    r#"<input disabled="" type="checkbox" checked="">"#
                } else {
                    r#"<input disabled="" type="checkbox">"#
                });
                self.newline()?;
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::InlineMath(_) => return None,
            Event::DisplayMath(_) => return None,
        }
        Some(())
    }

    fn start(&mut self, tag: Tag<'a>, events: &mut Parser<'a>) -> Option<()> {
        match tag {
            Tag::Paragraph => {
                self.line_start()?;
                self.open("<p>")?;
            }
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                if id.is_some() || !classes.is_empty() || !attrs.is_empty() {
                    return None;
                }
                self.line_start()?;
                self.out.push('<');
                self.out.push_str(heading_name(level));
                self.open(">")?;
            }
            Tag::Table(alignments) => {
                self.alignments = alignments;
                self.open("<table>")?;
            }
            Tag::TableHead => {
                self.in_head = true;
                self.cell = 0;
                self.open("<thead>")?;
                self.open("<tr>")?;
            }
            Tag::TableRow => {
                self.cell = 0;
                self.open("<tr>")?;
            }
            Tag::TableCell => {
                self.out.push_str(if self.in_head { "<th" } else { "<td" });
                let style = match self.alignments.get(self.cell) {
                    Some(Alignment::Left) => "text-align: left",
                    Some(Alignment::Center) => "text-align: center",
                    Some(Alignment::Right) => "text-align: right",
                    _ => "",
                };
                if !style.is_empty() {
                    debug_assert!(is_alignment(style));
                    self.out.push_str(" style=\"");
                    self.out.push_str(style);
                    self.out.push('"');
                }
                self.open(">")?;
            }
            Tag::BlockQuote(None) => {
                self.line_start()?;
                self.open("<blockquote>")?;
                self.newline()?;
            }
            // The language class is not an attribute the sanitizer keeps.
            Tag::CodeBlock(_) => {
                self.line_start()?;
                self.open("<pre>")?;
                self.open("<code>")?;
            }
            Tag::List(start) => {
                self.line_start()?;
                match start {
                    None => self.open("<ul>")?,
                    Some(1) => self.open("<ol>")?,
                    Some(n) => {
                        self.out.push_str("<ol start=\"");
                        self.push_number(n);
                        self.open("\">")?;
                    }
                }
                self.newline()?;
            }
            Tag::Item => {
                self.line_start()?;
                self.open("<li>")?;
            }
            Tag::Emphasis => self.open("<em>")?,
            Tag::Strong => self.open("<strong>")?,
            Tag::Strikethrough => self.open("<del>")?,
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                if self.in_link {
                    return None;
                }
                self.in_link = true;
                let mut href = String::new();
                if link_type == LinkType::Email {
                    href.push_str("mailto:");
                }
                push_href(&mut href, &dest_url);
                self.out.push_str("<a");
                self.link_attributes(&href, &title);
                self.open(">")?;
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                let mut src = String::new();
                push_href(&mut src, &dest_url);
                let alt = self.alt_text(events)?;
                // The sanitizer keeps `src` when its scheme is allowed, then
                // the attribute filter drops it unless it is relative, by
                // moving the last attribute into its place.
                let mut attributes: Vec<(&str, &str)> = Vec::with_capacity(3);
                if url_allowed(&src) {
                    attributes.push(("src", &src));
                }
                attributes.push(("alt", &alt));
                if !title.is_empty() {
                    attributes.push(("title", &title));
                }
                if attributes[0].0 == "src" && !is_relative_url(&src) {
                    attributes.swap_remove(0);
                }
                self.out.push_str("<img");
                for (name, value) in attributes {
                    self.out.push(' ');
                    self.out.push_str(name);
                    self.out.push_str("=\"");
                    escape(&mut self.out, value, true);
                    self.out.push('"');
                }
                self.tag(">");
            }
            Tag::FootnoteDefinition(name) => {
                self.line_start()?;
                self.out
                    .push_str(r#"<div class="footnote-definition" id=""#);
                escape(&mut self.out, &name, true);
                self.open("\">")?;
                self.open(r#"<sup class="footnote-definition-label">"#)?;
                let number = self.number(name);
                self.push_number(number as u64);
                self.close("</sup>");
            }
            Tag::BlockQuote(Some(_))
            | Tag::HtmlBlock
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => return None,
        }
        Some(())
    }

    fn end(&mut self, tag: TagEnd) -> Option<()> {
        match tag {
            TagEnd::Paragraph => self.close_line("</p>")?,
            TagEnd::Heading(level) => {
                self.out.push_str("</");
                self.out.push_str(heading_name(level));
                self.close_line(">")?;
            }
            TagEnd::Table => {
                self.close("</tbody>");
                self.close_line("</table>")?;
            }
            TagEnd::TableHead => {
                self.close("</tr>");
                self.close("</thead>");
                self.open("<tbody>")?;
                self.newline()?;
                self.in_head = false;
            }
            TagEnd::TableRow => self.close_line("</tr>")?,
            TagEnd::TableCell => {
                self.close(if self.in_head { "</th>" } else { "</td>" });
                self.cell += 1;
            }
            TagEnd::BlockQuote(_) => self.close_line("</blockquote>")?,
            TagEnd::CodeBlock => {
                self.close("</code>");
                self.close_line("</pre>")?;
            }
            TagEnd::List(true) => self.close_line("</ol>")?,
            TagEnd::List(false) => self.close_line("</ul>")?,
            TagEnd::Item => self.close_line("</li>")?,
            TagEnd::Emphasis => self.close("</em>"),
            TagEnd::Strong => self.close("</strong>"),
            TagEnd::Strikethrough => self.close("</del>"),
            TagEnd::Link => {
                self.in_link = false;
                self.close("</a>");
            }
            TagEnd::FootnoteDefinition => self.close_line("</div>")?,
            TagEnd::Image
            | TagEnd::HtmlBlock
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => return None,
        }
        Some(())
    }

    /// An image's alt text, as the Markdown renderer flattens what the
    /// image holds, up to the image's end.
    fn alt_text(&mut self, events: &mut Parser<'a>) -> Option<String> {
        let mut alt = String::new();
        let mut nest = 0usize;
        for event in events.by_ref() {
            match event {
                Event::Start(_) => nest += 1,
                Event::End(_) => {
                    if nest == 0 {
                        break;
                    }
                    nest -= 1;
                }
                Event::Text(text) | Event::Code(text) => alt.push_str(&text),
                Event::SoftBreak | Event::HardBreak | Event::Rule => alt.push(' '),
                Event::FootnoteReference(name) => {
                    let number = self.number(name);
                    alt.push_str(&format!("[{number}]"));
                }
                Event::TaskListMarker(true) => alt.push_str("[x]"),
                Event::TaskListMarker(false) => alt.push_str("[ ]"),
                Event::Html(_)
                | Event::InlineHtml(_)
                | Event::InlineMath(_)
                | Event::DisplayMath(_) => return None,
            }
        }
        Some(alt)
    }

    /// `href` (when the sanitizer keeps it) and `title` of a link, and the
    /// `rel` the sanitizer adds, in its order.
    fn link_attributes(&mut self, href: &str, title: &str) {
        if url_allowed(href) {
            self.out.push_str(" href=\"");
            escape(&mut self.out, href, true);
            self.out.push('"');
        }
        if !title.is_empty() {
            self.out.push_str(" title=\"");
            escape(&mut self.out, title, true);
            self.out.push('"');
        }
        self.out.push_str(" rel=\"");
        self.out.push_str(LINK_REL);
        self.out.push('"');
    }

    fn number(&mut self, name: CowStr<'a>) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(name).or_insert(next)
    }

    fn push_number(&mut self, n: u64) {
        use std::fmt::Write;
        let _ = write!(self.out, "{n}");
    }

    /// Ends a start tag (or writes a whole one) that opens an element.
    fn open(&mut self, s: &str) -> Option<()> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        self.tag(s);
        Some(())
    }

    fn close(&mut self, s: &str) {
        self.depth -= 1;
        self.tag(s);
    }

    fn close_line(&mut self, s: &str) -> Option<()> {
        self.close(s);
        self.newline()
    }

    /// A tag (or a tag's end) that the Markdown renderer writes.
    fn tag(&mut self, s: &str) {
        self.out.push_str(s);
        self.run = 0;
        self.end_newline = false;
    }

    fn newline(&mut self) -> Option<()> {
        self.out.push('\n');
        self.end_newline = true;
        self.grow_run(1)
    }

    /// The line end the Markdown renderer puts before a block when its
    /// last write did not end a line.
    fn line_start(&mut self) -> Option<()> {
        if !self.end_newline {
            self.newline()?;
        }
        Some(())
    }

    fn text(&mut self, text: &str) -> Option<()> {
        let longer = text
            .bytes()
            .filter(|b| matches!(b, b'&' | b'<' | b'>'))
            .count();
        self.grow_run(text.len() + 4 * longer)?;
        escape(&mut self.out, text, false);
        Some(())
    }

    /// Counts text the Markdown renderer writes between tags; a run long
    /// enough for `cap_depth` to split is left to the sanitizer's path.
    fn grow_run(&mut self, n: usize) -> Option<()> {
        self.run += n;
        (self.run <= MAX_TEXT_RUN).then_some(())
    }
}

fn heading_name(level: pulldown_cmark::HeadingLevel) -> &'static str {
    use pulldown_cmark::HeadingLevel::*;
    match level {
        H1 => "h1",
        H2 => "h2",
        H3 => "h3",
        H4 => "h4",
        H5 => "h5",
        H6 => "h6",
    }
}

/// Whether the sanitizer keeps a URL attribute: an allowed scheme, or a
/// relative URL.
fn url_allowed(url: &str) -> bool {
    use ammonia::url::{ParseError, Url};
    match Url::parse(url) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// A URL as the Markdown renderer writes it into `href` or `src`, read
/// back: bytes outside a safe set percent-encoded, `&` and `'` kept.
fn push_href(out: &mut String, url: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in url.as_bytes() {
        if href_safe(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

/// The bytes the Markdown renderer writes into a URL as they are (`&`
/// and `'` among them: it writes them as character references, which
/// read back as themselves).
fn href_safe(b: u8) -> bool {
    matches!(b, b'!' | b'#'..=b';' | b'=' | b'?'..=b'Z' | b'^' | b'_' | b'a'..=b'z' | b'~')
}

/// Text or an attribute value as the sanitizer's HTML writer escapes it.
fn escape(out: &mut String, s: &str, attribute: bool) {
    let mut mark = 0;
    for (i, c) in s.char_indices() {
        let with = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '\u{a0}' => "&nbsp;",
            '"' if attribute => "&quot;",
            _ => continue,
        };
        out.push_str(&s[mark..i]);
        out.push_str(with);
        mark = i + c.len_utf8();
    }
    out.push_str(&s[mark..]);
}
