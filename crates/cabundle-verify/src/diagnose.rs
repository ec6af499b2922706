//! `verify`: find the best path with the search of [`crate::path`], turn how it ended and
//! its faults into problems, check dates and the host name here (so the explanation can name
//! the certificate and the fix), then ask webpki for the cryptographic verdict on exactly that
//! path (signatures, basic constraints, name constraints, EKU), in words.

use crate::error::{Error, Result};
use crate::manifest::excluded_issuer;
use crate::path::{self, DeadEnd, End, Fault, IssuerFault, Node};
use cabundle_cert::date::format_moment;
use cabundle_cert::{Certificate, GeneralName, Purpose, Sha256Fingerprint};
use cabundle_manifest::Manifest;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::fmt;
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyUsage};

/// How a purpose's extended key usage is named in a rejection.
fn describe_purpose(purpose: Purpose) -> String {
    let what = match purpose {
        Purpose::Tls => "TLS server authentication",
        Purpose::Email => "e-mail protection",
    };
    format!("{what} ({})", purpose.eku_name())
}

/// Most names a message lists; the rest are counted ("and 2036 more").
const MAX_LISTED: usize = 12;

/// `names` joined with commas, cut after [`MAX_LISTED`] with how many more there are.
pub(crate) fn list_names(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(MAX_LISTED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().checked_sub(MAX_LISTED) {
        Some(more) if more > 0 => format!("{shown} and {more} more"),
        _ => shown,
    }
}

/// What to check.
#[derive(Clone, Debug)]
pub struct Options {
    /// The moment at which the certificates must be valid (the caller reads the clock).
    pub at: OffsetDateTime,
    /// The host name (or IP address) the leaf must be valid for, for [`Purpose::Tls`].
    pub hostname: Option<String>,
    /// What the leaf is for.
    pub purpose: Purpose,
    /// The bundle's manifest, to tell a root the bundle's policy left out.
    pub manifest: Option<Manifest>,
    /// Accept a path that ends at any certificate of the store, not only at a self-issued
    /// root (OpenSSL's `X509_V_FLAG_PARTIAL_CHAIN`). Without it, as OpenSSL does by default,
    /// a certificate of the store that is not a root is only a step on the way to one.
    pub partial_chain: bool,
}

/// Which place a certificate holds in the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The first certificate (the server's own).
    Leaf,
    /// A CA certificate between the leaf and the trust anchor.
    Intermediate,
    /// The trust anchor, or the self-issued top of the chain.
    Root,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Leaf => "certificate",
            Role::Intermediate => "intermediate",
            Role::Root => "root",
        })
    }
}

/// One certificate of the path that was built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Subject, one line.
    pub subject: String,
    /// Issuer, one line.
    pub issuer: String,
    /// SHA-256 fingerprint.
    pub sha256: Sha256Fingerprint,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// Whether this certificate came from the trust store.
    pub trusted: bool,
    /// Whether it came from the untrusted certificates given beside the chain (see
    /// [`verify_with`]) rather than from the chain or the store.
    pub supplied: bool,
}

