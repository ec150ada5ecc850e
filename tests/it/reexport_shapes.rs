//! Re-export shapes built from raw records the way the SIEMs and data lakes write them, for the re-export tests:
//! Elastic Agent ECS documents (with `event.original`, or without it following Elastic's CloudTrail pipeline),
//! Splunk results (JSON lines and CSV with `_raw`), Datadog Log Archives lines, Athena results over the CloudTrail
//! table, pandas-flattened CSV (Python literals), and the CloudTrail console's CSV.

use heist_core::frame::EventStore;
use heist_core::ingest::doc::{Item, Probe};
use heist_core::ingest::jsonscan::LineIter;
use heist_core::ingest::{bundle, text};
use serde_json::{json, Map, Value};

/// The index time a SIEM stamps on what it ingests (never the event's time).
pub const INGESTED: &str = "2026-11-01T09:00:00.000Z";

/// One raw record of a file heist read, and that file's format.
pub struct Raw {
    pub text: String,
    pub format: &'static str,
}

/// Every raw record of every file `store` read, file by file, as the files hold them.
pub fn raw_records(store: &EventStore) -> Vec<Raw> {
    let mut out = Vec::new();
    for f in &store.files {
        let bytes = bundle::reopen(&f.locator).expect("reopen");
        let decoded = text::decode(&bytes);
        let probe = Probe::new(&f.origin, &decoded.text);
        if probe.shape.is_some() {
            for item in probe.records() {
                if let Item::Record(r) = item {
                    out.push(Raw {
                        text: r.text.to_string(),
                        format: f.format,
                    });
                }
            }
        } else {
            for (_, _, l) in LineIter::new(&decoded.text) {
                out.push(Raw {
                    text: l.trim().to_string(),
                    format: f.format,
                });
            }
        }
    }
    out
}

/// The CloudTrail event a raw CloudTrail record holds (opening lookup-events' string and CloudWatch envelopes);
/// `None` for a record that is not valid JSON (the sample keeps a truncated one).
pub fn cloudtrail_event(raw: &str) -> Option<Value> {
    let v: Value = serde_json::from_str(raw).ok()?;
    if let Some(s) = v.get("CloudTrailEvent").and_then(Value::as_str) {
        return serde_json::from_str(s).ok();
    }
    if let Some(m) = v.get("message").and_then(Value::as_str) {
        if v.get("timestamp").is_some() || v.get("logStreamName").is_some() {
            return serde_json::from_str(m).ok();
        }
    }
    Some(v)
}

/// Null, empty strings, empty objects and arrays dropped recursively (the first step of Elastic's pipeline).
fn drop_empty(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Object(m) => {
            let m: Map<String, Value> = m
                .iter()
                .filter_map(|(k, v)| drop_empty(v).map(|v| (k.clone(), v)))
                .collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Array(a) => {
            let a: Vec<Value> = a.iter().filter_map(drop_empty).collect();
            (!a.is_empty()).then_some(Value::Array(a))
        }
        other => Some(other.clone()),
    }
}

/// Java's `Map.toString()` of a JSON value, as Elastic keeps `request_parameters`.
pub fn java_map(v: &Value) -> String {
    match v {
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}={}", java_map(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(java_map).collect::<Vec<_>>().join(", ")
        ),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Set a value at a dotted path of a document.
fn put(doc: &mut Map<String, Value>, path: &str, v: Value) {
    let mut parts = path.split('.').peekable();
    let mut cur = doc;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(p.to_string(), v);
            return;
        }
        cur = cur
            .entry(p.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap();
    }
}

