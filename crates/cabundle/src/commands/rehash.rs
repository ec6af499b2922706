//! `cabundle rehash`: `openssl rehash` with `--check`, `--dry-run` and `--copy`.

use crate::cli::rehash::RehashArgs;
use crate::output::Output;
use cabundle_capath::{Action, Diagnostic, Existing, Options, Plan, Severity};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// OpenSSL's certificate directory (OPENSSLDIR/certs) on Debian and derivatives.
const OPENSSL_CERT_DIR: &str = "/usr/lib/ssl/certs";
/// Where that directory points to, used when it is missing.
const FALLBACK_CERT_DIR: &str = "/etc/ssl/certs";

/// How long `capath` waits for the directory's lock (the default of `rehash --lock-timeout`).
pub const DEFAULT_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// What to do with a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Make the changes.
    Apply,
    /// Report what differs from the planned state.
    Check,
    /// Print the changes without making them.
    DryRun,
}

/// What happened in one directory.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outcome {
    /// Errors (OpenSSL's error count).
    pub errors: usize,
    /// Changes planned (made, unless checking or dry-running).
    pub changes: usize,
}

/// Runs `cabundle rehash`.
pub fn run(args: RehashArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let options = args.hash.options();
    let mode = if args.check {
        Mode::Check
    } else if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Apply
    };
    let dirs = if !args.dirs.is_empty() {
        args.dirs
    } else {
        default_dirs(std::env::var_os("SSL_CERT_DIR").as_deref())
    };
    let mut total = Outcome::default();
    for dir in &dirs {
        let outcome = rehash_dir(dir, &options, mode, args.lock_timeout, out)?;
        total.errors += outcome.errors;
        total.changes += outcome.changes;
    }
    Ok(if total.errors > 0 {
        ExitCode::from(2)
    } else if mode == Mode::Check && total.changes > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The directories to hash when none are given: `SSL_CERT_DIR` split at the platform's path
/// separator (`:`, `;` on Windows; empty parts skipped, as OpenSSL's `strtok` does), else
/// OpenSSL's certificate directory.
fn default_dirs(env: Option<&OsStr>) -> Vec<PathBuf> {
    if let Some(env) = env {
        return std::env::split_paths(env)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
    }
    if Path::new(OPENSSL_CERT_DIR).is_dir() {
        vec![PathBuf::from(OPENSSL_CERT_DIR)]
    } else {
        vec![PathBuf::from(FALLBACK_CERT_DIR)]
    }
}

/// Scans, plans and (depending on `mode`) applies one directory. Reports on `out`; stdout
/// gets the `--check` and `--dry-run` lines.
pub fn rehash_dir(
    dir: &Path,
    options: &Options,
    mode: Mode,
    lock_timeout: std::time::Duration,
    out: &Output,
) -> anyhow::Result<Outcome> {
    out.verbose(&format!("doing {}", dir.display()));
    // Changing runs take turns; under the lock, what a killed run left is removed first.
    let _lock = if mode == Mode::Apply && dir.is_dir() {
        let started = std::time::SystemTime::now();
        let lock = match cabundle_capath::lock(dir, lock_timeout) {
            Ok(lock) => lock,
            Err(err @ cabundle_capath::Error::Locked { .. }) => {
                out.error(&format!(
                    "{err}\nhint: wait for it to finish, or give --lock-timeout a longer time"
                ));
                return Ok(Outcome {
                    errors: 1,
                    changes: 0,
                });
            }
            Err(err) => {
                out.error(&format!("{:#}", anyhow::Error::from(err)));
                return Ok(Outcome {
                    errors: 1,
                    changes: 0,
                });
            }
        };
        for failure in cabundle_capath::remove_leftovers(dir, started) {
            out.warn(&format!("{:#}", anyhow::Error::from(failure)));
        }
        lock
    } else {
        None
    };
    let listing = match cabundle_capath::scan(dir, options) {
        Ok(listing) => listing,
        Err(err) => {
            out.error(&format!("{:#}", anyhow::Error::from(err)));
            return Ok(Outcome {
                errors: 1,
                changes: 0,
            });
        }
    };
    let plan = cabundle_capath::plan(&listing, options);
    report_diagnostics(dir, &plan, out);
    let mut outcome = Outcome {
        errors: plan.error_count(),
        changes: plan.changes().count(),
    };
    let mut stdout = std::io::stdout().lock();
    match mode {
        Mode::Check => {
            for action in plan.changes() {
                writeln_checked(&mut stdout, &check_line(dir, action))?;
            }
        }
        Mode::DryRun => {
            for action in plan.changes() {
                writeln_checked(&mut stdout, &dry_run_line(dir, action))?;
            }
        }
        Mode::Apply => {
            for action in &plan.actions {
                out.verbose(&verbose_line(action));
            }
            let failures = cabundle_capath::apply(dir, &plan);
            outcome.errors += failures.len();
            for failure in failures {
                out.error(&failure_text(failure));
            }
            if outcome.changes > 0 {
                let (made, removed) = count(&plan);
                out.info(&format!(
                    "{}: {made} link{} made, {removed} removed",
                    dir.display(),
                    if made == 1 { "" } else { "s" }
                ));
            }
        }
    }
    Ok(outcome)
}

/// A failed change, with the hint when the system cannot make symbolic links.
fn failure_text(failure: cabundle_capath::Error) -> String {
    let unsupported = matches!(
        &failure,
        cabundle_capath::Error::Link { source, .. } if source.kind() == std::io::ErrorKind::Unsupported
    );
    let text = format!("{:#}", anyhow::Error::from(failure));
    if unsupported {
        format!("{text}\nhint: use --copy")
    } else {
        text
    }
}

fn writeln_checked(w: &mut impl std::io::Write, line: &str) -> anyhow::Result<()> {
    writeln!(w, "{line}")?;
    Ok(())
}

fn count(plan: &Plan) -> (usize, usize) {
    let made = plan
        .changes()
        .filter(|a| matches!(a, Action::Link { .. }))
        .count();
    (made, plan.changes().count() - made)
}

fn report_diagnostics(dir: &Path, plan: &Plan, out: &Output) {
    for d in &plan.diagnostics {
        let shown = Diagnostic {
            file: dir.join(&d.file).into_os_string(),
            ..d.clone()
        };
        match d.severity {
            Severity::Info => out.verbose(&shown.to_string()),
            Severity::Warning => out.warn(&shown.to_string()),
            Severity::Error => out.error(&shown.to_string()),
        }
    }
}

fn lossy(s: &OsStr) -> std::borrow::Cow<'_, str> {
    s.to_string_lossy()
}

