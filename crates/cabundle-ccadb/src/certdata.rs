//! NSS `certdata.txt`: the certificate and trust objects of the NSS builtins module, the
//! input of curl's `mk-ca-bundle.pl` and of certifi.
//!
//! After `BEGINDATA`, each object is a run of `ATTRIBUTE TYPE VALUE` lines starting with
//! `CKA_CLASS`; a `MULTILINE_OCTAL` value continues on `\ooo` lines until `END`. A certificate
//! object (`CKO_CERTIFICATE`) carries the DER in `CKA_VALUE`; its trust object
//! (`CKO_NSS_TRUST`) is found by issuer and serial, or by `CKA_CERT_SHA1_HASH`, and says per
//! purpose whether the root is a trusted delegator. Distrust-after dates are read from the
//! certificate object and from its trust object (NSS 3.123 has one on a trust object). Each root becomes a [`Root`] like a CCADB
//! report row, so the same policy applies to both inputs.

use std::collections::HashMap;

use md5::Digest as _;

use crate::{Certificate, Date, Error, Report, Root, Sha256Fingerprint, TrustBits};

/// Parses NSS `certdata.txt`.
///
/// [`Root::row`] is the 1-based index of the certificate object in the file, [`Root::owner`]
/// and [`Root::issuer_org`] are empty, [`Root::label`] is `CKA_LABEL`, [`Root::serial`] and
/// the validity dates come from the certificate. A purpose is trusted when its trust attribute
/// is `CKT_NSS_TRUSTED_DELEGATOR`. A root whose purposes are all `CKT_NSS_MUST_VERIFY_TRUST`
/// is [`TrustBits::all_off`]; one that is explicitly `CKT_NSS_NOT_TRUSTED` for some purpose
/// and trusted for none (the DigiNotar entry) has every bit false, as does a certificate with
/// no trust object.
pub fn parse_certdata(bytes: &[u8]) -> Result<Report, Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Error::Certdata {
            line,
            message: "the file is not UTF-8".into(),
        }
    })?;
    let objects = lex(text)?;

    let mut certs = Vec::new();
    let mut trusts = Vec::new();
    for object in &objects {
        match object.class() {
            "CKO_CERTIFICATE" => certs.push(object),
            "CKO_NSS_TRUST" | "CKO_TRUST" => trusts.push(Trust::from_object(object)?),
            _ => {}
        }
    }
    if certs.is_empty() {
        return Err(Error::Certdata {
            line: objects.first().map_or(0, |o| o.line),
            message: "no certificate objects".into(),
        });
    }
    let mut by_issuer_serial: HashMap<(&[u8], &[u8]), usize> = HashMap::new();
    let mut by_sha1: HashMap<&[u8], usize> = HashMap::new();
    for (i, t) in trusts.iter().enumerate() {
        if let (Some(issuer), Some(serial)) = (t.issuer, t.serial) {
            by_issuer_serial.entry((issuer, serial)).or_insert(i);
        }
        if let Some(sha1) = t.sha1 {
            by_sha1.entry(sha1).or_insert(i);
        }
    }

    let mut roots = Vec::with_capacity(certs.len());
    let mut seen: HashMap<Sha256Fingerprint, usize> = HashMap::new();
    for (i, object) in certs.into_iter().enumerate() {
        let row = i + 1;
        let label = object.utf8("CKA_LABEL").unwrap_or_default().to_owned();
        let der = object.octal("CKA_VALUE").ok_or_else(|| Error::Certdata {
            line: object.line,
            message: format!("certificate {label:?} has no CKA_VALUE MULTILINE_OCTAL"),
        })?;
        let certificate = Certificate::from_der(der).map_err(|e| Error::Certdata {
            line: object.attr_line("CKA_VALUE"),
            message: format!("certificate {label:?}: {e}"),
        })?;
        if let Some(&first_row) = seen.get(&certificate.sha256) {
            return Err(Error::DuplicateFingerprint {
                row,
                column: "CKA_VALUE".into(),
                first_row,
                fingerprint: certificate.sha256,
            });
        }
        seen.insert(certificate.sha256, row);

        let issuer = object
            .octal("CKA_ISSUER")
            .unwrap_or(&certificate.issuer_der);
        let trust = match object.octal("CKA_SERIAL_NUMBER") {
            Some(serial) => by_issuer_serial.get(&(issuer, serial)).copied(),
            None => None,
        }
        .or_else(|| by_sha1.get(&certificate.sha1.0[..]).copied())
        .map(|i| &trusts[i]);
        let trust_bits = match trust {
            Some(t) => {
                t.check_hashes(&certificate, &label)?;
                t.bits()
            }
            None => TrustBits::default(),
        };
        // NSS 3.123 put Izenpe.com's server distrust date on the trust object, not on the
        // certificate object; a date on either applies, and the earlier one wins.
        let distrust = |name: &str| -> Result<Option<Date>, Error> {
            let on_cert = object.distrust_after(name)?;
            let on_trust = match trust {
                Some(t) => t.object.distrust_after(name)?,
                None => None,
            };
            Ok(on_cert.into_iter().chain(on_trust).min())
        };

        roots.push(Root {
            row,
            owner: String::new(),
            serial: certificate.serial_hex.clone(),
            sha256: certificate.sha256,
            issuer_org: String::new(),
            valid_from: Some(certificate.not_before.date()),
            valid_to: Some(certificate.not_after.date()),
            trust_bits,
            unknown_trust_bits: Vec::new(),
            tls_distrust_after: distrust("CKA_NSS_SERVER_DISTRUST_AFTER")?,
            smime_distrust_after: distrust("CKA_NSS_EMAIL_DISTRUST_AFTER")?,
            mozilla_applied_constraints: String::new(),
            label,
            chrome: None,
            certificate,
        });
    }
    Ok(Report {
        roots,
        columns: Vec::new(),
    })
}

