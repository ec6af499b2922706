//! Arguments of `cabundle verify`.

use super::store::StoreArgs;
use cabundle_cert::Purpose;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 the chain verifies (with --intermediates: also when only a supplied \
intermediate completes it) and, with --pin, carries a pinned key, and, with --revocation, no certificate of its path is revoked (unknown is printed, not failed); 1 it does not; 2 error.\n\nExample:\n  cabundle verify fullchain.pem --bundle ca-bundle.pem --hostname example.com\n  cabundle verify fullchain.pem --revocation --crl intermediate.crl"
)]
pub struct VerifyArgs {
    /// The chain: the certificate to verify first, then intermediates (PEM or DER); `-` for
    /// standard input.
    #[arg(value_name = "CHAIN")]
    pub chain: PathBuf,
    /// Trusted roots.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The host name (or IP address) the certificate must be valid for.
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Verify at this time instead of now: RFC 3339 (2026-07-01T12:00:00Z), or YYYY-MM-DD
    /// (00:00 UTC that day).
    #[arg(long, value_name = "TIME", value_parser = super::values::parse_moment)]
    pub at: Option<time::OffsetDateTime>,
    /// What the certificate is for.
    #[arg(long, value_parser = crate::cli::PurposeParser, default_value = "tls")]
    pub purpose: Purpose,
    /// Untrusted intermediates that may complete the chain: a PEM file (such as `cabundle
    /// build --intermediates-pem`'s) or a CCADB MozillaIntermediateCertsCSVReport. When the
    /// chain verifies only with one of them, the verdict names the intermediate the chain
    /// lacks, and the exit code is 0.
    #[arg(long, value_name = "FILE")]
    pub intermediates: Option<PathBuf>,
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
