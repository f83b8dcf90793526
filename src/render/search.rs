//! The search index: the words of every partner's note a reader may look
//! for, written with the site as a script (`data/search.js`) so that the
//! search box of every page (`search.js`) answers in the browser, from
//! `file://` as from a server. On a redacted site client names never enter
//! it: the client fields are left out and every text is scrubbed.
//!
//! The script is one call, `rapportSearchIndex({...});`, of a JSON object:
//! `kinds` (where a text comes from, for people), `pages` (each partner's
//! page, from the site's top), `names` (each partner's name) and `text`:
//! every text of every partner in one string, each opened by U+0001 and a
//! character that says its kind (U+0010 plus its place in `kinds`), each
//! partner's first text its name. One long string is what a browser reads
//! quickest: a large book's index loads and answers in well under a
//! second, where an array of as many small strings takes several times
//! longer.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::book::Partner;

use super::partner_page_name;
use super::redact::Scrubber;

/// The index's path in the site.
pub const FILE: &str = "data/search.js";
/// The search box's script, beside the stylesheet.
pub const SCRIPT: &str = "search.js";
/// What the index script calls with the index.
const CALL: &str = "rapportSearchIndex(";

/// Where a text comes from, in the order of `kinds`.
const KINDS: [&str; 11] = [
    "name",
    "firm",
    "profession",
    "tag",
    "note",
    "meeting",
    "referral",
    "initiative",
    "next step",
    "step done",
    "client",
];
const NAME: u8 = 0;
const FIRM: u8 = 1;
const PROFESSION: u8 = 2;
const TAG: u8 = 3;
const NOTE: u8 = 4;
const MEETING: u8 = 5;
const REFERRAL: u8 = 6;
const INITIATIVE: u8 = 7;
const NEXT: u8 = 8;
const STEP: u8 = 9;
const CLIENT: u8 = 10;

/// What opens each text in `text`.
const MARK: char = '\u{1}';
/// The kind character of the first kind; the others follow.
const KIND_BASE: u32 = 0x10;

