//! Hand-written records in the real shapes (Azure Monitor / Entra ID schema documentation and the public samples
//! under `shared/datasets`), one test per shape and per mapped behaviour.

use std::sync::Arc;

use serde_json::{json, Value};

use super::Azure;
use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::doc::Probe;
use crate::ingest::formats::Format;
use crate::ingest::{load_bytes, LoadOptions};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB_UPPER: &str = "0B1F6471-1BF0-4DDA-AEC3-CB9272F09590";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const UTI: &str = "Qm9ndXNVdGlWYWx1ZTAx";
const UPN_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";

/// Load with the format offered explicitly, so the tests do not depend on the registry order.
fn load(text: &str) -> EventStore {
    let azure: Arc<dyn Format> = Arc::new(Azure);
    let opts = LoadOptions {
        extra_formats: vec![azure],
        ..LoadOptions::default()
    };
    load_bytes("t.json", text.as_bytes().to_vec(), &opts).unwrap()
}

/// Load a file that must read entirely as Azure, without errors.
fn ok(text: &str) -> EventStore {
    let s = load(text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files.len(), 1, "unreadable: {:?}", s.report.unreadable);
    assert_eq!(s.files[0].format, "azure");
    s
}

fn cell(s: &EventStore, c: Col, row: usize) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, row)
}

fn get(s: &EventStore, c: Col) -> Option<String> {
    cell(s, c, 0)
}

fn lines(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn storage_rid() -> String {
    format!("/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/ML-RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/MODELSTORE")
}

/// Activity Log record as diagnostic settings write it (storage account `PT1H.json` line).
fn activity_diag() -> Value {
    json!({
        "time": "2024-05-01T10:00:00.0000000Z",
        "resourceId": storage_rid(),
        "operationName": "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
        "category": "Administrative",
        "resultType": "Success",
        "resultSignature": "Succeeded.OK",
        "durationMs": "120",
        "callerIpAddress": "203.0.113.7",
        "correlationId": "8b5e1b0a-5c2d-4c0e-9a0c-2f6a9d1e7c11",
        "identity": {
            "authorization": {
                "scope": format!("/subscriptions/{SUB}/resourceGroups/ml-rg"),
                "action": "Microsoft.Storage/storageAccounts/listKeys/action",
                "evidence": {"role": "Owner", "principalId": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f", "principalType": "User"}
            },
            "claims": {
                "aud": "https://management.core.windows.net/",
                "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
                UPN_CLAIM: "mallory@contoso.com",
                "http://schemas.microsoft.com/identity/claims/objectidentifier": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f",
                "ipaddr": "203.0.113.7",
                "uti": UTI,
                "ver": "1.0"
            }
        },
        "level": "Information",
        "location": "westeurope",
        "properties": {
            "statusCode": "OK",
            "serviceRequestId": null,
            "eventCategory": "Administrative",
            "entity": storage_rid(),
            "message": "Microsoft.Storage/storageAccounts/listKeys/action",
            "hierarchy": format!("{TENANT}/{SUB}")
        }
    })
}

#[test]
fn diagnostic_activity_record_maps_every_column() {
    let s = ok(&lines(&[activity_diag()]));
    assert_eq!(s.len(), 1);
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(get(&s, Col::Source).as_deref(), Some("azure"));
    assert_eq!(get(&s, Col::Provider).as_deref(), Some("azure"));
    assert_eq!(get(&s, Col::Service).as_deref(), Some("microsoft.storage"));
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION")
    );
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert_eq!(get(&s, Col::ErrorCode), None);
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some(UTI));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("token_id"));
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("203.0.113.7"));
    assert_eq!(get(&s, Col::Asset), Some(storage_rid()));
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("storage_account"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some(SUB));
    assert_eq!(get(&s, Col::Region).as_deref(), Some("westeurope"));
    assert_eq!(
        get(&s, Col::RequestId).as_deref(),
        Some("8b5e1b0a-5c2d-4c0e-9a0c-2f6a9d1e7c11")
    );
    assert_eq!(
        get(&s, Col::EventId),
        None,
        "diagnostic records have no unique id"
    );
    assert_eq!(get(&s, Col::Origin).as_deref(), Some("t.json"));
}

#[test]
fn event_hub_records_keep_every_status_record() {
    let rid = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/5a1e7c3b-0f4d-4c2a-9b8e-6d7f1a2b3c4d"
    );
    let mut records = Vec::new();
    for (i, status) in ["Start", "Accept", "Success"].iter().enumerate() {
        let mut r = activity_diag();
        r["time"] = json!(format!("2024-05-01T10:00:0{i}.0000000Z"));
        r["resourceId"] = json!(rid);
        r["operationName"] = json!("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE");
        r["resultType"] = json!(status);
        records.push(r);
    }
    let s = ok(&json!({ "records": records }).to_string());
    assert_eq!(
        s.len(),
        3,
        "Started / Accepted / Succeeded are separate events"
    );
    for row in 0..3 {
        assert_eq!(
            cell(&s, Col::Action, row).as_deref(),
            Some("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE")
        );
        assert_eq!(cell(&s, Col::Outcome, row).as_deref(), Some("success"));
        assert_eq!(
            cell(&s, Col::AssetKind, row).as_deref(),
            Some("role_assignment")
        );
        assert_eq!(
            cell(&s, Col::Service, row).as_deref(),
            Some("microsoft.authorization")
        );
    }
}

#[test]
fn failed_activity_uses_result_signature() {
    let mut r = activity_diag();
    r["resultType"] = json!("Failure");
    r["resultSignature"] = json!("Forbidden.AuthorizationFailed");
    let s = ok(&lines(&[r]));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("failure"));
    assert_eq!(
        get(&s, Col::ErrorCode).as_deref(),
        Some("Forbidden.AuthorizationFailed")
    );
}

#[test]
fn rest_shape_service_principal_failure() {
    let app = "9f2c1d4e-5b6a-4c3d-8e7f-0a1b2c3d4e5f";
    let rec = json!({
        "authorization": {"action": "Microsoft.CognitiveServices/accounts/listKeys/action", "scope": "/subscriptions/x"},
        "caller": app,
        "channels": "Operation",
        "claims": {"aud": "https://management.azure.com/", "appid": app, "idtyp": "app", "uti": UTI, "ver": "1.0"},
        "correlationId": "c1c2c3c4-0000-4000-8000-000000000001",
        "description": "",
        "eventDataId": "e1e2e3e4-0000-4000-8000-000000000002",
        "eventName": {"value": "EndRequest", "localizedValue": "End request"},
        "category": {"value": "Administrative", "localizedValue": "Administrative"},
        "eventTimestamp": "2024-05-01T11:00:00.0000000Z",
        "httpRequest": {"clientRequestId": "r1", "clientIpAddress": "198.51.100.77", "method": "POST"},
        "id": "/subscriptions/x/events/e1/ticks/1",
        "level": "Error",
        "operationId": "o1",
        "operationName": {"value": "Microsoft.CognitiveServices/accounts/listKeys/action", "localizedValue": "List Keys"},
        "resourceGroupName": "ai-rg",
        "resourceProviderName": {"value": "Microsoft.CognitiveServices", "localizedValue": "Microsoft.CognitiveServices"},
        "resourceType": {"value": "Microsoft.CognitiveServices/accounts", "localizedValue": "Microsoft.CognitiveServices/accounts"},
        "resourceId": format!("/subscriptions/{SUB}/resourceGroups/ai-rg/providers/Microsoft.CognitiveServices/accounts/prod-openai"),
        "status": {"value": "Failed", "localizedValue": "Failed"},
        "subStatus": {"value": "Forbidden", "localizedValue": "Forbidden (HTTP Status Code: 403)"},
        "submissionTimestamp": "2024-05-01T11:00:30.0000000Z",
        "subscriptionId": SUB_UPPER,
        "tenantId": TENANT,
        "properties": {"statusCode": "Forbidden"},
        "relatedEvents": []
    });
    let s = ok(&json!([rec]).to_string());
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2024-05-01T11:00:00Z"));
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("Microsoft.CognitiveServices/accounts/listKeys/action")
    );
    assert_eq!(
        get(&s, Col::Service).as_deref(),
        Some("microsoft.cognitiveservices")
    );
    assert_eq!(get(&s, Col::Identity).as_deref(), Some(app));
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("service"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some(UTI));
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("198.51.100.77"));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("failure"));
    assert_eq!(get(&s, Col::ErrorCode).as_deref(), Some("Forbidden"));
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("ai_account"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some(SUB));
    assert_eq!(
        get(&s, Col::EventId).as_deref(),
        Some("e1e2e3e4-0000-4000-8000-000000000002")
    );
    assert_eq!(
        get(&s, Col::RequestId).as_deref(),
        Some("c1c2c3c4-0000-4000-8000-000000000001")
    );
}

