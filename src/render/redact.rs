//! Redaction: every client name of a book, found in the text a reader of
//! the site sees and replaced by [`REDACTED`].
//!
//! Names are matched on folded text: Unicode canonically decomposed (so
//! `é` typed as one character or as `e` plus an accent is the same),
//! lower-cased, typographic quotes folded into straight ones (`O’Malley` is
//! `O'Malley`), and any run of white space one space. [`Scrubber::scrub_html`]
//! matches across the tags of a rendered page (`<strong>Bo</strong> Li`),
//! decoding character references (`O&#x27;Malley`); [`Scrubber::scrub_output`]
//! picks the right one for any file of the site by its name. The render stage
//! passes every file it writes through it, so a name cannot reach the site
//! by a path nobody thought of.

use std::collections::HashMap;

use rayon::prelude::*;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::analysis::Report;
use crate::book::{Book, Partner};
use crate::syntax::html::{self, Piece, Tag};

/// Every client name of a book, found in free text by whole words and
/// regardless of case.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scrubber {
    /// Folded first word → folded full names starting with it, longest
    /// first.
    by_first: HashMap<String, Vec<Vec<char>>>,
}

/// What replaces a client name on a redacted site.
pub const REDACTED: &str = "[client]";

/// A letter or digit of a word, or an accent on one.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Typographic quotes and apostrophes as the straight ones.
fn fold_quote(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}'
        | '\u{FF07}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{FF02}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' => '-',
        c => c,
    }
}

/// One character of folded text and the bytes of the source it comes
/// from (`start == end` for a break a tag stands for).
#[derive(Debug, Clone, Copy)]
struct Folded {
    c: char,
    start: usize,
    end: usize,
}

/// Appends the folded form of `c`, which spans `start..end` of the source.
fn push_folded(out: &mut Vec<Folded>, c: char, start: usize, end: usize) {
    // Invisible to a reader: a soft hyphen, zero-width spaces and joiners.
    if matches!(
        c,
        '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
    ) {
        return;
    }
    if c.is_whitespace() {
        match out.last_mut() {
            Some(last) if last.c == ' ' => last.end = end,
            _ => out.push(Folded { c: ' ', start, end }),
        }
        return;
    }
    decompose_canonical(c, |d| {
        for l in d.to_lowercase() {
            out.push(Folded {
                c: fold_quote(l),
                start,
                end,
            });
        }
    });
}

/// Whether a folded character is a Markdown mark (`*`, `_`, `~`, or a
/// backtick, which folds to an apostrophe) in `source`.
fn is_mark(f: &Folded, source: &str) -> bool {
    matches!(f.c, '*' | '_' | '~') || (f.c == '\'' && source.get(f.start..f.end) == Some("`"))
}

