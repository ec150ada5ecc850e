//! Rows written by the Azure Monitor Logs table references (AWSCloudTrail, GCPAuditLogs, AuditLogs, SigninLogs,
//! AADServicePrincipalSignInLogs, OfficeActivity) in the three shapes exports take. The only public export is the
//! AWSCloudTrail CSV read in `tests/it/real_exports.rs`; the rows here follow its shape (portal CSV) or the
//! documented column lists, and say so where no public example exists.

use serde_json::{json, Map, Value};

use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::{load_bytes, LoadOptions};

mod aws;
mod entra;
mod gcp;
mod office;
mod shapes;

fn load(name: &str, text: &str) -> EventStore {
    load_bytes(name, text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

/// Load a file that must read entirely as a Sentinel export, without errors.
fn ok(name: &str, text: &str) -> EventStore {
    let s = load(name, text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files.len(), 1, "unreadable: {:?}", s.report.unreadable);
    assert_eq!(s.files[0].format, "sentinel");
    s
}

fn cell(s: &EventStore, c: Col, row: usize) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, row)
}

fn column(s: &EventStore, c: Col) -> Vec<Option<String>> {
    (0..s.len()).map(|i| cell(s, c, i)).collect()
}

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

/// One CSV field, quoted when it needs to be (as the portal writes JSON columns: `""` inside quotes).
fn field(v: &str) -> String {
    if v.contains([',', '"', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// A portal CSV export of `rows` (objects of column -> text), columns in `header` order; `[UTC]` columns keep their
/// suffix in the header and are looked up without it.
fn csv(header: &[&str], rows: &[Value]) -> String {
    let mut out = header
        .iter()
        .map(|h| field(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for r in rows {
        let line: Vec<String> = header
            .iter()
            .map(|h| {
                let key = h.trim_end_matches(" [UTC]");
                match r.get(key) {
                    Some(Value::String(s)) => field(s),
                    Some(Value::Null) | None => String::new(),
                    Some(v) => field(&v.to_string()),
                }
            })
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The Logs query API response for `rows` (objects), columns in `columns` order.
fn query_response(columns: &[&str], rows: &[Value]) -> String {
    let cols: Vec<Value> = columns
        .iter()
        .map(|c| json!({"name": c, "type": "string"}))
        .collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            Value::Array(
                columns
                    .iter()
                    .map(|c| r.get(*c).cloned().unwrap_or(Value::Null))
                    .collect(),
            )
        })
        .collect();
    json!({"tables": [{"name": "PrimaryResult", "columns": cols, "rows": rows}]}).to_string()
}

/// `a` with `b`'s keys set over it.
fn with(a: &Value, b: Value) -> Value {
    let mut m: Map<String, Value> = a.as_object().cloned().unwrap_or_default();
    if let Value::Object(o) = b {
        m.extend(o);
    }
    Value::Object(m)
}
