//! The organisation's usual networks: an IPv4 /24 or IPv6 /48 (`util::ip::network_of`) that many distinct
//! identities used before the incident window. A compromised credential used from one of them (the office, the CI
//! runners, a corporate NAT) is not evidence that the network is the attacker's, so the walk does not follow it.

use std::collections::{HashMap, HashSet};

use ipnet::IpNet;

use super::index::Index;
use crate::frame::Col;
use crate::util::ip::{network_label, network_of};
use crate::util::time::Nanos;

pub(super) struct Usual {
    /// Network -> distinct identities before the window (only networks at or past the threshold).
    nets: HashMap<IpNet, usize>,
}

impl Usual {
    /// Networks used by at least `min` distinct identities before `before`.
    pub fn build(ix: &Index<'_>, before: Nanos, min: usize) -> Self {
        let mut seen: HashMap<IpNet, HashSet<&str>> = HashMap::new();
        let mut net_of: HashMap<&str, Option<IpNet>> = HashMap::new();
        for row in 0..ix.r.height() as u32 {
            if ix.time(row) >= before {
                break; // the frame is in time order
            }
            let (Some(ip), Some(who)) = (ix.text(Col::SourceIp, row), ix.text(Col::Identity, row))
            else {
                continue;
            };
            let net = *net_of.entry(ip).or_insert_with(|| network_of(ip));
            if let Some(net) = net {
                seen.entry(net).or_default().insert(who);
            }
        }
        let nets = seen
            .into_iter()
            .map(|(n, ids)| (n, ids.len()))
            .filter(|(_, n)| *n >= min.max(1))
            .collect();
        Self { nets }
    }

    /// The usual network an address lies in, with its identity count.
    pub fn of(&self, ip: &str) -> Option<(String, usize)> {
        let net = network_of(ip)?;
        self.nets.get(&net).map(|&n| (network_label(&net), n))
    }
}
