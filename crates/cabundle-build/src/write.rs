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

use crate::capath::{CapathEntryKind, is_our_name};
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
        .map_err(|e| io_context(e, "cannot write", dest))?;
    set_mode(tmp.path(), 0o644)?;
    Ok(tmp)
}

fn stage_dir(dest: &Path, built: &Built) -> Result<tempfile::TempDir, Error> {
    let parent = parent_of(dest);
    let dir = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp", file_name(dest)))
        .tempdir_in(parent)
        .map_err(|e| io_context(e, "cannot create a temporary directory in", parent))?;
    // Files before links: where a link becomes a copy (no symbolic links), its target must exist.
    let mut entries: Vec<_> = built.capath().iter().collect();
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

/// Writes every requested output, all or nothing (see the module documentation).
pub(crate) fn write_all(built: &Built, paths: &OutputPaths) -> Result<(), Error> {
    // A missing parent directory is created, as for every file cabundle writes.
    for dest in [&paths.pem, &paths.manifest, &paths.capath]
        .into_iter()
        .flatten()
    {
        let parent = parent_of(dest);
        fs_err::create_dir_all(parent)?;
    }
    if let Some(p) = &paths.pem {
        check_file_dest(p)?;
    }
    if let Some(p) = &paths.manifest {
        check_file_dest(p)?;
    }
    if let Some(p) = &paths.capath {
        check_dir_dest(p)?;
    }
    let dir = match &paths.capath {
        Some(p) => Some((stage_dir(p, built)?, p)),
        None => None,
    };
    let mut files = Vec::new();
    if let Some(p) = &paths.pem {
        files.push((stage_file(p, built.pem())?, p));
    }
    if let Some(p) = &paths.manifest {
        files.push((stage_file(p, built.manifest())?, p));
    }
    if let Some((staged, dest)) = dir {
        commit_dir(staged, dest)?;
    }
    for (staged, dest) in files {
        staged
            .persist(dest)
            .map_err(|e| io_context(e.error, "cannot rename into", dest))?;
    }
    Ok(())
}
