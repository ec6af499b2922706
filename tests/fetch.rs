//! End-to-end tests of `cabundle fetch` against a local HTTPS server on 127.0.0.1.
//!
//! The server is a few lines of rustls over `std::net`; its CA and certificate are generated
//! with rcgen for every test, so the platform trust store never knows them. Each test scripts
//! the server's answers (a report, a status, an HTML page, silence) and checks what the
//! command wrote, printed and how often it asked.

// clippy.toml allows unwrap in #[test] functions; the fixture code beside them is test code too.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, SanType};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::cabundle;

/// What the server answers to one request.
#[derive(Clone)]
enum Reply {
    /// 200 with this content type and body.
    Body(&'static str, Vec<u8>),
    /// This status and an empty body.
    Status(u16),
    /// Read the request, then say nothing for a long time.
    Stall,
    /// 200 announcing more bytes than are sent, then hang up.
    Truncated(Vec<u8>),
    /// 200 announcing a large body, then one byte per second (for at most 40 s).
    Drip,
}

/// A running test server: its port, the PEM of its CA, and how many requests it has read.
struct Server {
    port: u16,
    ca_pem: String,
    requests: Arc<AtomicUsize>,
}

impl Server {
    /// Answers the n-th request with `replies[n]`, and later ones with the last reply.
    fn start(replies: Vec<Reply>) -> Server {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "cabundle fetch test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf_params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
        .unwrap();
        let config = Arc::new(config);

        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let config = Arc::clone(&config);
                let replies = replies.clone();
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || serve(stream, config, &replies, &counter));
            }
        });
        Server {
            port,
            ca_pem: ca.pem(),
            requests,
        }
    }

    fn url(&self, host: &str) -> String {
        format!(
            "https://{host}:{}/IncludedCACertificateReportPEMCSV",
            self.port
        )
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// One connection: TLS handshake, read the request head, answer with the scripted reply.
fn serve(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    replies: &[Reply],
    counter: &AtomicUsize,
) {
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return, // e.g. the client refused our certificate
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let n = counter.fetch_add(1, Ordering::SeqCst);
    let reply = replies[n.min(replies.len() - 1)].clone();
    let response = match reply {
        Reply::Drip => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\n";
            if tls
                .write_all(head.as_bytes())
                .and_then(|()| tls.flush())
                .is_err()
            {
                return;
            }
            for _ in 0..40 {
                if tls.write_all(b"x").and_then(|()| tls.flush()).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            return;
        }
        Reply::Stall => {
            std::thread::sleep(Duration::from_secs(20));
            return;
        }
        Reply::Status(code) => {
            format!("HTTP/1.1 {code} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes()
        }
        Reply::Truncated(body) => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len() + 1000
            )
            .into_bytes();
            r.extend_from_slice(&body);
            r
        }
        Reply::Body(content_type, body) => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend_from_slice(&body);
            r
        }
    };
    let _ = tls.write_all(&response);
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// A small report in the CCADB's layout: every field quoted, PEM in single quotes, no final
/// newline, with `n` generated roots.
fn report(n: usize) -> Vec<u8> {
    let mut lines = vec![fixture::csv_record(&fixture::HEADER)];
    for i in 0..n {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let name = format!("Fetch Test Root {i}");
        params
            .distinguished_name
            .push(DnType::CommonName, name.as_str());
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Fetch Test Owner");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.serial_number = Some(vec![0x10, i as u8].into());
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2040, 1, 1);
        let cert = params.self_signed(&key).unwrap();
        let sha = hex_upper(&Sha256::digest(cert.der()));
        let row = [
            "Fetch Test Owner".to_owned(),
            "Fetch Test Owner".to_owned(),
            name,
            format!("10{i:02X}"),
            sha,
            "2020.01.01".to_owned(),
            "2040.01.01".to_owned(),
            "Websites;Email".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            format!("'{}'", cert.pem().trim_end()),
        ];
        lines.push(fixture::csv_record(&row));
    }
    lines.join("\n").into_bytes()
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex_upper(&Sha256::digest(bytes)).to_ascii_lowercase()
}

/// A temp dir holding the server's CA as `ca.pem`, and the output path `out/report.csv`.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new(server: &Server) -> Dir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("ca.pem"), &server.ca_pem).unwrap();
        std::fs::create_dir(tmp.path().join("out")).unwrap();
        Dir { tmp }
    }
    fn ca(&self) -> String {
        path_str(&self.tmp.path().join("ca.pem"))
    }
    fn out(&self) -> PathBuf {
        self.tmp.path().join("out").join("report.csv")
    }
    /// The names in `out/`, to prove nothing (not even a temporary file) was left behind.
    fn out_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.tmp.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("utf-8 temp path").to_owned()
}

