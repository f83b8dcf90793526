//! The benchmark book generator's own tests: its notes are valid, its links
//! name partners of the book, and a seed gives the same book.

#[path = "../benches/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use corpus::{name, note};

#[test]
fn generated_notes_are_valid() {
    for i in 0..200 {
        let text = note(i, 7);
        if let Err(d) = rapport::read::note::parse("partners/x.md", "x", text.as_bytes()) {
            panic!("note {i} is invalid: {d:#?}\n{text}");
        }
    }
}

#[test]
fn links_name_partners_of_the_book() {
    let text = note(40, 7);
    let linked = text
        .rsplit("[[")
        .next()
        .unwrap()
        .split("]]")
        .next()
        .unwrap();
    assert!((0..=40).any(|k| name(k, 7) == linked), "{linked}");
}

#[test]
fn same_seed_same_book() {
    assert_eq!(note(3, 1), note(3, 1));
    assert_ne!(note(3, 1), note(3, 2));
}
