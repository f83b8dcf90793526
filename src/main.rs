//! The `rapport` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use clap::{Args, Parser, Subcommand};

use rapport::book::Day;
use rapport::diagnostics;
use rapport::pipeline::{self, Options, Pipeline};
use rapport::{output, scaffold};

const EXAMPLES: &str = "\
Examples:
  rapport init my-book                 start a book with settings and one example note
  rapport new \"Jane Doe\" my-book       add partners/jane-doe.md to fill in
  rapport check my-book                list every problem in the notes and settings
  rapport build my-book                write the site to my-book/public
  rapport build . -o /tmp/site --as-of 2026-11-01
  rapport serve my-book --open         preview while you edit; pages reload on save";

/// Turns a folder of referral-partner notes into a private static site with
/// reciprocity charts and collaboration-readiness reports.
#[derive(Parser)]
#[command(name = "rapport", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct BuildArgs {
    /// The book's folder (holding rapport.yaml and partners/)
    #[arg(default_value = ".")]
    root: PathBuf,
    /// Write the site here instead of the book's output_dir (default public/)
    #[arg(short, long = "output", value_name = "DIR")]
    output: Option<PathBuf>,
    /// Compute the reports for this day instead of as_of or today
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    as_of: Option<Day>,
    /// Include notes marked `draft: true`
    #[arg(long)]
    drafts: bool,
}

impl BuildArgs {
    fn options(&self) -> Options {
        Options {
            root: self.root.clone(),
            output: self.output.clone(),
            as_of: self.as_of,
            drafts: self.drafts,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the site (exit 0 on success, 1 on any problem in the notes, 2 on bad usage)
    #[command(
        after_help = "Examples:\n  rapport build\n  rapport build sample-data\n  rapport build my-book -o /srv/private/partners --as-of 2026-11-01 --drafts\n\nNothing is written when any note, setting or template has a problem: the\nprevious site stays as it was. Only files whose content changed are rewritten."
    )]
    Build(BuildCmd),
    /// Check every note and the settings, print every problem, write nothing
    #[command(
        after_help = "Examples:\n  rapport check\n  rapport check my-book 2> problems.txt\n\nEnds with a summary line such as `14 partners, 73 referrals, 0 problems`;\nexits 1 when there is any problem."
    )]
    Check(BuildArgs),
    /// Build, then rebuild on every change to notes, settings, templates or static files
    #[command(
        after_help = "Examples:\n  rapport watch\n  rapport watch my-book -o /tmp/preview\n\nPrints one line per rebuild. A rebuild with problems prints them as `check`\ndoes and keeps the last good site; the next good save recovers. Ctrl-C stops."
    )]
    Watch(BuildArgs),
    /// Watch, and serve the site on 127.0.0.1 with pages that reload after each rebuild
    #[command(
        after_help = "Examples:\n  rapport serve\n  rapport serve my-book --port 8080 --open\n\nThe reload script is added only to served pages, never to the files written."
    )]
    Serve(ServeArgs),
    /// Write a fresh, valid note partners/<slug>.md to fill in
    #[command(
        after_help = "Examples:\n  rapport new \"Jane Doe\"            writes partners/jane-doe.md\n  rapport new \"Jane Doe\" my-book\n\nRefuses to overwrite: an existing note with the same slug is left alone."
    )]
    New {
        /// The partner's name, as it should appear on the site
        name: String,
        /// The book's folder
        #[arg(default_value = ".")]
        root: PathBuf,
    },
    /// Start a new book: settings, a notes folder and one example note
    #[command(
        after_help = "Examples:\n  rapport init my-book\n  cd my-book && rapport build\n\nRefuses a folder that is not empty."
    )]
    Init {
        /// The new book's folder (created if missing, must be empty)
        dir: PathBuf,
    },
}

#[derive(Args, Clone)]
struct BuildCmd {
    #[command(flatten)]
    build: BuildArgs,
    #[command(flatten)]
    encrypt: rapport::encrypt::cli::EncryptFlags,
}

#[derive(Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// The port to listen on
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on; keep the default to stay private to this machine
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    interface: std::net::IpAddr,
    /// Open the site in the default browser once it is served
    #[arg(long)]
    open: bool,
}

fn parse_day(s: &str) -> Result<Day, String> {
    Day::parse(s).ok_or_else(|| format!("`{s}` is not a date as YYYY-MM-DD"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(&args.build, &args.encrypt),
        Command::Check(args) => check(&args),
        Command::Watch(args) => rapport::watch::watch(&args.options()),
        Command::Serve(args) => rapport::serve::serve(
            &args.build.options(),
            &rapport::serve::ServeOptions {
                port: args.port,
                interface: args.interface,
                open: args.open,
            },
        ),
        Command::New { name, root } => match scaffold::new_note(&root, &name, pipeline::today()) {
            Ok(path) => {
                eprintln!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Init { dir } => match scaffold::init(&dir, pipeline::today()) {
            Ok(example) => {
                eprintln!(
                    "started a book in {}: rapport.yaml and {}\nnext: rapport build {}",
                    dir.display(),
                    example.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
    }
}

fn check(args: &BuildArgs) -> ExitCode {
    let mut pipeline = Pipeline::new();
    match pipeline.run(&args.options()) {
        Ok(built) => {
            diagnostics::print(&built.warnings);
            eprintln!("{}", pipeline::summary(&built.counts, &built.warnings));
            ExitCode::SUCCESS
        }
        Err(failed) => {
            diagnostics::print(&failed.problems);
            eprintln!("{}", pipeline::summary(&failed.counts, &failed.problems));
            ExitCode::from(1)
        }
    }
}

/// A spinner, then a bar, on a terminal; nothing when standard error is
/// not one (indicatif draws only there).
fn progress_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

fn build(args: &BuildArgs, encrypt: &rapport::encrypt::cli::EncryptFlags) -> ExitCode {
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
    let (encrypted, note) =
        match rapport::encrypt::cli::prepare(&built.files, &built.output, encrypt, on) {
            Ok(r) => r,
            Err(refusal) => {
                eprintln!(
                    "error: {}
nothing was written",
                    refusal.0
                );
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
