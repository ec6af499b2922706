//! The system trust store of each distribution family: where its anchors go, which tool turns
//! them into the bundle every client reads, and which Java keystore that tool also refreshes.
//!
//! Detection is a pure function of which marker paths exist under a root (`/` on a real
//! machine, a laid-out tree in tests), asked through a callback.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A family of distributions that share one trust-store layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    /// Debian and Ubuntu: `update-ca-certificates` (Debian's shell script, with hooks).
    Debian,
    /// Fedora, RHEL, CentOS: `update-ca-trust`.
    Fedora,
    /// Arch: p11-kit's `trust anchor`.
    Arch,
    /// openSUSE and SLES: `update-ca-certificates` (SUSE's, on p11-kit).
    Suse,
    /// Alpine: `update-ca-certificates` (Alpine's).
    Alpine,
}

impl Distribution {
    /// Every family, in the order detection tries them (the most specific markers first).
    pub const ALL: [Distribution; 5] = [
        Distribution::Alpine,
        Distribution::Fedora,
        Distribution::Suse,
        Distribution::Arch,
        Distribution::Debian,
    ];

    /// The family's name, as people say it.
    pub fn name(self) -> &'static str {
        match self {
            Distribution::Debian => "Debian/Ubuntu",
            Distribution::Fedora => "Fedora/RHEL",
            Distribution::Arch => "Arch",
            Distribution::Suse => "SUSE",
            Distribution::Alpine => "Alpine",
        }
    }

    /// The paths (relative to the root) whose presence tells this family apart: all must exist.
    fn markers(self) -> &'static [&'static str] {
        match self {
            Distribution::Alpine => &["etc/alpine-release", "usr/local/share/ca-certificates"],
            Distribution::Fedora => &["etc/pki/ca-trust/source/anchors"],
            Distribution::Suse => &["etc/pki/trust/anchors"],
            Distribution::Arch => &["etc/ca-certificates/trust-source/anchors"],
            Distribution::Debian => &[
                "etc/ca-certificates.conf",
                "usr/local/share/ca-certificates",
            ],
        }
    }

    /// The layout of this family's store.
    pub fn layout(self) -> SystemLayout {
        let path = PathBuf::from;
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        match self {
            Distribution::Debian => SystemLayout {
                distribution: self,
                how: HowAdded::File {
                    anchors: path("/usr/local/share/ca-certificates"),
                    extension: "crt",
                },
                refresh: words(&["update-ca-certificates"]),
                // Debian's tool keeps the links of a removed local certificate unless asked for
                // a fresh run; its Java hook rebuilds the keystore from scratch on one.
                // tidy: allow(flag-text): Debian's tool's own option, not cabundle's
                refresh_after_removal: words(&["update-ca-certificates", "--fresh"]),
                bundle: path("/etc/ssl/certs/ca-certificates.crt"),
                java_keystore: Some(JavaKeystore {
                    path: path("/etc/ssl/certs/java/cacerts"),
                    hook: path("/etc/ca-certificates/update.d/jks-keystore"),
                }),
            },
            Distribution::Alpine => SystemLayout {
                distribution: self,
                how: HowAdded::File {
                    anchors: path("/usr/local/share/ca-certificates"),
                    extension: "crt",
                },
                refresh: words(&["update-ca-certificates"]),
                refresh_after_removal: words(&["update-ca-certificates"]),
                bundle: path("/etc/ssl/certs/ca-certificates.crt"),
                java_keystore: None,
            },
            Distribution::Fedora => SystemLayout {
                distribution: self,
                how: HowAdded::File {
                    anchors: path("/etc/pki/ca-trust/source/anchors"),
                    extension: "pem",
                },
                refresh: words(&["update-ca-trust", "extract"]),
                refresh_after_removal: words(&["update-ca-trust", "extract"]),
                bundle: path("/etc/pki/tls/certs/ca-bundle.crt"),
                java_keystore: Some(JavaKeystore {
                    path: path("/etc/pki/ca-trust/extracted/java/cacerts"),
                    hook: path("/usr/bin/update-ca-trust"),
                }),
            },
            Distribution::Suse => SystemLayout {
                distribution: self,
                how: HowAdded::File {
                    anchors: path("/etc/pki/trust/anchors"),
                    extension: "pem",
                },
                refresh: words(&["update-ca-certificates"]),
                refresh_after_removal: words(&["update-ca-certificates"]),
                bundle: path("/var/lib/ca-certificates/ca-bundle.pem"),
                java_keystore: Some(JavaKeystore {
                    path: path("/var/lib/ca-certificates/java-cacerts"),
                    hook: path("/usr/lib/ca-certificates/update.d/java.run"),
                }),
            },
            // `trust anchor` runs the extraction itself; `trust extract-compat` is what Arch's
            // `update-ca-trust` runs, here once more after a removal.
            Distribution::Arch => SystemLayout {
                distribution: self,
                how: HowAdded::TrustTool,
                refresh: words(&["trust", "extract-compat"]),
                refresh_after_removal: words(&["trust", "extract-compat"]),
                bundle: path("/etc/ssl/certs/ca-certificates.crt"),
                java_keystore: Some(JavaKeystore {
                    path: path("/etc/ssl/certs/java/cacerts"),
                    hook: path("/usr/bin/update-ca-trust"),
                }),
            },
        }
    }
}

