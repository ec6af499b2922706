//! `cabundle trust install` refuses what it must not trust before it looks at the machine: a
//! certificate that is not a CA, an expired one, an intermediate without
//! `--allow-intermediate`; each refusal names the certificate and its SHA-256, exits 2 and
//! writes nothing (not even the journal's directory in the home it is given).
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod support;

use cabundle_testkit::pki_files::{ca, leaf};
use std::path::Path;

/// Runs `cabundle trust ARGS` with `home` as HOME; returns the exit code and what it said.
fn trust(home: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = support::cabundle(&[&["trust"], args].concat())
        .env("HOME", home)
        .env_remove("XDG_STATE_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap();
    (out.status.code(), support::output_text(&out))
}

#[test]
fn what_must_not_be_trusted_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let day = time::Duration::days(1);
    let root = ca("Refusal Test Root", None, now - day, now + 365 * day);
    let expired = ca("Expired Test Root", None, now - 400 * day, now - day);
    let intermediate = ca(
        "Refusal Test Intermediate",
        Some(&root),
        now - day,
        now + 365 * day,
    );
    let (leaf_pem, _) = leaf(
        "localhost",
        &["localhost"],
        &root,
        now - day,
        now + 30 * day,
        None,
    );
    let write = |name: &str, pem: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, pem).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let cases = [
        (write("leaf.pem", &leaf_pem), "is not a CA certificate"),
        (write("expired.pem", &expired.pem), "expired on"),
        (
            write("intermediate.pem", &intermediate.pem),
            "is an intermediate",
        ),
    ];
    for (file, why) in &cases {
        let (code, said) = trust(&home, &["install", file, "--yes"]);
        assert_eq!(code, Some(2), "{file}:\n{said}");
        assert!(said.contains(why), "{file}: says {why:?}:\n{said}");
        assert!(
            said.contains("SHA-256 "),
            "{file}: names the SHA-256:\n{said}"
        );
    }
    let (_, said) = trust(&home, &["install", &cases[2].0, "--yes"]);
    assert!(
        said.contains("hint: install the root that issued it"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_dir(&home).unwrap().count(),
        0,
        "nothing written in the home"
    );

    // A file without a certificate, and one that does not exist: named.
    let empty = write("empty.pem", "");
    let (code, said) = trust(&home, &["install", &empty, "--yes"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("empty.pem"), "{said}");
    let (code, said) = trust(&home, &["install", "missing.pem", "--dry-run"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("missing.pem"), "{said}");

    // Without a terminal and without --yes, nothing is changed and it says how to go on.
    let file = write("root.pem", &root.pem);
    let (code, said) = trust(&home, &["install", &file, "--store", "env"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("pass --yes"), "{said}");
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0, "{said}");
}
