//! What verification needs beyond `cabundle_cert::Certificate`: alternative names, the AIA
//! caIssuers URLs and key identifiers, read with x509-parser.

use x509_parser::prelude::*;

/// Extensions used to build paths and explain failures. Missing or unreadable extensions are
/// empty: the cryptographic verdict comes from webpki, this only feeds the explanation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// DNS names, IP addresses and e-mail addresses from subjectAltName, as text.
    pub names: Vec<String>,
    /// `caIssuers` URLs from authorityInfoAccess: where to fetch the issuer's certificate.
    pub ca_issuers: Vec<String>,
    /// subjectKeyIdentifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier's keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
}

const CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";

/// Reads the [`Extras`] of a DER certificate.
pub fn extras(der: &[u8]) -> Extras {
    let mut out = Extras::default();
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return out;
    };
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => {
                for name in &san.general_names {
                    match name {
                        GeneralName::DNSName(s) => out.names.push((*s).to_owned()),
                        GeneralName::RFC822Name(s) => out.names.push((*s).to_owned()),
                        GeneralName::IPAddress(b) => {
                            if let Some(ip) = ip_text(b) {
                                out.names.push(ip);
                            }
                        }
                        _ => {}
                    }
                }
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for desc in &aia.accessdescs {
                    if desc.access_method.to_id_string() == CA_ISSUERS
                        && let GeneralName::URI(uri) = desc.access_location
                    {
                        out.ca_issuers.push(uri.to_owned());
                    }
                }
            }
            ParsedExtension::SubjectKeyIdentifier(id) => {
                out.subject_key_id = Some(id.0.to_vec());
            }
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                out.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec());
            }
            _ => {}
        }
    }
    out
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    if let Ok(b) = <[u8; 4]>::try_from(bytes) {
        return Some(std::net::Ipv4Addr::from(b).to_string());
    }
    if let Ok(b) = <[u8; 16]>::try_from(bytes) {
        return Some(std::net::Ipv6Addr::from(b).to_string());
    }
    None
}
