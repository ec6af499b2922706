//! `cabundle completions` and `cabundle man`: the shell completion script and the man pages,
//! generated from the clap types.

use crate::cli::Cli;
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use clap::CommandFactory;
use std::path::Path;

/// Runs `cabundle completions SHELL`: the script on standard output.
pub fn run(shell: clap_complete::Shell, _out: &Output) -> anyhow::Result<ExitStatus> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "cabundle", &mut std::io::stdout());
    Ok(ExitStatus::Ok)
}

/// Runs `cabundle man DIR`: one page per command, the directory created if missing.
pub fn run_man(dir: &Path, _out: &Output) -> anyhow::Result<ExitStatus> {
    fs_err::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)?;
    Ok(ExitStatus::Ok)
}
