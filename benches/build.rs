//! The speed table of a generated book, with Hugo side by side.
//!
//!     cargo bench --bench build                      # 10,000 heavy notes
//!     cargo bench --bench build -- 1000 light        # size and profile
//!     cargo bench --bench build -- 10000 heavy --runs 3 --no-hugo
//!
//! The book (`benches/support/corpus.rs`, seed 42) is generated once under
//! `target/bench-books/`. Every figure is the real release binary
//! (`target/release/rapport`, built by `cargo bench`) run as a child
//! process; its time is the wall time from spawn to exit and its memory the
//! child's peak resident set (`ru_maxrss` from `wait4`). Each row is the
//! median of the runs (5 unless `--runs`):
//!
//! - first build: `rapport build BOOK -o DIR`, DIR a folder never used;
//! - nothing changed: the same into the folder of a previous build;
//! - check: `rapport check BOOK`;
//! - peak memory: the largest of the three rows' median peaks.
//!
//! The encrypted rows (`--encrypt`) follow, with the CPU time (user and
//! system, from the same `wait4`) of both first builds, which a machine
//! shared with other work changes less than their wall time.
//!
//! `RAPPORT_BIN=path` times that binary instead, for before/after pairs.
//!
//! When `hugo` is on the PATH, the benchmark writes a minimal Hugo site
//! whose content folder is the book's own `partners/` (one plain template
//! for a note's page, one for lists) and times `hugo --quiet -d DIR` the
//! same way, in the same run; the ratios are rapport's figure over Hugo's
//! first build, as in issue 12's table. Output goes to a RAM disk
//! (`/dev/shm`) when there is one; the benchmark says which.

#[path = "support/corpus.rs"]
mod corpus;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corpus::Profile;

/// One run of a child process: wall time, CPU time (user and system)
/// and peak resident set (KiB).
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_kib: u64,
}

/// Runs `cmd` to its end, timing it and reading its peak memory from
/// `wait4`; panics, showing what it wrote, when it fails. The child is
/// reaped by `wait4`, not by `Child::wait`, hence the lint's exception.
#[allow(clippy::zombie_processes)]
fn run(mut cmd: Command, log: &Path) -> Run {
    let err = fs::File::create(log).expect("log file");
    cmd.stdin(Stdio::null())
        .stdout(err.try_clone().expect("log file"))
        .stderr(err);
    let start = Instant::now();
    let child = cmd.spawn().expect("start the command");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value to be filled in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, not yet waited for; `child` is
    // never waited for through std afterwards.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        panic!(
            "{cmd:?} failed ({status}):\n{}",
            fs::read_to_string(log).unwrap_or_default()
        );
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        peak_kib: usage.ru_maxrss as u64,
    }
}

fn median<T: Ord + Copy>(mut xs: Vec<T>) -> T {
    xs.sort();
    xs[xs.len() / 2]
}

/// Median wall time and median peak memory of `runs` runs of `make(k)`.
fn measure(runs: usize, log: &Path, make: impl FnMut(usize) -> Command) -> (Duration, u64) {
    let (wall, _, peak) = measure_cpu(runs, log, make);
    (wall, peak)
}

