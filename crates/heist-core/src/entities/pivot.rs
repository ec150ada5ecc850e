//! Pivots: from one entity to everything connected to it — the events that involve it, the identities, tokens,
//! assets and IPs of those events, and its lineage up and down. Pivots compose: each keeps the trail of entities
//! it was reached through, so a UI can go back.
//!
//! What "involves" means, per kind:
//! - token: events that used it, minted it or revoked it — and the same for every token minted down its lineage,
//!   so a leaked key leads to everything done with the sessions and keys it spawned; plus events of a minted
//!   session identity that carry no token of their own (Bedrock invocation logs, S3 access logs name the session
//!   ARN, not the key), from the minting time on.
//! - identity: events where it is the principal, the role behind a session (`issuer`), the real caller behind an
//!   impersonation (`caller`), or whom a credential was minted for.
//! - asset: events on it or, for a container (a bucket, a project), on anything under it (`bucket/...`).
//! - ip: events from it.
//!
//! In every case, rows of other sources that share a request id with an involved event join in (S3 server access
//! log rows and Bedrock invocation logs carry CloudTrail's request id).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use polars::prelude::*;

use super::lineage::{Lineage, Link};
use super::table::entity_table;
use super::{Entity, EntityKind};
use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::query::mask::{distinct, is_any, is_any_where_ci, is_set};

/// The result of one pivot.
#[derive(Debug, Clone)]
pub struct Pivot {
    pub entity: Entity,
    /// Entities pivoted through before this one, oldest first.
    pub trail: Vec<Entity>,
    /// The involved events, in time order.
    pub events: DataFrame,
    /// How many of those were joined in by request id from another source.
    pub joined: usize,
    pub identities: DataFrame,
    pub tokens: DataFrame,
    pub assets: DataFrame,
    pub ips: DataFrame,
    /// Lineage: where the entity's credentials came from, and what they minted.
    pub parents: Vec<Link>,
    pub children: Vec<Link>,
}

impl Pivot {
    /// The related-entity table of `kind`.
    pub fn related(&self, kind: EntityKind) -> &DataFrame {
        match kind {
            EntityKind::Identity => &self.identities,
            EntityKind::Token => &self.tokens,
            EntityKind::Asset => &self.assets,
            EntityKind::Ip => &self.ips,
        }
    }
}

/// Pivots over one loaded store. Building it reads the lineage once; each pivot is then a few integer-code scans.
pub struct PivotEngine<'a> {
    frame: &'a DataFrame,
    pub lineage: Arc<Lineage>,
    /// Every source in the frame: a request-id join needs two.
    sources: Vec<String>,
}

impl<'a> PivotEngine<'a> {
    pub fn new(store: &'a EventStore) -> PolarsResult<Self> {
        let label = |origin: &str, line: u32| store.origin_label(origin, line);
        let lineage = Lineage::build(&store.frame, &label)?;
        Ok(Self::with_lineage(store, Arc::new(lineage)))
    }

    /// An engine over `store` with a lineage already read (the TUI reads it once at load).
    pub fn with_lineage(store: &'a EventStore, lineage: Arc<Lineage>) -> Self {
        let sources = distinct(&store.frame, Col::Source).unwrap_or_default();
        Self {
            frame: &store.frame,
            lineage,
            sources,
        }
    }

    /// Pivot to `entity` from scratch.
    pub fn pivot(&self, entity: &Entity) -> PolarsResult<Pivot> {
        self.pivot_with_trail(entity, Vec::new())
    }

    /// Pivot to `entity` from an earlier pivot, keeping the breadcrumb trail.
    pub fn pivot_from(&self, from: &Pivot, entity: &Entity) -> PolarsResult<Pivot> {
        let mut trail = from.trail.clone();
        trail.push(from.entity.clone());
        self.pivot_with_trail(entity, trail)
    }

    fn pivot_with_trail(&self, entity: &Entity, trail: Vec<Entity>) -> PolarsResult<Pivot> {
        let df = self.frame;
        let name = entity.name.as_str();
        let (mask, parents, children) = match entity.kind {
            EntityKind::Token => {
                let children = self.lineage.children_of_token(name);
                let mut m = self.token_events(name, None)?;
                // A descendant counts from the moment this chain minted it: a shared credential (an account's
                // keys, listed at 04:11) was in other hands before.
                let mut since: Vec<(&str, i64)> = Vec::new();
                for l in &children {
                    if let Some(t) = l.token.as_deref().filter(|t| *t != name) {
                        match since.iter_mut().find(|(x, _)| *x == t) {
                            Some((_, at)) => *at = (*at).min(l.minted_by.time),
                            None => since.push((t, l.minted_by.time)),
                        }
                    }
                }
                for (t, at) in &since {
                    m = &m | &self.token_events(t, Some(*at))?;
                }
                let mut t: Vec<&str> = vec![name];
                t.extend(since.iter().map(|(t, _)| *t));
                m = &m | &self.tokenless_session_events(&t)?;
                (m, self.lineage.parents_of_token(name), children)
            }
            EntityKind::Identity => {
                let v = [name];
                let m = &(&(&is_any(df, Col::Identity, &v)? | &is_any(df, Col::Issuer, &v)?)
                    | &is_any(df, Col::Caller, &v)?)
                    | &is_any(df, Col::MintedIdentity, &v)?;
                (
                    m,
                    self.lineage.parents_of_identity(name),
                    self.lineage.children_of_identity(name),
                )
            }
            EntityKind::Asset => {
                let prefix = format!("{name}/");
                let mut under: Vec<String> = distinct(df, Col::Asset)?
                    .into_iter()
                    .filter(|a| a.starts_with(&prefix))
                    .collect();
                under.push(name.to_string());
                let v: Vec<&str> = under.iter().map(String::as_str).collect();
                (is_any(df, Col::Asset, &v)?, Vec::new(), Vec::new())
            }
            EntityKind::Ip => (is_any(df, Col::SourceIp, &[name])?, Vec::new(), Vec::new()),
        };
        let (mask, joined) = self.join_by_request_id(mask)?;
        let events = df.filter(&mask)?;
        Ok(Pivot {
            entity: entity.clone(),
            trail,
            joined,
            identities: entity_table(&events, EntityKind::Identity)?,
            tokens: entity_table(&events, EntityKind::Token)?,
            assets: entity_table(&events, EntityKind::Asset)?,
            ips: entity_table(&events, EntityKind::Ip)?,
            events,
            parents,
            children,
        })
    }