/// Drops the Markdown marks a reader reads through (`**Bo** Li`, `_Bo_`,
/// `~~Bo~~`, `` `Bo` Li``): every run of them that is not between two
/// letters, where it is part of a word (`O`Malley`, `snake_case`) and
/// still parts two names. Spaces that meet once a run is gone are one.
fn drop_marks(text: &mut Vec<Folded>, source: &str) {
    if !text.iter().any(|f| is_mark(f, source)) {
        return;
    }
    let marks: Vec<bool> = text.iter().map(|f| is_mark(f, source)).collect();
    let mut keep = vec![true; text.len()];
    let mut i = 0;
    while i < text.len() {
        if !marks[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < text.len() && marks[j] {
            j += 1;
        }
        let inside = i > 0 && is_word(text[i - 1].c) && j < text.len() && is_word(text[j].c);
        if !inside {
            keep[i..j].fill(false);
        }
        i = j;
    }
    let mut k = 0;
    text.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    text.dedup_by(|b, a| {
        let both = a.c == ' ' && b.c == ' ';
        if both {
            a.end = a.end.max(b.end);
        }
        both
    });
}

/// `name` folded as text is, trimmed.
fn fold_name(name: &str) -> Vec<char> {
    let mut out = Vec::new();
    for (i, c) in name.char_indices() {
        push_folded(&mut out, c, i, i + c.len_utf8());
    }
    let chars: Vec<char> = out.into_iter().map(|f| f.c).collect();
    let start = chars.iter().position(|c| *c != ' ').unwrap_or(chars.len());
    let end = chars
        .iter()
        .rposition(|c| *c != ' ')
        .map_or(start, |i| i + 1);
    chars[start..end].to_vec()
}

fn first_word(s: &[char]) -> String {
    s.iter().take_while(|c| is_word(**c)).collect()
}

impl Scrubber {
    /// Scrubs `names`, and their surnames alone unless a surname is a
    /// word of one of the `keep` names (the partners' own names).
    pub fn new<'a, 'b>(
        names: impl IntoIterator<Item = &'a str>,
        keep: impl IntoIterator<Item = &'b str>,
    ) -> Scrubber {
        let kept: std::collections::HashSet<Vec<char>> = keep
            .into_iter()
            .flat_map(|k| {
                let folded = fold_name(k);
                folded
                    .split(|c| !is_word(*c))
                    .map(<[char]>::to_vec)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut by_first: HashMap<String, Vec<Vec<char>>> = HashMap::new();
        let mut all = Vec::new();
        for name in names {
            let name = fold_name(name);
            // A surname alone ("the Smith file", "Smith-Jones") gives the
            // client away too.
            if let Some(at) = name.iter().rposition(|c| *c == ' ' || *c == '.') {
                let last = &name[at + 1..];
                if last.iter().filter(|c| c.is_alphanumeric()).count() >= 3
                    && last.iter().all(|c| is_word(*c) || *c == '-' || *c == '\'')
                    && !kept.contains(last)
                {
                    all.push(last.to_vec());
                }
            }
            all.push(name);
        }
        for name in all {
            let first = first_word(&name);
            if first.is_empty() {
                continue;
            }
            let list = by_first.entry(first).or_default();
            if !list.contains(&name) {
                list.push(name);
            }
        }
        for list in by_first.values_mut() {
            list.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        }
        Scrubber { by_first }
    }

    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }

    /// The source ranges of every client name in folded text, in order.
    fn find(&self, text: &[Folded]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut i = 0;
        let mut word = String::new();
        while i < text.len() {
            let c = text[i].c;
            let at_word = is_word(c) && (i == 0 || !is_word(text[i - 1].c));
            if !at_word {
                i += 1;
                continue;
            }
            word.clear();
            word.extend(text[i..].iter().map(|f| f.c).take_while(|c| is_word(*c)));
            let matched = self.by_first.get(&word).and_then(|cands| {
                cands.iter().find_map(|cand| {
                    let end = i + cand.len();
                    let fits = end <= text.len()
                        && text[i..end].iter().zip(cand).all(|(f, c)| f.c == *c)
                        && !text.get(end).is_some_and(|f| is_word(f.c))
                        // A whole character of the source, not half of
                        // one that decomposed.
                        && text.get(end).is_none_or(|f| f.start >= text[end - 1].end);
                    fits.then_some(end)
                })
            });
            match matched {
                Some(end) => {
                    found.push((text[i].start, text[end - 1].end));
                    i = end;
                }
                None => i += word.chars().count().max(1),
            }
        }
        found
    }

    /// `text` with every client name replaced by [`REDACTED`]: matched as
    /// whole words, in any case, with any run of white space (a line
    /// break, two spaces) between its words.
    pub fn scrub(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_string();
        }
        let mut folded = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            push_folded(&mut folded, c, i, i + c.len_utf8());
        }
        drop_marks(&mut folded, text);
        let cuts = self.find(&folded);
        let mut out = String::with_capacity(text.len());
        cut(&mut out, text, 0..text.len(), &cuts, &mut 0);
        out
    }

    /// An HTML (or SVG) document with every client name a reader would see
    /// replaced: in text, across tags (`<em>Bo</em> Li`), in attribute
    /// values (`alt`, `title`), in comments, scripts and styles.
    pub fn scrub_html(&self, html: &str) -> String {
        if self.is_empty() {
            return html.to_string();
        }
        let pieces: Vec<Piece> = html::pieces(html).collect();
        let mut folded = Vec::with_capacity(html.len());
        for piece in &pieces {
            let breaks = match piece {
                Piece::Text(r) => {
                    fold_text(&mut folded, html, r.clone());
                    false
                }
                Piece::Tag(tag) => breaks_words(tag.name(html)),
                Piece::Comment(_) | Piece::Other(_) => true,
                Piece::Raw(_) => false,
            };
            if breaks && folded.last().is_some_and(|f| f.c != ' ') {
                let at = piece.range().start;
                folded.push(Folded {
                    c: ' ',
                    start: at,
                    end: at,
                });
            }
        }
        drop_marks(&mut folded, html);
        let cuts = self.find(&folded);
        let mut out = String::with_capacity(html.len() + 64);
        let mut next_cut = 0;
        for piece in &pieces {
            match piece {
                Piece::Text(r) => cut(&mut out, html, r.clone(), &cuts, &mut next_cut),
                Piece::Tag(tag) => self.scrub_tag(&mut out, html, tag),
                Piece::Raw(r) => out.push_str(&self.scrub(&html[r.clone()])),
                Piece::Comment(m) | Piece::Other(m) => {
                    out.push_str(&html[m.range.start..m.inner.start]);
                    out.push_str(&self.scrub(&html[m.inner.clone()]));
                    out.push_str(&html[m.inner.end..m.range.end]);
                }
            }
        }
        out
    }

    /// A tag with client names scrubbed out of its attribute values.
    fn scrub_tag(&self, out: &mut String, html: &str, tag: &Tag) {
        let mut copied = tag.range.start;
        for value in tag.attrs(html).filter_map(|a| a.value) {
            out.push_str(&html[copied..value.start]);
            out.push_str(&self.scrub_html(&html[value.clone()]));
            copied = value.end;
        }
        out.push_str(&html[copied..tag.range.end]);
    }

    /// Any text file of a site, scrubbed as what it is: HTML and SVG as
    /// markup, everything else (JSON, CSV, calendars, styles) as text.
    pub fn scrub_output(&self, path: &str, bytes: &[u8]) -> Vec<u8> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return bytes.to_vec();
        };
        let markup = [".html", ".htm", ".svg", ".xml"]
            .iter()
            .any(|ext| path.to_ascii_lowercase().ends_with(ext));
        if markup {
            self.scrub_html(text).into_bytes()
        } else if path.to_ascii_lowercase().ends_with(".ics") {
            // Names are found in whole content lines, not folded pieces.
            super::calendar::scrub_folded(text, self).into_bytes()
        } else {
            self.scrub(text).into_bytes()
        }
    }
}

