//! A private PKI written as files for the verification tests (`verify`, `probe`, `chain`),
//! generated with rcgen into a fresh temp directory: a root, an intermediate, leaves (valid,
//! expired, not yet valid), an unrelated root, and a "proxy" root with its own leaf, the way a
//! TLS-inspecting proxy would present them. Unlike [`crate::Pki`], every certificate here has
//! its own dates, and some are broken on purpose (name constraints, a leaf that issues).

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints, date_time_ymd,
};
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use time::OffsetDateTime;

/// The names the good leaf is valid for.
pub const GOOD_NAMES: &[&str] = &["good.example", "www.good.example"];
/// Where the leaf says its issuer can be fetched (AIA caIssuers).
pub const INT_URL: &str = "http://ca.invalid/test-intermediate.der";
/// The date the file-based tests verify at (all certificates but the expired one are valid).
pub const AT: &str = "2025-06-01";
/// `AT` as seconds since the epoch, for `openssl -attime`.
pub const AT_EPOCH: i64 = 1_748_736_000;

/// A certificate authority: its parameters and key (to issue) and its PEM.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    /// The certificate, PEM.
    pub pem: String,
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "cabundle tests");
    dn.push(DnType::CommonName, cn);
    dn
}

/// The DER of an authorityInfoAccess extension with one caIssuers URL.
fn aia(url: &str) -> CustomExtension {
    let mut desc = vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    desc.push(0x86);
    desc.push(u8::try_from(url.len()).expect("a short URL"));
    desc.extend_from_slice(url.as_bytes());
    let mut inner = vec![0x30, u8::try_from(desc.len()).expect("a short URL")];
    inner.extend(desc);
    let mut outer = vec![0x30, u8::try_from(inner.len()).expect("a short URL")];
    outer.extend(inner);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], outer)
}

/// A CA certificate: self-signed when `issuer` is `None`.
pub fn ca(cn: &str, issuer: Option<&Ca>, from: OffsetDateTime, to: OffsetDateTime) -> Ca {
    ca_with(cn, issuer, from, to, None)
}

/// A CA certificate limited to names under `permitted` (a name constraints extension).
pub fn ca_with(
    cn: &str,
    issuer: Option<&Ca>,
    from: OffsetDateTime,
    to: OffsetDateTime,
    permitted: Option<&str>,
) -> Ca {
    ca_with_usages(
        cn,
        issuer,
        from,
        to,
        permitted,
        vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ],
    )
}

/// A CA certificate with the given (critical) keyUsage, e.g. one without keyCertSign that
/// clients refuse as an issuer.
pub fn ca_with_usages(
    cn: &str,
    issuer: Option<&Ca>,
    from: OffsetDateTime,
    to: OffsetDateTime,
    permitted: Option<&str>,
    usages: Vec<KeyUsagePurpose>,
) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.name_constraints = permitted.map(|dns| NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName(dns.to_owned())],
        excluded_subtrees: Vec::new(),
    });
    params.distinguished_name = name(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = usages;
    params.not_before = from;
    params.not_after = to;
    params.use_authority_key_identifier_extension = issuer.is_some();
    let key = KeyPair::generate().expect("key generation");
    let cert = match issuer {
        Some(i) => params.signed_by(&key, &i.issuer()).expect("sign CA"),
        None => params.self_signed(&key).expect("self-sign CA"),
    };
    Ca {
        pem: cert.pem(),
        params,
        key,
    }
}

