//! What changed between two sets of roots: roots added and removed, trust bits changed,
//! distrust-after dates set or changed, and roots of the new set that expire soon.
//!
//! Pure: [`RootSet::from_bytes`] takes the bytes of a report (CCADB CSV or NSS certdata.txt) or
//! of certificates (PEM or DER); [`diff`] compares two sets as of a date given by the caller;
//! [`render_text`] writes the release-notes text that `cabundle diff` prints and
//! `cargo xtask refresh` reuses. The [`Diff`] value serializes to JSON with a stable key order.
//!
//! Roots are identified by the SHA-256 of their DER and every list is sorted by it, so the
//! output is the same whatever the order of the inputs.
//!
//! Two `MozillaIntermediateCertsCSVReport`s compare by membership alone
//! ([`IntermediateSet`], [`diff_intermediates`], [`render_intermediates_text`]): the
//! intermediates added and removed, by subject, issuer and SHA-256.
//!
//! ```
//! use cabundle_diff::{DiffOptions, RootSet, diff, render_text};
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
//! // `csv` is a one-row report; the old set is empty.
//! let old = RootSet::from_certificates(&[]);
//! let new = RootSet::from_bytes(csv.as_bytes())?;
//! let opts = DiffOptions {
//!     as_of: cabundle_cert::date::parse_date("2026-07-01")?,
//!     expiring_within_days: 90,
//! };
//! let changes = diff(&old, &new, &opts);
//! assert_eq!(changes.added.len(), 1);
//! assert!(changes.removed.is_empty());
//! print!("{}", render_text(&changes));
//! # Ok(())
//! # }
//! ```

mod intermediates;

pub use intermediates::{
    IntermediateRef, IntermediateSet, IntermediatesDiff, diff_intermediates,
    render_intermediates_text,
};

use cabundle_ccadb::{Report, TrustBits};
use cabundle_cert::Certificate;
/// The fingerprint type of every root named in a [`Diff`].
pub use cabundle_cert::Sha256Fingerprint;
use cabundle_cert::date::{format_date, iso_date, iso_date_option};
use cabundle_cert::text::escape;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use time::Date;

/// Errors from reading one side of a diff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input looked like a report and did not parse.
    #[error("invalid report: {0}")]
    Report(#[from] cabundle_ccadb::Error),
    /// The input looked like certificates and did not parse.
    #[error("invalid certificates: {0}")]
    Certificates(#[from] cabundle_cert::Error),
}

/// One root of a set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// SHA-256 of the DER.
    pub sha256: Sha256Fingerprint,
    /// The report's name for the root, or the certificate's subject common name.
    pub label: String,
    /// Trust bits, as the report words them (`Websites`, `Email`, ...); `None` for bare
    /// certificates, which carry no trust information.
    pub trust: Option<Vec<String>>,
    /// Distrust for TLS after this date; `None` for bare certificates.
    pub tls_distrust_after: Option<Option<Date>>,
    /// Distrust for S/MIME after this date; `None` for bare certificates.
    pub smime_distrust_after: Option<Option<Date>>,
    /// The certificate's notAfter date.
    pub not_after: Date,
}

/// A set of roots keyed by SHA-256 (a root listed twice counts once).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RootSet {
    /// The roots, by fingerprint.
    pub entries: BTreeMap<Sha256Fingerprint, Entry>,
}

impl RootSet {
    /// The roots of a parsed report, with their trust bits and distrust dates.
    pub fn from_report(report: &Report) -> RootSet {
        let entries = report
            .roots
            .iter()
            .map(|root| {
                let mut trust = trust_names(&root.trust_bits);
                let mut unknown = root.unknown_trust_bits.clone();
                unknown.sort();
                trust.extend(unknown);
                let entry = Entry {
                    sha256: root.sha256,
                    label: root.label.clone(),
                    trust: Some(trust),
                    tls_distrust_after: Some(root.tls_distrust_after),
                    smime_distrust_after: Some(root.smime_distrust_after),
                    not_after: root.certificate.not_after.date(),
                };
                (root.sha256, entry)
            })
            .collect();
        RootSet { entries }
    }

