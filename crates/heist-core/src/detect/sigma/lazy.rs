//! A JSON record read only as far as a field path needs: the top level is split into (key, raw value) pairs once,
//! nested objects and arrays are split when a path goes into them, and only the values at the end of a path are
//! built. A Sigma pass tests a few fields of a record; building the whole tree (every string, every map) cost more
//! than everything else together.

use serde_json::Value;

use crate::ingest::jsonscan::array_elements;
use crate::ingest::jsonscan::path::members;

/// An object's members as written: keys borrowed, values as their raw JSON text. A key with escapes fails the
/// split (the caller then builds the object as a [`Value`]).
pub struct Pairs<'a>(pub Vec<(&'a str, &'a str)>);

impl<'a> Pairs<'a> {
    /// Split `text` (a JSON object) into its members with the structural scan of the load (no value is parsed);
    /// `None` when it is not a whole object with plain keys.
    pub fn split(text: &'a str) -> Option<Self> {
        members(text).ok().map(Pairs)
    }

    /// The raw value of `key`: exact, else ignoring ASCII case.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .or_else(|| self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
            .map(|(_, v)| *v)
    }

    /// Whether a key is there (exact or ignoring case).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// Every value at `keys` under the raw JSON value `text`, built: arrays on the way searched element by element, a
/// string holding JSON opened when the path goes on.
pub fn walk(text: &str, keys: &[&str], out: &mut Vec<Value>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Some((first, rest)) = keys.split_first() else {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            out.push(v);
        }
        return;
    };
    let open = text.len() - text.trim_start().len();
    match text.as_bytes().get(open) {
        Some(b'{') => match Pairs::split(text) {
            Some(p) => {
                if let Some(next) = p.get(first) {
                    walk(next, rest, out, depth + 1);
                }
            }
            // Escaped keys: the object as a tree.
            None => {
                if let Ok(v) = serde_json::from_str::<Value>(text) {
                    walk_value(&v, keys, out, depth + 1);
                }
            }
        },
        Some(b'[') => {
            let (items, breaks) = array_elements(text.as_bytes(), open);
            if breaks.is_empty() {
                for i in items {
                    walk(&text[i.start..i.end], keys, out, depth + 1);
                }
            }
        }
        Some(b'"') => {
            if let Ok(s) = serde_json::from_str::<String>(text) {
                if s.trim_start().starts_with(['{', '[']) {
                    if let Ok(v) = serde_json::from_str::<Value>(&s) {
                        walk_value(&v, keys, out, depth + 1);
                    }
                }
            }
        }
        _ => {}
    }
}

/// [`walk`] over a built value.
pub fn walk_value(v: &Value, keys: &[&str], out: &mut Vec<Value>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Some((first, rest)) = keys.split_first() else {
        out.push(v.clone());
        return;
    };
    match v {
        Value::Object(m) => {
            let next = m.get(*first).or_else(|| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(first))
                    .map(|(_, v)| v)
            });
            if let Some(next) = next {
                walk_value(next, rest, out, depth + 1);
            }
        }
        Value::Array(items) => {
            for i in items {
                walk_value(i, keys, out, depth + 1);
            }
        }
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => {
            if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                walk_value(&parsed, keys, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, path: &str) -> Vec<Value> {
        let p = Pairs::split(text).unwrap();
        let keys: Vec<&str> = path.split('.').collect();
        let mut out = Vec::new();
        if let Some(raw) = p.get(keys[0]) {
            walk(raw, &keys[1..], &mut out, 0);
        }
        out
    }

    #[test]
    fn paths_through_objects_arrays_and_json_strings() {
        let t = r#"{"a":{"B":[{"c":1},{"c":"x"}]},"s":"{\"k\":[\"v\"]}","e":{"q\"uote":2}}"#;
        assert_eq!(at(t, "a.b.c"), vec![Value::from(1), Value::from("x")]);
        assert_eq!(at(t, "s.k"), vec![serde_json::json!(["v"])]);
        assert_eq!(at(t, "e.q\"uote"), vec![Value::from(2)]);
        assert!(at(t, "a.nope").is_empty());
        assert_eq!(at(t, "a").len(), 1);
        assert!(Pairs::split("[1]").is_none());
        assert!(Pairs::split(r#"{"we\"ird":1}"#).is_none());
        assert!(
            Pairs::split(r#"{"cut":[1,"#).is_none(),
            "not a whole object"
        );
        assert_eq!(
            at(r#" {"a": [ {"b" : 1} , {"b":[2,3]} ] } "#, "a.b"),
            vec![Value::from(1), serde_json::json!([2, 3])]
        );
    }
}