/// An Elastic Agent document of a CloudTrail event, field by field as Elastic's CloudTrail pipeline
/// (`packages/aws/data_stream/cloudtrail`) writes it; `original` kept as `event.original` when given.
pub fn ecs_cloudtrail(event: &Value, original: Option<&str>) -> Value {
    let ev = drop_empty(event).unwrap_or_else(|| json!({}));
    let s = |p: &str| -> Option<Value> {
        let mut cur = &ev;
        for k in p.split('.') {
            cur = cur.get(k)?;
        }
        Some(cur.clone())
    };
    let mut d = Map::new();
    let copy = |from: &str, to: &str, d: &mut Map<String, Value>| {
        if let Some(v) = s(from) {
            put(d, to, v);
        }
    };
    let time = ev["eventTime"].as_str().unwrap_or_default();
    let stamped = if time.len() == 20 && time.ends_with('Z') {
        format!("{}.000Z", &time[..19])
    } else {
        time.to_string()
    };
    put(&mut d, "@timestamp", json!(stamped));
    put(&mut d, "ecs.version", json!("8.11.0"));
    put(&mut d, "event.kind", json!("event"));
    put(&mut d, "event.created", json!(INGESTED));
    put(&mut d, "data_stream.dataset", json!("aws.cloudtrail"));
    if let Some(o) = original {
        put(&mut d, "event.original", json!(o));
        put(&mut d, "tags", json!(["preserve_original_event"]));
    }
    copy("eventVersion", "aws.cloudtrail.event_version", &mut d);
    copy(
        "userIdentity.type",
        "aws.cloudtrail.user_identity.type",
        &mut d,
    );
    copy("userIdentity.userName", "user.name", &mut d);
    copy("userIdentity.principalId", "user.id", &mut d);
    copy(
        "userIdentity.arn",
        "aws.cloudtrail.user_identity.arn",
        &mut d,
    );
    copy("userIdentity.accountId", "cloud.account.id", &mut d);
    copy(
        "userIdentity.accessKeyId",
        "aws.cloudtrail.user_identity.access_key_id",
        &mut d,
    );
    let sc = "aws.cloudtrail.user_identity.session_context";
    copy(
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        &format!("{sc}.mfa_authenticated"),
        &mut d,
    );
    copy(
        "userIdentity.sessionContext.attributes.creationDate",
        &format!("{sc}.creation_date"),
        &mut d,
    );
    for (from, to) in [
        ("type", "type"),
        ("principalId", "principal_id"),
        ("arn", "arn"),
        ("accountId", "account_id"),
    ] {
        copy(
            &format!("userIdentity.sessionContext.sessionIssuer.{from}"),
            &format!("{sc}.session_issuer.{to}"),
            &mut d,
        );
    }
    // The session issuer's name overwrites user.name (Elastic's pipeline renames both there).
    copy(
        "userIdentity.sessionContext.sessionIssuer.userName",
        "user.name",
        &mut d,
    );
    copy(
        "userIdentity.invokedBy",
        "aws.cloudtrail.user_identity.invoked_by",
        &mut d,
    );
    copy("eventSource", "event.provider", &mut d);
    copy("eventName", "event.action", &mut d);
    copy("eventCategory", "aws.cloudtrail.event_category", &mut d);
    copy("awsRegion", "cloud.region", &mut d);
    copy("sourceIPAddress", "source.address", &mut d);
    if let Some(ip) = ev["sourceIPAddress"].as_str() {
        if ip.parse::<std::net::IpAddr>().is_ok() {
            put(&mut d, "source.ip", json!(ip));
        }
    }
    copy("userAgent", "user_agent.original", &mut d);
    copy("errorCode", "aws.cloudtrail.error_code", &mut d);
    copy("errorMessage", "aws.cloudtrail.error_message", &mut d);
    for (from, to) in [
        ("requestParameters", "request_parameters"),
        ("responseElements", "response_elements"),
        ("additionalEventData", "additional_eventdata"),
        ("serviceEventDetails", "service_event_details"),
    ] {
        if let Some(v) = s(from) {
            put(&mut d, &format!("aws.cloudtrail.{to}"), json!(java_map(&v)));
            put(&mut d, &format!("aws.cloudtrail.flattened.{to}"), v);
        }
    }
    copy("requestID", "aws.cloudtrail.request_id", &mut d);
    copy("eventID", "event.id", &mut d);
    copy("eventType", "aws.cloudtrail.event_type", &mut d);
    copy("apiVersion", "aws.cloudtrail.api_version", &mut d);
    copy("managementEvent", "aws.cloudtrail.management_event", &mut d);
    copy("readOnly", "aws.cloudtrail.read_only", &mut d);
    if let Some(Value::Array(res)) = s("resources") {
        let res: Vec<Value> = res
            .iter()
            .map(|r| {
                let mut m = Map::new();
                for (from, to) in [
                    ("ARN", "arn"),
                    ("accountId", "account_id"),
                    ("type", "type"),
                ] {
                    if let Some(v) = r.get(from) {
                        m.insert(to.into(), v.clone());
                    }
                }
                Value::Object(m)
            })
            .collect();
        put(&mut d, "aws.cloudtrail.resources", json!(res));
    }
    copy(
        "recipientAccountId",
        "aws.cloudtrail.recipient_account_id",
        &mut d,
    );
    copy("sharedEventID", "aws.cloudtrail.shared_event_id", &mut d);
    copy("vpcEndpointId", "aws.cloudtrail.vpc_endpoint_id", &mut d);
    Value::Object(d)
}

