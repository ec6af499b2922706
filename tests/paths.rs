//! Path building that backtracks (issue 18): each case is a private PKI made with rcgen where
//! the first candidate issuer is the wrong one, or where several paths exist, and each verdict
//! of `cabundle verify` is compared with `openssl verify -CAfile ROOTS -untrusted CHAIN LEAF`
//! at the same time (`-attime`): the exit code is OpenSSL's verdict in every case, and where
//! only a search that goes back finds the path (OpenSSL 3.0 does not go back), the message
//! names the dead end OpenSSL takes and who accepts the path. Also the checks OpenSSL makes on
//! an issuer (basicConstraints, keyUsage, pathLenConstraint), each named as its own problem,
//! and the bound on the search.
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod support;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose, SanType, date_time_ymd,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{cabundle, output_text};
use time::OffsetDateTime;

/// The moment every case is verified at, and as seconds for `openssl -attime`.
const AT: &str = "2025-06-01";
const AT_EPOCH: &str = "1748736000";

/// A CA: what it needs to issue, and its certificate.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

/// How to make one CA certificate; `Spec::new` is a plain CA valid 2020 to 2040.
struct Spec<'a> {
    cn: &'a str,
    issuer: Option<&'a Ca>,
    /// Reuse this key (PEM) instead of a fresh one.
    key: Option<&'a str>,
    /// A subjectKeyIdentifier of our choosing (so that several keys share one).
    ski: Option<Vec<u8>>,
    is_ca: IsCa,
    usages: Vec<KeyUsagePurpose>,
    to: OffsetDateTime,
}

impl<'a> Spec<'a> {
    fn new(cn: &'a str, issuer: Option<&'a Ca>) -> Spec<'a> {
        Spec {
            cn,
            issuer,
            key: None,
            ski: None,
            is_ca: IsCa::Ca(BasicConstraints::Unconstrained),
            usages: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            to: date_time_ymd(2040, 1, 1),
        }
    }

    fn make(self) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, self.cn);
        params.is_ca = self.is_ca;
        params.key_usages = self.usages;
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = self.to;
        params.use_authority_key_identifier_extension = self.issuer.is_some();
        if let Some(ski) = self.ski {
            params.key_identifier_method = KeyIdMethod::PreSpecified(ski);
        }
        let key = match self.key {
            Some(pem) => KeyPair::from_pem(pem).unwrap(),
            None => KeyPair::generate().unwrap(),
        };
        let cert = match self.issuer {
            Some(i) => params.signed_by(&key, &i.issuer()).unwrap(),
            None => params.self_signed(&key).unwrap(),
        };
        Ca {
            pem: cert.pem(),
            params,
            key,
        }
    }
}

/// A server certificate for `names` (none: a common name only) issued by `issuer`.
fn leaf(cn: &str, names: Vec<SanType>, issuer: &Ca) -> String {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.subject_alt_names = names;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = date_time_ymd(2024, 1, 1);
    params.not_after = date_time_ymd(2030, 1, 1);
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().unwrap();
    params.signed_by(&key, &issuer.issuer()).unwrap().pem()
}

fn dns(name: &str) -> SanType {
    SanType::DnsName(name.try_into().unwrap())
}

/// Writes `chain` and `roots` (PEM texts, concatenated) into `dir`; returns their paths.
fn files(dir: &Path, chain: &[&str], roots: &[&str]) -> (PathBuf, PathBuf) {
    let (c, r) = (dir.join("chain.pem"), dir.join("roots.pem"));
    std::fs::write(&c, chain.concat()).unwrap();
    std::fs::write(&r, roots.concat()).unwrap();
    (c, r)
}

