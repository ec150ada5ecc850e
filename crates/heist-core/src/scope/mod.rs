//! Attack scope: from one or more indicators (an IP, a token, an identity, an asset) follow the evidence to
//! everything the attacker held or touched, each step recorded with the edge and the event that justify it.
//!
//! The walk (see `walk`): a compromised token's lineage downwards (what it minted, from the moment it was
//! compromised), the IPs it was used from except the organisation's usual networks (`usual`), the other
//! credentials used from those IPs in the incident window, the identities behind the tokens, and the assets the
//! compromised credentials touched, with what they did (`access`), in calls (`frame::Calls`: a CloudTrail
//! `GetObject` and its S3 access-log line are one call, their bytes counted once). The walk is bounded in depth
//! and in entities, with a note when a bound stops it. Scope is a query: it never changes the evidence.

mod access;
mod index;
mod serde_util;
mod tally;
pub mod text;
mod usual;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::entities::{Entity, EntityKind, Lineage};
use crate::frame::{EventKey, EventStore};
use crate::util::time::Nanos;

pub use access::{classify, Access};

/// How far the walk goes and what counts as the organisation's usual networks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeOptions {
    /// A network (IPv4 /24, IPv6 /48) used by at least this many distinct identities before the incident window is
    /// "usual": the walk does not follow compromised credentials into it.
    pub usual_min_identities: usize,
    /// Hops from a seed (IP -> token -> minted token -> IP ...) the walk follows; assets are one hop past the
    /// credential that touched them.
    pub max_depth: u32,
    /// Entities in scope at most; the walk stops adding (and says so) past it.
    pub max_entities: usize,
    /// The incident window's start (default: the seeds' first activity).
    #[serde(with = "serde_util::opt_time")]
    pub since: Option<Nanos>,
    /// The incident window's end (default: the end of the evidence).
    #[serde(with = "serde_util::opt_time")]
    pub until: Option<Nanos>,
}

impl Default for ScopeOptions {
    fn default() -> Self {
        Self {
            usual_min_identities: 3,
            max_depth: 8,
            max_entities: 400,
            since: None,
            until: None,
        }
    }
}

/// Why the walk could not start.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error("no seed: give at least one indicator")]
    NoSeed,
    #[error("{0} is not in the bundle")]
    NotInBundle(Entity),
    #[error("reading the events: {0}")]
    Frame(#[from] polars::prelude::PolarsError),
}

/// How one entity was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// An indicator the analyst started from.
    Seed,
    /// Added by the analyst to the scope.
    Added,
    /// A credential minted with a compromised credential (AssumeRole, CreateAccessKey, ...).
    MintedBy,
    /// An IP a compromised credential (or identity) was used from.
    UsedFrom,
    /// A credential used from an IP in scope (or by an identity in scope).
    UsedToken,
    /// An identity acting from an IP in scope without a credential the log names (a console sign-in, an access log).
    ActedFrom,
    /// The identity behind a compromised credential.
    IdentityOf,
    /// An asset a compromised credential or identity touched.
    Touched,
    /// A credential or identity that acted on an asset given as a seed.
    ActedOn,
}

impl Edge {
    pub fn name(self) -> &'static str {
        match self {
            Edge::Seed => "seed",
            Edge::Added => "added",
            Edge::MintedBy => "minted_by",
            Edge::UsedFrom => "used_from",
            Edge::UsedToken => "used_token",
            Edge::ActedFrom => "acted_from",
            Edge::IdentityOf => "identity_of",
            Edge::Touched => "touched",
            Edge::ActedOn => "acted_on",
        }
    }
}

/// The event behind a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepEvent {
    #[serde(with = "serde_util::time")]
    pub time: Nanos,
    pub action: String,
    /// The event's stable key (`frame::EventKey`), when the event is in the frame.
    pub key: Option<EventKey>,
}

