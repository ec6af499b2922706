//! Which roots to trust for a purpose at a date, with a reason for every exclusion.
//!
//! Pure: [`decide`] takes the roots of a parsed report, the certificates added by the user and
//! the [`PolicyOptions`] (the as-of date among them: this crate never reads the clock), and
//! returns one [`Decision`] per certificate, sorted by SHA-256, plus the [`Warning`]s a user
//! should see.
//!
//! A root from the report is included for a purpose when all of these hold, checked in this
//! order (the first rule that fails is the [`Reason`] given):
//!
//! 1. its SHA-256 is not in [`PolicyOptions::excludes`];
//! 2. its trust bits hold no value this crate does not know (an unknown value is never guessed);
//! 3. its trust bits name the purpose (`Websites` for TLS, `Email` for S/MIME);
//! 4. its distrust-after date for the purpose, if any, plus the grace period, is not before the
//!    as-of date (certificates issued before the distrust date may live that long);
//! 5. its notAfter is not before the as-of date at 00:00 UTC, unless expired roots are kept.
//!
//! Added certificates (`--add`) are trusted by the user's choice: only rule 1 applies to them.
//!
//! A root from the Chrome Root Store (it carries a `ChromeTrust`) is trusted for TLS only, an
//! `additional_certs` entry is not a root, and its distrust-after date comes from its constraint
//! sets: see [`chrome`].
//!
//! Architecture Invariant: no decision depends on anything but the inputs; the same inputs give
//! the same decisions in the same order.
//!
//! ```
//! use cabundle_policy::{PolicyOptions, Purpose, decide};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = rcgen::KeyPair::generate()?;
//! # let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
//! # params.distinguished_name.push(rcgen::DnType::CommonName, "Example Root CA");
//! # params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
//! # let pem = params.self_signed(&key)?.pem();
//! # let cert = cabundle_cert::read_certificates(pem.as_bytes())?;
//! # let sha256 = cert.first().ok_or("no certificate")?.sha256;
//! # let csv = format!(
//! #     "Owner,Common Name or Certificate Name,Certificate Serial Number,SHA-256 Fingerprint,\
//! #      Trust Bits,Distrust for TLS After Date,Distrust for S/MIME After Date,\
//! #      Mozilla Applied Constraints,PEM Info\n\
//! #      Example,Example Root CA,01,{sha256},Websites,,,,\"'{pem}'\"\n"
//! # );
//! // `csv` is a one-row report: a root trusted for websites, valid until 4096.
//! let report = cabundle_ccadb::parse_report(csv.as_bytes())?;
//! let as_of = cabundle_cert::date::parse_date("2026-07-01")?;
//!
//! let tls = decide(&report.roots, &[], &PolicyOptions::new(Purpose::Tls, as_of));
//! assert_eq!(tls.included().count(), 1);
//! let email = decide(&report.roots, &[], &PolicyOptions::new(Purpose::Email, as_of));
//! for (decision, reason) in email.excluded() {
//!     println!("{}: {reason}", decision.label());
//! }
//! # Ok(())
//! # }
//! ```

pub mod chrome;

use cabundle_ccadb::{Date, Root, TrustBits, trust_bit_name};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What the roots are trusted for: the one definition, from `cabundle-cert`, re-exported so
/// policy users need not name that crate.
pub use cabundle_cert::Purpose;

/// The longest leaf-certificate lifetime the CA/Browser Forum baseline requirements allow
/// (398 days): a leaf issued the day before a distrust date may be in use that long after it.
pub const DEFAULT_DISTRUST_GRACE_DAYS: u32 = 398;

/// The policy's inputs besides the certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyOptions {
    /// What the roots are trusted for.
    pub purpose: Purpose,
    /// The date the decisions are made for (the caller reads the clock, if it wants today).
    pub as_of: Date,
    /// Days added to a distrust-after date before the root is left out.
    pub distrust_grace_days: u32,
    /// Keep roots whose notAfter is before the as-of date.
    pub include_expired: bool,
    /// Certificates to leave out whatever else holds, each with its reason. When one
    /// fingerprint is listed twice, the first reason is kept.
    pub excludes: Vec<Exclusion>,
}

