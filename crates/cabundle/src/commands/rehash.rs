//! `cabundle rehash`.

use crate::cli::rehash::RehashArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle rehash`.
pub fn run(args: RehashArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle rehash` is not implemented yet")
}
