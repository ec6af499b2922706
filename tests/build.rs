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
        "--allow-small-report",
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
    // The fixture's ePKI-like root (TLS distrust date, no `Websites`) and its constrained root
    // are named, by row, on stderr.
    assert!(
        stderr.contains("warning: row 2: \"Beta Email Root\"")
            && stderr.contains(
                "is distrusted for TLS after 2025-04-15 but its trust bits lack Websites"
            ),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: row 8: \"Theta Root, \"quoted\"\"")
            && stderr.contains("is constrained by Mozilla to \"*.xx\""),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 8, "{stdout}");
    assert!(
        stdout.contains("Theta Root, \"quoted\" (Mozilla Applied Constraints: *.xx)\n"),
        "{stdout}"
    );
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
        "for '--as-of <DATE>'",
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
    // The library says what is wrong; the binary adds what to do, naming its flags.
    check(
        &[
            "build",
            "--report",
            r,
            "--explain",
            "--add",
            leaf_path.to_str().unwrap(),
        ],
        "\nhint: --add takes root certificates (basic constraints CA:TRUE)",
    );
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), b"mine").unwrap();
    check(
        &[
            "build",
            "--allow-small-report",
            "--report",
            r,
            "--capath",
            foreign.to_str().unwrap(),
        ],
        "which cabundle did not write\nhint: move notes.txt out of it to let cabundle replace the directory",
    );
    assert_eq!(std::fs::read(foreign.join("notes.txt")).unwrap(), b"mine");
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
        "--allow-small-report",
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
        "excluded  {alpha_sha}  Alpha Root CA: excluded: named by --exclude on the command line"
    )));
    assert!(stderr.contains("2 included"), "{stderr}");

    // `--exclude SHA256=REASON`: the reason reaches --explain and the manifest.
    let manifest = dir.path().join("m.json");
    let out = run(&[
        "build",
        "--allow-small-report",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--explain",
        "--manifest",
        manifest.to_str().unwrap(),
        "--exclude",
        &format!("{alpha_sha}=compromised key, see bug 1"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!(
            "excluded  {alpha_sha}  Alpha Root CA: excluded: compromised key, see bug 1"
        )),
        "{}",
        text(&out.stdout)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(
        json["policy"]["excludes"],
        serde_json::json!([{"sha256": alpha_sha, "reason": "compromised key, see bug 1"}])
    );
    let alpha = json["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["sha256"] == alpha_sha.as_str())
        .unwrap();
    assert_eq!(alpha["reason"], "excluded");
    assert_eq!(alpha["detail"], "excluded: compromised key, see bug 1");
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
        support::capath_listing_digest(&certs).as_str()
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

/// The committed release bundles, `bundles/NAME` of the workspace.
fn committed_bundles() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bundles");
    let mut out: Vec<PathBuf> = ["mozilla-email", "mozilla-tls", "mozilla-tls-intermediates"]
        .iter()
        .map(|n| root.join(n))
        .collect();
    out.sort();
    out
}

/// The file of `data` whose SHA-256 is `sha256`, as `cargo xtask build-bundle --source-dir`
/// finds the pinned report.
fn find_by_sha256(data: &Path, sha256: &str) -> Option<PathBuf> {
    use sha2::Digest as _;
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .find(|p| hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap())) == sha256)
}

/// `sha256sum` lines as (name, digest).
fn sums(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .map(|l| {
            let (sha, name) = l.split_once("  ").unwrap();
            (name.to_owned(), sha.to_owned())
        })
        .collect()
}

