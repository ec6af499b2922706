//! End-to-end tests of `cargo xtask build-bundle` and `cargo xtask refresh` on the real CCADB
//! snapshots, and of the workflows under `.github/workflows`.
//!
//! Every test works on a copy of `bundles/` in a fresh temporary directory, except the
//! `--check` of what is committed, which changes nothing.
// The functions below are test code too; a failed step should stop the test where it happened.
#![allow(clippy::unwrap_used)]

use cabundle_testkit::IntermediateRow;
use sha2::{Digest, Sha256};
use std::borrow::BorrowMut;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The report the committed locks pin.
const PINNED: &str = "IncludedCACertificateReportPEMCSV-2026-07-01.csv";
const PINNED_SHA256: &str = "2ed76a78d21c966715c4c450fc9b2fd1bc918a4d7d03d45e75116a9c05f18ae6";
const PREVIOUS: &str = "IncludedCACertificateReportPEMCSV-2026-06-01.csv";
const BUNDLES: [&str; 3] = ["mozilla-email", "mozilla-tls", "mozilla-tls-intermediates"];
/// The intermediates report the committed lock of mozilla-tls-intermediates pins.
const PINNED_INTERMEDIATES: &str = "MozillaIntermediateCertsCSVReport-2026-07-25.csv";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The folder of CCADB snapshots, when it holds the pinned reports; see
/// [`cabundle_testkit::ccadb_data_with`].
fn ccadb_data() -> Option<PathBuf> {
    cabundle_testkit::ccadb_data_with(PINNED)
        .and_then(|_| cabundle_testkit::ccadb_data_with(PINNED_INTERMEDIATES))
}

/// The xtask binary with a private source cache, run from `cwd`.
fn xtask(cwd: &Path, cache: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.current_dir(cwd)
        .args(args)
        .arg("--cache-dir")
        .arg(cache);
    cmd
}

