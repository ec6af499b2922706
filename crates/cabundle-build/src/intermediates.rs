//! The intermediates a build adds for path building: those of a
//! `MozillaIntermediateCertsCSVReport` that chain, by signature, to a root this build includes
//! (directly or through other selected intermediates), are valid at the as-of date and carry
//! no extended key usage that excludes the purpose.
//!
//! They help build a path and are not meant as trust anchors. Clients on OpenSSL's
//! default verification use certificates of their CA file to build a path but still require
//! it to end at a self-signed root there, so a file of roots and these intermediates trusts
//! exactly what the roots alone trust. Clients that set OpenSSL's partial-chain flag (curl
//! with OpenSSL, Python from 3.13) and stacks that take every certificate of their store as an
//! anchor (rustls and webpki, Go, Java truststores) would trust each intermediate: [`SAFETY`]
//! says so in every output that holds them.

use std::collections::HashMap;

use rayon::prelude::*;
use std::fmt::{self, Write as _};

use cabundle_ccadb::Intermediate;
use cabundle_cert::{Certificate, ExtendedKeyUsage, Purpose, Sha256Fingerprint};
use cabundle_manifest::Source;

use crate::Error;
use crate::capath::{CapathEntry, CapathEntryKind, hash_links};
use cabundle_policy::{Decisions, PolicyOptions};

/// The warning every output holding intermediates carries, one sentence per line.
pub const SAFETY: [&str; 4] = [
    "The intermediates below help build a path to a root: each is signed by a root of this file or an intermediate below, and valid at the as-of date.",
    "Clients on OpenSSL's default verification (OpenSSL, Node, Python ssl and requests before 3.13) still require a self-signed root in this file, so the intermediates add no trust there.",
    "curl with OpenSSL (7.68 and later), Python from 3.13 and stacks that treat every certificate of their store as a trust anchor (rustls and webpki, Go, Java truststores) would trust each intermediate as if it were a root, without checking the root above it.",
    "Give those clients the roots-only bundle unless repairing servers that omit their intermediate is worth that, and rebuild this file when the roots change.",
];

/// Why an intermediate is left out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntermediateReason {
    /// basicConstraints does not say `cA`.
    NotCa,
    /// Subject and issuer are the same name (a root re-issued, or cross-signed by itself): in
    /// a CA file OpenSSL would take it as a trust anchor.
    SelfIssued,
    /// notAfter is before the as-of date.
    Expired {
        /// Its notAfter.
        not_after: time::OffsetDateTime,
    },
    /// notBefore is after the as-of date.
    NotYetValid {
        /// Its notBefore.
        not_before: time::OffsetDateTime,
    },
    /// extKeyUsage lists neither the purpose nor `anyExtendedKeyUsage`.
    EkuExcludes {
        /// The purpose of the build.
        purpose: Purpose,
    },
    /// Its issuer is a root of the report that this build leaves out.
    RootExcluded {
        /// The root's label.
        root: String,
        /// Why the root is left out.
        reason: String,
    },
    /// A root or selected intermediate of the right name may have signed it, but with an
    /// algorithm whose signature cannot be checked here (SHA-1 RSA): left out
    /// rather than taken unchecked.
    UncheckedSignature {
        /// The possible issuer's SHA-256.
        issuer: Sha256Fingerprint,
    },
    /// A root or selected intermediate has its issuer's name and key identifier, but the
    /// signature does not verify with that key (or is encoded in a way webpki refuses).
    BadSignature {
        /// The named issuer's SHA-256.
        issuer: Sha256Fingerprint,
    },
    /// No root of this build and no selected intermediate signed it.
    NoIssuer,
}

impl fmt::Display for IntermediateReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotCa => f.write_str("not a CA certificate"),
            Self::SelfIssued => f.write_str(
                "self-issued: OpenSSL would take it as a trust anchor, so it is no intermediate",
            ),
            Self::Expired { not_after } => write!(
                f,
                "expired on {} (notAfter)",
                cabundle_cert::date::format_date(not_after.date())
            ),
            Self::NotYetValid { not_before } => write!(
                f,
                "not valid until {} (notBefore)",
                cabundle_cert::date::format_date(not_before.date())
            ),
            Self::EkuExcludes { purpose } => {
                write!(f, "its extended key usage excludes {}", purpose.eku_name())
            }
            Self::RootExcluded { root, reason } => {
                write!(f, "its root \"{root}\" is excluded: {reason}")
            }
            Self::UncheckedSignature { issuer } => write!(
                f,
                "its signature by {issuer} uses an algorithm that cannot be checked here (such as SHA-1)"
            ),
            Self::BadSignature { issuer } => write!(
                f,
                "its signature does not verify with the key of {issuer}, the certificate its names point to"
            ),
            Self::NoIssuer => f.write_str("no included root or selected intermediate issued it"),
        }
    }
}

