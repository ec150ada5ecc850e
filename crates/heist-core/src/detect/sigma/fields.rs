//! A Sigma field name against the raw record behind an event.
//!
//! Sigma names the fields of the log as its producer writes them (`userIdentity.type`, `properties.message`,
//! `protoPayload.methodName`). The record heist holds is that log as the analyst received it: as delivered, or
//! wrapped by a SIEM or a data lake. A field resolves, in order:
//!
//! 1. in the native record: the record itself, or the one nested in a wrapper (a JSON string or object under
//!    `_raw`, `event.original`, `CloudTrailEvent`, ...; found by a key every record of the family has, such as
//!    CloudTrail's `eventName`);
//! 2. through the names other shapes of the same log give it: OCSF (Security Lake) and Elastic ECS for CloudTrail,
//!    after the mappings SigmaHQ's backends use; Log Analytics' flattened columns for Azure (`OperationNameValue`,
//!    `CategoryValue`); the diagnostic-settings `properties` object for Azure; Google's ECS names and Pub/Sub
//!    `data.` prefix for Cloud Audit Logs;
//! 3. in the wrapper itself.
//!
//! Each step walks the dotted path key by key (exact key first, then ignoring ASCII case), then tries the path as
//! one flattened key (`"userIdentity.type"`, Filebeat) and as the keys run together (`UserIdentityType`, Sentinel).
//! Arrays on the way are searched element by element; a string that holds JSON is opened when the path goes on.

use std::borrow::Cow;
use std::collections::VecDeque;

use serde_json::{Map, Value};

use super::lazy::Pairs;
use super::logsource::Class;
use super::parse::Record;
use crate::frame::Col;

/// How deep a record may sit inside wrappers.
const MAX_NESTING: usize = 3;

/// Other names of a field, per family: (field as Sigma names it, paths to try).
const ALIASES: &[(Class, &str, &[&str])] = &[
    // CloudTrail as OCSF (Security Lake; pySigma's Athena backend mapping) and as ECS (Elastic; sigmac's
    // ecs-cloudtrail mapping).
    (
        Class::CloudTrail,
        "eventName",
        &["api.operation", "event.action"],
    ),
    (
        Class::CloudTrail,
        "eventSource",
        &["api.service.name", "event.provider"],
    ),
    (Class::CloudTrail, "awsRegion", &["cloud.region", "region"]),
    (
        Class::CloudTrail,
        "userAgent",
        &["http_request.user_agent", "user_agent.original"],
    ),
    (
        Class::CloudTrail,
        "sourceIPAddress",
        &["src_endpoint.ip", "source.address", "source.ip"],
    ),
    (
        Class::CloudTrail,
        "errorCode",
        &["api.response.error", "aws.cloudtrail.error_code"],
    ),
    (
        Class::CloudTrail,
        "errorMessage",
        &["api.response.message", "aws.cloudtrail.error_message"],
    ),
    (
        Class::CloudTrail,
        "eventType",
        &["aws.cloudtrail.event_type"],
    ),
    (Class::CloudTrail, "eventID", &["metadata.uid", "event.id"]),
    (
        Class::CloudTrail,
        "recipientAccountId",
        &["cloud.account.uid", "cloud.account.id"],
    ),
    (
        Class::CloudTrail,
        "userIdentity.type",
        &["actor.user.type", "aws.cloudtrail.user_identity.type"],
    ),
    (
        Class::CloudTrail,
        "userIdentity.arn",
        &["actor.user.uid", "aws.cloudtrail.user_identity.arn"],
    ),
    (
        Class::CloudTrail,
        "userIdentity.userName",
        &["actor.user.name", "user.name"],
    ),
    (
        Class::CloudTrail,
        "userIdentity.accessKeyId",
        &[
            "actor.user.credential_uid",
            "aws.cloudtrail.user_identity.access_key_id",
        ],
    ),
    (
        Class::CloudTrail,
        "requestParameters",
        &["api.request.data", "aws.cloudtrail.request_parameters"],
    ),
    (
        Class::CloudTrail,
        "responseElements",
        &["api.response.data", "aws.cloudtrail.response_elements"],
    ),
    (
        Class::CloudTrail,
        "additionalEventData",
        &[
            "unmapped.additionalEventData",
            "aws.cloudtrail.additional_eventdata",
        ],
    ),
    // Azure: Log Analytics columns and the REST shapes.
    (
        Class::Azure,
        "OperationNameValue",
        &["operationName.value", "operationName"],
    ),
    (
        Class::Azure,
        "CategoryValue",
        &["category.value", "category"],
    ),
    (
        Class::Azure,
        "ResourceProviderValue",
        &["resourceProviderName.value", "resourceProviderName"],
    ),
    (Class::Azure, "ResourceId", &["resourceId"]),
    // Cloud Audit Logs: Elastic's names.
    (
        Class::Gcp,
        "gcp.audit.method_name",
        &["protoPayload.methodName"],
    ),
    (
        Class::Gcp,
        "gcp.audit.service_name",
        &["protoPayload.serviceName"],
    ),
    (
        Class::Gcp,
        "gcp.audit.resource_name",
        &["protoPayload.resourceName"],
    ),
];

