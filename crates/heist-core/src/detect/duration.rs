//! Rule durations as written in rule files (`"90s"`, `"15m"`, `"1h"`, `"7d"`, `"1h30m"`) and as shown in findings.
//!
//! `humantime` reads them, within the grammar rule files have always had: whole numbers of `s`, `m`, `h` and `d`,
//! run together. (humantime alone would also take `1 h`, `1.5h`, `1w`, `1ms`, months and years.) Findings show
//! durations in the compact form below (`60m`, `1d 3h`), not humantime's longer one.

use crate::util::time::Nanos;

pub const SECOND: Nanos = 1_000_000_000;
pub const MINUTE: Nanos = 60 * SECOND;
pub const HOUR: Nanos = 60 * MINUTE;
pub const DAY: Nanos = 24 * HOUR;

/// `"60m"` -> nanoseconds. One or more `<whole number><unit>` parts, unit `s`, `m`, `h` or `d`.
pub fn parse(s: &str) -> Option<Nanos> {
    let s = s.trim();
    let unit = |c: char| matches!(c, 's' | 'm' | 'h' | 'd');
    let mut after_digit = false;
    for c in s.chars() {
        match c {
            c if c.is_ascii_digit() => after_digit = true,
            // One unit letter after each number: `1ms` is not a rule duration.
            c if unit(c) && after_digit => after_digit = false,
            _ => return None,
        }
    }
    if s.is_empty() || after_digit {
        return None;
    }
    let d = humantime::parse_duration(s).ok()?;
    Nanos::try_from(d.as_nanos()).ok()
}

/// Nanoseconds as the shortest rule-style text: `1d 3h`, `60m`, `1m 34s`, `0s`. Sub-second parts are dropped.
pub fn format(ns: Nanos) -> String {
    let mut s = ns.max(0) / SECOND;
    if s == 0 {
        return "0s".into();
    }
    let mut parts = Vec::new();
    for (unit, name) in [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")] {
        if s >= unit {
            parts.push(format!("{}{name}", s / unit));
            s %= unit;
        }
        if parts.len() == 2 {
            break;
        }
    }
    // A whole number of hours up to a day reads better in minutes when it is what rules are written in (60m).
    if parts == ["1h"] {
        return "60m".into();
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rule_durations() {
        assert_eq!(parse("60m"), Some(60 * MINUTE));
        assert_eq!(parse("1h30m"), Some(90 * MINUTE));
        assert_eq!(parse("7d"), Some(7 * DAY));
        assert_eq!(parse("90s"), Some(90 * SECOND));
        assert_eq!(parse(" 0s "), Some(0));
        for bad in [
            "",
            "60",
            "m",
            "1 h",
            "1w",
            "-5m",
            "1.5h",
            "99999999999999999d",
            "1ms",
            "1hh",
            "1h30",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_compactly() {
        assert_eq!(format(60 * MINUTE), "60m");
        assert_eq!(format(27 * HOUR + 3 * MINUTE), "1d 3h");
        assert_eq!(format(94 * SECOND), "1m 34s");
        assert_eq!(format(2 * HOUR), "2h");
        assert_eq!(format(500_000_000), "0s");
        assert_eq!(format(-5), "0s");
    }
}
