//! End-to-end tests of `cabundle capath`: a PEM bundle split into one file per certificate,
//! hashed like `openssl rehash` would hash those files.

mod support;

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use support::{cabundle, have};

fn cert(cn: &str) -> String {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, cn);
    params.distinguished_name = name;
    params.self_signed(&key).expect("certificate").pem()
}

/// A bundle with comments, a duplicate and two certificates sharing a subject.
fn bundle(dir: &Path) -> std::path::PathBuf {
    let (a, b, c, d) = (cert("Alpha"), cert("Beta"), cert("Shared"), cert("Shared"));
    let text = format!("# Alpha\n{a}\n# Beta\n{b}{c}{d}{a}");
    let path = dir.join("bundle.pem");
    std::fs::write(&path, text).expect("write bundle");
    path
}

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            match std::fs::read_link(e.path()) {
                Ok(target) => format!("{name} -> {}", target.display()),
                Err(_) => name,
            }
        })
        .collect()
}

/// The regular `.pem` files (not the links).
fn certificate_files(dir: &Path) -> Vec<String> {
    listing(dir)
        .into_iter()
        .filter(|l| l.ends_with(".pem") && !l.contains(" -> "))
        .collect()
}

fn capath(bundle: &Path, dir: &Path) -> std::process::Output {
    let mut cmd = cabundle(&["capath", "--from"]);
    cmd.arg(bundle).arg(dir);
    cmd.output().expect("run cabundle")
}

#[test]
fn bundle_is_split_and_hashed_like_openssl() {
    let root = tempfile::tempdir().expect("tempdir");
    let bundle = bundle(root.path());
    let dir = root.path().join("capath");
    let out = capath(&bundle, &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = certificate_files(&dir);
    assert_eq!(files.len(), 4, "{files:?}");
    for f in &files {
        let stem = f.trim_end_matches(".pem");
        assert!(
            stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit()),
            "{f}"
        );
    }
    // `openssl rehash` makes symbolic links, so only on unix.
    if cfg!(unix) && have("openssl") {
        let theirs = root.path().join("openssl");
        std::fs::create_dir(&theirs).expect("mkdir");
        for f in &files {
            std::fs::copy(dir.join(f), theirs.join(f)).expect("copy");
        }
        let status = Command::new("openssl")
            .arg("rehash")
            .arg(&theirs)
            .status()
            .expect("openssl");
        assert!(status.success());
        assert_eq!(listing(&dir), listing(&theirs));
    }
}

#[test]
fn output_is_deterministic_and_rerun_changes_nothing() {
    let root = tempfile::tempdir().expect("tempdir");
    let bundle = bundle(root.path());
    let (one, two) = (root.path().join("one"), root.path().join("two"));
    assert!(capath(&bundle, &one).status.success());
    assert!(capath(&bundle, &two).status.success());
    assert_eq!(listing(&one), listing(&two));
    for name in &certificate_files(&one) {
        assert_eq!(
            std::fs::read(one.join(name)).expect("read"),
            std::fs::read(two.join(name)).expect("read")
        );
    }
    let before = std::fs::metadata(&one)
        .expect("stat")
        .modified()
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(capath(&bundle, &one).status.success());
    assert_eq!(
        std::fs::metadata(&one)
            .expect("stat")
            .modified()
            .expect("mtime"),
        before
    );
}

#[test]
fn unrelated_file_is_not_clobbered() {
    let root = tempfile::tempdir().expect("tempdir");
    let bundle = bundle(root.path());
    let dir = root.path().join("capath");
    assert!(capath(&bundle, &dir).status.success());
    let victim = certificate_files(&dir).into_iter().next().expect("a file");
    std::fs::write(dir.join(&victim), "mine").expect("write");
    let out = capath(&bundle, &dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&victim), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join(&victim)).expect("read"),
        "mine"
    );
}

#[test]
fn bundle_without_certificates_is_an_error() {
    let root = tempfile::tempdir().expect("tempdir");
    let path = root.path().join("empty.pem");
    std::fs::write(&path, "# nothing here\n").expect("write");
    let out = capath(&path, &root.path().join("dir"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty.pem"));
}

/// `--from -` reads the bundle from standard input; one with no certificate is an error.
#[test]
fn bundle_from_standard_input() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("dir");
    let run = |stdin: &str| {
        let mut child = cabundle(&["capath", "--from", "-", dir.to_str().expect("utf-8")])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run cabundle");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    };
    let out = run(&format!("{}{}", cert("One"), cert("Two")));
    assert_eq!(out.status.code(), Some(0), "{}", support::output_text(&out));
    let pems = std::fs::read_dir(&dir)
        .expect("read dir")
        .filter(|e| {
            e.as_ref()
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .ends_with(".pem")
        })
        .count();
    assert_eq!(pems, 2);
    let out = run("# nothing here\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no certificate in standard input\n"
    );
}
