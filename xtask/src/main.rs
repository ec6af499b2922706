//! `cargo xtask`: maintainer tasks. One module per task; few dependencies.
//!
//! Tasks: `bench` (benchmarks against the reference tools), `build-bundle` (reproducible
//! release bundles from `bundles/`), `fuzz` (long fuzz runs), `refresh` (update the bundles'
//! pinned source).

mod archive;
mod bench;
mod bench_compare;
mod bench_intermediates;
mod bench_parse;
mod build_bundle;
mod fuzz;
mod outputs;
mod recipe;
mod refresh;
mod source;

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
        Some("bench") if wants_help(&args[1..]) => usage(bench::USAGE),
        Some("bench") => bench::run(&args[1..]),
        Some("build-bundle") if wants_help(&args[1..]) => usage(build_bundle::USAGE),
        Some("build-bundle") => build_bundle::run(&args[1..]),
        Some("fuzz") if wants_help(&args[1..]) => usage(fuzz::USAGE),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("refresh") if wants_help(&args[1..]) => usage(refresh::USAGE),
        Some("refresh") => refresh::run(&args[1..]),
        Some(task) => anyhow::bail!("unknown task `{task}`\nhint: run `cargo xtask` for the list"),
        None => {
            eprintln!(
                "usage: cargo xtask <task>\n\ntasks:\n  bench    benchmarks against the reference tools\n  build-bundle  build the release bundles of bundles/ reproducibly (--check to verify)\n  fuzz     run the fuzz targets and the differential rehash check (--time 10m)\n  refresh  update the bundles' pinned source and print release notes"
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn wants_help(args: &[String]) -> bool {
    args.iter().any(|a| a == "--help" || a == "-h")
}

fn usage(text: &str) -> anyhow::Result<ExitCode> {
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
