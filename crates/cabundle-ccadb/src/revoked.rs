//! `PublicIntermediateCertsRevokedWithPEMCSV`: the intermediates their CAs disclosed to the
//! CCADB as revoked, with the date and the RFC 5280 reason.
//!
//! Columns are bound by header name. The ones a verdict depends on are required:
//! `SHA-256 Fingerprint` (how a certificate is matched), `Date of Revocation` (`YYYY Mon DD`,
//! as in `2018 Jul 17`) and `RFC 5280 Revocation Reason Code` (`(4) superseded`, or empty).
//! `Certificate Subject Common Name`, `CA Owner` and `PEM Info` are read when present: a
//! non-empty `PEM Info` must decode to the certificate the fingerprint names (the report has
//! rows with an empty PEM, which are kept: the fingerprint alone matches them).

use std::collections::HashMap;

use time::Date;

use crate::csv_util::{self, Table};
use crate::{Error, Sha256Fingerprint};

/// `SHA-256 Fingerprint`.
pub const REVOKED_SHA256: &str = "SHA-256 Fingerprint";
/// `Date of Revocation`.
pub const REVOKED_DATE: &str = "Date of Revocation";
/// `RFC 5280 Revocation Reason Code`.
pub const REVOKED_REASON: &str = "RFC 5280 Revocation Reason Code";
/// `Certificate Subject Common Name`.
pub const REVOKED_SUBJECT: &str = "Certificate Subject Common Name";
/// `CA Owner`.
pub const REVOKED_OWNER: &str = "CA Owner";
/// `PEM Info`.
pub const REVOKED_PEM: &str = "PEM Info";

/// One revoked intermediate of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevokedIntermediate {
    /// 1-based data record number (header excluded).
    pub row: usize,
    /// `SHA-256 Fingerprint`.
    pub sha256: Sha256Fingerprint,
    /// `Date of Revocation`, when the cell is not empty.
    pub date: Option<Date>,
    /// The number of `RFC 5280 Revocation Reason Code` (`(4) superseded` is 4), when given.
    pub reason_code: Option<u8>,
    /// `RFC 5280 Revocation Reason Code` as written (empty when absent).
    pub reason: String,
    /// `Certificate Subject Common Name` (empty when absent).
    pub subject: String,
    /// `CA Owner` (empty when absent).
    pub owner: String,
}

/// Parses a `PublicIntermediateCertsRevokedWithPEMCSV` report. A fingerprint may appear only
/// once; an error names the row and column.
pub fn parse_revoked_intermediates(bytes: &[u8]) -> Result<Vec<RevokedIntermediate>, Error> {
    let table = Table::read(bytes, &[REVOKED_SHA256, REVOKED_DATE, REVOKED_REASON])?;
    let (sha256, date, reason) = (
        table.index(REVOKED_SHA256)?,
        table.index(REVOKED_DATE)?,
        table.index(REVOKED_REASON)?,
    );
    let (subject, owner, pem) = (
        table.optional(REVOKED_SUBJECT),
        table.optional(REVOKED_OWNER),
        table.optional(REVOKED_PEM),
    );
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<Sha256Fingerprint, usize> = HashMap::new();
    for (i, record) in table.rows.iter().enumerate() {
        let row = i + 1;
        let cell = |idx: usize| record.get(idx).unwrap_or("").trim();
        let cell_error = |column: &str, message: String| Error::Cell {
            row,
            column: column.to_owned(),
            message,
        };
        let fingerprint =
            csv_util::parse_fingerprint(cell(sha256)).map_err(|m| cell_error(REVOKED_SHA256, m))?;
        if let Some(idx) = pem {
            let text = cell(idx).trim_matches('\'').trim();
            if !text.is_empty() {
                let certificate = csv_util::decode_pem(text, row, REVOKED_PEM)?;
                csv_util::check_fingerprint(&certificate, fingerprint, row, REVOKED_SHA256)?;
            }
        }
        let revoked_on = match cell(date) {
            "" => None,
            text => Some(parse_revocation_date(text).ok_or_else(|| {
                cell_error(
                    REVOKED_DATE,
                    format!("invalid date \"{text}\" (expected YYYY Mon DD, as 2018 Jul 17)"),
                )
            })?),
        };
        let reason_text = cell(reason);
        if let Some(&first_row) = seen.get(&fingerprint) {
            return Err(Error::DuplicateFingerprint {
                row,
                column: REVOKED_SHA256.to_owned(),
                first_row,
                fingerprint,
            });
        }
        seen.insert(fingerprint, row);
        rows.push(RevokedIntermediate {
            row,
            sha256: fingerprint,
            date: revoked_on,
            reason_code: reason_code(reason_text),
            reason: reason_text.to_owned(),
            subject: subject.map_or("", cell).to_owned(),
            owner: owner.map_or("", cell).to_owned(),
        });
    }
    Ok(rows)
}

