//! Writing a build's outputs: stage everything under temporary names, then rename.
//!
//! Every output is first written in full beside its destination (`.NAME.tmpXXXX`), so a full
//! disk or a permission problem shows before anything is replaced. Only when all outputs are
//! staged are they renamed into place, the hashed directory first. A directory cannot be
//! replaced in one rename, so the old one is moved aside, the new one moved in, and the old
//! one removed; if the second rename fails the old one is moved back.
//!
//! Architecture Invariant: an existing `--capath` directory is replaced only when it holds
//! nothing but `.pem` files and hash links, the names this crate writes; anything else is an
//! error, so a mistyped `--capath ~` cannot delete a home directory.

use crate::capath::{CapathEntry, CapathEntryKind, is_our_name};
use crate::{Built, Error};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where to write each output; `None` skips it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputPaths {
    /// The PEM bundle.
    pub pem: Option<PathBuf>,
    /// The hashed directory.
    pub capath: Option<PathBuf>,
    /// The JSON manifest.
    pub manifest: Option<PathBuf>,
    /// The OpenSSL `TRUSTED CERTIFICATE` bundle (written only when the build made it:
    /// `Built::add_openssl_trusted`).
    pub openssl_trusted: Option<PathBuf>,
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

fn io_context(err: std::io::Error, what: &str, path: &Path) -> Error {
    Error::Io(std::io::Error::new(
        err.kind(),
        format!("{what} {}: {err}", path.display()),
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

/// A capath destination must be missing, or a directory holding only names we write.
fn check_dir_dest(path: &Path) -> Result<(), Error> {
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
        if !(is_our_name(&name) && (kind.is_file() || kind.is_symlink())) {
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

fn stage_file(dest: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let parent = parent_of(dest);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp", file_name(dest)))
        .tempfile_in(parent)
        .map_err(|e| io_context(e, "cannot create a temporary file in", parent))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io_context(e, "cannot write", tmp.path()))?;
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

/// Moves the staged directory to `dest`, replacing what is there.
fn commit_dir(staged: tempfile::TempDir, dest: &Path) -> Result<(), Error> {
    let exists = fs_err::symlink_metadata(dest).is_ok();
    if !exists {
        let staged = staged.keep();
        return fs_err::rename(&staged, dest).map_err(|e| {
            let _ = fs_err::remove_dir_all(&staged);
            e.into()
        });
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
        return Err(e.into());
    }
    let staged_path = staged.keep();
    if let Err(e) = fs_err::rename(&staged_path, dest) {
        let _ = fs_err::rename(&aside, dest);
        let _ = fs_err::remove_dir_all(&staged_path);
        return Err(e.into());
    }
    fs_err::remove_dir_all(&aside)?;
    Ok(())
}

/// Files and hashed directories replaced together, all or nothing: each is staged in full
/// under a temporary name beside its destination, and only when all are staged are they
/// renamed into place, the directories first (see the module documentation).
///
/// The parent of every destination must exist.
#[derive(Clone, Debug, Default)]
pub struct OutputSet<'a> {
    files: Vec<(PathBuf, &'a [u8])>,
    dirs: Vec<(PathBuf, &'a [CapathEntry])>,
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

    /// Adds a hashed directory holding `entries`. An existing directory at `path` is replaced
    /// only when it holds nothing but names this crate writes.
    pub fn capath(&mut self, path: impl Into<PathBuf>, entries: &'a [CapathEntry]) -> &mut Self {
        self.dirs.push((path.into(), entries));
        self
    }

    /// Writes the set; on an error before the renames, nothing is replaced.
    pub fn write(&self) -> Result<(), Error> {
        for (path, _) in &self.files {
            check_file_dest(path)?;
        }
        for (path, _) in &self.dirs {
            check_dir_dest(path)?;
        }
        let mut dirs = Vec::new();
        for (path, entries) in &self.dirs {
            dirs.push((stage_dir(path, entries)?, path));
        }
        let mut files = Vec::new();
        for (path, bytes) in &self.files {
            files.push((stage_file(path, bytes)?, path));
        }
        for (staged, dest) in dirs {
            commit_dir(staged, dest)?;
        }
        for (staged, dest) in files {
            staged
                .persist(dest)
                .map_err(|e| io_context(e.error, "cannot rename into", dest))?;
        }
        Ok(())
    }
}

/// Writes every requested output of a build, all or nothing.
pub(crate) fn write_all(built: &Built, paths: &OutputPaths) -> Result<(), Error> {
    let mut set = OutputSet::new();
    if let Some(p) = &paths.capath {
        set.capath(p, built.capath());
    }
    if let Some(p) = &paths.pem {
        set.file(p, built.pem());
    }
    if let Some(p) = &paths.manifest {
        set.file(p, built.manifest());
    }
    if let (Some(p), Some(bytes)) = (&paths.openssl_trusted, built.openssl_trusted()) {
        set.file(p, bytes);
    }
    set.write()
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
                kind: CapathEntryKind::Link("b.pem".into()),
            },
            CapathEntry {
                name: "b.pem".into(),
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
            assert_eq!(names(&dir.path().join("certs")), ["0000000b.0", "b.pem"]);
            assert_eq!(fs_err::read(dir.path().join("a.txt")).unwrap(), b"new");
            let link = dir.path().join("certs/0000000b.0");
            assert_eq!(fs_err::read(&link).unwrap(), b"b\n");
            #[cfg(unix)]
            assert_eq!(fs_err::read_link(&link).unwrap(), Path::new("b.pem"));
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
}
