//! Deterministic outputs: PEM bundles with comment blocks, and JSON manifests.
//!
//! Pure and infallible: every function takes the policy's [`Decisions`] and the facts about the
//! build ([`BuildInfo`]) and returns bytes. The same inputs give the same bytes, byte for byte:
//! certificates are sorted by SHA-256, lines end in LF, base64 is wrapped at 64 columns, and the
//! only date written that is not a certificate's own is the as-of date of the policy.
//!
//! The PEM bundle reads like certifi's `cacert.pem`: a `##` header naming the source, then for
//! each certificate a `#` comment block (issuer, subject, label, serial, validity, fingerprints,
//! trust bits, distrust date) so that a change of the trust store reads as a clean diff.

use cabundle_cert::Certificate;
use cabundle_policy::{Decision, Decisions, Origin, PolicyOptions, Purpose, trust_bits_text};
use serde::Serialize;
use std::fmt::Write as _;

/// Where the report came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    /// The report's file name (no directory part, so builds on different machines agree) or
    /// its URL.
    pub name: String,
    /// SHA-256 of the report's bytes, lower-case hex.
    pub sha256: String,
    /// The report's size in bytes.
    pub size: u64,
}

/// A certificate given with `--add`, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddedInfo {
    /// The file's name as given on the command line.
    pub file: String,
    /// The certificate's SHA-256, lower-case hex.
    pub sha256: String,
    /// The certificate's subject.
    pub subject: String,
}

/// Everything about a build besides the decisions.
#[derive(Clone, Debug)]
pub struct BuildInfo<'a> {
    /// The report.
    pub source: &'a SourceInfo,
    /// The policy applied.
    pub policy: &'a PolicyOptions,
    /// The certificates added with `--add`.
    pub adds: &'a [AddedInfo],
    /// The version of the tool, e.g. `0.1.0`.
    pub tool_version: &'a str,
}

/// Digests of the outputs, for the manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutputDigests {
    /// The PEM bundle: SHA-256 of its bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem: Option<Digest>,
    /// The hashed directory: SHA-256 over its sorted listing (see `cabundle-build`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capath: Option<Digest>,
}

/// The digest of one output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Digest {
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Bytes (PEM) or directory entries (capath).
    pub size: u64,
}

/// Upper-case hex pairs joined by `:`, as `openssl x509 -fingerprint` prints them.
pub fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// One certificate as a PEM block: 64-column base64, LF line endings
/// ([`cabundle_cert::encode_pem`]).
pub fn pem_block(der: &[u8]) -> String {
    cabundle_cert::encode_pem("CERTIFICATE", der)
}

/// A value on one comment line: line breaks and other control characters become spaces, so a
/// strange label cannot break the bundle's structure.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The comment block written above one certificate.
pub fn comment_block(decision: &Decision<'_>, purpose: Purpose) -> String {
    let cert: &Certificate = decision.certificate;
    let mut out = String::new();
    let mut line = |key: &str, value: &str| {
        let _ = writeln!(out, "# {key}: {}", one_line(value));
    };
    line("Issuer", &cert.issuer);
    line("Subject", &cert.subject);
    line("Label", &format!("\"{}\"", decision.label()));
    match decision.origin {
        Origin::Report(root) => {
            if !root.owner.is_empty() {
                line("Owner", &root.owner);
            }
        }
        Origin::Added => line("Owner", "added with --add"),
    }
    line("Serial", &cert.serial_hex);
    line("Not Before", &rfc3339(cert.not_before));
    line("Not After", &rfc3339(cert.not_after));
    line("SHA256 Fingerprint", &colon_hex(&cert.sha256.0));
    line("SHA1 Fingerprint", &colon_hex(&cert.sha1.0));
    if let Origin::Report(root) = decision.origin {
        line("Trust Bits", &trust_bits_text(&root.trust_bits));
        let distrust = match purpose {
            Purpose::Tls => root.tls_distrust_after,
            Purpose::Email => root.smime_distrust_after,
        };
        if let Some(date) = distrust {
            line(
                &format!("Distrust for {} After", purpose.distrust_name()),
                &date.to_string(),
            );
        }
    }
    out
}

