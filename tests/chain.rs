//! End-to-end tests of `cabundle chain` (ordering certificates into a full chain) and
//! `cabundle convert` (PEM to DER and back, checked against `openssl x509`).
#![allow(clippy::unwrap_used)] // support functions outside #[test] fns panic on failure by design

mod support;

use cabundle_testkit::PkiFiles as Pki;
use std::process::Command;
use support::{cabundle, output_text as text};

fn common_names(path: &std::path::Path) -> Vec<String> {
    let bytes = fs_err::read(path).unwrap();
    cabundle_cert::read_certificates(&bytes)
        .unwrap()
        .into_iter()
        .map(|c| c.subject.split(", ").next().unwrap().to_owned())
        .collect()
}

/// Runs `cabundle chain FILES... -o OUT [EXTRA...]`, checks the exit code, what it says and
/// the order of the certificates written.
fn check(pki: &Pki, files: &[&str], extra: &[&str], code: i32, says: &[&str], order: &[&str]) {
    let out_path = pki.dir().join("fullchain-out.pem");
    let _ = fs_err::remove_file(&out_path);
    let mut args = vec!["chain".to_owned()];
    args.extend(files.iter().map(|f| pki.arg(f)));
    args.extend(["-o".to_owned(), out_path.to_str().unwrap().to_owned()]);
    args.extend(extra.iter().map(|s| {
        if s.ends_with(".pem") {
            pki.arg(s)
        } else {
            (*s).to_owned()
        }
    }));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cabundle(&args).output().unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(code), "{files:?} {extra:?}: {said}");
    for s in says {
        assert!(said.contains(s), "{files:?} should say {s:?}:\n{said}");
    }
    if order.is_empty() {
        assert!(!out_path.exists(), "{files:?} {extra:?} wrote a file");
    } else {
        assert_eq!(common_names(&out_path), order, "{files:?} {extra:?}");
    }
}

