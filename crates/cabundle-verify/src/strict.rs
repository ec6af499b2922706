//! What strict clients refuse in a chain OpenSSL's default verification accepts.
//!
//! Two families, each a set of [`Rule`]s applied to every certificate of the path it covers,
//! the trust anchor included:
//!
//! - [`Family::Strict`]: OpenSSL's `X509_V_FLAG_X509_STRICT` checks (RFC 5280 conformance),
//!   which Python turns on from 3.13 (`ssl.VERIFY_X509_STRICT` in its default context). They
//!   follow OpenSSL 3's `check_extensions`: made only when the path has more than one
//!   certificate; the authority key identifier is asked of every certificate but the last.
//! - [`Family::Profile`]: the CA/Browser Forum profile that browsers, Go and rustls enforce
//!   and public CAs must follow: everything `Strict` asks, and a server certificate must name
//!   its host in a subjectAltName (the common name is not read), list the common name there
//!   too, carry the serverAuth extended key usage; and every certificate must have a positive
//!   serial of at most 20 octets, its validity encoded as RFC 5280 asks, and name constraints
//!   only where RFC 5280 allows them (a CA, critical, not empty).
//!
//! Key sizes, curves and unknown critical extensions are not here: the default verification
//! refuses them already.

use crate::Role;
use cabundle_cert::{Certificate, GeneralName, Sha256Fingerprint};
use std::fmt;

/// A family of clients with the same rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// OpenSSL with `X509_V_FLAG_X509_STRICT`: Python from 3.13.
    Strict,
    /// The CA/Browser Forum profile: browsers, Go, rustls.
    Profile,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Strict => "OpenSSL's X509_STRICT (Python from 3.13)",
            Family::Profile => "the CA/Browser Forum profile (browsers, Go, rustls)",
        })
    }
}

/// One rule a certificate of the path breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A pathLenConstraint on a certificate that is not a CA.
    PathLenInvalidForNonCa,
    /// A pathLenConstraint without keyUsage keyCertSign.
    PathLenWithoutKeyCertSign,
    /// A CA whose basicConstraints is not marked critical.
    CaBasicConstraintsNotCritical,
    /// A CA without a keyUsage extension.
    CaMissingKeyUsage,
    /// keyCertSign on a certificate that is not a CA.
    KeyCertSignForNonCa,
    /// An empty issuer name.
    IssuerNameEmpty,
    /// An empty subject name where one is required.
    SubjectNameEmpty,
    /// An empty subject with a subjectAltName not marked critical.
    EmptySubjectSanNotCritical,
    /// A subjectAltName extension without any name.
    EmptySubjectAltName,
    /// The signature algorithm outside the signed part differs from the one inside.
    SignatureAlgorithmInconsistency,
    /// An authorityKeyIdentifier marked critical.
    AuthorityKeyIdentifierCritical,
    /// A subjectKeyIdentifier marked critical.
    SubjectKeyIdentifierCritical,
    /// No authorityKeyIdentifier (with a key identifier) below the top of the path.
    MissingAuthorityKeyIdentifier,
    /// A CA without a subjectKeyIdentifier.
    MissingSubjectKeyIdentifier,
    /// Extensions in a version 1 or 2 certificate.
    ExtensionsRequireVersion3,
    /// A server certificate without a DNS name or IP address in a subjectAltName.
    NoSubjectAltName,
    /// A server certificate whose common name is not among its subjectAltNames.
    CommonNameNotInSubjectAltName,
    /// A serial number that is zero, negative or longer than 20 octets.
    SerialNumber,
    /// A server certificate without the serverAuth extended key usage.
    ServerExtendedKeyUsage,
    /// A validity date encoded as GeneralizedTime before 2050, or as UTCTime after.
    ValidityEncoding,
    /// nameConstraints as RFC 5280 writes them: only on a CA, marked critical, not empty.
    NameConstraintsSyntax,
}

impl Rule {
    /// The families that refuse a chain breaking this rule.
    pub fn refused_by(self) -> &'static [Family] {
        match self {
            Rule::NoSubjectAltName
            | Rule::CommonNameNotInSubjectAltName
            | Rule::SerialNumber
            | Rule::ServerExtendedKeyUsage
            | Rule::ValidityEncoding
            | Rule::NameConstraintsSyntax => &[Family::Profile],
            _ => &[Family::Strict, Family::Profile],
        }
    }
}

