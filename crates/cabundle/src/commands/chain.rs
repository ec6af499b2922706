//! `cabundle chain`.

use crate::cli::chain::ChainArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle chain`.
pub fn run(args: ChainArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle chain` is not implemented yet")
}
