//! Arguments of `cabundle verify`, and the trust-store options `probe` shares.

use cabundle_cert::Purpose;
use clap::Args;
use std::path::PathBuf;

/// Where the trusted roots come from (default: the system store).
#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// A PEM bundle of trusted certificates (like `openssl verify -CAfile`); `-` for standard
    /// input.
    #[arg(long, value_name = "PEM", conflicts_with_all = ["capath", "system"])]
    pub bundle: Option<PathBuf>,
    /// A directory of trusted certificates; every certificate in it is loaded.
    #[arg(long, value_name = "DIR", conflicts_with = "system")]
    pub capath: Option<PathBuf>,
    /// The platform store: SSL_CERT_FILE, SSL_CERT_DIR, then the usual bundle paths
    /// (the default when neither --bundle nor --capath is given).
    #[arg(long)]
    pub system: bool,
    /// The manifest `cabundle build --manifest` wrote for the bundle, to tell which roots its
    /// policy left out and why.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Accept a chain that ends at any certificate of the trust store, an intermediate too
    /// (`openssl verify -partial_chain`). By default, as in OpenSSL, the path must end at a
    /// self-signed root of the store.
    #[arg(long)]
    pub partial_chain: bool,
}

/// Arguments of `cabundle verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 the chain verifies (with --intermediates: also when only a supplied \
intermediate completes it), 1 it does not, 2 error.\n\nExample:\n  cabundle verify fullchain.pem --bundle ca-bundle.pem --hostname example.com"
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
    /// Verify at this time instead of now: RFC 3339 or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
    /// What the certificate is for.
    #[arg(long, value_parser = crate::cli::PurposeParser, default_value = "tls")]
    pub purpose: Purpose,
    /// Untrusted intermediates that may complete the chain: a PEM file (such as `cabundle
    /// build --intermediates-pem`'s) or a CCADB MozillaIntermediateCertsCSVReport. When the
    /// chain verifies only with one of them, the verdict names the intermediate the chain
    /// lacks, and the exit code is 0.
    #[arg(long, value_name = "FILE")]
    pub intermediates: Option<PathBuf>,
}
