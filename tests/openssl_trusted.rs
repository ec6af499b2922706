//! `cabundle build --openssl-trusted`: OpenSSL `TRUSTED CERTIFICATE` blocks that carry the
//! purpose as auxiliary trust. The real `openssl verify` accepts a chain to an included root
//! for the build's purpose and rejects the same root for another, and Python's `ssl` loads
//! the file.

mod fixture;
mod support;

use cabundle_testkit::PkiFiles;
use std::process::Command;
use support::{cabundle, have, output_text};

fn verify(
    ca_file: &std::path::Path,
    purpose: &str,
    pki: &PkiFiles,
    args: &[&str],
) -> (bool, String) {
    let out = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(ca_file)
        .args(["-purpose", purpose])
        .args(args.iter().map(|a| {
            if a.starts_with('-') {
                (*a).to_owned()
            } else {
                pki.arg(a)
            }
        }))
        .output()
        .expect("run openssl");
    (out.status.success(), output_text(&out))
}

#[test]
fn openssl_honours_the_purpose() {
    if !have("openssl") {
        return;
    }
    let pki = PkiFiles::new();
    let tmp = tempfile::tempdir().expect("temp dir");
    let report = tmp.path().join("report.csv");
    fs_err::write(&report, fixture::report_csv(&fixture::roots())).expect("write report");
    let trusted = tmp.path().join("trusted.pem");
    let plain = tmp.path().join("plain.pem");
    let manifest = tmp.path().join("manifest.json");
    let out = cabundle(&[
        "build",
        "--allow-small-report",
        "--as-of",
        "2026-01-01",
        "--report",
    ])
    .arg(&report)
    .arg("--add")
    .arg(pki.path("root.pem"))
    .arg("--openssl-trusted")
    .arg(&trusted)
    .arg("--pem")
    .arg(&plain)
    .arg("--manifest")
    .arg(&manifest)
    .output()
    .expect("run cabundle");
    assert!(out.status.success(), "{}", output_text(&out));
    let text = fs_err::read_to_string(&trusted).expect("read output");
    let blocks = text.matches("-----BEGIN TRUSTED CERTIFICATE-----").count();
    let plain_blocks = fs_err::read_to_string(&plain)
        .expect("read bundle")
        .matches("-----BEGIN CERTIFICATE-----")
        .count();
    assert_eq!(blocks, plain_blocks);
    assert!(!text.contains("-----BEGIN CERTIFICATE-----"));
    let listed = fs_err::read_to_string(&manifest).expect("read manifest");
    assert!(listed.contains("\"openssl_trusted\""), "{listed}");

    // (CA file, purpose, arguments, accepted)
    let cases = [
        (
            &trusted,
            "sslserver",
            &["-untrusted", "int.pem", "good.pem"][..],
            true,
        ),
        (&trusted, "smimesign", &["root.pem"][..], false),
        (&trusted, "sslserver", &["root.pem"][..], true),
        (&plain, "smimesign", &["root.pem"][..], true),
    ];
    for (ca_file, purpose, args, accepted) in cases {
        let (ok, text) = verify(ca_file, purpose, &pki, args);
        assert_eq!(
            ok,
            accepted,
            "{} -purpose {purpose} {args:?}: {text}",
            ca_file.display()
        );
        if !accepted {
            assert!(text.contains("certificate rejected"), "{text}");
        }
    }

    if have("python3") {
        let out = Command::new("python3")
            .args([
                "-c",
                "import ssl,sys; c=ssl.create_default_context(cafile=sys.argv[1]); print(len(c.get_ca_certs()))",
            ])
            .arg(&trusted)
            .output()
            .expect("run python3");
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            blocks.to_string()
        );
    }
}
