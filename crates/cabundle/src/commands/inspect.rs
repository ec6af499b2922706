//! `cabundle inspect`.

use crate::cli::inspect::InspectArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle inspect`.
pub fn run(args: InspectArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle inspect` is not implemented yet")
}