/// A certificate left out by hand, with the reason a reader of the outputs sees.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Exclusion {
    /// The certificate's SHA-256.
    pub sha256: Sha256Fingerprint,
    /// Why it is left out, in the words of whoever excluded it.
    pub reason: String,
}

impl PolicyOptions {
    /// TLS at `as_of`, with the default grace period, nothing excluded.
    pub fn new(purpose: Purpose, as_of: Date) -> Self {
        PolicyOptions {
            purpose,
            as_of,
            distrust_grace_days: DEFAULT_DISTRUST_GRACE_DAYS,
            include_expired: false,
            excludes: Vec::new(),
        }
    }
}

/// Why a certificate was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// It was excluded by hand ([`PolicyOptions::excludes`]).
    Excluded {
        /// The reason given with the exclusion.
        reason: String,
    },
    /// Its trust bits hold values this policy does not know.
    UnknownTrustBits {
        /// The values, as written in the report.
        values: Vec<String>,
    },
    /// Its trust bits do not name the purpose.
    NotTrustedForPurpose {
        /// The purpose asked for.
        purpose: Purpose,
        /// The trust bits it has, as written (e.g. `Email`, `All Trust Bits Turned Off`, `none`).
        trust_bits: String,
    },
    /// It is distrusted for the purpose and the grace period has ended.
    Distrusted {
        /// The purpose.
        purpose: Purpose,
        /// The distrust-after date from the report.
        after: Date,
        /// The grace period, in days.
        grace_days: u32,
        /// `after` plus the grace period.
        grace_end: Date,
    },
    /// It is on the Chrome Root Store's `additional_certs` list, not a root.
    NotAnAnchor {
        /// What the entry is for, in words.
        what: String,
    },
    /// It has Chrome constraint sets, and none of them applies to the latest Chrome.
    NoConstraintSetApplies {
        /// Why, in words.
        why: String,
    },
    /// Its notAfter is before the as-of date.
    Expired {
        /// notAfter.
        not_after: time::OffsetDateTime,
    },
}

impl Reason {
    /// A short stable name for the kind of reason (`excluded`, `unknown-trust-bits`,
    /// `not-trusted-for-purpose`, `distrusted`, `not-an-anchor`, `no-constraint-set-applies`,
    /// `expired`), used in manifests and summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::Excluded { .. } => "excluded",
            Reason::UnknownTrustBits { .. } => "unknown-trust-bits",
            Reason::NotTrustedForPurpose { .. } => "not-trusted-for-purpose",
            Reason::Distrusted { .. } => "distrusted",
            Reason::NotAnAnchor { .. } => "not-an-anchor",
            Reason::NoConstraintSetApplies { .. } => "no-constraint-set-applies",
            Reason::Expired { .. } => "expired",
        }
    }
}

impl fmt::Display for Reason {
    /// One line: what it quotes from the data (labels, subjects, trust-bit values, reasons
    /// written by hand) is escaped for a terminal (`cabundle_cert::text::escape`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = RawText(self).to_string();
        f.write_str(&cabundle_cert::text::escape(&text))
    }
}

impl fmt::Display for RawText<'_, Reason> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = self.0;
        match this {
            Reason::Excluded { reason } => write!(f, "excluded: {reason}"),
            Reason::UnknownTrustBits { values } => {
                write!(f, "unknown trust bits: {}", values.join(", "))
            }
            Reason::NotTrustedForPurpose {
                purpose,
                trust_bits,
            } => write!(
                f,
                "not trusted for {} (trust bits: {trust_bits})",
                purpose.name()
            ),
            Reason::Distrusted {
                purpose,
                after,
                grace_days,
                grace_end,
            } => write!(
                f,
                "distrusted for {} after {after} (+{grace_days} days grace ended {grace_end})",
                purpose.name()
            ),
            Reason::NotAnAnchor { what } => write!(f, "not a trust anchor: {what}"),
            Reason::NoConstraintSetApplies { why } => {
                write!(f, "no constraint set applies to the latest Chrome: {why}")
            }
            Reason::Expired { not_after } => {
                write!(f, "expired on {}", not_after.date())
            }
        }
    }
}