/// The PEM bundle of the included certificates, with its header and comment blocks.
pub fn pem_bundle(info: &BuildInfo<'_>, decisions: &Decisions<'_>) -> Vec<u8> {
    let policy = info.policy;
    let count = decisions.included().count();
    let mut out = String::new();
    let mut h = |text: &str| {
        if text.is_empty() {
            out.push_str("##\n");
        } else {
            let _ = writeln!(out, "## {}", one_line(text));
        }
    };
    h("");
    h(&format!(
        "CA certificates trusted for {} (trust bit {}), built by cabundle {}",
        policy.purpose.distrust_name(),
        policy.purpose.trust_bit(),
        info.tool_version
    ));
    h("");
    h(&format!("Source: {}", info.source.name));
    h(&format!("Source SHA-256: {}", info.source.sha256));
    h(&format!("Purpose: {}", policy.purpose));
    h(&format!("As of: {}", policy.as_of));
    h(&format!(
        "Distrust grace: {} days",
        policy.distrust_grace_days
    ));
    h(&format!(
        "Expired roots: {}",
        if policy.include_expired {
            "kept"
        } else {
            "left out"
        }
    ));
    h(&format!("Certificates: {count}"));
    h("");
    h("Certificates are sorted by SHA-256 fingerprint.");
    h("");
    for decision in decisions.included() {
        out.push('\n');
        out.push_str(&comment_block(decision, policy.purpose));
        out.push_str(&pem_block(&decision.certificate.der));
    }
    out.into_bytes()
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: String,
    source: &'a SourceInfo,
    policy: ManifestPolicy<'a>,
    outputs: &'a OutputDigests,
    included: Vec<ManifestIncluded<'a>>,
    excluded: Vec<ManifestExcluded<'a>>,
}

#[derive(Serialize)]
struct ManifestPolicy<'a> {
    purpose: &'static str,
    as_of: String,
    distrust_grace_days: u32,
    include_expired: bool,
    excludes: Vec<String>,
    adds: &'a [AddedInfo],
}

#[derive(Serialize)]
struct ManifestIncluded<'a> {
    sha256: String,
    label: &'a str,
    subject_hash: String,
    origin: &'static str,
}

#[derive(Serialize)]
struct ManifestExcluded<'a> {
    sha256: String,
    label: &'a str,
    reason: &'static str,
    detail: String,
}

fn origin_name(origin: Origin<'_>) -> &'static str {
    match origin {
        Origin::Report(_) => "report",
        Origin::Added => "added",
    }
}

/// The JSON manifest: source, policy, every included certificate, every excluded one with its
/// reason, and the outputs' digests. Keys are in a fixed order; the text ends with a newline.
pub fn manifest(
    info: &BuildInfo<'_>,
    decisions: &Decisions<'_>,
    outputs: &OutputDigests,
) -> Vec<u8> {
    let policy = info.policy;
    let mut excludes: Vec<String> = policy.excludes.iter().map(ToString::to_string).collect();
    excludes.sort();
    excludes.dedup();
    let manifest = Manifest {
        tool: format!("cabundle {}", info.tool_version),
        source: info.source,
        policy: ManifestPolicy {
            purpose: policy.purpose.as_str(),
            as_of: policy.as_of.to_string(),
            distrust_grace_days: policy.distrust_grace_days,
            include_expired: policy.include_expired,
            excludes,
            adds: info.adds,
        },
        outputs,
        included: decisions
            .included()
            .map(|d| ManifestIncluded {
                sha256: d.sha256().to_string(),
                label: d.label(),
                subject_hash: d.certificate.subject_hash.to_string(),
                origin: origin_name(d.origin),
            })
            .collect(),
        excluded: decisions
            .excluded()
            .map(|(d, reason)| ManifestExcluded {
                sha256: d.sha256().to_string(),
                label: d.label(),
                reason: reason.kind(),
                detail: reason.to_string(),
            })
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_lines() {
        fn check(input: &[u8], expected: &str) {
            assert_eq!(colon_hex(input), expected);
        }
        check(&[], "");
        check(&[0x0a], "0A");
        check(&[0xde, 0xad, 0x01], "DE:AD:01");
        assert_eq!(one_line("a\nb\r\tc"), "a b  c");
    }

    #[test]
    fn pem_wraps_at_64() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = pem_block(&der);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[lines.len() - 1], "-----END CERTIFICATE-----");
        assert!(lines[1..lines.len() - 1].iter().all(|l| l.len() <= 64));
        assert_eq!(lines[1].len(), 64);
        assert!(!pem.contains('\r'));
        assert!(pem.ends_with("-----\n"));
    }
}
