//! Code shared by the end-to-end tests: running the binary, finding the CCADB data,
//! checking for external tools.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// A `Command` for the `cabundle` binary under test, with the given arguments.
pub fn cabundle(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cabundle"));
    cmd.args(args);
    cmd.env_remove("SSL_CERT_DIR").env_remove("SSL_CERT_FILE");
    cmd
}

/// The folder of CCADB and NSS snapshots, or `None` when it is missing outside CI; see
/// [`cabundle_testkit::ccadb_data`].
pub fn ccadb_data() -> Option<PathBuf> {
    cabundle_testkit::ccadb_data()
}

/// Whether an external program can be run (`openssl`, `curl`, `python3`). In CI every tool
/// the tests use is installed by `.ci/run`, so a missing one is a failure there.
pub fn have(program: &str) -> bool {
    let ok = Command::new(program).arg("--version").output().is_ok()
        || Command::new(program).arg("version").output().is_ok();
    if !ok && std::env::var_os("CI").is_some() {
        panic!("{program} is required in CI");
    }
    if !ok {
        eprintln!("notice: {program} not found; skipping");
    }
    ok
}

/// What a command printed, stdout then stderr, for assertions and failure messages.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a command with no standard input and a time limit of 60 s; returns (success,
/// stdout + stderr). A client that hangs fails the test instead of stopping it.
pub fn run_limited(cmd: &mut Command) -> (bool, String) {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return (out.status.success(), output_text(&out));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("timed out: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .expect("local address")
        .port()
}

/// A loopback `openssl s_server`, killed when dropped.
pub struct Server {
    /// The `openssl s_server` process.
    pub child: std::process::Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `openssl s_server -www` on a free loopback port with `cert` and `key` (and
    /// `chain`, the intermediates it sends), and waits until it accepts connections; a port
    /// taken meanwhile is retried with another.
    pub fn start(
        cert: &std::path::Path,
        key: &std::path::Path,
        chain: Option<&std::path::Path>,
    ) -> Server {
        use std::net::{SocketAddr, TcpStream};
        use std::process::{Command, Stdio};
        use std::time::{Duration, Instant};
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = Command::new("openssl");
            cmd.args(["s_server", "-accept"])
                .arg(format!("127.0.0.1:{port}"))
                .arg("-cert")
                .arg(cert)
                .arg("-key")
                .arg(key);
            if let Some(chain) = chain {
                cmd.arg("-cert_chain").arg(chain);
            }
            let child = cmd
                .args(["-www", "-quiet"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start openssl s_server");
            let mut server = Server { child, port };
            let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return server;
                }
                if let Ok(Some(_)) = server.child.try_wait() {
                    break; // the port was taken meanwhile: try another
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("openssl s_server did not start");
    }
}

/// A CCADB-style CSV opened with nothing but the csv crate, and its trimmed header names.
pub fn read_csv(path: &std::path::Path) -> (csv::Reader<std::fs::File>, Vec<String>) {
    let mut reader = csv::Reader::from_path(path).expect("open csv");
    let headers: Vec<String> = reader
        .headers()
        .expect("csv header")
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    (reader, headers)
}

/// The index of the column named `name` in `headers`; panics when there is none.
pub fn column(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The platform's empty device, for tools that must write somewhere or read nothing.
pub const NULL_DEVICE: &str = if cfg!(windows) { "NUL" } else { "/dev/null" };

/// The Python 3 interpreter's name: `python3`, or `python` on Windows (as `setup-python`
/// installs it there).
pub const PYTHON: &str = if cfg!(windows) { "python" } else { "python3" };

/// The number after "not verified:" matches the problem lines under it (lines that are
/// neither hints nor indented).
pub fn assert_problem_count(said: &str) {
    let Some((_, verdict)) = said.split_once("not verified: ") else {
        return;
    };
    let n: usize = verdict
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count after \"not verified: \"");
    let lines = verdict
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty() && !l.starts_with("saved the chain"))
        .filter(|l| {
            !["hint: ", "note: ", "strict: ", "fetch-missing: ", " "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .count();
    assert_eq!(lines, n, "problem count:\n{said}");
}

/// The manifest's capath digest, recomputed from the directory on disk as documented: one
/// line per entry in name order, `NAME\tfile\tSHA256\n` or `NAME\tlink\tTARGET\n`.
pub fn capath_listing_digest(dir: &std::path::Path) -> String {
    use sha2::Digest as _;
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("read the directory")
        .map(|e| e.expect("read the directory").path())
        .collect();
    entries.sort();
    let mut hasher = sha2::Sha256::new();
    for path in entries {
        let name = path
            .file_name()
            .expect("read the directory")
            .to_str()
            .expect("read the directory")
            .to_owned();
        let meta = std::fs::symlink_metadata(&path).expect("read the directory");
        let line = if meta.file_type().is_symlink() {
            format!(
                "{name}\tlink\t{}\n",
                std::fs::read_link(&path)
                    .expect("read the directory")
                    .display()
            )
        } else {
            format!(
                "{name}\tfile\t{}\n",
                hex::encode(sha2::Sha256::digest(
                    std::fs::read(&path).expect("read the directory")
                ))
            )
        };
        hasher.update(line.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The workspace's root folder.
pub fn workspace() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace folder")
}

/// The target folder and the cargo profile the test's own `cabundle` was built with
/// (`TARGET/debug/cabundle` is the `dev` profile's), so a test that builds again reuses them.
pub fn own_build() -> (PathBuf, String) {
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_cabundle"));
    let profile_dir = exe.parent().expect("the profile folder");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(other) => other.to_owned(),
    };
    let target = profile_dir
        .parent()
        .expect("the target folder")
        .to_path_buf();
    (target, profile)
}

/// A loopback HTTP server of a directory's files (404 for others), with three hostile paths:
/// `/loop` redirects to itself, `/hang` never answers, `/big` announces and sends 100 MB.
/// Python's `http.server` (over TLS with [`HttpFiles::start_tls`]); killed when dropped.
pub struct HttpFiles {
    child: std::process::Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// Whether it serves over TLS.
    tls: bool,
}

const HTTP_FILES: &str = r#"
import http.server, os, sys, time
root = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == "/loop":
            self.send_response(302); self.send_header("Location", "/loop"); self.end_headers(); return
        if self.path == "/hang":
            time.sleep(60); return
        if self.path == "/big":
            self.send_response(200); self.send_header("Content-Length", str(100 * 1024 * 1024)); self.end_headers()
            try:
                for _ in range(1600): self.wfile.write(b"\0" * 65536)
            except Exception: pass
            return
        try:
            data = open(os.path.join(root, self.path.lstrip("/")), "rb").read()
        except OSError:
            self.send_response(404); self.end_headers(); return
        self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
        self.wfile.write(data)
s = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), H)
if len(sys.argv) > 4:
    import ssl
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[3], sys.argv[4])
    s.socket = tls.wrap_socket(s.socket, server_side=True)
print("ready", flush=True)
s.serve_forever()
"#;

impl HttpFiles {
    /// Serves `dir` on `port` and returns once it listens.
    pub fn start(dir: &std::path::Path, port: u16) -> HttpFiles {
        HttpFiles::start_with(dir, port, None)
    }

    /// Serves `dir` on `port` over TLS, with the PEM certificate and key `tls` (its `url`s
    /// are then `https://`).
    pub fn start_tls(
        dir: &std::path::Path,
        port: u16,
        tls: (&std::path::Path, &std::path::Path),
    ) -> HttpFiles {
        HttpFiles::start_with(dir, port, Some(tls))
    }

    fn start_with(
        dir: &std::path::Path,
        port: u16,
        tls: Option<(&std::path::Path, &std::path::Path)>,
    ) -> HttpFiles {
        use std::io::BufRead as _;
        let mut cmd = Command::new(PYTHON);
        cmd.args(["-c", HTTP_FILES]).arg(dir).arg(port.to_string());
        if let Some((cert, key)) = tls {
            cmd.arg(cert).arg(key);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the HTTP server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("its standard output"))
            .read_line(&mut line)
            .expect("read the HTTP server's first line");
        assert_eq!(line.trim(), "ready");
        HttpFiles {
            child,
            port,
            tls: tls.is_some(),
        }
    }

    /// The URL of `path` on it.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for HttpFiles {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
