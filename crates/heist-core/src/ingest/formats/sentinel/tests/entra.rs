//! Entra ID rows. No public export of AuditLogs or the sign-in tables exists: the rows are written by the
//! "AuditLogs", "SigninLogs" and "AADServicePrincipalSignInLogs" table references of Azure Monitor Logs
//! (`InitiatedBy` / `TargetResources` / `Status` dynamic, `ResultType` the AADSTS code, `TenantId` the workspace and
//! `AADTenantId` the directory).

use super::*;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const WORKSPACE: &str = "0d3e1a6b-6b8f-4d3a-9a51-5c6d7e8f9a0b";
const NEW_KEY: &str = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d";
const UTI: &str = "Qm9ndXNVdGlWYWx1ZTAx";

fn audit_row(activity: &str, initiated_by: Value, targets: Value) -> Value {
    json!({
        "TenantId": WORKSPACE, "SourceSystem": "Azure AD", "TimeGenerated": "2026-10-05T04:02:01.1Z",
        "ResourceId": format!("/tenants/{TENANT}/providers/Microsoft.aadiam"), "OperationName": activity,
        "OperationVersion": "1.0", "Category": "ApplicationManagement", "ResultType": "", "ResultSignature": "None",
        "ResultDescription": "", "DurationMs": 0, "CorrelationId": "5b1c8a2e-0f3d-4e6a-9b7c-1d2e3f4a5b6c",
        "Resource": "Microsoft.aadiam", "ResourceGroup": "Microsoft.aadiam", "ResourceProvider": "", "Identity": "",
        "Level": "4", "Location": "",
        "AdditionalDetails": json!([{"key": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) AzurePortal"}]).to_string(),
        "Id": format!("Directory_{activity}"), "InitiatedBy": initiated_by.to_string(), "LoggedByService": "Core Directory",
        "Result": "success", "ResultReason": "", "TargetResources": targets.to_string(), "AADTenantId": TENANT,
        "ActivityDisplayName": activity, "ActivityDateTime": "2026-10-05T04:02:00Z", "AADOperationType": "Update"
    })
}

fn credential_target() -> Value {
    json!([{"id": "4b6986ec-c49c-40c0-89ce-b2ac51213e39", "displayName": "ci-deployer", "type": "ServicePrincipal",
        "modifiedProperties": [{"displayName": "KeyDescription", "oldValue": "[]",
            "newValue": format!("[\"[KeyIdentifier={NEW_KEY},KeyType=Password,KeyUsage=Verify,DisplayName=ci]\"]")}]}])
}

fn user_initiator() -> Value {
    json!({"user": {"id": "3c5e8f2a-9d41-4b7c-8e6a-1f2b3c4d5e6f", "displayName": null,
        "userPrincipalName": "mallory@contoso.com", "ipAddress": "203.0.113.7", "roles": []}})
}

fn app_initiator() -> Value {
    json!({"app": {"appId": "3b245ca3-dcce-4a54-a070-49ad8de02963", "displayName": "ci-deployer",
        "servicePrincipalId": "4b6986ec-c49c-40c0-89ce-b2ac51213e39", "servicePrincipalName": null}})
}

#[test]
fn audit_log_rows_keep_initiator_target_and_minted_key() {
    let by_user = audit_row(
        "Add service principal credentials",
        user_initiator(),
        credential_target(),
    );
    let by_app = with(
        &audit_row(
            "Add owner to application",
            app_initiator(),
            json!([{"id": "8c907101", "displayName": "model-registry", "type": "Application", "modifiedProperties": []}]),
        ),
        json!({"Result": "failure", "ResultReason": "Insufficient privileges to complete the operation.",
               "ActivityDateTime": "2026-10-05T04:03:00Z"}),
    );
    let header = [
        "TenantId",
        "SourceSystem",
        "TimeGenerated [UTC]",
        "ResourceId",
        "OperationName",
        "OperationVersion",
        "Category",
        "ResultType",
        "ResultSignature",
        "ResultDescription",
        "DurationMs",
        "CorrelationId",
        "Resource",
        "ResourceGroup",
        "ResourceProvider",
        "Identity",
        "Level",
        "Location",
        "AdditionalDetails",
        "Id",
        "InitiatedBy",
        "LoggedByService",
        "Result",
        "ResultReason",
        "TargetResources",
        "AADTenantId",
        "ActivityDisplayName",
        "ActivityDateTime [UTC]",
        "AADOperationType",
    ];
    let mut csv_rows = [by_user.clone(), by_app.clone()];
    csv_rows[0]["TimeGenerated"] = json!("05/10/2026, 04:02:01.100");
    csv_rows[0]["ActivityDateTime"] = json!("05/10/2026, 04:02:00.000");
    csv_rows[1]["TimeGenerated"] = json!("05/10/2026, 04:03:01.000");
    csv_rows[1]["ActivityDateTime"] = json!("05/10/2026, 04:03:00.000");
    // Portal CSV, and JSON rows without their `Type` column (a query that projected it away).
    for s in [
        ok("audit.csv", &csv(&header, &csv_rows)),
        ok("audit.json", &json!([by_user, by_app]).to_string()),
    ] {
        assert_eq!(column(&s, Col::Source), some(&["azure", "azure"]));
        assert_eq!(
            column(&s, Col::Time),
            some(&["2026-10-05T04:02:00Z", "2026-10-05T04:03:00Z"]),
            "ActivityDateTime"
        );
        assert_eq!(
            column(&s, Col::Action),
            some(&[
                "Add service principal credentials",
                "Add owner to application"
            ])
        );
        assert_eq!(
            column(&s, Col::Identity),
            some(&["mallory@contoso.com", "ci-deployer"]),
            "a user's UPN, an application's display name"
        );
        assert_eq!(column(&s, Col::IdentityType), some(&["human", "service"]));
        assert_eq!(cell(&s, Col::SourceIp, 0).as_deref(), Some("203.0.113.7"));
        assert_eq!(
            column(&s, Col::Asset),
            some(&["ci-deployer", "model-registry"])
        );
        assert_eq!(
            column(&s, Col::AssetKind),
            some(&["service_principal", "application"])
        );
        assert_eq!(cell(&s, Col::MintedToken, 0).as_deref(), Some(NEW_KEY));
        assert_eq!(
            cell(&s, Col::MintedIdentity, 0).as_deref(),
            Some("ci-deployer")
        );
        assert_eq!(column(&s, Col::Outcome), some(&["success", "failure"]));
        assert_eq!(
            cell(&s, Col::ErrorCode, 1).as_deref(),
            Some("Insufficient privileges to complete the operation.")
        );
        assert_eq!(
            column(&s, Col::Account),
            some(&[TENANT, TENANT]),
            "the directory (AADTenantId), not the workspace (TenantId)"
        );
        assert_eq!(
            cell(&s, Col::UserAgent, 0).as_deref(),
            Some("Mozilla/5.0 (X11; Linux x86_64) AzurePortal")
        );
        assert_eq!(
            cell(&s, Col::EventId, 0).as_deref(),
            Some("Directory_Add service principal credentials")
        );
    }
}

fn sp_signin(result: &str, key: Option<&str>) -> Value {
    json!({
        "TenantId": WORKSPACE, "SourceSystem": "Azure AD", "TimeGenerated": "2026-10-05T04:10:00Z",
        "OperationName": "Sign-in activity", "OperationVersion": "1.0", "Category": "ServicePrincipalSignInLogs",
        "ResultType": result, "ResultSignature": "", "ResultDescription": if result == "0" { "" } else { "Invalid client secret provided." },
        "DurationMs": 0, "CorrelationId": "c0ffee00-0000-4000-8000-000000000001", "Level": "4", "Location": "NL",
        "AppId": "3b245ca3-dcce-4a54-a070-49ad8de02963", "IPAddress": "198.51.100.77",
        "Id": format!("sp-signin-{result}"), "ResourceDisplayName": "Windows Azure Service Management API",
        "ResourceIdentity": "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "ServicePrincipalCredentialKeyId": key, "ServicePrincipalId": "4b6986ec-c49c-40c0-89ce-b2ac51213e39",
        "ServicePrincipalName": "ci-deployer", "UniqueTokenIdentifier": if result == "0" { UTI } else { "" },
        "Type": "AADServicePrincipalSignInLogs"
    })
}

fn user_signin() -> Value {
    json!({
        "TenantId": WORKSPACE, "SourceSystem": "Azure AD", "TimeGenerated": "2026-10-05T04:09:00Z",
        "OperationName": "Sign-in activity", "Category": "SignInLogs", "ResultType": "50126",
        "ResultDescription": "Error validating credentials due to invalid username or password.",
        "CreatedDateTime": "2026-10-05T04:08:58.5Z", "AADTenantId": TENANT,
        "AppDisplayName": "Microsoft Azure CLI", "AppId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "IPAddress": "198.51.100.77", "Id": "user-signin-1", "UserPrincipalName": "cfo@contoso.com",
        "UserId": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "UserDisplayName": "CFO",
        "Status": json!({"errorCode": 50126, "failureReason": "Error validating credentials due to invalid username or password."}).to_string(),
        "UserAgent": "python-requests/2.31.0", "ResourceDisplayName": "Windows Azure Service Management API",
        "IsInteractive": "true", "Type": "SigninLogs"
    })
}

#[test]
fn sign_in_rows_of_several_tables_in_one_export() {
    // A `union` query over the sign-in tables: the `Type` column says each row's table.
    let header = [
        "TenantId",
        "SourceSystem",
        "TimeGenerated [UTC]",
        "OperationName",
        "Category",
        "ResultType",
        "ResultDescription",
        "CreatedDateTime [UTC]",
        "AADTenantId",
        "AppDisplayName",
        "AppId",
        "IPAddress",
        "Id",
        "UserPrincipalName",
        "UserId",
        "UserDisplayName",
        "Status",
        "UserAgent",
        "ResourceDisplayName",
        "ResourceIdentity",
        "IsInteractive",
        "CorrelationId",
        "ServicePrincipalCredentialKeyId",
        "ServicePrincipalId",
        "ServicePrincipalName",
        "UniqueTokenIdentifier",
        "Type",
    ];
    let key = "0aa1b2c3-d4e5-4f60-8a7b-9c8d7e6f5a4b";
    let rows = [
        user_signin(),
        sp_signin("7000215", None),
        sp_signin("0", Some(key)),
    ];
    let mut portal = rows.clone();
    for r in portal.iter_mut() {
        let t = r["TimeGenerated"].as_str().unwrap().to_string();
        // 2026-10-05T04:10:00Z -> 05/10/2026, 04:10:00.000
        r["TimeGenerated"] = json!(format!("05/10/2026, {}.000", &t[11..19]));
    }
    portal[0]["CreatedDateTime"] = json!("05/10/2026, 04:08:58.500");
    // JSON rows that kept `Type` are the azure format's own shape; without it (a projected query) each row's
    // `Category` names its log.
    let untyped: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().unwrap().remove("Type");
            r
        })
        .collect();
    // The rows as the azure format reads them natively (JSON rows with `Type`): the rebuilt records must map the
    // same (the account aside: natively, rows without `AADTenantId` fall back to the workspace's `TenantId`).
    let native = load("native.json", &Value::Array(rows.to_vec()).to_string());
    assert_eq!(native.files[0].format, "azure");
    assert_eq!(native.report.error_count, 0, "{:?}", native.report.errors);
    for s in [
        ok("signins.csv", &csv(&header, &portal)),
        ok("signins.json", &Value::Array(untyped).to_string()),
    ] {
        for c in [
            Col::Time,
            Col::Action,
            Col::Identity,
            Col::IdentityType,
            Col::Outcome,
            Col::ErrorCode,
            Col::Token,
            Col::TokenKind,
            Col::MintedToken,
            Col::MintedIdentity,
            Col::Asset,
            Col::AssetKind,
            Col::SourceIp,
            Col::UserAgent,
            Col::RequestId,
            Col::EventId,
        ] {
            assert_eq!(column(&s, c), column(&native, c), "{c:?}");
        }
        assert_eq!(s.len(), 3);
        assert_eq!(column(&s, Col::Source), some(&["azure"; 3]));
        assert_eq!(
            column(&s, Col::Action),
            some(&["SignIn", "ServicePrincipalSignIn", "ServicePrincipalSignIn"])
        );
        assert_eq!(
            column(&s, Col::Time),
            some(&[
                "2026-10-05T04:08:58.500Z",
                "2026-10-05T04:10:00Z",
                "2026-10-05T04:10:00Z"
            ])
        );
        assert_eq!(
            column(&s, Col::Identity),
            some(&["cfo@contoso.com", "ci-deployer", "ci-deployer"])
        );
        assert_eq!(
            column(&s, Col::IdentityType),
            some(&["human", "service", "service"])
        );
        assert_eq!(
            column(&s, Col::Outcome),
            some(&["failure", "failure", "success"])
        );
        assert_eq!(
            column(&s, Col::ErrorCode)[..2],
            some(&["50126", "7000215"])[..]
        );
        assert_eq!(column(&s, Col::SourceIp), some(&["198.51.100.77"; 3]));
        // The key sign-in's credential is the key id, and it mints the token later calls carry.
        assert_eq!(cell(&s, Col::Token, 2).as_deref(), Some(key));
        assert_eq!(
            cell(&s, Col::TokenKind, 2).as_deref(),
            Some("credential_key")
        );
        assert_eq!(cell(&s, Col::MintedToken, 2).as_deref(), Some(UTI));
        assert_eq!(
            column(&s, Col::Asset),
            some(&["Windows Azure Service Management API"; 3])
        );
        assert_eq!(cell(&s, Col::Account, 0).as_deref(), Some(TENANT));
        assert_eq!(
            column(&s, Col::EventId),
            some(&["user-signin-1", "sp-signin-7000215", "sp-signin-0"])
        );
    }
}
