//! The organisation's usual networks: an address's /24 (IPv6 /48) that many identities used before a given time.
//! Offices, VPN egress and CI runners are shared by everyone; an attacker's address is not, until the attacker
//! starts using the credentials it stole. Only networks asked about are counted, in one pass over the frame.

use std::collections::{HashMap, HashSet};

use ipnet::IpNet;
use polars::prelude::{DataFrame, PolarsResult};

use crate::frame::access::FrameReader;
use crate::frame::Col;
use crate::util::ip;
use crate::util::time::Nanos;

/// How many identities make a network usual, by default.
pub const MIN_IDENTITIES: usize = 3;

/// For each network asked about, when each identity first used it.
#[derive(Debug, Default)]
pub struct UsualNetworks {
    /// Network -> first-use time of each identity, sorted.
    first_uses: HashMap<IpNet, Vec<Nanos>>,
    min_identities: usize,
}

impl UsualNetworks {
    /// Count, over `df`, the identities using each network of `addresses` (addresses as logged; other values are
    /// ignored).
    pub fn build<'a>(
        df: &DataFrame,
        addresses: impl IntoIterator<Item = &'a str>,
        min_identities: usize,
    ) -> PolarsResult<Self> {
        let wanted: HashSet<IpNet> = addresses.into_iter().filter_map(ip::network_of).collect();
        let mut out = UsualNetworks {
            first_uses: HashMap::new(),
            min_identities,
        };
        if wanted.is_empty() {
            return Ok(out);
        }
        let r = FrameReader::new(df)?;
        // (network, identity) -> first use. Rows come in time order, so the first seen is the earliest.
        let mut first: HashMap<(IpNet, &str), Nanos> = HashMap::new();
        let mut net_of: HashMap<&str, Option<IpNet>> = HashMap::new();
        for row in 0..r.height() {
            let (Some(addr), Some(who)) = (r.text(Col::SourceIp, row), r.text(Col::Identity, row))
            else {
                continue;
            };
            let net = *net_of
                .entry(addr)
                .or_insert_with(|| ip::network_of(addr).filter(|n| wanted.contains(n)));
            let (Some(net), Some(t)) = (net, r.time(row)) else {
                continue;
            };
            first
                .entry((net, who))
                .and_modify(|x| *x = (*x).min(t))
                .or_insert(t);
        }
        for ((net, _), t) in first {
            out.first_uses.entry(net).or_default().push(t);
        }
        for v in out.first_uses.values_mut() {
            v.sort_unstable();
        }
        Ok(out)
    }

    /// How many identities used the network of `addr` before `t`.
    pub fn identities_before(&self, addr: &str, t: Nanos) -> usize {
        ip::network_of(addr)
            .and_then(|n| self.first_uses.get(&n))
            .map_or(0, |v| v.partition_point(|&x| x < t))
    }

    /// Whether the network of `addr` was the organisation's before `t`: used by at least the minimum number of
    /// identities. A value that is not an address is never usual (it names no network).
    pub fn is_usual(&self, addr: &str, t: Nanos) -> bool {
        self.identities_before(addr, t) >= self.min_identities
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::assemble::assemble;
    use crate::frame::{EventBatch, Row};

    fn frame(rows: &[(i64, &str, &str)]) -> DataFrame {
        let mut b = EventBatch::new("t.json");
        for (i, (t, addr, who)) in rows.iter().enumerate() {
            let mut r = Row::default();
            r.time = *t;
            r.set_str(Col::Source, "test");
            r.set(Col::SourceIp, Some(std::borrow::Cow::Borrowed(*addr)));
            r.set(Col::Identity, Some(std::borrow::Cow::Borrowed(*who)));
            r.record_hash = i as u64 + 1;
            b.push(&r);
        }
        b.finish().unwrap();
        assemble(vec![b], false).unwrap().frame
    }

    #[test]
    fn a_network_many_identities_used_before_is_usual() {
        let df = frame(&[
            (10, "203.0.113.10", "alice"),
            (20, "203.0.113.11", "bob"),
            (30, "203.0.113.12", "carol"),
            (40, "198.51.100.77", "ci"),
            (50, "198.51.100.77", "svc-backup"),
            (60, "198.51.100.77", "gcp-sa"),
        ]);
        let u = UsualNetworks::build(&df, ["203.0.113.99", "198.51.100.77"], 3).unwrap();
        assert!(
            u.is_usual("203.0.113.99", 31),
            "the office /24, after three people used it"
        );
        assert!(!u.is_usual("203.0.113.99", 30), "not before the third");
        assert!(
            !u.is_usual("198.51.100.77", 45),
            "the attacker's address is not usual when its use begins"
        );
        assert!(
            u.is_usual("198.51.100.77", 61),
            "...though three stolen credentials used it later"
        );
        assert!(!u.is_usual("lambda.amazonaws.com", 100));
        assert!(!u.is_usual("192.0.2.1", 100), "a network nobody used");
    }
}
