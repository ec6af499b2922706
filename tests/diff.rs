//! End-to-end tests of `cabundle diff`: real CCADB reports compared against a plain computation
//! over the same CSVs, and bundles and directories of generated certificates.

// clippy.toml allows unwrap in #[test] functions; the fixture code beside them is test code too.
#![allow(clippy::unwrap_used)]

mod support;

use cabundle_testkit::IntermediateRow;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::{cabundle, ccadb_data};

/// One report row as the test reads it, with nothing but the csv crate.
#[derive(Debug)]
struct Row {
    label: String,
    trust: BTreeSet<String>,
    tls: String,
    smime: String,
}

/// Rows by lower-case SHA-256, columns found by (trimmed) header name.
fn read_report(path: &Path) -> BTreeMap<String, Row> {
    let (mut reader, headers) = support::read_csv(path);
    let col = |name: &str| support::column(&headers, name);
    let (sha, label, trust, tls, smime) = (
        col("SHA-256 Fingerprint"),
        col("Common Name or Certificate Name"),
        col("Trust Bits"),
        col("Distrust for TLS After Date"),
        col("Distrust for S/MIME After Date"),
    );
    let iso = |d: &str| d.trim().replace('.', "-");
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row = Row {
                label: r[label].trim().to_owned(),
                trust: r[trust]
                    .split(';')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
                tls: iso(&r[tls]),
                smime: iso(&r[smime]),
            };
            (r[sha].trim().to_ascii_lowercase(), row)
        })
        .collect()
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = cabundle(args).output().expect("run cabundle");
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn strings(v: &Value, key: &str) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap().to_owned())
        .collect()
}

fn opt(v: &Value) -> String {
    v.as_str().unwrap_or("").to_owned()
}

#[test]
fn reports_2024_06_to_2026_07_match_a_plain_computation() {
    let Some(data) = ccadb_data() else { return };
    let old_path = data.join("IncludedCACertificateReportPEMCSV-2024-06-01.csv");
    let new_path = data.join("IncludedCACertificateReportPEMCSV-2026-07-01.csv");
    let (old, new) = (read_report(&old_path), read_report(&new_path));

    let (code, stdout, stderr) = run(&[
        "diff",
        old_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
        "--json",
        "--as-of",
        "2026-07-01",
    ]);
    assert_eq!(code, Some(1), "differences exit 1: {stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();

    let old_keys: BTreeSet<String> = old.keys().cloned().collect();
    let new_keys: BTreeSet<String> = new.keys().cloned().collect();
    let added: BTreeSet<String> = new_keys.difference(&old_keys).cloned().collect();
    let removed: BTreeSet<String> = old_keys.difference(&new_keys).cloned().collect();
    assert!(!added.is_empty() && !removed.is_empty());
    assert_eq!(strings(&json["added"], "sha256"), added);
    assert_eq!(strings(&json["removed"], "sha256"), removed);
    let added_labels: BTreeSet<String> = added.iter().map(|k| new[k].label.clone()).collect();
    assert_eq!(strings(&json["added"], "label"), added_labels);

    let mut trust_expected = BTreeMap::new();
    let mut distrust_expected = BTreeSet::new();
    for key in old_keys.intersection(&new_keys) {
        let (o, n) = (&old[key], &new[key]);
        if o.trust != n.trust {
            trust_expected.insert(key.clone(), (o.trust.clone(), n.trust.clone()));
        }
        for (purpose, before, after) in [("tls", &o.tls, &n.tls), ("smime", &o.smime, &n.smime)] {
            if before != after {
                distrust_expected.insert((
                    key.clone(),
                    purpose.to_owned(),
                    before.clone(),
                    after.clone(),
                ));
            }
        }
    }
    assert!(!trust_expected.is_empty() && !distrust_expected.is_empty());
    let set = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let trust_got: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = json["trust_changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["sha256"].as_str().unwrap().to_owned(),
                (set(&c["old"]), set(&c["new"])),
            )
        })
        .collect();
    assert_eq!(trust_got, trust_expected);
    let distrust_got: BTreeSet<(String, String, String, String)> = json["distrust_changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            (s("sha256"), s("purpose"), opt(&c["old"]), opt(&c["new"]))
        })
        .collect();
    assert_eq!(distrust_got, distrust_expected);

    // The text form names the same roots, one per line.
    let (code, text, _) = run(&[
        "diff",
        old_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
        "--as-of",
        "2026-07-01",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        text.contains(&format!("added ({}):\n", added.len())),
        "{text}"
    );
    assert!(
        text.contains(&format!("removed ({}):\n", removed.len())),
        "{text}"
    );
    for key in &removed {
        assert!(
            text.contains(&format!("  - {}  sha256:{key}\n", old[key].label)),
            "{text}"
        );
    }

    // A report compared with itself has no differences.
    let (code, text, _) = run(&[
        "diff",
        new_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
        "--as-of",
        "2026-07-01",
    ]);
    assert_eq!(code, Some(0));
    assert!(text.starts_with("no differences\n"), "{text}");
}