#[test]
fn sdk_snake_case_shape() {
    let rec = json!({
        "authorization": {"action": "Microsoft.Compute/disks/delete", "scope": "/subscriptions/s"},
        "claims": {
            "appid": "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "alice@contoso.com",
            "name": "Alice",
            "uti": "-AAAAAAAAAAAAAAAA_AAAA",
            "ver": "1.0"
        },
        "caller": "alice@contoso.com",
        "description": "",
        "id": "/subscriptions/s/events/587eda65/ticks/1",
        "event_data_id": "587eda65-125e-48c2-9b04-ab5e8d3a1d8e",
        "correlation_id": "c0c54eb6-3a17-42e2-b6f6-37484ac276c4",
        "event_name": {"value": "BeginRequest", "localized_value": "BeginRequest"},
        "category": {"value": "Administrative", "localized_value": "Administrative"},
        "http_request": {"client_request_id": "a3237fe2", "client_ip_address": "192.0.2.44", "method": "DELETE"},
        "level": "Informational",
        "resource_group_name": "TEST-RG",
        "resource_provider_name": {"value": "Microsoft.Compute", "localized_value": "Microsoft.Compute"},
        "resource_id": format!("/subscriptions/{SUB}/resourceGroups/TEST-RG/providers/Microsoft.Compute/disks/model-cache"),
        "resource_type": {"value": "Microsoft.Compute/disks", "localized_value": "Microsoft.Compute/disks"},
        "operation_id": "80287633-d288-49d7-b25e-7ba8cf6bf1da",
        "operation_name": {"value": "Microsoft.Compute/disks/delete", "localized_value": "Microsoft.Compute/disks/delete"},
        "properties": {"eventCategory": "Administrative", "message": "Microsoft.Compute/disks/delete"},
        "status": {"value": "Started", "localized_value": "Started"},
        "sub_status": {"value": "", "localized_value": ""},
        "event_timestamp": "2022-02-09T03:04:54.297853Z",
        "submission_timestamp": "2022-02-09T03:06:00.182686Z",
        "subscription_id": SUB,
        "tenant_id": TENANT
    });
    let s = ok(&lines(&[rec]));
    assert_eq!(
        get(&s, Col::Time).as_deref(),
        Some("2022-02-09T03:04:54.297853000Z")
    );
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("Microsoft.Compute/disks/delete")
    );
    assert_eq!(get(&s, Col::Identity).as_deref(), Some("alice@contoso.com"));
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(
        get(&s, Col::Token).as_deref(),
        Some("-AAAAAAAAAAAAAAAA_AAAA")
    );
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("192.0.2.44"));
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("disk"));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert_eq!(
        get(&s, Col::EventId).as_deref(),
        Some("587eda65-125e-48c2-9b04-ab5e8d3a1d8e")
    );
    assert_eq!(
        get(&s, Col::RequestId).as_deref(),
        Some("c0c54eb6-3a17-42e2-b6f6-37484ac276c4")
    );
    assert_eq!(get(&s, Col::Account).as_deref(), Some(SUB));
}

