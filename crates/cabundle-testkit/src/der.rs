//! A tiny DER writer and hand-built names, certificates and CRLs.
//!
//! rcgen cannot express every name OpenSSL must hash (NumericString, VisibleString,
//! multi-valued RDNs, the empty name), so corpus objects are assembled here. They carry real
//! Ed25519 signatures from a fixed key, so they are byte-for-byte reproducible and parse with
//! `openssl x509` and `openssl crl`.

use rcgen::{KeyPair, PublicKeyData, SigningKey};

/// Encodes one element with a single-octet identifier and a DER length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded elements.
pub fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &items.concat())
}

/// Attribute type OIDs (content octets) used in names.
pub mod oid {
    /// commonName (2.5.4.3).
    pub const CN: &[u8] = &[0x55, 0x04, 0x03];
    /// surname (2.5.4.4).
    pub const SURNAME: &[u8] = &[0x55, 0x04, 0x04];
    /// serialNumber (2.5.4.5).
    pub const SERIAL_NUMBER: &[u8] = &[0x55, 0x04, 0x05];
    /// countryName (2.5.4.6).
    pub const C: &[u8] = &[0x55, 0x04, 0x06];
    /// localityName (2.5.4.7).
    pub const L: &[u8] = &[0x55, 0x04, 0x07];
    /// stateOrProvinceName (2.5.4.8).
    pub const ST: &[u8] = &[0x55, 0x04, 0x08];
    /// organizationName (2.5.4.10).
    pub const O: &[u8] = &[0x55, 0x04, 0x0a];
    /// organizationalUnitName (2.5.4.11).
    pub const OU: &[u8] = &[0x55, 0x04, 0x0b];
    /// emailAddress (1.2.840.113549.1.9.1).
    pub const EMAIL: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
    /// domainComponent (0.9.2342.19200300.100.1.25).
    pub const DC: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19];
    /// An attribute type no library knows (1.3.6.1.4.1.55555.1).
    pub const UNKNOWN: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01];
}

/// The ASN.1 string types a name value can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringType {
    /// UTF8String (12): UTF-8.
    Utf8,
    /// NumericString (18): digits and space; OpenSSL hashes it verbatim.
    Numeric,
    /// PrintableString (19): written as Latin-1 bytes, even when not printable.
    Printable,
    /// T61String/TeletexString (20): written as Latin-1 bytes.
    T61,
    /// VideotexString (21): written as Latin-1 bytes; OpenSSL rejects it in names.
    Videotex,
    /// IA5String (22): written as Latin-1 bytes.
    Ia5,
    /// GraphicString (25): written as Latin-1 bytes; OpenSSL rejects it in names.
    Graphic,
    /// VisibleString (26): written as Latin-1 bytes; OpenSSL rejects it in names.
    Visible,
    /// GeneralString (27): written as Latin-1 bytes; OpenSSL rejects it in names.
    General,
    /// UniversalString (28): UCS-4 big-endian.
    Universal,
    /// BMPString (30): UCS-2 big-endian (characters outside the BMP become surrogate pairs).
    Bmp,
}

impl StringType {
    /// The universal tag number.
    pub fn tag(self) -> u8 {
        match self {
            StringType::Utf8 => 0x0c,
            StringType::Numeric => 0x12,
            StringType::Printable => 0x13,
            StringType::T61 => 0x14,
            StringType::Videotex => 0x15,
            StringType::Ia5 => 0x16,
            StringType::Graphic => 0x19,
            StringType::Visible => 0x1a,
            StringType::General => 0x1b,
            StringType::Universal => 0x1c,
            StringType::Bmp => 0x1e,
        }
    }
}

/// Encodes `text` as a string value of type `kind` (see [`StringType`] for the byte form).
/// Characters above U+00FF in a one-byte type are replaced by `?`.
pub fn string(kind: StringType, text: &str) -> Vec<u8> {
    let content: Vec<u8> = match kind {
        StringType::Utf8 => text.as_bytes().to_vec(),
        StringType::Universal => text
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect(),
        StringType::Bmp => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        _ => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect(),
    };
    tlv(kind.tag(), &content)
}

/// One attribute: type OID (content octets) and an encoded value (see [`string`]).
pub type Attribute<'a> = (&'a [u8], Vec<u8>);

