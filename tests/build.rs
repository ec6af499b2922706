//! `cabundle build` end to end: every CCADB snapshot against a selection computed plainly in
//! this file, broken reports that must fail cleanly and leave outputs alone, and the outputs
//! loaded by OpenSSL and Python.
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod fixture;
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::cabundle;
use time::macros::format_description;

fn run(args: &[&str]) -> Output {
    cabundle(args).output().expect("run cabundle")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The SHA-256s that `--explain` lists as included.
fn included_by_explain(stdout: &[u8]) -> BTreeSet<String> {
    text(stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("included  "))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_owned())
        .collect()
}

fn ymd(text: &str, sep: &str) -> time::Date {
    let parts: Vec<&str> = text.split(sep).collect();
    assert_eq!(parts.len(), 3, "date {text:?}");
    let month: u8 = parts[1].parse().unwrap();
    time::Date::from_calendar_date(
        parts[0].parse().unwrap(),
        time::Month::try_from(month).unwrap(),
        parts[2].parse().unwrap(),
    )
    .unwrap()
}

/// The policy applied by hand to a report read with the csv crate: which fingerprints
/// (lower-case hex) are trusted for `purpose` at `as_of` with 398 days of grace.
fn expected_selection(report: &Path, purpose: &str, as_of: time::Date) -> BTreeSet<String> {
    let (mut reader, headers) = support::read_csv(report);
    let col = |name: &str| support::column(&headers, name);
    let (sha, bits, tls, smime, valid_to) = (
        col("SHA-256 Fingerprint"),
        col("Trust Bits"),
        col("Distrust for TLS After Date"),
        col("Distrust for S/MIME After Date"),
        col("Valid To [GMT]"),
    );
    let (wanted, distrust_col) = if purpose == "tls" {
        ("Websites", tls)
    } else {
        ("Email", smime)
    };
    let known = ["Websites", "Email", "Code", "All Trust Bits Turned Off"];
    let mut out = BTreeSet::new();
    for record in reader.records() {
        let record = record.unwrap();
        let values: Vec<&str> = record[bits]
            .split(';')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if !values.contains(&wanted) || values.iter().any(|v| !known.contains(v)) {
            continue;
        }
        let distrust = record[distrust_col].trim();
        if !distrust.is_empty() && ymd(distrust, ".") + time::Duration::days(398) < as_of {
            continue;
        }
        if ymd(record[valid_to].trim(), ".") < as_of {
            continue;
        }
        out.insert(record[sha].trim().to_lowercase());
    }
    out
}

fn snapshots(data: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("IncludedCACertificateReportPEMCSV-") && n.ends_with(".csv")
            })
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_snapshot_matches_the_rules_written_plainly() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let files = snapshots(&data);
    assert!(
        !files.is_empty(),
        "no IncludedCACertificateReportPEMCSV snapshots in {}",
        data.display()
    );
    let format = format_description!("[year]-[month]-[day]");
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        // The report's own date is in its name: IncludedCACertificateReportPEMCSV-YYYY-MM-DD.csv.
        let own = name
            .trim_start_matches("IncludedCACertificateReportPEMCSV-")
            .trim_end_matches(".csv")
            .to_owned();
        for as_of in [own.as_str(), "2026-11-23", "2030-01-01"] {
            let date = time::Date::parse(as_of, format).unwrap();
            for purpose in ["tls", "email"] {
                let out = run(&[
                    "build",
                    "--report",
                    file.to_str().unwrap(),
                    "--purpose",
                    purpose,
                    "--as-of",
                    as_of,
                    "--explain",
                ]);
                assert!(
                    out.status.success(),
                    "{name} {purpose} {as_of}: {}",
                    text(&out.stderr)
                );
                let got = included_by_explain(&out.stdout);
                let expected = expected_selection(&file, purpose, date);
                assert_eq!(got, expected, "{name} {purpose} {as_of}");
                if as_of == own && purpose == "tls" {
                    assert!(got.len() > 100, "{name}: only {} roots", got.len());
                }
            }
        }
    }
}

#[test]
fn certdata_and_its_paired_report_select_the_same_roots() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let certdata = data.join("certdata-NSS_3_123_RTM-2026-04-16.txt");
    let report = data.join("IncludedCACertificateReportPEMCSV-2026-05-01.csv");
    if !certdata.is_file() || !report.is_file() {
        eprintln!("notice: paired snapshots missing; skipping");
        return;
    }
    for purpose in ["tls", "email"] {
        let sets: Vec<BTreeSet<String>> = [&certdata, &report]
            .iter()
            .map(|f| {
                let out = run(&[
                    "build",
                    "--report",
                    f.to_str().unwrap(),
                    "--purpose",
                    purpose,
                    "--as-of",
                    "2026-11-23",
                    "--explain",
                ]);
                assert!(out.status.success(), "{}", text(&out.stderr));
                included_by_explain(&out.stdout)
            })
            .collect();
        assert_eq!(sets[0], sets[1], "{purpose}");
    }
}

