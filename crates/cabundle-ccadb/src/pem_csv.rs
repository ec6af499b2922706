//! `AllCertificatePEMsCSVFormat`: two columns, `SHA-256 Fingerprint` and
//! `X.509 Certificate (PEM)`, one record per certificate the CCADB knows.

use rayon::prelude::*;

use crate::csv_util::{self, Table};
use crate::report::SHA256;
use crate::{Certificate, Error};

/// `X.509 Certificate (PEM)`.
pub const PEM_COLUMN: &str = "X.509 Certificate (PEM)";

/// One record of a fingerprint and PEM export.
#[derive(Clone, Debug)]
pub struct PemRecord {
    /// 1-based data record number.
    pub row: usize,
    /// The decoded certificate, whose SHA-256 equals the record's fingerprint.
    pub certificate: Certificate,
}

/// Parses a two-column `SHA-256 Fingerprint`, `X.509 Certificate (PEM)` CSV, checking each
/// certificate against its fingerprint. Repeated records are kept: the published files repeat
/// some certificates, which is harmless here because each record is checked on its own.
pub fn parse_pem_csv(bytes: &[u8]) -> Result<Vec<PemRecord>, Error> {
    let table = Table::read(bytes, &[SHA256, PEM_COLUMN])?;
    let sha256 = table.index(SHA256)?;
    let pem = table.index(PEM_COLUMN)?;
    // Records are independent and decoding dominates, so they are decoded in parallel; the
    // results are collected in order, so the first bad record is the one reported.
    let results: Vec<Result<PemRecord, Error>> = table
        .rows
        .par_iter()
        .enumerate()
        .map(|(i, record)| {
            let row = i + 1;
            let fingerprint = csv_util::parse_fingerprint(record.get(sha256).unwrap_or("").trim())
                .map_err(|message| Error::Cell {
                    row,
                    column: SHA256.to_owned(),
                    message,
                })?;
            let certificate = csv_util::decode_pem(record.get(pem).unwrap_or(""), row, PEM_COLUMN)?;
            csv_util::check_fingerprint(&certificate, fingerprint, row, SHA256)?;
            Ok(PemRecord { row, certificate })
        })
        .collect();
    results.into_iter().collect()
}
