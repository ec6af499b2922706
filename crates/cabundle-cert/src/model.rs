//! The typed extension data of [`crate::Certificate`]: alternative names, constraints, key
//! usages. Plain values, filled in once by the parse in `cert.rs`.

use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// One entry of a subjectAltName, or the base of a name-constraints subtree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GeneralName {
    /// `dNSName`.
    Dns(String),
    /// `rfc822Name`: an e-mail address (or, in constraints, a mailbox, host or domain).
    Email(String),
    /// `uniformResourceIdentifier`.
    Uri(String),
    /// `iPAddress` of a subjectAltName.
    Ip(IpAddr),
    /// `iPAddress` of a name-constraints subtree: an address and its mask.
    IpRange {
        /// The network address.
        address: IpAddr,
        /// The mask, as an address.
        mask: IpAddr,
    },
    /// `directoryName`, in the one-line form of [`crate::display_name`].
    Directory(String),
}

impl fmt::Display for GeneralName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneralName::Dns(s) | GeneralName::Email(s) | GeneralName::Uri(s) => f.write_str(s),
            GeneralName::Ip(ip) => write!(f, "{ip}"),
            GeneralName::IpRange { address, mask } => write!(f, "{address}/{mask}"),
            GeneralName::Directory(name) => write!(f, "DirName:{name}"),
        }
    }
}

/// basicConstraints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BasicConstraints {
    /// `cA`: the certificate may issue certificates.
    pub ca: bool,
    /// `pathLenConstraint`.
    pub path_len: Option<u32>,
}

/// keyUsage, one flag per bit of the extension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KeyUsage {
    /// `digitalSignature`.
    pub digital_signature: bool,
    /// `nonRepudiation` (`contentCommitment`).
    pub non_repudiation: bool,
    /// `keyEncipherment`.
    pub key_encipherment: bool,
    /// `dataEncipherment`.
    pub data_encipherment: bool,
    /// `keyAgreement`.
    pub key_agreement: bool,
    /// `keyCertSign`.
    pub key_cert_sign: bool,
    /// `cRLSign`.
    pub crl_sign: bool,
    /// `encipherOnly`.
    pub encipher_only: bool,
    /// `decipherOnly`.
    pub decipher_only: bool,
}

/// One purpose of extKeyUsage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExtendedKeyUsage {
    /// `anyExtendedKeyUsage`.
    Any,
    /// `id-kp-serverAuth` (TLS servers).
    ServerAuth,
    /// `id-kp-clientAuth`.
    ClientAuth,
    /// `id-kp-codeSigning`.
    CodeSigning,
    /// `id-kp-emailProtection` (S/MIME).
    EmailProtection,
    /// `id-kp-timeStamping`.
    TimeStamping,
    /// `id-kp-OCSPSigning`.
    OcspSigning,
    /// Any other purpose, as a dotted OID.
    Other(String),
}

/// nameConstraints: the subtrees names below this CA must be within, or outside of.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NameConstraints {
    /// `permittedSubtrees`.
    pub permitted: Vec<GeneralName>,
    /// `excludedSubtrees`.
    pub excluded: Vec<GeneralName>,
}
