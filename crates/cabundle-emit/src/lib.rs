//! Deterministic outputs: PEM bundles with comment blocks, JSON manifests, and the formats
//! other programs read (Java, p11-kit, Kubernetes).
//!
//! Pure: every function takes the policy's [`Decisions`] and the facts about the build
//! ([`BuildInfo`]) and returns bytes, or the [`Manifest`] value whose `to_json` gives them.
//! Infallible, except where the format's reader would refuse the result: the Java truststore,
//! the Kubernetes outputs ([`K8sError`]: a name, a non-CA root) and p11-kit's objects
//! ([`P11KitError`]). The same inputs give the same bytes, byte for byte: certificates are sorted by
//! SHA-256, lines end in LF, base64 is wrapped at 64 columns, and the only date written that is
//! not a certificate's own is the as-of date of the policy.
//!
//! The PEM bundle reads like certifi's `cacert.pem`: a `##` header naming the source, then for
//! each certificate a `#` comment block (issuer, subject, label, serial, validity, fingerprints,
//! trust bits, distrust date, Mozilla's applied constraints) so that a change of the trust store
//! reads as a clean diff. Like certifi's file it is pure ASCII: programs read it as text, so a
//! non-ASCII character in a comment is written as its UTF-8 bytes in `\xNN` form.
//!
//! ```
//! use cabundle_emit::{BuildInfo, pem_bundle};
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
//! // `csv` is a one-row report.
//! let report = cabundle_ccadb::parse_report(csv.as_bytes())?;
//! let policy = PolicyOptions::new(Purpose::Tls, cabundle_cert::date::parse_date("2026-07-01")?);
//! let decisions = decide(&report.roots, &[], &policy);
//! let source = cabundle_manifest::Source {
//!     name: "report.csv".to_owned(),
//!     sha256: cabundle_cert::Sha256Fingerprint([0; 32]), // the report's, in a real build
//!     size: csv.len() as u64,
//! };
//! let info = BuildInfo { source: &source, policy: &policy, adds: &[], tool_version: "0.1.0" };
//! let bundle = String::from_utf8(pem_bundle(&info, &decisions))?;
//! assert!(bundle.contains("# Label: \"Example Root CA\""));
//! assert_eq!(bundle.matches("-----BEGIN CERTIFICATE-----").count(), 1);
//! # Ok(())
//! # }
//! ```

use cabundle_ccadb::trust_bit_name;
use cabundle_cert::Certificate;
use cabundle_cert::date::format_moment;
use cabundle_manifest::{
    Added, Excluded, Exclusion, FORMAT_VERSION, Included, Manifest, Outputs, Source,
};
use cabundle_policy::{Decision, Decisions, Origin, PolicyOptions, Purpose, trust_bits_text};
use std::fmt::Write as _;

mod java;
mod k8s;
mod p11kit;
pub use java::{MAC_ITERATIONS, java_aliases, java_truststore};
pub use k8s::{
    CLUSTER_TRUST_BUNDLE_API_VERSION, K8sError, cluster_trust_bundle, cluster_trust_bundle_name,
    signer_name_prefix, trust_manager_default_name, trust_manager_package, trust_manager_version,
};
pub use p11kit::{P11KitError, eku_extension, p11_kit_object};

/// Everything about a build besides the decisions.
#[derive(Clone, Debug)]
pub struct BuildInfo<'a> {
    /// The report.
    pub source: &'a Source,
    /// The policy applied.
    pub policy: &'a PolicyOptions,
    /// The certificates added by hand.
    pub adds: &'a [Added],
    /// The version of the tool, e.g. `0.1.0`.
    pub tool_version: &'a str,
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

