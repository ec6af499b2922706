//! `cabundle build --intermediates-report`: the intermediates that chain to the build's roots.
//!
//! On the real data, every selected intermediate verifies up to an included root with
//! `openssl verify -untrusted` at the as-of date and none has an EKU that excludes server
//! authentication. End to end, a loopback `openssl s_server` that sends only its leaf fails
//! with the roots bundle and verifies with `--full-pem` in `openssl s_client`, curl, Python
//! `requests` and Node (its `ca` option, `NODE_EXTRA_CA_CERTS`, `--use-openssl-ca`), and with
//! `--capath --capath-intermediates` in `openssl s_client -CApath`, `curl --capath`, Python
//! `ssl` and Node; when its root is not in the build the intermediate is left out and every
//! client still fails. The intermediate alone, without its root, is no anchor for clients on
//! OpenSSL's defaults, and is one for those that set its partial-chain flag (curl, Python
//! from 3.13): the tests pin both, as the README's safety statement says.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use cabundle_testkit::IntermediateRow;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use sha2::Digest as _;
use support::{NULL_DEVICE, Server, run_limited};

fn run(args: &[&str]) -> std::process::Output {
    support::cabundle(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// (intermediates report, roots report, as-of, selected, left out by reason).
const REAL: [(&str, &str, usize, &str); 3] = [
    (
        "2026-07-25",
        "2026-07-01",
        1754,
        "4 self-issued, 1 unchecked-signature",
    ),
    (
        "2025-03-25",
        "2025-03-01",
        1752,
        "9 self-issued, 10 unchecked-signature",
    ),
    (
        "2026-02-07",
        "2026-02-01",
        1855,
        "2 eku, 6 no-issuer, 14 root-excluded, 8 self-issued, 5 unchecked-signature",
    ),
];

#[test]
fn real_reports_select_what_openssl_verifies() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    if !support::have("openssl") {
        return;
    }
    for (date, roots_date, selected, excluded) in REAL {
        let dir = tempfile::tempdir().unwrap();
        let (roots, ints) = (dir.path().join("roots.pem"), dir.path().join("int.pem"));
        let report = data.join(format!(
            "IncludedCACertificateReportPEMCSV-{roots_date}.csv"
        ));
        let inter = data.join(format!("MozillaIntermediateCertsCSVReport-{date}.csv"));
        let out = run(&[
            "build",
            "--report",
            report.to_str().unwrap(),
            "--as-of",
            date,
            "--intermediates-report",
            inter.to_str().unwrap(),
            "--pem",
            roots.to_str().unwrap(),
            "--intermediates-pem",
            ints.to_str().unwrap(),
        ]);
        let err = text(&out.stderr);
        assert!(out.status.success(), "{err}");
        let left_out: usize = excluded
            .split(", ")
            .map(|p| p.split(' ').next().unwrap().parse::<usize>().unwrap())
            .sum();
        let line = format!("{selected} intermediates selected, {left_out} left out ({excluded})");
        assert!(err.contains(&line), "{date}: expected {line:?} in\n{err}");

        let certs = cabundle_cert::read_certificates(&std::fs::read(&ints).unwrap()).unwrap();
        assert_eq!(certs.len(), selected, "{date}");
        let mut files = Vec::new();
        for (i, c) in certs.iter().enumerate() {
            if let Some(ekus) = &c.extended_key_usage {
                assert!(
                    ekus.iter().any(|e| matches!(
                        e,
                        cabundle_cert::ExtendedKeyUsage::ServerAuth
                            | cabundle_cert::ExtendedKeyUsage::Any
                    )),
                    "{date}: {} excludes serverAuth",
                    c.subject
                );
            }
            let path = dir.path().join(format!("c{i}.pem"));
            std::fs::write(&path, c.to_pem()).unwrap();
            files.push(path);
        }
        let at = time::Date::parse(
            date,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap()
        .midnight()
        .assume_utc()
        .unix_timestamp();
        let out = Command::new("openssl")
            .args(["verify", "-attime", &at.to_string(), "-CAfile"])
            .arg(&roots)
            .arg("-untrusted")
            .arg(&ints)
            .args(&files)
            .output()
            .unwrap();
        let stdout = text(&out.stdout);
        assert!(
            out.status.success() && stdout.lines().count() == selected,
            "{date}: {}{}",
            stdout
                .lines()
                .filter(|l| !l.ends_with(": OK"))
                .collect::<Vec<_>>()
                .join("\n"),
            text(&out.stderr)
        );
    }
}

/// A private PKI: a root in a report of the CCADB's layout, an intermediate it signed, a leaf
/// for 127.0.0.1 the intermediate signed.
struct Pki {
    root: fixture::FixtureRoot,
    intermediate_pem: String,
    intermediate_der: Vec<u8>,
    leaf_pem: String,
    leaf_key_pem: String,
}

fn pki() -> Pki {
    let root = fixture::FixtureRoot {
        label: "Cabundle Private Test Root",
        seed: 0x71,
        trust_bits: "Websites",
        tls_distrust: "",
        smime_distrust: "",
        not_before: (2020, 1, 1),
        not_after: (2045, 1, 1),
        constraints: "",
    };
    // The root's own parameters, so the intermediate's issuer name is the root's subject.
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "XX");
    dn.push(DnType::OrganizationName, "Cabundle Test CAs");
    dn.push(DnType::CommonName, root.label);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.serial_number = Some(SerialNumber::from_slice(&[0x01, root.seed]));
    let root_issuer = Issuer::new(params, fixture::key(root.seed));

    let int_key = KeyPair::generate().unwrap();
    let mut int = CertificateParams::new(Vec::<String>::new()).unwrap();
    int.distinguished_name
        .push(DnType::CommonName, "Cabundle Private Test Intermediate");
    int.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    int.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    int.not_before = rcgen::date_time_ymd(2024, 1, 1);
    int.not_after = rcgen::date_time_ymd(2040, 1, 1);
    // Authority key identifiers and key usages, which OpenSSL's strict mode (Python's
    // default from 3.13) requires of every certificate below a root.
    int.use_authority_key_identifier_extension = true;
    int.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let int_cert = int.signed_by(&int_key, &root_issuer).unwrap();
    let int_issuer = Issuer::new(int, int_key);

    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let leaf_cert = leaf.signed_by(&leaf_key, &int_issuer).unwrap();
    Pki {
        root,
        intermediate_pem: int_cert.pem(),
        intermediate_der: int_cert.der().to_vec(),
        leaf_pem: leaf_cert.pem(),
        leaf_key_pem: leaf_key.serialize_pem(),
    }
}

/// A `MozillaIntermediateCertsCSVReport` with one row, as the CCADB writes it.
fn intermediates_report(pki: &Pki) -> String {
    cabundle_testkit::intermediates_report(&[IntermediateRow::new(
        "CN=Cabundle Private Test Intermediate",
        "CN=Cabundle Private Test Root; O=Cabundle Test CAs; C=XX",
        &pki.intermediate_der,
    )])
}

/// Writes the intermediates report and two roots reports, with and without the private root;
/// returns their paths in that order.
fn reports(dir: &Path, pki: &Pki) -> (PathBuf, PathBuf, PathBuf) {
    let inter = dir.join("intermediates.csv");
    std::fs::write(&inter, intermediates_report(pki)).unwrap();
    let with_root = dir.join("with-root.csv");
    let mut roots = fixture::roots();
    roots.push(pki.root.clone());
    std::fs::write(&with_root, fixture::report_csv(&roots)).unwrap();
    let without_root = dir.join("without-root.csv");
    std::fs::write(&without_root, fixture::report_csv(&fixture::roots())).unwrap();
    (inter, with_root, without_root)
}

/// `openssl s_server` sending only its leaf.
fn start_server(dir: &Path, pki: &Pki) -> Server {
    let cert = dir.join("server.pem");
    let key = dir.join("server.key");
    std::fs::write(&cert, &pki.leaf_pem).unwrap();
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    Server::start(&cert, &key, None)
}

/// A client command without the variables that would point it at another store or a proxy:
/// the store a case gives is the only one it reads besides its built-in default. A case sets
/// its own variables after this, so nothing here can undo them.
fn clean(program: &str) -> Command {
    let mut cmd = Command::new(program);
    for var in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
        "NODE_OPTIONS",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Builds from `report` with the intermediates report; returns (roots pem, full pem, stderr).
fn build(dir: &Path, name: &str, report: &Path, inter: &Path) -> (PathBuf, PathBuf, String) {
    let pem = dir.join(format!("{name}.pem"));
    let full = dir.join(format!("{name}-full.pem"));
    let out = run(&[
        "build",
        "--allow-small-report",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--intermediates-report",
        inter.to_str().unwrap(),
        "--pem",
        pem.to_str().unwrap(),
        "--full-pem",
        full.to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    (pem, full, err)
}

/// Builds from `report` with the intermediates report into the hashed directory `dir/name`,
/// with `--capath-intermediates` when `intermediates`; returns (directory, stderr).
fn build_capath(
    dir: &Path,
    name: &str,
    report: &Path,
    inter: &Path,
    intermediates: bool,
) -> (PathBuf, String) {
    let capath = dir.join(name);
    let mut args = vec![
        "build",
        "--allow-small-report",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--intermediates-report",
        inter.to_str().unwrap(),
        "--capath",
        capath.to_str().unwrap(),
    ];
    if intermediates {
        args.push("--capath-intermediates");
    }
    let out = run(&args);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    (capath, err)
}

/// Connects to the server given a store; returns (verified, what the client printed).
type Connect<'a> = Box<dyn Fn(&Path) -> (bool, String) + 'a>;

/// A real client: its name, what it says when the server's issuer is in none of its
/// certificates, whether it takes every certificate of its store as a trust anchor (OpenSSL's
/// partial-chain flag), and how it connects given a store (a CA file or a hashed directory).
struct Client<'a> {
    name: String,
    unknown_issuer: &'static str,
    partial_chain: bool,
    run: Connect<'a>,
}

/// Whether curl sets OpenSSL's partial-chain flag: it does from 7.68 on with the OpenSSL
/// backend (only libcurl's `CURLSSLOPT_NO_PARTIALCHAIN` turns it off, not the command line).
fn curl_partial_chain() -> bool {
    let out = Command::new("curl").arg("--version").output().unwrap();
    let first = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let version: Vec<u32> = first
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('.')
        .map_while(|n| n.parse().ok())
        .collect();
    first.contains(" OpenSSL/") && version >= vec![7, 68]
}

/// Whether a Python expression yielding an `SSLContext` has OpenSSL's partial-chain flag:
/// `ssl.create_default_context()` and urllib3 (so `requests`) set it from Python 3.13 on.
fn python_partial_chain(context: &str) -> bool {
    let script = format!(
        "import ssl, sys\nctx = {context}\nsys.exit(0 if ctx.verify_flags & ssl.VERIFY_X509_PARTIAL_CHAIN else 3)\n"
    );
    let out = Command::new(support::PYTHON)
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        support::output_text(&out)
    );
    out.status.success()
}

/// What OpenSSL, curl and Python say when the issuer of the leaf is not in the store.
const UNABLE: &str = "unable to get local issuer certificate";

/// What Node says then. Node's verify callback lets OpenSSL go on after that first error
/// (`openssl s_client` without `-verify_return_error` shows the same two, 20 then 21), so the
/// error Node reports is the last one: the leaf's signature could not be checked.
const NODE_UNABLE: &str = "UNABLE_TO_VERIFY_LEAF_SIGNATURE";

/// A Node script that fetches `argv[1]`, with `ca` read from the file `argv[2]` when given;
/// it prints the error's code and message on failure.
const NODE_GET: &str = "const https = require('https'), fs = require('fs');\n\
const [url, ca] = process.argv.slice(1);\n\
https.get(url, ca ? { ca: fs.readFileSync(ca) } : {}, r => {\n\
  r.resume(); r.on('end', () => { console.log('status', r.statusCode); process.exit(0); });\n\
}).on('error', e => { console.error(e.code, e.message); process.exit(1); });\n";

/// `openssl s_client` with its store option `s_client_store` (`-CAfile`, `-CApath`), and
/// curl, when present, with `curl_store` (`--cacert`, `--capath`).
fn openssl_and_curl<'a>(
    port: u16,
    s_client_store: &'static str,
    curl_store: &'static str,
) -> Vec<Client<'a>> {
    let connect = format!("127.0.0.1:{port}");
    let url = format!("https://127.0.0.1:{port}/");
    let mut clients = vec![Client {
        name: format!("openssl s_client {s_client_store}"),
        unknown_issuer: UNABLE,
        partial_chain: false,
        run: Box::new(move |store| {
            run_limited(
                clean("openssl")
                    .args(["s_client", "-connect", &connect, "-verify_return_error"])
                    .arg(s_client_store)
                    .arg(store)
                    .args(["-verify_ip", "127.0.0.1"]),
            )
        }),
    }];
    if support::have("curl") {
        clients.push(Client {
            name: format!("curl {curl_store}"),
            unknown_issuer: UNABLE,
            partial_chain: curl_partial_chain(),
            run: Box::new(move |store| {
                run_limited(
                    clean("curl")
                        .args(["-sS", "--max-time", "20", "-o", NULL_DEVICE, curl_store])
                        .arg(store)
                        .arg(&url),
                )
            }),
        });
    }
    clients
}

