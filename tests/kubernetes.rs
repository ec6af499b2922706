//! `--trust-manager-package` and `--cluster-trust-bundle`: the files parse back as their
//! readers parse them, every certificate in them is one of the PEM bundle's and every one of
//! the bundle's is there, the readers' rules hold (trust-manager's package loader: a `.json`
//! file, a name and a version; the API server's `ClusterTrustBundle` validation: bare PEM
//! blocks, CA certificates only, no duplicates, the signer-name prefix), and two builds are
//! the same bytes.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use sha2::Digest as _;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::cabundle;
use yaml_rust2::{Yaml, YamlLoader};

fn report(dir: &Path) -> PathBuf {
    let report = dir.join("report.csv");
    std::fs::write(&report, fixture::report_csv(&fixture::roots())).unwrap();
    report
}

/// Runs `cabundle build` on `report` at `as_of` with `extra`, and returns its output.
fn build(report: &Path, as_of: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "build",
        "--allow-small-report",
        "--as-of",
        as_of,
        "--report",
        report.to_str().unwrap(),
    ];
    args.extend(extra);
    cabundle(&args).output().unwrap()
}

/// The SHA-256s of the certificates in `pem`, after checking that every PEM block is a
/// `CERTIFICATE` that parses, and that none is there twice.
fn certificates(pem: &str) -> BTreeSet<String> {
    let blocks = pem::parse_many(pem).unwrap();
    let mut out = BTreeSet::new();
    for block in &blocks {
        assert_eq!(block.tag(), "CERTIFICATE");
        let cert = cabundle_cert::read_certificates(&pem::encode(block).into_bytes()).unwrap();
        assert_eq!(cert.len(), 1);
        assert!(
            out.insert(cert[0].sha256.to_string()),
            "{} twice",
            cert[0].sha256
        );
    }
    out
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

fn ok(out: &std::process::Output) {
    assert!(out.status.success(), "{}", support::output_text(out));
}

#[test]
fn the_trust_manager_package_follows_the_loader_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let report = report(tmp.path());
    let mut bytes = Vec::new();
    for run in ["a", "b"] {
        let dir = tmp.path().join(run);
        let out = build(
            &report,
            "2026-11-23",
            &[
                "--pem",
                &path(&dir, "bundle.pem"),
                "--trust-manager-package",
                &path(&dir, "package.json"),
            ],
        );
        ok(&out);
        bytes.push(std::fs::read(dir.join("package.json")).unwrap());
    }
    assert_eq!(bytes[0], bytes[1], "two builds, the same bytes");

    let package: serde_json::Value = serde_json::from_slice(&bytes[0]).unwrap();
    let object = package.as_object().unwrap();
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    let bundle = package["bundle"].as_str().unwrap();
    assert_eq!(package["name"], "cabundle-tls");
    let hash = hex::encode(sha2::Sha256::digest(bundle.as_bytes()));
    assert_eq!(
        package["version"],
        format!("2026-11-23.{}", &hash[..8]).as_str()
    );
    let pem = std::fs::read_to_string(tmp.path().join("a/bundle.pem")).unwrap();
    let expected = certificates(&pem);
    assert!(!expected.is_empty());
    assert_eq!(certificates(bundle), expected);

    // A name and a version given are used as they are.
    let dir = tmp.path().join("named");
    let out = build(
        &report,
        "2026-11-23",
        &[
            "--trust-manager-package",
            &path(&dir, "p.json"),
            "--package-name",
            "corp-roots",
            "--package-version",
            "7",
        ],
    );
    ok(&out);
    let package: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("p.json")).unwrap()).unwrap();
    assert_eq!(package["name"], "corp-roots");
    assert_eq!(package["version"], "7");
}

#[test]
fn what_trust_manager_would_refuse_is_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let report = report(tmp.path());
    let cases: [(&[&str], &str); 3] = [
        (&["--trust-manager-package", "p.txt"], "ends in .json"),
        (
            &["--trust-manager-package", "p.json", "--package-name", ""],
            "may not be empty",
        ),
        (
            &["--trust-manager-package", "p.json", "--package-version", ""],
            "may not be empty",
        ),
    ];
    for (extra, expected) in cases {
        let out = cabundle(&[])
            .args([
                "build",
                "--allow-small-report",
                "--as-of",
                "2026-11-23",
                "--report",
                report.to_str().unwrap(),
            ])
            .args(extra)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let text = support::output_text(&out);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {text}");
        assert!(text.contains(expected), "{extra:?}: {text}");
        assert!(!tmp.path().join("p.json").exists() && !tmp.path().join("p.txt").exists());
    }
}

