//! Microsoft Azure: the Activity Log (subscription control plane) in its three export schemas, resource logs sent
//! through diagnostic settings (Storage, Key Vault, AKS `kube-audit`; any other category mapped generically), and
//! Microsoft Entra ID sign-in, audit and Microsoft Graph activity logs. Field mapping follows
//! `shared/notes/log-formats.md` §5.
//!
//! Every record is classified on its own, so files that mix categories (an Event Hub capture, a SIEM export) load:
//! - diagnostic settings (storage-account blobs `PT1H.json` as JSON lines, Event Hub `{"records":[...]}`): `time`,
//!   `operationName`, `category`, `resultType`, `callerIpAddress`, `identity{claims}`, `properties` (an object or a
//!   JSON string). Entra categories carry the sign-in / audit object in `properties`. Hand-lowercased keys
//!   (`calleripaddress`, `resulttype`, ...) are accepted.
//! - Activity Log REST / portal / CLI JSON (`eventTimestamp`, `operationName{value}`, `caller`, `claims`,
//!   `httpRequest`, `status{value}`) and the Python SDK's snake_case variant (`event_timestamp`, `operation_name`).
//! - Log Analytics rows: `AzureActivity` (`TimeGenerated`, `OperationNameValue`, `Caller`, `Claims`/`Claims_d`,
//!   `Properties_d`) and `SigninLogs` / `AAD*SignInLogs` / `AuditLogs` (PascalCase columns, told apart by `Type`).
//! - Microsoft Graph `signIns` and `directoryAudits` objects (`{"value":[...]}` pages or arrays).
//!
//! Not claimed: Azure OpenAI diagnostic logs (Cognitive Services `RequestResponse` / `Audit` / `Trace`, and API
//! Management gateway logs in front of Azure OpenAI) belong to `azure_openai`; Microsoft 365 Management Activity
//! records (`Workload`, `RecordType`) are not Azure logs.
//!
//! Top-level fields and `properties` are read as borrowed raw JSON (any value type is accepted, a wrong type reads
//! as absent); small nested objects (claims, initiators, targets) are read leniently into owned values.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{each_json_record, json_error, Format, ParseOut};
use crate::frame::EventBatch;
use crate::ingest::doc::{record_body, Probe, RawRecord};
use crate::ingest::jsonscan::object_members;

mod activity;
mod signin;
mod values;

use values::*;

pub struct Azure;

const SOURCE: &str = "azure";
const PROVIDER: &str = "azure";
/// Entra ID's resource provider, the one its records' `resourceId` names.
const ENTRA: &str = "microsoft.aadiam";
/// Microsoft Graph API activity.
const GRAPH: &str = "microsoft.graph";
/// An access token's unique id (`uti` claim, `uniqueTokenIdentifier`, Graph `signInActivityId`).
const TOKEN_ID: &str = "token_id";
/// A service principal's secret or certificate (`servicePrincipalCredentialKeyId`, audit `KeyIdentifier`).
const CREDENTIAL_KEY: &str = "credential_key";

type R<'a> = Option<&'a RawValue>;