/// The clients present that take a CA file: `openssl s_client -CAfile`, `curl --cacert`,
/// Python `requests` with `verify=FILE`, and Node three ways (the `ca` option,
/// `NODE_EXTRA_CA_CERTS`, `--use-openssl-ca` with `SSL_CERT_FILE`).
fn file_clients<'a>(port: u16, scratch: &'a Path) -> Vec<Client<'a>> {
    let url = format!("https://127.0.0.1:{port}/");
    let mut clients = openssl_and_curl(port, "-CAfile", "--cacert");
    if support::have(support::PYTHON) {
        let script = "import sys, requests\n\
try:\n    r = requests.get(sys.argv[1], verify=sys.argv[2], timeout=20)\n    print('status', r.status_code)\n\
except requests.exceptions.SSLError as e:\n    print(e)\n    sys.exit(1)\n";
        let url = url.clone();
        clients.push(Client {
            name: "requests verify=FILE".to_owned(),
            unknown_issuer: UNABLE,
            partial_chain: python_partial_chain(
                "__import__('urllib3.util.ssl_').util.ssl_.create_urllib3_context()",
            ),
            run: Box::new(move |pem| {
                run_limited(clean(support::PYTHON).args(["-c", script, &url]).arg(pem))
            }),
        });
    }
    if support::have("node") {
        let u = url.clone();
        clients.push(Client {
            name: "node ca: FILE".to_owned(),
            unknown_issuer: NODE_UNABLE,
            partial_chain: false,
            run: Box::new(move |pem| {
                run_limited(clean("node").args(["-e", NODE_GET, &u]).arg(pem))
            }),
        });
        let u = url.clone();
        clients.push(Client {
            name: "node NODE_EXTRA_CA_CERTS".to_owned(),
            unknown_issuer: NODE_UNABLE,
            partial_chain: false,
            run: Box::new(move |pem| {
                run_limited(
                    clean("node")
                        .env("NODE_EXTRA_CA_CERTS", pem)
                        .args(["-e", NODE_GET, &u]),
                )
            }),
        });
        // OpenSSL's default store is SSL_CERT_FILE plus SSL_CERT_DIR: an empty directory
        // keeps the system's out.
        let empty = scratch.join("empty-dir");
        std::fs::create_dir_all(&empty).unwrap();
        clients.push(Client {
            name: "node --use-openssl-ca SSL_CERT_FILE".to_owned(),
            unknown_issuer: NODE_UNABLE,
            partial_chain: false,
            run: Box::new(move |pem| {
                run_limited(
                    clean("node")
                        .env("SSL_CERT_FILE", pem)
                        .env("SSL_CERT_DIR", &empty)
                        .args(["--use-openssl-ca", "-e", NODE_GET, &url]),
                )
            }),
        });
    }
    clients
}

