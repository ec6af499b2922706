//! Whether one certificate's signature (or a CRL's, or any object signed the same way: a
//! `SEQUENCE` of the signed data, the algorithm and the signature, such as an OCSP
//! `BasicOCSPResponse`) was made with a certificate's key, checked by webpki's signature
//! algorithms (the crypto is theirs; this module only finds the signed bytes, the algorithm
//! identifiers and the key in the DER).

use crate::asn1::{self, tag};
use crate::{Certificate, Crl};

/// The parts of a certificate a signature check needs: the signed `tbsCertificate`, the
/// signature algorithm's identifier (content octets, as webpki compares them) and the
/// signature; and, for the issuer side, its key's algorithm identifier and key bits.
struct Parts<'a> {
    tbs: &'a [u8],
    signature_alg: &'a [u8],
    signature: &'a [u8],
    key_alg: &'a [u8],
    key: &'a [u8],
}

/// The signed bytes, the signature algorithm's identifier and the signature of a signed
/// object: a `SEQUENCE` of three elements (four with the certificates an OCSP response may
/// append).
fn signed_parts(der: &[u8]) -> Option<(asn1::Element<'_>, &[u8], &[u8])> {
    let (outer, _) = asn1::expect(der, tag::SEQUENCE, "signed object").ok()?;
    let top = asn1::children(outer.content).ok()?;
    let (tbs, alg, sig) = match top.as_slice() {
        [tbs, alg, sig] | [tbs, alg, sig, _] => (tbs, alg, sig),
        _ => return None,
    };
    if tbs.tag != tag::SEQUENCE || alg.tag != tag::SEQUENCE {
        return None;
    }
    Some((*tbs, alg.content, bit_string(sig)?))
}

fn parts(der: &[u8]) -> Option<Parts<'_>> {
    let (tbs, signature_alg, signature) = signed_parts(der)?;
    let fields = asn1::children(tbs.content).ok()?;
    // version [0] is optional; then serial, signature, issuer, validity, subject, SPKI.
    let skip = usize::from(fields.first()?.tag == 0xa0);
    let spki = fields.get(skip + 5)?;
    let spki_parts = asn1::children(spki.content).ok()?;
    let [key_alg, key] = spki_parts.as_slice() else {
        return None;
    };
    Some(Parts {
        tbs: tbs.raw,
        signature_alg,
        signature,
        key_alg: key_alg.content,
        key: bit_string(key)?,
    })
}

/// The bits of a BIT STRING with no unused bits.
fn bit_string<'a>(element: &asn1::Element<'a>) -> Option<&'a [u8]> {
    match (element.tag, element.content.split_first()) {
        (tag::BIT_STRING, Some((0, bits))) => Some(bits),
        _ => None,
    }
}

impl Certificate {
    /// Whether this certificate's signature verifies with `issuer`'s public key, under one of
    /// the algorithms webpki supports (RSA PKCS#1 with SHA-256 and up, RSA-PSS, ECDSA P-256
    /// and P-384, Ed25519). Names, validity and constraints are not looked at: this is the
    /// signature alone. `false` also when the algorithm is not supported.
    pub fn is_signed_by(&self, issuer: &Certificate) -> bool {
        self.signature_check(issuer) == Some(true)
    }

    /// Like [`Certificate::is_signed_by`], but `None` when no supported algorithm matches the
    /// pair's algorithm identifiers (SHA-1 RSA, parameters encoded unusually), so
    /// that the signature could not be checked either way.
    pub fn signature_check(&self, issuer: &Certificate) -> Option<bool> {
        let child = parts(&self.der)?;
        issuer.check_signature(child.tbs, child.signature_alg, child.signature)
    }

    /// Whether `signed` (the DER of an object signed as a certificate is: a `SEQUENCE` of
    /// the signed data, the algorithm and the signature, such as an OCSP
    /// `BasicOCSPResponse`) was signed with this certificate's key; `None` when the object is
    /// not shaped so or no supported algorithm matches.
    pub fn signed(&self, signed: &[u8]) -> Option<bool> {
        let (tbs, alg, signature) = signed_parts(signed)?;
        self.check_signature(tbs.raw, alg, signature)
    }

    fn check_signature(&self, tbs: &[u8], signature_alg: &[u8], signature: &[u8]) -> Option<bool> {
        let key = parts(&self.der)?;
        let alg = webpki::ALL_VERIFICATION_ALGS.iter().find(|alg| {
            alg.public_key_alg_id().as_ref() == key.key_alg
                && alg.signature_alg_id().as_ref() == signature_alg
        })?;
        Some(alg.verify_signature(key.key, tbs, signature).is_ok())
    }
}

impl Crl {
    /// Whether this CRL's signature verifies with `issuer`'s key (`None` when no supported
    /// algorithm matches, as [`Certificate::signature_check`]). Names are not looked at.
    pub fn signature_check(&self, issuer: &Certificate) -> Option<bool> {
        issuer.signed(&self.der)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca(
        cn: &str,
        alg: &'static rcgen::SignatureAlgorithm,
    ) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate_for(alg).unwrap();
        rcgen::CertifiedIssuer::self_signed(params, key).unwrap()
    }

    #[test]
    fn signatures() {
        let cert = |der: &[u8]| Certificate::from_der(der).unwrap();
        for alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ECDSA_P384_SHA384,
            &rcgen::PKCS_ED25519,
        ] {
            let root = ca("Root", alg);
            let other = ca("Root", alg);
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "Sub");
            let sub_key = rcgen::KeyPair::generate_for(alg).unwrap();
            let sub = params.signed_by(&sub_key, &root).unwrap();
            let (root, other, sub) = (cert(root.der()), cert(other.der()), cert(sub.der()));
            assert!(sub.is_signed_by(&root), "{alg:?}");
            assert!(root.is_signed_by(&root), "{alg:?}");
            // Same name, another key: not the issuer.
            assert!(!sub.is_signed_by(&other), "{alg:?}");
            assert!(!root.is_signed_by(&sub), "{alg:?}");
        }
    }
}