/// Why a chain does not verify: the facts (which certificate, which date, which URL), for the
/// caller to explain and advise on. This crate says what is wrong, never which command or
/// option fixes it: that advice belongs to the program that has the commands.
///
/// Exhaustive on purpose, as is [`Rejection`]: a new kind of problem is a compile error in
/// every caller that gives advice, until it gives advice for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The leaf's issuer is in neither the chain nor the store.
    MissingIntermediate {
        /// The certificate whose issuer is missing.
        certificate: String,
        /// The issuer name to look for.
        issuer: String,
        /// AIA caIssuers URLs of `certificate`: where to fetch the issuer.
        urls: Vec<String>,
    },
    /// The top CA certificate of the chain was issued by a root the store does not contain.
    RootNotTrusted {
        /// The top certificate of the chain.
        certificate: String,
        /// Its issuer: the root that is missing from the store.
        issuer: String,
        /// AIA caIssuers URLs of `certificate`.
        urls: Vec<String>,
    },
    /// The path ends at a certificate of the store that is not a root, and no root that issued
    /// it is in the store: only a partial chain (see [`Options::partial_chain`]) accepts it.
    AnchorNotRoot {
        /// The certificate of the store the path ends at.
        subject: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
        /// Its issuer: the root the store lacks.
        issuer: String,
    },
    /// The chain ends at a self-issued certificate that the store does not contain.
    UntrustedRoot {
        /// Its subject.
        subject: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
    },
    /// The root was left out of the bundle by its policy (from the manifest).
    Excluded {
        /// The root's subject (or the issuer name that points to it).
        subject: String,
        /// The manifest's label.
        label: String,
        /// The manifest's reason.
        reason: String,
    },
    /// A certificate of the path has expired.
    Expired {
        /// Its place in the path.
        role: Role,
        /// Its subject.
        subject: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
        /// Whether it came from the trust store (a stale store) rather than the chain.
        trusted: bool,
        /// notAfter.
        not_after: OffsetDateTime,
    },
    /// A certificate of the path is not valid yet.
    NotYetValid {
        /// Its place in the path.
        role: Role,
        /// Its subject.
        subject: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
        /// notBefore.
        not_before: OffsetDateTime,
    },
    /// The leaf is not valid for the host name.
    NameMismatch {
        /// The host name asked for.
        hostname: String,
        /// The names the certificate is valid for (subjectAltName).
        names: Vec<String>,
    },
    /// The host name is in the certificate, but as another kind of name (an IP address
    /// written as a DNS name): clients compare a name only with entries of its own kind.
    NameOfOtherKind {
        /// The host name asked for.
        hostname: String,
        /// The kind of entry it is listed as (`a DNS name`, `an e-mail address`, `a URI`).
        listed_as: String,
        /// The kind of entry it must be listed as (`an IP address`, `a DNS name`).
        wanted: String,
    },
    /// Names of the leaf are outside the name constraints of a CA of the path.
    OutsideNameConstraints {
        /// The CA whose constraints the names break.
        issuer: String,
        /// The leaf's names outside them (DNS names and IP addresses).
        names: Vec<String>,
    },
    /// A certificate of the path may not issue the one below it: OpenSSL (and every other
    /// client) refuses it as an issuer.
    UnusableIssuer {
        /// Its place in the path.
        role: Role,
        /// Its subject.
        subject: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
        /// Whether it came from the trust store.
        trusted: bool,
        /// Which extension forbids it.
        fault: IssuerFault,
    },
    /// A certificate's RSA key is smaller than clients accept.
    KeyTooSmall {
        /// Its place in the path.
        role: Role,
        /// Its subject.
        subject: String,
        /// The key's size.
        bits: u32,
        /// The smallest size accepted.
        minimum: u32,
    },
    /// A certificate's key is of a type or on a curve that clients do not support (P-192,
    /// DSA, explicit curve parameters).
    UnsupportedKey {
        /// Its place in the path.
        role: Role,
        /// Its subject.
        subject: String,
        /// The key's type (`EC P-192`, `DSA`, ...).
        key: String,
    },
    /// A path to a trust anchor exists, but OpenSSL does not find it: for `certificate` it
    /// takes `taken` first (a self-signed copy, a certificate of the same name with another
    /// key) and does not go back (OpenSSL 3.0's `build_chain`), so OpenSSL's default
    /// verification, and every client built on it, refuses the chain; clients that search
    /// further (browsers, Go, rustls, Java) accept the path of the [`Report`].
    OpensslDeadEnd {
        /// The certificate whose issuer OpenSSL looks for.
        certificate: String,
        /// The certificate OpenSSL takes as its issuer.
        taken: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
        /// Whether it came from the trust store (else from the chain or the untrusted
        /// certificates).
        trusted: bool,
        /// Why it leads nowhere.
        why: DeadEnd,
    },
    /// Path validation rejected the chain for another reason.
    Rejected(Rejection),
}

/// Something worth saying about a chain that does not make it fail for OpenSSL.
///
/// Exhaustive on purpose, like [`Problem`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The leaf has no DNS name in a subjectAltName, and its common name matches the host:
    /// OpenSSL-based clients (curl, Python's `ssl`, `openssl s_client`), Node and Java accept
    /// it; browsers, rustls and urllib3 2 (Python `requests`) refuse it.
    CommonNameOnly {
        /// The host name asked for.
        hostname: String,
        /// The leaf's common name.
        common_name: String,
    },
    /// The chain holds the same certificate more than once.
    Duplicate {
        /// Its subject.
        subject: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
        /// How many times it is there.
        times: usize,
    },
    /// The chain verifies, and holds a certificate its path does not use (an old cross-sign
    /// kept for clients with older stores, or one that serves no one).
    NotOnPath {
        /// Its subject.
        subject: String,
        /// Its fingerprint.
        sha256: Sha256Fingerprint,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::CommonNameOnly {
                hostname,
                common_name,
            } => write!(
                f,
                "common name only: the certificate has no DNS name in a subjectAltName; its common name \"{common_name}\" matches \"{hostname}\", which OpenSSL-based clients (curl, Python's ssl, openssl s_client), Node and Java accept, but browsers, rustls and urllib3 2 (Python requests) refuse"
            ),
            Note::Duplicate {
                subject,
                sha256,
                times,
            } => write!(
                f,
                "duplicate certificate: the chain holds \"{subject}\" (sha256 {sha256}) {times} times"
            ),
            Note::NotOnPath { subject, sha256 } => write!(
                f,
                "not on the path: the chain holds \"{subject}\" (sha256 {sha256}), which the verified path does not use"
            ),
        }
    }
}