#[test]
fn orders_and_reports_what_is_missing() {
    let pki = Pki::new();
    let der = pki.dir().join("good.der");
    let out = cabundle(&["convert", &pki.arg("good.pem"), der.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let full = ["CN=good.example", "CN=Test Intermediate", "CN=Test Root"];
    check(
        &pki,
        &["root.pem", "int.pem", "good.pem"],
        &[],
        0,
        &["(root)"],
        &full,
    );
    check(&pki, &["good-full.pem"], &[], 0, &[], &full);
    check(
        &pki,
        &["int.pem", "good.der"],
        &[],
        1,
        &["no issuer for CN=Test Intermediate, O=cabundle tests: add its certificate"],
        &full[..2],
    );
    check(
        &pki,
        &["int.pem", "good.der"],
        &["--bundle", "root.pem"],
        0,
        &["root, from the bundle"],
        &full,
    );
    check(
        &pki,
        &["int.pem", "good.pem"],
        &["--bundle", "root.pem", "--no-root"],
        0,
        &[],
        &full[..2],
    );
    check(
        &pki,
        &["good.pem", "root.pem"],
        &[],
        1,
        &[
            "no issuer for CN=good.example, O=cabundle tests: add its certificate",
            "not part of the chain: CN=Test Root",
        ],
        &full[..1],
    );
    // Duplicates are dropped; an unrelated root is reported, not chained.
    check(
        &pki,
        &["good-chain.pem", "int.pem", "other-root.pem", "root.pem"],
        &[],
        0,
        &["not part of the chain: CN=Other Root"],
        &full,
    );
}

/// `--root` and `--index N` pick one certificate of the ordered chain.
#[test]
fn picks_one_certificate() {
    let pki = Pki::new();
    let full = ["CN=good.example", "CN=Test Intermediate", "CN=Test Root"];
    let given = ["int.pem", "good.pem", "root.pem"];
    check(
        &pki,
        &given,
        &["--root"],
        0,
        &["2  CN=Test Root"],
        &full[2..],
    );
    for (i, name) in full.iter().enumerate() {
        let n = i.to_string();
        check(&pki, &given, &["--index", &n], 0, &[], &[*name]);
    }
    check(
        &pki,
        &["good.pem", "int.pem"],
        &["--root", "--bundle", "root.pem"],
        0,
        &["root, from the bundle"],
        &full[2..],
    );
    check(
        &pki,
        &given,
        &["--index", "3"],
        2,
        &["error: --index 3 is past the end of the chain: it has 3 certificates (0 to 2)\n"],
        &[],
    );
    check(
        &pki,
        &["good.pem", "int.pem"],
        &["--root"],
        1,
        &["add its certificate; no root to write\n"],
        &[],
    );
    let out = cabundle(&["chain", "--root", "--index", "1", &pki.arg("good.pem")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

/// Regression (issue 8): a key file among the certificates was silently ignored.
#[test]
fn file_without_a_certificate_is_an_error() {
    let pki = Pki::new();
    let key = pki.arg("good.key");
    let cases: &[&[&str]] = &[
        &["chain", &pki.arg("good.pem"), &key],
        &["chain", &pki.arg("good.pem"), "--bundle", &key],
        &["convert", &key, "out.der"],
    ];
    for args in cases {
        let out = cabundle(args).current_dir(pki.dir()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("error: no certificate in {key}\n"),
            "{args:?}"
        );
    }
    assert!(!pki.dir().join("out.der").exists());
}

/// `-` is standard input or output for chain and convert; a missing output directory is
/// created; a parent that is a file is one clean error.
#[test]
fn dash_and_output_parents() {
    let pki = Pki::new();
    let run = |args: &[&str], stdin: &[u8]| {
        let mut child = cabundle(args)
            .current_dir(pki.dir())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin).unwrap();
        child.wait_with_output().unwrap()
    };
    let full = fs_err::read(pki.path("good-full.pem")).unwrap();
    let int_pem = fs_err::read(pki.path("int.pem")).unwrap();

    let out = run(&["chain", "-", "-o", "-"], &full);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(out.stdout, full);

    let out = run(&["convert", "-", "-"], &int_pem);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let der = out.stdout;
    assert!(String::from_utf8_lossy(&out.stderr).contains("to standard output"));
    let out = run(&["convert", "-", "new/dir/int.pem"], &der);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        fs_err::read(pki.dir().join("new/dir/int.pem")).unwrap(),
        int_pem
    );
    assert!(
        !pki.dir().join("-").exists(),
        "convert IN - wrote a file named -"
    );

    let out = run(&["chain", "int.pem", "-o", "nested/out/chain.pem"], b"");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(pki.dir().join("nested/out/chain.pem").is_file());

    let out = run(&["chain", "int.pem", "-o", "int.pem/chain.pem"], b"");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write int.pem/chain.pem: int.pem is not a directory\n"
    );
}

#[test]
fn convert_round_trips_and_matches_openssl() {
    let pki = Pki::new();
    let der = pki.dir().join("int.der");
    let pem = pki.dir().join("int-again.pem");
    for (input, output, to) in [
        (pki.path("int.pem"), der.clone(), None),
        (der.clone(), pem.clone(), None),
        (pem.clone(), pki.dir().join("int-again.der"), Some("der")),
        (
            pki.path("good-chain.pem"),
            pki.dir().join("copy.pem"),
            Some("pem"),
        ),
    ] {
        let mut args = vec![
            "convert".to_owned(),
            input.to_str().unwrap().to_owned(),
            output.to_str().unwrap().to_owned(),
        ];
        if let Some(to) = to {
            args.extend(["--to".to_owned(), to.to_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cabundle(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
    }
    assert_eq!(
        fs_err::read(pki.dir().join("int-again.der")).unwrap(),
        fs_err::read(&der).unwrap()
    );
    assert_eq!(
        fs_err::read_to_string(&pem).unwrap(),
        fs_err::read_to_string(pki.path("int.pem"))
            .unwrap()
            .replace("\r\n", "\n")
    );
    assert_eq!(common_names(&pki.dir().join("copy.pem")).len(), 2);
    if support::have("openssl") {
        let ossl = Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(pki.path("int.pem"))
            .output()
            .unwrap();
        assert!(ossl.status.success());
        assert_eq!(ossl.stdout, fs_err::read(&der).unwrap());
    }

    let out = cabundle(&[
        "convert",
        &pki.arg("good-chain.pem"),
        pki.dir().join("two.der").to_str().unwrap(),
        "--to",
        "der",
    ])
    .output()
    .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("holds 2 certificates"), "{said}");
    assert!(!pki.dir().join("two.der").exists());
}

/// `chain LEAF --intermediates FILE` completes a leaf into the chain a server should send,
/// taking only the issuers it needs from the file (here with an unrelated root in it too).
#[test]
fn intermediates_complete_a_leaf() {
    let pki = Pki::new();
    let pool = pki.dir().join("pool.pem");
    let mut text = fs_err::read_to_string(pki.path("int.pem")).unwrap();
    text.push_str(&fs_err::read_to_string(pki.path("proxy-root.pem")).unwrap());
    fs_err::write(&pool, text).unwrap();
    let pool = pool.to_str().unwrap().to_owned();
    check(
        &pki,
        &["good.pem"],
        &["--intermediates", &pool],
        1,
        &[
            "(intermediate, from --intermediates)",
            "no issuer for CN=Test Intermediate",
        ],
        &["CN=good.example", "CN=Test Intermediate"],
    );
    check(
        &pki,
        &["good.pem"],
        &["--intermediates", &pool, "--bundle", "root.pem"],
        0,
        &[
            "(intermediate, from --intermediates)",
            "(root, from the bundle)",
        ],
        &["CN=good.example", "CN=Test Intermediate", "CN=Test Root"],
    );
}
