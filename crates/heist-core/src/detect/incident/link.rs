//! Which findings belong together: those of one credential, one identity, one unusual address close in time, or of
//! a credential and the credentials it minted while it was active. Union-find over the findings.

use std::collections::HashMap;

use super::usual::UsualNetworks;
use crate::detect::Finding;
use crate::entities::{EntityKind, Lineage};
use crate::util::time::Nanos;

/// Disjoint sets over finding indices.
pub(super) struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    pub fn new(n: usize) -> Self {
        Sets {
            parent: (0..n).collect(),
        }
    }

    pub fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index leads: sets are named by their earliest finding in the caller's order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// Link the findings that share `kind` entities, chaining those whose windows are at most `gap` apart: a
/// credential's findings of one night are one story; the same routine finding on it every day is not one long one.
pub(super) fn by_shared(
    sets: &mut Sets,
    findings: &[Finding],
    kind: EntityKind,
    gap: Nanos,
    keep: &dyn Fn(&str, Nanos) -> bool,
) {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        for e in f.entities.iter().filter(|e| e.kind == kind) {
            if keep(&e.name, f.first) {
                let v = by_name.entry(e.name.as_str()).or_default();
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
    }
    for (_, mut v) in by_name {
        v.sort_by_key(|&i| (findings[i].first, i));
        let mut reach = Nanos::MIN;
        let mut prev: Option<usize> = None;
        for i in v {
            let f = &findings[i];
            if let Some(p) = prev {
                if f.first <= reach.saturating_add(gap) {
                    sets.union(p, i);
                }
            }
            reach = reach.max(f.last);
            prev = Some(i);
        }
    }
}

/// Addresses as findings name them, without the organisation's usual networks (an office NAT links everyone).
/// Usual is judged before the first finding naming the address: an attacker's address is not the organisation's
/// merely because, by the end of the night, it has used many stolen identities.
pub(super) fn unusual_addresses<'a>(
    usual: &'a UsualNetworks,
    findings: &[Finding],
) -> impl Fn(&str, Nanos) -> bool + 'a {
    let mut first_named: HashMap<String, Nanos> = HashMap::new();
    for f in findings {
        for e in f.entities.iter().filter(|e| e.kind == EntityKind::Ip) {
            let t = first_named.entry(e.name.clone()).or_insert(f.first);
            *t = (*t).min(f.first);
        }
    }
    move |addr, _| {
        crate::util::ip::network_of(addr).is_some()
            && first_named
                .get(addr)
                .is_some_and(|&t| !usual.is_usual(addr, t))
    }
}

/// How long before a finding's first event a mint still counts as part of it (the mint is often the call that
/// made the finding's credential suspicious in the first place).
const LEAD: Nanos = 3_600_000_000_000;

/// Link a finding on a credential to the findings on credentials it minted (directly or through others) while its
/// finding's activity lasted (from an hour before it to `gap` after it): the stolen key and the backdoor key it
/// created, not the sessions the same key minted for routine jobs the day before.
pub(super) fn by_lineage(sets: &mut Sets, findings: &[Finding], lineage: &Lineage, gap: Nanos) {
    if lineage.mints.is_empty() {
        return;
    }
    let mut with_token: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        for e in f.entities.iter().filter(|e| e.kind == EntityKind::Token) {
            with_token.entry(e.name.as_str()).or_default().push(i);
        }
    }
    for (i, f) in findings.iter().enumerate() {
        for parent in f.entities.iter().filter(|e| e.kind == EntityKind::Token) {
            for child in lineage.descendant_tokens(&parent.name) {
                let Some(js) = with_token.get(child.as_str()) else {
                    continue;
                };
                let minted_while_active = lineage.minted(&child).any(|m| {
                    m.event.time >= f.first.saturating_sub(LEAD)
                        && m.event.time <= f.last.saturating_add(gap)
                });
                if minted_while_active {
                    for &j in js {
                        sets.union(i, j);
                    }
                }
            }
        }
    }
}

/// Groups are joined by time only while the group they join spans at most this: one night, not a week.
const TIME_SPAN: Nanos = 24 * 3_600_000_000_000;

/// Findings whose events name no address at all cannot be linked by network: OpenAI's audit log names the API key
/// that acted, never where it was used from. A group of such findings whose whole window lies inside the window
/// (at most a day long) of exactly one group that names an address outside the usual networks and holds several
/// rules' findings joins that group: the same night, and no other story it could belong to. Returns the findings
/// joined so, which say that time alone linked them.
pub(super) fn by_time(
    sets: &mut Sets,
    findings: &[Finding],
    unusual: &dyn Fn(&str, Nanos) -> bool,
) -> Vec<usize> {
    struct Group {
        members: Vec<usize>,
        first: Nanos,
        last: Nanos,
        placed: bool,
        rules: usize,
    }
    let mut groups: HashMap<usize, Group> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let root = sets.find(i);
        let g = groups.entry(root).or_insert(Group {
            members: Vec::new(),
            first: f.first,
            last: f.last,
            placed: false,
            rules: 0,
        });
        g.members.push(i);
        g.first = g.first.min(f.first);
        g.last = g.last.max(f.last);
    }
    let mut anchors: Vec<(usize, Nanos, Nanos)> = Vec::new();
    let mut loose: Vec<(usize, Nanos, Nanos)> = Vec::new();
    for (&root, g) in groups.iter_mut() {
        let names_ip = |i: &usize| {
            findings[*i]
                .entities
                .iter()
                .any(|e| e.kind == EntityKind::Ip)
        };
        let mut rules: Vec<&str> = g
            .members
            .iter()
            .map(|&i| findings[i].rule.as_str())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        g.rules = rules.len();
        g.placed = g.members.iter().any(|&i| {
            findings[i]
                .entities
                .iter()
                .any(|e| e.kind == EntityKind::Ip && unusual(&e.name, findings[i].first))
        });
        if g.placed && g.rules >= 2 && g.last - g.first <= TIME_SPAN {
            anchors.push((root, g.first, g.last));
        } else if !g.members.iter().any(names_ip) {
            loose.push((root, g.first, g.last));
        }
    }
    let mut joined = Vec::new();
    for (root, first, last) in loose {
        let mut inside = anchors.iter().filter(|&&(_, a, b)| a <= first && last <= b);
        if let (Some(&(anchor, _, _)), None) = (inside.next(), inside.next()) {
            sets.union(anchor, root);
            if let Some(g) = groups.get(&root) {
                joined.extend(g.members.iter().copied());
            }
        }
    }
    joined.sort_unstable();
    joined
}