impl fmt::Display for Rule {
    /// OpenSSL's words for the rules it checks, the profile's for the others.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::PathLenInvalidForNonCa => "Path length constraint for non-CA cert",
            Rule::PathLenWithoutKeyCertSign => {
                "Path length constraint without key usage keyCertSign"
            }
            Rule::CaBasicConstraintsNotCritical => {
                "Basic Constraints of CA cert not marked critical"
            }
            Rule::CaMissingKeyUsage => "CA cert does not include key usage extension",
            Rule::KeyCertSignForNonCa => "Key usage keyCertSign invalid for non-CA cert",
            Rule::IssuerNameEmpty => "Issuer name empty",
            Rule::SubjectNameEmpty => "Subject name empty",
            Rule::EmptySubjectSanNotCritical => {
                "Subject empty and Subject Alt Name extension not critical"
            }
            Rule::EmptySubjectAltName => "Subject Alt Name extension empty",
            Rule::SignatureAlgorithmInconsistency => "Signature algorithm inconsistency",
            Rule::AuthorityKeyIdentifierCritical => "Authority Key Identifier marked critical",
            Rule::SubjectKeyIdentifierCritical => "Subject Key Identifier marked critical",
            Rule::MissingAuthorityKeyIdentifier => "Missing Authority Key Identifier",
            Rule::MissingSubjectKeyIdentifier => "Missing Subject Key Identifier",
            Rule::ExtensionsRequireVersion3 => "Extensions require version 3",
            Rule::NoSubjectAltName => {
                "no subjectAltName names the host (the common name is not read)"
            }
            Rule::CommonNameNotInSubjectAltName => {
                "the common name is not among the subjectAltNames"
            }
            Rule::SerialNumber => "the serial number is not positive or is longer than 20 octets",
            Rule::ServerExtendedKeyUsage => "no extended key usage serverAuth",
            Rule::ValidityEncoding => {
                "a validity date is not encoded as RFC 5280 asks (UTCTime through 2049)"
            }
            Rule::NameConstraintsSyntax => {
                "name constraints not as RFC 5280 asks (on a CA only, critical, not empty)"
            }
        })
    }
}

/// A rule broken by one certificate of the path.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// Where the certificate stands in the path.
    pub role: Role,
    /// Its subject.
    pub subject: String,
    /// Its fingerprint.
    pub sha256: Sha256Fingerprint,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: the {} \"{}\"", self.rule, self.role, self.subject)
    }
}

const BASIC_CONSTRAINTS: &str = "2.5.29.19";
const SUBJECT_ALT_NAME: &str = "2.5.29.17";
const AUTHORITY_KEY_ID: &str = "2.5.29.35";
const SUBJECT_KEY_ID: &str = "2.5.29.14";
const NAME_CONSTRAINTS: &str = "2.5.29.30";

/// The rules `path` (leaf first, the anchor last, each with its role) breaks; `server`: the
/// leaf is a TLS server's, so the profile's rules for server certificates apply to it.
pub(crate) fn check(path: &[(&Certificate, Role)], server: bool) -> Vec<Violation> {
    let mut out = Vec::new();
    let n = path.len();
    for (i, &(cert, role)) in path.iter().enumerate() {
        let mut broken = |rule: Rule| {
            out.push(Violation {
                rule,
                role,
                subject: cert.subject.clone(),
                sha256: cert.sha256,
            });
        };
        if n > 1 {
            for rule in openssl_strict(cert, i + 1 < n) {
                broken(rule);
            }
        }
        if i == 0 && server && role == Role::Leaf {
            for rule in server_profile(cert) {
                broken(rule);
            }
        }
        if !positive_and_short(&cert.serial_hex) {
            broken(Rule::SerialNumber);
        }
        if !cert.validity_encoding_conforms {
            broken(Rule::ValidityEncoding);
        }
        if let Some(nc) = cert.extension(NAME_CONSTRAINTS) {
            let is_ca = cert.basic_constraints.is_some_and(|b| b.ca);
            let empty = cert
                .name_constraints
                .as_ref()
                .is_some_and(|c| c.permitted.is_empty() && c.excluded.is_empty());
            if !is_ca || !nc.critical || empty {
                broken(Rule::NameConstraintsSyntax);
            }
        }
    }
    out
}

