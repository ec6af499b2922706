//! Arguments of `cabundle chain`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle chain`.
#[derive(Debug, Args)]
#[command(
    after_help = "The root is included only when it is among the given certificates or found in --bundle; --no-root leaves it out of the output.\n\nExit codes: 0 the chain reaches a root, 1 it is incomplete (the output is still written), 2 error.\n\nExample:\n  cabundle chain server.crt intermediate.crt -o fullchain.pem --bundle ca-bundle.pem"
)]
pub struct ChainArgs {
    /// Files with the certificates, in any order (PEM with any number of blocks, or DER).
    #[arg(value_name = "CERT", required = true)]
    pub certs: Vec<PathBuf>,
    /// Where to write the ordered PEM chain (default: stdout).
    #[arg(short, long, value_name = "FULLCHAIN.pem")]
    pub output: Option<PathBuf>,
    /// A PEM bundle to take missing issuers (usually the root) from.
    #[arg(long, value_name = "PEM")]
    pub bundle: Option<PathBuf>,
    /// Leave the root out of the output (servers need not send it).
    #[arg(long)]
    pub no_root: bool,
}
