//! Datadog log exports of CloudTrail: Logs API pages (`{"data":[{"type":"log","attributes":{..,"attributes":{..}}}]}`
//! and v1's `{"logs":[{"content":{..}}]}`), Log Archives lines (`{"_id":..,"date":..,"attributes":{..}}`), and JSON
//! lines or arrays of the attributes themselves. The attributes hold CloudTrail's fields after Datadog's CloudTrail
//! pipeline: some moved to standard attributes (`network.client.ip` for `sourceIPAddress`, `http.useragent` for
//! `userAgent`, `evt.name` for `eventName`, `evt.outcome`, `usr.*`), the time in the log's `timestamp` / `date` /
//! `@timestamp`. The CloudTrail record is rebuilt from them (CloudTrail's own fields win where both are there) and
//! read by the CloudTrail format; a `message` that holds the record itself is read as it is.

use serde_json::Value;

use super::cloudtrail::CloudTrail;
use super::inner::InnerBatch;
use super::reexport::{containers, ctrecord, dotted};
use super::{json_error, Format, ParseOut};
use crate::ingest::doc::{Item, Probe};

pub struct Datadog;

/// A log's attributes and the log around them (the envelope holding its time, host and message).
struct Located<'v> {
    attrs: &'v Value,
    envelope: &'v Value,
    /// The attributes sit in one of Datadog's envelopes (API, archive), not at the top of the record.
    enveloped: bool,
}

fn locate(doc: &Value) -> Option<Located<'_>> {
    let o = doc.as_object()?;
    if let Some(a) = o.get("attributes").filter(|v| v.is_object()) {
        // Logs API v2: {"id", "type":"log", "attributes": {timestamp, host, message, "attributes": {...}}}.
        if let Some(inner) = a.get("attributes").filter(|v| v.is_object()) {
            return Some(Located {
                attrs: inner,
                envelope: a,
                enveloped: true,
            });
        }
        // Log Archives: {"_id", "date", "host", "service", "attributes": {...}}.
        if ["_id", "date", "host", "service", "status"]
            .iter()
            .any(|k| o.contains_key(*k))
        {
            return Some(Located {
                attrs: a,
                envelope: doc,
                enveloped: true,
            });
        }
    }
    // Logs API v1: {"id", "content": {timestamp, host, message, "attributes": {...}}}.
    if let Some(content) = o.get("content").filter(|v| v.is_object()) {
        if let Some(inner) = content.get("attributes").filter(|v| v.is_object()) {
            return Some(Located {
                attrs: inner,
                envelope: content,
                enveloped: true,
            });
        }
    }
    Some(Located {
        attrs: doc,
        envelope: doc,
        enveloped: false,
    })
}

/// Datadog's standard attributes that its CloudTrail pipeline fills.
const STANDARD: &[&str] = &[
    "evt.name",
    "evt.outcome",
    "network.client.ip",
    "http.useragent",
    "usr.id",
    "usr.name",
];

const CLOUDTRAIL: &[&str] = &[
    "eventSource",
    "eventName",
    "eventVersion",
    "userIdentity",
    "awsRegion",
    "recipientAccountId",
];

fn is_datadog(doc: &Value) -> bool {
    let Some(l) = locate(doc) else { return false };
    let has = |p: &&str| dotted::get(l.attrs, p).is_some();
    CLOUDTRAIL.iter().any(has) && (l.enveloped || STANDARD.iter().any(has))
}

