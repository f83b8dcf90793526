//! `rapport completions SHELL`: prints a completion script for the shell.

use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

pub fn run(shell: clap_complete::Shell) -> ExitCode {
    // Into memory first: a closed pipe is ignored, never a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rapport", &mut script);
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    ExitCode::SUCCESS
}
