//! Full-build benchmark on a generated book.
//!
//! `cargo bench --bench build` (10,000 notes), or with a size:
//! `cargo bench --bench build -- 1000`. Prints the median of several runs
//! for each phase. The book is generated once under `target/bench-books/`.

#[path = "support/corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rapport::build::output;
use rapport::build::pipeline::{Options, Pipeline};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let runs = 5;
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-books");
    let root = base.join(format!("book-{n}"));
    if !root.join("rapport.yaml").exists() {
        corpus::write_book(&root, n, 42).expect("write the corpus");
    }
    let out = base.join(format!("out-{n}"));
    let opts = Options {
        root: root.clone(),
        output: Some(out.clone()),
        ..Options::default()
    };

    let mut cold = Vec::new();
    let mut write_fresh = Vec::new();
    let mut files = 0;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    for run in 0..runs {
        // A folder never used before, as for a first build: deleting and
        // re-creating one folder would time the file system's handling of
        // freshly deleted files instead.
        let fresh = base.join(format!("fresh-{n}-{stamp}-{run}"));
        let t = Instant::now();
        let built = Pipeline::new()
            .run(&opts)
            .expect("the generated book builds");
        let rendered = t.elapsed();
        output::write_site(&fresh, &built.files).expect("write");
        cold.push(t.elapsed());
        write_fresh.push(t.elapsed() - rendered);
        files = built.files.len();
    }
    for run in 0..runs {
        let _ = std::fs::remove_dir_all(base.join(format!("fresh-{n}-{stamp}-{run}")));
    }
    if !out.exists() {
        let built = Pipeline::new().run(&opts).expect("builds");
        output::write_site(&out, &built.files).expect("write");
    }
    let mut unchanged = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let built = Pipeline::new().run(&opts).expect("builds");
        let stats = output::write_site(&out, &built.files).expect("write");
        assert_eq!(stats.written, 0);
        unchanged.push(t.elapsed());
    }
    let mut pipeline = Pipeline::new();
    pipeline.run(&opts).expect("builds");
    let mut warm = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let built = pipeline.run(&opts).expect("builds");
        output::write_site(&out, &built.files).expect("write");
        warm.push(t.elapsed());
    }
    println!(
        "book: {n} notes, {files} output files, {} threads",
        rayon::current_num_threads()
    );
    println!(
        "full build into an empty folder:   {} (writing: {})",
        ms(median(cold)),
        ms(median(write_fresh))
    );
    println!(
        "full build, nothing changed:       {}",
        ms(median(unchanged))
    );
    println!("rebuild with warm caches:          {}", ms(median(warm)));
}
