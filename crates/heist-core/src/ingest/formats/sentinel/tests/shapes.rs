//! Which files are Sentinel exports and which are not, in both directions; locale times; rows heist cannot read.

use super::*;
use crate::ingest::doc::Probe;
use crate::ingest::formats::{registry, Format};

use super::super::Sentinel;

fn trail_row(time: &str, id: &str) -> Value {
    json!({"TimeGenerated": time, "AwsEventId": id, "EventVersion": "1.08", "EventSource": "sts.amazonaws.com",
        "EventName": "GetCallerIdentity", "UserIdentityType": "IAMUser",
        "UserIdentityArn": "arn:aws:iam::123456789012:user/ci", "UserIdentityAccessKeyId": "AKIAQ3EGRZTSTOLEN7CI",
        "AWSRegion": "us-east-1", "SourceIpAddress": "198.51.100.77", "RecipientAccountId": "123456789012",
        "Type": "AWSCloudTrail"})
}

const TRAIL_HEADER: &[&str] = &[
    "TimeGenerated [UTC]",
    "AwsEventId",
    "EventVersion",
    "EventSource",
    "EventName",
    "UserIdentityType",
    "UserIdentityArn",
    "UserIdentityAccessKeyId",
    "AWSRegion",
    "SourceIpAddress",
    "RecipientAccountId",
    "Type",
];

/// Files of every native shape: none of them is a Sentinel export.
fn native_files() -> Vec<(&'static str, String)> {
    vec![
        ("cloudtrail", json!({"Records": [{"eventVersion": "1.08", "eventTime": "2026-10-05T02:13:00Z",
            "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/ci"}}]}).to_string()),
        ("azure", format!("{}\n", json!({"time": "2024-05-01T10:00:00Z", "category": "AuditLogs",
            "operationName": "Add owner to application", "resourceId": "/tenants/t/providers/Microsoft.aadiam",
            "properties": {"activityDisplayName": "Add owner to application", "initiatedBy": {"app": {"displayName": "x"}}}}))),
        ("gcp", format!("{}\n", json!({"protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
            "serviceName": "storage.googleapis.com", "methodName": "storage.objects.get"},
            "timestamp": "2026-10-05T03:44:59Z", "logName": "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access"}))),
        ("m365", json!([{"CreationTime": "2026-10-05T06:12:44", "Id": "x", "Operation": "FileDownloaded",
            "RecordType": 6, "Workload": "SharePoint", "UserId": "a@b.c", "ClientIP": "198.51.100.77"}]).to_string()),
        ("m365", "CreationDate,UserIds,Operations,AuditData\n".to_string()),
        ("s3access", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2\n".to_string()),
        ("m365_copilot", "Date,Sender/Author,Immutable ID,Item class\n".to_string()),
    ]
}

#[test]
fn native_files_are_not_sentinel_exports() {
    for (format, text) in native_files() {
        assert!(
            !Sentinel.sniff(&Probe::new("f", &text)),
            "a {format} file claimed as a Sentinel export"
        );
    }
}

#[test]
fn sentinel_exports_are_not_claimed_by_native_formats() {
    let trail = [trail_row("2026-10-05T02:13:00Z", "e1")];
    let office = json!([{"TimeGenerated": "2026-10-05T06:12:44Z", "Operation": "FileDownloaded",
        "OfficeWorkload": "SharePoint", "RecordType": "SharePointFileOperation", "UserId": "a@b.c",
        "OfficeId": "x", "Type": "OfficeActivity"}]);
    let gcp = json!([{"TimeGenerated": "2026-10-05T03:44:59Z", "ServiceName": "storage.googleapis.com",
        "MethodName": "storage.objects.get", "PrincipalEmail": "a@b.c", "LogName": "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access",
        "InsertId": "i1", "Type": "GCPAuditLogs"}]);
    let columns: Vec<&str> = TRAIL_HEADER
        .iter()
        .map(|h| h.trim_end_matches(" [UTC]"))
        .collect();
    let files = [
        csv(TRAIL_HEADER, &trail),
        Value::Array(trail.to_vec()).to_string(),
        query_response(&columns, &trail),
        office.to_string(),
        gcp.to_string(),
    ];
    for text in &files {
        let probe = Probe::new("f", text);
        assert!(Sentinel.sniff(&probe), "{text}");
        for f in registry().iter().filter(|f| f.id() != "sentinel") {
            assert!(
                !f.sniff(&probe),
                "{} claims a Sentinel export: {text}",
                f.id()
            );
        }
    }
}