fn sha256_file(path: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn recipe_builds_the_committed_bundles_byte_for_byte() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    for dir in committed_bundles() {
        let bundle = cabundle_build::Bundle::load(&dir).unwrap();
        let name = bundle.name.clone();
        let pinned = bundle.lock.source.sha256.to_string();
        let report = find_by_sha256(&data, &pinned)
            .unwrap_or_else(|| panic!("no file with SHA-256 {pinned} in {}", data.display()));
        // A recipe with intermediates takes the intermediates report its lock pins too.
        let intermediates = bundle.lock.intermediates.as_ref().map(|pin| {
            let sha = pin.sha256.to_string();
            find_by_sha256(&data, &sha)
                .unwrap_or_else(|| panic!("no file with SHA-256 {sha} in {}", data.display()))
        });
        let mut sources = vec!["--report", report.to_str().unwrap()];
        if let Some(path) = &intermediates {
            sources.extend(["--intermediates-report", path.to_str().unwrap()]);
        }
        let tmp = tempfile::tempdir().unwrap();
        let out_dir = tmp.path().join("dist");
        let mut args = vec!["build", "--recipe", dir.to_str().unwrap()];
        args.extend(&sources);
        args.extend(["--out", out_dir.to_str().unwrap()]);
        let out = run(&args);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(&format!("{name}: ")),
            "{}",
            text(&out.stderr)
        );

        // The files `cargo xtask build-bundle` makes and records in SHA256SUMS, the archive
        // aside (it is the xtask's packaging of these same files).
        let committed = sums(&std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap());
        let archive = format!("{name}.tar.gz");
        let expected: BTreeSet<_> = committed
            .into_iter()
            .filter(|(n, _)| *n != archive)
            .collect();
        let mut got = BTreeSet::new();
        let mut names = BTreeSet::new();
        for entry in std::fs::read_dir(&out_dir).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            names.insert(file.clone());
            if path.is_file() {
                got.insert((file, sha256_file(&path)));
            }
        }
        assert_eq!(got, expected, "{name}");
        let want_names: BTreeSet<String> = expected
            .iter()
            .map(|(n, _)| n.clone())
            .chain([format!("{name}.capath")])
            .collect();
        assert_eq!(names, want_names, "{name}");
        assert_eq!(
            std::fs::read(out_dir.join(format!("{name}.listing.txt"))).unwrap(),
            std::fs::read(dir.join("listing.txt")).unwrap(),
            "{name}"
        );
        // The hashed directory is the one the (byte-identical) manifest records.
        if cfg!(unix) {
            let json: serde_json::Value = serde_json::from_slice(
                &std::fs::read(out_dir.join(format!("{name}.manifest.json"))).unwrap(),
            )
            .unwrap();
            assert_eq!(
                json["outputs"]["capath"]["sha256"],
                support::capath_listing_digest(&out_dir.join(format!("{name}.capath"))).as_str(),
                "{name}"
            );
        }

        // Single outputs take the recipe's policy too, and --explain lists the recipe's reasons.
        let pem = tmp.path().join("single.pem");
        let manifest = tmp.path().join("single.json");
        let mut args = vec!["build", "--recipe", dir.to_str().unwrap()];
        args.extend(&sources);
        args.extend([
            "--pem",
            pem.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
            "--explain",
        ]);
        let out = run(&args);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        for (single, file) in [(&pem, "pem"), (&manifest, "manifest.json")] {
            assert_eq!(
                std::fs::read(single).unwrap(),
                std::fs::read(out_dir.join(format!("{name}.{file}"))).unwrap(),
                "{name}.{file}"
            );
        }
        if intermediates.is_some() {
            assert!(
                text(&out.stderr)
                    .contains(&format!("{name}: 1754 intermediates selected, 5 left out")),
                "{}",
                text(&out.stderr)
            );
            let full = std::fs::read_to_string(out_dir.join(format!("{name}.full.pem"))).unwrap();
            let roots = std::fs::read_to_string(out_dir.join(format!("{name}.pem"))).unwrap();
            assert_eq!(
                full.matches("-----BEGIN CERTIFICATE-----").count(),
                118 + 1754
            );
            assert!(
                full.contains(&roots),
                "the full bundle holds the roots bundle"
            );
        }
        let listing = std::fs::read_to_string(dir.join("listing.txt")).unwrap();
        let listed = listing
            .lines()
            .filter(|l| l.len() > 64 && !l.starts_with('#'));
        assert_eq!(text(&out.stdout).lines().count(), listed.count(), "{name}");
    }
}

