//! Running one client query: a program, in the caller's environment, bounded by a time-out.
//!
//! A client is a program we do not control (it may be a shim, a wrapper script or something
//! hostile placed first on the PATH), so a query is bounded on every side:
//! 1. time: the program runs in a process group of its own, and at the time-out the whole
//!    group is killed, so no grandchild it started outlives the query; a program that times
//!    out is asked once more with twice the time (a slow machine), then given up;
//! 2. memory: at most [`MAX_OUTPUT`] bytes of each stream are kept, the rest is read and
//!    dropped (a client's answer is a few lines);
//! 3. leftovers: when the program exits, whatever else is still running in its group is killed
//!    too (before the program is reaped, so its group id cannot have been reused).

use std::ffi::OsString;
use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most bytes of each output stream kept; the rest is read and dropped.
pub(crate) const MAX_OUTPUT: usize = 1024 * 1024;

/// What a program printed and how it ended.
#[derive(Debug)]
pub(crate) struct Answer {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its standard output (lossy UTF-8), at most [`MAX_OUTPUT`] bytes of it.
    pub stdout: String,
    /// Its standard error (lossy UTF-8), at most [`MAX_OUTPUT`] bytes of it.
    pub stderr: String,
}

/// Why a query gave no answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The program is not on the PATH.
    NotFound,
    /// It did not finish within the time-out, nor within twice the time-out when asked again
    /// (it was killed both times, with everything it started).
    TimedOut(Duration),
    /// It could not be started, or its output could not be read.
    Io(std::io::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotFound => f.write_str("not found"),
            Failure::TimedOut(t) => write!(
                f,
                "did not answer within {} s, nor within {} s when asked again",
                t.as_secs_f64(),
                (*t * 2).as_secs_f64()
            ),
            Failure::Io(e) => write!(f, "cannot run: {e}"),
        }
    }
}

/// Runs `program args` with exactly the variables `env` (nothing inherited) and no input,
/// bounded as the module documentation says: killed with its process group at the time-out,
/// then asked once more with twice the time.
pub(crate) fn run(
    program: &str,
    args: &[&str],
    env: &[(OsString, OsString)],
    timeout: Duration,
) -> Result<Answer, Failure> {
    match run_once(program, args, env, timeout) {
        Err(Failure::TimedOut(_)) => match run_once(program, args, env, timeout * 2) {
            Err(Failure::TimedOut(_)) => Err(Failure::TimedOut(timeout)),
            other => other,
        },
        other => other,
    }
}

/// One try of [`run`]. The output is read by threads that are left behind if the pipes stay
/// open past the time-out (a grandchild that left the process group), so that such a
/// grandchild cannot stall the caller.
fn run_once(
    program: &str,
    args: &[&str],
    env: &[(OsString, OsString)],
    timeout: Duration,
) -> Result<Answer, Failure> {
    let deadline = Instant::now() + timeout;
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::NotFound,
        _ => Failure::Io(e),
    })?;
    let (tx, rx) = mpsc::channel();
    let pipes = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    for (which, pipe) in pipes.into_iter().enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let bytes = pipe.map_or_else(Vec::new, |p| read_capped(p, MAX_OUTPUT));
            let _ = tx.send((which, bytes));
        });
    }
    drop(tx);
    let status = loop {
        match has_exited(&mut child) {
            Ok(true) => {
                kill_group(&mut child);
                break child.wait().map_err(Failure::Io)?;
            }
            Ok(false) if Instant::now() >= deadline => {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(Failure::TimedOut(timeout));
            }
            Ok(false) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(Failure::Io(e));
            }
        }
    };
    answer(status, &rx, deadline, timeout)
}

/// The answer once the program has ended: its output, if the pipes close before the deadline.
fn answer(
    status: ExitStatus,
    rx: &mpsc::Receiver<(usize, Vec<u8>)>,
    deadline: Instant,
    timeout: Duration,
) -> Result<Answer, Failure> {
    let mut outputs = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        // The group is dead: the pipes close at once unless something left the group, so a
        // program that ends at its deadline still gets a moment for its output.
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(200));
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

/// Everything `pipe` gives until its end, keeping the first `cap` bytes and dropping the rest
/// (reading on, so that the writer is not blocked on a full pipe).
fn read_capped(mut pipe: impl Read, cap: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    kept
}

/// Whether the child has exited, without reaping it: while it is a zombie its process id,
/// and so its group id, cannot be taken by another process.
#[cfg(unix)]
fn has_exited(child: &mut Child) -> std::io::Result<bool> {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let pid = Pid::from_child(child);
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    Ok(waitid(WaitId::Pid(pid), options)?.is_some())
}

#[cfg(not(unix))]
fn has_exited(child: &mut Child) -> std::io::Result<bool> {
    // Without process groups there is nothing to kill after the exit: reaping is fine.
    Ok(child.try_wait()?.is_some())
}

/// Kills the child's process group (the child and everything it started that stayed in the
/// group); the child itself is not reaped.
#[cfg(unix)]
fn kill_group(child: &mut Child) {
    use rustix::process::{Pid, Signal, kill_process_group};
    // An error means the group is empty already.
    let _ = kill_process_group(Pid::from_child(child), Signal::KILL);
}

#[cfg(not(unix))]
fn kill_group(child: &mut Child) {
    let _ = child.kill();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_capped_and_drained() {
        fn check(len: usize, cap: usize, kept: usize) {
            let input = vec![b'x'; len];
            assert_eq!(
                read_capped(&input[..], cap).len(),
                kept,
                "{len} bytes, cap {cap}"
            );
        }
        check(0, 10, 0);
        check(5, 10, 5);
        check(10, 10, 10);
        check(100_000, 10, 10);
        check(100_000, 0, 0);
    }
}
