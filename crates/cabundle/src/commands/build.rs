//! `cabundle build`: the report and options in, a PEM bundle, a hashed directory and a
//! manifest out, through the same pipeline as `cargo xtask build-bundle` (`cabundle-build`).
//!
//! With `--recipe DIR`, the options come from a release bundle folder instead, and the build
//! is `cabundle_build::build_release`, the one `cargo xtask build-bundle` runs.

use crate::cli::build::{BuildArgs, PurposeArg};
use crate::output::Output;
use anyhow::{Context as _, bail};
use cabundle_build::{Bundle, OutputPaths, OutputSet, parse_fingerprint, read_added};
use cabundle_policy::{Decisions, PolicyOptions, Purpose};
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

fn is_url(arg: &str) -> bool {
    arg.starts_with("https://") || arg.starts_with("http://")
}

/// Downloads a report with the same code, trust and checks as `cabundle fetch`.
fn download(
    url: &str,
    http: &crate::cli::fetch::HttpArgs,
    out: &Output,
) -> anyhow::Result<Vec<u8>> {
    out.info(&format!("fetching {url}"));
    let fetched = crate::commands::fetch::download_report(
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

fn parse_date(text: &str) -> anyhow::Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format)
        .with_context(|| format!("invalid --as-of \"{text}\" (expected YYYY-MM-DD)"))
}

/// Runs `cabundle build`.
pub fn run(args: BuildArgs, out: &Output) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.recipe {
        return run_recipe(dir, &args, out);
    }
    if args.pem.is_none() && args.capath.is_none() && args.manifest.is_none() && !args.explain {
        bail!("nothing to do\nhint: give --pem FILE, --capath DIR, --manifest FILE or --explain");
    }
    let as_of = match &args.as_of {
        Some(text) => parse_date(text)?,
        None => today(),
    };
    let excludes = args
        .exclude
        .iter()
        .map(|e| parse_fingerprint(e))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = PolicyOptions {
        purpose: match args.purpose {
            PurposeArg::Tls => Purpose::Tls,
            PurposeArg::Email => Purpose::Email,
        },
        as_of,
        distrust_grace_days: args.distrust_grace_days,
        include_expired: args.include_expired,
        excludes,
    };
    let mut adds = Vec::new();
    for path in &args.add {
        let bytes = fs_err::read(path)?;
        adds.extend(read_added(&path.display().to_string(), &bytes)?);
    }

    let report = args
        .report
        .as_deref()
        .unwrap_or(cabundle_build::DEFAULT_REPORT_URL);
    let (bytes, source) = load_report(report, &args.http, out)?;
    if !is_url(report) && !args.allow_small_report {
        check_plausible_file(report, &bytes)?;
    }
    let built = cabundle_build::build(&bytes, &source.name, &policy, &adds)?;
    let decisions = built.decisions();
    for warning in &decisions.warnings {
        out.warn(&warning.to_string());
    }

    built
        .write(&OutputPaths {
            pem: args.pem.clone(),
            capath: args.capath.clone(),
            manifest: args.manifest.clone(),
        })
        .map_err(write_hint)?;

    if args.explain {
        explain(decisions.decisions.iter().map(|d| {
            let reason = d.excluded.as_ref().map(ToString::to_string);
            (d.sha256().to_string(), d.label().to_owned(), reason)
        }))?;
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
    let release = cabundle_build::build_release(&bundle, &bytes, &from).map_err(|err| {
        match (&err, pinned_url) {
            (cabundle_build::Error::SourceMismatch { .. }, true) => anyhow::anyhow!(
                "{err}\nhint: {from} serves only the latest report; pass --report FILE with a copy of the one the lock pins"
            ),
            _ => anyhow::Error::new(err),
        }
    })?;
    let decisions = release.built().decisions();
    for warning in &decisions.warnings {
        out.warn(&warning.to_string());
    }

    let mut set = OutputSet::new();
    if let Some(dir) = &args.out {
        fs_err::create_dir_all(dir)?;
        release.add_to(&mut set, dir);
    }
    if let Some(path) = &args.capath {
        set.capath(path, release.built().capath());
    }
    if let Some(path) = &args.pem {
        set.file(path, release.built().pem());
    }
    if let Some(path) = &args.manifest {
        set.manifest(path, release.built().manifest());
    }
    set.write().map_err(write_hint)?;

    if args.explain {
        let included = release
            .included()
            .iter()
            .map(|r| (r.sha256, r.label.clone(), None));
        let excluded = release
            .excluded()
            .iter()
            .map(|r| (r.sha256, r.label.clone(), Some(r.reason.clone())));
        let mut lines: Vec<_> = included.chain(excluded).collect();
        lines.sort_by_key(|line| line.0);
        explain(
            lines
                .into_iter()
                .map(|(sha, label, reason)| (sha.to_string(), label, reason)),
        )?;
    }
    let prefix = format!("{}: ", release.name());
    summary(&decisions, release.built().policy(), &prefix, out);
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
fn check_plausible_file(path: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let Ok(report) = cabundle_ccadb::parse_any(bytes) else {
        return Ok(());
    };
    let roots = report.roots.len();
    cabundle_ccadb::check_plausible(bytes, roots, crate::cli::fetch::DEFAULT_MIN_ROOTS).map_err(
        |reason| {
            anyhow::anyhow!(
                "refusing {path}: {reason}\nhint: for a test fixture or a hand-made report, add --allow-small-report"
            )
        },
    )
}

/// A writing error, with the way out when the `--capath` directory holds someone else's file.
fn write_hint(err: cabundle_build::Error) -> anyhow::Error {
    match &err {
        cabundle_build::Error::CapathNotOurs { entry, .. } => anyhow::anyhow!(
            "{err}\nhint: move {entry} out of it to let cabundle replace the directory, or give --capath a new or empty directory"
        ),
        _ => anyhow::Error::new(err),
    }
}

/// Prints one `--explain` line per certificate: SHA-256, label and, when left out, why.
fn explain(lines: impl Iterator<Item = (String, String, Option<String>)>) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for (sha256, label, reason) in lines {
        match reason {
            None => writeln!(stdout, "included  {sha256}  {label}")?,
            Some(reason) => writeln!(stdout, "excluded  {sha256}  {label}: {reason}")?,
        }
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
    ] {
        if let Some(path) = path {
            out.verbose(&format!("wrote {label} {}", path.display()));
        }
    }
}
