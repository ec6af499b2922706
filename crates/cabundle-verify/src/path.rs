//! Path building that backtracks, as OpenSSL's does: every certificate whose subject is the
//! issuer's name is a candidate issuer, from the trust store and from the chain and the
//! untrusted certificates; candidates are tried best first (key identifiers that match, then
//! valid at the time checked, then allowed to sign certificates, then trusted), depth first,
//! and a candidate that leads nowhere is taken back and the next one tried.
//!
//! A link is taken only when the issuer's key verifies the signature (checked once per pair,
//! with webpki's algorithms through `cabundle_cert::Certificate::signature_check`). A link
//! whose issuer may not sign certificates (basicConstraints, keyUsage, pathLenConstraint) or
//! whose key cannot be used (too small, unsupported) is taken with a fault, so that the path
//! reported is the one a client would build, and the fault names the real cause; a path
//! without faults is preferred to any path with one.
//!
//! The search is bounded: at most [`MAX_DEPTH`] certificates in a path, at most
//! [`MAX_CANDIDATES`] candidate issuers tried in all. The result is the best path found: the
//! first one that reaches a trust anchor without fault, else the one to an anchor with the
//! fewest faults, else the one that got furthest.

use cabundle_cert::{Certificate, Sha256Fingerprint};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;

/// Longest path tried (leaf, intermediates and root).
pub(crate) const MAX_DEPTH: usize = 10;

/// Most candidate issuers tried in one search, all steps together.
pub(crate) const MAX_CANDIDATES: usize = 256;

/// RSA keys below this size are refused (webpki's and the CA/Browser Forum's minimum).
pub(crate) const MIN_RSA_BITS: u32 = 2048;

/// One certificate the search may use.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<'a> {
    pub(crate) cert: &'a Certificate,
    /// From the trust store.
    pub(crate) trusted: bool,
    /// From the untrusted certificates given beside the chain.
    pub(crate) supplied: bool,
}

/// Why a certificate may not issue the one below it in the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerFault {
    /// It has no basicConstraints extension (and no keyUsage allowing certificate signing).
    NoBasicConstraints,
    /// Its basicConstraints say `CA:FALSE`.
    NotCa,
    /// Its keyUsage extension is present and lacks keyCertSign.
    NoKeyCertSign,
    /// Its pathLenConstraint allows fewer intermediates below it than the path has.
    PathLength {
        /// The pathLenConstraint.
        max: u32,
        /// How many intermediates (not self-issued) are below it.
        below: u32,
    },
}

/// Why the issuer OpenSSL takes first leads nowhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadEnd {
    /// It is self-signed and not in the trust store (a self-signed copy of an intermediate,
    /// with its name and key): OpenSSL stops there, at a root it does not trust.
    SelfSigned,
    /// It has the issuer's name, but its key did not make the signature (a root or
    /// intermediate of the same name with another key).
    WrongKey,
}

/// What is wrong with one certificate of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// It may not issue the certificate below it.
    Issuer(IssuerFault),
    /// Its RSA key is too small to be checked.
    KeyTooSmall { bits: u32 },
    /// Its key's type or curve is not supported.
    UnsupportedKey { key: String },
}

/// How a path ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// At a trust anchor.
    Anchor,
    /// At a self-signed certificate that is not in the store.
    SelfSigned,
    /// At a certificate no candidate issued: none has the issuer's name, or (`wrong_key`)
    /// those that have it did not make the signature.
    NoIssuer { wrong_key: bool },
    /// At the depth limit.
    Depth,
}

/// A path the search built, leaf first.
#[derive(Clone, Debug)]
pub(crate) struct Built<'a> {
    pub(crate) steps: Vec<Node<'a>>,
    /// Faults by index into `steps`, in path order.
    pub(crate) faults: Vec<(usize, Fault)>,
    pub(crate) end: End,
    /// Certificates outside their validity at the time checked.
    pub(crate) out_of_date: usize,
}

impl Built<'_> {
    fn is_clean(&self) -> bool {
        self.end == End::Anchor && self.faults.is_empty() && self.out_of_date == 0
    }

    /// Larger is better: to an anchor, then fewer faults, then longer.
    fn score(&self) -> (bool, std::cmp::Reverse<usize>, usize) {
        (
            self.end == End::Anchor,
            std::cmp::Reverse(self.faults.len() + self.out_of_date),
            self.steps.len(),
        )
    }
}

