//! Certificates and CRLs read from PEM or DER, as owned values.
//!
//! Pure but for [`read_bounded`]: takes bytes, returns values. Computes what every other crate
//! needs to know about a certificate: fingerprints, names, validity, key, CA flag, and
//! OpenSSL's subject-name hashes (`X509_NAME_hash` and the old MD5 one) exactly as OpenSSL
//! computes them.
//!
//! A certificate is parsed once, with `x509-parser`, into a [`Certificate`] that carries every
//! field other crates read (names, key identifiers, alternative names, AIA, constraints...).
//! [`hash_only`] is the cheap read `rehash` uses: the name hashes and SHA-1 of an object, and
//! whether OpenSSL can load it at all. [`encode_pem`] is the one PEM encoder of the workspace.
//! [`read_bounded`] is its one IO: the bounded file reader every crate that reads inputs uses.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A self-signed CA certificate, as any PEM file would hold it.
//! let key = rcgen::KeyPair::generate()?;
//! let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
//! params.distinguished_name.push(rcgen::DnType::CommonName, "Example Root CA");
//! params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
//! let pem = params.self_signed(&key)?.pem();
//!
//! let certificates = cabundle_cert::read_certificates(pem.as_bytes())?;
//! let cert = certificates.first().ok_or("no certificate")?;
//! assert_eq!(cert.common_name.as_deref(), Some("Example Root CA"));
//! assert!(cert.is_ca);
//! // The name of its link in a hashed directory, and its SHA-256 fingerprint.
//! println!("{}.0 {}", cert.subject_hash, cert.sha256);
//! # Ok(())
//! # }
//! ```

use rayon::prelude::*;

mod asn1;
mod cert;
pub mod date;
mod file;
mod model;
mod name;
mod openssl;
mod pem;
mod pin;
mod pkcs7;
mod purpose;
mod signature;
pub mod text;

pub use file::{READ_CAP, ReadError, check_bounded, read_bounded, read_capped_from};
pub use purpose::{Purpose, UnknownPurpose};

pub use model::{BasicConstraints, ExtendedKeyUsage, GeneralName, KeyUsage, NameConstraints};
pub use openssl::{HashOnly, hash_only};
pub use pin::{PinError, SpkiPin};

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

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
#[non_exhaustive]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// An X.509 certificate.
    Certificate,
    /// An X.509 certificate revocation list.
    Crl,
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::Certificate => "certificate",
            ObjectKind::Crl => "CRL",
        })
    }
}

/// The public key of a certificate.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    #[error("invalid {kind} DER (object {index}): {reason}")]
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
    /// A SHA-256 fingerprint string is malformed.
    #[error("invalid SHA-256 fingerprint {input:?}: {reason}")]
    Fingerprint {
        /// The text that was parsed.
        input: String,
        /// What was wrong.
        reason: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A parsed certificate, owning its DER.
///
/// Field values are computed once at parse time; the struct is cheap to clone and compare.
/// Extensions that are absent, or that x509-parser cannot decode, are `None` or empty.
#[derive(Clone, Debug)]
#[non_exhaustive]
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
    /// The SHA-256 of the DER `SubjectPublicKeyInfo` (curl's `--pinnedpubkey` pin).
    pub spki_pin: SpkiPin,
    /// Basic constraints `cA` is true.
    pub is_ca: bool,
    /// `X509_NAME_hash` of the subject (what `openssl x509 -subject_hash` prints).
    pub subject_hash: SubjectHash,
    /// `X509_NAME_hash_old` of the subject (MD5; `-subject_hash_old`).
    pub subject_hash_old: SubjectHash,
    /// `X509_NAME_hash` of the issuer.
    pub issuer_hash: SubjectHash,
    /// The most specific common name of the subject (its last `CN`), decoded to text.
    pub common_name: Option<String>,
    /// subjectAltName entries (DNS names, IP addresses, e-mail addresses, URIs, directory
    /// names), in the order of the extension.
    pub subject_alt_names: Vec<GeneralName>,
    /// subjectKeyIdentifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier's keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
    /// authorityInfoAccess `caIssuers` URLs: where to fetch the issuer's certificate.
    pub ca_issuers: Vec<String>,
    /// authorityInfoAccess OCSP responder URLs.
    pub ocsp: Vec<String>,
    /// cRLDistributionPoints full-name URLs.
    pub crl_distribution_points: Vec<String>,
    /// basicConstraints.
    pub basic_constraints: Option<BasicConstraints>,
    /// keyUsage.
    pub key_usage: Option<KeyUsage>,
    /// extKeyUsage, in the order of the extension (known purposes first).
    pub extended_key_usage: Option<Vec<ExtendedKeyUsage>>,
    /// nameConstraints.
    pub name_constraints: Option<NameConstraints>,
    /// The X.509 version: 1, 2 or 3.
    pub version: u32,
    /// Every extension, known or not, in order: its OID and whether it is marked critical.
    pub extensions: Vec<Extension>,
    /// How many entries the subjectAltName extension has (those the model keeps in
    /// `subject_alt_names`, and any other kind); 0 when it is absent or empty.
    pub subject_alt_name_entries: usize,
    /// Whether the signature algorithm outside the signed part equals the one inside it.
    pub signature_algorithms_agree: bool,
    /// Whether both validity dates are encoded as RFC 5280 asks: UTCTime through 2049,
    /// GeneralizedTime from 2050.
    pub validity_encoding_conforms: bool,
}