/// What `openssl verify` is expected to say about a case.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Openssl {
    /// The same verdict as cabundle.
    Agrees,
    /// OpenSSL 3.0 takes the first likely issuer (name, key identifier, validity) of the store
    /// and of the untrusted certificates and does not go back: that one is a dead end, so it
    /// fails with the error given, where a search that goes back finds a path. cabundle gives
    /// OpenSSL's verdict (exit 1) and names the dead end and the path others accept.
    DeadEnd(&'static str),
}

/// `cabundle verify` and `openssl verify` on one case: cabundle must give `ok` and say each
/// of `says`, and OpenSSL what `openssl` expects. Returns what cabundle said.
fn check(chain: &[&str], roots: &[&str], host: Option<&str>, ok: bool, says: &[&str]) -> String {
    check_with(chain, roots, host, ok, says, Openssl::Agrees)
}

fn check_with(
    chain: &[&str],
    roots: &[&str],
    host: Option<&str>,
    ok: bool,
    says: &[&str],
    openssl: Openssl,
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (chain, roots) = files(dir.path(), chain, roots);
    let mut args = vec!["verify".to_owned(), chain.display().to_string()];
    args.extend(["--bundle".to_owned(), roots.display().to_string()]);
    args.extend(["--at".to_owned(), AT.to_owned()]);
    if let Some(h) = host {
        args.extend(["--hostname".to_owned(), h.to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cabundle(&args).output().unwrap();
    let said = output_text(&out);
    assert_eq!(out.status.code(), Some(if ok { 0 } else { 1 }), "{said}");
    for s in says {
        assert!(said.contains(s), "should say {s:?}:\n{said}");
    }
    support::assert_problem_count(&said);
    if support::have("openssl") {
        let mut cmd = Command::new("openssl");
        cmd.arg("verify").arg("-CAfile").arg(&roots);
        cmd.arg("-untrusted").arg(&chain);
        cmd.args(["-attime", AT_EPOCH]);
        match host {
            // What a client connecting to an IP address asks for.
            Some(h) if h.parse::<std::net::IpAddr>().is_ok() => cmd.args(["-verify_ip", h]),
            Some(h) => cmd.args(["-verify_hostname", h]),
            None => &mut cmd,
        };
        let ossl = cmd.arg(&chain).output().unwrap();
        let ossl_said = output_text(&ossl);
        assert_eq!(
            ossl.status.success(),
            ok,
            "openssl disagrees: {ossl_said}\ncabundle said:\n{said}"
        );
        match openssl {
            Openssl::Agrees => {
                assert!(!said.contains("OpenSSL takes a dead end"), "{said}");
            }
            Openssl::DeadEnd(error) => {
                assert!(
                    ossl_said.contains(error),
                    "openssl should fail with {error:?}: {ossl_said}"
                );
            }
        }
    }
    if let Openssl::DeadEnd(_) = openssl {
        assert!(
            said.contains("not verified: ") && said.contains("OpenSSL takes a dead end: "),
            "cabundle should say OpenSSL takes a dead end:\n{said}"
        );
        assert!(
            said.contains("OpenSSL-based clients (openssl verify, curl, Python, Node, openssl s_client) refuse this chain; browsers, Go, rustls and other clients that search further accept the path shown"),
            "{said}"
        );
    }
    said
}

#[test]
fn a_self_issued_intermediate_beside_the_real_one_is_a_dead_end_for_openssl_only() {
    let root = Spec::new("Paths Root", None).make();
    let int = Spec::new("Paths Int", Some(&root)).make();
    // The same name and key, self-signed: a dead end that is tried first.
    let key = int.key.serialize_pem();
    let self_issued = Spec {
        key: Some(&key),
        ..Spec::new("Paths Int", None)
    }
    .make();
    let leaf = leaf("self.example", vec![dns("self.example")], &int);
    let said = check_with(
        &[&leaf, &self_issued.pem, &int.pem],
        &[&root.pem],
        Some("self.example"),
        false,
        &[
            "not verified: 1 problem",
            "OpenSSL takes a dead end: as the issuer of \"CN=self.example\" it takes \"CN=Paths Int\"",
            "from the chain first, a self-signed certificate outside the trust store, and does not go back",
            "hint: take the self-signed copy \"CN=Paths Int\" (sha256 ",
            ") out of the chain, which must send the intermediate its CA issued",
        ],
        Openssl::DeadEnd("self-signed certificate in certificate chain"),
    );
    // The path shown is the one clients that go back take.
    assert!(
        said.contains("  1  CN=Paths Int\n") && said.contains("  2  CN=Paths Root  (trust store)"),
        "{said}"
    );
    // In the other order both take the real one.
    check(
        &[&leaf, &int.pem, &self_issued.pem],
        &[&root.pem],
        Some("self.example"),
        true,
        &["verified: CN=self.example -> CN=Paths Int -> CN=Paths Root"],
    );
}

#[test]
fn of_two_roots_with_one_name_openssl_takes_the_first_and_others_the_one_that_signed() {
    let ski = vec![7; 20];
    let wrong = Spec {
        ski: Some(ski.clone()),
        ..Spec::new("Paths Twin Root", None)
    }
    .make();
    let right = Spec {
        ski: Some(ski),
        ..Spec::new("Paths Twin Root", None)
    }
    .make();
    let int = Spec::new("Paths Twin Int", Some(&right)).make();
    let leaf = leaf("twin.example", vec![dns("twin.example")], &int);
    // The root with the other key comes first in the store, with the same key identifier.
    check_with(
        &[&leaf, &int.pem],
        &[&wrong.pem, &right.pem],
        Some("twin.example"),
        false,
        &[
            "not verified: 1 problem",
            "as the issuer of \"CN=Paths Twin Int\" it takes \"CN=Paths Twin Root\"",
            "from the trust store first, a certificate with the issuer's name whose key did not sign it",
            "hint: remove \"CN=Paths Twin Root\" (sha256 ",
            "from the trust store (a bundle cabundle built: build it again with cabundle build --exclude ",
        ],
        Openssl::DeadEnd("certificate signature failure"),
    );
    // The root that signed first: OpenSSL finds it too.
    check(
        &[&leaf, &int.pem],
        &[&right.pem, &wrong.pem],
        Some("twin.example"),
        true,
        &["verified: "],
    );
    // Only the root with the other key: no issuer signed the intermediate.
    check(
        &[&leaf, &int.pem],
        &[&wrong.pem],
        None,
        false,
        &["does not match the key of the certificate with the issuer's name"],
    );
}

#[test]
fn a_cross_signed_intermediate_has_two_paths() {
    let old = Spec::new("Paths Old Root", None).make();
    let new = Spec::new("Paths New Root", None).make();
    // The new root's name and key, signed by the old root, expired.
    let key = new.key.serialize_pem();
    let cross = Spec {
        key: Some(&key),
        to: date_time_ymd(2024, 1, 1),
        ..Spec::new("Paths New Root", Some(&old))
    }
    .make();
    let int = Spec::new("Paths Cross Int", Some(&new)).make();
    let leaf = leaf("cross.example", vec![dns("cross.example")], &int);
    let chain = [leaf.as_str(), &int.pem, &cross.pem];
    // Both roots trusted: the path to the new root, not through the expired cross-certificate.
    let said = check(
        &chain,
        &[&old.pem, &new.pem],
        Some("cross.example"),
        true,
        &["verified: CN=cross.example -> CN=Paths Cross Int -> CN=Paths New Root"],
    );
    assert!(!said.contains("Old Root"), "{said}");
    // Only the old root: the one path goes through the expired cross-certificate.
    check(
        &chain,
        &[&old.pem],
        None,
        false,
        &["expired: the intermediate \"CN=Paths New Root\" expired on 2024-01-01"],
    );
}

#[test]
fn a_pile_of_same_name_candidates_stops_the_search_at_its_limit() {
    let root = Spec::new("Paths Pile Root", None).make();
    let ski = vec![9; 20];
    let int = Spec {
        ski: Some(ski.clone()),
        ..Spec::new("Paths Pile Int", Some(&root))
    }
    .make();
    let leaf = leaf("pile.example", vec![dns("pile.example")], &int);
    // 300 certificates with the intermediate's name and key identifier and other keys.
    let pile: Vec<String> = (0..300)
        .map(|_| {
            Spec {
                ski: Some(ski.clone()),
                ..Spec::new("Paths Pile Int", Some(&root))
            }
            .make()
            .pem
        })
        .collect();
    let mut chain: Vec<&str> = vec![&leaf];
    chain.extend(pile.iter().map(String::as_str));
    chain.push(&int.pem);
    let started = Instant::now();
    check(
        &chain,
        &[&root.pem],
        None,
        false,
        &["path search stopped after 256 candidate issuers"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn an_issuer_openssl_refuses_is_named_with_its_extension() {
    let root = Spec::new("Paths Usage Root", None).make();
    let no_cert_sign = Spec {
        usages: vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign],
        ..Spec::new("Paths No Cert Sign Int", Some(&root))
    }
    .make();
    let leaf_a = leaf("ku.example", vec![dns("ku.example")], &no_cert_sign);
    check(
        &[&leaf_a, &no_cert_sign.pem],
        &[&root.pem],
        Some("ku.example"),
        false,
        &[
            "CA not usable as issuer because of keyUsage",
            "\"CN=Paths No Cert Sign Int\"",
        ],
    );
    let not_ca = Spec {
        is_ca: IsCa::ExplicitNoCa,
        ..Spec::new("Paths Not CA Int", Some(&root))
    }
    .make();
    let leaf_b = leaf("bc.example", vec![dns("bc.example")], &not_ca);
    let said = check(
        &[&leaf_b, &not_ca.pem],
        &[&root.pem],
        Some("bc.example"),
        false,
        &["CA not usable as issuer because of basicConstraints: they say CA:FALSE"],
    );
    assert!(!said.contains("missing intermediate"), "{said}");
    // A root that allows no intermediate below it, and one intermediate.
    let strict_root = Spec {
        is_ca: IsCa::Ca(BasicConstraints::Constrained(0)),
        ..Spec::new("Paths PathLen Root", None)
    }
    .make();
    let int = Spec::new("Paths PathLen Int", Some(&strict_root)).make();
    let sub = Spec::new("Paths PathLen Sub", Some(&int)).make();
    let leaf_c = leaf("len.example", vec![dns("len.example")], &sub);
    check(
        &[&leaf_c, &sub.pem, &int.pem],
        &[&strict_root.pem],
        Some("len.example"),
        false,
        &["CA not usable as issuer because of pathLen: its pathLenConstraint 0"],
    );
}

#[test]
fn host_name_messages_name_the_real_cause() {
    let root = Spec::new("Paths Names Root", None).make();
    let int = Spec::new("Paths Names Int", Some(&root)).make();
    // An IP address written as a DNS name.
    let ip_as_dns = leaf("127.0.0.1", vec![dns("127.0.0.1")], &int);
    let said = check(
        &[&ip_as_dns, &int.pem],
        &[&root.pem],
        Some("127.0.0.1"),
        false,
        &["lists \"127.0.0.1\" as a DNS name, but it is an IP address"],
    );
    assert!(!said.contains("it is valid for: 127.0.0.1"), "{said}");
    // 2,048 names, none of them the host: the list is cut.
    let names: Vec<SanType> = (0..2048).map(|i| dns(&format!("n{i}.example"))).collect();
    let many = leaf("many.example", names, &int);
    let said = check(
        &[&many, &int.pem],
        &[&root.pem],
        Some("other.example"),
        false,
        &["n0.example, n1.example", "n11.example and 2036 more"],
    );
    assert!(!said.contains("n12.example"), "{said}");
    // A common name only, matching: OpenSSL accepts, and the note names who refuses.
    let cn_only = leaf("cn.example", Vec::new(), &int);
    check(
        &[&cn_only, &int.pem],
        &[&root.pem],
        Some("cn.example"),
        true,
        &[
            "verified: ",
            "note: common name only",
            "but browsers, rustls",
        ],
    );
}

#[test]
fn a_duplicate_certificate_is_a_note() {
    let root = Spec::new("Paths Dup Root", None).make();
    let int = Spec::new("Paths Dup Int", Some(&root)).make();
    let leaf = leaf("dup.example", vec![dns("dup.example")], &int);
    check(
        &[&leaf, &int.pem, &int.pem],
        &[&root.pem],
        Some("dup.example"),
        true,
        &[
            "verified: ",
            "note: duplicate certificate: the chain holds \"CN=Paths Dup Int\"",
            "2 times",
        ],
    );
}

/// Runs `openssl` with `args` in `dir`; panics when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        output_text(&out)
    );
}

/// A root made by `openssl` from the key `genpkey` makes with `key_args`, and a P-256 leaf
/// for `key.example` it signed; returns the paths of the root and the leaf. Valid from now.
fn openssl_root_and_leaf(dir: &Path, key_args: &[&str]) -> (PathBuf, PathBuf) {
    if key_args == ["-paramfile", "dsa.param"] {
        openssl(
            dir,
            &[
                "genpkey",
                "-genparam",
                "-algorithm",
                "DSA",
                "-pkeyopt",
                "dsa_paramgen_bits:1024",
                "-out",
                "dsa.param",
            ],
        );
    }
    let mut genpkey = vec!["genpkey", "-out", "ca.key"];
    genpkey.extend_from_slice(key_args);
    openssl(dir, &genpkey);
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=Odd Key Root",
            "-days",
            "3650",
            "-out",
            "ca.pem",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-subj",
            "/CN=key.example",
            "-out",
            "leaf.csr",
        ],
    );
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:key.example\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-days",
            "365",
            "-extfile",
            "ext.cnf",
            "-out",
            "leaf.pem",
        ],
    );
    (dir.join("ca.pem"), dir.join("leaf.pem"))
}

