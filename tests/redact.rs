//! Redaction, attacked at random: client names planted in every free-text
//! field of random notes (body, wiki links, Markdown between the words,
//! block quotes, Markdown marks around the words of any field (`**Bo** Li`,
//! read through as a reader does), typographic apostrophes, decomposed
//! accents, `extra`, the
//! site title, a draft's referrals) never reach any file of a redacted
//! site, compared as a reader sees the text.

#[path = "common/sample.rs"]
mod sample;

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use unicode_normalization::UnicodeNormalization;

/// NFC, typographic quotes folded, lower case, white space collapsed.
fn fold(s: &str) -> String {
    let s: String = s
        .nfc()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML page as a reader sees it: tags gone, character
/// references decoded.
fn page_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    decode_references(&text)
}

fn decode_references(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|e| *e < 12);
        let decoded = end.and_then(|e| {
            let body = &rest[1..e];
            let c = match body {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let n = body.strip_prefix('#')?;
                    let n = match n.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(n)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every string of a JSON document, keys included.
fn json_strings(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push_str(k);
            out.push('\n');
            json_strings(x, out);
        }),
        _ => {}
    }
}

/// Every way a file of the site can show text: its bytes, and for a page
/// its text, for a data file its parsed strings.
fn readings(path: &Path, bytes: &[u8]) -> Vec<String> {
    let raw = String::from_utf8_lossy(bytes).into_owned();
    let mut all = vec![fold(&raw), fold(&decode_references(&raw))];
    let name = path.to_string_lossy();
    if name.ends_with(".html") || name.ends_with(".svg") {
        all.push(fold(&page_text(&raw)));
        all.push(fold(&unmarked(&page_text(&raw))));
    }
    // Read through the marks too, as a reader does.
    all.push(fold(&unmarked(&decode_references(&raw))));
    if name.ends_with(".json") {
        let v: serde_json::Value = serde_json::from_str(&raw).expect("valid JSON");
        let mut s = String::new();
        json_strings(&v, &mut s);
        all.push(fold(&s));
    }
    if name.ends_with("data/search.js") {
        // The search index: a script that hands over one JSON object.
        let json = raw
            .strip_prefix("rapportSearchIndex(")
            .and_then(|r| r.trim_end().strip_suffix(");"))
            .expect("the search index is one call");
        let v: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
        let mut s = String::new();
        json_strings(&v, &mut s);
        all.push(fold(&s));
    }
    if name.ends_with(".csv") {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes);
        let cells: Vec<String> = r
            .records()
            .flat_map(|rec| rec.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        all.push(fold(&cells.join("\n")));
    }
    all
}

fn files(dir: &Path, out: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push((p.clone(), fs::read(&p).unwrap()));
        }
    }
}

/// A client name: two or three words, with accents, apostrophes and
/// hyphens among them.
fn name() -> impl Strategy<Value = String> {
    let word = "[A-Z][a-z]{2,6}";
    let accented = prop::sample::select(vec!["Zoë", "José", "Núñez", "Ørsted", "Łukasz", "Béla"]);
    let part = prop_oneof![
        4 => proptest::string::string_regex(word).unwrap(),
        1 => accented.prop_map(str::to_owned),
        1 => proptest::string::string_regex("O'[A-Z][a-z]{3,6}").unwrap(),
        1 => proptest::string::string_regex("[A-Z][a-z]{2,5}-[A-Z][a-z]{2,7}").unwrap(),
    ];
    prop::collection::vec(part, 2..=3).prop_map(|w| w.join(" "))
}

/// How a note may spell a name: as is, with a typographic apostrophe,
/// decomposed, in capitals, over a line break, with Markdown between the
/// words, in a wiki link, at a block quote's line break.
fn spellings(name: &str, i: usize) -> String {
    let (first, rest) = name.split_once(' ').expect("two words");
    match i % 9 {
        0 => name.to_string(),
        1 => name.replace('\'', "\u{2019}"),
        2 => name.nfd().collect(),
        3 => name.to_uppercase(),
        4 => format!("{first}\n{rest}"),
        5 => format!("**{first}** {rest}"),
        6 => format!("[[{name}]]"),
        7 => format!("[[x|{name}]]"),
        _ => format!("\n\n> {first}\n> {rest}\n\n"),
    }
}

/// A name with Markdown marks around its words, as someone typing a
/// plain field might write it: the marks split the name, a reader still
/// reads it.
fn marked(name: &str, i: usize) -> String {
    let (first, rest) = name.split_once(' ').expect("two words");
    match i % 8 {
        0 => format!("**{first}** {rest}"),
        1 => format!("*{first}* {rest}"),
        2 => format!("__{first}__ {rest}"),
        3 => format!("_{first}_ {rest}"),
        4 => format!("~~{first}~~ {rest}"),
        5 => format!("`{first}` {rest}"),
        6 => format!("{first} **{rest}**"),
        _ => format!("**{name}**"),
    }
}

/// Text with the Markdown marks a reader reads through taken out.
fn unmarked(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '*' | '_' | '~' | '`'))
        .collect()
}

