//! Microsoft Entra ID: sign-ins (interactive, non-interactive, service principal, managed identity), directory
//! audits and Microsoft Graph activity, from diagnostic settings (`properties`), Log Analytics rows or Microsoft
//! Graph objects (the record itself).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use super::{
    ip, num, obj, pick_time, set_outcome, start_row, strip_query, text, value_text, verbatim, vs,
    Props, Top, CREDENTIAL_KEY, ENTRA, GRAPH, TOKEN_ID,
};
use crate::frame::schema::identity_type;
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::RawRecord;

/// Which sign-in log a record comes from; it names the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SignInKind {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl SignInKind {
    fn action(self) -> &'static str {
        match self {
            SignInKind::Interactive => "SignIn",
            SignInKind::NonInteractive => "NonInteractiveSignIn",
            SignInKind::ServicePrincipal => "ServicePrincipalSignIn",
            SignInKind::ManagedIdentity => "ManagedIdentitySignIn",
        }
    }

    fn is_service(self) -> bool {
        matches!(
            self,
            SignInKind::ServicePrincipal | SignInKind::ManagedIdentity
        )
    }
}

/// The sign-in kind of a diagnostic-settings category or a Log Analytics table name.
pub(super) fn kind_of(name: &str) -> Option<SignInKind> {
    let k = match name.to_ascii_lowercase().as_str() {
        "signinlogs" | "adfssigninlogs" => SignInKind::Interactive,
        "noninteractiveusersigninlogs" | "aadnoninteractiveusersigninlogs" => {
            SignInKind::NonInteractive
        }
        // `MicrosoftServicePrincipalSignInLogs`: sign-ins of Microsoft's own service principals.
        "serviceprincipalsigninlogs"
        | "aadserviceprincipalsigninlogs"
        | "microsoftserviceprincipalsigninlogs" => SignInKind::ServicePrincipal,
        "managedidentitysigninlogs" | "aadmanagedidentitysigninlogs" => SignInKind::ManagedIdentity,
        _ => return None,
    };
    Some(k)
}

/// A Microsoft Graph `signIn` has no category: `signInEventTypes` (beta) says which log it belongs to, else a
/// service principal without a user is a service-principal sign-in.
fn infer_kind(p: &Props<'_>) -> SignInKind {
    if let Some(t) = p.sign_in_event_types.map(|r| r.get()) {
        if t.contains("managedIdentity") {
            return SignInKind::ManagedIdentity;
        }
        if t.contains("servicePrincipal") {
            return SignInKind::ServicePrincipal;
        }
        if t.contains("nonInteractiveUser") {
            return SignInKind::NonInteractive;
        }
        if t.contains("interactiveUser") {
            return SignInKind::Interactive;
        }
    }
    if text(p.user_principal_name).is_none()
        && (text(p.service_principal_id).is_some() || text(p.service_principal_name).is_some())
    {
        return SignInKind::ServicePrincipal;
    }
    if p.is_interactive.map(|r| r.get().trim()) == Some("false") {
        return SignInKind::NonInteractive;
    }
    SignInKind::Interactive
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Status {
    #[serde(rename = "errorCode")]
    error_code: Option<Value>,
}

/// `none` is Entra's word for "not applicable".
fn not_none(v: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    v.filter(|s| !s.eq_ignore_ascii_case("none"))
}

/// Outcome from a sign-in's `resultType` when there is no `status.errorCode`: `0` / `Success` succeed, a numeric
/// code is the error, anything else fails with `resultSignature` (unless it only says `None`) or itself.
fn result_outcome<'a>(
    rt: Option<Cow<'a, str>>,
    sig: Option<Cow<'a, str>>,
) -> (bool, Option<Cow<'a, str>>) {
    let Some(rt) = rt else {
        return (true, None);
    };
    let t = rt.trim();
    let success =
        t == "0" || t.eq_ignore_ascii_case("success") || t.eq_ignore_ascii_case("succeeded");
    let numeric = t.parse::<i64>().is_ok();
    if success {
        return (true, None);
    }
    if numeric {
        return (false, Some(rt));
    }
    let code = sig
        .filter(|s| !s.eq_ignore_ascii_case("none") && !s.eq_ignore_ascii_case("success"))
        .unwrap_or(rt);
    (false, Some(code))
}

