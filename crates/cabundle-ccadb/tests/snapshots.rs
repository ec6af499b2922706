//! Every published snapshot in the shared CCADB data folder parses, with the row counts its
//! SOURCES.md records, and the NSS certdata.txt releases agree with the CCADB reports of the
//! same dates. The data is located by `cabundle_testkit::ccadb_data` (`CABUNDLE_CCADB_DATA`, else
//! `../shared/data/ccadb` beside the checkout) and never copied into the repository.
#![allow(clippy::unwrap_used)] // shared test code outside #[test] functions

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cabundle_ccadb::{Report, Sha256Fingerprint, TrustBits, parse_any, parse_pem_csv};
use cabundle_testkit::ccadb_data;

fn load(dir: &Path, name: &str) -> Report {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    parse_any(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Snapshot date, data rows, header columns (from SOURCES.md).
const ROOT_REPORTS: [(&str, usize, usize); 26] = [
    ("2024-06-01", 170, 33),
    ("2024-07-01", 171, 33),
    ("2024-08-01", 171, 33),
    ("2024-09-01", 176, 33),
    ("2024-10-01", 176, 33),
    ("2024-11-01", 176, 34),
    ("2024-12-01", 174, 34),
    ("2025-01-01", 174, 34),
    ("2025-02-01", 175, 34),
    ("2025-03-01", 175, 34),
    ("2025-04-01", 175, 36),
    ("2025-05-01", 175, 36),
    ("2025-06-01", 174, 36),
    ("2025-07-01", 174, 36),
    ("2025-08-01", 180, 36),
    ("2025-09-01", 180, 36),
    ("2025-10-01", 180, 36),
    ("2025-11-01", 180, 37),
    ("2025-12-01", 180, 37),
    ("2026-01-01", 180, 37),
    ("2026-02-01", 180, 37),
    ("2026-03-01", 181, 37),
    ("2026-04-01", 181, 37),
    ("2026-05-01", 167, 37),
    ("2026-06-01", 167, 37),
    ("2026-07-01", 166, 37),
];

#[test]
fn every_root_report_parses() {
    let Some(dir) = ccadb_data() else { return };
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with("IncludedCACertificateReportPEMCSV-") {
            found += 1;
            assert!(
                ROOT_REPORTS.iter().any(|(d, ..)| name.contains(d)),
                "{name} is not in the expected list"
            );
        }
    }
    assert_eq!(found, ROOT_REPORTS.len());
    for (date, rows, columns) in ROOT_REPORTS {
        let name = format!("IncludedCACertificateReportPEMCSV-{date}.csv");
        let report = load(&dir, &name);
        assert_eq!(report.roots.len(), rows, "{name}");
        assert_eq!(report.columns.len(), columns, "{name}");
        for root in &report.roots {
            assert!(
                root.unknown_trust_bits.is_empty(),
                "{name} row {}",
                root.row
            );
            assert_eq!(
                root.serial, root.certificate.serial_hex,
                "{name} row {}",
                root.row
            );
            assert!(
                root.valid_from.is_some() && root.valid_to.is_some(),
                "{name} row {}",
                root.row
            );
        }
        // From 2025-05-01 the GoDaddy and Starfield Class 2 roots are listed with all trust
        // bits turned off.
        let off = report.roots.iter().filter(|r| r.trust_bits.all_off).count();
        assert_eq!(
            off > 0,
            date >= "2025-05-01",
            "{name}: {off} roots with all bits off"
        );
    }
}

#[test]
fn all_certificate_pems_parse() {
    let Some(dir) = ccadb_data() else { return };
    let dir = dir.join("AllCertificatePEMsCSVFormat-2026-02-28");
    let (mut rows, mut unique) = (0, std::collections::HashSet::new());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let records = parse_pem_csv(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        rows += records.len();
        unique.extend(records.into_iter().map(|r| r.certificate.sha256));
    }
    assert_eq!((rows, unique.len()), (9910, 9898));
}

/// Trust bits and TLS distrust date by fingerprint, with the label for messages.
fn by_fingerprint(
    report: &Report,
) -> BTreeMap<Sha256Fingerprint, (&str, TrustBits, Option<time::Date>)> {
    report
        .roots
        .iter()
        .map(|r| {
            (
                r.sha256,
                (r.label.as_str(), r.trust_bits, r.tls_distrust_after),
            )
        })
        .collect()
}

#[test]
fn certdata_3_101_matches_the_report_of_2024_06() {
    let Some(dir) = ccadb_data() else { return };
    let csv = load(&dir, "IncludedCACertificateReportPEMCSV-2024-06-01.csv");
    let nss = load(&dir, "certdata-NSS_3_101_RTM-2024-06-07.txt");
    assert_eq!(nss.roots.len(), 172);
    let (csv, nss) = (by_fingerprint(&csv), by_fingerprint(&nss));
    for (fp, (label, bits, _)) in &csv {
        let (_, nss_bits, _) = nss
            .get(fp)
            .unwrap_or_else(|| panic!("{label} is not in certdata"));
        assert_eq!(bits, nss_bits, "{label}");
    }
    let extra: BTreeMap<&str, TrustBits> = nss
        .iter()
        .filter(|(fp, _)| !csv.contains_key(fp))
        .map(|(_, (label, bits, _))| (*label, *bits))
        .collect();
    let tls_and_mail = TrustBits {
        websites: true,
        email: true,
        ..TrustBits::default()
    };
    assert_eq!(
        extra,
        BTreeMap::from([
            // NOT_TRUSTED for every purpose: no bit, and not "turned off" either.
            (
                "Explicitly Distrust DigiNotar Root CA",
                TrustBits::default()
            ),
            // Added to NSS before the CCADB listed it.
            (
                "FIRMAPROFESIONAL CA ROOT-A WEB",
                TrustBits {
                    email: false,
                    ..tls_and_mail
                }
            ),
        ])
    );
}

#[test]
fn certdata_3_123_matches_the_report_of_2026_05() {
    let Some(dir) = ccadb_data() else { return };
    let csv = load(&dir, "IncludedCACertificateReportPEMCSV-2026-05-01.csv");
    let nss = load(&dir, "certdata-NSS_3_123_RTM-2026-04-16.txt");
    assert_eq!((csv.roots.len(), nss.roots.len()), (167, 167));
    let (csv, nss) = (by_fingerprint(&csv), by_fingerprint(&nss));
    assert!(csv.keys().eq(nss.keys()), "the same 167 certificates");
    let mut differences = Vec::new();
    for (fp, (label, bits, distrust)) in &csv {
        let (_, nss_bits, nss_distrust) = nss[fp];
        if (*bits, *distrust) != (nss_bits, nss_distrust) && (bits.websites || nss_bits.websites) {
            differences.push((*label, *bits, *distrust, nss_bits, nss_distrust));
        } else {
            assert_eq!(*bits, nss_bits, "{label}");
        }
    }
    // NSS 3.123 gives Izenpe.com its server distrust date on the trust object; it is read.
    let izenpe = nss
        .values()
        .find(|(label, ..)| *label == "Izenpe.com")
        .unwrap();
    assert_eq!(izenpe.2, Some(time::macros::date!(2026 - 04 - 15)));
    // The one known difference (SOURCES.md): the CCADB has already dropped the TLS bit of ePKI,
    // whose TLS distrust date has passed, while NSS keeps the bit with a distrust-after date.
    // Both mean: no TLS trust for certificates issued after 2025-04-15.
    let day = time::macros::date!(2025 - 04 - 15);
    let email = TrustBits {
        email: true,
        ..TrustBits::default()
    };
    let both = TrustBits {
        websites: true,
        ..email
    };
    assert_eq!(
        differences,
        [(
            "ePKI Root Certification Authority",
            email,
            Some(day),
            both,
            Some(day)
        )]
    );
}

#[test]
fn truncated_real_report_is_an_error_not_a_panic() {
    let Some(dir) = ccadb_data() else { return };
    let bytes =
        std::fs::read(dir.join("IncludedCACertificateReportPEMCSV-2024-07-01.csv")).unwrap();
    for i in 1..40 {
        let cut = bytes.len() * i / 40;
        match cabundle_ccadb::parse_report(&bytes[..cut]) {
            // Only a cut right after a record's closing quote leaves a valid, shorter report.
            Ok(report) => assert!(report.roots.len() < 171, "cut at {cut}"),
            Err(e) => {
                let message = e.to_string();
                assert!(message.starts_with("row "), "cut at {cut}: {message}");
            }
        }
    }
}

/// Python's `csv` module is the oracle for the CSV layer: on every root snapshot it must read
/// the same rows, in the same order, with the same cells as `parse_report`.
#[test]
fn python_csv_reads_the_same_rows() {
    let Some(dir) = ccadb_data() else { return };
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is required in CI"
        );
        eprintln!("notice: python3 not found; skipping");
        return;
    }
    let files: Vec<PathBuf> = ROOT_REPORTS
        .iter()
        .map(|(date, ..)| dir.join(format!("IncludedCACertificateReportPEMCSV-{date}.csv")))
        .collect();
    let script = r#"
