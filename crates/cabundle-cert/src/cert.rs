//! Certificates and CRLs from one DER object.
//!
//! The structure is walked with the lenient reader in [`crate::der`], which hands back the exact
//! bytes of each name and serial and does not judge what it does not need (negative serials,
//! odd extensions), so every real root loads. The public key is sized with `x509-parser`, which
//! the tests also use as a cross-check of every field read here.

use crate::der::{self, Tlv, tag};
use crate::{
    Certificate, Crl, Error, KeyInfo, ObjectKind, Result, Sha1Fingerprint, Sha256Fingerprint, name,
};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use x509_parser::prelude::FromDer;

/// Hashes of a DER object.
fn fingerprints(der: &[u8]) -> (Sha256Fingerprint, Sha1Fingerprint) {
    (
        Sha256Fingerprint(Sha256::digest(der).into()),
        Sha1Fingerprint(Sha1::digest(der).into()),
    )
}

/// The `tbsCertificate`/`tbsCertList` children of a signed object, and the object's
/// own encoding (trailing bytes after the outer SEQUENCE are ignored, as `d2i` does).
fn tbs_children(der: &[u8]) -> Result<(&[u8], Vec<Tlv<'_>>), String> {
    let (outer, _) = der::expect(der, tag::SEQUENCE, "outer SEQUENCE")?;
    let (tbs, _) = der::expect(outer.content, tag::SEQUENCE, "to-be-signed SEQUENCE")?;
    Ok((outer.raw, der::children(tbs.content)?))
}

/// Tells a certificate from a CRL by structure: a certificate's times sit inside its
/// validity SEQUENCE, a CRL's `thisUpdate` is a direct child of `tbsCertList`.
pub(crate) fn kind_of(der: &[u8]) -> Option<ObjectKind> {
    let (_, children) = tbs_children(der).ok()?;
    if children
        .iter()
        .any(|c| c.tag == tag::UTC_TIME || c.tag == tag::GENERALIZED_TIME)
    {
        Some(ObjectKind::Crl)
    } else {
        Some(ObjectKind::Certificate)
    }
}

fn take<'a>(
    children: &[Tlv<'a>],
    pos: &mut usize,
    expected: u8,
    what: &str,
) -> Result<Tlv<'a>, String> {
    let tlv = children
        .get(*pos)
        .ok_or_else(|| format!("missing {what}"))?;
    if tlv.tag != expected {
        return Err(format!(
            "{what}: expected tag 0x{expected:02x}, found 0x{:02x}",
            tlv.tag
        ));
    }
    *pos += 1;
    Ok(*tlv)
}

fn take_time<'a>(
    children: &[Tlv<'a>],
    pos: &mut usize,
    what: &str,
) -> Result<time::OffsetDateTime, String> {
    let tlv = children
        .get(*pos)
        .ok_or_else(|| format!("missing {what}"))?;
    *pos += 1;
    der::time(tlv).map_err(|e| format!("{what}: {e}"))
}

/// `X509_NAME_hash` of a name, with the name's role in the error.
fn hash_of(role: &str, name_der: &[u8]) -> Result<crate::SubjectHash> {
    name::hash(name_der).map_err(|e| match e {
        Error::Name(reason) => Error::Name(format!("{role}: {reason}")),
        other => other,
    })
}

impl Certificate {
    /// Parses one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        let err = |reason: String| Error::Der {
            index: 0,
            kind: ObjectKind::Certificate,
            reason,
        };
        let (raw, tbs) = tbs_children(der).map_err(err)?;
        let mut pos = 0;
        if tbs.first().is_some_and(|t| t.tag == 0xa0) {
            pos += 1;
        }
        let serial = take(&tbs, &mut pos, tag::INTEGER, "serial number").map_err(err)?;
        take(&tbs, &mut pos, tag::SEQUENCE, "signature algorithm").map_err(err)?;
        let issuer = take(&tbs, &mut pos, tag::SEQUENCE, "issuer").map_err(err)?;
        let validity = take(&tbs, &mut pos, tag::SEQUENCE, "validity").map_err(err)?;
        let subject = take(&tbs, &mut pos, tag::SEQUENCE, "subject").map_err(err)?;
        let spki = take(&tbs, &mut pos, tag::SEQUENCE, "public key").map_err(err)?;
        let times = der::children(validity.content).map_err(err)?;
        let mut tpos = 0;
        let not_before = take_time(&times, &mut tpos, "notBefore").map_err(err)?;
        let not_after = take_time(&times, &mut tpos, "notAfter").map_err(err)?;
        let extensions = tbs[pos..].iter().find(|t| t.tag == 0xa3);
        let (sha256, sha1) = fingerprints(raw);
        Ok(Certificate {
            der: raw.to_vec(),
            sha256,
            sha1,
            subject: name::display(subject.raw),
            issuer: name::display(issuer.raw),
            subject_der: subject.raw.to_vec(),
            issuer_der: issuer.raw.to_vec(),
            serial_hex: hex::encode_upper(serial.content),
            not_before,
            not_after,
            key: key_info(spki.raw),
            is_ca: extensions.is_some_and(|e| is_ca(e.content)),
            subject_hash: hash_of("subject", subject.raw)?,
            subject_hash_old: name::hash_old(subject.raw),
            issuer_hash: hash_of("issuer", issuer.raw)?,
        })
    }
}

