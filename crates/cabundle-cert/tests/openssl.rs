//! Differential tests: our hashes, fingerprints and serials against the real `openssl` CLI, on
//! the generated corpus, Debian's Mozilla roots and every root in the shared CCADB reports.

// Functions outside `#[test]` bodies panic on broken fixtures too.
#![allow(clippy::unwrap_used)]

use cabundle_cert::{
    Certificate, Crl, Object, ObjectKind, hash_only, name_hash, read_certificates, read_objects,
};
use cabundle_testkit::{
    Pki, bad_names, ccadb_data, cert_with_names, cert_with_subject, crl_with_issuer, names, pem,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn have_openssl() -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok();
    if !ok && std::env::var_os("CI").is_some() {
        panic!("openssl is required in CI");
    }
    if !ok {
        eprintln!("notice: openssl not found; skipping");
    }
    ok
}

/// Runs `openssl <cmd> -noout <args>` with `input` on stdin; `None` when openssl fails.
fn openssl(cmd: &str, args: &[&str], input: &[u8]) -> Option<Vec<String>> {
    let mut child = Command::new("openssl")
        .arg(cmd)
        .arg("-noout")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    out.status.success().then(|| {
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    })
}

/// Serial as `openssl x509 -serial` prints it: the magnitude without a sign byte.
fn openssl_serial(serial_hex: &str) -> Option<String> {
    let negative = u8::from_str_radix(&serial_hex[..2], 16).unwrap() >= 0x80;
    if negative {
        return None;
    }
    let trimmed = serial_hex
        .strip_prefix("00")
        .filter(|s| !s.is_empty())
        .unwrap_or(serial_hex);
    Some(trimmed.to_owned())
}

/// Compares one certificate with openssl; returns a description of each difference.
fn check_cert(what: &str, cert: &Certificate) -> Vec<String> {
    let input = pem("CERTIFICATE", &cert.der);
    let Some(lines) = openssl(
        "x509",
        &[
            "-subject_hash",
            "-subject_hash_old",
            "-issuer_hash",
            "-serial",
            "-fingerprint",
            "-sha256",
        ],
        input.as_bytes(),
    ) else {
        return vec![format!("{what}: openssl cannot read it")];
    };
    let fingerprint = hex::encode(cert.sha256.0)
        .to_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":");
    let mut expected = vec![
        cert.subject_hash.to_string(),
        cert.subject_hash_old.to_string(),
        cert.issuer_hash.to_string(),
        String::new(),
        format!("sha256 Fingerprint={fingerprint}"),
    ];
    match openssl_serial(&cert.serial_hex) {
        Some(serial) => expected[3] = format!("serial={serial}"),
        None => expected[3] = lines.get(3).cloned().unwrap_or_default(),
    }
    let mut lines = lines;
    if let Some(l) = lines.get_mut(4) {
        *l = l.replacen("SHA256", "sha256", 1);
    }
    if lines == expected {
        vec![]
    } else {
        vec![format!("{what}: openssl {lines:?}, ours {expected:?}")]
    }
}

fn check_crl(what: &str, crl: &Crl) -> Vec<String> {
    let input = pem("X509 CRL", &crl.der);
    let lines = openssl("crl", &["-hash", "-hash_old"], input.as_bytes());
    let ours = vec![
        format!("issuer name hash={}", crl.issuer_hash),
        format!("issuer name old hash={}", crl.issuer_hash_old),
    ];
    if lines.as_ref() == Some(&ours) {
        vec![]
    } else {
        vec![format!("{what}: openssl {lines:?}, ours {ours:?}")]
    }
}

/// Runs `check` on every item on a few threads (each check waits on an openssl process).
fn par_check<T: Sync>(items: &[T], check: impl Fn(&T) -> Vec<String> + Sync) -> Vec<String> {
    let chunk = items.len().div_ceil(4).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().flat_map(&check).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

fn assert_none(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_names_hash_like_openssl() {
    if !have_openssl() {
        return;
    }
    let other = names().remove(0).1;
    let failures = par_check(&names(), |(label, name)| {
        let mut failures = Vec::new();
        let cert = Certificate::from_der(&cert_with_subject(name)).unwrap();
        failures.extend(check_cert(label, &cert));
        let issued = Certificate::from_der(&cert_with_names(&other, name, 7)).unwrap();
        failures.extend(check_cert(&format!("{label} as issuer"), &issued));
        let crl = Crl::from_der(&crl_with_issuer(name)).unwrap();
        failures.extend(check_crl(&format!("{label} CRL"), &crl));
        failures
    });
    assert_none(failures);
}

#[test]
fn corpus_hash_classes() {
    // Names that differ only in case, whitespace or string type hash equal; OpenSSL agrees
    // (corpus_names_hash_like_openssl), this pins the intent of the corpus.
    let hashes: BTreeMap<String, String> = names()
        .into_iter()
        .map(|(label, der)| (label, name_hash(&der).unwrap().to_string()))
        .collect();
    let base = &hashes["printable"];
    for (label, hash) in &hashes {
        let same = label == "printable"
            || [
                "case_",
                "space_edges",
                "space_runs",
                "space_tabs",
                "space_vt",
            ]
            .iter()
            .any(|p| label.starts_with(p));
        assert_eq!(hash == base, same, "{label}");
    }
    assert_eq!(hashes["multi_valued"], hashes["multi_valued_reordered"]);
    assert_eq!(hashes["empty"], "eea339da");
}

#[test]
fn bad_names_fail_like_openssl() {
    let have = have_openssl();
    for (label, name) in bad_names() {
        assert!(name_hash(&name).is_err(), "{label}");
        assert!(
            Certificate::from_der(&cert_with_subject(&name)).is_err(),
            "{label}"
        );
        if have {
            let input = pem("CERTIFICATE", &cert_with_subject(&name));
            assert!(
                openssl("x509", &["-subject_hash"], input.as_bytes()).is_none(),
                "{label}"
            );
        }
    }
}

#[test]
fn private_pki_like_openssl() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new();
    let mut failures = Vec::new();
    for (what, issued) in [
        ("root", &pki.root),
        ("intermediate", &pki.intermediate),
        ("leaf", &pki.leaf),
    ] {
        let certs = read_certificates(issued.pem.as_bytes()).unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].der, issued.der);
        failures.extend(check_cert(what, &certs[0]));
    }
    let root = Certificate::from_der(&pki.root.der).unwrap();
    assert!(root.is_ca);
    assert!(!Certificate::from_der(&pki.leaf.der).unwrap().is_ca);
    assert_eq!(root.key.algorithm, "EC");
    assert_eq!(root.key.curve.as_deref(), Some("P-256"));
    let crl = Crl::from_der(&pki.intermediate_crl(&[&pki.leaf])).unwrap();
    assert_eq!(
        crl.issuer_hash,
        Certificate::from_der(&pki.intermediate.der)
            .unwrap()
            .subject_hash
    );
    failures.extend(check_crl("intermediate CRL", &crl));
    assert_none(failures);
}

