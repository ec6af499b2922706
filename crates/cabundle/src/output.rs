//! Where messages go: data on stdout, diagnostics on stderr, filtered by `-q` and `-v`. Every
//! message is escaped for the terminal (`shared::terminal::lines`): its line feeds are kept,
//! control characters and direction-changing characters from the data are not.

use crate::shared::terminal::lines;
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
        let _ = writeln!(std::io::stderr().lock(), "error: {}", lines(msg));
    }

    /// A warning on stderr, hidden by `-q`.
    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "warning: {}", lines(msg));
        }
    }

    /// A progress or summary line on stderr, hidden by `-q`.
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{}", lines(msg));
        }
    }

    /// A detail on stderr shown only with `-v`.
    pub fn verbose(&self, msg: &str) {
        if self.verbosity() > 0 {
            let _ = writeln!(std::io::stderr().lock(), "{}", lines(msg));
        }
    }
}
