//! What `verify`, `probe` and `chain` share about a chain: the `--intermediates` file that may
//! complete it, and the verdict printed with its hints.

use crate::shared::exit::ExitStatus;
use crate::shared::files;
use crate::shared::hints::{Source, hints, note_hint};
use anyhow::Context as _;
use cabundle_cert::date::format_moment;
use cabundle_cert::{Certificate, Sha256Fingerprint};
use cabundle_verify::{Options, Report};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// The certificates of an `--intermediates` file.
pub(crate) struct Supplied {
    /// Every certificate of the file.
    pub(crate) certs: Vec<Certificate>,
    /// For a CCADB intermediates report, each row's `Issuer` text by fingerprint: the CA
    /// that disclosed the certificate. Empty for a PEM or DER file.
    disclosed_by: HashMap<Sha256Fingerprint, String>,
}

/// Reads an `--intermediates` file: a CCADB MozillaIntermediateCertsCSVReport, or PEM/DER
/// certificates; `-` is standard input.
pub(crate) fn read_intermediates(path: &Path) -> anyhow::Result<Supplied> {
    let bytes = files::read(path)?;
    if let Ok(rows) = cabundle_ccadb::parse_intermediates(&bytes) {
        let disclosed_by = rows
            .iter()
            .map(|r| (r.certificate.sha256, r.issuer.clone()))
            .collect();
        let certs = rows.into_iter().map(|r| r.certificate).collect();
        return Ok(Supplied {
            certs,
            disclosed_by,
        });
    }
    let certs = cabundle_cert::read_certificates(&bytes)
        .with_context(|| format!("cannot read --intermediates {}", files::shown(path)))?;
    Ok(Supplied {
        certs,
        disclosed_by: HashMap::new(),
    })
}

/// The report of `chain` completed with `supplied`, when that makes it verify.
pub(crate) fn complete(
    chain: &[Certificate],
    supplied: &Supplied,
    store: &[Certificate],
    opts: &Options,
) -> anyhow::Result<Option<Report>> {
    let report = cabundle_verify::verify_with(chain, &supplied.certs, store, opts)?;
    Ok(report.is_valid().then_some(report))
}

/// The intermediates of `completed`'s path that `sender` (the chain, the server) lacked, who
/// disclosed each, and both fixes.
pub(crate) fn print_omitted(
    completed: &Report,
    supplied: &Supplied,
    sender: &str,
    w: &mut impl Write,
) -> std::io::Result<()> {
    for link in completed.path.iter().filter(|l| l.supplied) {
        let origin = match supplied.disclosed_by.get(&link.sha256) {
            Some(issuer) => format!("disclosed in the CCADB by {issuer}"),
            None => "found in --intermediates".to_owned(),
        };
        writeln!(
            w,
            "{sender} omits {}, SHA-256 {}, {origin}",
            link.subject, link.sha256
        )?;
    }
    writeln!(
        w,
        "hint: configure the server to send its full chain (its certificate, then the intermediates)"
    )?;
    writeln!(
        w,
        "hint: or, on the client, use the roots and the CCADB's intermediates in one file: cabundle build --intermediates-report MozillaIntermediateCertsCSVReport.csv --full-pem FILE (curl and Python from 3.13 then trust each intermediate as a root: see the file's header)"
    )
}

/// `Ok` when the chain verifies, `Failure` when not.
pub(crate) fn verdict(report: &Report) -> ExitStatus {
    ExitStatus::ok_if(report.is_valid())
}

