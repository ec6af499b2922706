//! Arguments of `cabundle convert`.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// An encoding of certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Base64 text blocks; any number of certificates.
    Pem,
    /// Binary; exactly one certificate.
    Der,
}

/// Arguments of `cabundle convert`.
#[derive(Debug, Args)]
#[command(
    after_help = "`-` reads standard input (as IN) or writes standard output (as OUT).\n\nExamples:\n  cabundle convert intermediate.der intermediate.pem\n  curl -s http://ca.example/int.der | cabundle convert - int.pem"
)]
pub struct ConvertArgs {
    /// The input file (PEM or DER); `-` for standard input.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The output file, written atomically; `-` for standard output.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// The output format (default: the other one).
    #[arg(long, value_enum)]
    pub to: Option<Format>,
}