/// The clients present that take a hashed directory: `openssl s_client -CApath`, `curl
/// --capath`, Python `ssl` with `capath=`, and Node with `--use-openssl-ca` and
/// `SSL_CERT_DIR`.
fn capath_clients<'a>(port: u16, scratch: &'a Path) -> Vec<Client<'a>> {
    let url = format!("https://127.0.0.1:{port}/");
    let mut clients = openssl_and_curl(port, "-CApath", "--capath");
    if support::have(support::PYTHON) {
        let script = "import ssl, sys, urllib.request\n\
ctx = ssl.create_default_context(capath=sys.argv[2])\n\
try:\n    r = urllib.request.urlopen(sys.argv[1], context=ctx, timeout=20)\n    print('status', r.status)\n\
except urllib.error.URLError as e:\n    print(e.reason)\n    sys.exit(1)\n";
        let url = url.clone();
        clients.push(Client {
            name: "python ssl capath=".to_owned(),
            unknown_issuer: UNABLE,
            partial_chain: python_partial_chain("ssl.create_default_context()"),
            run: Box::new(move |dir| {
                run_limited(clean(support::PYTHON).args(["-c", script, &url]).arg(dir))
            }),
        });
    }
    if support::have("node") {
        // An empty SSL_CERT_FILE keeps the system's default file out.
        let empty = scratch.join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        clients.push(Client {
            name: "node --use-openssl-ca SSL_CERT_DIR".to_owned(),
            unknown_issuer: NODE_UNABLE,
            partial_chain: false,
            run: Box::new(move |dir| {
                run_limited(
                    clean("node")
                        .env("SSL_CERT_DIR", dir)
                        .env("SSL_CERT_FILE", &empty)
                        .args(["--use-openssl-ca", "-e", NODE_GET, &url]),
                )
            }),
        });
    }
    clients
}

