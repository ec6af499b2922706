//! `--p11-kit DIR`: p11-kit's own `trust` tool, given the directory as its only source, lists
//! every root of the bundle as an anchor, extracts for server authentication exactly the PEM
//! bundle's certificates and for e-mail none (the purpose staples an extended key usage), and
//! reads Mozilla's distrust-after dates.
//!
//! p11-kit reads its module configuration from the system, and ignores the user's when run as
//! root; so as root the tool runs in a private mount namespace (`unshare -m`) with a tmpfs over
//! the module directory holding a configuration that names the test's directory, and the
//! machine's own files are never touched. As another user, the user configuration under a
//! temporary `HOME` does the same.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use support::cabundle;

/// The system's p11-kit module directory, hidden under a tmpfs in the namespace.
const SYSTEM_MODULES: &str = "/usr/share/p11-kit/modules";

/// A configuration for p11-kit's trust module reading only `dir`.
fn module_config(dir: &Path) -> String {
    format!(
        "module: p11-kit-trust.so\ntrust-policy: yes\nx-init-reserved: paths={}\n",
        dir.display()
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Runs `trust ARGS` with `dir` as its only source; `home` is a scratch folder.
fn trust(dir: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    let config = module_config(dir);
    if is_root() {
        let script = format!(
            "set -e; mount -t tmpfs cabundle-test {SYSTEM_MODULES}; printf '%s' \"$1\" > {SYSTEM_MODULES}/p11-kit-trust.module; shift; exec trust \"$@\""
        );
        Command::new("unshare")
            .args([
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                &script,
                "sh",
            ])
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    } else {
        let modules = home.join(".config/pkcs11/modules");
        std::fs::create_dir_all(&modules).unwrap();
        std::fs::write(modules.join("p11-kit-trust.module"), config).unwrap();
        Command::new("trust")
            .args(args)
            .env("HOME", home)
            .output()
            .unwrap()
    }
}

/// The SHA-256s of the certificates in a PEM file.
fn certificates(path: &Path) -> BTreeSet<String> {
    let bytes = std::fs::read(path).unwrap_or_default();
    cabundle_cert::read_certificates(&bytes)
        .unwrap()
        .iter()
        .map(|c| c.sha256.to_string())
        .collect()
}

#[test]
fn p11_kit_reads_every_root_as_an_anchor_for_the_purpose() {
    if !support::have("trust") || !support::have("unshare") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let report = d.join("report.csv");
    std::fs::write(&report, fixture::report_csv(&fixture::roots())).unwrap();
    let store = d.join("p11");
    let out = cabundle(&[
        "build",
        "--allow-small-report",
        "--as-of",
        "2026-11-23",
        "--report",
        report.to_str().unwrap(),
        "--pem",
        d.join("bundle.pem").to_str().unwrap(),
        "--p11-kit",
        store.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", support::output_text(&out));
    let expected = certificates(&d.join("bundle.pem"));
    let files = std::fs::read_dir(&store).unwrap().count();
    assert_eq!(files, expected.len(), "one file per root");

    let home = d.join("home");
    let listed = trust(&store, &home, &["list", "--filter=ca-anchors"]);
    let text = support::output_text(&listed);
    assert!(listed.status.success(), "{text}");
    assert_eq!(
        text.matches("trust: anchor").count(),
        expected.len(),
        "every root an anchor: {text}"
    );

    let server = d.join("server.pem");
    let out = trust(
        &store,
        &home,
        &[
            "extract",
            "--format=pem-bundle",
            "--filter=ca-anchors",
            "--purpose=server-auth",
            server.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", support::output_text(&out));
    assert_eq!(certificates(&server), expected);

    // Trusted for the build's purpose only.
    let email = d.join("email.pem");
    let out = trust(
        &store,
        &home,
        &[
            "extract",
            "--format=pem-bundle",
            "--filter=ca-anchors",
            "--purpose=email",
            email.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", support::output_text(&out));
    assert!(certificates(&email).is_empty());

    // Gamma is distrusted for TLS after 2026-01-01 (in its grace period at the build's date),
    // Theta for S/MIME after 2023-01-01: p11-kit reads both dates.
    let dump = trust(&store, &home, &["dump", "--filter=ca-anchors"]);
    let text = support::output_text(&dump);
    assert!(dump.status.success(), "{text}");
    let object = |label: &str| -> String {
        text.split("[p11-kit-object-v1]")
            .find(|o| o.contains("BEGIN CERTIFICATE") && o.contains(label))
            .unwrap_or_else(|| panic!("{label} in {text}"))
            .to_owned()
    };
    assert!(
        object("Gamma").contains("nss-server-distrust-after: \"260101000000Z\""),
        "{}",
        object("Gamma")
    );
    assert!(
        object("Theta").contains("nss-email-distrust-after: \"230101000000Z\""),
        "{}",
        object("Theta")
    );
    assert!(!object("Alpha").contains("distrust-after: \"2"));
}

/// On a real report: every root is read as an anchor and extracted for server authentication,
/// exactly the PEM bundle's certificates, and the roots Mozilla gave a TLS distrust-after date
/// carry it.
#[test]
fn a_real_report_is_read_back_whole() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let report = data.join("IncludedCACertificateReportPEMCSV-2026-05-01.csv");
    if !report.is_file() {
        eprintln!("notice: {} missing; skipping", report.display());
        return;
    }
    if !support::have("trust") || !support::have("unshare") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let store = d.join("p11");
    let out = cabundle(&[
        "build",
        "--as-of",
        "2026-05-01",
        "--report",
        report.to_str().unwrap(),
        "--pem",
        d.join("bundle.pem").to_str().unwrap(),
        "--p11-kit",
        store.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", support::output_text(&out));
    let expected = certificates(&d.join("bundle.pem"));
    assert!(expected.len() > 100, "{}", expected.len());
    let server = d.join("server.pem");
    let home = d.join("home");
    let out = trust(
        &store,
        &home,
        &[
            "extract",
            "--format=pem-bundle",
            "--filter=ca-anchors",
            "--purpose=server-auth",
            server.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", support::output_text(&out));
    assert_eq!(certificates(&server), expected);
    let dated = std::fs::read_dir(&store)
        .unwrap()
        .filter(|e| {
            std::fs::read_to_string(e.as_ref().unwrap().path())
                .unwrap()
                .contains("nss-server-distrust-after: ")
        })
        .count();
    assert!(
        dated > 0,
        "the report has a root distrusted for TLS after a later date"
    );
    let dump = trust(&store, &home, &["dump", "--filter=ca-anchors"]);
    let text = support::output_text(&dump);
    assert_eq!(text.matches("nss-server-distrust-after: \"").count(), dated);
}
