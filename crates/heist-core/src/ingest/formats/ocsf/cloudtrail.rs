//! An OCSF event made from a CloudTrail record, rebuilt as the CloudTrail record it came from, so the CloudTrail
//! format reads it (identity, token, asset, lineage: one mapping for both). Follows Security Lake's CloudTrail
//! mapping in both naming generations: OCSF 1.0.0-rc.2 (`actor.user.uuid` = ARN, `uid` = principal id,
//! `account_uid`) and 1.1 onwards (`uid` = ARN, `uid_alt` = principal id, `account.uid`).

use serde_json::{Map, Value};

use super::fields::{at, first_text, merge_into, open_json, put, text, time_of, unflatten};
use crate::util::time::format_utc;

/// The CloudTrail record behind `ev` (an OCSF event from CloudTrail), as JSON text.
pub fn rebuild(ev: &Value, time: i64) -> String {
    let mut r = Map::new();
    put(
        &mut r,
        "eventVersion",
        // CloudTrail's own version travels as the product version; the shape is the same across versions.
        Some(text(ev, "metadata.product.version").unwrap_or_else(|| "1.08".into())),
    );
    put(&mut r, "eventTime", Some(format_utc(time)));
    put(&mut r, "eventSource", text(ev, "api.service.name"));
    put(&mut r, "eventName", text(ev, "api.operation"));
    put(&mut r, "awsRegion", text(ev, "cloud.region"));
    put(
        &mut r,
        "sourceIPAddress",
        // A service calling on a user's behalf is recorded as its domain, not an address.
        first_text(ev, &["src_endpoint.ip", "src_endpoint.domain"]),
    );
    put(&mut r, "userAgent", text(ev, "http_request.user_agent"));
    put(&mut r, "requestID", text(ev, "api.request.uid"));
    put(&mut r, "eventID", text(ev, "metadata.uid"));
    put(&mut r, "eventType", text(ev, "metadata.event_code"));
    put(&mut r, "apiVersion", text(ev, "api.version"));
    put(&mut r, "errorCode", text(ev, "api.response.error"));
    put(
        &mut r,
        "errorMessage",
        first_text(ev, &["api.response.message", "status_detail"]),
    );
    put(&mut r, "recipientAccountId", text(ev, "cloud.account.uid"));
    r.insert("userIdentity".into(), Value::Object(user_identity(ev)));
    if text(ev, "actor.user.type").as_deref() == Some("IdentityCenterUser") {
        let mut add = Map::new();
        put(&mut add, "UserName", text(ev, "actor.user.name"));
        r.insert("additionalEventData".into(), Value::Object(add));
    }
    if let Some(p) = at(ev, "api.request.data").and_then(open_json) {
        r.insert("requestParameters".into(), p);
    }
    if let Some(p) = at(ev, "api.response.data").and_then(open_json) {
        r.insert("responseElements".into(), p);
    }
    if let Some(res) = resources(ev).or_else(|| flat_resources(ev)) {
        r.insert("resources".into(), Value::Array(res));
    }
    // What OCSF did not map comes back from `unmapped` (Security Lake keeps `recipientAccountId`, the session
    // issuer, `responseElements.*` of rc.2 there); what was rebuilt above wins.
    for (k, v) in unflatten(at(ev, "unmapped")) {
        merge_into(&mut r, &k, v);
    }
    restore_target_principal(ev, &mut r);
    restore_byte_counts(&mut r);
    failure_without_code(ev, &mut r);
    Value::Object(r).to_string()
}

fn user_identity(ev: &Value) -> Map<String, Value> {
    let mut u = Map::new();
    let kind = text(ev, "actor.user.type");
    // The ARN is `uuid` in rc.2 and `uid` from 1.1; the principal id is the other one (or `uid_alt`).
    let ids = [
        text(ev, "actor.user.uuid"),
        text(ev, "actor.user.uid"),
        text(ev, "actor.user.uid_alt"),
    ];
    let arn = ids
        .iter()
        .flatten()
        .find(|s| s.starts_with("arn:"))
        .cloned();
    let principal = ids
        .iter()
        .flatten()
        .find(|s| Some(*s) != arn.as_ref())
        .cloned();
    let account = first_text(ev, &["actor.user.account.uid", "actor.user.account_uid"]);
    let key = first_text(
        ev,
        &["actor.user.credential_uid", "actor.session.credential_uid"],
    );
    let name = text(ev, "actor.user.name");
    if kind.as_deref() == Some("IdentityCenterUser") {
        // IAM Identity Center sign-ins: the user is named on whose behalf the credential was used, the name
        // came from `additionalEventData.UserName`, and the credential is a `credentialId`.
        let mut obo = Map::new();
        put(&mut obo, "userId", principal);
        put(&mut obo, "identityStoreArn", text(ev, "actor.idp.uid"));
        u.insert("onBehalfOf".into(), Value::Object(obo));
        put(&mut u, "credentialId", key);
        put(&mut u, "arn", arn);
        put(&mut u, "type", kind);
        put(&mut u, "accountId", account);
        return u;
    }
    put(&mut u, "type", kind);
    put(&mut u, "principalId", principal);
    put(&mut u, "arn", arn);
    put(&mut u, "accountId", account);
    put(&mut u, "accessKeyId", key);
    put(&mut u, "userName", name);
    put(&mut u, "invokedBy", text(ev, "actor.invoked_by"));
    let issuer = text(ev, "actor.session.issuer");
    let created = time_of(
        ev,
        "actor.session.created_time",
        "actor.session.created_time_dt",
    )
    .ok()
    .flatten();
    let mfa = at(ev, "actor.session.is_mfa")
        .or_else(|| at(ev, "actor.session.mfa"))
        .and_then(Value::as_bool);
    if issuer.is_some() || created.is_some() || mfa.is_some() {
        let mut ctx = Map::new();
        if let Some(arn) = issuer {
            let mut i = Map::new();
            i.insert("arn".into(), Value::String(arn));
            ctx.insert("sessionIssuer".into(), Value::Object(i));
        }
        let mut attrs = Map::new();
        put(&mut attrs, "creationDate", created.map(format_utc));
        put(&mut attrs, "mfaAuthenticated", mfa.map(|m| m.to_string()));
        if !attrs.is_empty() {
            ctx.insert("attributes".into(), Value::Object(attrs));
        }
        u.insert("sessionContext".into(), Value::Object(ctx));
    }
    u
}

