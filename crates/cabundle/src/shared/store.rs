//! Loading the trust store `verify` and `probe` check against, and the certificate directories
//! `expiring` reads, through the one loader of `cabundle_clients` (its module doc lists the
//! rules: which files of a directory count, duplicates, files without a certificate). What the
//! binary adds: a file named on the command line (`--bundle`, `SSL_CERT_FILE`) must hold a
//! certificate, a directory named must exist, and where the system store is.

use crate::cli::store::StoreArgs;
use crate::output::Output;
use crate::shared::files::{self, read_certs};
use crate::shared::hints::{CapathLink, capath_link_message};
use anyhow::{Context as _, bail};
use cabundle_cert::Certificate;
use cabundle_clients::StoreContents;
use cabundle_clients::Variable;
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
        check_capath_link(dir)?;
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

/// A `--capath` that is a symbolic link: one to a directory is that directory, as for
/// OpenSSL's `-CApath`; one that leads nowhere or to a file is an error naming the link and
/// its target.
fn check_capath_link(dir: &Path) -> anyhow::Result<()> {
    let is_link = fs_err::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let target = fs_err::read_link(dir)?;
    let leads_to = match fs_err::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => CapathLink::File,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => CapathLink::Dangling,
        Err(e) => {
            return Err(e).with_context(|| {
                format!("cannot follow the symbolic link to {}", target.display())
            });
        }
    };
    bail!("{}", capath_link_message(dir, &target, leads_to))
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
    let (file_var, dir_var) = (Variable::SslCertFile.name(), Variable::SslCertDir.name());
    if let Some(file) = std::env::var_os(file_var) {
        let file = PathBuf::from(file);
        add_file(store, &file)?;
        return Ok(format!("{} ({file_var})", file.display()));
    }
    if let Some(dirs) = std::env::var_os(dir_var) {
        for dir in std::env::split_paths(&dirs).filter(|d| !d.as_os_str().is_empty()) {
            add_dir(store, &dir, out)?;
        }
        let shown = PathBuf::from(&dirs).display().to_string();
        return Ok(format!("{shown} ({dir_var})"));
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

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)] // the fixture code beside the test panics on failure by design
mod tests {
    //! The loader's rules (`cabundle_clients`' store module doc), on directory layouts: what a
    //! `--capath` directory gives `verify`, and what the same directory gives a client's store
    //! in `doctor`, must agree.

    use super::*;
    use cabundle_clients::Store;

