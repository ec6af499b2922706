//! The error type of `cabundle-fetch`.

use std::time::Duration;

/// Why a fetch failed. Every variant names the URL it is about.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Only `https://` URLs are fetched: the report decides what a machine trusts.
    #[error("refusing to fetch {url}: only https:// URLs are accepted")]
    NotHttps {
        /// The URL given.
        url: String,
    },
    /// The certificates to trust could not be read.
    #[error("invalid CA certificates: {reason}")]
    CaCertificates {
        /// What was wrong.
        reason: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {reason}")]
    Client {
        /// What was wrong.
        reason: String,
    },
    /// The server's certificate did not verify, or the handshake failed.
    #[error("TLS with {url} failed: {reason}")]
    Tls {
        /// The URL fetched.
        url: String,
        /// What rustls reported, e.g. `invalid peer certificate: UnknownIssuer`.
        reason: String,
    },
    /// Connecting or reading timed out on every try.
    #[error("timed out fetching {url}: {} ({})", waited(*connecting, *after), tries(*attempts))]
    Timeout {
        /// The URL fetched.
        url: String,
        /// Whether the time-out struck while connecting (TCP and TLS), else while reading.
        connecting: bool,
        /// The time-out that struck ([`crate::FetchOptions::connect_timeout`] or
        /// [`crate::FetchOptions::read_timeout`]).
        after: Duration,
        /// How many tries were made.
        attempts: u32,
    },
    /// A try, or the whole fetch, outlasted its deadline (a server that sends a byte now and
    /// then never trips the read time-out).
    #[error("fetching {url} did not finish within {after:?}, {} ({})", which(*whole), tries(*attempts))]
    Deadline {
        /// The URL fetched.
        url: String,
        /// Whether the deadline of the whole fetch passed, else that of the last try.
        whole: bool,
        /// The deadline that passed.
        after: Duration,
        /// How many tries were made.
        attempts: u32,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status} ({})", tries(*attempts))]
    Status {
        /// The URL fetched.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// How many tries were made.
        attempts: u32,
    },
    /// Any other transport failure (DNS, connection refused, reset, proxy).
    #[error("cannot fetch {url}: {reason} ({})", tries(*attempts))]
    Http {
        /// The URL fetched.
        url: String,
        /// The error and its causes.
        reason: String,
        /// How many tries were made.
        attempts: u32,
    },
    /// The body cannot be the report: empty, an HTML page, truncated, too large.
    #[error("refusing what {url} sent: {reason}")]
    Refused {
        /// The URL fetched.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The body's SHA-256 is not the expected one.
    #[error("the SHA-256 of what {url} sent is {actual}, expected {expected}")]
    Sha256Mismatch {
        /// The URL fetched.
        url: String,
        /// The SHA-256 asked for, lower-case hex.
        expected: String,
        /// The SHA-256 of the body, lower-case hex.
        actual: String,
    },
}

/// What a time-out means: `no connection within 15s`, `no data for 30s`.
fn waited(connecting: bool, after: Duration) -> String {
    if connecting {
        format!("no connection within {after:?}")
    } else {
        format!("no data for {after:?}")
    }
}

/// Which deadline passed.
fn which(whole: bool) -> &'static str {
    if whole {
        "the deadline of the whole download, tries and pauses included"
    } else {
        "the deadline of one try"
    }
}

/// `tried once`, `tried 3 times`.
pub(crate) fn tries(attempts: u32) -> String {
    match attempts {
        1 => "tried once".to_owned(),
        n => format!("tried {n} times"),
    }
}