impl IntermediateReason {
    /// A short stable name of the reason, for counts (`expired`, `root-excluded`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotCa => "not-ca",
            Self::SelfIssued => "self-issued",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not-yet-valid",
            Self::EkuExcludes { .. } => "eku",
            Self::RootExcluded { .. } => "root-excluded",
            Self::UncheckedSignature { .. } => "unchecked-signature",
            Self::BadSignature { .. } => "bad-signature",
            Self::NoIssuer => "no-issuer",
        }
    }
}

/// The verdict on one intermediate.
#[derive(Clone, Debug)]
pub struct IntermediateDecision {
    /// The report's row.
    pub intermediate: Intermediate,
    /// The SHA-256 of the certificate that signed it (a root or a selected intermediate).
    pub issuer: Option<Sha256Fingerprint>,
    /// `None` when selected.
    pub excluded: Option<IntermediateReason>,
}

/// The intermediates of one build, with their outputs in memory.
#[derive(Debug)]
pub struct Intermediates {
    source: Source,
    decisions: Vec<IntermediateDecision>,
    pem: Vec<u8>,
    full_pem: Vec<u8>,
}

/// The roots side of a build, which intermediates are selected for.
#[derive(Clone, Copy, Debug)]
pub struct RootsBuilt<'a> {
    /// The policy's decisions on the roots.
    pub decisions: &'a Decisions<'a>,
    /// The policy applied.
    pub policy: &'a PolicyOptions,
    /// The roots report.
    pub source: &'a Source,
    /// The roots' PEM bundle, which the full bundle starts with.
    pub pem: &'a [u8],
}

/// Selects the intermediates of `report` (a `MozillaIntermediateCertsCSVReport`) for the roots
/// of a build (`built`): see the module documentation for the rule.
pub fn select_intermediates(
    report: &[u8],
    source_name: &str,
    built: RootsBuilt<'_>,
) -> Result<Intermediates, Error> {
    let rows = cabundle_ccadb::parse_intermediates(report).map_err(|source| Error::Report {
        source_name: source_name.to_owned(),
        source,
    })?;
    let source = Source {
        name: source_name.to_owned(),
        sha256: Sha256Fingerprint::of(report),
        size: report.len() as u64,
    };
    let policy = built.policy;
    let decisions = built.decisions;
    let roots: Vec<&Certificate> = decisions.included().map(|d| d.certificate).collect();
    let excluded_roots: Vec<(&Certificate, String, String)> = decisions
        .decisions
        .iter()
        .filter_map(|d| {
            d.excluded
                .as_ref()
                .map(|r| (d.certificate, d.label().to_owned(), r.to_string()))
        })
        .collect();

    let as_of = policy.as_of;
    let mut excluded: Vec<Option<IntermediateReason>> = rows
        .iter()
        .map(|r| first_check(&r.certificate, as_of, policy.purpose))
        .collect();
    let mut issuer: Vec<Option<Sha256Fingerprint>> = vec![None; rows.len()];

    // Signers by subject name, compared as OpenSSL does (canonical form: case and string
    // types folded): the included roots, then each intermediate once selected.
    let mut signers: HashMap<Vec<u8>, Vec<&Certificate>> = HashMap::new();
    for root in &roots {
        signers
            .entry(canonical(&root.subject_der))
            .or_default()
            .push(root);
    }
    let issuer_names: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| canonical(&r.certificate.issuer_der))
        .collect();
    // The candidates each intermediate was checked against, and the last that failed or
    // could not be checked (for its reason when none succeeds).
    let mut tried: Vec<Vec<Sha256Fingerprint>> = vec![Vec::new(); rows.len()];
    let mut unchecked: Vec<Option<Sha256Fingerprint>> = vec![None; rows.len()];
    let mut failed: Vec<Option<Sha256Fingerprint>> = vec![None; rows.len()];
    loop {
        // One round: every intermediate still without an issuer against the signers known
        // so far. The signature checks are the cost, so they run in parallel; the results
        // are applied in row order, so the outcome does not depend on the scheduling.
        let outcomes: Vec<Round> = (0..rows.len())
            .into_par_iter()
            .filter_map(|i| {
                if excluded[i].is_some() || issuer[i].is_some() {
                    return None;
                }
                let cert = &rows[i].certificate;
                let mut round = Round {
                    row: i,
                    ..Round::default()
                };
                for candidate in signers.get(&issuer_names[i])? {
                    if tried[i].contains(&candidate.sha256) {
                        continue;
                    }
                    round.tried.push(candidate.sha256);
                    if !key_ids_agree(cert, candidate) {
                        continue;
                    }
                    match cert.signature_check(candidate) {
                        Some(true) => {
                            round.signed_by = Some(candidate.sha256);
                            break;
                        }
                        Some(false) => round.failed = Some(candidate.sha256),
                        None => round.unchecked = Some(candidate.sha256),
                    }
                }
                (!round.tried.is_empty()).then_some(round)
            })
            .collect();
        let mut found = false;
        for round in outcomes {
            let i = round.row;
            tried[i].extend(round.tried);
            failed[i] = round.failed.or(failed[i]);
            unchecked[i] = round.unchecked.or(unchecked[i]);
            if let Some(by) = round.signed_by {
                found = true;
                issuer[i] = Some(by);
                let cert = &rows[i].certificate;
                signers
                    .entry(canonical(&cert.subject_der))
                    .or_default()
                    .push(cert);
            }
        }
        if !found {
            break;
        }
    }
    for (i, row) in rows.iter().enumerate() {
        if excluded[i].is_none() && issuer[i].is_none() {
            let cert = &row.certificate;
            let root = excluded_roots
                .iter()
                .find(|(root, ..)| root.subject_der == cert.issuer_der && cert.is_signed_by(root));
            excluded[i] = Some(match (root, unchecked[i], failed[i]) {
                (Some((_, label, reason)), ..) => IntermediateReason::RootExcluded {
                    root: label.clone(),
                    reason: reason.clone(),
                },
                (None, Some(issuer), _) => IntermediateReason::UncheckedSignature { issuer },
                (None, None, Some(issuer)) => IntermediateReason::BadSignature { issuer },
                (None, None, None) => IntermediateReason::NoIssuer,
            });
        }
    }

    let mut decisions: Vec<IntermediateDecision> = rows
        .into_iter()
        .zip(issuer)
        .zip(excluded)
        .map(|((intermediate, issuer), excluded)| IntermediateDecision {
            intermediate,
            issuer: issuer.filter(|_| excluded.is_none()),
            excluded,
        })
        .collect();
    decisions.sort_by_key(|d| d.intermediate.sha256);

    let header = header(
        &source,
        built,
        decisions.iter().filter(|d| d.excluded.is_none()).count(),
    );
    let mut body = String::new();
    for d in decisions.iter().filter(|d| d.excluded.is_none()) {
        body.push('\n');
        body.push_str(&comment_block(&d.intermediate));
        body.push_str(&d.intermediate.certificate.to_pem());
    }
    let pem = format!("{header}{body}").into_bytes();
    let mut full_pem = header.into_bytes();
    full_pem.push(b'\n');
    full_pem.extend_from_slice(built.pem);
    full_pem.extend_from_slice(body.as_bytes());
    Ok(Intermediates {
        source,
        decisions,
        pem,
        full_pem,
    })
}

