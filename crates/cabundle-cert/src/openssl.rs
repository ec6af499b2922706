//! What OpenSSL can load: the checks of its decoder (`d2i_X509`, `d2i_X509_CRL`), and the
//! cheap hash-only read that `rehash` uses.
//!
//! No crate decodes the way OpenSSL does, and `rehash` must link exactly the files OpenSSL
//! loads: a file at `hhhhhhhh.0` that OpenSSL cannot read stops `openssl verify -CApath` from
//! looking at `.1`. OpenSSL's template decoder checks the structure of every field down to
//! the primitives, but never looks inside what it keeps as opaque bytes: the contents of an
//! extension's OCTET STRING, of the public key and of the signature BIT STRINGs. Found by
//! experiment with OpenSSL 3 (the differential test in `tests/rehash.rs` pins it):
//!
//! - refused: a field of the wrong type or a missing one, content left over in a SEQUENCE, an
//!   INTEGER with a redundant leading byte (`00 7f`, `ff 80`) or none, an OBJECT IDENTIFIER
//!   with a padded or unterminated sub-identifier, a BOOLEAN not one byte long, a NULL with
//!   content, a BIT STRING claiming more than 7 unused bits, a GeneralizedTime shorter than 15
//!   characters, and a name value OpenSSL cannot canonicalise (see [`crate::name`]);
//! - loaded: garbage inside an extension value (a malformed subjectAltName, basicConstraints,
//!   key identifier...), inside the public key or the signature, an unknown algorithm, a
//!   version number other than 1 to 3, a time of the right length with impossible digits,
//!   and a negative serial number.
//!
//! Elements are read with `asn1-rs` ([`crate::asn1`]); only the rules above are written here.

use crate::asn1::{self, Element, tag};
use crate::{Error, ObjectKind, Result, Sha1Fingerprint, SubjectHash, name};
use sha1::{Digest, Sha1};

/// What `rehash` needs to know about one certificate or CRL, read without building a
/// [`crate::Certificate`]: no display strings, no extensions, no dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HashOnly {
    /// Certificate or CRL.
    pub kind: ObjectKind,
    /// `X509_NAME_hash` of the subject (the issuer for a CRL).
    pub hash: SubjectHash,
    /// `X509_NAME_hash_old` of the same name.
    pub hash_old: SubjectHash,
    /// SHA-1 of the DER (trailing bytes after the object excluded).
    pub sha1: Sha1Fingerprint,
}

/// Reads `der` as OpenSSL would load it: a certificate or CRL of the `expected` kind (when
/// `None`, the kind its structure shows). An error means OpenSSL cannot load it either; its
/// message says why.
pub fn hash_only(der: &[u8], expected: Option<ObjectKind>) -> Result<HashOnly> {
    let kind = match expected.or_else(|| kind_of(der)) {
        Some(kind) => kind,
        None => {
            return Err(Error::Der {
                index: 0,
                kind: ObjectKind::Certificate,
                reason: "neither a certificate nor a CRL".into(),
            });
        }
    };
    let parts = match kind {
        ObjectKind::Certificate => certificate(der),
        ObjectKind::Crl => crl(der),
    }
    .map_err(|reason| Error::Der {
        index: 0,
        kind,
        reason,
    })?;
    let role = match kind {
        ObjectKind::Certificate => "subject",
        ObjectKind::Crl => "issuer",
    };
    // OpenSSL canonicalises every Name as it decodes it: a certificate whose issuer cannot be
    // canonicalised does not load, though only its subject is hashed.
    if let Some(issuer) = parts.other_name {
        name::hash_of("issuer", issuer)?;
    }
    Ok(HashOnly {
        kind,
        hash: name::hash_of(role, parts.name)?,
        hash_old: name::hash_old(parts.name),
        sha1: Sha1Fingerprint(Sha1::digest(parts.whole).into()),
    })
}

/// Tells a certificate from a CRL by structure: a certificate's times sit inside its
/// validity SEQUENCE, a CRL's `thisUpdate` is a direct child of `tbsCertList`.
pub(crate) fn kind_of(der: &[u8]) -> Option<ObjectKind> {
    let (outer, _) = asn1::expect(der, tag::SEQUENCE, "").ok()?;
    let (tbs, _) = asn1::expect(outer.content, tag::SEQUENCE, "").ok()?;
    let children = asn1::children(tbs.content).ok()?;
    if children
        .iter()
        .any(|c| c.tag == tag::UTC_TIME || c.tag == tag::GENERALIZED_TIME)
    {
        Some(ObjectKind::Crl)
    } else {
        Some(ObjectKind::Certificate)
    }
}