/// The top-level fields of every shape. All raw: any JSON type is accepted here and read leniently later.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Top<'a> {
    #[serde(borrow)]
    time: R<'a>,
    #[serde(rename = "TimeGenerated", borrow)]
    time_generated: R<'a>,
    #[serde(rename = "eventTimestamp", alias = "event_timestamp", borrow)]
    event_timestamp: R<'a>,
    /// Log Analytics table name.
    #[serde(rename = "Type", borrow)]
    la_type: R<'a>,
    /// A string (diagnostic settings, Log Analytics) or `{value, localizedValue}` (REST).
    #[serde(alias = "Category", borrow)]
    category: R<'a>,
    #[serde(rename = "CategoryValue", borrow)]
    category_value: R<'a>,
    /// A string, or `{value, localizedValue}` (REST, SDK).
    #[serde(
        rename = "operationName",
        alias = "operationname",
        alias = "operation_name",
        alias = "OperationName",
        borrow
    )]
    operation_name: R<'a>,
    #[serde(rename = "OperationNameValue", borrow)]
    operation_name_value: R<'a>,
    #[serde(
        rename = "resourceId",
        alias = "resourceid",
        alias = "resource_id",
        alias = "ResourceId",
        borrow
    )]
    resource_id: R<'a>,
    #[serde(rename = "_ResourceId", borrow)]
    la_resource_id: R<'a>,
    #[serde(
        rename = "resourceProviderName",
        alias = "resource_provider_name",
        alias = "ResourceProviderValue",
        borrow
    )]
    provider_name: R<'a>,
    #[serde(rename = "resultType", alias = "resulttype", borrow)]
    result_type: R<'a>,
    #[serde(rename = "resultSignature", alias = "resultsignature", borrow)]
    result_signature: R<'a>,
    #[serde(borrow)]
    result: R<'a>,
    /// REST `{value, localizedValue}`.
    #[serde(borrow)]
    status: R<'a>,
    #[serde(rename = "subStatus", alias = "sub_status", borrow)]
    sub_status: R<'a>,
    #[serde(rename = "ActivityStatusValue", borrow)]
    la_status: R<'a>,
    #[serde(rename = "ActivitySubstatusValue", borrow)]
    la_sub_status: R<'a>,
    /// Storage resource logs: HTTP status.
    #[serde(rename = "statusCode", borrow)]
    status_code: R<'a>,
    #[serde(rename = "statusText", borrow)]
    status_text: R<'a>,
    #[serde(
        rename = "callerIpAddress",
        alias = "calleripaddress",
        alias = "CallerIpAddress",
        borrow
    )]
    caller_ip: R<'a>,
    #[serde(rename = "ipAddress", borrow)]
    ip_address: R<'a>,
    #[serde(
        rename = "httpRequest",
        alias = "http_request",
        alias = "HTTPRequest",
        borrow
    )]
    http_request: R<'a>,
    #[serde(
        rename = "correlationId",
        alias = "correlationid",
        alias = "correlation_id",
        alias = "CorrelationId",
        borrow
    )]
    correlation_id: R<'a>,
    #[serde(
        rename = "eventDataId",
        alias = "event_data_id",
        alias = "EventDataId",
        borrow
    )]
    event_data_id: R<'a>,
    #[serde(alias = "Caller", borrow)]
    caller: R<'a>,
    /// `{claims, authorization}` (Activity Log), `{claim}` (Key Vault), `{type, tokenHash, requester}` (Storage),
    /// or a display name (Entra).
    #[serde(borrow)]
    identity: R<'a>,
    #[serde(borrow)]
    claims: R<'a>,
    #[serde(rename = "Claims", borrow)]
    la_claims: R<'a>,
    #[serde(rename = "Claims_d", borrow)]
    la_claims_d: R<'a>,
    #[serde(
        rename = "subscriptionId",
        alias = "subscription_id",
        alias = "SubscriptionId",
        borrow
    )]
    subscription_id: R<'a>,
    #[serde(
        rename = "tenantId",
        alias = "tenantid",
        alias = "tenant_id",
        alias = "TenantId",
        borrow
    )]
    tenant_id: R<'a>,
    /// Log Analytics rows of Entra tables: the directory (their `TenantId` is the Log Analytics workspace).
    #[serde(rename = "AADTenantId", borrow)]
    aad_tenant_id: R<'a>,
    #[serde(borrow)]
    location: R<'a>,
    #[serde(borrow)]
    uri: R<'a>,
    #[serde(borrow)]
    properties: R<'a>,
    #[serde(rename = "Properties_d", borrow)]
    la_properties_d: R<'a>,
    #[serde(rename = "Properties", borrow)]
    la_properties: R<'a>,
    // Microsoft Graph objects carry the sign-in / audit fields at the top level.
    #[serde(rename = "activityDisplayName", borrow)]
    activity_display_name: R<'a>,
    #[serde(rename = "activityDateTime", borrow)]
    activity_date_time: R<'a>,
    #[serde(rename = "initiatedBy", borrow)]
    initiated_by: R<'a>,
    #[serde(rename = "createdDateTime", borrow)]
    created_date_time: R<'a>,
    #[serde(rename = "userPrincipalName", borrow)]
    user_principal_name: R<'a>,
    #[serde(rename = "appId", borrow)]
    app_id: R<'a>,
    #[serde(rename = "servicePrincipalId", borrow)]
    service_principal_id: R<'a>,
}