/// The frame column that holds a field's value when the raw record cannot be read (a Parquet dataset, a file gone
/// since the load). Only fields whose column keeps the value as logged are listed.
pub fn frame_col(class: Class, field: &str) -> Option<Col> {
    match (class, field) {
        (Class::CloudTrail, "eventName") => Some(Col::Action),
        (Class::CloudTrail, "eventSource") => Some(Col::Service),
        (Class::CloudTrail, "userAgent") => Some(Col::UserAgent),
        (Class::CloudTrail, "errorCode") => Some(Col::ErrorCode),
        (Class::CloudTrail, "awsRegion") => Some(Col::Region),
        (Class::CloudTrail, "recipientAccountId") => Some(Col::Account),
        (Class::CloudTrail, "userIdentity.accessKeyId") => Some(Col::Token),
        (Class::Gcp, "protoPayload.methodName" | "gcp.audit.method_name") => Some(Col::Action),
        (Class::Gcp, "protoPayload.serviceName") => Some(Col::Service),
        (Class::Kubernetes, "userAgent") => Some(Col::UserAgent),
        _ => None,
    }
}

/// A raw record, parsed once, that answers a rule's field names.
pub struct JsonRecord<'t> {
    text: &'t str,
    shape: Shape<'t>,
    class: Class,
}

/// How much of the record was built.
enum Shape<'t> {
    /// A native record (its family's marker at the top): members split, values built only at the end of a path.
    Split(Pairs<'t>),
    /// A wrapper (or an object whose keys need unescaping): the whole tree, and the native record found in it.
    Tree { outer: Value, inner: Option<Value> },
}

impl<'t> JsonRecord<'t> {
    /// `None` when the record is not a JSON object.
    pub fn parse(text: &'t str, class: Class) -> Option<Self> {
        if let Some(p) = Pairs::split(text) {
            if class.marker().iter().any(|k| p.has(k)) {
                return Some(JsonRecord {
                    text,
                    shape: Shape::Split(p),
                    class,
                });
            }
        }
        let outer: Value = serde_json::from_str(text).ok()?;
        if !outer.is_object() {
            return None;
        }
        let inner = if has_marker(&outer, class, true) {
            None
        } else {
            native(&outer, class)
        };
        Some(JsonRecord {
            text,
            shape: Shape::Tree { outer, inner },
            class,
        })
    }

    /// The values at `path` in the native record.
    fn lookup(&self, path: &str) -> Vec<Cow<'_, Value>> {
        match &self.shape {
            Shape::Split(p) => split_lookup(p, path),
            Shape::Tree { outer, inner } => lookup(inner.as_ref().unwrap_or(outer), path),
        }
    }
}

/// [`lookup`] over a split record.
fn split_lookup<'v>(p: &Pairs<'_>, path: &str) -> Vec<Cow<'v, Value>> {
    let keys: Vec<&str> = path.split('.').collect();
    let mut out: Vec<Value> = Vec::new();
    if let Some(raw) = keys.first().and_then(|k| p.get(k)) {
        super::lazy::walk(raw, &keys[1..], &mut out, 0);
    }
    if out.is_empty() && keys.len() > 1 {
        let joined = keys.concat();
        if let Some(raw) = p.get(path).or_else(|| p.get(&joined)) {
            super::lazy::walk(raw, &[], &mut out, 0);
        }
    }
    out.into_iter().map(Cow::Owned).collect()
}

