//! A tolerant PEM block scanner.
//!
//! Real bundles carry comments between blocks, CRLF line endings and trailing spaces, and a
//! truncated block must be reported with its index rather than skipped. The `pem` crate (3.x)
//! copes with the first three but its `parse_many` silently drops a block with no END line, so
//! blocks are found line by line here and their bodies decoded with `base64`. Like OpenSSL, a
//! `BEGIN` line must start its line. Unlike OpenSSL, blank lines inside a block are skipped:
//! a dozen PEM fields in CCADB's all-certificates report have them and `openssl x509` refuses
//! those. A UTF-8 byte order mark at the very start is skipped, as OpenSSL's PEM reader and
//! Python's `ssl` do (editors on Windows write one).

use crate::{Error, PemBlock, Result};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard alphabet, lenient about padding and trailing bits as OpenSSL's decoder is.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn trim_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &line[..end]
}

/// The start of a `-----BEGIN label-----` line.
const BEGIN: &[u8] = b"-----BEGIN ";
/// The start of a `-----END label-----` line.
const END: &[u8] = b"-----END ";

/// The label of a line `{prefix}label-----`, where `prefix` is [`BEGIN`] or [`END`].
/// Called on every line of a bundle, so it compares bytes and allocates nothing.
fn block_label<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)?.strip_suffix(b"-----")
}

/// Finds every PEM block in `text`; see [`crate::pem_blocks`].
pub(crate) fn blocks(text: &[u8]) -> Result<Vec<PemBlock>> {
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let mut out = Vec::new();
    let mut lines = text.split(|&b| b == b'\n').map(trim_end);
    while let Some(line) = lines.next() {
        let Some(begin) = block_label(line, BEGIN) else {
            continue;
        };
        let index = out.len();
        let label = String::from_utf8_lossy(begin).into_owned();
        let err = |reason: String| Error::Pem {
            index,
            label: label.clone(),
            reason,
        };
        let mut body = Vec::new();
        let mut ended = false;
        let mut in_headers = true;
        for line in lines.by_ref() {
            if let Some(end) = block_label(line, END) {
                if end != begin {
                    return Err(err(format!(
                        "END line says {:?}",
                        String::from_utf8_lossy(end)
                    )));
                }
                ended = true;
                break;
            }
            if block_label(line, BEGIN).is_some() {
                return Err(err("a new BEGIN line before the END line".into()));
            }
            // RFC 1421 headers (`Proc-Type: ...`) and the blank line after them.
            if in_headers && line.contains(&b':') {
                continue;
            }
            in_headers = false;
            body.extend(line.iter().copied().filter(|b| !b.is_ascii_whitespace()));
        }
        if !ended {
            return Err(err("no END line (truncated?)".into()));
        }
        let contents = BASE64
            .decode(&body)
            .map_err(|e| err(format!("invalid base64: {}", base64_reason(&e))))?;
        if contents.is_empty() {
            return Err(err("empty block".into()));
        }
        out.push(PemBlock { label, contents });
    }
    Ok(out)
}

/// A lower-case reason for a base64 error (offsets count base64 characters in the body).
fn base64_reason(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(offset, byte) => {
            format!(
                "invalid character {:?} at offset {offset}",
                char::from(*byte)
            )
        }
        base64::DecodeError::InvalidLength(len) => {
            format!("{len} characters is not a valid length")
        }
        base64::DecodeError::InvalidLastSymbol(offset, _) => {
            format!("invalid last character at offset {offset}")
        }
        base64::DecodeError::InvalidPadding => "invalid padding".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &[(&str, &[u8])]) {
        let got = blocks(input.as_bytes()).unwrap();
        let got: Vec<(&str, &[u8])> = got
            .iter()
            .map(|b| (b.label.as_str(), b.contents.as_slice()))
            .collect();
        assert_eq!(got, expected, "{input:?}");
    }

    fn check_err(input: &str, expected: &str) {
        let err = blocks(input.as_bytes()).unwrap_err().to_string();
        assert!(err.contains(expected), "{input:?}: {err}");
    }

    #[test]
    fn tolerant() {
        check("", &[]);
        check("no blocks here\n", &[]);
        check(
            "-----BEGIN X-----\nAQID\n-----END X-----\n",
            &[("X", &[1, 2, 3])],
        );
        check(
            "-----BEGIN X-----\r\nAQID\r\n-----END X-----\r\n",
            &[("X", &[1, 2, 3])],
        );
        check(
            "-----BEGIN X-----  \nAQ ID \t\n-----END X----- \n",
            &[("X", &[1, 2, 3])],
        );
        check(
            "# comment\n-----BEGIN A-----\nAQ==\n-----END A-----\ntext\n-----BEGIN B C-----\nAg\n-----END B C-----",
            &[("A", &[1]), ("B C", &[2])],
        );
        check(
            "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nAQID\n-----END X-----\n",
            &[("X", &[1, 2, 3])],
        );
        // A UTF-8 byte order mark before the first line; only at the very start.
        check(
            "\u{feff}-----BEGIN X-----\r\nAQID\r\n-----END X-----\r\n",
            &[("X", &[1, 2, 3])],
        );
        check("\u{feff}", &[]);
        check(
            "text\n\u{feff}-----BEGIN X-----\nAQID\n-----END X-----\n",
            &[],
        );
    }

    #[test]
    fn errors() {
        check_err("-----BEGIN X-----\nAQID\n", "block 0 (X): no END line");
        check_err(
            "-----BEGIN X-----\nA!ID\n-----END X-----\n",
            "invalid base64",
        );
        check_err("-----BEGIN X-----\nAQID\n-----END Y-----\n", "END line");
        check_err(
            "-----BEGIN X-----\nAQ==\n-----END X-----\n-----BEGIN Y-----\nAQ==\n",
            "block 1 (Y)",
        );
        check_err("-----BEGIN X-----\n-----END X-----\n", "empty block");
    }
}
