//! The error type of this crate; every variant names the path it concerns.

use std::io;
use std::path::PathBuf;

/// Errors from reading or changing a hashed directory.
#[derive(Debug, thiserror::Error)]
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
