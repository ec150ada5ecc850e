//! The Azure Activity Log (control plane) in its three schemas, and resource logs: one mapping for every record
//! that names an `operationName`, with Storage and Key Vault specifics; AKS `kube-audit` records carry a
//! Kubernetes audit event in `properties.log`.
//!
//! One operation can appear as several records (`Started`, `Accepted`, `Succeeded`): each is kept as an event.
//! Diagnostic-settings records have no unique id, so their `event_id` stays null (`correlationId` is the request).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use super::{
    ip, is_guid, num, obj, pick_time, set_outcome, start_row, strip_query, text, value_text,
    verbatim, vs, Props, Top, TOKEN_ID,
};
use crate::frame::schema::identity_type;
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::RawRecord;

/// The token claims heist reads (Activity Log `identity.claims` / `claims` / `Claims_d`, Key Vault
/// `identity.claim`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Claims {
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn")]
    upn_uri: Option<Value>,
    upn: Option<Value>,
    unique_name: Option<Value>,
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name")]
    name_uri: Option<Value>,
    name: Option<Value>,
    appid: Option<Value>,
    azp: Option<Value>,
    idtyp: Option<Value>,
    uti: Option<Value>,
    ipaddr: Option<Value>,
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/spn")]
    spn: Option<Value>,
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress")]
    email: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Ident {
    claims: Option<Claims>,
    claim: Option<Claims>,
    authorization: Option<Authorization>,
    /// Storage: `SAS`, `AccountKey`, `OAuth`, `Anonymous`, ...
    #[serde(rename = "type")]
    kind: Option<Value>,
    #[serde(rename = "tokenHash")]
    token_hash: Option<Value>,
    requester: Option<Requester>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Authorization {
    evidence: Option<Evidence>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Evidence {
    #[serde(rename = "principalType")]
    principal_type: Option<Value>,
    #[serde(rename = "principalId")]
    principal_id: Option<Value>,
}

/// Storage OAuth requests: who the bearer token belongs to.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Requester {
    upn: Option<Value>,
    #[serde(rename = "objectId")]
    object_id: Option<Value>,
    #[serde(rename = "appId")]
    app_id: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HttpRequest {
    #[serde(rename = "clientIpAddress", alias = "client_ip_address")]
    client_ip_address: Option<Value>,
}

/// Claims from whichever place this schema keeps them.
fn claims_of(top: &Top<'_>, ident: &mut Ident) -> Claims {
    for raw in [top.claims, top.la_claims_d, top.la_claims] {
        if raw.is_some() {
            return obj(raw);
        }
    }
    ident
        .claims
        .take()
        .or_else(|| ident.claim.take())
        .unwrap_or_default()
}

fn with_at(v: Option<String>) -> Option<String> {
    v.filter(|s| s.contains('@'))
}

/// `identity_type` from what a principal's name looks like: a UPN is a person, a GUID (app id, object id) or a
/// `Microsoft.<Service>` name is a service.
fn guess_type(who: &str) -> &'static str {
    if who.contains('@') {
        identity_type::HUMAN
    } else if is_guid(who) || who.to_ascii_lowercase().starts_with("microsoft.") {
        identity_type::SERVICE
    } else {
        identity_type::UNKNOWN
    }
}

/// The caller and its type: `caller`, else the token's UPN, the storage requester, the `appid` of a service
/// principal's token, the role-assignment principal Azure authorized, an Entra UPN, or an anonymous request.
fn principal<'a>(
    top: &Top<'a>,
    p: &Props<'a>,
    claims: &Claims,
    ident: &Ident,
) -> (Option<Cow<'a, str>>, &'static str) {
    let by_idtyp = vs(&claims.idtyp).and_then(|t| match t.to_ascii_lowercase().as_str() {
        "app" => Some(identity_type::SERVICE),
        "user" => Some(identity_type::HUMAN),
        _ => None,
    });
    let evidence = ident
        .authorization
        .as_ref()
        .and_then(|a| a.evidence.as_ref());
    let by_principal = evidence.and_then(|e| vs(&e.principal_type)).and_then(|t| {
        match t.to_ascii_lowercase().as_str() {
            "user" => Some(identity_type::HUMAN),
            "serviceprincipal" | "msi" | "managedidentity" | "application" => {
                Some(identity_type::SERVICE)
            }
            _ => None,
        }
    });
    let hint = by_idtyp.or(by_principal);
    let human = vs(&claims.upn_uri)
        .or_else(|| vs(&claims.upn))
        .or_else(|| with_at(vs(&claims.unique_name)))
        .or_else(|| with_at(vs(&claims.name_uri)))
        .or_else(|| with_at(vs(&claims.name)));

    if let Some(c) = text(top.caller) {
        let t = hint.unwrap_or_else(|| {
            if human.as_deref() == Some(&*c) {
                identity_type::HUMAN
            } else {
                guess_type(&c)
            }
        });
        return (Some(c), t);
    }
    if let Some(h) = human {
        return (
            Some(Cow::Owned(h)),
            by_idtyp.unwrap_or(identity_type::HUMAN),
        );
    }
    if let Some(r) = &ident.requester {
        if let Some(u) = vs(&r.upn) {
            return (Some(Cow::Owned(u)), identity_type::HUMAN);
        }
        if let Some(o) = vs(&r.object_id).or_else(|| vs(&r.app_id)) {
            return (Some(Cow::Owned(o)), hint.unwrap_or(identity_type::SERVICE));
        }
    }
    if let Some(a) = vs(&claims.appid).or_else(|| vs(&claims.azp)) {
        return (Some(Cow::Owned(a)), hint.unwrap_or(identity_type::SERVICE));
    }
    if let Some(s) = vs(&claims.spn) {
        return (Some(Cow::Owned(s)), identity_type::SERVICE);
    }
    if let Some(e) = vs(&claims.email)
        .or_else(|| vs(&claims.name_uri))
        .or_else(|| vs(&claims.name))
    {
        let t = hint.unwrap_or_else(|| guess_type(&e));
        return (Some(Cow::Owned(e)), t);
    }
    if let (Some(t), Some(id)) = (by_principal, evidence.and_then(|e| vs(&e.principal_id))) {
        return (Some(Cow::Owned(id)), t);
    }
    if let Some(u) = text(p.user_principal_name) {
        return (Some(u), identity_type::HUMAN);
    }
    if vs(&ident.kind).is_some_and(|k| k.eq_ignore_ascii_case("anonymous")) {
        return (Some(Cow::Borrowed("anonymous")), identity_type::ANONYMOUS);
    }
    (None, identity_type::UNKNOWN)
}