/// `-v`: OpenSSL's words (`link`, `unlink`), the link shown as `ls -l` shows one
/// (`LINK -> FILE`), as `--dry-run` and `--check` do.
fn verbose_line(action: &Action) -> String {
    match action {
        Action::Keep { link, target } | Action::Link { link, target, .. } => {
            format!("link {link} -> {}", lossy(target))
        }
        Action::Remove { link, .. } => format!("unlink {link}"),
    }
}

fn dry_run_line(dir: &Path, action: &Action) -> String {
    match action {
        Action::Keep { link, target } | Action::Link { link, target, .. } => {
            format!(
                "link {} -> {}",
                dir.join(link.to_string()).display(),
                lossy(target)
            )
        }
        Action::Remove { link, .. } => format!("unlink {}", dir.join(link.to_string()).display()),
    }
}

/// `--check`: what is wrong with each link rehash would change.
fn check_line(dir: &Path, action: &Action) -> String {
    match action {
        Action::Keep { link, target } => {
            format!(
                "ok {} -> {}",
                dir.join(link.to_string()).display(),
                lossy(target)
            )
        }
        Action::Link {
            link,
            target,
            replaces,
        } => {
            let path = dir.join(link.to_string());
            match replaces {
                None => format!("missing {} -> {}", path.display(), lossy(target)),
                Some(Existing::Link(now)) => format!(
                    "wrong {} -> {} (should point to {})",
                    path.display(),
                    lossy(now),
                    lossy(target)
                ),
                Some(Existing::Copy) => {
                    format!(
                        "wrong {} (should be a copy of {})",
                        path.display(),
                        lossy(target)
                    )
                }
            }
        }
        Action::Remove { link, target } => {
            format!(
                "stale {} -> {}",
                dir.join(link.to_string()).display(),
                lossy(target)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssl_cert_dir_is_split_like_strtok() {
        let env = if cfg!(windows) { ";a;;b;" } else { ":a::b:" };
        let dirs = default_dirs(Some(OsStr::new(env)));
        assert_eq!(dirs, [PathBuf::from("a"), PathBuf::from("b")]);
    }
}
