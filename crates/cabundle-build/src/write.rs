//! Writing a build's outputs, all or nothing, through the workspace's one writer
//! ([`cabundle_write`]: every output staged beside its destination, then renamed, manifests
//! last). What this module adds is which names a build's directories may hold, and this
//! crate's error.
//!
//! Architecture Invariant: an existing `--capath` directory is replaced only when it holds
//! nothing but the names this crate writes (`LABEL-<16 hex digits>.pem` files and `hhhhhhhh.N`
//! symbolic links); anything else is an error, so a user's own `corp.pem` or a mistyped
//! `--capath ~` is never deleted. A DER directory follows the same rule with its own names
//! (`LABEL-<16 hex digits>.der` files, no links), and so does a p11-kit directory
//! (`LABEL-<16 hex digits>.p11-kit` files).

use crate::Error;
use crate::capath::{CapathEntry, CapathEntryKind, is_our_file_name, is_our_name};
use cabundle_write::DirEntry;
use std::path::PathBuf;

/// Whether a hashed directory may hold this entry: a certificate file under the build's own
/// name pattern, or a hash link (a symbolic link; a copy where there are no symbolic links).
fn capath_owns(name: &str, kind: std::fs::FileType) -> bool {
    if is_our_file_name(name, "pem") {
        kind.is_file()
    } else {
        is_our_name(name) && (kind.is_symlink() || (cfg!(not(unix)) && kind.is_file()))
    }
}

/// Whether a DER directory may hold this entry: a DER file under the build's own name pattern.
fn der_owns(name: &str, kind: std::fs::FileType) -> bool {
    is_our_file_name(name, "der") && kind.is_file()
}

/// Whether a p11-kit directory may hold this entry: a `.p11-kit` file under the build's own
/// name pattern.
fn p11_kit_owns(name: &str, kind: std::fs::FileType) -> bool {
    is_our_file_name(name, "p11-kit") && kind.is_file()
}

fn dir_entries(entries: &[CapathEntry]) -> impl Iterator<Item = DirEntry<'_>> {
    entries.iter().map(|e| match &e.kind {
        CapathEntryKind::File(bytes) => DirEntry::file(&e.name, bytes),
        CapathEntryKind::Link(target) => DirEntry::link(&e.name, target),
    })
}

impl From<cabundle_write::Error> for Error {
    fn from(err: cabundle_write::Error) -> Self {
        match err {
            cabundle_write::Error::NotOurs { dir, entry } => Error::CapathNotOurs { dir, entry },
            cabundle_write::Error::WrongKind { path, expected } => {
                Error::WrongKind { path, expected }
            }
            other => Error::Write(other),
        }
    }
}

/// Files, hashed directories and DER directories replaced together, all or nothing: the
/// workspace's one writer, [`cabundle_write::OutputSet`], with the names a build's directories
/// may hold and this crate's error (see the crate documentation for the write protocol).
///
/// A missing parent directory is created, as for every file cabundle writes.
#[derive(Clone, Debug, Default)]
pub struct OutputSet<'a>(cabundle_write::OutputSet<'a>);

impl<'a> OutputSet<'a> {
    /// An empty set.
    pub fn new() -> Self {
        OutputSet::default()
    }

    /// Adds a file holding `bytes` (mode 0644 on Unix for a new file; a replaced file keeps
    /// its permissions).
    pub fn file(&mut self, path: impl Into<PathBuf>, bytes: &'a [u8]) -> &mut Self {
        self.0.file(path, bytes);
        self
    }

    /// Adds a file that describes the other outputs (a manifest, a listing, checksums, a
    /// lock): it is moved aside before any other output is replaced and put in place after all
    /// of them, so it never stands beside outputs it does not describe.
    pub fn manifest(&mut self, path: impl Into<PathBuf>, bytes: &'a [u8]) -> &mut Self {
        self.0.manifest(path, bytes);
        self
    }

