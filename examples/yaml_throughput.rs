//! How fast the front-matter of a book can be read, on one core: by
//! rapport's reader (the quick reader for plain YAML, `yaml_serde` for the
//! rest, as a build does), by `yaml_serde` alone into the typed
//! `FrontMatter`, and by `saphyr-parser` producing its events and nothing
//! else (a floor for any parser that reads all of YAML).
//!
//!     cargo run --release --example yaml_throughput -- target/bench-books/heavy-10000/partners

use std::time::Instant;

/// The text between the opening and the closing `---` lines.
fn front_matter(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---")?;
    Some(&rest[..end + 1])
}

fn main() {
    let root = std::env::args().nth(1).expect("a folder of notes");
    let texts: Vec<String> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let yaml: Vec<&str> = texts.iter().filter_map(|t| front_matter(t)).collect();
    let bytes: usize = yaml.iter().map(|y| y.len()).sum();
    println!("{} notes, {bytes} bytes of front-matter", yaml.len());
    for round in 1..=3 {
        let t = Instant::now();
        let mut read = 0;
        for y in &yaml {
            let fm: Result<rapport::book::FrontMatter, _> = yaml_serde::from_str(y);
            read += usize::from(fm.is_ok());
        }
        let typed = t.elapsed();
        let t = Instant::now();
        let mut events = 0usize;
        for y in &yaml {
            let mut parser = saphyr_parser::Parser::new_from_str(y);
            while let Some(Ok(_)) = parser.next() {
                events += 1;
            }
        }
        let raw = t.elapsed();
        let t = Instant::now();
        let mut ours = 0;
        for y in &yaml {
            let fm: Result<rapport::book::FrontMatter, _> =
                rapport::syntax::yaml::from_str(y, rapport::read::note::NOTE);
            ours += usize::from(fm.is_ok());
        }
        let quick = t.elapsed();
        println!(
            "round {round}: rapport's reader {:.0} ms ({ours} read); yaml_serde into FrontMatter {:.0} ms ({read} read); saphyr-parser events only {:.0} ms ({events} events)",
            quick.as_secs_f64() * 1e3,
            typed.as_secs_f64() * 1e3,
            raw.as_secs_f64() * 1e3
        );
    }
}
