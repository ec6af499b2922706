//! Arguments of `cabundle chain`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle chain`.
#[derive(Debug, Args)]
#[command(after_help = "\
Issuers are taken from the given certificates, then --bundle, then --intermediates (which
completes a leaf into the chain a server should send), then, with --fetch-missing, from the
AIA caIssuers URL of the certificate whose issuer is still missing. The root is included only when it is
among the given certificates or found in --bundle;
--no-root leaves it out of the output. The order is listed on stderr, numbered from 0 (the leaf);
--index N writes only certificate N of that list, and --root only the root. `-` reads standard
input (as a CERT) or writes standard output (as -o).

Exit codes: 0 the chain reaches a root, 1 it is incomplete (the output is still written, except
with --root, which then writes nothing), 2 error (no certificate in a file, --index out of range).

Examples:
  cabundle chain server.crt intermediate.crt -o fullchain.pem --bundle ca-bundle.pem
  cabundle chain chain.pem --root -o root.pem
  cabundle chain server.crt --intermediates MozillaIntermediateCertsCSVReport.csv --no-root -o fullchain.pem
  cabundle chain server.crt --fetch-missing --no-root -o fullchain.pem")]
pub struct ChainArgs {
    /// Files with the certificates, in any order (PEM with any number of blocks, or DER); `-`
    /// for standard input.
    #[arg(value_name = "CERT", required = true)]
    pub certs: Vec<PathBuf>,
    /// Where to write the ordered PEM chain (default and `-`: standard output).
    #[arg(short, long, value_name = "FULLCHAIN.pem")]
    pub output: Option<PathBuf>,
    /// A PEM bundle to take missing issuers (usually the root) from.
    #[arg(long, value_name = "PEM")]
    pub bundle: Option<PathBuf>,
    /// Untrusted certificates to complete the chain from: a PEM file, or the CCADB's
    /// MozillaIntermediateCertsCSVReport (the intermediates a server may have omitted).
    #[arg(long, value_name = "FILE")]
    pub intermediates: Option<PathBuf>,
    /// Leave the root out of the output (servers need not send it).
    #[arg(long, conflicts_with_all = ["root", "index"])]
    pub no_root: bool,
    /// Write only the root of the chain (the self-issued top, given or from --bundle).
    #[arg(long, conflicts_with = "index")]
    pub root: bool,
    /// Write only certificate N of the ordered chain (0 is the leaf).
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
    /// Fetching what is missing.
    #[command(flatten)]
    pub fetch_missing: super::store::FetchMissingArgs,
}
