//! Strict clients' rules, one certificate per rule minted with the `openssl` CLI: the chain
//! passes OpenSSL's default verification (and cabundle's), and `openssl verify -x509_strict`
//! fails exactly where cabundle says OpenSSL's X509_STRICT (Python 3.13) refuses it; the rules
//! only the CA/Browser Forum profile has pass `-x509_strict` and fail `cabundle verify
//! --strict`, named as the profile's.
#![allow(clippy::unwrap_used)] // support functions outside #[test] fns panic on failure by design

mod support;

use std::path::Path;
use std::process::Command;
use support::{cabundle, output_text as text};

const CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
[int]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[int_bc_not_critical]
basicConstraints = CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[int_no_ski]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = none
authorityKeyIdentifier = keyid
[int_nc_not_critical]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = permitted;DNS:strict.example,permitted;DNS:other.example
[int_no_ku]
basicConstraints = critical,CA:true
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:strict.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_no_aki]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:strict.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
[leaf_aki_critical]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:strict.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = critical,keyid
[leaf_ski_critical]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:strict.example
subjectKeyIdentifier = critical,hash
authorityKeyIdentifier = keyid
[leaf_no_san]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_no_eku]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
subjectAltName = DNS:strict.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
}

/// A key and a CSR for `cn`.
fn request(dir: &Path, name: &str, cn: &str) {
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
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={cn}"),
            "-config",
            "openssl.cnf",
        ],
    );
}