/// One reason an entity is in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Why {
    pub edge: Edge,
    /// The entity it was reached from (none for a seed or an analyst's addition).
    #[serde(serialize_with = "serde_util::opt_entity")]
    pub from: Option<Entity>,
    pub event: Option<StepEvent>,
    /// What else the analyst should know about this step (a seed in a usual network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One entity in scope, with its activity from the moment it entered scope, in calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeEntity {
    pub name: String,
    #[serde(serialize_with = "serde_util::kind")]
    pub kind: EntityKind,
    #[serde(with = "serde_util::opt_time")]
    pub first: Option<Nanos>,
    #[serde(with = "serde_util::opt_time")]
    pub last: Option<Nanos>,
    /// Calls (not records) since it entered scope; for an asset, the calls of credentials in scope on it.
    pub events: u64,
    /// Calls per kind of access (`read`, `write`, `delete`, `export`, `invoke`, `other`).
    pub actions: BTreeMap<Access, u64>,
    /// The most frequent action names, with their calls (at most ten).
    pub top_actions: Vec<ActionCount>,
    /// Bytes transferred by those calls, each call once.
    pub bytes: u64,
    /// Hops from the nearest seed.
    pub depth: u32,
    /// How it was reached: never empty.
    pub why: Vec<Why>,
    /// The calls counted (their primary rows), to recount after the analyst's changes.
    #[serde(skip)]
    pub(crate) calls: Vec<u32>,
}

impl ScopeEntity {
    pub fn entity(&self) -> Entity {
        Entity {
            kind: self.kind,
            name: self.name.clone(),
        }
    }
}

/// Calls of one action name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionCount {
    pub action: String,
    pub access: Access,
    pub events: u64,
}

/// A network the walk did not follow a credential into, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsualNetwork {
    pub network: String,
    /// Distinct identities seen in it before the incident window (at least the option's threshold).
    pub identities: usize,
    /// Addresses in it that credentials in scope used, not followed.
    pub ips: Vec<String>,
}

/// The analyst's changes to a scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    #[serde(serialize_with = "serde_util::entities")]
    pub added: Vec<Entity>,
    #[serde(serialize_with = "serde_util::entities")]
    pub dropped: Vec<Entity>,
}

/// The incident window the walk used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    #[serde(with = "serde_util::time")]
    pub since: Nanos,
    #[serde(with = "serde_util::opt_time")]
    pub until: Option<Nanos>,
}

/// The attack scope of some seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scope {
    pub seeds: Vec<ScopeEntity>,
    pub tokens: Vec<ScopeEntity>,
    pub identities: Vec<ScopeEntity>,
    pub ips: Vec<ScopeEntity>,
    pub assets: Vec<ScopeEntity>,
    /// Calls involving the entities in scope (each from the moment it entered scope).
    pub events: u64,
    /// First and last of those calls.
    #[serde(serialize_with = "serde_util::range")]
    pub time_range: Option<(Nanos, Nanos)>,
    pub window: Window,
    pub options: ScopeOptions,
    /// Networks not followed into: the organisation's usual ones.
    pub usual_networks: Vec<UsualNetwork>,
    /// Where a bound stopped the walk, and the analyst's changes.
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Changes::is_empty")]
    pub changes: Changes,
    /// Every entity in scope, for `entities()`.
    #[serde(skip)]
    all: Vec<Entity>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.dropped.is_empty()
    }
}

impl Scope {
    /// Walk from `seeds` over the events of `store`. Every seed must be in the bundle.
    pub fn build(
        store: &EventStore,
        lineage: &Lineage,
        seeds: &[Entity],
        opts: &ScopeOptions,
    ) -> Result<Scope, ScopeError> {
        walk::build(store, lineage, seeds, opts)
    }

    /// The non-empty lists, credentials first, each with its title (`Tokens`, `Identities`, `IPs`, `Assets`).
    pub fn lists(&self) -> impl Iterator<Item = (EntityKind, &'static str, &[ScopeEntity])> {
        [
            (EntityKind::Token, "Tokens"),
            (EntityKind::Identity, "Identities"),
            (EntityKind::Ip, "IPs"),
            (EntityKind::Asset, "Assets"),
        ]
        .into_iter()
        .map(move |(k, title)| (k, title, self.of_kind(k)))
        .filter(|(_, _, list)| !list.is_empty())
    }

    /// The list of one kind.
    pub fn of_kind(&self, kind: EntityKind) -> &[ScopeEntity] {
        match kind {
            EntityKind::Identity => &self.identities,
            EntityKind::Token => &self.tokens,
            EntityKind::Asset => &self.assets,
            EntityKind::Ip => &self.ips,
        }
    }

