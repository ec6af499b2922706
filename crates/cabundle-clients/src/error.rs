//! The error type of this crate.

use std::path::PathBuf;

/// What went wrong, with the path it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path cannot be written into a shell statement because it is not UTF-8.
    #[error("path {path:?} is not valid UTF-8")]
    NotUtf8 {
        /// The path.
        path: PathBuf,
    },
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