/// A value's text before escaping: its `Display` writes the data as it is.
struct RawText<'a, T>(&'a T);

/// Where a certificate came from.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    /// A root of the report.
    Report(&'a Root),
    /// A certificate given with `--add`.
    Added,
}

/// The verdict on one certificate.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    /// The certificate.
    pub certificate: &'a Certificate,
    /// Where it came from.
    pub origin: Origin<'a>,
    /// `None` when included; the reason when left out.
    pub excluded: Option<Reason>,
}

impl<'a> Decision<'a> {
    /// Whether the certificate is in the outputs.
    pub fn is_included(&self) -> bool {
        self.excluded.is_none()
    }

    /// The certificate's SHA-256.
    pub fn sha256(&self) -> Sha256Fingerprint {
        self.certificate.sha256
    }

    /// The report's row, when it came from the report.
    pub fn root(&self) -> Option<&'a Root> {
        match self.origin {
            Origin::Report(root) => Some(root),
            Origin::Added => None,
        }
    }

    /// The report's label, or the subject for added certificates.
    pub fn label(&self) -> &'a str {
        match self.origin {
            Origin::Report(root) => &root.label,
            Origin::Added => &self.certificate.subject,
        }
    }
}

/// Something the user should know that does not stop the build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// An exclusion matched no certificate.
    ExcludeMatchedNothing {
        /// The fingerprint.
        sha256: Sha256Fingerprint,
    },
    /// An included root carries constraints Mozilla applies beyond its certificate
    /// (`Mozilla Applied Constraints`, e.g. `*.tr`), which a bundle cannot express: clients
    /// of the bundle trust it without them.
    AppliedConstraints {
        /// The report's row.
        row: usize,
        /// The root's label.
        label: String,
        /// The root's SHA-256.
        sha256: Sha256Fingerprint,
        /// The constraints, as the report writes them.
        constraints: String,
    },
    /// A root has a distrust-after date for the purpose but its trust bits do not grant the
    /// purpose: it is left out as not trusted, where NSS's certdata.txt may still trust it
    /// until the distrust date (ePKI in the 2025 and 2026 reports).
    DistrustWithoutTrustBit {
        /// The report's row.
        row: usize,
        /// The root's label.
        label: String,
        /// The root's SHA-256.
        sha256: Sha256Fingerprint,
        /// The purpose.
        purpose: Purpose,
        /// The distrust-after date.
        after: Date,
    },
    /// A root had trust-bit values this policy does not know, and was left out.
    UnknownTrustBits {
        /// The root's label.
        label: String,
        /// The root's SHA-256.
        sha256: Sha256Fingerprint,
        /// The values.
        values: Vec<String>,
    },
    /// An added certificate is also a root of the report; it is listed once.
    AddedAlreadyInReport {
        /// The certificate's SHA-256.
        sha256: Sha256Fingerprint,
        /// The report's label for it.
        label: String,
    },
    /// An added certificate has expired (it is kept: it was asked for).
    AddedExpired {
        /// The certificate's SHA-256.
        sha256: Sha256Fingerprint,
        /// Its subject.
        subject: String,
        /// notAfter.
        not_after: time::OffsetDateTime,
    },
}

impl fmt::Display for Warning {
    /// One line: what it quotes from the data (labels, subjects, trust-bit values, reasons
    /// written by hand) is escaped for a terminal (`cabundle_cert::text::escape`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = RawText(self).to_string();
        f.write_str(&cabundle_cert::text::escape(&text))
    }
}

