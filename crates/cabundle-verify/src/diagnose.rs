//! `verify`: build the path by names and key identifiers, check dates and the host name here
//! (so the explanation can name the certificate and the fix), then ask webpki for the
//! cryptographic verdict (signatures, basic constraints, key usage, name constraints, EKU).

use crate::error::{Error, Result};
use crate::manifest::excluded_issuer;
use cabundle_cert::date::format_moment;
use cabundle_cert::{Certificate, GeneralName, Purpose, Sha256Fingerprint};
use cabundle_manifest::Manifest;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::collections::HashMap;
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

/// Longest path tried before giving up (leaf + intermediates + root).
const MAX_DEPTH: usize = 10;

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
    /// Path validation rejected the chain for another reason.
    Rejected(Rejection),
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
    /// The host name asked for is neither a DNS name nor an IP address.
    InvalidHostName {
        /// The host name asked for.
        hostname: String,
    },
    /// Another verdict of the path validation, as it names it.
    Other {
        /// webpki's name for the error.
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
            Rejection::InvalidHostName { hostname } => {
                write!(f, "\"{hostname}\" is not a valid host name or IP address")
            }
            Rejection::Other { detail } => write!(f, "path validation failed ({detail})"),
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
                        names.join(", ")
                    )
                }
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
    pub path: Vec<Link>,
    /// What is wrong; empty when the chain verifies.
    pub problems: Vec<Problem>,
}

impl Report {
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
/// [`Link::supplied`]. Only the certificates whose names can lie on the path are handed to
/// the signature checks, so a pool of thousands costs one lookup per step.
pub fn verify_with(
    chain: &[Certificate],
    untrusted: &[Certificate],
    store: &[Certificate],
    opts: &Options,
) -> Result<Report> {
    let leaf = chain.first().ok_or(Error::EmptyChain)?;
    let given = &chain[1..];
    let supplied: Vec<&Certificate> = untrusted
        .iter()
        .filter(|s| !chain.iter().any(|c| c.sha256 == s.sha256))
        .collect();
    let pool: Vec<&Certificate> = given.iter().chain(supplied.iter().copied()).collect();
    let store_refs: Vec<&Certificate> = store.iter().collect();
    let in_store = |c: &Certificate| store.iter().any(|s| s.sha256 == c.sha256);
    let is_anchor = |c: &Certificate| opts.partial_chain || is_self_issued(c);

    let mut path: Vec<(&Certificate, bool)> = vec![(leaf, in_store(leaf))];
    let mut problems = Vec::new();
    while let Some(&(cur, trusted)) = path.last() {
        if trusted && is_anchor(cur) {
            break;
        }
        if path.len() >= MAX_DEPTH {
            problems.push(Problem::Rejected(Rejection::NoPathWithin {
                max: MAX_DEPTH,
            }));
            break;
        }
        let used: Vec<Sha256Fingerprint> = path.iter().map(|(c, _)| c.sha256).collect();
        if let Some(next) = pick_issuer(cur, &store_refs, &used, opts.at) {
            path.push((next, true));
            continue;
        }
        let excluded = opts
            .manifest
            .as_ref()
            .and_then(|m| excluded_issuer(m, cur, is_self_issued(cur)));
        if let Some(ex) = excluded {
            problems.push(Problem::Excluded {
                subject: if is_self_issued(cur) {
                    cur.subject.clone()
                } else {
                    cur.issuer.clone()
                },
                label: ex.label.clone(),
                reason: ex.detail.clone(),
            });
            break;
        }
        if is_self_issued(cur) {
            problems.push(Problem::UntrustedRoot {
                subject: cur.subject.clone(),
                sha256: cur.sha256,
            });
            break;
        }
        if let Some(next) = pick_issuer(cur, &pool, &used, opts.at) {
            path.push((next, false));
            continue;
        }
        problems.push(if trusted {
            Problem::AnchorNotRoot {
                subject: cur.subject.clone(),
                sha256: cur.sha256,
                issuer: cur.issuer.clone(),
            }
        } else if path.len() == 1 {
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
        });
        break;
    }

    let last = path.len() - 1;
    for (i, &(cert, trusted)) in path.iter().enumerate() {
        // A lone self-issued CA certificate is a root checked on its own, not a server's.
        let lone_root = last == 0 && cert.is_ca && is_self_issued(cert);
        let role = if i == 0 && !lone_root {
            Role::Leaf
        } else if i == last && (is_self_issued(cert) || (trusted && is_anchor(cert))) {
            Role::Root
        } else {
            Role::Intermediate
        };
        if opts.at < cert.not_before {
            problems.push(Problem::NotYetValid {
                role,
                subject: cert.subject.clone(),
                sha256: cert.sha256,
                not_before: cert.not_before,
            });
        } else if opts.at > cert.not_after {
            problems.push(Problem::Expired {
                role,
                subject: cert.subject.clone(),
                sha256: cert.sha256,
                trusted,
                not_after: cert.not_after,
            });
        }
    }

    // A certificate that is itself an anchor of the store is trusted as such (as OpenSSL
    // does); webpki would reject a CA certificate used as the end entity.
    let trusted_directly = path.len() == 1 && path[0].1 && is_anchor(leaf);
    if problems.is_empty() && !trusted_directly {
        let (anchors, steps): (Vec<&Certificate>, Vec<&Certificate>) =
            store_refs.iter().partition(|c| is_anchor(c));
        let mut candidates = pool.clone();
        candidates.extend(steps);
        if let Err(err) = webpki_verdict(leaf, &on_the_way(leaf, &candidates), &anchors, opts) {
            problems.push(Problem::Rejected(describe(&err, opts.purpose)));
        }
    }
    if let (Purpose::Tls, Some(host)) = (opts.purpose, &opts.hostname)
        && let Some(problem) = check_name(leaf, host)
    {
        problems.push(problem);
    }

    let path = path
        .into_iter()
        .map(|(c, trusted)| Link {
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            sha256: c.sha256,
            not_before: c.not_before,
            not_after: c.not_after,
            trusted,
            supplied: !trusted && supplied.iter().any(|s| s.sha256 == c.sha256),
        })
        .collect();
    Ok(Report { path, problems })
}

/// The certificates of `candidates` that can be on a path up from `leaf`: those named as the
/// issuer of the leaf or of another such certificate. Path validation looks at no other
/// certificate, so handing it only these gives the same verdict without parsing the rest.
fn on_the_way<'a>(leaf: &Certificate, candidates: &[&'a Certificate]) -> Vec<&'a Certificate> {
    let mut by_subject: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        by_subject
            .entry(c.subject_der.as_slice())
            .or_default()
            .push(i);
    }
    let mut taken = vec![false; candidates.len()];
    let mut names: Vec<&[u8]> = vec![leaf.issuer_der.as_slice()];
    let mut out = Vec::new();
    while let Some(name) = names.pop() {
        for &i in by_subject.get(name).into_iter().flatten() {
            if !taken[i] {
                taken[i] = true;
                out.push(candidates[i]);
                names.push(candidates[i].issuer_der.as_slice());
            }
        }
    }
    out
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
    let anchors: Vec<_> = anchor_ders
        .iter()
        .filter_map(|d| webpki::anchor_from_trusted_cert(d).ok())
        .collect();
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

