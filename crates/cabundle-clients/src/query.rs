//! Running one client query: a program, in the caller's environment, bounded by a time-out.

use std::ffi::OsString;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a program printed and how it ended.
#[derive(Debug)]
pub(crate) struct Answer {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its standard output (lossy UTF-8).
    pub stdout: String,
    /// Its standard error (lossy UTF-8).
    pub stderr: String,
}

/// Why a query gave no answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The program is not on the PATH.
    NotFound,
    /// It did not finish within the time-out (it was killed).
    TimedOut(Duration),
    /// It could not be started, or its output could not be read.
    Io(std::io::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotFound => f.write_str("not found"),
            Failure::TimedOut(t) => write!(f, "did not answer within {} s", t.as_secs_f64()),
            Failure::Io(e) => write!(f, "cannot run: {e}"),
        }
    }
}

/// Runs `program args` with exactly the variables `env` (nothing inherited), no input, and
/// kills it at the time-out. The output is read by threads that are left behind when the
/// time-out strikes, so that a grandchild holding the pipes open cannot stall the caller.
pub(crate) fn run(
    program: &str,
    args: &[&str],
    env: &[(OsString, OsString)],
    timeout: Duration,
) -> Result<Answer, Failure> {
    let deadline = Instant::now() + timeout;
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Failure::NotFound,
            _ => Failure::Io(e),
        })?;
    let (tx, rx) = mpsc::channel();
    for (which, pipe) in [
        (
            0,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            1,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            let _ = tx.send((which, bytes));
        });
    }
    drop(tx);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::TimedOut(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Failure::Io(e)),
        }
    };
    let mut outputs = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((which, bytes)) => outputs[which] = bytes,
            Err(mpsc::RecvTimeoutError::Timeout) => return Err(Failure::TimedOut(timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let [stdout, stderr] = outputs;
    Ok(Answer {
        success: status.success(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}
