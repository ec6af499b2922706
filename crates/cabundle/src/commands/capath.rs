//! `cabundle capath`: split a PEM bundle into one file per certificate, then hash the directory.

use crate::cli::capath::CapathArgs;
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use crate::shared::files;
use crate::shared::rehash::{DEFAULT_LOCK_TIMEOUT, Mode, rehash_dir};
use anyhow::Context;

/// Runs `cabundle capath`.
pub fn run(args: CapathArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let bytes = files::read(&args.from)?;
    let from = files::shown(&args.from);
    let files =
        cabundle_capath::split_bundle(&bytes).with_context(|| format!("invalid bundle {from}"))?;
    if files.is_empty() {
        anyhow::bail!("no certificate in {from}");
    }
    let written = cabundle_capath::write_split(&args.dir, &files)?;
    out.info(&format!(
        "{}: {} certificate files written, {} already there",
        args.dir.display(),
        written.len(),
        files.len() - written.len()
    ));
    let outcome = rehash_dir(
        &args.dir,
        &args.hash.options(),
        Mode::Apply,
        DEFAULT_LOCK_TIMEOUT,
        out,
    )?;
    Ok(if outcome.errors > 0 {
        ExitStatus::Error
    } else {
        ExitStatus::Ok
    })
}
