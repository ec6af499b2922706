//! End-to-end tests of `cabundle rehash`, compared with the real `openssl rehash`.
//!
//! Each differential case builds the same directory twice, runs `openssl rehash` in one and
//! `cabundle rehash` in the other, and compares the links left (names and targets), the
//! warnings (kind and file) and the exit status.
//!
//! Unix only: the cases make symbolic links and modes, and compare with `openssl rehash`.
#![cfg(unix)]

mod support;

use rcgen::string::{BmpString, Ia5String, PrintableString, TeletexString, UniversalString};
use rcgen::{
    CertificateParams, CertificateRevocationListParams, DistinguishedName, DnType, DnValue, IsCa,
    Issuer, KeyIdMethod, KeyPair, SerialNumber,
};
use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output};
use support::{cabundle, have};

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A self-signed CA certificate with the given subject, as (PEM, DER).
fn cert(dn: &[(DnType, DnValue)]) -> (String, Vec<u8>) {
    let (params, key) = ca(dn);
    let cert = params.self_signed(&key).expect("self-signed certificate");
    (cert.pem(), cert.der().to_vec())
}

fn ca(dn: &[(DnType, DnValue)]) -> (CertificateParams, KeyPair) {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    let mut name = DistinguishedName::new();
    for (ty, value) in dn {
        name.push(ty.clone(), value.clone());
    }
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    (params, key)
}

/// A CRL issued by a CA with subject `dn`, as PEM.
fn crl(dn: &[(DnType, DnValue)], number: u64) -> String {
    let (params, key) = ca(dn);
    let issuer = Issuer::new(params, key);
    let this_update = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("date");
    let crl = CertificateRevocationListParams {
        this_update,
        next_update: this_update + time::Duration::days(30),
        crl_number: SerialNumber::from(number),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .expect("crl");
    crl.pem().expect("crl pem")
}

fn cn(s: &str) -> Vec<(DnType, DnValue)> {
    vec![(DnType::CommonName, DnValue::Utf8String(s.into()))]
}

fn printable(s: &str) -> DnValue {
    DnValue::PrintableString(PrintableString::try_from(s).expect("printable"))
}

/// A certificate with a multi-valued RDN (`CN=Multi+O=Valued`); rcgen cannot make these,
/// so `openssl req -multivalue-rdn` does.
fn multi_valued_rdn(dir: &Path) -> String {
    let key = dir.join("mv.key");
    let out = dir.join("mv.out");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args([
            "-multivalue-rdn",
            "-subj",
            "/CN=Multi+O=Valued/C=DE",
            "-days",
            "1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&out)
        .output()
        .expect("run openssl req");
    assert!(
        status.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pem = std::fs::read_to_string(&out).expect("read multi-valued cert");
    std::fs::remove_file(&key).expect("remove key");
    std::fs::remove_file(&out).expect("remove cert");
    pem
}

/// The files of the corpus: every string type, case and space variants (same hash), non-ASCII,
/// an empty subject, duplicates, several certificates sharing a subject, DER, several objects
/// in a file, junk, empty and truncated files, CRLs, a key beside a certificate.
fn corpus(scratch: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, data: &[u8]| files.push((name.to_owned(), data.to_vec()));
    let alpha = vec![
        (DnType::CommonName, printable("Alpha CA")),
        (DnType::OrganizationName, printable("Org")),
    ];
    let (alpha_pem, _) = cert(&alpha);
    add("printable.pem", alpha_pem.as_bytes());
    add("dup-of-printable.crt", alpha_pem.as_bytes());
    let lower = vec![
        (DnType::CommonName, DnValue::Utf8String("alpha ca".into())),
        (DnType::OrganizationName, DnValue::Utf8String("ORG".into())),
    ];
    add("utf8-lower.pem", cert(&lower).0.as_bytes());
    let spaced = vec![
        (
            DnType::CommonName,
            DnValue::Utf8String("  Alpha    CA ".into()),
        ),
        (DnType::OrganizationName, DnValue::Utf8String("org".into())),
    ];
    add("UPPER-SPACED.PEM", cert(&spaced).0.as_bytes());
    let ia5 = vec![(
        DnType::CommonName,
        DnValue::Ia5String(Ia5String::try_from("ia5 name").expect("ia5")),
    )];
    add("ia5.Crt", cert(&ia5).0.as_bytes());
    let bmp = vec![(
        DnType::CommonName,
        DnValue::BmpString(BmpString::try_from("Bmp Näme").expect("bmp")),
    )];
    add("bmp.cer", cert(&bmp).0.as_bytes());
    let universal = vec![(
        DnType::CommonName,
        DnValue::UniversalString(UniversalString::try_from("Univ ✓").expect("univ")),
    )];
    add("universal.pem", cert(&universal).0.as_bytes());
    let teletex = vec![(
        DnType::CommonName,
        DnValue::TeletexString(TeletexString::try_from("teletex").expect("t61")),
    )];
    add("teletex.pem", cert(&teletex).0.as_bytes());
    add(
        "non-ascii.pem",
        cert(&cn("Zürich Ωmega 認証局")).0.as_bytes(),
    );
    add("empty-subject.pem", cert(&[]).0.as_bytes());
    for i in 0..3 {
        add(
            &format!("shared-{i}.pem"),
            cert(&cn("Shared Subject")).0.as_bytes(),
        );
    }
    let (_, der) = cert(&cn("Der Only"));
    add("der-only.crt", &der);
    let (two_a, _) = cert(&cn("Two A"));
    let (two_b, _) = cert(&cn("Two B"));
    add("two-certs.pem", format!("{two_a}{two_b}").as_bytes());
    add("junk.pem", b"this is not a certificate\n");
    add("empty.crt", b"");
    add(
        "truncated.pem",
        &alpha_pem.as_bytes()[..alpha_pem.len() / 2],
    );
    add("crl-alpha.crl", crl(&alpha, 1).as_bytes());
    add("crl-alpha-2.pem", crl(&alpha, 2).as_bytes());
    add("crl-other.crl", crl(&cn("Other CRL Issuer"), 1).as_bytes());
    let (cert_with_key, _) = cert(&cn("With Key"));
    let key = KeyPair::generate().expect("key").serialize_pem();
    add(
        "cert-and-key.pem",
        format!("{key}{cert_with_key}").as_bytes(),
    );
    add(
        "cert-and-crl.pem",
        format!(
            "{}{}",
            cert(&cn("Cert Then CRL")).0,
            crl(&cn("CRL Second"), 1)
        )
        .as_bytes(),
    );
    add("notes.txt", cert(&cn("Not A Candidate")).0.as_bytes());
    add("multi-valued.pem", multi_valued_rdn(scratch).as_bytes());
    files
}

fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, data) in files {
        std::fs::write(dir.join(name), data).expect("write corpus file");
    }
}

// ---------------------------------------------------------------------------------------------
// Running both tools and comparing

/// Symbolic links in `dir` as `name -> target`, and the names of other entries.
fn snapshot(dir: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut links = BTreeSet::new();
    let mut others = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().expect("file type").is_symlink() {
            let target = std::fs::read_link(entry.path()).expect("readlink");
            links.insert(format!("{name} -> {}", target.display()));
        } else {
            others.insert(name);
        }
    }
    (links, others)
}

/// Warnings and errors in a normal form: `duplicate FILE`, `not-one FILE`, `cannot-open FILE`.
fn openssl_warnings(stderr: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|line| {
            let rest = line.split_once(": ").map(|(_, r)| r)?;
            if let Some(file) = rest.strip_prefix("warning: skipping duplicate certificate in ") {
                Some(format!("duplicate {file}"))
            } else if let Some(file) = rest.strip_prefix("warning: skipping duplicate CRL in ") {
                Some(format!("duplicate {file}"))
            } else if let Some(r) = rest.strip_prefix("warning: skipping ") {
                Some(format!(
                    "not-one {}",
                    r.split(',').next().unwrap_or_default()
                ))
            } else {
                rest.strip_prefix("error: skipping ")
                    .map(|r| format!("cannot-open {}", r.split(',').next().unwrap_or_default()))
            }
        })
        .collect()
}

