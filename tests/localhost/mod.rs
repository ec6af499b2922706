//! A private PKI for `localhost` and a loopback `openssl s_server` that sends its chain,
//! shared by the `env`, `doctor` and `client_families` tests: a root (in `root.pem`), an
//! intermediate (`int.pem`; the server sends `sent.pem`, the intermediate unless a variant
//! adds to it), a leaf for `localhost` and `127.0.0.1` (`chain.pem` is the leaf and what the
//! server sends), and an unrelated root (`other-root.pem`) for bundles that lack the right
//! one; a [`Variant`] breaks one thing on purpose. Also how those tests run `cabundle doctor`
//! and the real clients, each in an environment of only the variables given.
#![allow(dead_code, clippy::unwrap_used)]

use crate::support::Server;
use cabundle_testkit::pki_files::{ca, ca_with_usages, leaf, self_signed_copy};
use rcgen::{KeyUsagePurpose, date_time_ymd};
use serde_json::Value;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The root's common name, which a failure must name.
pub const ROOT_CN: &str = "Localhost Test Root";

/// The generated files, in a fresh temp directory.
pub struct Pki {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

/// What is special about a PKI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// Nothing: a chain every client accepts.
    Good,
    /// The intermediate's (critical) keyUsage lacks keyCertSign: every client refuses it.
    IntermediateWithoutCertSign,
    /// The leaf names `localhost` in its common name only, with no subjectAltName:
    /// OpenSSL-based clients accept it, browsers and rustls refuse it.
    CommonNameOnly,
    /// The server sends a self-signed copy of the intermediate (same name and key) before
    /// the intermediate: OpenSSL takes the copy and fails, a search that goes back does not.
    SelfSignedCopyFirst,
}

/// The intermediate's common name.
pub const INT_CN: &str = "Localhost Test Intermediate";

impl Pki {
    /// Generates the PKI.
    pub fn new() -> Pki {
        Pki::with(Variant::Good)
    }

    /// Generates the PKI with what `variant` makes special.
    pub fn with(variant: Variant) -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (date_time_ymd(2020, 1, 1), date_time_ymd(2040, 1, 1));
        let root = ca(ROOT_CN, None, from, to);
        let int = match variant {
            Variant::IntermediateWithoutCertSign => ca_with_usages(
                INT_CN,
                Some(&root),
                from,
                to,
                None,
                vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign],
            ),
            Variant::Good | Variant::CommonNameOnly | Variant::SelfSignedCopyFirst => {
                ca(INT_CN, Some(&root), from, to)
            }
        };
        let other = ca("Unrelated Test Root", None, from, to);
        let names: &[&str] = match variant {
            Variant::CommonNameOnly => &[],
            Variant::Good | Variant::IntermediateWithoutCertSign | Variant::SelfSignedCopyFirst => {
                &["localhost", "127.0.0.1"]
            }
        };
        let (cert, key) = leaf(
            "localhost",
            names,
            &int,
            date_time_ymd(2024, 1, 1),
            date_time_ymd(2039, 1, 1),
            None,
        );
        // What the server sends after its certificate.
        let sent = match variant {
            Variant::SelfSignedCopyFirst => format!("{}{}", self_signed_copy(&int), int.pem),
            Variant::Good | Variant::IntermediateWithoutCertSign | Variant::CommonNameOnly => {
                int.pem.clone()
            }
        };
        for (name, text) in [
            ("root.pem", &root.pem),
            ("int.pem", &int.pem),
            ("sent.pem", &sent),
            ("other-root.pem", &other.pem),
            ("leaf.pem", &cert),
            ("chain.pem", &format!("{cert}{sent}")),
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
    /// intermediate (`sent.pem`).
    pub fn serve(&self) -> Server {
        Server::start(
            &self.path("leaf.pem"),
            &self.path("leaf.key"),
            Some(&self.path("sent.pem")),
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

/// Runs `cabundle doctor ARGS --json` with nothing in the environment but `vars` (PATH
/// included); returns the exit code and the parsed output.
pub fn doctor(args: &[&str], vars: &[(&str, OsString)]) -> (i32, Value) {
    let mut full = vec!["doctor", "--json"];
    full.extend_from_slice(args);
    let mut cmd = crate::support::cabundle(&full);
    cmd.env_clear();
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = crate::support::output_text(&out);
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"));
    (out.status.code().unwrap(), json)
}

/// The entry of one client.
pub fn client<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client"] == name)
        .unwrap_or_else(|| panic!("no entry for {name}: {json:#}"))
}

/// `program` with nothing in its environment but `vars`.
pub fn in_env(program: &str, vars: &[(&str, OsString)]) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear().envs(vars.iter().map(|(k, v)| (k, v)));
    cmd
}

/// Whether `openssl s_client` verifies the loopback server on `port` as `localhost`.
pub fn s_client(port: u16, vars: &[(&str, OsString)]) -> (bool, String) {
    run(in_env("openssl", vars)
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-verify_hostname", "localhost"])
        .arg("-verify_return_error"))
}

/// Whether Python `requests` fetches `url`.
pub fn requests_get(url: &str, vars: &[(&str, OsString)]) -> (bool, String) {
    run(in_env(crate::support::PYTHON, vars)
        .args([
            "-c",
            "import sys, requests; requests.get(sys.argv[1], timeout=10)",
        ])
        .arg(url))
}

/// A path as an environment value.
pub fn os(p: &Path) -> OsString {
    p.as_os_str().to_owned()
}

/// PATH, and every variable a client reads its bundle from (as `cabundle env` sets them)
/// pointing at `bundle`.
pub fn every_client_at(bundle: &Path) -> Vec<(String, OsString)> {
    let out = crate::support::cabundle(&["env", "--shell", "bash"])
        .arg(bundle)
        .output()
        .unwrap();
    let statements = String::from_utf8(out.stdout).unwrap();
    let mut vars = vec![("PATH".to_owned(), path_var())];
    for line in statements.lines() {
        let (name, _) = line
            .strip_prefix("export ")
            .unwrap()
            .split_once('=')
            .unwrap();
        vars.push((name.to_owned(), os(bundle)));
    }
    vars
}

/// `vars` in the form the helpers above take.
pub fn borrowed(vars: &[(String, OsString)]) -> Vec<(&str, OsString)> {
    vars.iter().map(|(k, v)| (k.as_str(), v.clone())).collect()
}
