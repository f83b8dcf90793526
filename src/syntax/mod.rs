//! The text formats below the model: a file's bytes to text, front-matter,
//! YAML with located problems, serde helpers for text fields, dates, and
//! the one scanner of HTML.

pub mod date;
pub mod decode;
pub mod frontmatter;
pub mod html;
pub mod text;
pub mod yaml;
