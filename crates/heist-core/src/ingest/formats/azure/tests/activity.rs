//! Activity Log records in their three schemas (diagnostic settings, REST / SDK, Log Analytics).

use super::*;

/// Activity Log record as diagnostic settings write it (storage account `PT1H.json` line).
pub(super) fn activity_diag() -> Value {
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

pub(super) fn log_analytics_row() -> Value {
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