impl Record for JsonRecord<'_> {
    fn values(&self, field: &str) -> Vec<Cow<'_, Value>> {
        let mut out = self.lookup(field);
        if !out.is_empty() {
            return out;
        }
        for (_, _, paths) in ALIASES
            .iter()
            .filter(|(c, f, _)| *c == self.class && f.eq_ignore_ascii_case(field))
        {
            for p in paths.iter() {
                out = self.lookup(p);
                if !out.is_empty() {
                    return out;
                }
            }
        }
        match self.class {
            Class::Azure => {
                // Diagnostic settings keep the log's own object under `properties`.
                out = self.lookup(&format!("properties.{field}"));
                if !out.is_empty() {
                    return out;
                }
            }
            Class::Gcp => {
                // Pub/Sub exports put the LogEntry under `data`.
                if let Some(rest) = field.strip_prefix("data.") {
                    out = self.lookup(rest);
                    if !out.is_empty() {
                        return out;
                    }
                }
            }
            _ => {}
        }
        if let Shape::Tree {
            outer,
            inner: Some(_),
        } = &self.shape
        {
            return lookup(outer, field);
        }
        Vec::new()
    }

    fn text(&self) -> &str {
        self.text
    }
}

/// Whether `v` (an object) has one of the family's marker keys, exactly or ignoring case.
fn has_marker(v: &Value, class: Class, ignore_case: bool) -> bool {
    let Value::Object(m) = v else {
        return false;
    };
    class
        .marker()
        .iter()
        .any(|k| m.contains_key(*k) || (ignore_case && m.keys().any(|x| x.eq_ignore_ascii_case(k))))
}

/// The first object nested in `outer` (breadth first, JSON strings opened) that has a marker key of `class`.
fn native(outer: &Value, class: Class) -> Option<Value> {
    let mut queue: VecDeque<(Cow<'_, Value>, usize)> = VecDeque::new();
    queue.push_back((Cow::Borrowed(outer), 0));
    while let Some((node, depth)) = queue.pop_front() {
        if depth > 0 && has_marker(&node, class, false) {
            return Some(node.into_owned());
        }
        if depth >= MAX_NESTING {
            continue;
        }
        let Value::Object(m) = node.as_ref() else {
            continue;
        };
        let children: Vec<Cow<'_, Value>> = m
            .values()
            .filter_map(|c| match c {
                Value::Object(_) => Some(Cow::Owned(c.clone())),
                Value::String(s) if s.trim_start().starts_with('{') => {
                    serde_json::from_str::<Value>(s).ok().map(Cow::Owned)
                }
                _ => None,
            })
            .collect();
        queue.extend(children.into_iter().map(|c| (c, depth + 1)));
    }
    None
}

/// The value at `key` of an object (exact, else ignoring ASCII case), a JSON string opened when it holds an object.
fn get_key<'v>(v: &'v Value, key: &str) -> Option<Cow<'v, Value>> {
    let m = v.as_object()?;
    let found = m.get(key).or_else(|| find_ci(m, key))?;
    Some(Cow::Borrowed(found))
}

fn find_ci<'v>(m: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Every value at `path` in `v`: the dotted path walked key by key, else the path as one flattened key, else its
/// keys run together.
pub fn lookup<'v>(v: &'v Value, path: &str) -> Vec<Cow<'v, Value>> {
    let keys: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    walk(Cow::Borrowed(v), &keys, &mut out, 0);
    if !out.is_empty() || keys.len() < 2 {
        return out;
    }
    if let Some(m) = v.as_object() {
        if let Some(x) = m.get(path).or_else(|| find_ci(m, path)) {
            return vec![Cow::Borrowed(x)];
        }
        let joined: String = keys.concat();
        if let Some(x) = find_ci(m, &joined) {
            return vec![Cow::Borrowed(x)];
        }
    }
    out
}

