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
#[command(after_help = "Example:\n  cabundle convert intermediate.der intermediate.pem")]
pub struct ConvertArgs {
    /// The input file (PEM or DER).
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The output file, written atomically.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// The output format (default: the other one).
    #[arg(long, value_enum)]
    pub to: Option<Format>,
}
