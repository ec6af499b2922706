//! `cargo xtask`: maintainer tasks. One module per task; few dependencies.
//!
//! Tasks: `bench` (benchmarks against the reference tools).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    match args.first().map(String::as_str) {
        Some(task) => anyhow::bail!("unknown task `{task}`\nhint: run `cargo xtask` for the list"),
        None => {
            eprintln!("usage: cargo xtask <task>\n\ntasks:\n  bench    benchmarks against the reference tools");
            Ok(ExitCode::SUCCESS)
        }
    }
}
