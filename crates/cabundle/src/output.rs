//! Where messages go: data on stdout, diagnostics on stderr, filtered by `-q` and `-v`.

use std::io::Write;

/// Verbosity settings shared by every command.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    quiet: bool,
    verbose: u8,
}

impl Output {
    /// From the global `-q` and `-v` flags.
    pub fn new(quiet: bool, verbose: u8) -> Self {
        Output { quiet, verbose }
    }

    /// How many `-v` were given (0 when `-q`).
    pub fn verbosity(&self) -> u8 {
        if self.quiet { 0 } else { self.verbose }
    }

    /// Whether `-q` was given.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// An error, always shown: `error: ...` on stderr.
    pub fn error(&self, msg: &str) {
        let _ = writeln!(std::io::stderr().lock(), "error: {msg}");
    }

    /// A warning on stderr, hidden by `-q`.
    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "warning: {msg}");
        }
    }

    /// A progress or summary line on stderr, hidden by `-q`.
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{msg}");
        }
    }

    /// A detail on stderr shown only with `-v`.
    pub fn verbose(&self, msg: &str) {
        if self.verbosity() > 0 {
            let _ = writeln!(std::io::stderr().lock(), "{msg}");
        }
    }
}