impl fmt::Display for RawText<'_, Warning> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = self.0;
        match this {
            Warning::ExcludeMatchedNothing { sha256 } => {
                write!(f, "the exclusion of {sha256} matches no certificate")
            }
            Warning::AppliedConstraints {
                row,
                label,
                sha256,
                constraints,
            } => write!(
                f,
                "row {row}: \"{label}\" ({sha256}) is constrained by Mozilla to \"{constraints}\" (Mozilla Applied Constraints); a bundle cannot carry that, so its clients trust the root without it"
            ),
            Warning::DistrustWithoutTrustBit {
                row,
                label,
                sha256,
                purpose,
                after,
            } => write!(
                f,
                "row {row}: \"{label}\" ({sha256}) is distrusted for {} after {after} but its trust bits lack {}; it is left out as not trusted for {}, though certdata.txt may trust it until that date",
                purpose.name(),
                trust_bit_name(*purpose),
                purpose.name()
            ),
            Warning::UnknownTrustBits {
                label,
                sha256,
                values,
            } => write!(
                f,
                "\"{label}\" ({sha256}) has unknown trust bits ({}); it is left out",
                values.join(", ")
            ),
            Warning::AddedAlreadyInReport { sha256, label } => write!(
                f,
                "an added certificate is already in the report as \"{label}\" ({sha256})"
            ),
            Warning::AddedExpired {
                sha256,
                subject,
                not_after,
            } => write!(
                f,
                "added certificate \"{subject}\" ({sha256}) expired on {}; it is kept",
                not_after.date()
            ),
        }
    }
}

/// All decisions of one policy run.
#[derive(Clone, Debug)]
pub struct Decisions<'a> {
    /// One per distinct certificate, sorted by SHA-256.
    pub decisions: Vec<Decision<'a>>,
    /// Warnings, in a stable order.
    pub warnings: Vec<Warning>,
}

impl<'a> Decisions<'a> {
    /// The included certificates, sorted by SHA-256.
    pub fn included(&self) -> impl Iterator<Item = &Decision<'a>> {
        self.decisions.iter().filter(|d| d.is_included())
    }

    /// The excluded certificates with their reasons, sorted by SHA-256.
    pub fn excluded(&self) -> impl Iterator<Item = (&Decision<'a>, &Reason)> {
        self.decisions
            .iter()
            .filter_map(|d| d.excluded.as_ref().map(|r| (d, r)))
    }

    /// How many certificates were left out for each kind of reason, sorted by kind.
    pub fn excluded_by_kind(&self) -> Vec<(&'static str, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for (_, reason) in self.excluded() {
            *counts.entry(reason.kind()).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }
}

/// Decides, for every root of the report and every added certificate, whether it is trusted.
/// See the crate documentation for the rules.
pub fn decide<'a>(
    roots: &'a [Root],
    added: &'a [Certificate],
    options: &PolicyOptions,
) -> Decisions<'a> {
    judge(roots, added, options).view(roots, added)
}

/// Where a decided certificate stands in the inputs of [`judge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Position {
    /// The root at this index of the report's roots.
    Report(usize),
    /// The certificate at this index of the added ones.
    Added(usize),
}

/// The verdicts of one policy run, owning all they hold: what [`decide`] says, kept by the
/// position of each certificate in the inputs, so that a build can keep them beside its
/// report and show them again ([`Verdicts::view`]) without deciding again.
#[derive(Clone, Debug, Default)]
pub struct Verdicts {
    /// One per distinct certificate, sorted by SHA-256.
    entries: Vec<(Position, Option<Reason>)>,
    /// Warnings, in a stable order.
    warnings: Vec<Warning>,
}

