//! `cabundle probe`.

use crate::cli::probe::ProbeArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle probe`.
pub fn run(args: ProbeArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle probe` is not implemented yet")
}
