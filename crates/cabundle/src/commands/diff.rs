//! `cabundle diff`: what changed between two reports, bundles or directories.

use crate::cli::diff::DiffArgs;
use crate::commands::files;
use crate::output::Output;
use anyhow::Context as _;
use cabundle_diff::{DiffOptions, RootSet};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Runs `cabundle diff`: exit 0 without differences, 1 with.
pub fn run(args: DiffArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let mut certs = Vec::new();
    for path in &args.certs {
        certs.push((path.display().to_string(), fs_err::read(path)?));
    }
    let old = load(&args.old, &certs)?;
    let new = load(&args.new, &certs)?;
    out.verbose(&format!(
        "old: {} roots, new: {} roots",
        old.entries.len(),
        new.entries.len()
    ));
    // The clock is read here, at the edge; the library only sees the date.
    let as_of = args
        .as_of
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
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
        cabundle_diff::render_text(&diff)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if diff.has_differences() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One side: a directory (every `.pem`, `.crt`, `.cer` file in it), a Chrome Root Store
/// textproto (with the `--certs` certificates) or another file.
fn load(path: &Path, certs: &[(String, Vec<u8>)]) -> anyhow::Result<RootSet> {
    if path.is_dir() {
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
            let bytes = fs_err::read(file)?;
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
        Ok(set)
    } else {
        let bytes = files::read(path)?;
        if cabundle_ccadb::chrome::looks_like_chrome(&bytes) {
            let name = path.display().to_string();
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
}