fn cabundle_warnings(stderr: &[u8], dir: &Path) -> BTreeSet<String> {
    let prefix = format!("{}/", dir.display());
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|line| {
            let line = line.replace(&prefix, "");
            if let Some(r) = line.strip_prefix("warning: skipping duplicate ") {
                Some(format!(
                    "duplicate {}",
                    r.split(" in ").nth(1).unwrap_or_default()
                ))
            } else if line.contains(", OpenSSL cannot load it: ") {
                // OpenSSL skips such a file silently (`unloadable_certificates_...` checks ours).
                None
            } else if let Some(r) = line.strip_prefix("warning: skipping ") {
                Some(format!(
                    "not-one {}",
                    r.split(',').next().unwrap_or_default()
                ))
            } else if let Some(r) = line.strip_prefix("error: skipping ") {
                r.contains("cannot open")
                    .then(|| format!("cannot-open {}", r.split(',').next().unwrap_or_default()))
            } else {
                None
            }
        })
        .collect()
}

fn openssl_rehash(args: &[&str], dir: &Path) -> Output {
    Command::new("openssl")
        .arg("rehash")
        .args(args)
        .arg(dir)
        .env_remove("SSL_CERT_DIR")
        .output()
        .expect("run openssl")
}

fn cabundle_rehash(args: &[&str], dir: &Path) -> Output {
    let mut cmd = cabundle(&["rehash"]);
    cmd.args(args).arg(dir);
    cmd.output().expect("run cabundle")
}

/// Two copies of a directory: one for OpenSSL, one for us.
struct Pair {
    _root: tempfile::TempDir,
    ours: std::path::PathBuf,
    theirs: std::path::PathBuf,
}

impl Pair {
    fn new(setup: impl Fn(&Path)) -> Pair {
        let root = tempfile::tempdir().expect("tempdir");
        let ours = root.path().join("ours");
        let theirs = root.path().join("openssl");
        for dir in [&ours, &theirs] {
            std::fs::create_dir(dir).expect("mkdir");
            setup(dir);
        }
        Pair {
            _root: root,
            ours,
            theirs,
        }
    }

    fn both(&self, f: impl Fn(&Path)) {
        f(&self.ours);
        f(&self.theirs);
    }

