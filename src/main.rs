//! The `rapport` command line: parses the arguments and hands each
//! subcommand to its file in `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cmd::{Cli, Command};

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build(args) => cmd::build::run(&args.build, &args.encrypt),
        Command::Check(args) => cmd::check::run(&args),
        Command::Watch(args) => cmd::watch::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::New { name, root } => cmd::new::run(&name, &root),
        Command::Init { dir } => cmd::init::run(&dir),
        Command::Log(args) => rapport::log::run(&args, rapport::book::today()),
        Command::Completions { shell } => cmd::completions::run(shell),
        Command::Passphrase => cmd::passphrase::run(),
    }
}