/// A note body as plain text: the words a reader sees, without markup or
/// raw HTML, white space collapsed.
pub fn body_text(body: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut out = String::with_capacity(body.len());
    let mut in_html_block = false;
    // Inside an inline `<script>` or `<style>`: not text.
    let mut in_raw = false;
    for event in Parser::new_ext(body, opts) {
        match event {
            Event::Start(Tag::HtmlBlock) => in_html_block = true,
            Event::End(TagEnd::HtmlBlock) => in_html_block = false,
            Event::InlineHtml(h) => {
                let h = h.to_ascii_lowercase();
                if h.starts_with("<script") || h.starts_with("<style") {
                    in_raw = true;
                } else if h.starts_with("</script") || h.starts_with("</style") {
                    in_raw = false;
                }
            }
            Event::Text(t) | Event::Code(t) if !in_html_block && !in_raw => {
                out.push_str(&t);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(_)
            | Event::Start(Tag::Item | Tag::TableCell) => out.push(' '),
            _ => {}
        }
    }
    collapse(&out.replace("[[", "").replace("]]", ""))
}

/// Runs of white space (and control characters, which mark the index's
/// own structure) as one space, trimmed.
fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The texts of one partner: (kind, text).
fn texts(p: &Partner, redact: bool) -> Vec<(u8, String)> {
    let mut out: Vec<(u8, String)> = vec![(NAME, p.name.clone())];
    let mut push = |kind: u8, text: &str| {
        let text = collapse(text);
        if !text.is_empty() {
            out.push((kind, text));
        }
    };
    if let Some(f) = &p.firm {
        push(FIRM, f);
    }
    if let Some(f) = &p.profession {
        push(PROFESSION, f);
    }
    for t in &p.tags {
        push(TAG, t);
    }
    push(NOTE, &body_text(&p.body));
    for m in &p.meetings {
        if let Some(s) = &m.summary {
            push(MEETING, s);
        }
    }
    for r in &p.referrals {
        if let Some(n) = &r.note {
            push(REFERRAL, n);
        }
        if !redact {
            if let Some(c) = &r.client {
                push(CLIENT, c);
            }
        }
    }
    for i in &p.initiatives {
        push(INITIATIVE, &i.name);
    }
    if let Some(n) = &p.next_step {
        push(NEXT, &n.action);
    }
    for s in &p.steps {
        push(STEP, &s.action);
    }
    out
}

/// One partner's part of the index, each piece as it stands in the
/// script's JSON: its page and its name (JSON strings, quoted) and its
/// texts (the inside of a JSON string, each text opened by its mark).
/// Under `watch` each partner's part is kept with its note, and a rebuild
/// makes again only the parts of the notes that changed, then joins.
pub struct Part {
    page: String,
    name: String,
    text: String,
}

impl Part {
    /// The part of `p`; with a scrubber (a redacted site), client names
    /// left out and scrubbed out of every text.
    pub fn of(p: &Partner, scrub: Option<&Scrubber>) -> Part {
        let (page, name) = head(p, scrub);
        Part {
            page,
            name,
            text: text_of(p, scrub),
        }
    }

    /// How many bytes it holds.
    pub fn len(&self) -> usize {
        self.page.len() + self.name.len() + self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A string as a JSON string, quoted.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A partner's page and name, each as a JSON string.
fn head(p: &Partner, scrub: Option<&Scrubber>) -> (String, String) {
    let name = match scrub {
        Some(sc) => sc.scrub(&p.name),
        None => p.name.clone(),
    };
    (json_string(&partner_page_name(&p.slug)), json_string(&name))
}

/// A partner's texts, each opened by its mark, as the inside of a JSON
/// string.
fn text_of(p: &Partner, scrub: Option<&Scrubber>) -> String {
    let t = texts(p, scrub.is_some());
    let mut raw = String::with_capacity(t.iter().map(|(_, s)| s.len() + 2).sum());
    for (kind, words) in &t {
        raw.push(MARK);
        raw.push(char::from_u32(KIND_BASE + u32::from(*kind)).expect("a control character"));
        match scrub {
            Some(sc) => raw.push_str(&sc.scrub(words)),
            None => raw.push_str(words),
        }
    }
    let mut quoted = json_string(&raw);
    drop(raw);
    quoted.pop();
    quoted.remove(0);
    quoted
}

/// The script up to the first page.
fn opening() -> String {
    format!(
        "{CALL}{{\"kinds\":{},\"pages\":[",
        serde_json::to_string(&KINDS).expect("plain data serialises")
    )
}

const NAMES: &[u8] = b"],\"names\":[";
const TEXT: &[u8] = b"],\"text\":\"";
const CLOSING: &[u8] = b"\"});\n";

/// Pushes `items` separated by commas.
fn push_list<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a str>) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.as_bytes());
    }
}

/// The index script of the partners' parts, in the site's order.
pub fn join(parts: &[&Part]) -> Vec<u8> {
    let open = opening();
    let len = open.len()
        + NAMES.len()
        + TEXT.len()
        + CLOSING.len()
        + parts.iter().map(|p| p.len() + 2).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(open.as_bytes());
    push_list(&mut out, parts.iter().map(|p| p.page.as_str()));
    out.extend_from_slice(NAMES);
    push_list(&mut out, parts.iter().map(|p| p.name.as_str()));
    out.extend_from_slice(TEXT);
    for p in parts {
        out.extend_from_slice(p.text.as_bytes());
    }
    out.extend_from_slice(CLOSING);
    out
}

/// How many partners' texts are made at once by [`index_script`]: enough
/// to keep both cores busy, few enough that only the script itself is
/// large.
const BATCH: usize = 256;

/// The index script of `partners` (the site's, in slug order). With a
/// scrubber (a redacted site) client names are left out and scrubbed out
/// of every text. The texts are made a batch of partners at a time and
/// written straight into the script, so that only the script is held
/// whole; the same bytes as [`join`] of every partner's [`Part`].
pub fn index_script(partners: &[&Partner], scrub: Option<&Scrubber>) -> Vec<u8> {
    let mut out = Vec::new();
    write_index(partners, scrub, &mut |piece| {
        out.extend_from_slice(piece);
        Ok(())
    })
    .expect("a buffer takes every piece");
    out.shrink_to_fit();
    out
}

