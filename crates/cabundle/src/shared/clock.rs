//! The clock: the binary is the only place that reads it, and only here. Libraries take the
//! time as an input.

use time::{Date, OffsetDateTime};

/// `--at` when given, else now.
pub(crate) fn at_or_now(at: Option<OffsetDateTime>) -> OffsetDateTime {
    at.unwrap_or_else(OffsetDateTime::now_utc)
}

/// `--as-of` when given, else today (UTC).
pub(crate) fn date_or_today(as_of: Option<Date>) -> Date {
    as_of.unwrap_or_else(|| OffsetDateTime::now_utc().date())
}