/// A bundle folder pinning `report`, with one exclusion and `capath` as given.
fn fixture_bundle(dir: &Path, report: &Path, capath: bool, excluded: &str) -> PathBuf {
    use sha2::Digest as _;
    let bytes = std::fs::read(report).unwrap();
    let bundle = dir.join("fixture-roots");
    std::fs::create_dir(&bundle).unwrap();
    std::fs::write(
        bundle.join("recipe.toml"),
        format!(
            "description = \"fixture roots\"\n[policy]\npurpose = \"tls\"\n\
             [outputs]\ncapath = {capath}\n\
             [[exclude]]\nsha256 = \"{excluded}\"\nreason = \"left out by hand, see bug 1\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        bundle.join("lock.toml"),
        format!(
            "[source]\nurl = \"https://example.test/report.csv\"\nsha256 = \"{}\"\n\
             size = {}\nfetched = \"2026-11-23\"\n",
            hex::encode(sha2::Sha256::digest(&bytes)),
            bytes.len()
        ),
    )
    .unwrap();
    bundle
}

#[test]
fn recipe_outputs_exclusions_and_capath_switch() {
    use sha2::Digest as _;
    let alpha = fixture::certificate(&fixture::roots()[0]);
    let alpha_sha = hex::encode(sha2::Sha256::digest(alpha.der()));
    for capath in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let report = fixture_report(tmp.path());
        let bundle = fixture_bundle(tmp.path(), &report, capath, &alpha_sha);
        let dist = tmp.path().join("new/dist");
        let out = run(&[
            "build",
            "--recipe",
            bundle.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--out",
            dist.to_str().unwrap(),
            "--explain",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let reason = "excluded: left out by hand, see bug 1";
        assert!(
            text(&out.stdout).contains(&format!("excluded  {alpha_sha}  Alpha Root CA: {reason}")),
            "{}",
            text(&out.stdout)
        );
        let mut names: Vec<String> = std::fs::read_dir(&dist)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut want = vec![
            "fixture-roots.listing.txt",
            "fixture-roots.manifest.json",
            "fixture-roots.pem",
        ];
        if capath {
            want.insert(0, "fixture-roots.capath");
        }
        assert_eq!(names, want);
        let listing = std::fs::read_to_string(dist.join("fixture-roots.listing.txt")).unwrap();
        assert!(
            listing.contains(&format!(
                "{alpha_sha} Alpha Root CA: excluded by the recipe: left out by hand, see bug 1\n"
            )),
            "{listing}"
        );
        assert!(
            listing.contains("# source: https://example.test/report.csv\n"),
            "{listing}"
        );
        // The outputs name the source by the lock's URL, not by the file it was read from.
        let pem = std::fs::read_to_string(dist.join("fixture-roots.pem")).unwrap();
        assert!(pem.contains("https://example.test/report.csv"));
        assert!(!pem.contains(tmp.path().to_str().unwrap()));
    }
}

/// A bundle folder `fixture-inter` pinning `report` and the intermediates report `inter`, with
/// the recipe's `[intermediates]` table as given.
fn fixture_bundle_with_intermediates(
    dir: &Path,
    report: &Path,
    inter: &Path,
    table: &str,
) -> PathBuf {
    use sha2::Digest as _;
    let pin = |path: &Path| {
        let bytes = std::fs::read(path).unwrap();
        format!(
            "sha256 = \"{}\"\nsize = {}\n",
            hex::encode(sha2::Sha256::digest(&bytes)),
            bytes.len()
        )
    };
    let bundle = dir.join("fixture-inter");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(
        bundle.join("recipe.toml"),
        format!("description = \"fixture roots and intermediates\"\n[policy]\npurpose = \"tls\"\n{table}"),
    )
    .unwrap();
    std::fs::write(
        bundle.join("lock.toml"),
        format!(
            "[source]\nurl = \"https://example.test/report.csv\"\n{}fetched = \"2026-11-23\"\n\
             [intermediates]\nurl = \"https://example.test/intermediates.csv\"\n{}fetched = \"2026-11-30\"\n",
            pin(report),
            pin(inter)
        ),
    )
    .unwrap();
    bundle
}

#[test]
fn recipe_with_intermediates_writes_them_and_refuses_other_reports() {
    use sha2::Digest as _;
    let tmp = tempfile::tempdir().unwrap();
    let report = fixture_report(tmp.path());
    let alpha = &fixture::roots()[0];
    let int = fixture::intermediate(alpha, "Alpha Issuing CA", 0x41);
    let inter = tmp.path().join("intermediates.csv");
    std::fs::write(&inter, fixture::intermediates_csv(alpha, &[&int])).unwrap();
    let int_sha = hex::encode(sha2::Sha256::digest(int.der()));
    let (r, i) = (report.to_str().unwrap(), inter.to_str().unwrap());

    for (table, in_capath) in [
        ("[intermediates]\n", false),
        ("[intermediates]\npem = false\ncapath = true\n", true),
    ] {
        let bundle = fixture_bundle_with_intermediates(tmp.path(), &report, &inter, table);
        let b = bundle.to_str().unwrap();
        let dist = tmp.path().join("dist");
        let _ = std::fs::remove_dir_all(&dist);
        let out = run(&[
            "build",
            "--recipe",
            b,
            "--report",
            r,
            "--intermediates-report",
            i,
            "--out",
            dist.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("fixture-inter: 1 intermediates selected, 0 left out"),
            "{}",
            text(&out.stderr)
        );
        let listing = std::fs::read_to_string(dist.join("fixture-inter.listing.txt")).unwrap();
        assert!(
            listing.contains("\n# intermediates source: https://example.test/intermediates.csv\n"),
            "{listing}"
        );
        assert!(
            listing.contains(&format!(
                "# intermediates: 1 (SHA-256, subject hash, subject)\n{int_sha} "
            )),
            "{listing}"
        );
        assert!(
            listing.ends_with("# intermediates left out: 0 (SHA-256, subject: reason)\n"),
            "{listing}"
        );
        let full = std::fs::read_to_string(dist.join("fixture-inter.full.pem")).unwrap();
        assert!(
            full.contains(&format!("# SHA256 Fingerprint: {int_sha}")),
            "{full}"
        );
        assert!(full.contains("## Intermediates source: https://example.test/intermediates.csv\n"));
        assert_eq!(
            dist.join("fixture-inter.intermediates.pem").exists(),
            !in_capath
        );
        let json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dist.join("fixture-inter.manifest.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            json["intermediates"]["included"][0]["sha256"],
            int_sha.as_str()
        );
        assert_eq!(json["intermediates"]["pem"].is_null(), in_capath);
        let in_dir = std::fs::read_dir(dist.join("fixture-inter.capath"))
            .unwrap()
            .any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("intermediate-")
            });
        assert_eq!(in_dir, in_capath, "intermediates in the hashed directory");
        std::fs::remove_dir_all(&bundle).unwrap();
    }

    let bundle =
        fixture_bundle_with_intermediates(tmp.path(), &report, &inter, "[intermediates]\n");
    let b = bundle.to_str().unwrap();
    let check = |args: &[&str], expected: &str| {
        let dist = tmp.path().join("refused");
        let mut all = args.to_vec();
        all.extend(["--out", dist.to_str().unwrap()]);
        let out = run(&all);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr}"
        );
        assert!(!dist.exists(), "{args:?} wrote {}", dist.display());
    };
    // Another intermediates report than the pinned one: both digests and the lock named.
    check(
        &[
            "build",
            "--recipe",
            b,
            "--report",
            r,
            "--intermediates-report",
            r,
        ],
        &format!(
            "{r} is not the intermediates report {} pins: its SHA-256 is {}, the lock's is {}",
            bundle.join("lock.toml").display(),
            sha256_file(&report),
            sha256_file(&inter)
        ),
    );
    // Offline, the lock's URL cannot be downloaded: the error says what to pass.
    let lock = bundle.join("lock.toml");
    let pinned = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(
        &lock,
        pinned.replace(
            "https://example.test/intermediates",
            "https://127.0.0.1:9/intermediates",
        ),
    )
    .unwrap();
    check(
        &["build", "--recipe", b, "--report", r, "--attempts", "1"],
        &format!(
            "\nhint: to build offline, pass --intermediates-report FILE with the report whose SHA-256 is {}",
            sha256_file(&inter)
        ),
    );
    // A recipe without intermediates takes no intermediates report, and its lock pins none.
    let plain = fixture_bundle(tmp.path(), &report, true, &"00".repeat(32));
    let p = plain.to_str().unwrap();
    check(
        &[
            "build",
            "--recipe",
            p,
            "--report",
            r,
            "--intermediates-report",
            i,
        ],
        "fixture-roots has no intermediates: its recipe has no [intermediates] table\nhint: drop --intermediates-report",
    );
    std::fs::write(
        plain.join("lock.toml"),
        pinned.replace("https://example.test/", "https://e.test/"),
    )
    .unwrap();
    check(
        &["build", "--recipe", p, "--report", r],
        "`intermediates`: the recipe has no `[intermediates]` table, so nothing reads this pin",
    );
}