/// What one round of [`select_intermediates`] found for one intermediate.
#[derive(Default)]
struct Round {
    /// Its row.
    row: usize,
    /// The candidates looked at this round.
    tried: Vec<Sha256Fingerprint>,
    /// The candidate whose signature verified.
    signed_by: Option<Sha256Fingerprint>,
    /// The last candidate whose signature did not verify.
    failed: Option<Sha256Fingerprint>,
    /// The last candidate whose signature could not be checked.
    unchecked: Option<Sha256Fingerprint>,
}

/// The checks that need no issuer: CA, validity at the as-of date, extended key usage.
fn first_check(
    cert: &Certificate,
    as_of: time::Date,
    purpose: Purpose,
) -> Option<IntermediateReason> {
    if !cert.is_ca {
        return Some(IntermediateReason::NotCa);
    }
    if cert.is_self_issued() {
        return Some(IntermediateReason::SelfIssued);
    }
    if cert.not_after.date() < as_of {
        return Some(IntermediateReason::Expired {
            not_after: cert.not_after,
        });
    }
    if cert.not_before.date() > as_of {
        return Some(IntermediateReason::NotYetValid {
            not_before: cert.not_before,
        });
    }
    if let Some(ekus) = &cert.extended_key_usage {
        let wanted = match purpose {
            Purpose::Tls => ExtendedKeyUsage::ServerAuth,
            Purpose::Email => ExtendedKeyUsage::EmailProtection,
        };
        if !ekus
            .iter()
            .any(|e| *e == wanted || *e == ExtendedKeyUsage::Any)
        {
            return Some(IntermediateReason::EkuExcludes { purpose });
        }
    }
    None
}

/// A name's canonical encoding (what OpenSSL compares), or its DER when it has none.
fn canonical(name_der: &[u8]) -> Vec<u8> {
    cabundle_cert::canonical_name(name_der).unwrap_or_else(|_| name_der.to_vec())
}

