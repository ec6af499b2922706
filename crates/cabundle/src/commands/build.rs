//! `cabundle build`: the report and options in, a PEM bundle, a hashed directory and a
//! manifest out, through the same pipeline as `cargo xtask build-bundle` (`cabundle-build`).
//!
//! With `--recipe DIR`, the options come from a release bundle folder instead, and the build
//! is `cabundle_build::build_release`, the one `cargo xtask build-bundle` runs.

use crate::cli::build::BuildArgs;
use crate::shared::files;
use crate::output::Output;
use anyhow::{Context as _, bail};
use cabundle_build::{AddedWarning, Bundle, OutputPaths, OutputSet, parse_fingerprint, read_added};
use cabundle_policy::{Decision, Decisions, Exclusion, PolicyOptions, Warning};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Where the report came from, as written into the outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDescription {
    /// The file name (no directory, so two machines build the same bytes) or the URL.
    pub name: String,
}

/// Reads the report from a file, or downloads it when `arg` is an `https://` URL.
pub fn load_report(
    arg: &str,
    http: &crate::cli::fetch::HttpArgs,
    out: &Output,
) -> anyhow::Result<(Vec<u8>, SourceDescription)> {
    if is_url(arg) {
        let body = download(arg, http, out)?;
        return Ok((
            body,
            SourceDescription {
                name: arg.to_owned(),
            },
        ));
    }
    let path = std::path::Path::new(arg);
    let bytes = fs_err::read(path)?;
    let name = path
        .file_name()
        .map_or_else(|| arg.to_owned(), |n| n.to_string_lossy().into_owned());
    Ok((bytes, SourceDescription { name }))
}

pub(crate) fn is_url(arg: &str) -> bool {
    arg.starts_with("https://") || arg.starts_with("http://")
}

/// Downloads a report with the same code, trust and checks as `cabundle fetch`.
fn download(
    url: &str,
    http: &crate::cli::fetch::HttpArgs,
    out: &Output,
) -> anyhow::Result<Vec<u8>> {
    out.info(&format!("fetching {url}"));
    let fetched = crate::shared::download::download_report(
        url,
        http,
        None,
        crate::cli::fetch::DEFAULT_MIN_ROOTS,
        out,
    )
    .with_context(|| format!("cannot fetch the report from {url}"))?;
    Ok(fetched.body)
}

/// Today's date in UTC: the binary reads the clock, the libraries never do.
fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The reason recorded for `--exclude SHA256` given without one.
const EXCLUDE_REASON: &str = "named by --exclude on the command line";

/// `--exclude SHA256[=REASON]`.
fn parse_exclude(text: &str) -> anyhow::Result<Exclusion> {
    let (sha256, reason) = match text.split_once('=') {
        Some((sha256, reason)) if !reason.trim().is_empty() => (sha256, reason.trim()),
        Some((sha256, _)) => (sha256, EXCLUDE_REASON),
        None => (text, EXCLUDE_REASON),
    };
    Ok(Exclusion {
        sha256: parse_fingerprint(sha256)?,
        reason: reason.to_owned(),
    })
}

/// A warning in the words of the command line, with a hint where there is something to do.
fn warning_text(warning: &Warning) -> String {
    match warning {
        Warning::ExcludeMatchedNothing { sha256 } => {
            format!(
                "--exclude {sha256} matches no certificate\nhint: `cabundle build --explain` lists every certificate with its SHA-256"
            )
        }
        other => other.to_string(),
    }
}

