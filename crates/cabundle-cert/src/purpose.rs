//! What trusted roots and verified certificates are for: the one [`Purpose`] every crate
//! and the command line share.
//!
//! Facts that belong to one data source stay with that source (the CCADB trust-bit names and
//! distrust columns live in `cabundle-ccadb`); what a purpose is in X.509 terms, its extended
//! key usage, lives here.

use std::fmt;
use std::str::FromStr;

/// What the roots are trusted for, and what a leaf is checked for.
///
/// Written `tls` or `email` on the command line, in recipes and in manifests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// TLS server authentication (EKU `serverAuth`).
    #[default]
    Tls,
    /// S/MIME: e-mail protection (EKU `emailProtection`).
    Email,
}

/// id-kp-serverAuth, 1.3.6.1.5.5.7.3.1, DER content octets.
const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
/// id-kp-emailProtection, 1.3.6.1.5.5.7.3.4, DER content octets.
const EMAIL_PROTECTION: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04];

impl Purpose {
    /// Every purpose, in a fixed order.
    pub const ALL: [Purpose; 2] = [Purpose::Tls, Purpose::Email];

    /// The name used on the command line, in recipes and in outputs: `tls` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Tls => "tls",
            Purpose::Email => "email",
        }
    }

    /// The purpose as people write it in sentences: `TLS` or `S/MIME`.
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Tls => "TLS",
            Purpose::Email => "S/MIME",
        }
    }

    /// The extended key usage that stands for this purpose: `serverAuth` or
    /// `emailProtection`.
    pub fn eku_name(self) -> &'static str {
        match self {
            Purpose::Tls => "serverAuth",
            Purpose::Email => "emailProtection",
        }
    }

    /// The dotted OID of [`Purpose::eku_name`].
    pub fn eku_oid(self) -> &'static str {
        match self {
            Purpose::Tls => "1.3.6.1.5.5.7.3.1",
            Purpose::Email => "1.3.6.1.5.5.7.3.4",
        }
    }

    /// The DER content octets of the EKU's OID, as path validators take it.
    pub fn eku_der(self) -> &'static [u8] {
        match self {
            Purpose::Tls => SERVER_AUTH,
            Purpose::Email => EMAIL_PROTECTION,
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A purpose name that is not `tls` or `email`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown purpose \"{input}\" (expected tls or email)")]
pub struct UnknownPurpose {
    /// The text that was given.
    pub input: String,
}

impl FromStr for Purpose {
    type Err = UnknownPurpose;

    /// Parses `tls` or `email`, exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purpose::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPurpose {
                input: s.to_owned(),
            })
    }
}

impl serde::Serialize for Purpose {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Purpose {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        fn check(input: &str, expected: Option<Purpose>) {
            assert_eq!(input.parse::<Purpose>().ok(), expected, "{input:?}");
            if let Some(p) = expected {
                assert_eq!(p.to_string(), input);
                let json = serde_json::to_string(&p).unwrap();
                assert_eq!(json, format!("\"{input}\""));
                assert_eq!(serde_json::from_str::<Purpose>(&json).unwrap(), p);
            }
        }
        check("tls", Some(Purpose::Tls));
        check("email", Some(Purpose::Email));
        check("TLS", None);
        check("smime", None);
        check("", None);
        assert_eq!(
            "code".parse::<Purpose>().unwrap_err().to_string(),
            "unknown purpose \"code\" (expected tls or email)"
        );
        assert!(serde_json::from_str::<Purpose>("\"code\"").is_err());
    }

    #[test]
    fn ekus() {
        for p in Purpose::ALL {
            // The DER content octets encode the dotted OID: 1.3 is 0x2b, then one byte each.
            let arcs: Vec<String> = p.eku_der()[1..].iter().map(u8::to_string).collect();
            assert_eq!(format!("1.3.{}", arcs.join(".")), p.eku_oid());
        }
        assert_eq!(Purpose::Tls.eku_name(), "serverAuth");
        assert_eq!(Purpose::Email.name(), "S/MIME");
        assert_eq!(Purpose::default(), Purpose::Tls);
    }
}
