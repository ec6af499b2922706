//! `cabundle probe`: connect with TLS, capture the chain each server sends whatever its
//! validity (`shared::tls`), print it, then the verdict `verify` would give; with `--pin`,
//! whether the path carries a pinned key, with `--warn-days`, what expires soon, and with
//! `--json`, all of it per server for monitoring.

use crate::cli::probe::ProbeArgs;
use crate::output::Output;
use crate::shared::aia;
use crate::shared::chain::{
    PinCheck, Supplied, check_pins, complete, print_omitted, print_pins, print_report,
    read_intermediates, strict_verdict,
};
use crate::shared::clock::at_or_now;
use crate::shared::exit::ExitStatus;
use crate::shared::files;
use crate::shared::hints::Source;
use crate::shared::revocation;
use crate::shared::store::{load_manifest, load_store};
use crate::shared::terminal::Terminal;
use crate::shared::tls::{Limits, capture, read_chain, split_target};
use anyhow::bail;
use cabundle_cert::date::format_moment;
use cabundle_cert::{Certificate, Sha256Fingerprint, SpkiPin};
use cabundle_verify::{Manifest, Options, Purpose, Report};
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;
use time::OffsetDateTime;

/// What is shared by every server of one run.
struct Run<'a> {
    args: &'a ProbeArgs,
    store: &'a [Certificate],
    supplied: Option<&'a Supplied>,
    manifest: Option<Manifest>,
    /// What `--revocation` checks against; `None` without it.
    revocation: Option<revocation::Sources>,
    out: &'a Output,
    at: OffsetDateTime,
    timeout: Duration,
}

/// One server's chain and verdict.
struct Probed<'t> {
    /// The server as given on the command line.
    given: &'t str,
    /// The server as `HOST:PORT`.
    target: String,
    chain: Vec<Certificate>,
    report: Report,
    /// The intermediates the server omits, when `--intermediates` or `--fetch-missing`
    /// completes its chain.
    completed: Option<Report>,
    /// What `--fetch-missing` fetched, and why it stopped.
    walk: Option<aia::Walk>,
    /// What `--revocation` found about each certificate of the path.
    revocation: Option<Vec<revocation::Checked>>,
}

impl Probed<'_> {
    /// The report the verdict is about: the completed one when there is one.
    fn report(&self) -> &Report {
        self.completed.as_ref().unwrap_or(&self.report)
    }
}

/// Runs `cabundle probe`.
pub fn run(args: ProbeArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    if args.targets.len() > 1 {
        for (given, flag) in [
            (args.servername.is_some(), "--servername"),
            (args.save_chain.is_some(), "--save-chain"),
        ] {
            if given {
                bail!(
                    "{flag} applies to one server, and {} were given",
                    args.targets.len()
                );
            }
        }
    }
    let at = at_or_now(args.at);
    let revocation_sources = revocation::load(&args.revocation)?;
    // A time-out of zero would fail every connection: as before, it means one second.
    let timeout = if args.timeout.is_zero() {
        Duration::from_secs(1)
    } else {
        args.timeout
    };
    let (store, source) = load_store(&args.store, out)?;
    out.verbose(&format!(
        "trust store: {source} ({} certificates)",
        store.len()
    ));
    let supplied = args
        .intermediates
        .as_deref()
        .map(read_intermediates)
        .transpose()?;
    let cx = Run {
        args: &args,
        store: &store,
        supplied: supplied.as_ref(),
        manifest: load_manifest(&args.store)?,
        revocation: revocation_sources,
        at,
        timeout,
        out,
    };
    if args.targets.len() == 1 && !args.json {
        // One server: an error is the command's error, as it always was.
        let probed = probe(&cx, &args.targets[0])?;
        return text(&cx, &probed);
    }
    let mut status = ExitStatus::Ok;
    let mut results = Vec::new();
    for (i, target) in args.targets.iter().enumerate() {
        let result = probe(&cx, target);
        let one = match &result {
            Ok(probed) if args.json => judge(&cx, probed),
            Ok(probed) => {
                if i > 0 {
                    println!();
                }
                text(&cx, probed)?
            }
            Err(e) => {
                out.error(&format!("{target}: {e:#}"));
                ExitStatus::Error
            }
        };
        status = worse(status, one);
        results.push((result, one));
    }
    if args.json {
        let entries: Vec<JsonEntry<'_>> = args
            .targets
            .iter()
            .zip(&results)
            .map(|(target, (result, one))| json_entry(&cx, target, result, *one))
            .collect();
        let mut w = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut w, &entries)?;
        writeln!(w)?;
    }
    Ok(status)
}

