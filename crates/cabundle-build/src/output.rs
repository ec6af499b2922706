//! What a build is asked to write, and where: output requests as data.
//!
//! A command line becomes a list of [`OutputRequest`]s (a kind of output and a destination, a
//! file or standard output); the build makes the bytes of exactly the kinds asked for
//! ([`Wanted`]), its manifest lists exactly those, and [`write_requests`] hands the files and
//! directories to the one all-or-nothing writer ([`crate::OutputSet`]) and the one output asked
//! on standard output, if any, to the writer the caller gives.
//!
//! Architecture Invariant: a manifest lists the digest of an output exactly when that output
//! is written by the same call.

use crate::{CapathEntry, Error, OutputSet};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// One kind of output a build can write. Not `#[non_exhaustive]`: a program that asks for
/// outputs by kind should fail to compile until it knows how to ask for a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutputKind {
    /// The PEM bundle of the trusted roots.
    Pem,
    /// The hashed directory (`CApath`): one file per root and OpenSSL's hash links.
    Capath,
    /// One DER file per root (p11-kit's `x509-directory`).
    DerDir,
    /// The Java PKCS#12 truststore.
    JavaTruststore,
    /// The OpenSSL `TRUSTED CERTIFICATE` bundle, trusted for the purpose only.
    OpensslTrusted,
    /// cert-manager trust-manager's default CA package (JSON).
    TrustManagerPackage,
    /// The Kubernetes `ClusterTrustBundle` resource (YAML).
    ClusterTrustBundle,
    /// One `.p11-kit` file per root, for p11-kit's trust module.
    P11Kit,
    /// The selected intermediates alone.
    IntermediatesPem,
    /// The roots followed by the selected intermediates.
    FullPem,
    /// The JSON manifest describing the other outputs.
    Manifest,
}

impl OutputKind {
    /// Every kind, in the order outputs are listed.
    pub const ALL: [OutputKind; 11] = [
        OutputKind::Pem,
        OutputKind::Capath,
        OutputKind::DerDir,
        OutputKind::JavaTruststore,
        OutputKind::OpensslTrusted,
        OutputKind::TrustManagerPackage,
        OutputKind::ClusterTrustBundle,
        OutputKind::P11Kit,
        OutputKind::IntermediatesPem,
        OutputKind::FullPem,
        OutputKind::Manifest,
    ];

    /// Whether the output is a directory (never written to standard output).
    pub fn is_dir(self) -> bool {
        matches!(
            self,
            OutputKind::Capath | OutputKind::DerDir | OutputKind::P11Kit
        )
    }

    /// Whether the output needs the intermediates report.
    pub fn needs_intermediates(self) -> bool {
        matches!(self, OutputKind::IntermediatesPem | OutputKind::FullPem)
    }

    /// What the output is, in a few words.
    pub fn noun(self) -> &'static str {
        match self {
            OutputKind::Pem => "bundle",
            OutputKind::Capath => "hashed directory",
            OutputKind::DerDir => "DER directory",
            OutputKind::JavaTruststore => "Java truststore",
            OutputKind::OpensslTrusted => "OpenSSL trusted bundle",
            OutputKind::TrustManagerPackage => "trust-manager package",
            OutputKind::ClusterTrustBundle => "ClusterTrustBundle",
            OutputKind::P11Kit => "p11-kit directory",
            OutputKind::IntermediatesPem => "intermediates",
            OutputKind::FullPem => "full bundle",
            OutputKind::Manifest => "manifest",
        }
    }
}

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A file or directory at this path.
    Path(PathBuf),
    /// Standard output (files only).
    Stdout,
}

/// One output asked for: its kind and where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRequest {
    /// The kind of output.
    pub kind: OutputKind,
    /// Where it goes.
    pub to: Destination,
}

/// What a build makes: the kinds of outputs asked for, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wanted {
    /// The kinds of outputs to make (and list in the manifest).
    pub kinds: BTreeSet<OutputKind>,
    /// The Java truststore's password.
    pub java_storepass: String,
    /// Whether the hashed directory holds the selected intermediates too.
    pub capath_intermediates: bool,
    /// The trust-manager package's name and version, when not the defaults.
    pub package: PackageOptions,
    /// The `ClusterTrustBundle`'s object name and signer name, when given.
    pub cluster_trust_bundle: ClusterTrustBundleOptions,
}

/// The trust-manager package's name and version; `None` for the defaults
/// ([`cabundle_emit::trust_manager_default_name`], [`cabundle_emit::trust_manager_version`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackageOptions {
    /// The package's name.
    pub name: Option<String>,
    /// The package's version.
    pub version: Option<String>,
}

