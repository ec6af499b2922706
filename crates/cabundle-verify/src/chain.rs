//! `order_chain`: sort certificates given in any order into leaf, intermediates and root.

use crate::diagnose::{is_self_issued, pick_issuer};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use time::OffsetDateTime;

/// A chain put in order.
#[derive(Clone, Debug)]
pub struct Ordered {
    /// Leaf first, then each issuer; ends at a root when one was given or found in the bundle.
    pub chain: Vec<Certificate>,
    /// Whether the last certificate is self-issued (a root).
    pub complete: bool,
    /// Whether the root came from the bundle rather than the given certificates.
    pub root_from_bundle: bool,
    /// The certificate whose issuer could not be found, when incomplete.
    pub missing_issuer_of: Option<Certificate>,
    /// Given certificates that are not part of the chain (other leaves, unrelated CAs).
    pub unused: Vec<Certificate>,
}

/// Orders `certs` (duplicates dropped) into a chain. The leaf is the certificate that issued
/// no other one (a non-CA first); each issuer is found by name and key identifier among
/// `certs`, then in `bundle`. `at` breaks ties between cross-signed issuers.
pub fn order_chain(
    certs: &[Certificate],
    bundle: &[Certificate],
    at: OffsetDateTime,
) -> Option<Ordered> {
    let mut unique: Vec<Certificate> = Vec::new();
    for c in certs {
        if !unique.iter().any(|u| u.sha256 == c.sha256) {
            unique.push(c.clone());
        }
    }
    let issues_another = |c: &Certificate| {
        unique
            .iter()
            .any(|o| o.sha256 != c.sha256 && !is_self_issued(o) && o.issuer_der == c.subject_der)
    };
    let leaf = unique
        .iter()
        .filter(|c| !issues_another(c))
        .min_by_key(|c| (c.is_ca, is_self_issued(c)))?
        .clone();

    let unique_refs: Vec<&Certificate> = unique.iter().collect();
    let bundle_refs: Vec<&Certificate> = bundle.iter().collect();
    let mut chain = vec![leaf];
    let mut root_from_bundle = false;
    let mut missing_issuer_of = None;
    let mut complete = false;
    while let Some(cur) = chain.last() {
        if is_self_issued(cur) {
            complete = true;
            break;
        }
        let used: Vec<Sha256Fingerprint> = chain.iter().map(|c| c.sha256).collect();
        if let Some(next) = pick_issuer(cur, &unique_refs, &used, at) {
            chain.push(next.clone());
        } else if let Some(next) = pick_issuer(cur, &bundle_refs, &used, at) {
            root_from_bundle = true;
            chain.push(next.clone());
        } else {
            missing_issuer_of = Some(cur.clone());
            break;
        }
    }
    let unused = unique
        .into_iter()
        .filter(|u| !chain.iter().any(|c| c.sha256 == u.sha256))
        .collect();
    Some(Ordered {
        chain,
        complete,
        root_from_bundle,
        missing_issuer_of,
        unused,
    })
}
