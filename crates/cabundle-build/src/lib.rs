//! The build pipeline shared by `cabundle build` and `cargo xtask build-bundle`.
//!
//! Two steps, so that a failure never leaves half an output behind:
//!
//! 1. [`build`] (pure): the [`Sources`] (report bytes, a Chrome store's certificates, the
//!    intermediates report, other programs' trusted roots), added certificates,
//!    [`PolicyOptions`] and the outputs [`Wanted`] in; a [`Built`] out, which owns the policy's
//!    verdicts, the selected intermediates, the bytes of every output asked for and the one
//!    manifest listing exactly those outputs.
//! 2. [`Built::write`] (IO): hands the [`OutputRequest`]s (each output's kind and destination,
//!    a path or standard output) to the one all-or-nothing writer, [`OutputSet`]: every output
//!    is staged under a temporary name beside its destination, and only when all are staged
//!    are they renamed into place. A build that fails anywhere before that leaves existing
//!    outputs exactly as they were. The one output asked on standard output goes last.
//!
//! Release bundles (`bundles/NAME/`: a recipe and a lock) are read by [`recipe`] and built by
//! [`release`] through the same [`build`], with the outputs the recipe asks for. [`OutputSet`] writes any set of files, hashed
//! directories and DER directories all or nothing, through the workspace's one writer,
//! `cabundle-write`.
//!
//! The hashed directory's digest, recorded in the manifest, is the SHA-256 of its listing:
//! for each entry in byte order of its name, one line `NAME\tfile\tSHA256-OF-CONTENT\n` or
//! `NAME\tlink\tTARGET\n`.
//!
//! ```
//! use cabundle_build::{Destination, OutputKind, OutputRequest, Sources, Wanted, build};
//! use cabundle_policy::{PolicyOptions, Purpose};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let key = rcgen::KeyPair::generate()?;
//! # let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
//! # params.distinguished_name.push(rcgen::DnType::CommonName, "Example Root CA");
//! # params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
//! # let pem = params.self_signed(&key)?.pem();
//! # let cert = cabundle_cert::read_certificates(pem.as_bytes())?;
//! # let sha256 = cert.first().ok_or("no certificate")?.sha256;
//! # let csv = format!(
//! #     "Owner,Common Name or Certificate Name,Certificate Serial Number,SHA-256 Fingerprint,\
//! #      Trust Bits,Distrust for TLS After Date,Distrust for S/MIME After Date,\
//! #      Mozilla Applied Constraints,PEM Info\n\
//! #      Example,Example Root CA,01,{sha256},Websites,,,,\"'{pem}'\"\n"
//! # );
//! // `csv` is a one-row report, as `cabundle fetch` would save it.
//! let as_of = cabundle_cert::date::parse_date("2026-07-01")?;
//! let out = tempfile::tempdir()?;
//! let requests = [
//!     (OutputKind::Pem, "cacert.pem"),
//!     (OutputKind::Capath, "certs"),
//!     (OutputKind::Manifest, "manifest.json"),
//! ]
//! .map(|(kind, name)| OutputRequest { kind, to: Destination::Path(out.path().join(name)) });
//! let sources = Sources::report(csv.as_bytes(), "report.csv");
//! let policy = PolicyOptions::new(Purpose::Tls, as_of);
//! let built = build(&sources, &policy, &[], &Wanted::of(&requests))?;
//! assert_eq!(built.decisions().included().count(), 1);
//!
//! built.write(&requests, &mut std::io::stdout())?;
//! assert!(out.path().join("cacert.pem").is_file() && out.path().join("certs").is_dir());
//! # Ok(())
//! # }
//! ```

mod capath;
mod error;
mod intermediates;
mod output;
pub mod recipe;
pub mod release;
mod write;

