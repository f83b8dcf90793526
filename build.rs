//! Embeds the built-in templates: every file of `templates/` becomes an
//! entry of `BUILTIN` (src/render/templates.rs), so a new template is only
//! its file. Cargo runs this again when a file in `templates/` is added,
//! removed or changed.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the templates folder")
        .map(|e| e.expect("a template"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            e.file_name()
                .into_string()
                .expect("a template's name is UTF-8")
        })
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut out = String::from("/// The built-in templates, by name (made by build.rs from `templates/`).\npub const BUILTIN: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = dir.join(name);
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let to = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_templates.rs");
    std::fs::write(to, out).expect("write the list of templates");
}
