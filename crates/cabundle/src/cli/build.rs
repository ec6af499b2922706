//! Arguments of `cabundle build`.

use cabundle_cert::Purpose;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle build`.
#[derive(Debug, Args)]
#[command(
    after_help = "The decisions printed by --explain go to stdout (one line per certificate: \
included or excluded, SHA-256, label, reason); the summary and warnings go to stderr.\n\n\
With --recipe DIR (a release bundle folder such as bundles/mozilla-tls: recipe.toml and \
lock.toml), the policy is the recipe's at the lock's date, the report must be the one the lock \
pins (same SHA-256), and the outputs are byte for byte those of `cargo xtask build-bundle`. \
--out DIR writes the recipe's outputs under their usual names: NAME.pem, NAME.manifest.json, \
NAME.listing.txt and, when the recipe has one, the hashed directory NAME.capath; a recipe with \
intermediates also takes the intermediates report its lock pins (--intermediates-report, by \
default the lock's URL) and writes NAME.intermediates.pem and NAME.full.pem as it asks; --pem, \
--capath, --manifest, --intermediates-pem and --full-pem write single outputs. The policy options (--purpose, --as-of, \
--distrust-grace-days, --include-expired, --exclude, --add) cannot be given with --recipe.\n\n\
Examples:\n  cabundle build --pem ca-bundle.pem --capath certs --manifest manifest.json\n  \
cabundle build --report IncludedCACertificateReportPEMCSV.csv --as-of 2026-11-23 --explain\n  \
cabundle build --add proxy-root.pem --pem ca-bundle.pem\n  \
cabundle build --report root_store.textproto --certs root_store.certs --pem chrome.pem\n  \
cabundle build --pem ca-bundle.pem --openssl-trusted ca-trusted.pem\n  \
cabundle build --also-trusted-by root_store.textproto --certs root_store.certs --pem both.pem\n  \
cabundle build --recipe bundles/mozilla-tls --report pinned-report.csv --out dist\n  \
cabundle build --exclude 'SHA256=distrusted by our security team' --pem ca-bundle.pem"
)]
pub struct BuildArgs {
    /// The report: a file (CCADB IncludedCACertificateReportPEMCSV, NSS certdata.txt or
    /// Chrome's root_store.textproto, with --certs) or an https URL [default: the live CCADB
    /// report; with --recipe, the URL its lock pins].
    #[arg(long, value_name = "FILE|URL")]
    pub report: Option<String>,
    /// Accept a report file with fewer roots than a whole report has, or a certdata.txt that
    /// does not end with a complete trust object (test fixtures); files are refused otherwise.
    #[arg(long)]
    pub allow_small_report: bool,
    /// The certificates of a Chrome Root Store report (PEM or DER; repeatable), matched to its
    /// anchors by SHA-256, such as Chromium's root_store.certs.
    #[arg(long, value_name = "FILE", conflicts_with = "recipe")]
    pub certs: Vec<PathBuf>,
    /// Build the release bundle of this folder (recipe.toml and lock.toml) with the recipe's
    /// policy, from the report its lock pins.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = ["purpose", "as_of", "distrust_grace_days", "include_expired", "add", "exclude"]
    )]
    pub recipe: Option<PathBuf>,
    /// With --recipe: write the recipe's outputs into DIR under their usual names (DIR is
    /// created when missing).
    #[arg(long, value_name = "DIR", requires = "recipe")]
    pub out: Option<PathBuf>,
    /// What the roots are trusted for.
    #[arg(long, value_parser = crate::cli::PurposeParser, default_value = "tls")]
    pub purpose: Purpose,
    /// The date the policy is applied for, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Days a root stays trusted after its distrust-after date (398: the longest leaf lifetime
    /// the CA/Browser Forum baseline requirements allow).
    #[arg(long, value_name = "N", default_value_t = cabundle_policy::DEFAULT_DISTRUST_GRACE_DAYS)]
    pub distrust_grace_days: u32,
    /// Keep roots whose notAfter is before the as-of date.
    #[arg(long)]
    pub include_expired: bool,
    /// Also trust the CA certificates in FILE (PEM or DER; repeatable), e.g. a TLS-inspection
    /// proxy's root.
    #[arg(long, value_name = "FILE")]
    pub add: Vec<PathBuf>,
    /// Leave out the certificate with this SHA-256 fingerprint (repeatable); the REASON,
    /// when given, is shown by --explain and recorded in the manifest.
    #[arg(long, value_name = "SHA256[=REASON]")]
    pub exclude: Vec<String>,
    /// Keep only the roots this other program also trusts for the purpose at the as-of date
    /// (repeatable): a Mozilla report, a certdata.txt, or a Chrome root_store.textproto whose
    /// certificates --certs gives. Each root left out names the program.
    #[arg(long, value_name = "REPORT", conflicts_with = "recipe")]
    pub also_trusted_by: Vec<PathBuf>,
    /// Write the PEM bundle here.
    #[arg(long, value_name = "FILE")]
    pub pem: Option<PathBuf>,
    /// Write a hashed directory (one file per root plus OpenSSL hash links) here.
    #[arg(long, value_name = "DIR")]
    pub capath: Option<PathBuf>,
    /// Also write OpenSSL TRUSTED CERTIFICATE blocks here, each trusted for the purpose only
    /// (serverAuth for tls, emailProtection for email), like p11-kit's openssl-bundle; opt-in,
    /// since many PEM readers do not take that block type.
    #[arg(long, value_name = "FILE", conflicts_with = "recipe")]
    pub openssl_trusted: Option<PathBuf>,
    /// Also write one DER file per root here (LABEL-<hash>.der), like p11-kit's
    /// x509-directory, for tools that import DER.
    #[arg(long, value_name = "DIR", conflicts_with = "recipe")]
    pub der_dir: Option<PathBuf>,
    /// Also write a PKCS#12 truststore for Java here (every root a trusted certificate entry,
    /// aliases from the labels; for -Djavax.net.ssl.trustStore).
    #[arg(long, value_name = "FILE.p12", conflicts_with = "recipe")]
    pub java_truststore: Option<PathBuf>,
    /// The Java truststore's password (Java's convention: changeit).
    #[arg(
        long,
        value_name = "PASS",
        default_value = "changeit",
        requires = "java_truststore"
    )]
    pub java_storepass: String,
    /// Write a JSON manifest of the build here.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Also select the intermediates of this CCADB MozillaIntermediateCertsCSVReport (a file
    /// or an https URL) that chain by signature to an included root, are valid at the as-of
    /// date and whose extended key usage allows the purpose; written by --intermediates-pem,
    /// --full-pem and --capath-intermediates. With --recipe: the intermediates report its lock
    /// pins [default: the lock's URL].
    #[arg(long, value_name = "FILE|URL")]
    pub intermediates_report: Option<String>,
    /// Write the selected intermediates alone here (path-building help, never trust anchors).
    #[arg(long, value_name = "FILE", requires = "intermediates_report")]
    pub intermediates_pem: Option<PathBuf>,
    /// Write the roots followed by the selected intermediates here: one file for `curl
    /// --cacert`, REQUESTS_CA_BUNDLE or SSL_CERT_FILE, which repairs servers that omit their
    /// intermediate. OpenSSL, Node and Python before 3.13 still require a root; curl, Python
    /// from 3.13, rustls, Go and Java would take every intermediate in it as a trust anchor.
    #[arg(long, value_name = "FILE", requires = "intermediates_report")]
    pub full_pem: Option<PathBuf>,
    /// Put the selected intermediates in the --capath directory too (OpenSSL looks issuers up
    /// there as well).
    #[arg(long, requires_all = ["intermediates_report", "capath"], conflicts_with = "recipe")]
    pub capath_intermediates: bool,
    /// Print the decision for every certificate to stdout.
    #[arg(long)]
    pub explain: bool,
    /// How an https report is downloaded: the same options, trust and checks as `cabundle fetch`.
    #[command(flatten, next_help_heading = "Download (when --report is a URL)")]
    pub http: crate::cli::fetch::HttpArgs,
}