fn log_analytics_row() -> Value {
    let claims = json!({UPN_CLAIM: "mallory@contoso.com", "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "uti": UTI});
    json!({
        "TenantId": "a1b2c3d4-0000-4000-8000-00000000000a",
        "SourceSystem": "Azure",
        "CallerIpAddress": "203.0.113.7",
        "CategoryValue": "Administrative",
        "CorrelationId": "8b5e1b0a-5c2d-4c0e-9a0c-2f6a9d1e7c11",
        "Authorization": "{\"action\":\"Microsoft.Storage/storageAccounts/listKeys/action\"}",
        "Claims": claims.to_string(),
        "Level": "Error",
        "OperationNameValue": "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
        "Properties": "{\"statusCode\":\"Forbidden\"}",
        "Caller": "mallory@contoso.com",
        "EventDataId": "44ac1cbe-0000-4000-8000-0000000000e1",
        "EventSubmissionTimestamp": "2024-05-01T10:00:21.0000000Z",
        "HTTPRequest": "{\"clientRequestId\":\"r1\",\"clientIpAddress\":\"203.0.113.7\",\"method\":\"POST\"}",
        "OperationId": "o1",
        "ResourceGroup": "ML-RG",
        "ResourceProviderValue": "MICROSOFT.STORAGE",
        "ActivityStatusValue": "Failure",
        "ActivitySubstatusValue": "Forbidden",
        "Hierarchy": "h",
        "TimeGenerated": "2024-05-01T10:00:00Z",
        "SubscriptionId": SUB,
        "OperationName": "List Storage Account Keys",
        "ActivityStatus": "Failed",
        "ActivitySubstatus": "Forbidden",
        "Category": "Administrative",
        "ResourceId": storage_rid(),
        "ResourceProvider": "Microsoft.Storage",
        "Resource": "MODELSTORE",
        "Properties_d": {"statusCode": "Forbidden"},
        "Type": "AzureActivity",
        "_ResourceId": storage_rid().to_ascii_lowercase()
    })
}

#[test]
fn log_analytics_azure_activity_array_and_lines() {
    let row = log_analytics_row();
    for text in [json!([row.clone()]).to_string(), lines(&[row])] {
        let s = ok(&text);
        assert_eq!(s.len(), 1);
        assert_eq!(get(&s, Col::Time).as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(
            get(&s, Col::Action).as_deref(),
            Some("MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION")
        );
        assert_eq!(
            get(&s, Col::Identity).as_deref(),
            Some("mallory@contoso.com")
        );
        assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
        assert_eq!(
            get(&s, Col::Token).as_deref(),
            Some(UTI),
            "uti read from the Claims JSON string"
        );
        assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("203.0.113.7"));
        assert_eq!(get(&s, Col::Outcome).as_deref(), Some("failure"));
        assert_eq!(get(&s, Col::ErrorCode).as_deref(), Some("Forbidden"));
        assert_eq!(get(&s, Col::Asset), Some(storage_rid()));
        assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("storage_account"));
        assert_eq!(get(&s, Col::Account).as_deref(), Some(SUB));
        assert_eq!(
            get(&s, Col::EventId).as_deref(),
            Some("44ac1cbe-0000-4000-8000-0000000000e1")
        );
    }
}

fn signin_props() -> Value {
    json!({
        "id": "6a3b7c9d-1e2f-4a5b-8c7d-9e0f1a2b3c4d",
        "createdDateTime": "2024-05-01T09:58:30.0000000+00:00",
        "userDisplayName": "Mallory",
        "userPrincipalName": "mallory@contoso.com",
        "userId": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f",
        "appId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "appDisplayName": "Microsoft Azure CLI",
        "ipAddress": "198.51.100.23",
        "status": {"errorCode": 0},
        "clientAppUsed": "Mobile Apps and Desktop clients",
        "userAgent": "python-requests/2.31.0",
        "deviceDetail": {"deviceId": "", "operatingSystem": "Linux"},
        "location": {"city": "Amsterdam", "countryOrRegion": "NL", "geoCoordinates": {"latitude": 52.37, "longitude": 4.89}},
        "correlationId": "5f4e3d2c-1b0a-4987-8765-43210fedcba9",
        "conditionalAccessStatus": "notApplied",
        "isInteractive": true,
        "tokenIssuerType": "AzureAD",
        "resourceDisplayName": "Windows Azure Service Management API",
        "resourceId": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "authenticationProtocol": "deviceCode",
        "clientCredentialType": "none",
        "uniqueTokenIdentifier": UTI,
        "servicePrincipalId": ""
    })
}

fn signin_diag(category: &str, props: Value) -> Value {
    json!({
        "time": "2024-05-01T10:01:00.0000000Z",
        "resourceId": format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
        "operationName": "Sign-in activity",
        "operationVersion": "1.0",
        "category": category,
        "tenantId": TENANT,
        "resultType": "0",
        "resultSignature": "None",
        "durationMs": 0,
        "callerIpAddress": "198.51.100.23",
        "correlationId": "5f4e3d2c-1b0a-4987-8765-43210fedcba9",
        "identity": "Mallory",
        "Level": 4,
        "location": "NL",
        "properties": props
    })
}

#[test]
fn interactive_sign_in_maps_every_column() {
    let s = ok(&lines(&[signin_diag("SignInLogs", signin_props())]));
    assert_eq!(
        get(&s, Col::Time).as_deref(),
        Some("2024-05-01T09:58:30Z"),
        "createdDateTime"
    );
    assert_eq!(get(&s, Col::Service).as_deref(), Some("microsoft.aadiam"));
    assert_eq!(get(&s, Col::Action).as_deref(), Some("SignIn"));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some(UTI));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("token_id"));
    assert_eq!(get(&s, Col::MintedToken), None);
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("Windows Azure Service Management API")
    );
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("app"));
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("198.51.100.23"));
    assert_eq!(
        get(&s, Col::UserAgent).as_deref(),
        Some("python-requests/2.31.0")
    );
    assert_eq!(get(&s, Col::Account).as_deref(), Some(TENANT));
    assert_eq!(
        get(&s, Col::Region),
        None,
        "a sign-in's location is the caller's country"
    );
    assert_eq!(
        get(&s, Col::RequestId).as_deref(),
        Some("5f4e3d2c-1b0a-4987-8765-43210fedcba9")
    );
    assert_eq!(
        get(&s, Col::EventId).as_deref(),
        Some("6a3b7c9d-1e2f-4a5b-8c7d-9e0f1a2b3c4d")
    );
    assert_eq!(get(&s, Col::AuthMethod).as_deref(), Some("deviceCode"));
}

#[test]
fn failed_sign_ins() {
    let mut p = signin_props();
    p["status"] = json!({"errorCode": 50126, "failureReason": "Invalid username or password or Invalid on-premise username or password."});
    let mut a = signin_diag("SignInLogs", p);
    a["resultType"] = json!("50126");
    // No status object: the numeric resultType is the error code (panther's hand-lowercased variant).
    let mut q = signin_props();
    q.as_object_mut().unwrap().remove("status");
    q["id"] = json!("second-sign-in");
    q["createdDateTime"] = json!("2024-05-01T09:59:30Z");
    let mut b = signin_diag("SignInLogs", q);
    let o = b.as_object_mut().unwrap();
    o.remove("resultType");
    o.insert("resulttype".into(), json!(50053));
    let s = ok(&lines(&[a, b]));
    assert_eq!(s.len(), 2);
    assert_eq!(cell(&s, Col::Outcome, 0).as_deref(), Some("failure"));
    assert_eq!(cell(&s, Col::ErrorCode, 0).as_deref(), Some("50126"));
    assert_eq!(cell(&s, Col::Outcome, 1).as_deref(), Some("failure"));
    assert_eq!(cell(&s, Col::ErrorCode, 1).as_deref(), Some("50053"));
}

#[test]
fn sign_in_categories_name_the_action() {
    let mut recs = Vec::new();
    for (i, cat) in [
        "SignInLogs",
        "NonInteractiveUserSignInLogs",
        "ServicePrincipalSignInLogs",
        "ManagedIdentitySignInLogs",
    ]
    .iter()
    .enumerate()
    {
        let mut p = signin_props();
        p["id"] = json!(format!("sign-in-{i}"));
        p["createdDateTime"] = json!(format!("2024-05-01T09:58:3{i}Z"));
        if i >= 2 {
            let o = p.as_object_mut().unwrap();
            o.remove("userPrincipalName");
            o.insert("servicePrincipalName".into(), json!(format!("sp-{i}")));
            o.insert(
                "servicePrincipalId".into(),
                json!("b1c34143-e405-4058-8e29-84596ad737b8"),
            );
        }
        recs.push(signin_diag(cat, p));
    }
    let s = ok(&lines(&recs));
    let actions: Vec<String> = (0..4).filter_map(|r| cell(&s, Col::Action, r)).collect();
    assert_eq!(
        actions,
        [
            "SignIn",
            "NonInteractiveSignIn",
            "ServicePrincipalSignIn",
            "ManagedIdentitySignIn"
        ]
    );
    let types: Vec<String> = (0..4)
        .filter_map(|r| cell(&s, Col::IdentityType, r))
        .collect();
    assert_eq!(types, ["human", "human", "service", "service"]);
    assert_eq!(cell(&s, Col::Identity, 3).as_deref(), Some("sp-3"));
    assert_eq!(cell(&s, Col::TokenKind, 3).as_deref(), Some("token_id"));
    assert_eq!(
        cell(&s, Col::MintedToken, 3),
        None,
        "no credential key: nothing minted"
    );
}

