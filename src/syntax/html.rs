//! The one scanner of HTML (and SVG) that rapport reads back: a page it
//! rendered, to scrub client names out of it or map its links, and the
//! HTML of a note body before the sanitizer. It cuts a document into
//! [`Piece`]s that cover it in order, each with its byte range, and reads
//! a tag's attributes where they are; it decodes and allocates nothing.
//!
//! A tag is read as a browser reads one: a quote opens a value only after
//! `=`, an unquoted value ends at white space or `>`. A comment runs from
//! `<!--` to the first `-->`, the text of a `<script>` or `<style>` to the
//! first `</script` or `</style>` in any case, and any other `<!…>`,
//! `<?…>` or `</` not followed by a letter to the first `>`. A `<` that
//! starts none of these is text. What is cut short by the end of the input
//! runs to the end.

use std::ops::Range;

/// A piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text between markup, character references as they are written.
    Text(Range<usize>),
    /// A start or end tag, `<` to past its `>`.
    Tag(Tag),
    /// `<!--` to past `-->`.
    Comment(Markup),
    /// The text of a `<script>` or `<style>`, up to its end tag.
    Raw(Range<usize>),
    /// Any other markup: `<!DOCTYPE …>`, `<![CDATA[…]]>`, `<?xml …?>`, a
    /// `</` that ends no element.
    Other(Markup),
}

impl Piece {
    /// Where the piece is in the document.
    pub fn range(&self) -> Range<usize> {
        match self {
            Piece::Text(r) | Piece::Raw(r) => r.clone(),
            Piece::Tag(t) => t.range.clone(),
            Piece::Comment(m) | Piece::Other(m) => m.range.clone(),
        }
    }
}

/// A comment or other markup: the whole of it, and what is between its
/// opening (`<!--`, `<!`, `<?`, `</`) and its closing (`-->`, `>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markup {
    pub range: Range<usize>,
    pub inner: Range<usize>,
}

/// A start or end tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// `<` to past `>`.
    pub range: Range<usize>,
    /// The name as written.
    pub name: Range<usize>,
    /// An end tag (`</p>`).
    pub closing: bool,
}

/// An attribute of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// The name as written.
    pub name: Range<usize>,
    /// The value without its quotes; `None` for a name alone (`disabled`).
    pub value: Option<Range<usize>>,
}

impl Tag {
    /// The name as written.
    pub fn name<'h>(&self, html: &'h str) -> &'h str {
        &html[self.name.clone()]
    }

    /// Whether the tag is named `name` (ASCII, lower case), in any case.
    pub fn is(&self, html: &str, name: &str) -> bool {
        self.name(html).eq_ignore_ascii_case(name)
    }

    /// Whether the tag ends with `/>`.
    pub fn self_closing(&self, html: &str) -> bool {
        html[self.range.clone()].ends_with("/>")
    }

    /// The attributes, in order.
    pub fn attrs<'h>(&self, html: &'h str) -> Attrs<'h> {
        Attrs {
            bytes: html.as_bytes(),
            at: self.name.end,
        }
    }

    /// The first attribute named `name` (ASCII, lower case) that has a
    /// value.
    pub fn attr(&self, html: &str, name: &str) -> Option<Attr> {
        self.attrs(html)
            .find(|a| a.value.is_some() && html[a.name.clone()].eq_ignore_ascii_case(name))
    }

    /// The value of [`Tag::attr`].
    pub fn value<'h>(&self, html: &'h str, name: &str) -> Option<&'h str> {
        self.attr(html, name)
            .and_then(|a| a.value)
            .map(|v| &html[v])
    }
}

/// The attributes of a tag, in order ([`Tag::attrs`]).
pub struct Attrs<'h> {
    bytes: &'h [u8],
    at: usize,
}

impl Iterator for Attrs<'_> {
    type Item = Attr;

    fn next(&mut self) -> Option<Attr> {
        match step(self.bytes, self.at) {
            Step::End(_) => None,
            Step::Attr(attr, next) => {
                self.at = next;
                Some(attr)
            }
        }
    }
}

enum Step {
    /// The tag ends here (past its `>`, or at the end of the input).
    End(usize),
    /// An attribute, and where reading goes on.
    Attr(Attr, usize),
}

/// Reads on in a tag from `j`, past its name or an attribute.
fn step(b: &[u8], mut j: usize) -> Step {
    let len = b.len();
    while j < len && (b[j].is_ascii_whitespace() || b[j] == b'/') {
        j += 1;
    }
    if j >= len {
        return Step::End(len);
    }
    if b[j] == b'>' {
        return Step::End(j + 1);
    }
    // The first character belongs to the name whatever it is (`=` too).
    let name_start = j;
    j += 1;
    while j < len && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
        j += 1;
    }
    let name = name_start..j;
    let mut k = j;
    while k < len && b[k].is_ascii_whitespace() {
        k += 1;
    }
    if k >= len || b[k] != b'=' {
        return Step::Attr(Attr { name, value: None }, j);
    }
    k += 1;
    while k < len && b[k].is_ascii_whitespace() {
        k += 1;
    }
    let (value, next) = match b.get(k) {
        Some(&q) if q == b'"' || q == b'\'' => {
            let close = memchr(q, &b[k + 1..]).map_or(len, |e| k + 1 + e);
            (k + 1..close, (close + 1).min(len))
        }
        _ => {
            let mut e = k;
            while e < len && !b[e].is_ascii_whitespace() && b[e] != b'>' {
                e += 1;
            }
            (k..e, e)
        }
    };
    Step::Attr(
        Attr {
            name,
            value: Some(value),
        },
        next,
    )
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

