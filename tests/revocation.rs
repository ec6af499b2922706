//! `--revocation` end to end, against a private CA run with `openssl ca` (a root, an
//! intermediate, a revoked leaf and a good one): the CRLs served over loopback HTTP at the
//! distribution points written into the certificates, `openssl ocsp` as the responder named
//! in the leaves' AIA, and `openssl s_server -status_file` stapling its answer. `verify` and
//! `probe` say revoked for the one and ok for the other, as `openssl verify -crl_check` and
//! `openssl ocsp` do; a responder and CRL server that are down give `unknown`; a
//! revoked-intermediates report in the CCADB's layout, written here, flags the intermediate.
//! OCSP is POSTed when the responder refuses GET or the GET URL would pass 255 bytes; a
//! delegated responder certificate without id-kp-OCSPSigning gives `unknown` naming why, as
//! `openssl ocsp` refuses it.
#![allow(clippy::unwrap_used)] // support functions outside #[test] fns panic on failure by design

mod support;

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{cabundle, free_port, have, run_limited};

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (10 s at most) until something accepts connections on `port`.
fn wait_for(port: u16, child: &mut Child) {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server on port {port} exited: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on port {port}");
}

/// Waits (10 s at most) until `openssl ocsp` says it listens. A connection closed without a
/// request would block its single-threaded loop for good (OpenSSL 3.0), so the port is not
/// probed; its standard error is read instead, and drained by a thread afterwards.
fn wait_for_responder(child: &mut Child) {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut said = false;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !said && line.contains("waiting for OCSP client connections") {
                said = true;
                let _ = tx.send(());
            }
        }
    });
    if rx.recv_timeout(Duration::from_secs(10)).is_err() {
        panic!("openssl ocsp did not start");
    }
}

/// The private PKI, its HTTP server and its OCSP responder.
struct Pki {
    dir: tempfile::TempDir,
    http: Option<support::HttpFiles>,
    ocsp: Option<Killed>,
    http_port: u16,
    ocsp_port: u16,
    /// Where the `post` and `long` leaves' OCSP URLs point: a responder that takes only
    /// POST ([`post_only_responder`]), started by the test that needs it.
    post_port: u16,
}

impl Pki {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    fn ocsp_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ocsp_port)
    }

    /// Stops the HTTP server and the responder: every source is unreachable.
    fn stop_servers(&mut self) {
        self.http = None;
        self.ocsp = None;
    }
}

