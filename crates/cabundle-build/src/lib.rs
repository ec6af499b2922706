//! The build pipeline shared by `cabundle build` and `cargo xtask build-bundle`.
//!
//! Two steps, so that a failure never leaves half an output behind:
//!
//! 1. [`build`] (pure): report bytes, added certificates and [`PolicyOptions`] in, a [`Built`]
//!    out, holding every output in memory: the PEM bundle, the hashed directory's files and
//!    links, the JSON manifest, and the decisions.
//! 2. [`Built::write`] (IO): stages every requested output under a temporary name beside its
//!    destination, and only when all are staged renames them into place. A build that fails
//!    anywhere before that leaves existing outputs exactly as they were.
//!
//! Release bundles (`bundles/NAME/`: a recipe and a lock) are read by [`recipe`] and built by
//! [`release`], on top of the same two steps; [`OutputSet`] writes any set of files, hashed
//! directories and DER directories all or nothing, through the workspace's one writer,
//! `cabundle-write`.
//!
//! The hashed directory's digest, recorded in the manifest, is the SHA-256 of its listing:
//! for each entry in byte order of its name, one line `NAME\tfile\tSHA256-OF-CONTENT\n` or
//! `NAME\tlink\tTARGET\n`.
//!
//! ```
//! use cabundle_build::{OutputPaths, build};
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
//! let built = build(csv.as_bytes(), "report.csv", &PolicyOptions::new(Purpose::Tls, as_of), &[])?;
//! assert_eq!(built.decisions().included().count(), 1);
//!
//! let out = tempfile::tempdir()?;
//! built.write(&OutputPaths {
//!     pem: Some(out.path().join("cacert.pem")),
//!     capath: Some(out.path().join("certs")),
//!     manifest: Some(out.path().join("manifest.json")),
//!     ..OutputPaths::default()
//! })?;
//! assert!(out.path().join("cacert.pem").is_file() && out.path().join("certs").is_dir());
//! # Ok(())
//! # }
//! ```

mod capath;
mod error;
mod intermediates;
pub mod recipe;
pub mod release;
mod write;

pub use capath::{CapathEntry, CapathEntryKind, capath_digest, capath_entries, der_entries};
pub use error::Error;
pub use intermediates::{
    IntermediateDecision, IntermediateReason, Intermediates, SAFETY, select_intermediates,
};
pub use recipe::{Bundle, Lock, Recipe};
pub use release::{Release, build_release, build_release_with_intermediates};
pub use write::{OutputPaths, OutputSet};

use cabundle_ccadb::chrome::ChromeWarning;
use cabundle_ccadb::{ChromeStore, Report};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use cabundle_emit::BuildInfo;
use cabundle_manifest::{Digest, Manifest, Outputs, Source};
use cabundle_policy::{Decisions, PolicyOptions, decide};

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

/// Everything one build produces, in memory.
#[derive(Debug)]
pub struct Built {
    report: Report,
    added: Vec<Added>,
    added_certs: Vec<Certificate>,
    policy: PolicyOptions,
    source: Source,
    pem: Vec<u8>,
    capath: Vec<CapathEntry>,
    manifest: Manifest,
    manifest_json: Vec<u8>,
    openssl_trusted: Option<Vec<u8>>,
    der_dir: Option<Vec<CapathEntry>>,
    java_truststore: Option<Vec<u8>>,
}

/// Builds every output for `report` (an `IncludedCACertificateReportPEMCSV` or a
/// `certdata.txt`) under `policy`. `source_name` is the report's file name or URL, written
/// into the outputs.
pub fn build(
    report: &[u8],
    source_name: &str,
    policy: &PolicyOptions,
    adds: &[Added],
) -> Result<Built, Error> {
    let parsed = cabundle_ccadb::parse_any(report).map_err(|source| Error::Report {
        source_name: source_name.to_owned(),
        source,
    })?;
    Ok(build_parsed(
        parsed,
        source_of(report, source_name),
        policy,
        adds,
    ))
}

/// A Chrome Root Store's `root_store.textproto` and the files holding its certificates
/// (`(file name, bytes)`, PEM or DER, matched by SHA-256), read for [`build_chrome`].
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

/// Builds every output for a Chrome Root Store (see [`read_chrome`]); the store's warnings
/// (unknown fields, skipped) are returned beside the build.
pub fn build_chrome(
    textproto: &[u8],
    source_name: &str,
    certs: &[(String, Vec<u8>)],
    policy: &PolicyOptions,
    adds: &[Added],
) -> Result<(Built, Vec<ChromeWarning>), Error> {
    let (report, store) = read_chrome(textproto, source_name, certs)?;
    let built = build_parsed(report, source_of(textproto, source_name), policy, adds);
    Ok((built, store.warnings))
}

/// The name, SHA-256 and size of a source.
pub fn source_of(bytes: &[u8], name: &str) -> Source {
    Source {
        name: name.to_owned(),
        sha256: Sha256Fingerprint::of(bytes),
        size: bytes.len() as u64,
    }
}