/// Why path validation rejected a chain whose names and dates are in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The first certificate is a CA certificate, not the end entity.
    CaUsedAsEndEntity,
    /// A certificate that is not a CA issued another one.
    EndEntityUsedAsCa,
    /// A certificate is outside its validity period (found by webpki, not by the date check).
    OutsideValidity,
    /// A signature does not verify with the issuer's public key.
    BadSignature,
    /// No issuer with a matching key: same name, different key, or the issuer is missing.
    UnknownIssuer,
    /// A name is outside an issuing CA's name constraints.
    NameConstraints,
    /// The chain is longer than an issuing CA's path length constraint allows.
    PathLength,
    /// The leaf's extended key usage does not allow the purpose.
    ExtendedKeyUsage {
        /// The purpose asked for.
        purpose: Purpose,
    },
    /// A signature algorithm is not accepted (SHA-1, MD5).
    SignatureAlgorithm,
    /// A certificate has a critical extension that is not understood.
    CriticalExtension,
    /// The chain is too long for path validation.
    TooLong,
    /// No path to a trusted root within this many certificates.
    NoPathWithin {
        /// The limit.
        max: usize,
    },
    /// The path search gave up: it tried this many candidate issuers without finding a path
    /// to a trusted root.
    SearchStopped {
        /// Candidate issuers tried.
        tried: usize,
    },
    /// A certificate of the chain cannot be read by path validation (its DER encoding or an
    /// extension is malformed).
    Malformed,
    /// A certificate of the chain was revoked or distrusted.
    Revoked,
    /// The host name asked for is neither a DNS name nor an IP address.
    InvalidHostName {
        /// The host name asked for.
        hostname: String,
    },
    /// Another verdict of the path validation.
    Other {
        /// What it said, in words.
        detail: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::CaUsedAsEndEntity => {
                f.write_str("the first certificate is a CA certificate, not the server's own")
            }
            Rejection::EndEntityUsedAsCa => f.write_str(
                "a certificate that is not a CA (basicConstraints) was used to issue another one",
            ),
            Rejection::OutsideValidity => {
                f.write_str("a certificate of the chain is outside its validity period")
            }
            Rejection::BadSignature => {
                f.write_str("a signature does not verify with the issuer's public key")
            }
            Rejection::UnknownIssuer => f.write_str(
                "a signature does not match the key of the certificate with the issuer's name (same name, different key?), or the issuer is missing",
            ),
            Rejection::NameConstraints => f.write_str(
                "a name in the certificate is outside the name constraints of an issuing CA",
            ),
            Rejection::PathLength => f.write_str(
                "the chain is longer than an issuing CA's path length constraint allows",
            ),
            Rejection::ExtendedKeyUsage { purpose } => write!(
                f,
                "the certificate's extended key usage does not allow {}",
                describe_purpose(*purpose)
            ),
            Rejection::SignatureAlgorithm => f.write_str(
                "a signature algorithm is not accepted (SHA-1 and MD5 signatures no longer are)",
            ),
            Rejection::CriticalExtension => {
                f.write_str("a certificate has a critical extension that is not understood")
            }
            Rejection::TooLong => f.write_str("the chain is too long"),
            Rejection::NoPathWithin { max } => {
                write!(f, "no path to a trusted root within {max} certificates")
            }
            Rejection::SearchStopped { tried } => write!(
                f,
                "path search stopped after {tried} candidate issuers without reaching a trusted root (too many certificates share the issuers' names)"
            ),
            Rejection::Malformed => f.write_str(
                "a certificate of the chain is malformed: its encoding or an extension cannot be read",
            ),
            Rejection::Revoked => {
                f.write_str("a certificate of the chain was revoked or distrusted")
            }
            Rejection::InvalidHostName { hostname } => {
                write!(f, "\"{hostname}\" is not a valid host name or IP address")
            }
            Rejection::Other { detail } => write!(f, "path validation failed: {detail}"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingIntermediate {
                certificate,
                issuer,
                ..
            } => write!(
                f,
                "missing intermediate: \"{certificate}\" was issued by \"{issuer}\", which is neither in the chain nor in the trust store"
            ),
            Problem::RootNotTrusted {
                certificate,
                issuer,
                ..
            } => write!(
                f,
                "root not in the trust store: \"{certificate}\" was issued by \"{issuer}\", which the trust store does not contain"
            ),
            Problem::AnchorNotRoot {
                subject, issuer, ..
            } => write!(
                f,
                "not a root: the path ends at \"{subject}\" of the trust store, which is not self-signed, and the store lacks its issuer \"{issuer}\""
            ),
            Problem::UntrustedRoot { subject, sha256 } => write!(
                f,
                "root not in the trust store: the chain ends at \"{subject}\" (sha256 {sha256}), which the trust store does not contain"
            ),
            Problem::Excluded {
                subject,
                label,
                reason,
            } => write!(
                f,
                "root left out of the bundle: \"{subject}\" ({label}) was excluded by the bundle's policy: {reason}"
            ),
            Problem::Expired {
                role,
                subject,
                not_after,
                ..
            } => write!(
                f,
                "expired: the {role} \"{subject}\" expired on {}",
                format_moment(*not_after)
            ),
            Problem::NotYetValid {
                role,
                subject,
                not_before,
                ..
            } => write!(
                f,
                "not yet valid: the {role} \"{subject}\" is valid from {}",
                format_moment(*not_before)
            ),
            Problem::NameOfOtherKind {
                hostname,
                listed_as,
                wanted,
            } => write!(
                f,
                "host name listed as another kind of name: the certificate lists \"{hostname}\" as {listed_as}, but it is {wanted}, and clients compare it only with entries of that kind"
            ),
            Problem::OutsideNameConstraints { issuer, names } => write!(
                f,
                "outside name constraints: \"{issuer}\" may issue only for the names its constraints allow, and the certificate names {} {} outside them: {}",
                names.len(),
                if names.len() == 1 { "name" } else { "names" },
                list_names(names)
            ),
            Problem::UnusableIssuer {
                role,
                subject,
                fault,
                ..
            } => {
                let why = match fault {
                    IssuerFault::NoBasicConstraints => {
                        "basicConstraints: it has no basicConstraints extension, so it is not a CA"
                            .to_owned()
                    }
                    IssuerFault::NotCa => "basicConstraints: they say CA:FALSE".to_owned(),
                    IssuerFault::NoKeyCertSign => {
                        "keyUsage: it does not include keyCertSign (certificate signing)".to_owned()
                    }
                    IssuerFault::PathLength { max, below } => format!(
                        "pathLen: its pathLenConstraint {max} allows {max} intermediate{} below it, and the path has {below}",
                        if *max == 1 { "" } else { "s" }
                    ),
                };
                write!(
                    f,
                    "CA not usable as issuer because of {why}: the {role} \"{subject}\" may not sign the certificate below it"
                )
            }
            Problem::KeyTooSmall {
                role,
                subject,
                bits,
                minimum,
            } => write!(
                f,
                "key too small: the {role} \"{subject}\" has a {bits}-bit RSA key; clients require at least {minimum} bits"
            ),
            Problem::UnsupportedKey { role, subject, key } => write!(
                f,
                "unsupported key type or curve: the {role} \"{subject}\" has a key of type {key}, which TLS clients do not support"
            ),
            Problem::NameMismatch { hostname, names } => {
                if names.is_empty() {
                    write!(
                        f,
                        "host name mismatch: the certificate is not valid for \"{hostname}\"; it has no subjectAltName names"
                    )
                } else {
                    write!(
                        f,
                        "host name mismatch: the certificate is not valid for \"{hostname}\"; it is valid for: {}",
                        list_names(names)
                    )
                }
            }
            Problem::OpensslDeadEnd {
                certificate,
                taken,
                sha256,
                trusted,
                why,
            } => {
                let from = if *trusted {
                    "the trust store"
                } else {
                    "the chain"
                };
                let what = match why {
                    DeadEnd::SelfSigned => "a self-signed certificate outside the trust store",
                    DeadEnd::WrongKey => {
                        "a certificate with the issuer's name whose key did not sign it"
                    }
                };
                write!(
                    f,
                    "OpenSSL takes a dead end: as the issuer of \"{certificate}\" it takes \"{taken}\" (sha256 {sha256}) from {from} first, {what}, and does not go back, so OpenSSL-based clients (openssl verify, curl, Python, Node, openssl s_client) refuse this chain; browsers, Go, rustls and other clients that search further accept the path shown"
                )
            }
            Problem::Rejected(rejection) => write!(f, "rejected: {rejection}"),
        }
    }
}

