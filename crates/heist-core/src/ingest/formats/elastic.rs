//! Elastic and OpenSearch documents of the logs heist reads: Elastic Agent / Filebeat ECS documents of CloudTrail
//! (nested `{"aws":{"cloudtrail":{..}},"event":{..},"source":{..}}` or Filebeat's dotted keys
//! `"aws.cloudtrail.user_identity.arn"`), ECS GCP audit (`gcp.audit.*`) and Azure (`azure.*`) documents, OpenSearch
//! SS4O documents (the raw CloudTrail record nested under `aws.cloudtrail`, the raw access-log line in `body`), and
//! lines a shipper forwarded untouched in `message`. They come as JSON lines, arrays, `_search` responses
//! (`hits.hits[]._source`), elasticdump lines (`{"_index":..,"_source":{..}}`) or pipeline test fixtures
//! (`{"expected":[..]}`).
//!
//! The original record is read with its own format wherever the document kept it (`event.original`, the nested raw
//! record, `body` / `message`); an ECS CloudTrail document without it is rebuilt as the CloudTrail record its fields
//! came from (see `ecs.rs`). `@timestamp` is the index's time, never the event's: the event's time comes from the
//! record (OpenSearch's samples stamp `@timestamp` at ingest).

use serde_json::Value;

use super::cloudtrail::CloudTrail;
use super::inner::InnerBatch;
use super::reexport::{containers, dotted};
use super::{json_error, Format, ParseOut};
use crate::ingest::doc::{Item, Probe};

mod ecs;

pub struct Elastic;

/// Whether a field is in the document, nested or as dotted keys (`aws.cloudtrail.event_version` says
/// `aws.cloudtrail` is there).
fn has_field(doc: &Value, path: &str) -> bool {
    if dotted::get(doc, path).is_some() {
        return true;
    }
    let Some(o) = doc.as_object() else {
        return false;
    };
    o.keys()
        .any(|k| k.len() > path.len() && k.starts_with(path) && k.as_bytes()[path.len()] == b'.')
        || {
            // `aws.cloudtrail.x` under a nested `aws` object with dotted keys inside.
            let (head, rest) = path.split_once('.').unwrap_or((path, ""));
            !rest.is_empty() && o.get(head).is_some_and(|v| has_field(v, rest))
        }
}

/// A shipper's document around a line it did not parse: `message` beside Beats' or Logstash's own fields.
fn shipped_message(doc: &Value) -> bool {
    dotted::get_str(doc, "message").is_some()
        && [
            "agent",
            "@version",
            "log.file.path",
            "input.type",
            "ecs.version",
        ]
        .iter()
        .any(|f| has_field(doc, f))
}

fn is_elastic(doc: &Value) -> bool {
    let Some(o) = doc.as_object() else {
        return false;
    };
    // A record a shipper only stamped (Logstash's @timestamp on a CloudTrail record) is its own format's; Splunk
    // results are Splunk's.
    if !o.contains_key("@timestamp")
        || ["eventVersion", "eventSource", "_raw"]
            .iter()
            .any(|k| o.contains_key(*k))
    {
        return false;
    }
    [
        "event.original",
        "aws.cloudtrail",
        "aws.s3",
        "gcp.audit",
        "azure",
        "ecs.version",
    ]
    .iter()
    .any(|f| has_field(doc, f))
        || (has_field(doc, "body") && has_field(doc, "attributes.data_stream"))
        || shipped_message(doc)
}

impl Format for Elastic {
    fn id(&self) -> &'static str {
        "elastic"
    }

    fn title(&self) -> &'static str {
        "Elastic / OpenSearch documents (ECS, Filebeat, SS4O)"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "Elastic Agent / Filebeat ECS documents of CloudTrail, nested or with dotted keys (aws.cloudtrail.*, event.original)",
            "ECS GCP audit (gcp.audit.*) and Azure (azure.*) documents with event.original",
            "OpenSearch SS4O documents: the raw CloudTrail record under aws.cloudtrail, the raw S3 access-log line in body",
            "a shipper's documents with the untouched line in message (@timestamp, agent, log.file.path)",
            "containers: JSON lines, arrays, _search responses (hits.hits[]._source), elasticdump lines, {\"expected\":[...]}",
        ]
    }

    fn maps(&self) -> &'static str {
        "the original record (event.original, the nested raw record, body / message) read with its own format; an \
         ECS CloudTrail document without it rebuilt from aws.cloudtrail.*, event.*, source.*, user_agent.*, cloud.* \
         as CloudTrail maps it; @timestamp (ingest time) never replaces the event's time"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        containers::sample_docs(probe)
            .into_iter()
            .take(3)
            .any(is_elastic)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        let mut inner = InnerBatch::default();
        for item in containers::records(probe) {
            match item {
                Item::Broken { loc, message } => out.error(loc, message),
                Item::Record(rec) => {
                    let text = serde_json::from_str::<Value>(rec.text)
                        .map_err(|e| json_error(&e))
                        .and_then(|v| original_of(containers::into_document(v)));
                    match text {
                        Ok(Inner::Original(t)) => inner.push(t, rec),
                        Ok(Inner::Rebuilt(t)) => inner.push_as(&CloudTrail, t, rec),
                        Err(m) => out.error(rec.loc, m),
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

/// What a document gives to read.
enum Inner {
    /// The original record, in whatever format it is.
    Original(String),
    /// A CloudTrail record rebuilt from the document's fields.
    Rebuilt(String),
}

/// The original record a document carries, or the CloudTrail record rebuilt from its ECS fields.
fn original_of(doc: Value) -> Result<Inner, String> {
    let doc = dotted::expand(doc);
    if let Some(o) = dotted::get_str(&doc, "event.original") {
        return Ok(Inner::Original(o.to_string()));
    }
    let ct = doc.get("aws").and_then(|a| a.get("cloudtrail"));
    if let Some(raw) = ct.filter(|c| is_raw_cloudtrail(c)) {
        return Ok(Inner::Original(raw.to_string()));
    }
    let ecs_cloudtrail = ct.is_some_and(Value::is_object);
    let line = dotted::get_str(&doc, "body").or_else(|| dotted::get_str(&doc, "message"));
    if let Some(l) = line {
        if !ecs_cloudtrail || l.trim_start().starts_with('{') {
            return Ok(Inner::Original(l.to_string()));
        }
    }
    if ecs_cloudtrail {
        return ecs::cloudtrail_record(&doc).map(Inner::Rebuilt);
    }
    if doc.get("gcp").and_then(|g| g.get("audit")).is_some() {
        return Err("an ECS gcp.audit document without event.original: heist reads the original LogEntry (keep it \
                    with the pipeline's preserve_original_event tag)"
            .into());
    }
    if doc.get("azure").is_some() {
        return Err("an ECS azure document without event.original: heist reads the original Azure record (keep \
                    it with the pipeline's preserve_original_event tag)"
            .into());
    }
    Err("no event.original and no aws.cloudtrail, body or message: nothing in this document to read".into())
}

/// CloudTrail's own record nested as it was (OpenSearch keeps camelCase), not ECS's snake_case fields.
fn is_raw_cloudtrail(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        [
            "eventName",
            "eventVersion",
            "eventTime",
            "eventSource",
            "userIdentity",
        ]
        .iter()
        .any(|k| o.contains_key(*k))
    })
}

#[cfg(test)]
mod tests;
