//! The only crate that talks HTTP: fetch the CCADB report over verified HTTPS.
//!
//! [`fetch`] downloads one URL with connect and read time-outs, a deadline for each try and one
//! for the whole (a server that sends a byte now and then never trips a read time-out), retries
//! time-outs, truncated bodies and 5xx answers with exponential back-off, and refuses bodies that cannot be a report
//! (empty, an HTML page, larger than the limit, a SHA-256 other than the expected one). Whether
//! the body is a well-formed report is for the caller to decide (it owns the parser), and so is
//! storing it (with `cabundle-write`, so a failed download never leaves a half-written file):
//! this crate writes no file.
//!
//! Plain `http://` is fetched only when [`FetchOptions::plain_http`] asks for it, for the signed
//! objects the standards publish that way (AIA `caIssuers` certificates, CRLs, OCSP). [`post`]
//! sends a body instead (an OCSP request too long for a GET URL), with the same checks.
//!
//! Server certificates are verified against the platform trust store (through
//! `rustls-platform-verifier`), or, when [`FetchOptions::ca_pem`] is given, against those roots
//! only: the corporate-proxy case, where a proxy re-signs TLS traffic with its own root.
//! `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` are honoured. The crypto provider is `aws-lc-rs`,
//! installed as the process default the first time a client is built.
//!
//! Architecture Invariant: no other crate of the workspace depends on an HTTP or TLS client.
//!
//! ```no_run
//! use cabundle_fetch::{DEFAULT_REPORT_URL, FetchOptions, fetch};
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let opts = FetchOptions {
//!     attempts: 5,
//!     read_timeout: Duration::from_secs(60),
//!     ..FetchOptions::default()
//! };
//! let fetched = fetch(DEFAULT_REPORT_URL, &opts)?;
//! println!("{} bytes, SHA-256 {}", fetched.body.len(), fetched.sha256_hex());
//! # Ok(())
//! # }
//! ```

mod error;

pub use error::Error;
use error::tries;

use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// Mozilla's included-roots report with PEM, as published by the CCADB.
pub const DEFAULT_REPORT_URL: &str =
    "https://ccadb.my.salesforce-sites.com/mozilla/IncludedCACertificateReportPEMCSV";

/// The intermediates Firefox preloads (`MozillaIntermediateCertsCSVReport`), as published by
/// the CCADB.
pub const DEFAULT_INTERMEDIATES_URL: &str =
    "https://ccadb.my.salesforce-sites.com/mozilla/MozillaIntermediateCertsCSVReport";

/// How to fetch: trust, time-outs, retries and the checks made on the body.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// PEM certificates to trust instead of the platform store (only these roots).
    pub ca_pem: Option<Vec<u8>>,
    /// Time allowed to open the TCP connection and finish the TLS handshake.
    pub connect_timeout: Duration,
    /// Time allowed between two reads of the answer.
    pub read_timeout: Duration,
    /// How many tries in all (at least one).
    pub attempts: u32,
    /// Time allowed for one try, from connecting to the last byte of the body.
    pub try_deadline: Duration,
    /// Time allowed for the whole fetch, every try and pause included; `None`: as long as
    /// every try may take, plus the pauses between them.
    pub deadline: Option<Duration>,
    /// Pause before the second try; it doubles before each further one.
    pub backoff: Duration,
    /// The SHA-256 the body must have.
    pub expect_sha256: Option<[u8; 32]>,
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
    /// Whether `http://` URLs are fetched too. Only for objects the standards publish over
    /// plain HTTP and that carry their own signature (an AIA `caIssuers` certificate, a CRL, an
    /// OCSP response): the caller checks that signature before using what it got.
    pub plain_http: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            ca_pem: None,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            attempts: 3,
            try_deadline: Duration::from_secs(120),
            deadline: None,
            backoff: Duration::from_secs(2),
            expect_sha256: None,
            max_bytes: 64 * 1024 * 1024,
            plain_http: false,
        }
    }
}

impl FetchOptions {
    /// For the small objects a verification fetches (an issuer, a CRL, an OCSP response, a
    /// revocation report): one try, each connection and read bounded by `timeout` and the try
    /// by twice that, at most `max_bytes`; `plain_http` for the objects the standards publish
    /// over HTTP.
    pub fn one_try(timeout: Duration, max_bytes: u64, plain_http: bool) -> FetchOptions {
        FetchOptions {
            connect_timeout: timeout,
            read_timeout: timeout,
            try_deadline: timeout.saturating_mul(2),
            attempts: 1,
            max_bytes,
            plain_http,
            ..FetchOptions::default()
        }
    }
}

