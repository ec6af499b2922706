//! The manifest of a bundle build: one versioned type, written by `cabundle-build` (through
//! `cabundle-emit`) and read back by `cabundle-verify` to tell why a root is not in a bundle.
//!
//! The JSON has a `format_version` ([`FORMAT_VERSION`]); [`Manifest::from_json`] reads that
//! first and refuses any other version with [`Error::UnsupportedVersion`], so a manifest from
//! a newer or older tool is never half understood. A change to the fields is a new format
//! version. The crate depends only on `cabundle-cert` (fingerprints, subject hashes,
//! [`Purpose`], dates) and serde, so a reader needs nothing of the build pipeline.
//!
//! ```
//! use cabundle_manifest::{FORMAT_VERSION, Manifest};
//!
//! # fn main() -> Result<(), cabundle_manifest::Error> {
//! let json = format!(
//!     r#"{{"format_version": {FORMAT_VERSION}, "tool": "cabundle 0.1.0",
//!     "source": {{"name": "report.csv", "sha256": "{}", "size": 1}},
//!     "policy": {{"purpose": "tls", "as_of": "2026-07-01", "distrust_grace_days": 398,
//!       "include_expired": false, "excludes": [], "adds": []}},
//!     "outputs": {{}}, "included": [], "excluded": []}}"#,
//!     "ab".repeat(32)
//! );
//! let manifest = Manifest::from_json(json.as_bytes())?;
//! assert_eq!(manifest.policy.as_of.to_string(), "2026-07-01");
//! assert_eq!(Manifest::from_json(&manifest.to_json())?, manifest);
//! # Ok(())
//! # }
//! ```

use cabundle_cert::date::iso_date;
use cabundle_cert::{Purpose, Sha256Fingerprint, SubjectHash};
use serde::{Deserialize, Serialize};
use time::Date;

/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Errors from reading a manifest.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not JSON, or not the fields of this format version.
    #[error("invalid manifest: {0}")]
    Json(#[from] serde_json::Error),
    /// The manifest has no `format_version` (manifests written before versions existed).
    #[error(
        "the manifest has no format_version: it was written by an older cabundle (this one reads version {FORMAT_VERSION})"
    )]
    NoVersion,
    /// The manifest's `format_version` is not one this crate reads.
    #[error(
        "unsupported manifest format_version {found} (this cabundle reads version {FORMAT_VERSION})"
    )]
    UnsupportedVersion {
        /// The version found, as written.
        found: String,
    },
}

/// A bundle build, as recorded next to its outputs.
///
/// Fields are in the order they are written; the JSON is pretty-printed with a final newline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT_VERSION`] when written by this crate.
    pub format_version: u32,
    /// The tool that built it, e.g. `cabundle 0.1.0`.
    pub tool: String,
    /// The report the roots came from.
    pub source: Source,
    /// The policy applied.
    pub policy: Policy,
    /// Digests of the outputs.
    pub outputs: Outputs,
    /// The certificates in the bundle, sorted by SHA-256.
    pub included: Vec<Included>,
    /// The certificates left out, sorted by SHA-256, each with its reason.
    pub excluded: Vec<Excluded>,
    /// The intermediates added for path building, when the build was given an intermediates
    /// report; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intermediates: Option<Intermediates>,
}

/// The intermediates of a build: never trust anchors, only help to build a path to a root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intermediates {
    /// The intermediates report.
    pub source: Source,
    /// The intermediates-only PEM file, when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pem: Option<Digest>,
    /// The roots-then-intermediates PEM file, when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_pem: Option<Digest>,
    /// The intermediates selected, sorted by SHA-256.
    pub included: Vec<IncludedIntermediate>,
    /// The intermediates left out, sorted by SHA-256, each with its reason.
    pub excluded: Vec<Excluded>,
}

/// A selected intermediate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncludedIntermediate {
    /// Its SHA-256.
    pub sha256: Sha256Fingerprint,
    /// Its subject.
    pub subject: String,
    /// The SHA-256 of the root or intermediate whose signature it carries.
    pub issuer_sha256: Sha256Fingerprint,
}

/// The report a bundle was built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The report's file name (no directory, so builds on different machines agree) or URL.
    pub name: String,
    /// SHA-256 of the report's bytes.
    pub sha256: Sha256Fingerprint,
    /// The report's size in bytes.
    pub size: u64,
}

