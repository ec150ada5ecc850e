//! Documents whose nested fields arrive as dotted top-level keys (Filebeat 7.x output,
//! `"aws.cloudtrail.user_identity.arn": ..`, pandas `json_normalize` columns): opened into nested objects so one
//! reader serves both forms.

use serde_json::{Map, Value};

/// Nest the dotted top-level keys of an object (`{"a.b": 1}` becomes `{"a": {"b": 1}}`), merging with keys already
/// nested. A key whose path runs into a value that is not an object stays as it was, so nothing is lost.
pub fn expand(v: Value) -> Value {
    let Value::Object(map) = v else { return v };
    if !map.keys().any(|k| k.contains('.')) {
        return Value::Object(map);
    }
    let mut out = Map::new();
    let mut dotted = Vec::new();
    for (k, v) in map {
        if k.contains('.') && !k.starts_with('.') && !k.ends_with('.') {
            dotted.push((k, v));
        } else {
            merge_into(&mut out, k, v);
        }
    }
    for (k, v) in dotted {
        if let Err((k, v)) = set_path(&mut out, &k, v) {
            out.entry(k).or_insert(v);
        }
    }
    Value::Object(out)
}

/// Insert `v` at `k`, merging two objects key by key when both are.
fn merge_into(map: &mut Map<String, Value>, k: String, v: Value) {
    match (map.get_mut(&k), v) {
        (Some(Value::Object(have)), Value::Object(add)) => {
            for (k2, v2) in add {
                merge_into(have, k2, v2);
            }
        }
        (Some(_), _) => {}
        (None, v) => {
            map.insert(k, v);
        }
    }
}

/// Set `v` at the dotted `path`; gives the pair back when the path is blocked by a value that is not an object.
fn set_path(map: &mut Map<String, Value>, path: &str, v: Value) -> Result<(), (String, Value)> {
    let parts: Vec<&str> = path.split('.').collect();
    let blocked = {
        let mut cur: &Map<String, Value> = map;
        let mut blocked = false;
        for p in &parts[..parts.len() - 1] {
            match cur.get(*p) {
                Some(Value::Object(m)) => cur = m,
                Some(_) => {
                    blocked = true;
                    break;
                }
                None => break,
            }
        }
        blocked
    };
    if blocked {
        return Err((path.to_string(), v));
    }
    let mut cur = map;
    for p in &parts[..parts.len() - 1] {
        let next = cur
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        match next {
            Value::Object(m) => cur = m,
            _ => return Err((path.to_string(), v)),
        }
    }
    let last = parts[parts.len() - 1].to_string();
    merge_into(cur, last, v);
    Ok(())
}

/// The value at a dotted path of a document, whether its keys are nested or dotted at any level.
pub fn get<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let o = v.as_object()?;
    if let Some(x) = o.get(path) {
        return Some(x);
    }
    let mut rest = path;
    while let Some(dot) = rest.find('.') {
        let head = &path[..path.len() - rest.len() + dot];
        if let Some(x) = o.get(head) {
            let tail = &path[head.len() + 1..];
            if let Some(found) = get(x, tail) {
                return Some(found);
            }
        }
        rest = &rest[dot + 1..];
    }
    None
}

/// The string at a dotted path, when it is a non-empty string.
pub fn get_str<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    get(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_keys_nest_and_merge() {
        let v = json!({"@timestamp":"t","aws.cloudtrail.user_identity.arn":"arn:x","aws.cloudtrail.user_identity.type":"IAMUser",
            "event":{"action":"A"},"event.original":"{}","cloud.region":"us-east-1"});
        let e = expand(v);
        assert_eq!(
            e,
            json!({"@timestamp":"t","aws":{"cloudtrail":{"user_identity":{"arn":"arn:x","type":"IAMUser"}}},
                "event":{"action":"A","original":"{}"},"cloud":{"region":"us-east-1"}})
        );
    }

    #[test]
    fn a_blocked_path_keeps_its_key() {
        let e = expand(json!({"a":"scalar","a.b":1,"x.":2}));
        assert_eq!(e, json!({"a":"scalar","a.b":1,"x.":2}));
    }

    #[test]
    fn get_reads_nested_and_dotted_alike() {
        let nested = json!({"event":{"original":"o"},"network":{"client":{"ip":"1.2.3.4"}}});
        let flat = json!({"event.original":"o","network.client.ip":"1.2.3.4"});
        let mixed = json!({"network":{"client.ip":"1.2.3.4"}});
        for v in [&nested, &flat, &mixed] {
            assert_eq!(get_str(v, "network.client.ip"), Some("1.2.3.4"));
        }
        assert_eq!(get_str(&nested, "event.original"), Some("o"));
        assert_eq!(get_str(&flat, "event.original"), Some("o"));
        assert_eq!(get(&flat, "event.nothing"), None);
    }
}
