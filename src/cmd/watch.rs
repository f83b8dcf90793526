//! `rapport watch`: build, then rebuild on every change. The loop is the
//! library's (`rapport::watch::run`); this file says what it does, and
//! gives the exit code.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use rapport::book::settings;
use rapport::diagnostics;
use rapport::pipeline::output;
use rapport::pipeline::session::Rebuild;
use rapport::pipeline::stages;
use rapport::say;
use rapport::watch::{self, Event, WatchError, Watched};

use super::BuildArgs;

pub fn run(args: &BuildArgs) -> ExitCode {
    catch_interrupt();
    let result = watch::run(&args.options(), |event| show(&event, "watching"));
    exit_code(result)
}

/// Catches Ctrl-C (and SIGTERM) so that a rebuild in progress finishes
/// its writes before the program stops; a second Ctrl-C stops at once.
pub fn catch_interrupt() {
    let set = ctrlc::set_handler(|| {
        if watch::interrupt() {
            output::exit_when_safe(130);
        }
    });
    if let Err(e) = set {
        say!("warning: cannot catch Ctrl-C: {e}");
    }
}

/// What the end of the watch loop says, and its exit code.
pub fn exit_code(result: Result<(), WatchError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say!("error: {e}");
            match e {
                WatchError::NotAFolder(_) => ExitCode::from(2),
                WatchError::CannotWatch(_) | WatchError::WatcherStopped => ExitCode::from(1),
            }
        }
    }
}

/// Says what the watch loop did; `doing` begins the line that says what
/// is watched ("watching", or what `serve` does beside).
pub fn show(event: &Event, doing: &str) {
    match event {
        Event::Rebuilt {
            change,
            outcome,
            took,
            root,
            output,
        } => report(
            outcome,
            change.unwrap_or("first build"),
            *took,
            root,
            output,
        ),
        Event::Watching { root, folders } => {
            let shown: Vec<String> = folders
                .iter()
                .map(|w| match w {
                    Watched::WholeBook => "the whole book but its output folder".to_string(),
                    Watched::SettingsFile => settings::FILE.to_string(),
                    Watched::Folder(rel) => format!("{rel}/"),
                })
                .collect();
            say!(
                "{doing} {} ({}); Ctrl-C stops",
                root.display(),
                shown.join(", ")
            );
        }
        Event::CannotWatch { path, error } => {
            say!("warning: cannot watch {}: {error}", path.display())
        }
        Event::WatcherTrouble(e) => say!("warning: file watcher: {e}"),
        Event::Stopped => say!("stopped"),
    }
}

fn clock() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Prints the outcome of a rebuild: problems as `check` prints them, then
/// one line.
fn report(outcome: &Rebuild, what: &str, took: Duration, root: &Path, output: &Path) {
    let ms = took.as_millis();
    // File names can hold control characters too.
    let what = diagnostics::escape_controls(what);
    let output = match output.strip_prefix(root) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => output.display().to_string(),
    };
    match outcome {
        Rebuild::Built {
            stats,
            warnings,
            counts,
            ..
        } => {
            diagnostics::print(warnings);
            say!(
                "[{}] {what}: rebuilt {output} in {ms} ms; {}; {} written, {} removed",
                clock(),
                stages::summary(counts, warnings),
                plural(stats.written, "file"),
                stats.removed
            );
        }
        Rebuild::Failed { problems, counts } => {
            diagnostics::print(problems);
            say!(
                "[{}] {what}: {} (found in {ms} ms); nothing written, the last good site is kept",
                clock(),
                stages::summary(counts, problems)
            );
        }
        Rebuild::WriteError(e) => say!(
            "[{}] {what}: error: {}",
            clock(),
            diagnostics::escape_controls(&e.to_string())
        ),
    }
}
