//! GCPAuditLogs rows. No public export of this table exists: the rows are written by the "GCPAuditLogs" table
//! reference of Azure Monitor Logs (columns `Timestamp`, `ServiceName`, `MethodName`, `GCPResourceName`,
//! `PrincipalEmail`, `AuthenticationInfo`, `RequestMetadata`, `Status`, `Request`, `Response`, `LogName`,
//! `InsertId`, ...; the caller's address and agent sit in `RequestMetadata`), holding the AuditLog values of
//! Google's documented examples.

use super::*;

const SA: &str = "ci-publisher@acme-ml.iam.gserviceaccount.com";
const KEY: &str = "//iam.googleapis.com/projects/acme-ml/serviceAccounts/ci-publisher@acme-ml.iam.gserviceaccount.com/keys/4f1c2a9e8b7d6c5b4a39281706f5e4d3c2b1a090";

fn export_model() -> Value {
    json!({
        "TenantId": "0d3e1a6b-6b8f-4d3a-9a51-5c6d7e8f9a0b",
        "TimeGenerated": "2026-10-05T03:41:07.5Z",
        "Timestamp": "2026-10-05T03:41:06.123456789Z",
        "ServiceName": "aiplatform.googleapis.com",
        "MethodName": "google.cloud.aiplatform.v1.ModelService.ExportModel",
        "GCPResourceName": "projects/acme-ml/locations/us-central1/models/llm-7b",
        "GCPResourceType": "audited_resource",
        "PrincipalEmail": SA,
        "AuthenticationInfo": json!({"principalEmail": SA, "serviceAccountKeyName": KEY}).to_string(),
        "AuthorizationInfo": json!([{"resource": "projects/acme-ml/locations/us-central1/models/llm-7b",
            "permission": "aiplatform.models.export", "granted": true}]).to_string(),
        "RequestMetadata": json!({"callerIp": "198.51.100.77",
            "callerSuppliedUserAgent": "google-cloud-sdk gcloud/470.0.0,gzip(gfe)"}).to_string(),
        "Request": json!({"@type": "type.googleapis.com/google.cloud.aiplatform.v1.ExportModelRequest",
            "name": "projects/acme-ml/locations/us-central1/models/llm-7b",
            "outputConfig": {"artifactDestination": {"outputUriPrefix": "gs://drop-bucket-4471/"}}}).to_string(),
        "Status": "{}",
        "LogName": "projects/acme-ml/logs/cloudaudit.googleapis.com%2Factivity",
        "InsertId": "1x9k2qe4cvs8",
        "Severity": "NOTICE",
        "ProjectId": "acme-ml",
        "SourceSystem": "RestAPI",
        "Type": "GCPAuditLogs"
    })
}

fn denied_get() -> Value {
    json!({
        "TimeGenerated": "2026-10-05T03:45:00Z",
        "Timestamp": "2026-10-05T03:44:59.9Z",
        "ServiceName": "storage.googleapis.com",
        "MethodName": "storage.objects.get",
        "GCPResourceName": "projects/_/buckets/acme-training-data/objects/corpus/shard-0001.jsonl",
        "GCPResourceType": "gcs_bucket",
        "AuthenticationInfo": json!({"principalEmail": SA}).to_string(),
        "RequestMetadata": json!({"callerIp": "198.51.100.77", "callerSuppliedUserAgent": "curl/8.5.0"}).to_string(),
        "Status": json!({"code": 7}).to_string(),
        "StatusMessage": "PERMISSION_DENIED",
        "LogName": "projects/acme-ml/logs/cloudaudit.googleapis.com%2Fdata_access",
        "InsertId": "1x9k2qe4cvs9",
        "ProjectId": "acme-ml",
        "Type": "GCPAuditLogs"
    })
}

fn check(s: &EventStore) {
    assert_eq!(s.len(), 2);
    assert_eq!(column(s, Col::Source), some(&["gcp", "gcp"]));
    assert_eq!(
        column(s, Col::Time),
        some(&["2026-10-05T03:41:06.123456789Z", "2026-10-05T03:44:59.900Z"]),
        "Timestamp, when the call happened (not TimeGenerated)"
    );
    assert_eq!(
        column(s, Col::Action),
        some(&[
            "google.cloud.aiplatform.v1.ModelService.ExportModel",
            "storage.objects.get"
        ])
    );
    assert_eq!(column(s, Col::Identity), some(&[SA, SA]));
    assert_eq!(column(s, Col::IdentityType), some(&["service", "service"]));
    assert_eq!(cell(s, Col::Token, 0).as_deref(), Some(KEY));
    assert_eq!(column(s, Col::SourceIp), some(&["198.51.100.77"; 2]));
    assert_eq!(
        column(s, Col::UserAgent),
        some(&["google-cloud-sdk gcloud/470.0.0,gzip(gfe)", "curl/8.5.0"])
    );
    assert_eq!(
        column(s, Col::Asset),
        some(&[
            "projects/acme-ml/locations/us-central1/models/llm-7b",
            "projects/_/buckets/acme-training-data/objects/corpus/shard-0001.jsonl"
        ])
    );
    assert_eq!(column(s, Col::Outcome), some(&["success", "failure"]));
    assert_eq!(
        cell(s, Col::ErrorCode, 1).as_deref(),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(column(s, Col::Account), some(&["acme-ml", "acme-ml"]));
    assert_eq!(
        column(s, Col::EventId),
        some(&["1x9k2qe4cvs8", "1x9k2qe4cvs9"])
    );
}

#[test]
fn json_rows_rebuild_the_log_entry() {
    check(&ok(
        "gcp_rows.json",
        &json!([export_model(), denied_get()]).to_string(),
    ));
}

#[test]
fn portal_csv_and_query_response() {
    let header = [
        "TenantId",
        "TimeGenerated [UTC]",
        "Timestamp [UTC]",
        "ServiceName",
        "MethodName",
        "GCPResourceName",
        "GCPResourceType",
        "PrincipalEmail",
        "AuthenticationInfo",
        "AuthorizationInfo",
        "RequestMetadata",
        "Request",
        "Status",
        "StatusMessage",
        "LogName",
        "InsertId",
        "Severity",
        "ProjectId",
        "SourceSystem",
        "Type",
    ];
    let mut a = export_model();
    a["TimeGenerated"] = json!("05/10/2026, 03:41:07.500");
    a["Timestamp"] = json!("2026-10-05T03:41:06.123456789Z");
    let mut b = denied_get();
    b["TimeGenerated"] = json!("05/10/2026, 03:45:00.000");
    b["Timestamp"] = json!("05/10/2026, 03:44:59.900");
    check(&ok("gcp.csv", &csv(&header, &[a, b])));

    let columns: Vec<&str> = header
        .iter()
        .map(|h| h.trim_end_matches(" [UTC]"))
        .collect();
    check(&ok(
        "response.json",
        &query_response(&columns, &[export_model(), denied_get()]),
    ));
}
