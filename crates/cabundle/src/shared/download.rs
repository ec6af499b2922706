//! Downloads with the checks of `cabundle fetch`: the transport checks of `cabundle-fetch`, then
//! the body must parse as the report asked for. `fetch`, `build --report URL`,
//! `build --intermediates-report URL` and `doctor --report URL` all download through here.

use crate::cli::fetch::HttpArgs;
use crate::output::Output;
use anyhow::Context as _;
use cabundle_fetch::{FetchOptions, Fetched};
use std::io::IsTerminal as _;
use std::time::Duration;

/// Downloads a CCADB report (or certdata.txt) and checks it before anyone writes it: the
/// transport checks of `cabundle-fetch`, then the report must parse and list at least
/// `min_roots` roots.
pub(crate) fn download_report(
    url: &str,
    http: &HttpArgs,
    expect_sha256: Option<[u8; 32]>,
    min_roots: usize,
    out: &Output,
) -> anyhow::Result<Fetched> {
    download_checked(url, http, expect_sha256, out, |body| {
        check_report(body, min_roots).map(|n| format!("the report lists {n} roots"))
    })
}

/// Downloads a `MozillaIntermediateCertsCSVReport` and checks it like [`download_report`]: it
/// must parse and list at least `min_certificates` intermediates.
pub(crate) fn download_intermediates(
    url: &str,
    http: &HttpArgs,
    expect_sha256: Option<[u8; 32]>,
    min_certificates: usize,
    out: &Output,
) -> anyhow::Result<Fetched> {
    download_checked(url, http, expect_sha256, out, |body| {
        check_intermediates(body, min_certificates)
            .map(|n| format!("the report lists {n} intermediates"))
    })
}

/// The intermediates report must parse and have at least `min` rows; returns how many.
pub(crate) fn check_intermediates(body: &[u8], min: usize) -> Result<usize, String> {
    let n = cabundle_ccadb::parse_intermediates(body)
        .map_err(|e| e.to_string())?
        .len();
    if n < min {
        return Err(format!(
            "the report lists {n} intermediates, fewer than --min-roots {min}"
        ));
    }
    Ok(n)
}

/// The transport checks of `cabundle-fetch`, then `check` on the body (which returns a line
/// for `-v` or the reason to refuse).
fn download_checked(
    url: &str,
    http: &HttpArgs,
    expect_sha256: Option<[u8; 32]>,
    out: &Output,
    check: impl FnOnce(&[u8]) -> Result<String, String>,
) -> anyhow::Result<Fetched> {
    let opts = fetch_options(http, expect_sha256)?;
    out.verbose(&format!("fetching {url}"));
    let bar = progress_bar(out);
    let result = cabundle_fetch::fetch_with_progress(url, &opts, &mut |done, total| {
        if let Some(bar) = &bar {
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(done);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let fetched = result.map_err(|e| with_hint(e, http))?;
    if fetched.attempts > 1 {
        out.verbose(&format!("fetched after {} tries", fetched.attempts));
    }
    let summary = check(&fetched.body)
        .map_err(|reason| anyhow::anyhow!("refusing what {url} sent: {reason}"))?;
    out.verbose(&summary);
    Ok(fetched)
}

/// The report must parse and look whole ([`cabundle_ccadb::check_plausible`]: at least
/// `min_roots` roots, a certdata.txt not cut short); returns how many roots it has.
pub(crate) fn check_report(body: &[u8], min_roots: usize) -> Result<usize, String> {
    let report = cabundle_ccadb::parse_any(body).map_err(|e| e.to_string())?;
    let n = report.roots.len();
    cabundle_ccadb::check_plausible(body, n, min_roots).map_err(|e| match e {
        cabundle_ccadb::Implausible::TooFewRoots { found, min } => {
            format!("the report lists {found} roots, fewer than --min-roots {min}")
        }
        other => other.to_string(),
    })?;
    Ok(n)
}

/// The default deadline of a download try, in read time-outs.
const DEADLINE_FACTOR: u32 = 4;

/// The library options from the command-line ones (reads `--ca-file`).
pub(crate) fn fetch_options(
    http: &HttpArgs,
    expect_sha256: Option<[u8; 32]>,
) -> anyhow::Result<FetchOptions> {
    let ca_pem = match &http.ca_file {
        Some(path) => Some(
            cabundle_cert::read_bounded(path, cabundle_cert::READ_CAP)
                .context("cannot read --ca-file")?,
        ),
        None => None,
    };
    let opts = FetchOptions {
        ca_pem,
        connect_timeout: http.connect_timeout,
        read_timeout: http.read_timeout,
        attempts: http.attempts,
        try_deadline: http
            .download_deadline
            .unwrap_or_else(|| http.read_timeout.saturating_mul(DEADLINE_FACTOR))
            .max(Duration::from_millis(1)),
        backoff: http.retry_backoff,
        expect_sha256,
        ..FetchOptions::default()
    };
    Ok(opts)
}

/// A byte-count progress bar on stderr, only when stderr is a terminal and not `-q`.
fn progress_bar(out: &Output) -> Option<indicatif::ProgressBar> {
    if out.is_quiet() || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes}/{total_bytes} {bytes_per_sec} {wide_bar}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Adds a hint line for the failures a user can do something about.
fn with_hint(err: cabundle_fetch::Error, http: &HttpArgs) -> anyhow::Error {
    if let (cabundle_fetch::Error::CaCertificates { .. }, Some(path)) = (&err, &http.ca_file) {
        return anyhow::anyhow!("{err} (--ca-file {})", path.display());
    }
    let hint = match &err {
        cabundle_fetch::Error::Tls { .. } if http.ca_file.is_none() => Some(
            "behind a proxy that re-signs TLS traffic, pass its root certificate with --ca-file",
        ),
        cabundle_fetch::Error::Tls { .. } => {
            Some("only the certificates in --ca-file are trusted; check it holds the server's root")
        }
        cabundle_fetch::Error::Timeout { .. } => {
            Some("raise --connect-timeout or --read-timeout, or check HTTPS_PROXY")
        }
        cabundle_fetch::Error::Deadline { .. } => {
            Some("the server sends slowly: raise --download-deadline if it is only slow")
        }
        _ => None,
    };
    match hint {
        Some(hint) => anyhow::anyhow!("{err}\nhint: {hint}"),
        None => anyhow::Error::new(err),
    }
}

/// Prints one line on stdout (a broken pipe surfaces as an error `main` turns into exit 0).
pub(crate) fn print_line(line: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(())
}
