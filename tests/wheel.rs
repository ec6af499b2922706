//! The Python wheel of `pyproject.toml` (maturin's `bin` bindings, the way `pipx install
//! cabundle` and `uvx cabundle` get the command): built with maturin, installed with pip into a
//! fresh virtual environment from that wheel alone, and run from there.
//!
//! maturin comes from PyPI (`python3 -m pip install maturin`; `.ci/run` installs it). Where
//! Python or maturin is missing the test prints a notice and passes, except in CI
//! (`CI` set), where it fails. The wheel is built with the profile and the target folder of the
//! test's own `cabundle`, so cargo reuses what it built for the tests.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{output_text, own_build, workspace};

/// Whether a program runs with `--version`.
fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Python 3: `python3`, else `python` (what Windows installs). `None`, after a notice, when
/// there is neither outside CI; a panic in CI.
fn python() -> Option<&'static str> {
    let found = ["python3", "python"].into_iter().find(|p| runs(p, &[]));
    if found.is_none() {
        missing("python3");
    }
    found
}

/// A command that runs maturin: `maturin` on `PATH` (pipx, uv tool), else the module of the
/// Python (`python3 -m pip install maturin`). `None`, after a notice, when there is neither
/// outside CI; a panic in CI.
fn maturin(python: &str) -> Option<Command> {
    if runs("maturin", &[]) {
        return Some(Command::new("maturin"));
    }
    if runs(python, &["-m", "maturin"]) {
        let mut cmd = Command::new(python);
        cmd.args(["-m", "maturin"]);
        return Some(cmd);
    }
    missing("maturin");
    None
}

fn missing(program: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{program} is required in CI (maturin: python3 -m pip install maturin)"
    );
    eprintln!("notice: {program} not found; skipping (maturin: python3 -m pip install maturin)");
}

/// A program installed in a virtual environment.
fn venv_program(venv: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = output_text(&out);
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn wheel_installs_a_working_cabundle() {
    let Some(python) = python() else {
        return;
    };
    let Some(mut maturin) = maturin(python) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let wheels = dir.path().join("wheels");
    let (target_dir, profile) = own_build();
    ok(maturin
        .args(["build", "--quiet", "--profile", &profile, "--out"])
        .arg(&wheels)
        .current_dir(workspace())
        .env("CARGO_TARGET_DIR", &target_dir));
    let built: Vec<_> = fs_err::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        built.len() == 1 && built[0].starts_with(&format!("cabundle-{version}-py3-none-")),
        "{built:?}"
    );

    // A fresh environment that can reach no index: the wheel alone provides the command.
    let venv = dir.path().join("venv");
    ok(Command::new(python).args(["-m", "venv"]).arg(&venv));
    ok(Command::new(venv_program(&venv, "python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
        ])
        .arg(&wheels)
        .arg("cabundle"));
    let cabundle = venv_program(&venv, "cabundle");
    assert_eq!(
        ok(Command::new(&cabundle).arg("--version")).trim(),
        format!("cabundle {version}")
    );

    let report = dir.path().join("report.csv");
    fs_err::write(&report, fixture::report_csv(&fixture::roots())).unwrap();
    let build = |program: &Path, pem: &Path| {
        ok(Command::new(program)
            .args(["build", "--allow-small-report", "--report"])
            .arg(&report)
            .args(["--as-of", "2026-11-23", "--pem"])
            .arg(pem))
    };
    let (from_wheel, from_test) = (dir.path().join("wheel.pem"), dir.path().join("test.pem"));
    build(&cabundle, &from_wheel);
    build(Path::new(env!("CARGO_BIN_EXE_cabundle")), &from_test);
    let pem = fs_err::read_to_string(&from_wheel).unwrap();
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 3);
    assert_eq!(pem, fs_err::read_to_string(&from_test).unwrap());
}
