//! IP addresses as logs write them, and the networks they lie in. The one place that knows the lenient forms heist
//! reads: zero-padded octets (`035.249.253.232`, as AWS anonymised samples write them) and an IPv4 address with its
//! last octet masked (`81.2.69.***`, as Azure writes caller IPs; also `.*` and `.xxx`), which names only its /24.
//! Networks are `ipnet` values; the query language's `ip:198.51.100.0/24` and `first_seen`'s "new network" both
//! read addresses through here.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net};

/// An octet a provider or exporter masked: `***` (Azure), `*`, `xxx` and their shorter forms.
fn is_mask_octet(p: &str) -> bool {
    matches!(p, "*" | "**" | "***" | "x" | "xx" | "xxx")
}

/// What an address as logged says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logged {
    /// A whole address.
    Addr(IpAddr),
    /// An IPv4 address with its last octet masked: only the /24 it lies in is known.
    Masked(Ipv4Net),
}

/// Parse an address as logged, zero-padded octets included (`035.249.253.232` reads as `35.249.253.232`). Masked
/// addresses are not addresses: see `read`.
pub fn parse_lenient(s: &str) -> Option<IpAddr> {
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

/// The /24 a masked IPv4 address (`81.2.69.***`) stands for: only a masked last octet leaves a network known.
pub fn masked_v4(s: &str) -> Option<Ipv4Net> {
    let (head, last) = s.rsplit_once('.')?;
    if !is_mask_octet(last) {
        return None;
    }
    match parse_lenient(&format!("{head}.0"))? {
        IpAddr::V4(v4) => Ipv4Net::new(v4, 24).ok(),
        IpAddr::V6(_) => None,
    }
}

/// Read an address as logged (surrounding blanks ignored): a whole address, a masked one, or `None` for anything
/// else (a service name such as `lambda.amazonaws.com`, `AWS Internal`, ...).
pub fn read(s: &str) -> Option<Logged> {
    let s = s.trim();
    parse_lenient(s)
        .map(Logged::Addr)
        .or_else(|| masked_v4(s).map(Logged::Masked))
}

/// The network around an address as logged: its IPv4 /24 or IPv6 /48 (the logs carry no ASN; this is the closest
/// honest proxy for "a network"). A masked address still names its /24.
pub fn network_of(s: &str) -> Option<IpNet> {
    let net = match read(s)? {
        Logged::Masked(net) => IpNet::V4(net),
        Logged::Addr(ip) => {
            let bits = if ip.is_ipv4() { 24 } else { 48 };
            IpNet::new(ip, bits).ok()?.trunc()
        }
    };
    Some(net)
}

/// A network as findings name it: `198.51.100.0/24`; an IPv6 /48 as its first three groups, `2001:db8:1::/48`.
pub fn network_label(net: &IpNet) -> String {
    match net {
        IpNet::V4(n) => n.trunc().to_string(),
        IpNet::V6(n) => {
            let s = n.network().segments();
            let mut out = String::new();
            for g in &s[..3] {
                let _ = write!(out, "{g:x}:");
            }
            let _ = write!(out, ":/{}", n.prefix_len());
            out
        }
    }
}

/// A network as a query writes it: `198.51.100.0/24`, `2001:db8::/32`. Besides what `ipnet` reads, a prefix length
/// written with leading zeros (`/024`) is accepted, as heist always has.
pub fn parse_cidr(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>().ok().or_else(|| {
        let (addr, bits) = s.split_once('/')?;
        IpNet::new(addr.parse().ok()?, bits.parse().ok()?).ok()
    })
}

/// Is the address as logged `s` inside `net`? A masked address (`a.b.c.***`) is inside when the whole /24 it stands
/// for is, i.e. for prefixes of 24 bits or fewer: a /32 names one host, which a masked address might or might not be.
pub fn net_contains(net: &IpNet, s: &str) -> bool {
    match read(s) {
        Some(Logged::Addr(ip)) => net.contains(&ip),
        Some(Logged::Masked(sub)) => net.contains(&IpNet::V4(sub)),
        None => false,
    }
}

// What a log's "source IP" field holds, sorted out once for every format: an address (kept in one spelling, so
// `035.249.253.232` and `35.249.253.232` are one IP), an address the provider masked (`198.51.100.***`), or the
// name of a service that made the call on someone's behalf (CloudTrail writes `cloudtrail.amazonaws.com` or
// `AWS Internal` there; GCP `private`), which is not an IP and goes to its own column.

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
    // Most addresses are logged in the one spelling already: std's parser takes exactly that for IPv4 (four
    // decimal octets, no leading zeros), so such a value is kept as it is without writing it out again.
    if s.parse::<std::net::Ipv4Addr>().is_ok() {
        return SourceAddr::Ip(v);
    }
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
    let ip = parse_lenient(s)
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
                .then(|| parse_lenient(host))
                .flatten()
        })?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
}

