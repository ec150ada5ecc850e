//! What a rule found: the rule, the techniques, the entities to pivot from, the events behind it (by stable key),
//! the time window and a one-line explanation with the numbers.

use std::cmp::Ordering;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::Severity;
use crate::entities::Entity;
use crate::frame::EventKey;
use crate::util::time::{format_utc, Nanos};

/// At most this many event keys are kept per finding; `events_total` counts them all.
pub const MAX_EVENTS: usize = 1_000;
/// At most this many entities of each kind (identity, token, asset, ip) are named per finding, the rule's own
/// group entity first; `entities_omitted` counts the rest.
pub const MAX_ENTITIES_PER_KIND: usize = 10;

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    /// ATT&CK and ATLAS ids of the rule.
    pub techniques: Vec<String>,
    /// The entity the rule grouped by first, then the other identities, tokens, assets and IPs of the events.
    #[serde(serialize_with = "entities_json")]
    pub entities: Vec<Entity>,
    /// Entities involved but not listed (beyond `MAX_ENTITIES_PER_KIND` of a kind).
    pub entities_omitted: usize,
    /// Keys of the events behind the finding, in time order: all of them, or the first `MAX_EVENTS`.
    #[serde(serialize_with = "keys_json")]
    pub events: Vec<EventKey>,
    /// How many events are behind the finding (more than `events.len()` when capped).
    pub events_total: usize,
    #[serde(serialize_with = "time_json")]
    pub first: Nanos,
    #[serde(serialize_with = "time_json")]
    pub last: Nanos,
    pub explanation: String,
    /// Where to read about the rule (a Sigma rule's `references`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// What else makes such events (a Sigma rule's `falsepositives`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub falsepositives: Vec<String>,
}

impl Finding {
    /// How a list names the finding's rule: its id, or its title when the id is a UUID (as Sigma rule ids are),
    /// which says nothing in a list.
    pub fn rule_label(&self) -> &str {
        if is_uuid(&self.rule) {
            &self.title
        } else {
            &self.rule
        }
    }

    /// The entity to pivot to first.
    pub fn main_entity(&self) -> Option<&Entity> {
        self.entities.first()
    }

    /// The rows of `df` holding this finding's events (those named in `events`), in frame order: what `Enter` on a
    /// finding shows.
    pub fn rows(
        &self,
        df: &polars::prelude::DataFrame,
    ) -> polars::prelude::PolarsResult<Vec<usize>> {
        let keys: std::collections::HashSet<EventKey> = self.events.iter().cloned().collect();
        super::keys::rows_of(df, &keys)
    }

    /// True when `events` holds only part of the events behind the finding.
    pub fn is_capped(&self) -> bool {
        self.events_total > self.events.len()
    }
}

/// Whether `s` is a UUID (`8-4-4-4-12` hex digits).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn entities_json<S: Serializer>(v: &[Entity], s: S) -> Result<S::Ok, S::Error> {
    struct One<'a>(&'a Entity);
    impl Serialize for One<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Entity", 2)?;
            st.serialize_field("kind", self.0.kind.name())?;
            st.serialize_field("name", &self.0.name)?;
            st.end()
        }
    }
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for e in v {
        seq.serialize_element(&One(e))?;
    }
    seq.end()
}

fn keys_json<S: Serializer>(v: &[EventKey], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for k in v {
        seq.serialize_element(&k.to_string())?;
    }
    seq.end()
}

fn time_json<S: Serializer>(t: &Nanos, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_utc(*t))
}

fn main_name(f: &Finding) -> &str {
    f.main_entity().map(|e| e.name.as_str()).unwrap_or("")
}

/// The pack's order: severity (highest first), then first time, then rule id, then main entity.
pub fn by_severity(a: &Finding, b: &Finding) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then(a.first.cmp(&b.first))
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| main_name(a).cmp(main_name(b)))
        .then(a.last.cmp(&b.last))
}

/// The story's order: first time, then severity (highest first), then rule id, then main entity.
pub fn by_time(a: &Finding, b: &Finding) -> Ordering {
    a.first
        .cmp(&b.first)
        .then(b.severity.cmp(&a.severity))
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| main_name(a).cmp(main_name(b)))
        .then(a.last.cmp(&b.last))
}

/// The findings in time order (the attack as a story), without reordering the caller's list.
pub fn in_time_order(findings: &[Finding]) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by(|a, b| by_time(a, b));
    v
}

#[cfg(test)]
mod label_tests {
    use super::is_uuid;

    #[test]
    fn uuids_are_told_from_rule_names() {
        assert!(is_uuid("905d389b-b853-46d0-9d3d-dea0d3a3cd49"));
        assert!(is_uuid("905D389B-B853-46D0-9D3D-DEA0D3A3CD49"));
        assert!(!is_uuid("long-term-key-new-ip"));
        assert!(
            !is_uuid("905d389b-b853-46d0-9d3d-dea0d3a3cd4"),
            "one digit short"
        );
        assert!(
            !is_uuid("905d389b_b853-46d0-9d3d-dea0d3a3cd49"),
            "dash misplaced"
        );
        assert!(!is_uuid("905d389g-b853-46d0-9d3d-dea0d3a3cd49"), "not hex");
    }
}
