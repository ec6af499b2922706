//! `--revocation` on `verify` and `probe`: the IO around `cabundle_verify::revocation`. For
//! each certificate of the path but the trust anchor, in this order: the CCADB
//! revoked-intermediates report (`--revoked-intermediates`), the OCSP response the server
//! stapled (`probe`, the first certificate), the CRL (a `--crl` file of its issuer's, else
//! each CRL distribution point fetched over plain HTTP, 10 MiB and the time-out at most), then
//! each AIA OCSP responder (RFC 6960 appendix A.1: a GET request, or a POST when the GET URL
//! would be longer than 255 bytes or the GET is answered with an HTTP error) unless the
//! stapled response answered. Every source that was asked is printed with its answer; a source that could not
//! be reached is `unknown`, never good.

use crate::cli::store::RevocationArgs;
use crate::shared::files;
use crate::shared::hints::revocation_hint;
use crate::shared::terminal::one_line;
use anyhow::{Context as _, bail};
use base64::Engine as _;
use cabundle_cert::date::format_moment;
use cabundle_cert::{Certificate, Crl, Object, Sha256Fingerprint};
use cabundle_verify::Report;
use cabundle_verify::revocation::{
    Answer, Finding, Listed, Source, Verdict, Why, check_crl, check_listed, check_ocsp,
    crl_belongs_to, decide, ocsp_request, reason_name,
};
use std::io::Write;
use std::time::Duration;
use time::OffsetDateTime;

/// The largest CRL fetched.
const MAX_CRL_BYTES: u64 = 10 << 20;
/// The largest OCSP response fetched.
const MAX_OCSP_BYTES: u64 = 1 << 20;
/// The largest revoked-intermediates report fetched.
const MAX_REPORT_BYTES: u64 = 64 << 20;

/// What `--revocation` checks against, read before any certificate is looked at.
pub(crate) struct Sources {
    /// The `--crl` files: each CRL with the file it came from.
    crls: Vec<(String, Crl)>,
    /// The `--revoked-intermediates` report, with where it came from.
    listed: Option<(String, Vec<Listed>)>,
    /// How long a fetch waits to connect and for each read.
    timeout: Duration,
}

/// Reads `--crl` and `--revoked-intermediates`; `None` without `--revocation`.
pub(crate) fn load(args: &RevocationArgs) -> anyhow::Result<Option<Sources>> {
    if !args.revocation {
        return Ok(None);
    }
    let mut crls = Vec::new();
    for path in &args.crl {
        let shown = files::shown(path);
        let bytes = files::read(path)?;
        let objects = cabundle_cert::read_objects(&bytes)
            .with_context(|| format!("cannot read --crl {shown}"))?;
        let before = crls.len();
        for object in objects {
            if let Object::Crl(crl) = object {
                crls.push((shown.clone(), *crl));
            }
        }
        if crls.len() == before {
            bail!("--crl {shown} holds no CRL");
        }
    }
    let listed = match &args.revoked_intermediates {
        Some(from) => Some((from.clone(), read_listed(from, args.revocation_timeout)?)),
        None => None,
    };
    Ok(Some(Sources {
        crls,
        listed,
        timeout: args.revocation_timeout,
    }))
}

/// Reads the revoked-intermediates report from a file or an `https://` URL. Unlike a CRL or an
/// OCSP response the report carries no signature, so it is never fetched over plain HTTP.
fn read_listed(from: &str, timeout: Duration) -> anyhow::Result<Vec<Listed>> {
    if from.starts_with("http://") {
        bail!(
            "--revoked-intermediates {from}: the report carries no signature, so it is fetched over https:// only; give its https:// URL, or download it and pass the file"
        );
    }
    let bytes = if from.starts_with("https://") {
        let opts = cabundle_fetch::FetchOptions::one_try(timeout, MAX_REPORT_BYTES, false);
        cabundle_fetch::fetch(from, &opts)
            .with_context(|| format!("cannot fetch --revoked-intermediates {from}"))?
            .body
    } else {
        files::read(std::path::Path::new(from))?
    };
    let rows = cabundle_ccadb::parse_revoked_intermediates(&bytes)
        .with_context(|| format!("cannot read --revoked-intermediates {from}"))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            Listed::new(
                r.sha256,
                r.date.map(|d| d.midnight().assume_utc()),
                r.reason_code,
            )
        })
        .collect())
}