/// The parts of a checked object that hashing needs.
struct Parts<'a> {
    /// The object's own encoding, without anything after it.
    whole: &'a [u8],
    /// The subject (certificate) or issuer (CRL) Name.
    name: &'a [u8],
    /// Another Name OpenSSL decodes, and so canonicalises, on load: a certificate's issuer.
    other_name: Option<&'a [u8]>,
}

/// The fields of a SEQUENCE's content, read one at a time (no allocation) and taken in order
/// as OpenSSL's templates take them.
struct Fields<'a> {
    what: &'static str,
    rest: &'a [u8],
    peeked: Option<Element<'a>>,
}

impl<'a> Fields<'a> {
    fn of(element: &Element<'a>, what: &'static str) -> Result<Fields<'a>, String> {
        Ok(Fields {
            what,
            rest: element.content,
            peeked: None,
        })
    }

    /// The next field without taking it.
    fn peek(&mut self) -> Result<Option<&Element<'a>>, String> {
        if self.peeked.is_none() && !self.rest.is_empty() {
            let (element, rest) =
                asn1::read(self.rest).map_err(|e| format!("{}: {e}", self.what))?;
            self.rest = rest;
            self.peeked = Some(element);
        }
        Ok(self.peeked.as_ref())
    }

    /// The next field, if any.
    fn next(&mut self) -> Result<Option<Element<'a>>, String> {
        self.peek()?;
        Ok(self.peeked.take())
    }

    /// The next field, which must have identifier `tag`.
    fn take(&mut self, tag: u8, field: &str) -> Result<Element<'a>, String> {
        match self.next()? {
            Some(e) if e.tag == tag => Ok(e),
            Some(e) => Err(format!(
                "{} {field}: expected tag 0x{tag:02x}, found 0x{:02x}",
                self.what, e.tag
            )),
            None => Err(format!("{}: {field} is missing", self.what)),
        }
    }

    /// The next field if it has identifier `tag` (an OPTIONAL field).
    fn optional(&mut self, tag: u8) -> Result<Option<Element<'a>>, String> {
        if self.peek()?.is_some_and(|e| e.tag == tag) {
            return self.next();
        }
        Ok(None)
    }

    /// The next field if it is a UTCTime or GeneralizedTime.
    fn time(&mut self, field: &str, optional: bool) -> Result<Option<Element<'a>>, String> {
        let what = self.what;
        match self.peek()?.map(|e| e.tag) {
            Some(tag::UTC_TIME | tag::GENERALIZED_TIME) => {
                let e = self.next()?.ok_or("unreachable")?;
                check_primitive(&e).map_err(|r| format!("{what} {field}: {r}"))?;
                Ok(Some(e))
            }
            _ if optional => Ok(None),
            Some(other) => Err(format!(
                "{what} {field}: expected a time, found tag 0x{other:02x}"
            )),
            None => Err(format!("{what}: {field} is missing")),
        }
    }

    /// No field may be left (OpenSSL: "sequence length mismatch").
    fn end(mut self) -> Result<(), String> {
        match self.next()? {
            None => Ok(()),
            Some(e) => Err(format!(
                "{}: unexpected field with tag 0x{:02x}",
                self.what, e.tag
            )),
        }
    }
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
fn certificate(der: &[u8]) -> Result<Parts<'_>, String> {
    let (outer, _) = asn1::expect(der, tag::SEQUENCE, "certificate")?;
    let mut cert = Fields::of(&outer, "certificate")?;
    let tbs = cert.take(tag::SEQUENCE, "tbsCertificate")?;
    algorithm(&cert.take(tag::SEQUENCE, "signatureAlgorithm")?)?;
    bit_string(&cert.take(tag::BIT_STRING, "signature")?, "signature")?;
    cert.end()?;

    let mut f = Fields::of(&tbs, "tbsCertificate")?;
    if let Some(version) = f.optional(0xa0)? {
        let mut v = Fields::of(&version, "version")?;
        integer(&v.take(tag::INTEGER, "INTEGER")?, "version")?;
        v.end()?;
    }
    integer(&f.take(tag::INTEGER, "serialNumber")?, "serialNumber")?;
    algorithm(&f.take(tag::SEQUENCE, "signature")?)?;
    let issuer = f.take(tag::SEQUENCE, "issuer")?;
    name_structure(&issuer, "issuer")?;
    let validity = f.take(tag::SEQUENCE, "validity")?;
    let mut v = Fields::of(&validity, "validity")?;
    v.time("notBefore", false)?;
    v.time("notAfter", false)?;
    v.end()?;
    let subject = f.take(tag::SEQUENCE, "subject")?;
    name_structure(&subject, "subject")?;
    let spki = f.take(tag::SEQUENCE, "subjectPublicKeyInfo")?;
    let mut k = Fields::of(&spki, "subjectPublicKeyInfo")?;
    algorithm(&k.take(tag::SEQUENCE, "algorithm")?)?;
    bit_string(&k.take(tag::BIT_STRING, "subjectPublicKey")?, "public key")?;
    k.end()?;
    for (id, what) in [(0x81, "issuerUniqueID"), (0x82, "subjectUniqueID")] {
        if let Some(uid) = f.optional(id)? {
            bit_string(&uid, what)?;
        }
    }
    if let Some(wrapper) = f.optional(0xa3)? {
        let mut w = Fields::of(&wrapper, "extensions")?;
        extensions(&w.take(tag::SEQUENCE, "SEQUENCE")?)?;
        w.end()?;
    }
    f.end()?;
    Ok(Parts {
        whole: outer.raw,
        name: subject.raw,
        other_name: Some(issuer.raw),
    })
}