/// A body fetched and checked.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The URL the body came from, after redirects.
    pub url: String,
    /// The body, exactly as received.
    pub body: Vec<u8>,
    /// SHA-256 of `body`.
    pub sha256: [u8; 32],
    /// How many tries it took.
    pub attempts: u32,
}

impl Fetched {
    /// `sha256` as lower-case hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// Progress of one try: bytes received so far and the announced total, when known.
pub type ProgressFn<'a> = dyn FnMut(u64, Option<u64>) + 'a;

/// Fetches `url` with the given options; see the crate documentation for the checks made.
pub fn fetch(url: &str, opts: &FetchOptions) -> Result<Fetched, Error> {
    fetch_with_progress(url, opts, &mut |_, _| {})
}

/// [`fetch`], reporting progress to `progress` as chunks arrive (it restarts at 0 on a retry).
pub fn fetch_with_progress(
    url: &str,
    opts: &FetchOptions,
    progress: &mut ProgressFn<'_>,
) -> Result<Fetched, Error> {
    send(url, &Method::Get, opts, progress)
}

/// Sends `body` to `url` in a POST request with the header `Content-Type: content_type`, and
/// takes the answer as [`fetch`] does (the same time-outs, retries and checks). For the
/// protocols that are asked this way: an OCSP request too long for a GET URL (RFC 6960,
/// appendix A.1, `application/ocsp-request`).
pub fn post(
    url: &str,
    content_type: &str,
    body: &[u8],
    opts: &FetchOptions,
) -> Result<Fetched, Error> {
    let method = Method::Post {
        content_type: content_type.to_owned(),
        body: body.to_vec(),
    };
    send(url, &method, opts, &mut |_, _| {})
}

/// How a request is made.
enum Method {
    Get,
    Post { content_type: String, body: Vec<u8> },
}

fn send(
    url: &str,
    method: &Method,
    opts: &FetchOptions,
    progress: &mut ProgressFn<'_>,
) -> Result<Fetched, Error> {
    let allowed = url.starts_with("https://") || (opts.plain_http && url.starts_with("http://"));
    if !allowed {
        return Err(Error::NotHttps {
            url: url.to_owned(),
        });
    }
    let client = client(opts)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Client {
            reason: e.to_string(),
        })?;
    let attempts = opts.attempts.max(1);
    let whole = opts.deadline.unwrap_or_else(|| whole_deadline(opts));
    let end = Instant::now() + whole;
    let mut attempt = 1;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        // A derived whole deadline ends with the last try's: that is the one to name.
        let is_whole = opts.deadline.is_some() && left < opts.try_deadline;
        let limit = left.min(opts.try_deadline);
        let passed = |attempts| Error::Deadline {
            url: url.to_owned(),
            whole: is_whole,
            after: if is_whole { whole } else { opts.try_deadline },
            attempts,
        };
        let once = get_once(&client, url, method, attempt, opts, progress);
        let result = match runtime.block_on(async { tokio::time::timeout(limit, once).await }) {
            Ok(result) => result,
            Err(_) if is_whole => Err(Failure::Fatal(passed(attempt))),
            Err(_) => Err(Failure::Retry(passed(attempt))),
        };
        match result {
            Ok((final_url, body)) => return check(final_url, body, attempt, opts),
            Err(Failure::Retry(err)) if attempt < attempts => {
                let pause = backoff(opts.backoff, attempt);
                if end.saturating_duration_since(Instant::now()) <= pause {
                    // No time is left for another try: this try's failure is the answer.
                    return Err(err);
                }
                std::thread::sleep(pause);
                attempt += 1;
            }
            Err(Failure::Retry(err) | Failure::Fatal(err)) => return Err(err),
        }
    }
}

/// The whole deadline when none is given: every try at its deadline, and the pauses between.
pub fn whole_deadline(opts: &FetchOptions) -> Duration {
    let attempts = opts.attempts.max(1);
    let pauses = (1..attempts)
        .map(|a| backoff(opts.backoff, a))
        .sum::<Duration>();
    opts.try_deadline
        .saturating_mul(attempts)
        .saturating_add(pauses)
}

/// The pause after failed try number `attempt` (1-based): `base`, doubled for each further
/// try, at most a minute.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(16);
    base.saturating_mul(factor).min(Duration::from_secs(60))
}