/// Copies `source[range]` into `out`, replacing each cut (from the sorted
/// `cuts`, starting at `*next`) that falls in it: the part of a cut in the
/// range where it starts becomes [`REDACTED`], the rest of it is dropped.
fn cut(
    out: &mut String,
    source: &str,
    range: std::ops::Range<usize>,
    cuts: &[(usize, usize)],
    next: &mut usize,
) {
    let mut at = range.start;
    while at < range.end {
        // Skip cuts that ended before here.
        while *next < cuts.len() && cuts[*next].1 <= at {
            *next += 1;
        }
        let Some(&(s, e)) = cuts.get(*next) else {
            break;
        };
        if s >= range.end {
            break;
        }
        if s >= at {
            out.push_str(&source[at..s]);
            out.push_str(REDACTED);
        }
        at = e.min(range.end).max(at);
    }
    if at < range.end {
        out.push_str(&source[at..range.end]);
    }
}

/// Whether a reader sees a break where this tag is (a paragraph, a line
/// break, a table cell), rather than words running on (`<em>`, `<a>`).
fn breaks_words(name: &str) -> bool {
    let mut lower = [0u8; 6];
    let Some(buf) = lower.get_mut(..name.len()) else {
        return true; // longer than any name below
    };
    buf.copy_from_slice(name.as_bytes());
    buf.make_ascii_lowercase();
    !matches!(
        &*buf,
        b"a" | b"abbr"
            | b"b"
            | b"bdi"
            | b"bdo"
            | b"cite"
            | b"code"
            | b"data"
            | b"del"
            | b"dfn"
            | b"em"
            | b"i"
            | b"ins"
            | b"kbd"
            | b"mark"
            | b"q"
            | b"s"
            | b"samp"
            | b"small"
            | b"span"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"time"
            | b"tspan"
            | b"u"
            | b"var"
            | b"wbr"
    )
}