/// The `ClusterTrustBundle`'s object name and signer name; `None` for the default name and no
/// signer ([`cabundle_emit::cluster_trust_bundle_name`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClusterTrustBundleOptions {
    /// The object's name.
    pub name: Option<String>,
    /// `spec.signerName`.
    pub signer_name: Option<String>,
}

/// Java's convention for a truststore's password.
pub const DEFAULT_JAVA_STOREPASS: &str = "changeit";

impl Wanted {
    /// The given kinds, the Java password `changeit`, intermediates not in the hashed directory.
    pub fn new(kinds: impl IntoIterator<Item = OutputKind>) -> Self {
        Wanted {
            kinds: kinds.into_iter().collect(),
            java_storepass: DEFAULT_JAVA_STOREPASS.to_owned(),
            capath_intermediates: false,
            package: PackageOptions::default(),
            cluster_trust_bundle: ClusterTrustBundleOptions::default(),
        }
    }

    /// The kinds of `requests`.
    pub fn of(requests: &[OutputRequest]) -> Self {
        Wanted::new(requests.iter().map(|r| r.kind))
    }

    /// Whether `kind` is asked for.
    pub fn has(&self, kind: OutputKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// With the Java truststore's password.
    pub fn with_java_storepass(mut self, password: &str) -> Self {
        password.clone_into(&mut self.java_storepass);
        self
    }

    /// With the trust-manager package's name and version (`None`: the default).
    pub fn with_package(mut self, name: Option<String>, version: Option<String>) -> Self {
        self.package = PackageOptions { name, version };
        self
    }

    /// With the `ClusterTrustBundle`'s object name and signer name (`None`: the default name, no
    /// signer).
    pub fn with_cluster_trust_bundle(
        mut self,
        name: Option<String>,
        signer_name: Option<String>,
    ) -> Self {
        self.cluster_trust_bundle = ClusterTrustBundleOptions { name, signer_name };
        self
    }

    /// With (or without) the intermediates in the hashed directory.
    pub fn with_capath_intermediates(mut self, yes: bool) -> Self {
        self.capath_intermediates = yes;
        self
    }
}

/// The content of one output, in memory.
#[derive(Clone, Copy, Debug)]
pub enum Content<'a> {
    /// A file's bytes.
    File(&'a [u8]),
    /// A hashed directory's entries.
    Capath(&'a [CapathEntry]),
    /// A DER directory's entries.
    DerDir(&'a [CapathEntry]),
    /// A p11-kit directory's entries.
    P11Kit(&'a [CapathEntry]),
}

/// Writes every request with the content `content` gives for its kind: the files and
/// directories together through `set` (which may hold other outputs already), all or nothing,
/// then the one output asked on standard output, if any, into `stdout`. A kind without content
/// (not made by the build), a directory on standard output or two outputs there are errors,
/// raised before anything is written.
pub fn write_requests<'a>(
    requests: &[OutputRequest],
    content: impl Fn(OutputKind) -> Option<Content<'a>>,
    mut set: OutputSet<'a>,
    stdout: &mut dyn std::io::Write,
) -> Result<(), Error> {
    let mut to_stdout: Option<&'a [u8]> = None;
    for request in requests {
        let made = content(request.kind).ok_or(Error::NotBuilt {
            output: request.kind.noun(),
        })?;
        match (&request.to, made) {
            (Destination::Stdout, Content::File(bytes)) => {
                if to_stdout.replace(bytes).is_some() {
                    return Err(Error::SeveralToStdout);
                }
            }
            (Destination::Stdout, _) => {
                return Err(Error::DirectoryToStdout {
                    output: request.kind.noun(),
                });
            }
            (Destination::Path(path), Content::File(bytes)) => {
                if request.kind == OutputKind::Manifest {
                    set.manifest(path, bytes);
                } else {
                    set.file(path, bytes);
                }
            }
            (Destination::Path(path), Content::Capath(entries)) => {
                set.capath(path, entries);
            }
            (Destination::Path(path), Content::DerDir(entries)) => {
                set.der_dir(path, entries);
            }
            (Destination::Path(path), Content::P11Kit(entries)) => {
                set.p11_kit_dir(path, entries);
            }
        }
    }
    set.write()?;
    if let Some(bytes) = to_stdout {
        stdout.write_all(bytes)?;
        stdout.flush()?;
    }
    Ok(())
}
