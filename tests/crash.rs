//! Crash consistency: `kill -9` of `build --pem --capath --manifest`, `build --recipe --out`,
//! `rehash` and `rehash --copy` at many points of their run (a fixed list of delays spread
//! over a run, and a seeded random set). After every kill: each output is the complete old or
//! the complete new version, a manifest describes exactly what stands beside it, no
//! certificate file is lost; then the next run succeeds and leaves no temporary name behind.
//!
//! Unix only (signals, symbolic links).
#![cfg(unix)]
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

use sha2::Digest as _;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::cabundle;

/// A small seeded generator (xorshift64*), so a failing kill point can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The delays to kill at: `fixed` evenly spread over `run` (a little past it too), then
/// `random` more drawn with a fixed seed.
fn delays(run: Duration, fixed: u32, random: u32, seed: u64) -> Vec<Duration> {
    let span = run.mul_f64(1.2).max(Duration::from_millis(5));
    let mut out: Vec<Duration> = (0..fixed).map(|i| span * i / fixed).collect();
    let mut rng = Rng(seed);
    let micros = span.as_micros() as u64;
    out.extend((0..random).map(|_| Duration::from_micros(rng.next() % micros.max(1))));
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

/// Runs `cmd` and kills it with SIGKILL after `delay` (if it is still running).
fn run_and_kill(mut cmd: Command, delay: Duration) {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + delay;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let _ = child.kill();
    child.wait().unwrap();
}

fn ok(mut cmd: Command) -> Duration {
    let start = Instant::now();
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs_names(dir);
    out.sort();
    out
}

fn fs_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The digest of a hashed directory as the manifest writes it: for each entry in name order,
/// `NAME\tfile\tSHA256\n` or `NAME\tlink\tTARGET\n`.
fn capath_digest(dir: &Path) -> String {
    let mut text = String::new();
    for name in names(dir) {
        let path = dir.join(&name);
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            text.push_str(&format!("{name}\tlink\t{}\n", target.display()));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            text.push_str(&format!("{name}\tfile\t{}\n", sha256(&bytes)));
        }
    }
    sha256(text.as_bytes())
}

/// The `outputs` digests a manifest names: (PEM SHA-256, capath digest).
fn manifest_digests(path: &Path) -> (String, String) {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let get = |key: &str| json["outputs"][key]["sha256"].as_str().unwrap().to_owned();
    (get("pem"), get("capath"))
}

/// What one build writes: (PEM SHA-256, capath digest, manifest SHA-256).
type Version = (String, String, String);

fn version_of(dir: &Path) -> Version {
    (
        sha256(&std::fs::read(dir.join("b.pem")).unwrap()),
        capath_digest(&dir.join("certs")),
        sha256(&std::fs::read(dir.join("m.json")).unwrap()),
    )
}

/// `build --pem --capath --manifest`, alternating between two dates (two different versions).
#[test]
fn kill_9_of_build_leaves_old_or_new_outputs_and_a_true_manifest() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let report = data.join("IncludedCACertificateReportPEMCSV-2026-07-01.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let build = |as_of: &str| {
        let mut cmd = cabundle(&["build", "--report", report.to_str().unwrap(), "--as-of"]);
        cmd.arg(as_of).arg("--pem").arg(out.join("b.pem"));
        cmd.arg("--capath").arg(out.join("certs"));
        cmd.arg("--manifest").arg(out.join("m.json"));
        cmd
    };
    // Two dates far enough apart that roots expire or are distrusted between them.
    let dates = ["2026-07-01", "2031-01-01"];
    let mut versions = Vec::new();
    let mut run = Duration::ZERO;
    for date in dates {
        run = run.max(ok(build(date)));
        versions.push(version_of(&out));
    }
    assert_ne!(versions[0], versions[1]);
    let points = delays(run, 60, 60, 0x5eed_0001);
    for (i, delay) in points.iter().enumerate() {
        let (now, next) = (i % 2, (i + 1) % 2);
        run_and_kill(build(dates[next]), *delay);
        let pem = sha256(&std::fs::read(out.join("b.pem")).unwrap());
        let cap = capath_digest(&out.join("certs"));
        assert!(
            versions.iter().any(|v| v.0 == pem),
            "kill {i} at {delay:?}: bundle neither old nor new"
        );
        assert!(
            versions.iter().any(|v| v.1 == cap),
            "kill {i} at {delay:?}: directory neither old nor new"
        );
        // A manifest, when there is one, describes what stands beside it.
        if out.join("m.json").exists() {
            assert_eq!(
                manifest_digests(&out.join("m.json")),
                (pem, cap),
                "kill {i} at {delay:?}: the manifest describes other outputs"
            );
        }
        // The next run succeeds and leaves exactly the three outputs.
        ok(build(dates[now]));
        assert_eq!(version_of(&out), versions[now], "kill {i}");
        assert_eq!(names(&out), ["b.pem", "certs", "m.json"], "kill {i}");
        std::thread::sleep(Duration::from_millis(2));
    }
    // Kills and rebuilds alternate, so the last rebuild wrote version `points.len() % 2`.
    eprintln!("build: {} kills", points.len());
}