/// Where `needle` (ASCII) first occurs in `hay` from `from` on, in any
/// case.
pub fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let first = *n.first()?;
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let mut i = from;
    while i + n.len() <= h.len() {
        let off = h[i..=h.len() - n.len()]
            .iter()
            .position(|&b| b == lower || b == upper)?;
        i += off;
        if h[i..i + n.len()].eq_ignore_ascii_case(n) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The pieces of `html`, in order: together they cover it.
pub fn pieces(html: &str) -> Pieces<'_> {
    Pieces {
        html,
        at: 0,
        raw: None,
    }
}

/// The iterator of [`pieces`].
pub struct Pieces<'h> {
    html: &'h str,
    at: usize,
    /// After `<script>` or `<style>`: the end tag its text runs to.
    raw: Option<&'static str>,
}

/// Whether a `<` at `i` starts markup rather than text.
fn starts_markup(b: &[u8], i: usize) -> bool {
    b.get(i + 1)
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        let html = self.html;
        let b = html.as_bytes();
        let len = b.len();
        let at = self.at;
        if let Some(close) = self.raw.take() {
            let end = find_ci(html, at, close).unwrap_or(len);
            if end > at {
                self.at = end;
                return Some(Piece::Raw(at..end));
            }
        }
        if at >= len {
            return None;
        }
        // Text up to the next `<` that starts markup.
        let mut i = at;
        loop {
            match memchr(b'<', &b[i..]) {
                Some(off) if starts_markup(b, i + off) => {
                    i += off;
                    break;
                }
                Some(off) => i += off + 1,
                None => {
                    i = len;
                    break;
                }
            }
        }
        if i > at {
            self.at = i;
            return Some(Piece::Text(at..i));
        }
        let piece = self.markup(i);
        self.at = piece.range().end;
        Some(piece)
    }
}