pub use capath::{
    CapathEntry, CapathEntryKind, capath_digest, capath_entries, der_entries, p11_kit_entries,
};
pub use error::Error;
pub use intermediates::{
    IntermediateDecision, IntermediateReason, Intermediates, RootsBuilt, SAFETY,
    select_intermediates,
};
pub use output::{
    ClusterTrustBundleOptions, Content, DEFAULT_JAVA_STOREPASS, Destination, OutputKind,
    OutputRequest, PackageOptions, Wanted, write_requests,
};
pub use recipe::{Bundle, Lock, Recipe};
pub use release::{Release, build_release, build_release_with_intermediates};
pub use write::OutputSet;

use cabundle_ccadb::chrome::ChromeWarning;
use cabundle_ccadb::{ChromeStore, Report};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use cabundle_emit::BuildInfo;
use cabundle_manifest::{Digest, Manifest, Outputs, Source};
use cabundle_policy::{Decisions, Exclusion, PolicyOptions, Verdicts, decide, judge};
use std::collections::BTreeSet;

/// The live CCADB report of Mozilla's included roots, with PEM.
pub const DEFAULT_REPORT_URL: &str =
    "https://ccadb.my.salesforce-sites.com/mozilla/IncludedCACertificateReportPEMCSV";

/// The version written into outputs.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A certificate given with `--add`, with the file it came from.
#[derive(Clone, Debug)]
pub struct Added {
    /// The file name as given.
    pub file: String,
    /// The certificate.
    pub certificate: Certificate,
}

/// What to tell about an added certificate before it is trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddedWarning {
    /// A CA certificate that is not self-issued (an intermediate): added, it becomes a trust
    /// anchor itself, so everything it issues is trusted whatever becomes of its root.
    NotSelfIssued {
        /// The file it came from.
        file: String,
        /// Its subject.
        subject: String,
        /// Its issuer.
        issuer: String,
        /// Its SHA-256.
        sha256: Sha256Fingerprint,
    },
}

impl Added {
    /// What to tell about this certificate, if anything.
    pub fn warning(&self) -> Option<AddedWarning> {
        let c = &self.certificate;
        (c.subject_der != c.issuer_der).then(|| AddedWarning::NotSelfIssued {
            file: self.file.clone(),
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            sha256: c.sha256,
        })
    }
}

/// Reads the certificates of one `--add` file (PEM with one or more certificates, or DER).
/// Every certificate must be a CA certificate (basic constraints `cA` true).
pub fn read_added(file: &str, bytes: &[u8]) -> Result<Vec<Added>, Error> {
    let certs = cabundle_cert::read_certificates(bytes).map_err(|source| Error::AddRead {
        file: file.to_owned(),
        source,
    })?;
    if certs.is_empty() {
        return Err(Error::AddEmpty {
            file: file.to_owned(),
        });
    }
    certs
        .into_iter()
        .enumerate()
        .map(|(index, certificate)| {
            if certificate.is_ca {
                Ok(Added {
                    file: file.to_owned(),
                    certificate,
                })
            } else {
                Err(Error::AddNotCa {
                    file: file.to_owned(),
                    index: index + 1,
                    subject: certificate.subject.clone(),
                    sha256: certificate.sha256,
                })
            }
        })
        .collect()
}

/// Parses a SHA-256 fingerprint written as 64 hex digits, optionally separated by `:`,
/// in either case ([`Sha256Fingerprint`]'s `FromStr`, with this crate's error).
pub fn parse_fingerprint(text: &str) -> Result<Sha256Fingerprint, Error> {
    text.parse().map_err(|_| Error::BadFingerprint {
        value: text.to_owned(),
    })
}

/// One input of a build: its bytes and the name written into the outputs (a file name, so two
/// machines build the same bytes, or a URL).
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// The bytes.
    pub bytes: &'a [u8],
    /// The name written into the outputs.
    pub name: &'a str,
}

impl<'a> Input<'a> {
    /// `bytes` named `name`.
    pub fn new(bytes: &'a [u8], name: &'a str) -> Self {
        Input { bytes, name }
    }
}

/// The roots another program trusts, for keeping only the roots it trusts too: each root of
/// the build left out for that names the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedBy {
    /// The program's report, by name.
    pub name: String,
    /// The SHA-256 of every root it trusts for the purpose at the build's date.
    pub sha256s: BTreeSet<Sha256Fingerprint>,
}

