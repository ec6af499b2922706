//! Performing a [`Plan`]: the output edge of `rehash`.
//!
//! Only the plan's changes touch the disk; a kept link costs nothing. A link that replaces
//! another is made under a temporary name and renamed into place, so the name never
//! disappears; copies (`--copy`) are written the same way.

use crate::plan::{Action, Plan};
use crate::{Error, Result};
use cabundle_cert::{READ_CAP, read_bounded};
use std::io::{self, Write};
use std::path::Path;

/// Performs the changes of `plan` in `dir`, in order, going on after a failure like OpenSSL.
/// Returns the failures (empty when all went well).
///
/// Regular files are never removed or overwritten, except copies `--copy` wrote (they start
/// with [`crate::COPY_MARKER`]).
pub fn apply(dir: &Path, plan: &Plan) -> Vec<Error> {
    let mut errors = Vec::new();
    for action in plan.changes() {
        let result = match action {
            Action::Keep { .. } => Ok(()),
            Action::Link {
                link,
                target,
                replaces,
            } => {
                let path = dir.join(link.to_string());
                if plan.copy {
                    write_copy(&dir.join(target), &path)
                } else if replaces.is_some() {
                    replace_symlink(target.as_ref(), &path)
                } else {
                    make_symlink(target.as_ref(), &path)
                }
            }
            Action::Remove { link, .. } => remove_link(&dir.join(link.to_string())),
        };
        if let Err(err) = result {
            errors.push(err);
        }
    }
    errors
}

/// Creates the link; one already there pointing at `target` (another run made it) counts as
/// made.
fn make_symlink(target: &Path, path: &Path) -> Result<()> {
    match symlink(target, path) {
        Ok(()) => Ok(()),
        Err(e)
            if e.kind() == io::ErrorKind::AlreadyExists
                && std::fs::read_link(path).is_ok_and(|now| now == target) =>
        {
            Ok(())
        }
        Err(source) => Err(Error::Link {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Whether `name` is a temporary name this module writes: `.cabundle-XXXXXX` (copies) and
/// `.hhhhhhhh.N.cabundle-tmp` (replaced links).
fn is_leftover(name: &str) -> bool {
    if let Some(random) = name.strip_prefix(".cabundle-") {
        return random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric());
    }
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".cabundle-tmp"))
        .is_some_and(|link| crate::parse_link_name(link.as_bytes()).is_some())
}

/// Removes the temporary files and links an earlier, killed run left in `dir`: names of this
/// module's temporary-name patterns, last changed before `started`. Call it while holding
/// [`crate::lock`] on `dir`, so that no live run owns them. Returns the failures.
pub fn remove_leftovers(dir: &Path, started: std::time::SystemTime) -> Vec<Error> {
    let mut errors = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return errors;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !is_leftover(&name.to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let ft = meta.file_type();
        if !(ft.is_file() || ft.is_symlink()) || !meta.modified().is_ok_and(|m| m < started) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                errors.push(Error::Remove { path, source: e });
            }
            _ => {}
        }
    }
    errors
}

/// Makes `path` a symbolic link to `target` atomically: link under a temporary name, rename.
fn replace_symlink(target: &Path, path: &Path) -> Result<()> {
    let link_error = |source| Error::Link {
        path: path.to_owned(),
        source,
    };
    let tmp = temporary_name(path);
    // A leftover from an interrupted run may be there.
    let _ = std::fs::remove_file(&tmp);
    symlink(target, &tmp).map_err(link_error)?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        link_error(source)
    })
}

/// Creates a symbolic link at `link` pointing to `target`.
#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// Symbolic links need privileges on Windows: hashed directories are written as copies there
/// (`--copy`, the default on such systems).
#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "symbolic links are not supported on this system",
    ))
}

fn temporary_name(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.cabundle-tmp"))
}

/// Writes the copy of `source` at `path` (temporary file, then rename), readable by all: the
/// marker line, then the file ([`crate::copy_bytes`]). Only a regular file within the input
/// cap is copied.
fn write_copy(source: &Path, path: &Path) -> Result<()> {
    let data = read_bounded(source, READ_CAP).map_err(|e| Error::Read {
        path: source.to_owned(),
        source: io::Error::other(e.reason()),
    })?;
    let name = source.file_name().unwrap_or_default();
    // DER files are copied as PEM; PEM bytes are copied as they are whatever this says.
    let content = crate::classify(&data, true);
    write_atomic(path, &crate::copy_bytes(name, &data, &content))
}

/// Writes `data` at `path` through a temporary file in the same directory and a rename.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let write_error = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".cabundle-")
        .tempfile_in(dir)
        .map_err(write_error)?;
    tmp.write_all(data).map_err(write_error)?;
    set_readable(tmp.as_file()).map_err(write_error)?;
    tmp.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}

/// Makes a written file readable by all (`0644`), as `tempfile` creates it `0600`.
#[cfg(unix)]
fn set_readable(file: &std::fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

/// Files have no unix mode here: the default permissions already let others read.
#[cfg(not(unix))]
fn set_readable(_file: &std::fs::File) -> io::Result<()> {
    Ok(())
}

/// Removes a hash link; a regular file is removed only when it is a copy `--copy` wrote (it
/// starts with the copy marker), never a user's file, whatever its bytes.
fn remove_link(path: &Path) -> Result<()> {
    let remove_error = |source| Error::Remove {
        path: path.to_owned(),
        source,
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(remove_error(e)),
        Ok(meta) => {
            let ft = meta.file_type();
            let marked = || read_bounded(path, READ_CAP).is_ok_and(|bytes| crate::is_copy(&bytes));
            if !(ft.is_symlink() || (ft.is_file() && marked())) {
                let other = io::Error::other("not a symbolic link or a copy");
                return Err(remove_error(other));
            }
        }
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(remove_error(e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names() {
        for (name, expected) in [
            (".cabundle-Ab12Cd", true),
            (".cabundle-Ab12C", false),
            (".cabundle-Ab12Cd.pem", false),
            ("cabundle-Ab12Cd", false),
            (".5ad8a5d6.0.cabundle-tmp", true),
            (".notes.cabundle-tmp", false),
            ("5ad8a5d6.0", false),
        ] {
            assert_eq!(is_leftover(name), expected, "{name}");
        }
    }
}
