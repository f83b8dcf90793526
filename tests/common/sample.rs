//! The sample book, and the real binary building a book into a folder.

#![allow(dead_code)] // each test uses what it needs

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The sample book of the project.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// `rapport build BOOK -o OUT`, plain output, whatever its outcome.
pub fn build(book: &Path, out: &Path) -> Output {
    build_with(book, out, &[])
}

/// `rapport build BOOK -o OUT EXTRA…`, whatever its outcome.
pub fn build_with(book: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("build")
        .arg(book)
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("rapport runs")
}

/// What one run of the binary gave: its exit code and what it printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `rapport ARGS…` run inside `cwd`, plain output, whatever its outcome
/// (but not killed by a signal).
pub fn rapport_in(args: &[&str], cwd: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `rapport ARGS…`, whatever its outcome.
pub fn rapport(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("rapport runs")
}

/// [`build`], which must succeed.
pub fn build_ok(book: &Path, out: &Path) -> Output {
    let out = build(book, out);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The sample book built into a new folder.
pub fn built_sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    build_ok(&sample(), dir.path());
    dir
}

/// `rapport ARGS…` with `password` in `RAPPORT_PASSWORD` (or none at all),
/// nothing on standard input, whatever its outcome.
pub fn rapport_with_password(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rapport"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("RAPPORT_PASSWORD")
        .stdin(Stdio::null());
    if let Some(p) = password {
        cmd.env("RAPPORT_PASSWORD", p);
    }
    cmd.output().expect("rapport runs")
}

/// What a run printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The plain site of the book at `book`, built in memory (no folder is
/// written).
pub fn in_memory(book: &Path) -> rapport::site::SiteFiles {
    rapport::pipeline::stages::Pipeline::new()
        .run(&rapport::pipeline::stages::Options {
            root: book.to_path_buf(),
            ..Default::default()
        })
        .expect("the book builds")
        .files
}
