//! The error type of this crate.

/// Errors from parsing user input and files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A window such as `90d` that could not be read.
    #[error("invalid window {input:?}: {reason}")]
    Window {
        /// What was given.
        input: String,
        /// What was wrong.
        reason: String,
    },
    /// There was no certificate to verify.
    #[error("no certificate to verify")]
    EmptyChain,
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
