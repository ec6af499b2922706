//! The error type of this crate.

/// Errors from parsing user input and files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A date that is neither RFC 3339 nor `YYYY-MM-DD`.
    #[error("invalid date {input:?}: expected RFC 3339 (2025-01-31T12:00:00Z) or YYYY-MM-DD")]
    Date {
        /// What was given.
        input: String,
    },
    /// A window such as `90d` that could not be read.
    #[error("invalid window {input:?}: {reason}")]
    Window {
        /// What was given.
        input: String,
        /// What was wrong.
        reason: String,
    },
    /// A bundle manifest that is not the JSON `cabundle build --manifest` writes.
    #[error("invalid manifest: {reason}")]
    Manifest {
        /// What was wrong.
        reason: String,
    },
    /// There was no certificate to verify.
    #[error("no certificate to verify")]
    EmptyChain,
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
