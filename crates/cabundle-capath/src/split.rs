//! Splitting a PEM bundle into one file per certificate, for `cabundle capath`.
//!
//! Each certificate is written as `<sha256>.pem` (the SHA-256 of its DER in lower-case hex):
//! the name follows from the content alone, so the same bundle always gives the same files,
//! and a file under such a name holding anything else is not ours and is left alone.

use crate::apply::write_atomic;
use crate::{Error, Result};
use std::path::Path;

/// One file to write: its name and its PEM text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitFile {
    /// `<sha256 hex>.pem`.
    pub name: String,
    /// One `CERTIFICATE` block, base64 in 64-column lines, LF line endings.
    pub pem: Vec<u8>,
}

/// The certificates of a PEM bundle as files, sorted by name, duplicates once. Blocks with
/// other labels (CRLs, keys) are left out; `TRUSTED CERTIFICATE` blocks lose their trust
/// settings.
pub fn split_bundle(bytes: &[u8]) -> Result<Vec<SplitFile>, cabundle_cert::Error> {
    let mut files: Vec<SplitFile> = cabundle_cert::read_certificates(bytes)?
        .into_iter()
        .map(|cert| SplitFile {
            name: format!("{}.pem", cert.sha256),
            pem: cert.to_pem().into_bytes(),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files.dedup_by(|a, b| a.name == b.name);
    Ok(files)
}

/// Writes `files` into `dir` (created if missing), each atomically. A file already there with
/// the same bytes is left untouched; one with other bytes is an error, checked for every file
/// before anything is written. Returns the names written.
pub fn write_split(dir: &Path, files: &[SplitFile]) -> Result<Vec<String>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_owned(),
        source,
    })?;
    let mut to_write = Vec::new();
    for file in files {
        let path = dir.join(&file.name);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => to_write.push(file),
            Err(source) => return Err(Error::Read { path, source }),
            Ok(meta) if !meta.file_type().is_file() => return Err(Error::Clobber { path }),
            Ok(_) => {
                // Read no more than the file it should be: anything larger differs.
                let cap = u64::try_from(file.pem.len()).unwrap_or(u64::MAX);
                match cabundle_cert::read_bounded(&path, cap) {
                    Ok(existing) if existing == file.pem => {}
                    Ok(_) | Err(cabundle_cert::ReadError::TooLarge { .. }) => {
                        return Err(Error::Clobber { path });
                    }
                    Err(e) => {
                        let source = std::io::Error::other(e.reason());
                        return Err(Error::Read { path, source });
                    }
                }
            }
        }
    }
    let mut written = Vec::new();
    for file in to_write {
        write_atomic(&dir.join(&file.name), &file.pem)?;
        written.push(file.name.clone());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cabundle_testkit::der::{StringType, name_simple, oid, string};
    use cabundle_testkit::{cert_with_subject, pem as to_pem};

    fn sha256(der: &[u8]) -> cabundle_cert::Sha256Fingerprint {
        cabundle_cert::Certificate::from_der(der)
            .expect("certificate")
            .sha256
    }

    #[test]
    fn split_is_sorted_deduplicated_and_canonical() {
        let name = |cn: &str| name_simple(&[(oid::CN, string(StringType::Utf8, cn))]);
        let (a, b) = (cert_with_subject(&name("A")), cert_with_subject(&name("B")));
        let bundle = format!(
            "# comment\r\n{}{}{}",
            to_pem("CERTIFICATE", &a).replace('\n', "\r\n"),
            to_pem("CERTIFICATE", &b),
            to_pem("CERTIFICATE", &a)
        );
        let files = split_bundle(bundle.as_bytes()).expect("split");
        let mut expected = vec![
            (format!("{}.pem", sha256(&a)), to_pem("CERTIFICATE", &a)),
            (format!("{}.pem", sha256(&b)), to_pem("CERTIFICATE", &b)),
        ];
        expected.sort();
        let got: Vec<(String, String)> = files
            .into_iter()
            .map(|f| (f.name, String::from_utf8(f.pem).expect("utf-8")))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn existing_file_with_other_content_stops_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = vec![
            SplitFile {
                name: "a.pem".into(),
                pem: b"A".to_vec(),
            },
            SplitFile {
                name: "b.pem".into(),
                pem: b"B".to_vec(),
            },
        ];
        std::fs::write(dir.path().join("b.pem"), "mine").expect("write");
        assert!(matches!(
            write_split(dir.path(), &files),
            Err(Error::Clobber { .. })
        ));
        assert!(!dir.path().join("a.pem").exists());
        std::fs::write(dir.path().join("b.pem"), "B").expect("write");
        assert_eq!(write_split(dir.path(), &files).expect("write"), ["a.pem"]);
    }
}