impl Verdicts {
    /// The decisions over the same `roots` and `added` the verdicts were made for. A
    /// position those slices do not have (other inputs) is skipped.
    pub fn view<'a>(&self, roots: &'a [Root], added: &'a [Certificate]) -> Decisions<'a> {
        let decisions = self
            .entries
            .iter()
            .filter_map(|(position, excluded)| {
                let (certificate, origin) = match *position {
                    Position::Report(i) => {
                        let root = roots.get(i)?;
                        (&root.certificate, Origin::Report(root))
                    }
                    Position::Added(i) => (added.get(i)?, Origin::Added),
                };
                Some(Decision {
                    certificate,
                    origin,
                    excluded: excluded.clone(),
                })
            })
            .collect();
        Decisions {
            decisions,
            warnings: self.warnings.clone(),
        }
    }

    /// The warnings of the run.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Decides as [`decide`] does, and keeps the verdicts by position ([`Verdicts`]).
pub fn judge(roots: &[Root], added: &[Certificate], options: &PolicyOptions) -> Verdicts {
    let mut excludes: BTreeMap<Sha256Fingerprint, &str> = BTreeMap::new();
    for exclusion in &options.excludes {
        excludes
            .entry(exclusion.sha256)
            .or_insert(exclusion.reason.as_str());
    }
    let mut matched = BTreeSet::new();
    let mut warnings = Vec::new();
    let mut decisions: Vec<(Sha256Fingerprint, Position, Option<Reason>)> =
        Vec::with_capacity(roots.len() + added.len());

    for (index, root) in roots.iter().enumerate() {
        let excluded = judge_root(root, options, &excludes);
        if excludes.contains_key(&root.sha256) {
            matched.insert(root.sha256);
        }
        match &excluded {
            Some(Reason::UnknownTrustBits { values }) => {
                warnings.push(Warning::UnknownTrustBits {
                    label: root.label.clone(),
                    sha256: root.sha256,
                    values: values.clone(),
                });
            }
            Some(Reason::NotTrustedForPurpose { purpose, .. }) => {
                if let Some(after) = root.distrust_after(*purpose) {
                    warnings.push(Warning::DistrustWithoutTrustBit {
                        row: root.row,
                        label: root.label.clone(),
                        sha256: root.sha256,
                        purpose: *purpose,
                        after,
                    });
                }
            }
            None => {
                if let Some(constraints) = root.applied_constraints() {
                    warnings.push(Warning::AppliedConstraints {
                        row: root.row,
                        label: root.label.clone(),
                        sha256: root.sha256,
                        constraints: constraints.to_owned(),
                    });
                }
            }
            Some(_) => {}
        }
        decisions.push((root.certificate.sha256, Position::Report(index), excluded));
    }

    let as_of_midnight = options.as_of.midnight().assume_utc();
    let mut added_seen = BTreeSet::new();
    for (index, cert) in added.iter().enumerate() {
        if !added_seen.insert(cert.sha256) {
            continue;
        }
        if let Some(root) = roots.iter().find(|r| r.sha256 == cert.sha256) {
            warnings.push(Warning::AddedAlreadyInReport {
                sha256: cert.sha256,
                label: root.label.clone(),
            });
            continue;
        }
        let excluded = if let Some(reason) = excludes.get(&cert.sha256) {
            matched.insert(cert.sha256);
            Some(Reason::Excluded {
                reason: (*reason).to_owned(),
            })
        } else {
            if cert.not_after < as_of_midnight {
                warnings.push(Warning::AddedExpired {
                    sha256: cert.sha256,
                    subject: cert.subject.clone(),
                    not_after: cert.not_after,
                });
            }
            None
        };
        decisions.push((cert.sha256, Position::Added(index), excluded));
    }

    for sha256 in excludes.keys().filter(|fp| !matched.contains(*fp)) {
        warnings.push(Warning::ExcludeMatchedNothing { sha256: *sha256 });
    }
    // A stable sort: a certificate twice in the report keeps the report's order.
    decisions.sort_by_key(|d| d.0);
    Verdicts {
        entries: decisions
            .into_iter()
            .map(|(_, position, excluded)| (position, excluded))
            .collect(),
        warnings,
    }
}

/// The rules for one root of the report: `None` when it is trusted.
fn judge_root(
    root: &Root,
    options: &PolicyOptions,
    excludes: &BTreeMap<Sha256Fingerprint, &str>,
) -> Option<Reason> {
    let purpose = options.purpose;
    if let Some(reason) = excludes.get(&root.sha256) {
        return Some(Reason::Excluded {
            reason: (*reason).to_owned(),
        });
    }
    if !root.unknown_trust_bits.is_empty() {
        return Some(Reason::UnknownTrustBits {
            values: root.unknown_trust_bits.clone(),
        });
    }
    if let Some(trust) = &root.chrome
        && let Some(reason) = chrome::not_an_anchor(trust)
    {
        return Some(reason);
    }
    if !root.trust_bits.grants(purpose) {
        return Some(Reason::NotTrustedForPurpose {
            purpose,
            trust_bits: trust_bits_text(&root.trust_bits),
        });
    }
    let distrust_after = match &root.chrome {
        Some(trust) => match chrome::distrust_after(&trust.anchor) {
            Ok(after) => after,
            Err(reason) => return Some(reason),
        },
        None => root.distrust_after(purpose),
    };
    if let Some(after) = distrust_after {
        let grace_end = after
            .checked_add(time::Duration::days(i64::from(options.distrust_grace_days)))
            .unwrap_or(Date::MAX);
        if grace_end < options.as_of {
            return Some(Reason::Distrusted {
                purpose,
                after,
                grace_days: options.distrust_grace_days,
                grace_end,
            });
        }
    }
    let not_after = root.certificate.not_after;
    if !options.include_expired && not_after < options.as_of.midnight().assume_utc() {
        return Some(Reason::Expired { not_after });
    }
    None
}

/// Trust bits as the report writes them (`Websites;Email`), or `none`.
pub fn trust_bits_text(bits: &TrustBits) -> String {
    let names = bits.names();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(";")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// A real certificate for "CN=Root n", with the fingerprint `[n; 32]` and `not_after`.
    fn cert(n: u8, not_after: time::OffsetDateTime) -> Certificate {
        use cabundle_testkit::der::{StringType, name_simple, oid, string};
        let name = name_simple(&[(oid::CN, string(StringType::Utf8, &format!("Root {n}")))]);
        let mut cert = Certificate::from_der(&cabundle_testkit::cert_with_subject(&name))
            .expect("certificate");
        cert.sha256 = Sha256Fingerprint([n; 32]);
        cert.sha1 = cabundle_cert::Sha1Fingerprint([n; 20]);
        cert.not_before = datetime!(2000-01-01 0:00 UTC);
        cert.not_after = not_after;
        cert
    }

    /// A root from a compact description.
    struct Spec {
        bits: &'static str,
        tls: Option<Date>,
        smime: Option<Date>,
        not_after: time::OffsetDateTime,
        constraints: &'static str,
    }

    fn root(n: u8, spec: &Spec) -> Root {
        let mut trust_bits = TrustBits::default();
        let mut unknown = Vec::new();
        for part in spec.bits.split(';').filter(|p| !p.is_empty()) {
            match part {
                "Websites" => trust_bits.websites = true,
                "Email" => trust_bits.email = true,
                "Code" => trust_bits.code = true,
                "All Trust Bits Turned Off" => trust_bits.all_off = true,
                other => unknown.push(other.to_owned()),
            }
        }
        Root {
            row: usize::from(n),
            owner: "Owner".into(),
            label: format!("Root {n}"),
            issuer_org: String::new(),
            serial: format!("{n:02X}"),
            sha256: Sha256Fingerprint([n; 32]),
            valid_from: None,
            valid_to: Some(spec.not_after.date()),
            trust_bits,
            unknown_trust_bits: unknown,
            tls_distrust_after: spec.tls,
            smime_distrust_after: spec.smime,
            mozilla_applied_constraints: spec.constraints.to_owned(),
            chrome: None,
            certificate: cert(n, spec.not_after),
        }
    }

    const FAR: time::OffsetDateTime = datetime!(2040-01-01 0:00 UTC);

    /// Decides one root and compares the reason's text (`""` for included).
    fn check(spec: Spec, options: &PolicyOptions, expected: &str) {
        let roots = [root(1, &spec)];
        let d = decide(&roots, &[], options);
        let got = d.decisions[0]
            .excluded
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert_eq!(got, expected, "bits {:?}", spec.bits);
    }

    fn spec(bits: &'static str) -> Spec {
        Spec {
            bits,
            tls: None,
            smime: None,
            not_after: FAR,
            constraints: "",
        }
    }

    #[test]
    fn rules() {
        let tls = PolicyOptions::new(Purpose::Tls, date!(2026 - 11 - 23));
        let email = PolicyOptions::new(Purpose::Email, date!(2026 - 11 - 23));
        check(spec("Websites"), &tls, "");
        check(spec("Websites;Email"), &tls, "");
        check(spec("Websites;Email"), &email, "");
        check(
            spec("Email"),
            &tls,
            "not trusted for TLS (trust bits: Email)",
        );
        check(
            spec("Websites"),
            &email,
            "not trusted for S/MIME (trust bits: Websites)",
        );
        check(
            spec("All Trust Bits Turned Off"),
            &tls,
            "not trusted for TLS (trust bits: All Trust Bits Turned Off)",
        );
        check(spec(""), &tls, "not trusted for TLS (trust bits: none)");
        check(
            spec("Websites;Client Auth"),
            &tls,
            "unknown trust bits: Client Auth",
        );

        // The distrust date plus 398 days is 2026-01-02: left out on 2026-01-03, kept on the day.
        let distrusted = |bits| Spec {
            tls: Some(date!(2024 - 11 - 30)),
            ..spec(bits)
        };
        check(
            distrusted("Websites"),
            &tls,
            "distrusted for TLS after 2024-11-30 (+398 days grace ended 2026-01-02)",
        );
        check(
            distrusted("Websites"),
            &PolicyOptions::new(Purpose::Tls, date!(2026 - 01 - 02)),
            "",
        );
        check(
            distrusted("Websites"),
            &PolicyOptions::new(Purpose::Tls, date!(2026 - 01 - 03)),
            "distrusted for TLS after 2024-11-30 (+398 days grace ended 2026-01-02)",
        );
        let no_grace = PolicyOptions {
            distrust_grace_days: 0,
            ..PolicyOptions::new(Purpose::Tls, date!(2024 - 12 - 01))
        };
        check(
            distrusted("Websites"),
            &no_grace,
            "distrusted for TLS after 2024-11-30 (+0 days grace ended 2024-11-30)",
        );
        // A TLS distrust date does not touch S/MIME.
        check(distrusted("Websites;Email"), &email, "");
        let smime = Spec {
            smime: Some(date!(2020 - 01 - 01)),
            ..spec("Websites;Email")
        };
        check(
            smime,
            &email,
            "distrusted for S/MIME after 2020-01-01 (+398 days grace ended 2021-02-02)",
        );

        // notAfter against the as-of date at 00:00 UTC.
        let expiring = |not_after| Spec {
            not_after,
            ..spec("Websites")
        };
        check(expiring(datetime!(2026-11-23 0:00 UTC)), &tls, "");
        check(
            expiring(datetime!(2026-11-22 23:59:59 UTC)),
            &tls,
            "expired on 2026-11-22",
        );
        let keep = PolicyOptions {
            include_expired: true,
            ..tls.clone()
        };
        check(expiring(datetime!(2020-01-01 0:00 UTC)), &keep, "");
    }

    #[test]
    fn excludes_adds_and_order() {
        let roots = [
            root(3, &spec("Websites")),
            root(1, &spec("Websites")),
            root(2, &spec("Email")),
        ];
        let added = [
            cert(9, FAR),
            cert(1, FAR),
            cert(8, datetime!(2001-01-01 0:00 UTC)),
        ];
        let options = PolicyOptions {
            excludes: vec![
                Exclusion {
                    sha256: Sha256Fingerprint([3; 32]),
                    reason: "compromised".into(),
                },
                Exclusion {
                    sha256: Sha256Fingerprint([7; 32]),
                    reason: "not in the report".into(),
                },
                Exclusion {
                    sha256: Sha256Fingerprint([3; 32]),
                    reason: "the second reason is ignored".into(),
                },
            ],
            ..PolicyOptions::new(Purpose::Tls, date!(2026 - 11 - 23))
        };
        let d = decide(&roots, &added, &options);
        let got: Vec<(u8, Option<&str>)> = d
            .decisions
            .iter()
            .map(|d| (d.sha256().0[0], d.excluded.as_ref().map(Reason::kind)))
            .collect();
        assert_eq!(
            got,
            [
                (1, None),
                (2, Some("not-trusted-for-purpose")),
                (3, Some("excluded")),
                (8, None),
                (9, None)
            ]
        );
        assert!(matches!(d.decisions[4].origin, Origin::Added));
        let warnings: Vec<String> = d.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0].starts_with("an added certificate is already in the report as \"Root 1\"")
        );
        assert!(warnings[1].contains("expired on 2001-01-01; it is kept"));
        assert!(warnings[2].starts_with("the exclusion of 0707"));
        assert_eq!(
            d.decisions[2].excluded.as_ref().map(ToString::to_string),
            Some("excluded: compromised".to_owned())
        );
        assert_eq!(
            d.excluded_by_kind(),
            [("excluded", 1), ("not-trusted-for-purpose", 1)]
        );
    }

    /// The warnings of one root, as text.
    fn warnings_of(spec: &Spec, options: &PolicyOptions) -> Vec<String> {
        let roots = [root(1, spec)];
        let d = decide(&roots, &[], options);
        d.warnings.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn warnings_name_the_row() {
        let tls = PolicyOptions::new(Purpose::Tls, date!(2026 - 07 - 01));
        let email = PolicyOptions::new(Purpose::Email, date!(2026 - 07 - 01));
        let fp = "01".repeat(32);

        // ePKI in the 2026 reports: a TLS distrust date, trust bits `Email` only.
        let epki = Spec {
            tls: Some(date!(2025 - 04 - 15)),
            ..spec("Email")
        };
        assert_eq!(
            warnings_of(&epki, &tls),
            [format!(
                "row 1: \"Root 1\" ({fp}) is distrusted for TLS after 2025-04-15 but its trust bits lack Websites; it is left out as not trusted for TLS, though certdata.txt may trust it until that date"
            )]
        );
        assert!(warnings_of(&epki, &email).is_empty());
        // A distrust date with the trust bit is the ordinary case: no warning.
        let ordinary = Spec {
            tls: Some(date!(2025 - 04 - 15)),
            ..spec("Websites")
        };
        assert!(warnings_of(&ordinary, &tls).is_empty());

        // TUBITAK: constrained to `*.tr`; warned about only where it is included.
        let tubitak = Spec {
            constraints: "*.tr",
            ..spec("Websites")
        };
        assert_eq!(
            warnings_of(&tubitak, &tls),
            [format!(
                "row 1: \"Root 1\" ({fp}) is constrained by Mozilla to \"*.tr\" (Mozilla Applied Constraints); a bundle cannot carry that, so its clients trust the root without it"
            )]
        );
        assert!(warnings_of(&tubitak, &email).is_empty());
        // Telekom's S/MIME roots: the cell says there is no constraint.
        let none = Spec {
            constraints: "No name constraints are to be applied",
            ..spec("Email")
        };
        assert!(warnings_of(&none, &email).is_empty());
    }
}
