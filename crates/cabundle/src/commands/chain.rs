//! `cabundle chain`: order certificates into leaf, intermediates, root and say what is missing;
//! or pick one certificate of the ordered chain (`--root`, `--index N`).

use crate::cli::chain::ChainArgs;
use crate::output::Output;
use crate::shared::chain::read_intermediates;
use crate::shared::clock::at_or_now;
use crate::shared::exit::ExitStatus;
use crate::shared::files::{self, read_certs};
use anyhow::bail;
use cabundle_cert::Certificate;
use std::path::Path;

/// Runs `cabundle chain`.
pub fn run(args: ChainArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let mut certs = Vec::new();
    for path in &args.certs {
        certs.extend(read_certs(path)?);
    }
    let mut pool = match &args.bundle {
        Some(path) => read_certs(path)?,
        None => Vec::new(),
    };
    // Untrusted help: issuers are looked up there after the given files and the bundle.
    let supplied = match &args.intermediates {
        Some(path) => read_intermediates(path)?.certs,
        None => Vec::new(),
    };
    pool.extend(supplied.iter().cloned());
    let given = |c: &Certificate| certs.iter().any(|g| g.sha256 == c.sha256);
    let from_intermediates =
        |c: &Certificate| !given(c) && supplied.iter().any(|s| s.sha256 == c.sha256);
    let Some(ordered) = cabundle_verify::order_chain(&certs, &pool, at_or_now(None)) else {
        bail!("no certificate in the given files");
    };
    let all = ordered.chain.as_slice();
    let root = if ordered.complete { all.last() } else { None };
    let written: &[Certificate] = if let Some(n) = args.index {
        match all.get(n) {
            Some(c) => std::slice::from_ref(c),
            None => bail!(
                "--index {n} is past the end of the chain: it has {} certificate{} (0 to {})",
                all.len(),
                if all.len() == 1 { "" } else { "s" },
                all.len() - 1
            ),
        }
    } else if args.root {
        root.map(std::slice::from_ref).unwrap_or_default()
    } else if args.no_root && root.is_some() && all.len() > 1 {
        &all[..all.len() - 1]
    } else {
        all
    };
    if !written.is_empty() {
        let pem: String = written.iter().map(|c| c.to_pem()).collect();
        files::write(
            args.output.as_deref().unwrap_or(Path::new("-")),
            pem.as_bytes(),
        )?;
    }
    for (i, c) in all.iter().enumerate() {
        let role = if i == 0 {
            "leaf"
        } else if root.is_some() && i == all.len() - 1 {
            if given(c) {
                "root"
            } else if from_intermediates(c) {
                "root, from --intermediates"
            } else {
                "root, from the bundle"
            }
        } else if from_intermediates(c) {
            "intermediate, from --intermediates"
        } else if given(c) {
            "intermediate"
        } else {
            "intermediate, from the bundle"
        };
        out.info(&format!("{i}  {} ({role})", c.subject));
    }
    for c in &ordered.unused {
        out.warn(&format!("not part of the chain: {}", c.subject));
    }
    if let Some(c) = &ordered.missing_issuer_of {
        let nothing = if args.root { "; no root to write" } else { "" };
        out.error(&format!(
            "no issuer for {}: add its certificate{nothing}\nhint: the missing issuer is \"{}\"; give its file, or --bundle with the root",
            c.subject, c.issuer
        ));
        return Ok(ExitStatus::Failure);
    }
    Ok(ExitStatus::Ok)
}
