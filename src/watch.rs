//! `rapport watch`: build, then rebuild on every change.

use std::process::ExitCode;

use crate::pipeline::Options;

/// Builds, then rebuilds on every change until interrupted.
pub fn watch(_opts: &Options) -> ExitCode {
    eprintln!("error: `rapport watch` is not available in this version yet");
    ExitCode::from(2)
}
