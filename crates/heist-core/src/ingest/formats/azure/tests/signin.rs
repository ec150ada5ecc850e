//! Entra ID sign-ins: every category, service-principal keys, Graph pages.

use super::*;

pub(super) fn signin_props() -> Value {
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

pub(super) fn signin_diag(category: &str, props: Value) -> Value {
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

/// Regression: sign-ins of Microsoft's own service principals (diagnostic category
/// `MicrosoftServicePrincipalSignInLogs`) were read as generic resource-log records, so a failed sign-in
/// (`resultType` an AADSTS code, no `status` object) counted as a success.
#[test]
fn microsoft_service_principal_sign_ins_take_outcome_from_result_type() {
    let sign_in = |id: &str, result: &str| {
        let mut p = signin_props();
        let o = p.as_object_mut().unwrap();
        for k in ["userPrincipalName", "userDisplayName", "userId", "status"] {
            o.remove(k);
        }
        o.insert("id".into(), json!(id));
        o.insert(
            "servicePrincipalName".into(),
            json!("Microsoft Graph Connectors"),
        );
        o.insert(
            "servicePrincipalId".into(),
            json!("56c1da01-2129-48f7-9355-af6d59d42766"),
        );
        let mut rec = signin_diag("MicrosoftServicePrincipalSignInLogs", p);
        rec["resultType"] = json!(result);
        rec["resultSignature"] = json!("None");
        rec["resultDescription"] = json!("Invalid client secret provided.");
        rec
    };
    let s = ok(&lines(&[
        sign_in("msp-1", "7000215"),
        sign_in("msp-2", "0"),
    ]));
    assert_eq!(s.len(), 2);
    for r in 0..2 {
        assert_eq!(
            cell(&s, Col::Action, r).as_deref(),
            Some("ServicePrincipalSignIn")
        );
        assert_eq!(
            cell(&s, Col::Identity, r).as_deref(),
            Some("Microsoft Graph Connectors")
        );
        assert_eq!(cell(&s, Col::IdentityType, r).as_deref(), Some("service"));
    }
    assert_eq!(cell(&s, Col::Outcome, 0).as_deref(), Some("failure"));
    assert_eq!(cell(&s, Col::ErrorCode, 0).as_deref(), Some("7000215"));
    assert_eq!(cell(&s, Col::Outcome, 1).as_deref(), Some("success"));
    assert_eq!(cell(&s, Col::ErrorCode, 1), None);
}
