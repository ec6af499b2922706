//! CCADB reports written by tests, in the CCADB's own layout: the `MozillaIntermediateCertsCSVReport`
//! of certificates a test made.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// The report's header, in order.
pub const INTERMEDIATES_HEADER: [&str; 6] = [
    "Subject",
    "Issuer",
    "SHA256",
    "Full CRL Issued By This CA",
    "PEM",
    "JSON Array of Partitioned CRLs",
];

/// One row of a `MozillaIntermediateCertsCSVReport`.
#[derive(Clone, Debug)]
pub struct IntermediateRow {
    /// The `Subject` text (display only: `CN=...; O=...`).
    pub subject: String,
    /// The `Issuer` text.
    pub issuer: String,
    /// The certificate's PEM, LF line endings (written with CRLF, as the CCADB writes some).
    pub pem: String,
    /// The `SHA256` column: upper-case hex of the DER's SHA-256 (set another to test the
    /// fingerprint check).
    pub sha256: String,
}

impl IntermediateRow {
    /// The row of the certificate `der`.
    pub fn new(subject: &str, issuer: &str, der: &[u8]) -> IntermediateRow {
        IntermediateRow {
            subject: subject.to_owned(),
            issuer: issuer.to_owned(),
            pem: crate::pem("CERTIFICATE", der),
            sha256: hex::encode_upper(Sha256::digest(der)),
        }
    }

    /// The row of the first certificate of `pem`.
    pub fn from_pem(subject: &str, issuer: &str, pem: &str) -> IntermediateRow {
        let body: String = pem
            .lines()
            .skip_while(|l| !l.starts_with("-----BEGIN "))
            .skip(1)
            .take_while(|l| !l.starts_with("-----END "))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .expect("a PEM certificate");
        IntermediateRow::new(subject, issuer, &der)
    }
}

/// The report of `rows` as the CCADB writes it: every field quoted, CRLF inside the PEM,
/// `[]` for no partitioned CRLs, no newline at the end.
pub fn intermediates_report(rows: &[IntermediateRow]) -> String {
    let quote = |field: &str| format!("\"{}\"", field.replace('"', "\"\""));
    let record = |fields: &[&str]| {
        fields
            .iter()
            .map(|f| quote(f))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut lines = vec![record(&INTERMEDIATES_HEADER)];
    for row in rows {
        let pem = row.pem.replace("\r\n", "\n").replace('\n', "\r\n");
        lines.push(record(&[
            &row.subject,
            &row.issuer,
            &row.sha256,
            "",
            &pem,
            "[]",
        ]));
    }
    lines.join("\n")
}