#[test]
fn recipe_refuses_a_report_the_lock_does_not_pin_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let report = fixture_report(tmp.path());
    let other = tmp.path().join("other.csv");
    let mut bytes = std::fs::read(&report).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&other, &bytes).unwrap();
    let bundle = fixture_bundle(tmp.path(), &report, true, &"00".repeat(32));
    let dist = tmp.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(dist.join("fixture-roots.pem"), b"old").unwrap();
    let single = tmp.path().join("single.pem");
    let out = run(&[
        "build",
        "--recipe",
        bundle.to_str().unwrap(),
        "--report",
        other.to_str().unwrap(),
        "--out",
        dist.to_str().unwrap(),
        "--pem",
        single.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lock = bundle.join("lock.toml");
    assert!(
        stderr.contains(&format!(
            "{} is not the source {} pins: its SHA-256 is {}, the lock's is {}",
            other.display(),
            lock.display(),
            sha256_file(&other),
            sha256_file(&report)
        )),
        "{stderr}"
    );
    assert!(!single.exists());
    assert_eq!(
        std::fs::read(dist.join("fixture-roots.pem")).unwrap(),
        b"old"
    );
    assert_eq!(std::fs::read_dir(&dist).unwrap().count(), 1);
}

#[test]
fn recipe_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let report = fixture_report(tmp.path());
    let bundle = fixture_bundle(tmp.path(), &report, true, &"00".repeat(32));
    let (b, r) = (bundle.to_str().unwrap(), report.to_str().unwrap());
    let check = |args: &[&str], expected: &str| {
        let out = run(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr}"
        );
    };
    // The recipe is the policy: its options are refused beside it.
    for flag in [
        &["--purpose", "email"][..],
        &["--as-of", "2026-01-01"],
        &["--distrust-grace-days", "1"],
        &["--include-expired"],
        &["--exclude", &"00".repeat(32)],
        &["--add", r],
    ] {
        let mut args = vec!["build", "--recipe", b, "--report", r, "--explain"];
        args.extend_from_slice(flag);
        check(
            &args,
            &format!("'--recipe <DIR>' cannot be used with '{}", flag[0]),
        );
    }
    check(&["build", "--report", r, "--out", "dist"], "--recipe <DIR>");
    check(&["build", "--recipe", b, "--report", r], "nothing to do");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    check(
        &["build", "--recipe", empty.to_str().unwrap(), "--explain"],
        &format!("no recipe.toml in {}", empty.display()),
    );
    // Without --report, the lock's URL is downloaded; offline, the error says what to pass.
    let lock = bundle.join("lock.toml");
    let pinned = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(
        &lock,
        // Nothing listens on port 9 of this machine: the download fails at once.
        pinned.replace("https://example.test/", "https://127.0.0.1:9/"),
    )
    .unwrap();
    check(
        &["build", "--recipe", b, "--explain", "--attempts", "1"],
        &format!(
            "\nhint: to build offline, pass --report FILE with the report whose SHA-256 is {}",
            sha256_file(&report)
        ),
    );
    std::fs::write(bundle.join("recipe.toml"), "description = 1\n").unwrap();
    check(
        &["build", "--recipe", b, "--report", r, "--explain"],
        "invalid recipe",
    );
}

