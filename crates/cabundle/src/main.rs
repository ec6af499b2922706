//! The `cabundle` binary: parses arguments, runs one command, maps the outcome to an exit code.
//!
//! Exit codes: 0 ok, 1 "not as expected" (a `--check` that found differences, a chain that does
//! not verify, certificates expiring), 2 errors (bad input, IO, network).

mod cli;
mod commands;
mod output;
mod shared;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse_from(cli::openssl_style_args(std::env::args_os()));
    let out = output::Output::new(cli.global.quiet, cli.global.verbose);
    match commands::run(cli.command, &out) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            out.error(&format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