import csv, sys
csv.field_size_limit(1 << 24)
cols = ['SHA-256 Fingerprint', 'Owner', 'Common Name or Certificate Name',
        'Certificate Serial Number', 'Trust Bits', 'Distrust for TLS After Date',
        'Distrust for S/MIME After Date', 'Mozilla Applied Constraints']
for path in sys.argv[1:]:
    with open(path, newline='', encoding='utf-8') as f:
        r = csv.reader(f)
        header = [h.strip() for h in next(r)]
        for row in r:
            d = dict(zip(header, row))
            print('\t'.join(d[c].strip() for c in cols))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs = String::from_utf8(out.stdout).unwrap();

    let date = |d: Option<time::Date>| {
        d.map_or(String::new(), |d| {
            format!("{:04}.{:02}.{:02}", d.year(), u8::from(d.month()), d.day())
        })
    };
    let mut ours = String::new();
    for path in &files {
        let report = parse_any(&std::fs::read(path).unwrap()).unwrap();
        for r in &report.roots {
            let mut trust = Vec::new();
            for (on, name) in [
                (r.trust_bits.websites, "Websites"),
                (r.trust_bits.email, "Email"),
                (r.trust_bits.code, "Code"),
                (r.trust_bits.all_off, "All Trust Bits Turned Off"),
            ] {
                if on {
                    trust.push(name);
                }
            }
            ours.push_str(
                &[
                    hex::encode_upper(r.sha256.0),
                    r.owner.clone(),
                    r.label.clone(),
                    r.serial.clone(),
                    trust.join(";"),
                    date(r.tls_distrust_after),
                    date(r.smime_distrust_after),
                    r.mozilla_applied_constraints.clone(),
                ]
                .join("\t"),
            );
            ours.push('\n');
        }
    }
    let (ours, theirs): (Vec<&str>, Vec<&str>) = (ours.lines().collect(), theirs.lines().collect());
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a, b);
    }
}

/// `Mozilla Applied Constraints` is kept: in every report exactly TUBITAK's TLS root is
/// constrained (to `*.tr`); Telekom's S/MIME roots say "No name constraints are to be applied",
/// which reads as none.
#[test]
fn applied_constraints_are_read() {
    let Some(dir) = ccadb_data() else { return };
    for (date, ..) in ROOT_REPORTS {
        let name = format!("IncludedCACertificateReportPEMCSV-{date}.csv");
        let report = load(&dir, &name);
        let constrained: Vec<(&str, &str)> = report
            .roots
            .iter()
            .filter_map(|r| r.applied_constraints().map(|c| (r.label.as_str(), c)))
            .collect();
        assert_eq!(
            constrained,
            [("TUBITAK Kamu SM SSL Kok Sertifikasi - Surum 1", "*.tr")],
            "{name}"
        );
        assert!(
            report
                .roots
                .iter()
                .any(|r| r.mozilla_applied_constraints == "No name constraints are to be applied"),
            "{name}"
        );
    }
}
