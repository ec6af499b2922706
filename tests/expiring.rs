//! End-to-end tests of `cabundle expiring` on bundles built from the real CCADB reports at
//! fixed dates, compared with a plain computation from the report's `Valid To [GMT]` column.
#![allow(clippy::unwrap_used)] // support functions outside #[test] fns panic on failure by design

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use support::cabundle;
use time::macros::format_description;
use time::{Date, Duration};

/// A root from the report: SHA-256 (lower-case hex) -> (PEM, Valid To date).
type Roots = BTreeMap<String, (String, Date)>;

fn read_report(path: &Path) -> Roots {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name).unwrap();
    let (pem, sha, to) = (
        col("PEM Info"),
        col("SHA-256 Fingerprint"),
        col("Valid To [GMT]"),
    );
    let mut roots = Roots::new();
    for record in reader.records() {
        let record = record.unwrap();
        let date = Date::parse(&record[to], format_description!("[year].[month].[day]")).unwrap();
        roots.insert(
            record[sha].to_ascii_lowercase(),
            (record[pem].trim_matches('\'').to_owned(), date),
        );
    }
    roots
}

/// Runs `cabundle expiring` on `path` and compares with the report: every root whose
/// Valid To day is before the window's last day must be listed, none after it (a root
/// expiring on that very day may go either way, the report giving only the day).
fn check(roots: &Roots, path: &Path, at: Date, within_days: i64) {
    let out = cabundle(&[
        "expiring",
        "--json",
        "--within",
        &format!("{within_days}d"),
        "--at",
        &at.to_string(),
        path.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let end = at + Duration::days(within_days);
    let listed_sha: Vec<&str> = listed
        .iter()
        .map(|e| e["sha256"].as_str().unwrap())
        .collect();
    for (sha, (_, to)) in roots {
        let is_listed = listed_sha.contains(&sha.as_str());
        if *to < end {
            assert!(
                is_listed,
                "{sha} (valid to {to}) should be listed at {at} + {within_days}d"
            );
        } else if *to > end {
            assert!(
                !is_listed,
                "{sha} (valid to {to}) should not be listed at {at} + {within_days}d"
            );
        }
    }
    for entry in &listed {
        let sha = entry["sha256"].as_str().unwrap();
        let to = roots[sha].1;
        if to != at {
            assert_eq!(entry["expired"].as_bool().unwrap(), to < at, "{sha}");
        }
    }
    let dates: Vec<&str> = listed
        .iter()
        .map(|e| e["not_after"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "soonest first");
    let code = if listed.is_empty() { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(code), "{stderr}");
}

#[test]
fn matches_the_report_at_fixed_dates() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let ymd = |y, m, d| Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
    let cases = [
        ("2024-06-01", ymd(2024, 6, 1), 365, 1),
        ("2024-06-01", ymd(2026, 1, 1), 730, 4),
        ("2026-07-01", ymd(2026, 7, 1), 90, 0),
        ("2026-07-01", ymd(2026, 7, 1), 728, 3),
    ];
    for (snapshot, at, days, count) in cases {
        let report = data.join(format!("IncludedCACertificateReportPEMCSV-{snapshot}.csv"));
        let roots = read_report(&report);
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("bundle.pem");
        let pems: String = roots.values().map(|(pem, _)| format!("{pem}\n")).collect();
        fs_err::write(&bundle, pems).unwrap();
        check(&roots, &bundle, at, days);

        // The same roots as a directory, one file each plus a duplicate, give the same list.
        let capath = dir.path().join("certs");
        fs_err::create_dir(&capath).unwrap();
        for (i, (pem, _)) in roots.values().enumerate() {
            fs_err::write(capath.join(format!("{i}.pem")), pem).unwrap();
        }
        if let Some((pem, _)) = roots.values().next() {
            fs_err::write(capath.join("copy.pem"), pem).unwrap();
        }
        check(&roots, &capath, at, days);

        let end = at + Duration::days(days);
        assert_eq!(
            roots.values().filter(|(_, to)| *to < end).count(),
            count,
            "{snapshot} at {at} + {days}d"
        );
    }
}

#[test]
fn text_output_flags_expired() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let roots = read_report(&data.join("IncludedCACertificateReportPEMCSV-2024-06-01.csv"));
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.pem");
    let pems: String = roots.values().map(|(pem, _)| format!("{pem}\n")).collect();
    fs_err::write(&bundle, pems).unwrap();
    let out = cabundle(&[
        "expiring",
        "--at",
        "2026-01-01",
        "--within",
        "12w",
        bundle.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("2025-05-12") && first.contains("EXPIRED"),
        "{stdout}"
    );

    let out = cabundle(&["expiring", "--within", "6x", bundle.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown unit"));
}

/// Regression (issue 8): `expiring /etc/passwd` said "0 of 0" and exited 0. A file with no
/// certificate, or a directory with none, is an error naming it.
#[test]
fn no_certificate_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("passwd");
    fs_err::write(&file, "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    let empty = dir.path().join("empty");
    fs_err::create_dir(&empty).unwrap();
    fs_err::write(empty.join("README"), "no certificates here\n").unwrap();
    let cases = [
        (
            &file,
            format!("error: no certificate in {}\n", file.display()),
        ),
        (
            &empty,
            format!(
                "error: no certificate in the files of {}\n",
                empty.display()
            ),
        ),
    ];
    for (path, want) in cases {
        let out = cabundle(&["expiring", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&out.stderr), want);
    }
}