/// A YAML double-quoted string.
fn yq(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn build_book(dir: &Path, clients: &[String], draft_client: &str) {
    fs::create_dir_all(dir.join("partners")).unwrap();
    let title = format!(
        "Partners of {} and {}",
        clients[0],
        marked(&clients[1 % clients.len()], 0)
    );
    fs::write(
        dir.join("rapport.yaml"),
        format!(
            "title: {}\nas_of: 2026-11-01\nprivacy:\n  redact_clients: true\n",
            yq(&title)
        ),
    )
    .unwrap();
    let n = clients.len();
    let pick = |k: usize| spellings(&clients[k % n], k);
    let flat = |k: usize| clients[k % n].clone();
    let mark = |k: usize| marked(&clients[k % n], k);
    for p in 0..2 {
        let mut note = format!(
            "---\nname: Partner {p}\nfirm: {}\nprofession: {}\ntags: [{}, {}]\nideal_clients: [{}, {}]\n",
            yq(&flat(p + 1)),
            yq(&mark(p + 2)),
            yq(&flat(p + 3)),
            yq(&mark(p + 3)),
            yq(&flat(p + 4)),
            yq(&mark(p + 4)),
        );
        note.push_str("referrals:\n");
        for (k, c) in clients.iter().enumerate() {
            note.push_str(&format!(
                "  - date: 2026-0{}-1{}\n    direction: {}\n    client: {}\n    note: {}\n",
                1 + k % 9,
                k % 10,
                if k % 2 == 0 { "given" } else { "received" },
                yq(c),
                yq(&format!("{} then {}", mark(k + 1), pick(k + 3)))
            ));
        }
        note.push_str(&format!(
            "meetings:\n  - date: 2026-03-02\n    kind: check-in\n    summary: {}\n  - date: 2026-04-02\n    kind: call\n    summary: {}\n",
            yq(&format!("Talked about {}", pick(p + 5))),
            yq(&format!("Talked about {}", mark(p + 5)))
        ));
        note.push_str(&format!(
            "initiatives:\n  - name: {}\n    started: 2026-01-05\n    status: active\n  - name: {}\n    status: idea\n",
            yq(&format!("Seminar with {}", flat(p + 6))),
            yq(&format!("Dinner with {}", mark(p + 6)))
        ));
        note.push_str(&format!(
            "next_step:\n  date: 2026-11-20\n  action: {}\nsteps:\n  - date: 2026-10-01\n    action: {}\n",
            yq(&format!("Call {}", pick(p + 7))),
            yq(&format!("Wrote to {}", mark(p + 7)))
        ));
        note.push_str(&format!(
            "extra:\n  {}: {}\n  list: [{}, {}]\n",
            yq(&flat(p + 8)),
            yq(&mark(p + 9)),
            yq(&pick(p + 10)),
            yq(&mark(p + 10))
        ));
        note.push_str("---\n");
        for k in 0..12 {
            note.push_str(&format!("Word {k} about {} here.\n", pick(k + p)));
        }
        for k in 0..8 {
            note.push_str(&format!(
                "Mark {k}: {} here.\n",
                marked(&clients[(k + p) % n], k)
            ));
        }
        note.push_str(&format!(
            "Also {draft_client} and {}.\n",
            spellings(draft_client, p + 5)
        ));
        fs::write(dir.join(format!("partners/partner-{p}.md")), note).unwrap();
    }
    // A partner who shares the clients' surnames: a surname is then not
    // scrubbed alone, so only the whole name, read through its marks,
    // keeps it off the site.
    let surnames: Vec<&str> = clients
        .iter()
        .filter_map(|c| c.rsplit(' ').next())
        .filter(|s| s.chars().all(char::is_alphabetic))
        .collect();
    if !surnames.is_empty() {
        fs::write(
            dir.join("partners/namesake.md"),
            format!(
                "---\nname: {}\n---\n",
                yq(&format!("Namesake {}", surnames.join(" ")))
            ),
        )
        .unwrap();
    }
    fs::write(
        dir.join("partners/hidden.md"),
        format!(
            "---\nname: Hidden Partner\ndraft: true\nreferrals:\n  - date: 2026-02-02\n    direction: given\n    client: {}\n---\n",
            yq(draft_client)
        ),
    )
    .unwrap();
}

proptest! {
    #![proptest_config(Config {
        cases: 12,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(9),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn planted_client_names_reach_no_file_of_a_redacted_site(
        clients in prop::collection::vec(name(), 3..8),
        draft_client in name(),
    ) {
        let book = tempfile::tempdir().unwrap();
        build_book(book.path(), &clients, &draft_client);
        let out = book.path().join("site");
        let run = sample::build(book.path(), &out);
        prop_assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let mut written = Vec::new();
        files(&out, &mut written);
        prop_assert!(written.len() > 5);
        // The search index is written, and holds the notes' other words.
        let index = written
            .iter()
            .find(|(p, _)| p.ends_with("data/search.js"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .expect("a search index");
        prop_assert!(index.contains("Word 3 about") && index.contains("Seminar with"));
        for (path, bytes) in &written {
            for reading in readings(path, bytes) {
                for c in clients.iter().chain([&draft_client]) {
                    prop_assert!(
                        !reading.contains(&fold(c)),
                        "{c:?} in {}",
                        path.display()
                    );
                }
            }
        }
    }
}