/// [`index_script`] handed to `put` a piece at a time, in order: the
/// lists of pages and names, then each partner's text, a batch of
/// partners at a time, so that the script is never whole in memory. The
/// first error `put` returns stops it.
pub fn write_index(
    partners: &[&Partner],
    scrub: Option<&Scrubber>,
    put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let heads: Vec<(String, String)> = partners.par_iter().map(|p| head(p, scrub)).collect();
    let open = opening();
    let mut lists = Vec::with_capacity(
        open.len()
            + NAMES.len()
            + TEXT.len()
            + heads
                .iter()
                .map(|(a, b)| a.len() + b.len() + 2)
                .sum::<usize>(),
    );
    lists.extend_from_slice(open.as_bytes());
    push_list(&mut lists, heads.iter().map(|h| h.0.as_str()));
    lists.extend_from_slice(NAMES);
    push_list(&mut lists, heads.iter().map(|h| h.1.as_str()));
    drop(heads);
    lists.extend_from_slice(TEXT);
    put(&lists)?;
    drop(lists);
    for batch in partners.chunks(BATCH) {
        let texts: Vec<String> = batch.par_iter().map(|p| text_of(p, scrub)).collect();
        for t in texts {
            put(t.as_bytes())?;
        }
    }
    put(CLOSING)
}

/// The texts of an index object: (partner, kind, text), in order.
pub fn entries(index: &serde_json::Value) -> Vec<(usize, String, String)> {
    let kinds = &index["kinds"];
    let mut partner = 0usize;
    let mut first = true;
    let mut out = Vec::new();
    for part in index["text"].as_str().unwrap_or("").split(MARK).skip(1) {
        let mut chars = part.chars();
        let kind = chars
            .next()
            .map_or(0, |c| (c as u32).saturating_sub(KIND_BASE)) as usize;
        if kind == usize::from(NAME) {
            if !first {
                partner += 1;
            }
            first = false;
        }
        let kind = kinds[kind].as_str().unwrap_or("").to_string();
        out.push((partner, kind, chars.as_str().to_string()));
    }
    out
}

/// The JSON object of an index script.
pub fn parse_index(script: &[u8]) -> Option<serde_json::Value> {
    let text = std::str::from_utf8(script).ok()?;
    let json = text.strip_prefix(CALL)?.trim_end().strip_suffix(");")?;
    serde_json::from_str(json).ok()
}

/// The index script with its partner pages renamed (`pages`: plain path
/// to written path), for an encrypted site's opaque page names; `None`
/// when `script` is not an index as [`index_script`] writes it.
///
/// Only the page names are decoded and written again; every other member
/// (above all `text`, most of the script) is copied as it is. The members
/// are written in the order of their keys (`kinds`, `names`, `pages`,
/// `text`), as serde_json writes an object it has read, so that the
/// script is the one the index gave when it was read whole into a JSON
/// value and written again. To be sure of that, the script must be
/// written the way serde_json writes: no white space between tokens,
/// each member's value a string or a list of strings, each string
/// escaped as serde_json escapes; anything else gives `None`.
pub fn rename_pages(script: &[u8], rename: &dyn Fn(&str) -> Option<String>) -> Option<Vec<u8>> {
    std::str::from_utf8(script).ok()?;
    let body = script.strip_prefix(CALL.as_bytes())?;
    let (mut members, end) = members(body)?;
    if std::str::from_utf8(&body[end..]).ok()?.trim_end() != ");" {
        return None;
    }
    members.sort_by(|a, b| a.0.cmp(b.0));
    if members.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let pages = members.iter().find(|m| m.0 == b"pages")?.1;
    let renamed = rename_list(pages, rename)?;
    let mut out = Vec::with_capacity(script.len() + renamed.len());
    out.extend_from_slice(CALL.as_bytes());
    out.push(b'{');
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(key);
        out.extend_from_slice(b"\":");
        if *key == b"pages" {
            out.extend_from_slice(&renamed);
        } else {
            out.extend_from_slice(value);
        }
    }
    out.extend_from_slice(b"});\n");
    Some(out)
}

