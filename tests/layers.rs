//! The stages of `src/` stand on each other in one order: a module may use
//! the modules below it, never one above it or beside it on its own floor.
//! This test reads every `crate::` path outside test code and fails on an
//! import that runs back up, so the house keeps its shape without a
//! drawing. A new top-level module gets a floor in `FLOORS` first.

use std::fs;
use std::path::{Path, PathBuf};

/// The floors, from the ground up. Modules on one floor do not use each
/// other.
const FLOORS: &[&[&str]] = &[
    // what every stage may use: located problems, the site in memory
    &["diagnostics", "site"],
    // text formats: decoding, front-matter, YAML with locations, dates
    &["syntax"],
    // the model, the settings, the book's folders
    &["book"],
    // reading notes; the numbers
    &["read", "analysis"],
    // pages and data files; the byte-preserving editor of a note
    &["render", "note_edit"],
    // an encrypted copy of a rendered site
    &["encrypt"],
    // one build, from a book to a written site
    &["pipeline"],
    // new notes and books; recording in a note; rebuilding on change
    &["scaffold", "log", "watch"],
    // importing an export (entries as `log` records them); the local server
    &["import", "serve"],
];

fn floor(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for the crate
/// roots and the command line, which may use everything).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (!["lib", "main", "cmd"].contains(&name.as_str())).then_some(name)
}

/// Every `crate::NAME` in the file's code before its test module, with its
/// line.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = &rest[..at];
            let tail = &rest[at + "crate::".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            // `$crate::` in a macro names the crate, as `crate::` does.
            if !name.is_empty() && !before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                found.push((i + 1, name));
            }
            rest = tail;
        }
    }
    found
}

fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue; // test modules may reach anywhere
        }
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some(own) = floor(&module) else {
            problems.push(format!("src/{module} has no floor in FLOORS"));
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for (line, used) in crate_paths(&text) {
            let Some(theirs) = floor(&used) else {
                continue; // a macro or an item of the crate root, such as `say!`
            };
            if used != module && theirs >= own {
                problems.push(format!(
                    "{}:{line}: `{module}` (floor {own}) uses `{used}` (floor {theirs})",
                    file.strip_prefix(src.parent().unwrap()).unwrap().display()
                ));
            }
        }
    }
    problems
}

#[test]
fn no_module_uses_one_on_its_own_floor_or_above() {
    let problems = violations();
    assert!(
        problems.is_empty(),
        "imports that run back up the stages:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_reader_finds_crate_paths_and_skips_test_code() {
    let text = "use crate::book::Day;\nfn f() { crate::render::x(); } // crate::serve\n\
                macro_rules! m { () => { $crate::say!() } }\n#[cfg(test)]\nuse crate::watch;\n";
    let found: Vec<String> = crate_paths(text).into_iter().map(|(_, m)| m).collect();
    assert_eq!(found, ["book", "render", "say"]);
}

#[test]
fn every_top_level_module_has_a_floor() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let name = name.trim_end_matches(".rs");
        if !["lib", "main", "cmd"].contains(&name) {
            assert!(floor(name).is_some(), "src/{name} has no floor in FLOORS");
        }
    }
}
