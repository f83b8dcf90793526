//! `rapport watch`: build, then rebuild on every change.

use std::process::ExitCode;

use super::BuildArgs;

pub fn run(args: &BuildArgs) -> ExitCode {
    rapport::watch::watch(&args.options())
}
