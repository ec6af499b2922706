//! Certificate path building and validation that explains failures in words a person can act on.
//!
//! Pure: takes parsed certificates, a date and options; returns values. The cryptographic
//! verdict comes from `rustls-webpki`; the explanation comes from walking the chain by names
//! and key identifiers and checking dates here, because webpki's errors are terse.
//!
//! - [`verify`] builds the path and explains why it fails ([`Report`], [`Problem`]).
//! - [`order_chain`] sorts a heap of certificates into leaf, intermediates, root.
//! - [`expiring`] lists certificates that expire within a window.
//! - [`parse_window`] parses what users type; [`parse_date`] (for `--at`) is
//!   `cabundle_cert::date::parse_moment` and [`Manifest`] is `cabundle-manifest`'s type.

mod chain;
mod diagnose;
mod error;
mod expiring;
mod manifest;
mod parse;

pub use cabundle_cert::Purpose;
pub use cabundle_cert::date::{format_moment as format_date, parse_moment as parse_date};
pub use cabundle_manifest::{Excluded, Manifest};
pub use chain::{Ordered, order_chain};
pub use diagnose::{Link, Options, Problem, Rejection, Report, Role, verify};
pub use error::{Error, Result};
pub use expiring::{Expiring, expiring};
pub use parse::parse_window;

#[cfg(test)]
mod tests;
