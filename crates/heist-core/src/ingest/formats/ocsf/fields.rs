//! Reading OCSF events: dotted paths into a parsed event, the event's time, the `unmapped` object (flat dotted keys
//! in Security Lake, nested objects elsewhere) turned back into nested objects, and the JSON-in-a-string members
//! (`api.request.data`, `api.response.data`) opened.

use serde_json::{Map, Value};

use crate::util::time::{epoch_f64, epoch_number, parse_any, Nanos};

/// The value at a dotted path (`actor.user.uid`), when every step is an object member.
pub fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |cur, k| cur.get(k))
}

/// A non-empty string at `path`; numbers read as their text (some exports write ids as numbers). Security Lake's
/// placeholder for an empty string, `''`, reads as absent.
pub fn text(v: &Value, path: &str) -> Option<String> {
    match at(v, path)? {
        Value::String(s) if !s.is_empty() && s != "''" => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first path that holds a non-empty string.
pub fn first_text(v: &Value, paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| text(v, p))
}

/// When the event happened: `time` (epoch milliseconds in OCSF; seconds in some producers' output, told apart by
/// magnitude), else `time_dt` (RFC 3339, any offset). Neither, or neither a time, is an error.
pub fn event_time(v: &Value) -> Result<Nanos, String> {
    time_of(v, "time", "time_dt")?.ok_or_else(|| "no time or time_dt".to_string())
}

/// A time from an epoch member or its `_dt` twin; `Ok(None)` when both are absent.
pub fn time_of(v: &Value, epoch: &str, dt: &str) -> Result<Option<Nanos>, String> {
    match at(v, epoch) {
        Some(Value::Number(n)) => {
            return n
                .as_i64()
                .and_then(epoch_number)
                .or_else(|| n.as_f64().and_then(epoch_f64))
                .map(Some)
                .ok_or_else(|| format!("{epoch} {n} is not a time"))
        }
        Some(Value::String(s)) if !s.is_empty() => {
            return parse_any(s)
                .map(Some)
                .ok_or_else(|| format!("{epoch} {:?} is not a time", short(s)))
        }
        _ => {}
    }
    match at(v, dt) {
        Some(Value::String(s)) if !s.is_empty() => parse_any(s)
            .map(Some)
            .ok_or_else(|| format!("{dt} {:?} is not a time", short(s))),
        Some(Value::Null) | None => Ok(None),
        Some(other) => Err(format!("{dt} {} is not a time", short(&other.to_string()))),
    }
}

fn short(s: &str) -> std::borrow::Cow<'_, str> {
    crate::util::sanitize::truncate(s, 60)
}

/// A JSON document kept as a string (`api.request.data`, `unmapped.requestParameters`): the parsed value, or the
/// string itself when it is not JSON. An object is returned as is.
pub fn open_json(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) => {
            let t = s.trim();
            if t.starts_with('{') || t.starts_with('[') {
                if let Ok(parsed) = serde_json::from_str::<Value>(t) {
                    return Some(parsed);
                }
            }
            Some(v.clone())
        }
        other => Some(other.clone()),
    }
}

/// `unmapped` as nested objects. Security Lake flattens the original record's leftover fields into a
/// `map<string,string>` with dotted keys (`responseElements.credentials.accessKeyId`); other producers keep them
/// nested. Keys naming list members (`resources[].ARN`) cannot be put back in place and are left out; values that
/// hold JSON text are opened.
pub fn unflatten(unmapped: Option<&Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(Value::Object(m)) = unmapped else {
        return out;
    };
    for (k, v) in m {
        if k.contains("[]") {
            continue;
        }
        let value = match v {
            Value::String(_) => open_json(v).unwrap_or(Value::Null),
            other => other.clone(),
        };
        insert_path(&mut out, k, value);
    }
    out
}

/// Put `value` at the dotted `path`, creating objects on the way; an existing value is kept (the first wins).
fn insert_path(obj: &mut Map<String, Value>, path: &str, value: Value) {
    let mut cur = obj;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            merge_into(cur, part, value);
            return;
        }
        let slot = cur
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        match slot {
            Value::Object(m) => cur = m,
            // A scalar already sits where an object is needed: the scalar stays.
            _ => return,
        }
    }
}

/// Set `obj[key]` unless it is there; two objects are merged member by member, the existing members winning.
pub fn merge_into(obj: &mut Map<String, Value>, key: &str, value: Value) {
    match (obj.get_mut(key), value) {
        (None, v) => {
            obj.insert(key.to_string(), v);
        }
        (Some(Value::Object(have)), Value::Object(add)) => {
            for (k, v) in add {
                merge_into(have, &k, v);
            }
        }
        (Some(Value::Null), v) => {
            obj.insert(key.to_string(), v);
        }
        _ => {}
    }
}

/// Insert a string member when there is one to insert.
pub fn put(obj: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        obj.insert(key.to_string(), Value::String(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flat_unmapped_keys_nest_again_and_json_strings_open() {
        let u = json!({
            "responseElements.credentials.accessKeyId": "ASIAEXAMPLE",
            "responseElements.assumedRoleUser.arn": "arn:aws:sts::1:assumed-role/r/s",
            "requestParameters": "{\"roleArn\":\"arn:aws:iam::1:role/r\"}",
            "resources[].ARN": "a,b",
            "readOnly": "false"
        });
        let m = unflatten(Some(&u));
        let v = Value::Object(m);
        assert_eq!(
            text(&v, "responseElements.credentials.accessKeyId").as_deref(),
            Some("ASIAEXAMPLE")
        );
        assert_eq!(
            text(&v, "requestParameters.roleArn").as_deref(),
            Some("arn:aws:iam::1:role/r")
        );
        assert!(v.get("resources[]").is_none() && v.get("resources").is_none());
        assert_eq!(text(&v, "readOnly").as_deref(), Some("false"));
    }

    #[test]
    fn times_by_magnitude_and_dt_fallback() {
        let ms = json!({"time": 1695334972000_i64});
        let s = json!({"time": 1695334972});
        assert_eq!(event_time(&ms), event_time(&s));
        let dt = json!({"time_dt": "2023-09-21T18:22:52.000-04:00"});
        assert_eq!(event_time(&dt), event_time(&ms));
        assert!(event_time(&json!({"time": "soon"})).is_err());
        assert!(event_time(&json!({})).is_err());
    }
}