/// The policy's inputs, as applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// What the roots are trusted for.
    pub purpose: Purpose,
    /// The date the policy was applied for, `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    pub as_of: Date,
    /// Days a root stays trusted after its distrust-after date.
    pub distrust_grace_days: u32,
    /// Whether expired roots were kept.
    pub include_expired: bool,
    /// Certificates excluded by hand, sorted by SHA-256, with their reasons.
    pub excludes: Vec<Exclusion>,
    /// Certificates added by hand.
    pub adds: Vec<Added>,
}

/// A certificate excluded by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// Its SHA-256.
    pub sha256: Sha256Fingerprint,
    /// Why, in the words of whoever excluded it.
    pub reason: String,
}

/// A certificate added by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    /// The file it was read from, as given.
    pub file: String,
    /// Its SHA-256.
    pub sha256: Sha256Fingerprint,
    /// Its subject.
    pub subject: String,
}

/// Digests of the outputs written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outputs {
    /// The PEM bundle: SHA-256 of its bytes, and its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pem: Option<Digest>,
    /// The hashed directory: SHA-256 over its sorted listing, and its number of entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capath: Option<Digest>,
    /// The OpenSSL `TRUSTED CERTIFICATE` bundle, when one was asked for (absent otherwise, so
    /// manifests without it are unchanged): SHA-256 of its bytes, and its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openssl_trusted: Option<Digest>,
    /// The DER directory, when one was asked for (absent otherwise): SHA-256 over its sorted
    /// listing, as for the hashed directory, and its number of files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub der_dir: Option<Digest>,
    /// The Java PKCS#12 truststore, when one was asked for (absent otherwise): SHA-256 of its
    /// bytes, and its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_truststore: Option<Digest>,
    /// cert-manager trust-manager's default CA package (JSON), when one was asked for (absent
    /// otherwise): SHA-256 of its bytes, and its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_manager_package: Option<Digest>,
    /// The Kubernetes `ClusterTrustBundle` resource (YAML), when one was asked for (absent
    /// otherwise): SHA-256 of its bytes, and its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_trust_bundle: Option<Digest>,
    /// The p11-kit directory (one `.p11-kit` file per root), when one was asked for (absent
    /// otherwise): SHA-256 over its sorted listing, as for the hashed directory, and its number
    /// of files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p11_kit: Option<Digest>,
}

/// The digest of one output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// SHA-256.
    pub sha256: Sha256Fingerprint,
    /// Bytes (PEM) or directory entries (capath).
    pub size: u64,
}

/// Where an included certificate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A root of the report.
    Report,
    /// A certificate added by hand.
    Added,
}

/// A certificate in the bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Included {
    /// Its SHA-256.
    pub sha256: Sha256Fingerprint,
    /// The report's label, or the subject of an added certificate.
    pub label: String,
    /// OpenSSL's subject hash (the name of its link in a hashed directory).
    pub subject_hash: SubjectHash,
    /// Where it came from.
    pub origin: Origin,
    /// The constraints Mozilla applies to it beyond its certificate (`Mozilla Applied
    /// Constraints`, e.g. `*.tr`), which the bundle cannot carry; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mozilla_applied_constraints: Option<String>,
    /// The EV policy OIDs the Chrome Root Store lists for it (`ev_policy_oids`); absent when
    /// none, and for other sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ev_policy_oids: Vec<String>,
}

/// A certificate left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// Its SHA-256.
    pub sha256: Sha256Fingerprint,
    /// The report's label, or the subject of an added certificate.
    pub label: String,
    /// The kind of reason: `excluded`, `unknown-trust-bits`, `not-trusted-for-purpose`,
    /// `distrusted` or `expired`.
    pub reason: String,
    /// The reason in words.
    pub detail: String,
}

/// Only the version, read before the rest so that another version gets a clear error.
#[derive(Deserialize)]
struct VersionOnly {
    format_version: Option<serde_json::Value>,
}

impl Manifest {
    /// Reads a manifest, refusing any `format_version` but [`FORMAT_VERSION`].
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, Error> {
        let version: VersionOnly = serde_json::from_slice(bytes)?;
        match version.format_version {
            None => return Err(Error::NoVersion),
            Some(v) if v.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
            Some(v) => {
                return Err(Error::UnsupportedVersion {
                    found: v.to_string(),
                });
            }
        }
        Ok(serde_json::from_slice(bytes)?)
    }

    /// The manifest as pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        // Plain structs of strings, numbers and lists: serialising cannot fail.
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The exclusion of the certificate with this SHA-256, if it was left out.
    pub fn excluded_by_sha256(&self, sha256: &Sha256Fingerprint) -> Option<&Excluded> {
        self.excluded.iter().find(|e| e.sha256 == *sha256)
    }

