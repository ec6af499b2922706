//! Loading the trust store `verify` and `probe` check against, and the certificate directories
//! `expiring` reads, through the one loader of `cabundle_clients` (its module doc lists the
//! rules: which files of a directory count, duplicates, files without a certificate). What the
//! binary adds: a file named on the command line (`--bundle`, `SSL_CERT_FILE`) must hold a
//! certificate, a directory named must exist, and where the system store is.

use crate::cli::store::StoreArgs;
use crate::output::Output;
use crate::shared::files::{self, read_certs};
use anyhow::{Context as _, bail};
use cabundle_cert::Certificate;
use cabundle_clients::StoreContents;
use cabundle_verify::Manifest;
use std::path::{Path, PathBuf};

/// Bundle files tried for `--system`, after SSL_CERT_FILE and SSL_CERT_DIR.
const SYSTEM_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Directories tried for `--system` when no bundle file exists.
const SYSTEM_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// The trust store the options name, and a description of where it came from.
pub(crate) fn load_store(
    args: &StoreArgs,
    out: &Output,
) -> anyhow::Result<(Vec<Certificate>, String)> {
    let mut store = StoreContents::default();
    let source = if let Some(file) = &args.bundle {
        add_file(&mut store, file)?;
        files::shown(file)
    } else if let Some(dir) = &args.capath {
        add_dir(&mut store, dir, out)?;
        dir.display().to_string()
    } else {
        system_store(&mut store, out)?
    };
    if store.certificates.is_empty() {
        bail!("no certificate in the trust store {source}");
    }
    warn_unlinked(&store, out);
    Ok((store.certificates, source))
}

/// A trust store's files that OpenSSL's lookup by subject hash would not find: this program
/// reads them, so its verdict could differ from an OpenSSL-based client's.
fn warn_unlinked(store: &StoreContents, out: &Output) {
    let Some(first) = store.unlinked.first() else {
        return;
    };
    let n = store.unlinked.len();
    let dir = first.parent().unwrap_or(Path::new("."));
    out.warn(&format!(
        "{n} file{} of the trust store {} no hash link (<hash>.N): OpenSSL-based clients do not find {} certificates, this check does (first: {})\nhint: hash the directory: cabundle rehash {}",
        if n == 1 { "" } else { "s" },
        if n == 1 { "has" } else { "have" },
        if n == 1 { "its" } else { "their" },
        first.display(),
        dir.display()
    ));
}

/// Every certificate in the files of a directory (the loader's rules); a directory with none
/// is an error.
pub(crate) fn read_dir(dir: &Path, out: &Output) -> anyhow::Result<Vec<Certificate>> {
    let mut store = StoreContents::default();
    add_dir(&mut store, dir, out)?;
    if store.certificates.is_empty() {
        bail!("no certificate in the files of {}", dir.display());
    }
    Ok(store.certificates)
}

/// A file named on the command line: it must hold a certificate (`-`: standard input).
fn add_file(store: &mut StoreContents, file: &Path) -> anyhow::Result<()> {
    store.add_certificates(read_certs(file)?);
    Ok(())
}

/// A directory named on the command line: it must exist; files skipped are told with `-v`.
fn add_dir(store: &mut StoreContents, dir: &Path, out: &Output) -> anyhow::Result<()> {
    let before = (store.missing.len(), store.unreadable.len());
    store.add_dir(dir);
    if store.missing.len() > before.0 {
        bail!("no such directory {}", dir.display());
    }
    for (path, why) in &store.unreadable[before.1..] {
        if path == dir {
            bail!("cannot read the directory {}: {why}", dir.display());
        }
        out.verbose(&format!("skipped: {}: {why}", path.display()));
    }
    Ok(())
}

/// The platform store: SSL_CERT_FILE, SSL_CERT_DIR, then the usual paths.
fn system_store(store: &mut StoreContents, out: &Output) -> anyhow::Result<String> {
    if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
        let file = PathBuf::from(file);
        add_file(store, &file)?;
        return Ok(format!("{} (SSL_CERT_FILE)", file.display()));
    }
    if let Some(dirs) = std::env::var_os("SSL_CERT_DIR") {
        for dir in std::env::split_paths(&dirs).filter(|d| !d.as_os_str().is_empty()) {
            add_dir(store, &dir, out)?;
        }
        let shown = PathBuf::from(&dirs).display().to_string();
        return Ok(format!("{shown} (SSL_CERT_DIR)"));
    }
    for file in SYSTEM_FILES {
        let file = Path::new(file);
        if file.is_file() {
            add_file(store, file)?;
            return Ok(file.display().to_string());
        }
    }
    for dir in SYSTEM_DIRS {
        let dir = Path::new(dir);
        if dir.is_dir() {
            add_dir(store, dir, out)?;
            return Ok(dir.display().to_string());
        }
    }
    bail!(
        "no system trust store found\nhint: give one with --bundle PEM or --capath DIR, or set SSL_CERT_FILE"
    )
}

/// The manifest named by `--manifest`, if any.
pub(crate) fn load_manifest(args: &StoreArgs) -> anyhow::Result<Option<Manifest>> {
    let Some(path) = &args.manifest else {
        return Ok(None);
    };
    let bytes = files::read(path)?;
    Manifest::from_json(&bytes)
        .map(Some)
        .with_context(|| format!("cannot read manifest {}", files::shown(path)))
}
