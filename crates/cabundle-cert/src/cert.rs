//! Certificates and CRLs from one DER object, parsed once with `x509-parser`.
//!
//! Every field of [`Certificate`] is read here from x509-parser's types; what no crate
//! computes (OpenSSL's name hashes, the display form of names) comes from [`crate::name`].
//! Only the extensions the model carries are decoded (x509-parser's deep parse of every
//! extension, policies and SCT lists included, costs a third of the parse). One it cannot
//! decode is left out of the model rather than failing the certificate: OpenSSL loads such
//! certificates too (see [`crate::openssl`]).

use crate::asn1::{self, tag};
use crate::{
    BasicConstraints, Certificate, Crl, Error, ExtendedKeyUsage, GeneralName, KeyInfo, KeyUsage,
    NameConstraints, ObjectKind, Result, RevokedEntry, Sha1Fingerprint, Sha256Fingerprint, name,
};
use name::Name;
use sha1::{Digest, Sha1};
use sha2::Sha256;
use std::net::IpAddr;
use x509_parser::nom::Parser;
use x509_parser::prelude::{
    CertificateRevocationList, DistributionPointName, FromDer, ParsedExtension,
    SubjectPublicKeyInfo, X509CertificateParser, X509Extension,
};

/// The extensions the model carries (content octets of their OIDs, 2.5.29.n and
/// 1.3.6.1.5.5.7.1.1): subjectKeyIdentifier, keyUsage, subjectAltName, basicConstraints,
/// nameConstraints, cRLDistributionPoints, authorityKeyIdentifier, extKeyUsage, AIA.
const MODELLED: &[&[u8]] = &[
    &[0x55, 0x1d, 0x0e],
    &[0x55, 0x1d, 0x0f],
    &[0x55, 0x1d, 0x11],
    &[0x55, 0x1d, 0x13],
    &[0x55, 0x1d, 0x1e],
    &[0x55, 0x1d, 0x1f],
    &[0x55, 0x1d, 0x23],
    &[0x55, 0x1d, 0x25],
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01],
];

/// Hashes of a DER object.
fn fingerprints(der: &[u8]) -> (Sha256Fingerprint, Sha1Fingerprint) {
    (
        Sha256Fingerprint(Sha256::digest(der).into()),
        Sha1Fingerprint(Sha1::digest(der).into()),
    )
}

/// Whether two AlgorithmIdentifiers are the same: OID and parameters, byte for byte (RFC 5280
/// 4.1.1.2 asks the two of a certificate to be).
fn same_algorithm(
    a: &x509_parser::x509::AlgorithmIdentifier<'_>,
    b: &x509_parser::x509::AlgorithmIdentifier<'_>,
) -> bool {
    let params = |x: &x509_parser::x509::AlgorithmIdentifier<'_>| {
        x.parameters
            .as_ref()
            .map(|p| (p.header.tag(), p.data.to_vec()))
    };
    a.algorithm == b.algorithm && params(a) == params(b)
}

fn der_error(kind: ObjectKind, e: impl std::fmt::Display) -> Error {
    Error::Der {
        index: 0,
        kind,
        reason: e.to_string().to_lowercase(),
    }
}

/// The whole DER `Name` x509-parser found at `part` (see [`asn1::whole_element`]).
fn name_bytes<'a>(part: &[u8], der: &'a [u8], kind: ObjectKind) -> Result<&'a [u8]> {
    asn1::whole_element(part, der).ok_or_else(|| der_error(kind, "malformed name"))
}

/// A `time::OffsetDateTime` from x509-parser's time.
fn datetime(t: x509_parser::time::ASN1Time) -> time::OffsetDateTime {
    t.to_datetime()
}

