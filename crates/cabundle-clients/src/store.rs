//! Reading the certificates of a trust store: the one loader, with one set of rules, for a
//! client's store ([`load_store`]) and for a store named on the command line (the binary adds
//! files and directories to a [`StoreContents`] itself).
//!
//! The rules, in the order they apply:
//!
//! 1. A file is PEM (any number of `CERTIFICATE` or `TRUSTED CERTIFICATE` blocks, text around
//!    them) or DER (one certificate).
//! 2. A directory counts every regular file in it, hashed link (`<hash>.N`) or not, in
//!    file-name order; symbolic links are followed and each target is read once, so a hashed
//!    directory's links and the files they point to give each certificate once. Directories
//!    inside it are not entered. (OpenSSL itself looks a certificate up by its `<hash>.N`
//!    name: [`StoreContents::unlinked`] lists the files it would not find.)
//! 3. A file in a directory that holds no certificate (a CRL, a key, a README) or cannot be
//!    read is skipped and listed in [`StoreContents::unreadable`] with why; it is not an
//!    error. So is a file added by itself: whether that is an error is the caller's decision
//!    (a file named on the command line must hold a certificate).
//! 4. A certificate is kept once (by SHA-256), where it is first found.
//! 5. A path that does not exist is listed in [`StoreContents::missing`].
//! 6. Only regular files are read, of at most [`cabundle_cert::READ_CAP`] bytes (through
//!    [`cabundle_cert::read_bounded`]): a FIFO, a device or a larger file named by the store
//!    (`SSL_CERT_FILE=/dev/zero`) is listed in [`StoreContents::unreadable`] with why, never
//!    waited on or read into memory.

use crate::Store;
use cabundle_cert::{Certificate, Sha256Fingerprint};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The certificates of a store, and what could not be read. Start from
/// `StoreContents::default()` and add to it, or use [`load_store`].
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct StoreContents {
    /// Every distinct certificate (by SHA-256), in the order found: for a client, the
    /// certificates it reported, then the file, then the directories' files in name order.
    pub certificates: Vec<Certificate>,
    /// Paths the store names that do not exist.
    pub missing: Vec<PathBuf>,
    /// Files that exist but hold no certificate that could be read, with why.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Files of a directory whose certificates no `<hash>.N` name of that directory leads
    /// to: OpenSSL's lookup by subject hash does not find them until the directory is
    /// hashed again.
    pub unlinked: Vec<PathBuf>,
    seen: BTreeSet<Sha256Fingerprint>,
    read: BTreeSet<PathBuf>,
}

impl StoreContents {
    /// Whether every path the store names exists.
    pub fn exists(&self) -> bool {
        self.missing.is_empty()
    }

    /// Adds certificates read elsewhere (a file given as standard input, a client's own list);
    /// those already there are skipped (rule 4).
    pub fn add_certificates(&mut self, certs: impl IntoIterator<Item = Certificate>) {
        for c in certs {
            if self.seen.insert(c.sha256) {
                self.certificates.push(c);
            }
        }
    }

    /// Adds the certificates of PEM or DER bytes; `origin` names them in
    /// [`unreadable`](Self::unreadable) when they hold none. Returns how many they hold (new
    /// or not).
    pub fn add_bytes(&mut self, bytes: &[u8], origin: Option<&Path>) -> usize {
        let why = match cabundle_cert::read_certificates(bytes) {
            Ok(certs) if !certs.is_empty() => {
                let n = certs.len();
                self.add_certificates(certs);
                return n;
            }
            Ok(_) => "no certificate".to_owned(),
            Err(e) => e.to_string(),
        };
        if let Some(p) = origin {
            self.unreadable.push((p.to_owned(), why));
        }
        0
    }

    /// Adds the certificates of one file (rules 1, 3, 5); a file already read (through another
    /// link) adds nothing. Returns how many certificates the file holds.
    pub fn add_file(&mut self, path: &Path) -> usize {
        self.read_file(path).map_or(0, |certs| certs.len())
    }

    /// Adds the certificates of every file of a directory (rules 2 to 5).
    pub fn add_dir(&mut self, dir: &Path) {
        let entries = match fs_err::read_dir(dir) {
            Ok(entries) => entries,
            Err(_) if !dir.exists() => {
                self.missing.push(dir.to_owned());
                return;
            }
            Err(e) => {
                self.unreadable.push((dir.to_owned(), e.to_string()));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        // Which certificates a `<hash>.N` name leads to, and the files each other one is in.
        let mut linked: BTreeSet<Sha256Fingerprint> = BTreeSet::new();
        let mut elsewhere: BTreeMap<PathBuf, Vec<Sha256Fingerprint>> = BTreeMap::new();
        for path in paths.iter().filter(|p| p.is_file()) {
            let certs = self.read_file(path).unwrap_or_default();
            let found: Vec<Sha256Fingerprint> = certs.iter().map(|c| c.sha256).collect();
            let hashed = match (path.file_name(), certs.as_slice()) {
                (Some(name), [cert]) => [cert.subject_hash, cert.subject_hash_old]
                    .iter()
                    .any(|h| is_hash_name(name, &h.to_string())),
                _ => false,
            };
            if hashed {
                linked.extend(found);
            } else if !found.is_empty() {
                elsewhere.insert(path.clone(), found);
            }
        }
        for (path, found) in elsewhere {
            if !found.iter().all(|f| linked.contains(f)) {
                self.unlinked.push(path);
            }
        }
    }

    /// The certificates of one file, or `None` when it was read already or holds none.
    fn read_file(&mut self, path: &Path) -> Option<Vec<Certificate>> {
        if !path.exists() {
            self.missing.push(path.to_owned());
            return None;
        }
        let target = fs_err::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let first = self.read.insert(target);
        let bytes = match cabundle_cert::read_bounded(path, cabundle_cert::READ_CAP) {
            Ok(bytes) => bytes,
            Err(e) => {
                if first {
                    self.unreadable.push((path.to_owned(), e.reason()));
                }
                return None;
            }
        };
        match cabundle_cert::read_certificates(&bytes) {
            Ok(certs) if !certs.is_empty() => {
                if first {
                    self.add_certificates(certs.iter().cloned());
                }
                Some(certs)
            }
            Ok(_) => {
                if first {
                    self.unreadable
                        .push((path.to_owned(), "no certificate".to_owned()));
                }
                None
            }
            Err(e) => {
                if first {
                    self.unreadable.push((path.to_owned(), e.to_string()));
                }
                None
            }
        }
    }
}

/// Whether `name` is `<hash>.N`, a name OpenSSL looks a certificate with subject hash `hash`
/// up by (the new hash, or the old one of `rehash -old`).
fn is_hash_name(name: &OsStr, hash: &str) -> bool {
    name.to_str()
        .and_then(|n| n.strip_prefix(hash))
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads the store's certificates: what the client reported, the bundle file (unless it is a
/// keystore) and every file of the directories, by the rules above. A missing path or an
/// unreadable file is recorded, not an error.
pub fn load_store(store: &Store) -> StoreContents {
    let mut out = StoreContents::default();
    if let Some(text) = &store.reported {
        out.add_bytes(text.as_bytes(), None);
    }
    if let Some(file) = &store.file {
        if !file.exists() {
            out.missing.push(file.clone());
        } else if !store.file_is_keystore {
            out.add_file(file);
        }
    }
    if let Some(dirs) = &store.dir {
        for dir in std::env::split_paths(dirs) {
            out.add_dir(&dir);
        }
    }
    out
}
