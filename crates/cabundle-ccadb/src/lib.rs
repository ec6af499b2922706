//! CCADB root reports and NSS certdata.txt, parsed by header name into typed rows.
//!
//! Pure: every function takes the bytes of a report and returns values; reading files and
//! fetching URLs happen in the callers. Three inputs are understood:
//!
//! - `IncludedCACertificateReportPEMCSV`, Mozilla's included roots with their PEM
//!   ([`parse_report`]); columns are bound by header name, so the several header layouts the
//!   CCADB has published all load;
//! - NSS `certdata.txt`, the input of curl's `mk-ca-bundle.pl` and of certifi
//!   ([`parse_certdata`]);
//! - `AllCertificatePEMsCSVFormat`, the two-column fingerprint and PEM export
//!   ([`parse_pem_csv`]).
//!
//! Every decoded certificate is checked against the fingerprint the report gives for it.

mod certdata;
mod csv_util;
mod error;
mod pem_csv;
mod plausible;
mod report;

pub use cabundle_cert::{Certificate, Sha256Fingerprint};
pub use certdata::parse_certdata;
pub use error::Error;
pub use pem_csv::{PEM_COLUMN, PemRecord, parse_pem_csv};
pub use plausible::{Implausible, MIN_ROOTS, check_plausible};
pub use report::parse_report;

/// A calendar date from the report (`YYYY.MM.DD`).
pub type Date = time::Date;

/// Trust bits of a root.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TrustBits {
    /// `Websites` in the report; `CKA_TRUST_SERVER_AUTH` is a trusted delegator in certdata.
    pub websites: bool,
    /// `Email`; `CKA_TRUST_EMAIL_PROTECTION` in certdata.
    pub email: bool,
    /// `Code`; `CKA_TRUST_CODE_SIGNING` in certdata.
    pub code: bool,
    /// `All Trust Bits Turned Off`: the root is listed but trusted for nothing.
    pub all_off: bool,
}

/// One included root from `IncludedCACertificateReportPEMCSV` (or from certdata.txt).
#[derive(Clone, Debug)]
pub struct Root {
    /// 1-based data record number (header excluded), or the 1-based index of the certificate
    /// object in certdata.txt.
    pub row: usize,
    /// `Owner` (empty for certdata).
    pub owner: String,
    /// `Common Name or Certificate Name` (certdata: `CKA_LABEL`).
    pub label: String,
    /// `Certificate Issuer Organization` (certdata: empty).
    pub issuer_org: String,
    /// `Certificate Serial Number`, as written (upper-case hex, leading zeros kept).
    pub serial: String,
    /// `SHA-256 Fingerprint`, checked equal to the decoded certificate's.
    pub sha256: Sha256Fingerprint,
    /// `Valid From [GMT]` (certdata: the certificate's notBefore date).
    pub valid_from: Option<Date>,
    /// `Valid To [GMT]` (certdata: the certificate's notAfter date).
    pub valid_to: Option<Date>,
    /// `Trust Bits`.
    pub trust_bits: TrustBits,
    /// Values of `Trust Bits` that are not `Websites`, `Email`, `Code` or
    /// `All Trust Bits Turned Off`, as written. The policy decides what to do with them.
    pub unknown_trust_bits: Vec<String>,
    /// `Distrust for TLS After Date` (certdata: `CKA_NSS_SERVER_DISTRUST_AFTER`).
    pub tls_distrust_after: Option<Date>,
    /// `Distrust for S/MIME After Date` (certdata: `CKA_NSS_EMAIL_DISTRUST_AFTER`).
    pub smime_distrust_after: Option<Date>,
    /// `Mozilla Applied Constraints`, as written (empty when absent).
    pub mozilla_applied_constraints: String,
    /// The certificate decoded from `PEM Info` (certdata: `CKA_VALUE`).
    pub certificate: Certificate,
}

/// A parsed report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The roots, in the order of the input.
    pub roots: Vec<Root>,
    /// The header names as found (whitespace trimmed); empty for certdata.txt.
    pub columns: Vec<String>,
}

/// Parses either an `IncludedCACertificateReportPEMCSV` report or an NSS `certdata.txt`,
/// telling them apart by content.
pub fn parse_any(bytes: &[u8]) -> Result<Report, Error> {
    if certdata::looks_like_certdata(bytes) {
        parse_certdata(bytes)
    } else {
        parse_report(bytes)
    }
}

/// Upper-case hex of a fingerprint, as the CCADB writes it.
pub(crate) fn upper_hex(fp: &Sha256Fingerprint) -> String {
    hex::encode_upper(fp.0)
}
