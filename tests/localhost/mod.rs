//! A private PKI for `localhost` and a loopback `openssl s_server` that sends its chain,
//! shared by the `env` and `doctor` tests: a root (in `root.pem`), an intermediate the server
//! sends, a leaf for `localhost` and `127.0.0.1`, and an unrelated root (`other-root.pem`)
//! for bundles that lack the right one.
#![allow(dead_code, clippy::unwrap_used)]

use crate::support::Server;
use cabundle_testkit::pki_files::{ca, leaf};
use rcgen::date_time_ymd;
use std::path::{Path, PathBuf};
use std::process::Command;

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
        Server::start(
            &self.path("leaf.pem"),
            &self.path("leaf.key"),
            Some(&self.path("int.pem")),
        )
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
    crate::support::run_limited(cmd)
}
