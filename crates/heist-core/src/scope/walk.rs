//! The walk: breadth first from the seeds over credentials, identities and IPs, then the assets the credentials in
//! scope touched, then each entity's calls counted from the moment it entered scope.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use super::index::Index;
use super::tally::tally;
use super::usual::Usual;
use super::{
    Edge, Scope, ScopeEntity, ScopeError, ScopeOptions, StepEvent, UsualNetwork, Why, Window,
};
use crate::entities::{Entity, EntityKind, EventRef, Lineage};
use crate::frame::{Col, EventKey, EventStore};
use crate::util::time::Nanos;

/// Reasons kept per entity (the first reach, then others): enough to explain, not a dump.
const MAX_WHY: usize = 5;

struct Node {
    entity: Entity,
    since: Nanos,
    depth: u32,
    why: Vec<Why>,
    /// Everything this identity did is the attacker's (a seed, or a session minted with a compromised credential):
    /// its credentials and addresses are followed, not only the assets it touched.
    whole: bool,
    seed: bool,
    /// Calls that reached assets, for an asset node.
    asset_calls: BTreeSet<u32>,
}

struct Walk<'a, 'f> {
    ix: &'a Index<'f>,
    lineage: &'a Lineage,
    opts: &'a ScopeOptions,
    window_since: Nanos,
    until: Nanos,
    usual: Usual,
    nodes: Vec<Node>,
    pos: HashMap<Entity, usize>,
    queue: VecDeque<usize>,
    /// Per kind: entities reached but not added because the kind was full.
    over: BTreeMap<EntityKind, usize>,
    /// Entities at the depth limit, not followed further.
    depth_cut: usize,
    usual_hits: BTreeMap<String, (usize, BTreeSet<String>)>,
}

fn is_session(identity: &str) -> bool {
    identity.contains(":assumed-role/") || identity.contains(":federated-user/")
}

pub(super) fn build(
    store: &EventStore,
    lineage: &Lineage,
    seeds: &[Entity],
    opts: &ScopeOptions,
) -> Result<Scope, ScopeError> {
    if seeds.is_empty() {
        return Err(ScopeError::NoSeed);
    }
    let ix = Index::new(&store.frame)?;
    // Every seed must be in the bundle; its first activity opens the window.
    let mut firsts = Vec::with_capacity(seeds.len());
    for s in seeds {
        let first = seed_rows(&ix, s)
            .first()
            .map(|&r| ix.time(r))
            .or_else(|| match s.kind {
                EntityKind::Token => lineage.minted(&s.name).map(|m| m.event.time).min(),
                EntityKind::Identity => lineage
                    .mints
                    .iter()
                    .filter(|m| m.child_identity.as_deref() == Some(&s.name))
                    .map(|m| m.event.time)
                    .min(),
                _ => None,
            })
            .ok_or_else(|| ScopeError::NotInBundle(s.clone()))?;
        firsts.push(first);
    }
    let window_since = opts
        .since
        .unwrap_or_else(|| firsts.iter().copied().min().unwrap_or(0));
    let until = opts.until.unwrap_or(Nanos::MAX);
    let mut w = Walk {
        ix: &ix,
        lineage,
        opts,
        window_since,
        until,
        usual: Usual::build(&ix, window_since, opts.usual_min_identities),
        nodes: Vec::new(),
        pos: HashMap::new(),
        queue: VecDeque::new(),
        over: BTreeMap::new(),
        depth_cut: 0,
        usual_hits: BTreeMap::new(),
    };
    for (s, &first) in seeds.iter().zip(&firsts) {
        let note = match s.kind {
            EntityKind::Ip => w.usual.of(&s.name).map(|(net, n)| {
                format!("in a usual network ({net}: {n} identities before the window); followed as a seed")
            }),
            _ => None,
        };
        let why = Why {
            edge: Edge::Seed,
            from: None,
            event: None,
            note,
        };
        if let Some(i) = w.reach(s.clone(), why, first.max(window_since), 0, true) {
            w.nodes[i].seed = true;
        }
    }
    while let Some(i) = w.queue.pop_front() {
        if w.nodes[i].depth >= opts.max_depth {
            w.depth_cut += 1;
            continue;
        }
        match w.nodes[i].entity.kind {
            EntityKind::Token => w.expand_token(i),
            EntityKind::Ip => w.expand_ip(i),
            EntityKind::Identity => w.expand_identity(i),
            EntityKind::Asset => w.expand_asset(i),
        }
    }
    w.assets();
    Ok(w.finish())
}

