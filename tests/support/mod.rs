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

/// The folder of CCADB and NSS snapshots: `CABUNDLE_CCADB_DATA`, or `../shared/data/ccadb`
/// beside the checkout. `None` (after printing a notice) when it is missing outside CI;
/// a panic when it is missing in CI, where it must be there.
pub fn ccadb_data() -> Option<PathBuf> {
    let dir = match std::env::var_os("CABUNDLE_CCADB_DATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ccadb"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "CCADB data not found at {} (set CABUNDLE_CCADB_DATA)",
            dir.display()
        );
    }
    eprintln!(
        "notice: CCADB data not found at {}; skipping (set CABUNDLE_CCADB_DATA)",
        dir.display()
    );
    None
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