/// Where the beginning of an index script as [`write_index`] hands it
/// first ends: past the opening quote of `text`, which follows the page
/// names. The first `],"text":"` of the script is that place: inside a
/// JSON string a quote is escaped.
pub fn opening_end(script: &[u8]) -> Option<usize> {
    const OPEN_TEXT: &[u8] = b"],\"text\":\"";
    memchr::memmem::find(script, OPEN_TEXT).map(|at| at + OPEN_TEXT.len())
}

/// [`rename_pages`] of the beginning of an index script, up to
/// [`opening_end`]: what [`rename_pages`] of the whole script begins with,
/// so that the rest (the texts) can follow it as it comes.
pub fn rename_opening(opening: &[u8], rename: &dyn Fn(&str) -> Option<String>) -> Option<Vec<u8>> {
    let mut script = opening.to_vec();
    script.extend_from_slice(CLOSING);
    let mut renamed = rename_pages(&script, rename)?;
    renamed.truncate(renamed.len().checked_sub(CLOSING.len())?);
    renamed.ends_with(TEXT).then_some(renamed)
}

/// An object's member: its key and its value, as written.
type Member<'a> = (&'a [u8], &'a [u8]);

/// The members of the object that opens `text`, each its key (unescaped:
/// a key with an escape gives `None`) and its value as written, and
/// where the object ends.
fn members(text: &[u8]) -> Option<(Vec<Member<'_>>, usize)> {
    if text.first() != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut at = 1;
    if text.get(at) == Some(&b'}') {
        return Some((members, at + 1));
    }
    loop {
        let key_end = string_end(text, at)?;
        let key = &text[at + 1..key_end - 1];
        if key.contains(&b'\\') || text.get(key_end) != Some(&b':') {
            return None;
        }
        let start = key_end + 1;
        let end = value_end(text, start)?;
        members.push((key, &text[start..end]));
        at = end + 1;
        match text.get(end) {
            Some(b',') => {}
            Some(b'}') => return Some((members, at)),
            _ => return None,
        }
    }
}

/// Where the value that starts at `at` ends: a string, or a list of
/// strings (anything else gives `None`).
fn value_end(text: &[u8], at: usize) -> Option<usize> {
    match text.get(at)? {
        b'"' => string_end(text, at),
        b'[' => list_end(text, at, |_| {}),
        _ => None,
    }
}

/// Where the list of strings that starts at `at` ends, calling `each`
/// with each of its strings as written.
fn list_end<'a>(text: &'a [u8], at: usize, mut each: impl FnMut(&'a [u8])) -> Option<usize> {
    if text.get(at) != Some(&b'[') {
        return None;
    }
    let mut at = at + 1;
    if text.get(at) == Some(&b']') {
        return Some(at + 1);
    }
    loop {
        let end = string_end(text, at)?;
        each(&text[at..end]);
        match text.get(end)? {
            b',' => at = end + 1,
            b']' => return Some(end + 1),
            _ => return None,
        }
    }
}