/// Prints the path that was built, then the verdict, each problem and its hints.
pub(crate) fn print_report(
    report: &Report,
    source: Source<'_>,
    w: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(w, "path:")?;
    for (i, link) in report.path.iter().enumerate() {
        let store = if link.trusted { "  (trust store)" } else { "" };
        writeln!(
            w,
            "  {i}  {}{store}\n       valid {} to {}",
            link.subject,
            format_moment(link.not_before),
            format_moment(link.not_after)
        )?;
    }
    if report.is_valid() {
        let names: Vec<&str> = report.path.iter().map(|l| l.subject.as_str()).collect();
        writeln!(w, "verified: {}", names.join(" -> "))?;
        if let Some((note, hint)) = crate::shared::hints::long_path(report.path.len()) {
            writeln!(w, "note: {note}")?;
            writeln!(w, "hint: {hint}")?;
        }
        return print_notes(report, w);
    }
    let n = report.problems.len();
    writeln!(
        w,
        "not verified: {n} problem{}",
        if n == 1 { "" } else { "s" }
    )?;
    for problem in &report.problems {
        writeln!(w, "{problem}")?;
        for hint in hints(problem, report, source) {
            writeln!(w, "hint: {hint}")?;
        }
    }
    print_notes(report, w)
}

/// Prints each note (what does not make the chain fail) with its hint, then the rules of
/// stricter clients the path breaks.
fn print_notes(report: &Report, w: &mut impl Write) -> std::io::Result<()> {
    for note in &report.notes {
        writeln!(w, "note: {note}")?;
        writeln!(w, "hint: {}", note_hint(note))?;
    }
    print_strict(report, w)
}

/// One `strict:` line per rule a certificate of the path breaks, naming who refuses it, and
/// the fixes.
fn print_strict(report: &Report, w: &mut impl Write) -> std::io::Result<()> {
    for v in &report.strict {
        let families: Vec<String> = v
            .rule
            .refused_by()
            .iter()
            .map(ToString::to_string)
            .collect();
        writeln!(w, "strict: {v} (refused by {})", families.join(" and "))?;
    }
    for hint in crate::shared::hints::strict_hints(&report.strict) {
        writeln!(w, "hint: {hint}")?;
    }
    Ok(())
}

/// `Ok` unless `--strict` was given and the path breaks a strict client's rule.
pub(crate) fn strict_verdict(report: &Report, strict: bool) -> ExitStatus {
    ExitStatus::ok_if(!strict || report.strict.is_empty())
}

/// What `--pin` found on a path: the pinned certificate, or every key of the path.
pub(crate) enum PinCheck<'c> {
    /// A certificate of the path carries one of the pinned keys.
    Pinned(&'c Certificate),
    /// None does; these are the path's certificates, whose keys were found instead.
    NotPinned(Vec<&'c Certificate>),
}

/// Whether some certificate of `report`'s path carries a key of `pins` (the certificates are
/// looked up by fingerprint among `known`: the chain, the store, the supplied intermediates).
pub(crate) fn check_pins<'c>(
    report: &Report,
    known: impl IntoIterator<Item = &'c Certificate>,
    pins: &[cabundle_cert::SpkiPin],
) -> PinCheck<'c> {
    let by_sha: HashMap<Sha256Fingerprint, &Certificate> =
        known.into_iter().map(|c| (c.sha256, c)).collect();
    let path: Vec<&Certificate> = report
        .path
        .iter()
        .filter_map(|l| by_sha.get(&l.sha256).copied())
        .collect();
    match path.iter().find(|c| pins.contains(&c.spki_pin)) {
        Some(c) => PinCheck::Pinned(c),
        None => PinCheck::NotPinned(path),
    }
}

/// Prints what [`check_pins`] found; returns whether the path is pinned.
pub(crate) fn print_pins(check: &PinCheck<'_>, w: &mut impl Write) -> std::io::Result<bool> {
    match check {
        PinCheck::Pinned(c) => {
            writeln!(w, "pinned key: {} ({})", c.spki_pin, c.subject)?;
            Ok(true)
        }
        PinCheck::NotPinned(path) => {
            writeln!(
                w,
                "pin: no certificate of the path carries a pinned key; found:"
            )?;
            for c in path {
                writeln!(w, "  {}  {}", c.spki_pin, c.subject)?;
            }
            writeln!(
                w,
                "hint: the server's key changed, or the pin is of another key; pin the key the server is meant to have (cabundle inspect --pins FILE prints a certificate's pin)"
            )?;
            Ok(false)
        }
    }
}
