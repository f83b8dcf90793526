#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().expect("usage: corpus DIR [N]"));
    let n: usize = args.next().map_or(1000, |s| s.parse().expect("N"));
    corpus::write_book(&root, n, 42).expect("write the corpus");
}
