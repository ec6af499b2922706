//! Arguments of `cabundle rehash`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle rehash`.
#[derive(Debug, Args)]
#[command(after_help = "\
Links are named like OpenSSL's: <hash>.N for certificates, <hash>.rN for CRLs. Files ending in
.pem, .crt, .cer or .crl that hold exactly one certificate or CRL get a link; regular files are
never removed or overwritten, except copies made by --copy (recognised by their content in either
mode). Runs that change one directory take turns: each holds an advisory lock (flock) on it.

Without DIR, the directories in $SSL_CERT_DIR (separated by ':') are hashed, else OpenSSL's
certificate directory (/usr/lib/ssl/certs, or /etc/ssl/certs when that is missing).

Exit codes: 0 ok, 1 --check found differences, 2 errors (unreadable files, failed links).

Examples:
  cabundle rehash /etc/ssl/certs
  cabundle rehash --check --compat certs/")]
pub struct RehashArgs {
    /// Directories to hash.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Change nothing; list missing, wrong and stale links, and exit 1 if there are any.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
    /// Change nothing; print the links that would be created and removed.
    #[arg(long)]
    pub dry_run: bool,
    /// How long to wait for another run that holds the directory's lock (`60`, `2.5s`, `500ms`).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = crate::cli::values::parse_duration)]
    pub lock_timeout: std::time::Duration,
    /// How links are made.
    #[command(flatten)]
    pub hash: HashArgs,
}

/// How hash links are made; shared by `rehash` and `capath`.
#[derive(Debug, Args)]
pub struct HashArgs {
    /// Use the old (MD5, before OpenSSL 1.0.0) subject hash, like `openssl rehash -old`.
    #[arg(long, conflicts_with = "compat")]
    pub old: bool,
    /// Create links for both the old and the new subject hash (`-compat`).
    #[arg(long)]
    pub compat: bool,
    /// Do not remove existing links that are no longer needed (`-n`).
    #[arg(short = 'n', long = "no-remove")]
    pub no_remove: bool,
    /// Write copies instead of symbolic links (for file systems without links).
    #[arg(long)]
    pub copy: bool,
    /// Also hash DER files and files ending in .der (OpenSSL reads PEM only).
    #[arg(long)]
    pub der: bool,
}

impl HashArgs {
    /// The options of the hashing library.
    pub fn options(&self) -> cabundle_capath::Options {
        let hashes = if self.compat {
            cabundle_capath::Hashes::Both
        } else if self.old {
            cabundle_capath::Hashes::Old
        } else {
            cabundle_capath::Hashes::New
        };
        cabundle_capath::Options {
            hashes,
            remove_links: !self.no_remove,
            // Making symbolic links needs privileges on Windows: write copies there.
            copy: self.copy || !cfg!(unix),
            der: self.der,
        }
    }
}