impl Certificate {
    /// Parses one DER certificate (bytes after it are ignored, as OpenSSL's `d2i` does).
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        // Extensions are decoded below, only those the model carries: x509-parser's deep parse
        // of every extension (policies, SCTs...) would cost a third of the parse.
        let (_, x) = X509CertificateParser::new()
            .with_deep_parse_extensions(false)
            .parse(der)
            .map_err(|e| der_error(ObjectKind::Certificate, e))?;
        let raw = x.as_raw();
        let subject_der = name_bytes(x.subject().as_raw(), raw, ObjectKind::Certificate)?;
        let issuer_der = name_bytes(x.issuer().as_raw(), raw, ObjectKind::Certificate)?;
        let subject = Name::from_x509(x.subject(), subject_der);
        let subject_text = subject.display();
        let subject_hash = subject.hash("subject")?;
        // A root names itself: its issuer is not worked out twice.
        let (issuer_text, issuer_hash) = if issuer_der == subject_der {
            (subject_text.clone(), subject_hash)
        } else {
            let issuer = Name::from_x509(x.issuer(), issuer_der);
            (issuer.display(), issuer.hash("issuer")?)
        };
        let (sha256, sha1) = fingerprints(raw);
        let mut cert = Certificate {
            der: raw.to_vec(),
            sha256,
            sha1,
            subject: subject_text,
            issuer: issuer_text,
            subject_der: subject_der.to_vec(),
            issuer_der: issuer_der.to_vec(),
            serial_hex: hex::encode_upper(x.raw_serial()),
            not_before: datetime(x.validity().not_before),
            not_after: datetime(x.validity().not_after),
            key: key_info(x.public_key()),
            spki_pin: crate::SpkiPin::of(x.public_key().raw),
            is_ca: false,
            subject_hash,
            subject_hash_old: subject.hash_old(),
            issuer_hash,
            common_name: subject.common_name(),
            subject_alt_names: Vec::new(),
            subject_key_id: None,
            authority_key_id: None,
            ca_issuers: Vec::new(),
            ocsp: Vec::new(),
            crl_distribution_points: Vec::new(),
            basic_constraints: None,
            key_usage: None,
            extended_key_usage: None,
            name_constraints: None,
            version: x.version().0 + 1,
            extensions: x
                .extensions()
                .iter()
                .map(|e| crate::Extension {
                    oid: e.oid.to_id_string(),
                    critical: e.critical,
                })
                .collect(),
            subject_alt_name_entries: 0,
            validity_encoding_conforms: [x.validity().not_before, x.validity().not_after]
                .iter()
                .all(|t| t.is_generalizedtime() == (t.to_datetime().year() > 2049)),
            signature_algorithms_agree: same_algorithm(
                &x.signature_algorithm,
                &x.tbs_certificate.signature,
            ),
        };
        let mut buf = Vec::with_capacity(512);
        for ext in x.extensions() {
            let oid = ext.oid.as_bytes();
            if !MODELLED.contains(&oid) {
                continue;
            }
            // Re-encode `SEQUENCE { extnID, extnValue }` for x509-parser's extension parser.
            buf.clear();
            let content = asn1::element_len(oid.len()) + asn1::element_len(ext.value.len());
            asn1::push_header(&mut buf, tag::SEQUENCE, content);
            asn1::push_header(&mut buf, tag::OID, oid.len());
            buf.extend_from_slice(oid);
            asn1::push_header(&mut buf, tag::OCTET_STRING, ext.value.len());
            buf.extend_from_slice(ext.value);
            if let Ok((_, parsed)) = X509Extension::from_der(&buf) {
                cert.add_extension(parsed.parsed_extension());
            }
        }
        cert.is_ca = cert.basic_constraints.is_some_and(|b| b.ca);
        Ok(cert)
    }

    /// Records one extension in the model; unknown and undecodable ones are skipped.
    fn add_extension(&mut self, ext: &ParsedExtension<'_>) {
        const OCSP: &str = "1.3.6.1.5.5.7.48.1";
        const CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";
        match ext {
            ParsedExtension::SubjectAlternativeName(san) => {
                self.subject_alt_name_entries = san.general_names.len();
                self.subject_alt_names =
                    san.general_names.iter().filter_map(general_name).collect();
            }
            ParsedExtension::SubjectKeyIdentifier(id) => self.subject_key_id = Some(id.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                self.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec());
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for desc in &aia.accessdescs {
                    let x509_parser::prelude::GeneralName::URI(uri) = desc.access_location else {
                        continue;
                    };
                    match desc.access_method.to_id_string().as_str() {
                        CA_ISSUERS => self.ca_issuers.push((*uri).to_owned()),
                        OCSP => self.ocsp.push((*uri).to_owned()),
                        _ => {}
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for point in &points.points {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        for n in names {
                            if let x509_parser::prelude::GeneralName::URI(uri) = n {
                                self.crl_distribution_points.push((*uri).to_owned());
                            }
                        }
                    }
                }
            }
            ParsedExtension::BasicConstraints(bc) => {
                self.basic_constraints = Some(BasicConstraints {
                    ca: bc.ca,
                    path_len: bc.path_len_constraint,
                });
            }
            ParsedExtension::KeyUsage(ku) => {
                self.key_usage = Some(KeyUsage {
                    digital_signature: ku.digital_signature(),
                    non_repudiation: ku.non_repudiation(),
                    key_encipherment: ku.key_encipherment(),
                    data_encipherment: ku.data_encipherment(),
                    key_agreement: ku.key_agreement(),
                    key_cert_sign: ku.key_cert_sign(),
                    crl_sign: ku.crl_sign(),
                    encipher_only: ku.encipher_only(),
                    decipher_only: ku.decipher_only(),
                });
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                let mut usages = Vec::new();
                for (set, usage) in [
                    (eku.any, ExtendedKeyUsage::Any),
                    (eku.server_auth, ExtendedKeyUsage::ServerAuth),
                    (eku.client_auth, ExtendedKeyUsage::ClientAuth),
                    (eku.code_signing, ExtendedKeyUsage::CodeSigning),
                    (eku.email_protection, ExtendedKeyUsage::EmailProtection),
                    (eku.time_stamping, ExtendedKeyUsage::TimeStamping),
                    (eku.ocsp_signing, ExtendedKeyUsage::OcspSigning),
                ] {
                    if set {
                        usages.push(usage);
                    }
                }
                usages.extend(
                    eku.other
                        .iter()
                        .map(|oid| ExtendedKeyUsage::Other(oid.to_id_string())),
                );
                self.extended_key_usage = Some(usages);
            }
            ParsedExtension::NameConstraints(nc) => {
                let subtrees = |s: &Option<Vec<x509_parser::extensions::GeneralSubtree<'_>>>| {
                    s.iter()
                        .flatten()
                        .filter_map(|t| constraint_name(&t.base))
                        .collect()
                };
                self.name_constraints = Some(NameConstraints {
                    permitted: subtrees(&nc.permitted_subtrees),
                    excluded: subtrees(&nc.excluded_subtrees),
                });
            }
            _ => {}
        }
    }
}

