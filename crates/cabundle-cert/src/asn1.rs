//! DER elements as the rest of this crate sees them: read with `asn1-rs` (x509-parser's own
//! reader), written back with the two helpers the canonical name encoding needs.
//!
//! Reading goes through `asn1_rs::Any`, so lengths, long tags and truncation are judged by the
//! crate, not here. What this module adds is the identifier octet and the whole encoding of
//! each element, which the name canonicalisation and the OpenSSL strictness check work on,
//! and the header writer of the canonical encoding.

use x509_parser::asn1_rs::{Any, FromDer, Oid};

/// Universal tag numbers (identifier octets) used in this crate.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const ENUMERATED: u8 = 0x0a;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const NUMERIC_STRING: u8 = 0x12;
    pub const PRINTABLE_STRING: u8 = 0x13;
    pub const T61_STRING: u8 = 0x14;
    pub const IA5_STRING: u8 = 0x16;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const VISIBLE_STRING: u8 = 0x1a;
    pub const UNIVERSAL_STRING: u8 = 0x1c;
    pub const BMP_STRING: u8 = 0x1e;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
}

/// One element: its first identifier octet, its content and its whole encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Element<'a> {
    /// The first identifier octet (class, constructed bit, and tag number when below 31).
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// Identifier, length and content.
    pub raw: &'a [u8],
}

/// Reads one element from the front of `input`, returning it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Element<'_>, &[u8]), String> {
    let (rest, any) = Any::from_der(input).map_err(|e| match e {
        x509_parser::nom::Err::Incomplete(_) => "unexpected end of data".to_owned(),
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => {
            e.to_string().to_lowercase()
        }
    })?;
    let raw = &input[..input.len() - rest.len()];
    Ok((
        Element {
            tag: raw[0],
            content: any.data,
            raw,
        },
        rest,
    ))
}

/// The whole element that starts where `part` starts, `part` being a slice of `within`.
///
/// x509-parser's `X509Name::as_raw` stops before an empty RDN (which OpenSSL accepts and
/// hashes), so the name's bytes are re-read from its header here.
pub(crate) fn whole_element<'a>(part: &[u8], within: &'a [u8]) -> Option<&'a [u8]> {
    let offset = (part.as_ptr() as usize).checked_sub(within.as_ptr() as usize)?;
    let (element, _) = read(within.get(offset..)?).ok()?;
    Some(element.raw)
}

/// Reads one element of the expected tag.
pub(crate) fn expect<'a>(
    input: &'a [u8],
    tag: u8,
    what: &str,
) -> Result<(Element<'a>, &'a [u8]), String> {
    let (element, rest) = read(input).map_err(|e| format!("{what}: {e}"))?;
    if element.tag != tag {
        return Err(format!(
            "{what}: expected tag 0x{tag:02x}, found 0x{:02x}",
            element.tag
        ));
    }
    Ok((element, rest))
}

/// Reads every element of a constructed value's content.
pub(crate) fn children(mut content: &[u8]) -> Result<Vec<Element<'_>>, String> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (element, rest) = read(content)?;
        out.push(element);
        content = rest;
    }
    Ok(out)
}

/// Appends an identifier octet and the DER length octets of `len` to `out`.
pub(crate) fn push_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// The size of an element with `len` content octets and a one-octet identifier.
pub(crate) fn element_len(len: usize) -> usize {
    let len_octets = match len {
        0..0x80 => 1,
        0x80..0x100 => 2,
        0x100..0x1_0000 => 3,
        0x1_0000..0x100_0000 => 4,
        _ => 5,
    };
    1 + len_octets + len
}

/// Encodes one element with a single-octet identifier.
#[cfg(test)]
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    push_header(&mut out, tag, content.len());
    out.extend_from_slice(content);
    out
}

/// An OBJECT IDENTIFIER's content in dotted form (`2.5.4.3`).
pub(crate) fn oid_to_string(content: &[u8]) -> String {
    Oid::new(content.into()).to_id_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids() {
        let check = |content: &[u8], expected: &str| assert_eq!(oid_to_string(content), expected);
        check(&[0x55, 0x04, 0x03], "2.5.4.3");
        check(
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01],
            "1.2.840.113549.1.9.1",
        );
        check(&[0x09, 0x92, 0x26], "0.9.2342");
    }

    #[test]
    fn lengths() {
        for len in [0usize, 1, 127, 128, 255, 256, 70000] {
            let raw = encode(tag::OCTET_STRING, &vec![7; len]);
            let (element, rest) = read(&raw).unwrap();
            assert_eq!(element.content.len(), len);
            assert_eq!(element.raw, raw.as_slice());
            assert!(rest.is_empty());
        }
        assert!(read(&[0x30, 0x05, 0x00]).is_err());
        assert!(read(&[0x30, 0x80]).is_err());
        assert!(read(&[]).is_err());
    }
}