/// Each client fails with its unknown-issuer error given `store`.
fn assert_unknown_issuer(clients: &[Client<'_>], store: &Path, what: &str) {
    for c in clients {
        let (ok, out) = (c.run)(store);
        assert!(!ok, "{} with {what} verified: {out}", c.name);
        assert!(
            out.contains(c.unknown_issuer),
            "{} with {what}: expected {:?} in\n{out}",
            c.name,
            c.unknown_issuer
        );
    }
}

/// Given `store`, which holds the intermediate but not its root, each client fails at the
/// intermediate's issuer, except those that take any certificate of their store as an anchor.
fn assert_intermediate_is_no_anchor(clients: &[Client<'_>], store: &Path, what: &str) {
    for c in clients {
        let (ok, out) = (c.run)(store);
        if c.partial_chain {
            assert!(
                ok,
                "{} takes partial chains, yet failed with {what}: {out}",
                c.name
            );
            continue;
        }
        assert!(!ok, "{} with {what} verified: {out}", c.name);
        assert!(
            out.contains("unable to get issuer certificate")
                || out.contains("UNABLE_TO_GET_ISSUER_CERT"),
            "{} with {what}: {out}",
            c.name
        );
    }
}

/// Each client verifies the server given `store`.
fn assert_verifies(clients: &[Client<'_>], store: &Path, what: &str) {
    for c in clients {
        let (ok, out) = (c.run)(store);
        assert!(ok, "{} with {what} did not verify: {out}", c.name);
    }
}

#[test]
fn full_bundle_repairs_a_server_that_omits_its_intermediate_and_adds_no_trust() {
    if !support::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = pki();
    let (inter, with_root, without_root) = reports(d, &pki);

    let (plain, full, err) = build(d, "with", &with_root, &inter);
    assert!(
        err.contains("1 intermediates selected, 0 left out"),
        "{err}"
    );
    let (_, full_without, err) = build(d, "without", &without_root, &inter);
    assert!(
        err.contains("0 intermediates selected, 1 left out (1 no-issuer)"),
        "{err}"
    );
    let header = std::fs::read_to_string(&full).unwrap();
    assert!(
        header.starts_with("##\n## Intermediate CA certificates"),
        "{header}"
    );
    assert!(header.contains("would trust each intermediate as if it were a root"));

    let server = start_server(d, &pki);
    let clients = file_clients(server.port, d);
    assert_unknown_issuer(&clients, &plain, "the roots bundle");
    assert_verifies(&clients, &full, "--full-pem");
    // Without its root in the build, the intermediate is not in the file: nothing changes.
    assert_unknown_issuer(&clients, &full_without, "--full-pem, the root left out");
    // The intermediate put by hand beside the other roots: no anchor, but for clients that
    // take partial chains.
    let by_hand = d.join("roots-and-intermediate-without-its-root.pem");
    std::fs::write(
        &by_hand,
        std::fs::read_to_string(&full_without).unwrap() + &pki.intermediate_pem,
    )
    .unwrap();
    assert_intermediate_is_no_anchor(&clients, &by_hand, "the intermediate without its root");
    // probe: the supplied intermediate completes the chain, the server is still misconfigured.
    let target = format!("127.0.0.1:{}", server.port);
    for (extra, code, expected) in [
        (
            Some(&inter),
            1,
            "the server omits CN=Cabundle Private Test Intermediate, SHA-256 ",
        ),
        (None, 1, "not verified"),
    ] {
        let mut args = vec!["probe", &target, "--bundle", plain.to_str().unwrap()];
        if let Some(i) = extra {
            args.extend(["--intermediates", i.to_str().unwrap()]);
        }
        let out = run(&args);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{stdout}{}",
            text(&out.stderr)
        );
        assert!(stdout.contains(expected), "{stdout}");
        if extra.is_some() {
            assert!(stdout.contains("the server is misconfigured"), "{stdout}");
            assert!(
                stdout.contains("disclosed in the CCADB by CN=Cabundle Private Test Root"),
                "{stdout}"
            );
            assert!(stdout.contains("--full-pem"), "{stdout}");
        }
    }
    drop(server);

    // The intermediate alone, without its root, makes no chain verify in OpenSSL.
    let leaf = d.join("leaf.pem");
    std::fs::write(&leaf, &pki.leaf_pem).unwrap();
    let only_int = d.join("only-intermediate.pem");
    std::fs::write(&only_int, &pki.intermediate_pem).unwrap();
    let out = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(&only_int)
        .arg(&leaf)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let out = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(&full)
        .arg(&leaf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The entries of a directory: regular files by name, symbolic links as `NAME -> TARGET`.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            match std::fs::read_link(e.path()) {
                Ok(target) => format!("{name} -> {}", target.display()),
                Err(_) => name,
            }
        })
        .collect()
}

/// Copies the regular files of `dir` into `to` and runs `openssl rehash` there.
fn rehash_copy(dir: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    let out = Command::new("openssl")
        .arg("rehash")
        .arg(to)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::output_text(&out));
}

