//! `scripts/release-binary`, which the release workflow runs on each platform: run here for
//! the host, into a fresh folder, it must leave an archive whose `cabundle` runs and reports
//! the workspace's version, and a SHA-256 line that matches the archive. And every shell
//! script of the repository passes `shellcheck`.
//!
//! The release builds with the `release` profile; the test passes the profile and the target
//! folder of its own `cabundle` (`CABUNDLE_RELEASE_PROFILE`, `CARGO_TARGET_DIR`), so cargo
//! reuses what it built for the tests. Where `shellcheck` is missing the check prints a notice
//! and passes, except in CI (`CI` set), where it fails; it runs on Linux.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::Command;
use support::{output_text, own_build, workspace};

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        output_text(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The target triple rustc builds for by default.
fn host() -> String {
    let verbose = ok(Command::new("rustc").arg("-vV"));
    verbose
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

// The workflow runs the script with bash on Windows too, but there it packs with 7-Zip and
// the test's `tar` may not read the result: the archive is checked on Unix.
#[cfg(unix)]
#[test]
fn release_binary_packs_a_working_cabundle_and_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let (target_dir, profile) = own_build();
    let target = host();
    let printed = ok(Command::new("bash")
        .arg(workspace().join("scripts/release-binary"))
        .arg(&target)
        .arg(&out)
        .env("CABUNDLE_RELEASE_PROFILE", &profile)
        .env("CARGO_TARGET_DIR", &target_dir));

    let version = env!("CARGO_PKG_VERSION");
    let name = format!("cabundle-{version}-{target}");
    let archive = format!("{name}.tar.gz");
    assert_eq!(printed.trim(), out.join(&archive).to_str().unwrap());
    let mut listed: Vec<_> = fs_err::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, [archive.clone(), format!("{archive}.sha256")]);

    // The line SHA256SUMS takes, as `sha256sum -c` reads it.
    let bytes = fs_err::read(out.join(&archive)).unwrap();
    let sum = hex::encode(Sha256::digest(&bytes));
    assert_eq!(
        fs_err::read_to_string(out.join(format!("{archive}.sha256"))).unwrap(),
        format!("{sum}  {archive}\n")
    );

    let unpacked = dir.path().join("unpacked");
    fs_err::create_dir(&unpacked).unwrap();
    ok(Command::new("tar")
        .arg("-xzf")
        .arg(out.join(&archive))
        .arg("-C")
        .arg(&unpacked));
    let mut files: Vec<_> = fs_err::read_dir(unpacked.join(&name))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["CHANGELOG.md", "README.md", "cabundle"]);
    let shipped = unpacked.join(&name).join("cabundle");
    assert_eq!(
        ok(Command::new(&shipped).arg("--version")).trim(),
        format!("cabundle {version}")
    );
    // Stripped: smaller than the binary cargo built.
    let built = fs_err::metadata(env!("CARGO_BIN_EXE_cabundle"))
        .unwrap()
        .len();
    let size = fs_err::metadata(&shipped).unwrap().len();
    assert!(size < built, "{size} bytes shipped, {built} built");
}

// The scripts are the same on every platform: checked on Linux, where CI installs shellcheck.
#[cfg(target_os = "linux")]
#[test]
fn shell_scripts_pass_shellcheck() {
    if !support::have("shellcheck") {
        return;
    }
    let root = workspace();
    let mut scripts: Vec<PathBuf> = fs_err::read_dir(root.join("scripts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    scripts.push(root.join(".ci/run"));
    scripts.sort();
    assert!(
        scripts.iter().any(|s| s.ends_with("release-binary")),
        "{scripts:?}"
    );
    ok(Command::new("shellcheck").args(&scripts).current_dir(&root));
}
