//! `cargo xtask bench parse`: times `cabundle-ccadb` reading the CCADB's 9,910-certificate
//! `AllCertificatePEMsCSVFormat` export and one root report, against OpenSSL and Python
//! reading the same certificates, in the same run.
//!
//! The measuring code is the `parse_bench` example of `cabundle-ccadb`, built in release mode
//! here, so the xtask needs no dependency on the library. Arguments: `[DATA_DIR] [--runs N]`;
//! `DATA_DIR` defaults to `CABUNDLE_CCADB_DATA`, else `../shared/data/ccadb` beside the
//! checkout.

use anyhow::{Context, bail};
use std::process::{Command, ExitCode};

/// Runs the task with the arguments after `parse`.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "cabundle-ccadb",
            "--example",
            "parse_bench",
            "--",
        ])
        .args(args)
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("the parse benchmark failed ({status})");
    }
    Ok(ExitCode::SUCCESS)
}