/// The configuration `openssl ca` and `openssl req` read: two CAs, each with its database.
fn openssl_cnf(dir: &Path, http_port: u16, ocsp_port: u16, post_port: u16) -> String {
    let dir = dir.to_str().unwrap();
    // A path long enough that the GET URL of a request passes 255 bytes.
    let long = "ocsp/".repeat(48);
    format!(
        r#"[ca]
default_ca = ca_int

[ca_root]
dir = {dir}
database = $dir/root-index.txt
serial = $dir/root-serial
crlnumber = $dir/root-crlnumber
new_certs_dir = $dir/new
certificate = $dir/root.pem
private_key = $dir/root.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
unique_subject = no

[ca_int]
dir = {dir}
database = $dir/int-index.txt
serial = $dir/int-serial
crlnumber = $dir/int-crlnumber
new_certs_dir = $dir/new
certificate = $dir/int.pem
private_key = $dir/int.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
unique_subject = no

[policy_any]
commonName = supplied

[req]
distinguished_name = dn
prompt = no

[dn]
CN = unused

[root_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[int_ext]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:{http_port}/root.crl

[leaf_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:revocation.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:{http_port}/int.crl
authorityInfoAccess = OCSP;URI:http://127.0.0.1:{ocsp_port}

[post_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:revocation.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:{post_port}

[long_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:revocation.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:{post_port}/{long}

[ocsp_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning

[ocsp_no_eku_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
"#
    )
}

/// Runs `openssl ARGS` in `dir` with its configuration; panics with its output on failure.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("openssl");
    cmd.args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", dir.join("openssl.cnf"));
    let (ok, said) = run_limited(&mut cmd);
    assert!(ok, "openssl {args:?}:\n{said}");
    said
}

/// A key and a CSR named `name`, for the subject `cn`.
fn request(dir: &Path, name: &str, cn: &str) {
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={cn}"),
        ],
    );
}

/// `openssl ca -name CA` signs `name.csr` into `name.pem` with the extensions `ext`.
fn sign(dir: &Path, ca: &str, name: &str, ext: &str, selfsign: bool) {
    let (csr, pem) = (format!("{name}.csr"), format!("{name}.pem"));
    let mut args = vec![
        "ca",
        "-batch",
        "-notext",
        "-name",
        ca,
        "-extensions",
        ext,
        "-in",
        &csr,
        "-out",
        &pem,
    ];
    if selfsign {
        args.extend(["-selfsign", "-keyfile", "root.key"]);
    }
    openssl(dir, &args);
}

/// Writes a CA's CRL, as PEM (`NAME.crl.pem`) and as the DER the distribution point serves.
fn gencrl(dir: &Path, ca: &str, name: &str) {
    let pem = format!("{name}.crl.pem");
    openssl(dir, &["ca", "-name", ca, "-gencrl", "-out", &pem]);
    openssl(
        dir,
        &[
            "crl",
            "-in",
            &pem,
            "-outform",
            "DER",
            "-out",
            &format!("{name}.crl"),
        ],
    );
}

/// The PKI: `root.pem`, `int.pem`, `good.pem` and `revoked.pem` (each leaf's chain in
/// `NAME-chain.pem`), `revoked` revoked for keyCompromise, both CRLs served, the responder up.
fn pki() -> Option<Pki> {
    if !have("openssl") || !have(support::PYTHON) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (http_port, ocsp_port, post_port) = (free_port(), free_port(), free_port());
    fs_err::write(
        d.join("openssl.cnf"),
        openssl_cnf(d, http_port, ocsp_port, post_port),
    )
    .unwrap();
    fs_err::create_dir(d.join("new")).unwrap();
    for prefix in ["root", "int"] {
        fs_err::write(d.join(format!("{prefix}-index.txt")), "").unwrap();
        fs_err::write(d.join(format!("{prefix}-serial")), "1000\n").unwrap();
        fs_err::write(d.join(format!("{prefix}-crlnumber")), "01\n").unwrap();
    }
    request(d, "root", "Revocation Test Root");
    sign(d, "ca_root", "root", "root_ext", true);
    request(d, "int", "Revocation Test Intermediate");
    sign(d, "ca_root", "int", "int_ext", false);
    for (name, cn, ext) in [
        ("good", "Good Leaf", "leaf_ext"),
        ("revoked", "Revoked Leaf", "leaf_ext"),
        ("post", "Post Leaf", "post_ext"),
        ("long", "Long Leaf", "long_ext"),
        ("ocsp", "Revocation Test OCSP Responder", "ocsp_ext"),
        (
            "ocsp-no-eku",
            "Revocation Test Responder Without EKU",
            "ocsp_no_eku_ext",
        ),
    ] {
        request(d, name, cn);
        sign(d, "ca_int", name, ext, false);
    }
    openssl(
        d,
        &[
            "ca",
            "-name",
            "ca_int",
            "-revoke",
            "revoked.pem",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    gencrl(d, "ca_root", "root");
    gencrl(d, "ca_int", "int");
    let int = fs_err::read_to_string(d.join("int.pem")).unwrap();
    for name in ["good", "revoked", "post", "long"] {
        let leaf = fs_err::read_to_string(d.join(format!("{name}.pem"))).unwrap();
        fs_err::write(d.join(format!("{name}-chain.pem")), format!("{leaf}{int}")).unwrap();
    }
    let root = fs_err::read_to_string(d.join("root.pem")).unwrap();
    fs_err::write(d.join("root-int.pem"), format!("{root}{int}")).unwrap();
    let http = support::HttpFiles::start(d, http_port);
    let ocsp = responder(d, ocsp_port, "ocsp");
    Some(Pki {
        dir,
        http: Some(http),
        ocsp: Some(ocsp),
        http_port,
        ocsp_port,
        post_port,
    })
}

/// `openssl ocsp` answering for the intermediate on `port`, signing with the delegated
/// responder certificate `signer` (`signer.pem`, `signer.key`).
fn responder(dir: &Path, port: u16, signer: &str) -> Killed {
    let mut ocsp = Command::new("openssl")
        .args([
            "ocsp",
            "-index",
            "int-index.txt",
            "-CA",
            "int.pem",
            "-rsigner",
        ])
        .arg(format!("{signer}.pem"))
        .arg("-rkey")
        .arg(format!("{signer}.key"))
        .args(["-rmd", "sha256", "-ignore_err", "-port"])
        .arg(port.to_string())
        .current_dir(dir)
        .env("OPENSSL_CONF", dir.join("openssl.cnf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_responder(&mut ocsp);
    Killed(ocsp)
}

/// A responder in front of `openssl ocsp` that answers GET with HTTP 405 and passes each POST
/// on, writing one line per request into `log`: `GET`, or `POST CONTENT-TYPE`.
const POST_ONLY: &str = r#"
import http.server, sys, urllib.request
port, upstream, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def note(self, line):
        with open(log, "a") as f: f.write(line + "\n")
    def do_GET(self):
        self.note("GET")
        self.send_response(405); self.send_header("Content-Length", "0"); self.end_headers()
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.note("POST " + self.headers.get("Content-Type", ""))
        request = urllib.request.Request(upstream, data=body, headers={"Content-Type": "application/ocsp-request"})
        data = urllib.request.urlopen(request, timeout=10).read()
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
s = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
print("ready", flush=True)
s.serve_forever()
"#;

/// Starts [`POST_ONLY`] on the PKI's `post_port`, in front of its responder.
fn post_only_responder(pki: &Pki, log: &Path) -> Killed {
    let mut child = Command::new(support::PYTHON)
        .args(["-c", POST_ONLY])
        .arg(pki.post_port.to_string())
        .arg(format!("{}/", pki.ocsp_url()))
        .arg(log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    Killed(child)
}

/// `cabundle verify NAME-chain.pem --bundle root.pem --revocation` and more `args`.
fn verify(pki: &Pki, name: &str, args: &[&str]) -> (bool, String) {
    let chain = pki.arg(&format!("{name}-chain.pem"));
    let bundle = pki.arg("root.pem");
    let mut all = vec![
        "verify",
        &chain,
        "--bundle",
        &bundle,
        "--hostname",
        "revocation.example",
    ];
    if !args.contains(&"--no-revocation") {
        all.extend(["--revocation", "--revocation-timeout", "3s"]);
    }
    all.extend(args.iter().filter(|a| **a != "--no-revocation"));
    run_limited(&mut cabundle(&all))
}

/// What `openssl verify -crl_check` says of `NAME.pem`: whether it verifies, and its output.
fn openssl_verify_crl(pki: &Pki, name: &str) -> (bool, String) {
    let mut cmd = Command::new("openssl");
    cmd.args(["verify", "-crl_check", "-CRLfile"])
        .arg(pki.path("int.crl.pem"))
        .arg("-CAfile")
        .arg(pki.path("root.pem"))
        .arg("-untrusted")
        .arg(pki.path("int.pem"))
        .arg(pki.path(&format!("{name}.pem")));
    run_limited(&mut cmd)
}

/// What `openssl ocsp` says of `NAME.pem`: `good` or `revoked`.
fn openssl_ocsp(pki: &Pki, name: &str) -> String {
    let said = openssl(
        pki.dir.path(),
        &[
            "ocsp",
            "-issuer",
            "int.pem",
            "-cert",
            &format!("{name}.pem"),
            "-url",
            &pki.ocsp_url(),
            "-CAfile",
            "root-int.pem",
        ],
    );
    let line = said
        .lines()
        .find(|l| l.starts_with(&format!("{name}.pem: ")))
        .unwrap_or_else(|| panic!("no status line:\n{said}"));
    line.split(": ").nth(1).unwrap().trim().to_owned()
}

#[test]
fn crl_and_ocsp_agree_with_openssl() {
    let Some(pki) = pki() else { return };
    let crl_url = format!("http://127.0.0.1:{}/int.crl", pki.http_port);

    let (ok, said) = verify(&pki, "revoked", &[]);
    assert!(!ok, "{said}");
    assert!(said.contains("  0  CN=Revoked Leaf: revoked"), "{said}");
    assert!(
        said.contains(&format!("the CRL at {crl_url}: revoked on "))
            && said.contains("reason keyCompromise"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "the OCSP responder {}: revoked on ",
            pki.ocsp_url()
        )),
        "{said}"
    );
    assert!(
        said.contains("revoked: CN=Revoked Leaf, SHA-256 "),
        "{said}"
    );
    assert!(
        said.contains("  1  CN=Revocation Test Intermediate: ok"),
        "{said}"
    );
    let (openssl_ok, openssl_said) = openssl_verify_crl(&pki, "revoked");
    assert!(
        !openssl_ok && openssl_said.contains("certificate revoked"),
        "{openssl_said}"
    );
    assert_eq!(openssl_ocsp(&pki, "revoked"), "revoked");

    let (ok, said) = verify(&pki, "good", &[]);
    assert!(ok, "{said}");
    assert!(said.contains("  0  CN=Good Leaf: ok"), "{said}");
    assert!(
        said.contains(&format!("the CRL at {crl_url}: good")),
        "{said}"
    );
    assert!(
        said.contains(&format!("the OCSP responder {}: good", pki.ocsp_url())),
        "{said}"
    );
    assert!(!said.contains("unknown"), "{said}");
    let (openssl_ok, openssl_said) = openssl_verify_crl(&pki, "good");
    assert!(openssl_ok, "{openssl_said}");
    assert_eq!(openssl_ocsp(&pki, "good"), "good");

    // Without --revocation nothing changes: the revoked leaf verifies, nothing is fetched.
    let (ok, said) = verify(&pki, "revoked", &["--no-revocation"]);
    assert!(ok && !said.contains("revocation"), "{said}");
}

#[test]
fn crl_file_is_used_instead_of_fetching() {
    let Some(mut pki) = pki() else { return };
    pki.stop_servers();
    let crl = pki.arg("int.crl.pem");
    let (ok, said) = verify(&pki, "revoked", &["--crl", &crl]);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!("the CRL in {crl}: revoked on ")),
        "{said}"
    );
    // The CRL file is the intermediate's: the root's is still fetched, and cannot be.
    assert!(
        said.contains("  1  CN=Revocation Test Intermediate: unknown"),
        "{said}"
    );
    let (ok, said) = verify(&pki, "good", &["--crl", &crl]);
    assert!(ok, "{said}");
    assert!(said.contains(&format!("the CRL in {crl}: good")), "{said}");
    // Past the CRL's nextUpdate (7 days) and before the leaf expires (30 days), the CRL's
    // answer is still given, and said to be stale.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(10)).date();
    let (ok, said) = verify(&pki, "good", &["--crl", &crl, "--at", &later.to_string()]);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("the CRL in {crl}: good (stale: its nextUpdate, ")),
        "{said}"
    );
    // A file that is not a CRL is an error naming it.
    let not_crl = pki.arg("int.pem");
    let (ok, said) = verify(&pki, "good", &["--crl", &not_crl]);
    assert!(
        !ok && said.contains(&format!("--crl {not_crl} holds no CRL")),
        "{said}"
    );
}

#[test]
fn unreachable_sources_are_unknown() {
    let Some(mut pki) = pki() else { return };
    pki.stop_servers();
    for name in ["good", "revoked"] {
        let (ok, said) = verify(&pki, name, &[]);
        // Unknown does not change the exit code: the chain verifies.
        assert!(ok, "{said}");
        assert!(said.contains(": unknown\n"), "{said}");
        assert!(said.contains("revocation unknown: CN="), "{said}");
        assert!(
            said.contains(&format!("the OCSP responder {}: unknown: ", pki.ocsp_url())),
            "{said}"
        );
        assert!(
            !said.contains(": ok\n") && !said.contains("revoked:"),
            "{said}"
        );
    }
}

#[test]
fn revoked_intermediates_report_flags_the_intermediate() {
    let Some(pki) = pki() else { return };
    let int = cabundle_cert::read_certificates(&fs_err::read(pki.path("int.pem")).unwrap())
        .unwrap()
        .remove(0);
    let other = "AB".repeat(32);
    let report = format!(
        "\"CA Owner\",\"Revocation Status\",\"RFC 5280 Revocation Reason Code\",\"Date of Revocation\",\"Certificate Subject Common Name\",\"SHA-256 Fingerprint\",\"PEM Info\"\n\
         \"Test\",\"Revoked\",\"(4) superseded\",\"2019 May 17\",\"Other\",\"{other}\",\"\"\n\
         \"Test\",\"Revoked\",\"(2) cACompromise\",\"2026 Jan 02\",\"Revocation Test Intermediate\",\"{}\",\"'{}'\"\n",
        hex::encode_upper(int.sha256.0),
        int.to_pem().trim_end()
    );
    let path = pki.path("revoked.csv");
    fs_err::write(&path, report).unwrap();
    let (ok, said) = verify(
        &pki,
        "good",
        &["--revoked-intermediates", path.to_str().unwrap()],
    );
    assert!(!ok, "{said}");
    assert!(said.contains("  0  CN=Good Leaf: ok"), "{said}");
    assert!(
        said.contains("  1  CN=Revocation Test Intermediate: revoked"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "revoked: CN=Revocation Test Intermediate, SHA-256 {}, revoked on 2026-01-02 00:00:00 UTC, reason cACompromise, according to the CCADB revoked-intermediates report {}",
            int.sha256,
            path.display()
        )),
        "{said}"
    );
}

#[test]
fn revoked_intermediates_report_from_a_url_flags_the_intermediate() {
    let Some(pki) = pki() else { return };
    let int = cabundle_cert::read_certificates(&fs_err::read(pki.path("int.pem")).unwrap())
        .unwrap()
        .remove(0);
    let served = tempfile::tempdir().unwrap();
    let report = format!(
        "\"CA Owner\",\"Revocation Status\",\"RFC 5280 Revocation Reason Code\",\"Date of Revocation\",\"Certificate Subject Common Name\",\"SHA-256 Fingerprint\",\"PEM Info\"\n\
         \"Test\",\"Revoked\",\"(2) cACompromise\",\"2026 Jan 02\",\"Revocation Test Intermediate\",\"{}\",\"'{}'\"\n",
        hex::encode_upper(int.sha256.0),
        int.to_pem().trim_end()
    );
    fs_err::write(served.path().join("revoked.csv"), report).unwrap();
    // A loopback HTTPS server with a certificate for 127.0.0.1, trusted through SSL_CERT_FILE
    // (which the platform verifier reads on Linux).
    let (cert, key) = (pki.path("https.pem"), pki.path("https.key"));
    openssl(
        pki.dir.path(),
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "https.key",
            "-out",
            "https.pem",
            "-subj",
            "/CN=127.0.0.1",
            "-days",
            "2",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
    );
    let https = support::HttpFiles::start_tls(served.path(), free_port(), (&cert, &key));
    let url = https.url("revoked.csv");
    let mut cmd = cabundle(&[
        "verify",
        &pki.arg("good-chain.pem"),
        "--bundle",
        &pki.arg("root.pem"),
        "--hostname",
        "revocation.example",
        "--revocation",
        "--revocation-timeout",
        "3s",
        "--revoked-intermediates",
        &url,
    ]);
    cmd.env("SSL_CERT_FILE", &cert);
    let (ok, said) = run_limited(&mut cmd);
    assert!(!ok, "{said}");
    assert!(said.contains("  0  CN=Good Leaf: ok"), "{said}");
    assert!(
        said.contains(&format!(
            "revoked: CN=Revocation Test Intermediate, SHA-256 {}, revoked on 2026-01-02 00:00:00 UTC, reason cACompromise, according to the CCADB revoked-intermediates report {url}",
            int.sha256
        )),
        "{said}"
    );
    // The report carries no signature: over plain HTTP it is refused, naming the URL.
    let plain = support::HttpFiles::start(served.path(), free_port());
    let plain_url = plain.url("revoked.csv");
    let (ok, said) = verify(&pki, "good", &["--revoked-intermediates", &plain_url]);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "--revoked-intermediates {plain_url}: the report carries no signature, so it is fetched over https:// only"
        )),
        "{said}"
    );
}

