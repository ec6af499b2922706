//! `cabundle chain`: order certificates into leaf, intermediates, root and say what is missing;
//! or pick one certificate of the ordered chain (`--root`, `--index N`).

use crate::cli::chain::ChainArgs;
use crate::output::Output;
use crate::shared::aia;
use crate::shared::chain::read_intermediates;
use crate::shared::clock::at_or_now;
use crate::shared::exit::ExitStatus;
use crate::shared::files::{self, read_certs};
use crate::shared::terminal::one_line;
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
    let Some(mut ordered) = cabundle_verify::order_chain(&certs, &pool, at_or_now(None)) else {
        bail!("no certificate in the given files");
    };
    // With --fetch-missing, the issuer still missing is fetched from its caIssuers URL.
    let mut walk = aia::Walk::default();
    if args.fetch_missing.fetch_missing
        && let Some(top) = ordered.missing_issuer_of.clone()
    {
        let known: Vec<&Certificate> = certs.iter().chain(&pool).collect();
        walk = aia::fetch_issuers(&top, &known, args.fetch_missing.fetch_timeout);
        if !walk.fetched.is_empty() {
            pool.extend(walk.fetched.iter().map(|f| f.cert.clone()));
            if let Some(again) = cabundle_verify::order_chain(&certs, &pool, at_or_now(None)) {
                ordered = again;
            }
        }
    }
    let given = |c: &Certificate| certs.iter().any(|g| g.sha256 == c.sha256);
    let from_intermediates =
        |c: &Certificate| !given(c) && supplied.iter().any(|s| s.sha256 == c.sha256);
    let fetched_from = |c: &Certificate| {
        walk.fetched
            .iter()
            .find(|f| f.cert.sha256 == c.sha256 && !given(c))
            .map(|f| one_line(&f.url).into_owned())
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
        let role: String = if i == 0 {
            "leaf".to_owned()
        } else if root.is_some() && i == all.len() - 1 {
            if let Some(url) = fetched_from(c) {
                format!("root, fetched from {url}")
            } else if given(c) {
                "root".to_owned()
            } else if from_intermediates(c) {
                "root, from --intermediates".to_owned()
            } else {
                "root, from the bundle".to_owned()
            }
        } else if let Some(url) = fetched_from(c) {
            format!("intermediate, fetched from {url}")
        } else if from_intermediates(c) {
            "intermediate, from --intermediates".to_owned()
        } else if given(c) {
            "intermediate".to_owned()
        } else {
            "intermediate, from the bundle".to_owned()
        };
        out.info(&format!("{i}  {} ({role})", c.subject));
    }
    for note in &walk.notes {
        out.warn(&format!("fetch-missing: {}", one_line(note)));
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
