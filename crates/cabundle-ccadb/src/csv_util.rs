//! What the CSV reports have in common: telling a report from an error page, binding
//! columns by header name, and decoding a PEM cell checked against a fingerprint cell.

use crate::{Certificate, Error, Sha256Fingerprint};

/// The column names of the first line of `bytes` (after an optional byte order mark), quotes
/// and whitespace trimmed; `None` when that line is not UTF-8. For telling which report a body
/// is before parsing it: only the first line is looked at.
pub(crate) fn header_columns(bytes: &[u8]) -> Option<Vec<&str>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = std::str::from_utf8(first).ok()?;
    Some(
        first
            .split(',')
            .map(|c| c.trim().trim_matches('"').trim())
            .collect(),
    )
}

/// A CSV body split into a trimmed header and its data records.
pub(crate) struct Table {
    /// Header names, whitespace trimmed.
    pub columns: Vec<String>,
    /// Data records, in order (record `i` is row `i + 1`).
    pub rows: Vec<csv::StringRecord>,
}

impl Table {
    /// Reads `bytes` as CSV after checking it is not empty, binary, HTML or JSON. When none of
    /// the `expected` columns is in the header, the body is reported as not a CSV report at
    /// all rather than as missing every column.
    pub fn read(bytes: &[u8], expected: &[&str]) -> Result<Table, Error> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        sniff(bytes)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(bytes);
        let mut records = reader.records();
        let header = match records.next() {
            Some(r) => r.map_err(csv_error)?,
            None => return Err(Error::Empty),
        };
        let columns: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        if !expected.iter().any(|e| columns.iter().any(|c| c == e)) {
            let first_line = String::from_utf8_lossy(bytes)
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect::<String>();
            return Err(Error::NotCsv {
                looks_like: format!(
                    "text starting {first_line:?}, with none of the expected columns"
                ),
            });
        }
        for (i, c) in columns.iter().enumerate() {
            if !c.is_empty() && columns[..i].contains(c) {
                return Err(Error::Csv {
                    row: 0,
                    message: format!("the header names column \"{c}\" twice"),
                });
            }
        }
        let rows = records.collect::<Result<Vec<_>, _>>().map_err(csv_error)?;
        if rows.is_empty() {
            return Err(Error::NoRows);
        }
        let table = Table { columns, rows };
        for name in expected {
            table.index(name)?;
        }
        Ok(table)
    }

    /// The position of a required column.
    pub fn index(&self, name: &str) -> Result<usize, Error> {
        self.optional(name).ok_or_else(|| Error::MissingColumn {
            column: name.to_owned(),
        })
    }

    /// The position of a column that may be absent.
    pub fn optional(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// Rejects bodies that are plainly not CSV, with a message saying what they look like.
fn sniff(bytes: &[u8]) -> Result<(), Error> {
    let head = &bytes[..bytes.len().min(4096)];
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty);
    }
    let not_csv = |what: &str| {
        Err(Error::NotCsv {
            looks_like: what.to_owned(),
        })
    };
    // Binary data has NUL bytes or many control bytes. A text report may still carry a few
    // control characters in a label (someone's typo, or someone's attack): those are kept as
    // data and escaped wherever they are shown. A stray non-UTF-8 byte in a field is left to
    // the CSV reader, which names its row.
    let controls = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')) || b == 0x7F)
        .count();
    if head.contains(&0) || controls * 32 > head.len() {
        return not_csv("binary data");
    }
    let text = String::from_utf8_lossy(head)
        .trim_start()
        .to_ascii_lowercase();
    if text.starts_with("<!doctype html") || text.starts_with("<html") || text.contains("<body") {
        return not_csv("an HTML page");
    }
    if text.starts_with('<') {
        return not_csv("an XML or HTML document");
    }
    if text.starts_with('{') || text.starts_with('[') {
        return not_csv("a JSON document");
    }
    Ok(())
}

fn csv_error(e: csv::Error) -> Error {
    // `record` counts the header as record 0, which is what data rows are numbered from.
    let row = e.position().map_or(0, |p| p.record() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("found {len} fields, expected {expected_len} (is the file truncated?)"),
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not UTF-8", err.field() + 1),
        _ => e.to_string(),
    };
    Error::Csv { row, message }
}

/// A `SHA-256 Fingerprint` cell: 64 hex digits, either case.
pub(crate) fn parse_fingerprint(value: &str) -> Result<Sha256Fingerprint, String> {
    let mut out = [0u8; 32];
    match hex::decode_to_slice(value, &mut out) {
        Ok(()) => Ok(Sha256Fingerprint(out)),
        Err(_) => Err(format!(
            "invalid SHA-256 fingerprint \"{value}\" (expected 64 hex digits)"
        )),
    }
}

/// Decodes the one certificate of a PEM cell.
pub(crate) fn decode_pem(text: &str, row: usize, column: &str) -> Result<Certificate, Error> {
    let cell_error = |message: String| Error::Cell {
        row,
        column: column.to_owned(),
        message,
    };
    let cert_error = |error| Error::Certificate {
        row,
        column: column.to_owned(),
        error,
    };
    if text.trim().is_empty() {
        return Err(cell_error("the PEM is empty".into()));
    }
    let blocks = cabundle_cert::pem_blocks(text.as_bytes()).map_err(cert_error)?;
    let mut certs = blocks.iter().filter(|b| b.label == "CERTIFICATE");
    let block = match (certs.next(), certs.next()) {
        (Some(b), None) => b,
        (None, _) => return Err(cell_error("no PEM certificate found".into())),
        (Some(_), Some(_)) => {
            return Err(cell_error(
                "more than one PEM certificate in one cell".into(),
            ));
        }
    };
    Certificate::from_der(&block.contents).map_err(cert_error)
}

/// The decoded certificate must be the one the fingerprint column names.
pub(crate) fn check_fingerprint(
    certificate: &Certificate,
    expected: Sha256Fingerprint,
    row: usize,
    column: &str,
) -> Result<(), Error> {
    if certificate.sha256 == expected {
        Ok(())
    } else {
        Err(Error::FingerprintMismatch {
            row,
            column: column.to_owned(),
            expected,
            actual: certificate.sha256,
        })
    }
}