    fn of_kind_mut(&mut self, kind: EntityKind) -> &mut Vec<ScopeEntity> {
        match kind {
            EntityKind::Identity => &mut self.identities,
            EntityKind::Token => &mut self.tokens,
            EntityKind::Asset => &mut self.assets,
            EntityKind::Ip => &mut self.ips,
        }
    }

    /// The scope's entry for `e`.
    pub fn get(&self, e: &Entity) -> Option<&ScopeEntity> {
        self.of_kind(e.kind).iter().find(|s| s.name == e.name)
    }

    /// Whether `e` is in scope.
    pub fn contains(&self, e: &Entity) -> bool {
        self.get(e).is_some()
    }

    /// Every entity in scope (seeds included), kind by kind: identities, tokens, assets, IPs.
    pub fn entities(&self) -> impl Iterator<Item = &Entity> {
        // Entities are built on demand from the lists; keep a stable, borrowable copy.
        self.all.iter()
    }

    /// The scope with the analyst's changes: `added` entities join (as `added`, with no activity counted),
    /// `dropped` ones leave, and so does every entity reached only through a dropped one. Event counts and the
    /// time range are recounted from the calls of what remains.
    pub fn with_changes(&self, added: &[Entity], dropped: &[Entity]) -> Scope {
        let mut s = self.clone();
        let dropped_set: HashSet<&Entity> = dropped.iter().collect();
        for k in EntityKind::ALL {
            s.of_kind_mut(k)
                .retain(|e| !dropped_set.contains(&e.entity()));
        }
        // Whatever was reached only through what left goes too (seeds and additions stay).
        loop {
            let present: HashSet<Entity> = EntityKind::ALL
                .iter()
                .flat_map(|&k| s.of_kind(k).iter().map(ScopeEntity::entity))
                .collect();
            let mut removed = false;
            for k in EntityKind::ALL {
                let list = s.of_kind_mut(k);
                let before = list.len();
                list.retain(|e| {
                    e.why.iter().any(|w| match &w.from {
                        None => true,
                        Some(f) => present.contains(f),
                    })
                });
                for e in list.iter_mut() {
                    e.why
                        .retain(|w| w.from.as_ref().is_none_or(|f| present.contains(f)));
                }
                removed |= list.len() != before;
            }
            if !removed {
                break;
            }
        }
        s.seeds.retain(|e| !dropped_set.contains(&e.entity()));
        for a in added {
            if dropped_set.contains(a) || s.contains(a) {
                continue;
            }
            s.of_kind_mut(a.kind).push(ScopeEntity {
                name: a.name.clone(),
                kind: a.kind,
                first: None,
                last: None,
                events: 0,
                actions: BTreeMap::new(),
                top_actions: Vec::new(),
                bytes: 0,
                depth: 0,
                why: vec![Why {
                    edge: Edge::Added,
                    from: None,
                    event: None,
                    note: Some("added by the analyst".into()),
                }],
                calls: Vec::new(),
            });
        }
        for a in added {
            if !s.changes.added.contains(a) {
                s.changes.added.push(a.clone());
            }
        }
        for d in dropped {
            if !s.changes.dropped.contains(d) {
                s.changes.dropped.push(d.clone());
            }
        }
        s.recount();
        s
    }

    /// The total calls, time range and entity list, from the entities' own.
    fn recount(&mut self) {
        let mut calls: Vec<u32> = Vec::new();
        let (mut lo, mut hi) = (None::<Nanos>, None::<Nanos>);
        for k in EntityKind::ALL {
            for e in self.of_kind(k) {
                calls.extend(e.calls.iter().copied());
                if let Some(f) = e.first {
                    lo = Some(lo.map_or(f, |x| x.min(f)));
                }
                if let Some(l) = e.last {
                    hi = Some(hi.map_or(l, |x| x.max(l)));
                }
            }
        }
        calls.sort_unstable();
        calls.dedup();
        self.events = calls.len() as u64;
        self.time_range = lo.zip(hi);
        self.all = EntityKind::ALL
            .iter()
            .flat_map(|&k| self.of_kind(k).iter().map(ScopeEntity::entity))
            .collect();
    }
}
