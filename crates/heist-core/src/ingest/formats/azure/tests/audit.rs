//! Entra ID directory audits: credential additions and removals, Graph directoryAudits.

use super::*;

pub(super) fn audit_props(activity: &str, targets: Value) -> Value {
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
pub(super) const NEW_KEY: &str = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d";

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

/// Operations started by an application or service principal name it in `initiatedBy.app` (display name, else
/// service principal id, else app id), with `user` null, absent or all empty: in the diagnostic shape, in Log
/// Analytics rows (as an object or as JSON text) and in Graph objects alike.
#[test]
fn application_initiators_are_the_identity_in_every_shape() {
    let app = |name: Value, sp: Value| {
        json!({"appId": "3b245ca3-dcce-4a54-a070-49ad8de02963", "displayName": name,
               "servicePrincipalId": sp, "servicePrincipalName": null})
    };
    let target =
        json!([{"id": "8c907101", "displayName": "model-registry", "type": "Application"}]);
    let diag = |id: &str, by: Value| {
        let mut p = audit_props("Add owner to application", target.clone());
        p["id"] = json!(id);
        p["initiatedBy"] = by;
        audit_diag("Add owner to application", p)
    };
    let empty_user = json!({"id": null, "displayName": null, "userPrincipalName": "", "ipAddress": null, "roles": []});
    let la_row = |id: &str, by: Value| {
        json!({"TenantId": TENANT, "TimeGenerated": "2024-05-01T10:05:01Z", "OperationName": "Add owner to application",
            "Category": "ApplicationManagement", "Result": "success", "Id": id, "InitiatedBy": by,
            "TargetResources": target.clone(), "ActivityDisplayName": "Add owner to application",
            "ActivityDateTime": "2024-05-01T10:05:00Z", "Type": "AuditLogs"})
    };
    let records = [
        diag(
            "a",
            json!({"user": null, "app": app(json!("ci-deployer"), json!("sp-1"))}),
        ),
        diag(
            "b",
            json!({"user": empty_user, "app": app(json!(null), json!("sp-1"))}),
        ),
        diag("c", json!({"app": app(json!(null), json!(null))})),
    ];
    let s = ok(&lines(&records));
    let who: Vec<Option<String>> = (0..3).map(|r| cell(&s, Col::Identity, r)).collect();
    assert_eq!(
        who,
        [
            Some("ci-deployer".to_string()),
            Some("sp-1".to_string()),
            Some("3b245ca3-dcce-4a54-a070-49ad8de02963".to_string())
        ]
    );
    for r in 0..3 {
        assert_eq!(cell(&s, Col::IdentityType, r).as_deref(), Some("service"));
    }
    let by = json!({"app": app(json!("ci-deployer"), json!("sp-1"))});
    let rows = json!([la_row("d", by.clone()), la_row("e", json!(by.to_string()))]);
    let s = ok(&rows.to_string());
    for r in 0..2 {
        assert_eq!(cell(&s, Col::Identity, r).as_deref(), Some("ci-deployer"));
        assert_eq!(cell(&s, Col::IdentityType, r).as_deref(), Some("service"));
    }
}
