//! `rapport new`: a fresh, valid note to fill in.

use std::path::Path;
use std::process::ExitCode;

use rapport::book::{scaffold, today};

pub fn run(name: &str, root: &Path) -> ExitCode {
    match scaffold::new_note(root, name, today()) {
        Ok(path) => {
            rapport::say!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            rapport::say!("error: {e}");
            ExitCode::from(1)
        }
    }
}
