//! What verification reads from a bundle's manifest (the `cabundle-manifest` type): which
//! root the bundle's policy left out, found by fingerprint or by the label its issuer names.

use cabundle_cert::Certificate;
use cabundle_manifest::{Excluded, Manifest};

/// The exclusion that explains why `cert`'s issuer is missing: `cert` itself when it is
/// self-issued (found by SHA-256), else the root whose label is the common name of `cert`'s
/// issuer.
pub(crate) fn excluded_issuer<'m>(
    manifest: &'m Manifest,
    cert: &Certificate,
    self_issued: bool,
) -> Option<&'m Excluded> {
    if self_issued {
        manifest.excluded_by_sha256(&cert.sha256)
    } else {
        // The issuer's common name, from the parsed name (never from display text).
        let issuer_cn = cabundle_cert::common_name(&cert.issuer_der)?;
        manifest.excluded_by_label(issuer_cn.trim())
    }
}