/// Namespace and resource types of a resource id, lowercased:
/// `/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/blobServices/default` ->
/// (`microsoft.storage`, [`storageaccounts`, `blobservices`]). The last `/providers/` wins (extension resources
/// such as locks and role assignments sit under the resource they apply to).
fn resource_type(rid: &str) -> Option<(String, Vec<String>)> {
    let lower = rid.to_ascii_lowercase();
    let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
    match segs.iter().rposition(|s| *s == "providers") {
        Some(i) => {
            let ns = segs.get(i + 1)?.to_string();
            let types = segs
                .get(i + 2..)
                .unwrap_or(&[])
                .iter()
                .step_by(2)
                .map(|s| s.to_string())
                .collect();
            Some((ns, types))
        }
        None if segs.first() == Some(&"subscriptions") => {
            let t = if segs.get(2) == Some(&"resourcegroups") {
                "resourcegroups"
            } else {
                "subscriptions"
            };
            Some(("microsoft.resources".to_string(), vec![t.to_string()]))
        }
        None => None,
    }
}

/// `asset_kind` of a resource: a short word for the kinds investigations ask about, else `<namespace>/<types>`.
fn asset_kind(ns: &str, types: &[String]) -> Cow<'static, str> {
    let last = types.last().map(String::as_str).unwrap_or("");
    let prev = types
        .len()
        .checked_sub(2)
        .and_then(|i| types.get(i))
        .map(String::as_str)
        .unwrap_or("");
    let kind = match (ns, last) {
        ("microsoft.storage", "storageaccounts") => "storage_account",
        ("microsoft.storage", "containers") => "storage_container",
        ("microsoft.authorization", "roleassignments") => "role_assignment",
        ("microsoft.authorization", "roledefinitions") => "role_definition",
        ("microsoft.authorization", "locks") => "resource_lock",
        ("microsoft.keyvault", "vaults") => "key_vault",
        ("microsoft.keyvault", "secrets") => "secret",
        ("microsoft.keyvault", "keys") => "key_vault_key",
        ("microsoft.cognitiveservices", "accounts") => "ai_account",
        ("microsoft.cognitiveservices", "deployments") => "model_deployment",
        ("microsoft.machinelearningservices", "workspaces") => "ml_workspace",
        ("microsoft.machinelearningservices", "models") => "model",
        ("microsoft.machinelearningservices", "versions") if prev == "models" => "model",
        ("microsoft.machinelearningservices", "onlineendpoints") => "endpoint",
        ("microsoft.compute", "virtualmachines") => "vm",
        ("microsoft.compute", "disks") => "disk",
        ("microsoft.compute", "snapshots") => "snapshot",
        ("microsoft.containerservice", "managedclusters") => "aks_cluster",
        ("microsoft.managedidentity", "userassignedidentities") => "managed_identity",
        ("microsoft.resources", "resourcegroups") => "resource_group",
        ("microsoft.resources", "subscriptions") => "subscription",
        // Entra ID records name the tenant as their resource.
        ("microsoft.aadiam", "") => "tenant",
        _ if types.is_empty() => return Cow::Owned(ns.to_string()),
        _ => return Cow::Owned(format!("{ns}/{}", types.join("/"))),
    };
    Cow::Borrowed(kind)
}

