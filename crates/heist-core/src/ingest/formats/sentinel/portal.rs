//! Times as the Log Analytics / Sentinel portal writes them in a CSV export: in the browser's locale
//! (`21/04/2025, 09:45:54.000` in en-GB, `4/21/2025, 9:45:54.000 AM` in en-US, `21.04.2025, 09:45:54.000` in
//! de-DE), in the zone the column names (`TimeGenerated [UTC]`, `[UTC+02:00]`), or ISO 8601.
//!
//! Whether a `a/b/yyyy` date is day-first or month-first is decided once per file from its values: a first part
//! above 12 is a day, a second part above 12 is a day; when no value says, a 12-hour clock (`AM`/`PM`) means the
//! US order and a 24-hour clock the day-first order of the other locales.

use chrono::NaiveDate;

use crate::util::time::{parse_rfc3339, Nanos};

const NS_PER_SEC: i64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// What a column's bracketed suffix says about its zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Zone {
    /// Seconds east of UTC.
    Offset(i64),
    /// A zone heist cannot place (`[Local Time]`): its times are reported, never guessed.
    Unknown(String),
}

/// `TimeGenerated [UTC]` -> (`TimeGenerated`, UTC). Names without a suffix have no zone.
pub(super) fn split_column(raw: &str) -> (String, Option<Zone>) {
    let t = raw.trim();
    let Some(open) = t.rfind(" [").filter(|_| t.ends_with(']')) else {
        return (t.to_string(), None);
    };
    let name = t[..open].trim().to_string();
    let zone = t[open + 2..t.len() - 1].trim();
    (name, Some(zone_of(zone)))
}

fn zone_of(z: &str) -> Zone {
    let upper = z.to_ascii_uppercase();
    let rest = match upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
    {
        Some(r) => r.trim(),
        None => return Zone::Unknown(z.to_string()),
    };
    if rest.is_empty() {
        return Zone::Offset(0);
    }
    let (sign, hm) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return Zone::Unknown(z.to_string()),
    };
    let (h, m) = hm.split_once(':').unwrap_or((hm, "0"));
    match (h.trim().parse::<i64>(), m.trim().parse::<i64>()) {
        (Ok(h), Ok(m)) if h <= 14 && m < 60 => Zone::Offset(sign * (h * 3600 + m * 60)),
        _ => Zone::Unknown(z.to_string()),
    }
}

/// The two leading numbers of a locale date (`21/04/2025, ...` -> (21, 4)) and whether the time has AM/PM.
fn leading_parts(v: &str) -> Option<(u32, u32, bool)> {
    let t = v.trim();
    let date = t.split([',', ' ']).next()?;
    let mut it = date.split('/');
    let a = it.next()?.parse().ok()?;
    let b = it.next()?.parse().ok()?;
    it.next()?;
    let upper = t.to_ascii_uppercase();
    Some((a, b, upper.ends_with("AM") || upper.ends_with("PM")))
}

/// The date order of a file, decided from the values of its time columns as they are seen.
#[derive(Default)]
pub(super) struct OrderVote {
    decided: Option<DateOrder>,
    twelve_hour: bool,
}

impl OrderVote {
    /// Look at one value; true once the order is decided.
    pub(super) fn see(&mut self, v: &str) -> bool {
        if self.decided.is_some() {
            return true;
        }
        if let Some((a, b, ampm)) = leading_parts(v) {
            if a > 12 {
                self.decided = Some(DateOrder::DayFirst);
            } else if b > 12 {
                self.decided = Some(DateOrder::MonthFirst);
            }
            self.twelve_hour |= ampm;
        }
        self.decided.is_some()
    }

    pub(super) fn order(&self) -> DateOrder {
        match (self.decided, self.twelve_hour) {
            (Some(o), _) => o,
            (None, true) => DateOrder::MonthFirst,
            (None, false) => DateOrder::DayFirst,
        }
    }
}

#[cfg(test)]
fn order_of<'a>(values: impl Iterator<Item = &'a str>) -> DateOrder {
    let mut vote = OrderVote::default();
    for v in values {
        if vote.see(v) {
            break;
        }
    }
    vote.order()
}

/// ISO 8601 with an explicit zone (`Z`, `+02:00`, `-0500`)?
fn has_zone(iso: &str) -> bool {
    let t = iso.trim();
    if t.ends_with(['Z', 'z']) {
        return true;
    }
    let time = t.get(10..).unwrap_or("");
    time.rfind(['+', '-']).is_some_and(|i| {
        let z = &time[i + 1..];
        !z.is_empty() && z.len() <= 5 && z.bytes().all(|b| b.is_ascii_digit() || b == b':')
    })
}

