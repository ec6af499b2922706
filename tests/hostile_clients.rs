//! Clients that fight back: fake `openssl`, `python3` and `curl` scripts put first on PATH,
//! one printing 100 MB, one printing forever, one hanging with a child of its own. `doctor`
//! ends within its time-outs (each query killed at `--client-timeout`, asked again with twice
//! the time), keeps its memory small (at most 1 MiB of each stream is kept), prints at most a
//! line of each answer, and leaves no process behind (each query runs in its own process
//! group, killed whole).
#![cfg(target_os = "linux")] // peak memory and process states are read from /proc
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::cabundle;

/// The full path of `program` on the test's PATH: the fake clients call their helpers by
/// path, so that doctor's PATH holds nothing but the fakes.
fn which(program: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} not on PATH"))
}

/// Writes an executable shell script `name` in `bin`.
fn script(bin: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = bin.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A field of `/proc/PID/status`, or `None` once the process is gone.
fn status_field(pid: u32, field: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .map(|v| v.trim().to_owned())
}

/// Whether process `pid` still runs (a zombie waiting for its reaper does not).
fn running(pid: u32) -> bool {
    status_field(pid, "State:").is_some_and(|s| !s.starts_with('Z'))
}

#[test]
fn hostile_clients_are_bounded_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let pids = dir.path().join("pids");
    std::fs::create_dir(&pids).unwrap();
    let [yes, head, sleep] = ["yes", "head", "sleep"].map(|p| which(p).display().to_string());
    let pids_dir = pids.display();
    // 100 MB on standard output, then a normal exit.
    script(
        &bin,
        "openssl",
        &format!("{yes} OpenSSL-flood | {head} -c 100000000"),
    );
    // Output forever, on both streams, from a grandchild it records.
    script(
        &bin,
        "python3",
        &format!(
            "{yes} python-forever >&2 &\necho $! >> {pids_dir}/python3\nexec {yes} python-forever"
        ),
    );
    // Hangs, with a child that would outlive it.
    script(
        &bin,
        "curl",
        &format!("{sleep} 1000 &\necho $! >> {pids_dir}/curl\nwait"),
    );

    let mut child = cabundle(&["doctor", "--client-timeout", "1s"])
        .env_clear()
        .env("PATH", &bin)
        .env("HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let pid = child.id();
    let mut peak_kib: u64 = 0;
    // Sample the peak while it runs (the pipes are small enough not to fill: doctor prints
    // a few lines).
    while child.try_wait().unwrap().is_none() {
        if let Some(hwm) = status_field(pid, "VmHWM:") {
            let kib = hwm.trim_end_matches("kB").trim().parse::<u64>().unwrap();
            peak_kib = peak_kib.max(kib);
        }
        assert!(started.elapsed() < Duration::from_secs(60), "doctor hangs");
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said = format!("{stdout}{stderr}");

    // Each query: at most 1 s, then 2 s; a client asks a few questions in turn, and the
    // clients are asked at the same time.
    assert!(took < Duration::from_secs(20), "took {took:?}\n{said}");
    assert!(peak_kib > 0 && peak_kib < 200 * 1024, "peak {peak_kib} KiB");
    // At most a line of each answer: doctor's report stays small, no line is long.
    assert!(
        said.len() < 16 * 1024,
        "{} bytes:\n{}",
        said.len(),
        &said[..2000]
    );
    for line in said.lines() {
        assert!(line.len() < 400, "a long line: {}", &line[..400]);
    }
    assert!(
        said.contains("did not answer within 1 s, nor within 2 s"),
        "{said}"
    );
    // Nothing the fakes started still runs.
    let mut recorded = 0;
    for entry in std::fs::read_dir(&pids).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for pid in text.lines().map(|l| l.trim().parse::<u32>().unwrap()) {
            recorded += 1;
            assert!(!running(pid), "process {pid} is left behind\n{said}");
        }
    }
    assert!(recorded >= 2, "the fakes ran: {recorded} recorded\n{said}");
}
