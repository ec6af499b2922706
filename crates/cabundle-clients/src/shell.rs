//! The statements that point every client at one bundle, for each shell: pure.
//!
//! Every value is quoted so that the shell reads it back unchanged, whatever it holds
//! (spaces, quotes, `$`, backslashes, newlines).

use crate::{Error, Result};
use std::path::Path;

/// A shell whose statements [`set_statements`] can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// bash (and any POSIX shell): `export NAME='value'`.
    Bash,
    /// zsh: the same statements as bash.
    Zsh,
    /// fish: `set -gx NAME 'value'`.
    Fish,
    /// PowerShell: `$env:NAME = 'value'`.
    Powershell,
}

impl Shell {
    /// The shell a login shell path such as `/usr/bin/fish` names, if it is one of ours.
    pub fn from_program(path: &str) -> Option<Shell> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let name = name.strip_suffix(".exe").unwrap_or(name);
        match name {
            "bash" | "sh" | "dash" | "ksh" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            "pwsh" | "powershell" => Some(Shell::Powershell),
            _ => None,
        }
    }
}

/// What a variable points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The PEM bundle.
    Bundle,
    /// The hashed certificate directory, when one is given.
    Directory,
}

/// An environment variable some client reads to find its trusted roots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable {
    /// Its name.
    pub name: &'static str,
    /// What it is set to.
    pub target: Target,
    /// The clients that read it, in words.
    pub readers: &'static str,
}

/// Every variable the statements set, in the order they are written.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "SSL_CERT_FILE",
        target: Target::Bundle,
        readers: "OpenSSL and programs linked to it: openssl, curl, Python ssl and urllib, Ruby",
    },
    Variable {
        name: "CURL_CA_BUNDLE",
        target: Target::Bundle,
        readers: "curl (and Python requests when REQUESTS_CA_BUNDLE is unset)",
    },
    Variable {
        name: "REQUESTS_CA_BUNDLE",
        target: Target::Bundle,
        readers: "Python requests, and the tools built on it",
    },
    Variable {
        name: "PIP_CERT",
        target: Target::Bundle,
        readers: "pip",
    },
    Variable {
        name: "NODE_EXTRA_CA_CERTS",
        target: Target::Bundle,
        readers: "Node.js (added to its bundled roots)",
    },
    Variable {
        name: "GIT_SSL_CAINFO",
        target: Target::Bundle,
        readers: "git over HTTPS",
    },
    Variable {
        name: "AWS_CA_BUNDLE",
        target: Target::Bundle,
        readers: "the AWS CLI and SDKs",
    },
    Variable {
        name: "SSL_CERT_DIR",
        target: Target::Directory,
        readers: "OpenSSL and programs linked to it (a hashed directory)",
    },
    Variable {
        name: "GIT_SSL_CAPATH",
        target: Target::Directory,
        readers: "git over HTTPS (a hashed directory)",
    },
];

/// The statements that set every variable of [`VARIABLES`] to `bundle` (and the directory
/// ones to `dir`, when given), one per line. The paths are written as given: make them
/// absolute first.
pub fn set_statements(shell: Shell, bundle: &Path, dir: Option<&Path>) -> Result<String> {
    let bundle = utf8(bundle)?;
    let dir = dir.map(utf8).transpose()?;
    let mut out = String::new();
    for var in VARIABLES {
        let value = match var.target {
            Target::Bundle => bundle,
            Target::Directory => match dir {
                Some(d) => d,
                None => continue,
            },
        };
        let quoted = quote(shell, value);
        let line = match shell {
            Shell::Bash | Shell::Zsh => format!("export {}={quoted}\n", var.name),
            Shell::Fish => format!("set -gx {} {quoted}\n", var.name),
            Shell::Powershell => format!("$env:{} = {quoted}\n", var.name),
        };
        out.push_str(&line);
    }
    Ok(out)
}

/// The statements that unset every variable of [`VARIABLES`], one per line.
pub fn unset_statements(shell: Shell) -> String {
    VARIABLES
        .iter()
        .map(|var| match shell {
            Shell::Bash | Shell::Zsh => format!("unset {}\n", var.name),
            Shell::Fish => format!("set -e {}\n", var.name),
            Shell::Powershell => format!(
                "Remove-Item Env:{} -ErrorAction SilentlyContinue\n",
                var.name
            ),
        })
        .collect()
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| Error::NotUtf8 {
        path: path.to_owned(),
    })
}

/// `value` as a single-quoted word of `shell`.
pub fn quote(shell: Shell, value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match (shell, c) {
            // POSIX single quotes cannot hold a quote: close, write it escaped, reopen.
            (Shell::Bash | Shell::Zsh, '\'') => out.push_str("'\\''"),
            (Shell::Fish, '\'' | '\\') => {
                out.push('\\');
                out.push(c);
            }
            // PowerShell doubles a quote, and counts the typographic single quotes as quotes.
            (Shell::Powershell, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') => {
                out.push(c);
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(shell: Shell, value: &str, expected: &str) {
        assert_eq!(quote(shell, value), expected, "{shell:?} {value:?}");
    }

    #[test]
    fn quoting() {
        check(Shell::Bash, "/a b/c.pem", "'/a b/c.pem'");
        check(Shell::Bash, "it's", "'it'\\''s'");
        check(Shell::Zsh, "$HOME \"x\" `y`", "'$HOME \"x\" `y`'");
        check(Shell::Fish, "it's \\ $x", "'it\\'s \\\\ $x'");
        check(Shell::Powershell, "it's $x", "'it''s $x'");
        check(Shell::Powershell, "a\u{2019}b", "'a\u{2019}\u{2019}b'");
    }

    #[test]
    fn statements_name_every_variable() {
        let bundle = Path::new("/b.pem");
        let dir = Path::new("/d");
        let with_dir = set_statements(Shell::Bash, bundle, Some(dir)).unwrap_or_default();
        assert_eq!(with_dir.lines().count(), VARIABLES.len());
        assert!(with_dir.contains("export SSL_CERT_DIR='/d'\n"));
        let without = set_statements(Shell::Fish, bundle, None).unwrap_or_default();
        assert!(without.contains("set -gx NODE_EXTRA_CA_CERTS '/b.pem'\n"));
        assert!(!without.contains("SSL_CERT_DIR"));
        let ps = set_statements(Shell::Powershell, bundle, None).unwrap_or_default();
        assert!(ps.contains("$env:GIT_SSL_CAINFO = '/b.pem'\n"));
        assert_eq!(
            unset_statements(Shell::Zsh).lines().count(),
            VARIABLES.len()
        );
        assert!(unset_statements(Shell::Fish).contains("set -e SSL_CERT_DIR\n"));
    }

    #[test]
    fn shells_by_program() {
        let cases = [
            ("/bin/bash", Some(Shell::Bash)),
            ("/usr/bin/zsh", Some(Shell::Zsh)),
            ("fish", Some(Shell::Fish)),
            ("C:\\x\\pwsh.exe", Some(Shell::Powershell)),
            ("/bin/tcsh", None),
        ];
        for (program, expected) in cases {
            assert_eq!(Shell::from_program(program), expected, "{program}");
        }
    }
}