/// The files of a hashed directory whose name starts with `intermediate-`.
fn intermediate_files(dir: &Path) -> usize {
    listing(dir)
        .iter()
        .filter(|n| n.starts_with("intermediate-") && !n.contains(" -> "))
        .count()
}

#[test]
fn capath_intermediates_repair_a_server_that_omits_its_intermediate_and_add_no_trust() {
    if !support::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = pki();
    let (inter, with_root, without_root) = reports(d, &pki);
    let (with_ints, err) = build_capath(d, "with-intermediates", &with_root, &inter, true);
    assert!(
        err.contains("1 intermediates selected, 0 left out"),
        "{err}"
    );
    let (roots_only, _) = build_capath(d, "roots-only", &with_root, &inter, false);
    let (root_left_out, err) = build_capath(d, "root-left-out", &without_root, &inter, true);
    assert!(
        err.contains("0 intermediates selected, 1 left out (1 no-issuer)"),
        "{err}"
    );
    assert_eq!(
        intermediate_files(&with_ints),
        1,
        "{:?}",
        listing(&with_ints)
    );
    assert_eq!(
        intermediate_files(&roots_only),
        0,
        "{:?}",
        listing(&roots_only)
    );
    assert_eq!(
        intermediate_files(&root_left_out),
        0,
        "{:?}",
        listing(&root_left_out)
    );

    // Every directory is what `openssl rehash` makes of its certificate files: the same link
    // names, pointing at the same files (symbolic links: unix only).
    if cfg!(unix) {
        for (i, capath) in [&with_ints, &roots_only, &root_left_out].iter().enumerate() {
            let theirs = d.join(format!("rehashed-{i}"));
            rehash_copy(capath, &theirs);
            assert_eq!(listing(capath), listing(&theirs), "{}", capath.display());
        }
    }

    let server = start_server(d, &pki);
    let clients = capath_clients(server.port, d);
    assert_verifies(&clients, &with_ints, "--capath --capath-intermediates");
    assert_unknown_issuer(
        &clients,
        &roots_only,
        "--capath without --capath-intermediates",
    );
    assert_unknown_issuer(
        &clients,
        &root_left_out,
        "--capath-intermediates, the root left out",
    );

    // The intermediate alone, put by hand beside the other roots and hashed by `openssl
    // rehash`, is no anchor for OpenSSL's default: those clients fail at the intermediate's
    // issuer. curl (and Python from 3.13) set the partial-chain flag and verify: for them an
    // intermediate of the store is an anchor, as the README says.
    if cfg!(unix) {
        let by_hand = d.join("intermediate-without-root-src");
        std::fs::create_dir(&by_hand).unwrap();
        std::fs::write(by_hand.join("intermediate.pem"), &pki.intermediate_pem).unwrap();
        for e in std::fs::read_dir(&root_left_out).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), by_hand.join(e.file_name())).unwrap();
            }
        }
        let alone = d.join("intermediate-without-root");
        rehash_copy(&by_hand, &alone);
        assert_intermediate_is_no_anchor(&clients, &alone, "the intermediate without its root");
    }
    drop(server);
}

