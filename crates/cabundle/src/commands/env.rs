//! `cabundle env`: the statements that point every client at one bundle (and directory).

use crate::cli::env::{EnvArgs, ShellArg};
use crate::output::Output;
use crate::shared::files::read_certs;
use anyhow::{Context, bail};
use cabundle_clients::shell::{Shell, set_statements, unset_statements};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs `cabundle env`.
pub fn run(args: EnvArgs, _out: &Output) -> anyhow::Result<ExitCode> {
    let shell = match args.shell {
        Some(ShellArg::Bash) => Shell::Bash,
        Some(ShellArg::Zsh) => Shell::Zsh,
        Some(ShellArg::Fish) => Shell::Fish,
        Some(ShellArg::Powershell) => Shell::Powershell,
        None => default_shell(),
    };
    let text = if args.unset {
        unset_statements(shell)
    } else {
        let Some(bundle) = &args.bundle else {
            bail!("no bundle given");
        };
        let bundle = absolute(bundle)?;
        if read_certs(&bundle)?.is_empty() {
            bail!("no certificates in {}", bundle.display());
        }
        let dir = match &args.capath {
            Some(dir) => {
                let dir = absolute(dir)?;
                if !fs_err::metadata(&dir)?.is_dir() {
                    bail!("{} is not a directory", dir.display());
                }
                Some(dir)
            }
            None => None,
        };
        set_statements(shell, &bundle, dir.as_deref())?
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The shell `$SHELL` names, else PowerShell on Windows and bash elsewhere.
fn default_shell() -> Shell {
    std::env::var("SHELL")
        .ok()
        .and_then(|s| Shell::from_program(&s))
        .unwrap_or(if cfg!(windows) {
            Shell::Powershell
        } else {
            Shell::Bash
        })
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot make {} absolute", path.display()))
}
