//! End-to-end tests of `cabundle inspect`, checked against the real `openssl` CLI.

mod support;

use cabundle_testkit::der::{StringType, name_simple, oid, string, trusted_certificate};
use cabundle_testkit::{Pki, cert_with_names, crl_with_issuer, pem};
use std::path::Path;
use std::process::Output;
use support::{cabundle, have};

fn write(dir: &Path, file: &str, bytes: &[u8]) -> String {
    let path = dir.join(file);
    std::fs::write(&path, bytes).expect("write fixture");
    path.to_str().expect("utf-8 path").to_owned()
}

fn run(args: &[&str]) -> Output {
    cabundle(args).output().expect("run cabundle")
}

fn json(args: &[&str]) -> Vec<serde_json::Value> {
    let out = run(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON array")
}

/// `openssl x509 -noout <flag>` on a PEM file, one line of output per flag.
fn openssl_x509(path: &str, flags: &[&str]) -> Vec<String> {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-in", path])
        .args(flags)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn json_matches_openssl() {
    if !have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let subject = name_simple(&[
        (oid::C, string(StringType::Printable, "US")),
        (oid::O, string(StringType::T61, "Caf\u{e9}  Example")),
        (oid::CN, string(StringType::Bmp, "  Inspect ROOT  ")),
    ]);
    let issuer = name_simple(&[(oid::CN, string(StringType::Utf8, "Issuer"))]);
    // A serial with the top bit set keeps its 00 sign byte in our output.
    let cert = cert_with_names(&subject, &issuer, 0x8000_0000_0000_00ff);
    let pki = Pki::new();
    let cases = [
        write(
            dir.path(),
            "corpus.pem",
            pem("CERTIFICATE", &cert).as_bytes(),
        ),
        write(dir.path(), "root.pem", pki.root.pem.as_bytes()),
        write(dir.path(), "leaf.pem", pki.leaf.pem.as_bytes()),
    ];
    for path in &cases {
        let entries = json(&["inspect", "--json", path]);
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        let expected = openssl_x509(
            path,
            &[
                "-subject_hash",
                "-subject_hash_old",
                "-issuer_hash",
                "-serial",
                "-fingerprint",
                "-sha256",
            ],
        );
        let serial = e["serial"].as_str().expect("serial");
        let fingerprint = e["sha256"]
            .as_str()
            .expect("sha256")
            .to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(":");
        let ours = vec![
            e["subject_hash"].as_str().expect("hash").to_owned(),
            e["subject_hash_old"].as_str().expect("old hash").to_owned(),
            e["issuer_hash"].as_str().expect("issuer hash").to_owned(),
            format!("serial={}", serial.strip_prefix("00").unwrap_or(serial)),
            format!("sha256 Fingerprint={fingerprint}"),
        ];
        let expected: Vec<String> = expected
            .into_iter()
            .map(|l| l.replacen("SHA256", "sha256", 1))
            .collect();
        assert_eq!(ours, expected, "{path}");
        assert_eq!(e["file"], path.as_str());
        assert_eq!(e["index"], 0);
        assert_eq!(e["kind"], "certificate");
        for key in [
            "subject",
            "issuer",
            "not_before",
            "not_after",
            "sha1",
            "key",
            "is_ca",
        ] {
            assert!(!e[key].is_null(), "{key} missing in {e}");
        }
    }
    let corpus = &json(&["inspect", "--json", &cases[0]])[0];
    assert_eq!(corpus["serial"], "0080000000000000FF");
    assert_eq!(
        corpus["subject"],
        "CN=\\  Inspect ROOT \\ , O=Caf\u{e9}  Example, C=US"
    );
    assert_eq!(corpus["not_before"], "2020-01-01T00:00:00Z");
    assert_eq!(corpus["not_after"], "2049-12-31T23:59:59Z");
    assert_eq!(corpus["key"]["algorithm"], "Ed25519");
    assert_eq!(corpus["is_ca"], true);
    let leaf = &json(&["inspect", "--json", &cases[2]])[0];
    assert_eq!(leaf["is_ca"], false);
    assert_eq!(leaf["key"]["curve"], "P-256");
}

#[test]
fn many_objects_in_many_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::new();
    let crl = pki.root_crl(&[&pki.intermediate]);
    let bundle = format!(
        "# a bundle with comments\r\n{}\r\n{}",
        pki.root.pem.replace('\n', "  \r\n"),
        pem(
            "TRUSTED CERTIFICATE",
            &trusted_certificate(&pki.intermediate.der)
        )
    );
    let bundle = write(dir.path(), "bundle.pem", bundle.as_bytes());
    let der = write(dir.path(), "leaf.der", &pki.leaf.der);
    let crl_der = write(dir.path(), "root.crl", &crl);
    let crl_pem = write(
        dir.path(),
        "other.crl",
        pem("X509 CRL", &crl_with_issuer(&name_simple(&[]))).as_bytes(),
    );
    let entries = json(&["inspect", "--json", &bundle, &der, &crl_der, &crl_pem]);
    let summary: Vec<(String, u64, String)> = entries
        .iter()
        .map(|e| {
            (
                e["file"]
                    .as_str()
                    .expect("file")
                    .rsplit('/')
                    .next()
                    .expect("name")
                    .to_owned(),
                e["index"].as_u64().expect("index"),
                e["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("bundle.pem", 0, "certificate"),
        ("bundle.pem", 1, "certificate"),
        ("leaf.der", 0, "certificate"),
        ("root.crl", 0, "crl"),
        ("other.crl", 0, "crl"),
    ];
    let expected: Vec<(String, u64, String)> = expected
        .iter()
        .map(|(f, i, k)| ((*f).to_owned(), *i, (*k).to_owned()))
        .collect();
    assert_eq!(summary, expected);
    assert_eq!(entries[3]["issuer_hash"], entries[0]["subject_hash"]);
    assert_eq!(entries[4]["issuer_hash"], "eea339da");
    assert_eq!(
        entries[1]["subject"],
        "CN=cabundle Test Intermediate CA, O=cabundle tests, C=XX"
    );

    let out = run(&["inspect", &bundle, &crl_der]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "bundle.pem #0: certificate",
        "bundle.pem #1: certificate",
        "root.crl #0: CRL",
        "  subject       CN=cabundle Test Root CA, O=cabundle tests, C=XX",
        "  not after     2049-12-31T23:59:59Z",
        "  key           EC P-256 (256 bits)",
        "  CA            yes",
        "  next update   2049-12-31T23:59:59Z",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn bad_files_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::new();
    let good = write(dir.path(), "good.pem", pki.root.pem.as_bytes());
    let truncated = pki.root.pem.lines().take(4).collect::<Vec<_>>().join("\n");
    let check = |file: &str, bytes: Option<&[u8]>, reason: &str| {
        let path = match bytes {
            Some(b) => write(dir.path(), file, b),
            None => dir.path().join(file).to_str().expect("utf-8").to_owned(),
        };
        let out = run(&["inspect", &good, &path]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.trim_end(),
            format!("error: {path}: {reason}"),
            "{file}"
        );
        // The good file is still shown.
        assert!(String::from_utf8_lossy(&out.stdout).contains("good.pem #0"));
    };
    check(
        "truncated.pem",
        Some(truncated.as_bytes()),
        "invalid PEM block 0 (CERTIFICATE): no END line (truncated?)",
    );
    check("empty.pem", Some(b""), "no certificate or CRL found");
    check("text.pem", Some(b"hello\n"), "no certificate or CRL found");
    check("missing.pem", None, "no such file");
    check(
        "bad64.pem",
        Some(b"-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n"),
        "invalid PEM block 0 (CERTIFICATE): invalid base64: invalid character '*' at offset 3",
    );
}

#[test]
fn help_has_an_example() {
    let out = run(&["inspect", "--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Examples:\n  cabundle inspect"), "{text}");
    assert!(text.contains("--json"));
    assert_eq!(run(&["inspect"]).status.code(), Some(2));
}

#[test]
fn reads_standard_input() {
    use std::io::Write;
    let pki = Pki::new();
    let mut child = cabundle(&["inspect", "--json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run cabundle");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&pki.root.der)
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["file"], "-");
    assert_eq!(
        entries[0]["subject"],
        "CN=cabundle Test Root CA, O=cabundle tests, C=XX"
    );
}

/// A UTF-8 byte order mark before the PEM text (as Windows editors write it) is accepted, as
/// OpenSSL and Python accept it; the same certificates come out, and OpenSSL agrees.
#[test]
fn accepts_a_utf8_bom_before_pem() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bom.pem");
    let text = format!("\u{feff}{}", pki.chain_pem().replace('\n', "\r\n"));
    std::fs::write(&file, &text).expect("write");
    let out = cabundle(&["inspect", "--json"])
        .arg(&file)
        .output()
        .expect("run cabundle");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let chain = cabundle_cert::read_certificates(pki.chain_pem().as_bytes()).expect("chain");
    assert_eq!(entries.len(), chain.len());
    for (entry, cert) in entries.iter().zip(&chain) {
        assert_eq!(entry["sha256"], cert.sha256.to_string());
    }
    if have("openssl") {
        let openssl = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(&file)
            .output()
            .expect("openssl x509");
        assert!(openssl.status.success());
    }
}

/// The pin of `path`'s certificate as curl's documentation computes it: the public key in DER,
/// its SHA-256, in base64.
fn openssl_pin(path: &str) -> String {
    let script = format!(
        "openssl x509 -in '{path}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | openssl base64 -A"
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "{out:?}");
    format!("sha256//{}", String::from_utf8_lossy(&out.stdout).trim())
}

#[test]
fn pins_match_openssls_public_key_digest() {
    if !have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = Pki::new();
    let root = write(dir.path(), "root.pem", pki.root.pem.as_bytes());
    let leaf = write(dir.path(), "leaf.pem", pki.leaf.pem.as_bytes());
    for path in [&root, &leaf] {
        let want = openssl_pin(path);
        let entries = json(&["inspect", "--json", path]);
        assert_eq!(entries[0]["spki_pin"], want.as_str());
        let out = run(&["inspect", "--pins", path]);
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(line.starts_with(&format!("{want}  CN=")), "{line}");
        assert_eq!(line.lines().count(), 1, "{line}");
        let out = run(&["inspect", path]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("  SPKI pin      {want}\n")),
            "{out:?}"
        );
    }
}