    /// The exclusion of a certificate with this label (compared without regard to ASCII
    /// case), if one was left out.
    pub fn excluded_by_label(&self, label: &str) -> Option<&Excluded> {
        self.excluded
            .iter()
            .find(|e| !e.label.is_empty() && e.label.eq_ignore_ascii_case(label))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sample() -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            tool: "cabundle 0.1.0".into(),
            source: Source {
                name: "report.csv".into(),
                sha256: Sha256Fingerprint([1; 32]),
                size: 42,
            },
            policy: Policy {
                purpose: Purpose::Email,
                as_of: date!(2026 - 07 - 01),
                distrust_grace_days: 398,
                include_expired: false,
                excludes: vec![Exclusion {
                    sha256: Sha256Fingerprint([2; 32]),
                    reason: "compromised".into(),
                }],
                adds: vec![Added {
                    file: "proxy.pem".into(),
                    sha256: Sha256Fingerprint([3; 32]),
                    subject: "CN=Proxy".into(),
                }],
            },
            outputs: Outputs {
                pem: Some(Digest {
                    sha256: Sha256Fingerprint([4; 32]),
                    size: 100,
                }),
                capath: None,
                openssl_trusted: Some(Digest {
                    sha256: Sha256Fingerprint([6; 32]),
                    size: 200,
                }),
                der_dir: Some(Digest {
                    sha256: Sha256Fingerprint([7; 32]),
                    size: 3,
                }),
                java_truststore: None,
                trust_manager_package: None,
                cluster_trust_bundle: Some(Digest {
                    sha256: Sha256Fingerprint([8; 32]),
                    size: 4,
                }),
                p11_kit: None,
            },
            included: vec![Included {
                sha256: Sha256Fingerprint([5; 32]),
                label: "Kamu SM".into(),
                subject_hash: SubjectHash(0x1234_abcd),
                origin: Origin::Report,
                mozilla_applied_constraints: Some("*.tr".into()),
                ev_policy_oids: vec!["2.23.140.1.1".into()],
            }],
            excluded: vec![Excluded {
                sha256: Sha256Fingerprint([2; 32]),
                label: "Old Root".into(),
                reason: "excluded".into(),
                detail: "excluded: compromised".into(),
            }],
            intermediates: None,
        }
    }

    #[test]
    fn round_trip() {
        let m = sample();
        let json = m.to_json();
        assert!(json.ends_with(b"}\n"));
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(
            text.starts_with("{\n  \"format_version\": 1,\n  \"tool\""),
            "{text}"
        );
        assert!(text.contains("\"as_of\": \"2026-07-01\""), "{text}");
        assert!(text.contains("\"subject_hash\": \"1234abcd\""), "{text}");
        assert!(!text.contains("\"capath\""), "{text}");
        assert_eq!(Manifest::from_json(&json).unwrap(), m);
        // Without constraints the key is left out, and reads back as none.
        let mut plain = sample();
        plain.included[0].mozilla_applied_constraints = None;
        let text = String::from_utf8(plain.to_json()).unwrap();
        assert!(!text.contains("mozilla_applied_constraints"), "{text}");
        assert_eq!(Manifest::from_json(text.as_bytes()).unwrap(), plain);
    }

    #[test]
    fn versions() {
        let text = String::from_utf8(sample().to_json()).unwrap();
        let with = |v: &str| text.replacen("\"format_version\": 1", v, 1);
        fn check(json: &str, expected: &str) {
            let err = Manifest::from_json(json.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
        check(
            &with("\"format_version\": 2"),
            "unsupported manifest format_version 2 (this cabundle reads version 1)",
        );
        check(
            &with("\"format_version\": \"1\""),
            "unsupported manifest format_version \"1\"",
        );
        check(&with("\"no_version\": 1"), "has no format_version");
        check("{}", "has no format_version");
        check("not json", "invalid manifest");
        check("[1]", "invalid manifest");
        // The right version with a field of the wrong shape.
        check(
            &text.replacen("\"2026-07-01\"", "\"2026-7-1\"", 1),
            "invalid manifest",
        );
    }

    #[test]
    fn lookups() {
        let m = sample();
        let found = m.excluded_by_sha256(&Sha256Fingerprint([2; 32])).unwrap();
        assert_eq!(found.label, "Old Root");
        assert!(m.excluded_by_sha256(&Sha256Fingerprint([5; 32])).is_none());
        assert_eq!(
            m.excluded_by_label("old root").unwrap().detail,
            "excluded: compromised"
        );
        assert!(m.excluded_by_label("").is_none());
    }
}