pub(super) fn map_signin<'a>(
    top: &Top<'a>,
    p: &Props<'a>,
    kind: Option<SignInKind>,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let time = pick_time(&[
        ("createdDateTime", text(p.created_date_time)),
        ("time", text(top.time)),
        ("TimeGenerated", text(top.time_generated)),
    ])?;
    let kind = kind.unwrap_or_else(|| infer_kind(p));
    let mut row: Row<'a> = start_row(rec, time);
    row.set_str(Col::Service, ENTRA);
    row.set_str(Col::Action, kind.action());

    let identity = if kind.is_service() {
        text(p.service_principal_name)
            .or_else(|| text(p.service_principal_id))
            .or_else(|| text(p.app_display_name))
            .or_else(|| text(p.app_id))
    } else {
        text(p.user_principal_name)
            .or_else(|| text(p.user_id))
            .or_else(|| text(p.user_display_name))
    };
    let it = match (identity.is_some(), kind.is_service()) {
        (false, _) => identity_type::UNKNOWN,
        (true, true) => identity_type::SERVICE,
        (true, false) => identity_type::HUMAN,
    };
    row.set(Col::Identity, identity.clone());
    row.set_str(Col::IdentityType, it);

    let status: Status = obj(p.status);
    let (ok, code) = match vs(&status.error_code) {
        Some(c) if c == "0" => (true, None),
        Some(c) => (false, Some(Cow::Owned(c))),
        None => result_outcome(
            text(top.result_type).or_else(|| text(p.result_type)),
            text(top.result_signature),
        ),
    };
    set_outcome(&mut row, ok, code);

    // The credential: a service principal's secret / certificate key id, else the issued token's id. A service
    // principal sign-in with a key id mints the token (`uti`) later Activity Log calls carry.
    let uti = verbatim(rec.text, text(p.unique_token_identifier));
    let key = if kind.is_service() {
        verbatim(rec.text, text(p.credential_key_id))
    } else {
        None
    };
    match key {
        Some(k) => {
            row.set(Col::Token, Some(k));
            row.set_str(Col::TokenKind, CREDENTIAL_KEY);
            if ok {
                if let Some(u) = uti {
                    row.set(Col::MintedToken, Some(u));
                    row.set(Col::MintedIdentity, identity);
                }
            }
        }
        None => {
            if let Some(u) = uti {
                row.set(Col::Token, Some(u));
                row.set_str(Col::TokenKind, TOKEN_ID);
            }
        }
    }

    let asset = text(p.resource_display_name).or_else(|| text(p.resource_id));
    if asset.is_some() {
        row.set_str(Col::AssetKind, "app");
    }
    row.set(Col::Asset, asset);
    row.set(
        Col::SourceIp,
        ip(text(p.ip_address)).or_else(|| ip(text(top.caller_ip))),
    );
    row.set(Col::UserAgent, text(p.user_agent));
    row.set(
        Col::Account,
        text(top.aad_tenant_id)
            .or_else(|| text(top.tenant_id))
            .or_else(|| text(p.tenant_id)),
    );
    row.set(
        Col::RequestId,
        text(p.correlation_id).or_else(|| text(top.correlation_id)),
    );
    row.set(Col::EventId, text(p.id));
    row.set(
        Col::AuthMethod,
        not_none(text(p.client_credential_type))
            .or_else(|| not_none(text(p.authentication_protocol))),
    );
    batch.push(&row);
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InitiatedBy {
    user: Option<Initiator>,
    app: Option<Initiator>,
}