/// The rows that name a seed (every asset under a container seed).
fn seed_rows(ix: &Index<'_>, s: &Entity) -> Vec<u32> {
    match s.kind {
        EntityKind::Asset => {
            let mut rows: Vec<u32> = ix
                .assets_under(&s.name)
                .into_iter()
                .flat_map(|a| ix.rows(EntityKind::Asset, a).iter().copied())
                .collect();
            rows.sort_unstable();
            rows
        }
        k => ix.rows(k, &s.name).to_vec(),
    }
}

/// Each distinct value of `col` among `rows`, with the first row naming it, in row order.
fn firsts<'f>(
    ix: &Index<'f>,
    rows: &[u32],
    col: Col,
    keep: impl Fn(u32) -> bool,
) -> Vec<(&'f str, u32)> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for &r in rows {
        if !keep(r) {
            continue;
        }
        if let Some(v) = ix.text(col, r) {
            if seen.insert(v) {
                out.push((v, r));
            }
        }
    }
    out
}

impl<'a, 'f> Walk<'a, 'f> {
    fn step(&self, row: u32) -> StepEvent {
        StepEvent {
            time: self.ix.time(row),
            action: self.ix.call_action(row).to_string(),
            key: self.ix.key(row),
        }
    }

    /// A lineage event as a step: found among `rows` (the minting credential's) for its key.
    fn step_of_ref(&self, e: &EventRef, rows: &[u32]) -> StepEvent {
        let found = rows.iter().copied().find(|&r| {
            self.ix.time(r) == e.time && self.ix.text(Col::Action, r) == Some(e.action.as_str())
        });
        let key = match found {
            Some(r) => self.ix.key(r),
            None => e
                .event_id
                .as_deref()
                .map(|id| EventKey::new(&e.source, Some(id), Some(&e.action), 0)),
        };
        StepEvent {
            time: e.time,
            action: e.action.clone(),
            key,
        }
    }

    fn kind_count(&self, kind: EntityKind) -> usize {
        self.nodes.iter().filter(|n| n.entity.kind == kind).count()
    }

    /// Reach `e` through `why`. Returns its node, or None when its kind is full.
    fn reach(
        &mut self,
        e: Entity,
        why: Why,
        since: Nanos,
        depth: u32,
        whole: bool,
    ) -> Option<usize> {
        if let Some(&i) = self.pos.get(&e) {
            let n = &mut self.nodes[i];
            let dup = n
                .why
                .iter()
                .any(|w| w.edge == why.edge && w.from == why.from);
            if !dup && n.why.len() < MAX_WHY {
                n.why.push(why);
            }
            n.since = n.since.min(since);
            n.whole |= whole;
            return Some(i);
        }
        if self.kind_count(e.kind) >= self.opts.max_entities {
            *self.over.entry(e.kind).or_default() += 1;
            return None;
        }
        let i = self.nodes.len();
        self.pos.insert(e.clone(), i);
        self.nodes.push(Node {
            entity: e,
            since,
            depth,
            why: vec![why],
            whole,
            seed: false,
            asset_calls: BTreeSet::new(),
        });
        self.queue.push_back(i);
        Some(i)
    }

    fn edge(&self, edge: Edge, from: usize, row: Option<u32>) -> Why {
        Why {
            edge,
            from: Some(self.nodes[from].entity.clone()),
            event: row.map(|r| self.step(r)),
            note: None,
        }
    }

    /// Follow an address a credential or identity was used from, unless it is in a usual network.
    fn follow_ip(&mut self, ip: &str, from: usize, row: u32) {
        if let Some((net, n)) = self.usual.of(ip) {
            let e = self.usual_hits.entry(net).or_insert((n, BTreeSet::new()));
            e.1.insert(ip.to_string());
            return;
        }
        let why = self.edge(Edge::UsedFrom, from, Some(row));
        let d = self.nodes[from].depth + 1;
        self.reach(
            Entity::new(EntityKind::Ip, ip),
            why,
            self.ix.time(row),
            d,
            false,
        );
    }

