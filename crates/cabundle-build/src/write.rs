//! Writing a build's outputs: stage everything under temporary names, then rename.
//!
//! Every output is first written in full beside its destination (`.NAME.tmpXXXXXX`), so a full
//! disk or a permission problem shows before anything is replaced. Only when all outputs are
//! staged are they renamed into place, in an order that keeps each output complete at every
//! instant and never lets a manifest stand beside outputs it does not describe:
//!
//! 1. manifests (files that describe the others) already in place are moved aside
//!    (`.NAME.oldXXXXXX`), so from here on no manifest describes the old outputs;
//! 2. hashed directories are swapped in: on Linux old and new are exchanged in one
//!    `renameat2(RENAME_EXCHANGE)`; elsewhere the old one is moved aside and the new one moved
//!    in (the name is missing for that instant, and a failure moves the old one back);
//! 3. the other files are renamed into place, then the manifests;
//! 4. last, the old directories and the old manifests are removed.
//!
//! A run killed at any point leaves every output either old or new, and a manifest, when there
//! is one, that matches what stands beside it. The parents of the destinations are locked
//! (`flock`) while a set is written, so two runs do not interleave; under that lock, the names an
//! earlier killed run left (`.NAME.tmpXXXXXX`, `.NAME.oldXXXXXX` for this set's destinations,
//! older than this run) are removed before staging.
//!
//! Architecture Invariant: an existing `--capath` directory is replaced only when it holds
//! nothing but the names this crate writes (`LABEL-<16 hex digits>.pem` files and `hhhhhhhh.N`
//! symbolic links); anything else is an error, so a user's own `corp.pem` or a mistyped
//! `--capath ~` is never deleted. A DER directory follows the same rule with its own names
//! (`LABEL-<16 hex digits>.der` files, no links), and so does a p11-kit directory
//! (`LABEL-<16 hex digits>.p11-kit` files).

use crate::Error;
use crate::capath::{CapathEntry, CapathEntryKind, is_our_file_name, is_our_name};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What kind of directory an output directory is, which decides the names it may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DirKind {
    /// A hashed directory: `LABEL-<16 hex digits>.pem` files and hash links.
    Capath,
    /// A DER directory: `LABEL-<16 hex digits>.der` files only.
    Der,
    /// A p11-kit directory: `LABEL-<16 hex digits>.p11-kit` files only.
    P11Kit,
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned())
}

/// `err` said about `path`. `tempfile` appends its temporary name to its errors; only the
/// OS error under it is kept, so a message names the destination and its cause once.
fn io_context(err: std::io::Error, what: &str, path: &Path) -> Error {
    let cause = err
        .get_ref()
        .and_then(|inner| inner.source())
        .map_or_else(|| err.to_string(), ToString::to_string);
    Error::Io(std::io::Error::new(
        err.kind(),
        format!("{what} {}: {cause}", path.display()),
    ))
}

/// A file destination must not be a directory.
fn check_file_dest(path: &Path) -> Result<(), Error> {
    match fs_err::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Error::WrongKind {
            path: path.to_owned(),
            expected: "file",
        }),
        _ => Ok(()),
    }
}

/// A directory destination must be missing, or a directory holding only names we write for
/// its kind.
fn check_dir_dest(path: &Path, dir_kind: DirKind) -> Result<(), Error> {
    let meta = match fs_err::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if !meta.is_dir() {
        return Err(Error::WrongKind {
            path: path.to_owned(),
            expected: "directory",
        });
    }
    let mut names: Vec<String> = Vec::new();
    for entry in fs_err::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if !is_ours(&name, kind, dir_kind) {
            names.push(name);
        }
    }
    names.sort();
    match names.into_iter().next() {
        Some(entry) => Err(Error::CapathNotOurs {
            dir: path.to_owned(),
            entry,
        }),
        None => Ok(()),
    }
}

/// Whether a directory entry is one a build writes: a certificate file under the build's own
/// name pattern, or in a hashed directory a hash link (a symbolic link; a copy where there are
/// no symbolic links).
fn is_ours(name: &str, kind: std::fs::FileType, dir_kind: DirKind) -> bool {
    match dir_kind {
        DirKind::Der => is_our_file_name(name, "der") && kind.is_file(),
        DirKind::P11Kit => is_our_file_name(name, "p11-kit") && kind.is_file(),
        DirKind::Capath if is_our_file_name(name, "pem") => kind.is_file(),
        DirKind::Capath => {
            is_our_name(name) && (kind.is_symlink() || (cfg!(not(unix)) && kind.is_file()))
        }
    }
}