    /// Events that used, minted or revoked `token`, from `since` on when given.
    fn token_events(&self, token: &str, since: Option<i64>) -> PolarsResult<BooleanChunked> {
        let df = self.frame;
        let t = [token];
        let m = &(&is_any(df, Col::Token, &t)? | &is_any(df, Col::MintedToken, &t)?)
            | &is_any(df, Col::RevokedToken, &t)?;
        let Some(since) = since else { return Ok(m) };
        // The frame is in time order: the rows before `since` are a prefix.
        let times = df.column(Col::Time.name())?.datetime()?.physical();
        let (mut lo, mut hi) = (0usize, df.height());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if times.get(mid).is_some_and(|t| t >= since) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let mut out = BooleanChunked::full("t".into(), false, lo);
        out.append(&m.slice(lo as i64, df.height() - lo))?;
        Ok(out)
    }

    /// Events of session identities minted by `tokens` that carry no token (model-invocation and access logs),
    /// from the first minting on.
    fn tokenless_session_events(&self, tokens: &[&str]) -> PolarsResult<BooleanChunked> {
        let df = self.frame;
        let mut sessions: Vec<&str> = Vec::new();
        let mut since = i64::MAX;
        for m in &self.lineage.mints {
            let from_chain = m
                .child_token
                .as_deref()
                .is_some_and(|t| tokens.contains(&t));
            if let (true, Some(id)) = (from_chain, m.child_identity.as_deref()) {
                if id.contains(":assumed-role/") || id.contains(":federated-user/") {
                    sessions.push(id);
                    since = since.min(m.event.time);
                }
            }
        }
        if sessions.is_empty() {
            return Ok(BooleanChunked::full("s".into(), false, df.height()));
        }
        let by_session = is_any(df, Col::Identity, &sessions)?;
        let tokenless = !&is_set(df, Col::Token)?;
        let times = df.column(Col::Time.name())?.datetime()?.physical();
        let after: BooleanChunked = times.gt_eq(since);
        Ok(&(&by_session & &tokenless) & &after.fill_null_with_values(false)?)
    }

    /// Add rows from other sources that share a request id with a selected row. A request id is unique within one
    /// provider's logs, not across sources that happen to use the same id shape, so a row joins only when a
    /// selected row with its id comes from a different source (S3 access log row <-> CloudTrail data event).
    fn join_by_request_id(&self, mask: BooleanChunked) -> PolarsResult<(BooleanChunked, usize)> {
        let df = self.frame;
        let selected = df
            .select([Col::RequestId.name(), Col::Source.name()])?
            .filter(&mask)?;
        let r = FrameReader::new(&selected)?;
        // Request ids are compared case-insensitively: CloudTrail and the Bedrock invocation log spell the same id
        // in different case.
        let mut by_id: HashMap<String, HashSet<&str>> = HashMap::new();
        for i in 0..r.height() {
            if let (Some(id), Some(src)) = (r.text(Col::RequestId, i), r.text(Col::Source, i)) {
                by_id
                    .entry(id.to_ascii_lowercase())
                    .or_default()
                    .insert(src);
            }
        }
        if by_id.is_empty() {
            return Ok((mask, 0));
        }
        // Only rows of a source other than the selected ones' can join; when the selection is all one source,
        // rows of that source are skipped before any id is compared.
        let selected_sources: HashSet<&str> = by_id.values().flatten().copied().collect();
        let mut joinable: Vec<&str> = self.sources.iter().map(String::as_str).collect();
        if selected_sources.len() == 1 {
            joinable.retain(|s| !selected_sources.contains(s));
        }
        if joinable.is_empty() {
            return Ok((mask, 0));
        }
        let pre = &is_any(df, Col::Source, &joinable)? & &!&mask;
        let candidates = is_any_where_ci(df, Col::RequestId, &by_id, &pre)?;
        let idx: Vec<IdxSize> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, b)| (b == Some(true)).then_some(i as IdxSize))
            .collect();
        if idx.is_empty() {
            return Ok((mask, 0));
        }
        let cand = df
            .select([Col::RequestId.name(), Col::Source.name()])?
            .take(&IdxCa::from_vec("i".into(), idx.clone()))?;
        let c = FrameReader::new(&cand)?;
        let mut extra = vec![false; df.height()];
        let mut n = 0;
        for (k, &i) in idx.iter().enumerate() {
            let (Some(id), Some(src)) = (c.text(Col::RequestId, k), c.text(Col::Source, k)) else {
                continue;
            };
            if by_id
                .get(&id.to_ascii_lowercase())
                .is_some_and(|s| s.iter().any(|&x| x != src))
            {
                extra[i as usize] = true;
                n += 1;
            }
        }
        let extra = BooleanChunked::from_slice("j".into(), &extra);
        Ok((&mask | &extra, n))
    }
}
