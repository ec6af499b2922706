//! Arguments of `cabundle build` and `cabundle recipe`, grouped as `--help` shows them:
//! sources, policy, outputs, intermediates, download.

use crate::cli::fetch::HttpArgs;
use cabundle_cert::Purpose;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `cabundle build`.
#[derive(Debug, Args)]
#[command(
    after_help = "The decisions printed by --explain go to stdout (one line per certificate: \
included or excluded, SHA-256, label, reason); the summary and warnings go to stderr.\n\n\
Every file output may be - (standard output), one at a time and not with --explain; \
directories never. Two outputs on one path, or an output on an input's path, are refused \
before anything is read or written. The outputs are written all or nothing, and the manifest \
lists exactly the outputs written, with their digests.\n\n\
Release bundles (a folder such as bundles/mozilla-tls) are built by `cabundle recipe DIR`; \
`cabundle build --recipe DIR` is the same command.\n\n\
Examples:\n  cabundle build --pem ca-bundle.pem --capath certs --manifest manifest.json\n  \
cabundle build --report IncludedCACertificateReportPEMCSV.csv --as-of 2026-11-23 --explain\n  \
cabundle build --add proxy-root.pem --pem ca-bundle.pem\n  \
cabundle build --report root_store.textproto --certs root_store.certs --pem chrome.pem\n  \
cabundle build --pem ca-bundle.pem --openssl-trusted ca-trusted.pem\n  \
cabundle build --also-trusted-by root_store.textproto --certs root_store.certs --pem both.pem\n  \
cabundle build --report report.csv --intermediates-report intermediates.csv --full-pem full.pem\n  \
cabundle build --exclude 'SHA256=distrusted by our security team' --pem ca-bundle.pem"
)]
pub struct BuildArgs {
    /// Where the roots come from.
    #[command(flatten, next_help_heading = "Sources")]
    pub sources: SourceArgs,
    /// Which roots are trusted.
    #[command(flatten, next_help_heading = "Policy")]
    pub policy: PolicyArgs,
    /// What is written.
    #[command(flatten, next_help_heading = "Outputs")]
    pub outputs: OutputArgs,
    /// The intermediates that chain to the roots.
    #[command(flatten, next_help_heading = "Intermediates")]
    pub intermediates: IntermediatesArgs,
    /// How an https report is downloaded: the same options, trust and checks as `cabundle fetch`.
    #[command(flatten, next_help_heading = "Download (when a report is a URL)")]
    pub http: HttpArgs,
    /// The release bundle folder to build, as `cabundle recipe DIR` does (kept for scripts
    /// written before that command).
    #[arg(
        long,
        value_name = "DIR",
        hide = true,
        conflicts_with_all = [
            "certs", "purpose", "as_of", "distrust_grace_days",
            "include_expired", "add", "exclude", "also_trusted_by", "openssl_trusted", "der_dir",
            "java_truststore", "capath_intermediates", "trust_manager_package",
            "cluster_trust_bundle", "p11_kit",
        ]
    )]
    pub recipe: Option<PathBuf>,
    /// With --recipe: `cabundle recipe --out`.
    #[arg(long, value_name = "DIR", hide = true, requires = "recipe")]
    pub out: Option<PathBuf>,
}

/// Where the roots come from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The report: a file (CCADB IncludedCACertificateReportPEMCSV, NSS certdata.txt or
    /// Chrome's root_store.textproto, with --certs), - for standard input, or an https URL
    /// [default: the live CCADB report].
    #[arg(long, value_name = "FILE|URL")]
    pub report: Option<String>,
    /// The certificates of a Chrome Root Store report (PEM or DER; repeatable), matched to its
    /// anchors by SHA-256, such as Chromium's root_store.certs.
    #[arg(long, value_name = "FILE")]
    pub certs: Vec<PathBuf>,
    /// Accept a report file with fewer roots than a whole report has, or a certdata.txt that
    /// does not end with a complete trust object (test fixtures); files are refused otherwise.
    #[arg(long)]
    pub allow_small_report: bool,
}

/// Which roots are trusted.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// What the roots are trusted for.
    #[arg(long, value_parser = crate::cli::PurposeParser, default_value = "tls")]
    pub purpose: Purpose,
    /// The date the policy is applied for: YYYY-MM-DD, or an RFC 3339 time (its day, in UTC)
    /// [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = super::values::parse_day)]
    pub as_of: Option<time::Date>,
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
    #[arg(long, value_name = "REPORT")]
    pub also_trusted_by: Vec<PathBuf>,
}

