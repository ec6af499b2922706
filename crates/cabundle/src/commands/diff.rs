//! `cabundle diff`.

use crate::cli::diff::DiffArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle diff`.
pub fn run(args: DiffArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle diff` is not implemented yet")
}
