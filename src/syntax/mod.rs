//! The text formats below the model: a file's bytes to text, front-matter,
//! YAML with located problems, serde helpers for text fields, and dates.

pub mod date;
pub mod decode;
pub mod frontmatter;
pub mod text;
pub mod yaml;