#[test]
fn keys_clients_cannot_use_are_named() {
    if !support::have("openssl") {
        return;
    }
    let cases: [(&[&str], &str); 5] = [
        (
            &["-paramfile", "dsa.param"],
            "unsupported key type or curve: the root \"CN=Odd Key Root\" has a key of type DSA",
        ),
        (
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-192"],
            "unsupported key type or curve: the root \"CN=Odd Key Root\" has a key of type EC P-192",
        ),
        (
            &[
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-pkeyopt",
                "ec_param_enc:explicit",
            ],
            "unsupported key type or curve: the root \"CN=Odd Key Root\" has a key of type EC with explicit curve parameters",
        ),
        (
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            "key too small: the root \"CN=Odd Key Root\" has a 1024-bit RSA key",
        ),
        (
            &["-algorithm", "ED448"],
            "unsupported key type or curve: the root \"CN=Odd Key Root\" has a key of type Ed448",
        ),
    ];
    for (key_args, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (root, leaf) = openssl_root_and_leaf(dir.path(), key_args);
        let out = cabundle(&["verify", "--hostname", "key.example", "--bundle"])
            .arg(&root)
            .arg(&leaf)
            .output()
            .unwrap();
        let said = output_text(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(said.contains(says), "should say {says:?}:\n{said}");
        for wrong in ["SHA-1", "MD5", "altered", "BadDer", "Context"] {
            assert!(!said.contains(wrong), "{wrong}:\n{said}");
        }
    }
}

#[test]
fn names_outside_name_constraints_are_listed_and_cut() {
    let root = Spec::new("Paths NC Root", None).make();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "Paths NC Int");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params.use_authority_key_identifier_extension = true;
    params.name_constraints = Some(rcgen::NameConstraints {
        permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("example".to_owned())],
        excluded_subtrees: Vec::new(),
    });
    let key = KeyPair::generate().unwrap();
    let pem = params.signed_by(&key, &root.issuer()).unwrap().pem();
    let int = Ca { params, key, pem };
    // 2,048 names the constraints allow, and one they do not.
    let mut names: Vec<SanType> = (0..2048).map(|i| dns(&format!("n{i}.example"))).collect();
    names.push(dns("outside.test"));
    let many = leaf("n0.example", names, &int);
    let said = check(
        &[&many, &int.pem],
        &[&root.pem],
        Some("n0.example"),
        false,
        &[
            "outside name constraints: \"CN=Paths NC Int\" may issue only for the names its constraints allow, and the certificate names 1 name outside them: outside.test",
        ],
    );
    assert!(!said.contains("n1.example"), "{said}");
    // Every name outside: the list is cut.
    let names: Vec<SanType> = (0..2048).map(|i| dns(&format!("n{i}.test"))).collect();
    let outside = leaf("n0.test", names, &int);
    let said = check(
        &[&outside, &int.pem],
        &[&root.pem],
        Some("n0.test"),
        false,
        &[
            "2048 names outside them: n0.test, n1.test",
            "n11.test and 2036 more",
        ],
    );
    assert!(!said.contains("n12.test"), "{said}");
}

