//! Token lineage: every event that minted a credential (AssumeRole's session key, CreateAccessKey's key, a GCP
//! service-account key, a Kubernetes service-account token, ...) is an edge from the credential and identity that
//! made the call to the credential and identity it created. Revocations mark a credential's end. The graph is small
//! (one edge per minting event) and is walked up to a root credential and down to every descendant.

use std::collections::{HashMap, HashSet, VecDeque};

use polars::prelude::*;

use crate::frame::access::FrameReader;
use crate::frame::Col;
use crate::query::mask::is_set;
use crate::util::time::Nanos;

/// The event behind an edge or a revocation: enough to show it and to find it again in the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    pub time: Nanos,
    pub action: String,
    pub event_id: Option<String>,
    pub source: String,
    /// `path:line` / `path[index]` inside the bundle.
    pub origin: String,
    pub line: u32,
}

/// One minting event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mint {
    /// The credential that made the call (None: console, OAuth without a key id, ...).
    pub parent_token: Option<String>,
    pub parent_identity: Option<String>,
    /// The credential created (None when the log does not name it, e.g. GCP GenerateAccessToken).
    pub child_token: Option<String>,
    pub child_identity: Option<String>,
    pub event: EventRef,
}

/// One revocation event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub token: String,
    pub by_identity: Option<String>,
    pub event: EventRef,
}

/// One step in a lineage walk, as shown to the analyst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Distance from the starting entity: 1 = direct parent / child.
    pub depth: u32,
    /// The credential at this step (the parent when walking up, the child when walking down).
    pub token: Option<String>,
    pub identity: Option<String>,
    /// The other end of the edge (the child when walking up, the parent when walking down).
    pub via_token: Option<String>,
    pub via_identity: Option<String>,
    pub minted_by: EventRef,
}

/// The lineage graph of one event frame.
#[derive(Debug, Default)]
pub struct Lineage {
    pub mints: Vec<Mint>,
    pub revocations: Vec<Revocation>,
    by_child_token: HashMap<String, Vec<usize>>,
    by_parent_token: HashMap<String, Vec<usize>>,
    by_child_identity: HashMap<String, Vec<usize>>,
    by_parent_identity: HashMap<String, Vec<usize>>,
    revoked: HashMap<String, Vec<usize>>,
}

/// `path:line` or `path[i]` for an event row, matching the CLI's origin labels.
pub type OriginLabel<'a> = &'a dyn Fn(&str, u32) -> String;

impl Lineage {
    /// Read every minting and revoking event of `df` (a frame in time order).
    pub fn build(df: &DataFrame, label: OriginLabel<'_>) -> PolarsResult<Self> {
        let mask = &(&is_set(df, Col::MintedToken)? | &is_set(df, Col::MintedIdentity)?)
            | &is_set(df, Col::RevokedToken)?;
        let rows = df.filter(&mask)?;
        let r = FrameReader::new(&rows)?;
        let mut l = Lineage::default();
        for i in 0..r.height() {
            let text = |c: Col| r.text(c, i).map(str::to_string);
            let origin = r.text(Col::Origin, i).unwrap_or("");
            let line = r.u64(Col::Line, i).unwrap_or(0) as u32;
            let event = EventRef {
                time: r.time(i).unwrap_or(0),
                action: text(Col::Action).unwrap_or_default(),
                event_id: text(Col::EventId),
                source: text(Col::Source).unwrap_or_default(),
                origin: label(origin, line),
                line,
            };
            if let Some(token) = text(Col::RevokedToken) {
                l.revocations.push(Revocation {
                    token,
                    by_identity: text(Col::Identity),
                    event: event.clone(),
                });
            }
            let (ct, ci) = (text(Col::MintedToken), text(Col::MintedIdentity));
            if ct.is_some() || ci.is_some() {
                l.mints.push(Mint {
                    parent_token: text(Col::Token),
                    parent_identity: text(Col::Identity),
                    child_token: ct,
                    child_identity: ci,
                    event,
                });
            }
        }
        for (i, m) in l.mints.iter().enumerate() {
            let add = |map: &mut HashMap<String, Vec<usize>>, k: &Option<String>| {
                if let Some(k) = k {
                    map.entry(k.clone()).or_default().push(i);
                }
            };
            add(&mut l.by_child_token, &m.child_token);
            add(&mut l.by_parent_token, &m.parent_token);
            add(&mut l.by_child_identity, &m.child_identity);
            add(&mut l.by_parent_identity, &m.parent_identity);
        }
        for (i, r) in l.revocations.iter().enumerate() {
            l.revoked.entry(r.token.clone()).or_default().push(i);
        }
        Ok(l)
    }

