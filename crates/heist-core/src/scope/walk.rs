//! The walk: breadth first from the seeds over credentials, identities and IPs, then the assets the credentials in
//! scope touched, then each entity's calls counted from the moment it entered scope.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use super::index::{slot, Index};
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
    asset_calls: Vec<u32>,
}

struct Walk<'a, 'f> {
    ix: &'a Index<'f>,
    lineage: &'a Lineage,
    opts: &'a ScopeOptions,
    window_since: Nanos,
    until: Nanos,
    usual: Usual,
    nodes: Vec<Node>,
    /// Per kind (`index::slot`): name -> node.
    pos: [HashMap<String, usize>; 4],
    queue: VecDeque<usize>,
    /// Per kind: entities reached but not added because the kind was full.
    over: [HashSet<String>; 4],
    /// Addresses already looked up in the usual networks.
    usual_of: HashMap<&'f str, Option<(String, usize)>>,
    /// Entities at the depth limit, not followed further.
    depth_cut: usize,
    usual_hits: BTreeMap<String, (usize, BTreeSet<String>)>,
}

/// The event behind a step, resolved only when the step is kept.
enum At {
    Nothing,
    Row(u32),
    Step(StepEvent),
}

/// How an entity is reached: a `Why` in the making.
struct Via {
    edge: Edge,
    from: Option<usize>,
    event: At,
    note: Option<String>,
}