fn walk<'v>(v: Cow<'v, Value>, keys: &[&str], out: &mut Vec<Cow<'v, Value>>, depth: usize) {
    let Some((first, rest)) = keys.split_first() else {
        out.push(v);
        return;
    };
    if depth > 64 {
        return;
    }
    match v {
        Cow::Borrowed(Value::Array(items)) => {
            for i in items {
                walk(Cow::Borrowed(i), keys, out, depth + 1);
            }
        }
        Cow::Owned(Value::Array(items)) => {
            for i in items {
                let mut sub = Vec::new();
                walk(Cow::Owned(i), keys, &mut sub, depth + 1);
                out.extend(sub.into_iter().map(|c| Cow::Owned(c.into_owned())));
            }
        }
        Cow::Borrowed(Value::String(s)) if s.trim_start().starts_with(['{', '[']) => {
            if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                let mut sub = Vec::new();
                walk(Cow::Owned(parsed), keys, &mut sub, depth + 1);
                out.extend(sub.into_iter().map(|c| Cow::Owned(c.into_owned())));
            }
        }
        Cow::Borrowed(obj @ Value::Object(_)) => {
            if let Some(Cow::Borrowed(next)) = get_key(obj, first) {
                walk(Cow::Borrowed(next), rest, out, depth + 1);
            }
        }
        Cow::Owned(Value::Object(mut m)) => {
            let k = if m.contains_key(*first) {
                Some(first.to_string())
            } else {
                m.keys().find(|k| k.eq_ignore_ascii_case(first)).cloned()
            };
            if let Some(next) = k.and_then(|k| m.remove(&k)) {
                let mut sub = Vec::new();
                walk(Cow::Owned(next), rest, &mut sub, depth + 1);
                out.extend(sub.into_iter().map(|c| Cow::Owned(c.into_owned())));
            }
        }
        Cow::Owned(Value::String(s)) if s.trim_start().starts_with(['{', '[']) => {
            if let Ok(parsed) = serde_json::from_str::<Value>(&s) {
                let mut sub = Vec::new();
                walk(Cow::Owned(parsed), keys, &mut sub, depth + 1);
                out.extend(sub.into_iter().map(|c| Cow::Owned(c.into_owned())));
            }
        }
        _ => {}
    }
}

/// A record made of frame values, for a row whose raw record cannot be read and a rule whose every field has a
/// column ([`frame_col`]).
pub struct FrameRecord {
    pub fields: Vec<(String, Value)>,
    pub text: String,
}