/// A subjectAltName entry in the model; kinds the model does not carry are dropped.
fn general_name(n: &x509_parser::prelude::GeneralName<'_>) -> Option<GeneralName> {
    use x509_parser::prelude::GeneralName as G;
    Some(match n {
        G::DNSName(s) => GeneralName::Dns((*s).to_owned()),
        G::RFC822Name(s) => GeneralName::Email((*s).to_owned()),
        G::URI(s) => GeneralName::Uri((*s).to_owned()),
        G::IPAddress(b) => GeneralName::Ip(ip(b)?),
        G::DirectoryName(n) => GeneralName::Directory(name::display(n.as_raw())),
        _ => return None,
    })
}

/// A name-constraints subtree base: like [`general_name`], but an IP entry is a range.
fn constraint_name(n: &x509_parser::prelude::GeneralName<'_>) -> Option<GeneralName> {
    use x509_parser::prelude::GeneralName as G;
    match n {
        G::IPAddress(b) if b.len() == 8 || b.len() == 32 => {
            let (address, mask) = b.split_at(b.len() / 2);
            Some(GeneralName::IpRange {
                address: ip(address)?,
                mask: ip(mask)?,
            })
        }
        other => general_name(other),
    }
}

fn ip(bytes: &[u8]) -> Option<IpAddr> {
    if let Ok(b) = <[u8; 4]>::try_from(bytes) {
        return Some(IpAddr::from(b));
    }
    <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from)
}

