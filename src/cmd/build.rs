//! `rapport build`: build the book and write the site.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use rapport::book::layout::check_output_folder;
use rapport::book::Settings;
use rapport::diagnostics;
use rapport::encrypt::SALT_FILE;
use rapport::pipeline::stages::{self, Pipeline};
use rapport::pipeline::{inputs, output};
use rapport::say;

use rapport::encrypt::publish::{self as encrypt_publish, EncryptFlags, Refusal};
use rapport::encrypt::{encrypt_site_into, SiteKey};

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
    let mut pipeline = Pipeline::new();
    let spinner = ProgressBar::new_spinner().with_style(progress_style(
        "{spinner} reading and rendering the book… {elapsed}",
    ));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let opts = args.options();
    // An unchanged book into an untouched site: nothing to render or
    // write (see `unchanged`). An encrypted site is unchanged only under
    // the key it was written with (its salt and check value join the
    // fingerprint); --rekey and --change-password always rewrite.
    let mut inputs = (!encrypt.rekey && !encrypt.change_password)
        .then(|| inputs::Inputs::read(&opts, &inputs::rapport_identity()))
        .flatten();
    let mut key: Option<SiteKey> = None;
    if let Some(i) = &mut inputs {
        if encrypts(encrypt, &i.settings, &i.layout.output) {
            let (k, note) = match encrypt_publish::build_key(
                &i.layout.output,
                encrypt,
                i.settings.privacy.encrypt,
            ) {
                Ok(k) => k,
                Err(refusal) => {
                    spinner.finish_and_clear();
                    return refuse(&refusal);
                }
            };
            i.fingerprint = i.fingerprint.with(&k.public_id());
            key = Some(k);
            if let Some(n) = note {
                say!("{n}");
            }
        }
        if let Some(last) = inputs::unchanged(&i.layout.output, &i.fingerprint) {
            return unchanged(
                &mut pipeline,
                &opts,
                last,
                &i.layout.output,
                start,
                &spinner,
            );
        }
    }
    // The notes folder was just walked for the record: not again.
    if let Some(i) = &mut inputs {
        if let Some(walk) = i.walk.take() {
            pipeline.adopt_walk(i.layout.notes.clone(), walk);
        }
    }
    let prepared = match pipeline.prepare(&opts) {
        Ok(p) => p,
        Err(failed) => {
            spinner.finish_and_clear();
            return failed_build(&failed);
        }
    };
    // A site is written as it is rendered, encrypted or not.
    let out = prepared.layout().output.clone();
    let plain = !encrypts(encrypt, prepared.settings(), &out);
    if let Some(refusal) = check_output_folder(&out, args.force) {
        spinner.finish_and_clear();
        diagnostics::print(&[refusal]);
        say!("nothing was written");
        return ExitCode::from(2);
    }
    if plain {
        return build_plain(pipeline, prepared, &inputs, start, &spinner);
    }
    // The key before anything is rendered: a refused password wastes no
    // render.
    let key = match key {
        Some(k) => k,
        None => {
            let setting = prepared.settings().privacy.encrypt;
            match encrypt_publish::build_key(&out, encrypt, setting) {
                Ok((k, note)) => {
                    note.inspect(|n| say!("{n}"));
                    k
                }
                Err(refusal) => {
                    spinner.finish_and_clear();
                    return refuse(&refusal);
                }
            }
        }
    };
    build_encrypted(pipeline, prepared, &inputs, &key, start, &spinner)
}

/// Renders, encrypts and writes an encrypted site: each partner page is
/// encrypted and goes aside in the output folder as soon as it is
/// rendered, as a plain build's does, so neither the plain nor the
/// encrypted pages are all held at once; once every page has rendered,
/// the rest of the site is encrypted file by file, each file going aside
/// (a large one in pieces) and its plaintext let go of as soon as it is
/// encrypted.
fn build_encrypted(
    mut pipeline: Pipeline,
    prepared: stages::Prepared,
    inputs: &Option<inputs::Inputs>,
    key: &SiteKey,
    start: Instant,
    spinner: &ProgressBar,
) -> ExitCode {
    let out = prepared.layout().output.clone();
    let staged = match open_staged(&out, spinner) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let inline = std::sync::Mutex::new(Vec::new());
    let result = pipeline.render_into(prepared, &|rel, bytes| {
        let (locked, runs_inline) = rapport::encrypt::encrypt_and_check_page(key, rel, bytes, true);
        if runs_inline {
            inline
                .lock()
                .expect("no panic holds it")
                .push(rel.to_string());
            return;
        }
        let target = locked.path().to_string();
        staged.put(&target, &locked.into_bytes());
    });
    spinner.finish_and_clear();
    let mut built = match result {
        Ok(b) => b,
        Err(failed) => {
            drop(staged);
            return failed_build(&failed);
        }
    };
    // The site's files are held by the site alone, so each is let go of
    // once encrypted.
    pipeline.forget_rendered();
    std::thread::spawn(move || drop(pipeline));
    let mut inline = inline.into_inner().expect("no panic holds it");
    // The rest of the site is encrypted and goes aside file by file.
    let (clear, more) = encrypt_site_into(
        std::mem::take(&mut built.files),
        key,
        &|path, len, pieces| staged.put_pieces(path, len, pieces),
    );
    inline.extend(more);
    if !inline.is_empty() {
        drop(staged);
        inline.sort();
        return refuse(&encrypt_publish::inline_script_refusal(&inline));
    }
    diagnostics::print(&built.warnings);
    let written = commit(staged, &clear, &built, inputs);
    report_written(written, built, start)
}

