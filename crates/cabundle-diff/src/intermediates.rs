//! What changed between two `MozillaIntermediateCertsCSVReport`s: the intermediates added and
//! removed, each named by subject, issuer and SHA-256.
//!
//! Intermediates carry no trust bits or distrust dates, so membership is the whole comparison;
//! both lists are sorted by SHA-256, whatever the order of the rows.

use crate::{Error, Sha256Fingerprint};
use cabundle_ccadb::Intermediate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One intermediate of a set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntermediateRef {
    /// The certificate's subject, one line.
    pub subject: String,
    /// The certificate's issuer, one line.
    pub issuer: String,
    /// SHA-256 of the DER (lower-case hex in JSON).
    pub sha256: Sha256Fingerprint,
}

/// The intermediates of a report, keyed by SHA-256.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntermediateSet {
    /// The intermediates, by fingerprint.
    pub entries: BTreeMap<Sha256Fingerprint, IntermediateRef>,
}

impl IntermediateSet {
    /// The rows of a parsed report; names come from the certificates, not the report's text.
    pub fn from_rows(rows: &[Intermediate]) -> IntermediateSet {
        let entries = rows
            .iter()
            .map(|row| {
                let c = &row.certificate;
                let entry = IntermediateRef {
                    subject: c.subject.clone(),
                    issuer: c.issuer.clone(),
                    sha256: row.sha256,
                };
                (row.sha256, entry)
            })
            .collect();
        IntermediateSet { entries }
    }

    /// Parses a `MozillaIntermediateCertsCSVReport`
    /// ([`cabundle_ccadb::parse_intermediates`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<IntermediateSet, Error> {
        Ok(IntermediateSet::from_rows(
            &cabundle_ccadb::parse_intermediates(bytes)?,
        ))
    }
}

/// The intermediates added to and removed from a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntermediatesDiff {
    /// Always `intermediates`: tells this JSON from a diff of roots.
    pub kind: &'static str,
    /// Intermediates only in the new report, sorted by SHA-256.
    pub added: Vec<IntermediateRef>,
    /// Intermediates only in the old report, sorted by SHA-256.
    pub removed: Vec<IntermediateRef>,
}

impl IntermediatesDiff {
    /// Whether any intermediate was added or removed.
    pub fn has_differences(&self) -> bool {
        !(self.added.is_empty() && self.removed.is_empty())
    }
}

/// Compares the intermediates of `old` with those of `new`.
pub fn diff_intermediates(old: &IntermediateSet, new: &IntermediateSet) -> IntermediatesDiff {
    let only = |a: &IntermediateSet, b: &IntermediateSet| -> Vec<IntermediateRef> {
        a.entries
            .values()
            .filter(|e| !b.entries.contains_key(&e.sha256))
            .cloned()
            .collect()
    };
    IntermediatesDiff {
        kind: "intermediates",
        added: only(new, old),
        removed: only(old, new),
    }
}

/// The diff as text for people: a section for added and one for removed intermediates, one
/// line each (subject, issuer, SHA-256).
pub fn render_intermediates_text(diff: &IntermediatesDiff) -> String {
    let mut out = String::new();
    if !diff.has_differences() {
        out.push_str("no differences\n");
    }
    for (title, sign, list) in [
        ("intermediates added", '+', &diff.added),
        ("intermediates removed", '-', &diff.removed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title} ({}):", list.len());
        for i in list {
            let _ = writeln!(
                out,
                "  {sign} {}  issuer: {}  sha256:{}",
                cabundle_cert::text::escape(&i.subject),
                cabundle_cert::text::escape(&i.issuer),
                i.sha256
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u8) -> IntermediateRef {
        IntermediateRef {
            subject: format!("CN=Intermediate {n}"),
            issuer: "CN=Root".into(),
            sha256: Sha256Fingerprint([n; 32]),
        }
    }

    fn set(ns: &[u8]) -> IntermediateSet {
        IntermediateSet {
            entries: ns.iter().map(|&n| (entry(n).sha256, entry(n))).collect(),
        }
    }

    fn check(old: &[u8], new: &[u8], expected: &str) {
        let text = render_intermediates_text(&diff_intermediates(&set(old), &set(new)));
        let mut short = text;
        for n in 1..=4u8 {
            short = short.replace(&format!("{n:02x}").repeat(32), &format!("{n:02x}…"));
        }
        assert_eq!(short, expected, "\n{short}");
    }

    #[test]
    fn added_and_removed_intermediates() {
        check(&[1, 2], &[2, 1], "no differences\n");
        check(
            &[1, 2],
            &[2, 4, 3],
            "intermediates added (2):\n  + CN=Intermediate 3  issuer: CN=Root  sha256:03…\n  + CN=Intermediate 4  issuer: CN=Root  sha256:04…\n\
             intermediates removed (1):\n  - CN=Intermediate 1  issuer: CN=Root  sha256:01…\n",
        );
        check(
            &[],
            &[1],
            "intermediates added (1):\n  + CN=Intermediate 1  issuer: CN=Root  sha256:01…\n",
        );
    }

    #[test]
    fn json_names_its_kind() {
        let d = diff_intermediates(&set(&[]), &set(&[1]));
        assert!(d.has_differences());
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"kind":"intermediates","added":[{{"subject":"CN=Intermediate 1","issuer":"CN=Root","sha256":"{}"}}],"removed":[]}}"#,
                "01".repeat(32)
            )
        );
    }
}