/// Folds the text `html[range]`, decoding character references.
fn fold_text(out: &mut Vec<Folded>, html: &str, range: std::ops::Range<usize>) {
    let text = &html[range.clone()];
    let mut iter = text.char_indices();
    while let Some((i, c)) = iter.next() {
        let start = range.start + i;
        if c == '&' {
            if let Some((decoded, len)) = char_reference(&text[i..]) {
                match decoded {
                    Some(d) => push_folded(out, d, start, start + len),
                    None => push_folded(out, '&', start, start + len),
                }
                for _ in 1..text[i..i + len].chars().count() {
                    iter.next();
                }
                continue;
            }
        }
        push_folded(out, c, start, start + c.len_utf8());
    }
}

/// The character a reference at the start of `s` stands for (`None` for a
/// named one this does not know) and its length in bytes.
fn char_reference(s: &str) -> Option<(Option<char>, usize)> {
    // A reference is short: look no further than its longest name.
    let end = s
        .as_bytes()
        .iter()
        .take(34)
        .skip(1)
        .position(|b| *b == b';')?
        + 1;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        Some(char::from_u32(n)?)
    } else {
        if !body.chars().all(|c| c.is_ascii_alphanumeric()) || body.is_empty() {
            return None;
        }
        match body {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "rsquo" | "lsquo" => Some('\''),
            "nbsp" | "ensp" | "emsp" | "thinsp" => Some(' '),
            "shy" => Some('\u{AD}'),
            _ => None,
        }
    };
    Some((c, end + 1))
}

/// Copies of the partners and their reports with client names scrubbed out
/// of every free text the data files carry.
pub(super) fn redacted_copies(
    book: &Book,
    reports: &[Report],
    sc: &Scrubber,
) -> (Vec<Partner>, Vec<Report>) {
    let partners = book
        .partners
        .par_iter()
        .map(|p| {
            let mut p = Partner::clone(p);
            for r in &mut p.referrals {
                r.client = None;
                r.note = r.note.as_deref().map(|n| sc.scrub(n));
            }
            for m in &mut p.meetings {
                m.summary = m.summary.as_deref().map(|s| sc.scrub(s));
            }
            for i in &mut p.initiatives {
                i.name = sc.scrub(&i.name);
            }
            if let Some(n) = &mut p.next_step {
                n.action = sc.scrub(&n.action);
            }
            for s in &mut p.steps {
                s.action = sc.scrub(&s.action);
            }
            p.body = sc.scrub(&p.body);
            p.firm = p.firm.as_deref().map(|f| sc.scrub(f));
            p.profession = p.profession.as_deref().map(|f| sc.scrub(f));
            for t in p.tags.iter_mut().chain(p.ideal_clients.iter_mut()) {
                *t = sc.scrub(t);
            }
            p.extra = p.extra.as_ref().map(|e| scrub_json(e, sc));
            p
        })
        .collect();
    let reports = reports
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.readiness.reason = sc.scrub(&r.readiness.reason);
            r.readiness.next_action = sc.scrub(&r.readiness.next_action);
            for e in r.readiness.criteria.iter_mut() {
                e.evidence = sc.scrub(&e.evidence);
            }
            r
        })
        .collect();
    (partners, reports)
}

