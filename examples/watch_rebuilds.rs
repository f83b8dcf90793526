//! One full build, then N one-note rebuilds as `watch` does them, each
//! timed: a driver for profiling the rebuild (see docs/benchmarks.md).
//!
//!     cargo run --release --example watch_rebuilds -- BOOK OUT name|body [N]
//!
//! Edits `partners/group-000/partner-00007.md` of BOOK (a generated book)
//! in place: a new `name:` or a new last line of its free text.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rapport::pipeline::session::{Rebuild, Session};
use rapport::pipeline::stages::Options;

fn touch(note: &Path, run: usize, name: bool) {
    let text = fs::read_to_string(note).unwrap();
    let new = if name {
        let start = text.find("\nname: ").unwrap() + 7;
        let end = start + text[start..].find('\n').unwrap();
        format!("{}Edited {run:04}{}", &text[..start], &text[end..])
    } else {
        let kept = match text.find("\nBench edit ") {
            Some(at) => &text[..at],
            None => text.trim_end_matches('\n'),
        };
        format!("{kept}\nBench edit {run:04}\n")
    };
    fs::write(note, new).unwrap();
}

/// CPU time of the whole process (every thread), user and system.
fn cpu_ms() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(u.ru_utime) + ms(u.ru_stime)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, out, kind, rest @ ..] = args.as_slice() else {
        panic!("usage: watch_rebuilds BOOK OUT name|body [N]");
    };
    let n: usize = rest.first().map_or(20, |s| s.parse().expect("N"));
    let root = PathBuf::from(root);
    let note = root.join("partners/group-000/partner-00007.md");
    let opts = Options {
        root: root.clone(),
        output: Some(PathBuf::from(out)),
        ..Options::default()
    };
    let mut session = Session::new(&opts);
    let start = Instant::now();
    assert!(matches!(
        session.rebuild(&BTreeSet::new()),
        Rebuild::Built { .. }
    ));
    eprintln!("full build {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    // A quiet second between the full build and the rebuilds, so that a
    // profile can be cut there (`perf script --time`).
    std::thread::sleep(std::time::Duration::from_secs(1));
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    for run in 0..n {
        touch(&note, run, kind == "name");
        let touched: BTreeSet<PathBuf> = [note.clone()].into();
        let start = Instant::now();
        let c0 = cpu_ms();
        let outcome = session.rebuild_changed(&touched);
        cpu.push(cpu_ms() - c0);
        let t = start.elapsed().as_secs_f64() * 1e3;
        assert!(matches!(outcome, Rebuild::Built { .. }));
        times.push(t);
    }
    times.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    eprintln!(
        "{n} {kind} rebuilds: median {:.1} ms, min {:.1} ms, max {:.1} ms; CPU time median {:.1} ms, min {:.1} ms",
        times[n / 2],
        times[0],
        times[n - 1],
        cpu[n / 2],
        cpu[0]
    );
}
