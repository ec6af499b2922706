//! One module per command, each a leaf: a command never imports another command's module
//! (what two share lives in `crate::shared`); this file only dispatches (tests/tidy.rs
//! enforces both).

use crate::cli::Command;
use crate::output::Output;
use crate::shared::exit::ExitStatus;

pub mod build;
pub mod capath;
pub mod chain;
pub mod completions;
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
pub mod trust;
pub mod verify;

/// Runs one command and returns how it ended.
pub fn run(command: Command, out: &Output) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Rehash(args) => rehash::run(args, out),
        Command::Inspect(args) => inspect::run(args, out),
        Command::Capath(args) => capath::run(args, out),
        Command::Build(args) => build::run(*args, out),
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
        Command::Trust(args) => trust::run(args, out),
        Command::Completions { shell } => completions::run(shell, out),
        Command::Man { dir } => completions::run_man(&dir, out),
    }
}
