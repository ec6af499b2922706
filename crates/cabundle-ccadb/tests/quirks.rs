//! Hand-written reports around certificates generated at test time: the quirks the real
//! CCADB reports have shown, and broken bodies that must give an error naming where.
#![allow(clippy::unwrap_used)] // shared test code outside #[test] functions

use cabundle_ccadb::{
    Error, Report, TrustBits, parse_any, parse_certdata, parse_pem_csv, parse_report,
};
use sha2::Digest as _;

/// A self-signed CA generated for the test.
struct TestCert {
    pem: String,
    der: Vec<u8>,
}

impl TestCert {
    fn new(common_name: &str) -> TestCert {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCert {
            pem: cert.pem(),
            der: cert.der().to_vec(),
        }
    }

    fn sha256_hex(&self) -> String {
        hex::encode_upper(sha2::Sha256::digest(&self.der))
    }

    fn sha1(&self) -> Vec<u8> {
        sha1::Sha1::digest(&self.der).to_vec()
    }

    /// `PEM Info` as the CCADB writes it: in single quotes, with the given line ending.
    fn pem_info(&self, eol: &str) -> String {
        format!("'{}'", self.pem.trim_end().replace('\n', eol))
    }
}

const HEADER: [&str; 13] = [
    "Owner",
    "Certificate Issuer Organization",
    "Common Name or Certificate Name",
    "Certificate Serial Number",
    "SHA-256 Fingerprint",
    "Valid From [GMT]",
    "Valid To [GMT]",
    "Trust Bits",
    "Distrust for TLS After Date",
    "Distrust for S/MIME After Date",
    "Mozilla Applied Constraints",
    "Some Future Column",
    "PEM Info",
];

/// One report row, by column.
struct Row {
    owner: String,
    name: String,
    serial: String,
    sha256: String,
    trust: String,
    tls_distrust: String,
    constraints: String,
    pem: String,
}

impl Row {
    fn of(cert: &TestCert, name: &str) -> Row {
        Row {
            owner: "Example Owner".into(),
            name: name.into(),
            serial: "00AB".into(),
            sha256: cert.sha256_hex(),
            trust: "Websites;Email".into(),
            tls_distrust: String::new(),
            constraints: String::new(),
            pem: cert.pem_info("\n"),
        }
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.owner.clone(),
            "Example Org".into(),
            self.name.clone(),
            self.serial.clone(),
            self.sha256.clone(),
            "2020.01.31".into(),
            "2040.12.01".into(),
            self.trust.clone(),
            self.tls_distrust.clone(),
            String::new(),
            self.constraints.clone(),
            "ignored, with \"quotes\"\nand a newline".into(),
            self.pem.clone(),
        ]
    }
}

/// Writes a CSV the way the CCADB does: every field double-quoted, records separated by
/// `eol`, no newline at the end.
fn csv(header: &[&str], rows: &[Vec<String>], eol: &str) -> Vec<u8> {
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut lines = vec![line(header.iter().map(|h| h.to_string()).collect())];
    lines.extend(rows.iter().cloned().map(line));
    lines.join(eol).into_bytes()
}

fn report(rows: &[Row]) -> Vec<u8> {
    csv(
        &HEADER,
        &rows.iter().map(Row::cells).collect::<Vec<_>>(),
        "\n",
    )
}