impl Crl {
    /// Parses one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        let err = |reason: String| Error::Der {
            index: 0,
            kind: ObjectKind::Crl,
            reason,
        };
        let (raw, tbs) = tbs_children(der).map_err(err)?;
        let mut pos = 0;
        if tbs.first().is_some_and(|t| t.tag == tag::INTEGER) {
            pos += 1;
        }
        take(&tbs, &mut pos, tag::SEQUENCE, "signature algorithm").map_err(err)?;
        let issuer = take(&tbs, &mut pos, tag::SEQUENCE, "issuer").map_err(err)?;
        let this_update = take_time(&tbs, &mut pos, "thisUpdate").map_err(err)?;
        let next_update = match tbs.get(pos) {
            Some(t) if t.tag == tag::UTC_TIME || t.tag == tag::GENERALIZED_TIME => {
                Some(take_time(&tbs, &mut pos, "nextUpdate").map_err(err)?)
            }
            _ => None,
        };
        let (sha256, sha1) = fingerprints(raw);
        Ok(Crl {
            der: raw.to_vec(),
            sha1,
            sha256,
            issuer: name::display(issuer.raw),
            issuer_der: issuer.raw.to_vec(),
            issuer_hash: hash_of("issuer", issuer.raw)?,
            issuer_hash_old: name::hash_old(issuer.raw),
            this_update,
            next_update,
        })
    }
}

/// Whether the `basicConstraints` extension (2.5.29.19) says `cA`. `extensions` is the
/// content of the `[3]` wrapper.
fn is_ca(extensions: &[u8]) -> bool {
    const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
    let Ok((seq, _)) = der::expect(extensions, tag::SEQUENCE, "extensions") else {
        return false;
    };
    let Ok(exts) = der::children(seq.content) else {
        return false;
    };
    for ext in exts {
        let Ok(parts) = der::children(ext.content) else {
            continue;
        };
        if !parts
            .first()
            .is_some_and(|p| p.tag == tag::OID && p.content == BASIC_CONSTRAINTS)
        {
            continue;
        }
        let Some(value) = parts.iter().find(|p| p.tag == tag::OCTET_STRING) else {
            return false;
        };
        let Ok((bc, _)) = der::expect(value.content, tag::SEQUENCE, "basicConstraints") else {
            return false;
        };
        return der::children(bc.content).is_ok_and(|c| {
            c.first().is_some_and(|b| {
                b.tag == tag::BOOLEAN && b.content.first().is_some_and(|&v| v != 0)
            })
        });
    }
    false
}

/// The algorithm, size and curve of a `SubjectPublicKeyInfo`.
fn key_info(spki_der: &[u8]) -> KeyInfo {
    let mut info = KeyInfo {
        algorithm: String::new(),
        bits: None,
        curve: None,
    };
    let parts = der::read(spki_der)
        .and_then(|(spki, _)| der::children(spki.content))
        .unwrap_or_default();
    let alg = parts
        .first()
        .and_then(|a| der::children(a.content).ok())
        .unwrap_or_default();
    let oid = alg
        .first()
        .filter(|o| o.tag == tag::OID)
        .map(|o| der::oid_to_string(o.content))
        .unwrap_or_default();
    let param_oid = alg
        .get(1)
        .filter(|o| o.tag == tag::OID)
        .map(|o| der::oid_to_string(o.content));
    info.algorithm = match oid.as_str() {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSA-PSS",
        "1.2.840.10045.2.1" => "EC",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.10040.4.1" => "DSA",
        other => other,
    }
    .to_owned();
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
            info.bits = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der)
                .ok()
                .and_then(|(_, spki)| u32::try_from(spki.parsed().ok()?.key_size()).ok())
                .filter(|&b| b > 0);
        }
        "DSA" => {
            // The size of a DSA key is the size of its prime `p`, the first parameter.
            info.bits = alg
                .get(1)
                .filter(|p| p.tag == tag::SEQUENCE)
                .and_then(|p| der::children(p.content).ok())
                .and_then(|c| c.first().map(|p| integer_bits(p.content)));
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
        assert_eq!(kind_of(&der), Some(ObjectKind::Certificate));
        let crl = crl_with_issuer(&name);
        assert_eq!(kind_of(&crl), Some(ObjectKind::Crl));
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
        assert!(err.contains("notBefore"), "{err}");
    }
}