fn check_name(leaf: &Certificate, host: &str) -> Option<Problem> {
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
    let mismatch = || Problem::NameMismatch {
        hostname: host.to_owned(),
        names: names.clone(),
    };
    let Ok(server_name) = ServerName::try_from(host) else {
        return Some(Problem::Rejected(Rejection::InvalidHostName {
            hostname: host.to_owned(),
        }));
    };
    let der = CertificateDer::from(leaf.der.as_slice());
    let Ok(ee) = EndEntityCert::try_from(&der) else {
        return Some(mismatch());
    };
    ee.verify_is_valid_for_subject_name(&server_name)
        .err()
        .map(|_| mismatch())
}

fn describe(err: &webpki::Error, purpose: Purpose) -> Rejection {
    use webpki::Error as E;
    match err {
        E::CaUsedAsEndEntity => Rejection::CaUsedAsEndEntity,
        E::EndEntityUsedAsCa => Rejection::EndEntityUsedAsCa,
        E::CertExpired { .. } | E::CertNotValidYet { .. } | E::InvalidCertValidity => {
            Rejection::OutsideValidity
        }
        E::InvalidSignatureForPublicKey => Rejection::BadSignature,
        E::UnknownIssuer => Rejection::UnknownIssuer,
        E::NameConstraintViolation => Rejection::NameConstraints,
        E::PathLenConstraintViolated => Rejection::PathLength,
        E::RequiredEkuNotFoundContext(_) => Rejection::ExtendedKeyUsage { purpose },
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Rejection::SignatureAlgorithm,
        E::UnsupportedCriticalExtension => Rejection::CriticalExtension,
        E::MaximumPathDepthExceeded | E::MaximumPathBuildCallsExceeded => Rejection::TooLong,
        other => Rejection::Other {
            detail: format!("{other:?}"),
        },
    }
}