/// `initiatedBy.user` or `initiatedBy.app` (the fields of both).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Initiator {
    id: Option<Value>,
    #[serde(rename = "displayName")]
    display_name: Option<Value>,
    #[serde(rename = "userPrincipalName")]
    user_principal_name: Option<Value>,
    #[serde(rename = "ipAddress")]
    ip_address: Option<Value>,
    #[serde(rename = "appId")]
    app_id: Option<Value>,
    #[serde(rename = "servicePrincipalId")]
    service_principal_id: Option<Value>,
    #[serde(rename = "servicePrincipalName")]
    service_principal_name: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Target {
    id: Option<Value>,
    #[serde(rename = "displayName")]
    display_name: Option<Value>,
    #[serde(rename = "type", alias = "Type")]
    kind: Option<Value>,
    #[serde(rename = "userPrincipalName")]
    user_principal_name: Option<Value>,
    #[serde(rename = "modifiedProperties")]
    modified_properties: Option<Vec<Option<Modified>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Modified {
    #[serde(rename = "displayName")]
    display_name: Option<Value>,
    #[serde(rename = "oldValue")]
    old_value: Option<Value>,
    #[serde(rename = "newValue")]
    new_value: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Detail {
    key: Option<Value>,
    value: Option<Value>,
}

/// Who started an audited operation: a user (human, by UPN) or an application (service, by display name, the
/// name service-principal sign-ins carry).
fn initiator(by: InitiatedBy) -> (Option<String>, &'static str, Option<String>) {
    if let Some(u) = by.user {
        let who = vs(&u.user_principal_name)
            .or_else(|| vs(&u.id))
            .or_else(|| vs(&u.display_name));
        if who.is_some() {
            return (who, identity_type::HUMAN, vs(&u.ip_address));
        }
    }
    if let Some(a) = by.app {
        let who = vs(&a.display_name)
            .or_else(|| vs(&a.service_principal_name))
            .or_else(|| vs(&a.service_principal_id))
            .or_else(|| vs(&a.app_id));
        if who.is_some() {
            return (who, identity_type::SERVICE, vs(&a.ip_address));
        }
    }
    (None, identity_type::UNKNOWN, None)
}

fn target_name(t: &Target) -> Option<String> {
    vs(&t.display_name)
        .or_else(|| vs(&t.user_principal_name))
        .or_else(|| vs(&t.id))
}

/// `ServicePrincipal` -> `service_principal`.
fn snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, ch) in s.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

pub(super) fn map_audit<'a>(
    top: &Top<'a>,
    p: &Props<'a>,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let time = pick_time(&[
        ("activityDateTime", text(p.activity_date_time)),
        ("time", text(top.time)),
        ("TimeGenerated", text(top.time_generated)),
    ])?;
    let action = text(p.activity_display_name)
        .or_else(|| text(p.operation_name))
        .or_else(|| value_text(top.operation_name))
        .ok_or("no activityDisplayName or operationName")?;
    let mut row: Row<'a> = start_row(rec, time);
    row.set_str(Col::Service, ENTRA);

    let (who, it, by_ip) = initiator(obj(p.initiated_by));
    let (identity, it) = match who {
        Some(w) => (Some(Cow::Owned(w)), it),
        // Diagnostic records also name the initiator (a display name) in the top-level `identity`.
        None => (text(top.identity), identity_type::UNKNOWN),
    };
    row.set(Col::Identity, identity);
    row.set_str(Col::IdentityType, it);
    row.set(
        Col::SourceIp,
        ip(by_ip.map(Cow::Owned))
            .or_else(|| ip(text(top.caller_ip)))
            .or_else(|| ip(text(top.ip_address))),
    );

    let result = text(p.result).or_else(|| text(top.result));
    let ok = result
        .as_deref()
        .is_none_or(|r| r.eq_ignore_ascii_case("success"));
    let code = if ok {
        None
    } else {
        text(p.result_reason).or(result)
    };
    set_outcome(&mut row, ok, code);

    let targets: Vec<Option<Target>> = obj(p.target_resources);
    if let Some((name, t)) = targets
        .iter()
        .flatten()
        .find_map(|t| target_name(t).map(|n| (n, t)))
    {
        let kind = vs(&t.kind)
            .map(|k| snake(&k))
            .unwrap_or_else(|| "directory_object".to_string());
        row.set(Col::Asset, Some(Cow::Owned(name)));
        row.set(Col::AssetKind, Some(Cow::Owned(kind)));
    }

    let ua = text(p.user_agent).or_else(|| {
        let details: Vec<Option<Detail>> = obj(p.additional_details);
        details
            .iter()
            .flatten()
            .find(|d| vs(&d.key).is_some_and(|k| k.eq_ignore_ascii_case("User-Agent")))
            .and_then(|d| vs(&d.value))
            .map(Cow::Owned)
    });
    row.set(Col::UserAgent, ua);
    row.set(
        Col::Account,
        text(top.aad_tenant_id)
            .or_else(|| text(top.tenant_id))
            .or_else(|| text(p.tenant_id)),
    );
    row.set(
        Col::RequestId,
        text(p.correlation_id).or_else(|| text(top.correlation_id)),
    );
    row.set(Col::EventId, text(p.id));
    if ok {
        credential_lineage(&mut row, &action, &targets, rec.text);
    }
    row.set(Col::Action, Some(action));
    batch.push(&row);
    Ok(())
}

/// Key ids named as `KeyIdentifier=<id>` in a `KeyDescription` value, e.g.
/// `["[KeyIdentifier=2afc776a-...,KeyType=Password,KeyUsage=Verify,DisplayName=ci]"]`.
fn key_ids(s: &str, out: &mut Vec<String>) {
    const MARK: &str = "KeyIdentifier=";
    for (i, _) in s.match_indices(MARK) {
        let rest = &s[i + MARK.len()..];
        let end = rest
            .find(|c: char| matches!(c, ',' | ']' | '"' | ';' | '\\') || c.is_whitespace())
            .unwrap_or(rest.len());
        let id = &rest[..end];
        if !id.is_empty() && !out.iter().any(|k| k == id) {
            out.push(id.to_string());
        }
    }
}

