//! `expiring`: certificates whose notAfter falls before the end of a window.

use cabundle_cert::Certificate;
use time::{Duration, OffsetDateTime};

/// A certificate that expires within the window, or already has.
#[derive(Clone, Debug)]
pub struct Expiring {
    /// The certificate.
    pub cert: Certificate,
    /// Whether notAfter is before `at`.
    pub expired: bool,
    /// Whole days from `at` to notAfter (negative when expired).
    pub days_left: i64,
}

/// Certificates (duplicates dropped) whose notAfter is at or before `at + within`, soonest
/// first, ties by fingerprint.
pub fn expiring(certs: &[Certificate], at: OffsetDateTime, within: Duration) -> Vec<Expiring> {
    let end = at.saturating_add(within);
    let mut out: Vec<Expiring> = Vec::new();
    for c in certs {
        if c.not_after > end || out.iter().any(|e| e.cert.sha256 == c.sha256) {
            continue;
        }
        out.push(Expiring {
            cert: c.clone(),
            expired: c.not_after < at,
            days_left: (c.not_after - at).whole_days(),
        });
    }
    out.sort_by_key(|e| (e.cert.not_after, e.cert.sha256));
    out
}
