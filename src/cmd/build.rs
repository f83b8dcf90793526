//! `rapport build`: build the book and write the site.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use rapport::book::layout::check_output_folder;
use rapport::build::pipeline::{self, Pipeline};
use rapport::build::{inputs, output};
use rapport::diagnostics;
use rapport::encrypt::SALT_FILE;
use rapport::say;

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
    let opts = args.options();
    // An unchanged book into an untouched site: nothing to parse, render
    // or write; what the last build reported is shown again. Encrypted
    // builds always render (their key comes with the password).
    let inputs = (!encrypt.encrypt && !encrypt.rekey)
        .then(|| inputs::Inputs::read(&opts, &inputs::rapport_identity()))
        .flatten()
        .filter(|i| !i.settings.privacy.encrypt && !i.layout.output.join(SALT_FILE).exists());
    if let Some(i) = &inputs {
        if let Some(last) = inputs::unchanged(&i.layout.output, &i.fingerprint) {
            spinner.finish_and_clear();
            diagnostics::print(&last.warnings);
            say!(
                "{}\nbuilt {} in {} ms: nothing changed, 0 files written",
                pipeline::summary(&last.counts, &last.warnings),
                i.layout.output.display(),
                start.elapsed().as_millis(),
            );
            return ExitCode::SUCCESS;
        }
    }
    let result = pipeline.prepare(&opts).and_then(|p| pipeline.render(p));
    spinner.finish_and_clear();
    let built = match result {
        Ok(b) => b,
        Err(failed) => {
            diagnostics::print(&failed.problems);
            say!("{}", pipeline::summary(&failed.counts, &failed.problems));
            say!("nothing was written; the previous site is unchanged");
            return ExitCode::from(1);
        }
    };
    diagnostics::print(&built.warnings);
    if let Some(refusal) = check_output_folder(&built.output, args.force) {
        diagnostics::print(&[refusal]);
        say!("nothing was written");
        return ExitCode::from(2);
    }
    let on = built.settings.privacy.encrypt;
    let (encrypted, note) = match prepare(&built.files, &built.output, encrypt, on) {
        Ok(r) => r,
        Err(refusal) => {
            say!("error: {}\nnothing was written", refusal.0);
            return ExitCode::from(2);
        }
    };
    note.inspect(|n| say!("{n}"));
    let files = encrypted.as_ref().unwrap_or(&built.files);
    let bar = ProgressBar::new(files.len() as u64).with_style(progress_style(
        "writing the site {bar:30} {pos}/{len} files {elapsed}",
    ));
    let written = output::write_site_then(&built.output, files, &|| bar.inc(1), || match &inputs {
        Some(i) if encrypted.is_none() => {
            let outcome = inputs::Outcome {
                counts: built.counts,
                warnings: built.warnings.clone(),
            };
            inputs::record(&built.output, &i.fingerprint, &outcome, files)
        }
        _ => inputs::forget(&built.output),
    });
    bar.finish_and_clear();
    match written {
        Ok(stats) => {
            say!(
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
            say!("error: cannot write the site: {e}");
            if !e.to_string().contains("partly updated") {
                say!("the previous site is unchanged");
            }
            ExitCode::from(1)
        }
    }
}