/// Whether `bytes` look like certdata.txt rather than a CSV report.
pub(crate) fn looks_like_certdata(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    head.windows(9).any(|w| w == b"BEGINDATA")
}

/// An attribute value.
#[derive(Debug, PartialEq, Eq)]
enum Value {
    /// A bare token such as `CK_TRUE` or `CKO_CERTIFICATE`.
    Token(String),
    /// A `UTF8 "..."` string.
    Utf8(String),
    /// A `MULTILINE_OCTAL` byte string.
    Octal(Vec<u8>),
}

/// One attribute line (or multi-line value).
#[derive(Debug)]
struct Attr {
    line: usize,
    name: String,
    value: Value,
}

/// An object: the attributes from one `CKA_CLASS` line up to the next.
#[derive(Debug)]
struct Object {
    line: usize,
    attrs: Vec<Attr>,
}

impl Object {
    fn get(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
    fn class(&self) -> &str {
        match self.get("CKA_CLASS").map(|a| &a.value) {
            Some(Value::Token(t)) => t,
            _ => "",
        }
    }
    fn attr_line(&self, name: &str) -> usize {
        self.get(name).map_or(self.line, |a| a.line)
    }
    fn utf8(&self, name: &str) -> Option<&str> {
        match self.get(name).map(|a| &a.value) {
            Some(Value::Utf8(s)) => Some(s),
            _ => None,
        }
    }
    fn octal(&self, name: &str) -> Option<&[u8]> {
        match self.get(name).map(|a| &a.value) {
            Some(Value::Octal(b)) => Some(b),
            _ => None,
        }
    }
    fn token(&self, name: &str) -> Option<&str> {
        match self.get(name).map(|a| &a.value) {
            Some(Value::Token(t)) => Some(t),
            _ => None,
        }
    }

    /// `CK_BBOOL CK_FALSE` (or no attribute) is no distrust; a `MULTILINE_OCTAL` value is an
    /// ASCII UTCTime or GeneralizedTime whose date is the last day of trust.
    fn distrust_after(&self, name: &str) -> Result<Option<Date>, Error> {
        let Some(attr) = self.get(name) else {
            return Ok(None);
        };
        let error = |message: String| Error::Certdata {
            line: attr.line,
            message: format!("{name}: {message}"),
        };
        match &attr.value {
            Value::Token(t) if t == "CK_FALSE" => Ok(None),
            Value::Octal(bytes) => asn1_time_date(bytes).map(Some).ok_or_else(|| {
                error(format!(
                    "invalid time {:?} (expected YYMMDDhhmmssZ)",
                    String::from_utf8_lossy(bytes)
                ))
            }),
            other => Err(error(format!("unexpected value {other:?}"))),
        }
    }
}

/// The date of an ASCII `YYMMDDhhmmssZ` (UTCTime, years 1950–2049) or
/// `YYYYMMDDhhmmssZ` (GeneralizedTime).
fn asn1_time_date(bytes: &[u8]) -> Option<Date> {
    let text = std::str::from_utf8(bytes).ok()?;
    let digits = text.strip_suffix('Z')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match digits.len() {
        12 => {
            let yy: i32 = digits[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &digits[2..])
        }
        14 => (digits[..4].parse().ok()?, &digits[4..]),
        _ => return None,
    };
    let month: u8 = rest[..2].parse().ok()?;
    let day: u8 = rest[2..4].parse().ok()?;
    let (hour, minute, second): (u8, u8, u8) = (
        rest[4..6].parse().ok()?,
        rest[6..8].parse().ok()?,
        rest[8..10].parse().ok()?,
    );
    time::Time::from_hms(hour, minute, second).ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// A trust object, borrowed from its [`Object`].
struct Trust<'a> {
    object: &'a Object,
    line: usize,
    issuer: Option<&'a [u8]>,
    serial: Option<&'a [u8]>,
    sha1: Option<&'a [u8]>,
    md5: Option<&'a [u8]>,
    server: TrustLevel,
    email: TrustLevel,
    code: TrustLevel,
}

/// What a trust object says about one of its `CKA_TRUST_*` attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TrustLevel {
    Trusted,
    MustVerify,
    NotTrusted,
}

