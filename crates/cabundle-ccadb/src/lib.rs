//! CCADB root and intermediate reports and NSS certdata.txt, parsed by header name into typed rows.
//!
//! Pure: every function takes the bytes of a report and returns values; reading files and
//! fetching URLs happen in the callers. Five inputs are understood:
//!
//! - `IncludedCACertificateReportPEMCSV`, Mozilla's included roots with their PEM
//!   ([`parse_report`]); columns are bound by header name, so the several header layouts the
//!   CCADB has published all load;
//! - NSS `certdata.txt`, the input of curl's `mk-ca-bundle.pl` and of certifi
//!   ([`parse_certdata`]);
//! - `AllCertificatePEMsCSVFormat`, the two-column fingerprint and PEM export
//!   ([`parse_pem_csv`]);
//! - `MozillaIntermediateCertsCSVReport`, the intermediates Firefox preloads
//!   ([`parse_intermediates`]);
//! - `PublicIntermediateCertsRevokedWithPEMCSV`, the intermediates disclosed as revoked
//!   ([`parse_revoked_intermediates`]).
//!
//! Every decoded certificate is checked against the fingerprint the report gives for it.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = rcgen::KeyPair::generate()?;
//! # let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
//! # params.distinguished_name.push(rcgen::DnType::CommonName, "Example Root CA");
//! # params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
//! # let pem = params.self_signed(&key)?.pem();
//! # let cert = cabundle_cert::read_certificates(pem.as_bytes())?;
//! # let sha256 = cert.first().ok_or("no certificate")?.sha256;
//! // A one-row report with the columns the parser needs (the CCADB publishes a few more).
//! let csv = format!(
//!     "Owner,Common Name or Certificate Name,Certificate Serial Number,SHA-256 Fingerprint,\
//!      Trust Bits,Distrust for TLS After Date,Distrust for S/MIME After Date,\
//!      Mozilla Applied Constraints,PEM Info\n\
//!      Example,Example Root CA,01,{sha256},Websites,,,,\"'{pem}'\"\n"
//! );
//! let report = cabundle_ccadb::parse_report(csv.as_bytes())?;
//! let root = report.roots.first().ok_or("no root")?;
//! assert_eq!(root.label, "Example Root CA");
//! assert!(root.trust_bits.websites && !root.trust_bits.email);
//! assert_eq!(root.certificate.sha256, sha256);
//! # Ok(())
//! # }
//! ```

mod certdata;
pub mod chrome;
mod csv_util;
mod error;
mod intermediates;
mod pem_csv;
mod plausible;
mod report;
mod revoked;

pub use cabundle_cert::{Certificate, Purpose, Sha256Fingerprint};
pub use certdata::parse_certdata;
pub use chrome::{ChromeStore, ChromeTrust, chrome_report, parse_chrome};
pub use error::Error;
pub use intermediates::{Intermediate, looks_like_intermediates, parse_intermediates};
pub use pem_csv::{PEM_COLUMN, PemRecord, parse_pem_csv};
pub use plausible::{Implausible, MIN_ROOTS, check_plausible};
pub use report::parse_report;
pub use revoked::{
    REVOKED_DATE, REVOKED_OWNER, REVOKED_PEM, REVOKED_REASON, REVOKED_SHA256, REVOKED_SUBJECT,
    RevokedIntermediate, looks_like_revoked_intermediates, parse_revoked_intermediates,
};

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

impl TrustBits {
    /// The values that are set, in the report's words and a fixed order (`Websites`, `Email`,
    /// `Code`, `All Trust Bits Turned Off`).
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.websites, "Websites"),
            (self.email, "Email"),
            (self.code, "Code"),
            (self.all_off, "All Trust Bits Turned Off"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }

    /// Whether these bits grant `purpose` (`Websites` for TLS, `Email` for S/MIME).
    pub fn grants(&self, purpose: Purpose) -> bool {
        match purpose {
            Purpose::Tls => self.websites,
            Purpose::Email => self.email,
        }
    }
}

/// The `Trust Bits` value that grants `purpose`: `Websites` or `Email`.
pub fn trust_bit_name(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Tls => "Websites",
        Purpose::Email => "Email",
    }
}

/// The report's distrust-after column for `purpose`.
pub fn distrust_column(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Tls => report::TLS_DISTRUST,
        Purpose::Email => report::SMIME_DISTRUST,
    }
}

/// What `Mozilla Applied Constraints` says when a root has none (Telekom's S/MIME roots).
const NO_CONSTRAINTS: &str = "No name constraints are to be applied";

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
    /// What the Chrome Root Store says about the root, when it comes from one (its policy
    /// differs from Mozilla's: see `cabundle-policy`).
    pub chrome: Option<ChromeTrust>,
    /// The certificate decoded from `PEM Info` (certdata: `CKA_VALUE`).
    pub certificate: Certificate,
}

impl Root {
    /// The distrust-after date for `purpose`, if any.
    pub fn distrust_after(&self, purpose: Purpose) -> Option<Date> {
        match purpose {
            Purpose::Tls => self.tls_distrust_after,
            Purpose::Email => self.smime_distrust_after,
        }
    }

    /// The constraints Mozilla applies to this root beyond what its certificate says (such as
    /// the DNS names it may issue for, e.g. `*.tr`), as the report writes them; `None` when the
    /// cell is empty or says that no constraint applies. A PEM bundle cannot carry them, so
    /// callers show them to the user.
    pub fn applied_constraints(&self) -> Option<&str> {
        let value = self.mozilla_applied_constraints.trim();
        (!value.is_empty() && !value.eq_ignore_ascii_case(NO_CONSTRAINTS)).then_some(value)
    }
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
/// telling them apart by content. A Chrome Root Store textproto is refused: it names its
/// certificates by fingerprint only ([`parse_chrome`] and [`chrome_report`] read it).
pub fn parse_any(bytes: &[u8]) -> Result<Report, Error> {
    if chrome::looks_like_chrome(bytes) {
        return Err(Error::ChromeNeedsCertificates);
    }
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
