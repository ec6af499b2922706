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
    /// A path cannot be written into a shell statement because it holds a control character
    /// (a newline, a tab, an escape, ...), which would split the statement over lines or reach
    /// the terminal unescaped.
    #[error(
        "path {path:?} holds the control character {} (U+{:04X}): refusing to write it into a shell statement",
        character.escape_default(),
        u32::from(*character)
    )]
    ControlCharacter {
        /// The path.
        path: PathBuf,
        /// The first control character in it.
        character: char,
    },
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
