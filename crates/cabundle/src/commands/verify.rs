//! `cabundle verify`.

use crate::cli::verify::VerifyArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle verify`.
pub fn run(args: VerifyArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle verify` is not implemented yet")
}