/// `name`.pem issued by `issuer` with the extensions of `section` and `serial`.
fn issue(dir: &Path, name: &str, cn: &str, issuer: &str, section: &str, serial: &str) {
    request(dir, name, cn);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{issuer}.pem"),
            "-CAkey",
            &format!("{issuer}.key"),
            "-set_serial",
            serial,
            "-days",
            "3650",
            "-extfile",
            "openssl.cnf",
            "-extensions",
            section,
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// Whether `openssl verify` (with `-x509_strict` when `strict`) accepts `leaf` over `int`.
fn openssl_accepts(dir: &Path, leaf: &str, int: &str, strict: bool) -> bool {
    let mut cmd = Command::new("openssl");
    cmd.arg("verify");
    if strict {
        cmd.arg("-x509_strict");
    }
    cmd.args(["-CAfile", "root.pem", "-untrusted", &format!("{int}.pem")])
        .arg(format!("{leaf}.pem"))
        .current_dir(dir);
    cmd.output().unwrap().status.success()
}

#[test]
fn each_rule_agrees_with_openssl_x509_strict_or_is_the_profiles() {
    if !support::have("openssl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs_err::write(dir.join("openssl.cnf"), CONFIG).unwrap();
    request(dir, "root", "Strict Root");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "root.csr",
            "-key",
            "root.key",
            "-set_serial",
            "1",
            "-days",
            "3650",
            "-extfile",
            "openssl.cnf",
            "-extensions",
            "root",
            "-out",
            "root.pem",
        ],
    );
    for (name, section) in [
        ("int", "int"),
        ("int_bc_not_critical", "int_bc_not_critical"),
        ("int_no_ski", "int_no_ski"),
        ("int_no_ku", "int_no_ku"),
        ("int_nc_not_critical", "int_nc_not_critical"),
    ] {
        issue(dir, name, &format!("Strict {name}"), "root", section, "2");
    }
    // (leaf, its intermediate, the rule cabundle must name or None, whether X509_STRICT
    // checks it)
    let mut cases: Vec<(String, &str, Option<&str>, bool)> = Vec::new();
    // Under an intermediate without a key identifier, the leaf can have none either.
    for (int, leaf_section, rule) in [
        (
            "int_bc_not_critical",
            "leaf",
            "Basic Constraints of CA cert not marked critical",
        ),
        (
            "int_no_ski",
            "leaf_no_aki",
            "Missing Subject Key Identifier",
        ),
        (
            "int_no_ku",
            "leaf",
            "CA cert does not include key usage extension",
        ),
        (
            "int_nc_not_critical",
            "leaf",
            "name constraints not as RFC 5280 asks",
        ),
    ] {
        let leaf = format!("leaf_under_{int}");
        issue(dir, &leaf, "strict.example", int, leaf_section, "16");
        // RFC 5280's syntax of name constraints is the profile's rule, not OpenSSL's.
        let openssl_checks = int != "int_nc_not_critical";
        cases.push((leaf, int, Some(rule), openssl_checks));
    }
    for (section, cn, serial, rule, openssl_checks) in [
        ("leaf", "strict.example", "16", None, false),
        (
            "leaf_no_aki",
            "strict.example",
            "17",
            Some("Missing Authority Key Identifier"),
            true,
        ),
        (
            "leaf_no_san",
            "strict.example",
            "20",
            Some("no subjectAltName names the host"),
            false,
        ),
        (
            "leaf",
            "other.example",
            "21",
            Some("the common name is not among the subjectAltNames"),
            false,
        ),
        (
            "leaf_no_eku",
            "strict.example",
            "22",
            Some("no extended key usage serverAuth"),
            false,
        ),
        (
            "leaf",
            "strict.example",
            "0",
            Some("the serial number is not positive"),
            false,
        ),
    ] {
        let leaf = format!("{section}_{serial}");
        issue(dir, &leaf, cn, "int", section, serial);
        cases.push((leaf, "int", rule, openssl_checks));
    }
    // A key identifier marked critical is refused by OpenSSL's default verification already
    // ("unhandled critical extension"), and by cabundle's.
    for (section, serial) in [("leaf_aki_critical", "18"), ("leaf_ski_critical", "19")] {
        let leaf = format!("{section}_{serial}");
        issue(dir, &leaf, "strict.example", "int", section, serial);
        assert!(
            !openssl_accepts(dir, &leaf, "int", false),
            "{leaf}: openssl verify"
        );
        let out = cabundle(&[
            "verify",
            dir.join(format!("{leaf}.pem")).to_str().unwrap(),
            "--bundle",
            dir.join("root.pem").to_str().unwrap(),
            "--intermediates",
            dir.join("int.pem").to_str().unwrap(),
        ])
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(1), "{leaf}: {}", text(&out));
    }
    for (leaf, int, rule, openssl_checks) in &cases {
        // The default verification accepts every case, OpenSSL's and cabundle's.
        assert!(
            openssl_accepts(dir, leaf, int, false),
            "{leaf}: openssl verify"
        );
        let run = |strict: bool| {
            let mut args = vec![
                "verify".to_owned(),
                dir.join(format!("{leaf}.pem")).to_str().unwrap().to_owned(),
                "--bundle".to_owned(),
                dir.join("root.pem").to_str().unwrap().to_owned(),
                "--intermediates".to_owned(),
                dir.join(format!("{int}.pem")).to_str().unwrap().to_owned(),
            ];
            if strict {
                args.push("--strict".to_owned());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            cabundle(&args).output().unwrap()
        };
        let plain = run(false);
        assert_eq!(plain.status.code(), Some(0), "{leaf}: {}", text(&plain));
        let strict = run(true);
        let said = text(&strict);
        let strict_openssl = openssl_accepts(dir, leaf, int, true);
        match rule {
            None => {
                assert!(strict_openssl, "{leaf}: openssl -x509_strict refuses");
                assert_eq!(strict.status.code(), Some(0), "{leaf}: {said}");
                assert!(!said.contains("strict: "), "{leaf}: {said}");
            }
            Some(rule) => {
                assert_eq!(strict.status.code(), Some(1), "{leaf}: {said}");
                let line = said
                    .lines()
                    .find(|l| l.starts_with("strict: ") && l.contains(rule))
                    .unwrap_or_else(|| panic!("{leaf}: no strict line for {rule}:\n{said}"));
                // Where OpenSSL's strict mode checks the rule, it refuses too; where only the
                // profile has it, OpenSSL's strict mode accepts and the line says so.
                assert_eq!(!strict_openssl, *openssl_checks, "{leaf}: {said}");
                assert_eq!(
                    line.contains("OpenSSL's X509_STRICT"),
                    *openssl_checks,
                    "{leaf}: {line}"
                );
                assert!(line.contains("CA/Browser Forum profile"), "{leaf}: {line}");
                assert!(said.contains("hint: "), "{leaf}: {said}");
            }
        }
    }
}