/// What was found about one certificate of the path.
pub(crate) struct Checked {
    /// Its place in the path (0 is the certificate verified).
    pub(crate) index: usize,
    /// Its subject.
    pub(crate) subject: String,
    /// Its SHA-256.
    pub(crate) sha256: Sha256Fingerprint,
    /// Every source's answer.
    pub(crate) findings: Vec<Finding>,
    /// The verdict of the findings.
    pub(crate) verdict: Verdict,
}

/// Checks each certificate of `report`'s path below its trust anchor; `known` holds the
/// certificates the path was built from, `stapled` the server's OCSP response.
pub(crate) fn check(
    report: &Report,
    known: &[&Certificate],
    stapled: Option<&[u8]>,
    sources: &Sources,
    at: OffsetDateTime,
) -> Vec<Checked> {
    let find = |sha: Sha256Fingerprint| known.iter().copied().find(|c| c.sha256 == sha);
    let mut out = Vec::new();
    for (i, link) in report.path.iter().enumerate() {
        if link.trusted {
            break;
        }
        let Some(cert) = find(link.sha256) else {
            continue;
        };
        let issuer = report.path.get(i + 1).and_then(|l| find(l.sha256));
        let findings = check_one(cert, issuer, stapled.filter(|_| i == 0), sources, at);
        out.push(Checked {
            index: i,
            subject: cert.subject.clone(),
            sha256: cert.sha256,
            verdict: decide(&findings),
            findings,
        });
    }
    out
}

fn check_one(
    cert: &Certificate,
    issuer: Option<&Certificate>,
    stapled: Option<&[u8]>,
    sources: &Sources,
    at: OffsetDateTime,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some((from, list)) = &sources.listed
        && let Some(answer) = check_listed(cert, list)
    {
        findings.push(Finding::new(Source::List(from.clone()), answer));
    }
    let Some(issuer) = issuer else {
        return findings;
    };
    if let Some(response) = stapled {
        findings.push(check_ocsp(cert, issuer, response, at, Source::Stapled));
    }
    let files: Vec<&(String, Crl)> = sources
        .crls
        .iter()
        .filter(|(_, crl)| crl_belongs_to(crl, issuer))
        .collect();
    if files.is_empty() {
        for url in &cert.crl_distribution_points {
            let source = Source::CrlUrl(url.clone());
            let finding = match fetch_crl(url, sources.timeout) {
                Ok(crl) => check_crl(cert, issuer, &crl, at, source),
                Err(why) => Finding::new(source, Answer::Unknown(Why::Unreachable(why))),
            };
            findings.push(finding);
        }
    } else {
        for (file, crl) in files {
            findings.push(check_crl(
                cert,
                issuer,
                crl,
                at,
                Source::CrlFile(file.clone()),
            ));
        }
    }
    let stapled_answered = findings
        .iter()
        .any(|f| f.source == Source::Stapled && !matches!(f.answer, Answer::Unknown(_)));
    if !stapled_answered {
        for url in &cert.ocsp {
            let source = Source::Ocsp(url.clone());
            let finding = match fetch_ocsp(cert, issuer, url, sources.timeout) {
                Ok(response) => check_ocsp(cert, issuer, &response, at, source),
                Err(why) => Finding::new(source, Answer::Unknown(Why::Unreachable(why))),
            };
            findings.push(finding);
        }
    }
    findings
}

/// Fetches and reads the CRL at `url` (DER, or a PEM `X509 CRL`).
fn fetch_crl(url: &str, timeout: Duration) -> Result<Crl, String> {
    let body = cabundle_fetch::fetch(
        url,
        &cabundle_fetch::FetchOptions::one_try(timeout, MAX_CRL_BYTES, true),
    )
    .map_err(|e| e.to_string())?
    .body;
    let objects =
        cabundle_cert::read_objects(&body).map_err(|e| format!("{url} served no CRL: {e}"))?;
    objects
        .into_iter()
        .find_map(|o| match o {
            Object::Crl(crl) => Some(*crl),
            _ => None,
        })
        .ok_or_else(|| format!("{url} served no CRL"))
}

/// The longest GET URL an OCSP request is sent in; a longer one is POSTed (RFC 6960,
/// appendix A.1: GET is for requests of less than 255 bytes once encoded).
const MAX_GET_URL: usize = 255;