#[test]
fn service_principal_sign_in_with_a_key_mints_its_token() {
    let key = "2afc776a-4e79-4588-b2ad-f62c94d6bea8";
    // Panther's hand-lowercased top-level keys, numeric resulttype.
    let rec = json!({
        "calleripaddress": "12.12.12.12",
        "category": "ServicePrincipalSignInLogs",
        "correlationid": "bf12205b-eea0-43dd-ad6d-b9030dc62a7a",
        "durationms": 0,
        "level": 4,
        "location": "US",
        "operationname": "Sign-in activity",
        "operationversion": 1,
        "resourceid": "/tenants/60641ed1-32f7-4a2e-a912-d724c497e1e9/providers/Microsoft.aadiam",
        "resultsignature": "None",
        "resulttype": 0,
        "tenantid": "85e54ec3-85ee-4b03-9e3b-863075eb9b62",
        "time": "2023-07-27 14:00:41.848",
        "properties": {
            "appId": "3b245ca3-dcce-4a54-a070-49ad8de02963",
            "clientCredentialType": "clientSecret",
            "correlationId": "52d1e530-786c-443c-8dc8-aa7b1317608e",
            "createdDateTime": "2023-07-27 13:59:53.691680300",
            "id": "55270060-d8fe-435e-9bf2-219a1d456b60",
            "ipAddress": "12.12.12.12",
            "resourceDisplayName": "Office 365 Management APIs",
            "resourceId": "9cc31481-8822-49ff-b638-552ecc26c777",
            "servicePrincipalCredentialKeyId": key,
            "servicePrincipalId": "4b6986ec-c49c-40c0-89ce-b2ac51213e39",
            "servicePrincipalName": "very-normal-service-principal",
            "status": {"errorCode": 0},
            "uniqueTokenIdentifier": "CXXXXXXXXXXXXXXXXXXXXX"
        }
    });
    let s = ok(&lines(&[rec]));
    assert_eq!(
        get(&s, Col::Time).as_deref(),
        Some("2023-07-27T13:59:53.691680300Z")
    );
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("ServicePrincipalSignIn")
    );
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("very-normal-service-principal")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("service"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some(key));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("credential_key"));
    assert_eq!(
        get(&s, Col::MintedToken).as_deref(),
        Some("CXXXXXXXXXXXXXXXXXXXXX")
    );
    assert_eq!(
        get(&s, Col::MintedIdentity).as_deref(),
        Some("very-normal-service-principal")
    );
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert_eq!(
        get(&s, Col::Account).as_deref(),
        Some("85e54ec3-85ee-4b03-9e3b-863075eb9b62")
    );
    assert_eq!(get(&s, Col::AuthMethod).as_deref(), Some("clientSecret"));
    assert_eq!(
        get(&s, Col::RequestId).as_deref(),
        Some("52d1e530-786c-443c-8dc8-aa7b1317608e")
    );
}

#[test]
fn properties_as_a_json_string() {
    let mut rec = signin_diag("SignInLogs", json!(null));
    rec["properties"] = json!(signin_props().to_string());
    let s = ok(&lines(&[rec]));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(get(&s, Col::Token).as_deref(), Some(UTI));
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2024-05-01T09:58:30Z"));
}

#[test]
fn microsoft_graph_sign_ins_page() {
    let mut user = signin_props();
    user["createdDateTime"] = json!("2024-05-01T09:58:30Z");
    let sp = json!({
        "id": "7d8e9f00-1111-4222-8333-444455556666",
        "createdDateTime": "2024-05-01T09:59:00Z",
        "appId": "3b245ca3-dcce-4a54-a070-49ad8de02963",
        "appDisplayName": "ci-deployer",
        "ipAddress": "192.0.2.10",
        "servicePrincipalId": "4b6986ec-c49c-40c0-89ce-b2ac51213e39",
        "servicePrincipalName": "ci-deployer",
        "servicePrincipalCredentialKeyId": "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        "uniqueTokenIdentifier": "U1BVbmlxdWVUb2tlbklk",
        "signInEventTypes": ["servicePrincipal"],
        "status": {"errorCode": 7000215, "failureReason": "Invalid client secret provided."},
        "resourceDisplayName": "Microsoft Graph",
        "userPrincipalName": null
    });
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
        "value": [user, sp]
    });
    let s = ok(&page.to_string());
    assert_eq!(s.len(), 2);
    assert_eq!(cell(&s, Col::Action, 0).as_deref(), Some("SignIn"));
    assert_eq!(
        cell(&s, Col::Identity, 0).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(
        cell(&s, Col::Account, 0),
        None,
        "Graph objects carry no tenant"
    );
    assert_eq!(
        cell(&s, Col::Action, 1).as_deref(),
        Some("ServicePrincipalSignIn")
    );
    assert_eq!(cell(&s, Col::Identity, 1).as_deref(), Some("ci-deployer"));
    assert_eq!(cell(&s, Col::Outcome, 1).as_deref(), Some("failure"));
    assert_eq!(cell(&s, Col::ErrorCode, 1).as_deref(), Some("7000215"));
    assert_eq!(
        cell(&s, Col::Token, 1).as_deref(),
        Some("0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6")
    );
    assert_eq!(
        cell(&s, Col::MintedToken, 1),
        None,
        "a failed sign-in mints nothing"
    );
}

fn audit_props(activity: &str, targets: Value) -> Value {
    json!({
        "id": "Directory_5b1c8a2e-0f3d-4e6a-9b7c-1d2e3f4a5b6c_ABCDE_12345678",
        "category": "ApplicationManagement",
        "correlationId": "5b1c8a2e-0f3d-4e6a-9b7c-1d2e3f4a5b6c",
        "result": "success",
        "resultReason": "",
        "activityDisplayName": activity,
        "activityDateTime": "2024-05-01T10:05:00.0000000+00:00",
        "loggedByService": "Core Directory",
        "operationType": "Update",
        "initiatedBy": {"user": {"id": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f", "displayName": null,
            "userPrincipalName": "mallory@contoso.com", "ipAddress": "203.0.113.7"}},
        "targetResources": targets,
        "additionalDetails": [{"key": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) AzurePortal"}, {"key": "AppId", "value": "3b245ca3"}]
    })
}

fn audit_diag(activity: &str, props: Value) -> Value {
    json!({
        "time": "2024-05-01T10:05:01.0000000Z",
        "resourceId": format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
        "operationName": activity,
        "operationVersion": "1.0",
        "category": "AuditLogs",
        "tenantId": TENANT,
        "resultSignature": "None",
        "durationMs": 0,
        "callerIpAddress": "<null>",
        "correlationId": "5b1c8a2e-0f3d-4e6a-9b7c-1d2e3f4a5b6c",
        "level": "Informational",
        "properties": props
    })
}

const OLD_KEY: &str = "11111111-aaaa-4bbb-8ccc-222222222222";
const NEW_KEY: &str = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d";

fn credential_target(old: &str, new: &str) -> Value {
    json!([{
        "id": "4b6986ec-c49c-40c0-89ce-b2ac51213e39",
        "displayName": "ci-deployer",
        "type": "ServicePrincipal",
        "modifiedProperties": [
            {"displayName": "KeyDescription", "oldValue": old, "newValue": new},
            {"displayName": "Included Updated Properties", "oldValue": null, "newValue": "\"KeyDescription\""}
        ]
    }])
}

fn key_list(ids: &[&str]) -> String {
    let entries: Vec<String> = ids
        .iter()
        .map(|id| {
            format!("[KeyIdentifier={id},KeyType=Password,KeyUsage=Verify,DisplayName=secret]")
        })
        .collect();
    serde_json::to_string(&entries).unwrap()
}

#[test]
fn adding_service_principal_credentials_mints_the_new_key() {
    let targets = credential_target(&key_list(&[OLD_KEY]), &key_list(&[OLD_KEY, NEW_KEY]));
    let rec = audit_diag(
        "Add service principal credentials",
        audit_props("Add service principal credentials", targets),
    );
    let s = ok(&lines(&[rec]));
    assert_eq!(
        get(&s, Col::Time).as_deref(),
        Some("2024-05-01T10:05:00Z"),
        "activityDateTime"
    );
    assert_eq!(get(&s, Col::Service).as_deref(), Some("microsoft.aadiam"));
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("Add service principal credentials")
    );
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("203.0.113.7"));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert_eq!(get(&s, Col::Asset).as_deref(), Some("ci-deployer"));
    assert_eq!(
        get(&s, Col::AssetKind).as_deref(),
        Some("service_principal")
    );
    assert_eq!(get(&s, Col::MintedToken).as_deref(), Some(NEW_KEY));
    assert_eq!(get(&s, Col::MintedIdentity).as_deref(), Some("ci-deployer"));
    assert_eq!(get(&s, Col::RevokedToken), None);
    assert_eq!(
        get(&s, Col::UserAgent).as_deref(),
        Some("Mozilla/5.0 (X11; Linux x86_64) AzurePortal")
    );
    assert_eq!(get(&s, Col::Account).as_deref(), Some(TENANT));
    assert_eq!(
        get(&s, Col::RequestId).as_deref(),
        Some("5b1c8a2e-0f3d-4e6a-9b7c-1d2e3f4a5b6c")
    );
    assert_eq!(
        get(&s, Col::EventId).as_deref(),
        Some("Directory_5b1c8a2e-0f3d-4e6a-9b7c-1d2e3f4a5b6c_ABCDE_12345678")
    );
}