    /// Runs both tools and asserts they agree; returns our output.
    fn run(&self, openssl_args: &[&str], our_args: &[&str]) -> Output {
        let theirs = openssl_rehash(openssl_args, &self.theirs);
        let ours = cabundle_rehash(our_args, &self.ours);
        let context = format!(
            "args {our_args:?}\nopenssl stderr:\n{}\ncabundle stderr:\n{}",
            String::from_utf8_lossy(&theirs.stderr),
            String::from_utf8_lossy(&ours.stderr)
        );
        assert_eq!(snapshot(&self.ours), snapshot(&self.theirs), "{context}");
        assert_eq!(
            cabundle_warnings(&ours.stderr, &self.ours),
            openssl_warnings(&theirs.stderr),
            "{context}"
        );
        let expected = if theirs.status.success() { 0 } else { 2 };
        assert_eq!(ours.status.code(), Some(expected), "{context}");
        ours
    }
}

fn corpus_pair() -> Option<Pair> {
    if !have("openssl") {
        return None;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let files = corpus(scratch.path());
    Some(Pair::new(|dir| write_files(dir, &files)))
}

// ---------------------------------------------------------------------------------------------
// Differential tests

#[test]
fn corpus_matches_openssl_for_each_hash_mode() {
    for (openssl_args, our_args) in [
        (&[][..], &[][..]),
        (&["-old"], &["--old"]),
        (&["-compat"], &["--compat"]),
    ] {
        let Some(pair) = corpus_pair() else { return };
        pair.run(openssl_args, our_args);
        if our_args.is_empty() {
            assert_corpus_is_meaningful(&snapshot(&pair.ours).0);
        }
        // Re-run on the hashed directory.
        pair.run(openssl_args, our_args);
    }
}

/// Guards the corpus itself: the variants it holds must exercise what they claim to.
fn assert_corpus_is_meaningful(links: &BTreeSet<String>) {
    let hash_of = |file: &str| {
        let line = links
            .iter()
            .find(|l| l.ends_with(&format!(" -> {file}")))
            .unwrap_or_else(|| panic!("{file} not linked: {links:?}"));
        line[..8].to_owned()
    };
    // Files are read in name order, so the copy comes first and printable.pem is the duplicate.
    let alpha = hash_of("dup-of-printable.crt");
    for variant in ["utf8-lower.pem", "UPPER-SPACED.PEM"] {
        assert_eq!(
            hash_of(variant),
            alpha,
            "{variant} should share the canonical name"
        );
    }
    assert_eq!(hash_of("shared-1.pem"), hash_of("shared-0.pem"));
    for file in [
        "bmp.cer",
        "ia5.Crt",
        "universal.pem",
        "teletex.pem",
        "non-ascii.pem",
        "empty-subject.pem",
        "multi-valued.pem",
        "cert-and-key.pem",
        "cert-and-crl.pem",
    ] {
        hash_of(file);
    }
    assert!(
        links.contains(&format!("{alpha}.r0 -> crl-alpha-2.pem")),
        "{links:?}"
    );
    assert!(
        links.contains(&format!("{alpha}.r1 -> crl-alpha.crl")),
        "{links:?}"
    );
    for skipped in [
        "printable.pem",
        "der-only.crt",
        "two-certs.pem",
        "junk.pem",
        "notes.txt",
    ] {
        assert!(
            !links.iter().any(|l| l.ends_with(&format!(" -> {skipped}"))),
            "{skipped} linked"
        );
    }
}

#[test]
fn testkit_corpus_matches_openssl() {
    if !have("openssl") {
        return;
    }
    let files = cabundle_testkit::corpus::rehash_corpus();
    for (openssl_args, our_args) in [
        (&[][..], &[][..]),
        (&["-old"], &["--old"]),
        (&["-compat"], &["--compat"]),
    ] {
        let pair = Pair::new(|dir| write_files(dir, &files));
        pair.run(openssl_args, our_args);
        pair.run(openssl_args, our_args);
    }
}

/// Where in a DER certificate one byte is changed, and whether OpenSSL 3 still loads it.
struct Corruption {
    file: &'static str,
    /// Finds the offset to change in the DER, and the new byte.
    at: fn(&[u8]) -> (usize, u8),
    loads: bool,
}

fn find(der: &[u8], pattern: &[u8]) -> usize {
    der.windows(pattern.len())
        .position(|w| w == pattern)
        .expect("pattern in the certificate")
}

fn rfind(der: &[u8], pattern: &[u8]) -> usize {
    der.windows(pattern.len())
        .rposition(|w| w == pattern)
        .expect("pattern in the certificate")
}

/// basicConstraints (2.5.29.19), the P-256 key and the ECDSA signature of an rcgen CA.
const BASIC_CONSTRAINTS: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x13];
const EC_KEY: &[u8] = &[0x03, 0x42, 0x00, 0x04];
const ECDSA_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];

