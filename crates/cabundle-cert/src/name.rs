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

/// The attribute type and value of one name entry.
struct Entry<'a> {
    oid: Tlv<'a>,
    value: Tlv<'a>,
}

/// Splits a DER `Name` into its RDNs, each a list of entries. Empty RDNs are kept as empty
/// lists (OpenSSL drops them from the canonical form, having no entry to carry them).
fn rdns(name_der: &[u8]) -> Result<Vec<Vec<Entry<'_>>>> {
    let err = |reason: String| Error::Name(reason);
    let (seq, _) = asn1::expect(name_der, tag::SEQUENCE, "name").map_err(err)?;
    let mut out = Vec::new();
    for set in asn1::children(seq.content).map_err(err)? {
        if set.tag != tag::SET {
            return Err(err(format!(
                "name: expected a SET for each RDN, found tag 0x{:02x}",
                set.tag
            )));
        }
        let mut entries = Vec::new();
        for atv in asn1::children(set.content).map_err(err)? {
            if atv.tag != tag::SEQUENCE {
                return Err(err("name: attribute is not a SEQUENCE".into()));
            }
            let (oid, rest) =
                asn1::expect(atv.content, tag::OID, "name attribute type").map_err(err)?;
            let (value, _) =
                asn1::read(rest).map_err(|e| err(format!("name attribute value: {e}")))?;
            entries.push(Entry { oid, value });
        }
        out.push(entries);
    }
    Ok(out)
}

/// Converts a string value to UTF-8 as `ASN1_STRING_to_UTF8` does, for the types in
/// OpenSSL's `ASN1_MASK_CANON`. `None` for the other types, which are copied verbatim.
fn to_utf8(value: &Tlv<'_>) -> Option<Result<String>> {
    let bytes = value.content;
    let latin1 = || Ok(bytes.iter().map(|&b| char::from(b)).collect());
    let wide = |width: usize, kind: &str| -> Result<String> {
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
            .collect()
    };
    Some(match value.tag {
        tag::UTF8_STRING => std::str::from_utf8(bytes)
            .map(str::to_owned)
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
fn canon_text(text: &[u8]) -> Vec<u8> {
    let start = text
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    let mut out = Vec::with_capacity(end - start);
    let mut bytes = text[start..end].iter().peekable();
    while let Some(&b) = bytes.next() {
        if is_space(b) {
            out.push(b' ');
            while bytes.next_if(|&&n| is_space(n)).is_some() {}
        } else {
            out.push(b.to_ascii_lowercase());
        }
    }
    out
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

/// The canonical encoding of one entry: `SEQUENCE { type, canonical value }`.
fn canon_entry(entry: &Entry<'_>) -> Result<Vec<u8>> {
    if !allowed_in_name(entry.value.tag) {
        return Err(Error::Name(format!(
            "attribute {} has a value of type 0x{:02x}, which OpenSSL does not accept in a name",
            asn1::oid_to_string(entry.oid.content),
            entry.value.tag
        )));
    }
    let value = match to_utf8(&entry.value) {
        Some(text) => asn1::encode(tag::UTF8_STRING, &canon_text(text?.as_bytes())),
        None if entry.value.tag & 0x20 == 0 && entry.value.tag & 0x1f != 0x1f => {
            asn1::encode(entry.value.tag, entry.value.content)
        }
        None => entry.value.raw.to_vec(),
    };
    let mut content = asn1::encode(tag::OID, entry.oid.content);
    content.extend_from_slice(&value);
    Ok(asn1::encode(tag::SEQUENCE, &content))
}

/// OpenSSL's canonical encoding of a DER `Name` (`x509_name_canon`).
pub(crate) fn canonical(name_der: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for rdn in rdns(name_der)? {
        if rdn.is_empty() {
            continue;
        }
        let mut encoded = rdn.iter().map(canon_entry).collect::<Result<Vec<_>>>()?;
        // DER SET OF: elements in ascending order of their encodings.
        encoded.sort();
        out.extend(asn1::encode(tag::SET, &encoded.concat()));
    }
    Ok(out)
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
    hash(name_der).map_err(|e| match e {
        Error::Name(reason) => Error::Name(format!("{role}: {reason}")),
        other => other,
    })
}

/// `X509_NAME_hash_old`.
pub(crate) fn hash_old(name_der: &[u8]) -> SubjectHash {
    first_four_le(&Md5::digest(name_der))
}

/// The short name of a well-known attribute type, as OpenSSL prints it.
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.13" => "description",
        "2.5.4.15" => "businessCategory",
        "2.5.4.17" => "postalCode",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        _ => return None,
    })
}

/// A readable text for one value: the decoded string, or `#` and hex for other types.
fn display_value(value: &Tlv<'_>) -> String {
    let text = match to_utf8(value) {
        Some(Ok(text)) => text,
        _ if value.tag == tag::NUMERIC_STRING => {
            value.content.iter().map(|&b| char::from(b)).collect()
        }
        _ => return format!("#{}", hex::encode(value.raw)),
    };
    let mut out = String::with_capacity(text.len());
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
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of the most specific common name (the last `CN` in DER order), decoded from its
/// string type; `None` when the name has no CN or does not parse.
pub(crate) fn common_name(name_der: &[u8]) -> Option<String> {
    const CN: &[u8] = &[0x55, 0x04, 0x03];
    let rdns = rdns(name_der).ok()?;
    let value = rdns
        .iter()
        .flatten()
        .filter(|e| e.oid.content == CN)
        .last()?
        .value;
    match to_utf8(&value) {
        Some(Ok(text)) => Some(text),
        _ if value.tag == tag::NUMERIC_STRING => {
            Some(value.content.iter().map(|&b| char::from(b)).collect())
        }
        _ => None,
    }
}

/// A one-line RFC 4514-like rendering: most specific RDN first (`CN=..., O=..., C=...`),
/// multi-valued RDNs joined with `+`. Falls back to hex when the name does not parse.
pub(crate) fn display(name_der: &[u8]) -> String {
    let Ok(rdns) = rdns(name_der) else {
        return format!("#{}", hex::encode(name_der));
    };
    rdns.iter()
        .rev()
        .filter(|rdn| !rdn.is_empty())
        .map(|rdn| {
            rdn.iter()
                .map(|e| {
                    let oid = asn1::oid_to_string(e.oid.content);
                    let key = short_name(&oid).map_or(oid.clone(), str::to_owned);
                    format!("{key}={}", display_value(&e.value))
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(", ")
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
