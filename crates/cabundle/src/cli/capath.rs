//! Arguments of `cabundle capath`.

use crate::cli::rehash::HashArgs;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle capath`.
#[derive(Debug, Args)]
#[command(after_help = "\
Each certificate is written as <sha256>.pem (the SHA-256 of its DER, lower-case hex), so the
same bundle always gives the same files. A file already there under that name with other content
is an error, and nothing is written. Then the directory is hashed as `cabundle rehash` does.

Example:
  cabundle capath --from ca-bundle.pem certs/")]
pub struct CapathArgs {
    /// The PEM bundle to split; `-` for standard input.
    #[arg(long, value_name = "BUNDLE")]
    pub from: PathBuf,
    /// The directory to fill and hash (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// How links are made.
    #[command(flatten)]
    pub hash: HashArgs,
}
