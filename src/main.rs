//! The `rapport` command line: parses the arguments and hands each
//! subcommand to its file in `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cmd::{Cli, Command};

fn main() -> ExitCode {
    let command = Cli::parse().command;
    match &command {
        Command::Build(args) => args.build.recover(),
        Command::Check(args) | Command::Watch(args) => args.recover(),
        Command::Serve(args) => args.build.recover(),
        _ => {}
    }
    match command {
        Command::Build(args) => cmd::build::run(&args.build, &args.encrypt.flags()),
        Command::Check(args) => cmd::check::run(&args),
        Command::Watch(args) => cmd::watch::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::New(args) => cmd::new::run(&args),
        Command::Init { dir } => cmd::init::run(&dir),
        Command::Log(args) => cmd::log::run(&args, rapport::book::today()),
        Command::Import(args) => cmd::import::run(&args, rapport::book::today()),
        Command::Completions { shell } => cmd::completions::run(shell),
        Command::Passphrase => cmd::passphrase::run(),
    }
}
