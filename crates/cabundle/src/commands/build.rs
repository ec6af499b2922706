//! `cabundle build`.

use crate::cli::build::BuildArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle build`.
pub fn run(args: BuildArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle build` is not implemented yet")
}