impl Problem {
    /// Whether the problem is a chain that ends at a root in no store given: a private CA or
    /// a TLS-inspecting proxy.
    pub fn is_unknown_root(&self) -> bool {
        matches!(
            self,
            Problem::UntrustedRoot { .. } | Problem::RootNotTrusted { .. }
        )
    }
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The path that was built, from the leaf; it ends at a trust anchor when one was found.
    /// When several paths were possible, it is the best one: one to a trust anchor without
    /// fault if there is one, else the one that got furthest.
    pub path: Vec<Link>,
    /// What is wrong; empty when the chain verifies.
    pub problems: Vec<Problem>,
    /// What is worth saying even though the chain verifies (or besides its problems).
    pub notes: Vec<Note>,
    /// The rules of stricter clients the path breaks ([`crate::strict`]); they do not make
    /// the chain invalid for OpenSSL's default verification.
    pub strict: Vec<crate::Violation>,
}

impl Report {
    /// The strict rules broken that `family` refuses.
    pub fn refused_by(&self, family: crate::Family) -> Vec<&crate::Violation> {
        self.strict
            .iter()
            .filter(|v| v.rule.refused_by().contains(&family))
            .collect()
    }

    /// Whether the chain verifies.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies `chain` (leaf first, then any intermediates in any order) against the trust
/// anchors in `store`, and explains every failure it finds.
pub fn verify(chain: &[Certificate], store: &[Certificate], opts: &Options) -> Result<Report> {
    verify_with(chain, &[], store, opts)
}

/// [`verify`], with `untrusted` certificates that may complete the path beside those of the
/// chain (OpenSSL's `-untrusted`); the links taken from them are marked
/// [`Link::supplied`]. The certificates are indexed by subject, and only those with the
/// issuer's name are tried at each step, so a pool of thousands costs one lookup per step.
pub fn verify_with(
    chain: &[Certificate],
    untrusted: &[Certificate],
    store: &[Certificate],
    opts: &Options,
) -> Result<Report> {
    let leaf = chain.first().ok_or(Error::EmptyChain)?;
    let given = &chain[1..];
    let mut notes = duplicates(chain);
    let outcome = path::build(leaf, given, untrusted, store, opts.at, opts.partial_chain);
    let built = &outcome.best;
    let is_anchor = |n: &Node<'_>| n.trusted && (opts.partial_chain || is_self_issued(n.cert));
    let mut problems = Vec::new();
    let last = built.steps.len() - 1;
    let top = built.steps[last];
    let role_of = |i: usize| {
        let cert = built.steps[i].cert;
        // A lone self-issued CA certificate is a root checked on its own, not a server's.
        let lone_root = last == 0 && cert.is_ca && is_self_issued(cert);
        if i == 0 && !lone_root {
            Role::Leaf
        } else if i == last && (is_self_issued(cert) || is_anchor(&built.steps[i])) {
            Role::Root
        } else {
            Role::Intermediate
        }
    };

    if let Some(tried) = outcome.stopped_after {
        // The limit is the verdict: what the best partial path lacks says nothing.
        problems.push(Problem::Rejected(Rejection::SearchStopped { tried }));
    } else {
        match built.end {
            End::Anchor => {}
            End::Depth => problems.push(Problem::Rejected(Rejection::NoPathWithin {
                max: path::MAX_DEPTH,
            })),
            End::SelfSigned | End::NoIssuer { .. } => {
                problems.push(dead_end(top, built.end, last, opts));
            }
        }
        for (i, fault) in &built.faults {
            let n = built.steps[*i];
            let (role, subject, sha256) = (role_of(*i), n.cert.subject.clone(), n.cert.sha256);
            problems.push(match fault {
                Fault::Issuer(fault) => Problem::UnusableIssuer {
                    role,
                    subject,
                    sha256,
                    trusted: n.trusted,
                    fault: *fault,
                },
                Fault::KeyTooSmall { bits } => Problem::KeyTooSmall {
                    role,
                    subject,
                    bits: *bits,
                    minimum: path::MIN_RSA_BITS,
                },
                Fault::UnsupportedKey { key } => Problem::UnsupportedKey {
                    role,
                    subject,
                    key: key.clone(),
                },
            });
        }
        for (i, n) in built.steps.iter().enumerate() {
            let cert = n.cert;
            if opts.at < cert.not_before {
                problems.push(Problem::NotYetValid {
                    role: role_of(i),
                    subject: cert.subject.clone(),
                    sha256: cert.sha256,
                    not_before: cert.not_before,
                });
            } else if opts.at > cert.not_after {
                problems.push(Problem::Expired {
                    role: role_of(i),
                    subject: cert.subject.clone(),
                    sha256: cert.sha256,
                    trusted: n.trusted,
                    not_after: cert.not_after,
                });
            }
        }
        // A certificate that is itself an anchor of the store is trusted as such (as OpenSSL
        // does); webpki would reject a CA certificate used as the end entity.
        let trusted_directly = last == 0 && is_anchor(&built.steps[0]);
        if problems.is_empty() && !trusted_directly {
            // webpki judges exactly the path found: its own search would see no other.
            let between: Vec<&Certificate> = built
                .steps
                .iter()
                .take(last)
                .skip(1)
                .map(|n| n.cert)
                .collect();
            if let Err(err) = webpki_verdict(leaf, &between, &[top.cert], opts) {
                let cas = built.steps.iter().skip(1).map(|n| n.cert);
                let outside = matches!(err, webpki::Error::NameConstraintViolation)
                    .then(|| outside_constraints(leaf, cas))
                    .flatten();
                problems.push(match outside {
                    Some((issuer, names)) => Problem::OutsideNameConstraints { issuer, names },
                    None => Problem::Rejected(describe(&err, opts.purpose)),
                });
            }
        }
    }
    // OpenSSL's verdict is the verdict: a path that only a search going back finds fails,
    // and says so first. (webpki has judged the path itself above.)
    if let Some((child, taken, why)) = outcome.openssl_dead_end {
        problems.insert(
            0,
            Problem::OpensslDeadEnd {
                certificate: child.cert.subject.clone(),
                taken: taken.cert.subject.clone(),
                sha256: taken.cert.sha256,
                trusted: taken.trusted,
                why,
            },
        );
    }
    if let (Purpose::Tls, Some(host)) = (opts.purpose, &opts.hostname) {
        match check_name(leaf, host) {
            NameCheck::Valid => {}
            NameCheck::CommonNameOnly { common_name } => notes.push(Note::CommonNameOnly {
                hostname: host.clone(),
                common_name,
            }),
            NameCheck::Invalid(problem) => problems.push(problem),
        }
    }

    let with_roles: Vec<(&Certificate, Role)> = built
        .steps
        .iter()
        .enumerate()
        .map(|(i, n)| (n.cert, role_of(i)))
        .collect();
    let strict = crate::strict::check(&with_roles, opts.purpose == Purpose::Tls);
    let path: Vec<Link> = built
        .steps
        .iter()
        .map(|n| Link {
            subject: n.cert.subject.clone(),
            issuer: n.cert.issuer.clone(),
            sha256: n.cert.sha256,
            not_before: n.cert.not_before,
            not_after: n.cert.not_after,
            trusted: n.trusted,
            supplied: n.supplied,
        })
        .collect();
    if problems.is_empty() {
        notes.extend(not_on_path(chain, &path));
    }
    Ok(Report {
        path,
        problems,
        notes,
        strict,
    })
}

/// A note for each certificate the chain holds (after the leaf, each once) that a verified
/// path does not use.
fn not_on_path(chain: &[Certificate], path: &[Link]) -> Vec<Note> {
    chain
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(i, c)| chain.iter().position(|o| o.sha256 == c.sha256) == Some(*i))
        .filter(|(_, c)| !path.iter().any(|l| l.sha256 == c.sha256))
        .map(|(_, c)| Note::NotOnPath {
            subject: c.subject.clone(),
            sha256: c.sha256,
        })
        .collect()
}

