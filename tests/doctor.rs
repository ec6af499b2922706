//! End-to-end tests of `cabundle doctor`, each in a clean environment (only PATH and the
//! variables a case sets), against a loopback `openssl s_server` with a private PKI: the
//! verdict per client follows the variable that client reads (and agrees with the real
//! `openssl s_client` and `requests`), a certifi store is found in a virtual environment the
//! test makes, staleness against two CCADB reports equals a plain computation from the CSV,
//! a client hidden from PATH is absent (and nothing is written), and a client that hangs is
//! killed at the 2 s time-out, then asked again with 4 s.
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod localhost;
mod support;

use localhost::{
    Pki, ROOT_CN, borrowed, bundle, client, doctor, every_client_at, in_env, os, path_var,
    requests_get, run, s_client,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{NULL_DEVICE as NULL, PYTHON, cabundle, have};

#[test]
fn each_client_is_judged_by_the_store_it_reads() {
    if !have("openssl") || !have(PYTHON) {
        return;
    }
    let pki = Pki::new();
    let server = pki.serve();
    let without = pki.path("without.pem");
    let with = pki.path("with.pem");
    bundle(&pki, &without, &["other-root.pem"]);
    bundle(&pki, &with, &["other-root.pem", "root.pem"]);
    let target = format!("localhost:{}", server.port);
    let vars = [
        ("PATH", path_var()),
        ("SSL_CERT_FILE", os(&without)),
        ("REQUESTS_CA_BUNDLE", os(&with)),
    ];
    let (code, json) = doctor(&[&target], &vars);
    assert_eq!(code, 1, "{json:#}");

    let openssl = client(&json, "openssl");
    assert_eq!(openssl["present"], true, "{openssl:#}");
    assert_eq!(openssl["source"], "env SSL_CERT_FILE", "{openssl:#}");
    assert_eq!(openssl["store"]["file"], without.display().to_string());
    assert_eq!(openssl["verdict"], "fails", "{openssl:#}");
    let reason = openssl["reason"].as_str().unwrap();
    assert!(
        reason.contains(ROOT_CN),
        "the reason names the root: {reason}"
    );
    let fix = openssl["fix"].as_str().unwrap();
    assert!(
        fix.contains("cabundle build --add") && fix.contains("SSL_CERT_FILE"),
        "{fix}"
    );

    let requests = client(&json, "python-requests");
    if requests["present"] == true || std::env::var_os("CI").is_some() {
        assert_eq!(requests["source"], "env REQUESTS_CA_BUNDLE", "{requests:#}");
        assert_eq!(requests["verdict"], "ok", "{requests:#}");
        assert_eq!(requests["certificates"], 2, "{requests:#}");
    }
    // python-ssl reads SSL_CERT_FILE like openssl.
    assert_eq!(client(&json, "python-ssl")["verdict"], "fails");
    // Java reads no variable: its fix is a truststore, in the words `env --help` uses.
    let java = client(&json, "java");
    if java["verdict"] == "fails" {
        let fix = java["fix"].as_str().unwrap();
        for words in [
            "cabundle build --add ROOT.pem --java-truststore cacerts.p12",
            "-Djavax.net.ssl.trustStore=cacerts.p12 -Djavax.net.ssl.trustStorePassword=changeit",
        ] {
            assert!(fix.contains(words), "{fix}");
        }
        assert!(!fix.contains("keytool"), "{fix}");
    }

    // The real clients agree.
    let (ok, said) = s_client(server.port, &vars);
    assert!(!ok, "openssl s_client should fail: {said}");
    let (ok, said) = requests_get(&format!("https://{target}/"), &vars);
    if requests["present"] == true {
        assert!(ok, "requests should verify: {said}");
    }

    // With the right bundle for everyone, every present client verifies: exit 0.
    let owned = every_client_at(&with);
    let vars = borrowed(&owned);
    let (code, json) = doctor(&[&target], &vars);
    for c in json["clients"].as_array().unwrap() {
        // Java reads no variable; a curl whose TLS backend does not name its CA file is
        // "unknown". Every other present client verifies.
        if c["present"] == true && c["client"] != "java" && c["verdict"] != "unknown" {
            assert_eq!(c["verdict"], "ok", "{c:#}");
        }
    }
    assert_eq!(client(&json, "openssl")["verdict"], "ok", "{json:#}");
    let java_fails = client(&json, "java")["verdict"] == "fails";
    assert_eq!(code, if java_fails { 1 } else { 0 }, "{json:#}");
}

/// A store that holds the intermediate but not its root: OpenSSL's default refuses the path,
/// curl (which sets OpenSSL's partial-chain flag since 7.68) and Python from 3.13 take it.
/// Each client's verdict in doctor equals what that client does when run.
#[test]
fn a_store_with_the_intermediate_alone_is_judged_as_each_client_verifies() {
    if !have("openssl") || !have("curl") {
        return;
    }
    let pki = Pki::new();
    let server = pki.serve();
    let store = pki.path("int-only.pem");
    bundle(&pki, &store, &["other-root.pem", "int.pem"]);
    let target = format!("localhost:{}", server.port);
    let vars = [
        ("PATH", path_var()),
        ("SSL_CERT_FILE", os(&store)),
        ("CURL_CA_BUNDLE", os(&store)),
        ("REQUESTS_CA_BUNDLE", os(&store)),
    ];
    let (_, json) = doctor(&[&target], &vars);
    let url = format!("https://{target}/");
    let mut real: Vec<(&str, bool, String)> = Vec::new();
    let (ok, said) = s_client(server.port, &vars);
    real.push(("openssl", ok, said));
    let (ok, said) = run(in_env("curl", &vars).args(["-sS", "-o", NULL, &url]));
    real.push(("curl", ok, said));
    if have(PYTHON) {
        let (ok, said) = run(in_env(PYTHON, &vars)
            .args([
                "-c",
                "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)",
            ])
            .arg(&url));
        real.push(("python-ssl", ok, said));
        if client(&json, "python-requests")["present"] == true {
            let (ok, said) = requests_get(&url, &vars);
            real.push(("python-requests", ok, said));
        }
    }
    for (name, ok, said) in &real {
        let entry = client(&json, name);
        if entry["verdict"] == "unknown" {
            continue;
        }
        let verdict = if *ok { "ok" } else { "fails" };
        assert_eq!(
            entry["verdict"], verdict,
            "doctor disagrees with {name} ({said}): {entry:#}"
        );
    }
    // OpenSSL's own default never takes the intermediate as an anchor.
    assert_eq!(client(&json, "openssl")["verdict"], "fails", "{json:#}");
}

#[test]
fn a_certifi_store_is_found_in_a_virtual_environment() {
    if !have(PYTHON) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let (ok, said) = run(Command::new(PYTHON).args(["-m", "venv"]).arg(&venv));
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "python3 -m venv: {said}");
        eprintln!("notice: python3 -m venv failed; skipping: {said}");
        return;
    }
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let python = bin.join("python");
    let (ok, said) = run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "requests",
    ]));
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "pip install requests: {said}"
        );
        eprintln!("notice: pip cannot install requests (offline?); skipping: {said}");
        return;
    }
    let (ok, certifi) =
        run(Command::new(&python).args(["-c", "import certifi; print(certifi.where())"]));
    assert!(ok, "{certifi}");
    let certifi = PathBuf::from(certifi.trim());
    assert!(certifi.starts_with(&venv), "{}", certifi.display());

    let path = std::env::join_paths(
        std::iter::once(bin.clone()).chain(std::env::split_paths(&path_var())),
    )
    .unwrap();
    let (code, json) = doctor(&[], &[("PATH", path)]);
    assert_eq!(code, 0, "{json:#}");
    let requests = client(&json, "python-requests");
    assert_eq!(requests["present"], true, "{requests:#}");
    assert_eq!(requests["source"], "certifi", "{requests:#}");
    assert_eq!(requests["store"]["file"], certifi.display().to_string());
    assert!(
        requests["certificates"].as_u64().unwrap() > 100,
        "{requests:#}"
    );
    assert!(requests.get("verdict").is_none(), "no verdict without HOST");
    // pip is the venv's own: its bundled certifi, unless a configuration file names a store.
    let pip = client(&json, "pip");
    assert_eq!(pip["present"], true, "{pip:#}");
    if pip["source"] == "bundled certifi" {
        let file = pip["store"]["file"].as_str().unwrap();
        assert!(Path::new(file).starts_with(&venv), "{pip:#}");
    }
}