/// Asks the responder at `url` about `cert` (RFC 6960, appendix A.1): a GET request (the
/// base64 of the DER request, URL-encoded, after a `/`) when its URL is at most
/// [`MAX_GET_URL`] bytes, else a POST of the DER request (`application/ocsp-request`); and a
/// POST too when the GET is answered with an HTTP error.
fn fetch_ocsp(
    cert: &Certificate,
    issuer: &Certificate,
    url: &str,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let request = ocsp_request(cert, issuer)
        .map_err(|e| format!("cannot make an OCSP request for {url}: {e}"))?;
    let opts = cabundle_fetch::FetchOptions::one_try(timeout, MAX_OCSP_BYTES, true);
    let post = |after_get: Option<String>| {
        cabundle_fetch::post(url, "application/ocsp-request", &request, &opts)
            .map(|f| f.body)
            .map_err(|e| match after_get {
                Some(get) => format!("{get}, and to POST: {e}"),
                None => e.to_string(),
            })
    };
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(&request)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let sep = if url.ends_with('/') { "" } else { "/" };
    let get = format!("{url}{sep}{encoded}");
    if get.len() > MAX_GET_URL {
        return post(None);
    }
    match cabundle_fetch::fetch(&get, &opts) {
        Ok(fetched) => Ok(fetched.body),
        Err(cabundle_fetch::Error::Status { status, .. }) => {
            post(Some(format!("{url} answered HTTP {status} to GET")))
        }
        Err(e) => Err(e.to_string().replace(&get, url)),
    }
}

/// Whether a certificate of `checked` is revoked.
pub(crate) fn any_revoked(checked: &[Checked]) -> bool {
    checked.iter().any(|c| c.verdict == Verdict::Revoked)
}

fn answer_text(answer: &Answer) -> String {
    match answer {
        Answer::Good => "good".to_owned(),
        Answer::Revoked(r) => revoked_text(r),
        Answer::Unknown(why) => format!("unknown: {why}"),
    }
}

fn revoked_text(r: &cabundle_verify::revocation::Revoked) -> String {
    let date = r.date.map_or_else(
        || "on an unknown date".to_owned(),
        |d| format!("on {}", format_moment(d)),
    );
    let reason = match r.reason {
        Some(code) => format!("reason {}", reason_name(code).unwrap_or("unrecognised")),
        None => "no reason given".to_owned(),
    };
    format!("revoked {date}, {reason}")
}

/// The word for a verdict: `revoked`, `ok` or `unknown`.
pub(crate) fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Revoked => "revoked",
        Verdict::Good => "ok",
        Verdict::Unknown => "unknown",
    }
}

/// Each source's answer about `c`, one line each: `SOURCE: ANSWER`, and whether it is stale.
pub(crate) fn finding_lines(c: &Checked) -> Vec<String> {
    c.findings
        .iter()
        .map(|f| {
            let stale = f.stale_since.map_or_else(String::new, |d| {
                format!(" (stale: its nextUpdate, {}, has passed)", format_moment(d))
            });
            format!("{}: {}{stale}", f.source, answer_text(&f.answer))
        })
        .collect()
}

/// Prints what was found, certificate by certificate, each source on its line, then a line
/// and a hint for each certificate revoked or unknown.
pub(crate) fn print(checked: &[Checked], w: &mut impl Write) -> std::io::Result<()> {
    writeln!(w, "revocation:")?;
    for c in checked {
        writeln!(
            w,
            "  {}  {}: {}",
            c.index,
            c.subject,
            verdict_word(c.verdict)
        )?;
        if c.findings.is_empty() {
            writeln!(
                w,
                "       no source: no CRL distribution point, no OCSP responder, not in a report given"
            )?;
        }
        for line in finding_lines(c) {
            writeln!(w, "       {}", one_line(&line))?;
        }
    }
    for c in checked {
        match c.verdict {
            Verdict::Revoked => {
                for f in &c.findings {
                    if let Answer::Revoked(r) = &f.answer {
                        writeln!(
                            w,
                            "revoked: {}, SHA-256 {}, {}, according to {}",
                            c.subject,
                            c.sha256,
                            revoked_text(r),
                            one_line(&f.source.to_string())
                        )?;
                    }
                }
            }
            Verdict::Unknown => {
                writeln!(w, "revocation unknown: {}: no source answered", c.subject)?
            }
            Verdict::Good => continue,
        }
        writeln!(w, "hint: {}", revocation_hint(c.verdict, c.index == 0))?;
    }
    Ok(())
}
