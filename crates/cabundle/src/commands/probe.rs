//! `cabundle probe`: connect with TLS, capture the chain the server sends whatever its
//! validity (`shared::tls`), print it, then the verdict `verify` would give.

use crate::cli::probe::ProbeArgs;
use crate::output::Output;
use crate::shared::chain::{complete, print_omitted, print_report, read_intermediates, verdict};
use crate::shared::clock::at_or_now;
use crate::shared::exit::ExitStatus;
use crate::shared::files;
use crate::shared::hints::Source;
use crate::shared::store::{load_manifest, load_store};
use crate::shared::terminal::Terminal;
use crate::shared::tls::{Limits, fetch_chain, split_target};
use anyhow::{Context, bail};
use cabundle_cert::Certificate;
use cabundle_cert::date::format_moment;
use cabundle_verify::{Options, Purpose};
use std::io::Write;
use std::time::Duration;

/// Runs `cabundle probe`.
pub fn run(args: ProbeArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let at = at_or_now(args.at);
    let (host, port) = split_target(&args.target)?;
    let name = args.servername.clone().unwrap_or_else(|| host.clone());
    // A time-out of zero would fail every connection: as before, it means one second.
    let timeout = if args.timeout.is_zero() {
        Duration::from_secs(1)
    } else {
        args.timeout
    };
    let (store, source) = load_store(&args.store, out)?;
    let manifest = load_manifest(&args.store)?;

    let ders = fetch_chain(&host, port, &name, Limits::new(timeout, args.deadline))?;
    let mut chain: Vec<Certificate> = Vec::new();
    for (i, der) in ders.iter().enumerate() {
        let cert = Certificate::from_der(der)
            .with_context(|| format!("certificate {i} sent by the server cannot be read"))?;
        chain.push(cert);
    }
    if chain.is_empty() {
        bail!("{host}:{port} sent no certificate");
    }

    // With `--save-chain -` the chain is the data on standard output; the report moves to
    // standard error.
    let to_stdout = args.save_chain.as_deref().is_some_and(files::is_stdio);
    let mut w: Box<dyn Write> = if to_stdout {
        Box::new(Terminal::new(std::io::stderr().lock()))
    } else {
        Box::new(Terminal::new(std::io::stdout().lock()))
    };
    writeln!(
        w,
        "{host}:{port} sent {} certificate{}:",
        chain.len(),
        if chain.len() == 1 { "" } else { "s" }
    )?;
    for (i, c) in chain.iter().enumerate() {
        writeln!(w, "  {i}  subject: {}", c.subject)?;
        writeln!(w, "     issuer:  {}", c.issuer)?;
        writeln!(
            w,
            "     valid:   {} to {}",
            format_moment(c.not_before),
            format_moment(c.not_after)
        )?;
        writeln!(w, "     sha256:  {}", c.sha256)?;
        writeln!(w, "     sha1:    {}", c.sha1)?;
    }
    let saved = args.save_chain.as_ref().map(|p| p.display().to_string());
    if let Some(path) = &args.save_chain {
        let pem: String = chain.iter().map(|c| c.to_pem()).collect();
        files::write(path, pem.as_bytes())?;
        if !to_stdout {
            out.info(&format!("saved the chain to {}", path.display()));
        }
    }

    out.verbose(&format!(
        "trust store: {source} ({} certificates)",
        store.len()
    ));
    let opts = Options {
        at,
        hostname: Some(name.clone()),
        purpose: Purpose::Tls,
        manifest,
        partial_chain: args.store.partial_chain,
    };
    let report = cabundle_verify::verify(&chain, &store, &opts)?;
    let source = Source::Server {
        target: &args.target,
        // A chain written to standard output is in no file the advice could name.
        saved: saved.as_deref().filter(|_| !to_stdout),
    };
    if let Some(path) = &args.intermediates
        && !report.is_valid()
    {
        let supplied = read_intermediates(path)?;
        if let Some(completed) = complete(&chain, &supplied, &store, &opts)? {
            print_report(&completed, source, &mut w)?;
            print_omitted(&completed, &supplied, "the server", &mut w)?;
            writeln!(
                w,
                "not verified as sent: the server is misconfigured (it omits an intermediate)"
            )?;
            w.flush()?;
            return Ok(ExitStatus::Failure);
        }
    }
    print_report(&report, source, &mut w)?;
    w.flush()?;
    Ok(verdict(&report))
}
