//! Sigma durations: a correlation's `timespan` and a legacy detection's `timeframe`.
//!
//! The specification's form is a whole number and one lower-case unit letter: `30s`, `10m`, `1h`, `2d`. As
//! pySigma does, `w` (week), `M` (30.436875 days) and `y` (365.2425 days) are read too.

use std::time::Duration;

use super::{invalid, SigmaError};

/// `"10m"` -> 600 s. [`SigmaError::Invalid`] naming `what` for anything else.
pub(crate) fn parse(text: &str, what: &str) -> Result<Duration, SigmaError> {
    let bad = || {
        invalid(format!(
            "`{what}: {text}` is not a duration (a number and s, m, h, d or w)"
        ))
    };
    let t = text.trim();
    let unit = t.chars().last().ok_or_else(bad)?;
    let digits = &t[..t.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let secs: u64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        'M' => 2_629_746,
        'y' => 31_556_952,
        _ => return Err(bad()),
    };
    n.checked_mul(secs).map(Duration::from_secs).ok_or_else(bad)
}