/// One extension of a certificate: what it is and whether it is critical.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extension {
    /// The OID, dotted (`2.5.29.19`).
    pub oid: String,
    /// Marked critical.
    pub critical: bool,
}

impl Certificate {
    /// The extension with the dotted `oid`, when present.
    pub fn extension(&self, oid: &str) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.oid == oid)
    }
}

impl Certificate {
    /// The certificate as one `CERTIFICATE` PEM block (see [`encode_pem`]).
    pub fn to_pem(&self) -> String {
        encode_pem("CERTIFICATE", &self.der)
    }

    /// Whether subject and issuer are the same name (a root, or a self-issued CA).
    pub fn is_self_issued(&self) -> bool {
        self.subject_der == self.issuer_der
    }
}

/// A parsed CRL, owning its DER.
#[derive(Clone, Debug)]
#[non_exhaustive]
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
    /// The revokedCertificates entries, in the CRL's order.
    pub revoked: Vec<RevokedEntry>,
}

/// One entry of a CRL's revokedCertificates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevokedEntry {
    /// The serial number as upper-case hex of its DER content octets, as
    /// [`Certificate::serial_hex`].
    pub serial_hex: String,
    /// revocationDate.
    pub date: time::OffsetDateTime,
    /// The CRLReason code of the entry's reasonCode extension, when present.
    pub reason_code: Option<u8>,
}

/// One object read from a file: a certificate or a CRL.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Object {
    /// A certificate (`CERTIFICATE`, `X509 CERTIFICATE`, `TRUSTED CERTIFICATE` PEM, or DER).
    Certificate(Box<Certificate>),
    /// A CRL (`X509 CRL` PEM, or DER).
    Crl(Box<Crl>),
}

/// One PEM block found in text: its label and decoded bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PemBlock {
    /// The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// The base64-decoded contents.
    pub contents: Vec<u8>,
}

/// Finds every PEM block in `text` (a UTF-8 byte order mark at the start, text, comments and
/// blank lines around blocks are ignored; CRLF and trailing spaces are accepted). Returns blocks
/// in order. A block that starts but does not end, or whose base64 is invalid, is an error.
pub fn pem_blocks(text: &[u8]) -> Result<Vec<PemBlock>> {
    pem::blocks(text)
}

/// Encodes `der` as one PEM block with `label` (`CERTIFICATE`, `X509 CRL`): 64-column base64,
/// LF line endings, a final newline. The one PEM encoder of the workspace.
pub fn encode_pem(label: &str, der: &[u8]) -> String {
    ::pem::encode_config(
        &::pem::Pem::new(label, der),
        ::pem::EncodeConfig::new().set_line_ending(::pem::LineEnding::LF),
    )
}

