//! Reading an input file with a size cap: the one bounded reader of the workspace.
//!
//! Every crate that reads certificates, stores or manifests from disk depends on this one, so
//! the reader lives here rather than in a crate of its own (one function does not earn a
//! crate) or in `cabundle-write` (a writer; the store loader does not depend on it). It is the
//! only IO in this crate; everything else takes bytes.
//!
//! The rules, in order:
//!
//! 1. The path's metadata (following symbolic links) must say "regular file" before the file
//!    is opened: opening a FIFO blocks until a writer comes, and a device such as `/dev/zero`
//!    never ends. Anything else is [`ReadError::NotRegular`], naming what it is.
//! 2. A file larger than the cap is [`ReadError::TooLarge`] without being read (a sparse file
//!    costs nothing to refuse).
//! 3. After opening, the open file's own metadata is checked again (the path may have been
//!    replaced in between), and at most cap + 1 bytes are read, so a file that grows while it
//!    is read is refused too. Memory stays proportional to the data.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The default cap on an input file: 64 MiB, the download cap. The largest trust stores in
/// use are a few hundred KiB.
pub const READ_CAP: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The path names a directory, FIFO, device or socket.
    #[error("{} is not a regular file ({kind})", path.display())]
    NotRegular {
        /// The path as given.
        path: PathBuf,
        /// What it is instead: `a directory`, `a FIFO`, `a character device`...
        kind: &'static str,
    },
    /// The file is larger than the cap.
    #[error("{} is {}", path.display(), too_large(*size, *cap))]
    TooLarge {
        /// The path as given.
        path: PathBuf,
        /// Its size in bytes, when known (not for standard input, or a file that grew while
        /// it was read).
        size: Option<u64>,
        /// The cap in bytes.
        cap: u64,
    },
    /// The operating system refused: missing file, permission, read error.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

impl ReadError {
    /// The IO error, when the operating system refused (to tell a missing file apart).
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }

    /// Whether the path is a directory.
    pub fn is_directory(&self) -> bool {
        matches!(self, ReadError::NotRegular { kind, .. } if *kind == DIRECTORY)
    }

    /// The reason without the path, for callers that name the file themselves.
    pub fn reason(&self) -> String {
        match self {
            ReadError::NotRegular { kind, .. } => format!("not a regular file ({kind})"),
            ReadError::TooLarge { size, cap, .. } => too_large(*size, *cap),
            ReadError::Io { source, .. } => source.to_string(),
        }
    }
}

/// `200 MiB, more than the 64 MiB cap`, or `more than the 64 MiB cap` when the size is
/// unknown.
fn too_large(size: Option<u64>, cap: u64) -> String {
    match size {
        Some(size) => format!("{}, more than the {} cap", Size(size), Size(cap)),
        None => format!("more than the {} cap", Size(cap)),
    }
}

/// A size in bytes as people read it: `200 MiB`, `12 KiB`, `512 bytes`.
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const KIB: u64 = 1024;
        const MIB: u64 = 1024 * 1024;
        match self.0 {
            n if n >= MIB => write!(f, "{} MiB", n / MIB),
            n if n >= KIB => write!(f, "{} KiB", n / KIB),
            n => write!(f, "{n} bytes"),
        }
    }
}

const DIRECTORY: &str = "a directory";

/// What a non-regular file is, in words.
fn kind_of(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return DIRECTORY;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

/// Checks metadata against the rules: a regular file, at most `cap` bytes.
fn check(path: &Path, meta: &Metadata, cap: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        let kind = kind_of(meta);
        return Err(ReadError::NotRegular {
            path: path.to_owned(),
            kind,
        });
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            size: Some(meta.len()),
            cap,
        });
    }
    Ok(())
}

/// Whether `path` (following links) is a regular file of at most `cap` bytes, without
/// opening it.
pub fn check_bounded(path: &Path, cap: u64) -> Result<(), ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    // tidy: allow(std-fs): the error is this crate's, naming the path once.
    let meta = std::fs::metadata(path).map_err(io_error)?;
    check(path, &meta, cap)
}

/// The bytes of the regular file at `path`, at most `cap` of them (see the module rules).
pub fn read_bounded(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    check_bounded(path, cap)?;
    let file = File::open(path).map_err(io_error)?;
    let meta = file.metadata().map_err(io_error)?;
    check(path, &meta, cap)?;
    let capacity = usize::try_from(meta.len()).unwrap_or(0);
    read_capped(file, capacity, cap).map_err(|e| match e {
        Capped::Io(source) => io_error(source),
        Capped::Over => ReadError::TooLarge {
            path: path.to_owned(),
            size: None,
            cap,
        },
    })
}

/// Why [`read_capped_from`] stopped.
#[derive(Debug)]
enum Capped {
    Io(io::Error),
    Over,
}

fn read_capped(reader: impl Read, capacity: usize, cap: u64) -> Result<Vec<u8>, Capped> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Capped::Io)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(Capped::Over);
    }
    Ok(bytes)
}

/// Reads `reader` (standard input) to its end, at most `cap` bytes: more is an error naming
/// `what` (reading stops after cap + 1 bytes).
pub fn read_capped_from(reader: impl Read, what: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    read_capped(reader, 0, cap).map_err(|e| match e {
        Capped::Io(source) => ReadError::Io {
            path: what.to_owned(),
            source,
        },
        Capped::Over => ReadError::TooLarge {
            path: what.to_owned(),
            size: None,
            cap,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_read(setup: impl FnOnce(&Path), cap: u64, expected: Result<&[u8], &str>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        setup(&path);
        let got = read_bounded(&path, cap);
        match (got, expected) {
            (Ok(bytes), Ok(want)) => assert_eq!(bytes, want),
            (Err(e), Err(want)) => assert_eq!(e.reason(), want),
            (got, want) => panic!("got {got:?}, expected {want:?}"),
        }
    }

    #[test]
    fn regular_files_up_to_the_cap() {
        check_read(|p| std::fs::write(p, b"abc").unwrap(), 3, Ok(b"abc"));
        check_read(|p| std::fs::write(p, b"").unwrap(), 0, Ok(b""));
        check_read(
            |p| std::fs::write(p, b"abcd").unwrap(),
            3,
            Err("4 bytes, more than the 3 bytes cap"),
        );
        check_read(
            |p| {
                let f = File::create(p).unwrap();
                f.set_len(200 * 1024 * 1024).unwrap();
            },
            READ_CAP,
            Err("200 MiB, more than the 64 MiB cap"),
        );
        check_read(
            |p| std::fs::create_dir(p).unwrap(),
            READ_CAP,
            Err("not a regular file (a directory)"),
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_links_to_them_are_refused() {
        check_read(
            |p| std::os::unix::fs::symlink("/dev/zero", p).unwrap(),
            READ_CAP,
            Err("not a regular file (a character device)"),
        );
        let e = read_bounded(Path::new("/dev/null"), READ_CAP).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/null is not a regular file (a character device)"
        );
    }

    #[test]
    fn standard_input_is_capped() {
        let what = Path::new("standard input");
        assert_eq!(read_capped_from(&b"abc"[..], what, 3).unwrap(), b"abc");
        let e = read_capped_from(io::repeat(0), what, 10).unwrap_err();
        assert_eq!(
            e.to_string(),
            "standard input is more than the 10 bytes cap"
        );
    }
}
