//! The report's selection as CSV or JSON lines, for hand-off to other tools: every output column of the frame (the
//! same names as `heist events`), then `key`, `marked`, `tags`, `note` and `techniques`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::csv_writer;
use super::report::{ReportEvent, ReportInput};
use crate::frame::schema::Kind;
use crate::frame::{Col, EventKey};

/// Columns after the frame's.
pub const EXTRA_COLUMNS: [&str; 5] = ["key", "marked", "tags", "note", "techniques"];

fn techniques_by_event(r: &ReportInput) -> BTreeMap<&EventKey, BTreeSet<&str>> {
    let mut m: BTreeMap<&EventKey, BTreeSet<&str>> = BTreeMap::new();
    for f in &r.findings {
        for k in &f.events {
            m.entry(k)
                .or_default()
                .extend(f.techniques.iter().map(String::as_str));
        }
    }
    m
}

pub fn csv(r: &ReportInput) -> String {
    let tech = techniques_by_event(r);
    let header: Vec<String> = Col::OUTPUT
        .iter()
        .map(|c| c.name().to_string())
        .chain(EXTRA_COLUMNS.map(String::from))
        .collect();
    let rows = r.events.iter().map(|e| {
        let ts: Vec<&str> = tech.get(&e.key).into_iter().flatten().copied().collect();
        let mut cells: Vec<String> = e
            .fields
            .iter()
            .map(|v| v.clone().unwrap_or_default())
            .collect();
        cells.push(e.key.as_str().to_string());
        cells.push(e.marked.to_string());
        cells.push(e.tags.join(";"));
        cells.push(e.note.clone());
        cells.push(ts.join(";"));
        cells
    });
    csv_writer::to_string(std::iter::once(header).chain(rows))
}

fn event_object(e: &ReportEvent, techniques: Option<&BTreeSet<&str>>) -> Map<String, Value> {
    let mut m = Map::new();
    for (c, v) in Col::OUTPUT.iter().zip(&e.fields) {
        let value = match (c.kind(), v) {
            (_, None) => Value::Null,
            (Kind::U64 | Kind::U32, Some(s)) => s
                .parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(s.clone())),
            (_, Some(s)) => Value::String(s.clone()),
        };
        m.insert(c.name().to_string(), value);
    }
    m.insert("key".into(), Value::String(e.key.as_str().to_string()));
    m.insert("marked".into(), Value::Bool(e.marked));
    m.insert(
        "tags".into(),
        Value::Array(e.tags.iter().cloned().map(Value::String).collect()),
    );
    m.insert(
        "note".into(),
        if e.note.is_empty() {
            Value::Null
        } else {
            Value::String(e.note.clone())
        },
    );
    m.insert(
        "techniques".into(),
        Value::Array(
            techniques
                .into_iter()
                .flatten()
                .map(|t| Value::String(t.to_string()))
                .collect(),
        ),
    );
    m
}

pub fn jsonl(r: &ReportInput) -> String {
    let tech = techniques_by_event(r);
    let mut out = String::new();
    for e in &r.events {
        let obj = Value::Object(event_object(e, tech.get(&e.key)));
        out.push_str(&crate::util::sanitize::inert_json(&obj.to_string()));
        out.push('\n');
    }
    out
}