/// `CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }`.
fn crl(der: &[u8]) -> Result<Parts<'_>, String> {
    let (outer, _) = asn1::expect(der, tag::SEQUENCE, "CRL")?;
    let mut list = Fields::of(&outer, "CRL")?;
    let tbs = list.take(tag::SEQUENCE, "tbsCertList")?;
    algorithm(&list.take(tag::SEQUENCE, "signatureAlgorithm")?)?;
    bit_string(&list.take(tag::BIT_STRING, "signature")?, "signature")?;
    list.end()?;

    let mut f = Fields::of(&tbs, "tbsCertList")?;
    if let Some(version) = f.optional(tag::INTEGER)? {
        integer(&version, "version")?;
    }
    algorithm(&f.take(tag::SEQUENCE, "signature")?)?;
    let issuer = f.take(tag::SEQUENCE, "issuer")?;
    name_structure(&issuer, "issuer")?;
    f.time("thisUpdate", false)?;
    f.time("nextUpdate", true)?;
    if let Some(revoked) = f.optional(tag::SEQUENCE)? {
        let mut entries = Fields::of(&revoked, "revokedCertificates")?;
        while let Some(entry) = entries.optional(tag::SEQUENCE)? {
            let mut e = Fields::of(&entry, "revoked certificate")?;
            integer(&e.take(tag::INTEGER, "userCertificate")?, "revoked serial")?;
            e.time("revocationDate", false)?;
            if let Some(exts) = e.optional(tag::SEQUENCE)? {
                extensions(&exts)?;
            }
            e.end()?;
        }
        entries.end()?;
    }
    if let Some(wrapper) = f.optional(0xa0)? {
        let mut w = Fields::of(&wrapper, "crlExtensions")?;
        extensions(&w.take(tag::SEQUENCE, "SEQUENCE")?)?;
        w.end()?;
    }
    f.end()?;
    Ok(Parts {
        whole: outer.raw,
        name: issuer.raw,
        other_name: None,
    })
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
fn algorithm(element: &Element<'_>) -> Result<(), String> {
    let mut f = Fields::of(element, "algorithm identifier")?;
    oid(&f.take(tag::OID, "algorithm")?, "algorithm")?;
    if let Some(parameters) = f.next()? {
        check_primitive(&parameters).map_err(|r| format!("algorithm parameters: {r}"))?;
    }
    f.end()
}

/// `Extensions ::= SEQUENCE OF Extension`, `Extension ::= SEQUENCE { extnID, critical
/// BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`. The value's content is not decoded.
fn extensions(element: &Element<'_>) -> Result<(), String> {
    let mut list = Fields::of(element, "extensions")?;
    while let Some(ext) = list.optional(tag::SEQUENCE)? {
        let mut f = Fields::of(&ext, "extension")?;
        oid(&f.take(tag::OID, "extnID")?, "extension")?;
        if let Some(critical) = f.optional(tag::BOOLEAN)? {
            check_primitive(&critical).map_err(|r| format!("extension critical flag: {r}"))?;
        }
        f.take(tag::OCTET_STRING, "extnValue")?;
        f.end()?;
    }
    list.end()
}

/// `Name ::= SEQUENCE OF SET OF SEQUENCE { type OBJECT IDENTIFIER, value ANY }`; the values'
/// types and strings are judged by the canonicalisation when the name is hashed.
fn name_structure(element: &Element<'_>, what: &'static str) -> Result<(), String> {
    let mut rdns = Fields::of(element, what)?;
    while let Some(rdn) = rdns.optional(tag::SET)? {
        let mut atvs = Fields::of(&rdn, what)?;
        while let Some(atv) = atvs.optional(tag::SEQUENCE)? {
            let mut f = Fields::of(&atv, what)?;
            oid(&f.take(tag::OID, "attribute type")?, what)?;
            match f.next()? {
                Some(value) => {
                    check_primitive(&value).map_err(|r| format!("{what} attribute value: {r}"))?
                }
                None => return Err(format!("{what}: attribute value is missing")),
            }
            f.end()?;
        }
        atvs.end()?;
    }
    rdns.end()
}

