//! `cabundle build` from the Chrome Root Store: Chromium's `root_store.textproto` with the
//! anchors' certificates given by `--certs`. The selected set is compared with a plain reading
//! of the textproto written here, and damaged inputs are refused naming the file and line.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{cabundle, output_text};

fn chrome_data() -> Option<PathBuf> {
    cabundle_testkit::chrome_data()
}

/// One anchor as a plain reading of the textproto sees it: its SHA-256 and the
/// `sct_not_after_sec` of a constraint block that applies to the latest Chrome (one without
/// `max_version_exclusive`), if any.
struct Plain {
    sha256: String,
    sct_not_after: Option<i64>,
}

fn plain_reading(text: &str) -> Vec<Plain> {
    let mut anchors = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != "trust_anchors {" {
            continue;
        }
        let mut sha256 = String::new();
        let mut blocks: Vec<(Option<i64>, bool)> = Vec::new();
        for line in lines.by_ref() {
            let line = line.trim();
            if line == "}" && !blocks.last().is_some_and(|b| b.1) {
                break;
            }
            if let Some(hex) = line.strip_prefix("sha256_hex: \"") {
                sha256 = hex.trim_end_matches('"').to_owned();
            } else if line == "constraints: {" || line == "constraints {" {
                blocks.push((None, true));
            } else if line == "}" {
                blocks.last_mut().expect("test data").1 = false;
            } else if let Some(sec) = line.strip_prefix("sct_not_after_sec: ") {
                blocks.last_mut().expect("test data").0 = Some(sec.parse().expect("test data"));
            } else if line.starts_with("max_version_exclusive") {
                // The block is for older Chrome: mark it by an impossible value.
                blocks.last_mut().expect("test data").0 = Some(i64::MIN);
            }
        }
        let applicable: Vec<Option<i64>> = blocks
            .iter()
            .map(|b| b.0)
            .filter(|sct| *sct != Some(i64::MIN))
            .collect();
        assert!(blocks.is_empty() || !applicable.is_empty());
        let sct_not_after = if applicable.contains(&None) {
            None
        } else {
            applicable.into_iter().flatten().max()
        };
        anchors.push(Plain {
            sha256,
            sct_not_after,
        });
    }
    anchors
}

/// What the plain reading selects at `as_of` (Unix seconds at 00:00 UTC): not expired, and
/// not past the SCT date plus 398 days of grace (counted in whole days).
fn expected(dir: &Path, textproto: &str, as_of: i64) -> BTreeSet<String> {
    let certs = cabundle_cert::read_certificates(
        &fs_err::read(dir.join("root_store.certs")).expect("test data"),
    )
    .expect("test data");
    let text = fs_err::read_to_string(dir.join(textproto)).expect("test data");
    plain_reading(&text)
        .into_iter()
        .filter(|a| {
            let cert = certs
                .iter()
                .find(|c| c.sha256.to_string() == a.sha256)
                .expect("every anchor has its certificate");
            let day = |sec: i64| sec.div_euclid(86_400);
            let in_grace = a
                .sct_not_after
                .is_none_or(|sec| day(sec) + 398 >= day(as_of));
            in_grace && cert.not_after.unix_timestamp() >= as_of
        })
        .map(|a| a.sha256)
        .collect()
}

fn build(dir: &Path, textproto: &str, as_of: &str) -> (BTreeSet<String>, Vec<String>) {
    let out = cabundle(&["build", "--explain", "--as-of", as_of, "--report"])
        .arg(dir.join(textproto))
        .arg("--certs")
        .arg(dir.join("root_store.certs"))
        .arg("--certs")
        .arg(dir.join("additional_tls_anchors.certs"))
        .output()
        .expect("test data");
    assert!(out.status.success(), "{}", output_text(&out));
    let stdout = String::from_utf8(out.stdout).expect("test data");
    let mut included = BTreeSet::new();
    let mut excluded = Vec::new();
    for line in stdout.lines() {
        let mut parts = line.splitn(3, "  ");
        match (parts.next(), parts.next(), parts.next()) {
            (Some("included"), Some(sha), Some(_)) => {
                included.insert(sha.to_owned());
            }
            (Some("excluded"), Some(_), Some(rest)) => excluded.push(rest.to_owned()),
            _ => panic!("unexpected line {line:?}"),
        }
    }
    (included, excluded)
}

