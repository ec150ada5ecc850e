//! The report's selection as CSV or JSON lines, for hand-off to other tools: every output column of the frame (the
//! same names as `heist events`), then `key`, `marked`, `tags`, `note` and `techniques`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

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

/// RFC 4180 quoting, and a leading `'` on cells a spreadsheet would run as a formula (log text is hostile).
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn csv(r: &ReportInput) -> String {
    let tech = techniques_by_event(r);
    let mut out = String::new();
    let header: Vec<&str> = Col::OUTPUT
        .iter()
        .map(|c| c.name())
        .chain(EXTRA_COLUMNS)
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for e in &r.events {
        let mut cells: Vec<String> = e
            .fields
            .iter()
            .map(|v| v.as_deref().map(csv_cell).unwrap_or_default())
            .collect();
        let ts: Vec<&str> = tech.get(&e.key).into_iter().flatten().copied().collect();
        cells.push(csv_cell(e.key.as_str()));
        cells.push(e.marked.to_string());
        cells.push(csv_cell(&e.tags.join(";")));
        cells.push(csv_cell(&e.note));
        cells.push(csv_cell(&ts.join(";")));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
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
        out.push_str(&obj.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_defuses_formulas_and_quotes() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
