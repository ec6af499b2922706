//! Arguments of `cabundle diff`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle diff`.
#[derive(Debug, Args)]
#[command(
    after_help = "OLD and NEW are each a CCADB report (CSV), an NSS certdata.txt, a PEM \
or DER file, or a directory (every .pem, .crt and .cer file in it). Trust bits and distrust \
dates are compared only when both sides are reports.\n\n\
Exit codes: 0 no differences, 1 differences, 2 error.\n\n\
Example:\n  cabundle diff old.csv new.csv --json"
)]
pub struct DiffArgs {
    /// The old report, bundle or directory; `-` for standard input.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new report, bundle or directory; `-` for standard input.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Print JSON (stable key order, for CI) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The date expiry is counted from, YYYY-MM-DD [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = cabundle_cert::date::parse_date)]
    pub as_of: Option<time::Date>,
    /// List roots of NEW that expire within this many days of --as-of.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub expiring_within: u32,
}