/// The problem of a path that stops short of a trust anchor at `top`.
fn dead_end(top: Node<'_>, end: End, last: usize, opts: &Options) -> Problem {
    let cur = top.cert;
    let excluded = opts
        .manifest
        .as_ref()
        .and_then(|m| excluded_issuer(m, cur, is_self_issued(cur)));
    if let Some(ex) = excluded {
        return Problem::Excluded {
            subject: if is_self_issued(cur) {
                cur.subject.clone()
            } else {
                cur.issuer.clone()
            },
            label: ex.label.clone(),
            reason: ex.detail.clone(),
        };
    }
    if end == End::SelfSigned || (is_self_issued(cur) && !top.trusted) {
        return Problem::UntrustedRoot {
            subject: cur.subject.clone(),
            sha256: cur.sha256,
        };
    }
    if end == (End::NoIssuer { wrong_key: true }) {
        return Problem::Rejected(Rejection::UnknownIssuer);
    }
    if top.trusted {
        Problem::AnchorNotRoot {
            subject: cur.subject.clone(),
            sha256: cur.sha256,
            issuer: cur.issuer.clone(),
        }
    } else if last == 0 {
        Problem::MissingIntermediate {
            certificate: cur.subject.clone(),
            issuer: cur.issuer.clone(),
            urls: cur.ca_issuers.clone(),
        }
    } else {
        Problem::RootNotTrusted {
            certificate: cur.subject.clone(),
            issuer: cur.issuer.clone(),
            urls: cur.ca_issuers.clone(),
        }
    }
}

