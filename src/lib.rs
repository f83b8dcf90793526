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
pub mod diagnostics;
pub mod encrypt;
pub mod import;
pub mod log;
pub mod note_edit;
pub mod pipeline;
pub mod read;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod syntax;
pub mod watch;

/// Writes a line to standard error like `eprintln!`, but a closed pipe
/// (or any other failure to write) is ignored instead of a panic.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr(), $($arg)*);
    }};
}

/// Writes a line to standard output like `println!`, ignoring a closed
/// pipe.
#[macro_export]
macro_rules! say_out {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stdout(), $($arg)*);
    }};
}
