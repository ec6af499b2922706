//! What a candidate file holds, decided the way `openssl rehash` decides it.
//!
//! OpenSSL reads each candidate with `PEM_X509_INFO_read_bio`, which groups PEM blocks into
//! `X509_INFO` records holding at most one certificate, one CRL and one private key each (a
//! second block of a kind already present starts a new record), and fails the whole file on
//! any block it cannot decode. `rehash` then links the file only when there is exactly one
//! record, using its certificate or else its CRL. [`classify`] reproduces that on bytes.
//!
//! Each object is read with `cabundle_cert::hash_only`, which checks it the way OpenSSL's
//! decoder does: a block OpenSSL cannot load makes OpenSSL fail the whole file, and the file
//! is skipped here too ([`Content::Unloadable`]), with a warning naming it.

use cabundle_cert::{ObjectKind, Sha1Fingerprint, SubjectHash};

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
    /// A PEM block decodes, but OpenSSL cannot load the certificate or CRL in it (OpenSSL
    /// skips the file without a word; a link to it would stop `-CApath` lookups at it).
    Unloadable {
        /// Which block, and why OpenSSL refuses it.
        reason: String,
    },
    /// One record holding only a private key (OpenSSL counts an error without a message).
    NoCertificateOrCrl,
    /// Not a regular file (a FIFO, a device, a link to one) or larger than the input cap:
    /// skipped with a warning, never opened or read (OpenSSL would block on a FIFO and read a
    /// device forever; its `rehash` also skips what is not a regular file).
    NotRegular {
        /// What it is, or its size and the cap.
        reason: String,
    },
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
    if blocks.is_empty() && der && bytes.first() == Some(&0x30) {
        return match hashed(bytes, None) {
            Ok(obj) => Content::Object(obj),
            Err(reason) => Content::Unloadable { reason },
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
        let bad = |reason: String| Content::Unloadable {
            reason: format!("PEM block {index} ({label}): {reason}"),
        };
        match label {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                // `TRUSTED CERTIFICATE` is a certificate followed by trust settings, which
                // `hash_only` leaves alone like anything after the certificate.
                let obj = match hashed(&block.contents, Some(ObjectKind::Certificate)) {
                    Ok(obj) => obj,
                    Err(reason) => return bad(reason),
                };
                if current.cert.is_some() {
                    records.push(std::mem::take(&mut current));
                }
                current.cert = Some(obj);
            }
            "X509 CRL" => {
                let obj = match hashed(&block.contents, Some(ObjectKind::Crl)) {
                    Ok(obj) => obj,
                    Err(reason) => return bad(reason),
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

/// The facts a link depends on, read as OpenSSL would load the object.
fn hashed(der: &[u8], kind: Option<ObjectKind>) -> Result<HashedObject, String> {
    let h = cabundle_cert::hash_only(der, kind).map_err(|e| e.to_string())?;
    Ok(HashedObject {
        kind: h.kind,
        hash: h.hash,
        hash_old: h.hash_old,
        sha1: h.sha1,
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
            Content::Unloadable { .. } => "unloadable".to_owned(),
            Content::NotRegular { .. } => "not regular".to_owned(),
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
            "unloadable",
        );
        check(&format!("\u{feff}{cert}"), false, "cert");
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
}