#[test]
fn report_against_certdata() {
    let Some(data) = ccadb_data() else { return };
    let csv = data.join("IncludedCACertificateReportPEMCSV-2024-06-01.csv");
    let certdata = data.join("certdata-NSS_3_101_RTM-2024-06-07.txt");
    let (code, stdout, stderr) = run(&[
        "diff",
        csv.to_str().unwrap(),
        certdata.to_str().unwrap(),
        "--json",
        "--as-of",
        "2024-06-07",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    // SOURCES.md: certdata has the same 170 roots with the same trust bits, plus two.
    assert_eq!(json["added"].as_array().unwrap().len(), 2, "{stdout}");
    assert!(json["removed"].as_array().unwrap().is_empty(), "{stdout}");
    assert!(
        json["trust_changed"].as_array().unwrap().is_empty(),
        "{stdout}"
    );
}

/// A self-signed CA certificate expiring on the given date, as PEM, with its SHA-256.
fn root(name: &str, not_after: (i32, u8, u8)) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Diff Test");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let cert = params.self_signed(&key).unwrap();
    let sha: String = Sha256::digest(cert.der())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (cert.pem(), sha)
}

fn check(old: &Path, new: &Path, expected_code: i32, expected_text: &str) {
    let (code, text, stderr) = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--as-of",
        "2026-07-01",
    ]);
    assert_eq!(code, Some(expected_code), "{stderr}");
    assert_eq!(text, expected_text);
}

#[test]
fn bundle_against_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (a, a_sha) = root("Diff Root A", (2040, 1, 1));
    let (b, _) = root("Diff Root B", (2040, 1, 1));
    let (c, c_sha) = root("Diff Root C", (2040, 1, 1));
    let (soon, soon_sha) = root("Diff Root Soon", (2026, 8, 1));
    let old = dir.path().join("old.pem");
    let new = dir.path().join("new.pem");
    std::fs::write(&old, format!("{a}{b}{soon}")).unwrap();
    // Order and duplicates do not matter; comments between blocks are ignored.
    std::fs::write(&new, format!("# new bundle\n{soon}{c}{b}{b}")).unwrap();
    check(
        &old,
        &new,
        1,
        &format!(
            "added (1):\n  + Diff Root C  sha256:{c_sha}\nremoved (1):\n  - Diff Root A  sha256:{a_sha}\n\
             expiring within 90 days of 2026-07-01 (1):\n  ! Diff Root Soon: expires 2026-08-01 (in 31 days)  sha256:{soon_sha}\n"
        ),
    );
    // Soon-to-expire roots are reported but are not a difference.
    check(
        &new,
        &new,
        0,
        &format!(
            "no differences\nexpiring within 90 days of 2026-07-01 (1):\n  ! Diff Root Soon: expires 2026-08-01 (in 31 days)  sha256:{soon_sha}\n"
        ),
    );
}

#[test]
fn directory_against_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    std::fs::create_dir(&old).unwrap();
    std::fs::create_dir(&new).unwrap();
    let (a, a_sha) = root("Dir Root A", (2040, 1, 1));
    let (b, _) = root("Dir Root B", (2040, 1, 1));
    let (c, c_sha) = root("Dir Root C", (2040, 1, 1));
    std::fs::write(old.join("a.pem"), &a).unwrap();
    std::fs::write(old.join("b.crt"), &b).unwrap();
    std::fs::write(new.join("b.pem"), &b).unwrap();
    std::fs::write(new.join("c.CER"), &c).unwrap();
    // Not certificate files: skipped (a hash link name, notes).
    std::fs::write(new.join("0a1b2c3d.0"), &a).unwrap();
    std::fs::write(new.join("README"), "not a certificate").unwrap();
    let expected = format!(
        "added (1):\n  + Dir Root C  sha256:{c_sha}\nremoved (1):\n  - Dir Root A  sha256:{a_sha}\n"
    );
    check(&old, &new, 1, &expected);

    // JSON has a fixed key order, for CI.
    let (code, json, _) = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--json",
        "--as-of",
        "2026-07-01",
    ]);
    assert_eq!(code, Some(1));
    let keys: Vec<&str> = json
        .lines()
        .filter(|l| l.starts_with("  \""))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "as_of",
            "expiring_within_days",
            "added",
            "removed",
            "trust_changed",
            "distrust_changed",
            "expiring"
        ]
    );
}

