//! Revocation: whether a certificate of a path is revoked, by what a CRL, an OCSP response
//! or a list of revoked certificates (the CCADB's) says about it.
//!
//! Pure: every check takes the certificate, its issuer, the object that answers (already
//! fetched or read by the caller) and the time, and returns an [`Answer`]. Where the answer
//! came from ([`Source`]) is the caller's to attach. The rules, in the order they are
//! checked:
//!
//! - a CRL answers only when its issuer name is the certificate's issuer's and its signature
//!   verifies with the issuer's key; then the certificate is revoked when its serial number is
//!   listed (with the entry's date and reason), good otherwise; a nextUpdate before the time
//!   makes the answer stale, which is said beside it;
//! - an OCSP response answers only when its status is `successful`, it is a basic response, it
//!   holds a response for the certificate (by serial number and the issuer's name and key
//!   hashes), and it is signed by the issuer or by a responder certificate the issuer signed,
//!   carrying id-kp-OCSPSigning and valid at the time (a responder certificate that made the
//!   signature but breaks one of these is named, with the rule); then the certificate is
//!   good, revoked (with the date and reason) or unknown to the responder;
//! - a list of revoked certificates answers revoked when it holds the certificate's SHA-256,
//!   and nothing otherwise (it lists only what is revoked).
//!
//! [`decide`] turns several answers into one verdict: revoked when any says so, good when one
//! says good, unknown otherwise.

use cabundle_cert::{Certificate, Crl, ExtendedKeyUsage, Sha256Fingerprint};
use der::asn1::{Any, Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use sha1::{Digest as _, Sha1};
use sha2::Sha256;
use std::fmt;
use time::OffsetDateTime;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    TbsRequest,
};

/// id-pkix-ocsp-basic.
const OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-sha1, the hash of the CertIDs this module asks with.
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// id-sha256, which some responders answer with.
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// What one source says about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Not revoked.
    Good,
    /// Revoked.
    Revoked(Revoked),
    /// No answer either way, and why.
    Unknown(Why),
}

/// When and why a certificate was revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revoked {
    /// The revocation date, when the source gives one.
    pub date: Option<OffsetDateTime>,
    /// The CRLReason code (RFC 5280, 5.3.1), when the source gives one.
    pub reason: Option<u8>,
}

/// Why a source gave no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Why {
    /// The source could not be reached or read (the caller's words: the URL or file and the
    /// error).
    Unreachable(String),
    /// The certificate names no source of this kind (no CRL distribution point, no OCSP URL).
    NoSource,
    /// The CRL's issuer is not the certificate's issuer.
    CrlIssuer {
        /// The CRL's issuer.
        crl_issuer: String,
    },
    /// The CRL's signature does not verify with the issuer's key (or its algorithm is not
    /// supported).
    CrlSignature,
    /// The OCSP response's status is not `successful`.
    OcspStatus(String),
    /// The OCSP response cannot be read.
    OcspMalformed(String),
    /// The OCSP response holds no answer about this certificate.
    OcspNotAbout,
    /// The OCSP response is not signed by the issuer, nor by a responder certificate it
    /// carries.
    OcspSignature,
    /// The OCSP response is signed by a responder certificate the certificate's issuer did
    /// not issue (another name, or another key signed it).
    OcspResponderNotIssued {
        /// The responder certificate's subject.
        responder: String,
    },
    /// The OCSP response is signed by a responder certificate of the issuer's without the
    /// id-kp-OCSPSigning extended key usage: the issuer did not delegate OCSP to it.
    OcspResponderNoEku {
        /// The responder certificate's subject.
        responder: String,
    },
    /// The OCSP response is signed by a responder certificate of the issuer's that is not
    /// valid at the time checked.
    OcspResponderOutOfDate {
        /// The responder certificate's subject.
        responder: String,
    },
    /// The responder does not know the certificate (`unknown`).
    OcspUnknown,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Unreachable(what) => write!(f, "{what}"),
            Why::NoSource => write!(f, "the certificate names none"),
            Why::CrlIssuer { crl_issuer } => {
                write!(
                    f,
                    "the CRL is issued by \"{crl_issuer}\", not the certificate's issuer"
                )
            }
            Why::CrlSignature => write!(
                f,
                "the CRL's signature does not verify with the issuer's key"
            ),
            Why::OcspStatus(status) => write!(f, "the responder answered {status}"),
            Why::OcspMalformed(why) => write!(f, "the OCSP response cannot be read: {why}"),
            Why::OcspNotAbout => write!(f, "the OCSP response says nothing about this certificate"),
            Why::OcspSignature => write!(
                f,
                "the OCSP response is signed neither by the issuer nor by an OCSP responder certificate of the issuer's"
            ),
            Why::OcspResponderNotIssued { responder } => write!(
                f,
                "the OCSP response is signed by the responder certificate \"{responder}\", which the certificate's issuer did not issue, so it may not answer for it"
            ),
            Why::OcspResponderNoEku { responder } => write!(
                f,
                "the OCSP response is signed by the responder certificate \"{responder}\", which the issuer issued without the OCSP signing extended key usage (id-kp-OCSPSigning), so it may not answer for the issuer"
            ),
            Why::OcspResponderOutOfDate { responder } => write!(
                f,
                "the OCSP response is signed by the responder certificate \"{responder}\", which is not valid at the time checked"
            ),
            Why::OcspUnknown => write!(f, "the responder does not know the certificate"),
        }
    }
}

