//! `cabundle chain`: order certificates into leaf, intermediates, root and say what is missing.

use crate::cli::chain::ChainArgs;
use crate::commands::verify::read_certs;
use crate::output::Output;
use anyhow::bail;
use cabundle_fetch::write_atomic;
use std::io::Write;
use std::process::ExitCode;
use time::OffsetDateTime;

/// Runs `cabundle chain`.
pub fn run(args: ChainArgs, out: &Output) -> anyhow::Result<ExitCode> {
    let mut certs = Vec::new();
    for path in &args.certs {
        certs.extend(read_certs(path)?);
    }
    let bundle = match &args.bundle {
        Some(path) => read_certs(path)?,
        None => Vec::new(),
    };
    let Some(ordered) = cabundle_verify::order_chain(&certs, &bundle, OffsetDateTime::now_utc())
    else {
        bail!("no certificates in the given files");
    };
    let mut written = ordered.chain.as_slice();
    if args.no_root && ordered.complete && written.len() > 1 {
        written = &written[..written.len() - 1];
    }
    let pem: String = written.iter().map(|c| c.to_pem()).collect();
    match &args.output {
        Some(path) => write_atomic(path, pem.as_bytes())?,
        None => std::io::stdout().lock().write_all(pem.as_bytes())?,
    }
    for (i, c) in ordered.chain.iter().enumerate() {
        let role = if i == 0 {
            "leaf"
        } else if ordered.complete && i == ordered.chain.len() - 1 {
            if ordered.root_from_bundle {
                "root, from the bundle"
            } else {
                "root"
            }
        } else {
            "intermediate"
        };
        out.info(&format!("{i}  {} ({role})", c.subject));
    }
    for c in &ordered.unused {
        out.warn(&format!("not part of the chain: {}", c.subject));
    }
    if let Some(c) = &ordered.missing_issuer_of {
        out.error(&format!(
            "no issuer for {}: add its certificate\nhint: the missing issuer is \"{}\"; give its file, or --bundle with the root",
            c.subject, c.issuer
        ));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
