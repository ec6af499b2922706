//! `cabundle convert`.

use crate::cli::convert::ConvertArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle convert`.
pub fn run(args: ConvertArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle convert` is not implemented yet")
}