/// Everything a build reads: the report, the certificates of a Chrome Root Store, the
/// intermediates report, other programs' trusted roots.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Sources<'a> {
    /// The report: an `IncludedCACertificateReportPEMCSV`, a `certdata.txt`, or a Chrome
    /// `root_store.textproto` (with [`Sources::certs`]).
    pub report: Input<'a>,
    /// The files holding a Chrome Root Store's certificates (`(file name, bytes)`, PEM or DER).
    pub certs: &'a [(String, Vec<u8>)],
    /// The `MozillaIntermediateCertsCSVReport` to select intermediates from.
    pub intermediates: Option<Input<'a>>,
    /// Keep only the roots each of these programs trusts too.
    pub also_trusted_by: &'a [TrustedBy],
}

impl<'a> Sources<'a> {
    /// The report alone.
    pub fn report(bytes: &'a [u8], name: &'a str) -> Self {
        Sources {
            report: Input::new(bytes, name),
            certs: &[],
            intermediates: None,
            also_trusted_by: &[],
        }
    }

    /// With a Chrome Root Store's certificate files.
    pub fn with_certs(mut self, certs: &'a [(String, Vec<u8>)]) -> Self {
        self.certs = certs;
        self
    }

    /// With the intermediates report.
    pub fn with_intermediates(mut self, intermediates: Option<Input<'a>>) -> Self {
        self.intermediates = intermediates;
        self
    }

    /// With other programs' trusted roots.
    pub fn with_also_trusted_by(mut self, others: &'a [TrustedBy]) -> Self {
        self.also_trusted_by = others;
        self
    }

    /// Whether the report is a Chrome Root Store read with its certificates.
    fn is_chrome(&self) -> bool {
        !self.certs.is_empty() && cabundle_ccadb::chrome::looks_like_chrome(self.report.bytes)
    }
}

/// Everything one build produces, in memory: the parsed report, the policy's verdicts on every
/// certificate, the selected intermediates, the bytes of every output asked for and the one
/// manifest describing exactly those outputs.
#[derive(Debug)]
pub struct Built {
    report: Report,
    added: Vec<Added>,
    added_certs: Vec<Certificate>,
    policy: PolicyOptions,
    verdicts: Verdicts,
    source: Source,
    notices: Vec<ChromeWarning>,
    intermediates: Option<Intermediates>,
    wanted: Wanted,
    pem: Vec<u8>,
    made: Made,
}

/// Builds the outputs `wanted` asks for from `sources` under `policy`, with the certificates
/// `adds` trusted too: parse, decide (once, or twice with [`Sources::also_trusted_by`]: the
/// second time with the other programs' refusals as exclusions), select the intermediates,
/// emit, digest. Pure.
pub fn build(
    sources: &Sources<'_>,
    policy: &PolicyOptions,
    adds: &[Added],
    wanted: &Wanted,
) -> Result<Built, Error> {
    let report_error = |source| Error::Report {
        source_name: sources.report.name.to_owned(),
        source,
    };
    let (parsed, notices) = if sources.is_chrome() {
        let (report, store) =
            read_chrome(sources.report.bytes, sources.report.name, sources.certs)?;
        (report, store.warnings)
    } else {
        (
            cabundle_ccadb::parse_any(sources.report.bytes).map_err(report_error)?,
            Vec::new(),
        )
    };
    let added_certs: Vec<Certificate> = adds.iter().map(|a| a.certificate.clone()).collect();
    let mut policy = policy.clone();
    let mut verdicts = judge(&parsed.roots, &added_certs, &policy);
    if !sources.also_trusted_by.is_empty() {
        let extra = not_trusted_by_others(
            &verdicts.view(&parsed.roots, &added_certs),
            sources.also_trusted_by,
            &policy,
        );
        policy.excludes.extend(extra);
        verdicts = judge(&parsed.roots, &added_certs, &policy);
    }
    let source = source_of(sources.report.bytes, sources.report.name);
    let manifest_added = manifest_added(adds);
    let (pem, intermediates, made) = {
        let decisions = verdicts.view(&parsed.roots, &added_certs);
        let info = BuildInfo {
            source: &source,
            policy: &policy,
            adds: &manifest_added,
            tool_version: TOOL_VERSION,
        };
        let pem = cabundle_emit::pem_bundle(&info, &decisions);
        let intermediates = match &sources.intermediates {
            Some(input) => {
                let roots = RootsBuilt {
                    decisions: &decisions,
                    policy: &policy,
                    source: &source,
                    pem: &pem,
                };
                Some(select_intermediates(input.bytes, input.name, roots)?)
            }
            None => None,
        };
        let made = emit(&decisions, &info, &pem, intermediates.as_ref(), wanted)?;
        (pem, intermediates, made)
    };
    Ok(Built {
        report: parsed,
        added: adds.to_vec(),
        added_certs,
        policy,
        verdicts,
        source,
        notices,
        intermediates,
        wanted: wanted.clone(),
        pem,
        made,
    })
}

