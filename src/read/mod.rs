//! Reading the notes: find them, decode and split them, deserialize them
//! with located YAML problems.

pub mod discover;
pub mod future;
pub mod note;
