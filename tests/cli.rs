//! End-to-end tests of the `cabundle` binary's common behaviour: help, exit codes, completions.

mod support;

use support::cabundle;

#[test]
fn help_lists_every_command() {
    let out = cabundle(&["--help"]).output().expect("run cabundle");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for c in [
        "rehash", "inspect", "capath", "build", "fetch", "diff", "verify", "probe", "chain",
        "convert", "expiring",
    ] {
        assert!(text.contains(c), "--help does not list {c}:\n{text}");
    }
}

#[test]
fn bad_usage_exits_2() {
    let out = cabundle(&["no-such-command"])
        .output()
        .expect("run cabundle");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_and_man_pages_are_generated() {
    let out = cabundle(&["completions", "bash"])
        .output()
        .expect("run cabundle");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("cabundle"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cabundle(&["man", dir.path().to_str().expect("utf-8 path")])
        .output()
        .expect("run cabundle");
    assert!(out.status.success());
    assert!(dir.path().join("cabundle.1").exists());
    assert!(dir.path().join("cabundle-rehash.1").exists());
}
