//! Certificates and CRLs read from PEM or DER, as owned values.
//!
//! Pure: takes bytes, returns values. Computes what every other crate needs to know about a
//! certificate: fingerprints, names, validity, key, CA flag, and OpenSSL's subject-name hashes
//! (`X509_NAME_hash` and the old MD5 one) exactly as OpenSSL computes them.

use serde::Serialize;
use std::fmt;

/// A SHA-256 fingerprint of a DER certificate.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Fingerprint(pub [u8; 32]);

/// A SHA-1 fingerprint of a DER certificate or CRL.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha1Fingerprint(pub [u8; 20]);

/// An OpenSSL subject-name hash (`X509_NAME_hash` or `X509_NAME_hash_old`), shown as 8
/// lower-case hex digits like `openssl x509 -subject_hash`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct SubjectHash(pub u32);

impl fmt::Display for SubjectHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

/// What kind of PEM block or DER object was read.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// An X.509 certificate.
    Certificate,
    /// An X.509 certificate revocation list.
    Crl,
}

/// The public key of a certificate.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct KeyInfo {
    /// `RSA`, `EC`, `Ed25519`, `Ed448`, `DSA` or the algorithm OID when unknown.
    pub algorithm: String,
    /// Key size in bits (RSA modulus, EC field size), when known.
    pub bits: Option<u32>,
    /// The named curve for EC keys (e.g. `P-256`).
    pub curve: Option<String>,
}

/// Errors from reading certificates.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A PEM block could not be decoded (bad base64, truncated, no END line).
    #[error("invalid PEM block {index} ({label}): {reason}")]
    Pem {
        /// 0-based index of the block in the input.
        index: usize,
        /// The PEM label, e.g. `CERTIFICATE`.
        label: String,
        /// What was wrong.
        reason: String,
    },
    /// DER bytes are not a valid certificate or CRL.
    #[error("invalid {kind:?} DER (object {index}): {reason}")]
    Der {
        /// 0-based index of the object in the input.
        index: usize,
        /// What the object was expected to be.
        kind: ObjectKind,
        /// What was wrong.
        reason: String,
    },
    /// A name could not be canonicalised (e.g. a BMPString of odd length, invalid UTF-8);
    /// OpenSSL fails on the same names.
    #[error("cannot canonicalise name: {0}")]
    Name(String),
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A parsed certificate, owning its DER.
///
/// Field values are computed once at parse time; the struct is cheap to clone and compare.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The DER encoding, exactly as read.
    pub der: Vec<u8>,
    /// SHA-256 of `der`.
    pub sha256: Sha256Fingerprint,
    /// SHA-1 of `der`.
    pub sha1: Sha1Fingerprint,
    /// The subject as a one-line RFC 4514-like string (`CN=..., O=..., C=...`).
    pub subject: String,
    /// The issuer, in the same form as `subject`.
    pub issuer: String,
    /// The DER encoding of the subject Name (SEQUENCE included).
    pub subject_der: Vec<u8>,
    /// The DER encoding of the issuer Name (SEQUENCE included).
    pub issuer_der: Vec<u8>,
    /// The serial number as upper-case hex of its DER content octets (sign byte kept, so
    /// `00D9B5...` stays as the CCADB writes it, and negative serials load).
    pub serial_hex: String,
    /// notBefore.
    pub not_before: time::OffsetDateTime,
    /// notAfter.
    pub not_after: time::OffsetDateTime,
    /// The public key.
    pub key: KeyInfo,
    /// Basic constraints `cA` is true.
    pub is_ca: bool,
    /// `X509_NAME_hash` of the subject (what `openssl x509 -subject_hash` prints).
    pub subject_hash: SubjectHash,
    /// `X509_NAME_hash_old` of the subject (MD5; `-subject_hash_old`).
    pub subject_hash_old: SubjectHash,
    /// `X509_NAME_hash` of the issuer.
    pub issuer_hash: SubjectHash,
}

