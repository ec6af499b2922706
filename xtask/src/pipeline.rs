//! Runs the build pipeline `cabundle build` uses (the `cabundle-build` crate) for a recipe,
//! and turns its result into the outputs' terms.

use crate::archive::Node;
use crate::outputs::{Built, Left, Listed};
use crate::recipe::Bundle;
use anyhow::{Context, Result};
use cabundle_build::CapathEntryKind;
use cabundle_policy::{Exclusion, PolicyOptions, Reason};

/// The policy options of a bundle: its recipe at the as-of date of its lock.
pub fn policy_options(bundle: &Bundle) -> Result<PolicyOptions> {
    let policy = &bundle.recipe.policy;
    let mut opts = PolicyOptions::new(policy.purpose, bundle.lock.as_of()?);
    opts.distrust_grace_days = policy.distrust_grace_days;
    opts.include_expired = policy.include_expired;
    opts.excludes = bundle
        .recipe
        .exclude
        .iter()
        .map(|e| {
            Ok(Exclusion {
                sha256: cabundle_build::parse_fingerprint(&e.sha256)?,
                reason: e.reason.clone(),
            })
        })
        .collect::<Result<_, cabundle_build::Error>>()?;
    Ok(opts)
}

/// Builds a bundle from the bytes of its pinned source. The source is named by its URL in
/// the outputs, so where the file was found leaves no trace.
pub fn build(bundle: &Bundle, report: &[u8]) -> Result<Built> {
    let opts = policy_options(bundle)?;
    let built = cabundle_build::build(report, &bundle.lock.source.url, &opts, &[])
        .with_context(|| format!("cannot build bundle `{}`", bundle.name))?;
    let decisions = built.decisions();
    let included = decisions
        .included()
        .map(|d| Listed {
            sha256: d.sha256().to_string(),
            subject_hash: d.certificate.subject_hash.to_string(),
            label: d.label().to_owned(),
        })
        .collect();
    let excluded = decisions
        .excluded()
        .map(|(d, reason)| {
            let sha256 = d.sha256().to_string();
            let reason = match reason {
                Reason::Excluded { reason } => format!("excluded by the recipe: {reason}"),
                other => other.to_string(),
            };
            Left {
                sha256,
                label: d.label().to_owned(),
                reason,
            }
        })
        .collect();
    let capath = built
        .capath()
        .iter()
        .map(|e| {
            let node = match &e.kind {
                CapathEntryKind::File(bytes) => Node::File(bytes.clone()),
                CapathEntryKind::Link(target) => Node::Symlink(target.clone()),
            };
            (e.name.clone(), node)
        })
        .collect();
    Ok(Built {
        pem: built.pem().to_vec(),
        manifest: built.manifest().to_vec(),
        capath,
        included,
        excluded,
    })
}