/// Key ids a target's `KeyDescription` gained and lost.
fn key_changes(t: &Target) -> (Vec<String>, Vec<String>) {
    let (mut new, mut old) = (Vec::new(), Vec::new());
    for m in t.modified_properties.iter().flatten().flatten() {
        let is_keys = vs(&m.display_name).is_some_and(|n| n.eq_ignore_ascii_case("KeyDescription"));
        if !is_keys {
            continue;
        }
        if let Some(v) = vs(&m.new_value) {
            key_ids(&v, &mut new);
        }
        if let Some(v) = vs(&m.old_value) {
            key_ids(&v, &mut old);
        }
    }
    let added = new.iter().filter(|k| !old.contains(k)).cloned().collect();
    let removed = old.iter().filter(|k| !new.contains(k)).cloned().collect();
    (added, removed)
}

/// Service principal / application credential changes: the target gains a credential (minted identity, and the
/// new key id when the log names it verbatim) or loses one (revoked key id).
fn credential_lineage<'a>(row: &mut Row<'a>, action: &str, targets: &[Option<Target>], raw: &str) {
    let a = action.trim().to_ascii_lowercase();
    let adds = a == "add service principal credentials" || a == "add service principal";
    let removes = a == "remove service principal credentials";
    let manages = a.contains("certificates and secrets management");
    if !(adds || removes || manages) {
        return;
    }
    let Some(t) = targets.iter().flatten().next() else {
        return;
    };
    let (added, removed) = key_changes(t);
    let added = added.into_iter().find(|k| raw.contains(k.as_str()));
    let removed = removed.into_iter().find(|k| raw.contains(k.as_str()));
    let mints = adds || (manages && (added.is_some() || removed.is_none()));
    if mints {
        row.set(
            Col::MintedIdentity,
            vs(&t.display_name).or_else(|| vs(&t.id)).map(Cow::Owned),
        );
        row.set(Col::MintedToken, added.map(Cow::Owned));
    }
    if removes || manages {
        row.set(Col::RevokedToken, removed.map(Cow::Owned));
    }
}

pub(super) fn map_graph_activity<'a>(
    top: &Top<'a>,
    p: &Props<'a>,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let time = pick_time(&[
        ("time", text(top.time)),
        ("timeGenerated", text(p.time_generated)),
        ("TimeGenerated", text(top.time_generated)),
    ])?;
    let action = text(p.request_method)
        .or_else(|| value_text(top.operation_name))
        .ok_or("no requestMethod or operationName")?;
    let mut row: Row<'a> = start_row(rec, time);
    row.set_str(Col::Service, GRAPH);
    row.set(Col::Action, Some(action));

    let (who, it) = if let Some(u) = text(p.user_id) {
        (Some(u), identity_type::HUMAN)
    } else if let Some(s) = text(p.service_principal_id).or_else(|| text(p.app_id)) {
        (Some(s), identity_type::SERVICE)
    } else {
        (None, identity_type::UNKNOWN)
    };
    row.set(Col::Identity, who);
    row.set_str(Col::IdentityType, it);
    if let Some(t) = verbatim(rec.text, text(p.sign_in_activity_id)) {
        row.set(Col::Token, Some(t));
        row.set_str(Col::TokenKind, TOKEN_ID);
    }
    row.set(
        Col::SourceIp,
        ip(text(p.ip_address)).or_else(|| ip(text(top.caller_ip))),
    );
    row.set(Col::UserAgent, text(p.user_agent));
    let asset = text(p.request_uri).map(strip_query);
    if asset.is_some() {
        row.set_str(Col::AssetKind, "graph_api");
    }
    row.set(Col::Asset, asset);

    let status = text(p.response_status_code).or_else(|| text(top.result_signature));
    let failed = status
        .as_deref()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .is_some_and(|n| n >= 400);
    set_outcome(&mut row, !failed, if failed { status } else { None });
    row.bytes = num(text(p.response_size_bytes));
    row.set(
        Col::Account,
        text(top.aad_tenant_id)
            .or_else(|| text(top.tenant_id))
            .or_else(|| text(p.tenant_id)),
    );
    row.set(Col::Region, text(top.location));
    row.set(
        Col::RequestId,
        text(p.request_id).or_else(|| text(top.correlation_id)),
    );
    batch.push(&row);
    Ok(())
}
