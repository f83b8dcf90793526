//! rapport: a folder of referral-partner notes in, a private static site of
//! reciprocity charts and collaboration-readiness reports out.
//!
//! The folders follow the stages: [`read`] finds and parses the notes into
//! the model of [`book`] (which also holds the settings), [`analysis`]
//! computes the numbers, [`render`] draws pages and data files in memory,
//! and [`build`] runs the stages in order and writes the site. [`watch`] and
//! [`serve`] rebuild on changes; [`diagnostics`] carries located problems.

pub mod analysis;
pub mod book;
pub mod build;
pub mod diagnostics;
pub mod encrypt;
pub mod log;
pub mod read;
pub mod render;
pub mod serve;
pub mod watch;