impl Crl {
    /// Parses one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        let (_, x) =
            CertificateRevocationList::from_der(der).map_err(|e| der_error(ObjectKind::Crl, e))?;
        // x509-parser keeps no slice of the whole CRL: its length is read from the header.
        let (outer, _) =
            asn1::expect(der, tag::SEQUENCE, "CRL").map_err(|e| der_error(ObjectKind::Crl, e))?;
        let issuer_der = name_bytes(x.issuer().as_raw(), outer.raw, ObjectKind::Crl)?;
        let issuer = Name::from_x509(x.issuer(), issuer_der);
        let (sha256, sha1) = fingerprints(outer.raw);
        Ok(Crl {
            der: outer.raw.to_vec(),
            sha1,
            sha256,
            issuer: issuer.display(),
            issuer_der: issuer_der.to_vec(),
            issuer_hash: issuer.hash("issuer")?,
            issuer_hash_old: issuer.hash_old(),
            this_update: datetime(x.last_update()),
            next_update: x.next_update().map(datetime),
            revoked: x
                .iter_revoked_certificates()
                .map(|r| RevokedEntry {
                    serial_hex: hex::encode_upper(r.raw_serial()),
                    date: datetime(r.revocation_date),
                    reason_code: r.reason_code().map(|(_, code)| code.0),
                })
                .collect(),
        })
    }
}

/// The algorithm, size and curve of a `SubjectPublicKeyInfo`.
fn key_info(spki: &SubjectPublicKeyInfo<'_>) -> KeyInfo {
    let oid = spki.algorithm.algorithm.to_id_string();
    let parameters = spki.algorithm.parameters.as_ref();
    let param_oid = parameters
        .filter(|p| p.header.tag().0 == u32::from(tag::OID))
        .map(|p| asn1::oid_to_string(p.data));
    let algorithm = match oid.as_str() {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSA-PSS",
        "1.2.840.10045.2.1" => "EC",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.10040.4.1" => "DSA",
        other => other,
    }
    .to_owned();
    let mut info = KeyInfo {
        algorithm,
        bits: None,
        curve: None,
    };
    match info.algorithm.as_str() {
        "EC" => {
            let (curve, bits) = match param_oid.as_deref() {
                Some("1.2.840.10045.3.1.7") => ("P-256", 256),
                Some("1.3.132.0.34") => ("P-384", 384),
                Some("1.3.132.0.35") => ("P-521", 521),
                Some("1.3.132.0.10") => ("secp256k1", 256),
                Some(other) => (other, 0),
                None => ("", 0),
            };
            if !curve.is_empty() {
                info.curve = Some(curve.to_owned());
            }
            if bits > 0 {
                info.bits = Some(bits);
            }
        }
        "Ed25519" => info.bits = Some(256),
        "Ed448" => info.bits = Some(456),
        "RSA" | "RSA-PSS" => {
            info.bits = spki
                .parsed()
                .ok()
                .and_then(|key| u32::try_from(key.key_size()).ok())
                .filter(|&b| b > 0);
        }
        "DSA" => {
            // The size of a DSA key is the size of its prime `p`, the first parameter.
            info.bits = parameters
                .filter(|p| p.header.tag().0 == 0x10)
                .and_then(|p| asn1::read(p.data).ok())
                .map(|(p, _)| integer_bits(p.content));
        }
        _ => {}
    }
    info
}

