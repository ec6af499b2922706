//! Kubernetes outputs: cert-manager trust-manager's default CA package and the
//! `ClusterTrustBundle` resource.
//!
//! trust-manager's package loader (`pkg/fspkg`) reads a JSON object `{"name", "bundle",
//! "version"}` from a file whose name ends in `.json`, and refuses a package whose name or
//! version is empty or whose bundle holds anything that does not parse as a certificate.
//!
//! The API server accepts a `ClusterTrustBundle` (`certificates.k8s.io/v1beta1`) when its
//! `spec.trustBundle` holds only `CERTIFICATE` blocks without PEM headers, each certificate a CA
//! (basic constraints with the CA bit), none twice; and when `spec.signerName` is set, the
//! object's name starts with the signer name, `/` written `:`, then `:` (`example.com/foo` →
//! `example.com:foo:…`), while without a signer name the name holds no `:`.
//!
//! The YAML is written by hand: the document is five fixed keys and a block scalar of PEM
//! lines, which need no quoting, and the one YAML serializer serde had (`serde_yaml`) is no
//! longer maintained. Names are checked before they are written (no `"`, `\`, space or control
//! character), so the double quotes around them need no escapes.

use crate::{BuildInfo, pem_block};
use cabundle_policy::{Decisions, Purpose};
use sha2::Digest as _;
use std::fmt::Write as _;

/// The API version of the `ClusterTrustBundle` resource written.
pub const CLUSTER_TRUST_BUNDLE_API_VERSION: &str = "certificates.k8s.io/v1beta1";

/// Why a Kubernetes output cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum K8sError {
    /// A certificate of the bundle is not a CA, which the API server refuses.
    #[error(
        "certificate {label:?} ({sha256}) has no basic constraints with the CA bit, which a ClusterTrustBundle refuses"
    )]
    NotCa {
        /// The certificate's label.
        label: String,
        /// Its SHA-256 fingerprint.
        sha256: String,
    },
    /// The package could not be written as JSON.
    #[error("cannot write the trust-manager package: {reason}")]
    Json {
        /// Why.
        reason: String,
    },
    /// A name the resource's rules refuse.
    #[error("{what} {value:?} is not valid: {reason}")]
    Name {
        /// What the name is for.
        what: &'static str,
        /// The name as given.
        value: String,
        /// The rule it breaks.
        reason: String,
    },
}

/// The included certificates as bare PEM blocks (no comments), sorted by SHA-256.
fn bare_pem(decisions: &Decisions<'_>) -> String {
    decisions
        .included()
        .map(|d| pem_block(&d.certificate.der))
        .collect()
}

/// The purpose as it appears in default names: `tls` or `email`.
fn purpose_word(purpose: Purpose) -> String {
    purpose.to_string()
}

/// trust-manager's default package name for a build: `cabundle-<purpose>`.
pub fn trust_manager_default_name(purpose: Purpose) -> String {
    format!("cabundle-{}", purpose_word(purpose))
}

/// trust-manager's package version for a bundle: `<as-of date>.<first 8 hex digits of the
/// SHA-256 of the bundle>`, so two builds of the same roots at the same date agree and any
/// change of the roots changes it.
pub fn trust_manager_version(info: &BuildInfo<'_>, bundle: &str) -> String {
    let digest = sha2::Sha256::digest(bundle.as_bytes());
    let mut hex = String::new();
    for b in &digest[..4] {
        let _ = write!(hex, "{b:02x}");
    }
    format!("{}.{hex}", info.policy.as_of)
}

