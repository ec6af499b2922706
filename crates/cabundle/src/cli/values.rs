//! Value parsers shared by every command, so that a flag means the same thing wherever it is
//! taken: time-outs are durations, windows are `cabundle_verify::parse_window`'s, `--at` is a
//! moment and `--as-of` a day, each written either way.

use std::time::Duration;
use time::{Date, OffsetDateTime, UtcOffset};

/// A time-out or pause: `15`, `2.5s`, `500ms`, `2m` or `1h`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("invalid duration `{text}` (expected e.g. 15, 2.5s, 500ms, 1m)"))?;
    Duration::try_from_secs_f64(value * scale)
        .map_err(|_| format!("invalid duration `{text}` (must be positive)"))
}

/// A moment (`--at`): RFC 3339 (`2026-07-01T12:00:00Z`), or a date `YYYY-MM-DD`, which means
/// 00:00 UTC that day.
pub fn parse_moment(text: &str) -> Result<OffsetDateTime, String> {
    cabundle_cert::date::parse_moment(text).map_err(|e| e.to_string())
}

/// A day (`--as-of`): a date `YYYY-MM-DD`, or an RFC 3339 moment, which means its date in UTC.
pub fn parse_day(text: &str) -> Result<Date, String> {
    parse_moment(text).map(|t| t.to_offset(UtcOffset::UTC).date())
}

/// A window (`expiring --within`): `90d`, `12w` or `48h`; a bare number is days.
pub fn parse_window(text: &str) -> Result<time::Duration, String> {
    cabundle_verify::parse_window(text).map_err(|e| e.to_string())
}

/// A window counted in whole days (`diff --expiring-within`): the same forms as
/// [`parse_window`], which must come to whole days.
pub fn parse_window_days(text: &str) -> Result<u32, String> {
    let window = parse_window(text)?;
    let days = window.whole_days();
    if window != time::Duration::days(days) {
        return Err(format!(
            "invalid window {text:?}: this window counts whole days (e.g. 90d, 12w, 48h)"
        ));
    }
    u32::try_from(days).map_err(|_| format!("invalid window {text:?}: number too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        fn check(input: &str, expected: Option<u64>) {
            let got = parse_duration(input).ok().map(|d| d.as_millis() as u64);
            assert_eq!(got, expected, "{input}");
        }
        check("15", Some(15_000));
        check("10s", Some(10_000));
        check("2.5s", Some(2_500));
        check("500ms", Some(500));
        check("1m", Some(60_000));
        check("2m", Some(120_000));
        check("1h", Some(3_600_000));
        check("0", Some(0));
        check("-1", None);
        check("soon", None);
        check("10d", None);
    }

    #[test]
    fn moments_and_days() {
        fn check(input: &str, moment: Option<&str>, day: Option<&str>) {
            let format = &time::format_description::well_known::Rfc3339;
            let got = parse_moment(input).ok().map(|t| t.format(format).unwrap());
            assert_eq!(got.as_deref(), moment, "--at {input}");
            let got = parse_day(input).ok().map(|d| d.to_string());
            assert_eq!(got.as_deref(), day, "--as-of {input}");
        }
        check(
            "2026-07-01",
            Some("2026-07-01T00:00:00Z"),
            Some("2026-07-01"),
        );
        check(
            "2026-07-01T12:30:00Z",
            Some("2026-07-01T12:30:00Z"),
            Some("2026-07-01"),
        );
        // The day of a moment is its day in UTC.
        check(
            "2026-07-01T22:00:00-05:00",
            Some("2026-07-01T22:00:00-05:00"),
            Some("2026-07-02"),
        );
        check("2026-13-01", None, None);
        check("yesterday", None, None);
    }

    #[test]
    fn windows() {
        fn check(input: &str, days: Option<u32>, hours: Option<i64>) {
            assert_eq!(parse_window_days(input).ok(), days, "{input} in days");
            let got = parse_window(input).ok().map(|w| w.whole_hours());
            assert_eq!(got, hours, "{input}");
        }
        check("90", Some(90), Some(2160));
        check("90d", Some(90), Some(2160));
        check("12w", Some(84), Some(2016));
        check("48h", Some(2), Some(48));
        check("36h", None, Some(36));
        check("soon", None, None);
        check("-1d", None, None);
    }
}