/// `2018 Jul 17` (the report's date cells); `YYYY.MM.DD` and `YYYY-MM-DD` are taken too.
fn parse_revocation_date(text: &str) -> Option<Date> {
    let formats = [
        time::macros::format_description!("[year] [month repr:short] [day]"),
        time::macros::format_description!("[year].[month].[day]"),
        time::macros::format_description!("[year]-[month]-[day]"),
    ];
    formats.iter().find_map(|f| Date::parse(text, f).ok())
}

/// The number in `(4) superseded`.
fn reason_code(text: &str) -> Option<u8> {
    let rest = text.strip_prefix('(')?;
    let (number, _) = rest.split_once(')')?;
    number.trim().parse().ok()
}

/// Whether `bytes` start like a revoked-intermediates report: a header (after an optional
/// byte order mark) naming `SHA-256 Fingerprint` and `Date of Revocation`.
pub fn looks_like_revoked_intermediates(bytes: &[u8]) -> bool {
    let Some(columns) = crate::csv_util::header_columns(bytes) else {
        return false;
    };
    columns.contains(&REVOKED_SHA256) && columns.contains(&REVOKED_DATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\"CA Owner\",\"Revocation Status\",\"RFC 5280 Revocation Reason Code\",\"Date of Revocation\",\"Certificate Subject Common Name\",\"SHA-256 Fingerprint\",\"PEM Info\"\n";

    /// A row as compared: the fingerprint's first byte, the date and the reason code.
    type Row<'a> = (u8, Option<&'a str>, Option<u8>);

    fn check(body: &str, expected: Result<Vec<Row<'_>>, &str>) {
        let input = format!("{HEADER}{body}");
        let got = parse_revoked_intermediates(input.as_bytes())
            .map(|rows| {
                rows.iter()
                    .map(|r| (r.sha256.0[0], r.date.map(|d| d.to_string()), r.reason_code))
                    .collect::<Vec<_>>()
            })
            .map_err(|e| e.to_string());
        let expected = expected
            .map(|rows| {
                rows.into_iter()
                    .map(|(b, d, c)| (b, d.map(str::to_owned), c))
                    .collect::<Vec<_>>()
            })
            .map_err(str::to_owned);
        assert_eq!(got, expected, "{body}");
    }

    fn fp(byte: u8) -> String {
        hex::encode_upper([byte; 32])
    }

    #[test]
    fn rows() {
        check(
            &format!(
                "\"A\",\"Revoked\",\"(4) superseded\",\"2018 Jul 17\",\"Sub CA\",\"{}\",\"''\"\n",
                fp(1)
            ),
            Ok(vec![(1, Some("2018-07-17"), Some(4))]),
        );
        check(
            &format!("\"A\",\"Revoked\",\"\",\"\",\"\",\"{}\",\"\"\n", fp(2)),
            Ok(vec![(2, None, None)]),
        );
        check(
            &format!(
                "\"A\",\"Revoked\",\"(1) keyCompromise\",\"2019.01.02\",\"\",\"{}\",\"\"\n\"B\",\"Revoked\",\"\",\"2019 Feb 03\",\"\",\"{}\",\"\"\n",
                fp(3),
                fp(4)
            ),
            Ok(vec![
                (3, Some("2019-01-02"), Some(1)),
                (4, Some("2019-02-03"), None),
            ]),
        );
    }

    #[test]
    fn errors() {
        check(
            "\"A\",\"Revoked\",\"\",\"2018 Jul 17\",\"\",\"ABCD\",\"\"\n",
            Err(
                "row 1, column \"SHA-256 Fingerprint\": invalid SHA-256 fingerprint \"ABCD\" (expected 64 hex digits)",
            ),
        );
        check(
            &format!(
                "\"A\",\"Revoked\",\"\",\"17/07/2018\",\"\",\"{}\",\"\"\n",
                fp(1)
            ),
            Err(
                "row 1, column \"Date of Revocation\": invalid date \"17/07/2018\" (expected YYYY Mon DD, as 2018 Jul 17)",
            ),
        );
        let dup = format!("\"A\",\"Revoked\",\"\",\"\",\"\",\"{}\",\"\"\n", fp(5));
        let got = parse_revoked_intermediates(format!("{HEADER}{dup}{dup}").as_bytes());
        assert!(matches!(
            got,
            Err(Error::DuplicateFingerprint {
                row: 2,
                first_row: 1,
                ..
            })
        ));
        let got = parse_revoked_intermediates(b"\"SHA-256 Fingerprint\"\n\"00\"\n");
        assert!(matches!(got, Err(Error::MissingColumn { .. })), "{got:?}");
    }

    #[test]
    fn looks_like() {
        assert!(looks_like_revoked_intermediates(HEADER.as_bytes()));
        assert!(!looks_like_revoked_intermediates(
            b"Subject,Issuer,SHA256,PEM\n"
        ));
    }
}
