//! Hostile file arguments: devices, FIFOs and huge sparse files are refused (or skipped) at
//! once, with a message naming them, and never read into memory.
//!
//! Each case runs the binary with a deadline of 2 s (a FIFO that is opened blocks forever, a
//! device that is read never ends) and, where GNU `time` is installed, checks the peak
//! memory (maximum resident set size) of the run stays under 200 MB.
//!
//! Unix only: the cases need `/dev/zero`, `/dev/null` and FIFOs.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{cabundle, have};

/// How long a refusal may take.
const DEADLINE: Duration = Duration::from_secs(2);
/// The most memory a run may use, in KiB.
const MAX_RSS_KIB: u64 = 200 * 1000;
/// GNU time, which reports the peak memory of the command it runs.
const GNU_TIME: &str = "/usr/bin/time";
/// The line GNU time is asked to print last on standard error.
const RSS_PREFIX: &str = "peak-rss-kib=";

/// The hostile inputs, in a fresh directory: `/dev/zero`, a FIFO nobody writes to,
/// `/dev/null` and a 200 MB sparse file.
struct Inputs {
    dir: tempfile::TempDir,
    paths: Vec<PathBuf>,
}

fn inputs() -> Inputs {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo.pem");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let sparse = dir.path().join("sparse.pem");
    let file = std::fs::File::create(&sparse).expect("create");
    file.set_len(200 * 1000 * 1000).expect("set_len");
    let paths = vec![
        PathBuf::from("/dev/zero"),
        fifo,
        PathBuf::from("/dev/null"),
        sparse,
    ];
    Inputs { dir, paths }
}

/// Runs `cmd` with the deadline and, when GNU time is there, under it; returns the output
/// (GNU time's line taken out of stderr) and the peak memory in KiB when measured.
fn run(cmd: Command, stdin: Stdio) -> (Output, Option<u64>) {
    let timed = Path::new(GNU_TIME).exists();
    let mut cmd = if timed {
        let mut outer = Command::new(GNU_TIME);
        outer
            .arg("-f")
            .arg(format!("{RSS_PREFIX}%M"))
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (key, value) in cmd.get_envs() {
            match value {
                Some(value) => outer.env(key, value),
                None => outer.env_remove(key),
            };
        }
        outer
    } else {
        cmd
    };
    let mut child = cmd
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{cmd:?} still running after {DEADLINE:?}: {}",
                support::output_text(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut out = child.wait_with_output().expect("output");
    let mut rss = None;
    if timed {
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut kept = Vec::new();
        for line in text.lines() {
            match line.strip_prefix(RSS_PREFIX) {
                Some(kib) => rss = kib.trim().parse().ok(),
                None => kept.push(line),
            }
        }
        out.stderr = kept.join("\n").into_bytes();
    }
    (out, rss)
}

/// Runs `cmd` and checks it stops in time, within the memory limit, printing `expected`.
fn check(cmd: Command, stdin: Stdio, expected: &str, refused: bool) {
    let shown = format!("{cmd:?}");
    let (out, rss) = run(cmd, stdin);
    let text = support::output_text(&out);
    assert!(text.contains(expected), "{shown}: {text}");
    if refused {
        assert!(!out.status.success(), "{shown}: {text}");
    }
    if let Some(rss) = rss {
        assert!(rss < MAX_RSS_KIB, "{shown}: peak memory {rss} KiB");
    }
}

/// Why `path` is refused, as the message says it.
fn reason(path: &Path) -> &'static str {
    match path.file_name().and_then(|n| n.to_str()) {
        Some("fifo.pem") => "is not a regular file (a FIFO)",
        Some("sparse.pem") => "is 190 MiB, more than the 64 MiB cap",
        _ => "is not a regular file (a character device)",
    }
}

#[test]
fn file_arguments_are_refused_at_once() {
    let inputs = inputs();
    let out_dir = inputs.dir.path().join("out");
    for path in &inputs.paths {
        let p = path.to_str().expect("UTF-8 path");
        let expected = format!("{p} {}", reason(path));
        let inspect = format!("{p}: {}", reason(path).trim_start_matches("is "));
        let capath_out = out_dir.to_str().expect("UTF-8 path");
        let cases: [(&[&str], &str); 5] = [
            (&["inspect", p], &inspect),
            (&["verify", p], &expected),
            (&["env", p], &expected),
            (&["build", "--add", p, "--pem", "-"], &expected),
            (&["capath", "--from", p, capath_out], &expected),
        ];
        for (args, expected) in cases {
            check(cabundle(args), Stdio::null(), expected, true);
        }
    }
}

/// Standard input is capped too: at most cap + 1 bytes are read.
#[test]
fn standard_input_is_capped() {
    let zero = std::fs::File::open("/dev/zero").expect("open /dev/zero");
    check(
        cabundle(&["inspect", "-"]),
        Stdio::from(zero),
        "standard input is more than the 64 MiB cap",
        true,
    );
}

/// `doctor` reads the store `SSL_CERT_FILE` names: a hostile one is skipped, not waited on.
/// Only `openssl` is on the `PATH`, so the run checks this and nothing else.
#[test]
fn doctor_skips_a_hostile_ssl_cert_file() {
    if !have("openssl") {
        return;
    }
    let inputs = inputs();
    let bin = inputs.dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let openssl = Command::new("sh")
        .args(["-c", "command -v openssl"])
        .output()
        .expect("sh");
    let openssl = String::from_utf8_lossy(&openssl.stdout).trim().to_owned();
    std::os::unix::fs::symlink(openssl, bin.join("openssl")).expect("symlink");
    for path in &inputs.paths {
        let mut cmd = cabundle(&["doctor"]);
        cmd.env("SSL_CERT_FILE", path).env("PATH", &bin);
        // The store line names the file, and a line under it says why it was not read.
        let expected = format!("skipped: {}: ", path.display());
        check(cmd, Stdio::null(), &expected, false);
    }
}

/// `rehash` skips links to a device and to a FIFO with a warning, finishes, and frees its
/// lock: a second run starts at once.
#[test]
fn rehash_skips_links_to_devices_and_fifos() {
    let inputs = inputs();
    let dir = inputs.dir.path().join("certs");
    std::fs::create_dir(&dir).expect("mkdir");
    std::os::unix::fs::symlink("/dev/zero", dir.join("x.pem")).expect("symlink");
    std::os::unix::fs::symlink(&inputs.paths[1], dir.join("y.pem")).expect("symlink");
    std::os::unix::fs::symlink(&inputs.paths[3], dir.join("z.pem")).expect("symlink");
    let d = dir.to_str().expect("UTF-8 path");
    let (out, rss) = run(cabundle(&["rehash", d]), Stdio::null());
    let text = support::output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for expected in [
        "x.pem: not a regular file (a character device)",
        "y.pem: not a regular file (a FIFO)",
        "z.pem: 190 MiB, more than the 64 MiB cap",
    ] {
        assert!(
            text.contains(&format!("warning: skipping {d}/{expected}")),
            "{text}"
        );
    }
    assert!(
        rss.is_none_or(|rss| rss < MAX_RSS_KIB),
        "peak memory {rss:?} KiB"
    );
    // The lock is free: with no wait allowed, a second run still gets it.
    let (out, _) = run(
        cabundle(&["rehash", "--lock-timeout", "0", d]),
        Stdio::null(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", support::output_text(&out));
}
