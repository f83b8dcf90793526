//! Every file under a folder, for tests that compare sites on disk.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Every file under `dir` (hidden ones too), by relative path, with its
/// bytes.
pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}
