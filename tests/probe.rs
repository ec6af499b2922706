//! End-to-end tests of `cabundle probe` against loopback `openssl s_server` instances (free
//! port on 127.0.0.1, bounded waits, always killed), each verdict checked against
//! `openssl s_client -verify_return_error`; plus a refused port and a server that never answers.
#![allow(clippy::unwrap_used)] // support functions outside #[test] fns panic on failure by design

mod support;

use cabundle_testkit::PkiFiles as Pki;
use cabundle_testkit::pki_files::INT_URL;
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{Server, cabundle, free_port, output_text as text};

impl Server {
    /// Serves `cert` with `key` of the PKI, sending `chain` (extra certificates) when given.
    fn serve(pki: &Pki, cert: &str, key: &str, chain: Option<&str>) -> Server {
        let chain = chain.map(|c| pki.path(c));
        Server::start(&pki.path(cert), &pki.path(key), chain.as_deref())
    }

    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Whether `openssl s_client -verify_return_error` accepts the server.
    fn s_client_accepts(&self, pki: &Pki, bundle: &str, name: &str) -> bool {
        let out = Command::new("openssl")
            .arg("s_client")
            .arg("-connect")
            .arg(self.target())
            .arg("-servername")
            .arg(name)
            .arg("-verify_hostname")
            .arg(name)
            .arg("-CAfile")
            .arg(pki.path(bundle))
            .arg("-verify_return_error")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        out.status.success()
    }
}

struct Case<'a> {
    cert: &'a str,
    key: &'a str,
    chain: Option<&'a str>,
    name: &'a str,
    /// The trust bundle (`root.pem` unless the case needs another).
    bundle: &'a str,
    ok: bool,
    says: &'a [&'a str],
    /// Text that must not appear (advice that does not fit the case).
    never: &'a [&'a str],
}