/// One broken report: the build fails with exit code 2, says `expected` (case-insensitive)
/// on stderr, does not panic, and leaves the existing bundle and manifest byte for byte.
fn check_broken(name: &str, report: &[u8], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.csv");
    std::fs::write(&report_path, report).unwrap();
    let pem = dir.path().join("bundle.pem");
    let manifest = dir.path().join("manifest.json");
    std::fs::write(&pem, b"previous bundle\n").unwrap();
    std::fs::write(&manifest, b"{}\n").unwrap();
    let out = run(&[
        "build",
        "--report",
        report_path.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--pem",
        pem.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    assert!(stderr.starts_with("error: "), "{name}: {stderr}");
    assert!(
        stderr.to_lowercase().contains(&expected.to_lowercase()),
        "{name}: expected {expected:?} in {stderr}"
    );
    assert_eq!(std::fs::read(&pem).unwrap(), b"previous bundle\n", "{name}");
    assert_eq!(std::fs::read(&manifest).unwrap(), b"{}\n", "{name}");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 3, "{name}: temporary files left: {left:?}");
}

#[test]
fn broken_reports_fail_cleanly_and_leave_outputs_alone() {
    let good = fixture::report_csv(&fixture::roots());
    let roots = fixture::roots();
    let first_sha = good
        .lines()
        .nth(1)
        .unwrap()
        .split("\",\"")
        .nth(4)
        .unwrap()
        .to_owned();
    let second_sha = good
        .split('\n')
        .find(|l| l.contains(roots[1].label))
        .unwrap()
        .split("\",\"")
        .nth(4)
        .unwrap()
        .to_owned();

    check_broken("empty", b"", "empty");
    check_broken("whitespace", b"  \n\n", "empty");
    check_broken(
        "html",
        b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>down</body></html>\n",
        "html",
    );
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    check_broken("binary", &binary, "binary");
    check_broken("truncated", &good.as_bytes()[..good.len() / 2], "row");
    check_broken(
        "fingerprint mismatch",
        good.replacen(&first_sha, &second_sha, 1).as_bytes(),
        "does not match",
    );
    check_broken(
        "missing column",
        good.replacen("\"Trust Bits\"", "\"Trust Bitz\"", 1)
            .as_bytes(),
        "missing required column \"Trust Bits\"",
    );
    check_broken(
        "bad PEM",
        good.replacen(
            "-----BEGIN CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\n@@@@",
            1,
        )
        .as_bytes(),
        "PEM Info",
    );
    check_broken(
        "header only",
        good.lines().next().unwrap().as_bytes(),
        "no rows",
    );
}

fn fixture_report(dir: &Path) -> PathBuf {
    let path = dir.join("report.csv");
    std::fs::write(&path, fixture::report_csv(&fixture::roots())).unwrap();
    path
}

#[test]
fn outputs_summary_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let report = fixture_report(dir.path());
    let (pem, capath, manifest) = (
        dir.path().join("b.pem"),
        dir.path().join("certs"),
        dir.path().join("m.json"),
    );
    let out = run(&[
        "build",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--pem",
        pem.to_str().unwrap(),
        "--capath",
        capath.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
        "--explain",
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("3 included, 5 excluded (1 distrusted, 1 expired, 2 not-trusted-for-purpose, 1 unknown-trust-bits)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: \"Eta Root (unknown bit)\""),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 8, "{stdout}");
    assert!(stdout.contains("excluded  "), "{stdout}");
    assert!(
        stdout.contains("Epsilon Root (expired): expired on 2025-06-30"),
        "{stdout}"
    );

    let bundle = text(&std::fs::read(&pem).unwrap());
    assert!(bundle.contains("## Source: report.csv\n"), "{bundle}");
    assert!(bundle.contains("## As of: 2026-11-23\n"));
    assert!(bundle.contains("# Label: \"Alpha Root CA\"\n"));
    assert!(!bundle.contains('\r'));
    assert_eq!(bundle.matches("-----BEGIN CERTIFICATE-----").count(), 3);

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    assert_eq!(json["policy"]["purpose"], "tls");
    assert_eq!(json["policy"]["as_of"], "2026-11-23");
    assert_eq!(json["included"].as_array().unwrap().len(), 3);
    assert_eq!(json["excluded"].as_array().unwrap().len(), 5);
    use sha2::Digest as _;
    let pem_sha = hex::encode(sha2::Sha256::digest(std::fs::read(&pem).unwrap()));
    assert_eq!(json["outputs"]["pem"]["sha256"], pem_sha.as_str());

    // The bundle loads in Python's ssl module with every certificate.
    if support::have(support::PYTHON) {
        let out = std::process::Command::new(support::PYTHON)
            .args([
                "-c",
                "import ssl,sys; c=ssl.create_default_context(cafile=sys.argv[1]); print(len(c.get_ca_certs()))",
                pem.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), "3");
    }
    // Every certificate in the hashed directory is found by OpenSSL through its hash link.
    if support::have("openssl") {
        for entry in std::fs::read_dir(&capath).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "pem") {
                let out = std::process::Command::new("openssl")
                    .args([
                        "verify",
                        "-CApath",
                        capath.to_str().unwrap(),
                        path.to_str().unwrap(),
                    ])
                    .env_remove("SSL_CERT_DIR")
                    .env_remove("SSL_CERT_FILE")
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}: {}",
                    path.display(),
                    text(&out.stdout) + &text(&out.stderr)
                );
            }
        }
    }
}

