//! The `cabundle` binary: parses arguments, runs one command, maps the outcome to an exit code.
//!
//! Exit codes (`shared::exit::ExitStatus`): 0 ok, 1 "not as expected" (a `--check` that found
//! differences, a chain that does not verify, certificates expiring), 2 errors (bad input, IO,
//! network). The status becomes the process's exit code here, and only here.

mod cli;
mod commands;
mod output;
mod shared;

use clap::Parser;
use shared::exit::ExitStatus;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse_from(cli::openssl_style_args(std::env::args_os()));
    let out = output::Output::new(cli.global.quiet, cli.global.verbose);
    let status = match commands::run(cli.command.resolve_aliases(), &out) {
        Ok(status) => status,
        Err(err) if is_broken_pipe(&err) => ExitStatus::Ok,
        Err(err) => {
            out.error(&format!("{err:#}"));
            ExitStatus::Error
        }
    };
    ExitCode::from(status)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
