//! The journal on disk and the backups beside it: `<state>/journal.json` and
//! `<state>/backups/<sha256>`, each written atomically and flushed before the change it
//! records is made.

use anyhow::Context as _;
use cabundle_cert::Sha256Fingerprint;
use cabundle_trust::journal::{FileState, Journal};
use std::path::{Path, PathBuf};

/// A journal and the directory it lives in.
#[derive(Debug)]
pub(crate) struct State {
    /// The state directory.
    pub dir: PathBuf,
    /// The journal read from it (empty when there is none yet).
    pub journal: Journal,
}

impl State {
    /// Reads the journal of `dir`; none yet is an empty one.
    pub(crate) fn load(dir: &Path) -> anyhow::Result<State> {
        let path = dir.join("journal.json");
        let journal = match read_if_present(&path)? {
            Some(bytes) => Journal::from_json(&bytes)
                .with_context(|| format!("cannot read the journal {}", path.display()))?,
            None => Journal::new(),
        };
        Ok(State {
            dir: dir.to_owned(),
            journal,
        })
    }

    /// Writes the journal (atomically, flushed); an empty journal removes the file.
    pub(crate) fn save(&self) -> anyhow::Result<()> {
        let path = self.dir.join("journal.json");
        if self.journal.entries.is_empty() {
            return remove_if_present(&path);
        }
        cabundle_write::write_atomic(&path, self.journal.to_json().as_bytes())
            .with_context(|| format!("cannot write the journal {}", path.display()))
    }

    /// Keeps a copy of `path` (when it exists) among the backups, and says what it was.
    pub(crate) fn back_up(&self, path: &Path) -> anyhow::Result<FileState> {
        let Some(bytes) = read_if_present(path)? else {
            return Ok(FileState::Absent);
        };
        let sha256 = Sha256Fingerprint::of(&bytes).to_string();
        let backup = self.backup_path(&sha256);
        if !backup.exists() {
            cabundle_write::write_atomic(&backup, &bytes)
                .with_context(|| format!("cannot keep a copy of {}", path.display()))?;
        }
        Ok(FileState::Backup {
            sha256,
            mode: mode_of(path),
        })
    }

    /// Where the backup with this SHA-256 is.
    pub(crate) fn backup_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("backups").join(sha256)
    }

    /// Puts `path` back as `before` says it was: the backup's bytes and mode, or no file.
    pub(crate) fn restore(&self, path: &Path, before: &FileState) -> anyhow::Result<()> {
        match before {
            FileState::Absent => remove_if_present(path),
            FileState::Backup { sha256, mode } => {
                let bytes = fs_err::read(self.backup_path(sha256)).with_context(|| {
                    format!(
                        "the copy of {} kept before the change is gone",
                        path.display()
                    )
                })?;
                write_keeping_mode(path, &bytes, Some(*mode))
            }
        }
    }

    /// Removes backups no entry refers to any more.
    pub(crate) fn prune_backups(&self) {
        let dir = self.dir.join("backups");
        let Ok(entries) = fs_err::read_dir(&dir) else {
            return;
        };
        let text = self.journal.to_json();
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !text.contains(&name) {
                let _ = fs_err::remove_file(entry.path());
            }
        }
        let _ = fs_err::remove_dir(&dir);
        // Nothing recorded: the state directory goes (its lock file with it).
        if self.journal.entries.is_empty() {
            let _ = fs_err::remove_file(self.dir.join("lock"));
            let _ = fs_err::remove_dir(&self.dir);
        }
    }
}

/// An exclusive lock on a state directory, held until dropped: two runs never change the
/// same stores at once (a run that was killed holds none).
pub(crate) struct Lock {
    _file: fs_err::File,
}

impl Lock {
    /// Waits for the lock of `dir` (made when missing).
    pub(crate) fn take(dir: &Path) -> anyhow::Result<Lock> {
        fs_err::create_dir_all(dir)?;
        let file = fs_err::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))?;
        #[cfg(unix)]
        rustix::fs::flock(file.file(), rustix::fs::FlockOperation::LockExclusive)
            .with_context(|| format!("cannot lock {}", dir.join("lock").display()))?;
        Ok(Lock { _file: file })
    }
}

/// The bytes of a file, `None` when it does not exist.
pub(crate) fn read_if_present(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match fs_err::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Removes a file; one that does not exist is fine.
pub(crate) fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match fs_err::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The SHA-256 of a file, `None` when it does not exist.
pub(crate) fn file_sha256(path: &Path) -> anyhow::Result<Option<String>> {
    Ok(read_if_present(path)?.map(|b| Sha256Fingerprint::of(&b).to_string()))
}

/// Writes `bytes` to `path` atomically and gives it `mode` (or keeps the mode it had).
pub(crate) fn write_keeping_mode(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
) -> anyhow::Result<()> {
    let mode = mode.or_else(|| path.exists().then(|| mode_of(path)));
    cabundle_write::write_atomic(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt as _;
        fs_err::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

fn mode_of(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs_err::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o644
    }
}
