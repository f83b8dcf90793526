//! Running the stages in order, and writing the site.

pub mod inputs;
pub mod nofollow;
pub mod output;
pub mod session;
pub mod stages;
