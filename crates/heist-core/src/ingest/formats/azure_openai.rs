//! Azure OpenAI / Azure AI Services diagnostic logs (resource logs of a `MICROSOFT.COGNITIVESERVICES/ACCOUNTS`
//! resource: categories RequestResponse, Audit, Trace, ...), and the API Management `GatewayLogs` of an APIM
//! instance fronting Azure OpenAI. Storage-account exports are JSON lines (`insights-logs-<category>/
//! resourceId=.../PT1H.json`), Event Hub and older exports `{"records":[...]}`; Log Analytics `AzureDiagnostics`
//! rows exported as JSON (`TimeGenerated`, `properties_s`, capitalised names) are read too.
//! Field mapping follows `shared/notes/log-formats.md` §6.
//!
//! `properties` is an object or a JSON string holding one. Activity-log records about the same accounts
//! (`MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION`, category Administrative) belong to the azure format.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::values::time_value;
use super::{base_row, each_json_record, json_error, Format, ParseOut};
use crate::frame::schema::{identity_type, outcome};
use crate::frame::{Col, EventBatch, Row};
use crate::ingest::doc::{record_body, Probe, RawRecord};
use crate::util::time::Nanos;

pub struct AzureOpenAi;

type S<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Record<'a> {
    #[serde(borrow)]
    time: Option<&'a RawValue>,
    #[serde(rename = "TimeGenerated", borrow)]
    time_generated: Option<&'a RawValue>,
    #[serde(rename = "resourceId", alias = "ResourceId", borrow)]
    resource_id: S<'a>,
    #[serde(alias = "Category", borrow)]
    category: S<'a>,
    #[serde(rename = "operationName", alias = "OperationName", borrow)]
    operation_name: S<'a>,
    #[serde(rename = "callerIpAddress", alias = "CallerIPAddress", borrow)]
    caller_ip_address: S<'a>,
    #[serde(rename = "correlationId", alias = "CorrelationId", borrow)]
    correlation_id: S<'a>,
    #[serde(rename = "resultSignature", alias = "ResultSignature", borrow)]
    result_signature: Option<&'a RawValue>,
    #[serde(rename = "resultType", alias = "ResultType", borrow)]
    result_type: S<'a>,
    #[serde(alias = "Location", borrow)]
    location: S<'a>,
    #[serde(rename = "callerObjectId", borrow)]
    caller_object_id: S<'a>,
    #[serde(borrow)]
    identity: Option<&'a RawValue>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
    #[serde(rename = "properties_s", borrow)]
    properties_s: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Props<'a> {
    // Cognitive Services RequestResponse / Audit.
    #[serde(borrow)]
    object_id: S<'a>,
    #[serde(borrow)]
    caller_object_id: S<'a>,
    #[serde(borrow)]
    model_deployment_name: S<'a>,
    #[serde(borrow)]
    response_length: Option<&'a RawValue>,
    // APIM GatewayLogs.
    #[serde(borrow)]
    method: S<'a>,
    #[serde(borrow)]
    url: S<'a>,
    #[serde(borrow)]
    backend_url: S<'a>,
    #[serde(borrow)]
    operation_id: S<'a>,
    #[serde(borrow)]
    response_code: Option<&'a RawValue>,
    #[serde(borrow)]
    response_size: Option<&'a RawValue>,
    #[serde(borrow)]
    apim_subscription_id: S<'a>,
    #[serde(borrow)]
    user_id: S<'a>,
    #[serde(borrow)]
    response_body: Option<&'a RawValue>,
    #[serde(borrow)]
    backend_response_body: Option<&'a RawValue>,
}

/// `identity` of Azure resource logs: `claim` (resource logs) or `claims` (activity-log style).
#[derive(Deserialize, Default)]
#[serde(default)]
struct IdentityHolder<'a> {
    #[serde(borrow)]
    claim: Option<&'a RawValue>,
    #[serde(borrow)]
    claims: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Claims<'a> {
    #[serde(borrow)]
    upn: S<'a>,
    #[serde(
        rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
        borrow
    )]
    upn_uri: S<'a>,
    #[serde(borrow)]
    oid: S<'a>,
    #[serde(
        rename = "http://schemas.microsoft.com/identity/claims/objectidentifier",
        borrow
    )]
    oid_uri: S<'a>,
    #[serde(borrow)]
    appid: S<'a>,
}