#[test]
fn credential_changes_without_key_ids_and_removals() {
    // Panther-style: the key description names no KeyIdentifier -> identity only.
    let no_ids = credential_target("[]", "[\"Client Secret for API Access\"]");
    let mut a = audit_props("Add service principal credentials", no_ids);
    a["id"] = json!("Directory_a");
    let mut b = audit_props(
        "Remove service principal credentials",
        credential_target(&key_list(&[OLD_KEY, NEW_KEY]), &key_list(&[NEW_KEY])),
    );
    b["id"] = json!("Directory_b");
    b["activityDateTime"] = json!("2024-05-01T10:06:00Z");
    let s = ok(&lines(&[
        audit_diag("Add service principal credentials", a),
        audit_diag("Remove service principal credentials", b),
    ]));
    assert_eq!(s.len(), 2);
    assert_eq!(cell(&s, Col::MintedToken, 0), None);
    assert_eq!(
        cell(&s, Col::MintedIdentity, 0).as_deref(),
        Some("ci-deployer")
    );
    assert_eq!(cell(&s, Col::MintedToken, 1), None);
    assert_eq!(cell(&s, Col::MintedIdentity, 1), None);
    assert_eq!(cell(&s, Col::RevokedToken, 1).as_deref(), Some(OLD_KEY));
}

#[test]
fn microsoft_graph_directory_audits() {
    let failed = json!({
        "id": "Directory_fail_1",
        "category": "ApplicationManagement",
        "correlationId": "0f0e0d0c-0b0a-4909-8807-060504030201",
        "result": "failure",
        "resultReason": "Insufficient privileges to complete the operation.",
        "activityDisplayName": "Add owner to application",
        "activityDateTime": "2024-05-01T10:07:00Z",
        "loggedByService": "Core Directory",
        "operationType": "Assign",
        "initiatedBy": {"user": null, "app": {"appId": "3b245ca3-dcce-4a54-a070-49ad8de02963", "displayName": "ci-deployer",
            "servicePrincipalId": "4b6986ec-c49c-40c0-89ce-b2ac51213e39", "servicePrincipalName": null}},
        "targetResources": [{"id": "8c907101-5831-45a1-b703-8a59f190e639", "displayName": "model-registry", "Type": "Application", "modifiedProperties": []}],
        "additionalDetails": []
    });
    let cert = json!({
        "id": "Directory_cert_2",
        "category": "ApplicationManagement",
        "correlationId": "1f1e1d1c-1b1a-4919-8817-161514131211",
        "result": "success",
        "resultReason": "",
        "activityDisplayName": "Update application \u{2013} Certificates and secrets management ",
        "activityDateTime": "2024-05-01T10:08:00Z",
        "loggedByService": "Core Directory",
        "operationType": "Update",
        "initiatedBy": {"user": {"id": "u1", "userPrincipalName": "mallory@contoso.com", "ipAddress": "203.0.113.7"}},
        "targetResources": [{"id": "8c907101-5831-45a1-b703-8a59f190e639", "displayName": "model-registry", "type": "Application",
            "modifiedProperties": [{"displayName": "KeyDescription", "oldValue": "[]", "newValue": key_list(&[NEW_KEY])}]}]
    });
    let s = ok(&json!([failed, cert]).to_string());
    assert_eq!(s.len(), 2);
    assert_eq!(
        cell(&s, Col::Time, 0).as_deref(),
        Some("2024-05-01T10:07:00Z")
    );
    assert_eq!(cell(&s, Col::Identity, 0).as_deref(), Some("ci-deployer"));
    assert_eq!(cell(&s, Col::IdentityType, 0).as_deref(), Some("service"));
    assert_eq!(cell(&s, Col::Outcome, 0).as_deref(), Some("failure"));
    assert_eq!(
        cell(&s, Col::ErrorCode, 0).as_deref(),
        Some("Insufficient privileges to complete the operation.")
    );
    assert_eq!(cell(&s, Col::Asset, 0).as_deref(), Some("model-registry"));
    assert_eq!(cell(&s, Col::AssetKind, 0).as_deref(), Some("application"));
    assert_eq!(
        cell(&s, Col::EventId, 0).as_deref(),
        Some("Directory_fail_1")
    );
    assert_eq!(cell(&s, Col::MintedToken, 1).as_deref(), Some(NEW_KEY));
    assert_eq!(
        cell(&s, Col::MintedIdentity, 1).as_deref(),
        Some("model-registry")
    );
}

