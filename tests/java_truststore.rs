//! `cabundle build --java-truststore`: a PKCS#12 truststore the real `keytool` lists with
//! every root of the bundle as a `trustedCertEntry` under its lower-case label, whose MAC
//! checks with the password given (and fails with another), and whose bytes are the same on
//! every build. A real Java TLS client (`javax.net.ssl`) given the truststore verifies a
//! loopback `openssl s_server` whose chain ends at a root added with `--add`, and fails with a
//! truststore built without it.

mod fixture;
mod support;

use cabundle_testkit::PkiFiles;
use std::process::Command;
use support::{Server, cabundle, have, output_text};

/// A one-file Java client: fetches `https://127.0.0.1:PORT/` with the JVM's default trust
/// (the system properties), exit 0 when the handshake verifies.
const CLIENT: &str = r#"
public class Client {
    public static void main(String[] args) throws Exception {
        var url = new java.net.URL("https://127.0.0.1:" + args[0] + "/");
        var conn = (javax.net.ssl.HttpsURLConnection) url.openConnection();
        conn.setConnectTimeout(10000);
        conn.setReadTimeout(10000);
        conn.getInputStream().close();
        System.out.println("verified");
    }
}
"#;

fn keytool_list(store: &std::path::Path, password: &str) -> (bool, String) {
    let out = Command::new("keytool")
        .args([
            "-list",
            "-storetype",
            "PKCS12",
            "-storepass",
            password,
            "-keystore",
        ])
        .arg(store)
        .output()
        .expect("run keytool");
    (out.status.success(), output_text(&out))
}

#[test]
fn keytool_lists_every_root_as_trusted() {
    if !have("keytool") {
        return;
    }
    let pki = PkiFiles::new();
    let tmp = tempfile::tempdir().expect("temp dir");
    let report = tmp.path().join("report.csv");
    fs_err::write(&report, fixture::report_csv(&fixture::roots())).expect("write report");
    let pem = tmp.path().join("bundle.pem");
    let manifest = tmp.path().join("manifest.json");
    let build = |store: &std::path::Path, password: Option<&str>| {
        let mut cmd = cabundle(&[
            "build",
            "--allow-small-report",
            "--as-of",
            "2026-01-01",
            "--report",
        ]);
        cmd.arg(&report)
            .arg("--add")
            .arg(pki.path("root.pem"))
            .arg("--pem")
            .arg(&pem)
            .arg("--manifest")
            .arg(&manifest)
            .arg("--java-truststore")
            .arg(store);
        if let Some(password) = password {
            cmd.args(["--java-storepass", password]);
        }
        let out = cmd.output().expect("run cabundle");
        assert!(out.status.success(), "{}", output_text(&out));
        fs_err::read(store).expect("read truststore")
    };
    let first = build(&tmp.path().join("a.p12"), None);
    let second = build(&tmp.path().join("b.p12"), None);
    assert_eq!(first, second, "two builds give the same bytes");

    let roots = fs_err::read_to_string(&pem)
        .expect("read bundle")
        .matches("-----BEGIN CERTIFICATE-----")
        .count();
    assert!(roots > 1);
    let (ok, listed) = keytool_list(&tmp.path().join("a.p12"), "changeit");
    assert!(ok, "{listed}");
    assert_eq!(
        listed.matches("trustedCertEntry").count(),
        roots,
        "{listed}"
    );
    assert!(
        listed.contains(&format!("contains {roots} entries")),
        "{listed}"
    );
    let labels = fs_err::read_to_string(&manifest).expect("read manifest");
    let labels: serde_json::Value = serde_json::from_str(&labels).expect("parse manifest");
    for included in labels["included"].as_array().expect("included") {
        let label = included["label"].as_str().expect("label").to_lowercase();
        assert!(listed.contains(&format!("{label}, ")), "{label}: {listed}");
    }
    assert!(labels["outputs"]["java_truststore"]["sha256"].is_string());

    // (password given to cabundle, password given to keytool, accepted)
    let cases = [
        (Some("s3cret pass"), "s3cret pass", true),
        (Some("s3cret pass"), "changeit", false),
        (None, "wrong", false),
    ];
    for (i, (built_with, listed_with, accepted)) in cases.into_iter().enumerate() {
        let store = tmp.path().join(format!("case{i}.p12"));
        build(&store, built_with);
        let (ok, text) = keytool_list(&store, listed_with);
        assert_eq!(ok, accepted, "{built_with:?} {listed_with}: {text}");
    }
}

#[test]
fn a_java_client_verifies_a_server_with_the_added_root() {
    if !have("java") || !have("openssl") {
        return;
    }
    let pki = cabundle_testkit::Pki::new();
    let tmp = tempfile::tempdir().expect("temp dir");
    let p = tmp.path();
    let report = p.join("report.csv");
    fs_err::write(&report, fixture::report_csv(&fixture::roots())).expect("write report");
    fs_err::write(p.join("root.pem"), &pki.root.pem).expect("write root");
    fs_err::write(p.join("leaf.pem"), &pki.leaf.pem).expect("write leaf");
    fs_err::write(p.join("leaf.key"), &pki.leaf.key_pem).expect("write key");
    fs_err::write(p.join("chain.pem"), &pki.intermediate.pem).expect("write chain");
    fs_err::write(p.join("Client.java"), CLIENT).expect("write client");
    for (store, add) in [("with.p12", true), ("without.p12", false)] {
        let mut cmd = cabundle(&[
            "build",
            "--allow-small-report",
            "--as-of",
            "2026-01-01",
            "--report",
        ]);
        cmd.arg(&report).arg("--java-truststore").arg(p.join(store));
        if add {
            cmd.arg("--add").arg(p.join("root.pem"));
        }
        let out = cmd.output().expect("run cabundle");
        assert!(out.status.success(), "{}", output_text(&out));
    }
    let server = Server::start(
        &p.join("leaf.pem"),
        &p.join("leaf.key"),
        Some(&p.join("chain.pem")),
    );
    for (store, verified) in [("with.p12", true), ("without.p12", false)] {
        let out = Command::new("java")
            .arg(format!(
                "-Djavax.net.ssl.trustStore={}",
                p.join(store).display()
            ))
            .arg("-Djavax.net.ssl.trustStorePassword=changeit")
            .arg("-Djavax.net.ssl.trustStoreType=PKCS12")
            .arg(p.join("Client.java"))
            .arg(server.port.to_string())
            .output()
            .expect("run java");
        let text = output_text(&out);
        assert_eq!(out.status.success(), verified, "{store}: {text}");
        if !verified {
            assert!(
                text.contains("PKIX path building failed"),
                "{store}: {text}"
            );
        }
    }
}