/// Builds every output for an already parsed report.
pub fn build_parsed(
    parsed: Report,
    source: Source,
    policy: &PolicyOptions,
    adds: &[Added],
) -> Built {
    let added_certs: Vec<Certificate> = adds.iter().map(|a| a.certificate.clone()).collect();
    let added_info = manifest_added(adds);

    let decisions = decide(&parsed.roots, &added_certs, policy);
    let info = BuildInfo {
        source: &source,
        policy,
        adds: &added_info,
        tool_version: TOOL_VERSION,
    };
    let pem = cabundle_emit::pem_bundle(&info, &decisions);
    let capath = capath_entries(&decisions, policy.purpose);
    let digests = Outputs {
        pem: Some(Digest {
            sha256: Sha256Fingerprint::of(&pem),
            size: pem.len() as u64,
        }),
        capath: Some(Digest {
            sha256: capath_digest(&capath),
            size: capath.len() as u64,
        }),
        openssl_trusted: None,
        der_dir: None,
        java_truststore: None,
    };
    let manifest = cabundle_emit::manifest(&info, &decisions, &digests);
    let manifest_json = manifest.to_json();
    Built {
        report: parsed,
        added: adds.to_vec(),
        added_certs,
        policy: policy.clone(),
        source,
        pem,
        capath,
        manifest,
        manifest_json,
        openssl_trusted: None,
        der_dir: None,
        java_truststore: None,
    }
}

impl Built {
    /// The policy's decisions, one per certificate, sorted by SHA-256.
    pub fn decisions(&self) -> Decisions<'_> {
        decide(&self.report.roots, &self.added_certs, &self.policy)
    }

    /// The parsed report.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The certificates given with `--add`.
    pub fn added(&self) -> &[Added] {
        &self.added
    }

    /// The policy applied.
    pub fn policy(&self) -> &PolicyOptions {
        &self.policy
    }

    /// The report's name, SHA-256 and size.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The PEM bundle's bytes.
    pub fn pem(&self) -> &[u8] {
        &self.pem
    }

    /// The hashed directory's entries, sorted by name.
    pub fn capath(&self) -> &[CapathEntry] {
        &self.capath
    }

    /// The JSON manifest's bytes.
    pub fn manifest(&self) -> &[u8] {
        &self.manifest_json
    }

    /// The manifest, as a value.
    pub fn manifest_value(&self) -> &Manifest {
        &self.manifest
    }

    /// Adds the OpenSSL `TRUSTED CERTIFICATE` bundle to the outputs
    /// ([`cabundle_emit::openssl_trusted`]) and lists it in the manifest; returns its bytes.
    /// It is made only on request: many PEM readers do not take that block type.
    pub fn add_openssl_trusted(&mut self) -> &[u8] {
        let added_info = manifest_added(&self.added);
        let bytes = {
            let decisions = decide(&self.report.roots, &self.added_certs, &self.policy);
            let info = BuildInfo {
                source: &self.source,
                policy: &self.policy,
                adds: &added_info,
                tool_version: TOOL_VERSION,
            };
            cabundle_emit::openssl_trusted(&info, &decisions)
        };
        self.manifest.outputs.openssl_trusted = Some(Digest {
            sha256: Sha256Fingerprint::of(&bytes),
            size: bytes.len() as u64,
        });
        self.manifest_json = self.manifest.to_json();
        self.openssl_trusted = Some(bytes);
        self.openssl_trusted.as_deref().unwrap_or_default()
    }

    /// The OpenSSL `TRUSTED CERTIFICATE` bundle, when [`Built::add_openssl_trusted`] made it.
    pub fn openssl_trusted(&self) -> Option<&[u8]> {
        self.openssl_trusted.as_deref()
    }

    /// Adds the DER directory to the outputs ([`der_entries`]: one DER file per included
    /// certificate, like p11-kit's `x509-directory`) and lists it in the manifest; returns its
    /// entries.
    pub fn add_der_dir(&mut self) -> &[CapathEntry] {
        let entries = der_entries(&decide(&self.report.roots, &self.added_certs, &self.policy));
        self.manifest.outputs.der_dir = Some(Digest {
            sha256: capath_digest(&entries),
            size: entries.len() as u64,
        });
        self.manifest_json = self.manifest.to_json();
        self.der_dir = Some(entries);
        self.der_dir.as_deref().unwrap_or_default()
    }

    /// The DER directory's entries, when [`Built::add_der_dir`] made them.
    pub fn der_dir(&self) -> Option<&[CapathEntry]> {
        self.der_dir.as_deref()
    }

    /// Adds the Java PKCS#12 truststore under `password` to the outputs
    /// ([`cabundle_emit::java_truststore`]: every included certificate as a trusted
    /// certificate entry, aliases from the labels) and lists it in the manifest; returns its
    /// bytes.
    pub fn add_java_truststore(&mut self, password: &str) -> Result<&[u8], Error> {
        let bytes = {
            let decisions = decide(&self.report.roots, &self.added_certs, &self.policy);
            let included: Vec<_> = decisions.included().collect();
            let aliases = cabundle_emit::java_aliases(included.iter().map(|d| d.label()));
            let certs: Vec<(String, &[u8])> = aliases
                .into_iter()
                .zip(&included)
                .map(|(alias, d)| (alias, d.certificate.der.as_slice()))
                .collect();
            cabundle_emit::java_truststore(&certs, password).map_err(|e| {
                Error::Io(std::io::Error::other(format!(
                    "cannot encode the java truststore: {e}"
                )))
            })?
        };
        self.manifest.outputs.java_truststore = Some(Digest {
            sha256: Sha256Fingerprint::of(&bytes),
            size: bytes.len() as u64,
        });
        self.manifest_json = self.manifest.to_json();
        self.java_truststore = Some(bytes);
        Ok(self.java_truststore.as_deref().unwrap_or_default())
    }

    /// The Java truststore, when [`Built::add_java_truststore`] made it.
    pub fn java_truststore(&self) -> Option<&[u8]> {
        self.java_truststore.as_deref()
    }

    /// Writes the requested outputs; see [`write::OutputPaths`] for how.
    pub fn write(&self, paths: &OutputPaths) -> Result<(), Error> {
        write::write_all(self, paths)
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
