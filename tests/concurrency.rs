//! Concurrency and convergence of `cabundle rehash`: two runs at once on the same
//! 1,000-certificate directory (fresh, and with stale links) both exit 0 and leave what one
//! run leaves; a run that cannot get the lock names who holds it; a `--copy` directory is
//! recognised by a plain run; `--check` passes after one run when a file's subject changed
//! under a link of a shared subject.
//!
//! Unix only (symbolic links, `flock`).
#![cfg(unix)]
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use support::cabundle;

/// Every entry of `dir`: name to link target or `file:<len>`.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let kind = if e.file_type().unwrap().is_symlink() {
                std::fs::read_link(e.path()).unwrap().display().to_string()
            } else {
                format!("file:{}", std::fs::read(e.path()).unwrap().len())
            };
            (name, kind)
        })
        .collect()
}

fn pem_of(cn: &str, serial: u64) -> Vec<u8> {
    use cabundle_testkit::der::{StringType, name_simple, oid, string};
    let name = name_simple(&[(oid::CN, string(StringType::Utf8, cn))]);
    let der = cabundle_testkit::cert_with_names(&name, &name, serial);
    cabundle_testkit::pem("CERTIFICATE", &der).into_bytes()
}

fn cert_dir(dir: &Path, n: u64) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let pem = pem_of(&format!("Concurrent Root {}", i % 800), i + 1);
        std::fs::write(dir.join(format!("root-{i:04}.pem")), pem).unwrap();
    }
}

fn run(mut cmd: Command) -> Output {
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Makes the links of `dir` stale: every third removed, every fifth pointing elsewhere.
fn make_stale(dir: &Path) {
    let names: Vec<String> = snapshot(dir).into_keys().collect();
    for (i, name) in names.iter().filter(|n| !n.ends_with(".pem")).enumerate() {
        let path = dir.join(name);
        if i % 3 == 0 {
            std::fs::remove_file(&path).unwrap();
        } else if i % 5 == 0 {
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink("root-0000.pem", &path).unwrap();
        }
    }
}

#[test]
fn two_rehash_runs_at_once_both_succeed_and_equal_one_run() {
    let base = tempfile::tempdir().unwrap();
    let single = base.path().join("single");
    let shared = base.path().join("shared");
    cert_dir(&single, 1000);
    cert_dir(&shared, 1000);
    let rounds = 20;
    for round in 0..rounds {
        let stale = round % 2 == 1;
        if stale {
            make_stale(&single);
            make_stale(&shared);
        } else {
            for dir in [&single, &shared] {
                for name in snapshot(dir).into_keys().filter(|n| !n.ends_with(".pem")) {
                    std::fs::remove_file(dir.join(name)).unwrap();
                }
            }
        }
        let out = run(cabundle(&["rehash", single.to_str().unwrap()]));
        assert!(out.status.success(), "{}", text(&out));
        let expected = snapshot(&single);
        let spawn = || {
            cabundle(&["rehash", shared.to_str().unwrap()])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for (who, child) in [("first", a), ("second", b)] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}, {who}: {}", text(&out));
            assert!(!text(&out).contains("File exists"), "round {round}, {who}");
        }
        // Same links, numbers and targets as one run (the directories differ only in name).
        assert_eq!(
            snapshot(&shared),
            expected,
            "round {round} (stale: {stale})"
        );
        let out = run(cabundle(&["rehash", "--check", shared.to_str().unwrap()]));
        assert!(out.status.success(), "round {round}: {}", text(&out));
    }
    eprintln!("concurrency: {rounds} rounds of two runs on 1000 certificates");
}

#[test]
fn a_run_that_cannot_get_the_lock_names_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    cert_dir(dir.path(), 3);
    let lock = cabundle_capath::lock(dir.path(), std::time::Duration::ZERO).unwrap();
    let out = run(cabundle(&[
        "rehash",
        "--lock-timeout",
        "200ms",
        dir.path().to_str().unwrap(),
    ]));
    let stderr = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let pid = std::process::id();
    assert!(
        stderr.contains(&format!("is locked by process {pid}")),
        "{stderr}"
    );
    assert!(stderr.contains("hint: wait for it to finish"), "{stderr}");
    drop(lock);
    let out = run(cabundle(&["rehash", dir.path().to_str().unwrap()]));
    assert!(out.status.success(), "{}", text(&out));
}

/// `rehash --copy`, then plain `rehash` and `--check` in either mode: nothing is added.
#[test]
fn copies_are_recognised_in_either_mode() {
    let dir = tempfile::tempdir().unwrap();
    cert_dir(dir.path(), 50);
    let d = dir.path().to_str().unwrap();
    let out = run(cabundle(&["rehash", "--copy", d]));
    assert!(out.status.success(), "{}", text(&out));
    let copied = snapshot(dir.path());
    assert_eq!(copied.len(), 100);
    for args in [
        vec!["rehash", "--check", d],
        vec!["rehash", "--check", "--copy", d],
        vec!["rehash", d],
        vec!["rehash", "--copy", d],
    ] {
        let out = run(cabundle(&args));
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert_eq!(snapshot(dir.path()), copied, "{args:?}");
    }
}

/// A file whose subject changes under the first link of a shared subject: one run, then
/// `--check` passes and a second run changes nothing.
#[test]
fn check_passes_after_one_run_when_a_subject_changes_under_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    std::fs::write(dir.path().join("a.pem"), pem_of("Shared", 1)).unwrap();
    std::fs::write(dir.path().join("b.pem"), pem_of("Shared", 2)).unwrap();
    let out = run(cabundle(&["rehash", d]));
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(dir.path().join("a.pem"), pem_of("Moved", 3)).unwrap();
    let out = run(cabundle(&["rehash", d]));
    assert!(out.status.success(), "{}", text(&out));
    let after = snapshot(dir.path());
    let out = run(cabundle(&["rehash", "--check", d]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(cabundle(&["rehash", "-v", d]));
    assert!(!text(&out).contains("made"), "{}", text(&out));
    assert_eq!(snapshot(dir.path()), after);
}