    /// Bare certificates (a PEM bundle, a directory): no trust bits or distrust dates.
    pub fn from_certificates<'a>(certs: impl IntoIterator<Item = &'a Certificate>) -> RootSet {
        let entries = certs
            .into_iter()
            .map(|cert| {
                let entry = Entry {
                    sha256: cert.sha256,
                    label: cert
                        .common_name
                        .clone()
                        .unwrap_or_else(|| cert.subject.clone()),
                    trust: None,
                    tls_distrust_after: None,
                    smime_distrust_after: None,
                    not_after: cert.not_after.date(),
                };
                (cert.sha256, entry)
            })
            .collect();
        RootSet { entries }
    }

    /// Reads a report (CCADB CSV or certdata.txt) or certificates (PEM or DER), telling them
    /// apart by content.
    pub fn from_bytes(bytes: &[u8]) -> Result<RootSet, Error> {
        if looks_like_report(bytes) {
            Ok(RootSet::from_report(&cabundle_ccadb::parse_any(bytes)?))
        } else {
            Ok(RootSet::from_certificates(
                &cabundle_cert::read_certificates(bytes)?,
            ))
        }
    }

    /// Adds the roots of `other` (a directory is the union of its files).
    pub fn extend(&mut self, other: RootSet) {
        self.entries.extend(other.entries);
    }
}

/// Whether `bytes` are a report rather than certificates: a CSV starting with a quoted header
/// or `Owner`, or an NSS certdata.txt.
pub fn looks_like_report(bytes: &[u8]) -> bool {
    let start = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .trim_ascii_start();
    if start.starts_with(b"\"") || start.starts_with(b"Owner,") {
        return true;
    }
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    has(b"BEGINDATA") && has(b"CKA_CLASS")
}

/// What to compare besides the sets themselves.
#[derive(Clone, Copy, Debug)]
pub struct DiffOptions {
    /// The date expiry is counted from (time is an input, never the clock).
    pub as_of: Date,
    /// Roots of the new set whose notAfter is at most this many days after `as_of` are listed.
    pub expiring_within_days: u32,
}

/// A root named in a diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RootRef {
    /// The label.
    pub label: String,
    /// SHA-256 of the DER (lower-case hex in JSON).
    pub sha256: Sha256Fingerprint,
}

/// Trust bits that differ between the two sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrustChange {
    /// The label in the new set.
    pub label: String,
    /// SHA-256 of the DER (lower-case hex in JSON).
    pub sha256: Sha256Fingerprint,
    /// Trust bits before.
    pub old: Vec<String>,
    /// Trust bits after.
    pub new: Vec<String>,
}

/// A distrust-after date set, changed or cleared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DistrustChange {
    /// The label in the new set.
    pub label: String,
    /// SHA-256 of the DER (lower-case hex in JSON).
    pub sha256: Sha256Fingerprint,
    /// `tls` or `smime`, after the report's distrust columns.
    pub purpose: &'static str,
    /// The date before (`YYYY-MM-DD` in JSON), `null` when none.
    #[serde(with = "iso_date_option")]
    pub old: Option<Date>,
    /// The date after, `null` when none.
    #[serde(with = "iso_date_option")]
    pub new: Option<Date>,
}

/// A root of the new set that expires within the window (or has expired).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expiring {
    /// The label.
    pub label: String,
    /// SHA-256 of the DER (lower-case hex in JSON).
    pub sha256: Sha256Fingerprint,
    /// notAfter (`YYYY-MM-DD` in JSON).
    #[serde(with = "iso_date")]
    pub not_after: Date,
    /// Days from `as_of` to notAfter (negative once expired).
    pub days_left: i64,
}

/// Everything that changed from an old set of roots to a new one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// The date expiry was counted from (`YYYY-MM-DD` in JSON).
    #[serde(with = "iso_date")]
    pub as_of: Date,
    /// The expiry window in days.
    pub expiring_within_days: u32,
    /// Roots only in the new set.
    pub added: Vec<RootRef>,
    /// Roots only in the old set.
    pub removed: Vec<RootRef>,
    /// Roots in both whose trust bits differ (only when both sides carry trust bits).
    pub trust_changed: Vec<TrustChange>,
    /// Roots in both whose distrust-after dates differ (only when both sides carry them).
    pub distrust_changed: Vec<DistrustChange>,
    /// Roots of the new set that expire within the window; informative, not a difference.
    pub expiring: Vec<Expiring>,
}