/// A parsed CRL, owning its DER.
#[derive(Clone, Debug)]
pub struct Crl {
    /// The DER encoding, exactly as read.
    pub der: Vec<u8>,
    /// SHA-1 of `der` (what `openssl rehash` uses to find duplicates).
    pub sha1: Sha1Fingerprint,
    /// SHA-256 of `der`.
    pub sha256: Sha256Fingerprint,
    /// The issuer as a one-line string.
    pub issuer: String,
    /// The DER encoding of the issuer Name.
    pub issuer_der: Vec<u8>,
    /// `X509_NAME_hash` of the issuer (what `openssl crl -hash` prints).
    pub issuer_hash: SubjectHash,
    /// `X509_NAME_hash_old` of the issuer.
    pub issuer_hash_old: SubjectHash,
    /// thisUpdate.
    pub this_update: time::OffsetDateTime,
    /// nextUpdate, when present.
    pub next_update: Option<time::OffsetDateTime>,
}

/// One object read from a file: a certificate or a CRL.
#[derive(Clone, Debug)]
pub enum Object {
    /// A certificate (`CERTIFICATE`, `X509 CERTIFICATE`, `TRUSTED CERTIFICATE` PEM, or DER).
    Certificate(Box<Certificate>),
    /// A CRL (`X509 CRL` PEM, or DER).
    Crl(Box<Crl>),
}

/// One PEM block found in text: its label and decoded bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// The base64-decoded contents.
    pub contents: Vec<u8>,
}

impl Certificate {
    /// Parses one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        let _ = der;
        todo!("cert core")
    }
}

impl Crl {
    /// Parses one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        let _ = der;
        todo!("cert core")
    }
}

/// Finds every PEM block in `text` (text, comments and blank lines around blocks are ignored;
/// CRLF and trailing spaces are accepted). Returns blocks in order. A block that starts but does
/// not end, or whose base64 is invalid, is an error.
pub fn pem_blocks(text: &[u8]) -> Result<Vec<PemBlock>> {
    let _ = text;
    todo!("cert core")
}

/// Reads every certificate and CRL in `bytes`, PEM (any number of blocks) or a single DER
/// object. PEM blocks with other labels (keys, parameters) are skipped, as OpenSSL does when
/// reading X509_INFO. For `TRUSTED CERTIFICATE` the trailing trust auxiliary data is dropped.
pub fn read_objects(bytes: &[u8]) -> Result<Vec<Object>> {
    let _ = bytes;
    todo!("cert core")
}

/// Reads every certificate in `bytes` (PEM or DER); CRLs are an error-free skip.
pub fn read_certificates(bytes: &[u8]) -> Result<Vec<Certificate>> {
    Ok(read_objects(bytes)?
        .into_iter()
        .filter_map(|o| match o {
            Object::Certificate(c) => Some(*c),
            Object::Crl(_) => None,
        })
        .collect())
}

/// `X509_NAME_hash`: SHA-1 over OpenSSL's canonical encoding of a DER `Name`, first four
/// bytes little-endian.
pub fn name_hash(name_der: &[u8]) -> Result<SubjectHash> {
    let _ = name_der;
    todo!("cert core")
}

/// `X509_NAME_hash_old`: MD5 over the DER `Name`, first four bytes little-endian.
pub fn name_hash_old(name_der: &[u8]) -> SubjectHash {
    let _ = name_der;
    todo!("cert core")
}

/// OpenSSL's canonical encoding of a DER `Name` (`x509_name_canon`): each RDN's values
/// converted to canonical UTF8String, the RDN re-encoded as a DER SET, all RDNs
/// concatenated without the outer SEQUENCE. Empty for the empty name.
pub fn canonical_name(name_der: &[u8]) -> Result<Vec<u8>> {
    let _ = name_der;
    todo!("cert core")
}

impl fmt::Display for Sha256Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}
impl fmt::Debug for Sha256Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Fingerprint({self})")
    }
}
impl fmt::Display for Sha1Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}
impl fmt::Debug for Sha1Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha1Fingerprint({self})")
    }
}
