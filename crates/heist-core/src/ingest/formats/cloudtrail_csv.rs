//! CloudTrail as CSV: the console's Event history download (`Event ID`, `Event time`, `User name`, `Event name`,
//! `Resource type`, `Resource name`, `AWS access key`, `Event source`, `AWS region`, `Error code`, `Source IP
//! address`, `Read-only`, `Resources`, and sometimes the whole `CloudTrail event`), Athena query results over the
//! CloudTrail table (the DDL's column names, lower-cased: `useridentity` printed as struct text
//! `{type=IAMUser, arn=..., accesskeyid=...}`, `requestparameters` as JSON), and CSVs flattened by scripts (CloudTrail's
//! names, nested objects as JSON or Python literals `{'key': 'value'}`, or as dotted columns `userIdentity.arn`).
//!
//! Each row becomes the CloudTrail record it was made from (the `CloudTrail event` column as it is, when the console
//! kept it) and is read by the CloudTrail format. The console's columns without that JSON name the user but not
//! its ARN: identity is the user name, and the resources' names are the assets.

use serde_json::{Map, Value};

use super::cloudtrail::CloudTrail;
use super::inner::InnerBatch;
use super::reexport::ctrecord::{self, Record, Written};
use super::{Format, ParseOut};
use crate::ingest::csv::CsvReader;
use crate::ingest::doc::{Probe, RawRecord};

mod columns;

use columns::{Column, Layout};

pub struct CloudTrailCsv;

impl Format for CloudTrailCsv {
    fn id(&self) -> &'static str {
        "cloudtrail_csv"
    }

    fn title(&self) -> &'static str {
        "AWS CloudTrail as CSV (console download, Athena results, flattened)"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "event_history.csv  (console \"Download events\" CSV: Event ID, Event time, User name, Event name, ..., CloudTrail event)",
            "<query-id>.csv  (Athena results over the CloudTrail table: eventversion, useridentity {type=..., arn=...}, eventtime, ...)",
            "*.csv  (flattened by a script: CloudTrail's names, nested values as JSON or Python literals, or dotted columns)",
        ]
    }

    fn maps(&self) -> &'static str {
        "each row rebuilt as its CloudTrail record (the console's CloudTrail event column as it is) and read as \
         CloudTrail maps it; console rows without that column: identity the user name, token the access key, assets \
         the resource names"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        if probe.shape.is_some() {
            return false;
        }
        match CsvReader::new(probe.text).next() {
            Some(Ok(h)) => columns::layout(&h.fields).is_some(),
            _ => false,
        }
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        let mut reader = CsvReader::new(probe.text);
        let layout = match reader.next() {
            Some(Ok(h)) => columns::layout(&h.fields),
            _ => None,
        };
        let Some(layout) = layout else {
            return out.error(1, "the CSV header names no CloudTrail columns");
        };
        let mut inner = InnerBatch::default();
        for rec in reader {
            match rec {
                Err(e) => out.error(e.line, e.message),
                Ok(r) => {
                    let outer = RawRecord {
                        text: r.text,
                        offset: r.offset,
                        loc: r.line,
                    };
                    match row_record(&layout, &r.fields) {
                        Ok(text) => inner.push_as(&CloudTrail, text, outer),
                        Err(m) => out.error(r.line, m),
                    }
                }
            }
        }
        inner.finish(out);
    }

    fn wraps(&self) -> bool {
        true
    }
}

/// A cell's value: absent when empty or a null written as text.
fn present(cell: &str) -> Option<&str> {
    let t = cell.trim();
    (!t.is_empty() && !matches!(t, "null" | "NULL" | "None" | "NaN")).then_some(t)
}

/// The CloudTrail record of one row.
fn row_record(layout: &Layout, fields: &[String]) -> Result<String, String> {
    if fields.iter().all(|f| f.trim().is_empty()) {
        return Err("an empty row".into());
    }
    let cell = |i: usize| fields.get(i).and_then(|f| present(f));
    if let Some(whole) = layout.whole.and_then(cell) {
        return Ok(whole.to_string());
    }
    let mut r = Record::new();
    let mut res_types: Option<&str> = None;
    let mut res_names: Option<&str> = None;
    for (i, col) in layout.columns.iter().enumerate() {
        let Some(v) = cell(i) else { continue };
        match col {
            Column::Ignore | Column::Whole => {}
            Column::Text(path) => r.set(path, Value::String(v.to_string())),
            Column::Value(path) => r.set(path, value_of(v)),
            Column::ConsoleResources => {
                if let Some(list) = console_resources(v) {
                    r.set("resources", list);
                }
            }
            Column::ResourceType => res_types = Some(v),
            Column::ResourceName => res_names = Some(v),
        }
    }
    if r.get("resources").is_none() {
        if let Some(names) = res_names {
            r.set("resources", resource_pairs(res_types, names));
        }
    }
    if r.is_empty() {
        return Err("no CloudTrail field in the row".into());
    }
    Ok(r.into_text())
}

/// A cell of a CloudTrail column: nested values read from JSON, Python literals or Athena's struct text (its
/// lower-cased names put back in CloudTrail's spelling); anything else is text.
fn value_of(cell: &str) -> Value {
    match ctrecord::nested(cell) {
        Some((v, Written::Struct)) => ctrecord::canonical_keys(v),
        Some((v, _)) => v,
        None => Value::String(cell.to_string()),
    }
}

/// The console's `Resources` column: `[{"resourceType":..,"resourceName":..}]` as CloudTrail's
/// `[{"type":..,"ARN":..}]` (a resource's name stands for its ARN; the console gives no more).
fn console_resources(cell: &str) -> Option<Value> {
    let (v, _) = ctrecord::nested(cell)?;
    let list = match v {
        Value::Array(a) => a,
        o @ Value::Object(_) => vec![o],
        _ => return None,
    };
    let field = |o: &Map<String, Value>, names: &[&str]| {
        o.iter()
            .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string)
    };
    let out: Vec<Value> = list
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|o| {
            let name = field(o, &["resourceName", "ARN", "name"])?;
            let mut m = Map::new();
            if let Some(t) = field(o, &["resourceType", "type"]) {
                m.insert("type".into(), Value::String(t));
            }
            m.insert("ARN".into(), Value::String(name));
            Some(Value::Object(m))
        })
        .collect();
    (!out.is_empty()).then_some(Value::Array(out))
}

/// `Resource type` / `Resource name` columns, one pair or `, `-separated lists of equal length.
fn resource_pairs(types: Option<&str>, names: &str) -> Value {
    let names: Vec<&str> = names.split(", ").collect();
    let types: Vec<&str> = types.map(|t| t.split(", ").collect()).unwrap_or_default();
    let paired = types.len() == names.len();
    Value::Array(
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut m = Map::new();
                if paired {
                    m.insert("type".into(), Value::String(types[i].to_string()));
                }
                m.insert("ARN".into(), Value::String(n.to_string()));
                Value::Object(m)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;