impl<'a> Trust<'a> {
    fn from_object(object: &'a Object) -> Result<Trust<'a>, Error> {
        let level = |name: &str| -> Result<TrustLevel, Error> {
            match object.token(name) {
                Some("CKT_NSS_TRUSTED_DELEGATOR" | "CKT_TRUST_ANCHOR") => Ok(TrustLevel::Trusted),
                Some("CKT_NSS_MUST_VERIFY_TRUST" | "CKT_TRUST_MUST_VERIFY_TRUST") | None => {
                    Ok(TrustLevel::MustVerify)
                }
                Some("CKT_NSS_NOT_TRUSTED" | "CKT_NOT_TRUSTED") => Ok(TrustLevel::NotTrusted),
                Some(other) => Err(Error::Certdata {
                    line: object.attr_line(name),
                    message: format!("{name}: unknown trust value {other}"),
                }),
            }
        };
        Ok(Trust {
            object,
            line: object.line,
            issuer: object.octal("CKA_ISSUER"),
            serial: object.octal("CKA_SERIAL_NUMBER"),
            sha1: object.octal("CKA_CERT_SHA1_HASH"),
            md5: object.octal("CKA_CERT_MD5_HASH"),
            server: level("CKA_TRUST_SERVER_AUTH")?,
            email: level("CKA_TRUST_EMAIL_PROTECTION")?,
            code: level("CKA_TRUST_CODE_SIGNING")?,
        })
    }

    fn bits(&self) -> TrustBits {
        let purposes = [self.server, self.email, self.code];
        TrustBits {
            websites: self.server == TrustLevel::Trusted,
            email: self.email == TrustLevel::Trusted,
            code: self.code == TrustLevel::Trusted,
            all_off: purposes.iter().all(|p| *p == TrustLevel::MustVerify),
        }
    }

    /// The hashes a trust object carries must be those of the certificate it was matched to.
    fn check_hashes(&self, certificate: &Certificate, label: &str) -> Result<(), Error> {
        let sha1_ok = self.sha1.is_none_or(|h| h == certificate.sha1.0);
        let md5_ok = self
            .md5
            .is_none_or(|h| h == md5::Md5::digest(&certificate.der).as_slice());
        if sha1_ok && md5_ok {
            Ok(())
        } else {
            Err(Error::Certdata {
                line: self.line,
                message: format!(
                    "the trust object for {label:?} has a {} hash that does not match the certificate",
                    if sha1_ok {
                        "CKA_CERT_MD5_HASH"
                    } else {
                        "CKA_CERT_SHA1_HASH"
                    }
                ),
            })
        }
    }
}

/// Splits the data part of certdata.txt into objects.
fn lex(text: &str) -> Result<Vec<Object>, Error> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    if !lines.any(|(_, l)| l.trim() == "BEGINDATA") {
        return Err(Error::Certdata {
            line: 0,
            message: "no BEGINDATA line: this is not an NSS certdata.txt".into(),
        });
    }
    let mut objects: Vec<Object> = Vec::new();
    while let Some((line, raw)) = lines.next() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let error = |message: String| Error::Certdata { line, message };
        let mut parts = l.splitn(3, char::is_whitespace);
        let (name, ty) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let rest = parts.next().unwrap_or("").trim();
        if !name.starts_with("CKA_") || ty.is_empty() {
            return Err(error(format!("expected an attribute line, found {l:?}")));
        }
        let value = match ty {
            "MULTILINE_OCTAL" => {
                let mut bytes = Vec::new();
                loop {
                    let Some((n, raw)) = lines.next() else {
                        return Err(error(format!("{name}: MULTILINE_OCTAL without END")));
                    };
                    let l = raw.trim();
                    if l == "END" {
                        break;
                    }
                    decode_octal(l, &mut bytes).map_err(|message| Error::Certdata {
                        line: n,
                        message: format!("{name}: {message}"),
                    })?;
                }
                Value::Octal(bytes)
            }
            "UTF8" => Value::Utf8(decode_string(rest).map_err(|m| error(format!("{name}: {m}")))?),
            _ => Value::Token(rest.to_owned()),
        };
        let attr = Attr {
            line,
            name: name.to_owned(),
            value,
        };
        if attr.name == "CKA_CLASS" {
            objects.push(Object {
                line,
                attrs: vec![attr],
            });
        } else if let Some(object) = objects.last_mut() {
            object.attrs.push(attr);
        } else {
            return Err(error(format!("{name} before the first CKA_CLASS")));
        }
    }
    Ok(objects)
}