/// One-byte corruptions of a CA certificate, inside an extension, the key and the signature.
/// OpenSSL keeps extension values, keys and signatures as opaque bytes when it loads a
/// certificate: garbage there loads; a broken envelope (tag, unused-bit count, OID) does not.
const CORRUPTIONS: &[Corruption] = &[
    Corruption {
        // The SEQUENCE inside the extension's OCTET STRING becomes a SET.
        file: "a_ext_value.pem",
        at: |der| {
            let oid = find(der, BASIC_CONSTRAINTS) + BASIC_CONSTRAINTS.len();
            let octets = oid
                + der[oid..]
                    .iter()
                    .position(|&b| b == 0x04)
                    .expect("OCTET STRING");
            (octets + 2, 0x31)
        },
        loads: true,
    },
    Corruption {
        // The extension's OID gets a padded first sub-identifier.
        file: "a_ext_oid.pem",
        at: |der| (find(der, BASIC_CONSTRAINTS) + 2, 0x80),
        loads: false,
    },
    Corruption {
        // The extension's OCTET STRING tag becomes a BIT STRING.
        file: "a_ext_envelope.pem",
        at: |der| {
            let oid = find(der, BASIC_CONSTRAINTS) + BASIC_CONSTRAINTS.len();
            let octets = oid
                + der[oid..]
                    .iter()
                    .position(|&b| b == 0x04)
                    .expect("OCTET STRING");
            (octets, 0x03)
        },
        loads: false,
    },
    Corruption {
        // A byte of the EC point.
        file: "a_key_value.pem",
        at: |der| {
            let at = find(der, EC_KEY) + 10;
            (at, der[at] ^ 0x01)
        },
        loads: true,
    },
    Corruption {
        // The key's BIT STRING claims 8 unused bits.
        file: "a_key_bits.pem",
        at: |der| (find(der, EC_KEY) + 2, 0x08),
        loads: false,
    },
    Corruption {
        // The last byte of the signature value.
        file: "a_sig_value.pem",
        at: |der| (der.len() - 1, der[der.len() - 1] ^ 0x01),
        loads: true,
    },
    Corruption {
        // The signature's BIT STRING claims 8 unused bits.
        file: "a_sig_bits.pem",
        at: |der| (rfind(der, ECDSA_SHA256) + ECDSA_SHA256.len() + 2, 0x08),
        loads: false,
    },
];

fn corrupted(der: &[u8], c: &Corruption) -> Vec<u8> {
    let (offset, byte) = (c.at)(der);
    let mut out = der.to_vec();
    assert_ne!(out[offset], byte, "{}: no change", c.file);
    out[offset] = byte;
    out
}