/// Where an answer came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A CRL fetched from this URL (a CRL distribution point).
    CrlUrl(String),
    /// A CRL read from this file.
    CrlFile(String),
    /// The OCSP responder at this URL.
    Ocsp(String),
    /// The OCSP response the server stapled to the handshake.
    Stapled,
    /// A list of revoked certificates (the CCADB's report) read from this file or URL.
    List(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::CrlUrl(url) => write!(f, "the CRL at {url}"),
            Source::CrlFile(file) => write!(f, "the CRL in {file}"),
            Source::Ocsp(url) => write!(f, "the OCSP responder {url}"),
            Source::Stapled => write!(f, "the OCSP response stapled by the server"),
            Source::List(from) => write!(f, "the CCADB revoked-intermediates report {from}"),
        }
    }
}

/// One source's answer about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Where the answer came from.
    pub source: Source,
    /// What it says.
    pub answer: Answer,
    /// When the answer's nextUpdate is before the time: that nextUpdate (the answer is stale).
    pub stale_since: Option<OffsetDateTime>,
}

impl Finding {
    /// A finding that is not stale.
    pub fn new(source: Source, answer: Answer) -> Finding {
        Finding {
            source,
            answer,
            stale_since: None,
        }
    }
}

/// The verdict about one certificate from all its findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some source says revoked.
    Revoked,
    /// No source says revoked, and one says good.
    Good,
    /// No source answered.
    Unknown,
}

/// Revoked when any finding says so, good when one says good, unknown otherwise.
pub fn decide(findings: &[Finding]) -> Verdict {
    if findings
        .iter()
        .any(|f| matches!(f.answer, Answer::Revoked(_)))
    {
        Verdict::Revoked
    } else if findings.iter().any(|f| f.answer == Answer::Good) {
        Verdict::Good
    } else {
        Verdict::Unknown
    }
}

/// The name of a CRLReason code (RFC 5280, 5.3.1), as OpenSSL prints it.
pub fn reason_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => return None,
    })
}

/// What `crl` (from `source`) says about `cert`, issued by `issuer`, at `at`.
pub fn check_crl(
    cert: &Certificate,
    issuer: &Certificate,
    crl: &Crl,
    at: OffsetDateTime,
    source: Source,
) -> Finding {
    let answer = crl_answer(cert, issuer, crl);
    let stale_since = crl.next_update.filter(|next| *next < at);
    Finding {
        source,
        answer,
        stale_since,
    }
}

