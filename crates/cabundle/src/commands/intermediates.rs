//! `cabundle build --intermediates-report`: the intermediates that chain to the build's roots,
//! written with the build's other outputs, all or nothing (`cabundle_build::OutputSet`).

use crate::cli::build::BuildArgs;
use crate::commands::build::{is_url, with_hint};
use crate::shared::files;
use crate::output::Output;
use anyhow::{Context as _, bail};
use cabundle_build::{Built, Intermediates, OutputSet};
use std::io::Write as _;
use std::path::Path;

/// Reads the intermediates report from a file, or downloads it with the checks of `cabundle
/// fetch --intermediates`; returns its bytes and the name written into the outputs.
fn load(arg: &str, args: &BuildArgs, out: &Output) -> anyhow::Result<(Vec<u8>, String)> {
    if is_url(arg) {
        return Ok((download(arg, args, out)?, arg.to_owned()));
    }
    let path = Path::new(arg);
    let bytes = files::read(path)?;
    let name = path
        .file_name()
        .map_or_else(|| arg.to_owned(), |n| n.to_string_lossy().into_owned());
    Ok((bytes, name))
}

/// Downloads an intermediates report with the checks of `cabundle fetch --intermediates`.
pub(crate) fn download(url: &str, args: &BuildArgs, out: &Output) -> anyhow::Result<Vec<u8>> {
    out.info(&format!("fetching {url}"));
    let fetched = crate::shared::download::download_intermediates(
        url,
        &args.http,
        None,
        crate::cli::fetch::DEFAULT_MIN_ROOTS,
        out,
    )
    .with_context(|| format!("cannot fetch the intermediates report from {url}"))?;
    Ok(fetched.body)
}

/// Selects the intermediates for `built` and writes every requested output of the build.
pub fn build(args: &BuildArgs, report: &str, built: &Built, out: &Output) -> anyhow::Result<()> {
    let (bytes, name) = load(report, args, out)?;
    let selection =
        cabundle_build::select_intermediates(&bytes, &name, built).map_err(with_hint)?;
    let manifest = selection.manifest(
        built,
        args.intermediates_pem.is_some(),
        args.full_pem.is_some(),
        args.capath_intermediates,
    );
    let capath = if args.capath_intermediates {
        selection.capath_with(built)
    } else {
        built.capath().to_vec()
    };

    let outputs: [(&Option<std::path::PathBuf>, &[u8]); 4] = [
        (&args.pem, built.pem()),
        (&args.manifest, &manifest),
        (&args.intermediates_pem, selection.pem()),
        (&args.full_pem, selection.full_pem()),
    ];
    let to_stdout: Vec<&[u8]> = outputs
        .iter()
        .filter(|(p, _)| p.as_deref().is_some_and(files::is_stdio))
        .map(|(_, b)| *b)
        .collect();
    if to_stdout.len() + usize::from(args.explain) > 1 {
        bail!("only one output, or --explain, can use standard output");
    }
    let mut set = OutputSet::new();
    for (path, bytes) in &outputs {
        if let Some(path) = path.as_deref().filter(|p| !files::is_stdio(p)) {
            set.file(path, bytes);
        }
    }
    if let Some(path) = &args.capath {
        set.capath(path, &capath);
    }
    set.write().map_err(with_hint)?;
    for bytes in to_stdout {
        files::write(Path::new("-"), bytes)?;
    }
    if args.explain {
        explain(&selection)?;
    }
    summary(&selection, "", out);
    for (label, path) in [
        ("intermediates", &args.intermediates_pem),
        ("full bundle", &args.full_pem),
    ] {
        if let Some(path) = path {
            out.verbose(&format!("wrote {label} {}", path.display()));
        }
    }
    Ok(())
}

/// One `--explain` line per intermediate.
pub(crate) fn explain(selection: &Intermediates) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for d in selection.decisions() {
        let c = &d.intermediate.certificate;
        match (&d.excluded, d.issuer) {
            (None, Some(issuer)) => writeln!(
                stdout,
                "included  {}  intermediate {} (signed by {issuer})",
                c.sha256, c.subject
            )?,
            (Some(reason), _) => writeln!(
                stdout,
                "excluded  {}  intermediate {}: {reason}",
                c.sha256, c.subject
            )?,
            (None, None) => {}
        }
    }
    stdout.flush()?;
    Ok(())
}

/// The intermediates' summary line on stderr, after `prefix` (a bundle's name).
pub(crate) fn summary(selection: &Intermediates, prefix: &str, out: &Output) {
    let selected = selection.selected().count();
    let by_kind = selection.excluded_by_kind();
    let excluded: usize = by_kind.iter().map(|(_, n)| n).sum();
    let detail = if by_kind.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!(" ({})", parts.join(", "))
    };
    out.info(&format!(
        "{prefix}{selected} intermediates selected, {excluded} left out{detail}"
    ));
}