/// A certificate OpenSSL cannot load, at the subject hash of a good one, is skipped with a
/// warning, as `openssl rehash` skips it: otherwise it takes `.0` and `openssl verify -CApath`
/// stops there ("unable to get local issuer certificate"). Regression test for issue 8.
#[test]
fn unloadable_certificates_are_skipped_like_openssl() {
    if !have("openssl") {
        return;
    }
    let (params, key) = ca(&cn("Corrupted Root"));
    let root = params.self_signed(&key).expect("root");
    let root_der = root.der().to_vec();
    let issuer = Issuer::new(params, key);
    let leaf_key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["leaf.example".to_owned()])
        .expect("params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let pem = |der: &[u8]| cabundle_cert::encode_pem("CERTIFICATE", der);

    // What OpenSSL 3 loads, checked first so a change in OpenSSL shows here.
    for c in CORRUPTIONS {
        let bad = corrupted(&root_der, c);
        let mut child = Command::new("openssl")
            .args(["x509", "-noout", "-subject_hash"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openssl x509");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("stdin"),
            pem(&bad).as_bytes(),
        )
        .expect("write");
        let loads = child.wait().expect("openssl x509").success();
        assert_eq!(loads, c.loads, "{}: openssl loads it: {loads}", c.file);
    }

    // All of them beside the good root: the same links as OpenSSL's.
    let pair = Pair::new(|dir| {
        std::fs::write(dir.join("z_good.pem"), pem(&root_der)).expect("write");
        for c in CORRUPTIONS {
            std::fs::write(dir.join(c.file), pem(&corrupted(&root_der, c))).expect("write");
        }
    });
    let ours = pair.run(&[], &[]);
    let stderr = String::from_utf8_lossy(&ours.stderr);
    for c in CORRUPTIONS.iter().filter(|c| !c.loads) {
        assert!(
            stderr.contains(&format!(
                "skipping {}, OpenSSL cannot load it",
                pair.ours.join(c.file).display()
            )),
            "{}: {stderr}",
            c.file
        );
    }
    let (links, _) = snapshot(&pair.ours);
    let linked = CORRUPTIONS.iter().filter(|c| c.loads).count() + 1;
    assert_eq!(links.len(), linked, "{links:?}");

    // Only the unloadable ones, sorted before the good root: the root takes `.0` and
    // `openssl verify -CApath` finds it.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("z_good.pem"), pem(&root_der)).expect("write");
    for c in CORRUPTIONS.iter().filter(|c| !c.loads) {
        std::fs::write(dir.path().join(c.file), pem(&corrupted(&root_der, c))).expect("write");
    }
    let out = cabundle_rehash(&[], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (links, _) = snapshot(dir.path());
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(
        links.iter().all(|l| l.ends_with("-> z_good.pem")),
        "{links:?}"
    );
    let leaf_file = dir.path().join("leaf.txt");
    std::fs::write(&leaf_file, leaf.pem()).expect("write");
    let verify = Command::new("openssl")
        .arg("verify")
        .arg("-CApath")
        .arg(dir.path())
        .arg(&leaf_file)
        .output()
        .expect("openssl verify");
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn stale_and_wrong_links_match_openssl() {
    let Some(pair) = corpus_pair() else { return };
    pair.run(&[], &[]);
    pair.both(|dir| {
        std::fs::remove_file(dir.join("shared-0.pem")).expect("remove a certificate");
        std::fs::remove_file(dir.join("ia5.Crt")).expect("remove a certificate");
        std::os::unix::fs::symlink("gone.pem", dir.join("deadbeef.0")).expect("stale link");
        std::os::unix::fs::symlink("gone.crl", dir.join("deadbeef.r3")).expect("stale CRL link");
        std::os::unix::fs::symlink("printable.pem", dir.join("00000000.7")).expect("misnamed link");
        std::os::unix::fs::symlink("junk.pem", dir.join("ABCDEF01.")).expect("odd link name");
        std::fs::write(dir.join("new.pem"), cert(&cn("Shared Subject")).0)
            .expect("new certificate");
        std::os::unix::fs::symlink("printable.pem", dir.join("link-to-printable.pem"))
            .expect("plain link");
    });
    pair.run(&["-v"], &["-v"]);
    pair.run(&[], &[]);
}

#[test]
fn keeping_links_with_n_matches_openssl() {
    let Some(pair) = corpus_pair() else { return };
    pair.run(&[], &[]);
    pair.both(|dir| {
        std::fs::remove_file(dir.join("shared-1.pem")).expect("remove a certificate");
        std::os::unix::fs::symlink("gone.pem", dir.join("deadbeef.3")).expect("stale link");
    });
    pair.run(&["-n"], &["-n"]);
    // Old-style links added beside the new ones, as `-n` is meant for.
    pair.run(&["-n", "-old"], &["-n", "--old"]);
}

#[test]
fn mozilla_store_gets_the_names_of_etc_ssl_certs() {
    let mozilla = Path::new("/usr/share/ca-certificates/mozilla");
    let system = Path::new("/etc/ssl/certs");
    if !mozilla.is_dir() || !system.is_dir() {
        eprintln!(
            "notice: {} or {} missing; skipping",
            mozilla.display(),
            system.display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(mozilla).expect("read mozilla") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    let out = cabundle_rehash(&[], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Ours: HASH.N -> NAME.crt. The system: HASH.N -> NAME.pem -> .../mozilla/NAME.crt.
    let ours: BTreeSet<String> = snapshot(dir.path()).0.into_iter().collect();
    let mut expected = BTreeSet::new();
    for entry in std::fs::read_dir(system).expect("read /etc/ssl/certs") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(first) = std::fs::read_link(entry.path()) else {
            continue;
        };
        let Ok(second) = std::fs::read_link(system.join(&first)) else {
            continue;
        };
        if second.parent() == Some(mozilla) && name.contains('.') && !name.ends_with(".pem") {
            let file = second
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            expected.insert(format!("{name} -> {file}"));
        }
    }
    assert!(
        expected.len() > 100,
        "too few system links found: {}",
        expected.len()
    );
    assert_eq!(ours, expected);
}

// ---------------------------------------------------------------------------------------------
// Bad input

/// Prepares one bad-input case in a directory.
type Setup = dyn Fn(&Path);

#[test]
fn bad_input_gives_openssl_exit_codes_and_names_the_file() {
    let cases: &[(&str, &Setup)] = &[
        ("dangling.pem", &|d: &Path| {
            std::os::unix::fs::symlink("nowhere.pem", d.join("dangling.pem")).expect("link")
        }),
        ("garbage.pem", &|d: &Path| {
            std::fs::write(d.join("garbage.pem"), [0u8, 159, 146, 150, 255]).expect("write")
        }),
        ("key-only.pem", &|d: &Path| {
            std::fs::write(
                d.join("key-only.pem"),
                KeyPair::generate().expect("key").serialize_pem(),
            )
            .expect("write")
        }),
        ("bad-base64.pem", &|d: &Path| {
            std::fs::write(
                d.join("bad-base64.pem"),
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            )
            .expect("write")
        }),
        ("a-directory.pem", &|d: &Path| {
            std::fs::create_dir(d.join("a-directory.pem")).expect("mkdir")
        }),
        ("unreadable.pem", &|d: &Path| {
            use std::os::unix::fs::PermissionsExt;
            let path = d.join("unreadable.pem");
            std::fs::write(&path, cert(&cn("Unreadable")).0).expect("write");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        }),
    ];
    if !have("openssl") {
        return;
    }
    for (name, setup) in cases {
        let pair = Pair::new(|d| {
            std::fs::write(d.join("good.pem"), cert(&cn("Good")).0).expect("write");
            setup(d);
        });
        let before = snapshot(&pair.ours).1;
        let out = pair.run(&[], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(2) && !stderr.is_empty() {
            assert!(
                stderr.contains(name),
                "{name}: message does not name the file:\n{stderr}"
            );
        }
        assert_eq!(snapshot(&pair.ours).1, before, "{name}: files changed");
    }
}

#[test]
fn missing_directory_is_an_error_like_openssl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing");
    let out = cabundle_rehash(&[], &missing);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
    if have("openssl") {
        assert!(!openssl_rehash(&[], &missing).status.success());
    }
}

#[test]
fn read_only_directory_behaves_like_openssl_and_loses_nothing() {
    use std::os::unix::fs::PermissionsExt;
    if !have("openssl") {
        return;
    }
    let pair =
        Pair::new(|d| std::fs::write(d.join("a.pem"), cert(&cn("Read Only")).0).expect("write"));
    pair.both(|d| {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o555)).expect("chmod")
    });
    let theirs = openssl_rehash(&[], &pair.theirs);
    let ours = cabundle_rehash(&[], &pair.ours);
    pair.both(|d| {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod")
    });
    // As root the directory is writable anyway; otherwise both fail.
    assert_eq!(
        ours.status.success(),
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    if !ours.status.success() {
        assert!(String::from_utf8_lossy(&ours.stderr).contains(&pair.ours.display().to_string()));
    }
    assert!(pair.ours.join("a.pem").is_file());
}

#[test]
fn regular_file_under_a_hash_name_is_never_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pem = cert(&cn("Kept Safe")).0;
    std::fs::write(dir.path().join("a.pem"), &pem).expect("write");
    let out = cabundle_rehash(&["--dry-run"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let hash = stdout
        .split('/')
        .next_back()
        .and_then(|s| s.split('.').next())
        .expect("planned link")
        .to_owned();
    std::fs::write(dir.path().join(format!("{hash}.0")), "precious").expect("write");
    let out = cabundle_rehash(&[], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not replacing"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(format!("{hash}.0"))).expect("read"),
        "precious"
    );
    let target = std::fs::read_link(dir.path().join(format!("{hash}.1"))).expect("link .1");
    assert_eq!(target, Path::new("a.pem"));
}

// ---------------------------------------------------------------------------------------------
// Our additions: --check, --dry-run, --copy, --der, unchanged re-runs

/// (inode, mtime) of every entry and of the directory itself.
fn stamps(dir: &Path) -> Vec<(String, u64, i64, i64)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            let m = std::fs::symlink_metadata(e.path()).expect("lstat");
            (
                e.file_name().to_string_lossy().into_owned(),
                m.ino(),
                m.mtime(),
                m.mtime_nsec(),
            )
        })
        .collect();
    let m = std::fs::metadata(dir).expect("stat dir");
    out.push((".".into(), m.ino(), m.mtime(), m.mtime_nsec()));
    out.sort();
    out
}

fn small_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, name) in ["a.pem", "b.pem", "c.pem"].iter().enumerate() {
        let subject = if i < 2 { "Same" } else { "Other" };
        std::fs::write(dir.path().join(name), cert(&cn(subject)).0).expect("write");
    }
    dir
}

