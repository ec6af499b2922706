//! An advisory lock on a hashed directory, so that two runs changing it take turns.
//!
//! The lock is `flock` on the directory itself: nothing is written into the directory, and
//! the lock goes away with the process, however it ends. A run that cannot get the lock within
//! its time-out names the process holding it, read from `/proc/locks` where there is one.

use crate::{Error, Result};
use std::path::Path;
use std::time::{Duration, Instant};

/// An exclusive lock on a directory, held until dropped.
#[derive(Debug)]
pub struct DirLock {
    _file: std::fs::File,
}

/// Takes the exclusive lock on `dir`, waiting up to `timeout` for another holder to let go.
/// Where a directory cannot be opened as a file (not on Unix), there is no lock to take.
pub fn lock(dir: &Path, timeout: Duration) -> Result<Option<DirLock>> {
    if !cfg!(unix) {
        return Ok(None);
    }
    let lock_error = |source| Error::Lock {
        path: dir.to_owned(),
        source,
    };
    let file = std::fs::File::open(dir).map_err(lock_error)?;
    let deadline = Instant::now() + timeout;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(DirLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(lock_error(e)),
        }
        if Instant::now() >= deadline {
            return Err(Error::Locked {
                path: dir.to_owned(),
                holder: holder(&file),
                waited: timeout,
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The process holding a `flock` on the file, with its command name, from `/proc/locks`.
#[cfg(target_os = "linux")]
fn holder(file: &std::fs::File) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = file.metadata().ok()?;
    let dev = meta.dev();
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let id = format!("{major:02x}:{minor:02x}:{}", meta.ino());
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // `1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF`
        let at = fields.iter().position(|f| *f == "FLOCK")?;
        let (pid, file_id) = (fields.get(at + 3)?, fields.get(at + 4)?);
        (*file_id == id).then(|| (*pid).to_owned())
    })?;
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let comm = comm.trim();
    Some(if comm.is_empty() {
        format!("process {pid}")
    } else {
        format!("process {pid} ({comm})")
    })
}

#[cfg(not(target_os = "linux"))]
fn holder(_file: &std::fs::File) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path(), Duration::ZERO).unwrap();
        let err = lock(dir.path(), Duration::from_millis(100)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("is locked by"), "{text}");
        if cfg!(target_os = "linux") {
            let pid = std::process::id().to_string();
            assert!(text.contains(&format!("process {pid}")), "{text}");
        }
        drop(first);
        lock(dir.path(), Duration::ZERO).unwrap();
    }
}
