//! `IncludedCACertificateReportPEMCSV`: the CCADB's report of Mozilla's included roots.
//!
//! Columns are found by header name (whitespace around a name is ignored: the 2024-11 report
//! had `" Certificate Practice & Policy Statement (CP/CPS)"`), because the column set has
//! changed several times; columns this parser does not use are ignored.

use std::collections::HashMap;

use crate::csv_util::{self, Table};
use crate::{Date, Error, Report, Root, Sha256Fingerprint, TrustBits};

/// `Owner`.
pub const OWNER: &str = "Owner";
/// `Certificate Issuer Organization`.
pub const ISSUER_ORG: &str = "Certificate Issuer Organization";
/// `Common Name or Certificate Name`.
pub const NAME: &str = "Common Name or Certificate Name";
/// `Certificate Serial Number`.
pub const SERIAL: &str = "Certificate Serial Number";
/// `SHA-256 Fingerprint`.
pub const SHA256: &str = "SHA-256 Fingerprint";
/// `Valid From [GMT]`.
pub const VALID_FROM: &str = "Valid From [GMT]";
/// `Valid To [GMT]`.
pub const VALID_TO: &str = "Valid To [GMT]";
/// `Trust Bits`.
pub const TRUST_BITS: &str = "Trust Bits";
/// `Distrust for TLS After Date`.
pub const TLS_DISTRUST: &str = "Distrust for TLS After Date";
/// `Distrust for S/MIME After Date`.
pub const SMIME_DISTRUST: &str = "Distrust for S/MIME After Date";
/// `Mozilla Applied Constraints`.
pub const CONSTRAINTS: &str = "Mozilla Applied Constraints";
/// `PEM Info`.
pub const PEM_INFO: &str = "PEM Info";

/// Columns without which a root cannot be judged safely: a missing distrust or constraints
/// column would silently widen trust, so it is an error rather than an empty value.
const REQUIRED: [&str; 9] = [
    OWNER,
    NAME,
    SERIAL,
    SHA256,
    TRUST_BITS,
    TLS_DISTRUST,
    SMIME_DISTRUST,
    CONSTRAINTS,
    PEM_INFO,
];

/// Parses an `IncludedCACertificateReportPEMCSV` report.
///
/// Every row's `PEM Info` is decoded and its SHA-256 must equal `SHA-256 Fingerprint`; a
/// fingerprint may appear only once. Unknown `Trust Bits` values are kept in
/// [`Root::unknown_trust_bits`] rather than rejected, so the policy can explain the exclusion.
pub fn parse_report(bytes: &[u8]) -> Result<Report, Error> {
    let table = Table::read(bytes, &REQUIRED)?;
    let col = |name: &str| table.index(name);
    let (owner, name, serial, sha256, trust, tls, smime, constraints, pem) = (
        col(OWNER)?,
        col(NAME)?,
        col(SERIAL)?,
        col(SHA256)?,
        col(TRUST_BITS)?,
        col(TLS_DISTRUST)?,
        col(SMIME_DISTRUST)?,
        col(CONSTRAINTS)?,
        col(PEM_INFO)?,
    );
    let issuer_org = table.optional(ISSUER_ORG);
    let valid_from = table.optional(VALID_FROM);
    let valid_to = table.optional(VALID_TO);

    let mut roots = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<Sha256Fingerprint, usize> = HashMap::new();
    for (i, record) in table.rows.iter().enumerate() {
        let row = i + 1;
        let cell = |idx: usize| record.get(idx).unwrap_or("").trim();
        let opt_cell = |idx: Option<usize>| idx.map_or("", cell);
        let date = |idx: Option<usize>, column: &str| -> Result<Option<Date>, Error> {
            parse_date(opt_cell(idx)).map_err(|message| Error::Cell {
                row,
                column: column.to_owned(),
                message,
            })
        };

        let fingerprint =
            csv_util::parse_fingerprint(cell(sha256)).map_err(|message| Error::Cell {
                row,
                column: SHA256.to_owned(),
                message,
            })?;
        if let Some(&first_row) = seen.get(&fingerprint) {
            return Err(Error::DuplicateFingerprint {
                row,
                column: SHA256.to_owned(),
                first_row,
                fingerprint,
            });
        }
        let pem_text =
            unquote_pem(record.get(pem).unwrap_or("")).map_err(|message| Error::Cell {
                row,
                column: PEM_INFO.to_owned(),
                message,
            })?;
        let certificate = csv_util::decode_pem(pem_text, row, PEM_INFO)?;
        csv_util::check_fingerprint(&certificate, fingerprint, row, SHA256)?;
        seen.insert(fingerprint, row);

        let (trust_bits, unknown_trust_bits) = parse_trust_bits(cell(trust));
        roots.push(Root {
            row,
            owner: cell(owner).to_owned(),
            label: cell(name).to_owned(),
            issuer_org: opt_cell(issuer_org).to_owned(),
            serial: cell(serial).to_owned(),
            sha256: fingerprint,
            valid_from: date(valid_from, VALID_FROM)?,
            valid_to: date(valid_to, VALID_TO)?,
            trust_bits,
            unknown_trust_bits,
            tls_distrust_after: date(Some(tls), TLS_DISTRUST)?,
            smime_distrust_after: date(Some(smime), SMIME_DISTRUST)?,
            mozilla_applied_constraints: cell(constraints).to_owned(),
            chrome: None,
            certificate,
        });
    }
    Ok(Report {
        roots,
        columns: table.columns,
    })
}