/// JSON rows of the Entra and Activity tables with their `Type` are read by the `azure` format itself (as before);
/// a file that also holds rows of other tables is a Sentinel export, and those Entra rows are rebuilt like the rest.
#[test]
fn azure_table_rows_stay_azure_unless_mixed_with_other_tables() {
    let audit = json!({"TimeGenerated": "2026-10-05T04:02:01Z", "OperationName": "Add owner to application",
        "Category": "ApplicationManagement", "Id": "Directory_1", "Result": "success",
        "InitiatedBy": {"app": {"displayName": "ci-deployer", "servicePrincipalId": "sp1"}},
        "TargetResources": [{"id": "8c9", "displayName": "model-registry", "type": "Application"}],
        "AADTenantId": "t1", "ActivityDisplayName": "Add owner to application",
        "ActivityDateTime": "2026-10-05T04:02:00Z", "Type": "AuditLogs"});
    let s = load("audit.json", &json!([audit]).to_string());
    assert_eq!(s.files[0].format, "azure");
    assert_eq!(s.len(), 1);

    let s = ok(
        "union.json",
        &json!([audit, trail_row("2026-10-05T02:13:00Z", "e1")]).to_string(),
    );
    assert_eq!(column(&s, Col::Source), some(&["cloudtrail", "azure"]));
    assert_eq!(cell(&s, Col::Identity, 1).as_deref(), Some("ci-deployer"));
    assert_eq!(cell(&s, Col::Asset, 1).as_deref(), Some("model-registry"));
}

#[test]
fn rows_of_other_tables_and_broken_rows_are_reported_where_they_are() {
    let other = json!({"TimeGenerated": "2026-10-05T02:14:00Z", "EventID": 4624, "Computer": "dc01",
        "Type": "SecurityEvent"});
    let text = format!(
        "{}\n{other}\n[1,2]\n{}\n",
        trail_row("2026-10-05T02:13:00Z", "e1"),
        trail_row("2026-10-05T02:15:00Z", "e2")
    );
    let s = load("rows.jsonl", &text);
    assert_eq!(s.files[0].format, "sentinel");
    assert_eq!(s.len(), 2);
    let origins: Vec<&str> = s.report.errors.iter().map(|e| e.origin.as_str()).collect();
    assert_eq!(origins, ["rows.jsonl:2", "rows.jsonl:3"]);
    assert!(s.report.errors[0].message.contains("SecurityEvent table"));
    assert!(s.report.errors[1].message.contains("not a JSON object"));

    // CSV: a row cut short, a time that is not one.
    let mut lines: Vec<String> = csv(
        TRAIL_HEADER,
        &[
            trail_row("05/10/2026, 02:13:00.000", "e1"),
            trail_row("yesterday", "e2"),
        ],
    )
    .lines()
    .map(str::to_string)
    .collect();
    lines.push("\"05/10/2026, 02:16:00.000\",e3,1.08".to_string());
    let s = load("q.csv", &lines.join("\n"));
    assert_eq!(s.len(), 1);
    let errors: Vec<(&str, &str)> = s
        .report
        .errors
        .iter()
        .map(|e| (e.origin.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            ("q.csv:3", "TimeGenerated \"yesterday\" is not a time"),
            ("q.csv:4", "3 fields where the header names 12 columns"),
        ]
    );
}

#[test]
fn us_locale_times_and_zones_the_portal_names() {
    // en-US: month first, 12-hour clock; a day above 12 decides the order for the whole file.
    let rows = [
        trail_row("10/5/2026, 2:13:00.000 AM", "e1"),
        trail_row("10/13/2026, 2:13:00.000 PM", "e2"),
    ];
    let s = ok("us.csv", &csv(TRAIL_HEADER, &rows));
    assert_eq!(
        column(&s, Col::Time),
        some(&["2026-10-05T02:13:00Z", "2026-10-13T14:13:00Z"])
    );
    // A column in a named offset is moved to UTC; a local zone heist cannot place is an error, not a guess.
    let header: Vec<&str> = TRAIL_HEADER
        .iter()
        .map(|h| {
            if h.starts_with("TimeGenerated") {
                "TimeGenerated [UTC+02:00]"
            } else {
                h
            }
        })
        .collect();
    let text = csv(&header, &[])
        + &csv(TRAIL_HEADER, &[trail_row("05/10/2026, 04:13:00.000", "e1")])
            .lines()
            .skip(1)
            .collect::<String>();
    let s = ok("cest.csv", &text);
    assert_eq!(
        cell(&s, Col::Time, 0).as_deref(),
        Some("2026-10-05T02:13:00Z")
    );
    let local = text.replacen("[UTC+02:00]", "[Local Time]", 1);
    let s = load("local.csv", &local);
    assert_eq!(s.len(), 0);
    assert!(s.report.errors[0].message.contains("\"Local Time\""));
}

#[test]
fn query_api_rows_are_numbered_across_tables() {
    let columns: Vec<&str> = TRAIL_HEADER
        .iter()
        .map(|h| h.trim_end_matches(" [UTC]"))
        .collect();
    let one = query_response(&columns, &[trail_row("2026-10-05T02:13:00Z", "e1")]);
    let two = query_response(
        &columns,
        &[
            trail_row("2026-10-05T02:14:00Z", "e2"),
            trail_row("2026-10-05T02:15:00Z", "e3"),
        ],
    );
    let t1: Value = serde_json::from_str(&one).unwrap();
    let t2: Value = serde_json::from_str(&two).unwrap();
    let both = json!({"tables": [t1["tables"][0], t2["tables"][0]]}).to_string();
    let s = ok("response.json", &both);
    assert_eq!(column(&s, Col::EventId), some(&["e1", "e2", "e3"]));
    assert_eq!(column(&s, Col::Line), some(&["0", "1", "2"]));
}
