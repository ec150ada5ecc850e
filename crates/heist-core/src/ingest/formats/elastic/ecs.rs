//! An ECS document of CloudTrail without `event.original`, rebuilt as the CloudTrail record Elastic's pipeline made
//! it from (field by field, as `packages/aws/data_stream/cloudtrail` maps them), so the CloudTrail format reads it.
//! What the pipeline dropped stays absent: `requestParameters` and friends come from the Java-map text
//! (`{userName=Bob}`) of `request_parameters` with the typed values of the `flattened.*` objects over it.

use serde_json::{Map, Value};

use crate::ingest::formats::reexport::ctrecord::{self, Record};
use crate::ingest::formats::reexport::dotted;

/// `doc` is expanded (no dotted keys) and has an `aws.cloudtrail` object.
pub fn cloudtrail_record(doc: &Value) -> Result<String, String> {
    let ct = doc
        .get("aws")
        .and_then(|a| a.get("cloudtrail"))
        .ok_or("no aws.cloudtrail")?;
    let d = |p: &str| dotted::get_str(doc, p);
    let c = |p: &str| dotted::get_str(ct, p);
    let mut r = Record::new();
    r.set_str("eventVersion", c("event_version"));
    if let Some(t) = doc.get("@timestamp") {
        r.set("eventTime", t.clone());
    }
    r.set_str("eventSource", d("event.provider"));
    r.set_str("eventName", d("event.action"));
    r.set_str("awsRegion", d("cloud.region"));
    // `source.address` keeps a service name (`cloudtrail.amazonaws.com`) that `source.ip` cannot hold.
    r.set_str(
        "sourceIPAddress",
        d("source.address").or_else(|| d("source.ip")),
    );
    r.set_str("userAgent", d("user_agent.original"));

    let kind = c("user_identity.type");
    r.set_str("userIdentity.type", kind);
    r.set_str("userIdentity.principalId", d("user.id"));
    r.set_str("userIdentity.arn", c("user_identity.arn"));
    r.set_str("userIdentity.accountId", d("cloud.account.id"));
    r.set_str("userIdentity.accessKeyId", c("user_identity.access_key_id"));
    r.set_str("userIdentity.invokedBy", c("user_identity.invoked_by"));
    if matches!(kind, Some("IAMUser") | Some("Root")) {
        // For these `user.name` is the user's own name; for a role session it is the role's.
        r.set_str("userIdentity.userName", d("user.name"));
    }
    let sc = "user_identity.session_context";
    r.set_str(
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        c(&format!("{sc}.mfa_authenticated")),
    );
    r.set_str(
        "userIdentity.sessionContext.attributes.creationDate",
        c(&format!("{sc}.creation_date")),
    );
    for (ecs, trail) in [
        ("type", "type"),
        ("principal_id", "principalId"),
        ("arn", "arn"),
        ("account_id", "accountId"),
        ("user_name", "userName"),
    ] {
        r.set_str(
            &format!("userIdentity.sessionContext.sessionIssuer.{trail}"),
            c(&format!("{sc}.session_issuer.{ecs}")),
        );
    }

    r.set_str("errorCode", c("error_code"));
    r.set_str("errorMessage", c("error_message"));
    for (ecs, trail) in [
        ("request_parameters", "requestParameters"),
        ("response_elements", "responseElements"),
        ("additional_eventdata", "additionalEventData"),
        ("service_event_details", "serviceEventDetails"),
    ] {
        if let Some(v) = nested_field(ct, ecs) {
            r.set(trail, v);
        }
    }
    r.set_str("requestID", c("request_id"));
    r.set_str("eventID", d("event.id"));
    r.set_str("eventType", c("event_type"));
    r.set_str("eventCategory", c("event_category"));
    r.set_str("apiVersion", c("api_version"));
    r.set_str("sharedEventID", c("shared_event_id"));
    r.set_str("vpcEndpointId", c("vpc_endpoint_id"));
    r.set_str("recipientAccountId", c("recipient_account_id"));
    for (ecs, trail) in [
        ("read_only", "readOnly"),
        ("management_event", "managementEvent"),
    ] {
        if let Some(v) = ct.get(ecs).filter(|v| !v.is_object() && !v.is_array()) {
            r.set(trail, v.clone());
        }
    }
    if let Some(res) = resources(ct) {
        r.set("resources", res);
    }
    Ok(r.into_text())
}

/// `<name>` (JSON or Java-map text, or an object) with `flattened.<name>` over it: Elastic keeps the object whole
/// only while it is small, and its values keep their JSON types where the text has lost them.
fn nested_field(ct: &Value, name: &str) -> Option<Value> {
    let text = match ct.get(name) {
        Some(Value::String(s)) => Some(
            ctrecord::nested(s)
                .map(|(v, _)| v)
                .unwrap_or_else(|| Value::String(s.clone())),
        ),
        Some(other) => Some(other.clone()),
        None => None,
    };
    let flat = dotted::get(ct, &format!("flattened.{name}")).and_then(Value::as_object);
    match (text, flat) {
        (Some(Value::Object(mut base)), Some(flat)) => {
            for (k, v) in flat {
                base.insert(k.clone(), v.clone());
            }
            Some(Value::Object(base))
        }
        (None, Some(flat)) => Some(Value::Object(flat.clone())),
        (text, _) => text,
    }
}

/// `aws.cloudtrail.resources`: `[{arn, type, account_id}]` (or one such object) as CloudTrail's
/// `[{ARN, type, accountId}]`.
fn resources(ct: &Value) -> Option<Value> {
    let list: Vec<&Value> = match ct.get("resources")? {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => return None,
    };
    let out: Vec<Value> = list
        .into_iter()
        .filter_map(|res| {
            let mut m = Map::new();
            for (ecs, trail) in [
                ("arn", "ARN"),
                ("type", "type"),
                ("account_id", "accountId"),
            ] {
                if let Some(v) = res.get(ecs).and_then(Value::as_str) {
                    m.insert(trail.to_string(), Value::String(v.to_string()));
                }
            }
            (!m.is_empty()).then_some(Value::Object(m))
        })
        .collect();
    (!out.is_empty()).then_some(Value::Array(out))
}