/// The outcome of a search.
#[derive(Clone, Debug)]
pub(crate) struct Outcome<'a> {
    /// The best path found.
    pub(crate) best: Built<'a>,
    /// Set when the search stopped at [`MAX_CANDIDATES`] before it found a path without
    /// fault: the number of candidates tried.
    pub(crate) stopped_after: Option<usize>,
    /// When the best path has no fault but OpenSSL, which takes the first likely issuer and
    /// does not go back, takes a dead end: the certificate, the issuer it takes for it, and
    /// why that one leads nowhere.
    pub(crate) openssl_dead_end: Option<(Node<'a>, Node<'a>, DeadEnd)>,
}

/// The search's state: the certificates by subject, memoised signature checks, the budget.
struct Search<'a> {
    nodes: Vec<Node<'a>>,
    by_subject: HashMap<&'a [u8], Vec<usize>>,
    signatures: HashMap<(usize, usize), Option<bool>>,
    tried: usize,
    stopped: bool,
    best: Option<Built<'a>>,
    at: OffsetDateTime,
    partial_chain: bool,
}

/// Builds the best path from `leaf` over `store` (trusted), `given` (the rest of the chain)
/// and `supplied` (other untrusted certificates). A certificate given twice is used once,
/// as trusted if the store holds it.
pub(crate) fn build<'a>(
    leaf: &'a Certificate,
    given: &'a [Certificate],
    supplied: &'a [Certificate],
    store: &'a [Certificate],
    at: OffsetDateTime,
    partial_chain: bool,
) -> Outcome<'a> {
    let mut nodes = vec![Node {
        cert: leaf,
        trusted: store.iter().any(|s| s.sha256 == leaf.sha256),
        supplied: false,
    }];
    let mut seen: HashSet<Sha256Fingerprint> = HashSet::from([leaf.sha256]);
    let all = store
        .iter()
        .map(|c| (c, true, false))
        .chain(given.iter().map(|c| (c, false, false)))
        .chain(supplied.iter().map(|c| (c, false, true)));
    for (cert, trusted, supplied) in all {
        if seen.insert(cert.sha256) {
            nodes.push(Node {
                cert,
                trusted,
                supplied,
            });
        }
    }
    let mut by_subject: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        by_subject
            .entry(n.cert.subject_der.as_slice())
            .or_default()
            .push(i);
    }
    let mut search = Search {
        nodes,
        by_subject,
        signatures: HashMap::new(),
        tried: 0,
        stopped: false,
        best: None,
        at,
        partial_chain,
    };
    let mut path = vec![0];
    let mut faults: Vec<(usize, Fault)> = key_fault(leaf).map(|f| (0, f)).into_iter().collect();
    let clean = search.dfs(&mut path, &mut faults);
    let stopped_after = search.stopped.then_some(search.tried);
    let openssl_dead_end = if clean {
        search
            .openssl_first()
            .map(|(child, taken, why)| (search.nodes[child], search.nodes[taken], why))
    } else {
        None
    };
    let leaf_node = search.nodes[0];
    let best = search.best.unwrap_or_else(|| Built {
        steps: vec![leaf_node],
        faults: Vec::new(),
        end: End::NoIssuer { wrong_key: false },
        out_of_date: 0,
    });
    Outcome {
        best,
        stopped_after,
        openssl_dead_end,
    }
}

impl<'a> Search<'a> {
    fn is_anchor(&self, n: Node<'_>) -> bool {
        n.trusted && (self.partial_chain || n.cert.is_self_issued())
    }

    fn valid_at(&self, c: &Certificate) -> bool {
        c.not_before <= self.at && self.at <= c.not_after
    }

    /// Whether `issuer`'s key made `child`'s signature: `None` when it cannot be checked.
    fn signed(&mut self, child: usize, issuer: usize) -> Option<bool> {
        let (c, i) = (self.nodes[child].cert, self.nodes[issuer].cert);
        *self
            .signatures
            .entry((child, issuer))
            .or_insert_with(|| c.signature_check(i))
    }

