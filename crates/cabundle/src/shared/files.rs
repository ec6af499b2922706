//! File arguments, the same way in every command: `-` is standard input (for a file read) or
//! standard output (for a file written); a file read for its certificates must hold at least
//! one; a file written is replaced atomically, its missing parent directories created.
//!
//! A file read must be a regular file (or standard input) of at most 64 MiB
//! ([`cabundle_cert::READ_CAP`], the download cap): a FIFO, a device or a larger file is
//! refused before it is read, with a message naming it. No flag raises the cap: trust stores,
//! reports and manifests are far smaller, and a larger input is a mistake or an attack.

use anyhow::{Context as _, bail};
use cabundle_cert::Certificate;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether standard input was read already: it can be read only once.
static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// Whether `path` is `-`, standard input or output.
pub(crate) fn is_stdio(path: &Path) -> bool {
    path == Path::new("-")
}

/// How to name `path` in messages: `standard input` for `-`.
pub(crate) fn shown(path: &Path) -> String {
    if is_stdio(path) {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// The bytes of a file, or of standard input for `-` (once per run), within the cap (see the
/// module documentation).
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    if !is_stdio(path) {
        return Ok(cabundle_cert::read_bounded(path, cabundle_cert::READ_CAP)?);
    }
    if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
        bail!("standard input (-) can be read only once");
    }
    let stdin = std::io::stdin().lock();
    let what = Path::new("standard input");
    Ok(cabundle_cert::read_capped_from(
        stdin,
        what,
        cabundle_cert::READ_CAP,
    )?)
}

/// Every certificate in a PEM or DER file (`-`: standard input); a file that holds none
/// is an error naming it.
pub(crate) fn read_certs(path: &Path) -> anyhow::Result<Vec<Certificate>> {
    let bytes = read(path)?;
    let certs = cabundle_cert::read_certificates(&bytes)
        .with_context(|| format!("cannot read certificates from {}", shown(path)))?;
    if certs.is_empty() {
        bail!("no certificate in {}", shown(path));
    }
    Ok(certs)
}

/// Writes `bytes` to `path` (`-`: standard output), creating its missing parent directories;
/// a file is replaced atomically, so a failure leaves the old one.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if is_stdio(path) {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(bytes)?;
        stdout.flush()?;
        return Ok(());
    }
    cabundle_write::write_atomic(path, bytes)?;
    Ok(())
}

/// How to name an output in messages: `standard output` for `-`.
pub(crate) fn shown_output(path: &Path) -> String {
    if is_stdio(path) {
        "standard output".to_owned()
    } else {
        path.display().to_string()
    }
}
