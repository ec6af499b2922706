//! One module per command; `run` dispatches.

use crate::cli::{Cli, Command};
use crate::output::Output;
use clap::CommandFactory;
use std::process::ExitCode;

pub mod build;
pub mod capath;
pub mod chain;
pub mod convert;
pub mod diff;
pub mod doctor;
pub mod env;
pub mod expiring;
pub mod fetch;
pub mod inspect;
pub mod probe;
pub mod recipe;
pub mod rehash;
pub mod verify;

/// Runs one command and returns its exit code.
pub fn run(command: Command, out: &Output) -> anyhow::Result<ExitCode> {
    match command {
        Command::Rehash(args) => rehash::run(args, out),
        Command::Inspect(args) => inspect::run(args, out),
        Command::Capath(args) => capath::run(args, out),
        Command::Build(args) => match args.into_recipe() {
            Ok(recipe) => recipe::run(recipe, out),
            Err(args) => build::run(*args, out),
        },
        Command::Recipe(args) => recipe::run(*args, out),
        Command::Fetch(args) => fetch::run(args, out),
        Command::Diff(args) => diff::run(args, out),
        Command::Verify(args) => verify::run(args, out),
        Command::Probe(args) => probe::run(args, out),
        Command::Chain(args) => chain::run(args, out),
        Command::Convert(args) => convert::run(args, out),
        Command::Expiring(args) => expiring::run(args, out),
        Command::Env(args) => env::run(args, out),
        Command::Doctor(args) => doctor::run(args, out),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "cabundle", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => {
            fs_err::create_dir_all(&dir)?;
            clap_mangen::generate_to(Cli::command(), &dir)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