/// trust-manager's package: `{"name": …, "bundle": …, "version": …}` in that order, pretty
/// printed with a final newline. `name` and `version` default to
/// [`trust_manager_default_name`] and [`trust_manager_version`]; an empty one given is an
/// error, as the loader refuses it.
pub fn trust_manager_package(
    info: &BuildInfo<'_>,
    decisions: &Decisions<'_>,
    name: Option<&str>,
    version: Option<&str>,
) -> Result<Vec<u8>, K8sError> {
    let bundle = bare_pem(decisions);
    let name = match name {
        Some(n) => non_empty("package name", n)?.to_owned(),
        None => trust_manager_default_name(info.policy.purpose),
    };
    let version = match version {
        Some(v) => non_empty("package version", v)?.to_owned(),
        None => trust_manager_version(info, &bundle),
    };
    let package = Package {
        name: &name,
        bundle: &bundle,
        version: &version,
    };
    let mut out = serde_json::to_vec_pretty(&package).map_err(|e| K8sError::Json {
        reason: e.to_string(),
    })?;
    out.push(b'\n');
    Ok(out)
}

/// trust-manager's package, its fields in the order trust-manager's own packages write them.
#[derive(serde::Serialize)]
struct Package<'a> {
    name: &'a str,
    bundle: &'a str,
    version: &'a str,
}

fn non_empty<'a>(what: &'static str, value: &'a str) -> Result<&'a str, K8sError> {
    if value.is_empty() {
        return Err(K8sError::Name {
            what,
            value: value.to_owned(),
            reason: "it is empty".to_owned(),
        });
    }
    Ok(value)
}

/// The signer name's prefix a `ClusterTrustBundle` name must start with: `/` written `:`,
/// then `:`.
pub fn signer_name_prefix(signer_name: &str) -> String {
    format!("{}:", signer_name.replace('/', ":"))
}

/// A signer name: `DOMAIN/PATH`, the domain a DNS subdomain (lower-case letters, digits, `-`
/// and `.`), the path not empty.
fn check_signer_name(signer: &str) -> Result<(), K8sError> {
    let bad = |reason: &str| K8sError::Name {
        what: "signer name",
        value: signer.to_owned(),
        reason: reason.to_owned(),
    };
    let Some((domain, path)) = signer.split_once('/') else {
        return Err(bad(
            "a signer name is DOMAIN/PATH, such as example.com/my-signer",
        ));
    };
    if !is_dns_subdomain(domain) {
        return Err(bad(
            "its domain must be a DNS subdomain: lower-case letters, digits, '-' and '.'",
        ));
    }
    if path.is_empty() {
        return Err(bad("its path after '/' is empty"));
    }
    if path
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\\'))
    {
        return Err(bad(
            "its path may not hold spaces, control characters, '\"' or '\\'",
        ));
    }
    Ok(())
}

/// RFC 1123 subdomain as Kubernetes checks it: at most 253 characters, dot-separated labels of
/// lower-case letters, digits and `-`, starting and ending with a letter or digit.
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// The object name for a `ClusterTrustBundle`: `name` as given, or `cabundle-<purpose>` (after
/// the signer name's prefix when there is a signer name), checked against the API server's
/// rules (a path segment name of at most 253 characters; the signer prefix exactly when there is
/// a signer name).
pub fn cluster_trust_bundle_name(
    purpose: Purpose,
    name: Option<&str>,
    signer_name: Option<&str>,
) -> Result<String, K8sError> {
    if let Some(signer) = signer_name {
        check_signer_name(signer)?;
    }
    let default = format!("cabundle-{}", purpose_word(purpose));
    let name = match (name, signer_name) {
        (Some(n), _) => n.to_owned(),
        (None, Some(signer)) => format!("{}{default}", signer_name_prefix(signer)),
        (None, None) => default,
    };
    let bad = |reason: String| K8sError::Name {
        what: "ClusterTrustBundle name",
        value: name.clone(),
        reason,
    };
    if name.is_empty() || name == "." || name == ".." {
        return Err(bad("a name is not empty, '.' or '..'".to_owned()));
    }
    if name.len() > 253 {
        return Err(bad("a name is at most 253 characters".to_owned()));
    }
    if let Some(c) = name
        .chars()
        .find(|c| matches!(c, '/' | '%' | '"' | '\\') || c.is_whitespace() || c.is_control())
    {
        return Err(bad(format!("a name may not hold {c:?}")));
    }
    match signer_name {
        Some(signer) => {
            let prefix = signer_name_prefix(signer);
            if !name.starts_with(&prefix) || name.len() == prefix.len() {
                return Err(bad(format!(
                    "with signer name {signer} the name must start with {prefix:?} and go on"
                )));
            }
        }
        None => {
            if name.contains(':') {
                return Err(bad(
                    "without a signer name the name may not hold ':'".to_owned()
                ));
            }
        }
    }
    Ok(name)
}