/// The SHA-256 (lower-case hex) of every root of a CCADB report included for TLS as of its
/// date, computed from the CSV alone: trust bits name Websites, any TLS distrust date plus
/// 398 days is not before the date, and Valid To is not before it.
fn included_plainly(csv_path: &Path, as_of: time::Date) -> BTreeSet<String> {
    let (mut reader, headers) = support::read_csv(csv_path);
    let sha = support::column(&headers, "SHA-256 Fingerprint");
    let bits = support::column(&headers, "Trust Bits");
    let distrust = support::column(&headers, "Distrust for TLS After Date");
    let valid_to = support::column(&headers, "Valid To [GMT]");
    let format = time::macros::format_description!("[year].[month].[day]");
    let mut out = BTreeSet::new();
    for record in reader.records() {
        let r = record.unwrap();
        let websites = r[bits].split(';').any(|b| b.trim() == "Websites");
        let distrusted = !r[distrust].is_empty()
            && time::Date::parse(&r[distrust], format).unwrap() + time::Duration::days(398) < as_of;
        let expired = time::Date::parse(&r[valid_to], format).unwrap() < as_of;
        if websites && !distrusted && !expired {
            out.insert(r[sha].to_lowercase());
        }
    }
    out
}

/// The PEM of every root of a report with the Websites trust bit.
fn websites_pem(csv_path: &Path) -> String {
    let (mut reader, headers) = support::read_csv(csv_path);
    let bits = support::column(&headers, "Trust Bits");
    let pem = support::column(&headers, "PEM Info");
    let mut out = String::new();
    for record in reader.records() {
        let r = record.unwrap();
        if r[bits].contains("Websites") {
            out.push_str(r[pem].trim_matches('\''));
            out.push('\n');
        }
    }
    out
}

