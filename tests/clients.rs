//! Real clients trust what `cabundle build` writes: a TLS-inspection proxy's root added with
//! `--add` lets `openssl s_client -CApath`, `curl --cacert` and Python `requests` verify a
//! loopback `openssl s_server` whose chain ends at that root; without `--add` each of them
//! fails with "unable to get local issuer certificate".
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{NULL_DEVICE, Server};

/// The proxy's PKI: a root, and a server certificate for 127.0.0.1 it signed.
struct ProxyPki {
    root_pem: String,
    leaf_pem: String,
    leaf_key_pem: String,
}

fn proxy_pki() -> ProxyPki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let root_key = KeyPair::generate().unwrap();
    let mut root = CertificateParams::new(Vec::<String>::new()).unwrap();
    root.distinguished_name
        .push(DnType::OrganizationName, "Example Corp");
    root.distinguished_name
        .push(DnType::CommonName, "Example Corp TLS Inspection Root");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let root_cert = root.self_signed(&root_key).unwrap();
    let issuer = Issuer::new(root, root_key);

    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    ProxyPki {
        root_pem: root_cert.pem(),
        leaf_pem: leaf_cert.pem(),
        leaf_key_pem: leaf_key.serialize_pem(),
    }
}

fn start_server(dir: &Path, pki: &ProxyPki) -> Server {
    let cert = dir.join("server.pem");
    let key = dir.join("server.key");
    std::fs::write(&cert, &pki.leaf_pem).unwrap();
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    Server::start(&cert, &key, None)
}

struct Outputs {
    pem: PathBuf,
    capath: PathBuf,
}

fn build(dir: &Path, name: &str, add: Option<&Path>) -> Outputs {
    let report = dir.join("report.csv");
    if !report.exists() {
        std::fs::write(&report, fixture::report_csv(&fixture::roots())).unwrap();
    }
    let pem = dir.join(format!("{name}.pem"));
    let capath = dir.join(format!("{name}-certs"));
    let mut args = vec![
        "build".to_owned(),
        "--allow-small-report".to_owned(),
        "--report".to_owned(),
        report.display().to_string(),
        "--as-of".to_owned(),
        "2026-11-23".to_owned(),
        "--pem".to_owned(),
        pem.display().to_string(),
        "--capath".to_owned(),
        capath.display().to_string(),
    ];
    if let Some(add) = add {
        args.push("--add".to_owned());
        args.push(add.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = support::cabundle(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Outputs { pem, capath }
}

/// Runs a client with a time limit; returns (success, stdout + stderr).
fn client(cmd: &mut Command) -> (bool, String) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            return (status.success(), text);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("client timed out: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

const UNABLE: &str = "unable to get local issuer certificate";

#[test]
fn clients_trust_the_added_proxy_root_and_only_with_it() {
    if !support::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = proxy_pki();
    let root_file = dir.path().join("proxy-root.pem");
    std::fs::write(&root_file, &pki.root_pem).unwrap();
    let with = build(dir.path(), "with", Some(&root_file));
    let without = build(dir.path(), "without", None);
    let server = start_server(dir.path(), &pki);
    let url = format!("https://127.0.0.1:{}/", server.port);
    let connect = format!("127.0.0.1:{}", server.port);

    // openssl s_client with the hashed directory.
    let s_client = |capath: &Path| {
        client(
            Command::new("openssl")
                .args([
                    "s_client",
                    "-connect",
                    &connect,
                    "-verify_return_error",
                    "-CApath",
                ])
                .arg(capath)
                .args(["-verify_ip", "127.0.0.1"]),
        )
    };
    let (ok, text) = s_client(&with.capath);
    assert!(ok, "s_client with --add: {text}");
    assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
    let (ok, text) = s_client(&without.capath);
    assert!(!ok, "s_client without --add: {text}");
    assert!(text.contains(UNABLE), "{text}");

    // curl with the PEM bundle.
    if support::have("curl") {
        let curl = |pem: &Path| {
            client(
                Command::new("curl")
                    .args(["-sS", "-o", NULL_DEVICE, "--cacert"])
                    .arg(pem)
                    .arg(&url),
            )
        };
        let (ok, text) = curl(&with.pem);
        assert!(ok, "curl with --add: {text}");
        let (ok, text) = curl(&without.pem);
        assert!(!ok, "curl without --add: {text}");
        assert!(text.contains(UNABLE), "{text}");
    }

    // Python requests with the PEM bundle.
    if support::have(support::PYTHON) {
        let script = "import sys, requests\n\
try:\n    r = requests.get(sys.argv[1], verify=sys.argv[2], timeout=20)\n    print('status', r.status_code)\n\
except requests.exceptions.SSLError as e:\n    print(e)\n    sys.exit(1)\n";
        let python = |pem: &Path| {
            client(
                Command::new(support::PYTHON)
                    .args(["-c", script, &url])
                    .arg(pem),
            )
        };
        let (ok, text) = python(&with.pem);
        assert!(ok, "requests with --add: {text}");
        assert!(text.contains("status 200"), "{text}");
        let (ok, text) = python(&without.pem);
        assert!(!ok, "requests without --add: {text}");
        assert!(text.contains(UNABLE), "{text}");
    }
    drop(server);
}
