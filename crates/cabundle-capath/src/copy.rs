//! What makes a copy a copy: the marker line `--copy` writes first in every copy.
//!
//! A hash-named regular file is managed (replaced, removed) only when it starts with
//! [`COPY_MARKER`]: a user's own `12345678.0`, even byte-identical to a certificate beside
//! it, is never touched. The marker is a comment line before the PEM block, which every PEM
//! reader skips (OpenSSL's `PEM_read_bio` ignores text before `-----BEGIN`), so OpenSSL's
//! `-CApath` lookups load a copy like the file it copies; `openssl rehash` reads only names
//! with a certificate extension, so it ignores copies. A copy of a DER file (`--der`) is that
//! certificate or CRL in PEM, as a comment cannot precede DER.
//!
//! A copy's bytes are a function of the copied file's name and bytes ([`copy_bytes`]): a copy
//! is recognised as current when its SHA-1 is that of the copy the file would get now.

use crate::content::Content;
use cabundle_cert::ObjectKind;
use sha1::{Digest, Sha1};
use std::ffi::OsStr;

/// The start of the first line of every copy: `# cabundle rehash: copy of <file>`.
pub const COPY_MARKER: &[u8] = b"# cabundle rehash: copy of ";

/// Whether `bytes` are a copy written by `--copy` (they start with [`COPY_MARKER`]).
pub fn is_copy(bytes: &[u8]) -> bool {
    bytes.starts_with(COPY_MARKER)
}

/// The bytes of the copy of the file `name` holding `data`, whose content is `content`: the
/// marker line naming the file (control characters shown as `?`), then the file's bytes
/// (PEM), or the PEM encoding of its one object (DER).
pub fn copy_bytes(name: &OsStr, data: &[u8], content: &Content) -> Vec<u8> {
    let shown: String = name
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let mut out = Vec::with_capacity(COPY_MARKER.len() + shown.len() + 1 + data.len());
    out.extend_from_slice(COPY_MARKER);
    out.extend_from_slice(shown.as_bytes());
    out.push(b'\n');
    let is_pem = data.windows(11).any(|w| w == b"-----BEGIN ");
    match content {
        Content::Object(object) if !is_pem => {
            let label = match object.kind {
                ObjectKind::Crl => "X509 CRL",
                _ => "CERTIFICATE",
            };
            out.extend_from_slice(cabundle_cert::encode_pem(label, data).as_bytes());
        }
        _ => out.extend_from_slice(data),
    }
    out
}

/// SHA-1 of [`copy_bytes`]: how the plan matches a copy with the file it copies.
pub fn copy_sha1(name: &OsStr, data: &[u8], content: &Content) -> [u8; 20] {
    Sha1::digest(copy_bytes(name, data, content)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_names_its_file_and_keeps_its_bytes() {
        let pem = b"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";
        let content = Content::NotExactlyOne { count: 1 };
        let copy = copy_bytes(OsStr::new("root\n.pem"), pem, &content);
        let mut want = b"# cabundle rehash: copy of root?.pem\n".to_vec();
        want.extend_from_slice(pem);
        assert_eq!(copy, want);
        assert!(is_copy(&copy));
        assert!(!is_copy(pem));
    }
}
