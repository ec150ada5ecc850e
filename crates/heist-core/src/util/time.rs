//! Timestamp parsing for every format heist reads, and showing times to the analyst. Everything becomes
//! nanoseconds since the Unix epoch, UTC; `fmt_time` shows one in the analyst's zone.
//!
//! The hot path (`parse_rfc3339`) is hand-written: CloudTrail alone has one timestamp per event and chrono's
//! general parser is several times slower. Odd shapes fall back to chrono.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type Nanos = i64;

const NS_PER_SEC: i64 = 1_000_000_000;

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian), Howard Hinnant's algorithm.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|±HH:MM|±HHMM]`; no zone means UTC. Returns None when it is not that shape.
pub fn parse_rfc3339(s: &str) -> Option<Nanos> {
    let b = s.trim().as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
    {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(b, 0, 4)? as i64;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let min = digits(b, 14, 2)?;
    let sec = digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 60
    {
        return None;
    }
    let mut i = 19;
    let mut frac: i64 = 0;
    if i < b.len() && (b[i] == b'.' || b[i] == b',') {
        i += 1;
        let start = i;
        let mut scale = NS_PER_SEC / 10;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                frac += (b[i] - b'0') as i64 * scale;
                scale /= 10;
            }
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let mut offset_secs: i64 = 0;
    if i < b.len() {
        match b[i] {
            b'Z' | b'z' => i += 1,
            b'+' | b'-' => {
                let sign = if b[i] == b'-' { -1 } else { 1 };
                let oh = digits(b, i + 1, 2)? as i64;
                let (om, used) = if b.get(i + 3) == Some(&b':') {
                    (digits(b, i + 4, 2)? as i64, 6)
                } else if b.len() >= i + 5 {
                    (digits(b, i + 3, 2)? as i64, 5)
                } else {
                    (0, 3)
                };
                if oh > 23 || om > 59 {
                    return None;
                }
                offset_secs = sign * (oh * 3600 + om * 60);
                i += used;
            }
            _ => return None,
        }
    }
    if i != b.len() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour as i64 * 3600 + min as i64 * 60 + sec as i64 - offset_secs;
    secs.checked_mul(NS_PER_SEC)?.checked_add(frac)
}

/// Any timestamp shape seen in cloud logs: RFC 3339 (any precision), Unix seconds / millis as text,
/// S3 access log `06/Feb/2019:00:01:57 +0000`, .NET-style `12/13/2024 4:34:03 PM`, AWS `Jul 18, 2014 4:07:39 PM`.
pub fn parse_any(s: &str) -> Option<Nanos> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(n) = parse_rfc3339(t) {
        return Some(n);
    }
    if t.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return parse_epoch_text(t);
    }
    if let Ok(dt) = DateTime::parse_from_str(t, "%d/%b/%Y:%H:%M:%S %z") {
        return dt.with_timezone(&Utc).timestamp_nanos_opt();
    }
    for fmt in [
        "%m/%d/%Y %I:%M:%S %p",
        "%b %d, %Y %I:%M:%S %p",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S",
    ] {
        if let Ok(ndt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Utc.from_utc_datetime(&ndt).timestamp_nanos_opt();
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Utc
            .from_utc_datetime(&d.and_hms_opt(0, 0, 0)?)
            .timestamp_nanos_opt();
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(t) {
        return dt.with_timezone(&Utc).timestamp_nanos_opt();
    }
    None
}

/// A moment the analyst types, read in the zone they see times in: `2026-10-05T02:13:07Z` (a zone given wins),
/// `2026-10-05 02:13`, `2026-10-05T02:13:07`, `2026-10-05` (midnight), or any shape [`parse_any`] reads.
pub fn parse_moment(s: &str, tz: TimeZone) -> Option<Nanos> {
    let t = s.trim();
    if let Some(n) = parse_rfc3339(t) {
        return Some(n);
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    match naive {
        Some(ndt) => match tz {
            TimeZone::Utc => Utc.from_utc_datetime(&ndt).timestamp_nanos_opt(),
            TimeZone::Local => chrono::Local
                .from_local_datetime(&ndt)
                .earliest()?
                .with_timezone(&Utc)
                .timestamp_nanos_opt(),
        },
        None => parse_any(t),
    }
}

/// Unix time written as digits: seconds (10 digits), millis (13), micros (16) or nanos (19), optional fraction.
pub fn parse_epoch_text(t: &str) -> Option<Nanos> {
    if let Some((int, frac)) = t.split_once('.') {
        let secs: i64 = int.parse().ok()?;
        let mut ns: i64 = 0;
        let mut scale = NS_PER_SEC / 10;
        for c in frac.bytes().take(9) {
            if !c.is_ascii_digit() {
                return None;
            }
            ns += (c - b'0') as i64 * scale;
            scale /= 10;
        }
        return secs.checked_mul(NS_PER_SEC)?.checked_add(ns);
    }
    let v: i64 = t.parse().ok()?;
    epoch_number(v)
}

/// Unix time as a number, the unit guessed from its magnitude (seconds up to year 5138, then ms, µs, ns).
pub fn epoch_number(v: i64) -> Option<Nanos> {
    let a = v.unsigned_abs();
    if a < 100_000_000_000 {
        v.checked_mul(NS_PER_SEC)
    } else if a < 100_000_000_000_000 {
        v.checked_mul(1_000_000)
    } else if a < 100_000_000_000_000_000 {
        v.checked_mul(1_000)
    } else {
        Some(v)
    }
}

/// Unix seconds given as a float (OpenAI `effective_at`, sometimes fractional).
pub fn epoch_f64(v: f64) -> Option<Nanos> {
    if !v.is_finite() {
        return None;
    }
    let ns = v * NS_PER_SEC as f64;
    if ns.abs() > i64::MAX as f64 {
        return None;
    }
    Some(ns as i64)
}

/// RFC 3339 in UTC with millisecond precision when there is a fraction, e.g. `2026-10-05T02:13:07Z`.
pub fn format_utc(ns: Nanos) -> String {
    let dt = Utc.timestamp_nanos(ns);
    if ns.rem_euclid(NS_PER_SEC) == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else if ns.rem_euclid(1_000_000) == 0 {
        dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
    }
}

/// A time as the analyst reads it: whole seconds as `2026-10-05T02:13:07Z`, anything finer to the millisecond
/// (`.000000456` of a GCP insert time reads as `.000`, not as nine digits). Exports and event keys keep
/// [`format_utc`]'s full precision.
pub fn format_utc_ms(ns: Nanos) -> String {
    let dt = Utc.timestamp_nanos(ns);
    if ns.rem_euclid(NS_PER_SEC) == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }
}

/// The same instant in the machine's local zone, with its offset.
pub fn format_local(ns: Nanos) -> String {
    let dt = Utc.timestamp_nanos(ns).with_timezone(&chrono::Local);
    dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Time zone the analyst reads times in (a case keeps it as `"utc"` or `"local"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeZone {
    #[default]
    Utc,
    Local,
}

/// An instant as the analyst reads it: `format_utc` in UTC, `format_local` (with its offset) in local time.
pub fn fmt_time(t: Nanos, tz: TimeZone) -> String {
    match tz {
        TimeZone::Utc => format_utc_ms(t),
        TimeZone::Local => format_local(t),
    }
}

/// An instant in `cols` columns or fewer, for narrow tables: `10-05 02:13:07` (14), `10-05 02:13` (11), in the
/// zone; the full form when it fits (24 columns hold milliseconds in UTC, 25 a local offset).
pub fn fmt_time_in(t: Nanos, tz: TimeZone, cols: usize) -> String {
    let full = fmt_time(t, tz);
    if full.chars().count() <= cols {
        return full;
    }
    let utc = Utc.timestamp_nanos(t);
    let pattern = if cols >= 14 {
        "%m-%d %H:%M:%S"
    } else {
        "%m-%d %H:%M"
    };
    match tz {
        TimeZone::Utc => utc.format(pattern).to_string(),
        TimeZone::Local => utc
            .with_timezone(&chrono::Local)
            .format(pattern)
            .to_string(),
    }
}

/// The zone's name in prose: `UTC`, `local time`.
pub fn tz_label(tz: TimeZone) -> &'static str {
    match tz {
        TimeZone::Utc => "UTC",
        TimeZone::Local => "local time",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_shorten_to_the_columns_they_have() {
        let t = chrono_ns("2026-10-05T02:13:07Z");
        assert_eq!(fmt_time_in(t, TimeZone::Utc, 24), "2026-10-05T02:13:07Z");
        assert_eq!(fmt_time_in(t, TimeZone::Utc, 19), "10-05 02:13:07");
        assert_eq!(fmt_time_in(t, TimeZone::Utc, 13), "10-05 02:13");
    }

    #[test]
    fn moments_are_read_in_the_zone_shown() {
        let t = chrono_ns("2026-10-05T02:13:00Z");
        assert_eq!(
            parse_moment("2026-10-05T02:13:00Z", TimeZone::Local),
            Some(t)
        );
        assert_eq!(parse_moment("2026-10-05 02:13", TimeZone::Utc), Some(t));
        assert_eq!(parse_moment(" 2026-10-05T02:13 ", TimeZone::Utc), Some(t));
        assert_eq!(
            parse_moment("2026-10-05", TimeZone::Utc),
            Some(chrono_ns("2026-10-05T00:00:00Z"))
        );
        let local = chrono::Local
            .from_local_datetime(
                &NaiveDate::from_ymd_opt(2026, 10, 5)
                    .unwrap()
                    .and_hms_opt(2, 13, 0)
                    .unwrap(),
            )
            .earliest()
            .unwrap()
            .timestamp_nanos_opt();
        assert_eq!(parse_moment("2026-10-05 02:13", TimeZone::Local), local);
        assert_eq!(parse_moment("yesterday", TimeZone::Utc), None);
    }

    #[test]
    fn shown_times_stop_at_the_millisecond() {
        let t = chrono_ns("2026-10-05T02:13:07.000000456Z");
        assert_eq!(format_utc_ms(t), "2026-10-05T02:13:07.000Z");
        assert_eq!(format_utc(t), "2026-10-05T02:13:07.000000456Z");
        assert_eq!(
            fmt_time(chrono_ns("2026-10-05T02:13:07.123456Z"), TimeZone::Utc),
            "2026-10-05T02:13:07.123Z"
        );
        assert_eq!(
            fmt_time(chrono_ns("2026-10-05T02:13:07Z"), TimeZone::Utc),
            "2026-10-05T02:13:07Z"
        );
    }

    fn chrono_ns(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap()
    }

    #[test]
    fn rfc3339_matches_chrono() {
        for s in [
            "2023-07-19T21:33:41Z",
            "2024-02-29T00:00:00.5Z",
            "2019-05-27T16:24:56.135Z",
            "2020-12-10T03:22:59.373508362Z",
            "2024-05-24T12:23:02.4350000Z",
            "2024-12-13T16:34:03+00:00",
            "2024-12-13T18:34:03+02:00",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_rfc3339(s), Some(chrono_ns(s)), "{s}");
        }
    }

    #[test]
    fn rfc3339_rejects_garbage() {
        for s in [
            "redacted",
            "",
            "2023-13-01T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-07-19T21:33:41Zjunk",
            "2023-07-19",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
    }

    #[test]
    fn other_shapes() {
        let base = chrono_ns("2019-02-06T00:01:57Z");
        assert_eq!(parse_any("06/Feb/2019:00:01:57 +0000"), Some(base));
        assert_eq!(parse_any("1549411317"), Some(base));
        assert_eq!(parse_any("1549411317000"), Some(base));
        assert_eq!(
            parse_any("12/13/2024 4:34:03 PM"),
            Some(chrono_ns("2024-12-13T16:34:03Z"))
        );
        assert_eq!(
            parse_any("Jul 18, 2014 4:07:39 PM"),
            Some(chrono_ns("2014-07-18T16:07:39Z"))
        );
        assert_eq!(
            parse_any("2026-10-05"),
            Some(chrono_ns("2026-10-05T00:00:00Z"))
        );
        assert_eq!(epoch_f64(1549411317.0), Some(base));
    }

    #[test]
    fn formats_utc() {
        assert_eq!(
            format_utc(chrono_ns("2026-10-05T02:13:07Z")),
            "2026-10-05T02:13:07Z"
        );
        assert_eq!(
            format_utc(chrono_ns("2026-10-05T02:13:07.250Z")),
            "2026-10-05T02:13:07.250Z"
        );
    }

    #[test]
    fn times_in_the_analysts_zone() {
        let t = chrono_ns("2026-10-05T02:13:07Z");
        assert_eq!(fmt_time(t, TimeZone::Utc), "2026-10-05T02:13:07Z");
        assert_eq!(fmt_time(t, TimeZone::Local), format_local(t));
        assert!(format_local(t).starts_with("2026-10-0"));
        assert_eq!(tz_label(TimeZone::default()), "UTC");
        assert_eq!(tz_label(TimeZone::Local), "local time");
        assert_eq!(
            serde_json::to_string(&TimeZone::Local).unwrap(),
            "\"local\""
        );
    }
}
