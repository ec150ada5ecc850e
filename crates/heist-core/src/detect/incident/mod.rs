//! Findings grouped into incidents, ranked: an analyst reads one incident holding the attack's steps, not a flat
//! list where the attack sits behind dozens of routine discovery bursts.
//!
//! Findings belong together when they share a credential or an identity close in time, an address outside the
//! organisation's usual networks ([`usual`]), or when a credential of one minted a credential of the other while
//! it was active ([`link`]); and, when the analyst has a scope, when they touch an entity in it. Findings whose
//! logs name no address at all (an OpenAI admin key's actions) join the one incident whose night holds them,
//! marked as linked by time alone. A group is an
//! incident when it holds several rules' findings scoring at least [`IncidentOptions::min_score`] (each rule once,
//! plus the attack steps it spans: see [`story`]), holds a critical finding, or touches the scope. Everything else
//! is "other findings", one line per rule with a count.

mod link;
pub mod story;
pub mod usual;

use std::collections::BTreeMap;

use polars::prelude::{DataFrame, PolarsResult};
use serde::Serialize;

use super::{Finding, Severity};
use crate::entities::{Entity, EntityKind, Lineage};
use crate::util::time::{format_utc, Nanos};

const HOUR: Nanos = 3_600_000_000_000;

/// How findings are grouped.
#[derive(Debug, Clone)]
pub struct IncidentOptions {
    /// Findings on one entity whose windows are further apart than this are separate stories.
    pub link_gap: Nanos,
    /// A network used by this many identities before a finding is the organisation's, and links nothing.
    pub usual_identities: usize,
    /// The score a group of several rules' findings needs to be an incident.
    pub min_score: u32,
}

impl Default for IncidentOptions {
    fn default() -> Self {
        IncidentOptions {
            link_gap: 12 * HOUR,
            usual_identities: usual::MIN_IDENTITIES,
            min_score: 11,
        }
    }
}

/// One incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// `I1`, `I2`, ... by rank.
    pub id: String,
    pub score: u32,
    /// The one-line story: who, from where, and the steps in order.
    pub title: String,
    pub severity: Severity,
    #[serde(serialize_with = "time_json")]
    pub first: Nanos,
    #[serde(serialize_with = "time_json")]
    pub last: Nanos,
    /// Indices into the findings the incidents were built from, in time order.
    pub findings: Vec<usize>,
    /// Every entity its findings name, credentials first.
    #[serde(serialize_with = "entities_json")]
    pub entities: Vec<Entity>,
    /// ATT&CK / ATLAS ids in the order they first happened.
    pub techniques: Vec<String>,
    /// The attack steps in order.
    pub steps: Vec<&'static str>,
    /// Findings that only time links to the rest: their log names no address, and they happened inside the
    /// incident's night (indices into the findings, a subset of `findings`).
    pub by_time: Vec<usize>,
}

/// Findings of one rule outside every incident, as one line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherGroup {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub count: usize,
    /// How many different entities the rule grouped by.
    pub entities: usize,
    #[serde(serialize_with = "time_json")]
    pub first: Nanos,
    #[serde(serialize_with = "time_json")]
    pub last: Nanos,
    /// Indices into the findings, in time order.
    pub findings: Vec<usize>,
}

/// Findings grouped: incidents by score (highest first), then the other findings by severity and count.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Incidents {
    pub incidents: Vec<Incident>,
    pub other: Vec<OtherGroup>,
    /// Finding index -> its incident's index in `incidents`.
    #[serde(skip)]
    member_of: Vec<Option<usize>>,
}

impl Incidents {
    /// The incident finding `i` belongs to.
    pub fn incident_of(&self, i: usize) -> Option<&Incident> {
        self.member_of
            .get(i)
            .copied()
            .flatten()
            .map(|k| &self.incidents[k])
    }

    /// Whether finding `i` is in its incident by time alone (its log names no address).
    pub fn joined_by_time(&self, i: usize) -> bool {
        self.incident_of(i)
            .is_some_and(|inc| inc.by_time.contains(&i))
    }

