//! `cargo xtask fuzz [--time 10m] [--target NAME] [--seed N] [--batches N]`: the long fuzz run.
//!
//! The targets, the mutator and the seeds live in `cabundle-fuzz` (its test suite runs the
//! same targets for about 30 s with a fixed seed); this runs its `fuzz` example in release
//! mode, so the xtask needs no dependency on the libraries. Seeds from the real CCADB data are
//! read at run time (`CABUNDLE_CCADB_DATA`, else `../shared/data/ccadb` beside the checkout).

use anyhow::{Context, bail};
use std::process::{Command, ExitCode};

/// The task's help.
pub const USAGE: &str =
    "usage: cargo xtask fuzz [--time 10m] [--target NAME] [--seed N] [--batches N]

Runs every fuzz target of cabundle-fuzz (pem, cert, name, report, certdata, any) for its share
of --time (default 60s), then the differential rehash check against openssl rehash (--batches
directories of 100 mutants, default 20). A panicking input is written to target/fuzz-failures/.";

/// Runs the task with the arguments after `fuzz`.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "cabundle-fuzz",
            "--example",
            "fuzz",
            "--",
        ])
        .args(args)
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("the fuzz run found a failure ({status})");
    }
    Ok(ExitCode::SUCCESS)
}