/// OpenSSL 3's strict checks of one certificate; `below_top`: it is not the last of the path.
fn openssl_strict(cert: &Certificate, below_top: bool) -> Vec<Rule> {
    let mut out = Vec::new();
    let is_ca = cert.basic_constraints.is_some_and(|b| b.ca);
    let key_cert_sign = cert.key_usage.is_some_and(|k| k.key_cert_sign);
    let crl_sign = cert.key_usage.is_some_and(|k| k.crl_sign);
    let critical = |oid: &str| cert.extension(oid).is_some_and(|e| e.critical);
    let has = |oid: &str| cert.extension(oid).is_some();
    if cert.basic_constraints.is_some_and(|b| b.path_len.is_some()) {
        if !is_ca {
            out.push(Rule::PathLenInvalidForNonCa);
        }
        if !key_cert_sign {
            out.push(Rule::PathLenWithoutKeyCertSign);
        }
    }
    if is_ca && has(BASIC_CONSTRAINTS) && !critical(BASIC_CONSTRAINTS) {
        out.push(Rule::CaBasicConstraintsNotCritical);
    }
    if is_ca && cert.key_usage.is_none() {
        out.push(Rule::CaMissingKeyUsage);
    }
    if !is_ca && key_cert_sign {
        out.push(Rule::KeyCertSignForNonCa);
    }
    let empty = |der: &[u8]| der == [0x30, 0x00];
    if empty(&cert.issuer_der) {
        out.push(Rule::IssuerNameEmpty);
    }
    let has_san = has(SUBJECT_ALT_NAME);
    if empty(&cert.subject_der) {
        if is_ca || crl_sign || !has_san {
            out.push(Rule::SubjectNameEmpty);
        }
        if has_san && !critical(SUBJECT_ALT_NAME) {
            out.push(Rule::EmptySubjectSanNotCritical);
        }
    }
    if has_san && cert.subject_alt_name_entries == 0 {
        out.push(Rule::EmptySubjectAltName);
    }
    if !cert.signature_algorithms_agree {
        out.push(Rule::SignatureAlgorithmInconsistency);
    }
    if critical(AUTHORITY_KEY_ID) {
        out.push(Rule::AuthorityKeyIdentifierCritical);
    }
    if critical(SUBJECT_KEY_ID) {
        out.push(Rule::SubjectKeyIdentifierCritical);
    }
    if cert.version >= 3 {
        if below_top && cert.authority_key_id.is_none() {
            out.push(Rule::MissingAuthorityKeyIdentifier);
        }
        if is_ca && cert.subject_key_id.is_none() {
            out.push(Rule::MissingSubjectKeyIdentifier);
        }
    } else if !cert.extensions.is_empty() {
        out.push(Rule::ExtensionsRequireVersion3);
    }
    out
}

/// The profile's rules for a server certificate.
fn server_profile(cert: &Certificate) -> Vec<Rule> {
    let mut out = Vec::new();
    let names: Vec<String> = cert
        .subject_alt_names
        .iter()
        .filter_map(|n| match n {
            GeneralName::Dns(d) => Some(d.to_ascii_lowercase()),
            GeneralName::Ip(ip) => Some(ip.to_string()),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        out.push(Rule::NoSubjectAltName);
    } else if let Some(cn) = &cert.common_name
        && !names.contains(&cn.to_ascii_lowercase())
    {
        out.push(Rule::CommonNameNotInSubjectAltName);
    }
    let server_auth = cert.extended_key_usage.as_ref().is_some_and(|ekus| {
        ekus.iter()
            .any(|e| matches!(e, cabundle_cert::ExtendedKeyUsage::ServerAuth))
    });
    if !server_auth {
        out.push(Rule::ServerExtendedKeyUsage);
    }
    out
}

/// Whether a serial (DER content octets as hex) is positive and at most 20 octets.
fn positive_and_short(serial_hex: &str) -> bool {
    let Ok(bytes) = hex::decode(serial_hex) else {
        return false;
    };
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let zero = bytes.iter().all(|&b| b == 0);
    !negative && !zero && bytes.len() <= 20
}

#[cfg(test)]
mod tests {
    use super::positive_and_short;

    #[test]
    fn serials() {
        assert!(positive_and_short("01"));
        assert!(positive_and_short("00FF"));
        assert!(positive_and_short(&"7F".repeat(20)));
        assert!(!positive_and_short(&"7F".repeat(21)));
        assert!(!positive_and_short("00"));
        assert!(!positive_and_short("FF"));
        assert!(!positive_and_short("zz"));
    }
}