/// The fields heist reads from `properties` (diagnostic settings) or from a whole Graph / Log Analytics object.
/// PascalCase aliases are the Log Analytics column names.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Props<'a> {
    // Sign-ins.
    #[serde(alias = "Id", borrow)]
    id: R<'a>,
    #[serde(rename = "createdDateTime", alias = "CreatedDateTime", borrow)]
    created_date_time: R<'a>,
    #[serde(rename = "userPrincipalName", alias = "UserPrincipalName", borrow)]
    user_principal_name: R<'a>,
    #[serde(rename = "userId", alias = "UserId", borrow)]
    user_id: R<'a>,
    #[serde(rename = "userDisplayName", alias = "UserDisplayName", borrow)]
    user_display_name: R<'a>,
    #[serde(
        rename = "servicePrincipalName",
        alias = "ServicePrincipalName",
        borrow
    )]
    service_principal_name: R<'a>,
    #[serde(rename = "servicePrincipalId", alias = "ServicePrincipalId", borrow)]
    service_principal_id: R<'a>,
    #[serde(
        rename = "servicePrincipalCredentialKeyId",
        alias = "ServicePrincipalCredentialKeyId",
        borrow
    )]
    credential_key_id: R<'a>,
    #[serde(rename = "appId", alias = "AppId", borrow)]
    app_id: R<'a>,
    #[serde(rename = "appDisplayName", alias = "AppDisplayName", borrow)]
    app_display_name: R<'a>,
    #[serde(rename = "ipAddress", alias = "IPAddress", borrow)]
    ip_address: R<'a>,
    /// `{errorCode, failureReason}`.
    #[serde(alias = "Status", borrow)]
    status: R<'a>,
    #[serde(
        rename = "uniqueTokenIdentifier",
        alias = "UniqueTokenIdentifier",
        borrow
    )]
    unique_token_identifier: R<'a>,
    #[serde(rename = "resourceDisplayName", alias = "ResourceDisplayName", borrow)]
    resource_display_name: R<'a>,
    /// The resource application's id (Log Analytics: `ResourceIdentity`; its `ResourceId` is the tenant path).
    #[serde(rename = "resourceId", alias = "ResourceIdentity", borrow)]
    resource_id: R<'a>,
    #[serde(rename = "userAgent", alias = "UserAgent", borrow)]
    user_agent: R<'a>,
    #[serde(rename = "correlationId", alias = "CorrelationId", borrow)]
    correlation_id: R<'a>,
    #[serde(rename = "tenantId", alias = "TenantId", borrow)]
    tenant_id: R<'a>,
    #[serde(rename = "isInteractive", alias = "IsInteractive", borrow)]
    is_interactive: R<'a>,
    #[serde(rename = "signInEventTypes", borrow)]
    sign_in_event_types: R<'a>,
    #[serde(
        rename = "clientCredentialType",
        alias = "ClientCredentialType",
        borrow
    )]
    client_credential_type: R<'a>,
    #[serde(
        rename = "authenticationProtocol",
        alias = "AuthenticationProtocol",
        borrow
    )]
    authentication_protocol: R<'a>,
    #[serde(rename = "resultType", alias = "ResultType", borrow)]
    result_type: R<'a>,
    // Directory audits.
    #[serde(rename = "activityDisplayName", alias = "ActivityDisplayName", borrow)]
    activity_display_name: R<'a>,
    #[serde(rename = "activityDateTime", alias = "ActivityDateTime", borrow)]
    activity_date_time: R<'a>,
    #[serde(rename = "operationName", alias = "OperationName", borrow)]
    operation_name: R<'a>,
    #[serde(rename = "initiatedBy", alias = "InitiatedBy", borrow)]
    initiated_by: R<'a>,
    #[serde(rename = "targetResources", alias = "TargetResources", borrow)]
    target_resources: R<'a>,
    #[serde(alias = "Result", borrow)]
    result: R<'a>,
    #[serde(rename = "resultReason", alias = "ResultReason", borrow)]
    result_reason: R<'a>,
    #[serde(rename = "additionalDetails", alias = "AdditionalDetails", borrow)]
    additional_details: R<'a>,
    // Microsoft Graph activity.
    #[serde(rename = "requestMethod", borrow)]
    request_method: R<'a>,
    #[serde(rename = "requestUri", borrow)]
    request_uri: R<'a>,
    #[serde(rename = "responseStatusCode", borrow)]
    response_status_code: R<'a>,
    #[serde(rename = "responseSizeBytes", borrow)]
    response_size_bytes: R<'a>,
    #[serde(rename = "signInActivityId", borrow)]
    sign_in_activity_id: R<'a>,
    #[serde(rename = "requestId", borrow)]
    request_id: R<'a>,
    #[serde(rename = "timeGenerated", borrow)]
    time_generated: R<'a>,
    // Storage.
    #[serde(rename = "objectKey", borrow)]
    object_key: R<'a>,
    #[serde(rename = "userAgentHeader", borrow)]
    user_agent_header: R<'a>,
    #[serde(rename = "metricResponseType", borrow)]
    metric_response_type: R<'a>,
    #[serde(rename = "responseBodySize", borrow)]
    response_body_size: R<'a>,
    #[serde(rename = "requestBodySize", borrow)]
    request_body_size: R<'a>,
    // Key Vault.
    #[serde(rename = "clientInfo", borrow)]
    client_info: R<'a>,
    #[serde(rename = "httpStatusCode", borrow)]
    http_status_code: R<'a>,
    // AKS: the Kubernetes audit event, as a JSON string.
    #[serde(borrow)]
    log: R<'a>,
    // Identity Protection.
    #[serde(rename = "detectedDateTime", borrow)]
    detected_date_time: R<'a>,
}

