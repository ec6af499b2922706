//! Arguments of `cabundle probe`.

use super::store::StoreArgs;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle probe`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 every server's chain verifies (and carries a pinned key, and nothing \
expires within --warn-days, and, with --revocation, no certificate of the path is revoked), 1 one does not, 2 error (refused, timed out; with several servers, \
the others are still probed).\n\nExamples:\n  cabundle probe example.com --save-chain chain.pem\n  \
cabundle probe example.com example.org:8443 --json --warn-days 21\n  cabundle probe example.com --pins\n  cabundle probe example.com --revocation"
)]
pub struct ProbeArgs {
    /// The servers: HOST or HOST:PORT (port 443 by default; [v6addr]:PORT for IPv6).
    #[arg(value_name = "HOST[:PORT]", required = true)]
    pub targets: Vec<String>,
    /// The name to send in SNI and to check the certificate against (default: HOST; one
    /// server only).
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,
    /// Trusted roots.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Write the chain the server sent to this PEM file; `-` writes it to standard output
    /// (and the report to standard error). One server only.
    #[arg(long, value_name = "FILE")]
    pub save_chain: Option<PathBuf>,
    /// How long to wait for the connection and each read (`10`, `10s`, `500ms`, `2m`; a bare
    /// number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::values::parse_duration)]
    pub timeout: std::time::Duration,
    /// How long the whole capture may take, connection and TLS handshake (the same forms;
    /// default: 2 times --timeout), so that a server sending slowly cannot hold it open.
    #[arg(long, value_name = "DURATION", value_parser = super::values::parse_duration)]
    pub deadline: Option<std::time::Duration>,
    /// Verify at this time instead of now: RFC 3339 (2026-07-01T12:00:00Z), or YYYY-MM-DD
    /// (00:00 UTC that day).
    #[arg(long, value_name = "TIME", value_parser = super::values::parse_moment)]
    pub at: Option<time::OffsetDateTime>,
    /// Untrusted intermediates that may complete the server's chain: a PEM file or a CCADB
    /// MozillaIntermediateCertsCSVReport. When the chain verifies only with one of them, the
    /// verdict names the intermediate the server omits; the exit code stays 1 (the server is
    /// misconfigured).
    #[arg(long, value_name = "FILE")]
    pub intermediates: Option<PathBuf>,
    /// Print each certificate's public-key pin (`sha256//BASE64`, the form `curl
    /// --pinnedpubkey` and --pin take).
    #[arg(long)]
    pub pins: bool,
    /// Fail when a certificate the server sends, or of the verified path, expires within this
    /// many days.
    #[arg(long, value_name = "DAYS")]
    pub warn_days: Option<u32>,
    /// Print one JSON array: per server, the verdict, its problems and every certificate of
    /// the chain and of the path with its days left.
    #[arg(long, conflicts_with = "save_chain")]
    pub json: bool,
    /// The pins and the strict rules.
    #[command(flatten)]
    pub checks: super::store::PathCheckArgs,
    /// Fetching what is missing.
    #[command(flatten)]
    pub fetch_missing: super::store::FetchMissingArgs,
    /// Revocation.
    #[command(flatten, next_help_heading = "Revocation")]
    pub revocation: super::store::RevocationArgs,
}
