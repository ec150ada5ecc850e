//! Two entities side by side: what each did (its pivot's events, as [`super::PivotEngine`] gathers them), when,
//! from where, with which credentials, on which assets; and, facet by facet, what they share and what only one of
//! them has. The usual question: is this key used as its owner uses it, or as the attacker's other key is?
//!
//! Counts are of calls: a call two sources logged (CloudTrail and the S3 access log, CloudTrail and the Bedrock
//! invocation log) counts once, as in the entity tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use polars::prelude::*;

use super::{Entity, PivotEngine};
use crate::frame::access::FrameReader;
use crate::frame::calls::Calls;
use crate::frame::Col;
use crate::util::time::Nanos;

/// What is compared, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Ips,
    Actions,
    Assets,
    Tokens,
    Identities,
    UserAgents,
}

impl Facet {
    pub const ALL: [Facet; 6] = [
        Facet::Ips,
        Facet::Actions,
        Facet::Assets,
        Facet::Tokens,
        Facet::Identities,
        Facet::UserAgents,
    ];

    pub fn col(self) -> Col {
        match self {
            Facet::Ips => Col::SourceIp,
            Facet::Actions => Col::Action,
            Facet::Assets => Col::Asset,
            Facet::Tokens => Col::Token,
            Facet::Identities => Col::Identity,
            Facet::UserAgents => Col::UserAgent,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Facet::Ips => "IPs",
            Facet::Actions => "actions",
            Facet::Assets => "assets",
            Facet::Tokens => "tokens",
            Facet::Identities => "identities",
            Facet::UserAgents => "user agents",
        }
    }
}

/// One side: the entity's calls in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub entity: Entity,
    pub calls: u64,
    pub failures: u64,
    pub first_seen: Option<Nanos>,
    pub last_seen: Option<Nanos>,
    /// Sources its events came from, by name.
    pub sources: Vec<String>,
    /// Calls per value, per facet.
    counts: BTreeMap<Facet, HashMap<String, u64>>,
}

impl Profile {
    /// Calls of this entity with `value` in `facet`.
    pub fn count(&self, facet: Facet, value: &str) -> u64 {
        self.counts
            .get(&facet)
            .and_then(|m| m.get(value))
            .copied()
            .unwrap_or(0)
    }
}

/// One facet compared: values both have (with each side's calls), and values only one has; each list by calls,
/// most first, ties by value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetDiff {
    pub facet: Facet,
    pub shared: Vec<(String, u64, u64)>,
    pub only_a: Vec<(String, u64)>,
    pub only_b: Vec<(String, u64)>,
}

impl FacetDiff {
    pub fn is_empty(&self) -> bool {
        self.shared.is_empty() && self.only_a.is_empty() && self.only_b.is_empty()
    }
}

/// Two entities compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: Profile,
    pub b: Profile,
    /// Every facet, in [`Facet::ALL`] order (empty ones included).
    pub facets: Vec<FacetDiff>,
}

/// Compare `a` and `b` over the engine's bundle.
pub fn compare(engine: &PivotEngine, a: &Entity, b: &Entity) -> PolarsResult<Comparison> {
    let pa = profile(a, &engine.pivot(a)?.events)?;
    let pb = profile(b, &engine.pivot(b)?.events)?;
    let facets = Facet::ALL.iter().map(|&f| diff(f, &pa, &pb)).collect();
    Ok(Comparison {
        a: pa,
        b: pb,
        facets,
    })
}

/// `entity`'s profile over the events that involve it.
pub fn profile(entity: &Entity, events: &DataFrame) -> PolarsResult<Profile> {
    let r = FrameReader::new(events)?;
    let calls = Calls::build(events)?;
    let mut seen: HashSet<(Facet, u32, &str)> = HashSet::new();
    let mut counts: BTreeMap<Facet, HashMap<String, u64>> = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    let (mut n, mut failures) = (0u64, 0u64);
    let (mut first, mut last): (Option<Nanos>, Option<Nanos>) = (None, None);
    for row in 0..r.height() {
        if let Some(t) = r.time(row) {
            first = Some(first.map_or(t, |f| f.min(t)));
            last = Some(last.map_or(t, |l| l.max(t)));
        }
        if let Some(s) = r.text(Col::Source, row) {
            if !sources.iter().any(|x| x == s) {
                sources.push(s.to_string());
            }
        }
        let call = calls.primary(row as u32);
        if call == row as u32 {
            n += 1;
            if r.text(Col::Outcome, row)
                .is_some_and(|o| !o.eq_ignore_ascii_case("success"))
            {
                failures += 1;
            }
        }
        for f in Facet::ALL {
            let Some(v) = r.text(f.col(), row).filter(|v| !v.is_empty()) else {
                continue;
            };
            // A value counts once per call, whichever of the call's records names it.
            if seen.insert((f, call, v)) {
                *counts
                    .entry(f)
                    .or_default()
                    .entry(v.to_string())
                    .or_insert(0) += 1;
            }
        }
    }
    sources.sort();
    Ok(Profile {
        entity: entity.clone(),
        calls: n,
        failures,
        first_seen: first,
        last_seen: last,
        sources,
        counts,
    })
}