/// Appends the bytes of a `\ooo\ooo...` line.
fn decode_octal(line: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let chunk = bytes.get(i..i + 4).filter(|c| c[0] == b'\\');
        let value = chunk.and_then(|c| {
            c[1..].iter().try_fold(0u16, |acc, &d| {
                (b'0'..=b'7')
                    .contains(&d)
                    .then(|| acc * 8 + u16::from(d - b'0'))
            })
        });
        match value.and_then(|v| u8::try_from(v).ok()) {
            Some(b) => out.push(b),
            None => return Err(format!("invalid octal escape at column {}", i + 1)),
        }
        i += 4;
    }
    Ok(())
}

/// A `"..."` string; backslash escapes (`\"`, `\\`, `\ooo`) are decoded.
fn decode_string(value: &str) -> Result<String, String> {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(|| format!("expected a quoted string, found {value:?}"))?;
    let mut out = Vec::with_capacity(inner.len());
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let octal = bytes.get(i + 1..i + 4).and_then(|d| {
                d.iter().try_fold(0u16, |acc, &c| {
                    (b'0'..=b'7')
                        .contains(&c)
                        .then(|| acc * 8 + u16::from(c - b'0'))
                })
            });
            match (octal.and_then(|v| u8::try_from(v).ok()), bytes.get(i + 1)) {
                (Some(b), _) => {
                    out.push(b);
                    i += 4;
                }
                (None, Some(&c)) => {
                    out.push(c);
                    i += 2;
                }
                (None, None) => return Err("string ends with a backslash".into()),
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the string is not UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        fn check(input: &str, expected: Option<(i32, u8, u8)>) {
            let got =
                asn1_time_date(input.as_bytes()).map(|d| (d.year(), u8::from(d.month()), d.day()));
            assert_eq!(got, expected, "{input:?}");
        }
        check("250415235959Z", Some((2025, 4, 15)));
        check("991231235959Z", Some((1999, 12, 31)));
        check("491231235959Z", Some((2049, 12, 31)));
        check("20500101000000Z", Some((2050, 1, 1)));
        check("250415235959", None);
        check("2504152359Z", None);
        check("251315235959Z", None);
        check("250415246060Z", None);
        check("25041523595aZ", None);
    }

    #[test]
    fn octal_lines() {
        fn check(input: &str, expected: Result<&[u8], ()>) {
            let mut out = Vec::new();
            let got = decode_octal(input, &mut out).map(|()| out.as_slice());
            assert_eq!(got.map_err(|_| ()), expected, "{input:?}");
        }
        check("", Ok(b""));
        check("\\060\\202\\003", Ok(b"\x30\x82\x03"));
        check("\\377", Ok(b"\xff"));
        check("\\400", Err(()));
        check("\\08", Err(()));
        check("\\06", Err(()));
        check("060", Err(()));
    }

    #[test]
    fn strings() {
        fn check(input: &str, expected: Result<&str, ()>) {
            assert_eq!(
                decode_string(input).as_deref().map_err(|_| ()),
                expected,
                "{input:?}"
            );
        }
        check("\"GlobalSign Root CA\"", Ok("GlobalSign Root CA"));
        check("\"T\u{dc}V\"", Ok("T\u{dc}V"));
        check("\"a\\\"b\"", Ok("a\"b"));
        check("\"T\\303\\234V\"", Ok("T\u{dc}V"));
        check("\"\\303\"", Err(()));
        check("GlobalSign", Err(()));
        check("\"abc\\\"", Err(()));
    }
}