/// Where the JSON string that starts at `at` (its opening quote) ends,
/// past its closing quote; `None` unless it is escaped as serde_json
/// escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx` in
/// small hex digits for the other control characters; nothing else).
fn string_end(text: &[u8], at: usize) -> Option<usize> {
    if text.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        let c = *text.get(i)?;
        match c {
            b'"' => return Some(i + 1),
            b'\\' => {
                match text.get(i + 1)? {
                    b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = text.get(i + 2..i + 6)?;
                        let small = |d: u8| matches!(d, b'0'..=b'9' | b'a'..=b'f');
                        if hex[0] != b'0' || hex[1] != b'0' || !small(hex[2]) || !small(hex[3]) {
                            return None;
                        }
                        let value =
                            (hex[2] as char).to_digit(16)? * 16 + (hex[3] as char).to_digit(16)?;
                        // The control characters with a short escape have
                        // only that one.
                        if value >= 0x20 || matches!(value, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

/// The list of page strings `pages` (as written) with each page renamed,
/// as written anew.
fn rename_list(pages: &[u8], rename: &dyn Fn(&str) -> Option<String>) -> Option<Vec<u8>> {
    let mut items = Vec::new();
    let end = list_end(pages, 0, |s| items.push(s))?;
    if end != pages.len() {
        return None;
    }
    let mut out = Vec::with_capacity(pages.len() + pages.len() / 2);
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let page: String = serde_json::from_slice(item).ok()?;
        match rename(&page) {
            Some(to) => out.extend_from_slice(json_string(&to).as_bytes()),
            None => out.extend_from_slice(item),
        }
    }
    out.push(b']');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(text: &str) -> Partner {
        crate::read::note::parse("partners/jane-doe.md", "jane-doe", text.as_bytes()).unwrap()
    }

    const NOTE_TEXT: &str = "---\nname: Jane Doe\nfirm: Doe CPAs\ntags: [tax]\nreferrals:\n  - {date: 2026-01-02, direction: given, client: Bo Lindqvist, note: Bo Lindqvist needed an S-corp return}\nmeetings:\n  - {date: 2026-02-02, kind: call, summary: Talked about the workshop}\nnext_step:\n  date: 2026-12-01\n  action: Send the outline\nsteps:\n  - {date: 2026-03-03, action: Sent the invitation}\n---\n# Notes\n\nLoves *estate* planning.<script>alert(1)</script>\n\n- [x] Met at [[Some One]]\n";

    #[test]
    fn every_field_is_indexed_with_where_it_comes_from() {
        let p = partner(NOTE_TEXT);
        let v = parse_index(&index_script(&[&p], None)).unwrap();
        assert_eq!(v["pages"][0], "partners/jane-doe.html");
        assert_eq!(v["names"][0], "Jane Doe");
        let e = entries(&v);
        assert_eq!(e[0], (0, "name".to_string(), "Jane Doe".to_string()));
        let found =
            |kind: &str, text: &str| e.iter().any(|(_, k, t)| k == kind && t.contains(text));
        assert!(found("firm", "Doe CPAs"));
        assert!(found("tag", "tax"));
        assert!(found("client", "Bo Lindqvist"));
        assert!(found("referral", "S-corp return"));
        assert!(found("meeting", "workshop"));
        assert!(found("next step", "Send the outline"));
        assert!(found("step done", "Sent the invitation"));
        assert!(found("note", "Notes Loves estate planning."));
        assert!(found("note", "Met at Some One"));
        // Raw HTML is not text a reader sees.
        assert!(!e.iter().any(|(_, _, t)| t.contains("alert")));
    }

    /// The script as one JSON object written by serde, the way it was
    /// first written: the parts joined must give the same bytes.
    fn whole(partners: &[&Partner], scrub: Option<&Scrubber>) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Index<'a> {
            kinds: &'a [&'a str],
            pages: Vec<String>,
            names: Vec<String>,
            text: String,
        }
        let clean = |s: &str| scrub.map_or_else(|| s.to_string(), |sc| sc.scrub(s));
        let mut text = String::new();
        for p in partners {
            for (kind, words) in texts(p, scrub.is_some()) {
                text.push(MARK);
                text.push(char::from_u32(KIND_BASE + u32::from(kind)).unwrap());
                text.push_str(&clean(&words));
            }
        }
        let index = Index {
            kinds: &KINDS,
            pages: partners
                .iter()
                .map(|p| partner_page_name(&p.slug))
                .collect(),
            names: partners.iter().map(|p| clean(&p.name)).collect(),
            text,
        };
        let mut out = CALL.as_bytes().to_vec();
        serde_json::to_writer(&mut out, &index).unwrap();
        out.extend_from_slice(b");\n");
        out
    }

    #[test]
    fn the_joined_parts_are_the_whole_index_byte_for_byte() {
        let mut notes = vec![partner(NOTE_TEXT)];
        for i in 0..(BATCH + 3) {
            let text = NOTE_TEXT
                .replace("Jane Doe", &format!("Jane \\\"Doe\" {i}"))
                .replace("Loves", "Loves\ttabs, </script> and é");
            let mut p = partner(&text);
            p.slug = format!("p-{i:04}");
            notes.push(p);
        }
        let sc = Scrubber::new(["Bo Lindqvist"], ["Jane Doe"]);
        for scrub in [None, Some(&sc)] {
            for n in [0, 1, notes.len()] {
                let ps: Vec<&Partner> = notes[..n].iter().collect();
                let want = whole(&ps, scrub);
                assert_eq!(
                    String::from_utf8(index_script(&ps, scrub)).unwrap(),
                    String::from_utf8(want.clone()).unwrap()
                );
                let parts: Vec<Part> = ps.iter().map(|p| Part::of(p, scrub)).collect();
                assert_eq!(join(&parts.iter().collect::<Vec<_>>()), want);
            }
        }
    }

    /// The index renamed the way it was first: read whole into a JSON
    /// value, renamed there and written again. [`rename_pages`] must give
    /// the same bytes.
    fn rename_pages_by_value(
        script: &[u8],
        rename: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Vec<u8>> {
        let mut v = parse_index(script)?;
        for page in v.get_mut("pages")?.as_array_mut()? {
            if let Some(to) = page.as_str().and_then(rename) {
                *page = serde_json::Value::String(to);
            }
        }
        let mut out = CALL.as_bytes().to_vec();
        serde_json::to_writer(&mut out, &v).ok()?;
        out.extend_from_slice(b");\n");
        Some(out)
    }

    /// Renames every other page (by the length of its path) to a name
    /// with characters that must be escaped.
    fn odd_names(page: &str) -> Option<String> {
        (page.len() % 2 == 1).then(|| format!("partners/\"{}\\\u{1}\u{7f}é\n.html", page.len()))
    }

    fn book(people: &[(String, String)]) -> Vec<Partner> {
        people
            .iter()
            .map(|(slug, name)| {
                let mut p = partner(NOTE_TEXT);
                p.slug = slug.clone();
                p.name = name.clone();
                p
            })
            .collect()
    }

    #[test]
    fn renaming_in_place_gives_the_bytes_of_renaming_the_whole_value() {
        let people: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("p-{i:03}{}", "x".repeat(i % 3)),
                    format!("Jane \"Doe\" \\ {i}\t\u{1}\u{1f}\u{2028}é"),
                )
            })
            .collect();
        let notes = book(&people);
        let sc = Scrubber::new(["Bo Lindqvist"], ["Jane Doe"]);
        for scrub in [None, Some(&sc)] {
            for n in [0, 1, notes.len()] {
                let ps: Vec<&Partner> = notes[..n].iter().collect();
                let script = index_script(&ps, scrub);
                for rename in [&odd_names as &dyn Fn(&str) -> Option<String>, &|_| None] {
                    let got = rename_pages(&script, rename).expect("an index");
                    let want = rename_pages_by_value(&script, rename).unwrap();
                    assert_eq!(
                        String::from_utf8(got).unwrap(),
                        String::from_utf8(want).unwrap()
                    );
                }
            }
        }
        // Renamed, the pages are the new names, everything else the same.
        let ps: Vec<&Partner> = notes.iter().collect();
        let script = index_script(&ps, None);
        let before = parse_index(&script).unwrap();
        let after = parse_index(&rename_pages(&script, &odd_names).unwrap()).unwrap();
        for (i, p) in notes.iter().enumerate() {
            let page = partner_page_name(&p.slug);
            let want = odd_names(&page).unwrap_or(page);
            assert_eq!(after["pages"][i], want.as_str());
        }
        for key in ["kinds", "names", "text"] {
            assert_eq!(after[key], before[key], "{key}");
        }
    }

    #[test]
    fn members_in_another_order_are_found() {
        for script in [
            "rapportSearchIndex({\"text\":\"a\\\"]\",\"pages\":[\"b\",\"c\\\\\"],\"names\":[\"],\\\"pages\\\":[\"]});\n",
            "rapportSearchIndex({\"pages\":[\"a\"]});",
            "rapportSearchIndex({\"zz\":[],\"pages\":[]});  \n",
            "rapportSearchIndex({\"x\":\"\\u0001\\n\",\"pages\":[\"ab\",\"a\"]});\n",
        ] {
            let got = rename_pages(script.as_bytes(), &odd_names);
            assert!(got.is_some(), "{script}");
            assert_eq!(got, rename_pages_by_value(script.as_bytes(), &odd_names), "{script}");
        }
    }

    #[test]
    fn an_index_of_another_layout_is_not_renamed() {
        let p = partner(NOTE_TEXT);
        let good = String::from_utf8(index_script(&[&p], None)).unwrap();
        assert!(rename_pages(good.as_bytes(), &odd_names).is_some());
        let other = [
            // Not the call, or not all of it.
            good.replacen(CALL, "otherIndex(", 1),
            good.replace(");\n", ")\n"),
            good.replace(");\n", ");\nalert(1);\n"),
            good[..good.len() / 2].to_string(),
            // No pages, or pages that are not a list of strings.
            good.replace("\"pages\"", "\"page\""),
            good.replace("\"pages\":[", "\"pages\":[1,"),
            good.replace("\"pages\":[", "\"pages\":\"x\",\"more\":["),
            good.replace("\"pages\":[", "\"pages\":[[],"),
            // Two members of the same name.
            good.replace("\"names\"", "\"pages\""),
            // Written another way than serde_json writes.
            good.replace("\"pages\":[", "\"pages\": ["),
            good.replace("\"pages\":[", "\n\"pages\":["),
            good.replace("\"pages\"", "\"p\\u0061ges\""),
            good.replace("partners/", "partners\\/"),
            good.replace("\\u0001", "\\u0041"),
            good.replace("\\u0001", "\\u0009"),
            good.replace("\\u0001", "\\u000A"),
            good.replace("\\u0001", "\u{1}"),
            good.replace("Jane Doe", "Jane \\x Doe"),
            good.replace("\"kinds\":[", "\"kinds\":{\"a\":["),
        ];
        for script in &other {
            assert_ne!(script, &good);
            assert_eq!(
                rename_pages(script.as_bytes(), &odd_names),
                None,
                "{script}"
            );
        }
        let mut broken = good.into_bytes();
        let at = broken.len() - 10;
        broken[at] = 0xff;
        assert_eq!(rename_pages(&broken, &odd_names), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_names_and_slugs_rename_as_the_whole_value_did(
            people in proptest::collection::vec((".{0,12}", ".{0,16}"), 0..6),
            redact in proptest::bool::ANY,
        ) {
            let notes = book(&people);
            let ps: Vec<&Partner> = notes.iter().collect();
            let sc = Scrubber::new(["Bo Lindqvist"], ["Jane Doe"]);
            let script = index_script(&ps, redact.then_some(&sc));
            let got = rename_pages(&script, &odd_names);
            proptest::prop_assert!(got.is_some());
            proptest::prop_assert_eq!(got, rename_pages_by_value(&script, &odd_names));
        }
    }

    #[test]
    fn a_redacted_index_holds_no_client_name() {
        let p = partner(NOTE_TEXT);
        let sc = Scrubber::new(["Bo Lindqvist"], ["Jane Doe"]);
        let script = index_script(&[&p], Some(&sc));
        let text = String::from_utf8(script.clone()).unwrap();
        assert!(!text.contains("Lindqvist"), "{text}");
        assert!(text.contains("S-corp return"));
        let mut names = std::collections::BTreeMap::new();
        names.insert(
            "partners/jane-doe.html".to_string(),
            "partners/0123.html".to_string(),
        );
        let renamed =
            parse_index(&rename_pages(&script, &|p| names.get(p).cloned()).unwrap()).unwrap();
        assert_eq!(renamed["pages"][0], "partners/0123.html");
    }
}