impl Pieces<'_> {
    /// The markup that starts at `i` (a `<` for which [`starts_markup`]
    /// holds).
    fn markup(&mut self, i: usize) -> Piece {
        let html = self.html;
        let b = html.as_bytes();
        let len = b.len();
        let rest = &html[i..];
        let until = |from: usize, close: &str| match html[from..].find(close) {
            Some(e) => (from + e, from + e + close.len()),
            None => (len, len),
        };
        if rest.starts_with("<!--") {
            let (inner_end, end) = until(i + 4, "-->");
            return Piece::Comment(Markup {
                range: i..end,
                inner: i + 4..inner_end,
            });
        }
        if rest.starts_with("<![CDATA[") {
            let (inner_end, end) = until(i + 9, "]]>");
            return Piece::Other(Markup {
                range: i..end,
                inner: i + 9..inner_end,
            });
        }
        let closing = b[i + 1] == b'/';
        let name_start = i + 1 + usize::from(closing);
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            // `</x`, `<!x`, `<?x`: two bytes open it ([`starts_markup`]).
            let (inner_end, end) = until(i + 2, ">");
            return Piece::Other(Markup {
                range: i..end,
                inner: i + 2..inner_end,
            });
        }
        let mut j = name_start + 1;
        while j < len && !b[j].is_ascii_whitespace() && !matches!(b[j], b'/' | b'>') {
            j += 1;
        }
        let name = name_start..j;
        let end = loop {
            match step(b, j) {
                Step::End(end) => break end,
                Step::Attr(_, next) => j = next,
            }
        };
        let tag = Tag {
            range: i..end,
            name,
            closing,
        };
        if !closing {
            if tag.is(html, "script") {
                self.raw = Some("</script");
            } else if tag.is(html, "style") {
                self.raw = Some("</style");
            }
        }
        Piece::Tag(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(html: &str) -> Vec<(char, &str)> {
        pieces(html)
            .map(|p| {
                let k = match &p {
                    Piece::Text(_) => 't',
                    Piece::Tag(t) if t.closing => '/',
                    Piece::Tag(_) => '<',
                    Piece::Comment(_) => 'c',
                    Piece::Raw(_) => 'r',
                    Piece::Other(_) => 'o',
                };
                (k, &html[p.range()])
            })
            .collect()
    }

    #[test]
    fn a_page_is_cut_where_a_browser_cuts_it() {
        let html = concat!(
            "<!DOCTYPE html><p class=\"a>b\" id=x>Bo &amp; <em>Li</em></p>",
            "<!-- <a href=\"c\"> --><script>if (a<b) x = '</p>';</SCRIPT>",
            "a < b <3 </ x><?xml?>"
        );
        assert_eq!(
            kinds(html),
            [
                ('o', "<!DOCTYPE html>"),
                ('<', "<p class=\"a>b\" id=x>"),
                ('t', "Bo &amp; "),
                ('<', "<em>"),
                ('t', "Li"),
                ('/', "</em>"),
                ('/', "</p>"),
                ('c', "<!-- <a href=\"c\"> -->"),
                ('<', "<script>"),
                ('r', "if (a<b) x = '</p>';"),
                ('/', "</SCRIPT>"),
                ('t', "a < b <3 "),
                ('o', "</ x>"),
                ('o', "<?xml?>"),
            ]
        );
    }

    #[test]
    fn attributes_are_found_where_they_are() {
        let html = "<A HREF='x.html' data-x=\"src\"\nsrc = y.png disabled title=\"Bo 'Li'\"/>";
        let Some(Piece::Tag(tag)) = pieces(html).next() else {
            panic!("no tag");
        };
        assert!(tag.is(html, "a") && tag.self_closing(html) && !tag.closing);
        let attrs: Vec<(&str, Option<&str>)> = tag
            .attrs(html)
            .map(|a| (&html[a.name], a.value.map(|v| &html[v])))
            .collect();
        assert_eq!(
            attrs,
            [
                ("HREF", Some("x.html")),
                ("data-x", Some("src")),
                ("src", Some("y.png")),
                ("disabled", None),
                ("title", Some("Bo 'Li'")),
            ]
        );
        assert_eq!(tag.value(html, "href"), Some("x.html"));
        assert_eq!(tag.value(html, "disabled"), None);
    }

    #[test]
    fn cut_short_pieces_run_to_the_end() {
        for (html, last) in [
            ("<a href=\"x", "<a href=\"x"),
            ("x<!-- y", "<!-- y"),
            ("<script>z", "z"),
            ("<a", "<a"),
            ("</", "</"),
            ("<!", "<!"),
            ("<", "<"),
        ] {
            let got = kinds(html);
            assert_eq!(got.last().map(|k| k.1), Some(last), "{html}");
        }
    }

    #[test]
    fn find_ci_finds_any_case() {
        assert_eq!(find_ci("ab</ScRiPt>", 0, "</script"), Some(2));
        assert_eq!(find_ci("</script", 1, "</script"), None);
        assert_eq!(find_ci("x", 0, "</script"), None);
        assert_eq!(find_ci("é</STYLE", 0, "</style"), Some(2));
    }

    /// Text made mostly of what HTML is made of.
    fn htmlish() -> impl Strategy<Value = String> {
        let parts = prop::sample::select(vec![
            "<",
            ">",
            "</",
            "<!--",
            "-->",
            "<!",
            "<?",
            "\"",
            "'",
            "=",
            " ",
            "\n",
            "/",
            "a",
            "p",
            "href",
            "script",
            "STYLE",
            "<script>",
            "</script",
            "<![CDATA[",
            "]]>",
            "é",
            "&amp;",
            "Bo Li",
            "x",
        ]);
        prop::collection::vec(parts, 0..40).prop_map(|v| v.concat())
    }

    fn check(html: &str) {
        let mut at = 0;
        let mut after_raw_tag = false;
        for piece in pieces(html) {
            let r = piece.range();
            assert_eq!(r.start, at, "pieces follow each other");
            assert!(r.end > r.start, "no empty piece");
            assert!(html.is_char_boundary(r.end));
            at = r.end;
            match &piece {
                Piece::Tag(t) => {
                    assert!(html[r.clone()].starts_with('<'));
                    assert!(html[r.clone()].ends_with('>') || r.end == html.len());
                    assert!(t.name.start > r.start && t.name.end <= r.end);
                    let mut last = t.name.end;
                    for a in t.attrs(html) {
                        assert!(a.name.start >= last && a.name.end > a.name.start);
                        last = a.name.end;
                        if let Some(v) = a.value {
                            assert!(v.start >= last && v.end <= r.end);
                            let _ = &html[v.clone()];
                            last = v.end;
                        }
                    }
                    after_raw_tag = !t.closing && (t.is(html, "script") || t.is(html, "style"));
                    continue;
                }
                Piece::Comment(m) | Piece::Other(m) => {
                    assert!(m.range == r);
                    assert!(r.start <= m.inner.start && m.inner.start <= m.inner.end);
                    assert!(m.inner.end <= r.end);
                    let _ = &html[m.inner.clone()];
                }
                Piece::Raw(_) => assert!(after_raw_tag, "raw text follows its tag"),
                Piece::Text(_) => {}
            }
            after_raw_tag = false;
        }
        assert_eq!(at, html.len(), "the pieces cover the input");
        let joined: String = pieces(html).map(|p| &html[p.range()]).collect();
        assert_eq!(joined, html);
    }

    proptest! {
        #[test]
        fn any_text_is_cut_into_pieces_that_cover_it(html in any::<String>()) {
            check(&html);
        }

        #[test]
        fn htmlish_text_is_cut_into_pieces_that_cover_it(html in htmlish()) {
            check(&html);
        }
    }
}