#[test]
fn storage_resource_logs() {
    let rid = format!("{}/blobServices/default", storage_rid());
    let sas = json!({
        "time": "2024-05-01T10:10:00.0000000Z",
        "resourceId": rid,
        "category": "StorageRead",
        "operationName": "GetBlob",
        "operationVersion": "2021-12-02",
        "schemaVersion": "1.0",
        "statusCode": 200,
        "statusText": "Success",
        "durationMs": 5210,
        "callerIpAddress": "203.0.113.9:51234",
        "correlationId": "aa11bb22-cc33-4dd4-8ee5-ff6600778899",
        "identity": {"type": "SAS", "tokenHash": "key1(5F2A8D3E61B04C7A9E2D1F0B3C4A5D6E)"},
        "location": "westeurope",
        "properties": {"accountName": "modelstore", "userAgentHeader": "azsdk-python-storage-blob/12.19.0 Python/3.11",
            "serviceType": "blob", "objectKey": "/modelstore/weights/llm-70b/model-00001.safetensors",
            "metricResponseType": "Success", "serverLatencyMs": 40, "requestHeaderSize": 900, "responseHeaderSize": 300,
            "responseBodySize": 4938000000u64, "tlsVersion": "TLS 1.2"},
        "uri": "https://modelstore.blob.core.windows.net/weights/llm-70b/model-00001.safetensors?sv=2022-11-02&sig=REDACTED",
        "protocol": "HTTPS"
    });
    let denied = json!({
        "time": "2024-05-01T10:11:00.0000000Z",
        "resourceId": rid,
        "category": "StorageRead",
        "operationName": "GetBlob",
        "statusCode": 403,
        "statusText": "AuthorizationPermissionMismatch",
        "callerIpAddress": "[2001:db8::7]:443",
        "identity": {"type": "OAuth", "requester": {"appId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "objectId": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f", "upn": "mallory@contoso.com"}},
        "properties": {"accountName": "modelstore", "objectKey": "/modelstore/weights/secret.bin", "metricResponseType": "AuthorizationError"}
    });
    let s = ok(&lines(&[sas, denied]));
    assert_eq!(s.len(), 2);
    assert_eq!(get(&s, Col::Action).as_deref(), Some("GetBlob"));
    assert_eq!(get(&s, Col::Service).as_deref(), Some("microsoft.storage"));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert_eq!(
        get(&s, Col::Token).as_deref(),
        Some("key1(5F2A8D3E61B04C7A9E2D1F0B3C4A5D6E)")
    );
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("sas"));
    assert_eq!(get(&s, Col::AuthMethod).as_deref(), Some("SAS"));
    assert_eq!(
        get(&s, Col::SourceIp).as_deref(),
        Some("203.0.113.9"),
        "port dropped"
    );
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("/modelstore/weights/llm-70b/model-00001.safetensors")
    );
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("storage_object"));
    assert_eq!(get(&s, Col::Bytes).as_deref(), Some("4938000000"));
    assert_eq!(
        get(&s, Col::UserAgent).as_deref(),
        Some("azsdk-python-storage-blob/12.19.0 Python/3.11")
    );
    assert_eq!(get(&s, Col::Account).as_deref(), Some(SUB));
    assert_eq!(get(&s, Col::Identity), None);

    assert_eq!(cell(&s, Col::Outcome, 1).as_deref(), Some("failure"));
    assert_eq!(
        cell(&s, Col::ErrorCode, 1).as_deref(),
        Some("AuthorizationPermissionMismatch")
    );
    assert_eq!(
        cell(&s, Col::Identity, 1).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(cell(&s, Col::IdentityType, 1).as_deref(), Some("human"));
    assert_eq!(cell(&s, Col::SourceIp, 1).as_deref(), Some("2001:db8::7"));
    assert_eq!(cell(&s, Col::AuthMethod, 1).as_deref(), Some("OAuth"));
}

#[test]
fn key_vault_audit_event() {
    let rec = json!({
        "time": "2024-05-01T10:12:00.0000000Z",
        "category": "AuditEvent",
        "operationName": "SecretGet",
        "resultType": "Success",
        "correlationId": "1216de2d-b866-4950-983f-46775e7fe659",
        "callerIpAddress": "203.0.113.7",
        "identity": {"claim": {"oid": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f", "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "upn": "mallory@contoso.com", "ipaddr": "203.0.113.7"}},
        "properties": {"id": "https://ml-vault.vault.azure.net/secrets/openai-api-key/0f1e2d3c", "clientInfo": "AzureCLI/2.60.0",
            "httpStatusCode": 403, "requestUri": "https://ml-vault.vault.azure.net/secrets/openai-api-key?api-version=7.4",
            "isAccessPolicyMatch": false, "tlsVersion": "TLS1_2"},
        "resourceId": format!("/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/ML-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/ML-VAULT"),
        "operationVersion": "7.4",
        "resultSignature": "Forbidden",
        "durationMs": "17"
    });
    let s = ok(&lines(&[rec]));
    assert_eq!(get(&s, Col::Action).as_deref(), Some("SecretGet"));
    assert_eq!(get(&s, Col::Service).as_deref(), Some("microsoft.keyvault"));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(
        get(&s, Col::Outcome).as_deref(),
        Some("failure"),
        "HTTP 403 despite resultType Success"
    );
    assert_eq!(get(&s, Col::ErrorCode).as_deref(), Some("Forbidden"));
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("https://ml-vault.vault.azure.net/secrets/openai-api-key/0f1e2d3c")
    );
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("secret"));
    assert_eq!(get(&s, Col::UserAgent).as_deref(), Some("AzureCLI/2.60.0"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some(SUB));
}

fn kube_record(time: Option<&str>, event: Value) -> Value {
    let mut r = json!({
        "category": "kube-audit",
        "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
        "resourceId": format!("/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/ML-RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-ML"),
        "properties": {"log": event.to_string(), "stream": "stdout", "pod": "kube-apiserver-6d9f8c7b5-x2x7k"}
    });
    if let Some(t) = time {
        r["time"] = json!(t);
    }
    r
}

/// Five Activity Log records first: a file that starts with AKS `kube-audit` records is the `k8s` format's (it
/// sniffs them); kube-audit records inside a mixed Azure export (an Event Hub capture) are read here.
fn activity_lead() -> Vec<Value> {
    (0..5)
        .map(|i| {
            let mut r = activity_diag();
            r["time"] = json!(format!("2024-05-01T09:0{i}:00.0000000Z"));
            r
        })
        .collect()
}

#[test]
fn aks_kube_audit_records_in_a_mixed_export() {
    let read = json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": "9d3b6c2a-1f4e-4a5b-8c7d-0e1f2a3b4c5d", "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/ml/secrets/openai-key", "verb": "get",
        "user": {"username": "system:serviceaccount:ml:trainer", "groups": ["system:serviceaccounts"],
            "extra": {"authentication.kubernetes.io/credential-id": ["JTI=7b1f0e2d-3c4a-4b5c-9d6e-7f8091a2b3c4"]}},
        "sourceIPs": ["10.0.0.1", "20.61.1.5"], "userAgent": "kubectl/v1.29.0",
        "objectRef": {"resource": "secrets", "namespace": "ml", "name": "openai-key", "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 200},
        "requestReceivedTimestamp": "2024-05-01T10:12:59.000000Z",
        "stageTimestamp": "2024-05-01T10:12:59.010000Z"
    });
    let exec = json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "verb": "create",
        "user": {"username": "mallory@contoso.com"}, "sourceIPs": ["198.51.100.23"],
        "objectRef": {"resource": "pods", "subresource": "exec", "namespace": "ml", "name": "trainer-0"},
        "responseStatus": {"code": 403}, "requestReceivedTimestamp": "2024-05-01T10:14:00.000000Z"
    });
    let mut records = activity_lead();
    records.push(kube_record(Some("2024-05-01T10:13:00.0000000Z"), read));
    records.push(kube_record(None, exec));
    let s = ok(&lines(&records));
    assert_eq!(s.len(), 7);
    let k = 5;
    assert_eq!(
        cell(&s, Col::Time, k).as_deref(),
        Some("2024-05-01T10:13:00Z")
    );
    assert_eq!(cell(&s, Col::Source, k).as_deref(), Some("azure"));
    assert_eq!(cell(&s, Col::Action, k).as_deref(), Some("get secrets"));
    assert_eq!(cell(&s, Col::Service, k).as_deref(), Some("kubernetes"));
    assert_eq!(
        cell(&s, Col::Identity, k).as_deref(),
        Some("system:serviceaccount:ml:trainer")
    );
    assert_eq!(cell(&s, Col::IdentityType, k).as_deref(), Some("service"));
    assert_eq!(
        cell(&s, Col::Token, k).as_deref(),
        Some("JTI=7b1f0e2d-3c4a-4b5c-9d6e-7f8091a2b3c4")
    );
    assert_eq!(
        cell(&s, Col::TokenKind, k).as_deref(),
        Some("credential_id")
    );
    assert_eq!(cell(&s, Col::SourceIp, k).as_deref(), Some("20.61.1.5"));
    assert_eq!(
        cell(&s, Col::UserAgent, k).as_deref(),
        Some("kubectl/v1.29.0")
    );
    assert_eq!(
        cell(&s, Col::Asset, k).as_deref(),
        Some("ml/secrets/openai-key")
    );
    assert_eq!(cell(&s, Col::AssetKind, k).as_deref(), Some("secrets"));
    assert_eq!(cell(&s, Col::Outcome, k).as_deref(), Some("success"));
    assert_eq!(
        cell(&s, Col::RequestId, k).as_deref(),
        Some("9d3b6c2a-1f4e-4a5b-8c7d-0e1f2a3b4c5d")
    );
    assert_eq!(cell(&s, Col::Account, k).as_deref(), Some(SUB));

    let k = 6;
    assert_eq!(
        cell(&s, Col::Time, k).as_deref(),
        Some("2024-05-01T10:14:00Z"),
        "inner requestReceivedTimestamp"
    );
    assert_eq!(
        cell(&s, Col::Action, k).as_deref(),
        Some("create pods/exec")
    );
    assert_eq!(cell(&s, Col::IdentityType, k).as_deref(), Some("human"));
    assert_eq!(cell(&s, Col::Outcome, k).as_deref(), Some("failure"));
    assert_eq!(cell(&s, Col::ErrorCode, k).as_deref(), Some("403"));
}

