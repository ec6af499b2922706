//! `cabundle fetch`.

use crate::cli::fetch::FetchArgs;
use crate::output::Output;
use std::process::ExitCode;

/// Runs `cabundle fetch`.
pub fn run(args: FetchArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let _ = (args, out);
    anyhow::bail!("`cabundle fetch` is not implemented yet")
}
