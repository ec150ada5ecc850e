//! The envelopes search APIs put their documents in: an Elasticsearch `_search` response (`hits.hits[]`, each hit
//! with its `_source`), elasticdump lines (`{"_index":..,"_source":{..}}`), Splunk's export lines
//! (`{"preview":false,"result":{..}}`) and results document (`{"results":[..]}`), Datadog's v1 list (`{"logs":[..]}`)
//! and pipeline test fixtures (`{"expected":[..]}`). Arrays under the usual wrapper keys (`data`, `records`, ...) are
//! opened by the probe itself.

use serde_json::Value;

use crate::ingest::doc::{Item, Probe};
use crate::ingest::jsonscan::{object_members, Shape};

/// Object keys whose array holds the documents, tried in order.
const ARRAY_KEYS: &[&str] = &["expected", "results", "logs"];

/// Every record of the file, the envelope of a search response opened (each document located in the file).
pub fn records<'a>(probe: &Probe<'a>) -> Vec<Item<'a>> {
    if let Some(open) = documents_array(probe) {
        return array_items(probe.text, open);
    }
    probe.records().collect()
}

/// Where the array of documents opens, when the file is one object around it (an object cut short still gives the
/// complete documents before the break).
fn documents_array(probe: &Probe<'_>) -> Option<usize> {
    if probe.shape != Some(Shape::Object) || probe.wrapper.is_some() {
        return None;
    }
    let text = probe.text;
    let b = text.as_bytes();
    let is = |at: usize, c: u8| b.get(at) == Some(&c);
    let open = b.len() - text.trim_start().len();
    let (members, unclosed) = object_members(text, open);
    for key in ARRAY_KEYS {
        if let Some(m) = members.iter().find(|m| m.key == *key) {
            if is(m.value.start, b'[') {
                return Some(m.value.start);
            }
        }
        if let Some(u) = &unclosed {
            if u.key == Some(*key) && is(u.value_start, b'[') {
                return Some(u.value_start);
            }
        }
    }
    let hits_start = match members.iter().find(|m| m.key == "hits") {
        Some(m) => m.value.start,
        None => {
            unclosed
                .as_ref()
                .filter(|u| u.key == Some("hits"))?
                .value_start
        }
    };
    if !is(hits_start, b'{') {
        return None;
    }
    let (inner, cut) = object_members(text, hits_start);
    if let Some(h) = inner.iter().find(|m| m.key == "hits") {
        return is(h.value.start, b'[').then_some(h.value.start);
    }
    let u = cut?;
    (u.key == Some("hits") && is(u.value_start, b'[')).then_some(u.value_start)
}

fn array_items(text: &str, open: usize) -> Vec<Item<'_>> {
    crate::ingest::doc::array_items(text, open).collect()
}

/// The documents among the probe's first records, envelopes opened, for sniffing.
pub fn sample_docs<'v>(probe: &'v Probe<'_>) -> Vec<&'v Value> {
    let mut out = Vec::new();
    for s in &probe.samples {
        let listed = ARRAY_KEYS
            .iter()
            .find_map(|k| s.get(*k).and_then(Value::as_array))
            .or_else(|| s.get("hits")?.get("hits")?.as_array());
        match listed {
            Some(list) => out.extend(list.iter().take(5).map(document)),
            None => out.push(document(s)),
        }
    }
    out
}

/// A document inside its per-record envelope: an Elasticsearch hit's or elasticdump line's `_source`, a Splunk
/// export line's `result`; anything else is its own document.
pub fn document(v: &Value) -> &Value {
    if let Some(src) = v.get("_source").filter(|s| s.is_object()) {
        return src;
    }
    match v.get("result") {
        Some(r) if r.is_object() && v.get("preview").is_some() => r,
        _ => v,
    }
}

/// As [`document`], taking the value apart.
pub fn into_document(mut v: Value) -> Value {
    let key = if v.get("_source").is_some_and(Value::is_object) {
        "_source"
    } else if v.get("result").is_some_and(Value::is_object) && v.get("preview").is_some() {
        "result"
    } else {
        return v;
    };
    v.get_mut(key).map(Value::take).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(items: &[Item<'a>]) -> Vec<&'a str> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => Some(r.text),
                Item::Broken { .. } => None,
            })
            .collect()
    }

    #[test]
    fn search_responses_and_fixtures_open_to_their_documents() {
        let es = r#"{"took":3,"timed_out":false,"hits":{"total":{"value":2},"hits":[{"_index":"i","_source":{"a":1}},{"_index":"i","_source":{"a":2}}]}}"#;
        let p = Probe::new("f", es);
        let items = records(&p);
        assert_eq!(
            texts(&items),
            [
                r#"{"_index":"i","_source":{"a":1}}"#,
                r#"{"_index":"i","_source":{"a":2}}"#
            ]
        );
        let docs = sample_docs(&p);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["a"], 2);

        let fixture = "{\n  \"expected\": [\n    {\"b\": 1},\n    {\"b\": 2}\n  ]\n}\n";
        let p = Probe::new("f", fixture);
        let items = records(&p);
        assert_eq!(texts(&items), [r#"{"b": 1}"#, r#"{"b": 2}"#]);
        if let Item::Record(r) = &items[1] {
            assert_eq!(r.loc, 1);
            assert_eq!(&fixture[r.offset..r.offset + r.text.len()], r#"{"b": 2}"#);
        }
        assert_eq!(sample_docs(&p)[0]["b"], 1);

        // A single plain object is its own document; an export line opens to its result.
        let p = Probe::new("f", r#"{"preview":false,"result":{"_raw":"x"}}"#);
        assert_eq!(texts(&records(&p)).len(), 1);
        assert_eq!(sample_docs(&p)[0]["_raw"], "x");
    }

    #[test]
    fn a_truncated_response_keeps_its_complete_documents() {
        let p = Probe::new("f", r#"{"results":[{"a":1},{"a":"#);
        let items = records(&p);
        assert_eq!(texts(&items), [r#"{"a":1}"#]);
        assert!(matches!(items.last(), Some(Item::Broken { loc: 1, .. })));
        let p = Probe::new(
            "f",
            r#"{"took":1,"hits":{"hits":[{"_source":{"a":1}},{"_sou"#,
        );
        assert_eq!(texts(&records(&p)), [r#"{"_source":{"a":1}}"#]);
    }

    #[test]
    fn into_document_takes_the_source() {
        let v: Value = serde_json::from_str(r#"{"_id":"1","_source":{"x":true}}"#).unwrap();
        assert_eq!(into_document(v), serde_json::json!({"x": true}));
        let v: Value = serde_json::from_str(r#"{"x":1}"#).unwrap();
        assert_eq!(into_document(v.clone()), v);
    }
}