    /// The severity finding `i` is shown with: inside an incident, a step up (never above the incident's own),
    /// unless time alone links it; outside, its rule's.
    pub fn severity(&self, i: usize, f: &Finding) -> Severity {
        if self.joined_by_time(i) {
            return f.severity;
        }
        match self.incident_of(i) {
            Some(inc) if f.severity < inc.severity => {
                let up = Severity::ALL
                    .iter()
                    .copied()
                    .find(|s| *s > f.severity)
                    .unwrap_or(f.severity);
                up.min(inc.severity)
            }
            _ => f.severity,
        }
    }
}

/// Group `findings` (of `frame`, whose lineage is `lineage`) into incidents. `in_scope` says which entities the
/// analyst's scope holds: findings naming one are one incident, whatever their score.
pub fn group(
    frame: &DataFrame,
    lineage: &Lineage,
    findings: &[Finding],
    in_scope: Option<&dyn Fn(&Entity) -> bool>,
    opts: &IncidentOptions,
) -> PolarsResult<Incidents> {
    let n = findings.len();
    let addresses = findings
        .iter()
        .flat_map(|f| f.entities.iter())
        .filter(|e| e.kind == EntityKind::Ip)
        .map(|e| e.name.as_str());
    let usual = usual::UsualNetworks::build(frame, addresses, opts.usual_identities)?;
    let mut sets = link::Sets::new(n);
    let any = |_: &str, _: Nanos| true;
    link::by_shared(&mut sets, findings, EntityKind::Token, opts.link_gap, &any);
    link::by_shared(
        &mut sets,
        findings,
        EntityKind::Identity,
        opts.link_gap,
        &any,
    );
    let unusual = link::unusual_addresses(&usual, findings);
    link::by_shared(&mut sets, findings, EntityKind::Ip, opts.link_gap, &unusual);
    link::by_lineage(&mut sets, findings, lineage, opts.link_gap);
    let by_time = link::by_time(&mut sets, findings, &unusual);
    let mut scoped: Vec<bool> = vec![false; n];
    if let Some(in_scope) = in_scope {
        let mut first_scoped: Option<usize> = None;
        for (i, f) in findings.iter().enumerate() {
            if f.entities.iter().any(in_scope) {
                scoped[i] = true;
                match first_scoped {
                    Some(j) => sets.union(j, i),
                    None => first_scoped = Some(i),
                }
            }
        }
    }
    // Groups in the caller's order of their first member.
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let root = sets.find(i);
        groups.entry(root).or_default().push(i);
    }
    let mut incidents = Vec::new();
    let mut outside = Vec::new();
    for (_, mut members) in groups {
        members.sort_by_key(|&i| (findings[i].first, i));
        let fs = || members.iter().map(|&i| &findings[i]);
        let score = story::score(fs());
        let rules = {
            let mut r: Vec<&str> = fs().map(|f| f.rule.as_str()).collect();
            r.sort_unstable();
            r.dedup();
            r.len()
        };
        let critical = fs().any(|f| f.severity == Severity::Critical);
        let in_scope = members.iter().any(|&i| scoped[i]);
        if in_scope || critical || (rules >= 2 && score >= opts.min_score) {
            let mut inc = incident(findings, members, score, &usual);
            inc.by_time = inc
                .findings
                .iter()
                .copied()
                .filter(|i| by_time.binary_search(i).is_ok())
                .collect();
            incidents.push(inc);
        } else {
            outside.extend(members);
        }
    }
    incidents.sort_by(|a, b| b.score.cmp(&a.score).then(a.first.cmp(&b.first)));
    let mut member_of = vec![None; n];
    for (k, inc) in incidents.iter_mut().enumerate() {
        inc.id = format!("I{}", k + 1);
        for &i in &inc.findings {
            member_of[i] = Some(k);
        }
    }
    Ok(Incidents {
        incidents,
        other: others(findings, outside),
        member_of,
    })
}