#[test]
fn unchanged_rerun_touches_nothing() {
    for args in [&[][..], &["--copy"], &["--compat"]] {
        let dir = small_dir();
        assert_eq!(cabundle_rehash(args, dir.path()).status.code(), Some(0));
        let before = stamps(dir.path());
        std::thread::sleep(std::time::Duration::from_millis(20));
        let out = cabundle_rehash(args, dir.path());
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            stamps(dir.path()),
            before,
            "{args:?}: the re-run changed something"
        );
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn check_reports_missing_wrong_and_stale_links() {
    let check = |dir: &Path, code: i32, expected: &[&str]| {
        let out = cabundle_rehash(&["--check"], dir);
        let stdout =
            String::from_utf8_lossy(&out.stdout).replace(&format!("{}/", dir.display()), "");
        let words: Vec<&str> = stdout
            .lines()
            .map(|l| l.split(' ').next().unwrap_or_default())
            .collect();
        assert_eq!(words, expected, "{stdout}");
        assert_eq!(out.status.code(), Some(code), "{stdout}");
    };
    let dir = small_dir();
    let before = stamps(dir.path());
    check(dir.path(), 1, &["missing", "missing", "missing"]);
    assert_eq!(stamps(dir.path()), before, "--check changed the directory");
    cabundle_rehash(&[], dir.path());
    check(dir.path(), 0, &[]);
    let link = snapshot(dir.path())
        .0
        .into_iter()
        .find(|l| l.contains(".1 -> "))
        .expect("a .1 link");
    let name = link.split(' ').next().expect("name").to_owned();
    std::fs::remove_file(dir.path().join(&name)).expect("remove link");
    // Two links to a.pem: OpenSSL counts only the lower one, so .1 must point to b.pem.
    let first = snapshot(dir.path())
        .0
        .into_iter()
        .find(|l| l.contains(".0 -> ") && l.starts_with(&name[..8]));
    let first_target = first
        .expect("a .0 link")
        .split(" -> ")
        .nth(1)
        .expect("target")
        .to_owned();
    let other = if first_target == "a.pem" {
        "a.pem"
    } else {
        "b.pem"
    };
    std::os::unix::fs::symlink(other, dir.path().join(&name)).expect("wrong link");
    std::os::unix::fs::symlink("gone.pem", dir.path().join("deadbeef.0")).expect("stale link");
    check(dir.path(), 1, &["stale", "wrong"]);
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let dir = small_dir();
    let before = stamps(dir.path());
    let out = cabundle_rehash(&["--dry-run"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stamps(dir.path()), before);
    let planned: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            l.replace(&format!("{}/", dir.path().display()), "")
                .replacen("link ", "", 1)
        })
        .collect();
    cabundle_rehash(&[], dir.path());
    assert_eq!(planned, snapshot(dir.path()).0);
}