/// `{value, localizedValue}` of the REST schema.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Localized<'a> {
    #[serde(borrow)]
    value: R<'a>,
}

/// Log Analytics tables heist reads.
const LA_TABLES: &[&str] = &[
    "AzureActivity",
    "SigninLogs",
    "AADNonInteractiveUserSignInLogs",
    "AADServicePrincipalSignInLogs",
    "AADManagedIdentitySignInLogs",
    "AuditLogs",
];

/// Diagnostic-settings categories that are Azure's own (Activity Log, Entra ID, common resource logs).
const CATEGORIES: &[&str] = &[
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "MicrosoftServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "ADFSSignInLogs",
    "AuditLogs",
    "ProvisioningLogs",
    "RiskyUsers",
    "UserRiskEvents",
    "RiskyServicePrincipals",
    "ServicePrincipalRiskEvents",
    "MicrosoftGraphActivityLogs",
    "StorageRead",
    "StorageWrite",
    "StorageDelete",
    "AuditEvent",
    "kube-audit",
    "kube-audit-admin",
];

fn is_azure(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    let has = |k: &str| o.contains_key(k);
    let s = |k: &str| o.get(k).and_then(Value::as_str);
    // Microsoft 365 Management Activity, CloudTrail, GCP.
    if has("Workload")
        || has("RecordType")
        || has("eventVersion")
        || has("CloudTrailEvent")
        || has("protoPayload")
        || has("logName")
    {
        return false;
    }
    // Microsoft Graph directoryAudits / signIns objects.
    if has("activityDisplayName")
        && has("activityDateTime")
        && (has("initiatedBy") || has("targetResources"))
    {
        return true;
    }
    if has("createdDateTime")
        && (has("ipAddress") || has("uniqueTokenIdentifier"))
        && (has("userPrincipalName") || has("appId") || has("servicePrincipalId"))
    {
        return true;
    }
    // Log Analytics rows.
    if has("TimeGenerated")
        && s("Type").is_some_and(|t| LA_TABLES.iter().any(|x| x.eq_ignore_ascii_case(t)))
    {
        return true;
    }
    if has("OperationNameValue") && (has("TimeGenerated") || has("EventDataId")) {
        return true;
    }
    // Activity Log REST / SDK.
    if (has("eventTimestamp") || has("event_timestamp"))
        && (has("operationName") || has("operation_name"))
    {
        return true;
    }
    // Diagnostic settings.
    if !(has("operationName") || has("operationname")) {
        return false;
    }
    let rid = s("resourceId")
        .or_else(|| s("resourceid"))
        .map(str::to_ascii_lowercase);
    if rid.as_deref().is_some_and(|r| {
        r.starts_with("/subscriptions/")
            || r.starts_with("/tenants/")
            || r.starts_with("/providers/")
    }) {
        return true;
    }
    s("category").is_some_and(|c| CATEGORIES.iter().any(|x| x.eq_ignore_ascii_case(c)))
}