#[test]
fn unreadable_inputs_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("junk.pem");
    std::fs::write(&junk, "nothing to see").unwrap();
    let missing = tmp.path().join("missing.pem");
    for (old, expected) in [(&missing, "missing.pem"), (&junk, "no certificate in")] {
        let (code, _, stderr) = run(&["diff", old.to_str().unwrap(), junk.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// Intermediates by lower-case SHA-256, from the `SHA256` column, with nothing but the csv crate.
fn read_intermediates(path: &Path) -> BTreeSet<String> {
    let (mut reader, headers) = support::read_csv(path);
    let sha = support::column(&headers, "SHA256");
    reader
        .records()
        .map(|r| r.unwrap()[sha].trim().to_ascii_lowercase())
        .collect()
}

#[test]
fn intermediates_reports_2026_02_to_2026_07_match_a_plain_computation() {
    let (old_name, new_name) = (
        "MozillaIntermediateCertsCSVReport-2026-02-07.csv",
        "MozillaIntermediateCertsCSVReport-2026-07-25.csv",
    );
    let Some(data) = cabundle_testkit::ccadb_data_with(new_name) else {
        return;
    };
    let (old_path, new_path) = (data.join(old_name), data.join(new_name));
    let (old, new) = (read_intermediates(&old_path), read_intermediates(&new_path));
    let added: BTreeSet<String> = new.difference(&old).cloned().collect();
    let removed: BTreeSet<String> = old.difference(&new).cloned().collect();
    assert!(!added.is_empty() && !removed.is_empty());

    let (old_arg, new_arg) = (old_path.to_str().unwrap(), new_path.to_str().unwrap());
    let (code, stdout, stderr) = run(&["diff", old_arg, new_arg, "--json"]);
    assert_eq!(code, Some(1), "differences exit 1: {stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["kind"], "intermediates");
    assert_eq!(strings(&json["added"], "sha256"), added);
    assert_eq!(strings(&json["removed"], "sha256"), removed);
    for entry in json["added"].as_array().unwrap() {
        assert!(
            entry["subject"].as_str().unwrap().contains("CN="),
            "{entry}"
        );
        assert!(!entry["issuer"].as_str().unwrap().is_empty(), "{entry}");
    }

    let (code, text, stderr) = run(&["diff", old_arg, new_arg]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        text.starts_with(&format!("intermediates added ({}):\n", added.len())),
        "{text}"
    );
    assert!(
        text.contains(&format!("\nintermediates removed ({}):\n", removed.len())),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2 + added.len() + removed.len());
    for sha in added.iter().chain(&removed) {
        assert!(text.contains(&format!("  sha256:{sha}\n")), "{sha}");
    }

    // The same report twice: no differences. Against a roots report: refused, naming both.
    let (code, text, _) = run(&["diff", new_arg, new_arg]);
    assert_eq!((code, text.as_str()), (Some(0), "no differences\n"));
    let roots = data.join("IncludedCACertificateReportPEMCSV-2026-07-01.csv");
    let (code, _, stderr) = run(&["diff", new_arg, roots.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{new_arg} is a MozillaIntermediateCertsCSVReport and {} is not",
            roots.display()
        )),
        "{stderr}"
    );
}

/// A `MozillaIntermediateCertsCSVReport` of intermediates signed by one root: (subject CN,
/// PEM, upper-case SHA-256) per row, as the CCADB writes it.
fn intermediates_csv(rows: &[(String, String, String)]) -> String {
    let rows: Vec<IntermediateRow> = rows
        .iter()
        .map(|(cn, pem, sha)| IntermediateRow {
            sha256: sha.clone(),
            ..IntermediateRow::from_pem(&format!("CN={cn}"), "CN=Diff Test Root", pem)
        })
        .collect();
    cabundle_testkit::intermediates_report(&rows)
}

#[test]
fn intermediates_fixture_reports() {
    use cabundle_testkit::pki_files::ca;
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (
        rcgen::date_time_ymd(2024, 1, 1),
        rcgen::date_time_ymd(2034, 1, 1),
    );
    let root = ca("Diff Test Root", None, from, to);
    let row = |cn: &str| {
        let int = ca(cn, Some(&root), from, to);
        let der = cabundle_cert::read_certificates(int.pem.as_bytes()).unwrap()[0]
            .der
            .clone();
        let sha = hex::encode_upper(Sha256::digest(&der));
        (cn.to_owned(), int.pem, sha)
    };
    let (kept, gone, new) = (row("Kept CA"), row("Gone CA"), row("New CA"));
    let old_path = dir.path().join("old.csv");
    let new_path = dir.path().join("new.csv");
    std::fs::write(&old_path, intermediates_csv(&[kept.clone(), gone.clone()])).unwrap();
    std::fs::write(&new_path, intermediates_csv(&[new.clone(), kept])).unwrap();
    let lower = |s: &str| s.to_ascii_lowercase();
    check(
        &old_path,
        &new_path,
        1,
        &format!(
            "intermediates added (1):\n  + CN=New CA, O=cabundle tests  issuer: CN=Diff Test Root, O=cabundle tests  sha256:{}\n\
             intermediates removed (1):\n  - CN=Gone CA, O=cabundle tests  issuer: CN=Diff Test Root, O=cabundle tests  sha256:{}\n",
            lower(&new.2),
            lower(&gone.2)
        ),
    );
    check(&new_path, &new_path, 0, "no differences\n");
    // A row whose SHA256 is not its certificate's is an error naming the row and column.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        intermediates_csv(&[(new.0.clone(), new.1.clone(), gone.2.clone())]),
    )
    .unwrap();
    let (code, _, stderr) = run(&["diff", old_path.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("bad.csv"), "{stderr}");
    assert!(stderr.contains("SHA256"), "{stderr}");
}

/// `cabundle diff` with `stdin` on standard input, its exit code, stdout and stderr.
fn run_with_stdin(args: &[&str], stdin: &Path) -> (Option<i32>, String, String) {
    let out = cabundle(args)
        .stdin(std::fs::File::open(stdin).unwrap())
        .output()
        .expect("run cabundle");
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `-` is standard input on either side, for bundles and intermediates reports alike, and the
/// result is the one of the same files named; standard input can be read only once.
#[test]
fn standard_input_is_either_side() {
    use cabundle_testkit::pki_files::ca;
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let (a, _) = root("Diff Root A", (2040, 1, 1));
    let (b, _) = root("Diff Root B", (2040, 1, 1));
    let (old_pem, new_pem) = (file("old.pem", &a), file("new.pem", &format!("{a}{b}")));
    let (from, to) = (
        rcgen::date_time_ymd(2024, 1, 1),
        rcgen::date_time_ymd(2034, 1, 1),
    );
    let issuer = ca("Diff Test Root", None, from, to);
    let row = |cn: &str| {
        let int = ca(cn, Some(&issuer), from, to);
        let der = cabundle_cert::read_certificates(int.pem.as_bytes()).unwrap()[0]
            .der
            .clone();
        (
            cn.to_owned(),
            int.pem,
            hex::encode_upper(Sha256::digest(&der)),
        )
    };
    let (kept, added) = (row("Kept CA"), row("New CA"));
    let old_csv = file("old.csv", &intermediates_csv(std::slice::from_ref(&kept)));
    let new_csv = file("new.csv", &intermediates_csv(&[kept, added]));

    for (old, new) in [(&old_pem, &new_pem), (&old_csv, &new_csv)] {
        let named = run(&["diff", old, new, "--as-of", "2026-07-01"]);
        assert_eq!(named.0, Some(1), "{}", named.2);
        for (args, stdin) in [
            (["diff", "-", new.as_str()], old),
            (["diff", old.as_str(), "-"], new),
        ] {
            let args = [&args[..], &["--as-of", "2026-07-01"]].concat();
            assert_eq!(run_with_stdin(&args, Path::new(stdin)), named, "{args:?}");
        }
    }
    let (code, text, stderr) = run_with_stdin(&["diff", "-", "-"], Path::new(&old_pem));
    assert_eq!((code, text.as_str()), (Some(2), ""), "{stderr}");
    assert_eq!(
        stderr, "error: standard input (-) can be read only once\n",
        "{stderr}"
    );
}

/// `--expiring-within` takes the windows of `expiring --within`, and `--as-of` an RFC 3339
/// time (its day) as well as a date; the old spellings mean what they meant.
#[test]
fn window_and_day_spellings() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = root("Diff Root A", (2040, 1, 1));
    let (soon, _) = root("Diff Root Soon", (2026, 8, 1));
    let old = dir.path().join("old.pem");
    let new = dir.path().join("new.pem");
    std::fs::write(&old, &a).unwrap();
    std::fs::write(&new, format!("{a}{soon}")).unwrap();
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let diff = |extra: &[&str]| run(&[&["diff", old, new][..], extra].concat());
    let reference = diff(&["--as-of", "2026-07-01", "--expiring-within", "90"]);
    assert_eq!(reference.0, Some(1), "{}", reference.2);
    assert!(reference.1.contains("Diff Root Soon"), "{}", reference.1);
    for extra in [
        ["--as-of", "2026-07-01", "--expiring-within", "90d"],
        ["--as-of", "2026-07-01T18:00:00Z", "--expiring-within", "90"],
        ["--as-of", "2026-07-01", "--expiring-within", "2160h"],
    ] {
        assert_eq!(diff(&extra), reference, "{extra:?}");
    }
    let short = diff(&["--as-of", "2026-07-01", "--expiring-within", "2w"]);
    assert_ne!(short.1, reference.1, "a shorter window lists fewer roots");
    for bad in ["36h", "soon"] {
        let (code, _, stderr) = diff(&["--expiring-within", bad]);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("invalid window"), "{bad}: {stderr}");
    }
}