/// The OpenAI response body an APIM gateway log carries: token usage, or the error.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ApiResponse {
    usage: Option<Usage>,
    error: Option<ApiError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Usage {
    prompt_tokens: Option<f64>,
    completion_tokens: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ApiError {
    code: Option<String>,
}

/// Parse an optional sub-object leniently: a shape heist does not expect reads as absent, never as a failed
/// record; the raw record keeps it.
fn sub<'a, T: Deserialize<'a> + Default>(raw: Option<&'a RawValue>) -> T {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default()
}

fn c<'a>(v: &S<'a>) -> Option<Cow<'a, str>> {
    v.clone().filter(|s| !s.is_empty())
}

/// Activity-log categories: those records belong to the azure format even when they concern an AI account.
const ACTIVITY_CATEGORIES: &[&str] = &[
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
];

fn is_azure_openai(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    let get = |a: &str, b: &str| o.get(a).or_else(|| o.get(b)).and_then(Value::as_str);
    let (Some(rid), Some(category)) =
        (get("resourceId", "ResourceId"), get("category", "Category"))
    else {
        return false;
    };
    let rid = rid.to_ascii_uppercase();
    if rid.contains("/PROVIDERS/MICROSOFT.COGNITIVESERVICES/") {
        let op = get("operationName", "OperationName").unwrap_or("");
        let activity_op = op
            .get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case("microsoft."));
        let activity_category = ACTIVITY_CATEGORIES
            .iter()
            .any(|a| a.eq_ignore_ascii_case(category));
        return !activity_op && !activity_category;
    }
    rid.contains("/PROVIDERS/MICROSOFT.APIMANAGEMENT/")
        && category.eq_ignore_ascii_case("GatewayLogs")
}

impl Format for AzureOpenAi {
    fn id(&self) -> &'static str {
        "azure_openai"
    }

    fn title(&self) -> &'static str {
        "Azure OpenAI / AI Services diagnostic logs (and APIM gateway logs)"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "insights-logs-requestresponse/resourceId=/SUBSCRIPTIONS/<sub>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/<acct>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json  (JSON lines)",
            "insights-logs-audit/... , insights-logs-trace/...  (same layout, categories Audit and Trace)",
            "insights-logs-gatewaylogs/resourceId=/.../PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/<apim>/.../PT1H.json  (APIM fronting Azure OpenAI)",
            "*.json  (Event Hub / older exports: {\"records\":[...]}; Log Analytics AzureDiagnostics rows as JSON)",
        ]
    }

    fn maps(&self) -> &'static str {
        "identity properties.objectId (Entra object id; empty for key auth) or identity claims upn; token: for key \
         auth the account's keys (the upper-cased account id), which ListKey mints (APIM: apimSubscriptionId); asset resourceId/deployments/<deployment> or the account; bytes responseLength"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        probe.samples.iter().take(5).any(is_azure_openai)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        each_json_record(probe, out, |rec, batch| {
            let body = record_body(rec.text);
            let r: Record<'_> = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
            map_record(&r, rec, batch)
        });
    }
}

fn record_time(r: &Record<'_>) -> Result<Nanos, String> {
    match (r.time, r.time_generated) {
        (Some(t), _) => time_value("time", t),
        (None, Some(t)) => time_value("TimeGenerated", t),
        (None, None) => Err("no time".into()),
    }
}

/// `properties` as object text: a JSON string is decoded first.
fn props_text(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let t = raw?.get();
    if t.starts_with('"') {
        serde_json::from_str::<String>(t).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(t))
    }
}

/// A number given as a JSON number or as a string of digits.
fn number(raw: Option<&RawValue>) -> Option<u64> {
    let t = raw?.get().trim().trim_matches('"').trim();
    t.parse::<u64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })
}

/// A scalar as text: a string's content, or a number's digits.
fn scalar_text(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let t = raw?.get();
    if t.starts_with('"') {
        serde_json::from_str::<Cow<'_, str>>(t)
            .ok()
            .filter(|s| !s.is_empty())
    } else if t.starts_with(|ch: char| ch.is_ascii_digit() || ch == '-') {
        Some(Cow::Borrowed(t))
    } else {
        None
    }
}

/// Subscription id out of an Azure resource id (`/subscriptions/<id>/...`, any case).
fn azure_subscription(resource_id: &str) -> Option<&str> {
    let lower = resource_id.to_ascii_lowercase();
    let at = lower.find("/subscriptions/")? + "/subscriptions/".len();
    let rest = resource_id.get(at..)?;
    let id = rest.split('/').next()?;
    (!id.is_empty()).then_some(id)
}

