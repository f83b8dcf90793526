//! The `rapport` command line: parses the arguments and hands each
//! subcommand to its file in `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cmd::Cli;

fn main() -> ExitCode {
    cmd::run(Cli::parse().command)
}