fn diff(facet: Facet, a: &Profile, b: &Profile) -> FacetDiff {
    let empty = HashMap::new();
    let ca = a.counts.get(&facet).unwrap_or(&empty);
    let cb = b.counts.get(&facet).unwrap_or(&empty);
    let mut shared: Vec<(String, u64, u64)> = ca
        .iter()
        .filter_map(|(v, &n)| cb.get(v).map(|&m| (v.clone(), n, m)))
        .collect();
    shared.sort_by(|x, y| (y.1 + y.2).cmp(&(x.1 + x.2)).then_with(|| x.0.cmp(&y.0)));
    let only = |mine: &HashMap<String, u64>, theirs: &HashMap<String, u64>| {
        let mut v: Vec<(String, u64)> = mine
            .iter()
            .filter(|(k, _)| !theirs.contains_key(*k))
            .map(|(k, &n)| (k.clone(), n))
            .collect();
        v.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        v
    };
    FacetDiff {
        facet,
        shared,
        only_a: only(ca, cb),
        only_b: only(cb, ca),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::EntityKind;
    use crate::frame::assemble::assemble;
    use crate::frame::{EventBatch, EventStore, Row};

    /// (time, token, ip, action, asset, outcome, source, request id)
    type Ev = (
        i64,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );

    fn store(events: &[Ev]) -> EventStore {
        let mut b = EventBatch::new("f");
        for (i, &(t, tok, ip, action, asset, outcome, source, rid)) in events.iter().enumerate() {
            let mut r = Row::default();
            r.time = t;
            r.set_str(Col::Token, tok);
            r.set_str(Col::SourceIp, ip);
            r.set_str(Col::Action, action);
            if !asset.is_empty() {
                r.set_str(Col::Asset, asset);
            }
            r.set_str(Col::Outcome, outcome);
            r.set_str(Col::Source, source);
            r.set_str(Col::RequestId, rid);
            r.record_hash = i as u64 + 1;
            b.push(&r);
        }
        let frame = assemble(vec![b], false).unwrap().frame;
        EventStore::new(frame, Vec::new(), Default::default())
    }

    #[test]
    fn shared_and_lone_values_per_facet_with_calls_counted_once() {
        let s = store(&[
            (
                1,
                "K1",
                "10.0.0.1",
                "GetObject",
                "b/m1",
                "success",
                "cloudtrail",
                "r1",
            ),
            // The S3 access log's line for the same call: one call, not two.
            (
                1,
                "K1",
                "10.0.0.1",
                "REST.GET.OBJECT",
                "b/m1",
                "success",
                "s3_access",
                "r1",
            ),
            (
                2,
                "K1",
                "10.0.0.1",
                "ListBuckets",
                "",
                "failure",
                "cloudtrail",
                "r2",
            ),
            (
                3,
                "K2",
                "10.0.0.1",
                "GetObject",
                "b/m2",
                "success",
                "cloudtrail",
                "r3",
            ),
            (
                4,
                "K2",
                "198.51.100.7",
                "GetObject",
                "b/m2",
                "success",
                "cloudtrail",
                "r4",
            ),
        ]);
        let engine = PivotEngine::new(&s).unwrap();
        let k1 = Entity::new(EntityKind::Token, "K1");
        let k2 = Entity::new(EntityKind::Token, "K2");
        let c = compare(&engine, &k1, &k2).unwrap();
        assert_eq!((c.a.calls, c.a.failures), (2, 1));
        assert_eq!((c.b.calls, c.b.failures), (2, 0));
        assert_eq!((c.a.first_seen, c.a.last_seen), (Some(1), Some(2)));
        assert_eq!(c.a.sources, ["cloudtrail", "s3_access"]);
        let ips = &c.facets[0];
        assert_eq!(ips.facet, Facet::Ips);
        assert_eq!(ips.shared, [("10.0.0.1".to_string(), 2, 1)]);
        assert!(ips.only_a.is_empty());
        assert_eq!(ips.only_b, [("198.51.100.7".to_string(), 1)]);
        let actions = &c.facets[1];
        assert_eq!(actions.shared, [("GetObject".to_string(), 1, 2)]);
        assert_eq!(
            actions.only_a,
            [
                ("ListBuckets".to_string(), 1),
                ("REST.GET.OBJECT".to_string(), 1)
            ]
        );
        let assets = &c.facets[2];
        assert_eq!(assets.only_a, [("b/m1".to_string(), 1)]);
        assert_eq!(assets.only_b, [("b/m2".to_string(), 2)]);
        assert!(c.facets[4].is_empty(), "no identities in these events");
        assert_eq!(c.b.count(Facet::Ips, "198.51.100.7"), 1);
    }
}