/// The subscription id a resource id sits in, lowercased (GUIDs are case-insensitive; diagnostic records write
/// resource ids in upper case, the REST API in mixed case).
fn subscription_of(rid: &str) -> Option<String> {
    let lower = rid.to_ascii_lowercase();
    const MARK: &str = "/subscriptions/";
    let at = lower.find(MARK)? + MARK.len();
    let id = lower[at..].split('/').next().unwrap_or("");
    (!id.is_empty()).then(|| id.to_string())
}

/// The service called: the operation's resource provider (`Microsoft.Storage/...` -> `microsoft.storage`), else
/// the record's provider, the resource-log category's service (Storage, Key Vault), else the resource id's.
fn service_of(
    action: &str,
    provider: Option<Cow<'_, str>>,
    rtype: Option<&(String, Vec<String>)>,
    cat: &str,
) -> Option<String> {
    if let Some((ns, _)) = action.split_once('/') {
        if ns.contains('.') && !ns.contains(' ') {
            return Some(ns.to_ascii_lowercase());
        }
    }
    if let Some(p) = provider {
        return Some(p.to_ascii_lowercase());
    }
    let c = cat.to_ascii_lowercase();
    if c.starts_with("storage") {
        return Some("microsoft.storage".to_string());
    }
    if c == "auditevent" {
        return Some("microsoft.keyvault".to_string());
    }
    rtype.map(|(ns, _)| ns.clone())
}

/// Key Vault object kind from its URL (`https://v.vault.azure.net/secrets/name/version`).
fn vault_kind(url: &str) -> &'static str {
    let l = url.to_ascii_lowercase();
    if l.contains("/secrets/") || l.contains("/deletedsecrets/") {
        "secret"
    } else if l.contains("/keys/") || l.contains("/deletedkeys/") {
        "key_vault_key"
    } else if l.contains("/certificates/") || l.contains("/deletedcertificates/") {
        "certificate"
    } else {
        "key_vault"
    }
}