/// A step from node `from` over `edge`, behind the event at `row`.
fn via(edge: Edge, from: usize, row: u32) -> Via {
    Via {
        edge,
        from: Some(from),
        event: At::Row(row),
        note: None,
    }
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
        pos: Default::default(),
        queue: VecDeque::new(),
        over: Default::default(),
        usual_of: HashMap::new(),
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
        let via = Via {
            edge: Edge::Seed,
            from: None,
            event: At::Nothing,
            note,
        };
        if let Some(i) = w.reach(s.kind, &s.name, via, first.max(window_since), 0, true) {
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

    /// The reason `via` stands for.
    fn why(&self, via: Via) -> Why {
        Why {
            edge: via.edge,
            from: via.from.map(|f| self.nodes[f].entity.clone()),
            event: match via.event {
                At::Nothing => None,
                At::Row(r) => Some(self.step(r)),
                At::Step(s) => Some(s),
            },
            note: via.note,
        }
    }

    /// Reach `kind:name` (a name as the frame spells it) through `via`. Returns its node, or None when its kind is
    /// full. The reason is only built when it is kept.
    fn reach(
        &mut self,
        kind: EntityKind,
        name: &str,
        via: Via,
        since: Nanos,
        depth: u32,
        whole: bool,
    ) -> Option<usize> {
        let k = slot(kind);
        if let Some(&i) = self.pos[k].get(name) {
            let from = via.from.map(|f| &self.nodes[f].entity);
            let n = &self.nodes[i];
            let keep = n.why.len() < MAX_WHY
                && !n
                    .why
                    .iter()
                    .any(|w| w.edge == via.edge && w.from.as_ref() == from);
            if keep {
                let why = self.why(via);
                self.nodes[i].why.push(why);
            }
            let n = &mut self.nodes[i];
            n.since = n.since.min(since);
            n.whole |= whole;
            return Some(i);
        }
        if self.pos[k].len() >= self.opts.max_entities {
            if !self.over[k].contains(name) {
                self.over[k].insert(name.to_string());
            }
            return None;
        }
        let why = self.why(via);
        let i = self.nodes.len();
        self.pos[k].insert(name.to_string(), i);
        self.nodes.push(Node {
            entity: Entity {
                kind,
                name: name.to_string(),
            },
            since,
            depth,
            why: vec![why],
            whole,
            seed: false,
            asset_calls: Vec::new(),
        });
        self.queue.push_back(i);
        Some(i)
    }

    fn in_scope(&self, kind: EntityKind, name: &str) -> bool {
        self.pos[slot(kind)].contains_key(name)
    }

    /// Follow an address a credential or identity was used from, unless it is in a usual network.
    fn follow_ip(&mut self, ip: &'f str, from: usize, row: u32) {
        let usual = &self.usual;
        let known = self.usual_of.entry(ip).or_insert_with(|| usual.of(ip));
        if let Some((net, n)) = known {
            let e = self
                .usual_hits
                .entry(net.clone())
                .or_insert((*n, BTreeSet::new()));
            e.1.insert(ip.to_string());
            return;
        }
        let d = self.nodes[from].depth + 1;
        let t = self.ix.time(row);
        self.reach(
            EntityKind::Ip,
            ip,
            via(Edge::UsedFrom, from, row),
            t,
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
        let own = ix.rows(EntityKind::Token, &name);
        let rows = ix.window(own, since, self.until);
        // What it minted once compromised (a credential minted before was in other hands).
        for l in self.lineage.children_of_token(&name) {
            let t = l.minted_by.time;
            if l.depth != 1 || t < since || t > self.until {
                continue;
            }
            let step = self.step_of_ref(&l.minted_by, own);
            let child = l.token.as_deref().filter(|c| *c != name);
            let by = match child {
                Some(c) => {
                    let v = Via {
                        edge: Edge::MintedBy,
                        from: Some(i),
                        event: At::Step(step.clone()),
                        note: None,
                    };
                    self.reach(EntityKind::Token, c, v, t, d + 1, false)
                }
                None => Some(i),
            };
            if let (Some(by), Some(id)) = (by, l.identity.as_deref()) {
                let v = Via {
                    edge: if by == i {
                        Edge::MintedBy
                    } else {
                        Edge::IdentityOf
                    },
                    from: Some(by),
                    event: At::Step(step),
                    note: None,
                };
                self.reach(EntityKind::Identity, id, v, t, d + 1, is_session(id));
            }
        }
        for (ip, r) in firsts(ix, rows, Col::SourceIp, |_| true) {
            self.follow_ip(ip, i, r);
        }
        for (id, r) in firsts(ix, rows, Col::Identity, |_| true) {
            let v = via(Edge::IdentityOf, i, r);
            self.reach(EntityKind::Identity, id, v, ix.time(r), d + 1, false);
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
        for (t, r) in firsts(ix, rows, Col::Token, |_| true) {
            let v = via(Edge::UsedToken, i, r);
            self.reach(EntityKind::Token, t, v, ix.time(r), d + 1, false);
        }
        let tokenless = |r: u32| ix.text(Col::Token, r).is_none();
        for (id, r) in firsts(ix, rows, Col::Identity, tokenless) {
            let v = via(Edge::ActedFrom, i, r);
            self.reach(EntityKind::Identity, id, v, ix.time(r), d + 1, false);
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
        for (t, r) in firsts(ix, rows, Col::Token, |_| true) {
            let v = via(Edge::UsedToken, i, r);
            self.reach(EntityKind::Token, t, v, ix.time(r), d + 1, false);
        }
        for (ip, r) in firsts(ix, rows, Col::SourceIp, |_| true) {
            self.follow_ip(ip, i, r);
        }
    }

    /// An asset seed: who acted on it in the window.
    fn expand_asset(&mut self, i: usize) {
        if !self.nodes[i].seed {
            return;
        }
        let d = self.nodes[i].depth;
        let ix = self.ix;
        let all = seed_rows(ix, &self.nodes[i].entity);
        let rows = ix.window(&all, self.window_since, self.until);
        for (t, r) in firsts(ix, rows, Col::Token, |_| true) {
            let v = via(Edge::ActedOn, i, r);
            self.reach(EntityKind::Token, t, v, ix.time(r), d + 1, false);
        }
        let tokenless = |r: u32| ix.text(Col::Token, r).is_none();
        for (id, r) in firsts(ix, rows, Col::Identity, tokenless) {
            let v = via(Edge::ActedOn, i, r);
            self.reach(EntityKind::Identity, id, v, ix.time(r), d + 1, false);
        }
    }

    /// The assets touched by the credentials in scope (and by identities in scope without a credential, or with
    /// one in scope), from when each entered scope; every record of a call names what it touched.
    fn assets(&mut self) {
        let ix = self.ix;
        let n = self.nodes.len();
        for i in 0..n {
            let (kind, since) = (self.nodes[i].entity.kind, self.nodes[i].since);
            if !matches!(kind, EntityKind::Token | EntityKind::Identity) {
                continue;
            }
            let name = self.nodes[i].entity.name.clone();
            let whole = self.nodes[i].whole;
            let rows = ix.window(ix.rows(kind, &name), since, self.until);
            let mut calls: Vec<u32> = Vec::new();
            for &r in rows {
                if kind == EntityKind::Identity && !whole {
                    if let Some(t) = ix.text(Col::Token, r) {
                        if !self.in_scope(EntityKind::Token, t) {
                            continue;
                        }
                    }
                }
                calls.push(ix.calls.primary(r));
            }
            calls.dedup();
            let d = self.nodes[i].depth + 1;
            let mut assets: Vec<&str> = Vec::new();
            for p in calls {
                assets.clear();
                assets.extend(ix.call_records(p).filter_map(|r| ix.text(Col::Asset, r)));
                assets.sort_unstable();
                assets.dedup();
                for &a in &assets {
                    let v = via(Edge::Touched, i, p);
                    if let Some(j) = self.reach(EntityKind::Asset, a, v, ix.time(p), d, false) {
                        self.nodes[j].asset_calls.push(p);
                    }
                }
            }
        }
        self.queue.clear();
    }

    fn finish(self) -> Scope {
        let mut notes = Vec::new();
        for k in EntityKind::ALL {
            let n = self.over[slot(k)].len();
            if n > 0 {
                notes.push(format!(
                    "stopped at {} {}: {n} more reached but not added (raise the entity limit to see them)",
                    self.opts.max_entities,
                    k.plural()
                ));
            }
        }
        if self.depth_cut > 0 {
            notes.push(format!(
                "{} entities at depth {} not followed further (raise the depth limit to follow them)",
                self.depth_cut, self.opts.max_depth
            ));
        }
        let mut lists: BTreeMap<EntityKind, Vec<ScopeEntity>> = BTreeMap::new();
        let mut seeds = Vec::new();
        let mut access = HashMap::new();
        for n in &self.nodes {
            let calls = self.calls_of(n);
            let mut e = tally(self.ix, &n.entity, calls, &mut access);
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
        let ix = self.ix;
        let mut calls: Vec<u32> = n.asset_calls.clone();
        let seed_assets;
        let rows: &[u32] = match n.entity.kind {
            EntityKind::Asset if !n.seed => &[],
            EntityKind::Asset => {
                seed_assets = seed_rows(ix, &n.entity);
                &seed_assets
            }
            k => ix.rows(k, &n.entity.name),
        };
        calls.extend(
            ix.window(rows, n.since, self.until)
                .iter()
                .map(|&r| ix.calls.primary(r)),
        );
        calls.sort_unstable();
        calls.dedup();
        calls
    }
}