/// Report rows worth a warning: (row, label, constraints or distrust date).
type Rows = Vec<(usize, String, String)>;

/// Rows of a report whose `Mozilla Applied Constraints` say something, and rows with a TLS
/// distrust date but no `Websites` trust bit: (row, label, constraints or distrust date).
fn rows_to_warn_about(report: &Path) -> (Rows, Rows) {
    let (mut reader, headers) = support::read_csv(report);
    let col = |name: &str| support::column(&headers, name);
    let (label, bits, tls, constraints) = (
        col("Common Name or Certificate Name"),
        col("Trust Bits"),
        col("Distrust for TLS After Date"),
        col("Mozilla Applied Constraints"),
    );
    let (mut constrained, mut epki) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let row = i + 1;
        let c = record[constraints].trim();
        if !c.is_empty() && c != "No name constraints are to be applied" {
            constrained.push((row, record[label].trim().to_owned(), c.to_owned()));
        }
        let websites = record[bits].split(';').any(|b| b.trim() == "Websites");
        if !record[tls].trim().is_empty() && !websites {
            epki.push((
                row,
                record[label].trim().to_owned(),
                record[tls].trim().replace('.', "-"),
            ));
        }
    }
    (constrained, epki)
}

/// Every snapshot's bundle, for both purposes, is pure ASCII like certifi's `cacert.pem`
/// (non-ASCII names escaped as `\xNN`) and loads in Python from text (`cadata=`); Mozilla's
/// applied constraints reach the comment block, `--explain`, the manifest and a warning; and a
/// TLS distrust date without `Websites` (ePKI) is warned about by row.
#[test]
fn every_snapshot_bundle_is_ascii_and_keeps_applied_constraints() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (mut escaped, mut constrained_seen, mut epki_seen) = (0, 0, 0);
    for file in snapshots(&data) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let own = name
            .trim_start_matches("IncludedCACertificateReportPEMCSV-")
            .trim_end_matches(".csv")
            .to_owned();
        let (constrained, epki) = rows_to_warn_about(&file);
        for purpose in ["tls", "email"] {
            let pem = dir.path().join(format!("{own}-{purpose}.pem"));
            let manifest = dir.path().join(format!("{own}-{purpose}.json"));
            let out = run(&[
                "build",
                "--report",
                file.to_str().unwrap(),
                "--purpose",
                purpose,
                "--as-of",
                &own,
                "--pem",
                pem.to_str().unwrap(),
                "--manifest",
                manifest.to_str().unwrap(),
                "--explain",
            ]);
            let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
            assert!(out.status.success(), "{name} {purpose}: {stderr}");
            let bytes = std::fs::read(&pem).unwrap();
            assert!(
                bytes.is_ascii(),
                "{name} {purpose}: the bundle is not pure ASCII"
            );
            escaped += text(&bytes).matches("\\x").count();

            let included = included_by_explain(&out.stdout);
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
            for (row, label, constraints) in &constrained {
                let Some(entry) = json["included"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["label"] == label.as_str())
                else {
                    continue;
                };
                constrained_seen += 1;
                assert_eq!(
                    entry["mozilla_applied_constraints"],
                    constraints.as_str(),
                    "{name}"
                );
                assert!(
                    stderr.contains(&format!("warning: row {row}: \"{label}\"")),
                    "{name} {purpose}: {stderr}"
                );
                assert!(
                    stdout.contains(&format!(
                        "{label} (Mozilla Applied Constraints: {constraints})"
                    )),
                    "{name} {purpose}"
                );
                assert!(
                    text(&bytes)
                        .contains(&format!("# Mozilla Applied Constraints: {constraints}\n")),
                    "{name} {purpose}"
                );
            }
            if purpose == "tls" {
                for (row, label, after) in &epki {
                    epki_seen += 1;
                    assert!(
                        stderr.contains(&format!(
                            "warning: row {row}: \"{label}\" ("
                        )) && stderr.contains(&format!("is distrusted for TLS after {after} but its trust bits lack Websites")),
                        "{name}: {stderr}"
                    );
                }
            }

            if support::have(support::PYTHON) {
                let out = std::process::Command::new(support::PYTHON)
                    .args([
                        "-c",
                        "import ssl,sys; c=ssl.create_default_context(cadata=open(sys.argv[1], encoding='ascii').read()); print(len(c.get_ca_certs()))",
                        pem.to_str().unwrap(),
                    ])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{name} {purpose}: {}",
                    text(&out.stderr)
                );
                assert_eq!(
                    text(&out.stdout).trim(),
                    included.len().to_string(),
                    "{name} {purpose}"
                );
            }
        }
    }
    // NetLock's "Főtanúsítvány" and its kin are in every report; TUBITAK (`*.tr`) in most;
    // ePKI lost `Websites` in 2026.
    assert!(escaped > 0, "no escaped name in any snapshot");
    assert!(
        constrained_seen > 0,
        "no constrained root included in any snapshot"
    );
    assert!(
        epki_seen > 0,
        "no distrusted root without Websites in any snapshot"
    );
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
            "--allow-small-report",
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

