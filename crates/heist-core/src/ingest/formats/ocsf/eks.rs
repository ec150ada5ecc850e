//! An OCSF API Activity event made from an EKS (Kubernetes) audit event, rebuilt as the `audit.k8s.io` event it
//! came from, so the Kubernetes format reads it. Follows Security Lake's EKS audit mapping (OCSF 1.1 onwards):
//! `actor.user.name` = username, `actor.session.credential_uid` = the IAM authenticator's access key,
//! `actor.session.issuer` = the role, `cloud.account.uid` = the caller's session ARN, `resources[0]` = the object.

use serde_json::{Map, Value};

use super::fields::{at, first_text, merge_into, open_json, put, text, time_of};
use crate::util::time::format_utc;

const STAGES: &[&str] = &[
    "RequestReceived",
    "ResponseStarted",
    "ResponseComplete",
    "Panic",
];

/// The audit event behind `ev`, as JSON text.
pub fn rebuild(ev: &Value, time: i64) -> String {
    let mut r = Map::new();
    put(&mut r, "kind", Some("Event".into()));
    put(
        &mut r,
        "apiVersion",
        Some(
            text(ev, "metadata.product.version")
                .filter(|v| v.starts_with("audit.k8s.io/"))
                .unwrap_or_else(|| "audit.k8s.io/v1".into()),
        ),
    );
    put(&mut r, "level", text(ev, "metadata.log_level"));
    put(
        &mut r,
        "auditID",
        first_text(ev, &["api.request.uid", "metadata.uid"]),
    );
    put(
        &mut r,
        "stage",
        Some(
            text(ev, "message")
                .filter(|m| STAGES.contains(&m.as_str()))
                .unwrap_or_else(|| "ResponseComplete".into()),
        ),
    );
    let mut uri = text(ev, "http_request.url.path");
    if let (Some(u), Some(q)) = (uri.as_mut(), text(ev, "http_request.url.query_string")) {
        u.push('?');
        u.push_str(&q);
    }
    put(&mut r, "requestURI", uri);
    put(&mut r, "verb", text(ev, "api.operation"));
    r.insert("user".into(), Value::Object(user(ev)));
    let ips: Vec<Value> = match text(ev, "unmapped.sourceIPs[]") {
        Some(list) => list.split(',').map(|s| Value::String(s.into())).collect(),
        None => text(ev, "src_endpoint.ip")
            .map(Value::String)
            .into_iter()
            .collect(),
    };
    if !ips.is_empty() {
        r.insert("sourceIPs".into(), Value::Array(ips));
    }
    put(&mut r, "userAgent", text(ev, "http_request.user_agent"));
    if let Some(o) = object_ref(ev) {
        r.insert("objectRef".into(), Value::Object(o));
    }
    let mut status = Map::new();
    if let Some(code) = at(ev, "api.response.code").and_then(Value::as_i64) {
        status.insert("code".into(), Value::from(code));
    }
    if let Some(e) = text(ev, "api.response.error") {
        status.insert("status".into(), Value::String("Failure".into()));
        status.insert("reason".into(), Value::String(e));
    }
    put(&mut status, "message", text(ev, "api.response.message"));
    r.insert("responseStatus".into(), Value::Object(status));
    if let Some(o) = at(ev, "api.request.data").and_then(open_json) {
        r.insert("requestObject".into(), o);
    }
    if let Some(o) = at(ev, "api.response.data").and_then(open_json) {
        r.insert("responseObject".into(), o);
    }
    let received = time_of(ev, "start_time", "start_time_dt").ok().flatten();
    put(
        &mut r,
        "requestReceivedTimestamp",
        Some(format_utc(received.unwrap_or(time))),
    );
    put(&mut r, "stageTimestamp", Some(format_utc(time)));
    let ann = annotations(ev);
    if !ann.is_empty() {
        r.insert("annotations".into(), Value::Object(ann));
    }
    Value::Object(r).to_string()
}

fn user(ev: &Value) -> Map<String, Value> {
    let mut u = Map::new();
    put(&mut u, "username", text(ev, "actor.user.name"));
    put(&mut u, "uid", text(ev, "actor.user.uid"));
    if let Some(groups) = at(ev, "actor.user.groups").and_then(Value::as_array) {
        let names: Vec<Value> = groups
            .iter()
            .filter_map(|g| text(g, "name").map(Value::String))
            .collect();
        u.insert("groups".into(), Value::Array(names));
    }
    let mut extra = Map::new();
    let one = |v: Option<String>| v.map(|s| Value::Array(vec![Value::String(s)]));
    if let Some(v) = one(text(ev, "actor.session.credential_uid")) {
        extra.insert("accessKeyId".into(), v);
    }
    // Security Lake puts the caller's assumed-role session ARN in `cloud.account.uid`.
    if let Some(v) = one(text(ev, "cloud.account.uid").filter(|a| a.starts_with("arn:"))) {
        extra.insert("arn".into(), v);
    }
    if let Some(v) = one(text(ev, "actor.session.issuer")) {
        extra.insert("canonicalArn".into(), v);
    }
    if let Some(v) = one(text(ev, "actor.session.uid")) {
        extra.insert("sessionName".into(), v);
    }
    if !extra.is_empty() {
        u.insert("extra".into(), Value::Object(extra));
    }
    u
}

fn object_ref(ev: &Value) -> Option<Map<String, Value>> {
    let res = at(ev, "resources").and_then(Value::as_array)?.first()?;
    let mut o = Map::new();
    put(&mut o, "resource", text(res, "type"));
    put(&mut o, "name", text(res, "name"));
    put(&mut o, "namespace", text(res, "namespace"));
    put(&mut o, "apiGroup", text(ev, "api.group.name"));
    put(&mut o, "apiVersion", text(ev, "api.version"));
    (!o.is_empty()).then_some(o)
}

/// `unmapped` `annotations.<name>` members (annotation names hold dots, so they are not split further).
fn annotations(ev: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(Value::Object(u)) = at(ev, "unmapped") else {
        return out;
    };
    for (k, v) in u {
        if let Some(name) = k.strip_prefix("annotations.") {
            merge_into(&mut out, name, v.clone());
        } else if k == "annotations" {
            if let Value::Object(m) = v {
                for (name, v) in m {
                    merge_into(&mut out, name, v.clone());
                }
            }
        }
    }
    out
}