/// [`measure`] and the median CPU time (user and system).
fn measure_cpu(
    runs: usize,
    log: &Path,
    mut make: impl FnMut(usize) -> Command,
) -> (Duration, Duration, u64) {
    let all: Vec<Run> = (0..runs).map(|k| run(make(k), log)).collect();
    (
        median(all.iter().map(|r| r.wall).collect()),
        median(all.iter().map(|r| r.cpu).collect()),
        median(all.iter().map(|r| r.peak_kib).collect()),
    )
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

fn count_files(dir: &Path, ext: &str) -> usize {
    walk(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .count()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The largest book-wide page of the site in `dir` (an HTML file that is
/// not a partner's page; the pages of the partner table, `index…`, are
/// book-wide), and its size.
fn largest_book_page(dir: &Path) -> (String, u64) {
    walk(dir)
        .iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            let partner = rel
                .strip_prefix("partners/")
                .is_some_and(|name| !name.starts_with("index"));
            let page = rel.ends_with(".html") && !partner;
            page.then(|| Some((rel, fs::metadata(p).ok()?.len())))?
        })
        .max_by_key(|(_, len)| *len)
        .unwrap_or_default()
}

fn dir_bytes(dir: &Path) -> u64 {
    walk(dir)
        .iter()
        .filter_map(|p| fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// A minimal Hugo site reading the book's notes as its content: one plain
/// page per note (its name, firm and rendered Markdown body) and list pages
/// (home and one per sub-folder) linking every note below them.
fn write_hugo_site(site: &Path, book: &Path) {
    let layouts = site.join("layouts/_default");
    fs::create_dir_all(&layouts).expect("hugo site");
    let content = book.join("partners").canonicalize().expect("book");
    fs::write(
        site.join("config.toml"),
        format!(
            "baseURL = \"http://localhost/\"\ntitle = \"Generated book\"\n\
             contentDir = {content:?}\n\
             disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n"
        ),
    )
    .expect("hugo config");
    fs::write(
        layouts.join("single.html"),
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{{ .Params.name }}</title></head>\n\
         <body><h1>{{ .Params.name }}</h1>\n<p>{{ .Params.firm }}, {{ .Params.profession }}</p>\n\
         {{ .Content }}\n</body></html>\n",
    )
    .expect("hugo template");
    fs::write(
        layouts.join("list.html"),
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n\
         <body><h1>{{ .Title }}</h1>\n<ul>\n{{ range .RegularPagesRecursive }}\
         <li><a href=\"{{ .RelPermalink }}\">{{ .Params.name }}</a></li>\n{{ end }}</ul>\n</body></html>\n",
    )
    .expect("hugo template");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let profile = args
        .iter()
        .find_map(|a| Profile::parse(a))
        .unwrap_or(Profile::Heavy);
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(5)
        .max(1);
    let hugo = if args.iter().any(|a| a == "--no-hugo") {
        None
    } else {
        on_path("hugo")
    };
    // RAPPORT_BIN times another binary (an older revision, say) the same way.
    let rapport = std::env::var_os("RAPPORT_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_rapport")),
        PathBuf::from,
    );

    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-books");
    let book = match profile {
        Profile::Light => base.join(format!("book-{n}")),
        Profile::Heavy => base.join(format!("heavy-{n}")),
    };
    let done = base.join(format!("{}-{n}.done", profile.label()));
    if !done.exists() {
        eprintln!(
            "writing a {} book of {n} notes to {}",
            profile.label(),
            book.display()
        );
        let _ = fs::remove_dir_all(&book);
        corpus::write_book_with(&book, n, 42, profile).expect("write the corpus");
        fs::write(&done, "").expect("marker");
    }

    let shm = Path::new("/dev/shm");
    let ram = shm.is_dir() && fs::metadata(shm).is_ok_and(|m| !m.permissions().readonly());
    let scratch = if ram {
        shm.join(format!("rapport-bench-{}", std::process::id()))
    } else {
        base.join(format!("scratch-{}", std::process::id()))
    };
    fs::create_dir_all(&scratch).expect("scratch folder");
    let log = scratch.join("log.txt");

    let rapport_build = |out: &Path| {
        let mut c = Command::new(&rapport);
        c.arg("build").arg(&book).arg("-o").arg(out);
        c
    };

    // rapport: first builds, each into a folder never used before.
    let (r_first, r_first_cpu, r_first_mem) = measure_cpu(runs, &log, |k| {
        let out = scratch.join(format!("rapport-fresh-{k}"));
        if k > 0 {
            let _ = fs::remove_dir_all(scratch.join(format!("rapport-fresh-{}", k - 1)));
        }
        rapport_build(&out)
    });
    let site = scratch.join(format!("rapport-fresh-{}", runs - 1));
    let r_files = walk(&site).len();
    let r_bytes = dir_bytes(&site);
    let (largest, largest_bytes) = largest_book_page(&site);
    // Nothing changed: again into the last site built.
    let (r_again, r_again_mem) = measure(runs, &log, |_| rapport_build(&site));
    let (r_check, r_check_mem) = measure(runs, &log, |_| {
        let mut c = Command::new(&rapport);
        c.arg("check").arg(&book);
        c
    });
    let _ = fs::remove_dir_all(&site);
    let r_peak = r_first_mem.max(r_again_mem).max(r_check_mem);

    // The same book encrypted (`--encrypt`, the password from the
    // environment), in the same run: a first build, and again unchanged.
    let encrypted_build = |out: &Path| {
        let mut c = rapport_build(out);
        c.arg("--encrypt")
            .env("RAPPORT_PASSWORD", "bench ledger orbit canyon velvet tulip");
        c
    };
    let (e_first, e_first_cpu, e_first_mem) = measure_cpu(runs, &log, |k| {
        if k > 0 {
            let _ = fs::remove_dir_all(scratch.join(format!("encrypted-fresh-{}", k - 1)));
        }
        encrypted_build(&scratch.join(format!("encrypted-fresh-{k}")))
    });
    let esite = scratch.join(format!("encrypted-fresh-{}", runs - 1));
    let e_bytes = dir_bytes(&esite);
    let (e_again, e_again_mem) = measure(runs, &log, |_| encrypted_build(&esite));
    let _ = fs::remove_dir_all(&esite);

    let hugo_figures = hugo.as_ref().map(|hugo| {
        let hsite = scratch.join("hugo-site");
        write_hugo_site(&hsite, &book);
        let hugo_build = |out: &Path| {
            let mut c = Command::new(hugo);
            c.arg("--quiet")
                .arg("-s")
                .arg(&hsite)
                .arg("--cacheDir")
                .arg(scratch.join("hugo-cache"))
                .arg("-d")
                .arg(out);
            c
        };
        let (first, first_mem) = measure(runs, &log, |k| {
            if k > 0 {
                let _ = fs::remove_dir_all(scratch.join(format!("hugo-fresh-{}", k - 1)));
            }
            hugo_build(&scratch.join(format!("hugo-fresh-{k}")))
        });
        let out = scratch.join(format!("hugo-fresh-{}", runs - 1));
        let pages = count_files(&out, "html");
        let bytes = dir_bytes(&out);
        let (again, again_mem) = measure(runs, &log, |_| hugo_build(&out));
        (first, again, first_mem.max(again_mem), pages, bytes)
    });
    let _ = fs::remove_dir_all(&scratch);

    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "book: {n} {} notes ({:.1} MB) in {}",
        profile.label(),
        dir_bytes(&book.join("partners")) as f64 / 1e6,
        book.display()
    );
    println!(
        "output on {}; medians of {runs}; load average: {}",
        if ram {
            "a RAM disk (/dev/shm)"
        } else {
            "disk (no /dev/shm)"
        },
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "rapport: {} ({r_files} files, {:.1} MB)",
        rapport.display(),
        r_bytes as f64 / 1e6
    );
    match &hugo_figures {
        Some((.., pages, bytes)) => println!(
            "hugo: {} ({pages} pages, {:.1} MB)",
            hugo.as_ref().unwrap().display(),
            *bytes as f64 / 1e6
        ),
        None => println!("hugo: not run (not on the PATH, or --no-hugo)"),
    }
    println!();
    println!("| what | rapport | Hugo | rapport / Hugo first build |");
    println!("|---|---|---|---|");
    let ratio = |d: Duration| match &hugo_figures {
        Some((first, ..)) => format!("{:.2}x", d.as_secs_f64() / first.as_secs_f64()),
        None => "-".into(),
    };
    let hugo_col = |pick: fn(&(Duration, Duration, u64, usize, u64)) -> String| {
        hugo_figures.as_ref().map_or("-".into(), pick)
    };
    println!(
        "| first build into an empty folder | {} | {} | {} |",
        secs(r_first),
        hugo_col(|h| secs(h.0)),
        ratio(r_first)
    );
    println!(
        "| build again, nothing changed | {} | {} | {} |",
        secs(r_again),
        hugo_col(|h| secs(h.1)),
        ratio(r_again)
    );
    println!("| `check` | {} | - | {} |", secs(r_check), ratio(r_check));
    let mem_ratio = match &hugo_figures {
        Some(h) => format!("{:.2}x", r_peak as f64 / h.2 as f64),
        None => "-".into(),
    };
    println!(
        "| peak memory (first build {}, again {}, check {}) | {} | {} | {mem_ratio} (of Hugo's peak) |",
        mib(r_first_mem),
        mib(r_again_mem),
        mib(r_check_mem),
        mib(r_peak),
        hugo_col(|h| mib(h.2)),
    );
    println!();
    // Issue 22's goals for a large book (100,000 notes): a first build's
    // peak under 1 GiB, every book-wide page under 5 MB.
    let met = |yes: bool| if yes { "met" } else { "NOT met" };
    println!(
        "first build's peak {} (goal at 100,000 notes: under 1 GiB: {}); largest book-wide page {largest} {:.2} MB (goal: under 5 MB: {})",
        mib(r_first_mem),
        met(r_first_mem < 1024 * 1024),
        largest_bytes as f64 / 1e6,
        met(largest_bytes < 5_000_000),
    );
    println!();
    println!(
        "encrypted ({:.1} MB written; ratios to the plain first build above):",
        e_bytes as f64 / 1e6
    );
    println!();
    println!("| what | encrypted | / plain first build | goal |");
    println!("|---|---|---|---|");
    let of_plain = |d: Duration| d.as_secs_f64() / r_first.as_secs_f64();
    println!(
        "| first build into an empty folder | {} | {:.2}x | 1.5x |",
        secs(e_first),
        of_plain(e_first)
    );
    println!(
        "| build again, nothing changed | {} | {:.2}x | 0.25x |",
        secs(e_again),
        of_plain(e_again)
    );
    // CPU time says less about waiting for a machine shared with others.
    println!(
        "| CPU of a first build, user + system (plain {}) | {} | {:.2}x | |",
        secs(r_first_cpu),
        secs(e_first_cpu),
        e_first_cpu.as_secs_f64() / r_first_cpu.as_secs_f64()
    );
    println!(
        "| peak memory (first build {}, again {}) | {} | {:.2}x (of the plain first build's {}) | 1.25x |",
        mib(e_first_mem),
        mib(e_again_mem),
        mib(e_first_mem.max(e_again_mem)),
        e_first_mem.max(e_again_mem) as f64 / r_first_mem as f64,
        mib(r_first_mem)
    );
}