/// A DER `Name` from RDNs, each a list of attributes written in the given order (a
/// multi-valued RDN is deliberately left unsorted so the canonical form must sort it).
pub fn name(rdns: &[Vec<Attribute<'_>>]) -> Vec<u8> {
    let sets: Vec<Vec<u8>> = rdns
        .iter()
        .map(|rdn| {
            let atvs: Vec<Vec<u8>> = rdn
                .iter()
                .map(|(oid, value)| seq(&[tlv(0x06, oid), value.clone()]))
                .collect();
            tlv(0x31, &atvs.concat())
        })
        .collect();
    seq(&sets)
}

/// A single-RDN-per-attribute name: `name_simple(&[(oid::CN, string(Utf8, "x"))])`.
pub fn name_simple(attributes: &[Attribute<'_>]) -> Vec<u8> {
    let rdns: Vec<Vec<Attribute<'_>>> = attributes.iter().map(|a| vec![a.clone()]).collect();
    name(&rdns)
}

/// The fixed Ed25519 key that signs hand-built objects (a test key, never trusted anywhere).
pub fn corpus_key() -> KeyPair {
    let mut pkcs8 = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    pkcs8.extend_from_slice(&[0x5a; 32]);
    KeyPair::try_from(pkcs8.as_slice()).expect("a valid Ed25519 PKCS#8 key")
}

const ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];

fn sign(key: &KeyPair, tbs: Vec<u8>) -> Vec<u8> {
    let signature = key.sign(&tbs).expect("Ed25519 signing does not fail");
    let mut bits = vec![0];
    bits.extend(signature);
    seq(&[tbs, seq(&[ED25519.to_vec()]), tlv(0x03, &bits)])
}

/// Encodes a serial number as a positive INTEGER.
fn integer(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(7);
    let mut content = bytes[skip..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

/// A v3 CA certificate with the given subject and issuer `Name`s (DER) and serial number,
/// valid 2020-01-01 to 2049-12-31, signed by [`corpus_key`]. Self-signed when the names are
/// equal.
pub fn cert_with_names(subject: &[u8], issuer: &[u8], serial: u64) -> Vec<u8> {
    let serial = integer(serial);
    cert_custom(&CertSpec {
        serial_content: &serial[2..],
        ..CertSpec::new(subject, issuer)
    })
}

/// Everything [`cert_custom`] lets a test choose.
#[derive(Clone, Debug)]
pub struct CertSpec<'a> {
    /// The subject `Name`, DER.
    pub subject: &'a [u8],
    /// The issuer `Name`, DER.
    pub issuer: &'a [u8],
    /// The serial number's INTEGER content octets, written as given (so negative or
    /// non-minimal serials can be made).
    pub serial_content: &'a [u8],
    /// notBefore, an encoded UTCTime or GeneralizedTime.
    pub not_before: Vec<u8>,
    /// notAfter, an encoded UTCTime or GeneralizedTime.
    pub not_after: Vec<u8>,
    /// `Some(ca)`: a v3 certificate with a basicConstraints extension; `None`: a v1
    /// certificate (no version field, no extensions).
    pub v3_ca: Option<bool>,
}

impl<'a> CertSpec<'a> {
    /// A v3 CA, serial 1, valid 2020-01-01 to 2049-12-31 (UTCTime).
    pub fn new(subject: &'a [u8], issuer: &'a [u8]) -> Self {
        CertSpec {
            subject,
            issuer,
            serial_content: &[1],
            not_before: tlv(0x17, b"200101000000Z"),
            not_after: tlv(0x17, b"491231235959Z"),
            v3_ca: Some(true),
        }
    }
}

/// A certificate built from `spec`, signed by [`corpus_key`].
pub fn cert_custom(spec: &CertSpec<'_>) -> Vec<u8> {
    let key = corpus_key();
    let mut fields = Vec::new();
    if spec.v3_ca.is_some() {
        fields.push(tlv(0xa0, &integer(2)));
    }
    fields.extend([
        tlv(0x02, spec.serial_content),
        seq(&[ED25519.to_vec()]),
        spec.issuer.to_vec(),
        seq(&[spec.not_before.clone(), spec.not_after.clone()]),
        spec.subject.to_vec(),
        key.subject_public_key_info(),
    ]);
    if let Some(ca) = spec.v3_ca {
        // DER leaves out cA when it is FALSE, its default.
        let value = if ca {
            seq(&[tlv(0x01, &[0xff])])
        } else {
            seq(&[])
        };
        let basic_constraints = seq(&[
            tlv(0x06, &[0x55, 0x1d, 0x13]),
            tlv(0x01, &[0xff]),
            tlv(0x04, &value),
        ]);
        fields.push(tlv(0xa3, &seq(&[basic_constraints])));
    }
    sign(&key, seq(&fields))
}

/// A self-signed certificate whose subject (and issuer) is `name_der`, serial 1.
pub fn cert_with_subject(name_der: &[u8]) -> Vec<u8> {
    cert_with_names(name_der, name_der, 1)
}

/// A v2 CRL from the issuer `name_der` revoking serial 2, thisUpdate 2025-01-01, nextUpdate
/// 2049-12-31, signed by [`corpus_key`].
pub fn crl_with_issuer(name_der: &[u8]) -> Vec<u8> {
    let revoked = seq(&[seq(&[integer(2), tlv(0x17, b"250101000000Z")])]);
    let tbs = seq(&[
        integer(1),
        seq(&[ED25519.to_vec()]),
        name_der.to_vec(),
        tlv(0x17, b"250101000000Z"),
        tlv(0x17, b"491231235959Z"),
        revoked,
    ]);
    sign(&corpus_key(), tbs)
}

/// A `TRUSTED CERTIFICATE` body as OpenSSL writes it: the certificate followed by its trust
/// settings (here: trusted for serverAuth, with the alias `corpus`).
pub fn trusted_certificate(cert_der: &[u8]) -> Vec<u8> {
    let server_auth = tlv(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]);
    let aux = seq(&[seq(&[server_auth]), tlv(0x0c, b"corpus")]);
    let mut out = cert_der.to_vec();
    out.extend(aux);
    out
}