/// The credential "this account's access keys", named by the account's resource id in upper case (as diagnostic
/// logs write it): Cognitive Services / Azure OpenAI accounts and storage accounts. The keys themselves are never
/// logged, so listing or regenerating them (which hands them out) mints this credential, and calls that
/// authenticate with an account key use it. `None` when the id is not under such an account.
pub(crate) fn account_key_credential(resource_id: &str) -> Option<String> {
    let upper = resource_id.to_ascii_uppercase();
    let marker = [
        "/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/",
        "/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/",
    ]
    .into_iter()
    .find_map(|m| upper.find(m).map(|at| at + m.len()))?;
    let name_len = upper[marker..].find('/').unwrap_or(upper.len() - marker);
    (name_len > 0 && upper.starts_with("/SUBSCRIPTIONS/"))
        .then(|| upper[..marker + name_len].to_string())
}

/// Does this operation hand out an account's keys (`listKeys`, `regenerateKey`, Azure OpenAI's `ListKey` audit)?
pub(crate) fn hands_out_account_keys(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    a.ends_with("/listkeys/action")
        || a.ends_with("/regeneratekey/action")
        || a == "listkey"
        || a == "listkeys"
}

fn without_query(url: &str) -> &str {
    url.split_once('?').map(|(p, _)| p).unwrap_or(url)
}

/// `https://host/openai/deployments/<name>/chat/completions?..` -> `host/openai/deployments/<name>`.
fn deployment_of_url(url: &str) -> Option<&str> {
    let u = without_query(url);
    let u = u.split_once("://").map(|(_, rest)| rest).unwrap_or(u);
    let at = u.find("/deployments/")? + "/deployments/".len();
    let name_len = u[at..].find('/').unwrap_or(u.len() - at);
    (name_len > 0).then(|| &u[..at + name_len])
}

fn path_of_url(url: &str) -> &str {
    let u = without_query(url);
    match u.split_once("://") {
        Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
        None => u,
    }
}

fn count(v: Option<f64>) -> Option<u64> {
    v.filter(|n| n.is_finite() && *n >= 0.0).map(|n| n as u64)
}

fn map_record(r: &Record<'_>, rec: &RawRecord<'_>, batch: &mut EventBatch) -> Result<(), String> {
    let time = record_time(r)?;
    let raw_text = rec.text;
    let verbatim = |t: &str| !t.is_empty() && raw_text.contains(t);
    let ptext = props_text(r.properties.or(r.properties_s));
    let props: Props<'_> = ptext
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let gateway = r
        .category
        .as_deref()
        .is_some_and(|cat| cat.eq_ignore_ascii_case("GatewayLogs"));

    let mut row: Row<'_> = base_row(rec);
    row.time = time;
    row.set_str(Col::Source, "azure_openai");
    row.set_str(Col::Provider, "azure");
    row.set(Col::SourceIp, c(&r.caller_ip_address));
    row.set(Col::RequestId, c(&r.correlation_id));
    row.set(Col::Region, c(&r.location));
    row.set(
        Col::Account,
        r.resource_id
            .as_deref()
            .and_then(azure_subscription)
            .map(|s| Cow::Owned(s.to_string())),
    );

    // Who: an Entra user's UPN from identity claims, else the caller's Entra object id (user or service
    // principal: unknown which), else an app id; key-authenticated calls have none.
    let holder: IdentityHolder<'_> = sub(r.identity);
    let claims: Claims<'_> = sub(holder.claim.or(holder.claims));
    let object_id = c(&props.object_id)
        .or_else(|| c(&props.caller_object_id))
        .or_else(|| c(&r.caller_object_id))
        .or_else(|| c(&claims.oid))
        .or_else(|| c(&claims.oid_uri));
    let (identity, it) = if let Some(upn) = c(&claims.upn).or_else(|| c(&claims.upn_uri)) {
        (Some(upn), identity_type::HUMAN)
    } else if let Some(oid) = object_id {
        (Some(oid), identity_type::UNKNOWN)
    } else if let Some(app) = c(&claims.appid) {
        (Some(app), identity_type::SERVICE)
    } else if let Some(user) = c(&props.user_id).filter(|_| gateway) {
        (Some(user), identity_type::UNKNOWN)
    } else {
        (None, identity_type::UNKNOWN)
    };
    row.set(Col::Identity, identity);
    row.set_str(Col::IdentityType, it);
    // `objectId` is logged empty when the call authenticated with an account key: the account's keys are the
    // credential (see `account_key_credential`).
    let account_key = r.resource_id.as_deref().and_then(account_key_credential);
    match props.object_id.as_deref() {
        Some("") => {
            row.set_str(Col::AuthMethod, "api_key");
            if let Some(k) = account_key.clone().filter(|_| !gateway) {
                row.set(Col::Token, Some(Cow::Owned(k)));
                row.set_str(Col::TokenKind, "account_key");
            }
        }
        Some(_) => row.set_str(Col::AuthMethod, "entra_id"),
        None => {}
    }

    if gateway {
        map_gateway(&mut row, r, &props, &verbatim);
    } else {
        row.set_str(Col::Service, "openai");
        row.set(Col::Action, c(&r.operation_name));
        let resource = c(&r.resource_id);
        match (&resource, c(&props.model_deployment_name)) {
            (Some(res), Some(dep)) => {
                row.set(
                    Col::Asset,
                    Some(Cow::Owned(format!("{res}/deployments/{dep}"))),
                );
                row.set_str(Col::AssetKind, "model_deployment");
            }
            (Some(_), None) => {
                row.set(Col::Asset, resource.clone());
                row.set_str(Col::AssetKind, "openai_account");
            }
            (None, _) => {}
        }
        if let (Some(k), Some(op)) = (&account_key, r.operation_name.as_deref()) {
            if hands_out_account_keys(op) {
                row.set(Col::MintedToken, Some(Cow::Owned(k.clone())));
            }
        }
        row.bytes = number(props.response_length);
        let sig = scalar_text(r.result_signature);
        let status = number(r.result_signature);
        let failed_type = r
            .result_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("Failed") || t.eq_ignore_ascii_case("Failure"));
        if status.is_some_and(|s| s >= 400) {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set(Col::ErrorCode, sig);
        } else if failed_type {
            row.set_str(Col::Outcome, outcome::FAILURE);
            row.set(Col::ErrorCode, Some(sig.unwrap_or(Cow::Borrowed("Failed"))));
        } else {
            row.set_str(Col::Outcome, outcome::SUCCESS);
        }
    }
    if row.get(Col::Action).is_none() {
        return Err("no operationName".into());
    }

    batch.push(&row);
    Ok(())
}