/// `build --recipe --out`: the writer `cargo xtask build-bundle` uses, with its listings and
/// manifests.
#[test]
fn kill_9_of_a_recipe_build_leaves_old_or_new_outputs() {
    let Some(data) = support::ccadb_data() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bundle = root.join("bundles/mozilla-tls");
    let lock = std::fs::read_to_string(bundle.join("lock.toml")).unwrap();
    let Some(report) = std::fs::read_dir(&data).unwrap().find_map(|e| {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).ok()?;
        lock.contains(&sha256(&bytes)).then_some(path)
    }) else {
        panic!(
            "no report in the data folder matches the lock of {}",
            bundle.display()
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let build = || {
        let mut cmd = cabundle(&["build", "--recipe"]);
        cmd.arg(&bundle)
            .arg("--report")
            .arg(&report)
            .arg("--out")
            .arg(&out);
        cmd
    };
    let run = ok(build());
    let expected: BTreeMap<String, String> = names(&out)
        .into_iter()
        .filter(|n| !n.ends_with(".capath"))
        .map(|n| (sha256(&std::fs::read(out.join(&n)).unwrap()), n))
        .map(|(s, n)| (n, s))
        .collect();
    let listing = names(&out);
    let points = delays(run, 20, 20, 0x5eed_0002);
    for (i, delay) in points.iter().enumerate() {
        // Damage the outputs a little, so a finished run is told from an unfinished one.
        std::fs::write(out.join("mozilla-tls.pem"), b"old").unwrap();
        run_and_kill(build(), *delay);
        for (name, sha) in &expected {
            let path = out.join(name);
            if let Ok(bytes) = std::fs::read(&path) {
                assert!(
                    sha256(&bytes) == *sha || (name.ends_with(".pem") && bytes == b"old"),
                    "kill {i} at {delay:?}: {name} is neither old nor new"
                );
            } else {
                assert!(
                    !name.ends_with(".pem"),
                    "kill {i} at {delay:?}: {name} is missing"
                );
            }
        }
        ok(build());
        assert_eq!(names(&out), listing, "kill {i}");
    }
    eprintln!("build --recipe: {} kills", points.len());
}

/// A directory of `n` certificates, some sharing a subject, written by the testkit.
fn cert_dir(dir: &Path, n: u64) -> BTreeMap<String, Vec<u8>> {
    use cabundle_testkit::der::{StringType, name_simple, oid, string};
    std::fs::create_dir_all(dir).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..n {
        let cn = format!("Crash Root {}", i % (n * 3 / 4).max(1));
        let name = name_simple(&[(oid::CN, string(StringType::Utf8, &cn))]);
        let der = cabundle_testkit::cert_with_names(&name, &name, i + 1);
        let pem = cabundle_testkit::pem("CERTIFICATE", &der).into_bytes();
        let file = format!("root-{i:04}.pem");
        std::fs::write(dir.join(&file), &pem).unwrap();
        files.insert(file, pem);
    }
    files
}

/// Every certificate file is still there with its bytes; every hash-named entry is a link to
/// one of them or (with `--copy`) a complete copy of one.
fn check_rehash_state(dir: &Path, files: &BTreeMap<String, Vec<u8>>, what: &str) {
    for (name, bytes) in files {
        assert_eq!(
            std::fs::read(dir.join(name)).ok().as_ref(),
            Some(bytes),
            "{what}: {name} lost or changed"
        );
    }
    for name in names(dir) {
        if files.contains_key(&name) || name.starts_with('.') {
            continue;
        }
        let path = dir.join(&name);
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            assert!(
                files.contains_key(target.to_str().unwrap()),
                "{what}: {name} -> {}",
                target.display()
            );
        } else {
            // A copy is its marker line (`# cabundle rehash: copy of FILE`), then the bytes of
            // the file it copies.
            let bytes = std::fs::read(&path).unwrap();
            let copied = bytes
                .strip_prefix(b"# cabundle rehash: copy of ".as_slice())
                .and_then(|rest| {
                    let end = rest.iter().position(|&b| b == b'\n')?;
                    Some(&rest[end + 1..])
                });
            assert!(
                copied.is_some_and(|copied| files.values().any(|f| f.as_slice() == copied)),
                "{what}: {name} is not a complete copy"
            );
        }
    }
}

fn kill_rehash(copy: bool, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    let files = cert_dir(&certs, 1000);
    let rehash = |extra: &[&str]| {
        let mut cmd = cabundle(&["rehash"]);
        if copy {
            cmd.arg("--copy");
        }
        cmd.args(extra).arg(&certs);
        cmd
    };
    let run = ok(rehash(&[]));
    let points = delays(run, 40, 40, seed);
    for (i, delay) in points.iter().enumerate() {
        // Make the next run have work: drop every link (or copy), or a part of them.
        for name in names(&certs) {
            if !files.contains_key(&name) && (i % 2 == 0 || name.ends_with(".0")) {
                let _ = std::fs::remove_file(certs.join(&name));
            }
        }
        run_and_kill(rehash(&[]), *delay);
        let what = format!("kill {i} at {delay:?}");
        check_rehash_state(&certs, &files, &what);
        ok(rehash(&[]));
        ok(rehash(&["--check"]));
        check_rehash_state(&certs, &files, &what);
        let junk: Vec<String> = names(&certs)
            .into_iter()
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(junk.is_empty(), "{what}: left {junk:?}");
    }
    eprintln!("rehash (copy: {copy}): {} kills", points.len());
}

#[test]
fn kill_9_of_rehash_loses_nothing_and_the_next_run_converges() {
    kill_rehash(false, 0x5eed_0003);
}

#[test]
fn kill_9_of_rehash_copy_loses_nothing_and_leaves_no_junk() {
    kill_rehash(true, 0x5eed_0004);
}
