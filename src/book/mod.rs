//! The book: its typed model, its settings, its folders, and starting a new
//! one.

pub mod layout;
mod model;
pub mod settings;
pub mod words;

pub use model::*;

/// Today, in the local time zone.
pub fn today() -> Day {
    Day(chrono::Local::now().date_naive())
}
