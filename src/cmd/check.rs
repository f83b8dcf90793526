//! `rapport check`: every problem, nothing written.

use std::process::ExitCode;

use rapport::diagnostics;
use rapport::pipeline::stages::{self, Pipeline};

use super::BuildArgs;

pub fn run(args: &BuildArgs) -> ExitCode {
    let mut pipeline = Pipeline::new();
    let code = match pipeline.check(&args.options()) {
        Ok(checked) => {
            diagnostics::print(&checked.warnings);
            rapport::say!("{}", stages::summary(&checked.counts, &checked.warnings));
            std::mem::forget(checked);
            ExitCode::SUCCESS
        }
        Err(failed) => {
            diagnostics::print(&failed.problems);
            rapport::say!("{}", stages::summary(&failed.counts, &failed.problems));
            ExitCode::from(1)
        }
    };
    // The process ends here and the system takes its memory back at once;
    // freeing the parsed book piece by piece first would be a tenth of
    // the time of a large `check`.
    std::mem::forget(pipeline);
    code
}
