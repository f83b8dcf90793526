//! `rapport check`: every problem, nothing written.

use std::process::ExitCode;

use rapport::build::pipeline::{self, Pipeline};
use rapport::diagnostics;

use super::BuildArgs;

pub fn run(args: &BuildArgs) -> ExitCode {
    let mut pipeline = Pipeline::new();
    match pipeline.check(&args.options()) {
        Ok(checked) => {
            diagnostics::print(&checked.warnings);
            rapport::say!("{}", pipeline::summary(&checked.counts, &checked.warnings));
            ExitCode::SUCCESS
        }
        Err(failed) => {
            diagnostics::print(&failed.problems);
            rapport::say!("{}", pipeline::summary(&failed.counts, &failed.problems));
            ExitCode::from(1)
        }
    }
}
