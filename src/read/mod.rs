//! Reading the notes: find them, decode and split them, deserialize them
//! with located YAML problems.

pub mod decode;
pub mod discover;
pub mod frontmatter;
pub mod future;
pub mod note;
pub mod text;
pub mod yaml;
