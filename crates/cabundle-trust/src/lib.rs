//! The pure parts of making a machine trust a CA, and of undoing it exactly.
//!
//! - [`layout`]: each distribution family's system trust store (where anchors go, which tool
//!   rebuilds the bundle, which Java keystore it also refreshes), detected from marker paths.
//! - [`block`]: a marked block in a file someone else owns (a shell startup file), added and
//!   removed byte for byte, and removed from marker to marker when edited since.
//! - [`journal`]: every change recorded before it is made, with what was there before, in a
//!   format the next run reads back, so that an undo is exact and a killed run converges.
//!
//! Nothing here reads or writes a file or runs a tool: the binary does, through these types.
//!
//! ```
//! use cabundle_trust::block::{block, insertion, remove, Removed};
//!
//! let profile = b"export PATH=$HOME/bin:$PATH\n";
//! let added = insertion(profile, &block("export SSL_CERT_FILE='/x.pem'\n"));
//! let edited = [&profile[..], added.as_bytes()].concat();
//! assert_eq!(remove(&edited, &added), Removed::Exact(profile.to_vec()));
//! assert_eq!(cabundle_trust::label("9f86d081884c7d65"), "cabundle-9f86d081884c7d65");
//! ```

pub mod block;
pub mod journal;
pub mod layout;

/// Errors reading a journal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not a journal.
    #[error("not a journal of cabundle's")]
    Journal(#[source] serde_json::Error),
    /// A journal of a format this version does not know.
    #[error("a journal in format {0}, which this version of cabundle does not read")]
    Format(u32),
}

/// This crate's results.
pub type Result<T> = std::result::Result<T, Error>;

/// The name cabundle gives a root in every store (file name, nickname, alias): `cabundle-` and
/// the first 16 hex digits of its SHA-256.
pub fn label(sha256_hex: &str) -> String {
    let short: String = sha256_hex.chars().take(16).collect();
    format!("cabundle-{short}")
}