/// Failure when the HTTP status of a resource log is 4xx/5xx (Key Vault says `resultType: Success` even then),
/// when Storage's `metricResponseType` is not `Success`, or when the Activity Log status is `Failed` / `Failure`
/// (error code: `resultSignature`, REST `subStatus`, Log Analytics `ActivitySubstatusValue`).
fn resource_outcome<'a>(top: &Top<'a>, p: &Props<'a>) -> (bool, Option<Cow<'a, str>>) {
    let sig = text(top.result_signature).filter(|s| !s.eq_ignore_ascii_case("none"));
    for code in [text(top.status_code), text(p.http_status_code)]
        .into_iter()
        .flatten()
    {
        if code.trim().parse::<u32>().is_ok_and(|n| n >= 400) {
            let c = text(top.status_text)
                .or_else(|| sig.clone())
                .unwrap_or(code);
            return (false, Some(c));
        }
    }
    if let Some(m) = text(p.metric_response_type) {
        if !m.eq_ignore_ascii_case("success") {
            return (false, Some(text(top.status_text).unwrap_or(m)));
        }
    }
    let result = text(top.result_type)
        .or_else(|| value_text(top.status))
        .or_else(|| text(top.la_status));
    if let Some(r) = result {
        let l = r.trim().to_ascii_lowercase();
        if l == "failed" || l == "failure" {
            let code = sig
                .or_else(|| value_text(top.sub_status))
                .or_else(|| text(top.la_sub_status))
                .unwrap_or(r);
            return (false, Some(code));
        }
    }
    (true, None)
}

pub(super) fn map_resource<'a>(
    top: &Top<'a>,
    p: &Props<'a>,
    cat: &str,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let time = pick_time(&[
        ("eventTimestamp", text(top.event_timestamp)),
        ("time", text(top.time)),
        ("TimeGenerated", text(top.time_generated)),
        ("activityDateTime", text(p.activity_date_time)),
        ("detectedDateTime", text(p.detected_date_time)),
    ])?;
    let action = value_text(top.operation_name_value)
        .or_else(|| value_text(top.operation_name))
        .ok_or("no operationName")?;
    let mut row: Row<'a> = start_row(rec, time);

    let rid = text(top.resource_id).or_else(|| text(top.la_resource_id));
    let rtype = rid.as_deref().and_then(resource_type);
    row.set(
        Col::Service,
        service_of(&action, value_text(top.provider_name), rtype.as_ref(), cat).map(Cow::Owned),
    );

    let mut ident: Ident = obj(top.identity);
    let claims = claims_of(top, &mut ident);
    let (who, it) = principal(top, p, &claims, &ident);
    row.set(Col::Identity, who);
    row.set_str(Col::IdentityType, it);

    if let Some(u) = verbatim(rec.text, vs(&claims.uti).map(Cow::Owned)) {
        row.set(Col::Token, Some(u));
        row.set_str(Col::TokenKind, TOKEN_ID);
    } else if let Some(h) = verbatim(rec.text, vs(&ident.token_hash).map(Cow::Owned)) {
        let kind = match vs(&ident.kind).map(|k| k.to_ascii_lowercase()).as_deref() {
            Some("sas") => "sas",
            Some("accountkey") => "account_key",
            _ => "key_hash",
        };
        row.set(Col::Token, Some(h));
        row.set_str(Col::TokenKind, kind);
    }

    let http: HttpRequest = obj(top.http_request);
    let source_ip = ip(text(top.caller_ip))
        .or_else(|| ip(vs(&http.client_ip_address).map(Cow::Owned)))
        .or_else(|| ip(vs(&claims.ipaddr).map(Cow::Owned)))
        .or_else(|| ip(text(p.ip_address)));
    row.set(Col::SourceIp, source_ip);
    row.set(
        Col::UserAgent,
        text(p.user_agent_header)
            .or_else(|| text(p.client_info))
            .or_else(|| text(p.user_agent)),
    );
    row.set(Col::AuthMethod, vs(&ident.kind).map(Cow::Owned));

    let entra = rtype
        .as_ref()
        .is_some_and(|(ns, _)| ns == "microsoft.aadiam");
    let account = text(top.subscription_id)
        .map(|s| Cow::Owned(s.to_ascii_lowercase()))
        .or_else(|| rid.as_deref().and_then(subscription_of).map(Cow::Owned))
        .or_else(|| text(top.tenant_id));
    row.set(Col::Account, account);
    if !entra {
        // Entra records put the caller's country in `location`, not a region.
        row.set(Col::Region, text(top.location));
    }

    // What was acted on: a blob, a vault object, a URL, else the resource.
    let storage = cat
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("storage"))
        || p.object_key.is_some();
    let vault = cat.eq_ignore_ascii_case("AuditEvent");
    let vault_object = if vault {
        text(p.id).or_else(|| text(p.request_uri))
    } else {
        None
    };
    let (asset, kind): (Option<Cow<'a, str>>, Option<Cow<'static, str>>) =
        if let Some(k) = text(p.object_key) {
            (Some(k), Some(Cow::Borrowed("storage_object")))
        } else if let Some(u) = vault_object {
            let u = strip_query(u);
            let k = vault_kind(&u);
            (Some(u), Some(Cow::Borrowed(k)))
        } else if let Some(u) = text(top.uri) {
            let k = if storage { "storage_object" } else { "url" };
            (Some(strip_query(u)), Some(Cow::Borrowed(k)))
        } else if let Some(r) = rid.clone() {
            let k = rtype.as_ref().map(|(ns, types)| asset_kind(ns, types));
            (Some(r), k)
        } else {
            (None, None)
        };
    row.set(Col::Asset, asset);
    row.set(Col::AssetKind, kind);

    let (ok, code) = resource_outcome(top, p);
    set_outcome(&mut row, ok, code);
    // Lineage: listing or regenerating an account's keys hands the keys out.
    if ok && crate::ingest::formats::azure_openai::hands_out_account_keys(&action) {
        let cred = rid
            .as_deref()
            .and_then(crate::ingest::formats::azure_openai::account_key_credential);
        row.set(Col::MintedToken, cred.map(Cow::Owned));
    }
    row.set(Col::RequestId, text(top.correlation_id));
    row.set(Col::EventId, text(top.event_data_id));
    row.bytes = num(text(p.response_body_size))
        .filter(|&b| b > 0)
        .or_else(|| num(text(p.request_body_size)));
    row.set(Col::Action, Some(action));
    batch.push(&row);
    Ok(())
}