#[test]
fn a_bad_revoked_intermediates_report_is_an_error_naming_it() {
    let Some(pki) = pki() else { return };
    let path = pki.path("not-a-report.csv");
    fs_err::write(&path, "\"Subject\",\"SHA256\"\n\"x\",\"00\"\n").unwrap();
    let shown = path.to_str().unwrap();
    let (ok, said) = verify(&pki, "good", &["--revoked-intermediates", shown]);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!("cannot read --revoked-intermediates {shown}"))
            && said.contains("with none of the expected columns"),
        "{said}"
    );
}

/// `openssl s_server` for `NAME.pem` with its chain, stapling `status.der`.
fn stapling_server(pki: &Pki, name: &str) -> (Killed, u16) {
    let status = pki.path(&format!("{name}-status.der"));
    openssl(
        pki.dir.path(),
        &[
            "ocsp",
            "-issuer",
            "int.pem",
            "-cert",
            &format!("{name}.pem"),
            "-url",
            &pki.ocsp_url(),
            "-CAfile",
            "root-int.pem",
            "-respout",
            status.to_str().unwrap(),
        ],
    );
    for _ in 0..5 {
        let port = free_port();
        let mut child = Command::new("openssl")
            .args(["s_server", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(pki.path(&format!("{name}.pem")))
            .arg("-key")
            .arg(pki.path(&format!("{name}.key")))
            .arg("-cert_chain")
            .arg(pki.path("int.pem"))
            .arg("-status_file")
            .arg(&status)
            .args(["-www", "-quiet"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        if let Ok(Some(_)) = child.try_wait() {
            continue; // the port was taken meanwhile
        }
        wait_for(port, &mut child);
        return (Killed(child), port);
    }
    panic!("openssl s_server did not start");
}

#[test]
fn probe_reads_the_stapled_response() {
    let Some(mut pki) = pki() else { return };
    let (revoked_server, revoked_port) = stapling_server(&pki, "revoked");
    let (good_server, good_port) = stapling_server(&pki, "good");
    // With the responder and the CRLs gone, only the staple answers for the leaf.
    pki.stop_servers();
    let bundle = pki.arg("root.pem");
    let probe = |port: u16| {
        let target = format!("127.0.0.1:{port}");
        run_limited(&mut cabundle(&[
            "probe",
            &target,
            "--servername",
            "revocation.example",
            "--bundle",
            &bundle,
            "--revocation",
            "--revocation-timeout",
            "3s",
        ]))
    };
    let (ok, said) = probe(revoked_port);
    assert!(!ok, "{said}");
    assert!(
        said.contains("the OCSP response stapled by the server: revoked on ")
            && said.contains("reason keyCompromise"),
        "{said}"
    );
    assert!(said.contains("  0  CN=Revoked Leaf: revoked"), "{said}");
    // The staple answered: the responder is not asked.
    assert!(!said.contains("the OCSP responder"), "{said}");
    let (ok, said) = probe(good_port);
    assert!(ok, "{said}");
    assert!(
        said.contains("the OCSP response stapled by the server: good"),
        "{said}"
    );
    assert!(said.contains("  0  CN=Good Leaf: ok"), "{said}");
    // With --json, the verdict and each source's answer are in the entry.
    let target = format!("127.0.0.1:{revoked_port}");
    let (ok, said) = run_limited(&mut cabundle(&[
        "probe",
        &target,
        "--servername",
        "revocation.example",
        "--bundle",
        &bundle,
        "--revocation",
        "--revocation-timeout",
        "3s",
        "--json",
    ]));
    assert!(!ok, "{said}");
    let json: serde_json::Value = serde_json::from_str(&said).unwrap();
    let entry = &json[0];
    assert_eq!(entry["verdict"], "failed", "{said}");
    assert_eq!(entry["revocation"][0]["verdict"], "revoked", "{said}");
    drop((revoked_server, good_server));
}

#[test]
fn ocsp_is_posted_when_get_is_refused_or_its_url_too_long() {
    let Some(pki) = pki() else { return };
    let log = pki.path("requests.log");
    let _front = post_only_responder(&pki, &log);
    let url = format!("http://127.0.0.1:{}", pki.post_port);
    // A short URL: GET first, answered 405, then POST.
    let (ok, said) = verify(&pki, "post", &[]);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("the OCSP responder {url}: good")),
        "{said}"
    );
    let asked = fs_err::read_to_string(&log).unwrap();
    assert_eq!(asked, "GET\nPOST application/ocsp-request\n");
    // A URL past 255 bytes once the request is in it: POST only.
    fs_err::remove_file(&log).unwrap();
    let (ok, said) = verify(&pki, "long", &[]);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("the OCSP responder {url}/ocsp/ocsp/")) && said.contains(": good"),
        "{said}"
    );
    let asked = fs_err::read_to_string(&log).unwrap();
    assert_eq!(asked, "POST application/ocsp-request\n");
    // openssl ocsp, which POSTs, gets the same answer through the same front.
    let said = openssl(
        pki.dir.path(),
        &[
            "ocsp",
            "-issuer",
            "int.pem",
            "-cert",
            "post.pem",
            "-url",
            &url,
            "-CAfile",
            "root-int.pem",
        ],
    );
    assert!(said.contains("post.pem: good"), "{said}");
}

