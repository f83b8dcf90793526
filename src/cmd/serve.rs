//! `rapport serve`: watch, and serve the site with live reload.

use std::process::ExitCode;

use rapport::serve::{self, ServeOptions};

use super::ServeArgs;

pub fn run(args: &ServeArgs) -> ExitCode {
    serve::serve(
        &args.build.options(),
        &ServeOptions {
            port: args.port,
            interface: args.interface,
            open: args.open,
        },
    )
}
