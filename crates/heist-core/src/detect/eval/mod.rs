//! Running rules over the event frame. The frame is read once into plain vectors (dictionary codes for text
//! columns, times, numbers) that every evaluator shares; queries run in Polars and come back as row numbers in
//! time order. One file per rule kind.

mod after_end;
mod explain;
mod first_seen;
mod joins;
mod matcher;
mod rows;
mod sequence;
mod sigma;
mod threshold;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use polars::prelude::*;

use super::finding::{Finding, MAX_ENTITIES_PER_KIND, MAX_EVENTS};
use super::raw::RawRecords;
use super::rule::{Group, Rule, RuleKind};
use super::{DetectError, DetectOptions};
use crate::entities::{Entity, EntityKind, Lineage};
use crate::frame::access::FrameReader;
use crate::frame::assemble::cat_mapping_ref;
use crate::frame::schema::Kind;
use crate::frame::{Col, EventKey};
use crate::util::time::Nanos;

/// Hash maps keyed by dictionary codes: a fast, fixed hasher (the keys are not attacker-chosen strings, and a
/// fixed seed keeps runs reproducible).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
pub(crate) type FastSet<K> = HashSet<K, foldhash::fast::FixedState>;

/// A null dictionary code.
pub(crate) const NULL: u32 = u32::MAX;

/// A group's identity: which column, which value (dictionary code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key {
    pub col: Col,
    pub code: u32,
}

/// The frame, read for the evaluators.
pub(crate) struct Ctx<'a> {
    pub df: &'a DataFrame,
    pub n: usize,
    pub times: Vec<Nanos>,
    /// First and last event time of the whole frame: the span a baseline is measured over.
    pub span: (Nanos, Nanos),
    codes: Vec<OnceLock<Vec<u32>>>,
    nums: Vec<OnceLock<Vec<u64>>>,
    term_rows: Mutex<FastMap<String, Arc<Vec<u32>>>>,
    lineage: OnceLock<Lineage>,
    joins: OnceLock<joins::Joins>,
    usual: OnceLock<crate::detect::incident::usual::UsualNetworks>,
    reader: FrameReader<'a>,
    /// Where raw records are read from, when the caller can (`detect_store`).
    raw: Option<&'a dyn RawRecords>,
    /// Rows whose event key (source, event id, action) another row of the frame shares.
    shared_keys: OnceLock<FastSet<u32>>,
    /// When each identity (dictionary code) first appears in the frame.
    identity_first: OnceLock<FastMap<u32, Nanos>>,
    /// What each Sigma rule matched, by rule id, from the one pass over the raw records before the rules run.
    sigma: OnceLock<
        FastMap<
            String,
            (
                crate::detect::sigma::engine::Hits,
                crate::detect::rule::SigmaRun,
            ),
        >,
    >,
}

impl<'a> Ctx<'a> {
    pub fn new(df: &'a DataFrame, raw: Option<&'a dyn RawRecords>) -> Result<Self, DetectError> {
        let n = df.height();
        let times: Vec<Nanos> = match df.column(Col::Time.name()) {
            Ok(c) => c
                .datetime()?
                .physical()
                .iter()
                .map(|t| t.unwrap_or(0))
                .collect(),
            Err(_) => vec![0; n],
        };
        let span = (
            times.first().copied().unwrap_or(0),
            times.last().copied().unwrap_or(0),
        );
        Ok(Self {
            df,
            n,
            times,
            span,
            codes: (0..Col::ALL.len()).map(|_| OnceLock::new()).collect(),
            nums: (0..Col::ALL.len()).map(|_| OnceLock::new()).collect(),
            term_rows: Mutex::new(FastMap::default()),
            lineage: OnceLock::new(),
            joins: OnceLock::new(),
            usual: OnceLock::new(),
            reader: FrameReader::new(df)?,
            raw,
            shared_keys: OnceLock::new(),
            identity_first: OnceLock::new(),
            sigma: OnceLock::new(),
        })
    }

    /// Run the Sigma rules among `rules` over the raw records, once, before the rules' findings are made.
    pub fn scan_sigma(&self, rules: &[&Rule]) -> Result<(), DetectError> {
        let hits = crate::detect::sigma::engine::scan(self, rules)?;
        let mut m: FastMap<String, _> = FastMap::default();
        for r in rules {
            if let RuleKind::Sigma(s) = &r.kind {
                let h = hits.get(&r.id).cloned().unwrap_or_default();
                m.insert(r.id.clone(), (h, s.clone()));
            }
        }
        let _ = self.sigma.set(m);
        Ok(())
    }