/// A `--capath` directory holding a user's own `corp.pem` is refused, the file kept, and the
/// message says how to proceed; one a build wrote is replaced.
#[test]
fn a_users_own_file_in_capath_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let report = fixture_report(dir.path());
    let crts = dir.path().join("crts");
    fs_err::create_dir(&crts).unwrap();
    fs_err::write(crts.join("corp.pem"), b"my own root").unwrap();
    let args = [
        "build",
        "--allow-small-report",
        "--report",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--capath",
        crts.to_str().unwrap(),
    ];
    let out = run(&args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("it holds corp.pem, which cabundle did not write"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: move corp.pem out of it"), "{stderr}");
    assert_eq!(fs_err::read(crts.join("corp.pem")).unwrap(), b"my own root");
    assert_eq!(fs_err::read_dir(dir.path()).unwrap().count(), 2);

    fs_err::remove_file(crts.join("corp.pem")).unwrap();
    for round in 0..2 {
        let out = run(&args);
        assert!(out.status.success(), "{round}: {}", text(&out.stderr));
    }
}

/// A real report cut at a record boundary still parses; a build from it is refused unless
/// `--allow-small-report` is given. The same for a certdata.txt cut after a certificate.
#[test]
fn a_report_file_cut_short_is_refused() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let csv = fs_err::read(data.join("IncludedCACertificateReportPEMCSV-2026-07-01.csv")).unwrap();
    let certdata = fs_err::read(data.join("certdata-NSS_3_123_RTM-2026-04-16.txt")).unwrap();
    // 38 rows of the report: cut before the 39th line that starts a record.
    let csv_text = String::from_utf8_lossy(&csv);
    let records: Vec<usize> = csv_text.match_indices("\n\"").map(|(i, _)| i + 1).collect();
    let csv_cut = &csv[..records[38]];
    // certdata.txt cut just before the trust object of its 13th certificate.
    let cd_text = String::from_utf8_lossy(&certdata);
    let trust: Vec<usize> = cd_text
        .match_indices("\n# Trust for")
        .map(|(i, _)| i + 1)
        .collect();
    let certdata_cut = &certdata[..trust[12]];
    for (name, bytes, reason) in [
        ("cut.csv", csv_cut, "fewer than the 100 a whole report has"),
        ("cut.txt", certdata_cut, "looks cut short"),
    ] {
        let path = dir.path().join(name);
        fs_err::write(&path, bytes).unwrap();
        let pem = dir.path().join(format!("{name}.pem"));
        let mut args = vec![
            "build",
            "--report",
            path.to_str().unwrap(),
            "--pem",
            pem.to_str().unwrap(),
        ];
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(reason), "{name}: {stderr}");
        assert!(stderr.contains("--allow-small-report"), "{name}: {stderr}");
        assert!(!pem.exists(), "{name}");
        args.push("--allow-small-report");
        let out = run(&args);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(pem.exists(), "{name}");
    }
}