/// The Kubernetes audit event inside an AKS `kube-audit` record.
#[derive(Deserialize, Default)]
#[serde(default)]
struct KubeEvent {
    verb: Option<Value>,
    user: Option<KubeUser>,
    #[serde(rename = "sourceIPs")]
    source_ips: Option<Value>,
    #[serde(rename = "userAgent")]
    user_agent: Option<Value>,
    #[serde(rename = "objectRef")]
    object_ref: Option<ObjectRef>,
    #[serde(rename = "responseStatus")]
    response_status: Option<ResponseStatus>,
    #[serde(rename = "auditID")]
    audit_id: Option<Value>,
    #[serde(rename = "requestReceivedTimestamp")]
    received: Option<Value>,
    #[serde(rename = "stageTimestamp")]
    stage_timestamp: Option<Value>,
    #[serde(rename = "requestURI")]
    request_uri: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KubeUser {
    username: Option<Value>,
    extra: Option<KubeExtra>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KubeExtra {
    #[serde(rename = "authentication.kubernetes.io/credential-id")]
    credential_id: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ObjectRef {
    resource: Option<Value>,
    subresource: Option<Value>,
    namespace: Option<Value>,
    name: Option<Value>,
    #[serde(rename = "apiGroup")]
    api_group: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResponseStatus {
    code: Option<Value>,
}

/// The first (or last) string of a JSON array, or the string itself.
fn array_text(v: &Option<Value>, last: bool) -> Option<String> {
    match v.as_ref()? {
        Value::Array(a) => {
            let item = if last { a.last() } else { a.first() };
            item.and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        }
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn kube_identity_type(user: &str) -> &'static str {
    if user == "system:anonymous" {
        identity_type::ANONYMOUS
    } else if user.starts_with("system:") {
        identity_type::SERVICE
    } else if user.contains('@') {
        identity_type::HUMAN
    } else {
        identity_type::UNKNOWN
    }
}

pub(super) fn map_kube<'a>(
    top: &Top<'a>,
    p: &Props<'a>,
    rec: &RawRecord<'_>,
    batch: &mut EventBatch,
) -> Result<(), String> {
    let ev: KubeEvent = obj(p.log);
    let time = pick_time(&[
        ("time", text(top.time)),
        ("requestReceivedTimestamp", vs(&ev.received).map(Cow::Owned)),
        ("stageTimestamp", vs(&ev.stage_timestamp).map(Cow::Owned)),
    ])?;
    let oref = ev.object_ref.unwrap_or_default();
    let group = vs(&oref.api_group);
    let resource = vs(&oref.resource);
    let path = vs(&ev.request_uri)
        .map(|u| u.split('?').next().unwrap_or("").to_string())
        .filter(|u| !u.is_empty());
    // Named as the `k8s` format names them: `<verb> <resource>[/<subresource>]`, else `<verb> <path>`.
    let action: Cow<'a, str> = match (vs(&ev.verb), &resource, &path) {
        (Some(v), Some(r), _) => Cow::Owned(match vs(&oref.subresource) {
            Some(s) => format!("{v} {r}/{s}"),
            None => format!("{v} {r}"),
        }),
        (Some(v), None, Some(u)) => Cow::Owned(format!("{v} {u}")),
        (Some(v), None, None) => Cow::Owned(v),
        (None, _, _) => value_text(top.operation_name).ok_or("no operationName or audit verb")?,
    };
    let mut row: Row<'a> = start_row(rec, time);
    row.set(
        Col::Service,
        Some(Cow::Owned(
            group.clone().unwrap_or_else(|| "kubernetes".to_string()),
        )),
    );
    row.set(Col::Action, Some(action));

    let user = ev.user.unwrap_or_default();
    let who = vs(&user.username);
    row.set_str(
        Col::IdentityType,
        who.as_deref()
            .map_or(identity_type::UNKNOWN, kube_identity_type),
    );
    row.set(Col::Identity, who.map(Cow::Owned));
    let cred = user
        .extra
        .as_ref()
        .and_then(|e| array_text(&e.credential_id, false));
    if let Some(t) = verbatim(rec.text, cred.map(Cow::Owned)) {
        row.set(Col::Token, Some(t));
        row.set_str(Col::TokenKind, "credential_id");
    }
    // The last address is the one the API server saw; earlier ones come from X-Forwarded-For.
    row.set(
        Col::SourceIp,
        ip(array_text(&ev.source_ips, true).map(Cow::Owned)).or_else(|| ip(text(top.caller_ip))),
    );
    row.set(Col::UserAgent, vs(&ev.user_agent).map(Cow::Owned));

    if let Some(r) = resource {
        let parts: Vec<String> = [group, vs(&oref.namespace), Some(r.clone()), vs(&oref.name)]
            .into_iter()
            .flatten()
            .collect();
        row.set(Col::Asset, Some(Cow::Owned(parts.join("/"))));
        row.set(Col::AssetKind, Some(Cow::Owned(r)));
    } else if let Some(u) = path {
        row.set(Col::Asset, Some(Cow::Owned(u)));
        row.set_str(Col::AssetKind, "url");
    }

    let code = ev.response_status.as_ref().and_then(|s| vs(&s.code));
    let failed = code
        .as_deref()
        .and_then(|c| c.parse::<u32>().ok())
        .is_some_and(|n| n >= 400);
    set_outcome(
        &mut row,
        !failed,
        if failed { code.map(Cow::Owned) } else { None },
    );
    row.set(Col::RequestId, vs(&ev.audit_id).map(Cow::Owned));
    let rid = text(top.resource_id);
    row.set(
        Col::Account,
        rid.as_deref().and_then(subscription_of).map(Cow::Owned),
    );
    row.set(Col::Region, text(top.location));
    batch.push(&row);
    Ok(())
}
