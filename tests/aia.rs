//! `--fetch-missing` end to end: a loopback TLS server that sends only its leaf, whose AIA
//! caIssuers URL points at a loopback HTTP server serving the intermediate (as DER, and as a
//! PKCS#7 `certs-only` file made by `openssl crl2pkcs7`). `probe` names what it fetched and
//! the fix; `chain --fetch-missing -o` writes a chain with which `openssl verify -untrusted`
//! and `openssl s_client` (against the server sending it) succeed; a URL that redirects to
//! itself, one that never answers and one that serves 100 MB are each stopped with a message,
//! and so is a loop of the certificates' own caIssuers URLs (A's serves B, B's serves A), in
//! `verify`, `probe` and `chain`.
#![allow(clippy::unwrap_used)] // support functions outside #[test] fns panic on failure by design

mod support;

use cabundle_testkit::pki_files::{ca, issuer_loop, leaf};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{HttpFiles, Server, cabundle, free_port, output_text as text};
use time::macros::datetime;

/// A root, an intermediate, and one leaf per caIssuers URL, written into `dir`.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }
}

fn files(http: &HttpFiles, dir: tempfile::TempDir) -> Files {
    let from = datetime!(2024-01-01 0:00 UTC);
    let to = datetime!(2036-01-01 0:00 UTC);
    let root = ca("AIA Root", None, from, to);
    let int = ca("AIA Intermediate", Some(&root), from, to);
    let write = |name: &str, text: &str| fs_err::write(dir.path().join(name), text).unwrap();
    write("root.pem", &root.pem);
    write("int.pem", &int.pem);
    for (name, path) in [
        ("der", "int.der"),
        ("p7c", "int.p7c"),
        ("loop", "loop"),
        ("hang", "hang"),
        ("big", "big"),
    ] {
        let (cert, key) = leaf(
            "aia.example",
            &["aia.example"],
            &int,
            from,
            to,
            Some(&http.url(path)),
        );
        write(&format!("leaf-{name}.pem"), &cert);
        write(&format!("leaf-{name}.key"), &key);
    }
    let dir_path = dir.path().to_owned();
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(&dir_path)
            .status()
            .unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    openssl(&[
        "x509", "-in", "int.pem", "-outform", "DER", "-out", "int.der",
    ]);
    openssl(&[
        "crl2pkcs7",
        "-nocrl",
        "-certfile",
        "int.pem",
        "-outform",
        "DER",
        "-out",
        "int.p7c",
    ]);
    Files { dir }
}

fn have_all() -> bool {
    support::have("openssl") && support::have("python3")
}

#[test]
fn probe_fetches_the_intermediate_the_server_omits() {
    if !have_all() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let http = HttpFiles::start(dir.path(), free_port());
    let f = files(&http, dir);
    for kind in ["der", "p7c"] {
        let server = Server::start(
            &f.path(&format!("leaf-{kind}.pem")),
            &f.path(&format!("leaf-{kind}.key")),
            None,
        );
        let target = format!("127.0.0.1:{}", server.port);
        let probe = |extra: &[&str]| {
            let mut args = vec!["probe", &target, "--servername", "aia.example", "--bundle"];
            let root = f.arg("root.pem");
            args.push(&root);
            args.extend_from_slice(extra);
            cabundle(&args).output().unwrap()
        };
        let out = probe(&[]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            text(&out).contains("missing intermediate"),
            "{}",
            text(&out)
        );
        let out = probe(&["--fetch-missing"]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(
            said.contains("the server omits CN=AIA Intermediate, O=cabundle tests, SHA-256 ")
                && said.contains(&format!(
                    "fetched from {} (its caIssuers URL)",
                    http.url(&format!("int.{kind}"))
                )),
            "{said}"
        );
        assert!(
            said.contains(
                "OpenSSL, curl, Python and Go do not, and fail until the server sends it"
            ),
            "{said}"
        );
        assert!(
            said.contains("not verified as sent: the server is misconfigured"),
            "{said}"
        );
        assert!(said.contains("verified: CN=aia.example"), "{said}");

        // verify on the leaf file: the chain is complete with what was fetched.
        let out = cabundle(&[
            "verify",
            &f.arg(&format!("leaf-{kind}.pem")),
            "--bundle",
            &f.arg("root.pem"),
            "--hostname",
            "aia.example",
            "--fetch-missing",
        ])
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains("the chain omits CN=AIA Intermediate"));
    }
}

