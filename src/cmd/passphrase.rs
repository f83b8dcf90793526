//! `rapport passphrase`: print a random six-word passphrase.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    println!("{}", rapport::encrypt::passphrase::generate());
    ExitCode::SUCCESS
}