/// A note for each certificate the chain holds more than once.
fn duplicates(chain: &[Certificate]) -> Vec<Note> {
    let mut notes: Vec<Note> = Vec::new();
    for (i, c) in chain.iter().enumerate() {
        let times = chain.iter().filter(|o| o.sha256 == c.sha256).count();
        let first = chain.iter().position(|o| o.sha256 == c.sha256) == Some(i);
        if times > 1 && first {
            notes.push(Note::Duplicate {
                subject: c.subject.clone(),
                sha256: c.sha256,
                times,
            });
        }
    }
    notes
}

/// Whether subject and issuer are the same name.
pub(crate) fn is_self_issued(c: &Certificate) -> bool {
    c.is_self_issued()
}

/// The best issuer of `cert` in `pool` by name: key identifiers that match first, then one
/// valid at `at`, then the first given.
pub(crate) fn pick_issuer<'a>(
    cert: &Certificate,
    pool: &[&'a Certificate],
    used: &[Sha256Fingerprint],
    at: OffsetDateTime,
) -> Option<&'a Certificate> {
    let aki = &cert.authority_key_id;
    pool.iter()
        .copied()
        .filter(|c| c.subject_der == cert.issuer_der && !used.contains(&c.sha256))
        .min_by_key(|c| {
            let key_match = match (aki, &c.subject_key_id) {
                (Some(a), Some(s)) => a == s,
                _ => true,
            };
            let valid = c.not_before <= at && at <= c.not_after;
            (!key_match, !valid)
        })
}

