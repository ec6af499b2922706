//! What a candidate file holds, decided the way `openssl rehash` decides it.
//!
//! OpenSSL reads each candidate with `PEM_X509_INFO_read_bio`, which groups PEM blocks into
//! `X509_INFO` records holding at most one certificate, one CRL and one private key each (a
//! second block of a kind already present starts a new record), and fails the whole file on
//! any block it cannot decode. `rehash` then links the file only when there is exactly one
//! record, using its certificate or else its CRL. [`classify`] reproduces that on bytes.
//!
//! Only what hashing needs is decoded: the DER structure down to the subject (issuer for a
//! CRL), the name hashes of `cabundle-cert`, and the SHA-1 of the DER. A certificate that is
//! malformed deeper inside (in an extension, say) is hashed here where OpenSSL would skip it.

use cabundle_cert::{ObjectKind, Sha1Fingerprint, SubjectHash};
use sha1::{Digest, Sha1};

/// What a candidate file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// Exactly one certificate or CRL: it gets a link.
    Object(HashedObject),
    /// Zero or several certificates/CRLs (OpenSSL warns and skips the file).
    NotExactlyOne {
        /// How many `X509_INFO` records OpenSSL would see.
        count: usize,
    },
    /// Not readable as PEM, or a block does not decode (OpenSSL skips it without a word).
    Unparsable {
        /// What was wrong.
        reason: String,
    },
    /// One record holding only a private key (OpenSSL counts an error without a message).
    NoCertificateOrCrl,
    /// The file could not be opened or read (OpenSSL: "cannot open file", an error).
    Unreadable {
        /// The operating-system error.
        reason: String,
    },
}

/// The facts about one certificate or CRL that a hash link depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashedObject {
    /// Certificate or CRL.
    pub kind: ObjectKind,
    /// `X509_NAME_hash` of the subject (issuer for a CRL).
    pub hash: SubjectHash,
    /// `X509_NAME_hash_old` of the same name.
    pub hash_old: SubjectHash,
    /// SHA-1 of the DER: two files with the same digest are duplicates.
    pub sha1: Sha1Fingerprint,
}

/// Whether `rehash` reads a file with this name: it ends in `.pem`, `.crt`, `.cer` or `.crl`
/// in any letter case (and `.der` when `der` is set).
pub fn has_candidate_extension(name: &[u8], der: bool) -> bool {
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = &name[dot + 1..];
    ["pem", "crt", "cer", "crl"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e.as_bytes()))
        || (der && ext.eq_ignore_ascii_case(b"der"))
}

/// Decides what `bytes` hold, like `openssl rehash` (PEM only), or also as a single DER
/// certificate or CRL when `der` is set.
pub fn classify(bytes: &[u8], der: bool) -> Content {
    let blocks = match cabundle_cert::pem_blocks(bytes) {
        Ok(blocks) => blocks,
        Err(err) => {
            return Content::Unparsable {
                reason: err.to_string(),
            };
        }
    };
    if blocks.is_empty()
        && der
        && let Some(obj) = hashed_certificate(bytes).or_else(|| hashed_crl(bytes))
    {
        return match obj {
            Ok(obj) => Content::Object(obj),
            Err(reason) => Content::Unparsable { reason },
        };
    }
    #[derive(Default)]
    struct Record {
        cert: Option<HashedObject>,
        crl: Option<HashedObject>,
        key: bool,
    }
    let mut records: Vec<Record> = Vec::new();
    let mut current = Record::default();
    for (index, block) in blocks.iter().enumerate() {
        let label = block.label.as_str();
        let bad = |what: &str| Content::Unparsable {
            reason: format!("PEM block {index} ({label}) is not a valid {what}"),
        };
        match label {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                // `TRUSTED CERTIFICATE` is a certificate followed by trust settings.
                let der = first_tlv(&block.contents).unwrap_or(&block.contents);
                let obj = match hashed_certificate(der) {
                    Some(Ok(obj)) => obj,
                    _ => return bad("certificate"),
                };
                if current.cert.is_some() {
                    records.push(std::mem::take(&mut current));
                }
                current.cert = Some(obj);
            }
            "X509 CRL" => {
                let obj = match hashed_crl(&block.contents) {
                    Some(Ok(obj)) => obj,
                    _ => return bad("CRL"),
                };
                if current.crl.is_some() {
                    records.push(std::mem::take(&mut current));
                }
                current.crl = Some(obj);
            }
            _ if label.contains("PRIVATE KEY") => {
                if current.key {
                    records.push(std::mem::take(&mut current));
                }
                current.key = true;
            }
            _ => {}
        }
    }
    if current.cert.is_some() || current.crl.is_some() || current.key {
        records.push(current);
    }
    match records.as_slice() {
        [one] => match one.cert.or(one.crl) {
            Some(obj) => Content::Object(obj),
            None => Content::NoCertificateOrCrl,
        },
        _ => Content::NotExactlyOne {
            count: records.len(),
        },
    }
}

