//! `cabundle build`: the report and options in, a PEM bundle, a hashed directory and a
//! manifest out, through the same pipeline as `cargo xtask build-bundle` (`cabundle-build`).

use crate::cli::build::{BuildArgs, PurposeArg};
use crate::commands::files;
use crate::output::Output;
use anyhow::{Context as _, bail};
use cabundle_build::{AddedWarning, OutputPaths, parse_fingerprint, read_added};
use cabundle_policy::{PolicyOptions, Purpose};
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

fn parse_date(text: &str) -> anyhow::Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format)
        .with_context(|| format!("invalid --as-of \"{text}\" (expected YYYY-MM-DD)"))
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
        let bytes = files::read(path)?;
        adds.extend(read_added(&files::shown(path), &bytes)?);
    }
    for warning in adds.iter().filter_map(cabundle_build::Added::warning) {
        out.warn(&added_warning(&warning));
    }

    let (bytes, source) = load_report(&args.report, &args.http, out)?;
    let built = cabundle_build::build(&bytes, &source.name, &policy, &adds)?;
    let decisions = built.decisions();
    for warning in &decisions.warnings {
        out.warn(&warning.to_string());
    }

    // `-` sends that output to standard output, after the files are written.
    let dash = |p: &Option<std::path::PathBuf>| p.as_deref().is_some_and(files::is_stdio);
    let (pem_out, manifest_out) = (dash(&args.pem), dash(&args.manifest));
    if usize::from(pem_out) + usize::from(manifest_out) + usize::from(args.explain) > 1 {
        bail!("only one of --pem -, --manifest - and --explain can use standard output");
    }
    built.write(&OutputPaths {
        pem: args.pem.clone().filter(|_| !pem_out),
        capath: args.capath.clone(),
        manifest: args.manifest.clone().filter(|_| !manifest_out),
    })?;
    for (to_stdout, bytes) in [(pem_out, built.pem()), (manifest_out, built.manifest())] {
        if to_stdout {
            files::write(std::path::Path::new("-"), bytes)?;
        }
    }

    if args.explain {
        let mut stdout = std::io::stdout().lock();
        for d in &decisions.decisions {
            match &d.excluded {
                None => writeln!(stdout, "included  {}  {}", d.sha256(), d.label())?,
                Some(reason) => {
                    writeln!(stdout, "excluded  {}  {}: {reason}", d.sha256(), d.label())?;
                }
            }
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