fn check(pki: &Pki, case: &Case<'_>) -> Output {
    let server = Server::serve(pki, case.cert, case.key, case.chain);
    let saved = pki.path(&format!(
        "saved-{}-{}-{}.pem",
        case.cert,
        case.name,
        case.chain.unwrap_or("alone")
    ));
    let out = cabundle(&[
        "probe",
        &server.target(),
        "--servername",
        case.name,
        "--bundle",
        &pki.arg(case.bundle),
        "--timeout",
        "10",
        "--save-chain",
        saved.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let said = text(&out);
    let want = if case.ok { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(want), "{}: {said}", case.cert);
    for s in case.says {
        assert!(said.contains(s), "{} should say {s:?}:\n{said}", case.cert);
    }
    for s in case.never {
        assert!(
            !said.contains(s),
            "{} should not say {s:?}:\n{said}",
            case.cert
        );
    }
    support::assert_problem_count(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        server.s_client_accepts(pki, case.bundle, case.name),
        case.ok,
        "openssl s_client disagrees on {} ({})",
        case.cert,
        case.name
    );
    out
}

#[test]
fn probes_agree_with_s_client() {
    if !support::have("openssl") {
        return;
    }
    let pki = Pki::new();
    let cases = [
        Case {
            cert: "good.pem",
            key: "good.key",
            chain: Some("int.pem"),
            name: "good.example",
            bundle: "root.pem",
            ok: true,
            says: &["sent 2 certificates", "sha256:", "verified: "],
            never: &[],
        },
        Case {
            cert: "good.pem",
            key: "good.key",
            chain: None,
            name: "good.example",
            bundle: "root.pem",
            ok: false,
            says: &[
                "sent 1 certificate",
                "missing intermediate",
                "CN=Test Intermediate",
                INT_URL,
            ],
            never: &["TLS-inspecting proxy"],
        },
        Case {
            cert: "good.pem",
            key: "good.key",
            chain: Some("int.pem"),
            name: "wrong.example",
            bundle: "root.pem",
            ok: false,
            says: &[
                "host name mismatch",
                "good.example, www.good.example",
                "hint: connect with one of those names",
            ],
            never: &[],
        },
        // The server sends no root, and the store lacks it: the saved chain holds no root, so
        // the advice is where to get one, not to take it from the chain.
        Case {
            cert: "good.pem",
            key: "good.key",
            chain: Some("int.pem"),
            name: "good.example",
            bundle: "other-root.pem",
            ok: false,
            says: &[
                "not verified: 1 problem\n",
                "hint: the server does not send its root \"CN=Test Root, O=cabundle tests\", and no trust store given has it",
                "hint: if you trust \"CN=Test Root, O=cabundle tests\", get its certificate from whoever runs it, check its fingerprint with them, save it as ROOT.pem, then: cabundle build --add ROOT.pem ...",
            ],
            never: &["--root", "the chain is saved"],
        },
        Case {
            cert: "proxied.pem",
            key: "proxied.key",
            chain: Some("proxy-root.pem"),
            name: "good.example",
            bundle: "root.pem",
            ok: false,
            says: &[
                "not verified: 1 problem\n",
                "CN=Inspecting Proxy Root",
                "hint: the server sent this root itself, and no trust store given has it: it is a private CA, or a TLS-inspecting proxy on this network",
                "--root -o ROOT.pem), then: cabundle build --add ROOT.pem ...",
            ],
            never: &[],
        },
        Case {
            cert: "proxied.pem",
            key: "proxied.key",
            chain: None,
            name: "good.example",
            bundle: "root.pem",
            ok: false,
            says: &[
                "missing intermediate",
                "hint: if no public CA is named \"CN=Inspecting Proxy Root, O=cabundle tests\", this is a private CA or a TLS-inspecting proxy on this network: get its root from whoever runs it",
            ],
            // Regression: the proxy line read "...given: the issuer of \"X\", \"Y\"".
            never: &["the issuer of", "--root"],
        },
        Case {
            cert: "expired.pem",
            key: "expired.key",
            chain: Some("int.pem"),
            name: "expired.example",
            bundle: "root.pem",
            ok: false,
            says: &[
                "expired: the certificate \"CN=expired.example",
                "2022-01-01 00:00:00 UTC",
                "hint: renew the certificate",
            ],
            never: &[],
        },
    ];
    for case in &cases {
        check(&pki, case);
    }
    // The saved proxy chain holds the leaf and the proxy root, in the order sent.
    let saved = pki.path("saved-proxied.pem-good.example-proxy-root.pem.pem");
    let out = cabundle(&["chain", saved.to_str().unwrap()])
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("CN=Inspecting Proxy Root") && said.contains("(root)"),
        "{said}"
    );
}

/// `--save-chain -` puts the chain on standard output (the report goes to standard error),
/// so it pipes into `cabundle chain - --root`.
#[test]
fn save_chain_to_stdout_pipes_into_chain_root() {
    if !support::have("openssl") {
        return;
    }
    let pki = Pki::new();
    let server = Server::serve(&pki, "proxied.pem", "proxied.key", Some("proxy-root.pem"));
    let out = cabundle(&[
        "probe",
        &server.target(),
        "--servername",
        "good.example",
        "--bundle",
        &pki.arg("root.pem"),
        "--save-chain",
        "-",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout.matches("-----BEGIN CERTIFICATE-----").count(),
        2,
        "{stdout}"
    );
    assert!(stderr.contains("not verified: 1 problem"), "{stderr}");
    assert!(!stderr.contains("saved the chain"), "{stderr}");

    let mut child = cabundle(&["chain", "-", "--root"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let root = child.wait_with_output().unwrap();
    assert_eq!(root.status.code(), Some(0), "{}", text(&root));
    let want = fs_err::read_to_string(pki.path("proxy-root.pem")).unwrap();
    assert_eq!(String::from_utf8_lossy(&root.stdout), want);
}

#[test]
fn refused_port_is_an_error() {
    let pki = Pki::new();
    let port = free_port();
    let out = cabundle(&[
        "probe",
        &format!("127.0.0.1:{port}"),
        "--bundle",
        &pki.arg("root.pem"),
        "--timeout",
        "2",
    ])
    .output()
    .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("connection refused"), "{said}");
}

/// `--timeout` is a duration, like every time-out: a bare number is seconds (the old
/// spelling), `500ms` and `2m` work too; the message names it as given.
#[test]
fn silent_server_times_out() {
    let pki = Pki::new();
    for (timeout, said_as) in [("1", "1s"), ("500ms", "500ms")] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = std::thread::spawn(move || {
            // Accept and say nothing; drop the connection after a bounded wait.
            if let Ok((stream, _)) = listener.accept() {
                std::thread::sleep(Duration::from_secs(4));
                drop(stream);
            }
        });
        let started = Instant::now();
        let out = cabundle(&[
            "probe",
            &format!("127.0.0.1:{port}"),
            "--bundle",
            &pki.arg("root.pem"),
            "--timeout",
            timeout,
        ])
        .output()
        .unwrap();
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(
            said.contains(&format!(
                "no data from 127.0.0.1:{port} for {said_as} during the TLS handshake"
            )),
            "{said}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "took {:?}",
            started.elapsed()
        );
        holder.join().unwrap();
    }
}

/// The pin line of certificate `index` in `probe --pins` output.
fn pin_of(said: &str, index: usize) -> String {
    said.lines()
        .filter_map(|l| l.trim().strip_prefix("pin:"))
        .nth(index)
        .unwrap_or_else(|| panic!("no pin {index} in:\n{said}"))
        .trim()
        .to_owned()
}

/// curl's exit code against the server with `--pinnedpubkey pin` (0 accepted, 90 the pin does
/// not match).
fn curl_with_pin(pki: &Pki, server: &Server, pin: &str) -> Option<i32> {
    Command::new("curl")
        .args(["-s", "-o", "/dev/null", "--max-time", "10", "--cacert"])
        .arg(pki.path("root.pem"))
        .arg("--resolve")
        .arg(format!("good.example:{}:127.0.0.1", server.port))
        .arg("--pinnedpubkey")
        .arg(pin)
        .arg(format!("https://good.example:{}/", server.port))
        .status()
        .unwrap()
        .code()
}

#[test]
fn pins_are_curls_and_refused_alike() {
    if !support::have("openssl") || !support::have("curl") {
        return;
    }
    let pki = Pki::new();
    let server = Server::serve(&pki, "good.pem", "good.key", Some("int.pem"));
    let base = [
        "probe".to_owned(),
        server.target(),
        "--servername".to_owned(),
        "good.example".to_owned(),
        "--bundle".to_owned(),
        pki.arg("root.pem"),
    ];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
        args.extend_from_slice(extra);
        cabundle(&args).output().unwrap()
    };
    let out = run(&["--pins"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    let leaf_pin = pin_of(&said, 0);
    let int_pin = pin_of(&said, 1);
    assert!(
        leaf_pin.starts_with("sha256//") && leaf_pin.len() == 52,
        "{said}"
    );
    // inspect prints the same pins for the same certificates.
    let inspect = cabundle(&["inspect", "--pins", &pki.arg("good-chain.pem")])
        .output()
        .unwrap();
    let listed = text(&inspect);
    assert!(
        listed.starts_with(&format!("{leaf_pin}  CN=good.example")),
        "{listed}"
    );
    assert!(listed.contains(&int_pin), "{listed}");

    // The server's own pin: curl and cabundle accept it.
    assert_eq!(curl_with_pin(&pki, &server, &leaf_pin), Some(0));
    let out = run(&["--pin", &leaf_pin]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(&format!("pinned key: {leaf_pin} (CN=good.example")));

    // A key of no certificate there: both refuse, and cabundle names the keys it found.
    let stranger = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_eq!(curl_with_pin(&pki, &server, stranger), Some(90));
    let out = run(&["--pin", stranger]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("verified: "), "{said}");
    assert!(
        said.contains("pin: no certificate of the path carries a pinned key; found:"),
        "{said}"
    );
    assert!(
        said.contains(&format!("  {leaf_pin}  CN=good.example")),
        "{said}"
    );
    // The intermediate's key is on the path: cabundle accepts it (any key of the path, as
    // HPKP did), where curl looks at the server's own key only.
    let out = run(&["--pin", stranger, "--pin", &int_pin]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(curl_with_pin(&pki, &server, &int_pin), Some(90));

    // verify --pin on the same chain file agrees.
    let verify = |pin: &str| {
        cabundle(&[
            "verify",
            &pki.arg("good-chain.pem"),
            "--bundle",
            &pki.arg("root.pem"),
            "--hostname",
            "good.example",
            "--pin",
            pin,
        ])
        .output()
        .unwrap()
    };
    assert_eq!(verify(&leaf_pin).status.code(), Some(0));
    assert_eq!(verify(stranger).status.code(), Some(1));
    // A pin that is not one is an argument error, naming the form.
    let out = verify("sha256//short");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("sha256//"), "{}", text(&out));
}

#[test]
fn several_servers_as_json_with_days_left_and_a_warning_window() {
    if !support::have("openssl") {
        return;
    }
    let pki = Pki::new();
    let good = Server::serve(&pki, "good.pem", "good.key", Some("int.pem"));
    let expired = Server::serve(&pki, "expired.pem", "expired.key", Some("int.pem"));
    let refused = format!("127.0.0.1:{}", free_port());
    let out = cabundle(&[
        "probe",
        &good.target(),
        &expired.target(),
        &refused,
        "--bundle",
        &pki.arg("root.pem"),
        "--at",
        "2026-01-01",
        "--warn-days",
        "3000",
        "--timeout",
        "5",
        "--json",
    ])
    .output()
    .unwrap();
    // One server could not be reached: the exit code says so, and the others are reported.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = json.as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let verdicts: Vec<&str> = entries
        .iter()
        .map(|e| e["verdict"].as_str().unwrap())
        .collect();
    // The first fails on its name (127.0.0.1 is not in the certificate) and on the window:
    // the leaf ends 2034-01-01, 2922 days after 2026-01-01.
    assert_eq!(verdicts, ["failed", "failed", "error"], "{json:#}");
    let chain = entries[0]["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0]["days_left"], 2922);
    assert_eq!(chain[1]["days_left"], 4383);
    assert!(
        chain[0]["spki_pin"]
            .as_str()
            .unwrap()
            .starts_with("sha256//")
    );
    let path = entries[0]["path"].as_array().unwrap();
    assert_eq!(path.len(), 3, "{json:#}");
    assert_eq!(path[2]["subject"], "CN=Test Root, O=cabundle tests");
    assert_eq!(entries[0]["expiring"].as_array().unwrap().len(), 1);
    assert_eq!(entries[1]["chain"][0]["days_left"], -1461);
    assert!(
        entries[1]["problems"][0]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{json:#}"
    );
    assert!(entries[2]["error"].as_str().unwrap().contains(&refused));

    // One server in text: the window flags the leaf, and a window it clears passes.
    let window = |days: &str| {
        cabundle(&[
            "probe",
            &good.target(),
            "--servername",
            "good.example",
            "--bundle",
            &pki.arg("root.pem"),
            "--at",
            "2026-01-01",
            "--warn-days",
            days,
        ])
        .output()
        .unwrap()
    };
    let out = window("3000");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "expires within 3000 days: CN=good.example, O=cabundle tests (2034-01-01 00:00:00 UTC, 2922 days left)"
        ),
        "{said}"
    );
    assert!(!said.contains("CN=Test Intermediate (2038"), "{said}");
    let out = window("2922");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Flags that name one server are refused with several.
    let out = cabundle(&[
        "probe",
        &good.target(),
        &expired.target(),
        "--save-chain",
        "x.pem",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("--save-chain applies to one server, and 2 were given"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_plain_http_server_is_named_as_such() {
    if !support::have("python3") {
        return;
    }
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut http = Command::new("python3")
        .args(["-m", "http.server", "--bind", "127.0.0.1"])
        .arg(port.to_string())
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the HTTP server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = cabundle(&["probe", &format!("127.0.0.1:{port}"), "--timeout", "5"])
        .output()
        .unwrap();
    let _ = http.kill();
    let _ = http.wait();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!("127.0.0.1:{port} answered in plain HTTP, not TLS")),
        "{said}"
    );
    assert!(said.contains("hint: this port speaks HTTP"), "{said}");
}