/// One DER element: tag, whole encoding, contents, and what follows it.
struct Tlv<'a> {
    tag: u8,
    whole: &'a [u8],
    contents: &'a [u8],
    rest: &'a [u8],
}

/// Splits the first DER element (definite length, one-byte tag) off `input`.
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, after_tag) = input.split_first()?;
    let (&first, mut after_len) = after_tag.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || after_len.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &after_len[..n] {
            len = (len << 8) | usize::from(b);
        }
        after_len = &after_len[n..];
        len
    };
    if after_len.len() < len {
        return None;
    }
    let header = input.len() - after_len.len();
    Some(Tlv {
        tag,
        whole: &input[..header + len],
        contents: &after_len[..len],
        rest: &after_len[len..],
    })
}

fn first_tlv(input: &[u8]) -> Option<&[u8]> {
    tlv(input).map(|t| t.whole)
}

fn expect(input: &[u8], tag: u8) -> Option<Tlv<'_>> {
    tlv(input).filter(|t| t.tag == tag)
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const VERSION_TAG: u8 = 0xa0;

/// The outer `SEQUENCE { tbs, algorithm, signature }` of a certificate or CRL.
fn signed(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let outer = expect(der, SEQUENCE)?;
    let tbs = expect(outer.contents, SEQUENCE)?;
    let alg = expect(tbs.rest, SEQUENCE)?;
    let sig = expect(alg.rest, BIT_STRING)?;
    if !sig.rest.is_empty() {
        return None;
    }
    Some((outer.whole, tbs.contents))
}

/// `None` when `der` is not shaped like a certificate; `Some(Err)` when its subject cannot be
/// hashed.
fn hashed_certificate(der: &[u8]) -> Option<Result<HashedObject, String>> {
    let (whole, tbs) = signed(der)?;
    let mut fields = tbs;
    if let Some(version) = expect(fields, VERSION_TAG) {
        fields = version.rest;
    }
    let serial = expect(fields, INTEGER)?;
    let alg = expect(serial.rest, SEQUENCE)?;
    let issuer = expect(alg.rest, SEQUENCE)?;
    let validity = expect(issuer.rest, SEQUENCE)?;
    let subject = expect(validity.rest, SEQUENCE)?;
    Some(hashed(ObjectKind::Certificate, whole, subject.whole))
}

/// Like [`hashed_certificate`] for a CRL, keyed by its issuer.
fn hashed_crl(der: &[u8]) -> Option<Result<HashedObject, String>> {
    let (whole, tbs) = signed(der)?;
    let mut fields = tbs;
    if let Some(version) = expect(fields, INTEGER) {
        fields = version.rest;
    }
    let alg = expect(fields, SEQUENCE)?;
    let issuer = expect(alg.rest, SEQUENCE)?;
    // thisUpdate is a UTCTime or GeneralizedTime; this tells a CRL from a certificate.
    let this_update = tlv(issuer.rest)?;
    if this_update.tag != 0x17 && this_update.tag != 0x18 {
        return None;
    }
    Some(hashed(ObjectKind::Crl, whole, issuer.whole))
}

