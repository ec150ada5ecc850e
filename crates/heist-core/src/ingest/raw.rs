//! The raw record behind a row, read again from the bundle on demand (the frame keeps only its location).

use crate::frame::store::Locator;

use super::{bundle, text};

/// The exact text of the record at `offset..offset+len` of the decoded file.
pub fn read_record(loc: &Locator, offset: u64, len: u32) -> Result<String, String> {
    let bytes = bundle::reopen(loc)?;
    let decoded = text::decode(&bytes);
    if let Some(reason) = decoded.unreadable {
        return Err(reason);
    }
    let start = offset as usize;
    let end = start + len as usize;
    decoded
        .text
        .get(start..end)
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "record at bytes {start}..{end} is no longer in the file; was the bundle changed?"
            )
        })
}

/// Pretty-print a JSON record for reading; non-JSON (text log lines) comes back unchanged.
pub fn pretty(raw: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => {
            // `CloudTrailEvent` and Azure `properties` may hold JSON as a string: open it for the reader.
            let v = open_nested_json(v);
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| raw.to_string())
        }
        Err(_) => raw.to_string(),
    }
}

fn open_nested_json(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) if s.trim_start().starts_with('{') => {
                            serde_json::from_str::<Value>(&s)
                                .map(open_nested_json)
                                .unwrap_or(Value::String(s))
                        }
                        other => open_nested_json(other),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(open_nested_json).collect()),
        other => other,
    }
}