/// Azure OpenAI diagnostic logs (and API Management gateway logs in front of Azure OpenAI): the `azure_openai`
/// format's.
fn is_azure_openai(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    let s = |k: &str| o.get(k).and_then(Value::as_str);
    let cat = s("category").or_else(|| s("Category")).unwrap_or("");
    let rid = s("resourceId")
        .or_else(|| s("resourceid"))
        .unwrap_or("")
        .to_ascii_lowercase();
    if rid.contains("/microsoft.cognitiveservices/")
        && ["requestresponse", "audit", "trace"]
            .iter()
            .any(|c| cat.eq_ignore_ascii_case(c))
    {
        return true;
    }
    cat.eq_ignore_ascii_case("GatewayLogs")
        && o.get("properties")
            .and_then(|p| p.get("backendUrl"))
            .and_then(Value::as_str)
            .is_some_and(|u| u.to_ascii_lowercase().contains(".openai.azure.com"))
}

impl Format for Azure {
    fn id(&self) -> &'static str {
        SOURCE
    }

    fn title(&self) -> &'static str {
        "Azure Activity Log, resource logs and Microsoft Entra ID sign-in / audit logs"
    }

    fn layouts(&self) -> &'static [&'static str] {
        &[
            "insights-activity-logs/resourceId=/SUBSCRIPTIONS/<sub>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json  (diagnostic settings to a storage account: JSON lines; {\"records\":[...]} before 2018-11)",
            "insights-logs-{signinlogs,noninteractiveusersigninlogs,serviceprincipalsigninlogs,managedidentitysigninlogs,auditlogs,microsoftgraphactivitylogs}/resourceId=/tenants/<tenant>/providers/Microsoft.aadiam/y=.../PT1H.json  (Entra ID diagnostic settings)",
            "insights-logs-{storageread,storagewrite,storagedelete,auditevent,kube-audit,...}/resourceId=/SUBSCRIPTIONS/.../PT1H.json  (resource logs)",
            "Event Hub capture or forwarder output: {\"records\":[...]}",
            "activity-log.json  (az monitor activity-log list, REST, portal download: eventTimestamp, operationName{value}; Python SDK snake_case event_timestamp)",
            "AzureActivity / SigninLogs / AAD*SignInLogs / AuditLogs rows from Log Analytics (JSON array or lines, TimeGenerated, PascalCase columns)",
            "signIns.json / directoryAudits.json  (Microsoft Graph /auditLogs pages {\"value\":[...]} or arrays)",
        ]
    }

    fn maps(&self) -> &'static str {
        "action: ARM operationName | SignIn, NonInteractiveSignIn, ServicePrincipalSignIn, ManagedIdentitySignIn | \
         audit activityDisplayName; identity caller / claims UPN (human) or appid, userPrincipalName (human), \
         servicePrincipalName|Id (service), audit initiatedBy; token claims uti / uniqueTokenIdentifier (token_id), \
         servicePrincipalCredentialKeyId (credential_key, minting the sign-in's uti), storage tokenHash; asset \
         resourceId, sign-in resourceDisplayName (app), audit target, blob objectKey, vault object URL; minted: \
         added service principal credentials (KeyIdentifier when logged)"
    }

    fn sniff(&self, probe: &Probe<'_>) -> bool {
        let samples = &probe.samples[..probe.samples.len().min(3)];
        samples.iter().any(is_azure) && !samples.iter().any(is_azure_openai)
    }

    fn parse(&self, probe: &Probe<'_>, out: &mut ParseOut) {
        each_json_record(probe, out, map_record);
    }
}

