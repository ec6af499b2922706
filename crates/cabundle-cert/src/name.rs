//! X.501 names: OpenSSL's canonical encoding and subject-name hashes, and a one-line display.
//!
//! The canonical form follows OpenSSL's `x509_name_canon` and `asn1_string_canon`
//! (`crypto/x509/x_name.c`): string values of the types in `ASN1_MASK_CANON` are converted to
//! UTF-8 as `ASN1_STRING_to_UTF8` does, trimmed, with inner runs of ASCII whitespace folded to
//! one space and ASCII letters lower-cased, then re-encoded as UTF8String; values of other types
//! are kept with their original tag. Each RDN is re-encoded as a DER SET (so its entries are
//! sorted by encoding) and the SETs are concatenated with no outer SEQUENCE; empty RDNs vanish.
//! A value whose type OpenSSL does not accept in a name at all (see `allowed_in_name`), or a
//! string it cannot convert, is an error: OpenSSL refuses to load such a certificate.
//!
//! Every rule here is checked against `openssl x509 -subject_hash` on the generated corpus
//! (`cabundle-testkit`) and on all CCADB roots (`tests/openssl.rs`).

use crate::asn1::{self, Element as Tlv, tag};
use crate::{Error, Result, SubjectHash};
use md5::Md5;
use sha1::{Digest, Sha1};
use std::borrow::Cow;

/// The attribute type and value of one name entry, and the index of its RDN.
struct Entry<'a> {
    rdn: usize,
    oid: Tlv<'a>,
    value: Tlv<'a>,
}

/// Splits a DER `Name` into its entries, in order, each with the index of its RDN. An empty
/// RDN leaves no entry (OpenSSL drops it from the canonical form, having nothing to carry).
fn rdns(name_der: &[u8]) -> Result<Vec<Entry<'_>>> {
    let err = |reason: String| Error::Name(reason);
    let (seq, _) = asn1::expect(name_der, tag::SEQUENCE, "name").map_err(err)?;
    let mut out = Vec::new();
    for (rdn, set) in asn1::children(seq.content)
        .map_err(err)?
        .into_iter()
        .enumerate()
    {
        if set.tag != tag::SET {
            return Err(err(format!(
                "name: expected a SET for each RDN, found tag 0x{:02x}",
                set.tag
            )));
        }
        for atv in asn1::children(set.content).map_err(err)? {
            if atv.tag != tag::SEQUENCE {
                return Err(err("name: attribute is not a SEQUENCE".into()));
            }
            let (oid, rest) =
                asn1::expect(atv.content, tag::OID, "name attribute type").map_err(err)?;
            let (value, _) =
                asn1::read(rest).map_err(|e| err(format!("name attribute value: {e}")))?;
            out.push(Entry { rdn, oid, value });
        }
    }
    Ok(out)
}

/// A DER `Name` split into its RDNs once, for hashing, display and the common name.
pub(crate) struct Name<'a> {
    der: &'a [u8],
    entries: Result<Vec<Entry<'a>>>,
}

impl<'a> Name<'a> {
    /// Splits `der` with the element reader of [`crate::asn1`].
    pub(crate) fn parse(der: &'a [u8]) -> Name<'a> {
        Name {
            der,
            entries: rdns(der),
        }
    }

    /// Takes the RDNs x509-parser already split, when they cover all of `der` (the whole
    /// encoding of the name): x509-parser stops before an empty RDN, which OpenSSL accepts,
    /// and then the name is split again by [`Name::parse`].
    pub(crate) fn from_x509(name: &x509_parser::x509::X509Name<'_>, der: &'a [u8]) -> Name<'a> {
        if name.as_raw().len() != der.len() {
            return Name::parse(der);
        }
        let base = der.as_ptr() as usize;
        let offset = |s: &[u8]| (s.as_ptr() as usize).checked_sub(base);
        let mut out = Vec::with_capacity(name.iter_rdn().size_hint().0);
        for (index, rdn) in name.iter_rdn().enumerate() {
            for atv in rdn.iter() {
                let oid = atv.attr_type().as_bytes();
                let data = atv.attr_value().data;
                // The value's element runs from the end of the type OID to the end of its data.
                let (Some(start), Some(data_start)) = (offset(oid), offset(data)) else {
                    return Name::parse(der);
                };
                let value_start = start + oid.len();
                let end = data_start + data.len();
                let (Some(oid), Some(raw), Some(data)) = (
                    der.get(start..value_start),
                    der.get(value_start..end).filter(|r| !r.is_empty()),
                    der.get(data_start..end),
                ) else {
                    return Name::parse(der);
                };
                out.push(Entry {
                    rdn: index,
                    oid: Tlv {
                        tag: tag::OID,
                        content: oid,
                        raw: oid,
                    },
                    value: Tlv {
                        tag: raw[0],
                        content: data,
                        raw,
                    },
                });
            }
        }
        Name {
            der,
            entries: Ok(out),
        }
    }