#[test]
fn a_long_chain_verifies_with_a_note() {
    let root = Spec::new("Paths Long Root", None).make();
    let one = Spec::new("Paths Long Int 1", Some(&root)).make();
    let two = Spec::new("Paths Long Int 2", Some(&one)).make();
    let three = Spec::new("Paths Long Int 3", Some(&two)).make();
    let leaf5 = leaf("long.example", vec![dns("long.example")], &three);
    check(
        &[&leaf5, &three.pem, &two.pem, &one.pem],
        &[&root.pem],
        Some("long.example"),
        true,
        &[
            "verified: CN=long.example -> CN=Paths Long Int 3",
            "note: long chain: the path has 5 certificates (3 intermediates), more than the 4 (two intermediates) of most public chains; it verifies",
            "hint: if the CA offers a shorter chain",
        ],
    );
    // Four certificates: the usual length, no note.
    let leaf4 = leaf("usual.example", vec![dns("usual.example")], &two);
    let said = check(
        &[&leaf4, &two.pem, &one.pem],
        &[&root.pem],
        Some("usual.example"),
        true,
        &["verified: "],
    );
    assert!(!said.contains("long chain"), "{said}");
}

/// A chain that verifies and holds a certificate its path does not use (an old cross-sign, or
/// another CA's intermediate): a note names it, the exit code stays 0, as in openssl verify.
#[test]
fn a_certificate_the_path_does_not_use_gets_a_note() {
    let root = Spec::new("Paths Unused Root", None).make();
    let int = Spec::new("Paths Unused Int", Some(&root)).make();
    let other_root = Spec::new("Paths Unused Other Root", None).make();
    let stray = Spec::new("Paths Unused Stray Int", Some(&other_root)).make();
    let leaf = leaf("unused.example", vec![dns("unused.example")], &int);
    check(
        &[&leaf, &int.pem, &stray.pem],
        &[&root.pem],
        Some("unused.example"),
        true,
        &[
            "verified: CN=unused.example -> CN=Paths Unused Int",
            "note: not on the path: the chain holds \"CN=Paths Unused Stray Int\"",
            "hint: a cross-signed certificate may be there for clients with older stores",
        ],
    );
    // Every certificate used: no such note.
    let said = check(
        &[&leaf, &int.pem],
        &[&root.pem],
        Some("unused.example"),
        true,
        &["verified: "],
    );
    assert!(!said.contains("not on the path"), "{said}");
}
