//! How `build` and `recipe` tell what a build decided: the `--explain` lines (roots, then
//! intermediates), the summary lines on stderr (roots, then intermediates), the policy's
//! warnings, and the build errors with the hint a user can act on.

use crate::output::Output;
use crate::shared::terminal::{Terminal, one_line};
use cabundle_build::{Built, Intermediates};
use cabundle_policy::{Decision, Decisions, PolicyOptions, Warning};
use std::io::Write as _;

/// A warning in the words of the command line, with a hint where there is something to do.
pub(crate) fn warning_text(warning: &Warning) -> String {
    match warning {
        Warning::ExcludeMatchedNothing { sha256 } => {
            format!(
                "--exclude {sha256} matches no certificate\nhint: `cabundle build --explain` lists every certificate with its SHA-256"
            )
        }
        other => other.to_string(),
    }
}

/// A library error in the words of the command line: the `hint:` line is the binary's.
pub(crate) fn with_hint(err: cabundle_build::Error) -> anyhow::Error {
    let hint = match &err {
        cabundle_build::Error::AddNotCa { .. } => Some(
            "--add takes root certificates (basic constraints CA:TRUE), such as a TLS-inspection proxy's root"
                .to_owned(),
        ),
        cabundle_build::Error::Report {
            source: cabundle_ccadb::Error::ChromeNeedsCertificates,
            ..
        } => Some("give the anchors' certificates with --certs FILE, such as root_store.certs".to_owned()),
        cabundle_build::Error::Report {
            source: cabundle_ccadb::Error::ChromeMissingCertificate { .. },
            ..
        } => Some(
            "every trust anchor needs its certificate: add the --certs file that holds it".to_owned(),
        ),
        cabundle_build::Error::CapathNotOurs { entry, .. } => Some(format!(
            "move {entry} out of it to let cabundle replace the directory, or give --capath a new or empty directory"
        )),
        _ => None,
    };
    match hint {
        Some(hint) => {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            anyhow::anyhow!("{text}\nhint: {hint}")
        }
        None => err.into(),
    }
}

/// One `--explain` line for a root or an added certificate.
fn explain_line(d: &Decision<'_>) -> String {
    match &d.excluded {
        None => {
            let constraints = d
                .root()
                .and_then(|r| r.applied_constraints())
                .map(|c| format!(" (Mozilla Applied Constraints: {})", one_line(c)))
                .unwrap_or_default();
            format!(
                "included  {}  {}{constraints}",
                d.sha256(),
                one_line(d.label())
            )
        }
        Some(reason) => format!(
            "excluded  {}  {}: {reason}",
            d.sha256(),
            one_line(d.label())
        ),
    }
}

/// Prints one `--explain` line per certificate on stdout: the roots (SHA-256, label and, when
/// left out, why), then the intermediates, when the build selected some.
pub(crate) fn explain(built: &Built) -> anyhow::Result<()> {
    let mut stdout = Terminal::new(std::io::stdout().lock());
    for d in &built.decisions().decisions {
        writeln!(stdout, "{}", explain_line(d))?;
    }
    if let Some(selection) = built.intermediates() {
        for d in selection.decisions() {
            let c = &d.intermediate.certificate;
            match (&d.excluded, d.issuer) {
                (None, Some(issuer)) => writeln!(
                    stdout,
                    "included  {}  intermediate {} (signed by {issuer})",
                    c.sha256,
                    one_line(&c.subject)
                )?,
                (Some(reason), _) => writeln!(
                    stdout,
                    "excluded  {}  intermediate {}: {}",
                    c.sha256,
                    one_line(&c.subject),
                    one_line(&reason.to_string())
                )?,
                (None, None) => {}
            }
        }
    }
    stdout.flush()?;
    Ok(())
}

/// The warnings of the policy, then the summary lines on stderr: the roots', then the
/// intermediates' (after `prefix`, a bundle's name), and a warning when nothing is trusted.
pub(crate) fn summary(built: &Built, prefix: &str, out: &Output) {
    let decisions = built.decisions();
    roots_summary(&decisions, built.policy(), prefix, out);
    if let Some(selection) = built.intermediates() {
        intermediates_summary(selection, prefix, out);
    }
}

/// The policy's warnings, in the words of the command line.
pub(crate) fn warnings(built: &Built, out: &Output) {
    for notice in built.notices() {
        out.warn(&format!("{}: {notice}", built.source().name));
    }
    for warning in built.decisions().warnings {
        out.warn(&warning_text(&warning));
    }
}

fn roots_summary(decisions: &Decisions<'_>, policy: &PolicyOptions, prefix: &str, out: &Output) {
    let included = decisions.included().count();
    if included == 0 {
        out.warn("no certificate is included: the outputs trust nothing");
    }
    let by_kind = decisions.excluded_by_kind();
    let excluded: usize = by_kind.iter().map(|(_, n)| n).sum();
    out.info(&format!(
        "{prefix}{included} included, {excluded} excluded{} for {} as of {}",
        detail(&by_kind),
        policy.purpose,
        policy.as_of
    ));
}

fn intermediates_summary(selection: &Intermediates, prefix: &str, out: &Output) {
    let selected = selection.selected().count();
    let by_kind = selection.excluded_by_kind();
    let excluded: usize = by_kind.iter().map(|(_, n)| n).sum();
    out.info(&format!(
        "{prefix}{selected} intermediates selected, {excluded} left out{}",
        detail(&by_kind)
    ));
}

/// ` (3 expired, 1 excluded)`, or nothing.
fn detail(by_kind: &[(&'static str, usize)]) -> String {
    if by_kind.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!(" ({})", parts.join(", "))
}

/// The `-v` lines naming each output written.
pub(crate) fn wrote(requests: &[cabundle_build::OutputRequest], out: &Output) {
    for request in requests {
        let to = match &request.to {
            cabundle_build::Destination::Path(path) => path.display().to_string(),
            cabundle_build::Destination::Stdout => "to standard output".to_owned(),
        };
        out.verbose(&format!("wrote {} {to}", request.kind.noun()));
    }
}