    /// OpenSSL's canonical encoding (`x509_name_canon`).
    pub(crate) fn canonical(&self) -> Result<Vec<u8>> {
        let entries = self
            .entries
            .as_ref()
            .map_err(|e| Error::Name(name_reason(e)))?;
        let mut out = Vec::with_capacity(self.der.len() + 16);
        let mut scratch = Vec::new();
        let mut set = Vec::new();
        for rdn in entries.chunk_by(|a, b| a.rdn == b.rdn) {
            match rdn {
                [] => {}
                [one] => {
                    set.clear();
                    canon_entry(one, &mut set, &mut scratch)?;
                    asn1::push_header(&mut out, tag::SET, set.len());
                    out.extend_from_slice(&set);
                }
                many => {
                    let mut encoded = Vec::with_capacity(many.len());
                    for entry in many {
                        let mut e = Vec::new();
                        canon_entry(entry, &mut e, &mut scratch)?;
                        encoded.push(e);
                    }
                    // DER SET OF: elements in ascending order of their encodings.
                    encoded.sort();
                    asn1::push_header(&mut out, tag::SET, encoded.iter().map(Vec::len).sum());
                    for e in encoded {
                        out.extend_from_slice(&e);
                    }
                }
            }
        }
        Ok(out)
    }

    /// `X509_NAME_hash_ex`, with the name's role (`subject`, `issuer`) in the error.
    pub(crate) fn hash(&self, role: &str) -> Result<SubjectHash> {
        match self.canonical() {
            Ok(canon) => Ok(first_four_le(&Sha1::digest(canon))),
            Err(Error::Name(reason)) => Err(Error::Name(format!("{role}: {reason}"))),
            Err(other) => Err(other),
        }
    }

    /// `X509_NAME_hash_old`.
    pub(crate) fn hash_old(&self) -> SubjectHash {
        hash_old(self.der)
    }

    /// The text of the most specific common name (the last `CN` in DER order), decoded from
    /// its string type; `None` when the name has no CN or does not parse.
    pub(crate) fn common_name(&self) -> Option<String> {
        const CN: &[u8] = &[0x55, 0x04, 0x03];
        let value = self
            .entries
            .as_ref()
            .ok()?
            .iter()
            .rev()
            .find(|e| e.oid.content == CN)?
            .value;
        match to_utf8(&value) {
            Some(Ok(text)) => Some(text.into_owned()),
            _ if value.tag == tag::NUMERIC_STRING => {
                Some(value.content.iter().map(|&b| char::from(b)).collect())
            }
            _ => None,
        }
    }

    /// A one-line RFC 4514-like rendering: most specific RDN first (`CN=..., O=..., C=...`),
    /// multi-valued RDNs joined with `+`. Falls back to hex when the name does not parse.
    pub(crate) fn display(&self) -> String {
        let Ok(entries) = &self.entries else {
            return format!("#{}", hex::encode(self.der));
        };
        let mut out = String::with_capacity(self.der.len());
        for rdn in entries.chunk_by(|a, b| a.rdn == b.rdn).rev() {
            if !out.is_empty() {
                out.push_str(", ");
            }
            for (i, e) in rdn.iter().enumerate() {
                if i > 0 {
                    out.push('+');
                }
                match short_name(e.oid.content) {
                    Some(key) => out.push_str(key),
                    None => out.push_str(&asn1::oid_to_string(e.oid.content)),
                }
                out.push('=');
                display_value(&e.value, &mut out);
            }
        }
        out
    }
}

/// The text of a stored parse error, for a fresh [`Error::Name`].
fn name_reason(e: &Error) -> String {
    match e {
        Error::Name(reason) => reason.clone(),
        other => other.to_string(),
    }
}