    /// One entry of a directory layout.
    enum Entry {
        /// A PEM file with these certificates (by index).
        Pem(&'static [usize]),
        /// A DER file with this certificate.
        Der(usize),
        /// A file that holds no certificate.
        Text,
        /// A symbolic link to this file of the directory.
        Link(&'static str),
        /// A directory with a PEM file of this certificate: not entered.
        Dir(usize),
    }
    use Entry::*;

    /// What the loader gives: certificates by index, in order, and file names.
    #[derive(Debug, PartialEq)]
    struct Expected {
        certs: Vec<usize>,
        unreadable: Vec<String>,
        unlinked: Vec<String>,
    }

    fn check(
        certs: &[Certificate],
        layout: &[(&str, Entry)],
        expected_certs: &[usize],
        unreadable: &[&str],
        unlinked: &[&str],
    ) {
        let dir = tempfile::tempdir().unwrap();
        // `HASH(i)` in a name is certificate i's subject hash, `OLD(i)` its old one.
        let name = |n: &str| {
            let mut n = n.to_owned();
            for (i, c) in certs.iter().enumerate() {
                n = n.replace(&format!("HASH({i})"), &c.subject_hash.to_string());
                n = n.replace(&format!("OLD({i})"), &c.subject_hash_old.to_string());
            }
            n
        };
        for (n, entry) in layout {
            let path = dir.path().join(name(n));
            match entry {
                Pem(which) => {
                    let pem: String = which.iter().map(|i| certs[*i].to_pem()).collect();
                    fs_err::write(&path, pem).unwrap();
                }
                Der(i) => fs_err::write(&path, &certs[*i].der).unwrap(),
                Text => fs_err::write(&path, "no certificate here\n").unwrap(),
                Link(target) => std::os::unix::fs::symlink(name(target), &path).unwrap(),
                Dir(i) => {
                    fs_err::create_dir(&path).unwrap();
                    fs_err::write(path.join("inner.pem"), certs[*i].to_pem()).unwrap();
                }
            }
        }
        let index = |c: &Certificate| certs.iter().position(|k| k.sha256 == c.sha256).unwrap();
        let file_name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        let expected = Expected {
            certs: expected_certs.to_vec(),
            unreadable: unreadable.iter().map(|n| name(n)).collect(),
            unlinked: unlinked.iter().map(|n| name(n)).collect(),
        };

        let mut store = cabundle_clients::StoreContents::default();
        store.add_dir(dir.path());
        let got = Expected {
            certs: store.certificates.iter().map(index).collect(),
            unreadable: store.unreadable.iter().map(|(p, _)| file_name(p)).collect(),
            unlinked: store.unlinked.iter().map(file_name).collect(),
        };
        let shown: Vec<String> = layout.iter().map(|(n, _)| name(n)).collect();
        assert_eq!(got, expected, "{shown:?}");

        // A client's store with this directory: the same certificates.
        let mut client = Store::default();
        client.dir = Some(dir.path().to_owned());
        let loaded = cabundle_clients::load_store(&client);
        let got: Vec<usize> = loaded.certificates.iter().map(index).collect();
        assert_eq!(got, expected.certs, "client store {shown:?}");

        // `verify --capath`: the same certificates, or an error when there are none.
        let args = StoreArgs {
            bundle: None,
            capath: Some(dir.path().to_owned()),
            system: false,
            manifest: None,
            partial_chain: false,
        };
        match load_store(&args, &Output::new(true, 0)) {
            Ok((loaded, _)) => {
                let got: Vec<usize> = loaded.iter().map(index).collect();
                assert_eq!(got, expected.certs, "--capath {shown:?}");
            }
            Err(err) => {
                assert!(expected.certs.is_empty(), "--capath {shown:?}: {err:#}");
                assert!(format!("{err:#}").starts_with("no certificate in the trust store"));
            }
        }
    }

    #[test]
    fn directory_layouts() {
        use cabundle_testkit::pki_files::ca;
        let (from, to) = (
            rcgen::date_time_ymd(2024, 1, 1),
            rcgen::date_time_ymd(2034, 1, 1),
        );
        let certs: Vec<Certificate> = ["Store Root A", "Store Root B", "Store Root C"]
            .iter()
            .map(|cn| {
                let pem = ca(cn, None, from, to).pem;
                cabundle_cert::read_certificates(pem.as_bytes())
                    .unwrap()
                    .remove(0)
            })
            .collect();
        let check =
            |layout: &[(&str, Entry)], c: &[usize], unreadable: &[&str], unlinked: &[&str]| {
                check(&certs, layout, c, unreadable, unlinked)
            };
        // Any file counts, hashed or not; one OpenSSL would not find is listed as unlinked.
        check(&[("x-a.pem", Pem(&[0]))], &[0], &[], &["x-a.pem"]);
        check(
            &[("x-a.crt", Pem(&[0])), ("x-b", Der(1))],
            &[0, 1],
            &[],
            &["x-a.crt", "x-b"],
        );
        // A hashed directory: the link and its target give the certificate once.
        check(
            &[("x-a.pem", Pem(&[0])), ("HASH(0).0", Link("x-a.pem"))],
            &[0],
            &[],
            &[],
        );
        // The old hash (`rehash -old`) names a link too; so does a copy under a hash name.
        check(
            &[("x-a.pem", Pem(&[0])), ("OLD(0).0", Link("x-a.pem"))],
            &[0],
            &[],
            &[],
        );
        check(&[("HASH(1).0", Der(1))], &[1], &[], &[]);
        // A hash name is `<hash>.N` of the certificate inside, nothing else.
        check(&[("HASH(1).0", Pem(&[0]))], &[0], &[], &["HASH(1).0"]);
        check(&[("HASH(0).x", Pem(&[0]))], &[0], &[], &["HASH(0).x"]);
        // Duplicates are kept once, where first found; a bundle is read whole.
        check(
            &[("x-1.pem", Pem(&[2])), ("x-2.pem", Pem(&[0, 2, 1]))],
            &[2, 0, 1],
            &[],
            &["x-1.pem", "x-2.pem"],
        );
        // Files without a certificate are skipped and listed; directories are not entered.
        check(
            &[
                ("README", Text),
                ("x-a.pem", Pem(&[0])),
                ("HASH(0).0", Link("x-a.pem")),
                ("sub", Dir(1)),
            ],
            &[0],
            &["README"],
            &[],
        );
        check(&[("README", Text)], &[], &["README"], &[]);
        check(&[], &[], &[], &[]);
        // A link to nothing is no file.
        check(&[("x-gone.pem", Link("missing.pem"))], &[], &[], &[]);
    }
}