fn crl_answer(cert: &Certificate, issuer: &Certificate, crl: &Crl) -> Answer {
    if crl.issuer_der != issuer.subject_der || cert.issuer_der != issuer.subject_der {
        return Answer::Unknown(Why::CrlIssuer {
            crl_issuer: crl.issuer.clone(),
        });
    }
    if crl.signature_check(issuer) != Some(true) {
        return Answer::Unknown(Why::CrlSignature);
    }
    match crl.revoked.iter().find(|e| e.serial_hex == cert.serial_hex) {
        // removeFromCRL appears only in delta CRLs: the certificate is no longer revoked.
        Some(entry) if entry.reason_code != Some(8) => Answer::Revoked(Revoked {
            date: Some(entry.date),
            reason: entry.reason_code,
        }),
        _ => Answer::Good,
    }
}

/// Whether `crl` is the one to ask about certificates issued by `issuer`: same name, and
/// signed with its key.
pub fn crl_belongs_to(crl: &Crl, issuer: &Certificate) -> bool {
    crl.issuer_der == issuer.subject_der && crl.signature_check(issuer) == Some(true)
}

/// One entry of a list of revoked certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Listed {
    /// The certificate's SHA-256.
    pub sha256: Sha256Fingerprint,
    /// The revocation date, when listed.
    pub date: Option<OffsetDateTime>,
    /// The CRLReason code, when listed.
    pub reason: Option<u8>,
}

impl Listed {
    /// An entry.
    pub fn new(
        sha256: Sha256Fingerprint,
        date: Option<OffsetDateTime>,
        reason: Option<u8>,
    ) -> Listed {
        Listed {
            sha256,
            date,
            reason,
        }
    }
}

/// What a list of revoked certificates says about `cert`: revoked when listed, nothing
/// otherwise.
pub fn check_listed(cert: &Certificate, list: &[Listed]) -> Option<Answer> {
    list.iter().find(|l| l.sha256 == cert.sha256).map(|l| {
        Answer::Revoked(Revoked {
            date: l.date,
            reason: l.reason,
        })
    })
}

/// The CertID of `cert` issued by `issuer`, hashed with `hash` (SHA-1 or SHA-256).
fn cert_id(
    cert: &Certificate,
    issuer: &Certificate,
    hash: ObjectIdentifier,
) -> Result<CertId, String> {
    let parsed = x509_cert::Certificate::from_der(&cert.der).map_err(|e| e.to_string())?;
    let parsed_issuer = x509_cert::Certificate::from_der(&issuer.der).map_err(|e| e.to_string())?;
    let key = parsed_issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let digest = |bytes: &[u8]| -> Vec<u8> {
        if hash == SHA256 {
            Sha256::digest(bytes).to_vec()
        } else {
            Sha1::digest(bytes).to_vec()
        }
    };
    let octets = |bytes: Vec<u8>| OctetString::new(bytes).map_err(|e| e.to_string());
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: hash,
            parameters: Some(Any::from(Null)),
        },
        issuer_name_hash: octets(digest(&issuer.subject_der))?,
        issuer_key_hash: octets(digest(key))?,
        serial_number: parsed.tbs_certificate.serial_number,
    })
}

/// The DER of an OCSP request (RFC 6960) about `cert`, issued by `issuer`: one SHA-1 CertID,
/// unsigned, without a nonce (so that responders may answer from their cache).
pub fn ocsp_request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, String> {
    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: x509_ocsp::Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id(cert, issuer, SHA1)?,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    request.to_der().map_err(|e| e.to_string())
}

