//! What the real clients do with two chains cabundle used to judge wrongly (issue 18), served
//! by a loopback `openssl s_server`, each client given the test's root through the variable
//! it reads:
//!
//! - an intermediate whose critical keyUsage lacks keyCertSign: curl, Python `ssl`, Python
//!   `requests`, Node and `openssl s_client -verify_return_error` refuse it, and so do
//!   `cabundle verify`, `probe` and `doctor`, naming keyUsage;
//! - a leaf for `localhost` in its common name only (no subjectAltName): the same clients
//!   accept it but `requests` on urllib3 2, and so do `cabundle verify` and `probe` (exit 0),
//!   with a note that browsers, rustls and urllib3 2 refuse it; `doctor` judges each client
//!   as it behaves;
//! - a self-signed copy of the intermediate sent before it: OpenSSL takes the copy and does
//!   not go back, so the clients built on it refuse the chain; cabundle's search goes past
//!   it and finds the path others accept, and `verify` and `probe` give OpenSSL's verdict
//!   (exit 1) naming the dead end, who accepts and who refuses, and `doctor` judges each
//!   client as it behaves.
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod localhost;
mod support;

use localhost::{
    INT_CN, Pki, Variant, borrowed, client, doctor, every_client_at, in_env, requests_get, run,
    s_client,
};
use std::ffi::OsString;
use support::{NULL_DEVICE, PYTHON, cabundle, have, output_text};

/// Node fetches the URL given after the script.
const NODE_GET: &str = "require('https').get(process.argv[1], (r) => { r.resume(); r.on('end', () => process.exit(0)); }).on('error', (e) => { console.error(e.message); process.exit(1); });";

/// Each real client that is installed, run against `url` (and `port` for s_client) with
/// `vars`: (name as doctor names it, accepted, what it said).
fn real_clients(
    url: &str,
    port: u16,
    vars: &[(&str, OsString)],
) -> Vec<(&'static str, bool, String)> {
    let mut real = Vec::new();
    let (ok, said) = s_client(port, vars);
    real.push(("openssl", ok, said));
    if have("curl") {
        let (ok, said) = run(in_env("curl", vars).args(["-sS", "-o", NULL_DEVICE, url]));
        real.push(("curl", ok, said));
    }
    if have(PYTHON) {
        let (ok, said) = run(in_env(PYTHON, vars)
            .args([
                "-c",
                "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)",
            ])
            .arg(url));
        real.push(("python-ssl", ok, said));
        let (has_requests, _) = run(in_env(PYTHON, vars).args(["-c", "import requests"]));
        if has_requests {
            let (ok, said) = requests_get(url, vars);
            real.push(("python-requests", ok, said));
        }
    }
    if have("node") {
        let (ok, said) = run(in_env("node", vars).args(["-e", NODE_GET, url]));
        real.push(("node", ok, said));
    }
    real
}

/// `cabundle verify` of the chain and `cabundle probe` of the server, against the root:
/// (exit code, what it said) of each.
fn verify_and_probe(pki: &Pki, port: u16) -> [(i32, String); 2] {
    let run_cabundle = |args: &[&str]| {
        let out = cabundle(args).output().unwrap();
        (out.status.code().unwrap(), output_text(&out))
    };
    let root = pki.path("root.pem").display().to_string();
    let chain = pki.path("chain.pem").display().to_string();
    let target = format!("localhost:{port}");
    [
        run_cabundle(&[
            "verify",
            &chain,
            "--bundle",
            &root,
            "--hostname",
            "localhost",
        ]),
        run_cabundle(&["probe", &target, "--bundle", &root]),
    ]
}