impl Format for Datadog {
    fn id(&self) -> &'static str {
        "datadog"
    }

    fn title(&self) -> &'static str {
        "Datadog log export of CloudTrail"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "Logs API v2 pages {\"data\":[{\"type\":\"log\",\"attributes\":{\"timestamp\":..,\"attributes\":{...}}}]}",
            "Logs API v1 {\"logs\":[{\"content\":{\"timestamp\":..,\"attributes\":{...}}}]}",
            "Log Archives JSON lines {\"_id\":..,\"date\":..,\"attributes\":{...}} (gzip)",
            "JSON lines or arrays of a log's attributes (evt.*, network.client.ip, http.useragent, usr.* beside CloudTrail's fields)",
        ]
    }

    fn maps(&self) -> &'static str {
        "the CloudTrail record rebuilt from the attributes (CloudTrail's fields, else network.client.ip, \
         http.useragent, evt.name, evt.outcome / error.kind, usr.id, the log's timestamp) and read as CloudTrail maps it"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        containers::sample_docs(probe)
            .into_iter()
            .take(3)
            .any(is_datadog)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        let mut inner = InnerBatch::default();
        for item in containers::records(probe) {
            match item {
                Item::Broken { loc, message } => out.error(loc, message),
                Item::Record(rec) => {
                    let text = serde_json::from_str::<Value>(rec.text)
                        .map_err(|e| json_error(&e))
                        .and_then(|v| cloudtrail_of(&v));
                    match text {
                        Ok(Record::Kept(t)) => inner.push(t, rec),
                        Ok(Record::Rebuilt(t)) => inner.push_as(&CloudTrail, t, rec),
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

/// The CloudTrail record of a log: kept whole in its message, or rebuilt from its attributes.
enum Record {
    Kept(String),
    Rebuilt(String),
}

/// The CloudTrail record of one Datadog log.
fn cloudtrail_of(doc: &Value) -> Result<Record, String> {
    let l = locate(doc).ok_or("a log is a JSON object")?;
    if let Some(m) = dotted::get_str(l.envelope, "message") {
        // The record itself, when Datadog kept it as the message.
        if let Ok(v @ Value::Object(_)) = serde_json::from_str::<Value>(m) {
            if CLOUDTRAIL.iter().any(|k| v.get(*k).is_some()) {
                return Ok(Record::Kept(m.to_string()));
            }
        }
    }
    let a = dotted::expand(l.attrs.clone());
    let Some(map) = a.as_object() else {
        return Err("the log's attributes are not an object".into());
    };
    if !CLOUDTRAIL.iter().any(|k| map.contains_key(*k)) {
        return Err(
            "the log's attributes hold no CloudTrail fields (eventSource, eventName, userIdentity, ...)".into(),
        );
    }
    let s = |p: &str| dotted::get_str(&a, p);
    let mut r = ctrecord::Record::new();
    // CloudTrail's own fields as they are; Datadog's (evt, network, http, usr, ...) stay out.
    for (k, v) in map
        .iter()
        .filter(|(k, _)| ctrecord::canonical(k) == Some(k.as_str()))
    {
        r.set(k, v.clone());
    }
    r.set_str("eventName", s("eventName").or_else(|| s("evt.name")));
    r.set_str(
        "sourceIPAddress",
        s("sourceIPAddress").or_else(|| s("network.client.ip")),
    );
    r.set_str("userAgent", s("userAgent").or_else(|| s("http.useragent")));
    if r.get("eventTime").is_none() {
        let time = ["timestamp", "date", "@timestamp"]
            .iter()
            .find_map(|k| dotted::get(l.envelope, k).or_else(|| dotted::get(&a, k)))
            .filter(|t| t.is_string() || t.is_number());
        if let Some(t) = time {
            r.set("eventTime", t.clone());
        }
    }
    if let Some(id) = s("usr.id").filter(|id| id.starts_with("arn:")) {
        r.set_if_none("userIdentity.arn", id);
    }
    if r.get("userIdentity.arn").is_none() {
        r.set_str("userIdentity.userName", s("usr.name"));
    }
    let failed = s("evt.outcome").is_some_and(|o| {
        let o = o.to_ascii_lowercase();
        o == "failure" || o == "error" || o == "failed"
    });
    if r.get("errorCode").is_none() {
        let code = s("error.kind")
            .or_else(|| s("error.code"))
            .or_else(|| failed.then(|| s("evt.outcome")).flatten());
        r.set_str("errorCode", code);
    }
    r.set_if_none("errorMessage", s("error.message").unwrap_or_default());
    Ok(Record::Rebuilt(r.into_text()))
}

#[cfg(test)]
mod tests;