/// OCSF `resources[]` as CloudTrail `resources[]` (`ARN`, `accountId`, `type`).
fn resources(ev: &Value) -> Option<Vec<Value>> {
    let list = at(ev, "resources")?.as_array()?;
    let out: Vec<Value> = list
        .iter()
        .filter_map(|res| {
            let mut m = Map::new();
            put(&mut m, "ARN", first_text(res, &["uid", "name"]));
            put(
                &mut m,
                "accountId",
                first_text(res, &["account_uid", "account.uid", "owner.account.uid"]),
            );
            put(&mut m, "type", text(res, "type"));
            (!m.is_empty()).then_some(Value::Object(m))
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// Security Lake's Account Change (3001) and Group Management (3006) classes move the user or role the call acted
/// on out of `requestParameters` into the event's `user` (`user.name`): put it back as `roleName` for role
/// operations and `userName` otherwise, so the asset is the native one.
fn restore_target_principal(ev: &Value, r: &mut Map<String, Value>) {
    let class = at(ev, "class_uid").and_then(Value::as_i64);
    if !matches!(class, Some(3001 | 3006)) {
        return;
    }
    let (Some(name), Some(op)) = (text(ev, "user.name"), text(ev, "api.operation")) else {
        return;
    };
    let params = r.get("requestParameters");
    let has = |k: &str| params.and_then(|p| p.get(k)).is_some();
    if has("userName") || has("roleName") {
        return;
    }
    let key = if op.contains("Role") {
        "roleName"
    } else {
        "userName"
    };
    let mut add = Map::new();
    add.insert(key.into(), Value::String(name));
    if !matches!(
        r.get("requestParameters"),
        None | Some(Value::Object(_)) | Some(Value::Null)
    ) {
        return;
    }
    if r.get("requestParameters") == Some(&Value::Null) {
        r.remove("requestParameters");
    }
    merge_into(r, "requestParameters", Value::Object(add));
}

/// `unmapped` is a map of strings: S3's byte counts come back as the numbers CloudTrail writes.
fn restore_byte_counts(r: &mut Map<String, Value>) {
    let Some(Value::Object(add)) = r.get_mut("additionalEventData") else {
        return;
    };
    for key in ["bytesTransferredIn", "bytesTransferredOut"] {
        if let Some(Value::String(t)) = add.get(key) {
            if let Some(n) = t.parse::<u64>().ok().map(Value::from) {
                add.insert(key.into(), n);
            }
        }
    }
}

/// Security Lake rc.2 flattens CloudTrail's `resources` into `unmapped` as `resources[].ARN`, `resources[].type`,
/// `resources[].accountId`, each the members' values joined with commas.
fn flat_resources(ev: &Value) -> Option<Vec<Value>> {
    let Value::Object(u) = at(ev, "unmapped")? else {
        return None;
    };
    let mut out: Vec<Map<String, Value>> = Vec::new();
    for (k, v) in u {
        let (Some(field), Some(joined)) = (k.strip_prefix("resources[]."), v.as_str()) else {
            continue;
        };
        for (i, part) in joined.split(',').enumerate() {
            if out.len() <= i {
                out.push(Map::new());
            }
            if !part.is_empty() {
                out[i].insert(field.to_string(), Value::String(part.to_string()));
            }
        }
    }
    let out: Vec<Value> = out.into_iter().map(Value::Object).collect();
    (!out.is_empty()).then_some(out)
}

/// A failure OCSF kept without an error code: a console sign-in failure is recorded by CloudTrail as
/// `responseElements.ConsoleLogin = "Failure"`; any other failure keeps OCSF's status code or word.
fn failure_without_code(ev: &Value, r: &mut Map<String, Value>) {
    let failed = at(ev, "status_id").and_then(Value::as_i64) == Some(2)
        || text(ev, "status").as_deref() == Some("Failure");
    if !failed || r.contains_key("errorCode") {
        return;
    }
    if text(ev, "api.operation").as_deref() == Some("ConsoleLogin") {
        let mut resp = Map::new();
        resp.insert("ConsoleLogin".into(), Value::String("Failure".into()));
        merge_into(r, "responseElements", Value::Object(resp));
        if r.get("responseElements")
            .and_then(|v| v.get("ConsoleLogin"))
            == Some(&Value::String("Failure".into()))
        {
            return;
        }
    }
    put(
        r,
        "errorCode",
        Some(text(ev, "status_code").unwrap_or_else(|| "Failure".into())),
    );
}
