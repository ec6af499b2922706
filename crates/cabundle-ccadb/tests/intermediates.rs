//! `MozillaIntermediateCertsCSVReport`: the three published snapshots parse with the row
//! counts SOURCES.md records, and hand-written reports around certificates generated at test
//! time give errors naming the row and column.
#![allow(clippy::unwrap_used)] // shared test code outside #[test] functions

use cabundle_ccadb::{Error, parse_intermediates};
use cabundle_testkit::ccadb_data;
use sha2::Digest as _;

const SNAPSHOTS: [(&str, usize); 3] = [
    ("2025-03-25", 1771),
    ("2026-02-07", 1890),
    ("2026-07-25", 1759),
];

#[test]
fn every_snapshot_parses() {
    let Some(dir) = ccadb_data() else { return };
    for (date, rows) in SNAPSHOTS {
        let name = format!("MozillaIntermediateCertsCSVReport-{date}.csv");
        let bytes = fs_err::read(dir.join(&name)).unwrap();
        let report = parse_intermediates(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.len(), rows, "{name}");
        let mut crlf_rows = 0;
        for (i, r) in report.iter().enumerate() {
            assert_eq!(r.row, i + 1, "{name}");
            assert!(
                !r.subject.is_empty() && !r.issuer.is_empty(),
                "{name} row {}",
                r.row
            );
            assert!(r.partitioned_crls.iter().all(|u| u.starts_with("http")));
            crlf_rows += usize::from(r.full_crl.contains('\r'));
        }
        assert_eq!(crlf_rows, 0, "{name}: a CRL URL kept a line ending");
    }
}

/// A CA certificate generated for the test, with its PEM and upper-case fingerprint.
fn cert(common_name: &str) -> (String, String) {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let c = params.self_signed(&key).unwrap();
    (c.pem(), hex::encode_upper(sha2::Sha256::digest(c.der())))
}

const HEADER: &str = "\"Subject\",\"Issuer\",\"SHA256\",\"Full CRL Issued By This CA\",\"PEM\",\"JSON Array of Partitioned CRLs\"";

/// A report in the CCADB's layout: every field quoted, `\n` between records, none at the end.
fn report(rows: &[[String; 6]]) -> Vec<u8> {
    let mut out = String::from(HEADER);
    for row in rows {
        out.push('\n');
        let cells: Vec<String> = row.iter().map(|c| format!("\"{c}\"")).collect();
        out.push_str(&cells.join(","));
    }
    out.into_bytes()
}

fn row(cn: &str, pem: &str, sha: &str, crls: &str) -> [String; 6] {
    [
        format!("CN={cn}; O=Example; C=US"),
        "CN=Root; O=Example; C=US".into(),
        sha.into(),
        "http://crl.example/full.crl".into(),
        pem.into(),
        crls.into(),
    ]
}

fn check_error(bytes: &[u8], expected: &str) {
    match parse_intermediates(bytes) {
        Ok(_) => panic!("expected an error: {expected}"),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

#[test]
fn fields_and_line_endings() {
    let a = cert("A");
    let (b_pem, b_sha) = cert("B");
    let crlf = a.0.replace('\n', "\r\n");
    let bytes = report(&[
        row("A", &crlf, &a.1, "[http://a.crl,http://b.crl]"),
        row("B", &b_pem, &b_sha.to_ascii_lowercase(), ""),
    ]);
    let parsed = parse_intermediates(&bytes).unwrap();
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed[0].subject, "CN=A; O=Example; C=US");
    assert_eq!(parsed[0].issuer, "CN=Root; O=Example; C=US");
    assert_eq!(parsed[0].full_crl, "http://crl.example/full.crl");
    assert_eq!(parsed[0].partitioned_crls, ["http://a.crl", "http://b.crl"]);
    assert_eq!(hex::encode_upper(parsed[0].sha256.0), a.1);
    assert!(parsed[1].partitioned_crls.is_empty());
    // A trailing newline and a BOM are accepted too.
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&bytes);
    with_bom.push(b'\n');
    assert_eq!(parse_intermediates(&with_bom).unwrap().len(), 2);
}

