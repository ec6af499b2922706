//! Reading the certificates of one client's store.

use crate::Store;
use cabundle_cert::{Certificate, Sha256Fingerprint};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The certificates of a [`Store`], and what could not be read.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct StoreContents {
    /// Every distinct certificate (by SHA-256), in the order found: the certificates the
    /// client reported, then the file, then the directory's files in name order.
    pub certificates: Vec<Certificate>,
    /// Paths the store names that do not exist.
    pub missing: Vec<PathBuf>,
    /// Files that exist but hold no certificate that could be read, with why.
    pub unreadable: Vec<(PathBuf, String)>,
}

impl StoreContents {
    /// Whether every path the store names exists.
    pub fn exists(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Reads the store's certificates: what the client reported, the bundle file (unless it is a
/// keystore) and every file of the directories (symbolic links followed, each target read
/// once). A missing path or an unreadable file is recorded, not an error.
pub fn load_store(store: &Store) -> StoreContents {
    let mut out = Loader::default();
    if let Some(text) = &store.reported {
        out.add(text.as_bytes(), None);
    }
    if let Some(file) = &store.file {
        if !file.exists() {
            out.contents.missing.push(file.clone());
        } else if !store.file_is_keystore {
            out.read_file(file);
        }
    }
    if let Some(dirs) = &store.dir {
        for dir in std::env::split_paths(dirs) {
            out.read_dir(&dir);
        }
    }
    out.contents
}

#[derive(Default)]
struct Loader {
    contents: StoreContents,
    seen: BTreeSet<Sha256Fingerprint>,
    read: BTreeSet<PathBuf>,
}

impl Loader {
    fn add(&mut self, bytes: &[u8], path: Option<&Path>) {
        match cabundle_cert::read_certificates(bytes) {
            Ok(certs) if !certs.is_empty() => {
                for c in certs {
                    if self.seen.insert(c.sha256) {
                        self.contents.certificates.push(c);
                    }
                }
            }
            Ok(_) => {
                if let Some(p) = path {
                    let why = "no certificate".to_owned();
                    self.contents.unreadable.push((p.to_owned(), why));
                }
            }
            Err(e) => {
                if let Some(p) = path {
                    self.contents.unreadable.push((p.to_owned(), e.to_string()));
                }
            }
        }
    }

    fn read_file(&mut self, path: &Path) {
        let target = fs_err::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        if !self.read.insert(target) {
            return;
        }
        match fs_err::read(path) {
            Ok(bytes) => self.add(&bytes, Some(path)),
            Err(e) => self
                .contents
                .unreadable
                .push((path.to_owned(), e.to_string())),
        }
    }

    fn read_dir(&mut self, dir: &Path) {
        let entries = match fs_err::read_dir(dir) {
            Ok(entries) => entries,
            Err(_) if !dir.exists() => {
                self.contents.missing.push(dir.to_owned());
                return;
            }
            Err(e) => {
                self.contents
                    .unreadable
                    .push((dir.to_owned(), e.to_string()));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.is_file()) {
            self.read_file(path);
        }
    }
}