#[test]
fn real_snapshot_bundle_loads_in_openssl_and_python() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let Some(report) = snapshots(&data).pop() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("bundle.pem");
    let out = run(&[
        "build",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-07-01",
        "--pem",
        pem.to_str().unwrap(),
        "--explain",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let count = included_by_explain(&out.stdout).len();
    if support::have(support::PYTHON) {
        let out = std::process::Command::new(support::PYTHON)
            .args([
                "-c",
                "import ssl,sys; c=ssl.create_default_context(cafile=sys.argv[1]); print(len(c.get_ca_certs()))",
                pem.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), count.to_string());
    }
    if support::have("openssl") {
        let out = std::process::Command::new("openssl")
            .args(["storeutl", "-noout", "-certs", pem.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(&format!("Total found: {count}")),
            "{}",
            text(&out.stdout)
        );
    }
}

#[test]
fn usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let report = fixture_report(dir.path());
    let r = report.to_str().unwrap();
    fn check(args: &[&str], expected: &str) {
        let out = run(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    check(&["build", "--report", r], "nothing to do");
    check(
        &["build", "--report", r, "--explain", "--as-of", "2026-13-01"],
        "invalid --as-of",
    );
    check(
        &["build", "--report", r, "--explain", "--exclude", "abc"],
        "is not a SHA-256 fingerprint",
    );
    check(
        &["build", "--report", r, "--explain", "--purpose", "code"],
        "invalid value 'code'",
    );
    check(
        &["build", "--report", &format!("{r}.missing"), "--explain"],
        "report.csv.missing",
    );

    // --add refuses a certificate that is not a CA, naming the file and the certificate.
    let leaf_path = dir.path().join("leaf.pem");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["leaf.test".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "leaf.test");
    std::fs::write(&leaf_path, params.self_signed(&key).unwrap().pem()).unwrap();
    check(
        &[
            "build",
            "--report",
            r,
            "--explain",
            "--add",
            leaf_path.to_str().unwrap(),
        ],
        "leaf.pem: certificate 1",
    );
    check(
        &[
            "build",
            "--report",
            r,
            "--explain",
            "--add",
            leaf_path.to_str().unwrap(),
        ],
        "is not a CA certificate",
    );
}

#[test]
fn exclude_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let report = fixture_report(dir.path());
    let alpha = fixture::certificate(&fixture::roots()[0]);
    use sha2::Digest as _;
    let alpha_sha = hex::encode(sha2::Sha256::digest(alpha.der()));
    let nothing = "00".repeat(32);
    let out = run(&[
        "build",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--explain",
        "--exclude",
        &alpha_sha.to_uppercase(),
        "--exclude",
        &nothing,
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: --exclude {nothing} matches no certificate"
        )),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains(&format!(
        "excluded  {alpha_sha}  Alpha Root CA: excluded by --exclude"
    )));
    assert!(stderr.contains("2 included"), "{stderr}");
}

/// The manifest's capath digest, recomputed from the directory on disk as documented: one
/// line per entry in name order, `NAME\tfile\tSHA256\n` or `NAME\tlink\tTARGET\n`.
fn capath_listing_digest(dir: &Path) -> String {
    use sha2::Digest as _;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut hasher = sha2::Sha256::new();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let line = if meta.file_type().is_symlink() {
            format!(
                "{name}\tlink\t{}\n",
                std::fs::read_link(&path).unwrap().display()
            )
        } else {
            format!(
                "{name}\tfile\t{}\n",
                hex::encode(sha2::Sha256::digest(std::fs::read(&path).unwrap()))
            )
        };
        hasher.update(line.as_bytes());
    }
    hex::encode(hasher.finalize())
}