fn sha256_hex(der: &[u8]) -> String {
    use sha2::Digest;
    hex_lower(&sha2::Sha256::digest(der))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn staleness_against_two_reports() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    if !have("openssl") {
        return;
    }
    let old = data.join("IncludedCACertificateReportPEMCSV-2024-06-01.csv");
    let new = data.join("IncludedCACertificateReportPEMCSV-2026-07-01.csv");
    let pki = Pki::new();
    // The store: every Websites root of the older report, and a private root.
    let store_pem = format!(
        "{}{}",
        websites_pem(&old),
        std::fs::read_to_string(pki.path("root.pem")).unwrap()
    );
    let store_file = pki.path("store.pem");
    std::fs::write(&store_file, &store_pem).unwrap();
    let empty_dir = pki.path("no-certs");
    std::fs::create_dir(&empty_dir).unwrap();
    let store: BTreeSet<String> = pem::parse_many(&store_pem)
        .unwrap()
        .iter()
        .map(|p| sha256_hex(p.contents()))
        .collect();

    let date = |y, m| time::Date::from_calendar_date(y, m, 1).unwrap();
    for (report, as_of) in [
        (&old, date(2024, time::Month::June)),
        (&new, date(2026, time::Month::July)),
    ] {
        let included = included_plainly(report, as_of);
        let removed: Vec<String> = store.difference(&included).cloned().collect();
        let missing: Vec<String> = included.difference(&store).cloned().collect();
        let vars = [
            ("PATH", path_var()),
            ("SSL_CERT_FILE", os(&store_file)),
            ("SSL_CERT_DIR", os(&empty_dir)),
        ];
        let (code, json) = doctor(&["--report", report.to_str().unwrap()], &vars);
        assert_eq!(code, 0, "{json:#}");
        let openssl = client(&json, "openssl");
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        let name = report.file_name().unwrap().to_string_lossy();
        assert_eq!(strings(&openssl["stale"]["removed"]), removed, "{name}");
        assert_eq!(strings(&openssl["stale"]["missing"]), missing, "{name}");
        assert!(!removed.is_empty(), "{name}: the private root at least");
        assert_eq!(
            openssl["certificates"].as_u64().unwrap() as usize,
            store.len()
        );
    }
}

/// A directory of links to the programs the tests use, leaving out `hidden`.
#[cfg(unix)]
fn bin_without(dir: &Path, hidden: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    for program in [
        "openssl", "curl", "git", "java", "keytool", "node", PYTHON, "pip",
    ] {
        if program == hidden {
            continue;
        }
        let found = std::env::split_paths(&path_var())
            .map(|d| d.join(program))
            .find(|p| p.is_file());
        if let Some(target) = found {
            link(&target, &bin.join(program));
        }
    }
    bin
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

#[cfg(unix)]
#[test]
fn a_client_hidden_from_path_is_absent_and_nothing_is_written() {
    if !have("openssl") || !have("node") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = bin_without(dir.path(), "node");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let vars = [("PATH", os(&bin)), ("HOME", os(&home))];
    let (code, json) = doctor(&[], &vars);
    assert_eq!(code, 0, "{json:#}");
    let node = client(&json, "node");
    assert_eq!(node["present"], false, "{node:#}");
    assert!(
        node["source"].is_null() && node["certificates"].is_null(),
        "{node:#}"
    );
    assert_eq!(client(&json, "openssl")["present"], true);
    // Every client is listed, in order.
    let names: Vec<&str> = json["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client"].as_str().unwrap())
        .collect();
    let expected = [
        "openssl",
        "curl",
        "python-ssl",
        "python-requests",
        "pip",
        "node",
        "git",
        "java",
    ];
    assert_eq!(names, expected);
    // Doctor changes nothing: the home directory the clients saw is still empty.
    let written: Vec<_> = std::fs::read_dir(&home).unwrap().collect();
    assert!(written.is_empty(), "{written:?}");

    // The text report says absent too.
    let out = cabundle(&["doctor"])
        .env_clear()
        .env("PATH", &bin)
        .output()
        .unwrap();
    let text = support::output_text(&out);
    assert!(text.contains("node: absent"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_client_that_hangs_is_killed_at_the_time_out() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("openssl");
    // The sleep is a grandchild that keeps the pipes open after its parent is killed.
    std::fs::write(&fake, "#!/bin/sh\nsleep 30\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let start = Instant::now();
    let path = std::env::join_paths(
        std::iter::once(bin.clone()).chain(std::env::split_paths(&path_var())),
    )
    .unwrap();
    let (code, json) = doctor(&[], &[("PATH", path)]);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(code, 0, "{json:#}");
    let openssl = client(&json, "openssl");
    assert_eq!(openssl["present"], true, "{openssl:#}");
    let reason = openssl["reason"].as_str().unwrap();
    assert!(reason.contains("did not answer within 2 s"), "{reason}");
}
