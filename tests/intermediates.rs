//! `cabundle build --intermediates-report`: the intermediates that chain to the build's roots.
//!
//! On the real data, every selected intermediate verifies up to an included root with
//! `openssl verify -untrusted` at the as-of date and none has an EKU that excludes server
//! authentication. End to end, a loopback `openssl s_server` that sends only its leaf fails
//! with the roots bundle and verifies with `--full-pem` in `openssl s_client`, curl, Python
//! `requests`; when its root is not in the build the intermediate is left out and
//! every client still fails; and the intermediate alone, without its root, trusts nothing.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, SerialNumber,
};
use sha2::Digest as _;
use support::{NULL_DEVICE, Server, free_port};

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
    let int_cert = int.signed_by(&int_key, &root_issuer).unwrap();
    let int_issuer = Issuer::new(int, int_key);

    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
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
    let header = fixture::csv_record(&[
        "Subject",
        "Issuer",
        "SHA256",
        "Full CRL Issued By This CA",
        "PEM",
        "JSON Array of Partitioned CRLs",
    ]);
    let row = fixture::csv_record(&[
        "CN=Cabundle Private Test Intermediate".to_owned(),
        "CN=Cabundle Private Test Root; O=Cabundle Test CAs; C=XX".to_owned(),
        hex::encode_upper(sha2::Sha256::digest(&pki.intermediate_der)),
        String::new(),
        pki.intermediate_pem.replace('\n', "\r\n"),
        "[]".to_owned(),
    ]);
    format!("{header}\n{row}")
}

/// `openssl s_server` sending only its leaf.
fn start_server(dir: &Path, pki: &Pki) -> Server {
    let cert = dir.join("server.pem");
    let key = dir.join("server.key");
    std::fs::write(&cert, &pki.leaf_pem).unwrap();
    std::fs::write(&key, &pki.leaf_key_pem).unwrap();
    for _ in 0..5 {
        let port = free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .args(["-www", "-quiet"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = Server { child, port };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return server;
            }
            if let Ok(Some(_)) = server.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = server.child.kill();
    }
    panic!("openssl s_server did not start");
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
        .env_remove("NODE_EXTRA_CA_CERTS")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    let out = cmd.output().unwrap();
    (out.status.success(), text(&out.stdout) + &text(&out.stderr))
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

/// One client: connects with the given CA file; (success, output).
type ClientRun<'a> = Box<dyn Fn(&Path) -> (bool, String) + 'a>;

const UNABLE: &str = "unable to get local issuer certificate";

#[test]
fn full_bundle_repairs_a_server_that_omits_its_intermediate_and_adds_no_trust() {
    if !support::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = pki();
    let inter = d.join("intermediates.csv");
    std::fs::write(&inter, intermediates_report(&pki)).unwrap();
    let with_root = d.join("with-root.csv");
    let mut roots = fixture::roots();
    roots.push(pki.root.clone());
    std::fs::write(&with_root, fixture::report_csv(&roots)).unwrap();
    let without_root = d.join("without-root.csv");
    std::fs::write(&without_root, fixture::report_csv(&fixture::roots())).unwrap();

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
    let url = format!("https://127.0.0.1:{}/", server.port);
    let connect = format!("127.0.0.1:{}", server.port);
    let mut clients: Vec<(&str, ClientRun<'_>)> = Vec::new();
    clients.push((
        "s_client",
        Box::new(|pem: &Path| {
            client(
                Command::new("openssl")
                    .args([
                        "s_client",
                        "-connect",
                        &connect,
                        "-verify_return_error",
                        "-CAfile",
                    ])
                    .arg(pem)
                    .args(["-verify_ip", "127.0.0.1"]),
            )
        }),
    ));
    if support::have("curl") {
        clients.push((
            "curl",
            Box::new(|pem: &Path| {
                client(
                    Command::new("curl")
                        .args(["-sS", "-o", NULL_DEVICE, "--cacert"])
                        .arg(pem)
                        .arg(&url),
                )
            }),
        ));
    }
    if support::have(support::PYTHON) {
        let script = "import sys, requests\n\
try:\n    r = requests.get(sys.argv[1], verify=sys.argv[2], timeout=20)\n    print('status', r.status_code)\n\
except requests.exceptions.SSLError as e:\n    print(e)\n    sys.exit(1)\n";
        let url = url.clone();
        clients.push((
            "requests",
            Box::new(move |pem: &Path| {
                client(
                    Command::new(support::PYTHON)
                        .args(["-c", script, &url])
                        .arg(pem),
                )
            }),
        ));
    }
    for (name, run) in &clients {
        let (ok, out) = run(&plain);
        assert!(!ok, "{name} with the roots bundle: {out}");
        assert!(
            out.contains(UNABLE) || out.contains("UNABLE_TO_GET_ISSUER_CERT_LOCALLY"),
            "{name}: {out}"
        );
        let (ok, out) = run(&full);
        assert!(ok, "{name} with --full-pem: {out}");
        let (ok, out) = run(&full_without);
        assert!(!ok, "{name} with the root left out: {out}");
    }
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
    let header = fixture::csv_record(&[
        "Subject",
        "Issuer",
        "SHA256",
        "Full CRL Issued By This CA",
        "PEM",
        "JSON Array of Partitioned CRLs",
    ]);
    let mut lines = vec![header];
    for (cert, _) in &cases {
        lines.push(fixture::csv_record(&[
            "CN=x".to_owned(),
            "CN=y".to_owned(),
            hex::encode_upper(sha2::Sha256::digest(cert.der())),
            String::new(),
            cert.pem(),
            String::new(),
        ]));
    }
    let inter = d.join("intermediates.csv");
    std::fs::write(&inter, lines.join("\n")).unwrap();
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