fn webpki_verdict(
    leaf: &Certificate,
    intermediates: &[&Certificate],
    anchors: &[&Certificate],
    opts: &Options,
) -> std::result::Result<(), webpki::Error> {
    let leaf_der = CertificateDer::from(leaf.der.as_slice());
    let ee = EndEntityCert::try_from(&leaf_der)?;
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .iter()
        .map(|c| CertificateDer::from(c.der.as_slice()))
        .collect();
    let anchors = anchor_ders
        .iter()
        .map(webpki::anchor_from_trusted_cert)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.der.as_slice()))
        .collect();
    let secs = u64::try_from(opts.at.unix_timestamp()).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
    let usage = match opts.purpose {
        Purpose::Tls => KeyUsage::server_auth(),
        Purpose::Email => KeyUsage::required_if_present(Purpose::Email.eku_der()),
    };
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &intermediates,
        time,
        usage,
        None,
        None,
    )
    .map(|_| ())
}

/// The first CA among `cas` whose name constraints the leaf's DNS names or IP addresses
/// break, and those names: for the message only (webpki has the verdict and does not say
/// which name).
fn outside_constraints<'a>(
    leaf: &Certificate,
    cas: impl Iterator<Item = &'a Certificate>,
) -> Option<(String, Vec<String>)> {
    for ca in cas {
        let Some(nc) = &ca.name_constraints else {
            continue;
        };
        let names: Vec<String> = leaf
            .subject_alt_names
            .iter()
            .filter(|name| {
                let kind_permitted: Vec<&GeneralName> = nc
                    .permitted
                    .iter()
                    .filter(|base| same_kind(base, name))
                    .collect();
                let allowed = kind_permitted.is_empty()
                    || kind_permitted.iter().any(|base| within(base, name));
                let excluded = nc.excluded.iter().any(|base| within(base, name));
                matches!(name, GeneralName::Dns(_) | GeneralName::Ip(_)) && (!allowed || excluded)
            })
            .map(ToString::to_string)
            .collect();
        if !names.is_empty() {
            return Some((ca.subject.clone(), names));
        }
    }
    None
}

/// Whether a subtree `base` constrains names of the kind of `name`.
fn same_kind(base: &GeneralName, name: &GeneralName) -> bool {
    matches!(
        (base, name),
        (GeneralName::Dns(_), GeneralName::Dns(_))
            | (GeneralName::IpRange { .. }, GeneralName::Ip(_))
    )
}

/// Whether `name` lies within the subtree `base` (RFC 5280 4.2.1.10): a DNS name equal to the
/// base or ending in `.base`, an IP address inside the range.
fn within(base: &GeneralName, name: &GeneralName) -> bool {
    match (base, name) {
        (GeneralName::Dns(base), GeneralName::Dns(name)) => {
            let (base, name) = (base.to_ascii_lowercase(), name.to_ascii_lowercase());
            let base = base.trim_start_matches('.');
            base.is_empty() || name == base || name.ends_with(&format!(".{base}"))
        }
        (GeneralName::IpRange { address, mask }, GeneralName::Ip(ip)) => {
            let (a, m, i) = (octets(address), octets(mask), octets(ip));
            a.len() == i.len() && a.iter().zip(&m).zip(&i).all(|((a, m), i)| a & m == i & m)
        }
        _ => false,
    }
}

