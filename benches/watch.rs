//! Watch-mode timings: a one-note rebuild beside a full build, for the
//! sample book and generated books.
//!
//!     cargo bench --bench watch                     # sample and 1,000 notes
//!     cargo bench --bench watch -- 1000 10000       # other generated sizes
//!     cargo bench --bench watch -- 10000 heavy      # heavy notes (issue 12)
//!
//! The generated book is `corpus::write_book_with(root, n, 42, profile)`
//! (light unless `heavy` is given), the one `benches/build.rs` uses. Books
//! and output live on a RAM disk (`/dev/shm`) when there is one, as in
//! `benches/build.rs`. Each figure is the median of several runs:
//! - full build: a fresh pipeline (nothing cached) building the book and
//!   writing it to an empty folder, in-process;
//! - one-note rebuild: the rebuild `watch` does after one note changed
//!   (that note read again, the others from the cache, only changed files
//!   written), in-process; once for a new `name:` (which every book-wide
//!   page shows), once for a new line of the note's free text (which only
//!   the partner's own page shows);
//! - save to site: a running `rapport watch` process, from the moment a
//!   note's `name:` is saved to the moment the changed `data/partners.json`
//!   is on disk (its time polled every millisecond, its text read when
//!   that moves); this includes the wait for the book to be quiet (the
//!   debounce).

#[path = "support/corpus.rs"]
mod corpus;
#[path = "../tests/common/files.rs"]
mod files;

use files::copy_book;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rapport::pipeline::output;
use rapport::pipeline::session::{Rebuild, Session};
use rapport::pipeline::stages::{Options, Pipeline};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn opts(root: &Path, out: &Path) -> Options {
    Options {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        ..Options::default()
    }
}

fn full_build(root: &Path, scratch: &Path, runs: usize) -> Duration {
    let mut times = Vec::new();
    for run in 0..runs {
        let out = scratch.join(format!("full-{run}"));
        let start = Instant::now();
        let built = Pipeline::new()
            .run(&opts(root, &out))
            .expect("the book builds");
        output::write_site(&out, &built.files).unwrap();
        times.push(start.elapsed());
        fs::remove_dir_all(&out).unwrap();
    }
    median(times)
}

/// Changes the name of one note, keeping it valid; returns the new name.
fn touch_note(note: &Path, run: usize) -> String {
    let text = fs::read_to_string(note).unwrap();
    let start = text.find("\nname: ").unwrap() + 7;
    let end = start + text[start..].find('\n').unwrap();
    let name = format!("Edited {run:04}");
    fs::write(note, format!("{}{name}{}", &text[..start], &text[end..])).unwrap();
    name
}

/// Changes the last line of one note's free text; returns the new line.
fn touch_body(note: &Path, run: usize) -> String {
    let text = fs::read_to_string(note).unwrap();
    let kept = match text.find("\nBench edit ") {
        Some(at) => &text[..at],
        None => text.trim_end_matches('\n'),
    };
    let line = format!("Bench edit {run:04}");
    fs::write(note, format!("{kept}\n{line}\n")).unwrap();
    line
}

fn one_note_rebuild(
    root: &Path,
    note: &Path,
    scratch: &Path,
    runs: usize,
    touch: fn(&Path, usize) -> String,
) -> Duration {
    let out = scratch.join("incremental");
    let mut r = Session::new(&opts(root, &out));
    assert!(matches!(r.rebuild(&BTreeSet::new()), Rebuild::Built { .. }));
    let mut times = Vec::new();
    for run in 0..runs {
        touch(note, run);
        let touched: BTreeSet<PathBuf> = [note.to_path_buf()].into();
        let start = Instant::now();
        // As `watch` does: it knows the one input that changed.
        let outcome = r.rebuild_changed(&touched);
        times.push(start.elapsed());
        assert!(matches!(outcome, Rebuild::Built { .. }));
    }
    median(times)
}

fn save_to_site(root: &Path, note: &Path, scratch: &Path, runs: usize) -> Duration {
    let out = scratch.join("watched");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["watch", root.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("Ctrl-C stops") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let json = out.join("data/partners.json");
    let mut times = Vec::new();
    for run in 0..runs {
        let stamp = || fs::metadata(&json).and_then(|m| m.modified()).ok();
        let mut seen = stamp();
        let start = Instant::now();
        let name = touch_note(note, 1000 + run);
        let deadline = start + Duration::from_secs(30);
        // Poll the file's time (cheap); read it only when that moved.
        loop {
            assert!(Instant::now() < deadline, "no rebuild seen");
            let now = stamp();
            if now != seen {
                seen = now;
                if fs::read_to_string(&json)
                    .unwrap_or_default()
                    .contains(&name)
                {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        times.push(start.elapsed());
        // Let the watcher settle before the next save.
        std::thread::sleep(Duration::from_millis(150));
    }
    let _ = child.kill();
    let _ = child.wait();
    median(times)
}

/// A temporary folder, on the RAM disk when there is one.
fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::tempdir_in(shm) {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

fn bench(label: &str, root: &Path, note: &Path) {
    let scratch = scratch_dir();
    let full = full_build(root, scratch.path(), 5);
    let one = one_note_rebuild(root, note, scratch.path(), 15, touch_note);
    let body = one_note_rebuild(root, note, scratch.path(), 15, touch_body);
    let e2e = save_to_site(root, note, scratch.path(), 9);
    let share = |d: Duration| 100.0 * d.as_secs_f64() / full.as_secs_f64();
    println!(
        "| {label} | {} | {} ({:.1}%) | {} ({:.1}%) | {} |",
        ms(full),
        ms(one),
        share(one),
        ms(body),
        share(body),
        ms(e2e),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1000] } else { sizes };
    let profile = args
        .iter()
        .find_map(|a| corpus::Profile::parse(a))
        .unwrap_or(corpus::Profile::Light);
    let shm = scratch_dir();
    println!(
        "books and output in {}",
        shm.path().parent().unwrap().display()
    );
    drop(shm);
    println!(
        "| book | full build | one-note rebuild: name (share of full) | one-note rebuild: body text | save to site (watch, name) |"
    );
    println!("|---|---|---|---|---|");
    let sample = scratch_dir();
    copy_book(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"),
        sample.path(),
    );
    bench(
        "sample (16 notes)",
        sample.path(),
        &sample.path().join("partners/lena-park.md"),
    );
    for n in sizes {
        let book = scratch_dir();
        corpus::write_book_with(book.path(), n, 42, profile).expect("write the corpus");
        bench(
            &format!("generated ({n} {} notes)", profile.label()),
            book.path(),
            &book.path().join("partners/group-000/partner-00007.md"),
        );
    }
}
