//! Graph activity and risk records, Log Analytics sign-in rows, token verbatim-ness, errors and sniffing.

use super::*;

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
    use super::super::{ip, is_guid, strip_query};
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

/// Regression: Log Analytics rows of the Entra tables carry the workspace in `TenantId` and the directory in
/// `AADTenantId`; the account is the directory.
#[test]
fn log_analytics_entra_rows_are_accounted_to_the_directory() {
    let workspace = "0d3e1a6b-6b8f-4d3a-9a51-5c6d7e8f9a0b";
    let audit = json!({"TenantId": workspace, "AADTenantId": TENANT, "TimeGenerated": "2024-05-01T10:05:01Z",
        "OperationName": "Add owner to application", "Result": "success", "Id": "Directory_1",
        "InitiatedBy": {"user": {"userPrincipalName": "mallory@contoso.com"}},
        "ActivityDisplayName": "Add owner to application", "ActivityDateTime": "2024-05-01T10:05:00Z",
        "Type": "AuditLogs"});
    let signin = json!({"TenantId": workspace, "AADTenantId": TENANT, "TimeGenerated": "2024-05-01T10:06:00Z",
        "Id": "s1", "OperationName": "Sign-in activity", "ResultType": "0", "UserPrincipalName": "mallory@contoso.com",
        "AppId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "IPAddress": "198.51.100.23", "Type": "SigninLogs"});
    let s = ok(&json!([audit, signin]).to_string());
    assert_eq!(cell(&s, Col::Account, 0).as_deref(), Some(TENANT));
    assert_eq!(cell(&s, Col::Account, 1).as_deref(), Some(TENANT));
}