/// How an anchor enters the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HowAdded {
    /// A PEM file of cabundle's in the anchors directory, then the refresh tool.
    File {
        /// The directory the refresh tool reads anchors from.
        anchors: PathBuf,
        /// The extension the tool looks for (Debian's reads only `.crt`).
        extension: &'static str,
    },
    /// p11-kit's `trust anchor` stores and removes it, then the refresh tool.
    TrustTool,
}

/// A Java keystore the system tool rebuilds, and the hook (or tool) that does it: present only
/// when the hook is installed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaKeystore {
    /// The keystore.
    pub path: PathBuf,
    /// The hook whose presence means the tool refreshes the keystore.
    pub hook: PathBuf,
}

/// Where a distribution keeps its trust store and how it is refreshed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemLayout {
    /// The family.
    pub distribution: Distribution,
    /// How an anchor is added.
    pub how: HowAdded,
    /// The command that rebuilds the bundle after an anchor is added.
    pub refresh: Vec<String>,
    /// The command that rebuilds it after an anchor is removed.
    pub refresh_after_removal: Vec<String>,
    /// The bundle the tool writes, which OpenSSL-based clients read.
    pub bundle: PathBuf,
    /// The Java keystore the tool also rebuilds, if the distribution does that.
    pub java_keystore: Option<JavaKeystore>,
}

impl SystemLayout {
    /// The file cabundle writes for the anchor `label` (see [`crate::label`]), for the layouts
    /// that take a file.
    pub fn anchor_file(&self, label: &str) -> Option<PathBuf> {
        match &self.how {
            HowAdded::File { anchors, extension } => {
                Some(anchors.join(format!("{label}.{extension}")))
            }
            HowAdded::TrustTool => None,
        }
    }
}

/// The layout of the system under `root`, judged by which marker paths `exists` (called with
/// paths under `root`); `None` when no family's markers are all there.
pub fn detect(root: &Path, exists: impl Fn(&Path) -> bool) -> Option<SystemLayout> {
    Distribution::ALL
        .into_iter()
        .find(|d| d.markers().iter().all(|m| exists(&root.join(m))))
        .map(|d| {
            let mut layout = d.layout();
            layout.java_keystore = layout
                .java_keystore
                .filter(|k| exists(&root.join(k.hook.strip_prefix("/").unwrap_or(&k.hook))));
            layout
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn tree(paths: &[&str]) -> Option<Distribution> {
        let set: BTreeSet<PathBuf> = paths.iter().map(|p| Path::new("/t").join(p)).collect();
        detect(Path::new("/t"), |p| set.contains(p)).map(|l| l.distribution)
    }

    #[test]
    fn families_by_their_markers() {
        assert_eq!(tree(&[]), None);
        assert_eq!(
            tree(&[
                "etc/ca-certificates.conf",
                "usr/local/share/ca-certificates"
            ]),
            Some(Distribution::Debian)
        );
        assert_eq!(
            tree(&[
                "etc/alpine-release",
                "etc/ca-certificates.conf",
                "usr/local/share/ca-certificates"
            ]),
            Some(Distribution::Alpine)
        );
        assert_eq!(
            tree(&["etc/pki/ca-trust/source/anchors"]),
            Some(Distribution::Fedora)
        );
        assert_eq!(tree(&["etc/pki/trust/anchors"]), Some(Distribution::Suse));
        assert_eq!(
            tree(&["etc/ca-certificates/trust-source/anchors"]),
            Some(Distribution::Arch)
        );
    }

    #[test]
    fn java_keystore_only_with_its_hook() {
        let debian = [
            "etc/ca-certificates.conf",
            "usr/local/share/ca-certificates",
        ];
        let set: BTreeSet<PathBuf> = debian.iter().map(|p| Path::new("/t").join(p)).collect();
        let layout = detect(Path::new("/t"), |p| set.contains(p)).unwrap_or_else(|| {
            unreachable!("the Debian markers are there");
        });
        assert_eq!(layout.java_keystore, None);
        let mut with_hook = set.clone();
        with_hook.insert(PathBuf::from(
            "/t/etc/ca-certificates/update.d/jks-keystore",
        ));
        let layout = detect(Path::new("/t"), |p| with_hook.contains(p));
        assert!(layout.is_some_and(|l| l.java_keystore.is_some()));
    }

    #[test]
    fn anchor_files() {
        let debian = Distribution::Debian.layout();
        assert_eq!(
            debian.anchor_file("cabundle-0011"),
            Some(PathBuf::from(
                "/usr/local/share/ca-certificates/cabundle-0011.crt"
            ))
        );
        assert_eq!(Distribution::Arch.layout().anchor_file("x"), None);
    }
}