/// The record to parse: a CloudWatch-style envelope's message, else the record itself (looking at the top-level
/// keys only, so records whose `properties` mention `"message"` are not parsed twice).
fn body_of(text: &str) -> Cow<'_, str> {
    let open = text.len() - text.trim_start().len();
    if !text[open..].starts_with('{') {
        return Cow::Borrowed(text);
    }
    let (members, _) = object_members(text, open);
    let has = |key: &str| members.iter().any(|m| m.key == key);
    if has("message") && (has("timestamp") || has("ingestionTime") || has("logStreamName")) {
        record_body(text)
    } else {
        Cow::Borrowed(text)
    }
}

fn map_record(rec: &RawRecord<'_>, batch: &mut EventBatch) -> Result<(), String> {
    let body = body_of(rec.text);
    let top: Top<'_> = serde_json::from_str(&body).map_err(|e| json_error(&e))?;
    let props_raw = top.properties.or(top.la_properties_d).or(top.la_properties);
    let props_owned = unstring(props_raw);
    let props: Props<'_> = parse_lenient(json_text(props_raw, &props_owned));
    let category = value_text(top.category).or_else(|| text(top.category_value));
    let cat = category.as_deref().unwrap_or("");
    let la_type = text(top.la_type);
    let la = la_type.as_deref().unwrap_or("");

    // Log Analytics rows first: their `Category` column would otherwise read as a diagnostic category.
    if let Some(kind) = signin::kind_of(la) {
        let row_props: Props<'_> = parse_lenient(Some(&*body));
        return signin::map_signin(&top, &row_props, Some(kind), rec, batch);
    }
    if la.eq_ignore_ascii_case("AuditLogs") {
        let row_props: Props<'_> = parse_lenient(Some(&*body));
        return signin::map_audit(&top, &row_props, rec, batch);
    }
    if let Some(kind) = signin::kind_of(cat) {
        return signin::map_signin(&top, &props, Some(kind), rec, batch);
    }
    if cat.eq_ignore_ascii_case("AuditLogs")
        || props.initiated_by.is_some()
        || props.activity_display_name.is_some()
    {
        return signin::map_audit(&top, &props, rec, batch);
    }
    if cat.eq_ignore_ascii_case("MicrosoftGraphActivityLogs") {
        return signin::map_graph_activity(&top, &props, rec, batch);
    }
    if cat.eq_ignore_ascii_case("kube-audit") || cat.eq_ignore_ascii_case("kube-audit-admin") {
        return activity::map_kube(&top, &props, rec, batch);
    }
    // Microsoft Graph objects.
    if props_raw.is_none()
        && top.activity_display_name.is_some()
        && (top.activity_date_time.is_some() || top.initiated_by.is_some())
    {
        let row_props: Props<'_> = parse_lenient(Some(&*body));
        return signin::map_audit(&top, &row_props, rec, batch);
    }
    if props_raw.is_none()
        && top.created_date_time.is_some()
        && (top.user_principal_name.is_some()
            || top.app_id.is_some()
            || top.service_principal_id.is_some())
    {
        let row_props: Props<'_> = parse_lenient(Some(&*body));
        return signin::map_signin(&top, &row_props, None, rec, batch);
    }
    if top.operation_name.is_some() || top.operation_name_value.is_some() {
        return activity::map_resource(&top, &props, cat, rec, batch);
    }
    Err("not an Azure Activity Log, resource log or Entra ID record (no operationName, sign-in or audit fields)".into())
}

#[cfg(test)]
mod tests;