    fn expand_token(&mut self, i: usize) {
        let (name, since, d) = {
            let n = &self.nodes[i];
            (n.entity.name.clone(), n.since, n.depth)
        };
        let ix = self.ix;
        let rows = ix.window(ix.rows(EntityKind::Token, &name), since, self.until);
        // What it minted once compromised (a credential minted before was in other hands).
        for l in self.lineage.children_of_token(&name) {
            let t = l.minted_by.time;
            if l.depth != 1 || t < since || t > self.until {
                continue;
            }
            let step = self.step_of_ref(&l.minted_by, self.ix.rows(EntityKind::Token, &name));
            let child = l.token.as_deref().filter(|c| *c != name);
            let via = match child {
                Some(c) => {
                    let why = Why {
                        edge: Edge::MintedBy,
                        from: Some(self.nodes[i].entity.clone()),
                        event: Some(step.clone()),
                        note: None,
                    };
                    self.reach(Entity::new(EntityKind::Token, c), why, t, d + 1, false)
                }
                None => Some(i),
            };
            if let (Some(via), Some(id)) = (via, l.identity.as_deref()) {
                let edge = if via == i {
                    Edge::MintedBy
                } else {
                    Edge::IdentityOf
                };
                let why = Why {
                    edge,
                    from: Some(self.nodes[via].entity.clone()),
                    event: Some(step),
                    note: None,
                };
                self.reach(
                    Entity::new(EntityKind::Identity, id),
                    why,
                    t,
                    d + 1,
                    is_session(id),
                );
            }
        }
        for (ip, r) in firsts(self.ix, rows, Col::SourceIp, |_| true) {
            self.follow_ip(ip, i, r);
        }
        for (id, r) in firsts(self.ix, rows, Col::Identity, |_| true) {
            let why = self.edge(Edge::IdentityOf, i, Some(r));
            let t = self.ix.time(r);
            self.reach(Entity::new(EntityKind::Identity, id), why, t, d + 1, false);
        }
    }

    fn expand_ip(&mut self, i: usize) {
        let (name, d) = (self.nodes[i].entity.name.clone(), self.nodes[i].depth);
        // Every credential used there in the incident window, not only after this address entered scope.
        let ix = self.ix;
        let rows = ix.window(
            ix.rows(EntityKind::Ip, &name),
            self.window_since,
            self.until,
        );
        for (t, r) in firsts(self.ix, rows, Col::Token, |_| true) {
            let why = self.edge(Edge::UsedToken, i, Some(r));
            let at = self.ix.time(r);
            self.reach(Entity::new(EntityKind::Token, t), why, at, d + 1, false);
        }
        let tokenless = |r: u32| ix.text(Col::Token, r).is_none();
        for (id, r) in firsts(ix, rows, Col::Identity, tokenless) {
            let why = self.edge(Edge::ActedFrom, i, Some(r));
            let at = self.ix.time(r);
            self.reach(Entity::new(EntityKind::Identity, id), why, at, d + 1, false);
        }
    }

    fn expand_identity(&mut self, i: usize) {
        if !self.nodes[i].whole {
            return;
        }
        let (name, since, d) = {
            let n = &self.nodes[i];
            (n.entity.name.clone(), n.since, n.depth)
        };
        let ix = self.ix;
        let rows = ix.window(ix.rows(EntityKind::Identity, &name), since, self.until);
        for (t, r) in firsts(self.ix, rows, Col::Token, |_| true) {
            let why = self.edge(Edge::UsedToken, i, Some(r));
            let at = self.ix.time(r);
            self.reach(Entity::new(EntityKind::Token, t), why, at, d + 1, false);
        }
        for (ip, r) in firsts(self.ix, rows, Col::SourceIp, |_| true) {
            self.follow_ip(ip, i, r);
        }
    }

    /// An asset seed: who acted on it in the window.
    fn expand_asset(&mut self, i: usize) {
        if !self.nodes[i].seed {
            return;
        }
        let d = self.nodes[i].depth;
        let all = seed_rows(self.ix, &self.nodes[i].entity);
        let rows = self.ix.window(&all, self.window_since, self.until);
        for (t, r) in firsts(self.ix, rows, Col::Token, |_| true) {
            let why = self.edge(Edge::ActedOn, i, Some(r));
            let at = self.ix.time(r);
            self.reach(Entity::new(EntityKind::Token, t), why, at, d + 1, false);
        }
        let ix = self.ix;
        let tokenless = |r: u32| ix.text(Col::Token, r).is_none();
        for (id, r) in firsts(ix, rows, Col::Identity, tokenless) {
            let why = self.edge(Edge::ActedOn, i, Some(r));
            let at = self.ix.time(r);
            self.reach(Entity::new(EntityKind::Identity, id), why, at, d + 1, false);
        }
    }

