//! `rapport init`: start a new book.

use std::path::Path;
use std::process::ExitCode;

use rapport::{book::today, scaffold};

pub fn run(dir: &Path) -> ExitCode {
    match scaffold::init(dir, today()) {
        Ok(example) => {
            rapport::say!(
                "started a book in {}: rapport.yaml and {}\nnext: rapport build {}",
                dir.display(),
                example.display(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            rapport::say!("error: {e}");
            ExitCode::from(1)
        }
    }
}