/// Regression (issue 8): `--dry-run` and `-v` showed links in opposite directions. Both show a
/// link as `ls -l` does, `HASH.N -> FILE`, and list the same links.
#[test]
fn dry_run_and_verbose_show_links_the_same_way() {
    let dir = small_dir();
    let dry = cabundle_rehash(&["--dry-run"], dir.path());
    let prefix = format!("{}/", dir.path().display());
    let planned: BTreeSet<String> = String::from_utf8_lossy(&dry.stdout)
        .lines()
        .map(|l| l.replace(&prefix, ""))
        .collect();
    let verbose = cabundle_rehash(&["-v"], dir.path());
    let made: BTreeSet<String> = String::from_utf8_lossy(&verbose.stderr)
        .lines()
        .filter(|l| l.starts_with("link "))
        .map(str::to_owned)
        .collect();
    assert_eq!(planned, made);
    assert_eq!(planned.len(), 3);
    for line in &planned {
        let (link, file) = line
            .strip_prefix("link ")
            .and_then(|l| l.split_once(" -> "))
            .expect("link LINK -> FILE");
        assert!(link.ends_with(".0") || link.ends_with(".1"), "{line}");
        assert!(file.ends_with(".pem"), "{line}");
        assert_eq!(
            std::fs::read_link(dir.path().join(link)).expect("link"),
            Path::new(file)
        );
    }
}

#[test]
fn copy_writes_files_under_openssl_names() {
    if !have("openssl") {
        return;
    }
    let pair = Pair::new(|d| {
        for (i, name) in ["a.pem", "b.pem", "c.crl"].iter().enumerate() {
            let data = if i == 2 {
                crl(&cn("Copy CA"), 1)
            } else {
                cert(&cn("Copy CA")).0
            };
            std::fs::write(d.join(name), data).expect("write");
        }
    });
    assert!(openssl_rehash(&[], &pair.theirs).status.success());
    let out = cabundle_rehash(&["--copy"], &pair.ours);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (links, _) = snapshot(&pair.theirs);
    let (our_links, our_files) = snapshot(&pair.ours);
    assert!(our_links.is_empty());
    for link in links {
        let (name, target) = link.split_once(" -> ").expect("link line");
        assert!(our_files.contains(name), "no copy {name}");
        let copy = std::fs::read(pair.ours.join(name)).expect("read copy");
        let mut expected = format!("# cabundle rehash: copy of {target}\n").into_bytes();
        expected.extend(std::fs::read(pair.ours.join(target)).expect("read original"));
        assert_eq!(copy, expected, "{name}");
    }
    assert_eq!(
        cabundle_rehash(&["--copy", "--check"], &pair.ours)
            .status
            .code(),
        Some(0)
    );
    // A changed original makes its copy stale.
    std::fs::write(pair.ours.join("a.pem"), cert(&cn("Copy CA")).0).expect("rewrite");
    assert_eq!(
        cabundle_rehash(&["--copy", "--check"], &pair.ours)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        cabundle_rehash(&["--copy"], &pair.ours).status.code(),
        Some(0)
    );
    assert_eq!(
        cabundle_rehash(&["--copy", "--check"], &pair.ours)
            .status
            .code(),
        Some(0)
    );
}

