//! `cabundle build --der-dir`: one DER file per included root, like p11-kit's
//! `x509-directory`. The real `openssl x509 -inform DER` reads every file, the set of their
//! SHA-256s equals the bundle's, the manifest lists the directory, and a directory holding a
//! file cabundle did not write is left alone.

mod fixture;
mod support;

use cabundle_testkit::PkiFiles;
use sha2::Digest as _;
use std::collections::BTreeSet;
use std::process::Command;
use support::{cabundle, have, output_text};

/// The SHA-256 `openssl` reports for a DER file, lower-case hex without colons.
fn openssl_sha256(path: &std::path::Path) -> String {
    let out = Command::new("openssl")
        .args([
            "x509",
            "-inform",
            "DER",
            "-noout",
            "-fingerprint",
            "-sha256",
            "-in",
        ])
        .arg(path)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        output_text(&out)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let hex = text.trim().rsplit('=').next().unwrap_or_default();
    hex.replace(':', "").to_lowercase()
}

/// The SHA-256s of the certificates of a PEM bundle.
fn bundle_sha256s(path: &std::path::Path) -> BTreeSet<String> {
    let text = fs_err::read(path).expect("read bundle");
    pem::parse_many(text)
        .expect("parse bundle")
        .iter()
        .map(|block| hex_of(&sha2::Sha256::digest(block.contents())))
        .collect()
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_der_file_is_a_root_of_the_bundle() {
    if !have("openssl") {
        return;
    }
    let pki = PkiFiles::new();
    let tmp = tempfile::tempdir().expect("temp dir");
    let report = tmp.path().join("report.csv");
    fs_err::write(&report, fixture::report_csv(&fixture::roots())).expect("write report");
    let pem = tmp.path().join("bundle.pem");
    let der_dir = tmp.path().join("der");
    let manifest = tmp.path().join("manifest.json");
    let run = || {
        cabundle(&[
            "build",
            "--allow-small-report",
            "--as-of",
            "2026-01-01",
            "--report",
        ])
        .arg(&report)
        .arg("--add")
        .arg(pki.path("root.pem"))
        .arg("--pem")
        .arg(&pem)
        .arg("--der-dir")
        .arg(&der_dir)
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .expect("run cabundle")
    };
    // The second run replaces the directory the first wrote.
    for round in 0..2 {
        let out = run();
        assert!(out.status.success(), "{round}: {}", output_text(&out));
    }
    let mut from_files = BTreeSet::new();
    for entry in fs_err::read_dir(&der_dir).expect("read DER directory") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let sha = openssl_sha256(&path);
        assert!(name.ends_with(&format!("-{}.der", &sha[..16])), "{name}");
        assert_eq!(
            hex_of(&sha2::Sha256::digest(fs_err::read(&path).expect("read"))),
            sha
        );
        from_files.insert(sha);
    }
    let expected = bundle_sha256s(&pem);
    assert!(expected.len() > 1, "{expected:?}");
    assert_eq!(from_files, expected);

    let listed: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&manifest).expect("read manifest"))
            .expect("parse manifest");
    assert_eq!(
        listed["outputs"]["der_dir"]["size"],
        serde_json::json!(expected.len()),
        "{listed}"
    );

    // A file cabundle did not write stops the build, and nothing is replaced.
    fs_err::write(der_dir.join("corp.der"), b"mine").expect("write");
    let before = fs_err::read(&pem).expect("read bundle");
    fs_err::write(&pem, b"old").expect("write");
    let out = run();
    assert!(!out.status.success());
    assert!(
        output_text(&out).contains("corp.der"),
        "{}",
        output_text(&out)
    );
    assert_eq!(fs_err::read(&pem).expect("read bundle"), b"old");
    assert_ne!(before, b"old");
}
