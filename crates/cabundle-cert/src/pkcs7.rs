//! PKCS#7 (CMS) `SignedData` read as a container of certificates: the `certs-only` files
//! (`.p7c`, `.p7b`) that AIA `caIssuers` URLs and Windows exports serve. Signatures and
//! contents are not looked at; the certificates are, one by one, by the certificate model.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode as _, Encode as _};

/// `id-signedData`, 1.2.840.113549.1.7.2, as DER content octets.
const SIGNED_DATA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// Whether `der` starts like a `ContentInfo` of `SignedData`: a SEQUENCE whose first element
/// is the signedData OID. Certificates and CRLs start with a SEQUENCE inside, so the two never
/// look alike.
pub(crate) fn looks_like(der: &[u8]) -> bool {
    let Some(rest) = der.strip_prefix(&[0x30]) else {
        return false;
    };
    // Skip the outer length (short or long form).
    let skip = match rest.first() {
        Some(&b) if b < 0x80 => 1,
        Some(&b) => 1 + usize::from(b & 0x7f),
        None => return false,
    };
    let Some(inner) = rest.get(skip..) else {
        return false;
    };
    inner.starts_with(&[0x06, SIGNED_DATA_OID.len() as u8])
        && inner[2..].starts_with(SIGNED_DATA_OID)
}

/// The DER of every certificate in a PKCS#7 `SignedData`, in order; other certificate
/// choices (attribute certificates) are skipped. The error says what is wrong.
pub(crate) fn certificates(der: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let info = ContentInfo::from_der(der).map_err(|e| format!("not a PKCS#7 file: {e}"))?;
    let signed = info
        .content
        .decode_as::<SignedData>()
        .map_err(|e| format!("PKCS#7 SignedData cannot be read: {e}"))?;
    let mut out = Vec::new();
    for choice in signed.certificates.iter().flat_map(|set| set.0.iter()) {
        if let CertificateChoices::Certificate(cert) = choice {
            out.push(
                cert.to_der()
                    .map_err(|e| format!("a certificate in the PKCS#7 file: {e}"))?,
            );
        }
    }
    Ok(out)
}