/// `--also-trusted-by REPORT`: its file name and the SHA-256s it trusts under `policy` (less
/// the exclusions given by hand, which apply to the outputs anyway).
fn trusted_by(
    path: &Path,
    certs: &[(String, Vec<u8>)],
    policy: &PolicyOptions,
) -> anyhow::Result<(
    String,
    std::collections::BTreeSet<cabundle_cert::Sha256Fingerprint>,
)> {
    let bytes = fs_err::read(path)?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let report = if cabundle_ccadb::chrome::looks_like_chrome(&bytes) {
        if certs.is_empty() {
            bail!(
                "{name} is a Chrome Root Store textproto, which holds fingerprints only\nhint: give the anchors' certificates with --certs FILE, such as root_store.certs"
            );
        }
        cabundle_build::read_chrome(&bytes, &name, certs)?.0
    } else {
        cabundle_ccadb::parse_any(&bytes)
            .with_context(|| format!("cannot read the report {name} (--also-trusted-by)"))?
    };
    let mut other = policy.clone();
    other.excludes.clear();
    let decisions = cabundle_policy::decide(&report.roots, &[], &other);
    let trusted = decisions.included().map(|d| d.sha256()).collect();
    Ok((name, trusted))
}

/// The `--certs` files, by name and bytes.
fn read_certs(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    paths
        .iter()
        .map(|path| Ok((path.display().to_string(), fs_err::read(path)?)))
        .collect()
}

/// A library error in the words of the command line: the `hint:` line is the binary's.
pub(crate) fn with_hint(err: cabundle_build::Error) -> anyhow::Error {
    let hint = match &err {
        cabundle_build::Error::AddNotCa { .. } => Some(
            "--add takes root certificates (basic constraints CA:TRUE), such as a TLS-inspection proxy's root"
                .to_owned(),
        ),
        cabundle_build::Error::Report {
            source: cabundle_ccadb::Error::ChromeNeedsCertificates,
            ..
        } => Some("give the anchors' certificates with --certs FILE, such as root_store.certs".to_owned()),
        cabundle_build::Error::Report {
            source: cabundle_ccadb::Error::ChromeMissingCertificate { .. },
            ..
        } => Some(
            "every trust anchor needs its certificate: add the --certs file that holds it".to_owned(),
        ),
        cabundle_build::Error::CapathNotOurs { entry, .. } => Some(format!(
            "move {entry} out of it to let cabundle replace the directory, or give --capath a new or empty directory"
        )),
        _ => None,
    };
    match hint {
        Some(hint) => {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            anyhow::anyhow!("{text}\nhint: {hint}")
        }
        None => err.into(),
    }
}

/// One `--explain` line.
fn explain_line(d: &Decision<'_>) -> String {
    match &d.excluded {
        None => {
            let constraints = d
                .root()
                .and_then(|r| r.applied_constraints())
                .map(|c| format!(" (Mozilla Applied Constraints: {c})"))
                .unwrap_or_default();
            format!("included  {}  {}{constraints}", d.sha256(), d.label())
        }
        Some(reason) => format!("excluded  {}  {}: {reason}", d.sha256(), d.label()),
    }
}

/// The words for a warning about an `--add` certificate, with its hint.
fn added_warning(warning: &AddedWarning) -> String {
    match warning {
        AddedWarning::NotSelfIssued {
            file,
            subject,
            issuer,
            sha256,
        } => format!(
            "{file}: \"{subject}\" (SHA-256 {sha256}) is not a root: it was issued by \"{issuer}\"; added, it becomes a trust anchor, and everything it issues is trusted even if its root is removed or distrusted\nhint: --add the root instead (cabundle chain FILE... --root -o ROOT.pem finds it), unless trusting only this intermediate is what you want"
        ),
        _ => format!("{warning:?}"),
    }
}