/// APIM `GatewayLogs`: one HTTP call through the gateway to an Azure OpenAI backend.
fn map_gateway<'a>(
    row: &mut Row<'a>,
    r: &Record<'a>,
    p: &Props<'a>,
    verbatim: &dyn Fn(&str) -> bool,
) {
    row.set_str(Col::Service, "apim");
    // The OpenAPI operation (`ChatCompletions_Create`) names the call as the Azure OpenAI logs do.
    let action = c(&p.operation_id).or_else(|| {
        let method = c(&p.method)?;
        let url = c(&p.url)?;
        Some(Cow::Owned(format!("{method} {}", path_of_url(&url))))
    });
    row.set(Col::Action, action.or_else(|| c(&r.operation_name)));

    let target = c(&p.backend_url).or_else(|| c(&p.url));
    if let Some(url) = target {
        match deployment_of_url(&url) {
            Some(dep) => {
                row.set(Col::Asset, Some(Cow::Owned(dep.to_string())));
                row.set_str(Col::AssetKind, "model_deployment");
            }
            None => {
                row.set(
                    Col::Asset,
                    Some(Cow::Owned(without_query(&url).to_string())),
                );
                row.set_str(Col::AssetKind, "url");
            }
        }
    }
    if let Some(t) = c(&p.apim_subscription_id).filter(|t| verbatim(t)) {
        row.set(Col::Token, Some(t));
        row.set_str(Col::TokenKind, "apim_subscription");
    }
    row.bytes = number(p.response_size);

    let body: ApiResponse = p
        .response_body
        .or(p.backend_response_body)
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    if let Some(u) = &body.usage {
        row.input_tokens = count(u.prompt_tokens);
        row.output_tokens = count(u.completion_tokens);
    }
    let code = number(p.response_code);
    let failed_type = r
        .result_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Failed"));
    if code.is_some_and(|s| s >= 400) || (code.is_none() && failed_type) {
        row.set_str(Col::Outcome, outcome::FAILURE);
        let err = body
            .error
            .and_then(|e| e.code)
            .filter(|s| !s.is_empty())
            .map(Cow::Owned)
            .or_else(|| code.map(|s| Cow::Owned(s.to_string())))
            .unwrap_or(Cow::Borrowed("Failed"));
        row.set(Col::ErrorCode, Some(err));
    } else {
        row.set_str(Col::Outcome, outcome::SUCCESS);
    }
}

#[cfg(test)]
mod tests;
