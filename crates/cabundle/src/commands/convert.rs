//! `cabundle convert`: PEM to DER and back.

use crate::cli::convert::{ConvertArgs, Format};
use crate::output::Output;
use anyhow::{Context, bail};
use cabundle_fetch::write_atomic;
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
            .map(|c| c.to_pem())
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