fn octets(ip: &std::net::IpAddr) -> Vec<u8> {
    match ip {
        std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
        std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

/// What the host name check found.
enum NameCheck {
    /// The leaf is valid for the host.
    Valid,
    /// Only the common name matches: OpenSSL-based clients accept it, others refuse.
    CommonNameOnly { common_name: String },
    /// The leaf is not valid for the host.
    Invalid(Problem),
}

fn check_name(leaf: &Certificate, host: &str) -> NameCheck {
    let names: Vec<String> = leaf
        .subject_alt_names
        .iter()
        .filter(|n| {
            matches!(
                n,
                GeneralName::Dns(_) | GeneralName::Email(_) | GeneralName::Ip(_)
            )
        })
        .map(ToString::to_string)
        .collect();
    let Ok(server_name) = ServerName::try_from(host) else {
        return NameCheck::Invalid(Problem::Rejected(Rejection::InvalidHostName {
            hostname: host.to_owned(),
        }));
    };
    let der = CertificateDer::from(leaf.der.as_slice());
    if let Ok(ee) = EndEntityCert::try_from(&der)
        && ee.verify_is_valid_for_subject_name(&server_name).is_ok()
    {
        return NameCheck::Valid;
    }
    let is_ip = matches!(server_name, ServerName::IpAddress(_));
    // OpenSSL's X509_check_host (and Node's checkServerIdentity, Java's) falls back to the
    // common name when no subjectAltName entry is a DNS name; never for an IP address.
    let has_dns = leaf
        .subject_alt_names
        .iter()
        .any(|n| matches!(n, GeneralName::Dns(_)));
    if !is_ip
        && !has_dns
        && let Some(cn) = &leaf.common_name
        && host_matches(cn, host)
    {
        return NameCheck::CommonNameOnly {
            common_name: cn.clone(),
        };
    }
    let listed_as = leaf.subject_alt_names.iter().find_map(|n| {
        let (text, kind) = match n {
            GeneralName::Dns(s) if is_ip => (s.as_str(), "a DNS name"),
            GeneralName::Email(s) => (s.as_str(), "an e-mail address"),
            GeneralName::Uri(s) => (s.as_str(), "a URI"),
            _ => return None,
        };
        text.eq_ignore_ascii_case(host).then_some(kind)
    });
    if let Some(listed_as) = listed_as {
        return NameCheck::Invalid(Problem::NameOfOtherKind {
            hostname: host.to_owned(),
            listed_as: listed_as.to_owned(),
            wanted: if is_ip { "an IP address" } else { "a DNS name" }.to_owned(),
        });
    }
    NameCheck::Invalid(Problem::NameMismatch {
        hostname: host.to_owned(),
        names,
    })
}

/// Whether a DNS name pattern (a common name) matches `host` as OpenSSL matches it: equal
/// ignoring ASCII case, or a `*.` wildcard standing for the host's whole first label.
pub(crate) fn host_matches(pattern: &str, host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(rest), Some((label, host_rest))) => {
            !label.is_empty() && rest.contains('.') && rest.eq_ignore_ascii_case(host_rest)
        }
        _ => false,
    }
}

/// webpki's verdict in words: no error type name reaches a person.
pub(crate) fn describe(err: &webpki::Error, purpose: Purpose) -> Rejection {
    use webpki::Error as E;
    match err {
        E::CaUsedAsEndEntity => Rejection::CaUsedAsEndEntity,
        E::EndEntityUsedAsCa => Rejection::EndEntityUsedAsCa,
        E::CertExpired { .. } | E::CertNotValidYet { .. } | E::InvalidCertValidity => {
            Rejection::OutsideValidity
        }
        E::InvalidSignatureForPublicKey => Rejection::BadSignature,
        E::UnknownIssuer => Rejection::UnknownIssuer,
        E::NameConstraintViolation
        | E::MaximumNameConstraintComparisonsExceeded
        | E::MalformedNameConstraint
        | E::InvalidNetworkMaskConstraint
        | E::UnsupportedNameType => Rejection::NameConstraints,
        E::PathLenConstraintViolated => Rejection::PathLength,
        E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            Rejection::ExtendedKeyUsage { purpose }
        }
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::SignatureAlgorithmMismatch => Rejection::SignatureAlgorithm,
        E::UnsupportedCriticalExtension => Rejection::CriticalExtension,
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => Rejection::TooLong,
        E::BadDer
        | E::BadDerTime
        | E::TrailingData(_)
        | E::MalformedExtensions
        | E::ExtensionValueInvalid
        | E::UnsupportedCertVersion
        | E::InvalidSerialNumber
        | E::MalformedDnsIdentifier => Rejection::Malformed,
        E::CertRevoked | E::CertDistrusted => Rejection::Revoked,
        _ => Rejection::Other {
            detail: "the certificate path validation refused the chain for a reason this version does not name".to_owned(),
        },
    }
}