/// Whether `body` looks like an HTML page (an error or login page) rather than data.
pub fn looks_like_html(body: &[u8]) -> bool {
    let start = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = start.trim_ascii_start();
    let head = &start[..start.len().min(512)];
    let lower = head.to_ascii_lowercase();
    lower.starts_with(b"<!doctype html")
        || lower.starts_with(b"<html")
        || lower.starts_with(b"<head")
        || lower.starts_with(b"<?xml")
        || (lower.starts_with(b"<") && lower.windows(5).any(|w| w == b"<html"))
}

/// Installs `aws-lc-rs` as the process-wide rustls provider unless one is installed already.
fn install_provider() {
    // An error means a provider is already installed, which is all we need.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

fn client(opts: &FetchOptions) -> Result<reqwest::Client, Error> {
    install_provider();
    let mut builder = reqwest::Client::builder()
        .https_only(!opts.plain_http)
        .connect_timeout(opts.connect_timeout)
        .read_timeout(opts.read_timeout)
        .user_agent(concat!("cabundle/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = &opts.ca_pem {
        let certs =
            reqwest::Certificate::from_pem_bundle(pem).map_err(|e| Error::CaCertificates {
                reason: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(Error::CaCertificates {
                reason: "no PEM certificate found".to_owned(),
            });
        }
        builder = builder.tls_certs_only(certs);
    }
    builder.build().map_err(|e| Error::Client {
        reason: error_chain(&e),
    })
}

/// Why a try failed, and whether another try may help.
enum Failure {
    Retry(Error),
    Fatal(Error),
}

async fn get_once(
    client: &reqwest::Client,
    url: &str,
    method: &Method,
    attempt: u32,
    opts: &FetchOptions,
    progress: &mut ProgressFn<'_>,
) -> Result<(String, Vec<u8>), Failure> {
    let request = match method {
        Method::Get => client.get(url),
        Method::Post { content_type, body } => client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type.as_str())
            .body(body.clone()),
    };
    let mut response = request
        .send()
        .await
        .map_err(|e| classify(url, attempt, opts, e))?;
    let status = response.status();
    if !status.is_success() {
        let err = Error::Status {
            url: url.to_owned(),
            status: status.as_u16(),
            attempts: attempt,
        };
        return Err(if status.is_server_error() || status.as_u16() == 429 {
            Failure::Retry(err)
        } else {
            Failure::Fatal(err)
        });
    }
    let refuse = |reason: String| {
        Failure::Fatal(Error::Refused {
            url: url.to_owned(),
            reason,
        })
    };
    let is_html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if is_html {
        return Err(refuse(
            "the server sent an HTML page (content-type text/html), not the report".to_owned(),
        ));
    }
    let total = response.content_length();
    if let Some(total) = total.filter(|t| *t > opts.max_bytes) {
        return Err(refuse(format!(
            "the server announced {total} bytes, more than the limit of {}",
            opts.max_bytes
        )));
    }
    let final_url = response.url().to_string();
    let capacity = usize::try_from(total.unwrap_or(0).min(opts.max_bytes)).unwrap_or(0);
    let mut body = Vec::with_capacity(capacity);
    progress(0, total);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() as u64 > opts.max_bytes {
                    return Err(refuse(format!(
                        "the body is larger than the limit of {} bytes",
                        opts.max_bytes
                    )));
                }
                progress(body.len() as u64, total);
            }
            Ok(None) => break,
            Err(e) if e.is_body() || e.is_decode() => {
                let expected = total.map_or_else(String::new, |t| format!(" of {t}"));
                return Err(Failure::Retry(Error::Refused {
                    url: url.to_owned(),
                    reason: format!(
                        "truncated body: the connection ended after {}{expected} bytes ({})",
                        body.len(),
                        tries(attempt)
                    ),
                }));
            }
            Err(e) => return Err(classify(url, attempt, opts, e)),
        }
    }
    if let Some(total) = total.filter(|t| *t != body.len() as u64) {
        return Err(Failure::Retry(Error::Refused {
            url: url.to_owned(),
            reason: format!(
                "truncated body: {} of {total} bytes ({})",
                body.len(),
                tries(attempt)
            ),
        }));
    }
    Ok((final_url, body))
}