/// Converts a string value to UTF-8 as `ASN1_STRING_to_UTF8` does, for the types in
/// OpenSSL's `ASN1_MASK_CANON`. `None` for the other types, which are copied verbatim.
fn to_utf8<'a>(value: &Tlv<'a>) -> Option<Result<Cow<'a, str>>> {
    let bytes = value.content;
    // Latin-1 that is all ASCII is already UTF-8: no copy (the common case).
    let latin1 = || match std::str::from_utf8(bytes) {
        Ok(text) if bytes.is_ascii() => Ok(Cow::Borrowed(text)),
        _ => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
    };
    let wide = |width: usize, kind: &str| -> Result<Cow<'a, str>> {
        if !bytes.len().is_multiple_of(width) {
            return Err(Error::Name(format!(
                "{kind} of {} bytes is not a multiple of {width}",
                bytes.len()
            )));
        }
        bytes
            .chunks(width)
            .map(|c| {
                let v = c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
                char::from_u32(v).ok_or_else(|| {
                    Error::Name(format!("{kind} holds invalid code point U+{v:04X}"))
                })
            })
            .collect::<Result<String>>()
            .map(Cow::Owned)
    };
    Some(match value.tag {
        tag::UTF8_STRING => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| Error::Name(format!("invalid UTF8String: {e}"))),
        tag::PRINTABLE_STRING | tag::T61_STRING | tag::IA5_STRING | tag::VISIBLE_STRING => latin1(),
        tag::BMP_STRING => wide(2, "BMPString"),
        tag::UNIVERSAL_STRING => wide(4, "UniversalString"),
        _ => return None,
    })
}

/// OpenSSL's `ossl_isspace`: the C locale's white space.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `asn1_string_canon` on UTF-8 bytes: trim, fold inner whitespace runs, lower-case ASCII.
#[cfg(test)]
fn canon_text(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    canon_text_into(text, &mut out);
    out
}

/// [`canon_text`], appended to `out`.
fn canon_text_into(text: &[u8], out: &mut Vec<u8>) {
    let mut pending_space = false;
    let start = out.len();
    for &b in text {
        if is_space(b) {
            pending_space = true;
            continue;
        }
        if pending_space && out.len() > start {
            out.push(b' ');
        }
        pending_space = false;
        out.push(b.to_ascii_lowercase());
    }
}

/// Whether OpenSSL accepts a value with this identifier octet in a name: the `ASN1_PRINTABLE`
/// multi-string (`B_ASN1_PRINTABLE` through `ASN1_tag2bit`), which leaves out VisibleString,
/// VideotexString, GraphicString, GeneralString, the times, SET and OCTET STRING. OpenSSL
/// refuses to load a certificate whose name holds any other type.
fn allowed_in_name(tag: u8) -> bool {
    matches!(
        tag,
        0x03
            | 0x07..=0x09
            | 0x0b
            | tag::UTF8_STRING
            | 0x0d..=0x0f
            | tag::NUMERIC_STRING
            | tag::PRINTABLE_STRING
            | tag::T61_STRING
            | tag::IA5_STRING
            | tag::UNIVERSAL_STRING
            | 0x1d
            | tag::BMP_STRING
            | tag::SEQUENCE
    )
}

/// The canonical encoding of one entry, `SEQUENCE { type, canonical value }`, appended to
/// `out`; `scratch` is a buffer for the value, reused between entries.
fn canon_entry(entry: &Entry<'_>, out: &mut Vec<u8>, scratch: &mut Vec<u8>) -> Result<()> {
    if !allowed_in_name(entry.value.tag) {
        return Err(Error::Name(format!(
            "attribute {} has a value of type 0x{:02x}, which OpenSSL does not accept in a name",
            asn1::oid_to_string(entry.oid.content),
            entry.value.tag
        )));
    }
    scratch.clear();
    let (value_tag, value): (Option<u8>, &[u8]) = match to_utf8(&entry.value) {
        Some(text) => {
            canon_text_into(text?.as_bytes(), scratch);
            (Some(tag::UTF8_STRING), &scratch[..])
        }
        None if entry.value.tag & 0x20 == 0 && entry.value.tag & 0x1f != 0x1f => {
            (Some(entry.value.tag), entry.value.content)
        }
        None => (None, entry.value.raw),
    };
    let value_len = match value_tag {
        Some(_) => asn1::element_len(value.len()),
        None => value.len(),
    };
    asn1::push_header(
        out,
        tag::SEQUENCE,
        asn1::element_len(entry.oid.content.len()) + value_len,
    );
    asn1::push_header(out, tag::OID, entry.oid.content.len());
    out.extend_from_slice(entry.oid.content);
    if let Some(t) = value_tag {
        asn1::push_header(out, t, value.len());
    }
    out.extend_from_slice(value);
    Ok(())
}