/// Runs `cabundle fetch URL -o OUT` plus `extra`, with fast retry settings.
fn fetch(url: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let out = path_str(out);
    let mut args = vec![
        "fetch",
        url,
        "-o",
        out.as_str(),
        "--min-roots",
        "3",
        "--retry-backoff",
        "10ms",
    ];
    args.extend_from_slice(extra);
    cabundle(&args)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("run cabundle")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn exact_bytes_with_the_right_ca() {
    let body = report(3);
    let server = Server::start(vec![Reply::Body("text/csv; charset=UTF-8", body.clone())]);
    let dir = Dir::new(&server);
    for host in ["127.0.0.1", "localhost"] {
        let out = fetch(&server.url(host), &dir.out(), &["--ca-file", &dir.ca()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            std::fs::read(dir.out()).unwrap(),
            body,
            "the file holds exactly the bytes served"
        );
        let line = String::from_utf8(out.stdout.clone()).unwrap();
        assert_eq!(
            line,
            format!("{}  {}\n", sha256_hex(&body), path_str(&dir.out()))
        );
        let err = stderr(&out);
        assert!(err.contains(&format!("{} bytes", body.len())), "{err}");
        assert!(
            !err.contains('\x1b'),
            "no progress bar when stderr is not a terminal: {err:?}"
        );
        assert_eq!(dir.out_names(), ["report.csv"]);
    }
    assert_eq!(server.requests(), 2);
}

#[test]
fn refused_without_the_ca_file() {
    let server = Server::start(vec![Reply::Body("text/csv", report(3))]);
    let dir = Dir::new(&server);
    let out = fetch(&server.url("127.0.0.1"), &dir.out(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("invalid peer certificate"), "{err}");
    assert!(
        err.contains("\nhint: ") && err.contains("--ca-file"),
        "{err}"
    );
    assert!(dir.out_names().is_empty(), "nothing written");
    assert_eq!(
        server.requests(),
        0,
        "no request is sent over an unverified connection"
    );
}

/// The output already exists; every failure must leave it as it was.
fn check_refused(
    replies: Vec<Reply>,
    extra: &[&str],
    expected_in_stderr: &str,
    expected_requests: usize,
) {
    let server = Server::start(replies);
    let dir = Dir::new(&server);
    std::fs::write(dir.out(), "previous report").unwrap();
    let mut args = vec!["--ca-file".to_owned(), dir.ca()];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = fetch(&server.url("127.0.0.1"), &dir.out(), &args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(expected_in_stderr),
        "expected {expected_in_stderr:?} in:\n{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.out()).unwrap(),
        "previous report"
    );
    assert_eq!(
        dir.out_names(),
        ["report.csv"],
        "no temporary file is left behind"
    );
    assert_eq!(server.requests(), expected_requests, "{err}");
}

#[test]
fn html_empty_and_implausible_bodies_are_refused() {
    let page = b"<!DOCTYPE html>\n<html><body>Please log in</body></html>".to_vec();
    check_refused(
        vec![Reply::Body("text/html; charset=utf-8", page.clone())],
        &[],
        "HTML page",
        1,
    );
    check_refused(vec![Reply::Body("text/plain", page)], &[], "HTML page", 1);
    check_refused(vec![Reply::Body("text/csv", Vec::new())], &[], "empty", 1);
    check_refused(
        vec![Reply::Body("text/csv", report(2))],
        &[],
        "fewer than --min-roots 3",
        1,
    );
    check_refused(
        vec![Reply::Body(
            "text/csv",
            b"\"Owner\",\"Trust Bits\"\n\"x\",\"y\"".to_vec(),
        )],
        &[],
        "missing required column",
        1,
    );
}

#[test]
fn server_errors_are_retried_and_client_errors_are_not() {
    let body = report(3);
    let server = Server::start(vec![
        Reply::Status(503),
        Reply::Body("text/csv", body.clone()),
    ]);
    let dir = Dir::new(&server);
    let out = fetch(
        &server.url("127.0.0.1"),
        &dir.out(),
        &["--ca-file", &dir.ca(), "-v"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.out()).unwrap(), body);
    assert_eq!(server.requests(), 2);
    assert!(stderr(&out).contains("after 2 tries"), "{}", stderr(&out));

    check_refused(
        vec![Reply::Status(503)],
        &["--attempts", "3"],
        "HTTP 503 (tried 3 times)",
        3,
    );
    check_refused(
        vec![Reply::Status(404), Reply::Body("text/csv", body)],
        &[],
        "HTTP 404 (tried once)",
        1,
    );
}

#[test]
fn a_stalled_server_times_out() {
    let started = Instant::now();
    check_refused(
        vec![Reply::Stall],
        &["--read-timeout", "300ms", "--attempts", "2"],
        "timed out fetching",
        2,
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// A server that sends a byte per second never trips the read time-out: the deadline of the
/// try ends the download (4 times the read time-out by default), and the message says so.
#[test]
fn a_dripping_server_ends_at_the_deadline() {
    let started = Instant::now();
    check_refused(
        vec![Reply::Drip],
        &["--read-timeout", "3s", "--attempts", "1"],
        "did not finish within 12s, the deadline of one try (tried once)",
        1,
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(16), "took {took:?}");
    // With retries, every try has its deadline, and the whole is bounded too.
    let started = Instant::now();
    check_refused(
        vec![Reply::Drip],
        &[
            "--read-timeout",
            "3s",
            "--download-deadline",
            "2s",
            "--attempts",
            "2",
        ],
        "did not finish within 2s, the deadline of one try (tried 2 times)",
        2,
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn a_server_that_never_starts_tls_times_out() {
    // Accepts TCP connections and holds them without a word: the handshake never finishes.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://127.0.0.1:{port}/report.csv");
    let started = Instant::now();
    let out = fetch(
        &url,
        &dir.path().join("r.csv"),
        &["--connect-timeout", "300ms", "--attempts", "2"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("timed out fetching"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("(tried 2 times)"), "{}", stderr(&out));
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(!dir.path().join("r.csv").exists());
}

#[test]
fn a_truncated_body_is_retried_then_refused() {
    let body = report(3);
    check_refused(
        vec![Reply::Truncated(body.clone())],
        &["--attempts", "2"],
        "(tried 2 times)",
        2,
    );

    let server = Server::start(vec![
        Reply::Truncated(body.clone()),
        Reply::Body("text/csv", body.clone()),
    ]);
    let dir = Dir::new(&server);
    let out = fetch(
        &server.url("127.0.0.1"),
        &dir.out(),
        &["--ca-file", &dir.ca()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.out()).unwrap(), body);
    assert_eq!(server.requests(), 2);
}

#[test]
fn the_real_report_passes_the_default_checks() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let body =
        std::fs::read(data.join("IncludedCACertificateReportPEMCSV-2026-07-01.csv")).unwrap();
    let server = Server::start(vec![Reply::Body("text/csv; charset=UTF-8", body.clone())]);
    let dir = Dir::new(&server);
    let out_path = path_str(&dir.out());
    let out = cabundle(&[
        "fetch",
        &server.url("localhost"),
        "-o",
        &out_path,
        "--ca-file",
        &dir.ca(),
    ])
    .env_remove("HTTPS_PROXY")
    .env_remove("https_proxy")
    .output()
    .expect("run cabundle");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.out()).unwrap(), body);
    // SOURCES.md gives this file's SHA-256.
    let expected = "2ed76a78d21c966715c4c450fc9b2fd1bc918a4d7d03d45e75116a9c05f18ae6";
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{expected}  {out_path}\n")
    );
}

#[test]
fn expect_sha256_is_enforced() {
    let body = report(3);
    let wrong = "00".repeat(32);
    check_refused(
        vec![Reply::Body("text/csv", body.clone())],
        &["--expect-sha256", &wrong],
        "expected 0000",
        1,
    );

    let server = Server::start(vec![Reply::Body("text/csv", body.clone())]);
    let dir = Dir::new(&server);
    let right = sha256_hex(&body).to_ascii_uppercase();
    let out = fetch(
        &server.url("127.0.0.1"),
        &dir.out(),
        &["--ca-file", &dir.ca(), "--expect-sha256", &right],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.out()).unwrap(), body);
}

#[test]
fn plain_http_urls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = fetch(
        "http://127.0.0.1:9/report.csv",
        &dir.path().join("r.csv"),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("only https:// URLs"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("r.csv").exists());
}

#[test]
fn https_proxy_is_honoured() {
    // A proxy that accepts and hangs up: the fetch must go through it, and fail.
    let proxy = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let proxy_port = proxy.local_addr().unwrap().port();
    let proxy_hits = Arc::new(AtomicUsize::new(0));
    let hits = Arc::clone(&proxy_hits);
    std::thread::spawn(move || {
        for stream in proxy.incoming() {
            hits.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let body = report(3);
    let server = Server::start(vec![Reply::Body("text/csv", body.clone())]);
    let dir = Dir::new(&server);
    let out_path = path_str(&dir.out());
    let run = |no_proxy: &str| {
        cabundle(&[
            "fetch",
            &server.url("localhost"),
            "-o",
            &out_path,
            "--min-roots",
            "3",
            "--ca-file",
            &dir.ca(),
            "--attempts",
            "1",
        ])
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{proxy_port}"))
        .env_remove("https_proxy")
        .env("NO_PROXY", no_proxy)
        .env_remove("no_proxy")
        .output()
        .expect("run cabundle")
    };
    let through_proxy = run("example.invalid");
    assert_eq!(
        through_proxy.status.code(),
        Some(2),
        "{}",
        stderr(&through_proxy)
    );
    assert!(proxy_hits.load(Ordering::SeqCst) >= 1, "the proxy was used");
    assert_eq!(server.requests(), 0);

    let direct = run("localhost");
    assert_eq!(direct.status.code(), Some(0), "{}", stderr(&direct));
    assert_eq!(std::fs::read(dir.out()).unwrap(), body);
}

#[test]
fn build_downloads_the_report_with_the_same_trust_and_checks() {
    // `build --report URL` goes through the same download as `fetch`: 100 roots clear the
    // default plausibility check, and only `--ca-file` makes the test server trusted.
    let body = report(100);
    let server = Server::start(vec![Reply::Body("text/csv", body.clone())]);
    let dir = Dir::new(&server);
    let pem = dir.tmp.path().join("out").join("bundle.pem");
    let manifest = dir.tmp.path().join("out").join("manifest.json");
    let build = |extra: &[&str]| {
        let (pem, manifest) = (path_str(&pem), path_str(&manifest));
        let url = server.url("127.0.0.1");
        let mut args = vec![
            "build",
            "--report",
            url.as_str(),
            "--as-of",
            "2030-01-01",
            "--pem",
            pem.as_str(),
            "--manifest",
            manifest.as_str(),
            "--retry-backoff",
            "10ms",
        ];
        args.extend_from_slice(extra);
        cabundle(&args)
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .output()
            .expect("run cabundle")
    };

    let out = build(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot fetch"), "{}", stderr(&out));
    assert_eq!(dir.out_names(), Vec::<String>::new(), "nothing written");

    let out = build(&["--ca-file", &dir.ca()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bundle = std::fs::read_to_string(&pem).unwrap();
    assert_eq!(bundle.matches("-----BEGIN CERTIFICATE-----").count(), 100);
    assert!(
        bundle.contains(&sha256_hex(&body)),
        "the header names the source's SHA-256"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(manifest["source"]["sha256"], sha256_hex(&body));
}

#[test]
fn intermediates_report_is_fetched_and_checked_as_one() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let body =
        std::fs::read(data.join("MozillaIntermediateCertsCSVReport-2026-07-25.csv")).unwrap();
    let server = Server::start(vec![Reply::Body("text/csv; charset=UTF-8", body.clone())]);
    let dir = Dir::new(&server);
    let out_path = path_str(&dir.out());
    let out = cabundle(&[
        "fetch",
        "--kind",
        "intermediates",
        &server.url("localhost"),
        "-o",
        &out_path,
        "--ca-file",
        &dir.ca(),
        "-v",
    ])
    .env_remove("HTTPS_PROXY")
    .env_remove("https_proxy")
    .output()
    .expect("run cabundle");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("the report lists 1759 intermediates"), "{err}");
    assert_eq!(std::fs::read(dir.out()).unwrap(), body);
    // SOURCES.md gives this file's SHA-256.
    let expected = "c66609217cc1362130ce3fc71baf764d42bb8bb947cf162022591e3ae09ac71f";
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{expected}  {out_path}\n")
    );

    // A roots report, an HTML page and a truncated body are refused, the old file kept; the
    // old spelling `--intermediates` (hidden) still means `--kind intermediates`.
    let roots = report(5);
    let page = b"<!DOCTYPE html>\n<html><body>Please log in</body></html>".to_vec();
    let cut = body[..body.len() - 300].to_vec();
    for (reply, expected) in [
        (roots, "with none of the expected columns"),
        (page, "HTML page"),
        (cut, "row 1759: malformed CSV: found 5 fields, expected 6"),
    ] {
        check_refused(
            vec![Reply::Body("text/csv", reply)],
            &["--intermediates"],
            expected,
            1,
        );
    }
}