/// What a build says once its site is written, or could not be.
fn report_written(
    written: std::io::Result<output::WriteStats>,
    built: stages::Built,
    start: Instant,
) -> ExitCode {
    let code = match written {
        Ok(stats) => {
            say!(
                "{}\nbuilt {} in {} ms: {} files written, {} unchanged, {} removed",
                stages::summary(&built.counts, &built.warnings),
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
    };
    // The process ends here and the system takes its memory back at once;
    // freeing the site piece by piece first only costs time.
    std::mem::forget(built);
    code
}

/// Whether the site is to be encrypted: asked for, set in the settings,
/// or already so in the output folder.
fn encrypts(flags: &EncryptFlags, settings: &Settings, out: &std::path::Path) -> bool {
    flags.any() || settings.privacy.encrypt || out.join(SALT_FILE).exists()
}

/// What a refused encryption says; nothing was written.
fn refuse(refusal: &Refusal) -> ExitCode {
    say!("error: {}\nnothing was written", refusal.0);
    ExitCode::from(refusal.1)
}

/// What a build that failed says.
fn failed_build(failed: &stages::Failed) -> ExitCode {
    diagnostics::print(&failed.problems);
    say!("{}", stages::summary(&failed.counts, &failed.problems));
    say!("nothing was written; the previous site is unchanged");
    ExitCode::from(1)
}

/// Renders and writes a plain site: each partner page goes aside in the
/// output folder as soon as it is rendered, and the whole site is renamed
/// into place once every page has rendered (or everything written aside
/// is removed, when one fails).
fn build_plain(
    mut pipeline: Pipeline,
    prepared: stages::Prepared,
    inputs: &Option<inputs::Inputs>,
    start: Instant,
    spinner: &ProgressBar,
) -> ExitCode {
    let out = prepared.layout().output.clone();
    let staged = match open_staged(&out, spinner) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = pipeline.render_into(prepared, &|rel, bytes| staged.put(rel, bytes));
    spinner.finish_and_clear();
    let built = match result {
        Ok(b) => b,
        Err(failed) => {
            drop(staged);
            return failed_build(&failed);
        }
    };
    // The pages of the book are held no longer than needed, and let go
    // of beside the writing.
    std::thread::spawn(move || drop(pipeline));
    diagnostics::print(&built.warnings);
    let written = commit(staged, &built.files, &built, inputs);
    report_written(written, built, start)
}

/// An unchanged book into an untouched site: nothing to render or write.
/// A book without warnings is not even parsed; one with warnings is
/// parsed and checked again to show them.
fn unchanged(
    pipeline: &mut Pipeline,
    opts: &stages::Options,
    last: inputs::Outcome,
    out: &std::path::Path,
    start: Instant,
    spinner: &ProgressBar,
) -> ExitCode {
    let (counts, warnings) = if last.warnings == 0 {
        (last.counts, Vec::new())
    } else {
        match pipeline
            .prepare(opts)
            .and_then(stages::warnings_without_rendering)
        {
            Ok(checked) => (checked.counts, checked.warnings),
            Err(failed) => {
                spinner.finish_and_clear();
                return failed_build(&failed);
            }
        }
    };
    spinner.finish_and_clear();
    diagnostics::print(&warnings);
    say!(
        "{}\nbuilt {} in {} ms: nothing changed, 0 files written",
        stages::summary(&counts, &warnings),
        out.display(),
        start.elapsed().as_millis(),
    );
    ExitCode::SUCCESS
}

/// Opens the write of the site in `out` before rendering; when it cannot
/// be opened, says so (nothing has changed) and gives the exit code.
fn open_staged(out: &std::path::Path, spinner: &ProgressBar) -> Result<output::Staged, ExitCode> {
    output::Staged::open(out).map_err(|e| {
        spinner.finish_and_clear();
        say!("error: cannot write the site: {e}\nthe previous site is unchanged");
        ExitCode::from(1)
    })
}

/// Renames the site written aside into place, with a progress bar, and
/// records what this build read (or forgets the record when it cannot
/// be kept), beside the manifest.
fn commit(
    staged: output::Staged,
    files: &rapport::site::SiteFiles,
    built: &stages::Built,
    inputs: &Option<inputs::Inputs>,
) -> std::io::Result<output::WriteStats> {
    let bar = ProgressBar::new(files.len() as u64).with_style(progress_style(
        "writing the site {bar:30} {pos}/{len} files {elapsed}",
    ));
    let written = staged.commit(files, None, &|| bar.inc(1), |names| match inputs {
        Some(i) => {
            let outcome = inputs::Outcome {
                counts: built.counts,
                warnings: built.warnings.len(),
            };
            inputs::record(&built.output, &i.fingerprint, &outcome, names)
        }
        None => inputs::forget(&built.output),
    });
    bar.finish_and_clear();
    written
}
