//! `cabundle rehash`: `openssl rehash` with `--check`, `--dry-run` and `--copy`.

use crate::cli::rehash::RehashArgs;
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use crate::shared::rehash::{Mode, Outcome, rehash_dir};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// OpenSSL's certificate directory (OPENSSLDIR/certs) on Debian and derivatives.
const OPENSSL_CERT_DIR: &str = "/usr/lib/ssl/certs";
/// Where that directory points to, used when it is missing.
const FALLBACK_CERT_DIR: &str = "/etc/ssl/certs";

/// Runs `cabundle rehash`.
pub fn run(args: RehashArgs, out: &Output) -> anyhow::Result<ExitStatus> {
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
        default_dirs(std::env::var_os(cabundle_clients::Variable::SslCertDir.name()).as_deref())
    };
    let mut total = Outcome::default();
    for dir in &dirs {
        let outcome = rehash_dir(dir, &options, mode, args.lock_timeout, out)?;
        total.errors += outcome.errors;
        total.changes += outcome.changes;
    }
    Ok(if total.errors > 0 {
        ExitStatus::Error
    } else {
        ExitStatus::ok_if(mode != Mode::Check || total.changes == 0)
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
