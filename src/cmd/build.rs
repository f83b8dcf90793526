//! `rapport build`: build the book and write the site. The build is the
//! library's ([`Session::build`]); this file shows its progress, says what
//! it did, and gives the exit code.

use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use rapport::diagnostics;
use rapport::encrypt::publish::EncryptFlags;
use rapport::pipeline::output;
use rapport::pipeline::session::{BuildError, Progress, Session, WriteError, Written};
use rapport::pipeline::stages;
use rapport::say;

use super::BuildArgs;

/// A spinner, then a bar, on a terminal; nothing when standard error is
/// not one (indicatif draws only there).
fn progress_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

pub fn run(args: &BuildArgs, encrypt: &EncryptFlags) -> ExitCode {
    let start = Instant::now();
    // Ctrl-C or SIGTERM stops the build, but never while its files are
    // being put in place: those finish first.
    if let Err(e) = ctrlc::set_handler(|| output::exit_when_safe(130)) {
        say!("warning: cannot catch Ctrl-C: {e}");
    }
    let session = Session::new(&args.options());
    let spinner = ProgressBar::new_spinner().with_style(progress_style(
        "{spinner} reading and rendering the book… {elapsed}",
    ));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let shown = |p: Progress| match p {
        Progress::Note(n) => say!("{n}"),
        Progress::Rendered => spinner.finish_and_clear(),
        Progress::Warnings(w) => diagnostics::print(w),
        // Pages and data files go aside as they are made; what is left
        // to write here (static files, an encrypted site's last files)
        // gets a bar only when there is any.
        Progress::Writing { files: 0 } => {}
        Progress::Writing { files } => {
            *bar.lock().expect("no panic holds it") =
                Some(ProgressBar::new(files as u64).with_style(progress_style(
                    "writing the site {bar:30} {pos}/{len} files {elapsed}",
                )));
        }
        Progress::WroteOne => {
            if let Some(b) = &*bar.lock().expect("no panic holds it") {
                b.inc(1);
            }
        }
        Progress::Written => {
            if let Some(b) = bar.lock().expect("no panic holds it").take() {
                b.finish_and_clear();
            }
        }
    };
    let result = session.build(encrypt, &shown);
    spinner.finish_and_clear();
    match result {
        Ok(written) => {
            built(&written, start);
            ExitCode::SUCCESS
        }
        Err(e) => failed(e),
    }
}

/// What a build that wrote its site (or found it unchanged) says.
fn built(written: &Written, start: Instant) {
    let summary = stages::summary(&written.counts, &written.warnings);
    let ms = start.elapsed().as_millis();
    let out = written.output.display();
    match written.stats {
        Some(stats) => say!(
            "{summary}\nbuilt {out} in {ms} ms: {} files written, {} unchanged, {} removed",
            stats.written,
            stats.unchanged,
            stats.removed
        ),
        None => say!("{summary}\nbuilt {out} in {ms} ms: nothing changed, 0 files written"),
    }
}

/// What a build that wrote nothing (or not all) says, and its exit code.
fn failed(e: BuildError) -> ExitCode {
    match e {
        BuildError::Problems(failed) => {
            diagnostics::print(&failed.problems);
            say!("{}", stages::summary(&failed.counts, &failed.problems));
            say!("nothing was written; the previous site is unchanged");
            ExitCode::from(1)
        }
        BuildError::Write(WriteError::NotRapports(d)) => {
            diagnostics::print(&[*d]);
            say!("nothing was written");
            ExitCode::from(2)
        }
        BuildError::Write(WriteError::Refused(refusal)) => {
            say!("error: {}\nnothing was written", refusal.0);
            ExitCode::from(refusal.1)
        }
        BuildError::Write(e @ WriteError::Failed(_)) => {
            say!("error: {e}\nthe previous site is unchanged");
            ExitCode::from(1)
        }
        BuildError::Write(e @ WriteError::PartlyUpdated(_)) => {
            say!("error: {e}");
            ExitCode::from(1)
        }
    }
}