/// The worse of two outcomes: an error over a failure over success.
fn worse(a: ExitStatus, b: ExitStatus) -> ExitStatus {
    let rank = |s| match s {
        ExitStatus::Ok => 0,
        ExitStatus::Failure => 1,
        ExitStatus::Error => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Connects to `target`, reads the chain it sends and verifies it.
fn probe<'t>(cx: &Run<'_>, target: &'t str) -> anyhow::Result<Probed<'t>> {
    let (host, port) = split_target(target)?;
    let name = cx.args.servername.clone().unwrap_or_else(|| host.clone());
    let captured = capture(
        &host,
        port,
        &name,
        Limits::new(cx.timeout, cx.args.deadline),
    )?;
    let chain = read_chain(&captured.chain, &format!("{host}:{port}"))?;
    let opts = Options {
        at: cx.at,
        hostname: Some(name),
        purpose: Purpose::Tls,
        manifest: cx.manifest.clone(),
        partial_chain: cx.args.store.partial_chain,
    };
    let report = cabundle_verify::verify(&chain, cx.store, &opts)?;
    let mut completed = match cx.supplied {
        Some(supplied) if !report.is_valid() => complete(&chain, supplied, cx.store, &opts)?,
        _ => None,
    };
    let mut walk = None;
    if cx.args.fetch_missing.fetch_missing && completed.is_none() && !report.is_valid() {
        let untrusted = cx.supplied.map(|s| s.certs.as_slice()).unwrap_or_default();
        let (fetched_walk, fetched) = aia::complete_by_fetching(
            &chain,
            untrusted,
            cx.store,
            &opts,
            &report,
            cx.args.fetch_missing.fetch_timeout,
        )?;
        completed = fetched.filter(Report::is_valid);
        walk = Some(fetched_walk);
    }
    let mut probed = Probed {
        given: target,
        target: format!("{host}:{port}"),
        chain,
        report,
        completed,
        walk,
        revocation: None,
    };
    if let Some(sources) = &cx.revocation {
        let known: Vec<&Certificate> = known(cx, &probed).collect();
        let checked = revocation::check(
            probed.report(),
            &known,
            captured.stapled.as_deref(),
            sources,
            cx.at,
        );
        probed.revocation = Some(checked);
    }
    Ok(probed)
}

/// The certificates `--pin` may find on the path, and `--warn-days` looks at.
fn known<'a>(cx: &'a Run<'_>, probed: &'a Probed<'_>) -> impl Iterator<Item = &'a Certificate> {
    probed
        .chain
        .iter()
        .chain(cx.store)
        .chain(cx.supplied.into_iter().flat_map(|s| &s.certs))
        .chain(
            probed
                .walk
                .iter()
                .flat_map(|w| w.fetched.iter().map(|f| &f.cert)),
        )
}

/// The certificates the server sent, then those of the path it did not send (a root of the
/// store, a supplied intermediate), each once.
fn chain_and_path<'a>(cx: &'a Run<'_>, probed: &'a Probed<'_>) -> Vec<&'a Certificate> {
    let mut seen: HashSet<Sha256Fingerprint> = probed.chain.iter().map(|c| c.sha256).collect();
    let mut out: Vec<&Certificate> = probed.chain.iter().collect();
    let known: Vec<&Certificate> = known(cx, probed).collect();
    for link in &probed.report().path {
        if seen.insert(link.sha256)
            && let Some(c) = known.iter().find(|c| c.sha256 == link.sha256)
        {
            out.push(c);
        }
    }
    out
}

/// Whole days from `at` to `not_after` (negative once expired).
fn days_left(c: &Certificate, at: OffsetDateTime) -> i64 {
    (c.not_after - at).whole_days()
}

/// The certificates that expire within `--warn-days`.
fn expiring<'a>(cx: &'a Run<'_>, probed: &'a Probed<'_>) -> Vec<&'a Certificate> {
    let Some(days) = cx.args.warn_days else {
        return Vec::new();
    };
    chain_and_path(cx, probed)
        .into_iter()
        .filter(|c| days_left(c, cx.at) < i64::from(days))
        .collect()
}

/// The verdict without printing: verified as sent, pinned and nothing expiring.
fn judge(cx: &Run<'_>, probed: &Probed<'_>) -> ExitStatus {
    let pinned = cx.args.checks.pin.is_empty()
        || matches!(
            check_pins(probed.report(), known(cx, probed), &cx.args.checks.pin),
            PinCheck::Pinned(_)
        );
    ExitStatus::ok_if(
        probed.report.is_valid()
            && probed.completed.is_none()
            && pinned
            && expiring(cx, probed).is_empty()
            && strict_verdict(&probed.report, cx.args.checks.strict) == ExitStatus::Ok
            && !probed
                .revocation
                .as_deref()
                .is_some_and(revocation::any_revoked),
    )
}

/// Prints one server's chain and verdict as text; returns its exit status.
fn text(cx: &Run<'_>, probed: &Probed<'_>) -> anyhow::Result<ExitStatus> {
    let args = cx.args;
    // With `--save-chain -` the chain is the data on standard output; the report moves to
    // standard error.
    let to_stdout = args.save_chain.as_deref().is_some_and(files::is_stdio);
    let mut w: Box<dyn Write> = if to_stdout {
        Box::new(Terminal::new(std::io::stderr().lock()))
    } else {
        Box::new(Terminal::new(std::io::stdout().lock()))
    };
    let chain = &probed.chain;
    writeln!(
        w,
        "{} sent {} certificate{}:",
        probed.target,
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
        if args.pins {
            writeln!(w, "     pin:     {}", c.spki_pin)?;
        }
    }
    let saved = args.save_chain.as_ref().map(|p| p.display().to_string());
    if let Some(path) = &args.save_chain {
        let pem: String = chain.iter().map(|c| c.to_pem()).collect();
        files::write(path, pem.as_bytes())?;
        if !to_stdout {
            cx.out
                .info(&format!("saved the chain to {}", path.display()));
        }
    }
    let source = Source::Server {
        target: probed.given,
        // A chain written to standard output is in no file the advice could name.
        saved: saved.as_deref().filter(|_| !to_stdout),
    };
    let mut status = ExitStatus::Ok;
    match (&probed.completed, cx.supplied, &probed.walk) {
        (Some(completed), _, Some(walk)) => {
            print_report(completed, source, &mut w)?;
            aia::print_fetched(walk, &aia::used(walk, completed), "the server", &mut w)?;
        }
        (Some(completed), Some(supplied), None) => {
            print_report(completed, source, &mut w)?;
            print_omitted(completed, supplied, "the server", &mut w)?;
        }
        _ => print_report(&probed.report, source, &mut w)?,
    }
    if let Some(walk) = &probed.walk {
        aia::print_notes(walk, &mut w)?;
    }
    if probed.completed.is_some() {
        writeln!(
            w,
            "not verified as sent: the server is misconfigured (it omits an intermediate)"
        )?;
        status = ExitStatus::Failure;
    } else if !probed.report.is_valid()
        || strict_verdict(&probed.report, args.checks.strict) != ExitStatus::Ok
    {
        status = ExitStatus::Failure;
    }
    if let Some(checked) = &probed.revocation {
        revocation::print(checked, &mut w)?;
        if revocation::any_revoked(checked) {
            status = ExitStatus::Failure;
        }
    }
    if !args.checks.pin.is_empty() {
        let check = check_pins(probed.report(), known(cx, probed), &args.checks.pin);
        if !print_pins(&check, &mut w)? {
            status = ExitStatus::Failure;
        }
    }
    if let Some(days) = args.warn_days {
        let soon = expiring(cx, probed);
        for c in &soon {
            let left = days_left(c, cx.at);
            let when = if left < 0 {
                format!("expired {} days ago", -left)
            } else {
                format!("{left} days left")
            };
            writeln!(
                w,
                "expires within {days} days: {} ({}, {when})",
                c.subject,
                format_moment(c.not_after)
            )?;
        }
        if !soon.is_empty() {
            status = ExitStatus::Failure;
        }
    }
    w.flush()?;
    Ok(status)
}

/// One certificate in `--json`.
#[derive(Serialize)]
struct JsonCert<'a> {
    subject: &'a str,
    issuer: &'a str,
    sha256: Sha256Fingerprint,
    spki_pin: SpkiPin,
    not_before: String,
    not_after: String,
    days_left: i64,
}

/// One strict rule broken, in `--json`.
#[derive(Serialize)]
struct JsonStrict {
    rule: String,
    certificate: String,
    refused_by: Vec<String>,
}

/// One server in `--json`.
#[derive(Serialize)]
struct JsonEntry<'a> {
    target: &'a str,
    /// `ok` (verified as sent, pinned, nothing expiring), `failed` or `error`.
    verdict: &'static str,
    verified: bool,
    /// The problems of the chain as sent; with `--intermediates`, an omitted intermediate is
    /// one more.
    problems: Vec<String>,
    omits: Vec<String>,
    pinned: Option<bool>,
    expiring: Vec<Sha256Fingerprint>,
    /// With `--revocation`: each certificate of the path checked, with its verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation: Option<Vec<JsonRevocation>>,
    /// What stricter clients refuse: `RULE: the ROLE "SUBJECT"` and who refuses it.
    strict: Vec<JsonStrict>,
    notes: Vec<String>,
    chain: Vec<JsonCert<'a>>,
    path: Vec<JsonCert<'a>>,
    error: Option<String>,
}

