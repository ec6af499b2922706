//! The typed fields of the certificate model, on certificates made with rcgen.

use cabundle_cert::{
    BasicConstraints, Certificate, ExtendedKeyUsage, GeneralName, KeyUsage, NameConstraints,
};
use rcgen::{
    CertificateParams, CidrSubnet, CrlDistributionPoint, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::net::IpAddr;

/// authorityInfoAccess with one caIssuers and one OCSP URL (rcgen has no builder for it).
fn aia(ca_issuers: &str, ocsp: &str) -> CustomExtension {
    let tlv = |tag: u8, content: &[u8]| {
        let mut out = vec![tag, u8::try_from(content.len()).expect("short")];
        out.extend_from_slice(content);
        out
    };
    let access = |method_last: u8, uri: &str| {
        let mut d = tlv(
            0x06,
            &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, method_last],
        );
        d.extend(tlv(0x86, uri.as_bytes()));
        tlv(0x30, &d)
    };
    let mut both = access(2, ca_issuers);
    both.extend(access(1, ocsp));
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], tlv(0x30, &both))
}

#[test]
fn extensions_are_parsed_once_into_the_model() {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Model Org");
    ca.distinguished_name.push(DnType::CommonName, "Model CA");
    ca.is_ca = IsCa::Ca(rcgen::BasicConstraints::Constrained(1));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.name_constraints = Some(rcgen::NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("example.org".into()),
            GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([10, 0, 0, 0], 8)),
        ],
        excluded_subtrees: vec![GeneralSubtree::Rfc822Name("bad.example.org".into())],
    });
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["a.example.org".to_owned()]).expect("params");
    leaf.distinguished_name
        .push(DnType::CommonName, "a.example.org");
    leaf.subject_alt_names.extend([
        SanType::IpAddress(IpAddr::from([10, 1, 2, 3])),
        SanType::Rfc822Name("me@example.org".try_into().expect("ia5")),
        SanType::URI("https://example.org/".try_into().expect("ia5")),
    ]);
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    leaf.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec!["http://crl.example.org/ca.crl".into()],
    }];
    leaf.use_authority_key_identifier_extension = true;
    leaf.custom_extensions = vec![aia(
        "http://ca.example.org/ca.der",
        "http://ocsp.example.org",
    )];
    let leaf_key = KeyPair::generate().expect("key");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("leaf");

    let ca = Certificate::from_der(ca_cert.der()).expect("parse ca");
    let leaf = Certificate::from_der(leaf_cert.der()).expect("parse leaf");

    assert_eq!(ca.common_name.as_deref(), Some("Model CA"));
    assert!(ca.is_ca && ca.is_self_issued());
    let bc = ca.basic_constraints.expect("basicConstraints");
    assert_eq!((bc.ca, bc.path_len), (true, Some(1)));
    let ku = ca.key_usage.expect("keyUsage");
    assert!(ku.key_cert_sign && ku.crl_sign && !ku.digital_signature);
    let nc: NameConstraints = ca.name_constraints.clone().expect("nameConstraints");
    assert_eq!(
        nc.permitted
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["example.org", "10.0.0.0/255.0.0.0"]
    );
    assert_eq!(nc.excluded, [GeneralName::Email("bad.example.org".into())]);

    assert_eq!(leaf.common_name.as_deref(), Some("a.example.org"));
    assert!(!leaf.is_ca && !leaf.is_self_issued());
    assert_eq!(
        leaf.subject_alt_names,
        [
            GeneralName::Dns("a.example.org".into()),
            GeneralName::Ip(IpAddr::from([10, 1, 2, 3])),
            GeneralName::Email("me@example.org".into()),
            GeneralName::Uri("https://example.org/".into()),
        ]
    );
    assert_eq!(
        leaf.extended_key_usage.as_deref(),
        Some(&[ExtendedKeyUsage::ServerAuth, ExtendedKeyUsage::ClientAuth][..])
    );
    assert_eq!(leaf.key_usage.map(|k| k.digital_signature), Some(true));
    assert_eq!(leaf.basic_constraints.map(|b: BasicConstraints| b.ca), None);
    assert_eq!(
        leaf.crl_distribution_points,
        ["http://crl.example.org/ca.crl"]
    );
    assert_eq!(leaf.ca_issuers, ["http://ca.example.org/ca.der"]);
    assert_eq!(leaf.ocsp, ["http://ocsp.example.org"]);
    assert!(ca.subject_key_id.is_some());
    assert_eq!(leaf.authority_key_id, ca.subject_key_id);
    let _: Option<KeyUsage> = leaf.key_usage;
}

#[test]
fn pem_round_trips_through_the_one_encoder() {
    let key = KeyPair::generate().expect("key");
    let params = CertificateParams::new(vec!["pem.example".to_owned()]).expect("params");
    let cert = params.self_signed(&key).expect("cert");
    let model = Certificate::from_der(cert.der()).expect("parse");
    let pem = model.to_pem();
    assert_eq!(pem, cert.pem(), "same text as rcgen's encoder");
    let back = cabundle_cert::read_certificates(format!("\u{feff}{pem}").as_bytes()).expect("read");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].sha256, model.sha256);
}