/// Reads every certificate and CRL in `bytes`, PEM (any number of blocks) or a single DER
/// object. PEM blocks with other labels (keys, parameters) are skipped, as OpenSSL does when
/// reading X509_INFO. For `TRUSTED CERTIFICATE` the trailing trust auxiliary data is dropped.
/// A PKCS#7 `SignedData` (`certs-only`, DER or a `PKCS7` PEM block) gives the certificates it
/// carries.
///
/// Input with no PEM block that is not DER either (empty files, plain text, junk) yields no
/// objects; callers decide whether that is an error.
pub fn read_objects(bytes: &[u8]) -> Result<Vec<Object>> {
    if !contains(bytes, b"-----BEGIN ") {
        if pkcs7::looks_like(bytes) {
            return objects_of_pkcs7(0, bytes);
        }
        if bytes.first() == Some(&asn1::tag::SEQUENCE) {
            return object_from_der(0, bytes, None).map(|o| o.into_iter().collect());
        }
        return Ok(Vec::new());
    }
    let blocks = pem::blocks(bytes)?;
    // Certificates are parsed in parallel (a bundle of intermediates holds thousands); the
    // results are taken in order, so the error reported is the first one, as one by one.
    let parsed: Vec<Result<Vec<Object>>> = blocks
        .par_iter()
        .enumerate()
        .map(|(index, block)| {
            let expected = match block.label.as_str() {
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                    ObjectKind::Certificate
                }
                "X509 CRL" => ObjectKind::Crl,
                "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" => {
                    return objects_of_pkcs7(index, &block.contents);
                }
                _ => return Ok(Vec::new()),
            };
            // `TRUSTED CERTIFICATE` carries trust settings after the certificate; the first
            // DER element is the certificate, and parsing stops there.
            object_from_der(index, &block.contents, Some(expected)).map(|o| o.into_iter().collect())
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    for objects in parsed {
        out.extend(objects?);
    }
    Ok(out)
}

/// The certificates of a PKCS#7 `SignedData`; errors carry `index`.
fn objects_of_pkcs7(index: usize, der: &[u8]) -> Result<Vec<Object>> {
    let bad = |reason: String| Error::Der {
        index,
        kind: ObjectKind::Certificate,
        reason,
    };
    pkcs7::certificates(der)
        .map_err(bad)?
        .iter()
        .map(|cert| {
            Certificate::from_der(cert)
                .map(|c| Object::Certificate(Box::new(c)))
                .map_err(|e| bad(format!("a certificate in the PKCS#7 file: {e}")))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Parses one DER object, of the `expected` kind or (when `None`) of the kind its structure
/// shows. Errors carry `index`.
fn object_from_der(
    index: usize,
    der: &[u8],
    expected: Option<ObjectKind>,
) -> Result<Option<Object>> {
    let kind = match expected.or_else(|| openssl::kind_of(der)) {
        Some(kind) => kind,
        None => {
            return Err(Error::Der {
                index,
                kind: ObjectKind::Certificate,
                reason: "neither a certificate nor a CRL".into(),
            });
        }
    };
    let with_index = |e: Error| match e {
        Error::Der { kind, reason, .. } => Error::Der {
            index,
            kind,
            reason,
        },
        other => other,
    };
    Ok(Some(match kind {
        ObjectKind::Certificate => {
            Object::Certificate(Box::new(Certificate::from_der(der).map_err(with_index)?))
        }
        ObjectKind::Crl => Object::Crl(Box::new(Crl::from_der(der).map_err(with_index)?)),
    }))
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
    name::hash(name_der)
}

/// `X509_NAME_hash_old`: MD5 over the DER `Name`, first four bytes little-endian.
pub fn name_hash_old(name_der: &[u8]) -> SubjectHash {
    name::hash_old(name_der)
}

/// OpenSSL's canonical encoding of a DER `Name` (`x509_name_canon`): each RDN's values
/// converted to canonical UTF8String, the RDN re-encoded as a DER SET, all RDNs
/// concatenated without the outer SEQUENCE. Empty for the empty name.
pub fn canonical_name(name_der: &[u8]) -> Result<Vec<u8>> {
    name::canonical(name_der)
}

/// The most specific common name (the last `CN`) of a DER `Name`, decoded to text.
pub fn common_name(name_der: &[u8]) -> Option<String> {
    name::common_name(name_der)
}

/// A one-line, RFC 4514-like rendering of a DER `Name`, most specific RDN first
/// (`CN=..., O=..., C=...`), as used for [`Certificate::subject`].
pub fn display_name(name_der: &[u8]) -> String {
    name::display(name_der)
}

impl Sha256Fingerprint {
    /// The SHA-256 of any bytes (a report, an output file). A certificate's fingerprint is
    /// [`Certificate::sha256`], computed once when it is read.
    pub fn of(bytes: &[u8]) -> Sha256Fingerprint {
        use sha2::Digest as _;
        Sha256Fingerprint(sha2::Sha256::digest(bytes).into())
    }
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

impl FromStr for Sha256Fingerprint {
    type Err = Error;

    /// Parses 64 hex digits, in either case, optionally separated by colons.
    fn from_str(s: &str) -> Result<Self> {
        let digits: String = s.trim().chars().filter(|&c| c != ':').collect();
        let mut out = [0u8; 32];
        hex::decode_to_slice(&digits, &mut out).map_err(|e| Error::Fingerprint {
            input: s.to_owned(),
            reason: match e {
                hex::FromHexError::InvalidStringLength | hex::FromHexError::OddLength => {
                    format!("expected 64 hex digits, found {}", digits.len())
                }
                other => other.to_string().to_lowercase(),
            },
        })?;
        Ok(Sha256Fingerprint(out))
    }
}

impl Serialize for Sha256Fingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Sha256Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Sha1Fingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Serialize for SubjectHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SubjectHash {
    /// Reads 8 hex digits, as [`SubjectHash`] is written.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        let digits = s.len() == 8 && s.bytes().all(|b| b.is_ascii_hexdigit());
        match (digits, u32::from_str_radix(&s, 16)) {
            (true, Ok(n)) => Ok(SubjectHash(n)),
            _ => Err(serde::de::Error::custom(format!(
                "invalid subject hash {s:?}: expected 8 hex digits"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_strict_clients_look_at_is_in_the_model() {
        use cabundle_testkit::der::{CertSpec, cert_custom, tlv};
        let name = cabundle_testkit::corpus::names()[0].1.clone();
        let conforming = Certificate::from_der(&cert_custom(&CertSpec::new(&name, &name)))
            .expect("a certificate");
        assert!(conforming.validity_encoding_conforms);
        assert!(conforming.signature_algorithms_agree);
        assert_eq!(conforming.version, 3);
        assert_eq!(conforming.extensions.len(), 1);
        assert_eq!(
            conforming.extension("2.5.29.19").map(|e| e.critical),
            Some(true)
        );
        // GeneralizedTime for a date before 2050.
        let mut spec = CertSpec::new(&name, &name);
        spec.not_before = tlv(0x18, b"20200101000000Z");
        let early = Certificate::from_der(&cert_custom(&spec)).expect("a certificate");
        assert!(!early.validity_encoding_conforms);
        // A version 1 certificate has no extensions.
        let mut spec = CertSpec::new(&name, &name);
        spec.v3_ca = None;
        let v1 = Certificate::from_der(&cert_custom(&spec)).expect("a certificate");
        assert_eq!((v1.version, v1.extensions.len()), (1, 0));
    }

    #[test]
    fn sha256_from_str() {
        let check = |input: &str, ok: bool| {
            let parsed = input.parse::<Sha256Fingerprint>();
            assert_eq!(parsed.is_ok(), ok, "{input}: {parsed:?}");
            if let Ok(fp) = parsed {
                assert_eq!(fp.to_string(), "ab".repeat(32));
            }
        };
        check(&"ab".repeat(32), true);
        check(&"AB".repeat(32), true);
        check(&vec!["AB"; 32].join(":"), true);
        check(&"ab".repeat(31), false);
        check(&"zz".repeat(32), false);
        check("", false);
    }

    #[test]
    fn serialize_as_hex() {
        let fp = Sha256Fingerprint([0xab; 32]);
        assert_eq!(
            serde_json::to_string(&fp).unwrap(),
            format!("\"{}\"", "ab".repeat(32))
        );
        assert_eq!(
            serde_json::to_string(&SubjectHash(0x1a2b)).unwrap(),
            "\"00001a2b\""
        );
        let back: Sha256Fingerprint =
            serde_json::from_str(&format!("\"{}\"", "AB".repeat(32))).unwrap();
        assert_eq!(back, fp);
    }

    #[test]
    fn empty_name_hash() {
        // SHA-1 of nothing starts da 39 a3 ee.
        assert_eq!(name_hash(&[0x30, 0x00]).unwrap().to_string(), "eea339da");
    }

    #[test]
    fn non_objects_read_as_nothing() {
        for input in [&b""[..], b"hello\n", b"\x00\x01\x02"] {
            assert!(read_objects(input).unwrap().is_empty());
        }
        assert!(read_objects(b"\x30\x03\x02\x01").is_err());
    }
}