/// What is written.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the PEM bundle here.
    #[arg(long, value_name = "FILE")]
    pub pem: Option<PathBuf>,
    /// Write a hashed directory (one file per root plus OpenSSL hash links) here.
    #[arg(long, value_name = "DIR")]
    pub capath: Option<PathBuf>,
    /// Write one DER file per root here (LABEL-<hash>.der), like p11-kit's x509-directory,
    /// for tools that import DER.
    #[arg(long, value_name = "DIR")]
    pub der_dir: Option<PathBuf>,
    /// Write a PKCS#12 truststore for Java here (every root a trusted certificate entry,
    /// aliases from the labels; for -Djavax.net.ssl.trustStore).
    #[arg(long, value_name = "FILE.p12")]
    pub java_truststore: Option<PathBuf>,
    /// The Java truststore's password (Java's convention: changeit).
    #[arg(
        long,
        value_name = "PASS",
        default_value = cabundle_build::DEFAULT_JAVA_STOREPASS,
        requires = "java_truststore"
    )]
    pub java_storepass: String,
    /// Write OpenSSL TRUSTED CERTIFICATE blocks here, each trusted for the purpose only
    /// (serverAuth for tls, emailProtection for email), like p11-kit's openssl-bundle; opt-in,
    /// since many PEM readers do not take that block type.
    #[arg(long, value_name = "FILE")]
    pub openssl_trusted: Option<PathBuf>,
    /// Write cert-manager trust-manager's default CA package here (JSON: name, bundle,
    /// version), to serve to trust-manager in place of the Debian package; the name must end
    /// in .json, as trust-manager loads only such files.
    #[arg(long, value_name = "FILE.json")]
    pub trust_manager_package: Option<PathBuf>,
    /// The trust-manager package's name [default: cabundle-<purpose>].
    #[arg(long, value_name = "NAME", requires = "trust_manager_package")]
    pub package_name: Option<String>,
    /// The trust-manager package's version [default: <as-of date>.<first 8 hex digits of the
    /// bundle's SHA-256>].
    #[arg(long, value_name = "V", requires = "trust_manager_package")]
    pub package_version: Option<String>,
    /// Write a Kubernetes ClusterTrustBundle (certificates.k8s.io/v1beta1) here, for
    /// kubectl apply; every root must be a CA.
    #[arg(long, value_name = "FILE.yaml")]
    pub cluster_trust_bundle: Option<PathBuf>,
    /// The ClusterTrustBundle's name [default: cabundle-<purpose>, after the signer name's
    /// prefix when --signer-name is given].
    #[arg(long, value_name = "NAME", requires = "cluster_trust_bundle")]
    pub ctb_name: Option<String>,
    /// The ClusterTrustBundle's spec.signerName (DOMAIN/PATH); its name must then start with
    /// the signer name, '/' written ':', then ':'.
    #[arg(long, value_name = "NAME", requires = "cluster_trust_bundle")]
    pub signer_name: Option<String>,
    /// Write one .p11-kit file per root here (LABEL-<hash>.p11-kit), for p11-kit's trust
    /// module: each root an anchor for the purpose only, with Mozilla's distrust-after dates.
    #[arg(long, value_name = "DIR")]
    pub p11_kit: Option<PathBuf>,
    /// Write a JSON manifest of the build here: the decisions, and the digest of each output
    /// written.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Print the decision for every certificate to stdout.
    #[arg(long)]
    pub explain: bool,
}

/// The intermediates that chain to the roots.
#[derive(Debug, Args)]
pub struct IntermediatesArgs {
    /// Also select the intermediates of this CCADB MozillaIntermediateCertsCSVReport (a file,
    /// `-` for standard input, or an https URL) that chain by signature to an included root,
    /// are valid at the as-of date and whose extended key usage allows the purpose.
    #[arg(long, value_name = "FILE|URL")]
    pub intermediates_report: Option<String>,
    /// Write the selected intermediates alone here (path-building help, never trust anchors).
    #[arg(long, value_name = "FILE")]
    pub intermediates_pem: Option<PathBuf>,
    /// Write the roots followed by the selected intermediates here: one file for `curl
    /// --cacert`, REQUESTS_CA_BUNDLE or SSL_CERT_FILE, which repairs servers that omit their
    /// intermediate. OpenSSL, Node and Python before 3.13 still require a root; curl, Python
    /// from 3.13, rustls, Go and Java would take every intermediate in it as a trust anchor.
    #[arg(long, value_name = "FILE")]
    pub full_pem: Option<PathBuf>,
    /// Put the selected intermediates in the --capath directory too (OpenSSL looks issuers up
    /// there as well).
    #[arg(long, requires = "capath")]
    pub capath_intermediates: bool,
}