/// `Trust Bits` is a `;`-separated list. Unknown values are returned, not rejected.
fn parse_trust_bits(value: &str) -> (TrustBits, Vec<String>) {
    let mut bits = TrustBits::default();
    let mut unknown = Vec::new();
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "Websites" => bits.websites = true,
            "Email" => bits.email = true,
            "Code" => bits.code = true,
            "All Trust Bits Turned Off" => bits.all_off = true,
            other => unknown.push(other.to_owned()),
        }
    }
    (bits, unknown)
}

/// A `YYYY.MM.DD` date; an empty cell is `None`.
fn parse_date(value: &str) -> Result<Option<Date>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year].[month].[day]");
    Date::parse(value, format)
        .map(Some)
        .map_err(|e| format!("invalid date \"{value}\" (expected YYYY.MM.DD): {e}"))
}

/// `PEM Info` is wrapped in single quotes inside the CSV quotes; line endings inside vary
/// (LF, CRLF, trailing spaces), which the PEM reader accepts.
fn unquote_pem(value: &str) -> Result<&str, String> {
    let v = value.trim();
    match (v.strip_prefix('\''), v.ends_with('\'') && v.len() > 1) {
        (Some(rest), true) => Ok(&rest[..rest.len() - 1]),
        (Some(_), false) => {
            Err("the PEM is not closed by a single quote (is the file truncated?)".into())
        }
        // Tolerate a report that drops the quotes: the PEM reader decides.
        (None, _) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_bits() {
        fn check(input: &str, expected: TrustBits, unknown: &[&str]) {
            let (bits, unk) = parse_trust_bits(input);
            assert_eq!(bits, expected, "{input:?}");
            assert_eq!(unk, unknown, "{input:?}");
        }
        let t = |websites, email, code, all_off| TrustBits {
            websites,
            email,
            code,
            all_off,
        };
        check("", t(false, false, false, false), &[]);
        check("Websites", t(true, false, false, false), &[]);
        check("Email", t(false, true, false, false), &[]);
        check("Websites;Email", t(true, true, false, false), &[]);
        check("Websites; Email ;Code", t(true, true, true, false), &[]);
        check(
            "All Trust Bits Turned Off",
            t(false, false, false, true),
            &[],
        );
        check(
            "Websites;Client Auth",
            t(true, false, false, false),
            &["Client Auth"],
        );
        check("websites", t(false, false, false, false), &["websites"]);
    }

    #[test]
    fn dates() {
        fn check(input: &str, expected: Result<Option<(i32, u8, u8)>, ()>) {
            let got =
                parse_date(input).map(|d| d.map(|d| (d.year(), u8::from(d.month()), d.day())));
            assert_eq!(got.map_err(|_| ()), expected, "{input:?}");
        }
        check("", Ok(None));
        check("2025.04.15", Ok(Some((2025, 4, 15))));
        check("1999.12.31", Ok(Some((1999, 12, 31))));
        check("2025-04-15", Err(()));
        check("2025.4.15", Err(()));
        check("2025.02.30", Err(()));
        check("15.04.2025", Err(()));
    }

    #[test]
    fn pem_quotes() {
        fn check(input: &str, expected: Result<&str, ()>) {
            assert_eq!(unquote_pem(input).map_err(|_| ()), expected, "{input:?}");
        }
        check("'abc'", Ok("abc"));
        check(" 'abc' ", Ok("abc"));
        check("''", Ok(""));
        check("abc", Ok("abc"));
        check("'abc", Err(()));
        check("'", Err(()));
    }
}