/// OpenSSL's canonical encoding of a DER `Name` (`x509_name_canon`).
pub(crate) fn canonical(name_der: &[u8]) -> Result<Vec<u8>> {
    Name::parse(name_der).canonical()
}

fn first_four_le(digest: &[u8]) -> SubjectHash {
    SubjectHash(u32::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

/// `X509_NAME_hash_ex`.
pub(crate) fn hash(name_der: &[u8]) -> Result<SubjectHash> {
    Ok(first_four_le(&Sha1::digest(canonical(name_der)?)))
}

/// [`hash`], with the name's role (`subject`, `issuer`) in the error.
pub(crate) fn hash_of(role: &str, name_der: &[u8]) -> Result<SubjectHash> {
    Name::parse(name_der).hash(role)
}

/// `X509_NAME_hash_old`.
pub(crate) fn hash_old(name_der: &[u8]) -> SubjectHash {
    first_four_le(&Md5::digest(name_der))
}

/// The short name of a well-known attribute type (by its OID's content octets), as OpenSSL
/// prints it.
fn short_name(oid: &[u8]) -> Option<&'static str> {
    // 2.5.4.n, then the few others.
    if let [0x55, 0x04, n] = oid {
        return Some(match n {
            3 => "CN",
            4 => "SN",
            5 => "serialNumber",
            6 => "C",
            7 => "L",
            8 => "ST",
            9 => "street",
            10 => "O",
            11 => "OU",
            12 => "title",
            13 => "description",
            15 => "businessCategory",
            17 => "postalCode",
            42 => "GN",
            43 => "initials",
            44 => "generationQualifier",
            46 => "dnQualifier",
            65 => "pseudonym",
            97 => "organizationIdentifier",
            _ => return None,
        });
    }
    Some(match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "emailAddress",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => "UID",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => "DC",
        [
            0x2b,
            0x06,
            0x01,
            0x04,
            0x01,
            0x82,
            0x37,
            0x3c,
            0x02,
            0x01,
            0x01,
        ] => "jurisdictionL",
        [
            0x2b,
            0x06,
            0x01,
            0x04,
            0x01,
            0x82,
            0x37,
            0x3c,
            0x02,
            0x01,
            0x02,
        ] => "jurisdictionST",
        [
            0x2b,
            0x06,
            0x01,
            0x04,
            0x01,
            0x82,
            0x37,
            0x3c,
            0x02,
            0x01,
            0x03,
        ] => "jurisdictionC",
        _ => return None,
    })
}

/// A readable text for one value: the decoded string, or `#` and hex for other types.
fn display_value(value: &Tlv<'_>, out: &mut String) {
    let text = match to_utf8(value) {
        Some(Ok(text)) => text,
        _ if value.tag == tag::NUMERIC_STRING => {
            Cow::Owned(value.content.iter().map(|&b| char::from(b)).collect())
        }
        _ => {
            out.push('#');
            out.push_str(&hex::encode(value.raw));
            return;
        }
    };
    let last = text.chars().count().saturating_sub(1);
    for (i, c) in text.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push_str(&format!("\\{:02X}", u32::from(c)));
        } else if crate::text::needs_escape(c) {
            // Bidirectional and line-separating characters: as `cabundle_cert::text` writes them.
            out.push_str(&crate::text::escape(&c.to_string()));
        } else {
            out.push(c);
        }
    }
}

/// [`Name::common_name`] of a DER `Name`.
pub(crate) fn common_name(name_der: &[u8]) -> Option<String> {
    Name::parse(name_der).common_name()
}