/// Arguments of `cabundle recipe`.
#[derive(Debug, Args)]
#[command(
    after_help = "The policy is the recipe's at the lock's date, the reports must be the ones \
the lock pins (same SHA-256), and the outputs are byte for byte those of `cargo xtask \
build-bundle`. --out DIR writes the recipe's outputs under their usual names: NAME.pem, \
NAME.manifest.json, NAME.listing.txt, the hashed directory NAME.capath when the recipe has one, \
and NAME.intermediates.pem and NAME.full.pem when it asks for them. --pem, --capath, \
--manifest, --intermediates-pem and --full-pem write single outputs (- for standard output); \
the manifest is the bundle's, which lists the recipe's outputs.\n\n\
Examples:\n  cabundle recipe bundles/mozilla-tls --report pinned-report.csv --out dist\n  \
cabundle recipe bundles/mozilla-tls --report pinned-report.csv --pem - | sha256sum\n  \
cabundle recipe bundles/mozilla-tls-intermediates --report pinned.csv \\\n    \
--intermediates-report pinned-intermediates.csv --full-pem full.pem"
)]
pub struct RecipeArgs {
    /// The release bundle folder: recipe.toml and lock.toml, such as bundles/mozilla-tls.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The report the lock pins: a file, - for standard input, or an https URL [default: the
    /// lock's URL, which serves only the latest report].
    #[arg(long, value_name = "FILE|URL", help_heading = "Sources")]
    pub report: Option<String>,
    /// The intermediates report the lock pins, for a recipe with intermediates [default: the
    /// lock's URL].
    #[arg(long, value_name = "FILE|URL", help_heading = "Sources")]
    pub intermediates_report: Option<String>,
    /// Write the recipe's outputs into DIR under their usual names (DIR is created when
    /// missing).
    #[arg(long, value_name = "DIR", help_heading = "Outputs")]
    pub out: Option<PathBuf>,
    /// Write the PEM bundle here.
    #[arg(long, value_name = "FILE", help_heading = "Outputs")]
    pub pem: Option<PathBuf>,
    /// Write the hashed directory here (a recipe that has one).
    #[arg(long, value_name = "DIR", help_heading = "Outputs")]
    pub capath: Option<PathBuf>,
    /// Write the bundle's manifest here.
    #[arg(long, value_name = "FILE", help_heading = "Outputs")]
    pub manifest: Option<PathBuf>,
    /// Write the intermediates alone here (a recipe that asks for them).
    #[arg(long, value_name = "FILE", help_heading = "Outputs")]
    pub intermediates_pem: Option<PathBuf>,
    /// Write the roots followed by the intermediates here (a recipe that asks for them).
    #[arg(long, value_name = "FILE", help_heading = "Outputs")]
    pub full_pem: Option<PathBuf>,
    /// Print the decision for every certificate to stdout.
    #[arg(long, help_heading = "Outputs")]
    pub explain: bool,
    /// How an https report is downloaded: the same options, trust and checks as `cabundle fetch`.
    #[command(flatten, next_help_heading = "Download (when a report is a URL)")]
    pub http: HttpArgs,
}

impl BuildArgs {
    /// `build --recipe DIR ...` as the `recipe` command's arguments; the build's own
    /// arguments otherwise. Clap has refused every flag that does not apply to a recipe.
    pub fn into_recipe(self) -> Result<RecipeArgs, Box<BuildArgs>> {
        let Some(dir) = self.recipe else {
            return Err(Box::new(self));
        };
        Ok(RecipeArgs {
            dir,
            report: self.sources.report,
            intermediates_report: self.intermediates.intermediates_report,
            out: self.out,
            pem: self.outputs.pem,
            capath: self.outputs.capath,
            manifest: self.outputs.manifest,
            intermediates_pem: self.intermediates.intermediates_pem,
            full_pem: self.intermediates.full_pem,
            explain: self.outputs.explain,
            http: self.http,
        })
    }
}
