//! The bundle manifest written by `cabundle build --manifest`, read defensively: only the
//! `excluded` list (`sha256`, `label`, `reason`, `detail`) is used, and unknown fields are
//! ignored.

use crate::error::{Error, Result};

/// A root that a bundle's policy left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excluded {
    /// SHA-256 fingerprint as lower-case hex without separators.
    pub sha256: String,
    /// The root's label (usually its common name).
    pub label: String,
    /// The policy's reason, e.g. a distrust date or expiry.
    pub reason: String,
}

/// What verification needs from a bundle manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Roots left out of the bundle.
    pub excluded: Vec<Excluded>,
}

impl Manifest {
    /// Parses the manifest JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| Error::Manifest {
                reason: e.to_string(),
            })?;
        let Some(list) = value.get("excluded") else {
            return Ok(Manifest::default());
        };
        let list = list.as_array().ok_or_else(|| Error::Manifest {
            reason: "`excluded` is not a list".to_owned(),
        })?;
        let text = |v: &serde_json::Value, key: &str| {
            v.get(key)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let excluded = list
            .iter()
            .map(|v| Excluded {
                sha256: normalize_hex(&text(v, "sha256")),
                label: text(v, "label"),
                // `detail` is the full sentence, `reason` its kind; older manifests only
                // have `reason`.
                reason: match text(v, "detail") {
                    d if d.is_empty() => text(v, "reason"),
                    d => d,
                },
            })
            .collect();
        Ok(Manifest { excluded })
    }

    /// The exclusion of the root with this fingerprint, if any.
    pub fn by_sha256(&self, sha256_hex: &str) -> Option<&Excluded> {
        let want = normalize_hex(sha256_hex);
        self.excluded.iter().find(|e| e.sha256 == want)
    }

    /// The exclusion whose label is the common name in this subject, if any.
    pub fn by_subject(&self, subject: &str) -> Option<&Excluded> {
        let cn = common_name(subject)?;
        self.excluded
            .iter()
            .find(|e| !e.label.is_empty() && e.label.eq_ignore_ascii_case(cn))
    }
}

fn normalize_hex(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The value of the first `CN=` in a one-line subject.
pub(crate) fn common_name(subject: &str) -> Option<&str> {
    subject
        .split(", ")
        .find_map(|part| part.strip_prefix("CN="))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_excluded() {
        let json = br#"{"as_of":"2025-01-01","excluded":[{"sha256":"AB:CD","label":"Old Root","reason":"distrusted","detail":"distrusted for TLS after 2024-11-30"},{"bogus":1}],"included":[]}"#;
        let m = Manifest::from_json(json).unwrap();
        assert_eq!(m.excluded.len(), 2);
        assert_eq!(m.by_sha256("abcd").unwrap().label, "Old Root");
        assert_eq!(
            m.by_subject("CN=Old Root, O=Example, C=US").unwrap().reason,
            "distrusted for TLS after 2024-11-30"
        );
        assert!(m.by_subject("CN=Other").is_none());
        assert!(Manifest::from_json(b"{}").unwrap().excluded.is_empty());
        assert!(Manifest::from_json(b"not json").is_err());
        assert!(Manifest::from_json(br#"{"excluded":3}"#).is_err());
    }
}