#[test]
fn graph_activity_and_identity_protection_records() {
    let graph = json!({
        "time": "2024-05-01T10:20:00.0000000Z",
        "resourceId": format!("/TENANTS/{TENANT}/PROVIDERS/MICROSOFT.AADIAM"),
        "operationName": "Microsoft Graph Activity",
        "operationVersion": "v1.0",
        "category": "MicrosoftGraphActivityLogs",
        "resultSignature": "403",
        "durationMs": "2693631",
        "callerIpAddress": "198.51.100.23",
        "correlationId": "3a4b5c6d-0000-4000-8000-00000000c0de",
        "level": "Informational",
        "location": "West Europe",
        "tenantId": TENANT,
        "properties": {"timeGenerated": "2024-05-01T10:20:00.0000000Z", "requestId": "3a4b5c6d-0000-4000-8000-00000000c0de",
            "apiVersion": "v1.0", "requestMethod": "GET", "responseStatusCode": 403, "tenantId": TENANT,
            "responseSizeBytes": 324, "signInActivityId": UTI, "appId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
            "ipAddress": "198.51.100.23", "userAgent": "python-requests/2.31.0",
            "requestUri": "https://graph.microsoft.com/v1.0/applications/8c907101/addPassword?$select=keyId",
            "userId": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f", "tokenIssuedAt": "2024-05-01T10:00:00.0000000Z"}
    });
    let risk = json!({
        "time": "12/13/2024 4:34:03 PM",
        "resourceId": format!("/tenants/{TENANT}/providers/microsoft.aadiam"),
        "operationName": "User Risk Detection",
        "operationVersion": "1.0",
        "category": "UserRiskEvents",
        "tenantId": TENANT,
        "resultSignature": "None",
        "callerIpAddress": "198.51.100.23",
        "correlationId": "111111111111111111111111111111111111",
        "identity": "Mallory",
        "location": "nl",
        "properties": {"id": "111111111111111111111111111111111111", "riskEventType": "unfamiliarFeatures",
            "riskLevel": "low", "ipAddress": "198.51.100.23", "activityDateTime": "2024-12-13T16:31:49.945Z",
            "userPrincipalName": "mallory@contoso.com"}
    });
    let s = ok(&lines(&[graph, risk]));
    assert_eq!(s.len(), 2);
    assert_eq!(get(&s, Col::Action).as_deref(), Some("GET"));
    assert_eq!(get(&s, Col::Service).as_deref(), Some("microsoft.graph"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some(UTI));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("token_id"));
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("https://graph.microsoft.com/v1.0/applications/8c907101/addPassword")
    );
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("failure"));
    assert_eq!(get(&s, Col::ErrorCode).as_deref(), Some("403"));
    assert_eq!(get(&s, Col::Bytes).as_deref(), Some("324"));
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));

    assert_eq!(
        cell(&s, Col::Time, 1).as_deref(),
        Some("2024-12-13T16:34:03Z"),
        "Entra's US-style time"
    );
    assert_eq!(
        cell(&s, Col::Action, 1).as_deref(),
        Some("User Risk Detection")
    );
    assert_eq!(
        cell(&s, Col::Identity, 1).as_deref(),
        Some("mallory@contoso.com")
    );
    assert_eq!(
        cell(&s, Col::Service, 1).as_deref(),
        Some("microsoft.aadiam")
    );
    assert_eq!(cell(&s, Col::Account, 1).as_deref(), Some(TENANT));
    assert_eq!(cell(&s, Col::Region, 1), None);
}

#[test]
fn log_analytics_sign_in_rows() {
    let row = json!({
        "TenantId": TENANT,
        "TimeGenerated": "2024-05-01T10:30:05Z",
        "CreatedDateTime": "2024-05-01T10:30:00Z",
        "Id": "ee11ff22-0000-4000-8000-000000000003",
        "OperationName": "Sign-in activity",
        "Category": "ServicePrincipalSignInLogs",
        "ResultType": "0",
        "ServicePrincipalName": "ci-deployer",
        "ServicePrincipalId": "4b6986ec-c49c-40c0-89ce-b2ac51213e39",
        "ServicePrincipalCredentialKeyId": NEW_KEY,
        "AppId": "3b245ca3-dcce-4a54-a070-49ad8de02963",
        "IPAddress": "192.0.2.10",
        "ResourceDisplayName": "Azure Storage",
        "ResourceIdentity": "e406a681-f3d4-42a8-90b6-c2b029497af1",
        "UniqueTokenIdentifier": "TEFVbmlxdWVUb2tlbklk",
        "CorrelationId": "9f8e7d6c-0000-4000-8000-000000000004",
        "Type": "AADServicePrincipalSignInLogs",
        "_ResourceId": format!("/tenants/{TENANT}/providers/microsoft.aadiam")
    });
    let s = ok(&json!([row]).to_string());
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2024-05-01T10:30:00Z"));
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("ServicePrincipalSignIn")
    );
    assert_eq!(get(&s, Col::Identity).as_deref(), Some("ci-deployer"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some(NEW_KEY));
    assert_eq!(
        get(&s, Col::MintedToken).as_deref(),
        Some("TEFVbmlxdWVUb2tlbklk")
    );
    assert_eq!(get(&s, Col::Asset).as_deref(), Some("Azure Storage"));
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("192.0.2.10"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some(TENANT));
    assert_eq!(
        get(&s, Col::EventId).as_deref(),
        Some("ee11ff22-0000-4000-8000-000000000003")
    );
}

