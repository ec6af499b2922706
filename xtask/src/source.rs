//! Finding a bundle's pinned source by its SHA-256: in the folders given with
//! `--source-dir` (matched by content, whatever the file is called), then in the local cache,
//! then by downloading the lock's URL. Whatever is found is checked against the lock.

use crate::outputs::sha256_hex;
use anyhow::{Context, Result, bail};
use cabundle_build::OutputSet;
use cabundle_build::recipe::LockSource as Source;
use std::path::{Path, PathBuf};

/// Where sources are looked for.
#[derive(Clone, Debug)]
pub struct Lookup {
    /// Folders whose files are matched by content, in order.
    pub source_dirs: Vec<PathBuf>,
    /// The cache folder: files named by their SHA-256.
    pub cache_dir: PathBuf,
}

/// Where a source was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A file of a `--source-dir` folder.
    SourceDir(PathBuf),
    /// The local cache.
    Cache(PathBuf),
    /// Downloaded, then stored in the cache.
    Downloaded(String),
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Found::SourceDir(p) => write!(f, "{}", p.display()),
            Found::Cache(p) => write!(f, "{} (cache)", p.display()),
            Found::Downloaded(url) => write!(f, "{url} (downloaded)"),
        }
    }
}

/// The default cache folder: `$XDG_CACHE_HOME/cabundle/sources` when set, else
/// `target/cabundle-cache` of the workspace.
pub fn default_cache_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("cabundle").join("sources"),
        _ => workspace.join("target").join("cabundle-cache"),
    }
}

impl Lookup {
    /// Finds the bytes of `source`.
    pub fn find(&self, source: &Source) -> Result<(Vec<u8>, Found)> {
        for dir in &self.source_dirs {
            if let Some((bytes, path)) = find_in_dir(dir, source)? {
                return Ok((bytes, Found::SourceDir(path)));
            }
        }
        let cached = self.cache_dir.join(source.sha256.to_string());
        if cached.is_file() {
            let bytes = fs_err::read(&cached)?;
            if sha256_hex(&bytes) == source.sha256.to_string() {
                return Ok((bytes, Found::Cache(cached)));
            }
        }
        let bytes = self.download(source)?;
        Ok((bytes, Found::Downloaded(source.url.clone())))
    }

    /// Downloads `source.url`, checks it against the lock and stores it in the cache.
    fn download(&self, source: &Source) -> Result<Vec<u8>> {
        let opts = cabundle_fetch::FetchOptions {
            expect_sha256: Some(source.sha256.0),
            ..Default::default()
        };
        let fetched = cabundle_fetch::fetch(&source.url, &opts).map_err(|err| {
            let searched = if self.source_dirs.is_empty() {
                String::new()
            } else {
                format!(
                    " (not in {} either)",
                    self.source_dirs
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            anyhow::anyhow!(
                "cannot download the pinned source{searched}: {err}\n\
                 hint: the network may be unreachable; to build offline, pass `--source-dir DIR` \
                 with a folder holding the file whose SHA-256 is {}",
                source.sha256
            )
        })?;
        self.store(source, &fetched.body)?;
        Ok(fetched.body)
    }

    /// Stores verified source bytes in the cache.
    pub fn store(&self, source: &Source, bytes: &[u8]) -> Result<()> {
        check(source, bytes, &source.url)?;
        let path = self.cache_dir.join(source.sha256.to_string());
        OutputSet::new().file(path, bytes).write()?;
        Ok(())
    }
}

/// The file of `dir` (not its subfolders) whose content matches `source`.
fn find_in_dir(dir: &Path, source: &Source) -> Result<Option<(Vec<u8>, PathBuf)>> {
    let mut paths = Vec::new();
    for entry in fs_err::read_dir(dir).with_context(|| "reading --source-dir".to_owned())? {
        let entry = entry?;
        let meta = fs_err::metadata(entry.path())?;
        if meta.is_file() && meta.len() == source.size {
            paths.push(entry.path());
        }
    }
    paths.sort();
    for path in paths {
        let bytes = fs_err::read(&path)?;
        if sha256_hex(&bytes) == source.sha256.to_string() {
            return Ok(Some((bytes, path)));
        }
    }
    Ok(None)
}

/// Checks bytes against the lock's size and SHA-256.
pub fn check(source: &Source, bytes: &[u8], from: &str) -> Result<()> {
    let sha = sha256_hex(bytes);
    if sha != source.sha256.to_string() || bytes.len() as u64 != source.size {
        bail!(
            "{from} does not match the lock: SHA-256 {sha}, {} bytes; the lock pins {}, {} bytes",
            bytes.len(),
            source.sha256,
            source.size
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(bytes: &[u8]) -> Source {
        Source::new(
            // Nothing listens on port 9 of this machine: downloads fail at once, offline.
            "https://127.0.0.1:9/report.csv".into(),
            sha256_hex(bytes).parse().unwrap(),
            bytes.len() as u64,
            time::macros::date!(2026 - 07 - 01),
        )
    }

    #[test]
    fn found_by_content_in_source_dir() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("a.csv"), b"other").unwrap();
        fs_err::write(dir.path().join("b.csv"), b"wanted").unwrap();
        fs_err::write(dir.path().join("c.csv"), b"wantee").unwrap();
        fs_err::create_dir(dir.path().join("sub")).unwrap();
        let lookup = Lookup {
            source_dirs: vec![dir.path().into()],
            cache_dir: dir.path().join("cache"),
        };
        let (bytes, found) = lookup.find(&source(b"wanted")).unwrap();
        assert_eq!(bytes, b"wanted");
        assert_eq!(found, Found::SourceDir(dir.path().join("b.csv")));
    }

    #[test]
    fn found_in_cache_after_store() {
        let dir = tempfile::tempdir().unwrap();
        let lookup = Lookup {
            source_dirs: vec![],
            cache_dir: dir.path().join("cache"),
        };
        let src = source(b"cached");
        assert!(lookup.store(&src, b"tampered").is_err());
        lookup.store(&src, b"cached").unwrap();
        let (bytes, found) = lookup.find(&src).unwrap();
        assert_eq!(bytes, b"cached");
        assert!(matches!(found, Found::Cache(_)));
    }

    #[test]
    fn unreachable_network_names_the_offline_option() {
        let dir = tempfile::tempdir().unwrap();
        let lookup = Lookup {
            source_dirs: vec![dir.path().into()],
            cache_dir: dir.path().join("cache"),
        };
        let err = format!("{:#}", lookup.find(&source(b"missing")).unwrap_err());
        assert!(err.contains("cannot download the pinned source"), "{err}");
        assert!(
            err.contains("\nhint: the network may be unreachable"),
            "{err}"
        );
        assert!(err.contains("--source-dir"), "{err}");
    }
}