/// An intermediate signed by the private root, with the given EKUs and validity.
fn intermediate(
    root: &Issuer<'_, KeyPair>,
    cn: &str,
    ekus: Vec<ExtendedKeyUsagePurpose>,
    not_after: (i32, u8, u8),
) -> rcgen::Certificate {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.extended_key_usages = ekus;
    p.not_before = rcgen::date_time_ymd(2024, 1, 1);
    p.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    p.signed_by(&KeyPair::generate().unwrap(), root).unwrap()
}

#[test]
fn each_left_out_intermediate_has_its_reason_in_explain_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = pki();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "XX");
    dn.push(DnType::OrganizationName, "Cabundle Test CAs");
    dn.push(DnType::CommonName, p.root.label);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let root = Issuer::new(params, fixture::key(p.root.seed));
    let good = intermediate(
        &root,
        "Good",
        vec![ExtendedKeyUsagePurpose::ServerAuth],
        (2040, 1, 1),
    );
    let cases = [
        (good.clone(), "included"),
        (
            intermediate(
                &root,
                "Client Only",
                vec![ExtendedKeyUsagePurpose::ClientAuth],
                (2040, 1, 1),
            ),
            "its extended key usage excludes serverAuth",
        ),
        (
            intermediate(&root, "Expired", vec![], (2025, 6, 1)),
            "expired on 2025-06-01 (notAfter)",
        ),
        (
            // Another key under the root's name: the signature does not verify.
            intermediate(
                &Issuer::new(
                    {
                        let mut q = CertificateParams::new(Vec::<String>::new()).unwrap();
                        let mut dn = DistinguishedName::new();
                        dn.push(DnType::CountryName, "XX");
                        dn.push(DnType::OrganizationName, "Cabundle Test CAs");
                        dn.push(DnType::CommonName, p.root.label);
                        q.distinguished_name = dn;
                        q.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
                        q
                    },
                    fixture::key(0x72),
                ),
                "Forged",
                vec![],
                (2040, 1, 1),
            ),
            "its signature does not verify with the key of",
        ),
    ];
    let rows: Vec<IntermediateRow> = cases
        .iter()
        .map(|(cert, _)| IntermediateRow::new("CN=x", "CN=y", cert.der()))
        .collect();
    let inter = d.join("intermediates.csv");
    std::fs::write(&inter, cabundle_testkit::intermediates_report(&rows)).unwrap();
    let mut roots = fixture::roots();
    roots.push(p.root.clone());
    let report = d.join("report.csv");
    std::fs::write(&report, fixture::report_csv(&roots)).unwrap();
    let (manifest, capath) = (d.join("m.json"), d.join("certs"));
    let out = run(&[
        "build",
        "--allow-small-report",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--intermediates-report",
        inter.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
        "--capath",
        capath.to_str().unwrap(),
        "--capath-intermediates",
        "--explain",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let json = std::fs::read_to_string(&manifest).unwrap();
    for (cert, expected) in &cases {
        let sha = hex::encode(sha2::Sha256::digest(cert.der()));
        let line = stdout
            .lines()
            .find(|l| l.contains(&sha))
            .unwrap_or_else(|| panic!("{sha} not in\n{stdout}"));
        assert!(line.contains(expected), "{line}");
        assert!(json.contains(&sha), "{sha} not in the manifest");
    }
    assert!(json.contains("\"intermediates\""), "{json}");
    assert!(json.contains("\"issuer_sha256\""), "{json}");
    // The hashed directory holds the selected intermediate, linked under its subject hash.
    let good_sha = hex::encode(sha2::Sha256::digest(good.der()));
    let file = capath.join(format!("intermediate-{}.pem", &good_sha[..16]));
    assert!(file.is_file(), "{}", file.display());
    let names: Vec<String> = std::fs::read_dir(&capath)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("intermediate-"))
            .count(),
        1,
        "{names:?}"
    );
}

