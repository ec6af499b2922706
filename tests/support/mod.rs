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