#[test]
fn a_delegated_responder_needs_the_ocsp_signing_eku() {
    let Some(mut pki) = pki() else { return };
    // The responder of pki() signs with a certificate the intermediate issued with
    // id-kp-OCSPSigning: accepted, by openssl ocsp and by cabundle.
    assert_eq!(openssl_ocsp(&pki, "good"), "good");
    let (ok, said) = verify(&pki, "good", &[]);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("the OCSP responder {}: good", pki.ocsp_url())),
        "{said}"
    );
    // The same responder signing with a certificate of the intermediate's without the EKU.
    pki.ocsp = None;
    pki.ocsp = Some(responder(pki.dir.path(), pki.ocsp_port, "ocsp-no-eku"));
    let mut cmd = Command::new("openssl");
    cmd.args(["ocsp", "-issuer", "int.pem", "-cert", "good.pem", "-url"])
        .arg(pki.ocsp_url())
        .args(["-CAfile", "root-int.pem"])
        .current_dir(pki.dir.path());
    let (_, openssl_said) = run_limited(&mut cmd);
    // It prints the status it read, under its refusal.
    assert!(
        openssl_said.contains("Response Verify Failure")
            && openssl_said.contains("missing ocspsigning usage"),
        "{openssl_said}"
    );
    for name in ["good", "revoked"] {
        let (_, said) = verify(&pki, name, &[]);
        assert!(
            said.contains(&format!(
                "the OCSP responder {}: unknown: the OCSP response is signed by the responder certificate \"CN=Revocation Test Responder Without EKU\", which the issuer issued without the OCSP signing extended key usage (id-kp-OCSPSigning), so it may not answer for the issuer",
                pki.ocsp_url()
            )),
            "{said}"
        );
        // The CRL still answers.
        let crl_says = if name == "good" {
            "good"
        } else {
            "revoked on "
        };
        assert!(said.contains(&format!("/int.crl: {crl_says}")), "{said}");
    }
}