/// When both key identifiers are present they must be equal; a cheap filter before the
/// signature check, which decides.
fn key_ids_agree(cert: &Certificate, issuer: &Certificate) -> bool {
    match (&cert.authority_key_id, &issuer.subject_key_id) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    }
}

fn header(source: &Source, built: RootsBuilt<'_>, count: usize) -> String {
    let policy = built.policy;
    let mut out = String::from("##\n");
    let mut h = |text: &str| {
        let _ = writeln!(out, "## {text}");
    };
    h(&format!(
        "Intermediate CA certificates for {}, chaining to the roots of {}",
        policy.purpose.name(),
        built.source.name
    ));
    h(&format!("Intermediates source: {}", source.name));
    h(&format!("Intermediates source SHA-256: {}", source.sha256));
    h(&format!("As of: {}", policy.as_of));
    h(&format!("Intermediates: {count}"));
    out.push_str("##\n");
    let mut h = |text: &str| {
        let _ = writeln!(out, "## {text}");
    };
    for line in SAFETY {
        h(line);
    }
    out.push_str("##\n");
    out
}

fn comment_block(i: &Intermediate) -> String {
    let c = &i.certificate;
    format!(
        "# Issuer: {}\n# Subject: {}\n# Not After: {}\n# SHA256 Fingerprint: {}\n",
        c.issuer,
        c.subject,
        cabundle_cert::date::format_moment(c.not_after),
        c.sha256
    )
}

impl Intermediates {
    /// One decision per row of the report, sorted by SHA-256.
    pub fn decisions(&self) -> &[IntermediateDecision] {
        &self.decisions
    }

    /// The selected intermediates, sorted by SHA-256.
    pub fn selected(&self) -> impl Iterator<Item = &Certificate> {
        self.decisions
            .iter()
            .filter(|d| d.excluded.is_none())
            .map(|d| &d.intermediate.certificate)
    }

    /// The report's name, SHA-256 and size.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The intermediates alone, as PEM with a comment block each.
    pub fn pem(&self) -> &[u8] {
        &self.pem
    }

    /// The roots bundle of the build followed by the intermediates.
    pub fn full_pem(&self) -> &[u8] {
        &self.full_pem
    }

    /// Counts of left-out intermediates by [`IntermediateReason::kind`], sorted by kind.
    pub fn excluded_by_kind(&self) -> Vec<(&'static str, usize)> {
        let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for d in &self.decisions {
            if let Some(r) = &d.excluded {
                *counts.entry(r.kind()).or_default() += 1;
            }
        }
        counts.into_iter().collect()
    }

    /// The manifest's intermediates section; `pem` and `full_pem` say which of those files are
    /// written.
    pub fn manifest_section(&self, pem: bool, full_pem: bool) -> cabundle_manifest::Intermediates {
        let digest = |bytes: &[u8]| cabundle_manifest::Digest {
            sha256: Sha256Fingerprint::of(bytes),
            size: bytes.len() as u64,
        };
        cabundle_manifest::Intermediates {
            source: self.source.clone(),
            pem: pem.then(|| digest(&self.pem)),
            full_pem: full_pem.then(|| digest(&self.full_pem)),
            included: self
                .decisions
                .iter()
                .filter(|d| d.excluded.is_none())
                .filter_map(|d| {
                    Some(cabundle_manifest::IncludedIntermediate {
                        sha256: d.intermediate.sha256,
                        subject: d.intermediate.certificate.subject.clone(),
                        issuer_sha256: d.issuer?,
                    })
                })
                .collect(),
            excluded: self
                .decisions
                .iter()
                .filter_map(|d| {
                    d.excluded.as_ref().map(|r| cabundle_manifest::Excluded {
                        sha256: d.intermediate.sha256,
                        label: d.intermediate.certificate.subject.clone(),
                        reason: r.kind().to_owned(),
                        detail: r.to_string(),
                    })
                })
                .collect(),
        }
    }

    /// The roots' hashed directory `roots` with the intermediates added, and the hash links of
    /// both (OpenSSL looks issuers up in the directory too).
    pub fn capath_with(&self, roots: &[CapathEntry]) -> Vec<CapathEntry> {
        let mut files: Vec<CapathEntry> = roots
            .iter()
            .filter(|e| matches!(e.kind, CapathEntryKind::File(_)))
            .cloned()
            .collect();
        for d in self.decisions.iter().filter(|d| d.excluded.is_none()) {
            let c = &d.intermediate.certificate;
            let sha = c.sha256.to_string();
            let mut bytes = comment_block(&d.intermediate).into_bytes();
            bytes.extend_from_slice(c.to_pem().as_bytes());
            files.push(CapathEntry {
                name: format!("intermediate-{}.pem", &sha[..16]),
                kind: CapathEntryKind::File(bytes),
            });
        }
        let links = hash_links(&files);
        files.extend(links);
        files.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        files
    }
}
