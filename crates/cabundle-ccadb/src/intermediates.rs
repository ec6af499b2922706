//! `MozillaIntermediateCertsCSVReport`: the intermediates Firefox preloads, those disclosed to
//! the CCADB that chain to a root with the `Websites` trust bit and are neither revoked nor
//! expired.
//!
//! Six columns, every field quoted: `Subject`, `Issuer`, `SHA256` (upper-case hex of the
//! DER's SHA-256), `Full CRL Issued By This CA`, `PEM` (a plain PEM, line endings mixed) and
//! `JSON Array of Partitioned CRLs`, which is not JSON (`[http://a.crl,http://b.crl]`, URLs
//! unquoted). `Subject` and `Issuer` are display text only; certificates are matched by their
//! DER names and key identifiers.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::csv_util::{self, Table};
use crate::{Certificate, Error, Sha256Fingerprint};

/// `Subject`.
pub const SUBJECT: &str = "Subject";
/// `Issuer`.
pub const ISSUER: &str = "Issuer";
/// `SHA256`.
pub const SHA256: &str = "SHA256";
/// `Full CRL Issued By This CA`.
pub const FULL_CRL: &str = "Full CRL Issued By This CA";
/// `PEM`.
pub const PEM: &str = "PEM";
/// `JSON Array of Partitioned CRLs`.
pub const PARTITIONED_CRLS: &str = "JSON Array of Partitioned CRLs";

/// One intermediate of the report.
#[derive(Clone, Debug)]
pub struct Intermediate {
    /// 1-based data record number (header excluded).
    pub row: usize,
    /// `Subject`, as written (`CN=...; O=...; C=...`).
    pub subject: String,
    /// `Issuer`, as written.
    pub issuer: String,
    /// `SHA256`, checked equal to the decoded certificate's.
    pub sha256: Sha256Fingerprint,
    /// `Full CRL Issued By This CA` (empty when absent).
    pub full_crl: String,
    /// The URLs of `JSON Array of Partitioned CRLs`.
    pub partitioned_crls: Vec<String>,
    /// The certificate decoded from `PEM`.
    pub certificate: Certificate,
}

/// Parses a `MozillaIntermediateCertsCSVReport`.
///
/// Every row's `PEM` is decoded and its SHA-256 must equal `SHA256`; a fingerprint may appear
/// only once. An error names the row and column.
pub fn parse_intermediates(bytes: &[u8]) -> Result<Vec<Intermediate>, Error> {
    let table = Table::read(bytes, &[SUBJECT, ISSUER, SHA256, PEM])?;
    let (subject, issuer, sha256, pem) = (
        table.index(SUBJECT)?,
        table.index(ISSUER)?,
        table.index(SHA256)?,
        table.index(PEM)?,
    );
    let full_crl = table.optional(FULL_CRL);
    let partitioned = table.optional(PARTITIONED_CRLS);
    // Decoding dominates and rows are independent; results are collected in order, so the
    // first bad row is the one reported.
    let results: Vec<Result<Intermediate, Error>> = table
        .rows
        .par_iter()
        .enumerate()
        .map(|(i, record)| {
            let row = i + 1;
            let cell = |idx: usize| record.get(idx).unwrap_or("").trim();
            let fingerprint =
                csv_util::parse_fingerprint(cell(sha256)).map_err(|message| Error::Cell {
                    row,
                    column: SHA256.to_owned(),
                    message,
                })?;
            let certificate = csv_util::decode_pem(cell(pem), row, PEM)?;
            csv_util::check_fingerprint(&certificate, fingerprint, row, SHA256)?;
            Ok(Intermediate {
                row,
                subject: cell(subject).to_owned(),
                issuer: cell(issuer).to_owned(),
                sha256: fingerprint,
                full_crl: full_crl.map_or("", cell).to_owned(),
                partitioned_crls: partitioned.map_or_else(Vec::new, |idx| crl_list(cell(idx))),
                certificate,
            })
        })
        .collect();
    let rows = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut seen: HashMap<Sha256Fingerprint, usize> = HashMap::with_capacity(rows.len());
    for r in &rows {
        if let Some(&first_row) = seen.get(&r.sha256) {
            return Err(Error::DuplicateFingerprint {
                row: r.row,
                column: SHA256.to_owned(),
                first_row,
                fingerprint: r.sha256,
            });
        }
        seen.insert(r.sha256, r.row);
    }
    Ok(rows)
}

/// Whether `bytes` start like a `MozillaIntermediateCertsCSVReport`: a header (after an
/// optional byte order mark) naming the `Subject`, `Issuer`, `SHA256` and `PEM` columns, and no
/// column of the roots report. Only the first line is looked at; parsing decides the rest.
pub fn looks_like_intermediates(bytes: &[u8]) -> bool {
    let Some(columns) = crate::csv_util::header_columns(bytes) else {
        return false;
    };
    [SUBJECT, ISSUER, SHA256, PEM]
        .iter()
        .all(|wanted| columns.contains(wanted))
        && !columns.contains(&"PEM Info")
}

/// `[http://a.crl,http://b.crl]`, `[]` or empty: the URLs, unquoted and trimmed. Quoted URLs
/// (real JSON) are accepted too.
fn crl_list(value: &str) -> Vec<String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    inner
        .split(',')
        .map(|u| u.trim().trim_matches('"').trim())
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intermediates_reports_are_recognised() {
        let check = |text: &[u8], want: bool| {
            assert_eq!(
                looks_like_intermediates(text),
                want,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        };
        check(
            b"\"Subject\",\"Issuer\",\"SHA256\",\"Full CRL Issued By This CA\",\"PEM\",\"JSON Array of Partitioned CRLs\"\n\"CN=a\"",
            true,
        );
        check(b"\xEF\xBB\xBFSubject,Issuer,SHA256,PEM\r\n", true);
        check(b"\"Owner\",\"SHA-256 Fingerprint\",\"PEM Info\"\n", false);
        check(b"Subject,Issuer,SHA256,PEM Info,PEM\n", false);
        check(b"Subject,Issuer\n", false);
        check(b"-----BEGIN CERTIFICATE-----\n", false);
        check(&[0xff, 0xfe, b'S'], false);
    }

    #[test]
    fn crl_lists() {
        let cases: [(&str, &[&str]); 6] = [
            ("", &[]),
            ("[]", &[]),
            ("[http://a.crl]", &["http://a.crl"]),
            (
                "[http://a.crl,http://b.crl]",
                &["http://a.crl", "http://b.crl"],
            ),
            (
                "[\"http://a.crl\", \"http://b.crl\"]",
                &["http://a.crl", "http://b.crl"],
            ),
            ("http://a.crl", &["http://a.crl"]),
        ];
        for (input, expected) in cases {
            assert_eq!(crl_list(input), expected, "{input:?}");
        }
    }
}
