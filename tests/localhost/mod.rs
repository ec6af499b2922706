//! A private PKI for `localhost` and a loopback `openssl s_server` that sends its chain,
//! shared by the `env` and `doctor` tests: a root (in `root.pem`), an intermediate the server
//! sends, a leaf for `localhost` and `127.0.0.1`, and an unrelated root (`other-root.pem`)
//! for bundles that lack the right one.
#![allow(dead_code, clippy::unwrap_used)]

use crate::support::{Server, free_port};
use cabundle_testkit::pki_files::{ca, leaf};
use rcgen::date_time_ymd;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The root's common name, which a failure must name.
pub const ROOT_CN: &str = "Localhost Test Root";

/// The generated files, in a fresh temp directory.
pub struct Pki {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

impl Pki {
    /// Generates the PKI.
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (date_time_ymd(2020, 1, 1), date_time_ymd(2040, 1, 1));
        let root = ca(ROOT_CN, None, from, to);
        let int = ca("Localhost Test Intermediate", Some(&root), from, to);
        let other = ca("Unrelated Test Root", None, from, to);
        let (cert, key) = leaf(
            "localhost",
            &["localhost", "127.0.0.1"],
            &int,
            date_time_ymd(2024, 1, 1),
            date_time_ymd(2039, 1, 1),
            None,
        );
        for (name, text) in [
            ("root.pem", &root.pem),
            ("int.pem", &int.pem),
            ("other-root.pem", &other.pem),
            ("leaf.pem", &cert),
            ("leaf.key", &key),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Pki { dir }
    }

    /// The path of one of the files.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts `openssl s_server -www` on a free loopback port, sending the leaf and the
    /// intermediate.
    pub fn serve(&self) -> Server {
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new("openssl")
                .args(["s_server", "-accept"])
                .arg(format!("127.0.0.1:{port}"))
                .arg("-cert")
                .arg(self.path("leaf.pem"))
                .arg("-key")
                .arg(self.path("leaf.key"))
                .arg("-cert_chain")
                .arg(self.path("int.pem"))
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
                    break; // the port was taken meanwhile: try another
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("openssl s_server did not start");
    }
}

/// A bundle file made of the named PKI files, written at `path`.
pub fn bundle(pki: &Pki, path: &Path, files: &[&str]) {
    let text: String = files
        .iter()
        .map(|f| std::fs::read_to_string(pki.path(f)).unwrap())
        .collect();
    std::fs::write(path, text).unwrap();
}

/// The PATH the tests give clients: this process's own.
pub fn path_var() -> std::ffi::OsString {
    std::env::var_os("PATH").unwrap_or_default()
}

/// Runs a command with a time limit; returns (success, stdout + stderr).
pub fn run(cmd: &mut Command) -> (bool, String) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            return (out.status.success(), text);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("timed out: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
