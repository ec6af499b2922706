//! Arguments of `cabundle expiring`.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle expiring`.
#[derive(Debug, Args)]
#[command(
    after_help = "A file with no certificate, or a directory with none in its files, is an error.\n\nExit codes: 0 none expire within the window, 1 some do (or have), 2 error.\n\nExample:\n  cabundle expiring --within 90d /etc/ssl/certs/ca-certificates.crt"
)]
pub struct ExpiringArgs {
    /// PEM or DER files, or directories of them; `-` for standard input.
    #[arg(value_name = "BUNDLE|DIR", required = true)]
    pub paths: Vec<PathBuf>,
    /// The window: days (90d), weeks (12w) or hours (48h); a bare number is days.
    #[arg(long, value_name = "WINDOW", default_value = "90d", value_parser = super::values::parse_window)]
    pub within: time::Duration,
    /// Measure from this time instead of now: RFC 3339 (2026-07-01T12:00:00Z), or YYYY-MM-DD
    /// (00:00 UTC that day).
    #[arg(long, value_name = "TIME", value_parser = super::values::parse_moment)]
    pub at: Option<time::OffsetDateTime>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}