/// The `ClusterTrustBundle` in `yaml`, checked against the API server's rules; its name,
/// signer name and certificates.
fn cluster_trust_bundle(yaml: &str) -> (String, Option<String>, BTreeSet<String>) {
    let docs = YamlLoader::load_from_str(yaml).unwrap();
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(
        doc["apiVersion"].as_str(),
        Some("certificates.k8s.io/v1beta1")
    );
    assert_eq!(doc["kind"].as_str(), Some("ClusterTrustBundle"));
    let name = doc["metadata"]["name"].as_str().unwrap().to_owned();
    let signer = match &doc["spec"]["signerName"] {
        Yaml::BadValue => None,
        value => Some(value.as_str().unwrap().to_owned()),
    };
    let bundle = doc["spec"]["trustBundle"].as_str().unwrap();
    // Only PEM blocks: no headers, nothing between blocks.
    for line in bundle.lines() {
        assert!(
            line.starts_with("-----BEGIN CERTIFICATE-----")
                || line.starts_with("-----END CERTIFICATE-----")
                || line
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
            "{line:?}"
        );
    }
    for block in pem::parse_many(bundle).unwrap() {
        assert!(block.headers().iter().next().is_none());
        let cert = cabundle_cert::read_certificates(block.contents()).unwrap();
        assert!(cert[0].is_ca, "only CA certificates");
    }
    match &signer {
        Some(s) => assert!(name.starts_with(&format!("{}:", s.replace('/', ":")))),
        None => assert!(!name.contains(':')),
    }
    (name, signer, certificates(bundle))
}

#[test]
fn the_cluster_trust_bundle_follows_the_api_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let report = report(tmp.path());
    let dir = tmp.path();
    let out = build(
        &report,
        "2026-11-23",
        &[
            "--pem",
            &path(dir, "bundle.pem"),
            "--cluster-trust-bundle",
            &path(dir, "ctb.yaml"),
            "--manifest",
            &path(dir, "manifest.json"),
        ],
    );
    ok(&out);
    let expected = certificates(&std::fs::read_to_string(dir.join("bundle.pem")).unwrap());
    let yaml = std::fs::read_to_string(dir.join("ctb.yaml")).unwrap();
    let (name, signer, certs) = cluster_trust_bundle(&yaml);
    assert_eq!((name.as_str(), signer), ("cabundle-tls", None));
    assert_eq!(certs, expected);

    let out = build(
        &report,
        "2026-11-23",
        &[
            "--cluster-trust-bundle",
            &path(dir, "signed.yaml"),
            "--signer-name",
            "example.com/roots",
        ],
    );
    ok(&out);
    let yaml = std::fs::read_to_string(dir.join("signed.yaml")).unwrap();
    let (name, signer, certs) = cluster_trust_bundle(&yaml);
    assert_eq!(name, "example.com:roots:cabundle-tls");
    assert_eq!(signer.as_deref(), Some("example.com/roots"));
    assert_eq!(certs, expected);

    for (extra, expected) in [
        (
            ["--signer-name", "example.com/roots", "--ctb-name", "mine"],
            "must start with \"example.com:roots:\"",
        ),
        (["--ctb-name", "a:b", "--pem", "x.pem"], "may not hold ':'"),
        (["--signer-name", "roots", "--pem", "x.pem"], "DOMAIN/PATH"),
    ] {
        let out = cabundle(&[])
            .args([
                "build",
                "--allow-small-report",
                "--report",
                report.to_str().unwrap(),
                "--cluster-trust-bundle",
                "bad.yaml",
            ])
            .args(extra)
            .current_dir(dir)
            .output()
            .unwrap();
        let text = support::output_text(&out);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {text}");
        assert!(text.contains(expected), "{extra:?}: {text}");
        assert!(!dir.join("bad.yaml").exists());
    }
}

/// On a real report every root is a CA, so the resource builds, and both files carry exactly
/// the bundle's certificates.
#[test]
fn a_real_report_gives_both_files() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let report = data.join("IncludedCACertificateReportPEMCSV-2026-05-01.csv");
    if !report.is_file() {
        eprintln!("notice: {} missing; skipping", report.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = build(
        &report,
        "2026-05-01",
        &[
            "--pem",
            &path(dir, "bundle.pem"),
            "--cluster-trust-bundle",
            &path(dir, "ctb.yaml"),
            "--trust-manager-package",
            &path(dir, "package.json"),
        ],
    );
    ok(&out);
    let expected = certificates(&std::fs::read_to_string(dir.join("bundle.pem")).unwrap());
    assert!(expected.len() > 100, "{}", expected.len());
    let (_, _, certs) =
        cluster_trust_bundle(&std::fs::read_to_string(dir.join("ctb.yaml")).unwrap());
    assert_eq!(certs, expected);
    let package: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("package.json")).unwrap()).unwrap();
    assert_eq!(certificates(package["bundle"].as_str().unwrap()), expected);
}