/// The names an interrupted write of `dest` leaves beside it: `.NAME.tmpXXXXXX` (staged
/// outputs, or an old directory after the exchange) and `.NAME.oldXXXXXX` (moved aside), with
/// the six random letters and digits of the temporary-name generator.
fn is_leftover_of(candidate: &str, dest_name: &str) -> bool {
    let Some(rest) = candidate
        .strip_prefix('.')
        .and_then(|c| c.strip_prefix(dest_name))
    else {
        return false;
    };
    let Some(random) = rest
        .strip_prefix(".tmp")
        .or_else(|| rest.strip_prefix(".old"))
    else {
        return false;
    };
    random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Removes what an earlier, killed write of these destinations left beside them: names of
/// [`is_leftover_of`] last changed before `started`. Runs under the parents' lock, so no live
/// writer owns them.
fn remove_leftovers(dests: &[&Path], started: std::time::SystemTime) -> Result<(), Error> {
    for dest in dests {
        let parent = parent_of(dest);
        let dest_name = file_name(dest);
        let entries = match fs_err::read_dir(parent) {
            Ok(entries) => entries,
            Err(_) => continue,
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_leftover_of(&name, &dest_name) {
                continue;
            }
            let path = entry.path();
            let Ok(meta) = fs_err::symlink_metadata(&path) else {
                continue;
            };
            let old = meta.modified().is_ok_and(|m| m < started);
            if !old {
                continue;
            }
            let removed = if meta.is_dir() {
                fs_err::remove_dir_all(&path)
            } else {
                fs_err::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Exclusive advisory locks on the parents of the destinations, held until dropped.
fn lock_parents(dests: &[&Path]) -> Result<Vec<fs_err::File>, Error> {
    let mut parents: Vec<PathBuf> = dests
        .iter()
        .map(|d| fs_err::canonicalize(parent_of(d)).unwrap_or_else(|_| parent_of(d).to_owned()))
        .collect();
    parents.sort();
    parents.dedup();
    let mut locks = Vec::new();
    if cfg!(unix) {
        for parent in parents {
            let file = fs_err::File::open(&parent)?;
            file.lock()
                .map_err(|e| io_context(e, "cannot lock", &parent))?;
            locks.push(file);
        }
    }
    Ok(locks)
}

fn stage_file(dest: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let parent = parent_of(dest);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp", file_name(dest)))
        .tempfile_in(parent)
        .map_err(|e| io_context(e, "cannot create a temporary file in", parent))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io_context(e, "cannot write", dest))?;
    set_mode(tmp.path(), 0o644)?;
    Ok(tmp)
}

fn stage_dir(dest: &Path, capath: &[CapathEntry]) -> Result<tempfile::TempDir, Error> {
    let parent = parent_of(dest);
    let dir = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp", file_name(dest)))
        .tempdir_in(parent)
        .map_err(|e| io_context(e, "cannot create a temporary directory in", parent))?;
    // Files before links: where a link becomes a copy (no symbolic links), its target must exist.
    let mut entries: Vec<_> = capath.iter().collect();
    entries.sort_by_key(|e| matches!(e.kind, CapathEntryKind::Link(_)));
    for entry in entries {
        let path = dir.path().join(&entry.name);
        match &entry.kind {
            CapathEntryKind::File(bytes) => {
                fs_err::write(&path, bytes)?;
                set_mode(&path, 0o644)?;
            }
            CapathEntryKind::Link(target) => symlink(target, &path)?,
        }
    }
    set_mode(dir.path(), 0o755)?;
    Ok(dir)
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> Result<(), Error> {
    std::os::unix::fs::symlink(target, link)
        .map_err(|e| io_context(e, "cannot create symbolic link", link))
}

#[cfg(not(unix))]
fn symlink(target: &str, link: &Path) -> Result<(), Error> {
    // Without symbolic links, a copy serves OpenSSL's lookup just as well.
    let from = parent_of(link).join(target);
    fs_err::copy(from, link)?;
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt as _;
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<(), Error> {
    Ok(())
}

/// Moves the staged directory to `dest`. Returns where the old directory now is, to be
/// removed once everything else is in place.
fn commit_dir(staged: tempfile::TempDir, dest: &Path) -> Result<Option<PathBuf>, Error> {
    let exists = fs_err::symlink_metadata(dest).is_ok();
    let staged = staged.keep();
    if !exists {
        return fs_err::rename(&staged, dest).map(|()| None).map_err(|e| {
            let _ = fs_err::remove_dir_all(&staged);
            e.into()
        });
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, &staged, CWD, dest, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(Some(staged)),
            // Some file systems cannot exchange; fall back to moving the old one aside.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
            Err(e) => {
                let _ = fs_err::remove_dir_all(&staged);
                let e = std::io::Error::from(e);
                return Err(io_context(e, "cannot replace", dest));
            }
        }
    }
    let parent = parent_of(dest);
    // An empty directory reserves a unique name; renaming a directory onto an empty one
    // replaces it.
    let aside = tempfile::Builder::new()
        .prefix(&format!(".{}.old", file_name(dest)))
        .tempdir_in(parent)
        .map_err(|e| io_context(e, "cannot create a temporary directory in", parent))?
        .keep();
    // Windows cannot rename onto a directory, even an empty one: free the reserved name.
    #[cfg(not(unix))]
    fs_err::remove_dir(&aside)?;
    if let Err(e) = fs_err::rename(dest, &aside) {
        let _ = fs_err::remove_dir(&aside);
        let _ = fs_err::remove_dir_all(&staged);
        return Err(e.into());
    }
    if let Err(e) = fs_err::rename(&staged, dest) {
        let _ = fs_err::rename(&aside, dest);
        let _ = fs_err::remove_dir_all(&staged);
        return Err(e.into());
    }
    Ok(Some(aside))
}

/// Moves an existing file at `dest` aside (`.NAME.oldXXXXXX`); returns where it went.
fn move_aside(dest: &Path) -> Result<Option<PathBuf>, Error> {
    if fs_err::symlink_metadata(dest).is_err() {
        return Ok(None);
    }
    let parent = parent_of(dest);
    let aside = tempfile::Builder::new()
        .prefix(&format!(".{}.old", file_name(dest)))
        .tempfile_in(parent)
        .map_err(|e| io_context(e, "cannot create a temporary file in", parent))?;
    let (_, aside) = aside
        .keep()
        .map_err(|e| io_context(e.error, "cannot create a temporary file in", parent))?;
    fs_err::rename(dest, &aside)?;
    Ok(Some(aside))
}

/// Files and hashed directories replaced together, all or nothing: each is staged in full
/// under a temporary name beside its destination, and only when all are staged are they
/// renamed into place, the directories first (see the module documentation).
///
/// A missing parent directory is created, as for every file cabundle writes.
#[derive(Clone, Debug, Default)]
pub struct OutputSet<'a> {
    files: Vec<(PathBuf, &'a [u8])>,
    manifests: Vec<(PathBuf, &'a [u8])>,
    dirs: Vec<(PathBuf, &'a [CapathEntry], DirKind)>,
}

impl<'a> OutputSet<'a> {
    /// An empty set.
    pub fn new() -> Self {
        OutputSet::default()
    }

    /// Adds a file holding `bytes` (mode 0644 on Unix).
    pub fn file(&mut self, path: impl Into<PathBuf>, bytes: &'a [u8]) -> &mut Self {
        self.files.push((path.into(), bytes));
        self
    }

    /// Adds a file that describes the other outputs (a manifest, a listing, checksums): it is
    /// moved aside before any other output is replaced and put in place after all of them, so
    /// it never stands beside outputs it does not describe.
    pub fn manifest(&mut self, path: impl Into<PathBuf>, bytes: &'a [u8]) -> &mut Self {
        self.manifests.push((path.into(), bytes));
        self
    }

    /// Adds a hashed directory holding `entries`. An existing directory at `path` is replaced
    /// only when it holds nothing but names this crate writes.
    pub fn capath(&mut self, path: impl Into<PathBuf>, entries: &'a [CapathEntry]) -> &mut Self {
        self.dirs.push((path.into(), entries, DirKind::Capath));
        self
    }

    /// Adds a directory of DER files (entries of [`CapathEntryKind::File`] only). An existing
    /// directory at `path` is replaced only when it holds nothing but the DER file names this
    /// crate writes.
    pub fn der_dir(&mut self, path: impl Into<PathBuf>, entries: &'a [CapathEntry]) -> &mut Self {
        self.dirs.push((path.into(), entries, DirKind::Der));
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
        self.dirs.push((path.into(), entries, DirKind::P11Kit));
        self
    }

    /// Writes the set; on an error before the renames, nothing is replaced.
    pub fn write(&self) -> Result<(), Error> {
        let started = std::time::SystemTime::now();
        let dests = self.files.iter().chain(&self.manifests).map(|(p, _)| p);
        for dest in dests.chain(self.dirs.iter().map(|(p, _, _)| p)) {
            fs_err::create_dir_all(parent_of(dest))?;
        }
        for (path, _) in self.files.iter().chain(&self.manifests) {
            check_file_dest(path)?;
        }
        for (path, _, kind) in &self.dirs {
            check_dir_dest(path, *kind)?;
        }
        let dests: Vec<&Path> = (self.files.iter().chain(&self.manifests))
            .map(|(p, _)| p.as_path())
            .chain(self.dirs.iter().map(|(p, _, _)| p.as_path()))
            .collect();
        let _locks = lock_parents(&dests)?;
        remove_leftovers(&dests, started)?;
        let mut dirs = Vec::new();
        for (path, entries, _) in &self.dirs {
            dirs.push((stage_dir(path, entries)?, path));
        }
        let mut files = Vec::new();
        for (path, bytes) in &self.files {
            files.push((stage_file(path, bytes)?, path));
        }
        let mut manifests = Vec::new();
        for (path, bytes) in &self.manifests {
            manifests.push((stage_file(path, bytes)?, path));
        }
        // From here on, each step leaves every output complete (see the module documentation).
        let mut old_files = Vec::new();
        for (_, dest) in &manifests {
            if let Some(aside) = move_aside(dest)? {
                old_files.push((aside, *dest));
            }
        }
        let mut old_dirs = Vec::new();
        for (staged, dest) in dirs {
            match commit_dir(staged, dest) {
                Ok(old) => old_dirs.extend(old),
                Err(e) => {
                    // Nothing but the manifests moved yet when the first directory fails.
                    for (aside, dest) in &old_files {
                        let _ = fs_err::rename(aside, dest);
                    }
                    return Err(e);
                }
            }
        }
        for (staged, dest) in files.into_iter().chain(manifests) {
            staged
                .persist(dest)
                .map_err(|e| io_context(e.error, "cannot rename into", dest))?;
        }
        for old in old_dirs {
            fs_err::remove_dir_all(&old)?;
        }
        for (old, _) in old_files {
            fs_err::remove_file(&old)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// What a killed run left beside this set's destinations is removed; names that merely
    /// look alike, and other outputs' leftovers, are not.
    #[test]
    fn leftovers_of_a_killed_run_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for junk in [".a.txt.tmpAb12Cd", ".a.txt.old0x9Yz1", ".certs.tmpQwErTy"] {
            fs_err::write(p.join(junk), b"half").unwrap();
        }
        fs_err::create_dir(p.join(".certs.oldZZ99aa")).unwrap();
        fs_err::write(p.join(".certs.oldZZ99aa/x-0123456789abcdef.pem"), b"x").unwrap();
        let kept = [
            ".a.txt.tmp",
            ".a.txt.tmpAb12Cd7",
            ".b.txt.tmpAb12Cd",
            "a.txt.tmpAb12Cd",
            ".a.txt.bakAb12Cd",
        ];
        for name in kept {
            fs_err::write(p.join(name), b"someone's").unwrap();
        }
        let entries = pem_entry();
        OutputSet::new()
            .file(p.join("a.txt"), b"a")
            .manifest(p.join("m.json"), b"{}")
            .capath(p.join("certs"), &entries)
            .write()
            .unwrap();
        let mut expected: Vec<&str> = kept.to_vec();
        expected.extend(["a.txt", "certs", "m.json"]);
        expected.sort();
        assert_eq!(names(p), expected);
    }

    #[test]
    fn leftover_names() {
        fn check(candidate: &str, dest: &str, expected: bool) {
            assert_eq!(
                is_leftover_of(candidate, dest),
                expected,
                "{candidate} {dest}"
            );
        }
        check(".ca.pem.tmpA1b2C3", "ca.pem", true);
        check(".ca.pem.oldA1b2C3", "ca.pem", true);
        check(".ca.pem.tmpA1b2C", "ca.pem", false);
        check(".ca.pem.tmpA1b2-3", "ca.pem", false);
        check(".ca.pem.tmpA1b2C3", "cb.pem", false);
        check("ca.pem.tmpA1b2C3", "ca.pem", false);
    }
}
