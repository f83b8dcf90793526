//! `rapport completions SHELL`: prints a completion script for the shell.

use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

pub fn run(shell: clap_complete::Shell) -> ExitCode {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "rapport",
        &mut std::io::stdout(),
    );
    ExitCode::SUCCESS
}
