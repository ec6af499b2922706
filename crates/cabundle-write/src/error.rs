//! The error type of the writer: every variant names the path it concerns.
//!
//! A variant that wraps an IO error leaves it out of its own message and exposes it as
//! `source`, so a report printed as a chain says each thing once.

use std::path::PathBuf;

/// Errors from writing a set of outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file system step failed.
    #[error("cannot {action} {}", .path.display())]
    Io {
        /// What was being done, in words: `write`, `lock`, `rename into`, ...
        action: &'static str,
        /// The path it was done to: the destination, or the directory it is in.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An existing directory destination holds an entry the caller's rule does not own.
    #[error(
        "refusing to replace {}: it holds {entry}, which cabundle did not write",
        .dir.display()
    )]
    NotOurs {
        /// The destination.
        dir: PathBuf,
        /// The first entry not owned, in byte order of the names.
        entry: String,
    },
    /// A destination is a directory where a file is expected, or the reverse.
    #[error("{} exists and is not a {expected}", .path.display())]
    WrongKind {
        /// The destination.
        path: PathBuf,
        /// `file` or `directory`.
        expected: &'static str,
    },
}

impl Error {
    /// `source` said about `path` while doing `action`. `tempfile` appends the temporary name
    /// to its errors; only the OS error under it is kept, so a message names the destination
    /// and its cause once.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source: without_temp_name(source),
        }
    }
}

/// The OS error under one from `tempfile`, which appends the temporary file's name.
fn without_temp_name(e: std::io::Error) -> std::io::Error {
    let Some(inner) = e.get_ref() else {
        return e;
    };
    match inner
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
    {
        Some(io) => match io.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::new(io.kind(), io.to_string()),
        },
        None => e,
    }
}