/// `H:MM:SS[.fff][ AM|PM]` -> (hour, minute, second, nanos).
fn clock(t: &str) -> Option<(u32, u32, u32, u32)> {
    let upper = t.trim().to_ascii_uppercase();
    let (hms, pm) = if let Some(x) = upper.strip_suffix("PM") {
        (x.trim(), Some(true))
    } else if let Some(x) = upper.strip_suffix("AM") {
        (x.trim(), Some(false))
    } else {
        (upper.trim(), None)
    };
    let (whole, frac) = hms.split_once('.').unwrap_or((hms, ""));
    let mut it = whole.split(':');
    let mut h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let s: u32 = it.next().unwrap_or("0").parse().ok()?;
    if it.next().is_some() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    match pm {
        Some(_) if h == 0 || h > 12 => return None,
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    Some((h, m, s, nanos))
}

/// A portal time in a column offset `offset` seconds from UTC, as nanoseconds since the epoch (UTC).
pub(super) fn parse(v: &str, order: DateOrder, offset: i64) -> Option<Nanos> {
    let t = v.trim();
    if t.len() >= 10 && t.as_bytes()[4] == b'-' {
        let ns = parse_rfc3339(t)?;
        return Some(if has_zone(t) {
            ns
        } else {
            ns - offset * NS_PER_SEC
        });
    }
    let (date, time) = match t.split_once(',') {
        Some((d, rest)) => (d.trim(), rest.trim()),
        None => t.split_once(' ').map(|(d, r)| (d.trim(), r.trim()))?,
    };
    let (sep, order) = if date.contains('/') {
        ('/', order)
    } else if date.contains('.') {
        ('.', DateOrder::DayFirst)
    } else {
        return None;
    };
    let parts: Vec<&str> = date.split(sep).collect();
    let [a, b, y] = parts[..] else { return None };
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let year: i32 = y.parse().ok().filter(|_| y.len() == 4)?;
    let (day, month) = match order {
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst => (b, a),
    };
    let (h, m, s, nanos) = clock(time)?;
    let local = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(h, m, s, nanos)?;
    let ns = local.and_utc().timestamp_nanos_opt()?;
    Some(ns - offset * NS_PER_SEC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::time::format_utc;

    fn utc(v: &str, order: DateOrder, offset: i64) -> Option<String> {
        parse(v, order, offset).map(format_utc)
    }

    #[test]
    fn columns_and_zones() {
        assert_eq!(
            split_column("\"TimeGenerated [UTC]\"".trim_matches('"')),
            ("TimeGenerated".to_string(), Some(Zone::Offset(0)))
        );
        assert_eq!(
            split_column("ActivityDateTime [UTC+02:00]").1,
            Some(Zone::Offset(7200))
        );
        assert_eq!(split_column("X [UTC-05:30]").1, Some(Zone::Offset(-19800)));
        assert!(matches!(
            split_column("TimeGenerated [Local Time]").1,
            Some(Zone::Unknown(_))
        ));
        assert_eq!(
            split_column("AwsRequestId_"),
            ("AwsRequestId_".into(), None)
        );
    }

    #[test]
    fn locale_times() {
        use DateOrder::*;
        assert_eq!(
            utc("21/04/2025, 09:45:54.000", DayFirst, 0).as_deref(),
            Some("2025-04-21T09:45:54Z")
        );
        assert_eq!(
            utc("02/04/2025, 10:13:15.123", DayFirst, 0).as_deref(),
            Some("2025-04-02T10:13:15.123Z")
        );
        assert_eq!(
            utc("4/21/2025, 9:45:54.000 PM", MonthFirst, 0).as_deref(),
            Some("2025-04-21T21:45:54Z")
        );
        assert_eq!(
            utc("4/21/2025, 12:05:00.000 AM", MonthFirst, 0).as_deref(),
            Some("2025-04-21T00:05:00Z")
        );
        assert_eq!(
            utc("21.04.2025, 11:45:54.000", MonthFirst, 7200).as_deref(),
            Some("2025-04-21T09:45:54Z"),
            "dotted dates are day-first; the column's offset is removed"
        );
        assert_eq!(
            utc("2025-04-21T09:45:54.5Z", DayFirst, 7200).as_deref(),
            Some("2025-04-21T09:45:54.500Z")
        );
        assert_eq!(
            utc("2025-04-21 11:45:54", DayFirst, 7200).as_deref(),
            Some("2025-04-21T09:45:54Z")
        );
        for bad in [
            "",
            "31/02/2025, 10:00:00",
            "13/13/2025, 10:00",
            "yesterday",
            "1/2/25, 10:00",
        ] {
            assert_eq!(utc(bad, DayFirst, 0), None, "{bad}");
        }
    }

    #[test]
    fn date_order_from_the_values() {
        use DateOrder::*;
        let o = |v: &[&str]| order_of(v.iter().copied());
        assert_eq!(
            o(&["02/04/2025, 10:13:15.000", "21/04/2025, 09:45:54.000"]),
            DayFirst
        );
        assert_eq!(
            o(&["4/2/2025, 10:13:15 AM", "4/21/2025, 9:45:54 AM"]),
            MonthFirst
        );
        assert_eq!(o(&["02/04/2025, 10:13:15.000"]), DayFirst, "24-hour clock");
        assert_eq!(
            o(&["2/4/2025, 10:13:15.000 AM"]),
            MonthFirst,
            "12-hour clock"
        );
    }
}