    /// The assets touched by the credentials in scope (and by identities in scope without a credential, or with
    /// one in scope), from when each entered scope; every record of a call names what it touched.
    fn assets(&mut self) {
        let n = self.nodes.len();
        for i in 0..n {
            let (kind, since) = (self.nodes[i].entity.kind, self.nodes[i].since);
            if !matches!(kind, EntityKind::Token | EntityKind::Identity) {
                continue;
            }
            let name = self.nodes[i].entity.name.clone();
            let whole = self.nodes[i].whole;
            let ix = self.ix;
            let rows = ix.window(ix.rows(kind, &name), since, self.until);
            let mut calls: Vec<u32> = Vec::new();
            for &r in rows {
                if kind == EntityKind::Identity && !whole {
                    if let Some(t) = self.ix.text(Col::Token, r) {
                        if !self.pos.contains_key(&Entity::new(EntityKind::Token, t)) {
                            continue;
                        }
                    }
                }
                calls.push(self.ix.calls.primary(r));
            }
            calls.dedup();
            let d = self.nodes[i].depth + 1;
            for p in calls {
                let assets: Vec<&str> = self
                    .ix
                    .call_records(p)
                    .filter_map(|r| self.ix.text(Col::Asset, r))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                for a in assets {
                    let why = self.edge(Edge::Touched, i, Some(p));
                    let at = self.ix.time(p);
                    let e = Entity::new(EntityKind::Asset, a);
                    if let Some(j) = self.reach(e, why, at, d, false) {
                        self.nodes[j].asset_calls.insert(p);
                    }
                }
            }
        }
        self.queue.clear();
    }

    fn finish(self) -> Scope {
        let mut notes = Vec::new();
        for (k, n) in &self.over {
            notes.push(format!(
                "stopped at {} {}: {n} more reached but not added (raise the entity limit to see them)",
                self.opts.max_entities,
                k.plural()
            ));
        }
        if self.depth_cut > 0 {
            notes.push(format!(
                "{} entities at depth {} not followed further (raise the depth limit to follow them)",
                self.depth_cut, self.opts.max_depth
            ));
        }
        let mut lists: BTreeMap<EntityKind, Vec<ScopeEntity>> = BTreeMap::new();
        let mut seeds = Vec::new();
        for n in &self.nodes {
            let calls = self.calls_of(n);
            let mut e = tally(self.ix, &n.entity, &calls);
            e.depth = n.depth;
            e.why = n.why.clone();
            if n.seed {
                seeds.push(e.clone());
            }
            lists.entry(n.entity.kind).or_default().push(e);
        }
        for l in lists.values_mut() {
            l.sort_by(|a, b| (a.depth, a.first, &a.name).cmp(&(b.depth, b.first, &b.name)));
        }
        let mut take = |k| lists.remove(&k).unwrap_or_default();
        let mut s = Scope {
            seeds,
            tokens: take(EntityKind::Token),
            identities: take(EntityKind::Identity),
            ips: take(EntityKind::Ip),
            assets: take(EntityKind::Asset),
            events: 0,
            time_range: None,
            window: Window {
                since: self.window_since,
                until: self.opts.until,
            },
            options: self.opts.clone(),
            usual_networks: self
                .usual_hits
                .into_iter()
                .map(|(network, (identities, ips))| UsualNetwork {
                    network,
                    identities,
                    ips: ips.into_iter().collect(),
                })
                .collect(),
            notes,
            changes: Default::default(),
            all: Vec::new(),
        };
        s.recount();
        s
    }

    /// The calls an entity's counts are made of.
    fn calls_of(&self, n: &Node) -> Vec<u32> {
        let mut calls: BTreeSet<u32> = n.asset_calls.clone();
        let rows: Vec<u32> = match n.entity.kind {
            EntityKind::Asset if !n.seed => Vec::new(),
            EntityKind::Asset => seed_rows(self.ix, &n.entity),
            k => self.ix.rows(k, &n.entity.name).to_vec(),
        };
        for &r in self.ix.window(&rows, n.since, self.until) {
            calls.insert(self.ix.calls.primary(r));
        }
        calls.into_iter().collect()
    }
}
