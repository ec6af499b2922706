//! OpenSSL-compatible hashed certificate directories: a pure plan, then its application to disk.
//!
//! A CApath directory holds certificates and CRLs plus links named after the OpenSSL hash of
//! their subject (or issuer for CRLs): `hhhhhhhh.N` for certificates, `hhhhhhhh.rN` for CRLs.
//! This crate reproduces `openssl rehash` (OpenSSL's `apps/rehash.c`) in three steps:
//!
//! 1. [`scan`] reads a directory into a [`Listing`]: names, kinds, link targets and what each
//!    candidate file holds ([`Content`]). This is the only step that reads files.
//! 2. [`plan`] turns a listing into a [`Plan`]: which links to keep, create or remove, and
//!    the warnings OpenSSL would print. It is pure, so every rule is unit-tested on values.
//! 3. [`apply`] performs the plan's changes. A link already right is never touched.
//!
//! Architecture Invariant: nothing in this crate deletes or overwrites a regular file, or any
//! entry whose name is not a hash-link name (`hhhhhhhh.N`, `hhhhhhhh.rN`). Copies written by
//! `--copy` (hash-named files that start with [`COPY_MARKER`]) are the one kind of regular
//! file managed here: a user's file is recognised by the missing marker, not by its bytes, and
//! survives even when identical to a certificate beside it. The only other names removed are
//! this crate's own temporary names left by a killed run ([`remove_leftovers`], under the
//! directory's [`lock`]).
//!
//! Architecture Invariant: [`scan`] opens only regular files of at most
//! [`cabundle_cert::READ_CAP`] bytes (checked before opening, so a FIFO never blocks); a link
//! to anything else is skipped with a warning ([`Content::NotRegular`]).
//!
//! [`split_bundle`] and [`write_split`] turn a PEM bundle into one file per certificate.
//!
//! ```
//! use cabundle_capath::{Action, Content, Entry, EntryKind, HashedObject, Listing, Options, plan};
//! use cabundle_cert::{ObjectKind, Sha1Fingerprint, SubjectHash};
//!
//! // A directory with one certificate and a link left over from a removed one.
//! let object = HashedObject {
//!     kind: ObjectKind::Certificate,
//!     hash: SubjectHash(0x1234_abcd),
//!     hash_old: SubjectHash(0x5678_ef01),
//!     sha1: Sha1Fingerprint([7; 20]),
//! };
//! let file = EntryKind::File { content: Some(Content::Object(object)), bytes_sha1: None };
//! let stale = EntryKind::Symlink { target: Some("gone.pem".into()), content: None };
//! let listing = Listing {
//!     entries: vec![
//!         Entry { name: "root.pem".into(), kind: file },
//!         Entry { name: "deadbeef.0".into(), kind: stale },
//!     ],
//! };
//! let plan = plan(&listing, &Options::default());
//! for action in plan.changes() {
//!     match action {
//!         Action::Link { link, target, .. } => println!("link {link} -> {target:?}"),
//!         Action::Remove { link, .. } => println!("remove {link}"),
//!         Action::Keep { .. } => {}
//!     }
//! }
//! assert_eq!(plan.changes().count(), 2);
//! ```

mod apply;
mod content;
mod copy;
mod error;
mod lock;
mod plan;
mod scan;
mod split;

pub use apply::{apply, remove_leftovers};
pub use content::{Content, HashedObject, classify, has_candidate_extension};
pub use copy::{COPY_MARKER, copy_bytes, is_copy};
pub use error::{Error, Result};
pub use lock::{DirLock, lock};
pub use plan::{
    Action, Diagnostic, DiagnosticKind, Existing, LinkName, Plan, Severity, parse_link_name, plan,
};
pub use scan::scan;
pub use split::{SplitFile, split_bundle, write_split};

use std::ffi::OsString;

/// Which subject-name hashes to create links for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Hashes {
    /// `X509_NAME_hash` (SHA-1 based), what OpenSSL 1.0.0 and later look up. The default.
    #[default]
    New,
    /// `X509_NAME_hash_old` (MD5 based), for OpenSSL before 1.0.0 (`-old`).
    Old,
    /// Both kinds (`-compat`).
    Both,
}

/// How a directory is hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Which hashes to link.
    pub hashes: Hashes,
    /// Remove hash links that are no longer needed (OpenSSL's default; `-n` turns it off).
    pub remove_links: bool,
    /// Write copies instead of symbolic links (converting links already there), and remove
    /// copies of nothing current. Copies are recognised with or without this.
    pub copy: bool,
    /// Also hash DER files (and files ending in `.der`). OpenSSL reads PEM only.
    pub der: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            hashes: Hashes::New,
            remove_links: true,
            copy: false,
            der: false,
        }
    }
}

/// What a directory holds, as [`plan`] needs it. Produced by [`scan`], or built by hand in tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// The entries, in any order ([`plan`] sorts them by name bytes like OpenSSL).
    pub entries: Vec<Entry>,
}

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The file name (no directory part).
    pub name: OsString,
    /// What it is.
    pub kind: EntryKind,
}

/// The kind of a directory entry, with what [`plan`] needs to know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A symbolic link. `target` is its text when the name is a hash-link name (else `None`);
    /// `content` is what the file it points to holds when the name has a certificate extension.
    Symlink {
        /// The link's target text, as `readlink` returns it.
        target: Option<OsString>,
        /// The content read through the link, for names with a certificate extension.
        content: Option<Content>,
    },
    /// A regular file.
    File {
        /// What it holds, for names with a certificate extension.
        content: Option<Content>,
        /// For a candidate file holding one object, SHA-1 of the copy `--copy` writes of it
        /// ([`copy_bytes`]); for a hash-named file that is such a copy ([`is_copy`]), SHA-1 of
        /// its bytes. The plan matches the two; a hash-named file without the marker is the
        /// user's and has none.
        bytes_sha1: Option<[u8; 20]>,
    },
    /// A directory, socket, device or anything else.
    Other {
        /// What reading it gave, for names with a certificate extension.
        content: Option<Content>,
    },
}
