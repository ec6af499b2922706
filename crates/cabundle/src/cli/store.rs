//! The trust-store options `verify` and `probe` share.

use clap::Args;
use std::path::PathBuf;

/// Where the trusted roots come from (default: the system store).
#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// A PEM bundle of trusted certificates (like `openssl verify -CAfile`); `-` for standard
    /// input.
    #[arg(long, value_name = "PEM", conflicts_with_all = ["capath", "system"])]
    pub bundle: Option<PathBuf>,
    /// A hashed directory of trusted certificates (like `openssl verify -CApath`; `cabundle
    /// build --capath` and `cabundle rehash` make one). Every certificate in its files is
    /// loaded; a file without a <hash>.N link, which OpenSSL would not find, is warned about.
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

/// `--fetch-missing`, which `verify`, `probe` and `chain` share.
#[derive(Debug, Args, Clone)]
pub struct FetchMissingArgs {
    /// When no issuer is found (in the chain, the store, --intermediates), fetch it from the
    /// certificate's AIA caIssuers URL (plain HTTP, as the standard publishes it; DER, PEM or
    /// PKCS#7), keep it only if its key verifies the signature, and go on up (at most 4
    /// issuers, 1 MiB each). Browsers on Windows, macOS and Android do this; OpenSSL, curl,
    /// Python and Go do not.
    #[arg(long)]
    pub fetch_missing: bool,
    /// How long --fetch-missing waits to connect and for each read (twice that for a whole
    /// download); the same forms as --timeout.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::values::parse_duration, requires = "fetch_missing")]
    pub fetch_timeout: std::time::Duration,
}

/// `--revocation`, which `verify` and `probe` share.
#[derive(Debug, Args, Clone)]
pub struct RevocationArgs {
    /// Check each certificate of the verified path but the trust anchor for revocation: the
    /// CRL of its CRL distribution point (plain HTTP, 10 MiB at most) or a --crl file, then
    /// OCSP (the response the server staples, with probe, or its AIA OCSP responder), and
    /// --revoked-intermediates. A revoked certificate fails the command; a certificate no
    /// source answered for is said to be unknown, which does not change the exit code.
    #[arg(long)]
    pub revocation: bool,
    /// A CRL (PEM or DER) used instead of fetching one, for the issuer whose name it carries
    /// and whose key signed it. Repeatable.
    #[arg(long, value_name = "FILE", requires = "revocation")]
    pub crl: Vec<PathBuf>,
    /// The CCADB's PublicIntermediateCertsRevokedWithPEMCSV report (a file, or an https://
    /// URL; not http://, as the report carries no signature): an intermediate listed in it,
    /// matched by SHA-256, is revoked.
    #[arg(long, value_name = "FILE|URL", requires = "revocation")]
    pub revoked_intermediates: Option<String>,
    /// How long --revocation waits to connect and for each read of a CRL or an OCSP
    /// response (twice that for a whole download); the same forms as --timeout.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::values::parse_duration, requires = "revocation")]
    pub revocation_timeout: std::time::Duration,
}

/// `--pin` and `--strict`, which `verify` and `probe` share: what the verified path must also
/// satisfy.
#[derive(Debug, Args, Clone)]
pub struct PathCheckArgs {
    /// Fail unless a certificate of the verified path has this public key: a pin in curl's
    /// `--pinnedpubkey` form, `sha256//BASE64` (`cabundle inspect --pins` and `cabundle probe
    /// --pins` print them). Repeatable: any one of them is enough.
    #[arg(long, value_name = "PIN")]
    pub pin: Vec<cabundle_cert::SpkiPin>,
    /// Fail (exit 1) when the path breaks a rule of a stricter client: OpenSSL's X509_STRICT
    /// (Python from 3.13) or the CA/Browser Forum profile (browsers, Go, rustls). Without it
    /// those rules are shown on `strict:` lines and do not change the exit code.
    #[arg(long)]
    pub strict: bool,
}
