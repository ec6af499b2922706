//! Unit tests on a private PKI generated with rcgen: one `check` per function, many cases.

use crate::*;
use cabundle_cert::Certificate;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use time::OffsetDateTime;
use time::macros::datetime;

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: Certificate,
}

fn parse(der: &[u8]) -> Certificate {
    Certificate::from_der(der).unwrap()
}

fn ca(cn: &str, issuer: Option<&Ca>, to: OffsetDateTime) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = to;
    params.use_authority_key_identifier_extension = issuer.is_some();
    let key = KeyPair::generate().unwrap();
    let cert = match issuer {
        Some(i) => params
            .signed_by(&key, &Issuer::from_params(&i.params, &i.key))
            .unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Ca {
        cert: parse(cert.der()),
        params,
        key,
    }
}

fn leaf(cn: &str, issuer: &Ca, to: OffsetDateTime, eku: ExtendedKeyUsagePurpose) -> Certificate {
    let mut params = CertificateParams::new(vec![cn.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![eku];
    params.not_before = date_time_ymd(2024, 1, 1);
    params.not_after = to;
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    let cert = params
        .signed_by(&key, &Issuer::from_params(&issuer.params, &issuer.key))
        .unwrap();
    parse(cert.der())
}

struct Pki {
    root: Ca,
    int: Ca,
    old_int: Ca,
    other: Ca,
    good: Certificate,
    email: Certificate,
    under_old: Certificate,
}

fn pki() -> Pki {
    let far = date_time_ymd(2040, 1, 1);
    let root = ca("Root", None, far);
    let int = ca("Int", Some(&root), far);
    let old_int = ca("Old Int", Some(&root), date_time_ymd(2024, 6, 1));
    let other = ca("Other", None, far);
    let good = leaf(
        "good.example",
        &int,
        date_time_ymd(2039, 12, 15),
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let email = leaf(
        "mail.example",
        &int,
        far,
        ExtendedKeyUsagePurpose::EmailProtection,
    );
    let under_old = leaf(
        "old.example",
        &old_int,
        far,
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    Pki {
        root,
        int,
        old_int,
        other,
        good,
        email,
        under_old,
    }
}

const AT: OffsetDateTime = datetime!(2025-06-01 0:00 UTC);

fn opts(host: Option<&str>, purpose: Purpose) -> Options {
    Options {
        at: AT,
        hostname: host.map(str::to_owned),
        purpose,
        manifest: None,
        partial_chain: false,
    }
}

/// Verifies and compares the first line of each problem's message (or "ok").
fn check(chain: &[&Certificate], store: &[&Certificate], opts: &Options, expected: &[&str]) {
    let chain: Vec<Certificate> = chain.iter().map(|c| (*c).clone()).collect();
    let store: Vec<Certificate> = store.iter().map(|c| (*c).clone()).collect();
    let report = verify(&chain, &store, opts).unwrap();
    let got: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (g, e) in got.iter().zip(expected) {
        assert!(g.starts_with(e), "{g:?} should start with {e:?}");
    }
    assert_eq!(report.is_valid(), expected.is_empty());
}

#[test]
fn verdicts() {
    let p = pki();
    let tls = opts(Some("good.example"), Purpose::Tls);
    let (root, int, other) = (&p.root.cert, &p.int.cert, &p.other.cert);
    check(&[&p.good, int], &[root], &tls, &[]);
    check(&[&p.good, int, root], &[root], &tls, &[]);
    check(&[&p.good], &[root, int], &tls, &[]);
    check(&[root], &[root], &opts(None, Purpose::Tls), &[]);
    check(
        &[&p.good],
        &[root],
        &tls,
        &["missing intermediate: \"CN=good.example\" was issued by \"CN=Int\""],
    );
    check(
        &[&p.good, int],
        &[other],
        &tls,
        &["root not in the trust store: \"CN=Int\" was issued by \"CN=Root\""],
    );
    check(
        &[&p.good, int, root],
        &[other],
        &tls,
        &["root not in the trust store: the chain ends at \"CN=Root\""],
    );
    check(
        &[&p.under_old, &p.old_int.cert],
        &[root],
        &opts(Some("old.example"), Purpose::Tls),
        &["expired: the intermediate \"CN=Old Int\" expired on 2024-06-01 00:00:00 UTC"],
    );
    check(
        &[&p.good, int],
        &[root],
        &opts(Some("bad.example"), Purpose::Tls),
        &[
            "host name mismatch: the certificate is not valid for \"bad.example\"; it is valid for: good.example",
        ],
    );
    check(&[&p.email, int], &[root], &opts(None, Purpose::Email), &[]);
    check(
        &[&p.good, int],
        &[root],
        &opts(None, Purpose::Email),
        &["rejected: the certificate's extended key usage does not allow e-mail protection"],
    );
    check(
        &[&p.email, int],
        &[root],
        &opts(Some("mail.example"), Purpose::Tls),
        &[
            "rejected: the certificate's extended key usage does not allow TLS server authentication",
        ],
    );
    check(
        &[int, &p.good],
        &[root],
        &tls,
        &[
            "rejected: the first certificate is a CA certificate",
            "host name mismatch",
        ],
    );
    assert!(matches!(
        verify(&[], std::slice::from_ref(&p.root.cert), &tls),
        Err(Error::EmptyChain)
    ));
}

#[test]
fn anchors_are_roots_unless_partial_chain() {
    let p = pki();
    let (root, int) = (&p.root.cert, &p.int.cert);
    let strict = opts(Some("good.example"), Purpose::Tls);
    let partial = Options {
        partial_chain: true,
        ..strict.clone()
    };
    let not_root = "not a root: the path ends at \"CN=Int\" of the trust store";
    // An intermediate of the store is a step on the way to a root, not an anchor.
    check(&[&p.good], &[int], &strict, &[not_root]);
    check(&[&p.good, int], &[int], &strict, &[not_root]);
    check(&[&p.good], &[int, root], &strict, &[]);
    check(&[&p.good], &[int], &partial, &[]);
    // The leaf itself in the store.
    let leaf_not_root = "not a root: the path ends at \"CN=good.example\"";
    check(&[&p.good], &[&p.good], &strict, &[leaf_not_root]);
    check(&[&p.good], &[&p.good], &partial, &[]);
    check(&[&p.good, int], &[&p.good, root], &strict, &[]);
    // The root given in the chain but not in the store is refused either way.
    check(
        &[&p.good, int, root],
        &[int],
        &strict,
        &["root not in the trust store: the chain ends at \"CN=Root\""],
    );
    check(&[&p.good, int, root], &[int], &partial, &[]);
}

#[test]
fn supplied_intermediates_complete_the_path() {
    let p = pki();
    let tls = opts(Some("good.example"), Purpose::Tls);
    let chain = [p.good.clone()];
    let store = [p.root.cert.clone()];
    // Unrelated certificates beside the one that helps.
    let supplied = [
        p.other.cert.clone(),
        p.old_int.cert.clone(),
        p.int.cert.clone(),
    ];
    let report = verify_with(&chain, &supplied, &store, &tls).unwrap();
    assert!(report.is_valid(), "{:?}", report.problems);
    let marks: Vec<(bool, bool)> = report
        .path
        .iter()
        .map(|l| (l.supplied, l.trusted))
        .collect();
    assert_eq!(marks, [(false, false), (true, false), (false, true)]);
    // A certificate given in the chain is not marked as supplied.
    let chain = [p.good.clone(), p.int.cert.clone()];
    let report = verify_with(&chain, &supplied, &store, &tls).unwrap();
    assert!(report.path.iter().all(|l| !l.supplied));
}

#[test]
fn manifest_explains_excluded_roots() {
    let p = pki();
    let root = &p.root.cert;
    let mut manifest: Manifest = cabundle_manifest::Manifest {
        format_version: cabundle_manifest::FORMAT_VERSION,
        tool: "cabundle test".into(),
        source: cabundle_manifest::Source {
            name: "report.csv".into(),
            sha256: root.sha256,
            size: 0,
        },
        policy: cabundle_manifest::Policy {
            purpose: Purpose::Tls,
            as_of: AT.date(),
            distrust_grace_days: 398,
            include_expired: false,
            excludes: vec![],
            adds: vec![],
        },
        outputs: cabundle_manifest::Outputs::default(),
        included: vec![],
        excluded: vec![cabundle_manifest::Excluded {
            sha256: root.sha256,
            label: "Root".into(),
            reason: "expired".into(),
            detail: "expired on 2024-01-01".into(),
        }],
        intermediates: None,
    };
    // What verify reads is what the build writes: through the JSON.
    manifest = Manifest::from_json(&manifest.to_json()).unwrap();
    let mut o = opts(None, Purpose::Tls);
    o.manifest = Some(manifest);
    let other = &p.other.cert;
    let expected = [
        "root left out of the bundle: \"CN=Root\" (Root) was excluded by the bundle's policy: expired on 2024-01-01",
    ];
    check(&[&p.good, &p.int.cert, root], &[other], &o, &expected);
    check(&[&p.good, &p.int.cert], &[other], &o, &expected);
}

#[test]
fn ordering() {
    let p = pki();
    let (root, int, good) = (&p.root.cert, &p.int.cert, &p.good);
    let check = |given: &[&Certificate],
                 bundle: &[&Certificate],
                 order: &[&str],
                 complete: bool,
                 missing: Option<&str>,
                 unused: usize| {
        let given: Vec<Certificate> = given.iter().map(|c| (*c).clone()).collect();
        let bundle: Vec<Certificate> = bundle.iter().map(|c| (*c).clone()).collect();
        let o = order_chain(&given, &bundle, AT).unwrap();
        let got: Vec<&str> = o.chain.iter().map(|c| c.subject.as_str()).collect();
        assert_eq!(got, order);
        assert_eq!(o.complete, complete);
        assert_eq!(
            o.missing_issuer_of.as_ref().map(|c| c.subject.as_str()),
            missing
        );
        assert_eq!(o.unused.len(), unused);
    };
    check(
        &[root, int, good],
        &[],
        &["CN=good.example", "CN=Int", "CN=Root"],
        true,
        None,
        0,
    );
    check(
        &[int, good, int],
        &[],
        &["CN=good.example", "CN=Int"],
        false,
        Some("CN=Int"),
        0,
    );
    check(
        &[int, good],
        &[root],
        &["CN=good.example", "CN=Int", "CN=Root"],
        true,
        None,
        0,
    );
    check(
        &[good, root],
        &[],
        &["CN=good.example"],
        false,
        Some("CN=good.example"),
        1,
    );
    check(&[root], &[], &["CN=Root"], true, None, 0);
    assert!(order_chain(&[], &[], AT).is_none());
}

#[test]
fn expiring_lists_soonest_first() {
    let p = pki();
    let certs = vec![
        p.root.cert.clone(),
        p.old_int.cert.clone(),
        p.good.clone(),
        p.old_int.cert.clone(),
    ];
    let check = |at: OffsetDateTime, days: i64, expected: &[(&str, bool)]| {
        let list = expiring(&certs, at, time::Duration::days(days));
        let got: Vec<(&str, bool)> = list
            .iter()
            .map(|e| (e.cert.subject.as_str(), e.expired))
            .collect();
        assert_eq!(got, expected, "{at} + {days}d");
    };
    check(datetime!(2024-01-01 0:00 UTC), 90, &[]);
    check(datetime!(2024-04-01 0:00 UTC), 90, &[("CN=Old Int", false)]);
    check(datetime!(2025-01-01 0:00 UTC), 90, &[("CN=Old Int", true)]);
    check(
        datetime!(2039-12-01 0:00 UTC),
        90,
        &[
            ("CN=Old Int", true),
            ("CN=good.example", false),
            ("CN=Root", false),
        ],
    );
}

#[test]
fn a_path_longer_than_the_depth_limit_is_named() {
    let far = date_time_ymd(2040, 1, 1);
    let root = ca("Deep 0", None, far);
    let mut cas = vec![root];
    for i in 1..12 {
        let next = ca(&format!("Deep {i}"), cas.last(), far);
        cas.push(next);
    }
    let leaf = leaf(
        "deep.example",
        cas.last().unwrap(),
        far,
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let mut chain = vec![&leaf];
    chain.extend(cas.iter().rev().map(|c| &c.cert));
    check(
        &chain,
        &[&cas[0].cert],
        &opts(Some("deep.example"), Purpose::Tls),
        &["rejected: no path to a trusted root within 10 certificates"],
    );
}

#[test]
fn a_self_issued_intermediate_does_not_count_for_path_length() {
    let far = date_time_ymd(2040, 1, 1);
    let mut root = ca("Len Root", None, far);
    // Re-issue the root with pathLenConstraint 1: one intermediate below it.
    root.params.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
    root.cert = parse(root.params.self_signed(&root.key).unwrap().der());
    let old = ca("Len Int", Some(&root), far);
    // A key rollover: the intermediate's new key, under its own name, signed by the old key.
    let new_key = KeyPair::generate().unwrap();
    let mut new_params = old.params.clone();
    new_params.use_authority_key_identifier_extension = true;
    let rollover = parse(
        new_params
            .signed_by(&new_key, &Issuer::from_params(&old.params, &old.key))
            .unwrap()
            .der(),
    );
    let new = Ca {
        params: new_params,
        key: new_key,
        cert: rollover.clone(),
    };
    let tls = opts(Some("sub.example"), Purpose::Tls);
    let under_new = leaf_of(&new);
    check(
        &[&under_new, &rollover, &old.cert],
        &[&root.cert],
        &tls,
        &[],
    );
    // A second intermediate that is not self-issued is one too many.
    let sub = ca("Len Sub", Some(&old), far);
    let under_sub = leaf_of(&sub);
    check(
        &[&under_sub, &sub.cert, &old.cert],
        &[&root.cert],
        &tls,
        &[
            "CA not usable as issuer because of pathLen: its pathLenConstraint 1 allows 1 intermediate below it, and the path has 2",
        ],
    );
}

fn leaf_of(issuer: &Ca) -> Certificate {
    leaf(
        "sub.example",
        issuer,
        date_time_ymd(2039, 1, 1),
        ExtendedKeyUsagePurpose::ServerAuth,
    )
}

#[test]
fn rejections_are_words_not_type_names() {
    use webpki::Error as E;
    let errors = [
        E::BadDer,
        E::BadDerTime,
        E::TrailingData(webpki::DerTypeId::SignedData),
        E::MalformedExtensions,
        E::CertRevoked,
        E::UnknownIssuer,
        E::InvalidSignatureForPublicKey,
        E::MaximumPathBuildCallsExceeded,
        E::UnsupportedCrlVersion,
    ];
    for err in &errors {
        let words = Problem::Rejected(crate::diagnose::describe(err, Purpose::Tls)).to_string();
        for name in [
            "BadDer",
            "TrailingData",
            "SignedData",
            "Context",
            "Unsupported",
        ] {
            assert!(!words.contains(name), "{err:?}: {words}");
        }
    }
}

#[test]
fn long_name_lists_are_cut() {
    let names = |n: usize| -> Vec<String> { (0..n).map(|i| format!("n{i}")).collect() };
    let check = |n: usize, expected: &str| {
        assert_eq!(crate::diagnose::list_names(&names(n)), expected);
    };
    check(0, "");
    check(2, "n0, n1");
    check(12, "n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11");
    check(
        2048,
        "n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11 and 2036 more",
    );
}

#[test]
fn common_names_match_as_openssl_matches_them() {
    let check = |pattern: &str, host: &str, expected: bool| {
        assert_eq!(
            crate::diagnose::host_matches(pattern, host),
            expected,
            "{pattern} {host}"
        );
    };
    check("localhost", "localhost", true);
    check("LocalHost", "localhost", true);
    check("www.example.com", "www.example.com.", true);
    check("*.example.com", "www.example.com", true);
    check("*.example.com", "example.com", false);
    check("*.example.com", "a.b.example.com", false);
    check("*.com", "example.com", false);
    check("other.example", "localhost", false);
}