#[test]
fn selection_equals_a_plain_reading() {
    let Some(dir) = chrome_data() else { return };
    // (textproto, as-of, its Unix time, how many included, reasons of the excluded roots)
    let cases = [
        (
            "root_store.textproto",
            "2025-09-01",
            1_756_684_800,
            116,
            vec![],
        ),
        (
            "root_store.textproto",
            "2026-01-01",
            1_767_225_600,
            111,
            vec!["distrusted for TLS after 2024-11-11 (+398 days grace ended 2025-12-14)"; 5],
        ),
        (
            "root_store-v17.textproto",
            "2025-09-01",
            1_756_684_800,
            132,
            vec!["distrusted for TLS after 2024-06-30 (+398 days grace ended 2025-08-02)"],
        ),
    ];
    for (textproto, as_of, unix, count, reasons) in cases {
        let (included, excluded) = build(&dir, textproto, as_of);
        assert_eq!(
            included,
            expected(&dir, textproto, unix),
            "{textproto} at {as_of}"
        );
        assert_eq!(included.len(), count, "{textproto} at {as_of}");
        let roots: Vec<&String> = excluded
            .iter()
            .filter(|e| !e.contains("not a trust anchor: an additional certificate"))
            .collect();
        for reason in &reasons {
            assert!(
                roots.iter().any(|e| e.ends_with(reason)),
                "{textproto} at {as_of}: no exclusion {reason:?} in {roots:?}"
            );
        }
        let not_roots = excluded.len() - roots.len();
        let expired = roots.iter().filter(|e| e.contains(": expired on ")).count();
        assert_eq!(roots.len(), reasons.len() + expired, "{roots:?}");
        // The 11 TLS-anchor intermediates of v24 are given too: left out as not roots.
        let want_not_roots = if textproto == "root_store.textproto" {
            11
        } else {
            0
        };
        assert_eq!(not_roots, want_not_roots, "{textproto}");
    }
}

#[test]
fn damage_is_refused_with_file_and_line() {
    let Some(dir) = chrome_data() else { return };
    let text = fs_err::read_to_string(dir.join("root_store.textproto")).expect("test data");
    let tmp = tempfile::tempdir().expect("test data");
    let lines: Vec<&str> = text.lines().collect();
    // (name, content, `--certs` given, success, what the output says)
    let truncated = lines[..24].join("\n");
    let unknown = text.replacen("  eutl: true\n}", "  eutl: true\n  crs_root_id: 7\n}", 1);
    let unknown_line = unknown
        .lines()
        .position(|l| l.contains("crs_root_id"))
        .expect("test data")
        + 1;
    let first_sha = text
        .lines()
        .position(|l| l.contains("sha256_hex"))
        .expect("test data");
    let bad_hex = {
        let mut l: Vec<String> = lines.iter().map(|s| (*s).to_owned()).collect();
        l[first_sha] = l[first_sha].replacen("\"5", "\"x", 1);
        l.join("\n")
    };
    let unknown_want = format!(
        "store.textproto: line {unknown_line}: unknown field \"trust_anchors.crs_root_id\" ignored"
    );
    let cases: Vec<(&str, String, bool, bool, String)> = vec![
        ("store.textproto", truncated, true, false, "cannot read the report store.textproto: line 24: the file ends inside the message opened on line 23".into()),
        ("store.textproto", unknown, true, true, unknown_want),
        ("store.textproto", bad_hex, true, false, format!("line {}: sha256_hex", first_sha + 1)),
        ("store.textproto", text.clone(), false, false, "hint: give the anchors' certificates with --certs".into()),
    ];
    for (name, content, with_certs, ok, want) in cases {
        let path = tmp.path().join(name);
        fs_err::write(&path, &content).expect("test data");
        let mut cmd = cabundle(&["build", "--as-of", "2025-09-01", "--explain", "--report"]);
        cmd.arg(&path);
        if with_certs {
            cmd.arg("--certs").arg(dir.join("root_store.certs"));
        }
        let out = cmd.output().expect("test data");
        let text = output_text(&out);
        assert_eq!(out.status.success(), ok, "{want}: {text}");
        assert!(text.contains(&want), "want {want:?} in:\n{text}");
    }

    // An anchor whose certificate is not among --certs: named by line and SHA-256.
    let out = cabundle(&["build", "--as-of", "2025-09-01", "--explain", "--report"])
        .arg(dir.join("root_store.textproto"))
        .arg("--certs")
        .arg(dir.join("additional_tls_anchors.certs"))
        .output()
        .expect("test data");
    let text = output_text(&out);
    assert!(!out.status.success());
    assert!(
        text.contains("line 15: no certificate given for the trust anchor 55926084ec963a64b96e2abe01ce0ba86a64fbfebcc7aab5afc155b37fd76066"),
        "{text}"
    );
}

