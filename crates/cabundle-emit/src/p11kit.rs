//! p11-kit's trust store format: one `.p11-kit` file per included root, as p11-kit's `trust`
//! module reads anchors from a directory named in its `paths`.
//!
//! Each file holds two objects in p11-kit's persistence format (`[p11-kit-object-v1]`, one
//! `key: value` per line, strings in double quotes with bytes outside `A-Z a-z 0-9 - _ .`
//! percent-encoded, a PEM block giving the object's value):
//!
//! 1. the extended key usage p11-kit staples to the certificate (`class:
//!    x-certificate-extension`, `object-id: 2.5.29.37`, `value`: the DER of the whole X.509
//!    extension, critical, listing the build's purpose only; the certificate named by its
//!    public key, a `PUBLIC KEY` block), so `trust extract --purpose` trusts the root for the
//!    build's purpose only, as the OpenSSL trusted bundle does;
//! 2. the certificate (`class: certificate`, `certificate-type: x-509`, `trusted: true`,
//!    `x-distrusted: false`, `nss-mozilla-ca-policy: true` for a root from the report) with
//!    Mozilla's distrust-after dates as NSS records them (`nss-server-distrust-after`,
//!    `nss-email-distrust-after`: an ASCII UTCTime, `YYMMDD000000Z`), so NSS-backed programs
//!    refuse certificates issued after them.
//!
//! Roots the build leaves out are not written, not even as `x-distrusted: true`: in p11-kit a
//! distrusted object is a blocklist entry that overrides every other source on the machine for
//! every purpose, while the build's reasons (expired, distrusted for one purpose after a date,
//! excluded by hand, not trusted for this purpose) are about this bundle only.

use crate::tlv;
use cabundle_policy::{Decision, Origin, Purpose};
use der::Decode as _;
use std::fmt::Write as _;
use time::Date;

/// `id-ce-extKeyUsage`, 2.5.29.37, DER content octets.
const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];

/// Why a root cannot be written as a p11-kit object.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("certificate {label:?}: cannot find its public key in the DER")]
pub struct P11KitError {
    /// The certificate's label.
    pub label: String,
}

/// `bytes` as a p11-kit quoted string: `A-Z a-z 0-9 - _ .` as is, every other byte `%XX`.
fn quoted(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out.push('"');
    out
}

/// A date as the ASCII UTCTime NSS stores in its distrust-after attributes, midnight UTC;
/// `None` outside UTCTime's years (1950 to 2049).
fn utc_time(date: Date) -> Option<String> {
    let year = date.year();
    if !(1950..=2049).contains(&year) {
        return None;
    }
    Some(format!(
        "{:02}{:02}{:02}000000Z",
        year % 100,
        u8::from(date.month()),
        date.day()
    ))
}

/// The DER of the certificate's `subjectPublicKeyInfo`: the seventh element of the
/// `tbsCertificate` when it has a `[0]` version, the sixth otherwise.
fn spki(cert_der: &[u8]) -> Option<Vec<u8>> {
    use der::asn1::AnyRef;
    use der::{Encode as _, Reader as _, SliceReader, Tagged as _};
    let cert = AnyRef::from_der(cert_der).ok()?;
    let mut outer = SliceReader::new(cert.value()).ok()?;
    let tbs: AnyRef<'_> = outer.decode().ok()?;
    let mut fields = SliceReader::new(tbs.value()).ok()?;
    let first: AnyRef<'_> = fields.decode().ok()?;
    // version [0], then serial, signature, issuer, validity, subject; or no version.
    let skip = if first.tag().is_context_specific() {
        5
    } else {
        4
    };
    for _ in 0..skip {
        let _: AnyRef<'_> = fields.decode().ok()?;
    }
    let key: AnyRef<'_> = fields.decode().ok()?;
    key.to_der().ok()
}

/// The X.509 extended key usage extension, critical, listing `purpose`'s EKU only.
pub fn eku_extension(purpose: Purpose) -> Vec<u8> {
    let usages = tlv(0x30, &tlv(0x06, purpose.eku_der()));
    let mut content = tlv(0x06, EXT_KEY_USAGE);
    content.extend(tlv(0x01, &[0xff]));
    content.extend(tlv(0x04, &usages));
    tlv(0x30, &content)
}

/// One included root as a `.p11-kit` file: see the module documentation.
pub fn p11_kit_object(decision: &Decision<'_>, purpose: Purpose) -> Result<Vec<u8>, P11KitError> {
    let cert = decision.certificate;
    let label = quoted(decision.label().as_bytes());
    let key = spki(&cert.der).ok_or_else(|| P11KitError {
        label: decision.label().to_owned(),
    })?;
    let mut out = String::new();
    out.push_str("[p11-kit-object-v1]\n");
    out.push_str("class: x-certificate-extension\n");
    let _ = writeln!(out, "label: {label}");
    out.push_str("object-id: 2.5.29.37\n");
    let _ = writeln!(out, "value: {}", quoted(&eku_extension(purpose)));
    out.push_str("modifiable: false\n");
    out.push_str(&cabundle_cert::encode_pem("PUBLIC KEY", &key));
    out.push('\n');
    out.push_str("[p11-kit-object-v1]\n");
    out.push_str("class: certificate\n");
    out.push_str("certificate-type: x-509\n");
    let _ = writeln!(out, "label: {label}");
    out.push_str("trusted: true\n");
    out.push_str("x-distrusted: false\n");
    if let Origin::Report(root) = decision.origin {
        out.push_str("nss-mozilla-ca-policy: true\n");
        for (key, purpose) in [
            ("nss-server-distrust-after", Purpose::Tls),
            ("nss-email-distrust-after", Purpose::Email),
        ] {
            if let Some(time) = root.distrust_after(purpose).and_then(utc_time) {
                let _ = writeln!(out, "{key}: {}", quoted(time.as_bytes()));
            }
        }
    }
    out.push_str("modifiable: false\n");
    out.push_str(&crate::pem_block(&cert.der));
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(quoted(b"AC Raiz 1/x"), "\"AC%20Raiz%201%2Fx\"");
        let date = |y, m, d| {
            Date::from_calendar_date(
                y,
                time::Month::try_from(m).unwrap_or(time::Month::January),
                d,
            )
            .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(
            utc_time(date(2020, 12, 1)).as_deref(),
            Some("201201000000Z")
        );
        assert_eq!(utc_time(date(2050, 1, 1)), None);
        // SEQUENCE { extKeyUsage, TRUE, OCTET STRING { SEQUENCE { serverAuth } } }
        assert_eq!(
            eku_extension(Purpose::Tls),
            [
                0x30, 0x16, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x01, 0x01, 0xff, 0x04, 0x0c, 0x30, 0x0a,
                0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01
            ]
        );
    }
}
