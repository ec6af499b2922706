//! `cabundle convert`: PEM to DER and back.

use crate::cli::convert::{ConvertArgs, Format};
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use crate::shared::files;
use anyhow::{Context, bail};

/// Runs `cabundle convert`.
pub fn run(args: ConvertArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let bytes = files::read(&args.input)?;
    let input = files::shown(&args.input);
    let certs = cabundle_cert::read_certificates(&bytes)
        .with_context(|| format!("cannot read certificates from {input}"))?;
    if certs.is_empty() {
        bail!("no certificate in {input}");
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
                    "{input} holds {} certificates, and DER holds exactly one\nhint: write PEM (--to pem), or pick one: cabundle chain {} --index N",
                    certs.len(),
                    args.input.display()
                );
            };
            cert.der.clone()
        }
    };
    files::write(&args.output, &data)?;
    out.info(&format!(
        "wrote {} certificate{} as {} to {}",
        certs.len(),
        if certs.len() == 1 { "" } else { "s" },
        match to {
            Format::Pem => "PEM",
            Format::Der => "DER",
        },
        files::shown_output(&args.output)
    ));
    Ok(ExitStatus::Ok)
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}