fn integer(element: &Element<'_>, what: &str) -> Result<(), String> {
    check_primitive(element).map_err(|r| format!("{what}: {r}"))
}

fn oid(element: &Element<'_>, what: &str) -> Result<(), String> {
    check_primitive(element).map_err(|r| format!("{what}: {r}"))
}

fn bit_string(element: &Element<'_>, what: &str) -> Result<(), String> {
    check_primitive(element).map_err(|r| format!("{what}: {r}"))
}

/// The content checks of OpenSSL's `asn1_ex_c2i` for a universal primitive type (also for
/// an ANY value, which OpenSSL decodes by its tag). Other elements are kept as bytes.
fn check_primitive(element: &Element<'_>) -> Result<(), &'static str> {
    let c = element.content;
    match element.tag {
        tag::BOOLEAN if c.len() != 1 => Err("BOOLEAN is not one byte long"),
        tag::NULL if !c.is_empty() => Err("NULL has content"),
        tag::INTEGER | tag::ENUMERATED => match c {
            [] => Err("INTEGER has no content"),
            [0x00, next, ..] if next & 0x80 == 0 => Err("INTEGER has a redundant leading byte"),
            [0xff, next, ..] if next & 0x80 != 0 => Err("INTEGER has a redundant leading byte"),
            _ => Ok(()),
        },
        tag::OID => {
            let padded = c
                .iter()
                .enumerate()
                .any(|(i, &b)| b == 0x80 && (i == 0 || c[i - 1] & 0x80 == 0));
            if c.is_empty() || c[c.len() - 1] & 0x80 != 0 || padded {
                Err("invalid OBJECT IDENTIFIER encoding")
            } else {
                Ok(())
            }
        }
        tag::BIT_STRING => match c.first() {
            None => Err("BIT STRING has no content"),
            Some(&unused) if unused > 7 => Err("BIT STRING claims more than 7 unused bits"),
            _ => Ok(()),
        },
        tag::BMP_STRING if !c.len().is_multiple_of(2) => Err("BMPString of odd length"),
        tag::UNIVERSAL_STRING if !c.len().is_multiple_of(4) => {
            Err("UniversalString length is not a multiple of 4")
        }
        tag::GENERALIZED_TIME if c.len() < 15 => Err("GeneralizedTime is too short"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_like_asn1_ex_c2i() {
        let check = |t: u8, content: &[u8], ok: bool| {
            let raw = asn1::encode(t, content);
            let (e, _) = asn1::read(&raw).unwrap();
            assert_eq!(check_primitive(&e).is_ok(), ok, "{t:02x} {content:02x?}");
        };
        check(tag::INTEGER, &[0x00], true);
        check(tag::INTEGER, &[0x00, 0x80], true);
        check(tag::INTEGER, &[0x00, 0x7f], false);
        check(tag::INTEGER, &[0xff], true);
        check(tag::INTEGER, &[0xff, 0x7f], true);
        check(tag::INTEGER, &[0xff, 0x80], false);
        check(tag::INTEGER, &[0xff, 0x80, 0x00], false);
        check(tag::INTEGER, &[0xff, 0x00, 0x00], true);
        check(tag::INTEGER, &[0xff, 0x80, 0x01], false);
        check(tag::INTEGER, &[0x80, 0x00], true);
        check(tag::INTEGER, &[], false);
        check(tag::OID, &[0x55, 0x04, 0x03], true);
        check(tag::OID, &[0x55, 0x80, 0x03], false);
        check(tag::OID, &[0x55, 0x81, 0x80, 0x03], true);
        check(tag::OID, &[0x55, 0x84], false);
        check(tag::OID, &[], false);
        check(tag::BOOLEAN, &[0x01], true);
        check(tag::BOOLEAN, &[], false);
        check(tag::NULL, &[], true);
        check(tag::NULL, &[0], false);
        check(tag::BIT_STRING, &[7, 0x80], true);
        check(tag::BIT_STRING, &[8, 0x00], false);
        check(tag::BIT_STRING, &[], false);
        // OpenSSL checks the length of a GeneralizedTime only.
        check(tag::UTC_TIME, b"4912312359Z", true);
        check(tag::GENERALIZED_TIME, b"20491231235959Z", true);
        check(tag::GENERALIZED_TIME, b"204912312359Z", false);
    }
}