/// `81.2.69.***`, `81.2.69.*`, `81.2.69.xxx`, `30.*.0.210`: an IPv4 address with octets the provider or an
/// exporter masked (at least one octet left).
fn is_masked(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| is_mask_octet(p) || p.parse::<u8>().is_ok())
        && parts.iter().any(|p| is_mask_octet(p))
        && parts.iter().any(|p| !is_mask_octet(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        parse_cidr(s).unwrap()
    }

    #[test]
    fn addresses_as_logged() {
        assert_eq!(
            parse_lenient("035.249.253.232"),
            "35.249.253.232".parse().ok()
        );
        assert_eq!(parse_lenient("2001:db8::1"), "2001:db8::1".parse().ok());
        assert_eq!(parse_lenient("1.2.3.256"), None);
        assert_eq!(
            parse_lenient("81.2.69.***"),
            None,
            "masked is not an address"
        );
        let masked: Ipv4Net = "81.2.69.0/24".parse().unwrap();
        assert_eq!(read(" 81.2.69.*** "), Some(Logged::Masked(masked)));
        assert_eq!(
            read("81.2.69.*").and(read("81.2.69.xxx")),
            read("81.2.69.***")
        );
        assert_eq!(read("081.002.069.***"), read("81.2.69.***"));
        for no in [
            "***",
            "lambda.amazonaws.com",
            "AWS Internal",
            "",
            "1.2.***",
            "1.2.3.4.***",
        ] {
            assert_eq!(read(no), None, "{no:?}");
        }
    }

    #[test]
    fn networks() {
        let label = |s: &str| network_of(s).map(|n| network_label(&n));
        assert_eq!(label("198.51.100.77").as_deref(), Some("198.51.100.0/24"));
        assert_eq!(label("035.249.253.232").as_deref(), Some("35.249.253.0/24"));
        assert_eq!(label("81.2.69.***").as_deref(), Some("81.2.69.0/24"));
        assert_eq!(label("2001:db8:1:2::5").as_deref(), Some("2001:db8:1::/48"));
        assert_eq!(label("2001:0:0:7::1").as_deref(), Some("2001:0:0::/48"));
        assert_eq!(label("lambda.amazonaws.com"), None);
    }

    #[test]
    fn cidr_text() {
        assert_eq!(
            parse_cidr("198.51.100.0/24"),
            "198.51.100.0/24".parse().ok()
        );
        assert_eq!(
            parse_cidr("198.51.100.0/024"),
            parse_cidr("198.51.100.0/24")
        );
        assert_eq!(
            parse_cidr("198.051.100.0/24"),
            parse_cidr("198.51.100.0/24")
        );
        assert_eq!(
            parse_cidr("2001:db8::/32").map(|n| n.prefix_len()),
            Some(32)
        );
        for bad in [
            "198.51.100.0/33",
            "198.51.100.0",
            "x/8",
            "2001:db8::/129",
            "198.51.100.***/24",
        ] {
            assert_eq!(parse_cidr(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn containment() {
        let n24 = net("198.51.100.0/24");
        assert!(net_contains(&n24, "198.51.100.77"));
        assert!(
            net_contains(&n24, "198.051.100.077"),
            "zero-padded octets as logged"
        );
        assert!(!net_contains(&n24, "198.51.101.1"));
        assert!(!net_contains(&n24, "s3.amazonaws.com"));
        assert!(net_contains(&n24, "198.51.100.***"));
        assert!(net_contains(&net("198.51.0.0/16"), "198.51.100.***"));
        assert!(!net_contains(&n24, "198.51.101.***"));
        assert!(!net_contains(&net("198.51.100.77/32"), "198.51.100.***"));
        assert!(!net_contains(&net("198.51.100.0/25"), "198.51.100.***"));
        assert!(net_contains(&net("0.0.0.0/0"), "203.0.113.9"));
        assert!(!net_contains(&net("0.0.0.0/0"), "2001:db8::1"));
        assert!(net_contains(&net("2001:db8::/32"), "2001:db8:1::5"));
        assert!(
            net_contains(&net("198.51.100.77/24"), "198.51.100.1"),
            "host bits are ignored"
        );
    }

    fn sort(s: &str) -> SourceAddr<'_> {
        classify(Cow::Borrowed(s))
    }

    #[test]
    fn addresses_have_one_spelling() {
        assert_eq!(
            sort("35.249.253.232"),
            SourceAddr::Ip("35.249.253.232".into())
        );
        assert!(
            matches!(sort("35.249.253.232"), SourceAddr::Ip(Cow::Borrowed(_))),
            "an address in its one spelling is kept, not written again"
        );
        assert_eq!(
            sort("035.249.253.232"),
            SourceAddr::Ip("35.249.253.232".into())
        );
        assert_eq!(sort("10.0.0.01"), SourceAddr::Ip("10.0.0.1".into()));
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