/// An ECS document that keeps any record as `event.original` (the integration's `preserve_original_event`).
pub fn ecs_original(raw: &str, format: &str) -> Value {
    let mut d = json!({"@timestamp":INGESTED,"ecs":{"version":"8.11.0"},
        "event":{"original":raw,"kind":"event","created":INGESTED},
        "data_stream":{"dataset":format!("{format}.logs"),"type":"logs"},
        "tags":["preserve_original_event"]});
    match format {
        "gcp" => {
            d["gcp"] = json!({"audit":{"type":"type.googleapis.com/google.cloud.audit.AuditLog"}})
        }
        "azure" | "azure_openai" => d["azure"] = json!({"resource":{"provider":"microsoft"}}),
        "k8s" => d["kubernetes"] = json!({"audit":{}}),
        _ => {}
    }
    d
}

/// The sourcetype Splunk's add-ons give each format.
pub fn sourcetype(format: &str) -> &'static str {
    match format {
        "cloudtrail" => "aws:cloudtrail",
        "s3access" => "aws:s3:accesslogs",
        "bedrock" => "aws:bedrock:invocation",
        "gcp" => "google:gcp:pubsub:audit:data_access",
        "azure" => "azure:monitor:aad",
        "azure_openai" => "azure:monitor:resource",
        "k8s" => "kube:apiserver:audit",
        "openai" => "openai:audit",
        _ => "unknown",
    }
}

/// A Splunk export result line (`output_mode=json`).
pub fn splunk_line(raw: &str, format: &str) -> String {
    json!({"preview":false,"result":{"_bkt":"main~1~X","_cd":"1:2","_indextime":"1793523600","_raw":raw,
        "_serial":"0","_si":["idx-1","main"],"_sourcetype":sourcetype(format),"_time":"2026-11-01T09:00:00.000+00:00",
        "host":"collector","index":"main","linecount":"1","source":"s3://logs","sourcetype":sourcetype(format),
        "splunk_server":"idx-1"}})
    .to_string()
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A Splunk CSV export (`_time`, `_raw`, host, source, sourcetype) of the records.
pub fn splunk_csv(raws: &[Raw]) -> String {
    let mut out = String::from("\"_time\",\"_raw\",host,source,sourcetype\r\n");
    for r in raws {
        out.push_str(&format!(
            "\"2026-11-01T09:00:00.000+0000\",{},collector,\"s3://logs\",{}\r\n",
            csv_field(&r.text),
            sourcetype(r.format)
        ));
    }
    out
}

/// A Datadog Log Archives line of a CloudTrail event after Datadog's CloudTrail pipeline: the time, the caller's
/// IP and user agent and the event name moved to the log's date and standard attributes.
pub fn datadog_line(event: &Value) -> String {
    let mut a = event.as_object().cloned().unwrap_or_default();
    let take = |a: &mut Map<String, Value>, k: &str| a.remove(k).unwrap_or(Value::Null);
    let time = take(&mut a, "eventTime");
    let ip = take(&mut a, "sourceIPAddress");
    let ua = take(&mut a, "userAgent");
    let name = take(&mut a, "eventName");
    let failed = a.get("errorCode").is_some_and(|c| !c.is_null());
    a.insert(
        "evt".into(),
        json!({"name":name,"outcome":if failed {"failure"} else {"success"}}),
    );
    a.insert("network".into(), json!({"client":{"ip":ip}}));
    a.insert("http".into(), json!({"useragent":ua}));
    if let Some(arn) = event.pointer("/userIdentity/arn") {
        a.insert("usr".into(), json!({"id":arn}));
    }
    json!({"_id":"AQAAAZ","date":time,"host":"cloudtrail","source":"cloudtrail","service":"cloudtrail",
        "status":if failed {"error"} else {"info"},"message":"","attributes":a,"tags":["source:cloudtrail"]})
    .to_string()
}

/// How Athena prints a struct or array column: `{name=value, ...}`, names lower-cased.
fn athena_struct(v: &Value) -> String {
    match v {
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}={}", k.to_ascii_lowercase(), athena_struct(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(athena_struct).collect::<Vec<_>>().join(", ")
        ),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Athena's CSV results of `SELECT *` over the CloudTrail table (the columns of AWS's DDL).