/// The outputs of a build besides the PEM bundle, and the manifest listing exactly the
/// outputs wanted.
#[derive(Debug)]
struct Made {
    capath: Option<Vec<CapathEntry>>,
    der_dir: Option<Vec<CapathEntry>>,
    openssl_trusted: Option<Vec<u8>>,
    java_truststore: Option<Vec<u8>>,
    trust_manager_package: Option<Vec<u8>>,
    cluster_trust_bundle: Option<Vec<u8>>,
    p11_kit: Option<Vec<CapathEntry>>,
    manifest: Manifest,
    manifest_json: Vec<u8>,
}

/// Makes the outputs `wanted` asks for, then the manifest listing exactly those.
fn emit(
    decisions: &Decisions<'_>,
    info: &BuildInfo<'_>,
    pem: &[u8],
    intermediates: Option<&Intermediates>,
    wanted: &Wanted,
) -> Result<Made, Error> {
    let capath = wanted.has(OutputKind::Capath).then(|| {
        let roots = capath_entries(decisions, info.policy.purpose);
        match intermediates {
            Some(selection) if wanted.capath_intermediates => selection.capath_with(&roots),
            _ => roots,
        }
    });
    let der_dir = wanted
        .has(OutputKind::DerDir)
        .then(|| der_entries(decisions));
    let openssl_trusted = wanted
        .has(OutputKind::OpensslTrusted)
        .then(|| cabundle_emit::openssl_trusted(info, decisions));
    let java_truststore = if wanted.has(OutputKind::JavaTruststore) {
        let included: Vec<_> = decisions.included().collect();
        let aliases = cabundle_emit::java_aliases(included.iter().map(|d| d.label()));
        let certs: Vec<(String, &[u8])> = aliases
            .into_iter()
            .zip(&included)
            .map(|(alias, d)| (alias, d.certificate.der.as_slice()))
            .collect();
        let bytes =
            cabundle_emit::java_truststore(&certs, &wanted.java_storepass).map_err(|e| {
                Error::JavaTruststore {
                    reason: e.to_string(),
                }
            })?;
        Some(bytes)
    } else {
        None
    };
    let trust_manager_package = if wanted.has(OutputKind::TrustManagerPackage) {
        let package = &wanted.package;
        Some(cabundle_emit::trust_manager_package(
            info,
            decisions,
            package.name.as_deref(),
            package.version.as_deref(),
        )?)
    } else {
        None
    };
    let cluster_trust_bundle = if wanted.has(OutputKind::ClusterTrustBundle) {
        let ctb = &wanted.cluster_trust_bundle;
        Some(cabundle_emit::cluster_trust_bundle(
            info,
            decisions,
            ctb.name.as_deref(),
            ctb.signer_name.as_deref(),
        )?)
    } else {
        None
    };
    let p11_kit = if wanted.has(OutputKind::P11Kit) {
        Some(p11_kit_entries(decisions, info.policy.purpose)?)
    } else {
        None
    };
    let digests = Outputs {
        pem: wanted.has(OutputKind::Pem).then(|| digest_of(pem)),
        capath: capath.as_deref().map(digest_of_dir),
        openssl_trusted: openssl_trusted.as_deref().map(digest_of),
        der_dir: der_dir.as_deref().map(digest_of_dir),
        java_truststore: java_truststore.as_deref().map(digest_of),
        trust_manager_package: trust_manager_package.as_deref().map(digest_of),
        cluster_trust_bundle: cluster_trust_bundle.as_deref().map(digest_of),
        p11_kit: p11_kit.as_deref().map(digest_of_dir),
    };
    let mut manifest = cabundle_emit::manifest(info, decisions, &digests);
    if let Some(selection) = intermediates {
        manifest.intermediates = Some(selection.manifest_section(
            wanted.has(OutputKind::IntermediatesPem),
            wanted.has(OutputKind::FullPem),
        ));
    }
    Ok(Made {
        capath,
        der_dir,
        openssl_trusted,
        java_truststore,
        trust_manager_package,
        cluster_trust_bundle,
        p11_kit,
        manifest_json: manifest.to_json(),
        manifest,
    })
}

