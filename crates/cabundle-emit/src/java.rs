//! A PKCS#12 truststore as Java reads it (RFC 7292 with Java's conventions): each included
//! certificate in a `certBag` whose attributes are a `friendlyName` (the alias) and Java's
//! trusted-key-usage attribute (`2.16.840.1.113894.746875.1.1` = `anyExtendedKeyUsage`;
//! without it Java skips the entry), all in one unencrypted (`data`) safe, and a password
//! integrity MAC: HMAC-SHA-256 keyed by the PKCS#12 key derivation (RFC 7292 appendix B), as
//! modern `keytool` writes it.
//!
//! The bytes are deterministic: the MAC salt is the SHA-256 of the certificates' DER
//! concatenated in output order, and the iteration count is fixed at [`MAC_ITERATIONS`].

use der::asn1::{Any, BmpString, Null, ObjectIdentifier, OctetString, SetOfVec};
use der::{Encode as _, Sequence, ValueOrd};
use hmac::Mac as _;
use sha2::Digest as _;

/// The MAC's iteration count (keytool's default).
pub const MAC_ITERATIONS: u32 = 10_000;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const JAVA_TRUSTED_KEY_USAGE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.113894.746875.1.1");
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

#[derive(Sequence)]
struct Pfx {
    version: u8,
    auth_safe: ContentInfo,
    mac_data: MacData,
}

#[derive(Sequence)]
struct ContentInfo {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: OctetString,
}

#[derive(Sequence)]
struct SafeBag {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: CertBag,
    bag_attributes: SetOfVec<Attribute>,
}

#[derive(Sequence)]
struct CertBag {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, PartialOrd, Ord, Sequence, ValueOrd)]
struct Attribute {
    attr_id: ObjectIdentifier,
    attr_values: SetOfVec<Any>,
}

#[derive(Sequence)]
struct AlgorithmIdentifier {
    algorithm: ObjectIdentifier,
    parameters: Null,
}

#[derive(Sequence)]
struct DigestInfo {
    algorithm: AlgorithmIdentifier,
    digest: OctetString,
}

#[derive(Sequence)]
struct MacData {
    mac: DigestInfo,
    mac_salt: OctetString,
    iterations: u32,
}

/// Aliases from labels: lower-case (as keytool shows them), made unique with ` 2`, ` 3`, ...
pub fn java_aliases<'a>(labels: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for label in labels {
        let base = label.to_lowercase();
        let mut alias = base.clone();
        let mut n = 2;
        while !seen.insert(alias.clone()) {
            alias = format!("{base} {n}");
            n += 1;
        }
        out.push(alias);
    }
    out
}

/// The PKCS#12 key derivation of RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64 bytes):
/// `id` 3 makes a MAC key. The password is the BMPString of `password` with its two-byte
/// terminator.
fn pkcs12_kdf(password: &str, salt: &[u8], id: u8, iterations: u32, len: usize) -> Vec<u8> {
    const U: usize = 32;
    const V: usize = 64;
    let mut pass: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    pass.extend([0, 0]);
    let fill = |bytes: &[u8]| -> Vec<u8> {
        if bytes.is_empty() {
            return Vec::new();
        }
        let n = V * bytes.len().div_ceil(V);
        bytes.iter().copied().cycle().take(n).collect()
    };
    let mut i_block = fill(salt);
    i_block.extend(fill(&pass));
    let d = [id; V];
    let mut out = Vec::new();
    while out.len() < len {
        let mut a = sha2::Sha256::new()
            .chain_update(d)
            .chain_update(&i_block)
            .finalize();
        for _ in 1..iterations {
            a = sha2::Sha256::digest(a);
        }
        out.extend_from_slice(&a);
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        for chunk in i_block.chunks_mut(V) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().zip(&b).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
        debug_assert_eq!(a.len(), U);
    }
    out.truncate(len);
    out
}

/// The truststore holding `certs` (`(alias, DER)`, in this order) under `password`.
pub fn java_truststore(certs: &[(String, &[u8])], password: &str) -> Result<Vec<u8>, der::Error> {
    let trusted = Attribute {
        attr_id: JAVA_TRUSTED_KEY_USAGE,
        attr_values: SetOfVec::try_from(vec![Any::encode_from(&ANY_EXTENDED_KEY_USAGE)?])?,
    };
    let mut bags = Vec::new();
    let mut salt = sha2::Sha256::new();
    for (alias, der) in certs {
        salt.update(der);
        let name = Attribute {
            attr_id: FRIENDLY_NAME,
            attr_values: SetOfVec::try_from(vec![Any::encode_from(&BmpString::from_utf8(
                alias,
            )?)?])?,
        };
        bags.push(SafeBag {
            bag_id: CERT_BAG,
            bag_value: CertBag {
                cert_id: X509_CERTIFICATE,
                cert_value: OctetString::new(der.to_vec())?,
            },
            bag_attributes: SetOfVec::try_from(vec![name, trusted.clone()])?,
        });
    }
    let safe = ContentInfo {
        content_type: DATA,
        content: OctetString::new(bags.to_der()?)?,
    };
    let auth_safe = vec![safe].to_der()?;
    let salt = salt.finalize().to_vec();
    let key = pkcs12_kdf(password, &salt, 3, MAC_ITERATIONS, 32);
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|_| der::ErrorKind::Failed)?;
    mac.update(&auth_safe);
    let pfx = Pfx {
        version: 3,
        auth_safe: ContentInfo {
            content_type: DATA,
            content: OctetString::new(auth_safe)?,
        },
        mac_data: MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifier {
                    algorithm: SHA256,
                    parameters: Null,
                },
                digest: OctetString::new(mac.finalize().into_bytes().to_vec())?,
            },
            mac_salt: OctetString::new(salt)?,
            iterations: MAC_ITERATIONS,
        },
    };
    pfx.to_der()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_lower_case_and_unique() {
        assert_eq!(
            java_aliases([
                "GlobalSign Root CA",
                "globalsign root ca",
                "A",
                "GlobalSign Root CA"
            ]),
            [
                "globalsign root ca",
                "globalsign root ca 2",
                "a",
                "globalsign root ca 3"
            ]
        );
    }
}