/// The subject hash of the PEM certificate in `path`, as `openssl x509 -subject_hash` says.
fn subject_hash(path: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-subject_hash", "-in"])
        .arg(path)
        .output()
        .expect("openssl x509");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Whether `openssl verify -CApath dir` trusts the self-signed certificate `cert`.
fn openssl_verifies(dir: &Path, cert: &Path) -> bool {
    Command::new("openssl")
        .arg("verify")
        .arg("-CApath")
        .arg(dir)
        .arg(cert)
        .output()
        .expect("openssl verify")
        .status
        .success()
}

/// A user's regular file under a hash name, byte-identical to the certificate beside it,
/// survives plain and `--copy` runs: copies are recognised by their marker line, never by
/// content alone. `openssl rehash` replaces such a file with a link; here it stays, the
/// certificate gets the next number, and `openssl verify -CApath` finds it either way.
#[test]
fn identical_user_file_survives_plain_and_copy_runs() {
    if !have("openssl") {
        return;
    }
    let pair = Pair::new(|d| {
        std::fs::write(d.join("a.pem"), cert(&cn("Mine Too")).0).expect("write");
    });
    let hash = subject_hash(&pair.ours.join("a.pem"));
    let pem = std::fs::read(pair.ours.join("a.pem")).expect("read");
    pair.both(|dir| {
        std::fs::write(dir.join("a.pem"), &pem).expect("write");
        std::fs::write(dir.join(format!("{hash}.0")), &pem).expect("write user file");
    });
    // What OpenSSL does: the user's file becomes a link.
    assert!(openssl_rehash(&[], &pair.theirs).status.success());
    let (theirs, _) = snapshot(&pair.theirs);
    assert!(theirs.contains(&format!("{hash}.0 -> a.pem")), "{theirs:?}");

    let user_file = pair.ours.join(format!("{hash}.0"));
    let is_users = |path: &Path| {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
            && std::fs::read(path).is_ok_and(|b| b == pem)
    };
    let out = cabundle_rehash(&[], &pair.ours);
    assert_eq!(out.status.code(), Some(0), "{}", support::output_text(&out));
    assert!(is_users(&user_file), "plain run touched the user's file");
    let (links, _) = snapshot(&pair.ours);
    assert!(links.contains(&format!("{hash}.1 -> a.pem")), "{links:?}");
    assert!(openssl_verifies(&pair.ours, &pair.ours.join("a.pem")));

    let out = cabundle_rehash(&["--copy"], &pair.ours);
    assert_eq!(out.status.code(), Some(0), "{}", support::output_text(&out));
    assert!(is_users(&user_file), "--copy run touched the user's file");
    let copy = std::fs::read(pair.ours.join(format!("{hash}.1"))).expect("copy .1");
    assert!(copy.starts_with(b"# cabundle rehash: copy of a.pem\n"));
    assert!(snapshot(&pair.ours).0.is_empty(), "--copy left links");
    assert!(openssl_verifies(&pair.ours, &pair.ours.join("a.pem")));
    // The copy is recognised: nothing left to do, with or without --copy.
    for args in [&["--copy", "--check"][..], &["--check"][..]] {
        let out = cabundle_rehash(args, &pair.ours);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            support::output_text(&out)
        );
    }
    // A stale copy is replaced; the user's file still stays.
    std::fs::write(pair.ours.join("a.pem"), cert(&cn("Mine Too")).0).expect("rewrite");
    let out = cabundle_rehash(&["--copy"], &pair.ours);
    assert_eq!(out.status.code(), Some(0), "{}", support::output_text(&out));
    assert!(std::fs::symlink_metadata(&user_file).is_ok_and(|m| m.file_type().is_file()));
    assert_eq!(std::fs::read(&user_file).expect("read"), pem);
    let copy = std::fs::read(pair.ours.join(format!("{hash}.1"))).expect("copy .1");
    let mut expected = b"# cabundle rehash: copy of a.pem\n".to_vec();
    expected.extend(std::fs::read(pair.ours.join("a.pem")).expect("read"));
    assert_eq!(copy, expected);
    // OpenSSL loads the copy, marker line and all.
    let out = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(pair.ours.join(format!("{hash}.1")))
        .arg(pair.ours.join("a.pem"))
        .output()
        .expect("openssl verify");
    assert!(out.status.success(), "{}", support::output_text(&out));
}

/// `--copy` turns a directory of links into copies, and `--copy --check` reports each link
/// where a copy is asked for. Copies written by `--copy` stay recognised by plain runs.
#[test]
fn copy_converts_links_and_check_reports_them() {
    let dir = small_dir();
    assert_eq!(cabundle_rehash(&[], dir.path()).status.code(), Some(0));
    let (links, _) = snapshot(dir.path());
    assert_eq!(links.len(), 3);
    let out = cabundle_rehash(&["--copy", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("link ") && l.ends_with("(should be a copy)"))
    );
    let out = cabundle_rehash(&["--copy"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", support::output_text(&out));
    let (after, files) = snapshot(dir.path());
    assert!(after.is_empty(), "{after:?}");
    for link in links {
        let (name, target) = link.split_once(" -> ").expect("link line");
        assert!(files.contains(name), "{name}");
        let copy = std::fs::read(dir.path().join(name)).expect("copy");
        let marker = format!("# cabundle rehash: copy of {target}\n");
        assert!(copy.starts_with(marker.as_bytes()), "{name}");
    }
    for args in [&["--copy", "--check"][..], &["--check"][..]] {
        assert_eq!(
            cabundle_rehash(args, dir.path()).status.code(),
            Some(0),
            "{args:?}"
        );
    }
    if have("openssl") {
        assert!(openssl_verifies(dir.path(), &dir.path().join("c.pem")));
    }
}

#[test]
fn der_files_are_hashed_only_with_der() {
    if !have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, der) = cert(&cn("Der Cert"));
    std::fs::write(dir.path().join("c.der"), &der).expect("write");
    std::fs::write(dir.path().join("c2.crt"), &der).expect("write");
    let out = cabundle_rehash(&[], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(snapshot(dir.path()).0.is_empty());
    let hash = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-subject_hash", "-in"])
        .arg(dir.path().join("c.der"))
        .output()
        .expect("openssl x509");
    let hash = String::from_utf8_lossy(&hash.stdout).trim().to_owned();
    let out = cabundle_rehash(&["--der"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: BTreeSet<String> = [format!("{hash}.0 -> c.der")].into_iter().collect();
    assert_eq!(snapshot(dir.path()).0, expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipping duplicate certificate"));
}

#[test]
fn ssl_cert_dir_is_used_without_arguments() {
    let a = small_dir();
    let b = small_dir();
    let list = format!("{}::{}", a.path().display(), b.path().display());
    let out = cabundle(&["rehash"])
        .env("SSL_CERT_DIR", &list)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(snapshot(a.path()).0.len(), 3);
    assert_eq!(snapshot(b.path()).0.len(), 3);
}

#[test]
fn help_has_an_example() {
    let out = cabundle(&["rehash", "--help"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("cabundle rehash /etc/ssl/certs"), "{text}");
}