/// The exclusions `others` add: every root `decisions` include that one of them does not trust,
/// naming the first such program.
fn not_trusted_by_others(
    decisions: &Decisions<'_>,
    others: &[TrustedBy],
    policy: &PolicyOptions,
) -> Vec<Exclusion> {
    decisions
        .included()
        .filter(|d| d.root().is_some())
        .filter_map(|d| {
            let other = others.iter().find(|o| !o.sha256s.contains(&d.sha256()))?;
            Some(Exclusion {
                sha256: d.sha256(),
                reason: format!(
                    "not trusted for {} by {} as of {}",
                    policy.purpose.name(),
                    other.name,
                    policy.as_of
                ),
            })
        })
        .collect()
}

/// The SHA-256s of the roots of `report` trusted under `policy`, exclusions by hand left out
/// (they apply to the build's outputs anyway): what [`TrustedBy`] holds for another program.
pub fn trusted_roots(report: &Report, policy: &PolicyOptions) -> BTreeSet<Sha256Fingerprint> {
    let mut other = policy.clone();
    other.excludes.clear();
    decide(&report.roots, &[], &other)
        .included()
        .map(|d| d.sha256())
        .collect()
}

/// A Chrome Root Store's `root_store.textproto` and the files holding its certificates
/// (`(file name, bytes)`, PEM or DER, matched by SHA-256), read into a report.
pub fn read_chrome(
    textproto: &[u8],
    source_name: &str,
    certs: &[(String, Vec<u8>)],
) -> Result<(Report, ChromeStore), Error> {
    let report_error = |source| Error::Report {
        source_name: source_name.to_owned(),
        source,
    };
    let store = cabundle_ccadb::parse_chrome(textproto).map_err(report_error)?;
    let mut all = Vec::new();
    for (file, bytes) in certs {
        let read = cabundle_cert::read_certificates(bytes).map_err(|source| Error::CertsRead {
            file: file.clone(),
            source,
        })?;
        if read.is_empty() {
            return Err(Error::CertsEmpty { file: file.clone() });
        }
        all.extend(read);
    }
    let report = cabundle_ccadb::chrome_report(&store, &all).map_err(report_error)?;
    Ok((report, store))
}

/// The name, SHA-256 and size of a source.
pub fn source_of(bytes: &[u8], name: &str) -> Source {
    Source {
        name: name.to_owned(),
        sha256: Sha256Fingerprint::of(bytes),
        size: bytes.len() as u64,
    }
}

fn digest_of(bytes: &[u8]) -> Digest {
    Digest {
        sha256: Sha256Fingerprint::of(bytes),
        size: bytes.len() as u64,
    }
}

fn digest_of_dir(entries: &[CapathEntry]) -> Digest {
    Digest {
        sha256: capath_digest(entries),
        size: entries.len() as u64,
    }
}

