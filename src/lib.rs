//! rapport: a folder of referral-partner notes in, a private static site of
//! reciprocity charts and collaboration-readiness reports out.
//!
//! The stages, one module each: [`discover`] finds the notes, [`frontmatter`]
//! and [`note`] read them (with [`yaml`] for located YAML problems),
//! [`settings`] reads `rapport.yaml`, [`analysis`] computes the numbers,
//! [`site`] and [`export`] render pages and data files with [`templates`],
//! and [`output`] writes them. [`pipeline`] runs the stages in order.

pub mod analysis;
pub mod book;
pub mod corpus;
pub mod diagnostics;
pub mod discover;
pub mod encrypt;
pub mod export;
pub mod frontmatter;
pub mod note;
pub mod output;
pub mod pipeline;
pub mod scaffold;
pub mod serve;
pub mod settings;
pub mod site;
pub mod templates;
pub mod text;
pub mod watch;
pub mod yaml;
