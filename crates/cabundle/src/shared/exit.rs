//! The exit status of a command: the one place the documented exit codes are defined.
//!
//! Commands return an [`ExitStatus`]; `main` turns it (or an error) into the process's
//! `ExitCode`, so no command builds an exit code by hand.

use std::process::ExitCode;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// 0: done, and as expected.
    Ok,
    /// 1: done, but not as expected (a `--check` found differences, a chain does not verify,
    /// certificates expire within the window).
    Failure,
    /// 2: an error (bad input, IO, network), also when a command reported its errors itself
    /// and went on.
    Error,
}

impl ExitStatus {
    /// `Ok` when `ok`, else `Failure`.
    pub(crate) fn ok_if(ok: bool) -> Self {
        if ok {
            ExitStatus::Ok
        } else {
            ExitStatus::Failure
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Ok => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus;
    use std::process::ExitCode;

    #[test]
    fn codes() {
        for (status, code) in [
            (ExitStatus::Ok, 0),
            (ExitStatus::Failure, 1),
            (ExitStatus::Error, 2),
        ] {
            assert_eq!(ExitCode::from(status), ExitCode::from(code));
        }
        assert_eq!(ExitStatus::ok_if(true), ExitStatus::Ok);
        assert_eq!(ExitStatus::ok_if(false), ExitStatus::Failure);
    }
}