impl Built {
    /// The policy's decisions, one per certificate, sorted by SHA-256 (kept from the build,
    /// not decided again).
    pub fn decisions(&self) -> Decisions<'_> {
        self.verdicts.view(&self.report.roots, &self.added_certs)
    }

    /// The parsed report.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The certificates given with `--add`.
    pub fn added(&self) -> &[Added] {
        &self.added
    }

    /// The policy applied (with the exclusions other programs added, if any).
    pub fn policy(&self) -> &PolicyOptions {
        &self.policy
    }

    /// The report's name, SHA-256 and size.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// What a Chrome Root Store's reader skipped (unknown fields), for the caller to tell.
    pub fn notices(&self) -> &[ChromeWarning] {
        &self.notices
    }

    /// The selected intermediates, when the build had an intermediates report.
    pub fn intermediates(&self) -> Option<&Intermediates> {
        self.intermediates.as_ref()
    }

    /// What the build was asked to make.
    pub fn wanted(&self) -> &Wanted {
        &self.wanted
    }

    /// The PEM bundle's bytes (always made: the full bundle and the listing derive from it).
    pub fn pem(&self) -> &[u8] {
        &self.pem
    }

    /// The hashed directory's entries, sorted by name, when it was asked for.
    pub fn capath(&self) -> Option<&[CapathEntry]> {
        self.made.capath.as_deref()
    }

    /// The JSON manifest's bytes: it lists exactly the outputs asked for.
    pub fn manifest(&self) -> &[u8] {
        &self.made.manifest_json
    }

    /// The manifest, as a value.
    pub fn manifest_value(&self) -> &Manifest {
        &self.made.manifest
    }

    /// The content of one output, when the build made it.
    pub fn content(&self, kind: OutputKind) -> Option<Content<'_>> {
        if !self.wanted.has(kind) {
            return None;
        }
        let intermediates = self.intermediates.as_ref();
        Some(match kind {
            OutputKind::Pem => Content::File(&self.pem),
            OutputKind::Manifest => Content::File(&self.made.manifest_json),
            OutputKind::Capath => Content::Capath(self.made.capath.as_deref()?),
            OutputKind::DerDir => Content::DerDir(self.made.der_dir.as_deref()?),
            OutputKind::OpensslTrusted => Content::File(self.made.openssl_trusted.as_deref()?),
            OutputKind::JavaTruststore => Content::File(self.made.java_truststore.as_deref()?),
            OutputKind::TrustManagerPackage => {
                Content::File(self.made.trust_manager_package.as_deref()?)
            }
            OutputKind::ClusterTrustBundle => {
                Content::File(self.made.cluster_trust_bundle.as_deref()?)
            }
            OutputKind::P11Kit => Content::P11Kit(self.made.p11_kit.as_deref()?),
            OutputKind::IntermediatesPem => Content::File(intermediates?.pem()),
            OutputKind::FullPem => Content::File(intermediates?.full_pem()),
        })
    }

    /// Writes `requests` (files and directories all or nothing, then the one on standard
    /// output, if any, into `stdout`); see [`write_requests`].
    pub fn write(
        &self,
        requests: &[OutputRequest],
        stdout: &mut dyn std::io::Write,
    ) -> Result<(), Error> {
        write_requests(
            requests,
            |kind| self.content(kind),
            OutputSet::new(),
            stdout,
        )
    }
}

/// The added certificates as the manifest records them.
fn manifest_added(adds: &[Added]) -> Vec<cabundle_manifest::Added> {
    adds.iter()
        .map(|a| cabundle_manifest::Added {
            file: a.file.clone(),
            sha256: a.certificate.sha256,
            subject: a.certificate.subject.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints() {
        fn check(input: &str, ok: bool) {
            assert_eq!(parse_fingerprint(input).is_ok(), ok, "{input:?}");
        }
        let hex64 = "ab".repeat(32);
        check(&hex64, true);
        check(&hex64.to_uppercase(), true);
        check(&vec!["AB"; 32].join(":"), true);
        check(&format!(" {hex64} "), true);
        check(&"ab".repeat(31), false);
        check(&"zz".repeat(32), false);
        check("", false);
        assert_eq!(
            parse_fingerprint(&vec!["0A"; 32].join(":")).ok(),
            Some(Sha256Fingerprint([10; 32]))
        );
    }
}