    /// Adds a hashed directory holding `entries`. An existing directory at `path` is replaced
    /// only when it holds nothing but names this crate writes.
    pub fn capath(&mut self, path: impl Into<PathBuf>, entries: &'a [CapathEntry]) -> &mut Self {
        self.0.dir(path, dir_entries(entries), capath_owns);
        self
    }

    /// Adds a directory of DER files (entries of [`CapathEntryKind::File`] only). An existing
    /// directory at `path` is replaced only when it holds nothing but the DER file names this
    /// crate writes.
    pub fn der_dir(&mut self, path: impl Into<PathBuf>, entries: &'a [CapathEntry]) -> &mut Self {
        self.0.dir(path, dir_entries(entries), der_owns);
        self
    }

    /// Adds a directory of `.p11-kit` files (entries of [`CapathEntryKind::File`] only). An
    /// existing directory at `path` is replaced only when it holds nothing but the `.p11-kit`
    /// file names this crate writes.
    pub fn p11_kit_dir(
        &mut self,
        path: impl Into<PathBuf>,
        entries: &'a [CapathEntry],
    ) -> &mut Self {
        self.0.dir(path, dir_entries(entries), p11_kit_owns);
        self
    }

    /// Writes the set; on an error before the renames, nothing is replaced.
    pub fn write(&self) -> Result<(), Error> {
        Ok(self.0.write()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn names(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = fs_err::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_set_replaces_files_and_directories_and_leaves_no_temporary_names() {
        let dir = tempfile::tempdir().unwrap();
        let entries = [
            CapathEntry {
                name: "0000000b.0".into(),
                kind: CapathEntryKind::Link("b-0123456789abcdef.pem".into()),
            },
            CapathEntry {
                name: "b-0123456789abcdef.pem".into(),
                kind: CapathEntryKind::File(b"b\n".to_vec()),
            },
        ];
        fs_err::write(dir.path().join("a.txt"), b"old").unwrap();
        for round in 0..2 {
            OutputSet::new()
                .file(dir.path().join("a.txt"), b"new")
                .file(dir.path().join("c.txt"), b"c")
                .capath(dir.path().join("certs"), &entries)
                .write()
                .unwrap();
            assert_eq!(names(dir.path()), ["a.txt", "c.txt", "certs"], "{round}");
            assert_eq!(
                names(&dir.path().join("certs")),
                ["0000000b.0", "b-0123456789abcdef.pem"]
            );
            assert_eq!(fs_err::read(dir.path().join("a.txt")).unwrap(), b"new");
            let link = dir.path().join("certs/0000000b.0");
            assert_eq!(fs_err::read(&link).unwrap(), b"b\n");
            #[cfg(unix)]
            assert_eq!(
                fs_err::read_link(&link).unwrap(),
                Path::new("b-0123456789abcdef.pem")
            );
        }
    }

    #[test]
    fn nothing_is_replaced_when_one_destination_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("a.txt"), b"old").unwrap();
        fs_err::create_dir(dir.path().join("b.txt")).unwrap();
        let err = OutputSet::new()
            .file(dir.path().join("a.txt"), b"new")
            .file(dir.path().join("b.txt"), b"b")
            .write()
            .unwrap_err();
        assert!(
            err.to_string().ends_with("b.txt exists and is not a file"),
            "{err}"
        );
        assert_eq!(fs_err::read(dir.path().join("a.txt")).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["a.txt", "b.txt"]);
    }

    fn pem_entry() -> Vec<CapathEntry> {
        vec![CapathEntry {
            name: "b-0123456789abcdef.pem".into(),
            kind: CapathEntryKind::File(b"b\n".to_vec()),
        }]
    }

    /// A directory holding a user's own `.pem` file (or a regular file under a hash-link name)
    /// is never replaced; one holding only what a build writes is.
    #[test]
    fn only_a_directory_of_our_own_names_is_replaced() {
        let cases: &[(&str, bool)] = &[
            ("corp.pem", false),
            ("a-0123.pem", false),
            ("notes.txt", false),
            ("5ad8a5d6.0", false),
            ("a-0123456789abcdef.pem", true),
        ];
        for &(name, replaced) in cases {
            let dir = tempfile::tempdir().unwrap();
            let certs = dir.path().join("certs");
            fs_err::create_dir(&certs).unwrap();
            fs_err::write(certs.join(name), b"mine").unwrap();
            let entries = pem_entry();
            let result = OutputSet::new().capath(&certs, &entries).write();
            if replaced {
                result.unwrap();
                assert_eq!(names(&certs), ["b-0123456789abcdef.pem"], "{name}");
            } else {
                let err = result.unwrap_err().to_string();
                assert!(err.contains(&format!("it holds {name}, which cabundle did not write")));
                assert_eq!(fs_err::read(certs.join(name)).unwrap(), b"mine", "{name}");
                assert_eq!(names(dir.path()), ["certs"], "{name}");
            }
        }
    }

    /// A DER directory is replaced only when it holds nothing but our DER names: a `.pem` of
    /// ours, a hash link or a user's file stops it.
    #[test]
    fn only_a_der_directory_of_our_own_names_is_replaced() {
        let cases: &[(&str, bool)] = &[
            ("corp.der", false),
            ("a-0123456789abcdef.pem", false),
            ("5ad8a5d6.0", false),
            ("a-0123456789abcdef.der", true),
        ];
        let entries = vec![CapathEntry {
            name: "b-0123456789abcdef.der".into(),
            kind: CapathEntryKind::File(b"b".to_vec()),
        }];
        for &(name, replaced) in cases {
            let dir = tempfile::tempdir().unwrap();
            let certs = dir.path().join("der");
            fs_err::create_dir(&certs).unwrap();
            fs_err::write(certs.join(name), b"mine").unwrap();
            let result = OutputSet::new().der_dir(&certs, &entries).write();
            if replaced {
                result.unwrap();
                assert_eq!(names(&certs), ["b-0123456789abcdef.der"], "{name}");
            } else {
                let err = result.unwrap_err().to_string();
                assert!(err.contains(&format!("it holds {name}, which cabundle did not write")));
                assert_eq!(fs_err::read(certs.join(name)).unwrap(), b"mine", "{name}");
            }
        }
    }

    /// A p11-kit directory is replaced only when it holds nothing but our `.p11-kit` names: a
    /// DER or PEM file of ours, a hash link or a user's own `.p11-kit` file stops it.
    #[test]
    fn only_a_p11_kit_directory_of_our_own_names_is_replaced() {
        let cases: &[(&str, bool)] = &[
            ("corp.p11-kit", false),
            ("a-0123456789abcdef.der", false),
            ("a-0123456789abcdef.pem", false),
            ("5ad8a5d6.0", false),
            ("a-0123456789abcdef.p11-kit", true),
        ];
        let entries = vec![CapathEntry {
            name: "b-0123456789abcdef.p11-kit".into(),
            kind: CapathEntryKind::File(b"b".to_vec()),
        }];
        for &(name, replaced) in cases {
            let dir = tempfile::tempdir().unwrap();
            let store = dir.path().join("p11");
            fs_err::create_dir(&store).unwrap();
            fs_err::write(store.join(name), b"mine").unwrap();
            let result = OutputSet::new().p11_kit_dir(&store, &entries).write();
            if replaced {
                result.unwrap();
                assert_eq!(names(&store), ["b-0123456789abcdef.p11-kit"], "{name}");
            } else {
                let err = result.unwrap_err().to_string();
                assert!(err.contains(&format!("it holds {name}, which cabundle did not write")));
                assert_eq!(fs_err::read(store.join(name)).unwrap(), b"mine", "{name}");
            }
        }
    }
}