/// `--pem -` prints the bytes the file output holds, on every path of the build (plain, with
/// intermediates, a recipe's), and no file named `-` appears; `--report -` reads standard
/// input.
#[test]
fn standard_output_and_input_on_every_path() {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let report = fixture_report(d);
    let alpha = &fixture::roots()[0];
    let int = fixture::intermediate(alpha, "Alpha Issuing CA", 0x41);
    let inter = d.join("intermediates.csv");
    std::fs::write(&inter, fixture::intermediates_csv(alpha, &[&int])).unwrap();
    let bundle = fixture_bundle(d, &report, true, &"00".repeat(32));
    let (r, i, b) = (
        report.to_str().unwrap(),
        inter.to_str().unwrap(),
        bundle.to_str().unwrap(),
    );
    let plain = [
        "build",
        "--allow-small-report",
        "--as-of",
        "2026-11-23",
        "--report",
        r,
    ];
    let with_inter = [&plain[..], &["--intermediates-report", i]].concat();
    let recipe = ["recipe", b, "--report", r];
    let alias = ["build", "--recipe", b, "--report", r];
    let file = d.join("file.pem");
    let f = file.to_str().unwrap();
    for (label, args, flag) in [
        ("plain", &plain[..], "--pem"),
        ("plain manifest", &plain[..], "--manifest"),
        ("with intermediates", &with_inter[..], "--pem"),
        ("with intermediates, full", &with_inter[..], "--full-pem"),
        ("recipe", &recipe[..], "--pem"),
        ("build --recipe", &alias[..], "--pem"),
        ("recipe manifest", &recipe[..], "--manifest"),
    ] {
        let to_stdout = cabundle(&[args, &[flag, "-"]].concat())
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            to_stdout.status.success(),
            "{label}: {}",
            text(&to_stdout.stderr)
        );
        let to_file = cabundle(&[args, &[flag, f]].concat()).output().unwrap();
        assert!(
            to_file.status.success(),
            "{label}: {}",
            text(&to_file.stderr)
        );
        assert_eq!(to_stdout.stdout, std::fs::read(&file).unwrap(), "{label}");
        assert!(!d.join("-").exists(), "{label}: a file named - was created");
    }

    // `--report -`: the same bundle from standard input.
    let mut child = cabundle(&[
        "build",
        "--allow-small-report",
        "--as-of",
        "2026-11-23",
        "--report",
        "-",
        "--pem",
        "-",
    ])
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&report).unwrap())
        .unwrap();
    let from_stdin = child.wait_with_output().unwrap();
    assert!(from_stdin.status.success(), "{}", text(&from_stdin.stderr));
    let from_file = run(&[&plain[..], &["--pem", "-"]].concat());
    // The source is named `-` instead of report.csv in the header; the roots are the same.
    let certs = |bytes: &[u8]| {
        text(bytes)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(certs(&from_stdin.stdout), certs(&from_file.stdout));
    assert!(!certs(&from_file.stdout).is_empty());
}