    /// Whether `n` is the top of a path: self-issued and signed with its own key (or its
    /// signature cannot be checked). A self-issued certificate signed by another key (a key
    /// rollover) is a step like any other.
    fn is_self_signed(&mut self, n: usize) -> bool {
        self.nodes[n].cert.is_self_issued() && self.signed(n, n) != Some(false)
    }

    /// The certificates named as `cur`'s issuer, in the order they were given, but those on
    /// `path` already.
    fn named_issuers<'s>(
        &'s self,
        cur: usize,
        path: &'s [usize],
    ) -> impl Iterator<Item = usize> + 's {
        self.by_subject
            .get(self.nodes[cur].cert.issuer_der.as_slice())
            .into_iter()
            .flatten()
            .copied()
            .filter(move |i| !path.contains(i))
    }

    /// The candidate issuers of `cur`, best first.
    fn candidates(&self, cur: usize, path: &[usize]) -> Vec<usize> {
        let cert = self.nodes[cur].cert;
        let mut out: Vec<usize> = self.named_issuers(cur, path).collect();
        out.sort_by_key(|&i| {
            let n = self.nodes[i];
            let key_match = match (&cert.authority_key_id, &n.cert.subject_key_id) {
                (Some(a), Some(s)) if a == s => 0,
                (Some(_), Some(_)) => 2,
                _ => 1,
            };
            let signs = n.cert.key_usage.is_none_or(|ku| ku.key_cert_sign);
            (key_match, !self.valid_at(n.cert), !signs, !n.trusted)
        });
        out
    }

    /// Offers a path that ended; keeps it when it is better than the best so far.
    fn offer(&mut self, path: &[usize], faults: &[(usize, Fault)], end: End) -> bool {
        let steps: Vec<Node<'a>> = path.iter().map(|&i| self.nodes[i]).collect();
        let out_of_date = steps.iter().filter(|n| !self.valid_at(n.cert)).count();
        let built = Built {
            steps,
            faults: faults.to_vec(),
            end,
            out_of_date,
        };
        let clean = built.is_clean();
        if self.best.as_ref().is_none_or(|b| built.score() > b.score()) {
            self.best = Some(built);
        }
        clean
    }

    /// The issuer OpenSSL (3.0) takes for `cur`, as its `build_chain` does with the default
    /// flags: the store first, then the untrusted certificates in the order given; among
    /// those with the issuer's name and a key identifier that does not contradict the
    /// certificate's, the first valid at the time checked, else the one that expires last.
    /// It checks no signature here, and never goes back.
    fn openssl_pick(&self, cur: usize, path: &[usize]) -> Option<usize> {
        let cert = self.nodes[cur].cert;
        let likely: Vec<usize> = self
            .named_issuers(cur, path)
            .filter(
                |&i| match (&cert.authority_key_id, &self.nodes[i].cert.subject_key_id) {
                    (Some(a), Some(s)) => a == s,
                    _ => true,
                },
            )
            .collect();
        let first = |trusted: bool| {
            let all: Vec<usize> = likely
                .iter()
                .copied()
                .filter(|&i| self.nodes[i].trusted == trusted)
                .collect();
            all.iter()
                .copied()
                .find(|&i| self.valid_at(self.nodes[i].cert))
                .or_else(|| {
                    all.iter()
                        .copied()
                        .max_by_key(|&i| self.nodes[i].cert.not_after)
                })
        };
        first(true).or_else(|| first(false))
    }

    /// Follows OpenSSL's choices from the leaf: the first link whose issuer did not make the
    /// signature, or that ends at a self-signed certificate outside the store, as (the
    /// certificate, the issuer taken, why it is a dead end). `None` when OpenSSL reaches an
    /// anchor too, or when its walk ends some other way (the search's own verdict then
    /// stands).
    fn openssl_first(&mut self) -> Option<(usize, usize, DeadEnd)> {
        let mut path = vec![0];
        while path.len() < MAX_DEPTH {
            let cur = *path.last()?;
            if self.is_anchor(self.nodes[cur]) || self.is_self_signed(cur) {
                return None;
            }
            let next = self.openssl_pick(cur, &path)?;
            if self.signed(cur, next) == Some(false) {
                return Some((cur, next, DeadEnd::WrongKey));
            }
            if !self.is_anchor(self.nodes[next]) && self.is_self_signed(next) {
                return Some((cur, next, DeadEnd::SelfSigned));
            }
            path.push(next);
        }
        None
    }

    /// Extends `path` depth first; `true` when a path without fault was found (the search
    /// stops there).
    fn dfs(&mut self, path: &mut Vec<usize>, faults: &mut Vec<(usize, Fault)>) -> bool {
        let Some(&cur) = path.last() else {
            return false;
        };
        if self.is_anchor(self.nodes[cur]) {
            return self.offer(path, faults, End::Anchor);
        }
        if self.is_self_signed(cur) {
            return self.offer(path, faults, End::SelfSigned);
        }
        if path.len() >= MAX_DEPTH {
            return self.offer(path, faults, End::Depth);
        }
        let mut linked = false;
        let mut wrong_key = false;
        for next in self.candidates(cur, path) {
            if self.tried >= MAX_CANDIDATES {
                self.stopped = true;
                return false;
            }
            self.tried += 1;
            let issuer = self.nodes[next].cert;
            let key = key_fault(issuer);
            // A key that cannot be used cannot check the signature either: the name is all
            // there is to go by, and the fault says why.
            if key.is_none() && self.signed(cur, next) == Some(false) {
                wrong_key = true;
                continue;
            }
            linked = true;
            let before = faults.len();
            let index = path.len();
            faults.extend(key.map(|f| (index, f)));
            faults.extend(issuer_fault(&self.nodes, path, next).map(|f| (index, Fault::Issuer(f))));
            path.push(next);
            let found = self.dfs(path, faults);
            path.pop();
            faults.truncate(before);
            if found || self.stopped {
                return found;
            }
        }
        if !linked {
            return self.offer(path, faults, End::NoIssuer { wrong_key });
        }
        false
    }
}

