//! The error type of this crate: every variant says where in the input the problem is.

use crate::{Sha256Fingerprint, upper_hex};

/// Errors from parsing a report. Rows are 1-based data record numbers (the header is not
/// counted); columns are header names as written in the report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input has no bytes (or only whitespace).
    #[error("the body is empty: expected a CCADB CSV report or certdata.txt")]
    Empty,
    /// The input is something else entirely.
    #[error("the body is not a CCADB CSV report (it looks like {looks_like})")]
    NotCsv {
        /// What it looks like, e.g. `an HTML page`, `binary data`.
        looks_like: String,
    },
    /// The CSV structure itself is broken (wrong field count, invalid UTF-8, truncated).
    #[error("row {row}: malformed CSV: {message}")]
    Csv {
        /// The record where the problem was found (0 for the header).
        row: usize,
        /// What was wrong.
        message: String,
    },
    /// A column the parser needs is not in the header.
    #[error("missing required column \"{column}\"")]
    MissingColumn {
        /// The column name.
        column: String,
    },
    /// The header has no data records after it.
    #[error("the report has a header but no rows")]
    NoRows,
    /// A cell's value cannot be understood.
    #[error("row {row}, column \"{column}\": {message}")]
    Cell {
        /// The record.
        row: usize,
        /// The column name.
        column: String,
        /// What was wrong, including the value.
        message: String,
    },
    /// The PEM of a row could not be decoded into a certificate.
    // The certificate error is part of the message, not a `source`, so that an error chain
    // does not print it twice.
    #[error("row {row}, column \"{column}\": {error}")]
    Certificate {
        /// The record.
        row: usize,
        /// The column name.
        column: String,
        /// Why decoding failed.
        error: cabundle_cert::Error,
    },
    /// The fingerprint column disagrees with the SHA-256 of the decoded certificate.
    #[error(
        "row {row}, column \"{column}\": fingerprint {} does not match the certificate ({})",
        upper_hex(.expected),
        upper_hex(.actual)
    )]
    FingerprintMismatch {
        /// The record.
        row: usize,
        /// The fingerprint column's name.
        column: String,
        /// The fingerprint written in the report.
        expected: Sha256Fingerprint,
        /// The SHA-256 of the certificate's DER.
        actual: Sha256Fingerprint,
    },
    /// Two rows carry the same certificate.
    #[error(
        "row {row}, column \"{column}\": duplicate fingerprint {} (first seen in row {first_row})",
        upper_hex(.fingerprint)
    )]
    DuplicateFingerprint {
        /// The later record.
        row: usize,
        /// The fingerprint column's name.
        column: String,
        /// The record where the fingerprint first appeared.
        first_row: usize,
        /// The repeated fingerprint.
        fingerprint: Sha256Fingerprint,
    },
    /// certdata.txt is malformed.
    #[error("certdata.txt line {line}: {message}")]
    Certdata {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// A Chrome Root Store textproto was given where its certificates are needed too.
    #[error(
        "the report is a Chrome Root Store textproto, which holds fingerprints only: its certificates must be given too"
    )]
    ChromeNeedsCertificates,
    /// A Chrome Root Store textproto is malformed.
    #[error("line {line}: {message}")]
    Textproto {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// A Chrome Root Store anchor has no certificate among the ones given.
    #[error("line {line}: no certificate given for the trust anchor {sha256}")]
    ChromeMissingCertificate {
        /// The line of the anchor's entry.
        line: usize,
        /// Its `sha256_hex`.
        sha256: Sha256Fingerprint,
    },
}
