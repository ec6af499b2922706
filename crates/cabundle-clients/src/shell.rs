//! The statements that point every client at one bundle, for each shell: pure.
//!
//! Every value is quoted so that the shell reads it back unchanged, whatever printable
//! characters it holds (spaces, quotes, `$`, backslashes, non-ASCII), and every statement is one
//! line.
//!
//! A path holding a control character (a newline, a carriage return, a tab, an escape, ...) or
//! a Unicode line or paragraph separator is refused, for every shell, with the path and the
//! character named. Quoting could carry some of them on one line in some shells (bash and zsh
//! have `$'\n'`, fish a bare `\n`, PowerShell ``"`n"``), but not all: `Shell::Bash` also
//! stands for `sh` and `dash`, whose quoting has no one-line form of a newline, and a
//! single-quoted newline makes a statement span lines (which line-by-line readers of a profile
//! or of `eval` input, and people, take for two statements). An escape character would also
//! reach the terminal that shows the statements. No real bundle path holds one: a refusal
//! is the honest answer, and it is the same in every shell.

use crate::variables::{SET_BY_SHELL, Target};
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

/// The statements that set every variable of [`SET_BY_SHELL`] to `bundle` (and the
/// directory ones to `dir`, when given), one per line. The paths are written as given: make them
/// absolute first.
pub fn set_statements(shell: Shell, bundle: &Path, dir: Option<&Path>) -> Result<String> {
    let bundle = utf8(bundle)?;
    let dir = dir.map(utf8).transpose()?;
    let mut out = String::new();
    for var in SET_BY_SHELL {
        let value = match var.target() {
            Target::Bundle => bundle,
            Target::Directory => match dir {
                Some(d) => d,
                None => continue,
            },
            Target::Options => continue,
        };
        let quoted = quote(shell, value);
        let line = match shell {
            Shell::Bash | Shell::Zsh => format!("export {var}={quoted}\n"),
            Shell::Fish => format!("set -gx {var} {quoted}\n"),
            Shell::Powershell => format!("$env:{var} = {quoted}\n"),
        };
        out.push_str(&line);
    }
    Ok(out)
}

/// The statements that unset every variable of [`SET_BY_SHELL`], one per line.
pub fn unset_statements(shell: Shell) -> String {
    SET_BY_SHELL
        .iter()
        .map(|var| match shell {
            Shell::Bash | Shell::Zsh => format!("unset {var}\n"),
            Shell::Fish => format!("set -e {var}\n"),
            Shell::Powershell => format!("Remove-Item Env:{var} -ErrorAction SilentlyContinue\n"),
        })
        .collect()
}

/// `path` as text that a statement can hold on one line: UTF-8 without a control character.
fn utf8(path: &Path) -> Result<&str> {
    let text = path.to_str().ok_or_else(|| Error::NotUtf8 {
        path: path.to_owned(),
    })?;
    match text.chars().find(|&c| breaks_line(c)) {
        Some(character) => Err(Error::ControlCharacter {
            path: path.to_owned(),
            character,
        }),
        None => Ok(text),
    }
}

/// Whether `c` may not appear in a one-line statement: a control character (C0, DEL, C1, which
/// hold every line break but the two below) or a Unicode line or paragraph separator.
fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
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
        assert_eq!(with_dir.lines().count(), SET_BY_SHELL.len());
        assert!(with_dir.contains("export SSL_CERT_DIR='/d'\n"));
        let without = set_statements(Shell::Fish, bundle, None).unwrap_or_default();
        assert!(without.contains("set -gx NODE_EXTRA_CA_CERTS '/b.pem'\n"));
        assert!(!without.contains("SSL_CERT_DIR"));
        let ps = set_statements(Shell::Powershell, bundle, None).unwrap_or_default();
        assert!(ps.contains("$env:GIT_SSL_CAINFO = '/b.pem'\n"));
        assert_eq!(
            unset_statements(Shell::Zsh).lines().count(),
            SET_BY_SHELL.len()
        );
        assert!(unset_statements(Shell::Fish).contains("set -e SSL_CERT_DIR\n"));
    }

    #[test]
    fn control_characters_are_refused_in_every_shell() {
        let shells = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell];
        let cases = [
            ("/ca/a\nb.pem", Some('\n')),
            ("/ca/a\rb.pem", Some('\r')),
            ("/ca/a\tb.pem", Some('\t')),
            ("/ca/\u{1b}[31mred.pem", Some('\u{1b}')),
            ("/ca/a\u{7f}.pem", Some('\u{7f}')),
            ("/ca/a\u{85}.pem", Some('\u{85}')),
            ("/ca/a\u{2028}.pem", Some('\u{2028}')),
            ("/ca/a b\u{e9}'$x.pem", None),
        ];
        for shell in shells {
            for (path, refused) in cases {
                let got = set_statements(shell, Path::new(path), None);
                match (got, refused) {
                    (Err(Error::ControlCharacter { path: p, character }), Some(c)) => {
                        assert_eq!((p.to_str(), character), (Some(path), c), "{shell:?}");
                    }
                    (Ok(text), None) => {
                        assert!(text.lines().all(|l| l.contains("/ca/a b")), "{text}");
                    }
                    (got, _) => panic!("{shell:?} {path:?}: {got:?}"),
                }
                let dir = set_statements(shell, Path::new("/b.pem"), Some(Path::new(path)));
                assert_eq!(dir.is_err(), refused.is_some(), "{shell:?} dir {path:?}");
            }
        }
        let message = set_statements(Shell::Powershell, Path::new("/a\nb"), None)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some(
                "path \"/a\\nb\" holds the control character \\n (U+000A): refusing to write it into a shell statement"
            )
        );
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
