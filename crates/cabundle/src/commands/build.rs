//! `cabundle build`: the report and options in, a PEM bundle, a hashed directory and a
//! manifest out, through the same pipeline as `cargo xtask build-bundle` (`cabundle-build`).

use crate::cli::build::BuildArgs;
use crate::output::Output;
use anyhow::{Context as _, bail};
use cabundle_build::{OutputPaths, parse_fingerprint, read_added};
use cabundle_policy::{Decision, Exclusion, PolicyOptions, Warning};
use std::io::Write as _;
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
    if arg.starts_with("https://") || arg.starts_with("http://") {
        out.info(&format!("fetching {arg}"));
        // The same download, trust and checks as `cabundle fetch`.
        let fetched = crate::commands::fetch::download_report(
            arg,
            http,
            None,
            crate::cli::fetch::DEFAULT_MIN_ROOTS,
            out,
        )
        .with_context(|| format!("cannot fetch the report from {arg}"))?;
        return Ok((
            fetched.body,
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

/// A library error in the words of the command line: the `hint:` line is the binary's.
fn with_hint(err: cabundle_build::Error) -> anyhow::Error {
    let hint = match &err {
        cabundle_build::Error::AddNotCa { .. } => Some(
            "--add takes root certificates (basic constraints CA:TRUE), such as a TLS-inspection proxy's root",
        ),
        cabundle_build::Error::CapathNotOurs { .. } => {
            Some("give --capath a new or empty directory, or one cabundle built before")
        }
        _ => None,
    };
    match hint {
        Some(hint) => anyhow::anyhow!("{err}\nhint: {hint}"),
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

/// Runs `cabundle build`.
pub fn run(args: BuildArgs, out: &Output) -> anyhow::Result<ExitCode> {
    if args.pem.is_none() && args.capath.is_none() && args.manifest.is_none() && !args.explain {
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
    let policy = PolicyOptions {
        purpose: args.purpose,
        as_of,
        distrust_grace_days: args.distrust_grace_days,
        include_expired: args.include_expired,
        excludes,
    };
    let mut adds = Vec::new();
    for path in &args.add {
        let bytes = fs_err::read(path)?;
        adds.extend(read_added(&path.display().to_string(), &bytes).map_err(with_hint)?);
    }

    let (bytes, source) = load_report(&args.report, &args.http, out)?;
    let built = cabundle_build::build(&bytes, &source.name, &policy, &adds).map_err(with_hint)?;
    let decisions = built.decisions();
    for warning in &decisions.warnings {
        out.warn(&warning_text(warning));
    }

    built
        .write(&OutputPaths {
            pem: args.pem.clone(),
            capath: args.capath.clone(),
            manifest: args.manifest.clone(),
        })
        .map_err(with_hint)?;

    if args.explain {
        let mut stdout = std::io::stdout().lock();
        for d in &decisions.decisions {
            writeln!(stdout, "{}", explain_line(d))?;
        }
        stdout.flush()?;
    }

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
        "{included} included, {excluded} excluded{detail} for {} as of {as_of}",
        policy.purpose
    ));
    for (label, path) in [
        ("bundle", &args.pem),
        ("hashed directory", &args.capath),
        ("manifest", &args.manifest),
    ] {
        if let Some(path) = path {
            out.verbose(&format!("wrote {label} {}", path.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
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