/// The bit length of a non-negative INTEGER's content octets.
fn integer_bits(content: &[u8]) -> u32 {
    let skip = content.iter().take_while(|&&b| b == 0).count();
    match content.get(skip) {
        Some(&first) => (content.len() - skip - 1) as u32 * 8 + (8 - first.leading_zeros()),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cabundle_testkit::der::{StringType, name_simple, oid, string, tlv};
    use cabundle_testkit::{CertSpec, cert_custom, crl_with_issuer};

    fn subject() -> Vec<u8> {
        name_simple(&[(oid::CN, string(StringType::Utf8, "Unit"))])
    }

    /// Builds a certificate from `spec` and checks (serial, notBefore, notAfter, is_ca).
    fn check(spec: CertSpec<'_>, expected: (&str, &str, &str, bool)) {
        let cert = Certificate::from_der(&cert_custom(&spec)).unwrap();
        let rfc3339 = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        let got = (
            cert.serial_hex.as_str(),
            rfc3339(cert.not_before),
            rfc3339(cert.not_after),
            cert.is_ca,
        );
        assert_eq!(
            got,
            (
                expected.0,
                expected.1.to_owned(),
                expected.2.to_owned(),
                expected.3
            ),
            "{spec:?}"
        );
    }

    #[test]
    fn certificate_fields() {
        let name = subject();
        let base = || CertSpec::new(&name, &name);
        let (from, to) = ("2020-01-01T00:00:00Z", "2049-12-31T23:59:59Z");
        check(base(), ("01", from, to, true));
        // Negative and non-minimal serials load, written as their content octets.
        check(
            CertSpec {
                serial_content: &[0xff, 0x01],
                ..base()
            },
            ("FF01", from, to, true),
        );
        check(
            CertSpec {
                serial_content: &[0x00, 0x00, 0x7f],
                ..base()
            },
            ("00007F", from, to, true),
        );
        check(
            CertSpec {
                serial_content: &[0x00, 0xd9],
                ..base()
            },
            ("00D9", from, to, true),
        );
        check(
            CertSpec {
                v3_ca: Some(false),
                ..base()
            },
            ("01", from, to, false),
        );
        // Version 1: no version field, no extensions.
        check(
            CertSpec {
                v3_ca: None,
                ..base()
            },
            ("01", from, to, false),
        );
        check(
            CertSpec {
                not_before: tlv(0x18, b"19500101000000Z"),
                not_after: tlv(0x18, b"99991231235959Z"),
                ..base()
            },
            ("01", "1950-01-01T00:00:00Z", "9999-12-31T23:59:59Z", true),
        );
    }

    #[test]
    fn key_and_kind() {
        let name = subject();
        let der = cert_custom(&CertSpec::new(&name, &name));
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(cert.key.algorithm, "Ed25519");
        assert_eq!(cert.subject, "CN=Unit");
        assert_eq!(crate::openssl::kind_of(&der), Some(ObjectKind::Certificate));
        let crl = crl_with_issuer(&name);
        assert_eq!(crate::openssl::kind_of(&crl), Some(ObjectKind::Crl));
        let crl = Crl::from_der(&crl).unwrap();
        assert_eq!(crl.issuer_hash, cert.subject_hash);
        assert_eq!(crl.issuer, "CN=Unit");
        assert!(crl.next_update.is_some());
    }

    #[test]
    fn malformed_der_is_an_error() {
        let name = subject();
        let der = cert_custom(&CertSpec::new(&name, &name));
        for bad in [
            &der[..der.len() - 1],
            &der[..10],
            &[0x30, 0x00][..],
            &[0x02, 0x01, 0x00][..],
        ] {
            let err = Certificate::from_der(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid certificate DER"), "{err}");
        }
        let bad_time = CertSpec {
            not_before: tlv(0x17, b"201301000000Z"),
            ..CertSpec::new(&name, &name)
        };
        let err = Certificate::from_der(&cert_custom(&bad_time))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid certificate DER"), "{err}");
    }
}