#[test]
fn debian_mozilla_roots_like_openssl() {
    let dir = Path::new("/usr/share/ca-certificates/mozilla");
    if !have_openssl() || !dir.is_dir() {
        eprintln!("notice: {} or openssl missing; skipping", dir.display());
        return;
    }
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let certs = read_certificates(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(certs.len(), 1, "{}", path.display());
        failures.extend(check_cert(&path.display().to_string(), &certs[0]));
        count += 1;
    }
    assert!(count > 100, "only {count} roots");
    assert_none(failures);
}

/// Every PEM certificate embedded in a CSV report, in order.
fn pems_in(text: &str) -> Vec<String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let end = rest[start..].find(END).expect("END after BEGIN") + start + END.len();
        out.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    out
}

fn certs_in_reports(dir: &Path, prefix: &str) -> BTreeMap<String, Certificate> {
    let mut paths: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    paths.sort();
    let mut certs = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, block) in pems_in(&text).into_iter().enumerate() {
            let objects = read_objects(block.as_bytes())
                .unwrap_or_else(|e| panic!("{} certificate {i}: {e}", path.display()));
            let [Object::Certificate(cert)] = objects.as_slice() else {
                panic!("{} certificate {i}: not one certificate", path.display());
            };
            certs.insert(cert.sha256.to_string(), (**cert).clone());
        }
    }
    certs
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn ccadb_roots_like_openssl() {
    let Some(dir) = ccadb_data() else { return };
    if !have_openssl() {
        return;
    }
    let certs = certs_in_reports(&dir, "IncludedCACertificateReportPEMCSV");
    assert!(certs.len() > 150, "only {} roots", certs.len());
    let certs: Vec<_> = certs.into_iter().collect();
    assert_none(par_check(&certs, |(fp, cert)| check_cert(fp, cert)));
}

#[test]
fn ccadb_intermediates_load_and_sample_like_openssl() {
    let Some(dir) = ccadb_data() else { return };
    let mut certs = certs_in_reports(&dir, "AllCertificatePEMsCSVFormat");
    certs.extend(certs_in_reports(
        &dir,
        "PublicIntermediateCertsRevokedWithPEMReport",
    ));
    assert!(certs.len() > 5000, "only {} certificates", certs.len());
    if !have_openssl() {
        return;
    }
    let sample: Vec<_> = certs.iter().step_by(40).collect();
    assert_none(par_check(&sample, |(fp, cert)| check_cert(fp, cert)));
}

/// The hash-only read `rehash` uses agrees with the full model, and finds OpenSSL able to
/// load the certificate.
fn hash_only_agrees(what: &str, cert: &Certificate) -> Result<(), String> {
    let hashed = hash_only(&cert.der, None).map_err(|e| format!("{what}: {e}"))?;
    let ours = (hashed.kind, hashed.hash, hashed.hash_old, hashed.sha1);
    let model = (
        ObjectKind::Certificate,
        cert.subject_hash,
        cert.subject_hash_old,
        cert.sha1,
    );
    if ours != model {
        return Err(format!("{what}: hash-only {ours:?}, model {model:?}"));
    }
    Ok(())
}

/// x509-parser, the model's parser, reads every certificate of the 26 root reports and the
/// 9,910 of `AllCertificatePEMsCSVFormat` (`certs_in_reports` fails on any it refuses),
/// negative serial numbers included; the hash-only path agrees with it on each.
#[test]
fn ccadb_certificates_parse_with_x509_parser() {
    let Some(dir) = ccadb_data() else { return };
    let roots = certs_in_reports(&dir, "IncludedCACertificateReportPEMCSV");
    let all = certs_in_reports(&dir, "AllCertificatePEMsCSVFormat");
    // 9,910 rows holding 9,898 distinct certificates.
    assert!(all.len() >= 9898, "only {} certificates", all.len());
    let mut certs = roots;
    certs.extend(all);
    let negative = certs
        .values()
        .filter(|c| u8::from_str_radix(&c.serial_hex[..2], 16).unwrap() >= 0x80)
        .count();
    assert!(negative > 0, "no negative serial in the data");
    let failures: Vec<String> = certs
        .iter()
        .filter_map(|(fp, cert)| hash_only_agrees(fp, cert).err())
        .collect();
    assert_none(failures);
}
