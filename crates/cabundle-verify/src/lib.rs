//! Certificate path building and validation that explains failures in words a person can act on.
//!
//! Pure: takes parsed certificates, a date and options; returns values. The cryptographic
//! verdict comes from `rustls-webpki`; the explanation comes from walking the chain by names
//! and key identifiers and checking dates here, because webpki's errors are terse.
//!
//! - [`verify`] builds the path and explains why it fails ([`Report`], [`Problem`]). The
//!   path search backtracks: every certificate with the issuer's name is tried, from the
//!   store and from the chain, until a path reaches a trust anchor or the search's bounds
//!   (depth and candidates tried) are reached.
//! - [`order_chain`] sorts a heap of certificates into leaf, intermediates, root.
//! - [`expiring`] lists certificates that expire within a window.
//! - [`revocation`] says whether a certificate is revoked by what a CRL, an OCSP response or
//!   a list of revoked certificates says, each answer with its source and reason.
//! - [`parse_window`] parses a window people type (`90d`); the date of a verification is
//!   read with `cabundle_cert::date::parse_moment` (RFC 3339 or `YYYY-MM-DD`) and written
//!   with `format_moment`, and [`Manifest`] is `cabundle-manifest`'s type.
//!
//! ```
//! use cabundle_cert::read_certificates;
//! use cabundle_cert::date::parse_moment;
//! use cabundle_verify::{Options, Purpose, verify};
//! use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A root and a leaf for `www.example.test` issued by it.
//! let (root_key, leaf_key) = (KeyPair::generate()?, KeyPair::generate()?);
//! let mut root = CertificateParams::new(Vec::<String>::new())?;
//! root.distinguished_name.push(DnType::CommonName, "Example Root CA");
//! root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
//! let root_pem = root.self_signed(&root_key)?.pem();
//! let leaf = CertificateParams::new(vec!["www.example.test".to_owned()])?
//!     .signed_by(&leaf_key, &Issuer::from_params(&root, &root_key))?;
//!
//! let chain = read_certificates(leaf.pem().as_bytes())?;
//! let store = read_certificates(root_pem.as_bytes())?;
//! let mut opts = Options {
//!     at: parse_moment("2026-07-01")?,
//!     hostname: Some("www.example.test".to_owned()),
//!     purpose: Purpose::Tls,
//!     manifest: None,
//!     partial_chain: false,
//! };
//! assert!(verify(&chain, &store, &opts)?.is_valid());
//! opts.hostname = Some("other.example.test".to_owned());
//! let report = verify(&chain, &store, &opts)?;
//! assert!(!report.is_valid());
//! for problem in &report.problems {
//!     println!("{problem}");
//! }
//! # Ok(())
//! # }
//! ```

mod chain;
mod diagnose;
mod error;
mod expiring;
mod manifest;
mod parse;
mod path;
pub mod revocation;
mod strict;

pub use cabundle_cert::Purpose;
pub use cabundle_manifest::{Excluded, Manifest};
pub use chain::{Ordered, order_chain};
pub use diagnose::{Link, Note, Options, Problem, Rejection, Report, Role, verify, verify_with};
pub use error::{Error, Result};
pub use expiring::{Expiring, expiring};
pub use parse::parse_window;
pub use path::{DeadEnd, IssuerFault};
pub use strict::{Family, Rule, Violation};

#[cfg(test)]
mod tests;
