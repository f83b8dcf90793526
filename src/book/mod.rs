//! The book: its typed model, its settings, and starting a new one.

mod model;
pub mod scaffold;
pub mod settings;

pub use model::*;