    /// What the Sigma rule `id` matched (`None` before [`Ctx::scan_sigma`] or for a rule it did not run).
    pub fn sigma_hits(&self, id: &str) -> Option<&crate::detect::sigma::engine::Hits> {
        self.sigma.get()?.get(id).map(|(h, _)| h)
    }

    /// The Sigma rule `id` as scanned.
    pub fn sigma_run(&self, id: &str) -> Option<&crate::detect::rule::SigmaRun> {
        self.sigma.get()?.get(id).map(|(_, s)| s)
    }

    /// When the identity with dictionary code `id` did anything first in the frame (any event, not only a rule's).
    pub fn identity_first_seen(&self, id: u32) -> Result<Option<Nanos>, DetectError> {
        if let Some(m) = self.identity_first.get() {
            return Ok(m.get(&id).copied());
        }
        let codes = self.codes(Col::Identity)?;
        let mut m: FastMap<u32, Nanos> = FastMap::default();
        for (&c, &t) in codes.iter().zip(self.times.iter()) {
            if c != NULL {
                m.entry(c).and_modify(|f| *f = (*f).min(t)).or_insert(t);
            }
        }
        let m = self.identity_first.get_or_init(|| m);
        Ok(m.get(&id).copied())
    }

    /// The raw records of `rows`, in order (`None`: no reader, or the record cannot be read). Not kept: a query's
    /// `where` terms may select many events, and their records are read once, one file at a time.
    pub fn raw_records(&self, rows: &[u32]) -> Vec<Option<String>> {
        match self.raw {
            Some(reader) => reader.records(rows),
            None => vec![None; rows.len()],
        }
    }

    /// Call `f` with each of `rows`' raw records (its index in `rows`, the text or `None`), without copying them.
    pub fn each_raw_record(&self, rows: &[u32], f: &mut dyn FnMut(usize, Option<&str>)) {
        match self.raw {
            Some(reader) => reader.each_record(rows, f),
            None => (0..rows.len()).for_each(|i| f(i, None)),
        }
    }

    /// What the raw record of `row` showed to the first of `qs`' raw conditions it matches, e.g.
    /// `requestParameters.policyArn arn:aws:iam::aws:policy/AdministratorAccess`.
    /// When the record cannot be read and a query kept the event anyway (`unread = "keep"`), says so: `raw record
    /// not read`.
    pub fn raw_evidence(
        &self,
        qs: &super::rule::Queries,
        row: u32,
    ) -> Result<Option<String>, DetectError> {
        if !qs.reads_raw() {
            return Ok(None);
        }
        let Some(rec) = self.raw_records(&[row]).pop().flatten() else {
            for q in &qs.0 {
                if q.raw.as_ref().is_some_and(|f| f.keep_unread)
                    && rows::where_matches(self, q, row)?
                {
                    return Ok(Some("raw record not read".into()));
                }
            }
            return Ok(None);
        };
        Ok(qs
            .0
            .iter()
            .filter_map(|q| q.raw.as_ref())
            .find_map(|f| f.check(&rec))
            .filter(|s| !s.is_empty()))
    }

    /// Dictionary codes of a text column (`NULL` for null or a missing column).
    pub fn codes(&self, col: Col) -> Result<&[u32], DetectError> {
        let cell = &self.codes[col as usize];
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let v: Vec<u32> = match (col.kind(), self.df.column(col.name())) {
            (Kind::Cat, Ok(c)) => c
                .cat32()?
                .physical()
                .iter()
                .map(|x| x.unwrap_or(NULL))
                .collect(),
            _ => vec![NULL; self.n],
        };
        let _ = cell.set(v);
        Ok(cell.get().map(Vec::as_slice).unwrap_or(&[]))
    }

    /// A numeric column (`u64::MAX` for null).
    pub fn nums(&self, col: Col) -> Result<&[u64], DetectError> {
        let cell = &self.nums[col as usize];
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let v: Vec<u64> = match (col.kind(), self.df.column(col.name())) {
            (Kind::U64, Ok(c)) => c.u64()?.iter().map(|x| x.unwrap_or(u64::MAX)).collect(),
            (Kind::U32, Ok(c)) => c
                .u32()?
                .iter()
                .map(|x| x.map(u64::from).unwrap_or(u64::MAX))
                .collect(),
            _ => vec![u64::MAX; self.n],
        };
        let _ = cell.set(v);
        Ok(cell.get().map(Vec::as_slice).unwrap_or(&[]))
    }