fn incident(
    findings: &[Finding],
    members: Vec<usize>,
    score: u32,
    usual: &usual::UsualNetworks,
) -> Incident {
    let fs: Vec<&Finding> = members.iter().map(|&i| &findings[i]).collect();
    let mut entities: Vec<Entity> = Vec::new();
    for kind in [
        EntityKind::Token,
        EntityKind::Identity,
        EntityKind::Ip,
        EntityKind::Asset,
    ] {
        for f in &fs {
            for e in f.entities.iter().filter(|e| e.kind == kind) {
                if !entities.contains(e) {
                    entities.push(e.clone());
                }
            }
        }
    }
    let mut techniques: Vec<String> = Vec::new();
    for f in &fs {
        for t in &f.techniques {
            if !techniques.contains(t) {
                techniques.push(t.clone());
            }
        }
    }
    let steps = story::steps(fs.iter().copied());
    let first = fs.iter().map(|f| f.first).min().unwrap_or(0);
    Incident {
        id: String::new(),
        score,
        title: title(&fs, &entities, &steps, usual, first),
        severity: fs.iter().map(|f| f.severity).max().unwrap_or_default(),
        first,
        last: fs.iter().map(|f| f.last).max().unwrap_or(0),
        findings: members,
        entities,
        techniques,
        steps,
        by_time: Vec::new(),
    }
}

/// `AKIA... (and 4 more credentials) from 198.51.100.77, 192.0.2.45: discovery → collection → persistence`.
fn title(
    fs: &[&Finding],
    entities: &[Entity],
    steps: &[&'static str],
    usual: &usual::UsualNetworks,
    first: Nanos,
) -> String {
    // The credential most of its findings lead with, the earliest on a tie.
    let mut lead: Vec<(&str, usize)> = Vec::new();
    for f in fs {
        if let Some(e) = f
            .entities
            .iter()
            .find(|e| e.kind == EntityKind::Token || e.kind == EntityKind::Identity)
        {
            match lead.iter_mut().find(|(n, _)| *n == e.name) {
                Some((_, c)) => *c += 1,
                None => lead.push((&e.name, 1)),
            }
        }
    }
    let who = lead
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, c))| (*c, std::cmp::Reverse(*i)))
        .map(|(_, (n, _))| *n);
    let tokens = entities
        .iter()
        .filter(|e| e.kind == EntityKind::Token)
        .count();
    let mut s = match who {
        Some(w) if tokens > 1 => format!("{w} and {} more credentials", tokens - 1),
        Some(w) => w.to_string(),
        None => format!("{} findings", fs.len()),
    };
    let from: Vec<&str> = entities
        .iter()
        .filter(|e| e.kind == EntityKind::Ip && !usual.is_usual(&e.name, first))
        .filter(|e| crate::util::ip::network_of(&e.name).is_some())
        .map(|e| e.name.as_str())
        .take(3)
        .collect();
    if !from.is_empty() {
        s += " from ";
        s += &from.join(", ");
    }
    if !steps.is_empty() {
        s += ": ";
        s += &steps.join(" → ");
    }
    s
}

fn others(findings: &[Finding], outside: Vec<usize>) -> Vec<OtherGroup> {
    let mut by_rule: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in outside {
        by_rule
            .entry(findings[i].rule.as_str())
            .or_default()
            .push(i);
    }
    let mut out: Vec<OtherGroup> = by_rule
        .into_values()
        .map(|mut v| {
            v.sort_by_key(|&i| (findings[i].first, i));
            let fs = || v.iter().map(|&i| &findings[i]);
            let mut mains: Vec<&Entity> = fs().filter_map(|f| f.main_entity()).collect();
            mains.sort_by(|a, b| (a.kind.name(), &a.name).cmp(&(b.kind.name(), &b.name)));
            mains.dedup();
            let f0 = &findings[v[0]];
            OtherGroup {
                rule: f0.rule.clone(),
                title: f0.title.clone(),
                severity: fs().map(|f| f.severity).max().unwrap_or_default(),
                count: v.len(),
                entities: mains.len(),
                first: fs().map(|f| f.first).min().unwrap_or(0),
                last: fs().map(|f| f.last).max().unwrap_or(0),
                findings: v,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.count.cmp(&a.count))
            .then(a.first.cmp(&b.first))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    out
}

fn time_json<S: serde::Serializer>(t: &Nanos, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_utc(*t))
}

fn entities_json<S: serde::Serializer>(v: &[Entity], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for e in v {
        seq.serialize_element(&serde_json::json!({"kind": e.kind.name(), "name": e.name}))?;
    }
    seq.end()
}

#[cfg(test)]
mod tests;
