//! One exported row as column name -> value, and readers of its values. CSV cells are all text and dynamic columns
//! hold JSON as text; the query API's JSON rows have typed values, and dynamic columns as objects or as JSON text.

use serde_json::{Map, Value};

/// A row: column name (without the portal's zone suffix) -> value. Empty CSV cells are absent.
pub(super) type Cells = Map<String, Value>;

/// A value as text: a non-empty string, or a number's or boolean's literal.
pub(super) fn text(r: &Cells, key: &str) -> Option<String> {
    match r.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of `keys` with a value.
pub(super) fn first(r: &Cells, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(r, k))
}

/// A dynamic value: text holding a JSON object or array is that object or array; anything else as it is.
pub(super) fn dynamic(v: &Value) -> Value {
    if let Value::String(s) = v {
        let t = s.trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                return parsed;
            }
        }
    }
    v.clone()
}

/// A column read as a dynamic value, when present and not empty.
pub(super) fn json(r: &Cells, key: &str) -> Option<Value> {
    match r.get(key)? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        v => Some(dynamic(v)),
    }
}

/// A boolean column (`true` / `false` in any case, or a JSON boolean).
pub(super) fn boolean(r: &Cells, key: &str) -> Option<bool> {
    match r.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Insert `v` under `key` when there is one.
pub(super) fn put(m: &mut Map<String, Value>, key: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        m.insert(key.to_string(), v.into());
    }
}

/// Insert `v` under `key`, `null` when absent: keys a format recognises its records by are always there.
pub(super) fn put_or_null(m: &mut Map<String, Value>, key: &str, v: Option<impl Into<Value>>) {
    m.insert(key.to_string(), v.map_or(Value::Null, Into::into));
}
