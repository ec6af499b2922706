//! `cabundle expiring`.

use crate::cli::expiring::ExpiringArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle expiring`.
pub fn run(args: ExpiringArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle expiring` is not implemented yet")
}
