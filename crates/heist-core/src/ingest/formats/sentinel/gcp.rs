//! `GCPAuditLogs` rows (Sentinel's GCP Pub/Sub connector) back into the Cloud Logging `LogEntry` with its
//! `protoPayload` AuditLog, so the `gcp` format reads caller, key, delegation and status as from the sink itself.
//! Column names follow the "GCPAuditLogs" table reference of Azure Monitor Logs: the caller's address and agent
//! are inside `RequestMetadata`, the principal in `AuthenticationInfo` (and `PrincipalEmail`).

use serde_json::{Map, Value};

use super::cells::{first, json, put, put_or_null, text, Cells};

const AUDIT_LOG: &str = "type.googleapis.com/google.cloud.audit.AuditLog";

/// The `LogEntry` a `GCPAuditLogs` row was made from.
pub(super) fn log_entry(r: &Cells) -> Value {
    let mut p = Map::new();
    p.insert("@type".into(), Value::String(AUDIT_LOG.into()));
    put(&mut p, "serviceName", text(r, "ServiceName"));
    put(&mut p, "methodName", text(r, "MethodName"));
    put(&mut p, "resourceName", text(r, "GCPResourceName"));

    let mut auth = match json(r, "AuthenticationInfo") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if !auth.contains_key("principalEmail") {
        put(&mut auth, "principalEmail", text(r, "PrincipalEmail"));
    }
    if !auth.is_empty() {
        p.insert("authenticationInfo".into(), Value::Object(auth));
    }
    put(&mut p, "authorizationInfo", json(r, "AuthorizationInfo"));
    put(&mut p, "requestMetadata", json(r, "RequestMetadata"));
    put(&mut p, "request", json(r, "Request"));
    put(&mut p, "response", json(r, "Response"));
    put(&mut p, "metadata", json(r, "Metadata"));
    put(&mut p, "serviceData", json(r, "ServiceData"));
    put(&mut p, "resourceLocation", json(r, "ResourceLocation"));
    put(
        &mut p,
        "resourceOriginalState",
        json(r, "ResourceOriginalState"),
    );
    put(&mut p, "numResponseItems", text(r, "NumResponseItems"));
    let status = match (json(r, "Status"), text(r, "StatusMessage")) {
        (Some(Value::Object(mut s)), Some(msg)) => {
            s.entry("message").or_insert(Value::String(msg));
            Some(Value::Object(s))
        }
        (Some(s), _) => Some(s),
        (None, Some(msg)) => Some(serde_json::json!({ "message": msg })),
        (None, None) => None,
    };
    put(&mut p, "status", status);

    let mut entry = Map::new();
    entry.insert("protoPayload".into(), Value::Object(p));
    put(&mut entry, "insertId", text(r, "InsertId"));
    put(&mut entry, "logName", text(r, "LogName"));
    put(&mut entry, "severity", text(r, "Severity"));
    // `Timestamp` is when the event happened; `TimeGenerated` when Logging received it.
    put_or_null(
        &mut entry,
        "timestamp",
        first(r, &["Timestamp", "TimeGenerated"]),
    );
    put(&mut entry, "receiveTimestamp", text(r, "TimeGenerated"));
    let mut labels = Map::new();
    put(&mut labels, "project_id", text(r, "ProjectId"));
    let mut resource = Map::new();
    put(&mut resource, "type", text(r, "GCPResourceType"));
    if !labels.is_empty() {
        resource.insert("labels".into(), Value::Object(labels));
    }
    if !resource.is_empty() {
        entry.insert("resource".into(), Value::Object(resource));
    }
    Value::Object(entry)
}
