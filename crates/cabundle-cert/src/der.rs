//! A small, lenient DER reader: just enough to walk certificates, CRLs and names.
//!
//! We read structure ourselves rather than through a full X.509 parser because the hashes must
//! be computed over the exact bytes OpenSSL sees, and because real roots carry irregularities
//! (negative serials, odd string types) that a strict parser may reject.

/// Universal tag numbers used in this crate.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
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

/// One DER element: its identifier octet, its content and its full encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The first identifier octet (class, constructed bit, and tag number when below 31).
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// The whole element: identifier, length and content.
    pub raw: &'a [u8],
}

/// Reads one element from the front of `input`, returning it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), String> {
    let first = *input.first().ok_or("unexpected end of data")?;
    let mut pos = 1;
    if first & 0x1f == 0x1f {
        // High tag number form: base-128 digits, the last without the top bit.
        loop {
            let b = *input.get(pos).ok_or("truncated tag")?;
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos > 6 {
                return Err("tag number too large".into());
            }
        }
    }
    let len_byte = *input.get(pos).ok_or("truncated length")?;
    pos += 1;
    let len = if len_byte < 0x80 {
        usize::from(len_byte)
    } else if len_byte == 0x80 {
        return Err("indefinite length is not DER".into());
    } else {
        let n = usize::from(len_byte & 0x7f);
        if n > 4 {
            return Err("length too large".into());
        }
        let bytes = input.get(pos..pos + n).ok_or("truncated length")?;
        pos += n;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let end = pos.checked_add(len).ok_or("length too large")?;
    if end > input.len() {
        return Err(format!(
            "element of {len} bytes runs past the end of the data ({} bytes left)",
            input.len() - pos
        ));
    }
    Ok((
        Tlv {
            tag: first,
            content: &input[pos..end],
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Reads one element of the expected tag.
pub(crate) fn expect<'a>(
    input: &'a [u8],
    tag: u8,
    what: &str,
) -> Result<(Tlv<'a>, &'a [u8]), String> {
    let (tlv, rest) = read(input).map_err(|e| format!("{what}: {e}"))?;
    if tlv.tag != tag {
        return Err(format!(
            "{what}: expected tag 0x{tag:02x}, found 0x{:02x}",
            tlv.tag
        ));
    }
    Ok((tlv, rest))
}

/// Reads every element of a constructed value's content.
pub(crate) fn children(mut content: &[u8]) -> Result<Vec<Tlv<'_>>, String> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (tlv, rest) = read(content)?;
        out.push(tlv);
        content = rest;
    }
    Ok(out)
}

/// Appends a DER length to `out`.
pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encodes one element with a single-octet identifier.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// Decodes an OBJECT IDENTIFIER's content to dotted form (`2.5.4.3`).
pub(crate) fn oid_to_string(content: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut acc: u128 = 0;
    for &b in content {
        acc = (acc << 7) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (first, second) = match acc {
                    0..=39 => (0, acc),
                    40..=79 => (1, acc - 40),
                    _ => (2, acc - 80),
                };
                arcs.push(first);
                arcs.push(second);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter()
        .map(u128::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Parses a UTCTime or GeneralizedTime element into a UTC date-time.
pub(crate) fn time(tlv: &Tlv<'_>) -> Result<time::OffsetDateTime, String> {
    let text = std::str::from_utf8(tlv.content).map_err(|_| "time is not ASCII".to_string())?;
    let (year, rest) = match tlv.tag {
        tag::UTC_TIME => {
            let yy: i32 = digits(text, 0, 2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
        }
        tag::GENERALIZED_TIME => (digits(text, 0, 4)?, &text[4..]),
        other => return Err(format!("expected a time, found tag 0x{other:02x}")),
    };
    let month: u8 = digits(rest, 0, 2)?;
    let day: u8 = digits(rest, 2, 4)?;
    let hour: u8 = digits(rest, 4, 6)?;
    let minute: u8 = digits(rest, 6, 8)?;
    // Seconds are optional in old UTCTime encodings.
    let (second, tail): (u8, &str) = match rest.get(8..10) {
        Some(s) if s.bytes().all(|b| b.is_ascii_digit()) => (digits(rest, 8, 10)?, &rest[10..]),
        _ => (0, rest.get(8..).unwrap_or("")),
    };
    // Fractional seconds (GeneralizedTime) are dropped; the zone must be Z or an offset.
    let tail = tail.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset_seconds: i32 = match tail {
        "Z" | "" => 0,
        t if (t.starts_with('+') || t.starts_with('-')) && t.len() == 5 => {
            let h: i32 = digits(t, 1, 3)?;
            let m: i32 = digits(t, 3, 5)?;
            let s = (h * 60 + m) * 60;
            if t.starts_with('-') { -s } else { s }
        }
        t => return Err(format!("unexpected time zone {t:?}")),
    };
    let month = time::Month::try_from(month).map_err(|e| format!("bad month: {e}"))?;
    let date = time::Date::from_calendar_date(year, month, day).map_err(|e| e.to_string())?;
    let clock = time::Time::from_hms(hour, minute, second).map_err(|e| e.to_string())?;
    let offset = time::UtcOffset::from_whole_seconds(offset_seconds).map_err(|e| e.to_string())?;
    Ok(time::PrimitiveDateTime::new(date, clock)
        .assume_offset(offset)
        .to_offset(time::UtcOffset::UTC))
}

fn digits<T: std::str::FromStr>(s: &str, from: usize, to: usize) -> Result<T, String> {
    s.get(from..to)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| format!("malformed time {s:?}"))
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
    fn times() {
        let check = |tag: u8, text: &str, expected: &str| {
            let raw = encode(tag, text.as_bytes());
            let (tlv, _) = read(&raw).unwrap();
            let t = time(&tlv).unwrap();
            let formatted = t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            assert_eq!(formatted, expected, "{text}");
        };
        check(tag::UTC_TIME, "991231235959Z", "1999-12-31T23:59:59Z");
        check(tag::UTC_TIME, "491231235959Z", "2049-12-31T23:59:59Z");
        check(tag::UTC_TIME, "9912312359Z", "1999-12-31T23:59:00Z");
        check(
            tag::GENERALIZED_TIME,
            "20500101000000Z",
            "2050-01-01T00:00:00Z",
        );
        check(
            tag::GENERALIZED_TIME,
            "20500101000000.5Z",
            "2050-01-01T00:00:00Z",
        );
        check(tag::UTC_TIME, "991231235959+0100", "1999-12-31T22:59:59Z");
    }

    #[test]
    fn lengths() {
        for len in [0usize, 1, 127, 128, 255, 256, 70000] {
            let raw = encode(tag::OCTET_STRING, &vec![7; len]);
            let (tlv, rest) = read(&raw).unwrap();
            assert_eq!(tlv.content.len(), len);
            assert!(rest.is_empty());
        }
        assert!(read(&[0x30, 0x05, 0x00]).is_err());
        assert!(read(&[0x30, 0x80]).is_err());
        assert!(read(&[]).is_err());
    }
}
