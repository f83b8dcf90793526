//! The site in memory (its files and their bytes) and the names of the
//! files rapport keeps in an output folder. Every stage may use it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The list of files rapport wrote, kept in the output folder so that a
/// later build removes only its own files.
pub const MANIFEST: &str = ".rapport-files";

/// Present only while a write is renaming its files into place.
pub const JOURNAL: &str = ".rapport-pending";

/// The lock that keeps two writes to one folder apart.
pub const LOCK: &str = ".rapport-lock";

/// The end of the name of every file written aside.
pub const TMP_SUFFIX: &str = ".rapport-tmp";

/// The record's name in the output folder.
pub const RECORD: &str = ".rapport-inputs";

/// A rendered site: relative paths (with `/`) and their bytes.
pub type SiteFiles = BTreeMap<String, FileBytes>;

/// A file's bytes, shared between the site, the cache and the write: made
/// from the `Vec` they were written into, without copying them.
pub type FileBytes = Arc<Vec<u8>>;

pub fn is_tmp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TMP_SUFFIX)
}

/// Whether `out` holds a site rapport wrote (its manifest).
pub fn has_manifest(out: &Path) -> bool {
    out.join(MANIFEST).is_file()
}

/// The names in an output folder that rapport keeps for itself.
pub fn is_own_name(name: &str) -> bool {
    [MANIFEST, JOURNAL, LOCK, RECORD].contains(&name) || is_tmp_name(name)
}