/// Runs `cabundle build`.
pub fn run(args: BuildArgs, out: &Output) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.recipe {
        return run_recipe(dir, &args, out);
    }
    if args.pem.is_none()
        && args.capath.is_none()
        && args.manifest.is_none()
        && args.openssl_trusted.is_none()
        && args.intermediates_pem.is_none()
        && args.full_pem.is_none()
        && args.der_dir.is_none()
        && args.java_truststore.is_none()
        && !args.explain
    {
        bail!("nothing to do\nhint: give --pem FILE, --capath DIR, --manifest FILE or --explain");
    }
    let as_of = match &args.as_of {
        Some(text) => cabundle_cert::date::parse_date(text).context("invalid --as-of")?,
        None => today(),
    };
    let excludes = args
        .exclude
        .iter()
        .map(|e| parse_exclude(e))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut policy = PolicyOptions {
        purpose: args.purpose,
        as_of,
        distrust_grace_days: args.distrust_grace_days,
        include_expired: args.include_expired,
        excludes,
    };
    let mut adds = Vec::new();
    for path in &args.add {
        let bytes = files::read(path)?;
        adds.extend(read_added(&files::shown(path), &bytes).map_err(with_hint)?);
    }
    for warning in adds.iter().filter_map(cabundle_build::Added::warning) {
        out.warn(&added_warning(&warning));
    }

    let report = args
        .report
        .as_deref()
        .unwrap_or(cabundle_build::DEFAULT_REPORT_URL);
    let (bytes, source) = load_report(report, &args.http, out)?;
    let certs = read_certs(&args.certs)?;
    let chrome = cabundle_ccadb::chrome::looks_like_chrome(&bytes) && !certs.is_empty();
    if !chrome && !certs.is_empty() && args.also_trusted_by.is_empty() {
        bail!(
            "--certs is for a Chrome Root Store report (root_store.textproto); {} is not one",
            source.name
        );
    }
    let make = |policy: &PolicyOptions| -> anyhow::Result<cabundle_build::Built> {
        if chrome {
            let (built, notices) =
                cabundle_build::build_chrome(&bytes, &source.name, &certs, policy, &adds)
                    .map_err(with_hint)?;
            for notice in notices {
                out.warn(&format!("{}: {notice}", source.name));
            }
            Ok(built)
        } else {
            cabundle_build::build(&bytes, &source.name, policy, &adds).map_err(with_hint)
        }
    };
    let mut built = make(&policy)?;
    if !chrome && !is_url(report) && !args.allow_small_report {
        // The build parsed the report already: its roots are counted there, not parsed again.
        let roots = built
            .decisions()
            .decisions
            .iter()
            .filter(|d| d.root().is_some())
            .count();
        check_plausible_file(report, &bytes, roots)?;
    }
    if !args.also_trusted_by.is_empty() {
        let mut others = Vec::new();
        for path in &args.also_trusted_by {
            others.push(trusted_by(path, &certs, &policy)?);
        }
        let mut excludes = policy.excludes.clone();
        for d in built.decisions().included() {
            if d.root().is_none() {
                continue;
            }
            if let Some((name, _)) = others.iter().find(|(_, set)| !set.contains(&d.sha256())) {
                excludes.push(Exclusion {
                    sha256: d.sha256(),
                    reason: format!(
                        "not trusted for {} by {name} as of {}",
                        policy.purpose.name(),
                        policy.as_of
                    ),
                });
            }
        }
        policy.excludes = excludes;
        built = make(&policy)?;
    }
    if args.openssl_trusted.is_some() {
        built.add_openssl_trusted();
    }
    if args.der_dir.is_some() {
        built.add_der_dir();
    }
    if args.java_truststore.is_some() {
        built.add_java_truststore(&args.java_storepass)?;
    }
    let decisions = built.decisions();
    for warning in &decisions.warnings {
        out.warn(&warning_text(warning));
    }

    if let Some(report) = &args.intermediates_report {
        crate::commands::intermediates::build(&args, report, &built, out)?;
        if args.explain {
            explain(&decisions)?;
        }
        summary(&decisions, &policy, "", out);
        wrote(&args, out);
        return Ok(ExitCode::SUCCESS);
    }
    // `-` sends that output to standard output, after the files are written.
    let dash = |p: &Option<std::path::PathBuf>| p.as_deref().is_some_and(files::is_stdio);
    let (pem_out, manifest_out) = (dash(&args.pem), dash(&args.manifest));
    if usize::from(pem_out) + usize::from(manifest_out) + usize::from(args.explain) > 1 {
        bail!("only one of --pem -, --manifest - and --explain can use standard output");
    }
    built
        .write(&OutputPaths {
            pem: args.pem.clone().filter(|_| !pem_out),
            capath: args.capath.clone(),
            manifest: args.manifest.clone().filter(|_| !manifest_out),
            openssl_trusted: args.openssl_trusted.clone(),
            der_dir: args.der_dir.clone(),
            java_truststore: args.java_truststore.clone(),
        })
        .map_err(with_hint)?;
    for (to_stdout, bytes) in [(pem_out, built.pem()), (manifest_out, built.manifest())] {
        if to_stdout {
            files::write(std::path::Path::new("-"), bytes)?;
        }
    }

    if args.explain {
        explain(&decisions)?;
    }
    summary(&decisions, &policy, "", out);
    wrote(&args, out);
    Ok(ExitCode::SUCCESS)
}

