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
/// when `script` is not an index.
pub fn rename_pages(script: &[u8], rename: &dyn Fn(&str) -> Option<String>) -> Option<Vec<u8>> {
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