fn hash_links(dir: &Path) -> BTreeSet<(String, String)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            std::fs::symlink_metadata(p)
                .unwrap()
                .file_type()
                .is_symlink()
        })
        .map(|p| {
            let target = std::fs::read_link(&p).unwrap().display().to_string();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                target,
            )
        })
        .collect()
}

#[test]
fn real_snapshot_is_reproducible_and_its_capath_matches_openssl_rehash() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let Some(report) = snapshots(&data).pop() else {
        return;
    };
    let build_in = |dir: &Path| {
        let out = run(&[
            "build",
            "--report",
            report.to_str().unwrap(),
            "--as-of",
            "2026-11-23",
            "--pem",
            dir.join("b.pem").to_str().unwrap(),
            "--capath",
            dir.join("certs").to_str().unwrap(),
            "--manifest",
            dir.join("m.json").to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build_in(a.path());
    build_in(b.path());
    for name in ["b.pem", "m.json"] {
        assert!(
            std::fs::read(a.path().join(name)).unwrap()
                == std::fs::read(b.path().join(name)).unwrap(),
            "{name} differs between two builds"
        );
    }
    // The documented digest and `openssl rehash` concern symbolic links: unix only.
    if !cfg!(unix) {
        return;
    }
    let certs = a.path().join("certs");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.path().join("m.json")).unwrap()).unwrap();
    assert_eq!(
        json["outputs"]["capath"]["sha256"],
        capath_listing_digest(&certs).as_str()
    );

    // `openssl rehash` on the directory finds nothing to change in the set of link names, and
    // every link still leads to a certificate with that subject hash.
    if support::have("openssl") {
        let ours: BTreeSet<String> = hash_links(&certs).into_iter().map(|(n, _)| n).collect();
        let out = std::process::Command::new("openssl")
            .args(["rehash"])
            .arg(&certs)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let theirs: BTreeSet<String> = hash_links(&certs).into_iter().map(|(n, _)| n).collect();
        assert_eq!(ours, theirs);
    }
}

/// Regression (issue 8): `--add` of an intermediate (CA:TRUE, not self-issued) was accepted
/// silently, though it becomes a trust anchor. It warns; a root does not; a file with no
/// certificate is an error. Missing output directories are created.
#[test]
fn add_warns_about_intermediates_and_outputs_get_parents() {
    let dir = tempfile::tempdir().unwrap();
    let report = fixture_report(dir.path());
    let pki = cabundle_testkit::PkiFiles::new();
    let int = pki.path("int.pem");
    let build = |add: &Path, pem: &Path| {
        run(&[
            "build",
            "--report",
            report.to_str().unwrap(),
            "--as-of",
            "2026-11-23",
            "--pem",
            pem.to_str().unwrap(),
            "--add",
            add.to_str().unwrap(),
        ])
    };
    let pem = dir.path().join("new").join("dir").join("b.pem");
    let out = build(&int, &pem);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let sha = cabundle_cert::read_certificates(&std::fs::read(&int).unwrap()).unwrap()[0].sha256;
    let want = format!(
        "warning: {}: \"CN=Test Intermediate, O=cabundle tests\" (SHA-256 {sha}) is not a root: it was issued by \"CN=Test Root, O=cabundle tests\"; added, it becomes a trust anchor, and everything it issues is trusted even if its root is removed or distrusted\nhint: --add the root instead (cabundle chain FILE... --root -o ROOT.pem finds it), unless trusting only this intermediate is what you want\n",
        int.display()
    );
    assert!(stderr.starts_with(&want), "{stderr}");
    assert!(pem.is_file());

    let out = build(&pki.path("root.pem"), &pem);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("is not a root"),
        "{}",
        text(&out.stderr)
    );

    // `--pem -`: the bundle on standard output, the same bytes as the file.
    let out = build(&pki.path("root.pem"), Path::new("-"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout, std::fs::read(&pem).unwrap());
    assert!(!Path::new("-").exists());

    let key = pki.path("good.key");
    let out = build(&key, &pem);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!("{} holds no certificate", key.display())),
        "{}",
        text(&out.stderr)
    );
}
