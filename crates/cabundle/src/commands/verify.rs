//! `cabundle verify`, and what `probe` shares with it: loading the trust store, reading the
//! clock, printing the verdict.

use crate::cli::verify::{StoreArgs, VerifyArgs};
use crate::shared::files::{self, read_certs};
use crate::shared::hints::{Source, hints};
use crate::output::Output;
use anyhow::{Context, bail};
use cabundle_cert::date::{format_moment, parse_moment};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use cabundle_verify::{Manifest, Options, Report};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use time::OffsetDateTime;

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

/// Runs `cabundle verify`.
pub fn run(args: VerifyArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let at = time_arg(args.at.as_deref())?;
    let chain = read_certs(&args.chain)?;
    let (store, source) = load_store(&args.store, out)?;
    out.verbose(&format!(
        "trust store: {} ({} certificates)",
        source,
        store.len()
    ));
    let opts = Options {
        at,
        hostname: args.hostname,
        purpose: args.purpose,
        manifest: load_manifest(&args.store)?,
        partial_chain: args.store.partial_chain,
    };
    let report = cabundle_verify::verify(&chain, &store, &opts)?;
    let chain_file = args.chain.display().to_string();
    let source = Source::File { chain: &chain_file };
    if let Some(path) = &args.intermediates
        && !report.is_valid()
    {
        let supplied = read_intermediates(path)?;
        if let Some(completed) = complete(&chain, &supplied, &store, &opts)? {
            let mut w = std::io::stdout().lock();
            print_report(&completed, source, &mut w)?;
            print_omitted(&completed, &supplied, "the chain", &mut w)?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    print_report(&report, source, &mut std::io::stdout().lock())?;
    Ok(exit_code(&report))
}

/// The certificates of an `--intermediates` file.
pub(crate) struct Supplied {
    /// Every certificate of the file.
    pub(crate) certs: Vec<Certificate>,
    /// For a CCADB intermediates report, each row's `Issuer` text by fingerprint: the CA
    /// that disclosed the certificate. Empty for a PEM or DER file.
    disclosed_by: HashMap<Sha256Fingerprint, String>,
}

/// Reads an `--intermediates` file: a CCADB MozillaIntermediateCertsCSVReport, or PEM/DER
/// certificates.
pub(crate) fn read_intermediates(path: &Path) -> anyhow::Result<Supplied> {
    let bytes = crate::shared::files::read(path)?;
    if let Ok(rows) = cabundle_ccadb::parse_intermediates(&bytes) {
        let disclosed_by = rows
            .iter()
            .map(|r| (r.certificate.sha256, r.issuer.clone()))
            .collect();
        let certs = rows.into_iter().map(|r| r.certificate).collect();
        return Ok(Supplied {
            certs,
            disclosed_by,
        });
    }
    let certs = cabundle_cert::read_certificates(&bytes)
        .with_context(|| format!("cannot read --intermediates {}", path.display()))?;
    Ok(Supplied {
        certs,
        disclosed_by: HashMap::new(),
    })
}

/// The report of `chain` completed with `supplied`, when that makes it verify.
pub(crate) fn complete(
    chain: &[Certificate],
    supplied: &Supplied,
    store: &[Certificate],
    opts: &Options,
) -> anyhow::Result<Option<Report>> {
    let report = cabundle_verify::verify_with(chain, &supplied.certs, store, opts)?;
    Ok(report.is_valid().then_some(report))
}

/// The intermediates of `completed`'s path that `sender` (the chain, the server) lacked, who
/// disclosed each, and both fixes.
pub(crate) fn print_omitted(
    completed: &Report,
    supplied: &Supplied,
    sender: &str,
    w: &mut impl Write,
) -> std::io::Result<()> {
    for link in completed.path.iter().filter(|l| l.supplied) {
        let origin = match supplied.disclosed_by.get(&link.sha256) {
            Some(issuer) => format!("disclosed in the CCADB by {issuer}"),
            None => "found in --intermediates".to_owned(),
        };
        writeln!(
            w,
            "{sender} omits {}, SHA-256 {}, {origin}",
            link.subject, link.sha256
        )?;
    }
    writeln!(
        w,
        "hint: configure the server to send its full chain (its certificate, then the intermediates)"
    )?;
    writeln!(
        w,
        "hint: or, on the client, use the roots and the CCADB's intermediates in one file: cabundle build --intermediates-report MozillaIntermediateCertsCSVReport.csv --full-pem FILE (curl and Python from 3.13 then trust each intermediate as a root: see the file's header)"
    )
}

/// 0 when the chain verifies, 1 when not.
pub(crate) fn exit_code(report: &Report) -> ExitCode {
    if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `--at`, or now: the binary is the only place that reads the clock.
pub(crate) fn time_arg(at: Option<&str>) -> anyhow::Result<OffsetDateTime> {
    match at {
        Some(s) => Ok(parse_moment(s)?),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

/// Every certificate in the files of a directory (symbolic links followed, duplicates and
/// files that hold no certificate skipped), in file-name order.
pub(crate) fn read_dir_certs(dir: &Path, out: &Output) -> anyhow::Result<Vec<Certificate>> {
    let mut paths: Vec<PathBuf> = fs_err::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    let mut certs: Vec<Certificate> = Vec::new();
    for path in paths {
        if !path.is_file() {
            continue;
        }
        match read_certs(&path) {
            Ok(found) => {
                for c in found {
                    if !certs.iter().any(|k| k.sha256 == c.sha256) {
                        certs.push(c);
                    }
                }
            }
            // The error names the file.
            Err(err) => out.verbose(&format!("skipped: {err:#}")),
        }
    }
    Ok(certs)
}

/// The trust store the options name, and a description of where it came from.
pub(crate) fn load_store(
    args: &StoreArgs,
    out: &Output,
) -> anyhow::Result<(Vec<Certificate>, String)> {
    let (certs, source) = if let Some(file) = &args.bundle {
        (read_certs(file)?, file.display().to_string())
    } else if let Some(dir) = &args.capath {
        (read_dir_certs(dir, out)?, dir.display().to_string())
    } else {
        system_store(out)?
    };
    if certs.is_empty() {
        bail!("no certificate in the trust store {source}");
    }
    Ok((certs, source))
}

fn system_store(out: &Output) -> anyhow::Result<(Vec<Certificate>, String)> {
    if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
        let file = PathBuf::from(file);
        return Ok((
            read_certs(&file)?,
            format!("{} (SSL_CERT_FILE)", file.display()),
        ));
    }
    if let Some(dirs) = std::env::var_os("SSL_CERT_DIR") {
        let mut certs = Vec::new();
        for dir in std::env::split_paths(&dirs) {
            certs.extend(read_dir_certs(&dir, out)?);
        }
        let shown = PathBuf::from(&dirs).display().to_string();
        return Ok((certs, format!("{shown} (SSL_CERT_DIR)")));
    }
    for file in SYSTEM_FILES {
        let file = Path::new(file);
        if file.is_file() {
            return Ok((read_certs(file)?, file.display().to_string()));
        }
    }
    for dir in SYSTEM_DIRS {
        let dir = Path::new(dir);
        if dir.is_dir() {
            return Ok((read_dir_certs(dir, out)?, dir.display().to_string()));
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
        .with_context(|| format!("cannot read manifest {}", path.display()))
}

/// Prints the path that was built, then the verdict, each problem and its hints.
pub(crate) fn print_report(
    report: &Report,
    source: Source<'_>,
    w: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(w, "path:")?;
    for (i, link) in report.path.iter().enumerate() {
        let store = if link.trusted { "  (trust store)" } else { "" };
        writeln!(
            w,
            "  {i}  {}{store}\n       valid {} to {}",
            link.subject,
            format_moment(link.not_before),
            format_moment(link.not_after)
        )?;
    }
    if report.is_valid() {
        let names: Vec<&str> = report.path.iter().map(|l| l.subject.as_str()).collect();
        writeln!(w, "verified: {}", names.join(" -> "))?;
        return Ok(());
    }
    let n = report.problems.len();
    writeln!(
        w,
        "not verified: {n} problem{}",
        if n == 1 { "" } else { "s" }
    )?;
    for problem in &report.problems {
        writeln!(w, "{problem}")?;
        for hint in hints(problem, report, source) {
            writeln!(w, "hint: {hint}")?;
        }
    }
    Ok(())
}