pub fn athena_csv(events: &[Value]) -> String {
    const STRUCTS: &[&str] = &["userIdentity", "resources", "tlsDetails"];
    const JSON: &[&str] = &[
        "requestParameters",
        "responseElements",
        "additionalEventData",
        "serviceEventDetails",
    ];
    const COLS: &[&str] = &[
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "errorMessage",
        "requestParameters",
        "responseElements",
        "additionalEventData",
        "requestID",
        "eventID",
        "readOnly",
        "resources",
        "eventType",
        "apiVersion",
        "recipientAccountId",
        "serviceEventDetails",
        "sharedEventID",
        "vpcEndpointId",
        "eventCategory",
        "tlsDetails",
    ];
    let mut out = COLS
        .iter()
        .map(|c| csv_field(&c.to_ascii_lowercase()))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for ev in events {
        let row: Vec<String> = COLS
            .iter()
            .map(|c| {
                let cell = match ev.get(*c) {
                    None | Some(Value::Null) => String::new(),
                    Some(v) if STRUCTS.contains(c) => athena_struct(v),
                    Some(v) if JSON.contains(c) => v.to_string(),
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                };
                csv_field(&cell)
            })
            .collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Python's `repr` of a JSON value (what pandas writes for a dict cell).
fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&json!(k)), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `pandas.DataFrame(records).to_csv()`: an index column, CloudTrail's top-level names, dicts and lists as Python
/// literals, CRLF lines, newest first.
pub fn pandas_csv(events: &[Value]) -> String {
    let mut cols: Vec<String> = Vec::new();
    for ev in events {
        for k in ev.as_object().into_iter().flat_map(|m| m.keys()) {
            if !cols.contains(k) {
                cols.push(k.clone());
            }
        }
    }
    let mut out = format!(
        ",{}\r\n",
        cols.iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
    );
    for (i, ev) in events.iter().enumerate().rev() {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match ev.get(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => csv_field(s),
                Some(v @ (Value::Object(_) | Value::Array(_))) => csv_field(&py_repr(v)),
                Some(Value::Bool(b)) => if *b { "True" } else { "False" }.to_string(),
                Some(v) => v.to_string(),
            })
            .collect();
        out.push_str(&format!("{i},{}\r\n", cells.join(",")));
    }
    out
}

/// The CloudTrail console's "Download events" CSV with its `CloudTrail event` column.
pub fn console_csv(events: &[Value]) -> String {
    let mut out = String::from(
        "Event ID,Event time,User name,Event name,Resource type,Resource name,AWS access key,Event source,AWS region,Error code,Source IP address,Read-only,Resources,CloudTrail event\r\n",
    );
    for ev in events {
        let s = |p: &str| {
            ev.pointer(p)
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_default()
        };
        let resources: Vec<Value> = ev
            .get("resources")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|r| json!({"resourceType":r.get("type"),"resourceName":r.get("ARN")}))
                    .collect()
            })
            .unwrap_or_default();
        let cells = [
            s("/eventID"),
            s("/eventTime"),
            s("/userIdentity/userName"),
            s("/eventName"),
            String::new(),
            String::new(),
            s("/userIdentity/accessKeyId"),
            s("/eventSource"),
            s("/awsRegion"),
            s("/errorCode"),
            s("/sourceIPAddress"),
            s("/readOnly"),
            json!(resources).to_string(),
            ev.to_string(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}