/// The `ClusterTrustBundle` resource as YAML: the included certificates as bare PEM blocks in
/// `spec.trustBundle` (a literal block scalar), sorted by SHA-256, each once; `spec.signerName`
/// when given. Every certificate must be a CA. The name is checked with
/// [`cluster_trust_bundle_name`].
pub fn cluster_trust_bundle(
    info: &BuildInfo<'_>,
    decisions: &Decisions<'_>,
    name: Option<&str>,
    signer_name: Option<&str>,
) -> Result<Vec<u8>, K8sError> {
    let name = cluster_trust_bundle_name(info.policy.purpose, name, signer_name)?;
    if let Some(d) = decisions.included().find(|d| !d.certificate.is_ca) {
        return Err(K8sError::NotCa {
            label: d.label().to_owned(),
            sha256: d.sha256().to_string(),
        });
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# CA certificates trusted for {}, as of {}, built by cabundle {}",
        info.policy.purpose.name(),
        info.policy.as_of,
        info.tool_version
    );
    let _ = writeln!(out, "apiVersion: {CLUSTER_TRUST_BUNDLE_API_VERSION}");
    out.push_str("kind: ClusterTrustBundle\n");
    out.push_str("metadata:\n");
    let _ = writeln!(out, "  name: {}", yaml_quoted(&name));
    out.push_str("spec:\n");
    if let Some(signer) = signer_name {
        let _ = writeln!(out, "  signerName: {}", yaml_quoted(signer));
    }
    out.push_str("  trustBundle: |\n");
    // Decisions hold each certificate once (keyed by SHA-256), so there are no duplicates.
    for line in bare_pem(decisions).lines() {
        let _ = writeln!(out, "    {line}");
    }
    Ok(out.into_bytes())
}

/// A checked name as a double-quoted YAML scalar (names may hold `:`): the checks refuse `"`,
/// `\\` and control characters, so nothing inside needs escaping.
fn yaml_quoted(s: &str) -> String {
    format!("\"{s}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        fn check(name: Option<&str>, signer: Option<&str>, expected: Result<&str, &str>) {
            let got = cluster_trust_bundle_name(Purpose::Tls, name, signer);
            match (got, expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want),
                (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{e}"),
                (got, want) => panic!("{name:?} {signer:?}: got {got:?}, want {want:?}"),
            }
        }
        check(None, None, Ok("cabundle-tls"));
        check(
            None,
            Some("example.com/foo"),
            Ok("example.com:foo:cabundle-tls"),
        );
        check(
            Some("example.com:foo:v1"),
            Some("example.com/foo"),
            Ok("example.com:foo:v1"),
        );
        check(
            Some("other"),
            Some("example.com/foo"),
            Err("must start with"),
        );
        check(
            Some("example.com:foo:"),
            Some("example.com/foo"),
            Err("must start with"),
        );
        check(Some("a:b"), None, Err("may not hold ':'"));
        check(Some("a/b"), None, Err("may not hold '/'"));
        check(Some(""), None, Err("not empty"));
        check(None, Some("example.com"), Err("DOMAIN/PATH"));
        check(None, Some("Example.com/x"), Err("DNS subdomain"));
        check(None, Some("example.com/"), Err("path after"));
        check(None, Some("example.com/a b"), Err("may not hold spaces"));
        check(Some("a\\b"), None, Err("may not hold '\\\\'"));
    }
}
