//! Each distribution family's layout detected on a directory tree laid out as that
//! distribution ships it (their tools cannot run here: the tree is enough to tell them apart).
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

use cabundle_trust::layout::{Distribution, HowAdded, detect};
use std::path::Path;

/// Lays out `dirs` and `files` under a new temporary root and detects its layout.
fn lay_out(dirs: &[&str], files: &[&str]) -> Option<cabundle_trust::layout::SystemLayout> {
    let root = tempfile::tempdir().unwrap();
    for d in dirs {
        std::fs::create_dir_all(root.path().join(d)).unwrap();
    }
    for f in files {
        let path = root.path().join(f);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }
    detect(root.path(), |p| p.exists())
}

#[test]
fn each_family_from_its_tree() {
    let debian = lay_out(
        &["usr/local/share/ca-certificates", "etc/ssl/certs"],
        &[
            "etc/ca-certificates.conf",
            "usr/sbin/update-ca-certificates",
            "etc/ca-certificates/update.d/jks-keystore",
        ],
    )
    .unwrap();
    assert_eq!(debian.distribution, Distribution::Debian);
    assert_eq!(
        debian.anchor_file("cabundle-00"),
        Some(Path::new("/usr/local/share/ca-certificates/cabundle-00.crt").to_owned())
    );
    assert!(debian.java_keystore.is_some());

    let fedora = lay_out(
        &[
            "etc/pki/ca-trust/source/anchors",
            "etc/pki/ca-trust/extracted/pem",
        ],
        &["usr/bin/update-ca-trust", "etc/pki/tls/certs/ca-bundle.crt"],
    )
    .unwrap();
    assert_eq!(fedora.distribution, Distribution::Fedora);
    assert_eq!(fedora.refresh, ["update-ca-trust", "extract"]);
    assert_eq!(
        fedora.anchor_file("cabundle-00"),
        Some(Path::new("/etc/pki/ca-trust/source/anchors/cabundle-00.pem").to_owned())
    );
    assert_eq!(
        fedora.java_keystore.map(|k| k.path),
        Some(Path::new("/etc/pki/ca-trust/extracted/java/cacerts").to_owned())
    );

    let arch = lay_out(
        &[
            "etc/ca-certificates/trust-source/anchors",
            "etc/ca-certificates/extracted",
        ],
        &["usr/bin/trust", "usr/bin/update-ca-trust"],
    )
    .unwrap();
    assert_eq!(arch.distribution, Distribution::Arch);
    assert_eq!(arch.how, HowAdded::TrustTool);

    let suse = lay_out(
        &["etc/pki/trust/anchors", "var/lib/ca-certificates"],
        &["usr/sbin/update-ca-certificates"],
    )
    .unwrap();
    assert_eq!(suse.distribution, Distribution::Suse);
    assert_eq!(
        suse.bundle,
        Path::new("/var/lib/ca-certificates/ca-bundle.pem")
    );

    // Alpine has Debian's directories and a tool of the same name: its release file tells.
    let alpine = lay_out(
        &["usr/local/share/ca-certificates", "etc/ssl/certs"],
        &[
            "etc/alpine-release",
            "etc/ca-certificates.conf",
            "usr/sbin/update-ca-certificates",
        ],
    )
    .unwrap();
    assert_eq!(alpine.distribution, Distribution::Alpine);
    assert_eq!(alpine.java_keystore, None);

    // macOS, Windows, a container without any store: nothing this version knows.
    assert!(lay_out(&["etc/ssl"], &["etc/ssl/cert.pem"]).is_none());
}
