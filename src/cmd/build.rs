//! `rapport build`: build the book and write the site.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use rapport::build::output;
use rapport::build::pipeline::{self, Pipeline};
use rapport::diagnostics;

use rapport::encrypt::cli::{prepare, EncryptFlags};

use super::BuildArgs;

/// A spinner, then a bar, on a terminal; nothing when standard error is
/// not one (indicatif draws only there).
fn progress_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

pub fn run(args: &BuildArgs, encrypt: &EncryptFlags) -> ExitCode {
    let start = Instant::now();
    let mut pipeline = Pipeline::new();
    let spinner = ProgressBar::new_spinner().with_style(progress_style(
        "{spinner} reading and rendering the book… {elapsed}",
    ));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = pipeline.run(&args.options());
    spinner.finish_and_clear();
    let built = match result {
        Ok(b) => b,
        Err(failed) => {
            diagnostics::print(&failed.problems);
            eprintln!("{}", pipeline::summary(&failed.counts, &failed.problems));
            eprintln!("nothing was written; the previous site is unchanged");
            return ExitCode::from(1);
        }
    };
    diagnostics::print(&built.warnings);
    let on = built.settings.privacy.encrypt;
    let (encrypted, note) = match prepare(&built.files, &built.output, encrypt, on) {
        Ok(r) => r,
        Err(refusal) => {
            eprintln!("error: {}\nnothing was written", refusal.0);
            return ExitCode::from(2);
        }
    };
    note.inspect(|n| eprintln!("{n}"));
    let files = encrypted.as_ref().unwrap_or(&built.files);
    let bar = ProgressBar::new(files.len() as u64).with_style(progress_style(
        "writing the site {bar:30} {pos}/{len} files {elapsed}",
    ));
    let written = output::write_site_with(&built.output, files, &|| bar.inc(1));
    bar.finish_and_clear();
    match written {
        Ok(stats) => {
            eprintln!(
                "{}\nbuilt {} in {} ms: {} files written, {} unchanged, {} removed",
                pipeline::summary(&built.counts, &built.warnings),
                built.output.display(),
                start.elapsed().as_millis(),
                stats.written,
                stats.unchanged,
                stats.removed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: cannot write the site to {}: {e}",
                built.output.display()
            );
            ExitCode::from(1)
        }
    }
}