    /// The text of a dictionary code.
    pub fn text(&self, code: u32) -> Option<&'static str> {
        (code != NULL)
            .then(|| cat_mapping_ref().cat_to_str(code))
            .flatten()
    }

    /// The code of a text, if any row can hold it.
    pub fn code_of(&self, text: &str) -> Option<u32> {
        cat_mapping_ref().get_cat(text)
    }

    pub fn key_text(&self, k: Key) -> &'static str {
        self.text(k.code).unwrap_or("")
    }

    /// The token lineage of the frame, built once.
    pub fn lineage(&self) -> Result<&Lineage, DetectError> {
        if let Some(l) = self.lineage.get() {
            return Ok(l);
        }
        let label = |o: &str, l: u32| format!("{o}:{l}");
        let l = Lineage::build(self.df, &label)?;
        Ok(self.lineage.get_or_init(|| l))
    }

    /// When each identity first used each network of the bundle: what makes a network the organisation's.
    pub fn usual(&self) -> Result<&crate::detect::incident::usual::UsualNetworks, DetectError> {
        if let Some(u) = self.usual.get() {
            return Ok(u);
        }
        let all = crate::query::mask::distinct(self.df, Col::SourceIp)?;
        let u = crate::detect::incident::usual::UsualNetworks::build(
            self.df,
            all.iter().map(String::as_str),
            crate::detect::incident::usual::MIN_IDENTITIES,
        )?;
        Ok(self.usual.get_or_init(|| u))
    }

    /// Whether row `r` came from one of the organisation's usual networks: a /24 (/48) that at least `min`
    /// identities used a day or more before it. (An intruder's address that three stolen identities used in the
    /// last hours is not the organisation's.) A row without an address is not.
    pub fn is_from_usual_network(&self, r: u32, min: usize) -> Result<bool, DetectError> {
        let ip = self.codes(Col::SourceIp)?[r as usize];
        let Some(addr) = self.text(ip) else {
            return Ok(false);
        };
        let t = self.times[r as usize];
        Ok(self
            .usual()?
            .identities_before(addr, t - crate::detect::duration::DAY)
            >= min)
    }

    /// The group an event belongs to, if the event names it.
    pub fn group_key(&self, g: Group, row: u32) -> Result<Option<Key>, DetectError> {
        let r = row as usize;
        let pick = |col: Col| -> Result<Option<Key>, DetectError> {
            let code = self.codes(col)?[r];
            Ok((code != NULL).then_some(Key { col, code }))
        };
        match g {
            Group::Identity => pick(Col::Identity),
            Group::Token => pick(Col::Token),
            Group::Ip => pick(Col::SourceIp),
            Group::Asset => pick(Col::Asset),
            Group::Principal => {
                let (i, t) = (self.codes(Col::Identity)?[r], self.codes(Col::Token)?[r]);
                Ok(self.joins()?.principal(i, t))
            }
            // The credential an event minted, named as the token it becomes (one dictionary for every column).
            Group::Minted => {
                let code = self.codes(Col::MintedToken)?[r];
                Ok((code != NULL).then_some(Key {
                    col: Col::Token,
                    code,
                }))
            }
        }
    }

    /// Records of one call across sources, and each identity's only token (see `joins`).
    pub fn joins(&self) -> Result<&joins::Joins, DetectError> {
        if let Some(j) = self.joins.get() {
            return Ok(j);
        }
        let j = joins::Joins::build(self)?;
        Ok(self.joins.get_or_init(|| j))
    }

    /// `rows` without the records that repeat a call another of `rows` already holds: the calls, not the records.
    pub fn calls(&self, rows: &[u32]) -> Result<Vec<u32>, DetectError> {
        let j = self.joins()?;
        let set: FastSet<u32> = rows.iter().copied().collect();
        Ok(rows
            .iter()
            .copied()
            .filter(|&r| {
                let p = j.primary(r);
                p == r || !set.contains(&p)
            })
            .collect())
    }

    /// Rows (time order) matching any of the rule queries.
    pub fn rows(&self, q: &super::rule::Queries) -> Result<Arc<Vec<u32>>, DetectError> {
        rows::query_rows(self, q)
    }

    /// Events grouped by `g`, each group's rows in time order; groups in first-seen order.
    pub fn grouped(&self, g: Group, rows: &[u32]) -> Result<Vec<(Key, Vec<u32>)>, DetectError> {
        let mut at: FastMap<Key, usize> = FastMap::default();
        let mut out: Vec<(Key, Vec<u32>)> = Vec::new();
        for &r in rows {
            let Some(k) = self.group_key(g, r)? else {
                continue;
            };
            let i = *at.entry(k).or_insert_with(|| {
                out.push((k, Vec::new()));
                out.len() - 1
            });
            out[i].1.push(r);
        }
        Ok(out)
    }

    /// A finding over `rows` (time order), the `main` entity named first.
    pub fn finding(
        &self,
        rule: &Rule,
        main: Option<Key>,
        rows: &[u32],
        explanation: String,
    ) -> Result<Finding, DetectError> {
        let first = rows.first().map(|&r| self.times[r as usize]).unwrap_or(0);
        let last = rows.last().map(|&r| self.times[r as usize]).unwrap_or(0);
        let (entities, entities_omitted) = self.entities(main, rows)?;
        Ok(Finding {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            techniques: rule.techniques.clone(),
            entities,
            entities_omitted,
            events: rows
                .iter()
                .take(MAX_EVENTS)
                .filter_map(|&r| self.event_key(r))
                .collect(),
            events_total: rows.len(),
            first,
            last,
            explanation,
            references: rule.references.clone(),
            falsepositives: rule.falsepositives.clone(),
        })
    }

    /// How a finding names row `row`: its event key, with the record hash added when another row shares the key
    /// (see `detect::keys`).
    fn event_key(&self, row: u32) -> Option<EventKey> {
        let k = EventKey::of_row(&self.reader, row as usize)?;
        Some(if self.shared_key_rows().contains(&row) {
            let hash = self.reader.u64(Col::RecordHash, row as usize).unwrap_or(0);
            super::keys::with_hash(&k, hash)
        } else {
            k
        })
    }

    /// Rows whose (source, event id, action) another row has, found once by sorting hashes of the three (a
    /// collision only makes a key longer).
    fn shared_key_rows(&self) -> &FastSet<u32> {
        self.shared_keys.get_or_init(|| {
            let source = self.codes(Col::Source).unwrap_or(&[]);
            let action = self.codes(Col::Action).unwrap_or(&[]);
            let mut h: Vec<(u64, u32)> = Vec::new();
            for r in 0..self.n {
                let Some(id) = self.reader.text(Col::EventId, r) else {
                    continue;
                };
                let mut x = xxhash_rust::xxh3::Xxh3::new();
                x.update(&source.get(r).copied().unwrap_or(NULL).to_le_bytes());
                x.update(&action.get(r).copied().unwrap_or(NULL).to_le_bytes());
                x.update(id.as_bytes());
                h.push((x.digest(), r as u32));
            }
            h.sort_unstable();
            let mut shared = FastSet::default();
            for w in h.windows(2) {
                if w[0].0 == w[1].0 {
                    shared.insert(w[0].1);
                    shared.insert(w[1].1);
                }
            }
            shared
        })
    }

    fn entities(
        &self,
        main: Option<Key>,
        rows: &[u32],
    ) -> Result<(Vec<Entity>, usize), DetectError> {
        let mut out = Vec::new();
        let mut omitted = 0;
        if let Some(k) = main {
            out.push(Entity::new(kind_of(k.col), self.key_text(k)));
        }
        for kind in EntityKind::ALL {
            let col = kind.col();
            let codes = self.codes(col)?;
            let mut seen: Vec<u32> = Vec::new();
            let mut set: FastSet<u32> = FastSet::default();
            for &r in rows {
                let c = codes[r as usize];
                if c != NULL && main != Some(Key { col, code: c }) && set.insert(c) {
                    seen.push(c);
                }
            }
            omitted += seen.len().saturating_sub(MAX_ENTITIES_PER_KIND);
            for &c in seen.iter().take(MAX_ENTITIES_PER_KIND) {
                if let Some(t) = self.text(c) {
                    out.push(Entity::new(kind, t));
                }
            }
        }
        Ok((out, omitted))
    }
}

/// The entity kind a grouping column names.
pub(crate) fn kind_of(col: Col) -> EntityKind {
    match col {
        Col::Token => EntityKind::Token,
        Col::Asset => EntityKind::Asset,
        Col::SourceIp => EntityKind::Ip,
        _ => EntityKind::Identity,
    }
}

/// Run one rule.
pub(crate) fn run(
    ctx: &Ctx<'_>,
    rule: &Rule,
    opts: &DetectOptions,
) -> Result<Vec<Finding>, DetectError> {
    match &rule.kind {
        RuleKind::Match(m) => matcher::run(ctx, rule, m),
        RuleKind::Threshold(t) => threshold::run(ctx, rule, t),
        RuleKind::FirstSeen(f) => first_seen::run(ctx, rule, f),
        RuleKind::Sequence(s) => sequence::run(ctx, rule, s),
        RuleKind::AfterEnd(a) => after_end::run(ctx, rule, a, opts),
        RuleKind::Sigma(s) => sigma::run(ctx, rule, s),
        RuleKind::SigmaCorrelation(c) => sigma::correlate(ctx, rule, c),
    }
}

#[cfg(test)]
mod tests;
