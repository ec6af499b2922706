//! The error type of the build pipeline: every variant names the file, row or certificate.
//!
//! Variants that wrap another error leave it out of their own message and expose it as
//! `source`, so a report printed as a chain (`{:#}` with anyhow) says each thing once.

use crate::recipe::Location;
use cabundle_cert::Sha256Fingerprint;
use std::path::PathBuf;

/// Errors from building or writing outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The report could not be parsed.
    #[error("cannot read the report {source_name}")]
    Report {
        /// The report's file name or URL.
        source_name: String,
        /// Why.
        source: cabundle_ccadb::Error,
    },
    /// A file of added certificates holds something that is not a certificate.
    #[error("cannot read certificates from {file}")]
    AddRead {
        /// The file.
        file: String,
        /// Why.
        source: cabundle_cert::Error,
    },
    /// A file of a root store's certificates holds something that is not a certificate.
    #[error("cannot read certificates from {file}")]
    CertsRead {
        /// The file.
        file: String,
        /// Why.
        source: cabundle_cert::Error,
    },
    /// A file of a root store's certificates holds no certificate.
    #[error("{file} holds no certificate")]
    CertsEmpty {
        /// The file.
        file: String,
    },
    /// A file of added certificates holds no certificate.
    #[error("{file} holds no certificate")]
    AddEmpty {
        /// The file.
        file: String,
    },
    /// An added certificate is not a CA certificate (basic constraints `cA` false or absent):
    /// only CA certificates can be trust anchors.
    #[error(
        "{file}: certificate {index} (\"{subject}\", SHA-256 {sha256}) is not a CA certificate"
    )]
    AddNotCa {
        /// The file.
        file: String,
        /// 1-based position of the certificate in the file.
        index: usize,
        /// Its subject.
        subject: String,
        /// Its SHA-256.
        sha256: Sha256Fingerprint,
    },
    /// An excluded fingerprint is not a SHA-256 fingerprint.
    #[error("\"{value}\" is not a SHA-256 fingerprint (64 hex digits, colons allowed)")]
    BadFingerprint {
        /// The value as given.
        value: String,
    },
    /// Reading or writing a file failed (the message names the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Writing the outputs failed (the message names the path).
    #[error(transparent)]
    Write(cabundle_write::Error),
    /// The capath destination exists and holds files this tool did not write.
    #[error(
        "refusing to replace {}: it holds {entry}, which cabundle did not write",
        .dir.display()
    )]
    CapathNotOurs {
        /// The destination.
        dir: PathBuf,
        /// The unexpected entry.
        entry: String,
    },
    /// An output destination is a directory where a file is expected, or the reverse.
    #[error("{} exists and is not a {expected}", .path.display())]
    WrongKind {
        /// The destination.
        path: PathBuf,
        /// `file` or `directory`.
        expected: &'static str,
    },
    /// A bundle folder has no recipe.
    #[error("no recipe.toml in {}", .dir.display())]
    NoRecipe {
        /// The folder.
        dir: PathBuf,
    },
    /// A recipe is not valid.
    #[error("invalid recipe {}: {at}: {reason}", .file.display())]
    InvalidRecipe {
        /// The recipe file.
        file: PathBuf,
        /// The key, or the line and column.
        at: Location,
        /// What is wrong.
        reason: String,
    },
    /// A lock is not valid.
    #[error("invalid lock {}: {at}: {reason}", .file.display())]
    InvalidLock {
        /// The lock file.
        file: PathBuf,
        /// The key, or the line and column.
        at: Location,
        /// What is wrong.
        reason: String,
    },
    /// A lock could not be written as TOML (a size beyond TOML's signed 64-bit integers).
    #[error("cannot write the lock as TOML")]
    LockToml {
        /// Why.
        source: toml::ser::Error,
    },
    /// The source bytes of a bundle build are not what its lock pins.
    #[error(
        "{source_name} is not the source {} pins: its SHA-256 is {actual}, the lock's is {expected}",
        .lock_file.display()
    )]
    SourceMismatch {
        /// Where the bytes came from (a file name or URL).
        source_name: String,
        /// Their SHA-256.
        actual: Sha256Fingerprint,
        /// The lock file.
        lock_file: PathBuf,
        /// The SHA-256 the lock pins.
        expected: Sha256Fingerprint,
    },
    /// The intermediates bytes of a bundle build are not what its lock pins.
    #[error(
        "{source_name} is not the intermediates report {} pins: its SHA-256 is {actual}, the lock's is {expected}",
        .lock_file.display()
    )]
    IntermediatesMismatch {
        /// Where the bytes came from (a file name or URL).
        source_name: String,
        /// Their SHA-256.
        actual: Sha256Fingerprint,
        /// The lock file.
        lock_file: PathBuf,
        /// The SHA-256 the lock pins.
        expected: Sha256Fingerprint,
    },
    /// An intermediates report was given for a bundle whose recipe has no intermediates.
    #[error(
        "the recipe of {bundle} has no `[intermediates]` table, so it takes no intermediates report"
    )]
    NoIntermediatesInRecipe {
        /// The bundle's name.
        bundle: String,
    },
    /// A bundle with intermediates was built without its intermediates report.
    #[error("{bundle} has intermediates: its build needs the intermediates report {} pins", .lock_file.display())]
    MissingIntermediates {
        /// The bundle's name.
        bundle: String,
        /// The lock file.
        lock_file: PathBuf,
    },
    /// An output was asked for that the build did not make (its kind was not wanted, or it
    /// needs the intermediates report).
    #[error("the build made no {output} to write")]
    NotBuilt {
        /// What the output is.
        output: &'static str,
    },
    /// A directory was asked for on standard output.
    #[error("the {output} is a directory and cannot go to standard output")]
    DirectoryToStdout {
        /// What the output is.
        output: &'static str,
    },
    /// More than one output was asked for on standard output.
    #[error("only one output can go to standard output")]
    SeveralToStdout,
    /// The Java truststore could not be encoded.
    #[error("cannot encode the Java truststore: {reason}")]
    JavaTruststore {
        /// Why.
        reason: String,
    },
    /// A Kubernetes output (trust-manager package, `ClusterTrustBundle`) could not be made.
    #[error(transparent)]
    Kubernetes(#[from] cabundle_emit::K8sError),
    /// A root could not be written as a p11-kit object.
    #[error(transparent)]
    P11Kit(#[from] cabundle_emit::P11KitError),
}