/// Two CA certificates named `a` and `b`, each issued by the other's key, each naming in its
/// caIssuers URL where the other is served (`a_issuers` in `a`, `b_issuers` in `b`): an AIA
/// loop that reaches no root.
pub fn issuer_loop(
    a: &str,
    b: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
    a_issuers: &str,
    b_issuers: &str,
) -> (Ca, Ca) {
    let params = |cn: &str, url: &str| {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params.distinguished_name = name(cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = from;
        params.not_after = to;
        params.use_authority_key_identifier_extension = true;
        params.custom_extensions.push(aia(url));
        params
    };
    let (params_a, params_b) = (params(a, a_issuers), params(b, b_issuers));
    let key_a = KeyPair::generate().expect("key generation");
    let key_b = KeyPair::generate().expect("key generation");
    let cert_a = params_a
        .signed_by(&key_a, &Issuer::from_params(&params_b, &key_b))
        .expect("sign A");
    let cert_b = params_b
        .signed_by(&key_b, &Issuer::from_params(&params_a, &key_a))
        .expect("sign B");
    (
        Ca {
            pem: cert_a.pem(),
            params: params_a,
            key: key_a,
        },
        Ca {
            pem: cert_b.pem(),
            params: params_b,
            key: key_b,
        },
    )
}

/// A self-signed copy of `ca`: its name, key and extensions, issued by itself (PEM). Beside
/// the real one it is a dead end that shares the real one's name and key identifier.
pub fn self_signed_copy(ca: &Ca) -> String {
    let mut params = ca.params.clone();
    params.use_authority_key_identifier_extension = false;
    params.self_signed(&ca.key).expect("self-sign copy").pem()
}

/// A TLS server certificate and its key (PEM, PEM).
pub fn leaf(
    cn: &str,
    names: &[&str],
    issuer: &Ca,
    from: OffsetDateTime,
    to: OffsetDateTime,
    aia_url: Option<&str>,
) -> (String, String) {
    let cert = leaf_ca(cn, names, issuer, from, to, aia_url);
    (cert.pem, cert.key.serialize_pem())
}

/// A TLS server certificate, kept with its key so that it can (wrongly) issue another one.
pub fn leaf_ca(
    cn: &str,
    names: &[&str],
    issuer: &Ca,
    from: OffsetDateTime,
    to: OffsetDateTime,
    aia_url: Option<&str>,
) -> Ca {
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("valid names");
    params.distinguished_name = name(cn);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = from;
    params.not_after = to;
    params.use_authority_key_identifier_extension = true;
    if let Some(url) = aia_url {
        params.custom_extensions.push(aia(url));
    }
    let key = KeyPair::generate().expect("key generation");
    let cert = params.signed_by(&key, &issuer.issuer()).expect("sign leaf");
    Ca {
        pem: cert.pem(),
        params,
        key,
    }
}

/// The generated files, in a fresh temp directory.
pub struct PkiFiles {
    /// Keeps the directory alive.
    pub dir: TempDir,
}

impl Default for PkiFiles {
    fn default() -> Self {
        Self::new()
    }
}

impl PkiFiles {
    /// Generates everything and writes the files `path` names.
    pub fn new() -> PkiFiles {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = ca(
            "Test Root",
            None,
            date_time_ymd(2020, 1, 1),
            date_time_ymd(2040, 1, 1),
        );
        let int = ca(
            "Test Intermediate",
            Some(&root),
            date_time_ymd(2020, 1, 1),
            date_time_ymd(2038, 1, 1),
        );
        let (good, good_key) = leaf(
            "good.example",
            GOOD_NAMES,
            &int,
            date_time_ymd(2024, 1, 1),
            date_time_ymd(2034, 1, 1),
            Some(INT_URL),
        );
        let (expired, expired_key) = leaf(
            "expired.example",
            &["expired.example"],
            &int,
            date_time_ymd(2020, 1, 1),
            date_time_ymd(2022, 1, 1),
            None,
        );
        let (future, future_key) = leaf(
            "future.example",
            &["future.example"],
            &int,
            date_time_ymd(2030, 1, 1),
            date_time_ymd(2032, 1, 1),
            None,
        );
        let other = ca(
            "Other Root",
            None,
            date_time_ymd(2020, 1, 1),
            date_time_ymd(2040, 1, 1),
        );
        let proxy = ca(
            "Inspecting Proxy Root",
            None,
            date_time_ymd(2020, 1, 1),
            date_time_ymd(2040, 1, 1),
        );
        let (proxied, proxied_key) = leaf(
            "good.example",
            GOOD_NAMES,
            &proxy,
            date_time_ymd(2024, 1, 1),
            date_time_ymd(2034, 1, 1),
            None,
        );
        let constrained = ca_with(
            "Constrained Intermediate",
            Some(&root),
            date_time_ymd(2020, 1, 1),
            date_time_ymd(2038, 1, 1),
            Some("allowed.example"),
        );
        let (outside, _) = leaf(
            "good.example",
            GOOD_NAMES,
            &constrained,
            date_time_ymd(2024, 1, 1),
            date_time_ymd(2034, 1, 1),
            None,
        );
        let not_a_ca = leaf_ca(
            "not-a-ca.example",
            &["not-a-ca.example"],
            &int,
            date_time_ymd(2024, 1, 1),
            date_time_ymd(2034, 1, 1),
            None,
        );
        let (under_leaf, _) = leaf(
            "under-leaf.example",
            &["under-leaf.example"],
            &not_a_ca,
            date_time_ymd(2024, 1, 1),
            date_time_ymd(2034, 1, 1),
            None,
        );
        let files: &[(&str, String)] = &[
            (
                "constrained-chain.pem",
                format!("{outside}{}", constrained.pem),
            ),
            (
                "under-leaf-chain.pem",
                format!("{under_leaf}{}{}", not_a_ca.pem, int.pem),
            ),
            ("root.pem", root.pem.clone()),
            ("int.pem", int.pem.clone()),
            ("other-root.pem", other.pem.clone()),
            ("good.pem", good.clone()),
            ("good.key", good_key),
            ("good-chain.pem", format!("{good}{}", int.pem)),
            ("good-full.pem", format!("{good}{}{}", int.pem, root.pem)),
            ("expired.pem", expired.clone()),
            ("expired.key", expired_key),
            ("expired-chain.pem", format!("{expired}{}", int.pem)),
            ("future.pem", future.clone()),
            ("future.key", future_key),
            ("future-chain.pem", format!("{future}{}", int.pem)),
            ("proxy-root.pem", proxy.pem.clone()),
            ("proxied.pem", proxied.clone()),
            ("proxied.key", proxied_key),
            ("proxied-chain.pem", format!("{proxied}{}", proxy.pem)),
        ];
        for (file, text) in files {
            fs_err::write(dir.path().join(file), text).expect("write PKI file");
        }
        PkiFiles { dir }
    }

    /// The path of one of the generated files.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// The path as a `&str` for command lines.
    pub fn arg(&self, file: &str) -> String {
        self.path(file)
            .to_str()
            .expect("a UTF-8 temp path")
            .to_owned()
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}
