//! Writing a file so that readers see the old contents or the new, never a mix.

use crate::Error;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory, flushed to disk
/// and then renamed over `path`. Missing parent directories are created. On any failure
/// `path` is left as it was. An existing file's permissions are kept; a new file gets the
/// usual `0644` on Unix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let err = |source: std::io::Error| Error::Write {
        path: path.to_owned(),
        source: without_temp_name(source),
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tidy: allow(std-fs): `Error::Write` already names the path.
    std::fs::create_dir_all(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => err(std::io::Error::new(
            e.kind(),
            format!("{} is not a directory", dir.display()),
        )),
        _ => err(e),
    })?;
    // tidy: allow(std-fs): `Error::Write` already names the path.
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(err(e)),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".cabundle-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    let permissions = match permissions {
        Some(p) => p,
        None => default_permissions(tmp.as_file()).map_err(err)?,
    };
    tmp.as_file().set_permissions(permissions).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// The OS error under one from `tempfile`, which appends the temporary file's name: users
/// should see the file they asked for, which `Error::Write` names.
fn without_temp_name(e: std::io::Error) -> std::io::Error {
    let Some(inner) = e.get_ref() else {
        return e;
    };
    match inner
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
    {
        Some(io) => match io.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::new(io.kind(), io.to_string()),
        },
        None => e,
    }
}

#[cfg(unix)]
fn default_permissions(_file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_new_and_replaces_existing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        write_atomic(&path, b"one").unwrap();
        assert_eq!(fs_err::read(&path).unwrap(), b"one");
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs_err::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs_err::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.csv"], "no temporary file is left behind");
    }

    #[test]
    fn missing_parents_are_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("report.csv");
        write_atomic(&path, b"x").unwrap();
        assert_eq!(fs_err::read(&path).unwrap(), b"x");
    }

    #[test]
    fn failure_names_the_file_once_and_no_temporary_name() {
        let dir = tempfile::tempdir().unwrap();
        // A parent that is a file: neither it nor the file can be created.
        fs_err::write(dir.path().join("file"), "").unwrap();
        let path = dir.path().join("file").join("report.csv");
        let err = write_atomic(&path, b"x").unwrap_err();
        let want = format!(
            "cannot write {}: {} is not a directory",
            path.display(),
            dir.path().join("file").display()
        );
        assert_eq!(anyhow_like_chain(&err), want);
        assert!(!path.exists());
    }

    /// The error and its sources joined by ": ", as `{:#}` of anyhow prints them.
    fn anyhow_like_chain(err: &(dyn std::error::Error + 'static)) -> String {
        let mut parts = vec![err.to_string()];
        let mut cur = err.source();
        while let Some(e) = cur {
            parts.push(e.to_string());
            cur = e.source();
        }
        parts.join(": ")
    }
}