/// A value on one comment line, in ASCII: line breaks and other control characters become
/// spaces, so a strange label cannot break the bundle's structure, and every other non-ASCII
/// character is written as its UTF-8 bytes in `\xNN` form, as certifi writes `cacert.pem`
/// (`F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny`): programs read that file as ASCII text.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push(' ');
        } else if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out
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
        Origin::Added => line("Owner", "added by the user, not from the report"),
    }
    line("Serial", &cert.serial_hex);
    line("Not Before", &format_moment(cert.not_before));
    line("Not After", &format_moment(cert.not_after));
    line("SHA256 Fingerprint", &colon_hex(&cert.sha256.0));
    line("SHA1 Fingerprint", &colon_hex(&cert.sha1.0));
    if let Origin::Report(root) = decision.origin {
        line("Trust Bits", &trust_bits_text(&root.trust_bits));
        if let Some(date) = root.distrust_after(purpose) {
            line(
                &format!("Distrust for {} After", purpose.name()),
                &date.to_string(),
            );
        }
        if let Some(constraints) = root.applied_constraints() {
            line("Mozilla Applied Constraints", constraints);
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
        policy.purpose.name(),
        trust_bit_name(policy.purpose),
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

/// A DER tag-length-value with a definite length.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// OpenSSL's auxiliary trust for one certificate (`X509_CERT_AUX`): `SEQUENCE { trust
/// SEQUENCE OF OBJECT IDENTIFIER, alias UTF8String }`, trusting it for the purpose's extended
/// key usage only.
pub fn openssl_aux(purpose: Purpose, alias: &str) -> Vec<u8> {
    let trust = tlv(0x30, &tlv(0x06, purpose.eku_der()));
    let mut content = trust;
    content.extend(tlv(0x0c, alias.as_bytes()));
    tlv(0x30, &content)
}

/// The included certificates as OpenSSL `TRUSTED CERTIFICATE` blocks (the certificate's DER
/// followed by [`openssl_aux`]), each under the same comment block as in the PEM bundle, like
/// p11-kit's `openssl-bundle`: OpenSSL trusts each root for the build's purpose only (a TLS
/// root is refused for S/MIME). The alias is the label.
pub fn openssl_trusted(info: &BuildInfo<'_>, decisions: &Decisions<'_>) -> Vec<u8> {
    let purpose = info.policy.purpose;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## OpenSSL trusted certificates for {} (auxiliary trust {}), built by cabundle {}",
        purpose.name(),
        purpose.eku_name(),
        info.tool_version
    );
    let _ = writeln!(out, "## Source: {}", one_line(&info.source.name));
    let _ = writeln!(out, "## As of: {}", info.policy.as_of);
    let _ = writeln!(out, "## Certificates: {}", decisions.included().count());
    for decision in decisions.included() {
        let mut der = decision.certificate.der.clone();
        der.extend(openssl_aux(purpose, decision.label()));
        out.push('\n');
        out.push_str(&comment_block(decision, purpose));
        out.push_str(&cabundle_cert::encode_pem("TRUSTED CERTIFICATE", &der));
    }
    out.into_bytes()
}

fn origin(origin: Origin<'_>) -> cabundle_manifest::Origin {
    match origin {
        Origin::Report(_) => cabundle_manifest::Origin::Report,
        Origin::Added => cabundle_manifest::Origin::Added,
    }
}

/// The manifest: source, policy, every included certificate, every excluded one with its
/// reason, and the outputs' digests. [`Manifest::to_json`] gives its bytes.
pub fn manifest(info: &BuildInfo<'_>, decisions: &Decisions<'_>, outputs: &Outputs) -> Manifest {
    let policy = info.policy;
    // One entry per fingerprint, the first reason kept, as the policy applies them.
    let mut excludes: Vec<Exclusion> = Vec::new();
    for e in &policy.excludes {
        if !excludes.iter().any(|x| x.sha256 == e.sha256) {
            excludes.push(Exclusion {
                sha256: e.sha256,
                reason: e.reason.clone(),
            });
        }
    }
    excludes.sort_by_key(|e| e.sha256);
    Manifest {
        format_version: FORMAT_VERSION,
        tool: format!("cabundle {}", info.tool_version),
        source: info.source.clone(),
        policy: cabundle_manifest::Policy {
            purpose: policy.purpose,
            as_of: policy.as_of,
            distrust_grace_days: policy.distrust_grace_days,
            include_expired: policy.include_expired,
            excludes,
            adds: info.adds.to_vec(),
        },
        outputs: outputs.clone(),
        included: decisions
            .included()
            .map(|d| Included {
                sha256: d.sha256(),
                label: d.label().to_owned(),
                subject_hash: d.certificate.subject_hash,
                origin: origin(d.origin),
                mozilla_applied_constraints: d
                    .root()
                    .and_then(|r| r.applied_constraints())
                    .map(str::to_owned),
                ev_policy_oids: d
                    .root()
                    .and_then(|r| r.chrome.as_ref())
                    .map(|c| c.anchor.ev_policy_oids.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        excluded: decisions
            .excluded()
            .map(|(d, reason)| Excluded {
                sha256: d.sha256(),
                label: d.label().to_owned(),
                reason: reason.kind().to_owned(),
                detail: reason.to_string(),
            })
            .collect(),
        intermediates: None,
    }
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
        // certifi's spelling of NetLock's root, and a character outside the BMP.
        assert_eq!(
            one_line("NetLock Arany (Class Gold) Főtanúsítvány"),
            "NetLock Arany (Class Gold) F\\xc5\\x91tan\\xc3\\xbas\\xc3\\xadtv\\xc3\\xa1ny"
        );
        assert_eq!(one_line("a\u{1F512}\\"), "a\\xf0\\x9f\\x94\\x92\\");
        assert!(one_line("é\u{7f}\u{85}").is_ascii());
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