#[test]
fn verify_names_the_omitted_intermediate_and_both_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = pki();
    let inter = d.join("intermediates.csv");
    std::fs::write(&inter, intermediates_report(&p)).unwrap();
    let mut roots = fixture::roots();
    roots.push(p.root.clone());
    let with_root = d.join("with-root.csv");
    std::fs::write(&with_root, fixture::report_csv(&roots)).unwrap();
    let without_root = d.join("without-root.csv");
    std::fs::write(&without_root, fixture::report_csv(&fixture::roots())).unwrap();
    let (plain, _, _) = build(d, "with", &with_root, &inter);
    let (other, _, _) = build(d, "without", &without_root, &inter);
    let leaf = d.join("leaf.pem");
    std::fs::write(&leaf, &p.leaf_pem).unwrap();
    let int_pem = d.join("int.pem");
    std::fs::write(&int_pem, &p.intermediate_pem).unwrap();

    let verify = |bundle: &Path, intermediates: Option<&Path>| {
        let mut args = vec![
            "verify".to_owned(),
            leaf.display().to_string(),
            "--bundle".to_owned(),
            bundle.display().to_string(),
        ];
        if let Some(i) = intermediates {
            args.push("--intermediates".to_owned());
            args.push(i.display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        (out.status.code(), text(&out.stdout))
    };
    let (code, stdout) = verify(&plain, None);
    assert_eq!(code, Some(1), "{stdout}");
    // (file, how it is named): the CCADB report and a plain PEM file.
    for (file, named) in [
        (
            &inter,
            "disclosed in the CCADB by CN=Cabundle Private Test Root; O=Cabundle Test CAs; C=XX",
        ),
        (&int_pem, "found in --intermediates"),
    ] {
        let (code, stdout) = verify(&plain, Some(file));
        assert_eq!(code, Some(0), "{stdout}");
        assert!(
            stdout.contains("the chain omits CN=Cabundle Private Test Intermediate, SHA-256 "),
            "{stdout}"
        );
        assert!(stdout.contains(named), "{stdout}");
        assert!(
            stdout.contains("hint: configure the server to send its full chain"),
            "{stdout}"
        );
        assert!(stdout.contains("--full-pem"), "{stdout}");
        // Without the root in the store, the supplied intermediate does not help.
        let (code, stdout) = verify(&other, Some(file));
        assert_eq!(code, Some(1), "{stdout}");
        assert!(!stdout.contains("the chain omits"), "{stdout}");
    }
    // OpenSSL agrees: the leaf verifies with the intermediate as untrusted help, not without.
    if support::have("openssl") {
        let ossl = |extra: &[&Path]| {
            let mut cmd = Command::new("openssl");
            cmd.arg("verify").arg("-CAfile").arg(&plain);
            for e in extra {
                cmd.arg("-untrusted").arg(e);
            }
            cmd.arg(&leaf).output().unwrap().status.success()
        };
        assert!(ossl(&[&int_pem]));
        assert!(!ossl(&[]));
    }
}