fn to_moment(t: &x509_ocsp::OcspGeneralizedTime) -> Option<OffsetDateTime> {
    let secs = i64::try_from(t.0.to_unix_duration().as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

/// What the DER OCSP response `response` says about `cert`, issued by `issuer`, at `at`.
/// The source of the finding is `source`.
pub fn check_ocsp(
    cert: &Certificate,
    issuer: &Certificate,
    response: &[u8],
    at: OffsetDateTime,
    source: Source,
) -> Finding {
    let (answer, stale_since) = match ocsp_answer(cert, issuer, response, at) {
        Ok(found) => found,
        Err(why) => (Answer::Unknown(why), None),
    };
    Finding {
        source,
        answer,
        stale_since,
    }
}

/// The reply of an OCSP responder read far enough to know its status and its basic response.
fn read_basic(response: &[u8]) -> Result<(BasicOcspResponse, &[u8]), Why> {
    let malformed = |e: der::Error| Why::OcspMalformed(e.to_string());
    let outer = OcspResponse::from_der(response).map_err(malformed)?;
    let status = match outer.response_status {
        OcspResponseStatus::Successful => None,
        OcspResponseStatus::MalformedRequest => Some("malformedRequest"),
        OcspResponseStatus::InternalError => Some("internalError"),
        OcspResponseStatus::TryLater => Some("tryLater"),
        OcspResponseStatus::SigRequired => Some("sigRequired"),
        OcspResponseStatus::Unauthorized => Some("unauthorized"),
    };
    if let Some(status) = status {
        return Err(Why::OcspStatus(status.to_owned()));
    }
    let bytes = outer
        .response_bytes
        .ok_or_else(|| Why::OcspMalformed("a successful response without a body".to_owned()))?;
    if bytes.response_type != OCSP_BASIC {
        return Err(Why::OcspMalformed(format!(
            "response type {} is not id-pkix-ocsp-basic",
            bytes.response_type
        )));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(malformed)?;
    // The signed bytes are the exact DER inside the OCTET STRING; find them in the input so
    // that the signature is checked over what was received, not over a re-encoding.
    let inner = bytes.response.as_bytes();
    let start = response
        .windows(inner.len())
        .position(|w| w == inner)
        .ok_or_else(|| Why::OcspMalformed("the basic response cannot be located".to_owned()))?;
    Ok((basic, &response[start..start + inner.len()]))
}

/// Parses an OCSP response far enough to say whether it could be read; for fuzzing and for
/// callers that want to refuse garbage before keeping it.
pub fn parse_ocsp(response: &[u8]) -> Result<(), Why> {
    read_basic(response).map(|_| ())
}

fn ocsp_answer(
    cert: &Certificate,
    issuer: &Certificate,
    response: &[u8],
    at: OffsetDateTime,
) -> Result<(Answer, Option<OffsetDateTime>), Why> {
    let (basic, signed) = read_basic(response)?;
    let wanted = |hash| cert_id(cert, issuer, hash).map_err(Why::OcspMalformed);
    let (by_sha1, by_sha256) = (wanted(SHA1)?, wanted(SHA256)?);
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| {
            let id = &r.cert_id;
            let ours = if id.hash_algorithm.oid == SHA256 {
                &by_sha256
            } else {
                &by_sha1
            };
            id.serial_number == ours.serial_number
                && id.issuer_name_hash == ours.issuer_name_hash
                && id.issuer_key_hash == ours.issuer_key_hash
        })
        .ok_or(Why::OcspNotAbout)?;
    signed_by_issuer_or_delegate(&basic, signed, issuer, at)?;
    let stale_since = single
        .next_update
        .as_ref()
        .and_then(to_moment)
        .filter(|next| *next < at);
    let answer = match &single.cert_status {
        CertStatus::Good(_) => Answer::Good,
        CertStatus::Revoked(info) => Answer::Revoked(Revoked {
            date: to_moment(&info.revocation_time),
            reason: info.revocation_reason.map(|r| r as u8),
        }),
        CertStatus::Unknown(_) => Answer::Unknown(Why::OcspUnknown),
    };
    Ok((answer, stale_since))
}

/// Whether `signed` (the basic response's DER) is signed by `issuer`, or by a certificate of
/// `basic`'s that `issuer` issued, valid at `at` and carrying id-kp-OCSPSigning (RFC 6960,
/// 4.2.2.2); when a certificate of `basic`'s made the signature but is not such a delegate,
/// the error says which rule it breaks, in the order they are checked.
fn signed_by_issuer_or_delegate(
    basic: &BasicOcspResponse,
    signed: &[u8],
    issuer: &Certificate,
    at: OffsetDateTime,
) -> Result<(), Why> {
    if issuer.signed(signed) == Some(true) {
        return Ok(());
    }
    let carried = basic.certs.iter().flatten().filter_map(|c| {
        let der = c.to_der().ok()?;
        Certificate::from_der(&der).ok()
    });
    let mut why = Why::OcspSignature;
    for responder in carried.filter(|r| r.signed(signed) == Some(true)) {
        let subject = responder.subject.clone();
        if responder.issuer_der != issuer.subject_der || !responder.is_signed_by(issuer) {
            why = Why::OcspResponderNotIssued { responder: subject };
        } else if !responder
            .extended_key_usage
            .as_ref()
            .is_some_and(|ekus| ekus.contains(&ExtendedKeyUsage::OcspSigning))
        {
            why = Why::OcspResponderNoEku { responder: subject };
        } else if at < responder.not_before || responder.not_after < at {
            why = Why::OcspResponderOutOfDate { responder: subject };
        } else {
            return Ok(());
        }
    }
    Err(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(answer: Answer) -> Finding {
        Finding::new(Source::Stapled, answer)
    }

    #[test]
    fn decisions() {
        let revoked = Answer::Revoked(Revoked {
            date: None,
            reason: Some(1),
        });
        let unknown = Answer::Unknown(Why::NoSource);
        let check = |answers: &[Answer], expected: Verdict| {
            let findings: Vec<Finding> = answers.iter().cloned().map(finding).collect();
            assert_eq!(decide(&findings), expected, "{answers:?}");
        };
        check(&[], Verdict::Unknown);
        check(std::slice::from_ref(&unknown), Verdict::Unknown);
        check(&[unknown.clone(), Answer::Good], Verdict::Good);
        check(&[Answer::Good, revoked.clone()], Verdict::Revoked);
        check(&[revoked, unknown], Verdict::Revoked);
    }

    #[test]
    fn reasons() {
        assert_eq!(reason_name(1), Some("keyCompromise"));
        assert_eq!(reason_name(7), None);
        assert_eq!(reason_name(10), Some("aACompromise"));
    }

    /// A CA (its parameters and key, for signing) and its certificate in the model.
    struct Ca {
        params: rcgen::CertificateParams,
        key: rcgen::KeyPair,
        cert: Certificate,
    }

    fn ca(cn: &str) -> Ca {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = Certificate::from_der(params.self_signed(&key).unwrap().der()).unwrap();
        Ca { params, key, cert }
    }

    fn leaf(ca: &Ca, serial: u64) -> Certificate {
        let mut params = rcgen::CertificateParams::new(vec!["leaf.example".to_owned()]).unwrap();
        params.serial_number = Some(serial.into());
        let key = rcgen::KeyPair::generate().unwrap();
        let issuer = rcgen::Issuer::from_params(&ca.params, &ca.key);
        Certificate::from_der(params.signed_by(&key, &issuer).unwrap().der()).unwrap()
    }

    /// A CRL of `ca`'s for a week from 2026-01-01, listing serial 1 (keyCompromise).
    fn crl(ca: &Ca) -> Crl {
        let params = rcgen::CertificateRevocationListParams {
            this_update: time::macros::datetime!(2026-01-01 0:00 UTC),
            next_update: time::macros::datetime!(2026-01-08 0:00 UTC),
            crl_number: 1u64.into(),
            issuing_distribution_point: None,
            revoked_certs: vec![rcgen::RevokedCertParams {
                serial_number: 1u64.into(),
                revocation_time: time::macros::datetime!(2025-12-31 12:00 UTC),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            }],
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        let issuer = rcgen::Issuer::from_params(&ca.params, &ca.key);
        Crl::from_der(params.signed_by(&issuer).unwrap().der()).unwrap()
    }

    #[test]
    fn crls() {
        let root = ca("Root");
        let impostor = ca("Root");
        let other = ca("Other");
        let (revoked, good) = (leaf(&root, 1), leaf(&root, 2));
        let (real, forged, foreign) = (crl(&root), crl(&impostor), crl(&other));
        let in_week = time::macros::datetime!(2026-01-02 0:00 UTC);
        let later = time::macros::datetime!(2026-02-01 0:00 UTC);
        let check =
            |cert: &Certificate, crl: &Crl, at, expected: Answer, stale: Option<OffsetDateTime>| {
                let source = Source::CrlFile("crl.pem".to_owned());
                let finding = check_crl(cert, &root.cert, crl, at, source.clone());
                assert_eq!(
                    finding,
                    Finding {
                        source,
                        answer: expected,
                        stale_since: stale
                    },
                    "{}",
                    cert.serial_hex
                );
            };
        let revoked_answer = Answer::Revoked(Revoked {
            date: Some(time::macros::datetime!(2025-12-31 12:00 UTC)),
            reason: Some(1),
        });
        check(&revoked, &real, in_week, revoked_answer.clone(), None);
        check(&good, &real, in_week, Answer::Good, None);
        let next = Some(time::macros::datetime!(2026-01-08 0:00 UTC));
        check(&revoked, &real, later, revoked_answer, next);
        check(&good, &real, later, Answer::Good, next);
        // Same name, another key: the CRL's signature does not verify.
        check(
            &revoked,
            &forged,
            in_week,
            Answer::Unknown(Why::CrlSignature),
            None,
        );
        let crl_issuer = other.cert.subject.clone();
        check(
            &revoked,
            &foreign,
            in_week,
            Answer::Unknown(Why::CrlIssuer { crl_issuer }),
            None,
        );
        assert!(crl_belongs_to(&real, &root.cert));
        assert!(!crl_belongs_to(&forged, &root.cert) && !crl_belongs_to(&foreign, &root.cert));
    }

    #[test]
    fn lists() {
        let root = ca("Root");
        let (listed, unlisted) = (leaf(&root, 1), leaf(&root, 2));
        let list = [Listed::new(listed.sha256, None, Some(4))];
        assert_eq!(
            check_listed(&listed, &list),
            Some(Answer::Revoked(Revoked {
                date: None,
                reason: Some(4)
            }))
        );
        assert_eq!(check_listed(&unlisted, &list), None);
    }

    #[test]
    fn requests_read_back() {
        let root = ca("Root");
        let cert = leaf(&root, 7);
        let der = ocsp_request(&cert, &root.cert).unwrap();
        let request = OcspRequest::from_der(&der).unwrap();
        let id = &request.tbs_request.request_list[0].req_cert;
        assert_eq!(id.hash_algorithm.oid, SHA1);
        assert_eq!(id.serial_number.as_bytes(), [7]);
        assert_eq!(
            id.issuer_name_hash.as_bytes(),
            Sha1::digest(&root.cert.subject_der).as_slice()
        );
    }

    #[test]
    fn garbage_is_not_a_response() {
        for bytes in [&b""[..], b"\x30\x03\x0a\x01\x00", b"not der"] {
            assert!(parse_ocsp(bytes).is_err(), "{bytes:?}");
        }
        // tryLater, with no body.
        assert_eq!(
            parse_ocsp(b"\x30\x03\x0a\x01\x03"),
            Err(Why::OcspStatus("tryLater".to_owned()))
        );
    }
}
