//! `cabundle capath`.

use crate::cli::capath::CapathArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle capath`.
pub fn run(args: CapathArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle capath` is not implemented yet")
}