#[test]
fn broken_reports() {
    let (a_pem, a_sha) = cert("A");
    let (b_pem, b_sha) = cert("B");
    let good = report(&[
        row("A", &a_pem, &a_sha, "[]"),
        row("B", &b_pem, &b_sha, "[]"),
    ]);

    let cases: Vec<(Vec<u8>, String)> = vec![
        (Vec::new(), "the body is empty: expected a CCADB CSV report or certdata.txt".into()),
        (
            b"<!DOCTYPE html><html><body>Maintenance</body></html>".to_vec(),
            "the body is not a CCADB CSV report (it looks like an HTML page)".into(),
        ),
        (HEADER.as_bytes().to_vec(), "the report has a header but no rows".into()),
        (
            good[..good.len() - 100].to_vec(),
            "row 2: malformed CSV: found 5 fields, expected 6 (is the file truncated?)".into(),
        ),
        (
            report(&[row("A", &a_pem, &b_sha, "[]")]),
            format!(
                "row 1, column \"SHA256\": fingerprint {b_sha} does not match the certificate ({a_sha})"
            ),
        ),
        (
            report(&[row("A", &a_pem, &a_sha, "[]"), row("A again", &a_pem, &a_sha, "[]")]),
            format!("row 2, column \"SHA256\": duplicate fingerprint {a_sha} (first seen in row 1)"),
        ),
        (
            report(&[row("A", &a_pem, "ABC", "[]")]),
            "row 1, column \"SHA256\": invalid SHA-256 fingerprint \"ABC\" (expected 64 hex digits)".into(),
        ),
        (
            report(&[row("A", "", &a_sha, "[]")]),
            "row 1, column \"PEM\": the PEM is empty".into(),
        ),
        (
            report(&[row("A", &a_pem.replace("MI", "M!"), &a_sha, "[]")]),
            "".into(),
        ),
        (
            report(&[row("A", &format!("{a_pem}{b_pem}"), &a_sha, "[]")]),
            "row 1, column \"PEM\": more than one PEM certificate in one cell".into(),
        ),
    ];
    for (bytes, expected) in cases {
        match parse_intermediates(&bytes) {
            Ok(_) => panic!("expected an error: {expected}"),
            Err(e) => {
                let got = e.to_string();
                if expected.is_empty() {
                    // Undecodable PEM: the certificate error is the reader's, so only where.
                    assert!(matches!(e, Error::Certificate { row: 1, .. }), "{got}");
                    assert!(got.starts_with("row 1, column \"PEM\": "), "{got}");
                } else {
                    assert_eq!(got, expected);
                }
            }
        }
    }
    check_error(
        b"\"Owner\",\"PEM Info\"\n\"x\",\"y\"",
        "the body is not a CCADB CSV report (it looks like text starting \"\\\"Owner\\\",\\\"PEM Info\\\"\", with none of the expected columns)",
    );
}

/// The 2019 `PublicIntermediateCertsRevokedWithPEMCSV` snapshot parses with the row count
/// SOURCES.md records, the PEMs given match their fingerprints, and most rows carry a date
/// and a reason code.
#[test]
fn revoked_snapshot_parses() {
    let name = "PublicIntermediateCertsRevokedWithPEMReport-2019-05-19.csv";
    let Some(dir) = cabundle_testkit::ccadb_data_with(name) else {
        return;
    };
    let bytes = fs_err::read(dir.join(name)).unwrap();
    assert!(cabundle_ccadb::looks_like_revoked_intermediates(&bytes));
    let rows = cabundle_ccadb::parse_revoked_intermediates(&bytes)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(rows.len(), 994, "{name}");
    let dated = rows.iter().filter(|r| r.date.is_some()).count();
    let coded = rows.iter().filter(|r| r.reason_code.is_some()).count();
    assert!(
        dated > 900 && coded > 100,
        "{name}: {dated} dated, {coded} with a code"
    );
}
