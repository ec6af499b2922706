//! `cabundle diff`: what changed between two reports, bundles or directories; two
//! `MozillaIntermediateCertsCSVReport`s compare as intermediates (added and removed).

use crate::cli::diff::DiffArgs;
use crate::output::Output;
use crate::shared::clock::date_or_today;
use crate::shared::exit::ExitStatus;
use crate::shared::files;
use crate::shared::terminal::lines;
use anyhow::Context as _;
use cabundle_diff::{DiffOptions, RootSet};
use std::io::Write as _;
use std::path::Path;

/// Runs `cabundle diff`: exit 0 without differences, 1 with.
pub fn run(args: DiffArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let mut certs = Vec::new();
    for path in &args.certs {
        certs.push((files::shown(path), files::read(path)?));
    }
    // Each side is read once (`-` is standard input), then told apart by content.
    let read = |path: &Path| -> anyhow::Result<Option<Vec<u8>>> {
        if path.is_dir() {
            Ok(None)
        } else {
            Ok(Some(files::read(path)?))
        }
    };
    let (old_bytes, new_bytes) = (read(&args.old)?, read(&args.new)?);
    let is_intermediates = |b: &Option<Vec<u8>>| {
        b.as_deref()
            .is_some_and(cabundle_ccadb::looks_like_intermediates)
    };
    match (is_intermediates(&old_bytes), is_intermediates(&new_bytes)) {
        (true, true) => {
            return intermediates(&args, old_bytes.as_deref(), new_bytes.as_deref(), out);
        }
        (false, false) => {}
        (old_is, _) => {
            let (this, other) = if old_is {
                (&args.old, &args.new)
            } else {
                (&args.new, &args.old)
            };
            anyhow::bail!(
                "{} is a MozillaIntermediateCertsCSVReport and {} is not: intermediates compare only with intermediates\nhint: give two intermediates reports, or two sets of roots",
                files::shown(this),
                files::shown(other)
            );
        }
    }
    let old = load(&args.old, old_bytes, &certs)?;
    let new = load(&args.new, new_bytes, &certs)?;
    out.verbose(&format!(
        "old: {} roots, new: {} roots",
        old.entries.len(),
        new.entries.len()
    ));
    // The clock is read here, at the edge; the library only sees the date.
    let as_of = date_or_today(args.as_of);
    let opts = DiffOptions {
        as_of,
        expiring_within_days: args.expiring_within,
    };
    let diff = cabundle_diff::diff(&old, &new, &opts);
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&diff)?;
        json.push('\n');
        json
    } else {
        lines(&cabundle_diff::render_text(&diff)).into_owned()
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitStatus::ok_if(!diff.has_differences()))
}

/// `cabundle diff` of two intermediates reports: added and removed, exit 1 when any.
fn intermediates(
    args: &DiffArgs,
    old: Option<&[u8]>,
    new: Option<&[u8]>,
    out: &Output,
) -> anyhow::Result<ExitStatus> {
    let parse = |path: &Path, bytes: Option<&[u8]>| {
        cabundle_diff::IntermediateSet::from_bytes(bytes.unwrap_or_default())
            .with_context(|| format!("cannot read {}", files::shown(path)))
    };
    let old = parse(&args.old, old)?;
    let new = parse(&args.new, new)?;
    out.verbose(&format!(
        "old: {} intermediates, new: {} intermediates",
        old.entries.len(),
        new.entries.len()
    ));
    let diff = cabundle_diff::diff_intermediates(&old, &new);
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&diff)?;
        json.push('\n');
        json
    } else {
        lines(&cabundle_diff::render_intermediates_text(&diff)).into_owned()
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitStatus::ok_if(!diff.has_differences()))
}

/// One side: a directory (every `.pem`, `.crt`, `.cer` file in it), a Chrome Root Store
/// textproto (with the `--certs` certificates) or another file, whose `bytes` were read.
fn load(
    path: &Path,
    bytes: Option<Vec<u8>>,
    certs: &[(String, Vec<u8>)],
) -> anyhow::Result<RootSet> {
    let Some(bytes) = bytes else {
        let mut files = Vec::new();
        for entry in fs_err::read_dir(path)? {
            let p = entry?.path();
            let wanted = p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "pem" | "crt" | "cer"));
            if wanted && p.is_file() {
                files.push(p);
            }
        }
        files.sort();
        let mut set = RootSet::default();
        for file in &files {
            let bytes = cabundle_cert::read_bounded(file, cabundle_cert::READ_CAP)?;
            let certs = cabundle_cert::read_certificates(&bytes)
                .with_context(|| format!("cannot read certificates from {}", file.display()))?;
            set.extend(RootSet::from_certificates(&certs));
        }
        if set.entries.is_empty() {
            anyhow::bail!(
                "no certificate in the .pem, .crt and .cer files of {}",
                path.display()
            );
        }
        return Ok(set);
    };
    if cabundle_ccadb::chrome::looks_like_chrome(&bytes) {
        let name = files::shown(path);
        if certs.is_empty() {
            anyhow::bail!(
                "{name} is a Chrome Root Store textproto, which holds fingerprints only\nhint: give the anchors' certificates with --certs FILE, such as root_store.certs"
            );
        }
        let (report, _) = cabundle_build::read_chrome(&bytes, &name, certs)?;
        return Ok(RootSet::from_report(&report));
    }
    let set = RootSet::from_bytes(&bytes)
        .with_context(|| format!("cannot read {}", files::shown(path)))?;
    if set.entries.is_empty() {
        anyhow::bail!("no certificate in {}", files::shown(path));
    }
    Ok(set)
}