/// One certificate's revocation in `--json`.
#[derive(Serialize)]
struct JsonRevocation {
    sha256: Sha256Fingerprint,
    /// `revoked`, `ok` or `unknown`.
    verdict: &'static str,
    /// What each source said, one line each.
    sources: Vec<String>,
}

fn json_cert(c: &Certificate, at: OffsetDateTime) -> JsonCert<'_> {
    JsonCert {
        subject: &c.subject,
        issuer: &c.issuer,
        sha256: c.sha256,
        spki_pin: c.spki_pin,
        not_before: format_moment(c.not_before),
        not_after: format_moment(c.not_after),
        days_left: days_left(c, at),
    }
}

/// One server's JSON entry; `status` is the verdict the run already judged.
fn json_entry<'a>(
    cx: &'a Run<'_>,
    target: &'a str,
    result: &'a anyhow::Result<Probed<'_>>,
    status: ExitStatus,
) -> JsonEntry<'a> {
    let probed = match result {
        Ok(probed) => probed,
        Err(e) => {
            return JsonEntry {
                target,
                verdict: "error",
                verified: false,
                problems: Vec::new(),
                omits: Vec::new(),
                pinned: None,
                expiring: Vec::new(),
                revocation: None,
                strict: Vec::new(),
                notes: Vec::new(),
                chain: Vec::new(),
                path: Vec::new(),
                error: Some(format!("{e:#}")),
            };
        }
    };
    let known: Vec<&Certificate> = known(cx, probed).collect();
    let path = probed
        .report()
        .path
        .iter()
        .filter_map(|l| known.iter().find(|c| c.sha256 == l.sha256))
        .map(|c| json_cert(c, cx.at))
        .collect();
    let omits = probed
        .completed
        .iter()
        .flat_map(|r| r.path.iter().filter(|l| l.supplied))
        .map(|l| l.subject.clone())
        .collect();
    let pinned = (!cx.args.checks.pin.is_empty()).then(|| {
        matches!(
            check_pins(probed.report(), known.iter().copied(), &cx.args.checks.pin),
            PinCheck::Pinned(_)
        )
    });
    JsonEntry {
        target,
        verdict: if status == ExitStatus::Ok {
            "ok"
        } else {
            "failed"
        },
        verified: probed.report.is_valid(),
        problems: probed
            .report
            .problems
            .iter()
            .map(ToString::to_string)
            .collect(),
        omits,
        pinned,
        expiring: expiring(cx, probed).iter().map(|c| c.sha256).collect(),
        revocation: probed.revocation.as_ref().map(|checked| {
            checked
                .iter()
                .map(|c| JsonRevocation {
                    sha256: c.sha256,
                    verdict: revocation::verdict_word(c.verdict),
                    sources: revocation::finding_lines(c),
                })
                .collect()
        }),
        strict: probed
            .report()
            .strict
            .iter()
            .map(|v| JsonStrict {
                rule: v.rule.to_string(),
                certificate: v.subject.clone(),
                refused_by: v
                    .rule
                    .refused_by()
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            })
            .collect(),
        notes: probed
            .report()
            .notes
            .iter()
            .map(ToString::to_string)
            .collect(),
        chain: probed.chain.iter().map(|c| json_cert(c, cx.at)).collect(),
        path,
        error: None,
    }
}
