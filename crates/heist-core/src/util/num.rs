//! Numbers for people: digit grouping and byte sizes, shared by the CLI, the TUI, the report and the findings'
//! explanations so the same count reads the same everywhere.

/// Unsigned integers of any width (`usize` included, which has no `Into<u64>`).
pub trait Unsigned: Copy {
    fn widen(self) -> u128;
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(impl Unsigned for $t { fn widen(self) -> u128 { self as u128 } })*};
}
unsigned!(u8, u16, u32, u64, u128, usize);

/// `1234567` -> `1,234,567`.
pub fn thousands(n: impl Unsigned) -> String {
    let s = n.widen().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in decimal units: `950 B`, `19.8 GB`.
pub fn bytes(b: f64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = if b.is_finite() { b.max(0.0) } else { 0.0 };
    let mut u = 0;
    while v >= 1000.0 && u + 1 < units.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{} B", v.round() as u64)
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// An exact byte count and its size: `3,986,869,977 (4.0 GB)`; small counts stay plain (`950 B`).
pub fn bytes_exact(n: u64) -> String {
    if n < 1000 {
        format!("{n} B")
    } else {
        format!("{} ({})", thousands(n), bytes(n as f64))
    }
}

/// `n` and the noun, singular or plural as `n` asks, with thousands separators: `1 event`, `2,582 events`.
pub fn count_of(n: usize, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(n),
        if n == 1 { singular } else { plural }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_digits() {
        assert_eq!(thousands(0u64), "0");
        assert_eq!(thousands(999u32), "999");
        assert_eq!(thousands(1000usize), "1,000");
        assert_eq!(thousands(1234567u64), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn sizes_in_decimal_units() {
        assert_eq!(bytes(0.0), "0 B");
        assert_eq!(bytes(999.0), "999 B");
        assert_eq!(bytes(1000.0), "1.0 kB");
        assert_eq!(bytes(19.8e9), "19.8 GB");
        assert_eq!(bytes(f64::NAN), "0 B");
        assert_eq!(bytes(-5.0), "0 B");
        assert_eq!(bytes_exact(950), "950 B");
        assert_eq!(bytes_exact(3_986_869_977), "3,986,869,977 (4.0 GB)");
    }
}
