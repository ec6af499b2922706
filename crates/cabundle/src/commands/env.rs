//! `cabundle env`: the statements that point every client at one bundle (and directory).

use crate::cli::env::{EnvArgs, ShellArg};
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use crate::shared::files::read_certs;
use anyhow::{Context, bail};
use cabundle_clients::shell::{Shell, set_statements, unset_statements};
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Runs `cabundle env`.
pub fn run(args: EnvArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let shell = match args.shell {
        Some(ShellArg::Bash) => Shell::Bash,
        Some(ShellArg::Zsh) => Shell::Zsh,
        Some(ShellArg::Fish) => Shell::Fish,
        Some(ShellArg::Powershell) => Shell::Powershell,
        None => {
            let (shell, warning) = default_shell(std::env::var_os("SHELL").as_deref());
            if let Some(warning) = warning {
                out.warn(&warning);
            }
            shell
        }
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
            Some(dir) => Some(capath(dir)?),
            None => None,
        };
        set_statements(shell, &bundle, dir.as_deref())?
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitStatus::Ok)
}

/// The shell `$SHELL` names, else PowerShell on Windows and bash elsewhere; with a warning
/// (and its hint) when `$SHELL` names a shell whose statements `env` does not write.
fn default_shell(shell_var: Option<&OsStr>) -> (Shell, Option<String>) {
    let fallback = if cfg!(windows) {
        Shell::Powershell
    } else {
        Shell::Bash
    };
    let Some(program) = shell_var.filter(|s| !s.is_empty()) else {
        return (fallback, None);
    };
    let program = program.to_string_lossy();
    match Shell::from_program(&program) {
        Some(shell) => (shell, None),
        None => {
            let name = program.rsplit(['/', '\\']).next().unwrap_or(&program);
            let syntax = if fallback == Shell::Powershell {
                "PowerShell"
            } else {
                "bash"
            };
            (
                fallback,
                Some(format!(
                    "cabundle env does not write statements for {name} ($SHELL is {program}): printing {syntax} syntax\nhint: pass --shell bash, zsh, fish or powershell"
                )),
            )
        }
    }
}

/// The `--capath` directory, absolute: it must exist and be a directory.
fn capath(dir: &Path) -> anyhow::Result<PathBuf> {
    let absolute = absolute(dir)?;
    match fs_err::metadata(&absolute) {
        Ok(meta) if meta.is_dir() => Ok(absolute),
        Ok(_) => bail!(
            "the --capath path {} is not a directory\nhint: give the hashed directory that cabundle build --capath or cabundle rehash made",
            dir.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "the --capath directory {} does not exist\nhint: make it with cabundle build --capath DIR, or leave --capath out",
            dir.display()
        ),
        Err(e) => Err(anyhow::Error::new(e))
            .with_context(|| format!("cannot read the --capath directory {}", dir.display())),
    }
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot make {} absolute", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(shell_var: Option<&str>, expected: Shell, warns: bool) {
        let (shell, warning) = default_shell(shell_var.map(OsStr::new));
        assert_eq!(
            (shell, warning.is_some()),
            (expected, warns),
            "{shell_var:?}"
        );
    }

    #[cfg(not(windows))]
    #[test]
    fn shells_from_the_shell_variable() {
        check(None, Shell::Bash, false);
        check(Some(""), Shell::Bash, false);
        check(Some("/bin/zsh"), Shell::Zsh, false);
        check(Some("/usr/bin/fish"), Shell::Fish, false);
        check(Some("/bin/tcsh"), Shell::Bash, true);
        check(Some("/bin/csh"), Shell::Bash, true);
        let (_, warning) = default_shell(Some(OsStr::new("/bin/tcsh")));
        let warning = warning.unwrap_or_default();
        assert!(
            warning.contains("tcsh") && warning.contains("bash syntax"),
            "{warning}"
        );
        assert!(warning.contains("\nhint: pass --shell"), "{warning}");
    }
}
