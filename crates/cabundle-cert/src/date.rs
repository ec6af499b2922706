//! Dates as `time` values, and the one parser for dates people type.
//!
//! Every date a user gives (`build --as-of`, `diff --as-of`, `verify --at`, a lock's
//! `fetched`) goes through [`parse_date`] or [`parse_moment`], so they all accept and refuse
//! the same things. Dates in outputs are written `YYYY-MM-DD` ([`format_date`], and the serde
//! helpers [`iso_date`] and [`iso_date_option`]), moments `YYYY-MM-DD HH:MM:SS UTC`
//! ([`format_moment`]). Data formats with their own date syntax (the
//! CCADB report's `YYYY.MM.DD` cells) are read by their own parsers.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// A date or moment that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid date \"{input}\": expected {expected}")]
pub struct DateError {
    /// The text that was given.
    pub input: String,
    /// What was expected, e.g. `YYYY-MM-DD`.
    pub expected: &'static str,
}

/// Parses a calendar date `YYYY-MM-DD` (surrounding whitespace ignored). The year is four
/// digits without a sign, so every date read is one [`format_date`] writes back the same.
pub fn parse_date(input: &str) -> Result<Date, DateError> {
    let bad = || DateError {
        input: input.to_owned(),
        expected: "YYYY-MM-DD",
    };
    let text = input.trim();
    // `[year]` alone would take a sign (`-0224-03-29`), which no date a person means has.
    if !text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return Err(bad());
    }
    Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| bad())
}

/// Parses a moment: RFC 3339 (`2025-01-31T12:00:00Z`) or a date `YYYY-MM-DD`, which means
/// 00:00 UTC that day.
pub fn parse_moment(input: &str) -> Result<OffsetDateTime, DateError> {
    if let Ok(t) = OffsetDateTime::parse(input.trim(), &Rfc3339) {
        // A moment whose UTC time falls after the year 9999 (`9999-12-31T12:00:00-12:15`, found
        // by fuzzing: writing it panicked) cannot be compared or written in UTC: refused.
        return t
            .checked_to_offset(time::UtcOffset::UTC)
            .map(|_| t)
            .ok_or_else(|| DateError {
                input: input.to_owned(),
                expected: "a moment before the year 10000 in UTC",
            });
    }
    parse_date(input)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| DateError {
            input: input.to_owned(),
            expected: "RFC 3339 (2025-01-31T12:00:00Z) or YYYY-MM-DD",
        })
}

/// Writes a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Writes a moment for people, in UTC: `2025-01-31 12:00:00 UTC`.
pub fn format_moment(t: OffsetDateTime) -> String {
    // Every moment parsed here is in range in UTC; one that is not is written as it is.
    let t = t.checked_to_offset(time::UtcOffset::UTC).unwrap_or(t);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        format_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Serde helpers for a [`Date`] written `YYYY-MM-DD`: `#[serde(with = "iso_date")]`.
pub mod iso_date {
    use time::Date;

    /// Writes the date as `YYYY-MM-DD`.
    pub fn serialize<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_date(*date))
    }

    /// Reads a `YYYY-MM-DD` date.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Date, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(deserializer)?;
        super::parse_date(&s).map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for an `Option<Date>` written `YYYY-MM-DD` or `null`:
/// `#[serde(with = "iso_date_option")]`.
pub mod iso_date_option {
    use time::Date;

    /// Writes the date as `YYYY-MM-DD`, or `null`.
    pub fn serialize<S: serde::Serializer>(
        date: &Option<Date>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => serializer.serialize_some(&super::format_date(*d)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads a `YYYY-MM-DD` date or `null`.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        let s = <Option<String> as serde::Deserialize>::deserialize(deserializer)?;
        s.map(|s| super::parse_date(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates() {
        fn check(input: &str, expected: Option<Date>) {
            assert_eq!(parse_date(input).ok(), expected, "{input:?}");
        }
        check("2026-07-01", Some(date!(2026 - 07 - 01)));
        check(" 2026-07-01\n", Some(date!(2026 - 07 - 01)));
        check("2024-02-29", Some(date!(2024 - 02 - 29)));
        check("2025-02-29", None);
        check("2026-13-01", None);
        check("2026-7-1", None);
        check("2026.07.01", None);
        check("01-07-2026", None);
        check("", None);
        // A sign before the year (found by fuzzing: `-0224-03-29` was read, and written back
        // as `-224-03-29`).
        check("-0224-03-29", None);
        check("+2026-07-01", None);
        check(" -2026-07-01", None);
        for text in ["0001-01-01", "2026-07-01", "9999-12-31"] {
            assert_eq!(format_date(parse_date(text).unwrap()), text);
        }
        assert_eq!(
            parse_date("2026-13-01").unwrap_err().to_string(),
            "invalid date \"2026-13-01\": expected YYYY-MM-DD"
        );
    }

    #[test]
    fn moments() {
        fn check(input: &str, expected: Option<OffsetDateTime>) {
            assert_eq!(parse_moment(input).ok(), expected, "{input:?}");
        }
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
        check("9999-12-31T12:00:00-12:15", None);
        assert_eq!(
            format_moment(parse_moment("9999-12-31T11:00:00-12:00").unwrap()),
            "9999-12-31 23:00:00 UTC"
        );
        assert!(
            parse_moment("x")
                .unwrap_err()
                .to_string()
                .contains("RFC 3339")
        );
    }

    #[test]
    fn format_and_serde() {
        assert_eq!(format_date(date!(0999 - 01 - 02)), "0999-01-02");
        assert_eq!(
            format_moment(datetime!(2025-01-31 10:30:05 +02:00)),
            "2025-01-31 08:30:05 UTC"
        );
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct S {
            #[serde(with = "iso_date")]
            a: Date,
            #[serde(with = "iso_date_option")]
            b: Option<Date>,
        }
        let s = S {
            a: date!(2026 - 07 - 01),
            b: None,
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"a":"2026-07-01","b":null}"#);
        assert_eq!(serde_json::from_str::<S>(&json).unwrap(), s);
        let back: S = serde_json::from_str(r#"{"a":"2026-07-01","b":"2025-04-15"}"#).unwrap();
        assert_eq!(back.b, Some(date!(2025 - 04 - 15)));
        assert!(serde_json::from_str::<S>(r#"{"a":"2026-7-1","b":null}"#).is_err());
    }
}