fn hashed(kind: ObjectKind, der: &[u8], name: &[u8]) -> Result<HashedObject, String> {
    let hash = cabundle_cert::name_hash(name).map_err(|e| e.to_string())?;
    let hash_old = cabundle_cert::name_hash_old(name);
    let sha1 = Sha1Fingerprint(Sha1::digest(der).into());
    Ok(HashedObject {
        kind,
        hash,
        hash_old,
        sha1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_extensions() {
        let check = |name: &str, der: bool, expected: bool| {
            assert_eq!(
                has_candidate_extension(name.as_bytes(), der),
                expected,
                "{name}"
            );
        };
        check("a.pem", false, true);
        check("a.PEM", false, true);
        check("a.Crt", false, true);
        check("a.cer", false, true);
        check("a.crl", false, true);
        check("a.pem.bak", false, false);
        check("pem", false, false);
        check(".pem", false, true);
        check("a.der", false, false);
        check("a.der", true, true);
        check("12345678.0", false, false);
    }

    use cabundle_testkit::der::{StringType, name_simple, oid, string};
    use cabundle_testkit::{cert_with_subject, crl_with_issuer, pem};

    fn name(cn: &str) -> Vec<u8> {
        name_simple(&[(oid::CN, string(StringType::Utf8, cn))])
    }

    /// What `classify` says, in short: `cert`, `crl`, `none(N)`, `key`, `bad`.
    fn check(text: &str, der: bool, expected: &str) {
        let got = match classify(text.as_bytes(), der) {
            Content::Object(o) if o.kind == ObjectKind::Certificate => "cert".to_owned(),
            Content::Object(_) => "crl".to_owned(),
            Content::NotExactlyOne { count } => format!("none({count})"),
            Content::NoCertificateOrCrl => "key".to_owned(),
            Content::Unparsable { .. } => "bad".to_owned(),
            Content::Unreadable { .. } => "unreadable".to_owned(),
        };
        assert_eq!(got, expected, "{text}");
    }

    #[test]
    fn records_are_grouped_like_pem_x509_info_read() {
        let cert = pem("CERTIFICATE", &cert_with_subject(&name("A")));
        let cert2 = pem("CERTIFICATE", &cert_with_subject(&name("B")));
        let crl = pem("X509 CRL", &crl_with_issuer(&name("A")));
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let other = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        check(&cert, false, "cert");
        check(&crl, false, "crl");
        check(&format!("{cert}{crl}"), false, "cert");
        check(&format!("{crl}{cert}"), false, "cert");
        check(&format!("{key}{cert}"), false, "cert");
        check(&format!("{cert}{other}"), false, "cert");
        check(&format!("{cert}{cert2}"), false, "none(2)");
        check(&format!("{cert}{crl}{crl}"), false, "none(2)");
        check(&format!("{key}{key}"), false, "none(2)");
        check(key, false, "key");
        check("", false, "none(0)");
        check("text only\n", false, "none(0)");
        check(&cert[..cert.len() / 2], false, "bad");
        check(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            false,
            "bad",
        );
    }

    #[test]
    fn der_only_when_asked() {
        let der = cert_with_subject(&name("A"));
        let crl = crl_with_issuer(&name("A"));
        assert_eq!(classify(&der, false), Content::NotExactlyOne { count: 0 });
        assert!(
            matches!(classify(&der, true), Content::Object(o) if o.kind == ObjectKind::Certificate)
        );
        assert!(matches!(classify(&crl, true), Content::Object(o) if o.kind == ObjectKind::Crl));
    }

    #[test]
    fn tlv_lengths() {
        let t = tlv(&[0x30, 0x02, 1, 2, 9]).expect("short form");
        assert_eq!(
            (t.tag, t.contents, t.rest),
            (0x30, &[1u8, 2][..], &[9u8][..])
        );
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(tlv(&long).expect("long form").contents.len(), 0x80);
        assert!(tlv(&[0x30, 0x05, 1]).is_none(), "truncated");
        assert!(tlv(&[0x30, 0x80]).is_none(), "indefinite length");
    }
}
