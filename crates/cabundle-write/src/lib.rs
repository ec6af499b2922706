//! The one file writer of cabundle: stage everything under temporary names, then rename.
//!
//! Every output is first written in full beside its destination (`.NAME.tmpXXXXXX`), so a full
//! disk or a permission problem shows before anything is replaced. Only when all outputs are
//! staged are they renamed into place, in an order that keeps each output complete at every
//! instant and never lets a manifest stand beside outputs it does not describe:
//!
//! 1. manifests (files that describe the others) already in place are moved aside
//!    (`.NAME.oldXXXXXX`), so from here on no manifest describes the old outputs;
//! 2. directories are swapped in: on Linux old and new are exchanged in one
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
//! Architecture Invariant: an existing directory is replaced only when every entry it holds
//! passes the rule its caller gave ([`Owns`]: the names that caller writes there); anything
//! else is an error, so a user's own file in a mistyped destination is never deleted. An
//! existing file keeps its permissions; a new one is readable by all (`0644` on Unix).
//!
//! [`write_atomic`] is the same protocol for one file. This crate depends on nothing of
//! cabundle's, so every crate that writes a file can use it.
//!
//! ```
//! use cabundle_write::{DirEntry, OutputSet, write_atomic};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let out = tempfile::tempdir()?;
//! write_atomic(&out.path().join("notes.txt"), b"one file\n")?;
//!
//! // A bundle, a directory of its certificates and a manifest describing both: all old or
//! // all new, whenever the process stops.
//! let entries = [DirEntry::file("a.pem", b"a\n"), DirEntry::link("0000000a.0", "a.pem")];
//! let owns: cabundle_write::Owns = |name, _kind| name.ends_with(".pem") || name.ends_with(".0");
//! OutputSet::new()
//!     .file(out.path().join("bundle.pem"), b"a\n")
//!     .dir(out.path().join("certs"), entries, owns)
//!     .manifest(out.path().join("manifest.json"), b"{}\n")
//!     .write()?;
//! assert_eq!(std::fs::read(out.path().join("certs/a.pem"))?, b"a\n");
//! # Ok(())
//! # }
//! ```

mod error;

pub use error::Error;

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Whether an existing directory destination may hold an entry (its name and file type): a
/// directory is replaced only when every entry it holds passes.
pub type Owns = fn(name: &str, kind: std::fs::FileType) -> bool;

/// What a directory entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirEntryKind<'a> {
    /// A regular file with these bytes (mode 0644 on Unix).
    File(&'a [u8]),
    /// A symbolic link to this name (where there are no symbolic links, a copy of it).
    Link(&'a str),
}

/// One entry of a directory output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry<'a> {
    /// The file name.
    pub name: &'a str,
    /// A file or a link.
    pub kind: DirEntryKind<'a>,
}

impl<'a> DirEntry<'a> {
    /// A regular file `name` holding `bytes`.
    pub fn file(name: &'a str, bytes: &'a [u8]) -> Self {
        DirEntry {
            name,
            kind: DirEntryKind::File(bytes),
        }
    }

    /// A symbolic link `name` to `target`, a name in the same directory.
    pub fn link(name: &'a str, target: &'a str) -> Self {
        DirEntry {
            name,
            kind: DirEntryKind::Link(target),
        }
    }
}

/// A directory to write: where, what it holds, and the names it may already hold.
#[derive(Clone, Debug)]
struct DirOutput<'a> {
    path: PathBuf,
    entries: Vec<DirEntry<'a>>,
    owns: Owns,
}

