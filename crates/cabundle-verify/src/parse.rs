//! Parsing what users type (dates, windows) and encoding PEM.

use crate::error::{Error, Result};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

/// Parses `--at`: RFC 3339 (`2025-01-31T12:00:00Z`) or a date `YYYY-MM-DD` (midnight UTC).
pub fn parse_date(input: &str) -> Result<OffsetDateTime> {
    let s = input.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| Error::Date {
            input: input.to_owned(),
        })
}

/// Parses a window such as `90d` (days), `12w` (weeks) or `48h` (hours); a bare number is days.
pub fn parse_window(input: &str) -> Result<Duration> {
    let err = |reason: &str| Error::Window {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    let s = input.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() {
        return Err(err("expected a number followed by d, w or h, e.g. 90d"));
    }
    let n: i64 = digits.parse().map_err(|_| err("number too large"))?;
    let unit_len = match unit {
        "" | "d" => Duration::DAY,
        "w" => Duration::WEEK,
        "h" => Duration::HOUR,
        _ => {
            return Err(err(
                "unknown unit: use d (days), w (weeks) or h (hours), e.g. 90d",
            ));
        }
    };
    unit_len
        .checked_mul(i32::try_from(n).map_err(|_| err("number too large"))?)
        .ok_or_else(|| err("number too large"))
}

/// Formats a date for people: `2025-01-31 12:00:00 UTC`.
pub fn format_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates() {
        let check = |input: &str, expected: Option<OffsetDateTime>| {
            assert_eq!(parse_date(input).ok(), expected, "{input}");
        };
        check("2025-01-31", Some(datetime!(2025-01-31 0:00 UTC)));
        check(
            "2025-01-31T12:30:00Z",
            Some(datetime!(2025-01-31 12:30 UTC)),
        );
        check(
            "2025-01-31T12:30:00+02:00",
            Some(datetime!(2025-01-31 10:30 UTC)),
        );
        check("2025-13-01", None);
        check("yesterday", None);
    }

    #[test]
    fn windows() {
        let check = |input: &str, expected: Option<Duration>| {
            assert_eq!(parse_window(input).ok(), expected, "{input}");
        };
        check("90d", Some(Duration::days(90)));
        check("90", Some(Duration::days(90)));
        check("12w", Some(Duration::weeks(12)));
        check("48h", Some(Duration::hours(48)));
        check("6x", None);
        check("d", None);
        check("99999999999d", None);
    }

    #[test]
    fn date_format() {
        assert_eq!(
            format_date(datetime!(2025-01-31 10:30 +02:00)),
            "2025-01-31 08:30:00 UTC"
        );
    }
}
