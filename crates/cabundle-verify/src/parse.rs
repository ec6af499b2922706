//! Parsing what users type: windows (dates are `cabundle_cert::date`'s).

use crate::error::{Error, Result};
use time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
