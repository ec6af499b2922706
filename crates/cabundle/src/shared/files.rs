//! File arguments, the same way in every command: `-` is standard input (for a file read) or
//! standard output (for a file written); a file read for its certificates must hold at least
//! one; a file written is replaced atomically, its missing parent directories created.

use anyhow::{Context as _, bail};
use cabundle_cert::Certificate;
use std::io::{Read as _, Write as _};
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

/// The bytes of a file, or of standard input for `-` (once per run).
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    if !is_stdio(path) {
        return Ok(fs_err::read(path)?);
    }
    if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
        bail!("standard input (-) can be read only once");
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    Ok(bytes)
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