/// Why `nodes[issuer]` may not issue the last certificate of `path`, as OpenSSL checks it.
fn issuer_fault(nodes: &[Node<'_>], path: &[usize], issuer: usize) -> Option<IssuerFault> {
    let cert = nodes[issuer].cert;
    let signs = cert.key_usage.is_none_or(|ku| ku.key_cert_sign);
    // OpenSSL takes a certificate without basicConstraints as a CA when its keyUsage allows
    // certificate signing, and a trusted self-signed one (an old v1 root).
    let ca_without_constraints =
        (cert.key_usage.is_some() && signs) || (nodes[issuer].trusted && cert.is_self_issued());
    match cert.basic_constraints {
        Some(bc) if !bc.ca => return Some(IssuerFault::NotCa),
        None if !ca_without_constraints => return Some(IssuerFault::NoBasicConstraints),
        _ => {}
    }
    if !signs {
        return Some(IssuerFault::NoKeyCertSign);
    }
    let max = cert.basic_constraints.and_then(|bc| bc.path_len)?;
    // Intermediates below it: the path without the leaf, self-issued ones not counted.
    let below = path
        .iter()
        .skip(1)
        .filter(|&&i| !nodes[i].cert.is_self_issued())
        .count();
    let below = u32::try_from(below).unwrap_or(u32::MAX);
    (below > max).then_some(IssuerFault::PathLength { max, below })
}

/// Why a certificate's key cannot be used to check signatures, if it cannot.
pub(crate) fn key_fault(cert: &Certificate) -> Option<Fault> {
    let key = &cert.key;
    match key.algorithm.as_str() {
        "RSA" | "RSA-PSS" => match key.bits {
            Some(bits) if bits < MIN_RSA_BITS => Some(Fault::KeyTooSmall { bits }),
            _ => None,
        },
        "EC" => match key.curve.as_deref() {
            Some("P-256" | "P-384" | "P-521") => None,
            Some("1.2.840.10045.3.1.1") => Some(Fault::UnsupportedKey {
                key: "EC P-192".to_owned(),
            }),
            Some(other) => Some(Fault::UnsupportedKey {
                key: format!("EC curve {other}"),
            }),
            None => Some(Fault::UnsupportedKey {
                key: "EC with explicit curve parameters".to_owned(),
            }),
        },
        "Ed25519" => None,
        other => Some(Fault::UnsupportedKey {
            key: other.to_owned(),
        }),
    }
}