#[test]
fn an_intermediate_without_cert_sign_is_refused_by_every_client_and_by_cabundle() {
    if !have("openssl") {
        return;
    }
    let pki = Pki::with(Variant::IntermediateWithoutCertSign);
    let server = pki.serve();
    let owned = every_client_at(&pki.path("root.pem"));
    let vars = borrowed(&owned);
    let url = format!("https://localhost:{}/", server.port);

    let real = real_clients(&url, server.port, &vars);
    for (name, ok, said) in &real {
        assert!(!ok, "{name} should refuse the intermediate: {said}");
    }
    let (_, _, said) = &real[0];
    assert!(
        said.contains("key usage does not include certificate signing")
            || said.contains("invalid CA certificate"),
        "openssl s_client: {said}"
    );

    for (code, said) in verify_and_probe(&pki, server.port) {
        assert_eq!(code, 1, "{said}");
        assert!(
            said.contains("CA not usable as issuer because of keyUsage") && said.contains(INT_CN),
            "{said}"
        );
        assert!(!said.contains("missing intermediate"), "{said}");
        support::assert_problem_count(&said);
    }

    let (code, json) = doctor(&[&format!("localhost:{}", server.port)], &vars);
    assert_eq!(code, 1, "{json:#}");
    for (name, _, said) in &real {
        let entry = client(&json, name);
        if entry["verdict"] == "unknown" {
            continue;
        }
        assert_eq!(entry["verdict"], "fails", "{name} ({said}): {entry:#}");
        let reason = entry["reason"].as_str().unwrap();
        assert!(reason.contains("keyUsage"), "{name}: {reason}");
    }
}

#[test]
fn a_common_name_only_leaf_is_accepted_by_openssl_based_clients_with_a_note() {
    if !have("openssl") {
        return;
    }
    let pki = Pki::with(Variant::CommonNameOnly);
    let server = pki.serve();
    let owned = every_client_at(&pki.path("root.pem"));
    let vars = borrowed(&owned);
    let url = format!("https://localhost:{}/", server.port);

    let real = real_clients(&url, server.port, &vars);
    for (name, ok, said) in &real {
        // urllib3 2, under requests, never reads the common name; doctor knows it (below).
        if *name != "python-requests" {
            assert!(ok, "{name} should accept the common name: {said}");
        }
    }

    for (code, said) in verify_and_probe(&pki, server.port) {
        assert_eq!(code, 0, "{said}");
        assert!(said.contains("verified: "), "{said}");
        assert!(
            said.contains("note: common name only")
                && said.contains("OpenSSL-based clients")
                && said.contains("but browsers, rustls and urllib3 2 (Python requests) refuse"),
            "{said}"
        );
    }

    let (code, json) = doctor(&[&format!("localhost:{}", server.port)], &vars);
    for (name, ok, said) in &real {
        let entry = client(&json, name);
        if entry["verdict"] == "unknown" {
            continue;
        }
        let verdict = if *ok { "ok" } else { "fails" };
        assert_eq!(entry["verdict"], verdict, "{name} ({said}): {entry:#}");
        let note = entry["note"].as_str().unwrap_or_default();
        assert!(note.contains("browsers, rustls"), "{name}: {entry:#}");
    }
    // Java reads no variable, so its own store lacks the test's root; requests refuses the
    // common name on urllib3 2.
    let any_fails = ["java", "python-requests"]
        .iter()
        .any(|name| client(&json, name)["verdict"] == "fails");
    assert_eq!(code, if any_fails { 1 } else { 0 }, "{json:#}");
}

#[test]
fn a_self_signed_copy_sent_first_fails_openssl_clients_and_cabundle_says_why() {
    if !have("openssl") {
        return;
    }
    let pki = Pki::with(Variant::SelfSignedCopyFirst);
    let server = pki.serve();
    let owned = every_client_at(&pki.path("root.pem"));
    let vars = borrowed(&owned);
    let url = format!("https://localhost:{}/", server.port);

    let real = real_clients(&url, server.port, &vars);
    for (name, ok, said) in &real {
        assert!(!ok, "{name} should take the copy and fail: {said}");
    }

    for (code, said) in verify_and_probe(&pki, server.port) {
        assert_eq!(code, 1, "{said}");
        assert!(
            said.contains("not verified: 1 problem\nOpenSSL takes a dead end: ")
                && said.contains(&format!("it takes \"CN={INT_CN}, O=cabundle tests\"")),
            "{said}"
        );
        assert!(
            said.contains("OpenSSL-based clients (openssl verify, curl, Python, Node, openssl s_client) refuse this chain; browsers, Go, rustls")
                && said.contains("hint: take the self-signed copy"),
            "{said}"
        );
    }

    let (code, json) = doctor(&[&format!("localhost:{}", server.port)], &vars);
    assert_eq!(code, 1, "{json:#}");
    for (name, _, said) in &real {
        let entry = client(&json, name);
        if entry["verdict"] == "unknown" {
            continue;
        }
        assert_eq!(entry["verdict"], "fails", "{name} ({said}): {entry:#}");
        let reason = entry["reason"].as_str().unwrap();
        assert!(reason.contains("does not go back"), "{name}: {reason}");
    }
}
