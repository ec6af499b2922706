//! `cabundle convert`: PEM to DER and back; and the atomic file write other commands share.

use crate::cli::convert::{ConvertArgs, Format};
use crate::output::Output;
use anyhow::{Context, bail};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Runs `cabundle convert`.
pub fn run(args: ConvertArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let bytes = fs_err::read(&args.input)?;
    let certs = cabundle_cert::read_certificates(&bytes)
        .with_context(|| format!("cannot read certificates from {}", args.input.display()))?;
    if certs.is_empty() {
        bail!("no certificates in {}", args.input.display());
    }
    let to = args.to.unwrap_or(if looks_like_pem(&bytes) {
        Format::Der
    } else {
        Format::Pem
    });
    let data = match to {
        Format::Pem => certs
            .iter()
            .map(|c| cabundle_verify::to_pem(&c.der))
            .collect::<String>()
            .into_bytes(),
        Format::Der => {
            let [cert] = certs.as_slice() else {
                bail!(
                    "{} holds {} certificates, and DER holds exactly one\nhint: write PEM (--to pem), or split the file first",
                    args.input.display(),
                    certs.len()
                );
            };
            cert.der.clone()
        }
    };
    write_atomic(&args.output, &data)?;
    out.info(&format!(
        "wrote {} certificate{} as {} to {}",
        certs.len(),
        if certs.len() == 1 { "" } else { "s" },
        match to {
            Format::Pem => "PEM",
            Format::Der => "DER",
        },
        args.output.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Writes `data` to `path` through a temporary file in the same directory and a rename, so
/// readers never see a half-written file.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(data)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", tmp.path().display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
