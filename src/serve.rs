//! `rapport serve`: watch, plus a local server with live reload.

use std::net::IpAddr;
use std::process::ExitCode;

use crate::pipeline::Options;

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub port: u16,
    pub interface: IpAddr,
    pub open: bool,
}

/// Serves the site while watching the book.
pub fn serve(_opts: &Options, _serve: &ServeOptions) -> ExitCode {
    eprintln!("error: `rapport serve` is not available in this version yet");
    ExitCode::from(2)
}
