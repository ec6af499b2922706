//! Hashing one certificate directory, as `rehash` does for each directory it is given and
//! `capath` for the directory it fills: scan, plan, then apply, check or print the plan.

use crate::output::Output;
use crate::shared::terminal::Terminal;
use cabundle_capath::{Action, Diagnostic, Existing, Options, Plan, Severity};
use std::ffi::OsStr;
use std::path::Path;

/// How long `capath` waits for the directory's lock (the default of `rehash --lock-timeout`).
pub(crate) const DEFAULT_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// What to do with a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Make the changes.
    Apply,
    /// Report what differs from the planned state.
    Check,
    /// Print the changes without making them.
    DryRun,
}

/// What happened in one directory.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outcome {
    /// Errors (OpenSSL's error count).
    pub(crate) errors: usize,
    /// Changes planned (made, unless checking or dry-running).
    pub(crate) changes: usize,
}

/// Scans, plans and (depending on `mode`) applies one directory. Reports on `out`; stdout
/// gets the `--check` and `--dry-run` lines.
pub(crate) fn rehash_dir(
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
    let mut stdout = Terminal::new(std::io::stdout().lock());
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
                Some(Existing::Link(now)) if *now == *target => format!(
                    "link {} -> {} (should be a copy)",
                    path.display(),
                    lossy(now)
                ),
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
