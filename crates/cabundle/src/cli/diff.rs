//! Arguments of `cabundle diff`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle diff`.
#[derive(Debug, Args)]
#[command(
    after_help = "OLD and NEW are each a CCADB report (CSV), an NSS certdata.txt, a PEM \
or DER file, a directory (every .pem, .crt and .cer file in it), or a Chrome Root Store \
root_store.textproto, whose anchors' certificates --certs gives. Trust bits and distrust \
dates are compared only when both sides are reports. Two CCADB \
MozillaIntermediateCertsCSVReport files compare as intermediates: those added and removed, \
each with its subject, issuer and SHA-256.\n\n\
Exit codes: 0 no differences, 1 differences, 2 error.\n\n\
Examples:\n  cabundle diff old.csv new.csv --json\n  \
cabundle diff MozillaIntermediateCertsCSVReport-old.csv MozillaIntermediateCertsCSVReport.csv\n  \
cabundle diff root_store-v17.textproto root_store.textproto --certs root_store.certs"
)]
pub struct DiffArgs {
    /// The old report, bundle or directory; `-` for standard input.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new report, bundle or directory; `-` for standard input.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// The certificates of a Chrome Root Store side (PEM or DER; repeatable), matched to its
    /// anchors by SHA-256.
    #[arg(long, value_name = "FILE")]
    pub certs: Vec<PathBuf>,
    /// Print JSON (stable key order, for CI) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The day expiry is counted from: YYYY-MM-DD, or an RFC 3339 time (its day, in UTC)
    /// [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = super::values::parse_day)]
    pub as_of: Option<time::Date>,
    /// List roots of NEW that expire within this window of --as-of: days (90d), weeks (12w) or
    /// hours in whole days (48h); a bare number is days.
    #[arg(long, value_name = "WINDOW", default_value = "90d", value_parser = super::values::parse_window_days)]
    pub expiring_within: u32,
}
