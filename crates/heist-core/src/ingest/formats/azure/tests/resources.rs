//! Resource logs: Storage, Key Vault, AKS kube-audit inside Azure exports.

use super::*;

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

pub(super) fn kube_record(time: Option<&str>, event: Value) -> Value {
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
