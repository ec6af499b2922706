//! Reading a directory into a [`Listing`]: the input edge of `rehash`.
//!
//! The directory is listed once (file types come from the listing itself, without a `stat`
//! per entry); then candidate files are read and classified, and hash-named links read, in
//! parallel. Nothing is written.

use crate::content::{Content, classify, has_candidate_extension};
use crate::copy::{copy_sha1, is_copy};
use crate::plan::parse_link_name;
use crate::{Entry, EntryKind, Error, Listing, Options, Result};
use cabundle_cert::{READ_CAP, ReadError, read_bounded};
use rayon::prelude::*;
use sha1::{Digest, Sha1};
use std::ffi::OsString;
use std::fs::FileType;
use std::path::Path;

/// Lists `dir` and reads what [`crate::plan`] needs: link targets of hash-named links, and the
/// content of every file whose name has a certificate extension.
///
/// Errors only when the directory itself cannot be listed; a file that cannot be read is
/// recorded as [`Content::Unreadable`] (OpenSSL reports it and goes on), and one that is not a
/// regular file, or is larger than [`READ_CAP`], as [`Content::NotRegular`] without being
/// opened.
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
    } else if file_type.is_file() && (candidate || hash_named) {
        let data = read(&path);
        let content = candidate.then(|| content_of(&data, options.der));
        // Copies are matched with the file they copy by these digests, with or without
        // --copy; a hash-named file without the copy marker is the user's.
        let bytes_sha1 = match (&data, &content) {
            (Ok(data), Some(content @ Content::Object(_))) => Some(copy_sha1(&name, data, content)),
            (Ok(data), _) if hash_named && is_copy(data) => Some(Sha1::digest(data).into()),
            _ => None,
        };
        EntryKind::File {
            content,
            bytes_sha1,
        }
    } else if file_type.is_file() {
        EntryKind::File {
            content: None,
            bytes_sha1: None,
        }
    } else if file_type.is_dir() && candidate {
        // OpenSSL opens a directory fine and then reads nothing from it.
        EntryKind::Other {
            content: Some(Content::NotExactlyOne { count: 0 }),
        }
    } else if candidate {
        // A FIFO or device: reading it could block forever, so it is never opened.
        EntryKind::Other {
            content: Some(content_of(&read(&path), options.der)),
        }
    } else {
        EntryKind::Other { content: None }
    };
    Entry { name, kind }
}

/// A file's bytes when it is a regular file within the cap; [`read_bounded`] checks before
/// opening, so a FIFO or device (or a link to one) is never opened.
fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_bounded(path, READ_CAP)
}

fn content_of(data: &Result<Vec<u8>, ReadError>, der: bool) -> Content {
    match data {
        Ok(data) => classify(data, der),
        // OpenSSL opens a directory fine and then reads nothing from it.
        Err(err) if err.is_directory() => Content::NotExactlyOne { count: 0 },
        Err(err @ (ReadError::NotRegular { .. } | ReadError::TooLarge { .. })) => {
            Content::NotRegular {
                reason: err.reason(),
            }
        }
        Err(err) => Content::Unreadable {
            reason: err.reason(),
        },
    }
}
