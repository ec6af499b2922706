//! Reading a directory into a [`Listing`]: the input edge of `rehash`.
//!
//! The directory is listed once (file types come from the listing itself, without a `stat`
//! per entry); then candidate files are read and classified, and hash-named links read, in
//! parallel. Nothing is written.

use crate::content::{Content, classify, has_candidate_extension};
use crate::plan::parse_link_name;
use crate::{Entry, EntryKind, Error, Listing, Options, Result};
use rayon::prelude::*;
use sha1::{Digest, Sha1};
use std::ffi::OsString;
use std::fs::FileType;
use std::io;
use std::path::Path;

/// Lists `dir` and reads what [`crate::plan`] needs: link targets of hash-named links, and the
/// content of every file whose name has a certificate extension.
///
/// Errors only when the directory itself cannot be listed; a file that cannot be read is
/// recorded as [`Content::Unreadable`] (OpenSSL reports it and goes on).
pub fn scan(dir: &Path, options: &Options) -> Result<Listing> {
    let read_dir_error = |source| Error::ReadDir {
        path: dir.to_owned(),
        source,
    };
    let mut raw: Vec<(OsString, FileType)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_dir_error)? {
        let entry = entry.map_err(read_dir_error)?;
        let file_type = entry.file_type().map_err(read_dir_error)?;
        raw.push((entry.file_name(), file_type));
    }
    let entries = raw
        .into_par_iter()
        .map(|(name, file_type)| read_entry(dir, name, file_type, options))
        .collect();
    Ok(Listing { entries })
}

fn read_entry(dir: &Path, name: OsString, file_type: FileType, options: &Options) -> Entry {
    let bytes = name.as_encoded_bytes();
    let candidate = has_candidate_extension(bytes, options.der);
    let hash_named = parse_link_name(bytes).is_some();
    let path = dir.join(&name);
    let kind = if file_type.is_symlink() {
        let target = if hash_named {
            std::fs::read_link(&path).ok().map(|t| t.into_os_string())
        } else {
            None
        };
        let content = candidate.then(|| content_of(&read(&path), options.der));
        EntryKind::Symlink { target, content }
    } else if file_type.is_file() {
        // Copies (hash-named regular files) are matched with the file they copy by these
        // digests, with or without --copy.
        let want_digest = candidate || hash_named;
        if candidate || want_digest {
            let data = read(&path);
            let bytes_sha1 = match (&data, want_digest) {
                (Ok(data), true) => Some(Sha1::digest(data).into()),
                _ => None,
            };
            let content = candidate.then(|| content_of(&data, options.der));
            EntryKind::File {
                content,
                bytes_sha1,
            }
        } else {
            EntryKind::File {
                content: None,
                bytes_sha1: None,
            }
        }
    } else if file_type.is_dir() && candidate {
        // OpenSSL opens a directory fine and then reads nothing from it.
        EntryKind::Other {
            content: Some(Content::NotExactlyOne { count: 0 }),
        }
    } else if candidate {
        // A FIFO or device: reading it could block forever.
        let reason = "not a regular file".to_owned();
        EntryKind::Other {
            content: Some(Content::Unparsable { reason }),
        }
    } else {
        EntryKind::Other { content: None }
    };
    Entry { name, kind }
}

fn read(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

fn content_of(data: &io::Result<Vec<u8>>, der: bool) -> Content {
    match data {
        Ok(data) => classify(data, der),
        Err(err) if err.kind() == io::ErrorKind::IsADirectory => {
            Content::NotExactlyOne { count: 0 }
        }
        Err(err) => Content::Unreadable {
            reason: err.to_string(),
        },
    }
}
