//! What a log's "source IP" field holds, sorted out once for every format: an address (kept in one spelling, so
//! `035.249.253.232` and `35.249.253.232` are one IP), an address the provider masked (`198.51.100.***`), or the
//! name of a service that made the call on someone's behalf (CloudTrail writes `cloudtrail.amazonaws.com` or
//! `AWS Internal` there; GCP `private`), which is not an IP and goes to its own column.

use std::borrow::Cow;
use std::net::IpAddr;

/// A source-address field, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceAddr<'a> {
    /// An IP address, in its canonical spelling.
    Ip(Cow<'a, str>),
    /// An address with its host part masked by the provider, kept as logged.
    Masked(Cow<'a, str>),
    /// Not an address: a service name or a placeholder.
    Service(Cow<'a, str>),
}

/// Sort a logged source-address value. Ports (`1.2.3.4:443`, `[2001:db8::1]:443`) are dropped, IPv4 written
/// inside IPv6 (`::ffff:1.2.3.4`) is the IPv4 address, zero-padded octets are read as logged.
pub fn classify(v: Cow<'_, str>) -> SourceAddr<'_> {
    let s = v.as_ref();
    if let Some(ip) = address(s) {
        let canonical = ip.to_string();
        return SourceAddr::Ip(if canonical == s {
            v
        } else {
            Cow::Owned(canonical)
        });
    }
    if is_masked(s) {
        return SourceAddr::Masked(v);
    }
    SourceAddr::Service(v)
}

/// The IP address a logged value stands for, if it is one.
pub fn address(s: &str) -> Option<IpAddr> {
    let ip = parse_ip_lenient(s)
        .or_else(|| {
            // `[v6]:port` or `[v6]`
            let inner = s.strip_prefix('[')?;
            let (host, rest) = inner.split_once(']')?;
            (rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port))
                .then(|| host.parse().ok())
                .flatten()
        })
        .or_else(|| {
            // `v4:port` (one colon: a bare IPv6 address has several)
            let (host, port) = s.rsplit_once(':')?;
            (host.contains('.') && !host.contains(':') && is_port(port))
                .then(|| parse_ip_lenient(host))
                .flatten()
        })?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

/// Parse an IP as logged: AWS anonymised samples zero-pad octets (`035.249.253.232`).
pub fn parse_ip_lenient(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 4 {
        let mut o = [0u8; 4];
        for (i, p) in parts.iter().enumerate() {
            o[i] = p.parse().ok()?;
        }
        return Some(IpAddr::from(o));
    }
    None
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
}

/// `81.2.69.***`, `81.2.69.*`, `81.2.69.xxx`, `30.*.0.210`: an IPv4 address with octets the provider or an
/// exporter masked (at least one octet left).
fn is_masked(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let mask = |p: &str| matches!(p, "*" | "**" | "***" | "x" | "xx" | "xxx");
    parts.len() == 4
        && parts.iter().all(|p| mask(p) || p.parse::<u8>().is_ok())
        && parts.iter().any(|p| mask(p))
        && parts.iter().any(|p| !mask(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort(s: &str) -> SourceAddr<'_> {
        classify(Cow::Borrowed(s))
    }

    #[test]
    fn addresses_have_one_spelling() {
        assert_eq!(
            sort("35.249.253.232"),
            SourceAddr::Ip("35.249.253.232".into())
        );
        assert_eq!(
            sort("035.249.253.232"),
            SourceAddr::Ip("35.249.253.232".into())
        );
        assert_eq!(
            sort("198.51.100.7:443"),
            SourceAddr::Ip("198.51.100.7".into())
        );
        assert_eq!(sort("2001:DB8:0::1"), SourceAddr::Ip("2001:db8::1".into()));
        assert_eq!(
            sort("[2001:db8::1]:8443"),
            SourceAddr::Ip("2001:db8::1".into())
        );
        assert_eq!(
            sort("::ffff:192.0.2.45"),
            SourceAddr::Ip("192.0.2.45".into())
        );
    }

    #[test]
    fn masked_addresses_stay_as_logged() {
        assert_eq!(
            sort("198.51.100.***"),
            SourceAddr::Masked("198.51.100.***".into())
        );
        assert_eq!(
            sort("81.2.69.xxx"),
            SourceAddr::Masked("81.2.69.xxx".into())
        );
    }

    #[test]
    fn service_names_are_not_addresses() {
        for s in [
            "cloudtrail.amazonaws.com",
            "delivery.logs.amazonaws.com",
            "AWS Internal",
            "private",
            "gce-internal-ip",
            "1.2.3",
            "1.2.3.4:http",
        ] {
            assert_eq!(sort(s), SourceAddr::Service(s.into()), "{s}");
        }
    }
}
