//! Running the stores' own tools (`update-ca-certificates`, `certutil`, `keytool`, `git
//! config`, ...), each bounded by a time-out, with what it printed kept for the message.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a store's tool may run (Debian's tool runs its hooks, Java among them).
pub(crate) const TIMEOUT: Duration = Duration::from_secs(180);

/// How a tool run ended.
#[derive(Debug)]
pub(crate) enum Ran {
    /// It exited (a signal counts as code -1).
    Exited {
        /// The exit code.
        code: i32,
        /// What it printed on standard output.
        stdout: String,
        /// What it printed on standard error.
        stderr: String,
    },
    /// It could not be started.
    NotFound,
    /// It ran past the time-out and was killed.
    TimedOut,
}

impl Ran {
    /// Whether it exited with 0.
    pub(crate) fn ok(&self) -> bool {
        matches!(self, Ran::Exited { code: 0, .. })
    }
}

/// How long a question to a tool may take (its version, a setting): a tool that hangs does
/// not hold the run.
pub(crate) const QUESTION: Duration = Duration::from_secs(10);

/// Runs `program` with `args` (and `input` on standard input), bounded by the time-out.
pub(crate) fn run(program: &str, args: &[&str], input: &[u8]) -> Ran {
    run_within(program, args, input, TIMEOUT)
}

/// Runs `program` with `args` (and `input` on standard input), killed after `timeout`.
pub(crate) fn run_within(program: &str, args: &[&str], input: &[u8], timeout: Duration) -> Ran {
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return Ran::NotFound,
    };
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write as _;
        let _ = stdin.write_all(input);
    }
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = stdout.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let end = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < end => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    match status {
        Some(status) => Ran::Exited {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        },
        None => Ran::TimedOut,
    }
}

/// Runs a tool that must succeed; the error names the command and what it said.
pub(crate) fn run_ok(program: &str, args: &[&str], input: &[u8]) -> anyhow::Result<String> {
    let shown = std::iter::once(program)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    outcome(run(program, args, input), &shown, program)
}

/// A run that must have succeeded, `shown` naming it in the error.
pub(crate) fn check(ran: Ran, shown: &str) -> anyhow::Result<()> {
    let program = shown.split(' ').next().unwrap_or(shown);
    outcome(ran, shown, program).map(|_| ())
}

fn outcome(ran: Ran, shown: &str, program: &str) -> anyhow::Result<String> {
    match ran {
        Ran::Exited {
            code: 0, stdout, ..
        } => Ok(stdout),
        Ran::Exited {
            code,
            stderr,
            stdout,
        } => {
            let said = if stderr.trim().is_empty() {
                stdout
            } else {
                stderr
            };
            anyhow::bail!("`{shown}` failed (exit code {code}): {}", said.trim())
        }
        Ran::NotFound => {
            anyhow::bail!("`{shown}` could not be started: {program} is not installed")
        }
        Ran::TimedOut => anyhow::bail!("`{shown}` ran longer than its time-out and was stopped"),
    }
}