impl Record for FrameRecord {
    fn values(&self, field: &str) -> Vec<Cow<'_, Value>> {
        self.fields
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, v)| Cow::Borrowed(v))
            .collect()
    }

    fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(r: &JsonRecord<'_>, f: &str) -> Vec<Value> {
        r.values(f).into_iter().map(Cow::into_owned).collect()
    }

    #[test]
    fn native_cloudtrail_paths_arrays_and_case() {
        let text = r#"{"eventName":"StopLogging","userIdentity":{"type":"Root","sessionContext":{"sessionIssuer":{"type":"Role"}}},
            "resources":[{"ARN":"a"},{"ARN":"b"}],"requestParameters":{"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\"}]}"}}"#;
        let r = JsonRecord::parse(text, Class::CloudTrail).unwrap();
        assert_eq!(vals(&r, "eventName"), vec![Value::from("StopLogging")]);
        assert_eq!(vals(&r, "userIdentity.type"), vec![Value::from("Root")]);
        assert_eq!(vals(&r, "useridentity.TYPE"), vec![Value::from("Root")]);
        assert_eq!(
            vals(&r, "userIdentity.sessionContext.sessionIssuer.type"),
            vec![Value::from("Role")]
        );
        assert_eq!(
            vals(&r, "resources.ARN"),
            vec![Value::from("a"), Value::from("b")]
        );
        assert_eq!(
            vals(&r, "requestParameters.policyDocument.Statement.Effect"),
            vec![Value::from("Allow")]
        );
        assert!(vals(&r, "requestParameters")
            .first()
            .is_some_and(Value::is_object));
        assert!(vals(&r, "errorCode").is_empty());
        assert_eq!(r.text(), text);
    }

    #[test]
    fn wrapped_records_flattened_keys_and_other_shapes() {
        // Splunk's _raw, a JSON string.
        let splunk = r#"{"_time":"x","sourcetype":"aws:cloudtrail","_raw":"{\"eventName\":\"DeleteTrail\",\"userIdentity\":{\"type\":\"IAMUser\"}}"}"#;
        let r = JsonRecord::parse(splunk, Class::CloudTrail).unwrap();
        assert_eq!(vals(&r, "eventName"), vec![Value::from("DeleteTrail")]);
        assert_eq!(vals(&r, "userIdentity.type"), vec![Value::from("IAMUser")]);
        // A wrapper field resolves when the native record lacks it.
        assert_eq!(vals(&r, "sourcetype"), vec![Value::from("aws:cloudtrail")]);
        // Sentinel columns run the keys together.
        let sentinel =
            r#"{"EventName":"ConsoleLogin","UserIdentityType":"Root","SourceIpAddress":"1.2.3.4"}"#;
        let r = JsonRecord::parse(sentinel, Class::CloudTrail).unwrap();
        assert_eq!(vals(&r, "eventName"), vec![Value::from("ConsoleLogin")]);
        assert_eq!(vals(&r, "userIdentity.type"), vec![Value::from("Root")]);
        // Filebeat flattens the keys; OCSF renames them.
        let beats =
            r#"{"event.action":"CreateAccessKey","aws.cloudtrail.user_identity.type":"IAMUser"}"#;
        let r = JsonRecord::parse(beats, Class::CloudTrail).unwrap();
        assert_eq!(vals(&r, "eventName"), vec![Value::from("CreateAccessKey")]);
        assert_eq!(vals(&r, "userIdentity.type"), vec![Value::from("IAMUser")]);
        let ocsf = r#"{"class_uid":6003,"api":{"operation":"PutBucketPolicy","service":{"name":"s3.amazonaws.com"}}}"#;
        let r = JsonRecord::parse(ocsf, Class::CloudTrail).unwrap();
        assert_eq!(vals(&r, "eventName"), vec![Value::from("PutBucketPolicy")]);
        assert_eq!(
            vals(&r, "eventSource"),
            vec![Value::from("s3.amazonaws.com")]
        );
    }

    #[test]
    fn azure_and_gcp_names() {
        let diag = r#"{"time":"t","operationName":"MICROSOFT.NETWORK/X/WRITE","category":"Administrative","properties":{"message":"m","statusCode":"Created"}}"#;
        let r = JsonRecord::parse(diag, Class::Azure).unwrap();
        assert_eq!(vals(&r, "properties.message"), vec![Value::from("m")]);
        assert_eq!(
            vals(&r, "OperationNameValue"),
            vec![Value::from("MICROSOFT.NETWORK/X/WRITE")]
        );
        assert_eq!(
            vals(&r, "CategoryValue"),
            vec![Value::from("Administrative")]
        );
        assert_eq!(vals(&r, "statusCode"), vec![Value::from("Created")]);
        let rest = r#"{"operationName":{"value":"Microsoft.Compute/x","localizedValue":"y"}}"#;
        let r = JsonRecord::parse(rest, Class::Azure).unwrap();
        assert_eq!(
            vals(&r, "OperationNameValue"),
            vec![Value::from("Microsoft.Compute/x")]
        );
        let gcp = r#"{"protoPayload":{"methodName":"v1.compute.instances.insert","serviceName":"compute.googleapis.com"}}"#;
        let r = JsonRecord::parse(gcp, Class::Gcp).unwrap();
        assert_eq!(
            vals(&r, "gcp.audit.method_name"),
            vec![Value::from("v1.compute.instances.insert")]
        );
        assert_eq!(
            vals(&r, "data.protoPayload.serviceName"),
            vec![Value::from("compute.googleapis.com")]
        );
    }

    #[test]
    fn not_json_is_no_record() {
        assert!(JsonRecord::parse("3.1.2.4 - - [x] GET", Class::CloudTrail).is_none());
    }
}
