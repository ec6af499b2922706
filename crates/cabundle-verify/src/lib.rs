//! Certificate path building and validation that explains failures in words a person can act on.
//!
//! Pure: takes parsed certificates, a date and options; returns values. The cryptographic
//! verdict comes from `rustls-webpki`; the explanation comes from walking the chain by names
//! and key identifiers and checking dates here, because webpki's errors are terse.
//!
//! - [`verify`] builds the path and explains why it fails ([`Report`], [`Problem`]).
//! - [`order_chain`] sorts a heap of certificates into leaf, intermediates, root.
//! - [`expiring`] lists certificates that expire within a window.
//! - [`parse_date`], [`parse_window`] and [`Manifest`] parse what users type and files.

mod chain;
mod diagnose;
mod error;
mod expiring;
mod extras;
mod manifest;
mod parse;

pub use chain::{Ordered, order_chain};
pub use diagnose::{Link, Options, Problem, Purpose, Rejection, Report, Role, verify};
pub use error::{Error, Result};
pub use expiring::{Expiring, expiring};
pub use extras::{Extras, extras};
pub use manifest::{Excluded, Manifest};
pub use parse::{format_date, parse_date, parse_window, to_pem};

#[cfg(test)]
mod tests;
