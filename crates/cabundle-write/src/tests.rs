//! Tests of the writer: what a set leaves on disk, what stops it, and the one-file case.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// The rule of the tests' directories: `.pem` files and `.0` links (copies where there are no
/// symbolic links).
fn pem_and_links(name: &str, kind: std::fs::FileType) -> bool {
    let link = kind.is_symlink() || (cfg!(not(unix)) && kind.is_file());
    (name.ends_with(".pem") && kind.is_file()) || (name.ends_with(".0") && link)
}

/// The error and its sources joined by ": ", as `{:#}` of anyhow prints them.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        parts.push(e.to_string());
        cur = e.source();
    }
    parts.join(": ")
}

#[test]
fn a_set_replaces_files_and_directories_and_leaves_no_temporary_names() {
    let dir = tempfile::tempdir().unwrap();
    let entries = [
        DirEntry::link("0000000b.0", "b-0123456789abcdef.pem"),
        DirEntry::file("b-0123456789abcdef.pem", b"b\n"),
    ];
    std::fs::write(dir.path().join("a.txt"), b"old").unwrap();
    for round in 0..2 {
        OutputSet::new()
            .file(dir.path().join("a.txt"), b"new")
            .file(dir.path().join("c.txt"), b"c")
            .dir(dir.path().join("certs"), entries, pem_and_links)
            .write()
            .unwrap();
        assert_eq!(names(dir.path()), ["a.txt", "c.txt", "certs"], "{round}");
        assert_eq!(
            names(&dir.path().join("certs")),
            ["0000000b.0", "b-0123456789abcdef.pem"]
        );
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"new");
        let link = dir.path().join("certs/0000000b.0");
        assert_eq!(std::fs::read(&link).unwrap(), b"b\n");
        #[cfg(unix)]
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("b-0123456789abcdef.pem")
        );
    }
}

#[test]
fn nothing_is_replaced_when_one_destination_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), b"old").unwrap();
    std::fs::create_dir(dir.path().join("b.txt")).unwrap();
    let err = OutputSet::new()
        .file(dir.path().join("a.txt"), b"new")
        .file(dir.path().join("b.txt"), b"b")
        .write()
        .unwrap_err();
    assert!(
        err.to_string().ends_with("b.txt exists and is not a file"),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"old");
    assert_eq!(names(dir.path()), ["a.txt", "b.txt"]);
}

/// A directory is replaced only when the caller's rule owns every entry in it; the first
/// entry it does not own is named.
#[test]
fn only_a_directory_the_rule_owns_is_replaced() {
    for (name, replaced) in [
        ("corp.txt", false),
        ("a.pem", true),
        // A regular file under a link name: a copy, where there are no symbolic links.
        ("5ad8a5d6.0", cfg!(not(unix))),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("certs");
        std::fs::create_dir(&certs).unwrap();
        std::fs::write(certs.join(name), b"mine").unwrap();
        let result = OutputSet::new()
            .dir(&certs, [DirEntry::file("b.pem", b"b\n")], pem_and_links)
            .write();
        if replaced {
            result.unwrap();
            assert_eq!(names(&certs), ["b.pem"], "{name}");
        } else {
            let err = result.unwrap_err();
            assert!(
                matches!(&err, Error::NotOurs { entry, .. } if entry == name),
                "{err}"
            );
            assert!(
                err.to_string()
                    .contains(&format!("it holds {name}, which cabundle did not write"))
            );
            assert_eq!(std::fs::read(certs.join(name)).unwrap(), b"mine", "{name}");
            assert_eq!(names(dir.path()), ["certs"], "{name}");
        }
    }
}

/// A manifest is put in place last, and the one it replaces is gone at the end.
#[test]
fn manifests_replace_the_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("m.json"), b"old").unwrap();
    OutputSet::new()
        .file(p.join("a.pem"), b"a")
        .manifest(p.join("m.json"), b"new")
        .write()
        .unwrap();
    assert_eq!(std::fs::read(p.join("m.json")).unwrap(), b"new");
    assert_eq!(names(p), ["a.pem", "m.json"]);
}

/// What a killed run left beside this set's destinations is removed; names that merely
/// look alike, and other outputs' leftovers, are not.
#[test]
fn leftovers_of_a_killed_run_are_removed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for junk in [".a.txt.tmpAb12Cd", ".a.txt.old0x9Yz1", ".certs.tmpQwErTy"] {
        std::fs::write(p.join(junk), b"half").unwrap();
    }
    std::fs::create_dir(p.join(".certs.oldZZ99aa")).unwrap();
    std::fs::write(p.join(".certs.oldZZ99aa/x.pem"), b"x").unwrap();
    let kept = [
        ".a.txt.tmp",
        ".a.txt.tmpAb12Cd7",
        ".b.txt.tmpAb12Cd",
        "a.txt.tmpAb12Cd",
        ".a.txt.bakAb12Cd",
    ];
    for name in kept {
        std::fs::write(p.join(name), b"someone's").unwrap();
    }
    OutputSet::new()
        .file(p.join("a.txt"), b"a")
        .manifest(p.join("m.json"), b"{}")
        .dir(
            p.join("certs"),
            [DirEntry::file("b.pem", b"b")],
            pem_and_links,
        )
        .write()
        .unwrap();
    let mut expected: Vec<&str> = kept.to_vec();
    expected.extend(["a.txt", "certs", "m.json"]);
    expected.sort();
    assert_eq!(names(p), expected);
}

#[test]
fn leftover_names() {
    fn check(candidate: &str, dest: &str, expected: bool) {
        assert_eq!(
            is_leftover_of(candidate, dest),
            expected,
            "{candidate} {dest}"
        );
    }
    check(".ca.pem.tmpA1b2C3", "ca.pem", true);
    check(".ca.pem.oldA1b2C3", "ca.pem", true);
    check(".ca.pem.tmpA1b2C", "ca.pem", false);
    check(".ca.pem.tmpA1b2-3", "ca.pem", false);
    check(".ca.pem.tmpA1b2C3", "cb.pem", false);
    check("ca.pem.tmpA1b2C3", "ca.pem", false);
}

#[test]
fn one_file_is_written_new_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    write_atomic(&path, b"one").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"one");
    write_atomic(&path, b"two").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"two");
    assert_eq!(
        names(dir.path()),
        ["report.csv"],
        "no temporary file is left"
    );
}

#[test]
fn missing_parents_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("report.csv");
    write_atomic(&path, b"x").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"x");
}

#[test]
fn a_failure_names_the_file_once_and_no_temporary_name() {
    let dir = tempfile::tempdir().unwrap();
    // A parent that is a file: neither it nor the file can be created.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let path = dir.path().join("file").join("report.csv");
    let err = write_atomic(&path, b"x").unwrap_err();
    let want = format!(
        "cannot write {}: {} is not a directory",
        path.display(),
        dir.path().join("file").display()
    );
    assert_eq!(chain(&err), want);
    assert!(!path.exists());
}

/// A replaced file keeps its permissions; a new one is readable by all.
#[cfg(unix)]
#[test]
fn permissions_are_kept_or_0644() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let (new, kept) = (dir.path().join("new"), dir.path().join("kept"));
    std::fs::write(&kept, b"old").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o600)).unwrap();
    OutputSet::new()
        .file(&new, b"a")
        .manifest(&kept, b"b")
        .write()
        .unwrap();
    assert_eq!((mode(&new), mode(&kept)), (0o644, 0o600));
}