impl Diff {
    /// Whether the sets differ (roots added or removed, trust or distrust changed). Roots
    /// about to expire are not a difference.
    pub fn has_differences(&self) -> bool {
        !(self.added.is_empty()
            && self.removed.is_empty()
            && self.trust_changed.is_empty()
            && self.distrust_changed.is_empty())
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &RootSet, new: &RootSet, opts: &DiffOptions) -> Diff {
    let root_ref = |e: &Entry| RootRef {
        label: e.label.clone(),
        sha256: e.sha256,
    };
    let added = new
        .entries
        .values()
        .filter(|e| !old.entries.contains_key(&e.sha256))
        .map(root_ref)
        .collect();
    let removed = old
        .entries
        .values()
        .filter(|e| !new.entries.contains_key(&e.sha256))
        .map(root_ref)
        .collect();

    let mut trust_changed = Vec::new();
    let mut distrust_changed = Vec::new();
    for (fp, after) in &new.entries {
        let Some(before) = old.entries.get(fp) else {
            continue;
        };
        if let (Some(old_bits), Some(new_bits)) = (&before.trust, &after.trust)
            && old_bits != new_bits
        {
            trust_changed.push(TrustChange {
                label: after.label.clone(),
                sha256: *fp,
                old: old_bits.clone(),
                new: new_bits.clone(),
            });
        }
        let dates = [
            ("tls", before.tls_distrust_after, after.tls_distrust_after),
            (
                "smime",
                before.smime_distrust_after,
                after.smime_distrust_after,
            ),
        ];
        for (purpose, old_date, new_date) in dates {
            if let (Some(old_date), Some(new_date)) = (old_date, new_date)
                && old_date != new_date
            {
                distrust_changed.push(DistrustChange {
                    label: after.label.clone(),
                    sha256: *fp,
                    purpose,
                    old: old_date,
                    new: new_date,
                });
            }
        }
    }

    let mut expiring: Vec<Expiring> = new
        .entries
        .values()
        .map(|e| (e, (e.not_after - opts.as_of).whole_days()))
        .filter(|(_, days)| *days <= i64::from(opts.expiring_within_days))
        .map(|(e, days_left)| Expiring {
            label: e.label.clone(),
            sha256: e.sha256,
            not_after: e.not_after,
            days_left,
        })
        .collect();
    expiring.sort_by(|a, b| {
        a.days_left
            .cmp(&b.days_left)
            .then_with(|| a.sha256.cmp(&b.sha256))
    });

    Diff {
        as_of: opts.as_of,
        expiring_within_days: opts.expiring_within_days,
        added,
        removed,
        trust_changed,
        distrust_changed,
        expiring,
    }
}

/// The diff as text for people: one section per kind of change, one line per root.
pub fn render_text(diff: &Diff) -> String {
    let mut out = String::new();
    if !diff.has_differences() {
        out.push_str("no differences\n");
    }
    let section = |out: &mut String, title: &str, n: usize| {
        let _ = writeln!(out, "{title} ({n}):");
    };
    if !diff.added.is_empty() {
        section(&mut out, "added", diff.added.len());
        for r in &diff.added {
            let _ = writeln!(out, "  + {}  sha256:{}", escape(&r.label), r.sha256);
        }
    }
    if !diff.removed.is_empty() {
        section(&mut out, "removed", diff.removed.len());
        for r in &diff.removed {
            let _ = writeln!(out, "  - {}  sha256:{}", escape(&r.label), r.sha256);
        }
    }
    if !diff.trust_changed.is_empty() {
        section(&mut out, "trust bits changed", diff.trust_changed.len());
        for c in &diff.trust_changed {
            let _ = writeln!(
                out,
                "  ~ {}: {} -> {}  sha256:{}",
                escape(&c.label),
                bits_text(&c.old),
                bits_text(&c.new),
                c.sha256
            );
        }
    }
    if !diff.distrust_changed.is_empty() {
        section(
            &mut out,
            "distrust dates changed",
            diff.distrust_changed.len(),
        );
        for c in &diff.distrust_changed {
            let date = |d: &Option<Date>| d.map_or_else(|| "none".to_owned(), format_date);
            let _ = writeln!(
                out,
                "  ~ {}: {} distrust after {} -> {}  sha256:{}",
                escape(&c.label),
                if c.purpose == "tls" { "TLS" } else { "S/MIME" },
                date(&c.old),
                date(&c.new),
                c.sha256
            );
        }
    }
    if !diff.expiring.is_empty() {
        let _ = writeln!(
            out,
            "expiring within {} days of {} ({}):",
            diff.expiring_within_days,
            format_date(diff.as_of),
            diff.expiring.len()
        );
        for e in &diff.expiring {
            let not_after = format_date(e.not_after);
            let when = if e.days_left < 0 {
                format!("expired {not_after}")
            } else {
                format!("expires {not_after} (in {} days)", e.days_left)
            };
            let _ = writeln!(
                out,
                "  ! {}: {}  sha256:{}",
                escape(&e.label),
                when,
                e.sha256
            );
        }
    }
    out
}

fn bits_text(bits: &[String]) -> String {
    if bits.is_empty() {
        "none".to_owned()
    } else {
        bits.join(";")
    }
}

/// Trust bits in the report's own words, in a fixed order.
fn trust_names(bits: &TrustBits) -> Vec<String> {
    bits.names().into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn fp(n: u8) -> Sha256Fingerprint {
        Sha256Fingerprint([n; 32])
    }

    fn entry(n: u8, trust: &[&str], tls: Option<Date>, not_after: Date) -> Entry {
        Entry {
            sha256: fp(n),
            label: format!("Root {n}"),
            trust: Some(trust.iter().map(|s| (*s).to_owned()).collect()),
            tls_distrust_after: Some(tls),
            smime_distrust_after: Some(None),
            not_after,
        }
    }

    fn set(entries: Vec<Entry>) -> RootSet {
        RootSet {
            entries: entries.into_iter().map(|e| (e.sha256, e)).collect(),
        }
    }

    const OPTS: DiffOptions = DiffOptions {
        as_of: date!(2026 - 07 - 01),
        expiring_within_days: 90,
    };
    const FAR: Date = date!(2040 - 01 - 01);

    fn check(old: Vec<Entry>, new: Vec<Entry>, expected: &str) {
        let d = diff(&set(old), &set(new), &OPTS);
        let text = render_text(&d);
        let short = text
            .replace(&"01".repeat(32), "01…")
            .replace(&"02".repeat(32), "02…");
        let short = short.replace(&"03".repeat(32), "03…");
        assert_eq!(short, expected, "\n{short}");
    }

    #[test]
    fn identical_sets_have_no_differences() {
        check(
            vec![entry(1, &["Websites"], None, FAR)],
            vec![entry(1, &["Websites"], None, FAR)],
            "no differences\n",
        );
    }

    #[test]
    fn added_and_removed() {
        check(
            vec![
                entry(1, &["Websites"], None, FAR),
                entry(2, &["Email"], None, FAR),
            ],
            vec![
                entry(2, &["Email"], None, FAR),
                entry(3, &["Websites"], None, FAR),
            ],
            "added (1):\n  + Root 3  sha256:03…\nremoved (1):\n  - Root 1  sha256:01…\n",
        );
    }

    #[test]
    fn trust_and_distrust_changes() {
        check(
            vec![entry(1, &["Websites", "Email"], None, FAR)],
            vec![entry(1, &["Email"], Some(date!(2025 - 04 - 15)), FAR)],
            "trust bits changed (1):\n  ~ Root 1: Websites;Email -> Email  sha256:01…\n\
             distrust dates changed (1):\n  ~ Root 1: TLS distrust after none -> 2025-04-15  sha256:01…\n",
        );
    }

    #[test]
    fn expiring_is_listed_but_not_a_difference() {
        let soon = entry(1, &["Websites"], None, date!(2026 - 09 - 29));
        let gone = entry(2, &["Websites"], None, date!(2026 - 06 - 30));
        let edge = entry(3, &["Websites"], None, date!(2026 - 09 - 30));
        let d = diff(
            &set(vec![soon.clone(), gone.clone(), edge.clone()]),
            &set(vec![soon, gone, edge]),
            &OPTS,
        );
        assert!(!d.has_differences());
        let days: Vec<i64> = d.expiring.iter().map(|e| e.days_left).collect();
        assert_eq!(
            days,
            [-1, 90],
            "sorted by days left; day 90 is in, day 91 is out"
        );
    }

    #[test]
    fn bare_certificates_compare_only_membership() {
        let mut bare = entry(1, &[], None, FAR);
        bare.trust = None;
        bare.tls_distrust_after = None;
        bare.smime_distrust_after = None;
        check(
            vec![entry(1, &["Websites"], Some(date!(2025 - 01 - 01)), FAR)],
            vec![bare],
            "no differences\n",
        );
    }

    #[test]
    fn json_keys_are_in_a_stable_order() {
        let d = diff(
            &set(vec![]),
            &set(vec![entry(1, &["Websites"], None, FAR)]),
            &OPTS,
        );
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.starts_with(r#"{"as_of":"2026-07-01","expiring_within_days":90,"added":[{"label":"Root 1","sha256":"0101"#), "{json}");
    }

    #[test]
    fn reports_are_told_from_certificates() {
        assert!(looks_like_report(
            b"\"Owner\",\"Certificate Issuer Organization\"\n"
        ));
        assert!(looks_like_report(b"Owner,Name\n"));
        assert!(looks_like_report(
            b"# comment\nBEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n"
        ));
        assert!(!looks_like_report(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        ));
        assert!(!looks_like_report(&[0x30, 0x82, 0x01, 0x00]));
    }
}