/// [`Name::display`] of a DER `Name`.
pub(crate) fn display(name_der: &[u8]) -> String {
    Name::parse(name_der).display()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An attribute: type OID content, value tag, value content.
    type Atv<'a> = (&'a [u8], u8, &'a [u8]);

    fn name(rdns: &[&[Atv<'_>]]) -> Vec<u8> {
        let mut content = Vec::new();
        for rdn in rdns {
            let mut set = Vec::new();
            for (oid, t, v) in *rdn {
                let mut atv = asn1::encode(tag::OID, oid);
                atv.extend(asn1::encode(*t, v));
                set.extend(asn1::encode(tag::SEQUENCE, &atv));
            }
            content.extend(asn1::encode(tag::SET, &set));
        }
        asn1::encode(tag::SEQUENCE, &content)
    }

    const CN: &[u8] = &[0x55, 0x04, 0x03];
    const O: &[u8] = &[0x55, 0x04, 0x0a];

    #[test]
    fn canon_text_cases() {
        let check = |input: &str, expected: &str| {
            assert_eq!(
                canon_text(input.as_bytes()),
                expected.as_bytes(),
                "{input:?}"
            );
        };
        check("", "");
        check("   ", "");
        check("Foo", "foo");
        check("  Foo  Bar\t\n", "foo bar");
        check("A\t \x0b\x0cB", "a b");
        check("ÄÖ Ü", "ÄÖ Ü");
        check("ÉCOLE", "École");
        check("MiXeD 123", "mixed 123");
    }

    #[test]
    fn canonical_cases() {
        let check =
            |der: Vec<u8>, expected: Vec<u8>| assert_eq!(canonical(&der).unwrap(), expected);
        // The empty name canonicalises to nothing.
        check(name(&[]), vec![]);
        // PrintableString becomes a lower-cased UTF8String; no outer SEQUENCE.
        let mut atv = asn1::encode(tag::OID, CN);
        atv.extend(asn1::encode(tag::UTF8_STRING, b"foo bar"));
        let expected = asn1::encode(tag::SET, &asn1::encode(tag::SEQUENCE, &atv));
        check(
            name(&[&[(CN, tag::PRINTABLE_STRING, b" Foo   BAR ")]]),
            expected.clone(),
        );
        // BMPString is UCS-2.
        check(
            name(&[&[(CN, tag::BMP_STRING, b"\0F\0o\0o\0 \0B\0a\0r")]]),
            expected,
        );
        // NumericString is kept verbatim.
        let mut atv = asn1::encode(tag::OID, CN);
        atv.extend(asn1::encode(tag::NUMERIC_STRING, b" 12  3"));
        let expected = asn1::encode(tag::SET, &asn1::encode(tag::SEQUENCE, &atv));
        check(name(&[&[(CN, tag::NUMERIC_STRING, b" 12  3")]]), expected);
        // Types outside OpenSSL's ASN1_PRINTABLE make the name unusable.
        assert!(canonical(&name(&[&[(CN, tag::VISIBLE_STRING, b"x")]])).is_err());
    }

    #[test]
    fn multi_valued_rdn_is_sorted() {
        let a = name(&[&[(O, tag::UTF8_STRING, b"b"), (CN, tag::UTF8_STRING, b"a")]]);
        let b = name(&[&[(CN, tag::UTF8_STRING, b"a"), (O, tag::UTF8_STRING, b"b")]]);
        assert_eq!(canonical(&a).unwrap(), canonical(&b).unwrap());
        assert_ne!(hash_old(&a), hash_old(&b));
    }

    #[test]
    fn bad_strings_are_errors() {
        assert!(canonical(&name(&[&[(CN, tag::BMP_STRING, b"\0a\0")]])).is_err());
        assert!(canonical(&name(&[&[(CN, tag::UNIVERSAL_STRING, b"\0\0\xd8\0")]])).is_err());
        assert!(canonical(&name(&[&[(CN, tag::UTF8_STRING, b"\xff")]])).is_err());
    }

    #[test]
    fn display_cases() {
        let check = |der: Vec<u8>, expected: &str| assert_eq!(display(&der), expected);
        check(name(&[]), "");
        check(
            name(&[
                &[(O, tag::PRINTABLE_STRING, b"Acme, Inc")],
                &[(CN, tag::UTF8_STRING, b"Root")],
            ]),
            "CN=Root, O=Acme\\, Inc",
        );
        check(
            name(&[&[(CN, tag::UTF8_STRING, b"a"), (O, tag::T61_STRING, b"\xe9")]]),
            "CN=a+O=é",
        );
    }
}