/// Every string in a JSON value, scrubbed.
pub(super) fn scrub_json(v: &serde_json::Value, sc: &Scrubber) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(sc.scrub(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| scrub_json(x, sc)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (sc.scrub(k), scrub_json(x, sc)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_across_line_breaks_unusual_letters_and_hyphens() {
        let s = Scrubber::new(["Tom McDonald", "Bo Li", "Ann Smith-Jones"], ["Lena Park"]);
        assert_eq!(
            s.scrub("Trip to İzmir: Tom McDonald came; TOM  MCDONALD too."),
            "Trip to İzmir: [client] came; [client] too."
        );
        assert_eq!(
            s.scrub("We met Bo\nLi, and later bo li."),
            "We met [client], and later [client]."
        );
        assert_eq!(
            s.scrub("The Smith-Jones file; Ann Smith-Jones."),
            "The [client] file; [client]."
        );
        assert_eq!(s.scrub("Bolivia and Lima stay."), "Bolivia and Lima stay.");
    }

    #[test]
    fn scrubs_names_split_by_markdown_marks_as_a_reader_reads_them() {
        let s = Scrubber::new(
            ["Ottoline Brisbois-Kwan", "Siobhan O`Malley"],
            ["Lena Park"],
        );
        for (text, scrubbed) in [
            (
                "Talked about **Ottoline** Brisbois-Kwan",
                "Talked about **[client]",
            ),
            ("_Ottoline_ Brisbois-Kwan.", "_[client]."),
            ("~~Ottoline~~ **Brisbois-Kwan**", "~~[client]**"),
            ("`Ottoline` `Brisbois-Kwan`", "`[client]`"),
            ("Ottoline ** Brisbois-Kwan", "[client]"),
            ("x*Ottoline Brisbois-Kwan", "x*[client]"),
            ("Siobhan O`Malley", "[client]"),
        ] {
            assert_eq!(s.scrub(text), scrubbed, "{text}");
        }
        assert_eq!(
            s.scrub_html("<td>Talked about **Ottoline** Brisbois-Kwan</td>"),
            "<td>Talked about **[client]</td>"
        );
        // A mark inside a word stays, and still parts two words: the
        // surname alone goes, as anywhere.
        assert_eq!(s.scrub("Ottoline_Brisbois-Kwan"), "Ottoline_[client]");
    }

    #[test]
    fn scrubs_whole_names_in_any_case() {
        let s = Scrubber::new(["R. Smith", "Ann Lee", "J. Park"], ["Lena Park"]);
        assert_eq!(
            s.scrub(
                "Met r. smith and ANN LEE; Ann Leeds stays, the Smith file goes, Lena Park stays."
            ),
            "Met [client] and [client]; Ann Leeds stays, the [client] file goes, Lena Park stays."
        );
    }

    #[test]
    fn scrubs_the_text_a_reader_sees_across_tags_and_references() {
        let s = Scrubber::new(["Bo Li", "Siobhan O'Malley", "José Núñez"], ["Lena Park"]);
        assert_eq!(
            s.scrub_html("<p>Met <strong>Bo</strong> Li and <em>bo</em>\n<em>li</em>.</p>"),
            "<p>Met <strong>[client]</strong> and <em>[client]</em><em></em>.</p>"
        );
        assert_eq!(
            s.scrub_html("<blockquote>\n<p>Bo</p>\n</blockquote>\n<p>Li said</p>"),
            "<blockquote>\n<p>[client]</p></blockquote><p> said</p>"
        );
        // Typographic quotes, character references, decomposed accents.
        assert_eq!(s.scrub("Siobhan O’Malley"), "[client]");
        assert_eq!(
            s.scrub_html("<td>Siobhan O&#x27;Malley</td>"),
            "<td>[client]</td>"
        );
        assert_eq!(
            s.scrub("Jose\u{301} Nu\u{301}n\u{303}ez came"),
            "[client] came"
        );
        // An accent on the last letter is part of the word: no half match.
        let plain = Scrubber::new(["Ann Jose"], []);
        assert_eq!(plain.scrub("Ann Jose\u{301}"), "Ann Jose\u{301}");
        // Attribute values, comments and scripts are text too.
        assert_eq!(
            s.scrub_html(r#"<img alt="Bo Li" src="a.png"><!-- Bo Li --><script>"Bo Li"</script>"#),
            r#"<img alt="[client]" src="a.png"><!-- [client] --><script>"[client]"</script>"#
        );
        // Values without quotes, and other markup, are searched too.
        let surname = Scrubber::new(["Ann Smithson"], []);
        assert_eq!(
            surname.scrub_html(
                "<img alt=Smithson src=a.png><![CDATA[Ann Smithson]]><?x Smithson?><p>Smithson</p>"
            ),
            "<img alt=[client] src=a.png><![CDATA[[client]]]><?x [client]?><p>[client]</p>"
        );
        // A break between the words still reads as one name.
        assert_eq!(s.scrub_html("<p>Bo<br>Li</p>"), "<p>[client]<br></p>");
        assert_eq!(
            s.scrub_html("<p>Bolivia &amp; Lima</p>"),
            "<p>Bolivia &amp; Lima</p>"
        );
    }
}