fn classify(url: &str, attempt: u32, opts: &FetchOptions, err: reqwest::Error) -> Failure {
    // The URL is in our message already.
    let err = err.without_url();
    let url = url.to_owned();
    if let Some(reason) = tls_reason(&err) {
        return Failure::Fatal(Error::Tls { url, reason });
    }
    if err.is_timeout() {
        return Failure::Retry(Error::Timeout {
            url,
            connecting: err.is_connect(),
            after: if err.is_connect() {
                opts.connect_timeout
            } else {
                opts.read_timeout
            },
            attempts: attempt,
        });
    }
    let failure = Error::Http {
        url,
        reason: error_chain(&err),
        attempts: attempt,
    };
    if err.is_body() || err.is_decode() {
        Failure::Retry(failure)
    } else {
        Failure::Fatal(failure)
    }
}

/// The rustls error somewhere in `err`'s causes. rustls errors travel inside `io::Error`s
/// (sometimes one inside another), and `io::Error::source` skips the error it wraps, so the
/// walk steps into `get_ref` instead.
fn tls_reason(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        next = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

/// `err` and its sources, joined with `: `, skipping repeats and generic wrappers.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // reqwest's and hyper's wrappers say nothing the cause does not.
        let generic =
            text.starts_with("error sending request") || text.starts_with("client error (");
        if !generic && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

fn check(url: String, body: Vec<u8>, attempts: u32, opts: &FetchOptions) -> Result<Fetched, Error> {
    if body.is_empty() {
        return Err(Error::Refused {
            url,
            reason: "the body is empty".to_owned(),
        });
    }
    if looks_like_html(&body) {
        return Err(Error::Refused {
            url,
            reason: "the body is an HTML page, not the report".to_owned(),
        });
    }
    let sha256: [u8; 32] = Sha256::digest(&body).into();
    if let Some(expected) = opts.expect_sha256.filter(|e| *e != sha256) {
        return Err(Error::Sha256Mismatch {
            url,
            expected: hex::encode(expected),
            actual: hex::encode(sha256),
        });
    }
    Ok(Fetched {
        url,
        body,
        sha256,
        attempts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_millis(100);
        let got: Vec<u128> = (1..=4).map(|a| backoff(base, a).as_millis()).collect();
        assert_eq!(got, [100, 200, 400, 800]);
        assert_eq!(
            backoff(Duration::from_secs(10), 30),
            Duration::from_secs(60)
        );
        assert_eq!(backoff(base, 0), base);
    }

    #[test]
    fn html_is_recognised() {
        fn check(input: &[u8], expected: bool) {
            assert_eq!(
                looks_like_html(input),
                expected,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        check(b"<!DOCTYPE html><html><body>login</body></html>", true);
        check(b"\xEF\xBB\xBF  \n<HTML>", true);
        check(b"<head><title>x</title></head>", true);
        check(b"<!-- maintenance --><html>", true);
        check(b"<?xml version=\"1.0\"?><html/>", true);
        check(b"\"Owner\",\"Certificate Issuer Organization\"\n", false);
        check(b"# certdata.txt\nBEGINDATA\n", false);
        check(b"", false);
    }

    #[test]
    fn body_checks() {
        let opts = FetchOptions::default();
        let ok = check("https://x/".into(), b"\"Owner\"\n".to_vec(), 2, &opts).unwrap();
        assert_eq!(ok.attempts, 2);
        assert_eq!(ok.sha256_hex(), hex::encode(Sha256::digest(b"\"Owner\"\n")));
        let empty = check("https://x/".into(), Vec::new(), 1, &opts).unwrap_err();
        assert_eq!(
            empty.to_string(),
            "refusing what https://x/ sent: the body is empty"
        );
        let html = check("https://x/".into(), b"<html>".to_vec(), 1, &opts).unwrap_err();
        assert!(matches!(html, Error::Refused { .. }), "{html}");
        let pinned = FetchOptions {
            expect_sha256: Some([0; 32]),
            ..FetchOptions::default()
        };
        let err = check("https://x/".into(), b"a".to_vec(), 1, &pinned).unwrap_err();
        assert!(matches!(err, Error::Sha256Mismatch { .. }), "{err}");
    }

    #[test]
    fn plain_http_is_refused() {
        let err = fetch("http://127.0.0.1:1/report.csv", &FetchOptions::default()).unwrap_err();
        assert!(matches!(err, Error::NotHttps { .. }), "{err}");
    }

    #[test]
    fn bad_ca_certificates_are_an_error() {
        let opts = FetchOptions {
            ca_pem: Some(b"not a certificate".to_vec()),
            ..FetchOptions::default()
        };
        let err = fetch("https://127.0.0.1:1/", &opts).unwrap_err();
        assert!(matches!(err, Error::CaCertificates { .. }), "{err}");
    }
}