/// `cabundle build --recipe DIR`: the bundle of a release folder, as `cargo xtask
/// build-bundle` builds it.
fn run_recipe(dir: &Path, args: &BuildArgs, out: &Output) -> anyhow::Result<ExitCode> {
    if args.out.is_none()
        && args.pem.is_none()
        && args.capath.is_none()
        && args.manifest.is_none()
        && args.intermediates_pem.is_none()
        && args.full_pem.is_none()
        && !args.explain
    {
        bail!(
            "nothing to do\nhint: give --out DIR (the recipe's outputs), --pem FILE, --capath DIR, --manifest FILE or --explain"
        );
    }
    let bundle = Bundle::load(dir)?;
    // `pinned_url`: the bytes come from the lock's own URL, which serves only the latest report.
    let (bytes, from, pinned_url) = match &args.report {
        Some(arg) if !is_url(arg) => (fs_err::read(arg)?, arg.clone(), false),
        Some(url) => (download(url, &args.http, out)?, url.clone(), false),
        None => {
            let url = &bundle.lock.source.url;
            let body = download(url, &args.http, out).map_err(|err| {
                anyhow::anyhow!(
                    "{err:#}\nhint: to build offline, pass --report FILE with the report whose SHA-256 is {}",
                    bundle.lock.source.sha256
                )
            })?;
            (body, url.clone(), true)
        }
    };
    let intermediates = match bundle.intermediates_source()? {
        None => {
            if args.intermediates_report.is_some() {
                bail!(
                    "{} has no intermediates: its recipe has no [intermediates] table\nhint: drop --intermediates-report",
                    bundle.name
                );
            }
            None
        }
        Some(pinned) => Some(match &args.intermediates_report {
            Some(arg) if !is_url(arg) => (fs_err::read(arg)?, arg.clone(), false),
            Some(url) => (
                crate::commands::intermediates::download(url, args, out)?,
                url.clone(),
                false,
            ),
            None => {
                let body = crate::commands::intermediates::download(&pinned.url, args, out).map_err(|err| {
                    anyhow::anyhow!(
                        "{err:#}\nhint: to build offline, pass --intermediates-report FILE with the report whose SHA-256 is {}",
                        pinned.sha256
                    )
                })?;
                (body, pinned.url.clone(), true)
            }
        }),
    };
    let built = match &intermediates {
        None => cabundle_build::build_release(&bundle, &bytes, &from),
        Some((inter, inter_from, _)) => cabundle_build::build_release_with_intermediates(
            &bundle, &bytes, &from, inter, inter_from,
        ),
    };
    let inter_pinned_url = intermediates.as_ref().is_some_and(|i| i.2);
    let release = built.map_err(|err| match (&err, pinned_url, inter_pinned_url) {
        (cabundle_build::Error::SourceMismatch { .. }, true, _) => anyhow::anyhow!(
            "{err}\nhint: {from} serves only the latest report; pass --report FILE with a copy of the one the lock pins"
        ),
        (cabundle_build::Error::IntermediatesMismatch { source_name, .. }, _, true) => {
            anyhow::anyhow!(
                "{err}\nhint: {source_name} serves only the latest report; pass --intermediates-report FILE with a copy of the one the lock pins"
            )
        }
        _ => anyhow::Error::new(err),
    })?;
    let decisions = release.built().decisions();
    for warning in &decisions.warnings {
        out.warn(&warning_text(warning));
    }

    let mut set = OutputSet::new();
    if let Some(dir) = &args.out {
        fs_err::create_dir_all(dir)?;
        release.add_to(&mut set, dir);
    }
    if let Some(path) = &args.capath {
        set.capath(path, release.capath());
    }
    if let Some(path) = &args.pem {
        set.file(path, release.built().pem());
    }
    if let Some(path) = &args.manifest {
        set.manifest(path, release.manifest());
    }
    if let Some(selection) = release.intermediates() {
        if let Some(path) = &args.intermediates_pem {
            set.file(path, selection.pem());
        }
        if let Some(path) = &args.full_pem {
            set.file(path, selection.full_pem());
        }
    }
    set.write().map_err(with_hint)?;

    if args.explain {
        explain(&decisions)?;
        if let Some(selection) = release.intermediates() {
            crate::commands::intermediates::explain(selection)?;
        }
    }
    let prefix = format!("{}: ", release.name());
    summary(&decisions, release.built().policy(), &prefix, out);
    if let Some(selection) = release.intermediates() {
        crate::commands::intermediates::summary(selection, &prefix, out);
    }
    if let Some(dir) = &args.out {
        out.verbose(&format!(
            "wrote the outputs of {} to {}",
            release.name(),
            dir.display()
        ));
    }
    wrote(args, out);
    Ok(ExitCode::SUCCESS)
}

