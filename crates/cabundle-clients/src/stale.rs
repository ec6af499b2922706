//! How stale a store is against a CCADB report: pure.

use cabundle_ccadb::{Date, Report};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use cabundle_policy::{PolicyOptions, Purpose, decide};
use std::collections::BTreeSet;

/// What a store trusts that the report does not, and what the report includes that the store
/// lacks, by SHA-256, each sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stale {
    /// Certificates of the store that are not among the included roots: removed from
    /// Mozilla's store, distrusted, expired, or never in it (a private root shows here too).
    pub removed: Vec<Sha256Fingerprint>,
    /// Included roots the store lacks.
    pub missing: Vec<Sha256Fingerprint>,
}

/// The roots the report includes for TLS as of `as_of`, under the default policy (the
/// rules and grace period of `cabundle build`).
pub fn included_roots(report: &Report, as_of: Date) -> BTreeSet<Sha256Fingerprint> {
    let options = PolicyOptions::new(Purpose::Tls, as_of);
    decide(&report.roots, &[], &options)
        .included()
        .map(|d| d.sha256())
        .collect()
}

/// Compares a store's certificates with the included roots.
pub fn staleness(store: &[Certificate], included: &BTreeSet<Sha256Fingerprint>) -> Stale {
    let have: BTreeSet<Sha256Fingerprint> = store.iter().map(|c| c.sha256).collect();
    Stale {
        removed: have.difference(included).copied().collect(),
        missing: included.difference(&have).copied().collect(),
    }
}

/// The last `YYYY-MM-DD` date in a file name or URL, such as the one in
/// `IncludedCACertificateReportPEMCSV-2026-07-01.csv`.
pub fn date_in_name(name: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(9)).rev().find_map(|i| {
        let candidate = name.get(i..i + 10)?;
        let shape = candidate.bytes().enumerate().all(|(j, b)| {
            if j == 4 || j == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
        if !shape {
            return None;
        }
        Date::parse(candidate, format).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_names() {
        let cases = [
            (
                "IncludedCACertificateReportPEMCSV-2026-07-01.csv",
                Some((2026, 7, 1)),
            ),
            (
                "https://x.example/2024-06-01/report-2025-01-31.csv",
                Some((2025, 1, 31)),
            ),
            ("report-2025-13-01.csv", None),
            ("report.csv", None),
            ("2024-06-01", Some((2024, 6, 1))),
        ];
        for (name, expected) in cases {
            let expected = expected.and_then(|(y, m, d)| {
                Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
            });
            assert_eq!(date_in_name(name), expected, "{name}");
        }
    }

    #[test]
    fn differences_both_ways() {
        let fp = |b: u8| Sha256Fingerprint([b; 32]);
        let included: BTreeSet<_> = [fp(1), fp(2)].into_iter().collect();
        let empty = staleness(&[], &included);
        assert_eq!(empty.missing, vec![fp(1), fp(2)]);
        assert!(empty.removed.is_empty());
    }
}