#[test]
fn chain_writes_the_full_chain_openssl_accepts() {
    if !have_all() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let http = HttpFiles::start(dir.path(), free_port());
    let f = files(&http, dir);
    for kind in ["der", "p7c"] {
        let full = f.arg(&format!("full-{kind}.pem"));
        let out = cabundle(&[
            "chain",
            &f.arg(&format!("leaf-{kind}.pem")),
            "--fetch-missing",
            "-o",
            &full,
        ])
        .output()
        .unwrap();
        let said = text(&out);
        // The root is not fetched (nothing names its URL): the chain stops at the
        // intermediate, which is what a server sends.
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(
            said.contains(&format!(
                "1  CN=AIA Intermediate, O=cabundle tests (intermediate, fetched from {})",
                http.url(&format!("int.{kind}"))
            )),
            "{said}"
        );
        let written = fs_err::read_to_string(&full).unwrap();
        assert_eq!(written.matches("BEGIN CERTIFICATE").count(), 2);
        let verify = Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(f.path("root.pem"))
            .arg("-untrusted")
            .arg(&full)
            .arg(f.path(&format!("leaf-{kind}.pem")))
            .output()
            .unwrap();
        assert!(verify.status.success(), "{verify:?}");
        // A server given the written chain is verified by s_client.
        let server = Server::start(
            &f.path(&format!("leaf-{kind}.pem")),
            &f.path(&format!("leaf-{kind}.key")),
            Some(Path::new(&full)),
        );
        let s_client = Command::new("openssl")
            .arg("s_client")
            .arg("-connect")
            .arg(format!("127.0.0.1:{}", server.port))
            .args([
                "-servername",
                "aia.example",
                "-verify_return_error",
                "-CAfile",
            ])
            .arg(f.path("root.pem"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(s_client.status.success(), "{}", text(&s_client));
    }
}

#[test]
fn a_url_that_loops_hangs_or_floods_is_stopped_with_a_message() {
    if !have_all() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let http = HttpFiles::start(dir.path(), free_port());
    let f = files(&http, dir);
    for (kind, says) in [
        ("loop", "redirect"),
        ("hang", "timed out"),
        ("big", "more than the limit of 1048576"),
    ] {
        let started = Instant::now();
        let out = cabundle(&[
            "verify",
            &f.arg(&format!("leaf-{kind}.pem")),
            "--bundle",
            &f.arg("root.pem"),
            "--fetch-missing",
            "--fetch-timeout",
            "2s",
        ])
        .output()
        .unwrap();
        let said = text(&out);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{kind}: {said}"
        );
        assert_eq!(out.status.code(), Some(1), "{kind}: {said}");
        assert!(said.contains("missing intermediate"), "{kind}: {said}");
        let note = said
            .lines()
            .find(|l| l.starts_with("fetch-missing: "))
            .unwrap_or_else(|| panic!("{kind}: no fetch-missing line:\n{said}"));
        assert!(note.contains(&http.url(kind)), "{kind}: {note}");
        assert!(note.contains(says), "{kind}: {note}");
    }
}

#[test]
fn caissuers_urls_that_loop_are_stopped_with_a_message() {
    if !have_all() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let http = HttpFiles::start(dir.path(), free_port());
    let from = datetime!(2024-01-01 0:00 UTC);
    let to = datetime!(2036-01-01 0:00 UTC);
    let (a_url, b_url) = (http.url("a.pem"), http.url("b.pem"));
    // A's caIssuers serves B, B's serves A; each issued the other.
    let (a, b) = issuer_loop("AIA Loop A", "AIA Loop B", from, to, &b_url, &a_url);
    let root = ca("AIA Loop Unrelated Root", None, from, to);
    let (cert, key) = leaf(
        "loop.example",
        &["loop.example"],
        &a,
        from,
        to,
        Some(&a_url),
    );
    let path = |name: &str| dir.path().join(name);
    for (name, text) in [
        ("a.pem", &a.pem),
        ("b.pem", &b.pem),
        ("root.pem", &root.pem),
        ("leaf.pem", &cert),
        ("leaf.key", &key),
    ] {
        fs_err::write(path(name), text).unwrap();
    }
    let arg = |name: &str| path(name).to_str().unwrap().to_owned();
    let says_loop = |said: &str| {
        let note = said
            .lines()
            .find(|l| l.contains("fetch-missing: "))
            .unwrap_or_else(|| panic!("no fetch-missing line:\n{said}"));
        assert!(
            note.contains(&format!(
                "\"CN=AIA Loop B, O=cabundle tests\" (fetched from {b_url}) names \"CN=AIA Loop A, O=cabundle tests\" as its issuer, fetched already from {a_url}: the caIssuers URLs loop without reaching a trusted root"
            )),
            "{said}"
        );
    };
    let started = Instant::now();
    let out = cabundle(&[
        "verify",
        &arg("leaf.pem"),
        "--bundle",
        &arg("root.pem"),
        "--fetch-missing",
        "--fetch-timeout",
        "2s",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    says_loop(&text(&out));
    let out = cabundle(&[
        "chain",
        &arg("leaf.pem"),
        "--fetch-missing",
        "--fetch-timeout",
        "2s",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    says_loop(&text(&out));
    let server = Server::start(&path("leaf.pem"), &path("leaf.key"), None);
    let target = format!("127.0.0.1:{}", server.port);
    let out = cabundle(&[
        "probe",
        &target,
        "--servername",
        "loop.example",
        "--bundle",
        &arg("root.pem"),
        "--fetch-missing",
        "--fetch-timeout",
        "2s",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    says_loop(&text(&out));
    assert!(started.elapsed() < Duration::from_secs(30));
}