    /// The events that minted `token` (usually one).
    pub fn minted(&self, token: &str) -> impl Iterator<Item = &Mint> {
        self.by_child_token
            .get(token)
            .into_iter()
            .flatten()
            .map(|&i| &self.mints[i])
    }

    /// The events that revoked `token`, earliest first.
    pub fn revocations_of(&self, token: &str) -> impl Iterator<Item = &Revocation> {
        self.revoked
            .get(token)
            .into_iter()
            .flatten()
            .map(|&i| &self.revocations[i])
    }

    /// When `token` was first revoked, if ever.
    pub fn revoked_at(&self, token: &str) -> Option<Nanos> {
        self.revocations_of(token).map(|r| r.event.time).min()
    }

    /// Walk up from a token: who minted it, with which credential, and so on to the root.
    pub fn parents_of_token(&self, token: &str) -> Vec<Link> {
        self.walk_up(self.by_child_token.get(token))
    }

    /// Walk up from an identity: the events that minted it (a session, a key's user) and their ancestry.
    pub fn parents_of_identity(&self, identity: &str) -> Vec<Link> {
        self.walk_up(self.by_child_identity.get(identity))
    }

    /// Walk down from a token: every credential minted with it, and theirs, breadth first.
    pub fn children_of_token(&self, token: &str) -> Vec<Link> {
        self.walk_down(self.by_parent_token.get(token))
    }

    /// Walk down from an identity: every credential it minted, and their descendants.
    pub fn children_of_identity(&self, identity: &str) -> Vec<Link> {
        self.walk_down(self.by_parent_identity.get(identity))
    }

    /// Every token descending from `token` (not including it).
    pub fn descendant_tokens(&self, token: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .children_of_token(token)
            .into_iter()
            .filter_map(|l| l.token)
            .collect();
        let mut seen = HashSet::new();
        out.retain(|t| t != token && seen.insert(t.clone()));
        out
    }

    fn walk_up(&self, start: Option<&Vec<usize>>) -> Vec<Link> {
        let mut out = Vec::new();
        let mut seen: HashSet<usize> = HashSet::new();
        let mut queue: VecDeque<(usize, u32)> =
            start.into_iter().flatten().map(|&i| (i, 1)).collect();
        while let Some((i, depth)) = queue.pop_front() {
            if !seen.insert(i) {
                continue;
            }
            let m = &self.mints[i];
            out.push(Link {
                depth,
                token: m.parent_token.clone(),
                identity: m.parent_identity.clone(),
                via_token: m.child_token.clone(),
                via_identity: m.child_identity.clone(),
                minted_by: m.event.clone(),
            });
            // The parent credential's own minting, if it was minted inside this bundle, and only before it was used.
            if let Some(p) = &m.parent_token {
                for &j in self.by_child_token.get(p).into_iter().flatten() {
                    if self.mints[j].event.time <= m.event.time {
                        queue.push_back((j, depth + 1));
                    }
                }
            }
        }
        out
    }

    fn walk_down(&self, start: Option<&Vec<usize>>) -> Vec<Link> {
        let mut out = Vec::new();
        let mut seen: HashSet<usize> = HashSet::new();
        let mut queue: VecDeque<(usize, u32)> =
            start.into_iter().flatten().map(|&i| (i, 1)).collect();
        while let Some((i, depth)) = queue.pop_front() {
            if !seen.insert(i) {
                continue;
            }
            let m = &self.mints[i];
            out.push(Link {
                depth,
                token: m.child_token.clone(),
                identity: m.child_identity.clone(),
                via_token: m.parent_token.clone(),
                via_identity: m.parent_identity.clone(),
                minted_by: m.event.clone(),
            });
            if let Some(c) = &m.child_token {
                for &j in self.by_parent_token.get(c).into_iter().flatten() {
                    if self.mints[j].event.time >= m.event.time {
                        queue.push_back((j, depth + 1));
                    }
                }
            }
        }
        out
    }

    /// Tokens that minted others but were not minted inside the bundle: the roots of the lineage trees.
    pub fn roots(&self) -> Vec<&str> {
        let mut roots: Vec<&str> = self
            .by_parent_token
            .keys()
            .filter(|t| !self.by_child_token.contains_key(*t))
            .map(String::as_str)
            .collect();
        roots.sort_unstable();
        roots
    }
}

#[cfg(test)]
mod tests;
