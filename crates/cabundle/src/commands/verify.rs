//! `cabundle verify`: verify a chain file against a trust store and explain why it fails.

use crate::cli::verify::VerifyArgs;
use crate::output::Output;
use crate::shared::aia;
use crate::shared::chain::{
    check_pins, complete, print_omitted, print_pins, print_report, read_intermediates,
    strict_verdict, verdict,
};
use crate::shared::clock::at_or_now;
use crate::shared::exit::ExitStatus;
use crate::shared::files::read_certs;
use crate::shared::hints::Source;
use crate::shared::revocation;
use crate::shared::store::{load_manifest, load_store};
use crate::shared::terminal::Terminal;
use cabundle_cert::Certificate;
use cabundle_verify::{Options, Report};
use std::io::Write;

/// Runs `cabundle verify`.
pub fn run(args: VerifyArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let at = at_or_now(args.at);
    let revocation_sources = revocation::load(&args.revocation)?;
    let chain = read_certs(&args.chain)?;
    let (store, source) = load_store(&args.store, out)?;
    out.verbose(&format!(
        "trust store: {} ({} certificates)",
        source,
        store.len()
    ));
    let opts = Options {
        at,
        hostname: args.hostname.clone(),
        purpose: args.purpose,
        manifest: load_manifest(&args.store)?,
        partial_chain: args.store.partial_chain,
    };
    let report = cabundle_verify::verify(&chain, &store, &opts)?;
    let chain_file = args.chain.display().to_string();
    let source = Source::File { chain: &chain_file };
    let mut w = Terminal::new(std::io::stdout().lock());
    // The `--intermediates` file is read once, and only when the chain alone does not verify.
    let supplied = match &args.intermediates {
        Some(path) if !report.is_valid() => Some(read_intermediates(path)?),
        _ => None,
    };
    if let Some(supplied) = &supplied
        && let Some(completed) = complete(&chain, supplied, &store, &opts)?
    {
        print_report(&completed, source, &mut w)?;
        print_omitted(&completed, supplied, "the chain", &mut w)?;
        let known: Vec<&Certificate> = chain.iter().chain(&store).chain(&supplied.certs).collect();
        return finish(
            &completed,
            &known,
            &args,
            revocation_sources.as_ref(),
            at,
            &mut w,
        );
    }
    let mut walk = None;
    let mut report = report;
    if args.fetch_missing.fetch_missing && !report.is_valid() {
        let untrusted = supplied.map(|s| s.certs).unwrap_or_default();
        let (fetched_walk, fetched) = aia::complete_by_fetching(
            &chain,
            &untrusted,
            &store,
            &opts,
            &report,
            args.fetch_missing.fetch_timeout,
        )?;
        if let Some(fetched) = fetched {
            report = fetched;
        }
        walk = Some(fetched_walk);
    }
    print_report(&report, source, &mut w)?;
    let mut known: Vec<&Certificate> = chain.iter().chain(&store).collect();
    if let Some(walk) = &walk {
        let used = aia::used(walk, &report);
        if report.is_valid() && !used.is_empty() {
            aia::print_fetched(walk, &used, "the chain", &mut w)?;
        }
        aia::print_notes(walk, &mut w)?;
        known.extend(walk.fetched.iter().map(|f| &f.cert));
    }
    finish(
        &report,
        &known,
        &args,
        revocation_sources.as_ref(),
        at,
        &mut w,
    )
}

/// After the report: `--pin`, `--revocation`, and the exit status they and `--strict` give.
fn finish(
    report: &Report,
    known: &[&Certificate],
    args: &VerifyArgs,
    revocation_sources: Option<&revocation::Sources>,
    at: time::OffsetDateTime,
    w: &mut impl Write,
) -> anyhow::Result<ExitStatus> {
    let pinned = args.checks.pin.is_empty()
        || print_pins(
            &check_pins(report, known.iter().copied(), &args.checks.pin),
            w,
        )?;
    let revoked = match revocation_sources {
        Some(sources) => {
            let checked = revocation::check(report, known, None, sources, at);
            revocation::print(&checked, w)?;
            revocation::any_revoked(&checked)
        }
        None => false,
    };
    Ok(if !pinned || revoked {
        ExitStatus::Failure
    } else if verdict(report) == ExitStatus::Ok {
        strict_verdict(report, args.checks.strict)
    } else {
        verdict(report)
    })
}