/// Files and directories replaced together, all or nothing: each is staged in full under a
/// temporary name beside its destination, and only when all are staged are they renamed into
/// place (see the crate documentation for the order).
///
/// A missing parent directory is created.
#[derive(Clone, Debug, Default)]
pub struct OutputSet<'a> {
    files: Vec<(PathBuf, &'a [u8])>,
    manifests: Vec<(PathBuf, &'a [u8])>,
    dirs: Vec<DirOutput<'a>>,
}

impl<'a> OutputSet<'a> {
    /// An empty set.
    pub fn new() -> Self {
        OutputSet::default()
    }

    /// Adds a file holding `bytes`.
    pub fn file(&mut self, path: impl Into<PathBuf>, bytes: &'a [u8]) -> &mut Self {
        self.files.push((path.into(), bytes));
        self
    }

    /// Adds a file that describes the other outputs (a manifest, a listing, checksums, a
    /// lock): it is moved aside before any other output is replaced and put in place after all
    /// of them, so it never stands beside outputs it does not describe.
    pub fn manifest(&mut self, path: impl Into<PathBuf>, bytes: &'a [u8]) -> &mut Self {
        self.manifests.push((path.into(), bytes));
        self
    }

    /// Adds a directory holding exactly `entries`. An existing directory at `path` is replaced
    /// only when every entry it holds passes `owns`.
    pub fn dir(
        &mut self,
        path: impl Into<PathBuf>,
        entries: impl IntoIterator<Item = DirEntry<'a>>,
        owns: Owns,
    ) -> &mut Self {
        self.dirs.push(DirOutput {
            path: path.into(),
            entries: entries.into_iter().collect(),
            owns,
        });
        self
    }

    /// Writes the set; on an error before the renames, nothing is replaced.
    pub fn write(&self) -> Result<(), Error> {
        let started = std::time::SystemTime::now();
        let file_dests = self.files.iter().chain(&self.manifests).map(|(p, _)| p);
        let dests: Vec<&Path> = file_dests
            .map(PathBuf::as_path)
            .chain(self.dirs.iter().map(|d| d.path.as_path()))
            .collect();
        for dest in &dests {
            create_parent(dest)?;
        }
        for (path, _) in self.files.iter().chain(&self.manifests) {
            check_file_dest(path)?;
        }
        for dir in &self.dirs {
            check_dir_dest(&dir.path, dir.owns)?;
        }
        let _locks = lock_parents(&dests)?;
        remove_leftovers(&dests, started)?;
        let mut dirs = Vec::new();
        for dir in &self.dirs {
            dirs.push((stage_dir(&dir.path, &dir.entries)?, &dir.path));
        }
        let mut files = Vec::new();
        for (path, bytes) in &self.files {
            files.push((stage_file(path, bytes)?, path));
        }
        let mut manifests = Vec::new();
        for (path, bytes) in &self.manifests {
            manifests.push((stage_file(path, bytes)?, path));
        }
        // From here on, each step leaves every output complete (see the crate documentation).
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
                        let _ = std::fs::rename(aside, dest);
                    }
                    return Err(e);
                }
            }
        }
        for (staged, dest) in files.into_iter().chain(manifests) {
            staged
                .persist(dest)
                .map_err(|e| Error::io("rename into", dest, e.error))?;
        }
        for old in old_dirs {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
        }
        for (old, _) in old_files {
            std::fs::remove_file(&old).map_err(|e| Error::io("remove", &old, e))?;
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` with the protocol of [`OutputSet`], as a set of one file: staged
/// beside it, flushed to disk, renamed over it. Missing parent directories are created. On any
/// failure `path` is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    OutputSet::new().file(path, bytes).write()
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

/// Creates the missing parents of `dest`; a parent that is a file is named as such.
fn create_parent(dest: &Path) -> Result<(), Error> {
    let dir = parent_of(dest);
    std::fs::create_dir_all(dir).map_err(|e| {
        let e = match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                std::io::Error::new(e.kind(), format!("{} is not a directory", dir.display()))
            }
            _ => e,
        };
        Error::io("write", dest, e)
    })
}

/// A file destination must not be a directory.
fn check_file_dest(path: &Path) -> Result<(), Error> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Error::WrongKind {
            path: path.to_owned(),
            expected: "file",
        }),
        _ => Ok(()),
    }
}

/// A directory destination must be missing, or a directory holding only names `owns` passes.
fn check_dir_dest(path: &Path, owns: Owns) -> Result<(), Error> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if !meta.is_dir() {
        return Err(Error::WrongKind {
            path: path.to_owned(),
            expected: "directory",
        });
    }
    let read_error = |e| Error::io("read directory", path, e);
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(path).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(read_error)?;
        if !owns(&name, kind) {
            names.push(name);
        }
    }
    names.sort();
    match names.into_iter().next() {
        Some(entry) => Err(Error::NotOurs {
            dir: path.to_owned(),
            entry,
        }),
        None => Ok(()),
    }
}

/// The names an interrupted write of `dest` leaves beside it: `.NAME.tmpXXXXXX` (staged
/// outputs, or an old directory after the exchange) and `.NAME.oldXXXXXX` (moved aside), with
/// the six random letters and digits of the temporary-name generator.
pub fn is_leftover_of(candidate: &str, dest_name: &str) -> bool {
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
/// writer owns them. Each parent is listed once, however many destinations it holds.
fn remove_leftovers(dests: &[&Path], started: std::time::SystemTime) -> Result<(), Error> {
    let mut by_parent: Vec<(&Path, Vec<String>)> = Vec::new();
    for dest in dests {
        let parent = parent_of(dest);
        match by_parent.iter_mut().find(|(p, _)| *p == parent) {
            Some((_, names)) => names.push(file_name(dest)),
            None => by_parent.push((parent, vec![file_name(dest)])),
        }
    }
    for (parent, dest_names) in by_parent {
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read directory", parent, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !dest_names.iter().any(|d| is_leftover_of(&name, d)) {
                continue;
            }
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if !meta.modified().is_ok_and(|m| m < started) {
                continue;
            }
            let removed = if meta.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io("remove", &path, e));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Exclusive advisory locks on the parents of the destinations, held until dropped.
fn lock_parents(dests: &[&Path]) -> Result<Vec<std::fs::File>, Error> {
    let mut parents: Vec<PathBuf> = dests
        .iter()
        .map(|d| std::fs::canonicalize(parent_of(d)).unwrap_or_else(|_| parent_of(d).to_owned()))
        .collect();
    parents.sort();
    parents.dedup();
    let mut locks = Vec::new();
    if cfg!(unix) {
        for parent in parents {
            let lock_error = |e| Error::io("lock", &parent, e);
            let file = std::fs::File::open(&parent).map_err(lock_error)?;
            file.lock().map_err(lock_error)?;
            locks.push(file);
        }
    }
    Ok(locks)
}

/// The permissions a staged file gets: those of the file it replaces, else readable by all.
fn permissions_for(dest: &Path) -> Option<std::fs::Permissions> {
    match std::fs::metadata(dest) {
        Ok(meta) if meta.is_file() => Some(meta.permissions()),
        _ => default_permissions(),
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Files have no Unix mode here: the default permissions already let others read.
#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

fn stage_file(dest: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let parent = parent_of(dest);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp", file_name(dest)))
        .tempfile_in(parent)
        .map_err(|e| Error::io("create a temporary file in", parent, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io("write", dest, e))?;
    if let Some(permissions) = permissions_for(dest) {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| Error::io("write", dest, e))?;
    }
    Ok(tmp)
}

fn stage_dir(dest: &Path, entries: &[DirEntry<'_>]) -> Result<tempfile::TempDir, Error> {
    let parent = parent_of(dest);
    let dir = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp", file_name(dest)))
        .tempdir_in(parent)
        .map_err(|e| Error::io("create a temporary directory in", parent, e))?;
    // Files before links: where a link becomes a copy (no symbolic links), its target must exist.
    let mut entries: Vec<_> = entries.iter().collect();
    entries.sort_by_key(|e| matches!(e.kind, DirEntryKind::Link(_)));
    for entry in entries {
        let path = dir.path().join(entry.name);
        match entry.kind {
            DirEntryKind::File(bytes) => {
                std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
                if let Some(permissions) = default_permissions() {
                    std::fs::set_permissions(&path, permissions)
                        .map_err(|e| Error::io("write", &path, e))?;
                }
            }
            DirEntryKind::Link(target) => symlink(target, &path)?,
        }
    }
    set_dir_mode(dir.path())?;
    Ok(dir)
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> Result<(), Error> {
    std::os::unix::fs::symlink(target, link).map_err(|e| Error::io("create symbolic link", link, e))
}

#[cfg(not(unix))]
fn symlink(target: &str, link: &Path) -> Result<(), Error> {
    // Without symbolic links, a copy serves OpenSSL's lookup just as well.
    let from = parent_of(link).join(target);
    std::fs::copy(&from, link).map_err(|e| Error::io("write", link, e))?;
    Ok(())
}

#[cfg(unix)]
fn set_dir_mode(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("write", path, e))
}

#[cfg(not(unix))]
fn set_dir_mode(_path: &Path) -> Result<(), Error> {
    Ok(())
}

/// Moves the staged directory to `dest`. Returns where the old directory now is, to be
/// removed once everything else is in place.
fn commit_dir(staged: tempfile::TempDir, dest: &Path) -> Result<Option<PathBuf>, Error> {
    let exists = std::fs::symlink_metadata(dest).is_ok();
    let staged = staged.keep();
    let replace_error = |e| Error::io("replace", dest, e);
    if !exists {
        return std::fs::rename(&staged, dest).map(|()| None).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staged);
            replace_error(e)
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
                let _ = std::fs::remove_dir_all(&staged);
                return Err(replace_error(std::io::Error::from(e)));
            }
        }
    }
    let parent = parent_of(dest);
    // An empty directory reserves a unique name; renaming a directory onto an empty one
    // replaces it.
    let aside = tempfile::Builder::new()
        .prefix(&format!(".{}.old", file_name(dest)))
        .tempdir_in(parent)
        .map_err(|e| Error::io("create a temporary directory in", parent, e))?
        .keep();
    // Windows cannot rename onto a directory, even an empty one: free the reserved name.
    #[cfg(not(unix))]
    std::fs::remove_dir(&aside).map_err(replace_error)?;
    if let Err(e) = std::fs::rename(dest, &aside) {
        let _ = std::fs::remove_dir(&aside);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(replace_error(e));
    }
    if let Err(e) = std::fs::rename(&staged, dest) {
        let _ = std::fs::rename(&aside, dest);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(replace_error(e));
    }
    Ok(Some(aside))
}

/// Moves an existing file at `dest` aside (`.NAME.oldXXXXXX`); returns where it went.
fn move_aside(dest: &Path) -> Result<Option<PathBuf>, Error> {
    if std::fs::symlink_metadata(dest).is_err() {
        return Ok(None);
    }
    let parent = parent_of(dest);
    let temp_error = |e| Error::io("create a temporary file in", parent, e);
    let aside = tempfile::Builder::new()
        .prefix(&format!(".{}.old", file_name(dest)))
        .tempfile_in(parent)
        .map_err(temp_error)?;
    let (_, aside) = aside.keep().map_err(|e| temp_error(e.error))?;
    std::fs::rename(dest, &aside).map_err(|e| Error::io("move aside", dest, e))?;
    Ok(Some(aside))
}

#[cfg(test)]
mod tests;
