//! Arguments of `cabundle env`.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Arguments of `cabundle env`.
#[derive(Debug, Args)]
#[command(after_help = variables_help())]
pub struct EnvArgs {
    /// The shell to write statements for (default: the one $SHELL names, else bash, with a
    /// warning when $SHELL names another shell).
    #[arg(long, value_enum, value_name = "SHELL")]
    pub shell: Option<ShellArg>,
    /// Print the statements that unset every variable instead.
    #[arg(long, conflicts_with = "capath")]
    pub unset: bool,
    /// The PEM bundle every client should trust.
    #[arg(value_name = "BUNDLE.pem", required_unless_present = "unset")]
    pub bundle: Option<PathBuf>,
    /// Also point SSL_CERT_DIR and GIT_SSL_CAPATH at this hashed directory.
    #[arg(long, value_name = "DIR")]
    pub capath: Option<PathBuf>,
}

/// The shells `cabundle env` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// bash and POSIX shells.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// The variables and who reads them, for `--help`: `cabundle-clients`' table of variables,
/// and the advice for Java that `doctor` gives.
fn variables_help() -> String {
    use cabundle_clients::variables::{SET_BY_SHELL, Target};
    let mut text = String::from("Variables set (paths made absolute and quoted for the shell):\n");
    for var in SET_BY_SHELL {
        let when = if var.target() == Target::Directory {
            " [--capath]"
        } else {
            ""
        };
        text.push_str(&format!("  {:<20} {}{when}\n", var.name(), var.readers()));
    }
    text.push_str(&format!(
        "Java reads none of them: {}.\n\n",
        crate::shared::hints::java_truststore(None)
    ));
    text.push_str(
        "Examples:\n  eval \"$(cabundle env ca-bundle.pem)\"\n  cabundle env --shell fish ca-bundle.pem | source\n  \
eval \"$(cabundle env --unset)\"",
    );
    text
}
