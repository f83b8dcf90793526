//! The subcommands, one file each, and the arguments they share.

pub mod build;
pub mod check;
pub mod completions;
mod help;
pub mod import;
pub mod init;
pub mod log;
pub mod new;
pub mod passphrase;
pub mod serve;
pub mod watch;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use rapport::encrypt::publish::EncryptFlags;

use rapport::book::Day;
use rapport::pipeline::stages::Options;

const EXAMPLES: &str = "\
Examples:
  rapport init my-book                 start a book with settings and one example note
  rapport new \"Jane Doe\" --firm \"Doe CPAs\"  add partners/jane-doe.md to fill in
  rapport check my-book                list every problem in the notes and settings
  rapport build my-book                write the site to my-book/public
  rapport build . -o /tmp/site --as-of 2026-11-01
  rapport serve my-book --open         preview while you edit; pages reload on save
  rapport log \"Jane Doe\" given --client \"R. Smith\" --outcome exceeded
  rapport import crm-export.csv my-book    show what a CSV export would add; --write adds it
  rapport completions bash > ~/.local/share/bash-completion/completions/rapport";

/// Turns a folder of referral-partner notes into a private static site with
/// reciprocity charts and collaboration-readiness reports.
#[derive(Parser)]
#[command(name = "rapport", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct BuildArgs {
    /// The book's folder (holding rapport.yaml and partners/)
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Write the site here instead of the book's output_dir (default public/)
    #[arg(short, long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Compute the reports for this day instead of as_of or today
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub as_of: Option<Day>,
    /// Include notes marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Write into an output folder that is not empty and holds no site
    /// rapport wrote (its files may be replaced)
    #[arg(long)]
    pub force: bool,
}

impl BuildArgs {
    /// Completes a build killed while renaming in the folder of `-o`,
    /// before anything else (the book's own output folder is completed
    /// when its settings are read).
    pub fn recover(&self) {
        if let Some(out) = &self.output {
            let out = rapport::book::layout::resolve(out);
            rapport::pipeline::output::recover_and_say(&out);
        }
    }

    pub fn options(&self) -> Options {
        Options {
            root: self.root.clone(),
            output: self.output.clone(),
            as_of: self.as_of,
            drafts: self.drafts,
            force: self.force,
            today: None,
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Build the site (exit 0 on success, 1 on any problem in the notes, 2 on bad usage)
    #[command(after_help = help::BUILD)]
    Build(BuildCmd),
    /// Check every note and the settings, print every problem, write nothing
    #[command(after_help = help::CHECK)]
    Check(BuildArgs),
    /// Build, then rebuild on every change to notes, settings, templates or static files
    #[command(after_help = help::WATCH)]
    Watch(BuildArgs),
    /// Watch, and serve the site on 127.0.0.1 with pages that reload after each rebuild
    #[command(after_help = help::SERVE)]
    Serve(ServeArgs),
    /// Write a fresh, valid note partners/<slug>.md to fill in
    #[command(after_help = help::NEW)]
    New(new::NewArgs),
    /// Start a new book: settings, a notes folder and one example note
    #[command(after_help = help::INIT)]
    Init {
        /// The new book's folder (created if missing, must be empty)
        dir: PathBuf,
    },
    /// Record a referral, a meeting, an outcome, a thank-you, an initiative or a step in a partner's note
    #[command(after_help = log::EXAMPLES)]
    Log(log::LogArgs),
    /// Add the referrals of a CRM or spreadsheet export (CSV); a dry run unless --write
    #[command(after_help = import::EXAMPLES)]
    Import(import::ImportArgs),
    /// Print shell completions for rapport's commands and flags
    #[command(after_help = help::COMPLETIONS)]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print a random six-word passphrase for an encrypted site
    #[command(after_help = help::PASSPHRASE)]
    Passphrase,
}

/// `rapport build`'s arguments: those every build takes, and encryption.
#[derive(Args, Clone)]
pub struct BuildCmd {
    #[command(flatten)]
    pub build: BuildArgs,
    #[command(flatten)]
    pub encrypt: EncryptArgs,
}

/// `build`'s encryption flags.
#[derive(Args, Clone, Debug, Default)]
pub struct EncryptArgs {
    /// Encrypt the site with a password (from --password-file,
    /// RAPPORT_PASSWORD, or asked on the terminal); always on with
    /// `privacy.encrypt: true`
    #[arg(long)]
    pub encrypt: bool,
    /// With encryption: draw a new salt, so every file and partner-page
    /// name changes (do it when the password or a page's key may have
    /// been seen by someone else)
    #[arg(long)]
    pub rekey: bool,
    /// With encryption: encrypt the existing site under a new password
    /// (without it, a password that does not open the site is refused)
    #[arg(long)]
    pub change_password: bool,
    /// Read the password from the first line of FILE (keep it readable by
    /// you alone)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Take a password weaker than about 60 bits of estimated entropy.
    /// RISK: anyone with one page of the site can guess such a password
    /// offline; every note becomes readable to them
    #[arg(long)]
    pub allow_weak_password: bool,
}

impl EncryptArgs {
    /// What the flags ask, for the library.
    pub fn flags(&self) -> EncryptFlags {
        EncryptFlags {
            encrypt: self.encrypt,
            rekey: self.rekey,
            change_password: self.change_password,
            password_file: self.password_file.clone(),
            allow_weak_password: self.allow_weak_password,
        }
    }
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub build: BuildArgs,
    /// The port to listen on
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on; keep the default to stay private to this machine
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub interface: std::net::IpAddr,
    /// Open the site in the default browser once it is served
    #[arg(long)]
    pub open: bool,
}

fn parse_day(s: &str) -> Result<Day, String> {
    Day::parse(s).ok_or_else(|| format!("`{s}` is not a date as YYYY-MM-DD"))
}

/// Runs a command: first completes a build a killed write left half done
/// (for the commands that read or write a site), then hands the command
/// to its file.
pub fn run(command: Command) -> std::process::ExitCode {
    match &command {
        Command::Build(args) => args.build.recover(),
        Command::Check(args) | Command::Watch(args) => args.recover(),
        Command::Serve(args) => args.build.recover(),
        _ => {}
    }
    match command {
        Command::Build(args) => build::run(&args.build, &args.encrypt.flags()),
        Command::Check(args) => check::run(&args),
        Command::Watch(args) => watch::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::New(args) => new::run(&args),
        Command::Init { dir } => init::run(&dir),
        Command::Log(args) => log::run(&args, rapport::book::today()),
        Command::Import(args) => import::run(&args, rapport::book::today()),
        Command::Completions { shell } => completions::run(shell),
        Command::Passphrase => passphrase::run(),
    }
}