fn parse_ok(bytes: &[u8]) -> Report {
    match parse_report(bytes) {
        Ok(r) => r,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// Parsing must fail with exactly this message.
fn check_error(bytes: &[u8], expected: &str) {
    match parse_report(bytes) {
        Ok(r) => panic!("expected {expected:?}, parsed {} roots", r.roots.len()),
        Err(e) => assert_eq!(e.to_string(), expected),
    }
}

#[test]
fn fields_are_bound_by_name() {
    let (a, b) = (TestCert::new("Root A"), TestCert::new("Főtanúsítvány"));
    let mut second = Row::of(&b, "Főtanúsítvány");
    second.serial = "020000B9".into();
    second.trust = "Email".into();
    second.tls_distrust = "2024.11.19".into();
    second.constraints = "*.tr".into();
    let parsed = parse_ok(&report(&[Row::of(&a, "Root A"), second]));

    assert_eq!(parsed.columns, HEADER);
    assert_eq!(parsed.roots.len(), 2);
    let r = &parsed.roots[1];
    assert_eq!(r.row, 2);
    assert_eq!(r.owner, "Example Owner");
    assert_eq!(r.label, "Főtanúsítvány");
    assert_eq!(r.issuer_org, "Example Org");
    assert_eq!(r.serial, "020000B9");
    assert_eq!(hex::encode_upper(r.sha256.0), b.sha256_hex());
    assert_eq!(r.certificate.der, b.der);
    assert_eq!(r.valid_from, Some(time::macros::date!(2020 - 01 - 31)));
    assert_eq!(r.valid_to, Some(time::macros::date!(2040 - 12 - 01)));
    assert_eq!(
        r.tls_distrust_after,
        Some(time::macros::date!(2024 - 11 - 19))
    );
    assert_eq!(r.smime_distrust_after, None);
    assert_eq!(r.mozilla_applied_constraints, "*.tr");
    assert_eq!(
        r.trust_bits,
        TrustBits {
            email: true,
            ..TrustBits::default()
        }
    );
    assert_eq!(parsed.roots[0].serial, "00AB");
}

#[test]
fn pem_line_endings_and_record_separators() {
    let certs: Vec<TestCert> = (0..3)
        .map(|i| TestCert::new(&format!("Root {i}")))
        .collect();
    let mut rows: Vec<Row> = certs.iter().map(|c| Row::of(c, "x")).collect();
    rows[0].pem = certs[0].pem_info("\r\n");
    // Every PEM line with a trailing space, the BEGIN line included.
    rows[1].pem = certs[1].pem_info(" \n").replace("-----'", "----- '");
    rows[2].pem = format!(" {} ", certs[2].pem_info("\n"));
    for eol in ["\n", "\r\n"] {
        let cells: Vec<_> = rows.iter().map(Row::cells).collect();
        let mut body = csv(&HEADER, &cells, eol);
        let parsed = parse_ok(&body);
        assert_eq!(parsed.roots.len(), 3);
        for (root, cert) in parsed.roots.iter().zip(&certs) {
            assert_eq!(root.certificate.der, cert.der);
        }
        body.extend_from_slice(eol.as_bytes());
        assert_eq!(parse_ok(&body).roots.len(), 3, "final newline");
    }
}

#[test]
fn header_whitespace_order_and_bom() {
    let cert = TestCert::new("Root");
    let row = Row::of(&cert, "Root");
    let mut header: Vec<String> = HEADER.iter().map(|h| format!(" {h} ")).collect();
    let mut cells = row.cells();
    header.reverse();
    cells.reverse();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(csv(&header, &[cells], "\n"));
    let parsed = parse_ok(&body);
    assert_eq!(parsed.roots[0].label, "Root");
    assert_eq!(parsed.columns[0], "PEM Info");
}

#[test]
fn trust_bits_values() {
    let cert = TestCert::new("Root");
    let mut row = Row::of(&cert, "Root");
    row.trust = "All Trust Bits Turned Off".into();
    let r = &parse_ok(&report(&[row])).roots[0];
    assert!(r.trust_bits.all_off && !r.trust_bits.websites && !r.trust_bits.email);

    let mut row = Row::of(&cert, "Root");
    row.trust = "Websites;Code;Client Authentication".into();
    let r = &parse_ok(&report(&[row])).roots[0];
    assert!(r.trust_bits.websites && r.trust_bits.code && !r.trust_bits.email);
    assert_eq!(r.unknown_trust_bits, ["Client Authentication"]);
}

#[test]
fn broken_bodies() {
    let (a, b) = (TestCert::new("Root A"), TestCert::new("Root B"));
    let good = report(&[Row::of(&a, "Root A"), Row::of(&b, "Root B")]);

    check_error(
        b"",
        "the body is empty: expected a CCADB CSV report or certdata.txt",
    );
    check_error(
        b"\n  \r\n",
        "the body is empty: expected a CCADB CSV report or certdata.txt",
    );
    check_error(
        b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head></html>",
        "the body is not a CCADB CSV report (it looks like an HTML page)",
    );
    check_error(
        b"\n  <html><body>down</body></html>",
        "the body is not a CCADB CSV report (it looks like an HTML page)",
    );
    check_error(
        b"{\"error\": \"rate limited\"}",
        "the body is not a CCADB CSV report (it looks like a JSON document)",
    );
    let junk: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
    check_error(
        &junk,
        "the body is not a CCADB CSV report (it looks like binary data)",
    );
    check_error(
        b"Service Unavailable",
        "the body is not a CCADB CSV report (it looks like text starting \"Service Unavailable\", with none of the expected columns)",
    );
    check_error(
        &good[..good.iter().position(|&b| b == b'\n').unwrap()],
        "the report has a header but no rows",
    );

    let mut latin1 = good.clone();
    let at = latin1.windows(8).rposition(|w| w == b"\"Root B\"").unwrap();
    latin1[at + 2] = 0xF6;
    check_error(&latin1, "row 2: malformed CSV: field 3 is not UTF-8");

    // Truncated in the last PEM, and in the middle of the second row.
    let cut = good.len() - 100;
    check_error(
        &good[..cut],
        "row 2, column \"PEM Info\": the PEM is not closed by a single quote (is the file truncated?)",
    );
    let rows: Vec<usize> = (0..good.len())
        .filter(|&i| good[i..].starts_with(b"\n\"Example Owner\""))
        .collect();
    let second = rows[1];
    check_error(
        &good[..second + 20],
        "row 2: malformed CSV: found 2 fields, expected 13 (is the file truncated?)",
    );
}

#[test]
fn broken_rows() {
    let (a, b) = (TestCert::new("Root A"), TestCert::new("Root B"));

    let mut row = Row::of(&b, "Root B");
    row.sha256 = a.sha256_hex();
    check_error(
        &report(&[Row::of(&b, "Root B"), row]),
        &format!(
            "row 2, column \"SHA-256 Fingerprint\": fingerprint {} does not match the certificate ({})",
            a.sha256_hex(),
            b.sha256_hex()
        ),
    );

    check_error(
        &report(&[Row::of(&a, "A"), Row::of(&b, "B"), Row::of(&a, "A again")]),
        &format!(
            "row 3, column \"SHA-256 Fingerprint\": duplicate fingerprint {} (first seen in row 1)",
            a.sha256_hex()
        ),
    );

    for missing in [
        "PEM Info",
        "SHA-256 Fingerprint",
        "Trust Bits",
        "Distrust for TLS After Date",
    ] {
        let keep: Vec<usize> = (0..HEADER.len())
            .filter(|&i| HEADER[i] != missing)
            .collect();
        let header: Vec<&str> = keep.iter().map(|&i| HEADER[i]).collect();
        let cells = Row::of(&a, "A").cells();
        let cells: Vec<String> = keep.iter().map(|&i| cells[i].clone()).collect();
        check_error(
            &csv(&header, &[cells], "\n"),
            &format!("missing required column \"{missing}\""),
        );
    }

    let with_pem = |pem: &str| {
        let mut row = Row::of(&a, "A");
        row.pem = pem.into();
        report(&[row])
    };
    check_error(
        &with_pem("''"),
        "row 1, column \"PEM Info\": the PEM is empty",
    );
    check_error(
        &with_pem("'not a certificate'"),
        "row 1, column \"PEM Info\": no PEM certificate found",
    );
    for bad in [
        "'-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----'",
        "'-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----'",
        "'-----BEGIN CERTIFICATE-----\nMIIB'",
    ] {
        let err = parse_report(&with_pem(bad)).unwrap_err();
        assert!(
            matches!(err, Error::Certificate { row: 1, .. }),
            "{bad:?}: {err:?}"
        );
        assert!(
            err.to_string().starts_with("row 1, column \"PEM Info\": "),
            "{err}"
        );
    }

    let mut row = Row::of(&a, "A");
    row.sha256 = "XYZ".into();
    check_error(
        &report(&[row]),
        "row 1, column \"SHA-256 Fingerprint\": invalid SHA-256 fingerprint \"XYZ\" (expected 64 hex digits)",
    );
    let mut row = Row::of(&a, "A");
    row.tls_distrust = "2025-04-15".into();
    let err = parse_report(&report(&[row])).unwrap_err().to_string();
    assert!(
        err.starts_with(
            "row 1, column \"Distrust for TLS After Date\": invalid date \"2025-04-15\""
        ),
        "{err}"
    );
}

#[test]
fn pem_csv() {
    let (a, b) = (TestCert::new("A"), TestCert::new("B"));
    let header = ["SHA-256 Fingerprint", "X.509 Certificate (PEM)"];
    let cells = |c: &TestCert, fp: String| vec![fp, c.pem.clone()];
    let body = csv(
        &header,
        &[
            cells(&a, a.sha256_hex()),
            cells(&b, b.sha256_hex().to_lowercase()),
        ],
        "\n",
    );
    let records = parse_pem_csv(&body).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].row, 2);
    assert_eq!(records[1].certificate.der, b.der);

    let body = csv(
        &header,
        &[cells(&a, a.sha256_hex()), cells(&b, a.sha256_hex())],
        "\n",
    );
    assert!(matches!(
        parse_pem_csv(&body),
        Err(Error::FingerprintMismatch { row: 2, .. })
    ));
    let err = parse_pem_csv(&csv(
        &["SHA-256 Fingerprint"],
        &[vec![a.sha256_hex()]],
        "\n",
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing required column \"X.509 Certificate (PEM)\""
    );
}

/// Writes bytes as certdata.txt `MULTILINE_OCTAL` lines.
fn octal(bytes: &[u8]) -> String {
    let mut out = String::from("MULTILINE_OCTAL\n");
    for chunk in bytes.chunks(16) {
        for b in chunk {
            out.push_str(&format!("\\{b:03o}"));
        }
        out.push('\n');
    }
    out.push_str("END");
    out
}

/// A certdata.txt certificate object and its trust object.
fn certdata_pair(
    cert: &TestCert,
    label: &str,
    server: &str,
    email: &str,
    distrust: &str,
    match_by_hash: bool,
) -> String {
    let parsed = cabundle_ccadb::Certificate::from_der(&cert.der).unwrap();
    let serial = {
        let content = hex::decode(&parsed.serial_hex).unwrap();
        let mut der = vec![0x02, content.len() as u8];
        der.extend(content);
        der
    };
    let issuer = octal(&parsed.issuer_der);
    let key = if match_by_hash {
        format!("CKA_CERT_SHA1_HASH {}\n", octal(&cert.sha1()))
    } else {
        format!(
            "CKA_ISSUER {issuer}\nCKA_SERIAL_NUMBER {}\n",
            octal(&serial)
        )
    };
    format!(
        "\n# Certificate \"{label}\"\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_TOKEN CK_BBOOL CK_TRUE\n\
         CKA_LABEL UTF8 \"{label}\"\nCKA_CERTIFICATE_TYPE CK_CERTIFICATE_TYPE CKC_X_509\n\
         CKA_ISSUER {issuer}\nCKA_SERIAL_NUMBER {}\nCKA_VALUE {}\n{distrust}\
         CKA_NSS_EMAIL_DISTRUST_AFTER CK_BBOOL CK_FALSE\n\n\
         # Trust for \"{label}\"\nCKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\nCKA_LABEL UTF8 \"{label}\"\n{key}\
         CKA_TRUST_SERVER_AUTH CK_TRUST {server}\nCKA_TRUST_EMAIL_PROTECTION CK_TRUST {email}\n\
         CKA_TRUST_CODE_SIGNING CK_TRUST CKT_NSS_MUST_VERIFY_TRUST\nCKA_TRUST_STEP_UP_APPROVED CK_BBOOL CK_FALSE\n",
        octal(&serial),
        octal(&cert.der),
    )
}

const CERTDATA_HEAD: &str = "# certdata.txt, written by the test\nBEGINDATA\n\
    CKA_CLASS CK_OBJECT_CLASS CKO_NSS_BUILTIN_ROOT_LIST\nCKA_LABEL UTF8 \"Mozilla Builtin Roots\"\n";

#[test]
fn certdata() {
    let certs: Vec<TestCert> = ["TLS", "Mail", "Distrusted", "Off", "Dated"]
        .iter()
        .map(|n| TestCert::new(n))
        .collect();
    let (t, m, v) = (
        "CKT_NSS_TRUSTED_DELEGATOR",
        "CKT_NSS_MUST_VERIFY_TRUST",
        "CKT_NSS_NOT_TRUSTED",
    );
    let dated = format!(
        "CKA_NSS_SERVER_DISTRUST_AFTER {}\n",
        octal(b"250415235959Z")
    );
    let text = [
        CERTDATA_HEAD.to_string(),
        certdata_pair(
            &certs[0],
            "TLS Root",
            t,
            m,
            "CKA_NSS_SERVER_DISTRUST_AFTER CK_BBOOL CK_FALSE\n",
            false,
        ),
        certdata_pair(&certs[1], "Mail Root \\303\\234", m, t, "", true),
        certdata_pair(&certs[2], "Explicitly Distrusted", v, v, "", false),
        certdata_pair(&certs[3], "All Off", m, m, "", false),
        certdata_pair(&certs[4], "Dated", t, t, &dated, false),
    ]
    .concat();
    let report = parse_certdata(text.as_bytes()).unwrap();
    let got: Vec<(usize, &str, TrustBits)> = report
        .roots
        .iter()
        .map(|r| (r.row, r.label.as_str(), r.trust_bits))
        .collect();
    let bits = |websites, email, all_off| TrustBits {
        websites,
        email,
        code: false,
        all_off,
    };
    assert_eq!(
        got,
        [
            (1, "TLS Root", bits(true, false, false)),
            (2, "Mail Root Ü", bits(false, true, false)),
            (3, "Explicitly Distrusted", bits(false, false, false)),
            (4, "All Off", bits(false, false, true)),
            (5, "Dated", bits(true, true, false)),
        ]
    );
    assert_eq!(report.roots[0].tls_distrust_after, None);
    assert_eq!(
        report.roots[4].tls_distrust_after,
        Some(time::macros::date!(2025 - 04 - 15))
    );
    assert_eq!(report.roots[4].certificate.der, certs[4].der);
    assert_eq!(
        report.roots[4].serial,
        report.roots[4].certificate.serial_hex
    );
    assert_eq!(parse_any(text.as_bytes()).unwrap().roots.len(), 5);
    let csv_report = self::report(&[Row::of(&certs[0], "TLS Root")]);
    assert_eq!(parse_any(&csv_report).unwrap().roots[0].label, "TLS Root");
    assert!(matches!(
        parse_any(b"<html></html>"),
        Err(Error::NotCsv { .. })
    ));

    // A trust object whose hash is not its certificate's.
    let wrong = certdata_pair(&certs[0], "Wrong", t, t, "", false).replace(
        "CKA_TRUST_SERVER_AUTH",
        &format!(
            "CKA_CERT_SHA1_HASH {}\nCKA_TRUST_SERVER_AUTH",
            octal(&certs[1].sha1())
        ),
    );
    let err = parse_certdata(format!("{CERTDATA_HEAD}{wrong}").as_bytes()).unwrap_err();
    assert!(
        err.to_string()
            .contains("CKA_CERT_SHA1_HASH hash that does not match"),
        "{err}"
    );
}

#[test]
fn broken_certdata() {
    fn check(text: &str, expected: &str) {
        let err = parse_certdata(text.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
    check(
        "",
        "the body is empty: expected a CCADB CSV report or certdata.txt",
    );
    check(
        "CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\n",
        "certdata.txt line 0: no BEGINDATA line: this is not an NSS certdata.txt",
    );
    check(
        &format!(
            "{CERTDATA_HEAD}CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\\202\n"
        ),
        "certdata.txt line 6: CKA_VALUE: MULTILINE_OCTAL without END",
    );
    check(
        &format!(
            "{CERTDATA_HEAD}CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_VALUE MULTILINE_OCTAL\n\\060\\9\nEND\n"
        ),
        "certdata.txt line 7: CKA_VALUE: invalid octal escape at column 5",
    );
    check(
        &format!(
            "{CERTDATA_HEAD}CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_LABEL UTF8 \"x\"\n"
        ),
        "certdata.txt line 5: certificate \"x\" has no CKA_VALUE MULTILINE_OCTAL",
    );
    check(
        &format!(
            "{CERTDATA_HEAD}CKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\nCKA_TRUST_SERVER_AUTH CK_TRUST CKT_MAYBE\n"
        ),
        "certdata.txt line 6: CKA_TRUST_SERVER_AUTH: unknown trust value CKT_MAYBE",
    );
    check(CERTDATA_HEAD, "certdata.txt line 3: no certificate objects");
    check(
        &format!("{CERTDATA_HEAD}garbage here\n"),
        "certdata.txt line 5: expected an attribute line, found \"garbage here\"",
    );
}
