//! The error type of this crate; every variant names the path it concerns.

use std::io;
use std::path::PathBuf;

/// Errors from reading or changing a hashed directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The directory could not be listed.
    #[error("cannot read directory {path}")]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A link could not be created.
    #[error("cannot create link {path}")]
    Link {
        /// The link.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A stale link could not be removed.
    #[error("cannot remove {path}")]
    Remove {
        /// The link.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A file with the name we would write already exists with other content.
    #[error("refusing to overwrite {path}: it exists with other content")]
    Clobber {
        /// The file that was left alone.
        path: PathBuf,
    },
    /// The directory could not be locked.
    #[error("cannot lock {path}")]
    Lock {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Another process held the directory's lock for the whole time-out.
    #[error(
        "{path} is locked by {} (waited {}s)",
        .holder.as_deref().unwrap_or("another process"),
        .waited.as_secs_f64()
    )]
    Locked {
        /// The directory.
        path: PathBuf,
        /// Who holds the lock, when known (`process 1234 (cabundle)`).
        holder: Option<String>,
        /// How long this run waited.
        waited: std::time::Duration,
    },
    /// A PEM bundle could not be read.
    #[error("invalid bundle {path}")]
    Bundle {
        /// The bundle.
        path: PathBuf,
        /// The cause.
        #[source]
        source: cabundle_cert::Error,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
