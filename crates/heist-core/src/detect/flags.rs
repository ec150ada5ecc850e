//! Which events the findings flag, and with what: the TUI marks flagged rows in the timeline and entity lists, the
//! Markdown export prints technique ids beside the events that carry them. Keyed by the stable `EventKey`, so the
//! flags survive a reload, a filter or a re-sort of the frame.
//!
//! A finding names at most `MAX_EVENTS` events (its `events_total` says how many there are); the events beyond
//! that cap are not flagged here.

use std::collections::{HashMap, HashSet};

use polars::prelude::{BooleanChunked, DataFrame, PolarsResult};

use super::finding::Finding;
use super::keys;
use super::Severity;
use crate::frame::EventKey;

/// What flags one event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Flag {
    /// Rule ids, in the order the findings came (most severe first when the findings are sorted so).
    pub rules: Vec<String>,
    /// ATT&CK and ATLAS ids of those rules, each once.
    pub techniques: Vec<String>,
    /// The most severe of those rules.
    pub severity: Severity,
}

/// The flags of a set of findings.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    by_key: HashMap<EventKey, Flag>,
    /// Flags of events named with their record hash (their key is shared, see `detect::keys`), by the plain key:
    /// what a caller holding only the plain key gets.
    by_plain: HashMap<EventKey, Flag>,
}

fn add(flag: &mut Flag, f: &Finding) {
    if !flag.rules.contains(&f.rule) {
        flag.rules.push(f.rule.clone());
    }
    for t in &f.techniques {
        if !flag.techniques.contains(t) {
            flag.techniques.push(t.clone());
        }
    }
    flag.severity = flag.severity.max(f.severity);
}

impl Flags {
    pub fn new(findings: &[Finding]) -> Self {
        let mut by_key: HashMap<EventKey, Flag> = HashMap::new();
        let mut by_plain: HashMap<EventKey, Flag> = HashMap::new();
        for f in findings {
            for k in &f.events {
                add(by_key.entry(k.clone()).or_default(), f);
                if let Some(plain) = keys::without_hash(k) {
                    add(by_plain.entry(plain).or_default(), f);
                }
            }
        }
        Flags { by_key, by_plain }
    }

    /// The flag of one event, if any finding names it. An event whose key another event shares is found by its key
    /// with the record hash ([`keys::with_hash`]); asked by the plain key, it answers for every event with that key.
    pub fn get(&self, key: &EventKey) -> Option<&Flag> {
        self.by_key.get(key).or_else(|| self.by_plain.get(key))
    }

    /// Every flagged event's key.
    pub fn keys(&self) -> HashSet<EventKey> {
        self.by_key.keys().cloned().collect()
    }

    /// One boolean per row of `df`: is the event flagged?
    pub fn mask(&self, df: &DataFrame) -> PolarsResult<BooleanChunked> {
        keys::mask(df, &self.keys())
    }

    /// The flagged rows of `df`, in frame order.
    pub fn rows(&self, df: &DataFrame) -> PolarsResult<Vec<usize>> {
        keys::rows_of(df, &self.keys())
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}