#[test]
fn tokens_are_verbatim_substrings_of_their_records() {
    let records = [
        activity_diag(),
        log_analytics_row(),
        signin_diag("ServicePrincipalSignInLogs", {
            let mut p = signin_props();
            p["servicePrincipalName"] = json!("ci-deployer");
            p["servicePrincipalCredentialKeyId"] = json!(NEW_KEY);
            p["createdDateTime"] = json!("2024-05-01T09:57:00Z");
            p
        }),
    ];
    let text = lines(&records);
    let s = ok(&text);
    assert_eq!(s.len(), 3);
    let r = FrameReader::new(&s.frame).unwrap();
    for row in 0..s.len() {
        for col in [Col::Token, Col::MintedToken] {
            if let Some(t) = r.text(col, row) {
                assert!(text.contains(t), "{col:?} {t:?} is not in the input");
            }
        }
    }
}

#[test]
fn malformed_records_are_reported_and_the_rest_load() {
    let good = activity_diag();
    let mut redacted = activity_diag();
    redacted["time"] = json!("redacted");
    let mut null_time = activity_diag();
    null_time["time"] = json!(null);
    // Panther's hand-edited fixture: an operation with no time at all.
    let no_time = json!({"category": "Administrative", "operationName": "Microsoft.Compute/virtualMachines/write"});
    let unknown = json!({"hello": "world"});
    let text = format!(
        "{}\n{}\n{}\n{{\"time\": \"2024-05-01T10:00:00Z\", \"operationName\n{}\n{}\n",
        good, redacted, null_time, no_time, unknown
    );
    let s = load(&text);
    assert_eq!(s.files[0].format, "azure");
    assert_eq!(s.len(), 1);
    assert_eq!(s.report.error_count, 5, "{:?}", s.report.errors);
    let origins: Vec<&str> = s.report.errors.iter().map(|e| e.origin.as_str()).collect();
    assert_eq!(
        origins,
        ["t.json:2", "t.json:3", "t.json:4", "t.json:5", "t.json:6"]
    );
    let msg = |i: usize| s.report.errors[i].message.as_str();
    assert!(
        msg(0).contains("\"redacted\" is not a timestamp"),
        "{}",
        msg(0)
    );
    assert!(msg(1).contains("no timestamp"), "{}", msg(1));
    assert!(msg(3).contains("no timestamp"), "{}", msg(3));
    assert!(msg(4).contains("not an Azure"), "{}", msg(4));
}

#[test]
fn sniffing_claims_every_shape() {
    let shapes = [
        lines(&[activity_diag()]),
        json!({"records": [activity_diag()]}).to_string(),
        lines(&[log_analytics_row()]),
        lines(&[signin_diag("SignInLogs", signin_props())]),
        json!({"value": [signin_props()]}).to_string(),
        json!([audit_props("Add user", json!([]))]).to_string(),
        lines(&[kube_record(None, json!({"verb": "get"}))]),
    ];
    for (i, text) in shapes.iter().enumerate() {
        assert!(Azure.sniff(&Probe::new("f", text)), "shape {i}");
    }
}

#[test]
fn sniffing_leaves_other_formats_alone() {
    let cloudtrail = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2023-07-19T21:33:41Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","requestID":"R","eventID":"E"}]}"#;
    assert!(!Azure.sniff(&Probe::new("f", cloudtrail)));
    // Azure OpenAI diagnostic logs belong to `azure_openai`.
    let openai = json!({"Tenant": "eastus", "callerIpAddress": "81.2.69.***", "category": "RequestResponse",
        "correlationId": "d427a391", "durationMs": 1021, "event": "ShoeboxCallResult", "operationName": "ChatCompletions_Create",
        "properties": {"apiName": "Azure OpenAI API version 2023-07-01-preview", "objectId": "", "modelDeploymentName": "gpt-chat-pilot"},
        "resourceId": format!("/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/AI/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/OBS-OPENAI"),
        "resultSignature": "200", "time": "2024-05-24T12:23:02.4350000Z"});
    assert!(!Azure.sniff(&Probe::new("f", &lines(&[openai]))));
    let list_key = json!({"category": "Audit", "operationName": "ListKey", "properties": {"objectId": "b610ab05"},
        "resourceId": format!("/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/AI/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/OBS-OPENAI"),
        "time": "2024-04-17T06:03:30.0000000Z"});
    assert!(!Azure.sniff(&Probe::new("f", &lines(&[list_key]))));
    let gateway = json!({"category": "GatewayLogs", "operationName": "Microsoft.ApiManagement/GatewayLogs",
        "resourceId": format!("/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/AI/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/APIM"),
        "time": "2024-07-02T06:31:31.4465902Z",
        "properties": {"backendUrl": "https://obs-openai.openai.azure.com/openai/deployments/gpt/chat/completions"}});
    assert!(!Azure.sniff(&Probe::new("f", &lines(&[gateway]))));
    // Microsoft 365 Management Activity.
    let m365 = json!({"CreationTime": "2022-12-12T15:57:57", "Id": "1", "Operation": "UserLoggedIn", "OrganizationId": "o",
        "RecordType": 15, "ResultStatus": "Success", "UserKey": "k", "UserType": 0, "Version": 1, "Workload": "AzureActiveDirectory",
        "ClientIP": "1.2.3.4", "ObjectId": "x", "UserId": "u@contoso.com"});
    assert!(!Azure.sniff(&Probe::new("f", &lines(&[m365]))));
    // GCP audit log and a plain Kubernetes audit event.
    let gcp = json!({"protoPayload": {"methodName": "storage.objects.get"}, "logName": "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access",
        "operation": {"id": "x"}, "timestamp": "2024-05-01T10:00:00Z"});
    assert!(!Azure.sniff(&Probe::new("f", &lines(&[gcp]))));
    let k8s = json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "verb": "get", "stage": "ResponseComplete",
        "requestReceivedTimestamp": "2024-05-01T10:00:00.000000Z"});
    assert!(!Azure.sniff(&Probe::new("f", &lines(&[k8s]))));
    assert!(!Azure.sniff(&Probe::new("f", "hello\nworld\n")));
}

#[test]
fn cognitive_services_control_plane_stays_azure() {
    let mut r = activity_diag();
    r["operationName"] = json!("MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION");
    r["resourceId"] = json!(format!(
        "/SUBSCRIPTIONS/{SUB_UPPER}/RESOURCEGROUPS/AI/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/PROD-OPENAI"
    ));
    let s = ok(&lines(&[r]));
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("ai_account"));
    assert_eq!(
        get(&s, Col::Service).as_deref(),
        Some("microsoft.cognitiveservices")
    );
}

#[test]
fn helpers() {
    use super::{ip, is_guid, strip_query};
    use std::borrow::Cow;
    let ipv = |s: &str| ip(Some(Cow::Borrowed(s))).map(|c| c.into_owned());
    assert_eq!(ipv("1.2.3.4").as_deref(), Some("1.2.3.4"));
    assert_eq!(ipv("1.2.3.4:5678").as_deref(), Some("1.2.3.4"));
    assert_eq!(ipv("[2001:db8::1]:443").as_deref(), Some("2001:db8::1"));
    assert_eq!(
        ipv("2001:0db8:85a3::7334").as_deref(),
        Some("2001:0db8:85a3::7334")
    );
    assert_eq!(ipv("<null>"), None);
    assert_eq!(ipv("81.2.69.***"), None);
    assert_eq!(ipv("77777777-7777-7777-7777-777777777777"), None);
    assert!(is_guid("4b6986ec-c49c-40c0-89ce-b2ac51213e39"));
    assert!(!is_guid("user1"));
    assert_eq!(
        strip_query(Cow::Borrowed("https://a/b?sig=x")),
        Cow::<str>::Borrowed("https://a/b")
    );
}
