//! A private three-level PKI (root, intermediate, leaf) made with rcgen, for tests that need
//! certificates which verify: chains, TLS servers, CRLs.

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevocationReason, RevokedCertParams, SerialNumber,
};
use time::OffsetDateTime;
use time::macros::datetime;

/// One issued certificate with its private key.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The certificate, PEM (`CERTIFICATE` block, LF line endings).
    pub pem: String,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The serial number's big-endian bytes.
    pub serial: Vec<u8>,
}

/// A root CA, an intermediate CA it signed, and a `localhost` server leaf the intermediate
/// signed. Keys are fresh ECDSA P-256 keys on every call; validity is 2020-01-01 to
/// 2049-12-31, so the chain verifies at any test date in between.
pub struct Pki {
    /// The self-signed root (`CN=cabundle Test Root CA`).
    pub root: Issued,
    /// The intermediate (`CN=cabundle Test Intermediate CA`).
    pub intermediate: Issued,
    /// The leaf, for `localhost`, `127.0.0.1` and `::1`, serverAuth and clientAuth.
    pub leaf: Issued,
    root_issuer: Issuer<'static, KeyPair>,
    intermediate_issuer: Issuer<'static, KeyPair>,
}

fn dn(cn: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "XX");
    name.push(DnType::OrganizationName, "cabundle tests");
    name.push(DnType::CommonName, cn);
    name
}

fn ca_params(cn: &str, serial: u64) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = dn(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = datetime!(2020-01-01 0:00 UTC);
    params.not_after = datetime!(2049-12-31 23:59:59 UTC);
    params
}

fn issued(cert: &rcgen::Certificate, key: &KeyPair, serial: u64) -> Issued {
    Issued {
        der: cert.der().to_vec(),
        pem: cert.pem(),
        key_pem: key.serialize_pem(),
        serial: SerialNumber::from(serial).to_bytes(),
    }
}

impl Default for Pki {
    fn default() -> Self {
        Self::new()
    }
}

impl Pki {
    /// Generates a fresh PKI.
    pub fn new() -> Pki {
        let root_key = KeyPair::generate().expect("P-256 key generation");
        let root_params = ca_params("cabundle Test Root CA", 1);
        let root_cert = root_params.self_signed(&root_key).expect("self-sign root");
        let root = issued(&root_cert, &root_key, 1);
        let root_issuer = Issuer::new(root_params, root_key);

        let int_key = KeyPair::generate().expect("P-256 key generation");
        let mut int_params = ca_params("cabundle Test Intermediate CA", 2);
        int_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let int_cert = int_params
            .signed_by(&int_key, &root_issuer)
            .expect("sign intermediate");
        let intermediate = issued(&int_cert, &int_key, 2);
        let intermediate_issuer = Issuer::new(int_params, int_key);

        let mut pki = Pki {
            leaf: intermediate.clone(),
            root,
            intermediate,
            root_issuer,
            intermediate_issuer,
        };
        pki.leaf = pki.issue_leaf(
            "localhost",
            &["localhost", "127.0.0.1", "::1"],
            3,
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2049-12-31 23:59:59 UTC),
        );
        pki
    }

    /// Issues another leaf from the intermediate: common name, subject alternative names
    /// (DNS names or IP addresses), serial number and validity.
    pub fn issue_leaf(
        &self,
        cn: &str,
        names: &[&str],
        serial: u64,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Issued {
        let key = KeyPair::generate().expect("P-256 key generation");
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("valid subject alternative names");
        params.distinguished_name = dn(cn);
        params.serial_number = Some(SerialNumber::from(serial));
        params.not_before = not_before;
        params.not_after = not_after;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = params
            .signed_by(&key, &self.intermediate_issuer)
            .expect("sign leaf");
        issued(&cert, &key, serial)
    }

    /// The leaf followed by the intermediate, PEM: what a TLS server sends.
    pub fn chain_pem(&self) -> String {
        format!("{}{}", self.leaf.pem, self.intermediate.pem)
    }

    /// A DER CRL signed by the root revoking `revoked` (thisUpdate 2025-01-01, nextUpdate
    /// 2049-12-31).
    pub fn root_crl(&self, revoked: &[&Issued]) -> Vec<u8> {
        crl(&self.root_issuer, revoked)
    }

    /// A DER CRL signed by the intermediate revoking `revoked`.
    pub fn intermediate_crl(&self, revoked: &[&Issued]) -> Vec<u8> {
        crl(&self.intermediate_issuer, revoked)
    }
}

fn crl(issuer: &Issuer<'static, KeyPair>, revoked: &[&Issued]) -> Vec<u8> {
    let params = CertificateRevocationListParams {
        this_update: datetime!(2025-01-01 0:00 UTC),
        next_update: datetime!(2049-12-31 23:59:59 UTC),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|cert| RevokedCertParams {
                serial_number: SerialNumber::from_slice(&cert.serial),
                revocation_time: datetime!(2025-01-01 0:00 UTC),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(issuer).expect("sign CRL").der().to_vec()
}