#[test]
fn diff_of_two_versions() {
    let Some(dir) = chrome_data() else { return };
    let out = cabundle(&["diff", "--json", "--as-of", "2025-09-01"])
        .arg(dir.join("root_store-v17.textproto"))
        .arg(dir.join("root_store.textproto"))
        .arg("--certs")
        .arg(dir.join("root_store.certs"))
        .output()
        .expect("run cabundle");
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let count = |key: &str| json[key].as_array().map_or(0, Vec::len);
    assert_eq!((count("removed"), count("added")), (21, 3), "{json}");

    // Without --certs a textproto side is refused with a hint.
    let out = cabundle(&["diff"])
        .arg(dir.join("root_store-v17.textproto"))
        .arg(dir.join("root_store.textproto"))
        .output()
        .expect("run cabundle");
    assert_eq!(out.status.code(), Some(2));
    assert!(output_text(&out).contains("hint: give the anchors' certificates with --certs"));
}

#[test]
fn ev_policy_oids_reach_the_manifest() {
    let Some(dir) = chrome_data() else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let manifest = tmp.path().join("manifest.json");
    let out = cabundle(&["build", "--as-of", "2025-09-01", "--report"])
        .arg(dir.join("root_store.textproto"))
        .arg("--certs")
        .arg(dir.join("root_store.certs"))
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .expect("run cabundle");
    assert!(out.status.success(), "{}", output_text(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&manifest).expect("read")).expect("json");
    let listed: usize = json["included"]
        .as_array()
        .expect("included")
        .iter()
        .map(|r| r["ev_policy_oids"].as_array().map_or(0, Vec::len))
        .sum();
    // A plain count: every ev_policy_oids line of the textproto (all 116 anchors are included).
    let text = fs_err::read_to_string(dir.join("root_store.textproto")).expect("read");
    let lines = text
        .lines()
        .filter(|l| l.trim_start().starts_with("ev_policy_oids:"))
        .count();
    assert_eq!(listed, lines);
    assert_eq!(lines, 66);
}

/// The SHA-256s `--explain` prints as included, and the excluded lines.
fn explain(args: &[&std::ffi::OsStr]) -> (BTreeSet<String>, Vec<String>) {
    let out = cabundle(&["build", "--explain", "--as-of", "2025-09-01"])
        .args(args)
        .output()
        .expect("run cabundle");
    assert!(out.status.success(), "{}", output_text(&out));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let included = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("included  "))
        .filter_map(|l| l.split("  ").next())
        .map(str::to_owned)
        .collect();
    let excluded = stdout
        .lines()
        .filter(|l| l.starts_with("excluded  "))
        .map(str::to_owned)
        .collect();
    (included, excluded)
}

#[test]
fn mozilla_and_chrome_intersect() {
    let Some(dir) = chrome_data() else { return };
    let Some(ccadb) = support::ccadb_data() else {
        return;
    };
    let mozilla = ccadb.join("IncludedCACertificateReportPEMCSV-2025-09-01.csv");
    let textproto = dir.join("root_store.textproto");
    let certs = dir.join("root_store.certs");
    let os = |p: &Path| p.as_os_str().to_owned();
    let report = std::ffi::OsString::from("--report");
    let certs_flag = std::ffi::OsString::from("--certs");
    let (moz, _) = explain(&[&report, &os(&mozilla)]);
    let (chrome, _) = explain(&[&report, &os(&textproto), &certs_flag, &os(&certs)]);
    let also = std::ffi::OsString::from("--also-trusted-by");
    let (both, excluded) = explain(&[
        &report,
        &os(&mozilla),
        &also,
        &os(&textproto),
        &certs_flag,
        &os(&certs),
    ]);
    let want: BTreeSet<String> = moz.intersection(&chrome).cloned().collect();
    assert_eq!(both, want);
    assert!(!both.is_empty());
    // Every root Mozilla trusts and Chrome does not is left out naming Chrome's store.
    let named = excluded
        .iter()
        .filter(|l| l.ends_with("not trusted for TLS by root_store.textproto as of 2025-09-01"))
        .count();
    assert_eq!(named, moz.difference(&chrome).count());
}