fn run(mut cmd: impl BorrowMut<Command>) -> (Output, String, String) {
    let out = cmd.borrow_mut().output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

fn ok(mut cmd: impl BorrowMut<Command>) -> (String, String) {
    let cmd = cmd.borrow_mut();
    let (out, stdout, stderr) = run(&mut *cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// Copies the recipes, locks and committed outputs of `bundles/` (not `out/`) into `dest`.
fn copy_bundles(dest: &Path) -> PathBuf {
    let to = dest.join("bundles");
    for name in BUNDLES {
        fs_err::create_dir_all(to.join(name)).unwrap();
        for file in ["recipe.toml", "lock.toml", "SHA256SUMS", "listing.txt"] {
            fs_err::copy(
                workspace().join("bundles").join(name).join(file),
                to.join(name).join(file),
            )
            .unwrap();
        }
    }
    to
}

/// What a folder holds: relative path to file bytes or link target.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs_err::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let meta = fs_err::symlink_metadata(&path).unwrap();
            if meta.is_symlink() {
                let target = fs_err::read_link(&path).unwrap();
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if meta.is_dir() {
                stack.push(path);
            } else {
                out.insert(rel, fs_err::read(&path).unwrap());
            }
        }
    }
    out
}

/// The committed digests of every bundle, as one SHA256SUMS sorted by file name.
fn committed_sums() -> String {
    let mut lines: Vec<String> = BUNDLES
        .iter()
        .flat_map(|n| {
            fs_err::read_to_string(workspace().join("bundles").join(n).join("SHA256SUMS"))
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    lines.sort_by(|a, b| {
        a.split_once("  ")
            .unwrap()
            .1
            .cmp(b.split_once("  ").unwrap().1)
    });
    lines.join("\n") + "\n"
}

#[test]
fn builds_are_byte_identical_across_directories_time_zones_and_umasks() {
    let Some(data) = ccadb_data() else { return };
    let data = data.to_str().unwrap();
    let mut outs = Vec::new();
    for (tz, umask, locale) in [
        ("UTC", "022", "C"),
        ("Pacific/Chatham", "077", "de_DE.UTF-8"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = tmp.path().join("somewhere").join("else");
        fs_err::create_dir_all(&cwd).unwrap();
        let bundles = copy_bundles(tmp.path());
        let out = tmp.path().join("out");
        let args = [
            "build-bundle",
            "--source-dir",
            data,
            "--bundles-dir",
            bundles.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        let mut cmd = if cfg!(unix) {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_xtask"))
                .args(args);
            c.arg("--cache-dir")
                .arg(tmp.path().join("cache"))
                .current_dir(&cwd);
            c
        } else {
            xtask(&cwd, &tmp.path().join("cache"), &args)
        };
        cmd.env("TZ", tz).env("LC_ALL", locale).env("LANG", locale);
        ok(&mut cmd);
        // Building did not change the committed expectations.
        for name in BUNDLES {
            for file in ["SHA256SUMS", "listing.txt"] {
                assert_eq!(
                    fs_err::read(bundles.join(name).join(file)).unwrap(),
                    fs_err::read(workspace().join("bundles").join(name).join(file)).unwrap(),
                    "{name}/{file} differs from the committed one"
                );
            }
        }
        outs.push((snapshot(&out), tmp));
    }
    let (first, second) = (&outs[0].0, &outs[1].0);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in first {
        assert!(
            bytes == &second[path],
            "{path} differs between the two builds"
        );
    }

    // Every output the golden SHA256SUMS names has that SHA-256, archives included.
    let sums = committed_sums();
    assert_eq!(
        String::from_utf8(first["SHA256SUMS"].clone()).unwrap(),
        sums
    );
    for line in sums.lines() {
        let (sha, name) = line.split_once("  ").unwrap();
        assert_eq!(hex::encode(Sha256::digest(&first[name])), sha, "{name}");
    }
    for name in BUNDLES {
        for suffix in [".pem", ".manifest.json", ".listing.txt", ".tar.gz"] {
            assert!(
                first.contains_key(&format!("{name}{suffix}")),
                "{name}{suffix} missing"
            );
        }
        assert!(
            first
                .keys()
                .any(|k| k.starts_with(&format!("{name}.capath/"))),
            "{name}.capath missing"
        );
    }
    // The bundle with intermediates has both PEM files of them; its hashed directory holds
    // the roots only, as its recipe says, and its roots bundle holds mozilla-tls's roots (its
    // as-of date is the newer intermediates pin's, so only that header line differs).
    for file in ["full.pem", "intermediates.pem"] {
        assert!(first.contains_key(&format!("mozilla-tls-intermediates.{file}")));
    }
    assert!(
        !first
            .keys()
            .any(|k| k.starts_with("mozilla-tls-intermediates.capath/intermediate-"))
    );
    let without_date = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.starts_with("## As of: "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        without_date(&first["mozilla-tls-intermediates.pem"]),
        without_date(&first["mozilla-tls.pem"])
    );
}

#[test]
fn outputs_agree_with_the_listing_and_openssl() {
    let Some(data) = ccadb_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let bundles = copy_bundles(tmp.path());
    let out = tmp.path().join("out");
    ok(xtask(
        tmp.path(),
        &tmp.path().join("cache"),
        &[
            "build-bundle",
            "mozilla-tls",
            "--source-dir",
            data.to_str().unwrap(),
            "--bundles-dir",
            bundles.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let listing = fs_err::read_to_string(out.join("mozilla-tls.listing.txt")).unwrap();
    let included: Vec<(&str, &str)> = listing
        .split("# included:")
        .nth(1)
        .unwrap()
        .split("\n#")
        .next()
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut p = l.split(' ');
            (p.next().unwrap(), p.next().unwrap())
        })
        .collect();
    assert!(included.len() > 100, "{} roots", included.len());
    let pem = fs_err::read_to_string(out.join("mozilla-tls.pem")).unwrap();
    assert_eq!(
        pem.matches("-----BEGIN CERTIFICATE-----").count(),
        included.len()
    );
    // Every included root has a hash link in the CApath directory.
    let capath = out.join("mozilla-tls.capath");
    for (sha, hash) in &included {
        assert!(
            capath.join(format!("{hash}.0")).exists(),
            "no link {hash}.0 for {sha}"
        );
    }
    // OpenSSL computes the same subject hashes from the files the links point at.
    if Command::new("openssl").arg("version").output().is_ok() {
        for (_, hash) in included.iter().take(10) {
            let o = Command::new("openssl")
                .args(["x509", "-noout", "-subject_hash", "-in"])
                .arg(capath.join(format!("{hash}.0")))
                .output()
                .unwrap();
            assert!(o.status.success());
            assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), *hash);
        }
        // And OpenSSL finds a root through the hash links.
        let (_, hash) = included[0];
        let o = Command::new("openssl")
            .arg("verify")
            .arg("-CApath")
            .arg(&capath)
            .arg(capath.join(format!("{hash}.0")))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    } else if std::env::var_os("CI").is_some() {
        panic!("openssl is required in CI");
    }

    // The archive holds exactly the other outputs, as the real tar extracts it.
    if cfg!(unix) && Command::new("tar").arg("--version").output().is_ok() {
        let x = tmp.path().join("extracted");
        fs_err::create_dir_all(&x).unwrap();
        let o = Command::new("tar")
            .arg("-xzf")
            .arg(out.join("mozilla-tls.tar.gz"))
            .arg("-C")
            .arg(&x)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut expected = snapshot(&out);
        expected.retain(|k, _| k != "SHA256SUMS" && k != "mozilla-tls.tar.gz");
        assert_eq!(snapshot(&x.join("mozilla-tls")), expected);
    }
}

#[test]
fn check_passes_on_what_is_committed() {
    let Some(data) = ccadb_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (_, stderr) = ok(xtask(
        &workspace(),
        &tmp.path().join("cache"),
        &[
            "build-bundle",
            "--check",
            "--source-dir",
            data.to_str().unwrap(),
        ],
    ));
    assert!(
        stderr.contains(
            "bundles are up to date: mozilla-email, mozilla-tls, mozilla-tls-intermediates"
        ),
        "{stderr}"
    );
}

#[test]
fn check_fails_naming_the_fix_when_a_recipe_changes() {
    let Some(data) = ccadb_data() else { return };
    let data = data.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let bundles = copy_bundles(tmp.path());
    let bdir = bundles.to_str().unwrap();
    let cache = tmp.path().join("cache");
    // Leave out the first root of the listing, with a reason.
    let listing = fs_err::read_to_string(bundles.join("mozilla-tls/listing.txt")).unwrap();
    let first = listing
        .split("# included:")
        .nth(1)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap();
    let (sha, rest) = first.split_once(' ').unwrap();
    let label = rest.split_once(' ').unwrap().1;
    let recipe = bundles.join("mozilla-tls/recipe.toml");
    let mut text = fs_err::read_to_string(&recipe).unwrap();
    text.push_str(&format!(
        "\n[[exclude]]\nsha256 = \"{sha}\"\nreason = \"a test of the review diff\"\n"
    ));
    fs_err::write(&recipe, text).unwrap();

    let (out, _, stderr) = run(xtask(
        tmp.path(),
        &cache,
        &[
            "build-bundle",
            "--check",
            "--source-dir",
            data,
            "--bundles-dir",
            bdir,
        ],
    ));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("mozilla-tls/SHA256SUMS is out of date"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mozilla-tls/listing.txt is out of date"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("\n-{first}\n")), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "\n+{sha} {label}: excluded by the recipe: a test of the review diff\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "hint: run `cargo xtask build-bundle mozilla-tls --bundles-dir {bdir} --source-dir {data} && git add {}`",
            bundles.join("mozilla-tls").display()
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains("mozilla-email/"),
        "the email bundle is unchanged: {stderr}"
    );

    // The named command fixes it.
    ok(xtask(
        tmp.path(),
        &cache,
        &[
            "build-bundle",
            "mozilla-tls",
            "--bundles-dir",
            bdir,
            "--source-dir",
            data,
        ],
    ));
    ok(xtask(
        tmp.path(),
        &cache,
        &[
            "build-bundle",
            "--check",
            "--source-dir",
            data,
            "--bundles-dir",
            bdir,
        ],
    ));
    assert!(bundles.join("mozilla-tls/out/mozilla-tls.tar.gz").is_file());
}

#[test]
fn an_unreachable_network_names_the_offline_option() {
    if ccadb_data().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bundles = copy_bundles(tmp.path());
    let lock = bundles.join("mozilla-tls/lock.toml");
    let text = fs_err::read_to_string(&lock).unwrap();
    // Nothing listens on port 9 here: the download fails at once, without the network.
    let text = text.replace(
        "https://ccadb.my.salesforce-sites.com/mozilla/IncludedCACertificateReportPEMCSV",
        "https://127.0.0.1:9/report",
    );
    fs_err::write(&lock, text).unwrap();
    let (out, _, stderr) = run(xtask(
        tmp.path(),
        &tmp.path().join("cache"),
        &[
            "build-bundle",
            "mozilla-tls",
            "--bundles-dir",
            bundles.to_str().unwrap(),
        ],
    ));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot download the pinned source"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "\nhint: the network may be unreachable; to build offline, pass `--source-dir DIR`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(PINNED_SHA256), "{stderr}");
}

#[test]
fn refresh_pins_the_new_report_and_prints_release_notes() {
    let Some(data) = ccadb_data() else { return };
    let data_s = data.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let bundles = copy_bundles(tmp.path());
    let bdir = bundles.to_str().unwrap();
    let cache = tmp.path().join("cache");
    // Pin the previous month, as the repository was before the refresh.
    let previous = fs_err::read(data.join(PREVIOUS)).unwrap();
    for name in BUNDLES {
        let lock = bundles.join(name).join("lock.toml");
        let text = fs_err::read_to_string(&lock)
            .unwrap()
            .replace(PINNED_SHA256, &hex::encode(Sha256::digest(&previous)))
            .replace(
                &format!(
                    "size = {}",
                    fs_err::metadata(data.join(PINNED)).unwrap().len()
                ),
                &format!("size = {}", previous.len()),
            )
            .replace("2026-07-01", "2026-06-01");
        fs_err::write(&lock, text).unwrap();
    }
    ok(xtask(
        tmp.path(),
        &cache,
        &[
            "build-bundle",
            "--source-dir",
            data_s,
            "--bundles-dir",
            bdir,
        ],
    ));
    assert_ne!(
        fs_err::read(bundles.join("mozilla-tls/SHA256SUMS")).unwrap(),
        fs_err::read(workspace().join("bundles/mozilla-tls/SHA256SUMS")).unwrap()
    );

    let pinned = data.join(PINNED);
    let intermediates = data.join(PINNED_INTERMEDIATES);
    let (notes, stderr) = ok(xtask(
        tmp.path(),
        &cache,
        &[
            "refresh",
            "--source",
            pinned.to_str().unwrap(),
            "--intermediates-source",
            intermediates.to_str().unwrap(),
            "--as-of",
            "2026-07-01",
            "--source-dir",
            data_s,
            "--bundles-dir",
            bdir,
        ],
    ));
    // The refreshed files are exactly the committed ones.
    for name in BUNDLES {
        for file in ["lock.toml", "SHA256SUMS", "listing.txt"] {
            assert_eq!(
                fs_err::read_to_string(bundles.join(name).join(file)).unwrap(),
                fs_err::read_to_string(workspace().join("bundles").join(name).join(file)).unwrap(),
                "{name}/{file} after refresh\n{stderr}"
            );
        }
    }
    assert!(notes.contains("## mozilla-tls: "), "{notes}");
    assert!(notes.contains("## mozilla-email: "), "{notes}");
    // The intermediates report is the pinned one: only the roots' pin moved. The as-of date
    // stays the intermediates pin's (the newer), so the same intermediates are selected.
    assert!(notes.contains("## mozilla-tls-intermediates: "), "{notes}");
    assert!(
        notes.contains("1754 intermediates selected, 5 left out."),
        "{notes}"
    );
    assert!(
        !notes.contains("### Intermediates added to the bundle ("),
        "{notes}"
    );
    assert!(
        !notes.contains("## Changes in the intermediates report"),
        "{notes}"
    );
    assert!(
        notes.contains("### Removed from the bundle (1)\n\n- SecureSign Root CA12 ("),
        "{notes}"
    );
    assert_eq!(
        notes.matches("## Changes in the report").count(),
        1,
        "{notes}"
    );
    assert!(
        notes.contains("### Roots added (1)\n\n- SecureSign Root CA16 ("),
        "{notes}"
    );
    assert!(notes.contains("### Roots removed (2)"), "{notes}");
    assert!(notes.contains("### Trust bits changed (2)\n\n- TrustAsia Global Root CA G4: Websites, Email → Websites ("), "{notes}");

    // The new source went to the cache: build-bundle finds it without --source-dir.
    ok(xtask(
        tmp.path(),
        &cache,
        &["build-bundle", "--check", "--bundles-dir", bdir],
    ));
    // A second refresh with the same reports changes nothing.
    let (notes, stderr) = ok(xtask(
        tmp.path(),
        &cache,
        &[
            "refresh",
            "--source",
            pinned.to_str().unwrap(),
            "--intermediates-source",
            intermediates.to_str().unwrap(),
            "--bundles-dir",
            bdir,
        ],
    ));
    assert_eq!(notes, "");
    assert!(stderr.contains("nothing to refresh"), "{stderr}");
}

/// A roots report of `roots` (PEM), as the CCADB writes it: quoted fields, PEM in single quotes.
fn roots_report(roots: &[&str]) -> String {
    let quote = |f: &str| format!("\"{}\"", f.replace('"', "\"\""));
    let header = [
        "Owner",
        "Common Name or Certificate Name",
        "Certificate Serial Number",
        "SHA-256 Fingerprint",
        "Trust Bits",
        "Distrust for TLS After Date",
        "Distrust for S/MIME After Date",
        "Mozilla Applied Constraints",
        "PEM Info",
    ];
    let mut lines = vec![header.map(quote).join(",")];
    for (i, pem) in roots.iter().enumerate() {
        let row = [
            "cabundle tests".to_owned(),
            format!("Refresh Test Root {i}"),
            format!("{i:02X}"),
            hex::encode_upper(Sha256::digest(der(pem))),
            "Websites".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            format!("'{}'", pem.trim_end()),
        ];
        lines.push(row.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
    }
    lines.join("\n")
}

/// A `MozillaIntermediateCertsCSVReport` of `intermediates` (PEM).
fn intermediates_report(intermediates: &[&str]) -> String {
    let rows: Vec<IntermediateRow> = intermediates
        .iter()
        .map(|pem| IntermediateRow::from_pem("CN=fixture", "CN=Refresh Test Root", pem))
        .collect();
    cabundle_testkit::intermediates_report(&rows)
}

/// The DER of a one-certificate PEM.
fn der(pem: &str) -> Vec<u8> {
    cabundle_cert::read_certificates(pem.as_bytes()).unwrap()[0]
        .der
        .clone()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn refresh_pins_the_new_intermediates_report_and_lists_its_changes() {
    use cabundle_testkit::pki_files::ca;
    let (from, to) = (
        time::macros::datetime!(2024-01-01 0:00 UTC),
        time::macros::datetime!(2040-01-01 0:00 UTC),
    );
    let root = ca("Refresh Test Root", None, from, to);
    let (kept, gone, new) = (
        ca("Kept Issuing CA", Some(&root), from, to),
        ca("Gone Issuing CA", Some(&root), from, to),
        ca("New Issuing CA", Some(&root), from, to),
    );
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("sources");
    fs_err::create_dir_all(&src).unwrap();
    let roots = src.join("roots.csv");
    let old_ints = src.join("intermediates-1.csv");
    let new_ints = tmp.path().join("intermediates-2.csv");
    fs_err::write(&roots, roots_report(&[&root.pem])).unwrap();
    fs_err::write(&old_ints, intermediates_report(&[&kept.pem, &gone.pem])).unwrap();
    fs_err::write(&new_ints, intermediates_report(&[&new.pem, &kept.pem])).unwrap();
    let (roots_bytes, old_bytes, new_bytes) = (
        fs_err::read(&roots).unwrap(),
        fs_err::read(&old_ints).unwrap(),
        fs_err::read(&new_ints).unwrap(),
    );

    // A copy of the bundle folder: the committed recipe, a lock pinning the fixture reports.
    let bundles = tmp.path().join("bundles");
    let dir = bundles.join("mozilla-tls-intermediates");
    fs_err::create_dir_all(&dir).unwrap();
    fs_err::copy(
        workspace().join("bundles/mozilla-tls-intermediates/recipe.toml"),
        dir.join("recipe.toml"),
    )
    .unwrap();
    let lock = |ints: Option<(&[u8], &str)>| {
        let mut text = format!(
            "[source]\nurl = \"https://127.0.0.1:9/roots\"\nsha256 = \"{}\"\nsize = {}\nfetched = \"2026-07-01\"\n",
            sha256_hex(&roots_bytes),
            roots_bytes.len()
        );
        if let Some((bytes, fetched)) = ints {
            text.push_str(&format!(
                "[intermediates]\nurl = \"https://127.0.0.1:9/intermediates\"\nsha256 = \"{}\"\nsize = {}\nfetched = \"{fetched}\"\n",
                sha256_hex(bytes),
                bytes.len()
            ));
        }
        text
    };
    fs_err::write(
        dir.join("lock.toml"),
        lock(Some((&old_bytes, "2026-07-25"))),
    )
    .unwrap();
    let cache = tmp.path().join("cache");
    let (bdir, src_s) = (bundles.to_str().unwrap(), src.to_str().unwrap());
    let build = ["build-bundle", "--source-dir", src_s, "--bundles-dir", bdir];
    let (_, stderr) = ok(xtask(tmp.path(), &cache, &build));
    assert!(
        stderr.contains("1 roots included, 0 excluded")
            && stderr.contains("2 intermediates selected, 0 left out"),
        "{stderr}"
    );

    let refresh = |ints: &Path, as_of: &str| {
        ok(xtask(
            tmp.path(),
            &cache,
            &[
                "refresh",
                "--source",
                roots.to_str().unwrap(),
                "--intermediates-source",
                ints.to_str().unwrap(),
                "--as-of",
                as_of,
                "--source-dir",
                src_s,
                "--bundles-dir",
                bdir,
            ],
        ))
    };
    let (notes, stderr) = refresh(&new_ints, "2026-08-03");
    // Only the intermediates' pin moved; the roots' date is still the as-of date.
    let text = fs_err::read_to_string(dir.join("lock.toml")).unwrap();
    let new_pin = format!(
        "[intermediates]\nurl = \"https://127.0.0.1:9/intermediates\"\nsha256 = \"{}\"\nsize = {}\nfetched = \"2026-08-03\"\n",
        sha256_hex(&new_bytes),
        new_bytes.len()
    );
    assert!(text.ends_with(&new_pin), "{text}\n{stderr}");
    assert!(
        text.contains(&format!(
            "sha256 = \"{}\"\nsize = {}\nfetched = \"2026-07-01\"\n",
            sha256_hex(&roots_bytes),
            roots_bytes.len()
        )),
        "{text}"
    );
    let sha = |pem: &str| sha256_hex(&der(pem));
    let (new_sha, gone_sha) = (sha(&new.pem), sha(&gone.pem));
    for want in [
        format!(
            "Intermediates https://127.0.0.1:9/intermediates as of 2026-08-03: `{}` (was `{}`, as of 2026-07-25).\n",
            sha256_hex(&new_bytes),
            sha256_hex(&old_bytes)
        ),
        "2 intermediates selected, 0 left out.\n".to_owned(),
        format!(
            "### Intermediates added to the bundle (1)\n\n- CN=New Issuing CA, O=cabundle tests (`{new_sha}`)\n"
        ),
        format!(
            "### Intermediates removed from the bundle (1)\n\n- CN=Gone Issuing CA, O=cabundle tests (`{gone_sha}`)\n"
        ),
        format!(
            "## Changes in the intermediates report\n\nFrom `{}` to `{}`.\n",
            sha256_hex(&old_bytes),
            sha256_hex(&new_bytes)
        ),
        format!(
            "### Intermediates added (1)\n\n- CN=New Issuing CA, O=cabundle tests (issuer CN=Refresh Test Root, O=cabundle tests) (`{new_sha}`)\n"
        ),
        format!(
            "### Intermediates removed (1)\n\n- CN=Gone Issuing CA, O=cabundle tests (issuer CN=Refresh Test Root, O=cabundle tests) (`{gone_sha}`)\n"
        ),
    ] {
        assert!(notes.contains(&want), "{want:?} not in\n{notes}");
    }
    assert!(!notes.contains("## Changes in the report"), "{notes}");
    assert!(!notes.contains("### Added to the bundle"), "{notes}");
    let listing = fs_err::read_to_string(dir.join("listing.txt")).unwrap();
    assert!(listing.contains(&format!("\n{new_sha} ")), "{listing}");
    assert!(!listing.contains(&gone_sha), "{listing}");

    // The new report went to the cache: the refreshed files are what a build makes.
    ok(xtask(
        tmp.path(),
        &cache,
        &[&build[..], &["--check"]].concat(),
    ));
    let (notes, stderr) = refresh(&new_ints, "2026-08-10");
    assert_eq!(notes, "");
    assert!(stderr.contains("nothing to refresh"), "{stderr}");

    // A recipe given intermediates before its lock pins them: the build names the fix, and
    // refresh pins the report (here from the file) beside the unchanged roots.
    fs_err::write(dir.join("lock.toml"), lock(None)).unwrap();
    let (out, _, stderr) = run(xtask(tmp.path(), &cache, &build));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`intermediates`: missing: the recipe has intermediates, so the lock must pin the intermediates report"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: run `cargo xtask refresh mozilla-tls-intermediates`"),
        "{stderr}"
    );
    let (notes, _) = refresh(&new_ints, "2026-08-10");
    assert!(notes.contains("(none pinned before)"), "{notes}");
    let text = fs_err::read_to_string(dir.join("lock.toml")).unwrap();
    assert!(
        text.contains(&format!(
            "[intermediates]\nurl = \"{}\"\nsha256 = \"{}\"",
            "https://ccadb.my.salesforce-sites.com/mozilla/MozillaIntermediateCertsCSVReport",
            sha256_hex(&new_bytes)
        )),
        "{text}"
    );
    ok(xtask(
        tmp.path(),
        &cache,
        &[&build[..], &["--check"]].concat(),
    ));
}

#[test]
fn usage_and_bad_arguments() {
    let tmp = tempfile::tempdir().unwrap();
    let (stdout, _) =
        ok(Command::new(env!("CARGO_BIN_EXE_xtask")).args(["build-bundle", "--help"]));
    assert!(
        stdout.starts_with("usage: cargo xtask build-bundle"),
        "{stdout}"
    );
    let (stdout, _) = ok(Command::new(env!("CARGO_BIN_EXE_xtask")).args(["refresh", "--help"]));
    assert!(stdout.starts_with("usage: cargo xtask refresh"), "{stdout}");
    let (out, _, stderr) = run(xtask(tmp.path(), tmp.path(), &["build-bundle", "--colour"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("error: unknown option `--colour`"),
        "{stderr}"
    );
    let (out, _, stderr) = run(xtask(
        tmp.path(),
        tmp.path(),
        &["build-bundle", "no-such-bundle"],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("no bundle named `no-such-bundle`"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "hint: the bundles are: mozilla-email, mozilla-tls, mozilla-tls-intermediates"
        ),
        "{stderr}"
    );
}

#[test]
fn workflows_pass_actionlint_and_pin_actions() {
    let dir = workspace().join(".github/workflows");
    let mut files: Vec<PathBuf> = fs_err::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["ci.yml", "refresh.yml", "release.yml"]);
    // Every action is pinned by a full commit SHA, with the version in a comment.
    for file in &files {
        let text = fs_err::read_to_string(file).unwrap();
        for line in text.lines().filter(|l| l.contains("uses:")) {
            let spec = line.split("uses:").nth(1).unwrap().trim();
            let (action, rest) = spec
                .split_once('@')
                .unwrap_or_else(|| panic!("{line}: no @"));
            let (sha, comment) = rest.split_once(' ').unwrap_or((rest, ""));
            assert!(!action.is_empty(), "{line}");
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{}: `{line}` is not pinned by commit",
                file.display()
            );
            assert!(
                comment.trim_start().starts_with("# v"),
                "{}: `{line}` lacks a `# vX` comment",
                file.display()
            );
        }
    }
    match Command::new("actionlint").arg("-version").output() {
        Ok(_) => {
            let (out, stdout, stderr) = run(Command::new("actionlint")
                .args(&files)
                .current_dir(workspace()));
            assert!(out.status.success(), "actionlint:\n{stdout}{stderr}");
        }
        Err(_) if std::env::var_os("CI").is_some() => panic!("actionlint is required in CI"),
        Err(_) => eprintln!("notice: actionlint not found; skipping (install it with pip)"),
    }
}

/// Runs `cmd` and kills it with SIGKILL (`kill -9`) after `delay`, unless it ended.
#[cfg(unix)]
fn run_and_kill(mut cmd: Command, delay: std::time::Duration) {
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + delay;
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    let _ = child.kill();
    child.wait().unwrap();
}

/// `kill -9` of `refresh` at many points of its run (evenly spread, then drawn with a fixed
/// seed), alternating between two reports: the lock is always the old or the new one, the
/// listing and `SHA256SUMS` are of the lock's version or missing, never of the other; the next
/// run completes the version and leaves no temporary name.
#[cfg(unix)]
#[test]
fn kill_9_of_refresh_leaves_lock_listing_and_sums_of_one_version() {
    use cabundle_testkit::pki_files::ca;
    use std::time::{Duration, Instant};
    const FILES: [&str; 3] = ["lock.toml", "listing.txt", "SHA256SUMS"];
    let (from, to) = (
        time::macros::datetime!(2024-01-01 0:00 UTC),
        time::macros::datetime!(2040-01-01 0:00 UTC),
    );
    let (a, b) = (
        ca("Crash Test Root A", None, from, to),
        ca("Crash Test Root B", None, from, to),
    );
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("sources");
    fs_err::create_dir_all(&src).unwrap();
    // Two versions: (report, as-of date).
    let versions = [
        (src.join("old.csv"), "2026-06-01"),
        (src.join("new.csv"), "2026-07-01"),
    ];
    fs_err::write(&versions[0].0, roots_report(&[&a.pem])).unwrap();
    fs_err::write(&versions[1].0, roots_report(&[&a.pem, &b.pem])).unwrap();
    let bundles = tmp.path().join("bundles");
    let dir = bundles.join("mozilla-tls");
    fs_err::create_dir_all(&dir).unwrap();
    fs_err::copy(
        workspace().join("bundles/mozilla-tls/recipe.toml"),
        dir.join("recipe.toml"),
    )
    .unwrap();
    let old = fs_err::read(&versions[0].0).unwrap();
    fs_err::write(
        dir.join("lock.toml"),
        format!(
            "[source]\nurl = \"https://127.0.0.1:9/roots\"\nsha256 = \"{}\"\nsize = {}\nfetched = \"2020-01-01\"\n",
            sha256_hex(&old),
            old.len()
        ),
    )
    .unwrap();
    let cache = tmp.path().join("cache");
    let refresh = |version: usize| {
        let (report, as_of) = &versions[version];
        xtask(
            tmp.path(),
            &cache,
            &[
                "refresh",
                "--source",
                report.to_str().unwrap(),
                "--as-of",
                as_of,
                "--source-dir",
                src.to_str().unwrap(),
                "--bundles-dir",
                bundles.to_str().unwrap(),
            ],
        )
    };
    // The files of a version, by SHA-256; `None` for a missing one.
    let state = || -> Vec<Option<String>> {
        FILES
            .iter()
            .map(|f| fs_err::read(dir.join(f)).ok().map(|b| sha256_hex(&b)))
            .collect()
    };
    let mut run = Duration::ZERO;
    let mut known = Vec::new();
    for version in [1, 0] {
        let start = Instant::now();
        ok(refresh(version));
        run = run.max(start.elapsed());
        known.push(state());
    }
    known.reverse();
    assert_ne!(known[0], known[1]);
    assert!(known.iter().flatten().all(Option::is_some));

    // Fixed points spread over the run (a little past it too), then random ones.
    let span = run.mul_f64(1.2);
    let (fixed, random) = (16u32, 16u32);
    let mut points: Vec<Duration> = (0..fixed).map(|i| span * i / fixed).collect();
    let mut seed: u64 = 0x5eed_0005;
    for _ in 0..random {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        points.push(Duration::from_micros(seed % span.as_micros().max(1) as u64));
    }
    for (i, delay) in points.iter().enumerate() {
        let target = (i + 1) % 2;
        run_and_kill(refresh(target), *delay);
        let now = state();
        let what = format!("kill {i} at {delay:?}");
        let version = known
            .iter()
            .position(|k| k[0] == now[0])
            .unwrap_or_else(|| panic!("{what}: the lock is neither old nor new: {now:?}"));
        for (f, (have, want)) in FILES.iter().zip(now.iter().zip(&known[version])).skip(1) {
            assert!(
                have.is_none() || have == want,
                "{what}: {f} is not of the lock's version"
            );
        }
        ok(refresh(target));
        assert_eq!(state(), known[target], "{what}: the next run");
        let mut names: Vec<String> = fs_err::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["SHA256SUMS", "listing.txt", "lock.toml", "recipe.toml"],
            "{what}"
        );
    }
    eprintln!("refresh: {} kills, run {run:?}", points.len());
}