/// A report file cut short still parses: refuse one that does not look whole, as a download
/// is refused. A report that does not parse is left to the build, which names the row.
fn check_plausible_file(path: &str, bytes: &[u8], roots: usize) -> anyhow::Result<()> {
    cabundle_ccadb::check_plausible(bytes, roots, crate::cli::fetch::DEFAULT_MIN_ROOTS).map_err(
        |reason| {
            anyhow::anyhow!(
                "refusing {path}: {reason}\nhint: for a test fixture or a hand-made report, add --allow-small-report"
            )
        },
    )
}

/// Prints one `--explain` line per certificate: SHA-256, label and, when left out, why.
pub(crate) fn explain(decisions: &Decisions<'_>) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for d in &decisions.decisions {
        writeln!(stdout, "{}", explain_line(d))?;
    }
    stdout.flush()?;
    Ok(())
}

/// The summary line on stderr, and a warning when nothing is trusted.
fn summary(decisions: &Decisions<'_>, policy: &PolicyOptions, prefix: &str, out: &Output) {
    let included = decisions.included().count();
    if included == 0 {
        out.warn("no certificate is included: the outputs trust nothing");
    }
    let by_kind = decisions.excluded_by_kind();
    let excluded: usize = by_kind.iter().map(|(_, n)| n).sum();
    let detail = if by_kind.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!(" ({})", parts.join(", "))
    };
    out.info(&format!(
        "{prefix}{included} included, {excluded} excluded{detail} for {} as of {}",
        policy.purpose, policy.as_of
    ));
}

/// The `-v` lines naming each single output written.
fn wrote(args: &BuildArgs, out: &Output) {
    for (label, path) in [
        ("bundle", &args.pem),
        ("hashed directory", &args.capath),
        ("manifest", &args.manifest),
        ("OpenSSL trusted bundle", &args.openssl_trusted),
        ("DER directory", &args.der_dir),
        ("Java truststore", &args.java_truststore),
    ] {
        if let Some(path) = path {
            out.verbose(&format!("wrote {label} {}", path.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes() {
        let hex = "ab".repeat(32);
        let check = |input: &str, reason: Option<&str>| {
            let got = parse_exclude(input).ok().map(|e| {
                assert_eq!(e.sha256.to_string(), hex, "{input:?}");
                e.reason
            });
            assert_eq!(got.as_deref(), reason, "{input:?}");
        };
        check(&hex, Some(EXCLUDE_REASON));
        check(
            &format!("{hex}=compromised, see bug 1"),
            Some("compromised, see bug 1"),
        );
        check(&format!("{hex}= a = b "), Some("a = b"));
        check(&format!("{hex}="), Some(EXCLUDE_REASON));
        check(&format!("{}=x", "AB:".repeat(31) + "AB"), Some("x"));
        check("abc=reason", None);
        check("=reason", None);
    }
}
