//! AWSCloudTrail rows: the portal CSV's 53 columns (as in the public Azure-Sentinel sample), JSON rows and the
//! query API response all rebuild the CloudTrail event, so lineage, assets, bytes and outcome read as from the trail.

use super::*;

/// The AWSCloudTrail header of a portal CSV export (the public sample's, column for column).
const HEADER: &[&str] = &[
    "TimeGenerated [UTC]",
    "AwsEventId",
    "EventVersion",
    "EventSource",
    "EventTypeName",
    "EventName",
    "UserIdentityType",
    "UserIdentityPrincipalid",
    "UserIdentityArn",
    "UserIdentityAccountId",
    "UserIdentityInvokedBy",
    "UserIdentityAccessKeyId",
    "UserIdentityUserName",
    "SessionMfaAuthenticated",
    "SessionCreationDate [UTC]",
    "SessionIssuerType",
    "SessionIssuerPrincipalId",
    "SessionIssuerArn",
    "SessionIssuerAccountId",
    "SessionIssuerUserName",
    "AWSRegion",
    "SourceIpAddress",
    "UserAgent",
    "ErrorCode",
    "ErrorMessage",
    "RequestParameters",
    "ResponseElements",
    "AdditionalEventData",
    "AwsRequestId",
    "AwsRequestId_",
    "Resources",
    "APIVersion",
    "ReadOnly",
    "RecipientAccountId",
    "ServiceEventDetails",
    "SharedEventId",
    "VpcEndpointId",
    "ManagementEvent",
    "TenantId",
    "SourceSystem",
    "OperationName",
    "Category",
    "EC2RoleDelivery",
    "TlsVersion",
    "CipherSuite",
    "ClientProvidedHostHeader",
    "IpProtocol",
    "SourcePort",
    "DestinationPort",
    "CidrIp",
    "UserIdentityUserId",
    "UserIdentityStoreArn",
    "Type",
];

const ACCT: &str = "123456789012";
const KEY: &str = "AKIAQ3EGRZTSTOLEN7CI";
const SESSION: &str = "ASIAQ3EGRZTEXFIL2MDL";

fn assume_role(time: &str) -> Value {
    json!({
        "TimeGenerated": time, "AwsEventId": "ev-assume-1", "EventVersion": "1.08", "EventSource": "sts.amazonaws.com",
        "EventTypeName": "AwsApiCall", "EventName": "AssumeRole", "UserIdentityType": "IAMUser",
        "UserIdentityPrincipalid": "AIDAQ3EGRZTCIUSER01", "UserIdentityArn": format!("arn:aws:iam::{ACCT}:user/ci"),
        "UserIdentityAccountId": ACCT, "UserIdentityAccessKeyId": KEY, "UserIdentityUserName": "ci",
        "AWSRegion": "us-east-1", "SourceIpAddress": "198.51.100.77", "UserAgent": "aws-cli/2.15.0 Python/3.11",
        "RequestParameters": json!({"roleArn": format!("arn:aws:iam::{ACCT}:role/ml-model-registry-reader"),
            "roleSessionName": "exfil"}).to_string(),
        "ResponseElements": json!({"credentials": {"accessKeyId": SESSION, "expiration": "Oct 5, 2026, 3:16:00 AM",
            "sessionToken": "IQoJb3JpZ2luX2VjE"}, "assumedRoleUser": {"assumedRoleId": "AROAQ3EGRZTREADER:exfil",
            "arn": format!("arn:aws:sts::{ACCT}:assumed-role/ml-model-registry-reader/exfil")}}).to_string(),
        "AwsRequestId_": "req-assume-1", "ReadOnly": "true", "RecipientAccountId": ACCT, "ManagementEvent": "true",
        "TenantId": "0d3e1a6b-6b8f-4d3a-9a51-5c6d7e8f9a0b", "SourceSystem": "RestAPI", "OperationName": "CloudTrail",
        "Category": "Management", "TlsVersion": "TLSv1.3", "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "ClientProvidedHostHeader": "sts.amazonaws.com", "Type": "AWSCloudTrail"
    })
}

fn get_object(time: &str) -> Value {
    json!({
        "TimeGenerated": time, "AwsEventId": "ev-get-1", "EventVersion": "1.09", "EventSource": "s3.amazonaws.com",
        "EventTypeName": "AwsApiCall", "EventName": "GetObject", "UserIdentityType": "AssumedRole",
        "UserIdentityPrincipalid": "AROAQ3EGRZTREADER:exfil",
        "UserIdentityArn": format!("arn:aws:sts::{ACCT}:assumed-role/ml-model-registry-reader/exfil"),
        "UserIdentityAccountId": ACCT, "UserIdentityAccessKeyId": SESSION, "SessionMfaAuthenticated": "false",
        "SessionCreationDate": "05/10/2026, 02:16:00.000", "SessionIssuerType": "Role",
        "SessionIssuerPrincipalId": "AROAQ3EGRZTREADER",
        "SessionIssuerArn": format!("arn:aws:iam::{ACCT}:role/ml-model-registry-reader"),
        "SessionIssuerAccountId": ACCT, "SessionIssuerUserName": "ml-model-registry-reader",
        "AWSRegion": "us-east-1", "SourceIpAddress": "198.51.100.77", "UserAgent": "[aws-cli/2.15.0]",
        "RequestParameters": json!({"bucketName": "acme-model-registry", "Host": "acme-model-registry.s3.amazonaws.com",
            "key": "llm-7b/model-00001-of-00004.safetensors"}).to_string(),
        "AdditionalEventData": json!({"bytesTransferredIn": 0, "bytesTransferredOut": 4_984_567_890u64,
            "SignatureVersion": "SigV4", "AuthenticationMethod": "AuthHeader"}).to_string(),
        "AwsRequestId_": "req-get-1",
        "Resources": json!([{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::acme-model-registry/llm-7b/model-00001-of-00004.safetensors"}]).to_string(),
        "ReadOnly": "true", "RecipientAccountId": ACCT, "ManagementEvent": "false", "Category": "Data",
        "Type": "AWSCloudTrail"
    })
}

fn denied(time: &str) -> Value {
    json!({
        "TimeGenerated": time, "AwsEventId": "ev-denied-1", "EventVersion": "1.08", "EventSource": "iam.amazonaws.com",
        "EventName": "ListRoles", "UserIdentityType": "IAMUser", "UserIdentityArn": format!("arn:aws:iam::{ACCT}:user/ci"),
        "UserIdentityAccountId": ACCT, "UserIdentityAccessKeyId": KEY, "UserIdentityUserName": "ci",
        "AWSRegion": "us-east-1", "SourceIpAddress": "198.51.100.77", "UserAgent": "aws-cli/2.15.0",
        "ErrorCode": "AccessDenied",
        "ErrorMessage": "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:ListRoles",
        "AwsRequestId_": "req-denied-1", "RecipientAccountId": ACCT, "Type": "AWSCloudTrail"
    })
}

fn check(s: &EventStore) {
    assert_eq!(s.len(), 3);
    assert_eq!(column(s, Col::Source), some(&["cloudtrail"; 3]));
    assert_eq!(
        column(s, Col::Time),
        some(&[
            "2026-10-05T02:16:00Z",
            "2026-10-05T02:17:05.250Z",
            "2026-10-05T02:18:00Z"
        ])
    );
    assert_eq!(
        column(s, Col::Action),
        some(&["AssumeRole", "GetObject", "ListRoles"])
    );
    assert_eq!(
        column(s, Col::Identity),
        some(&[
            "arn:aws:iam::123456789012:user/ci",
            "arn:aws:sts::123456789012:assumed-role/ml-model-registry-reader/exfil",
            "arn:aws:iam::123456789012:user/ci",
        ])
    );
    assert_eq!(
        column(s, Col::IdentityType),
        some(&["human", "role_session", "human"])
    );
    assert_eq!(column(s, Col::Token), some(&[KEY, SESSION, KEY]));
    assert_eq!(
        column(s, Col::TokenKind),
        some(&["long_term", "session", "long_term"])
    );
    assert_eq!(
        cell(s, Col::Issuer, 1).as_deref(),
        Some("arn:aws:iam::123456789012:role/ml-model-registry-reader")
    );
    assert_eq!(column(s, Col::SourceIp), some(&["198.51.100.77"; 3]));
    assert_eq!(
        column(s, Col::Asset),
        vec![
            Some("arn:aws:iam::123456789012:role/ml-model-registry-reader".into()),
            Some("acme-model-registry/llm-7b/model-00001-of-00004.safetensors".into()),
            None,
        ]
    );
    assert_eq!(cell(s, Col::Bytes, 1).as_deref(), Some("4984567890"));
    assert_eq!(cell(s, Col::AuthMethod, 1).as_deref(), Some("AuthHeader"));
    // Lineage from the parsed-back ResponseElements.
    assert_eq!(cell(s, Col::MintedToken, 0).as_deref(), Some(SESSION));
    assert_eq!(
        cell(s, Col::MintedIdentity, 0).as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/ml-model-registry-reader/exfil")
    );
    assert_eq!(
        column(s, Col::Outcome),
        some(&["success", "success", "failure"])
    );
    assert_eq!(cell(s, Col::ErrorCode, 2).as_deref(), Some("AccessDenied"));
    assert_eq!(
        column(s, Col::RequestId),
        some(&["req-assume-1", "req-get-1", "req-denied-1"])
    );
    assert_eq!(
        column(s, Col::EventId),
        some(&["ev-assume-1", "ev-get-1", "ev-denied-1"])
    );
    assert_eq!(column(s, Col::Account), some(&[ACCT; 3]));
    assert_eq!(column(s, Col::Region), some(&["us-east-1"; 3]));
}

#[test]
fn portal_csv_rows_read_as_cloudtrail() {
    let rows = [
        assume_role("05/10/2026, 02:16:00.000"),
        get_object("05/10/2026, 02:17:05.250"),
        denied("05/10/2026, 02:18:00.000"),
    ];
    let text = csv(HEADER, &rows);
    let s = ok("query_data.csv", &text);
    check(&s);
    // Each event sits at its CSV line, and the raw view reads that line back.
    assert_eq!(column(&s, Col::Line), some(&["2", "3", "4"]));
    let r = FrameReader::new(&s.frame).unwrap();
    let off = r.u64(Col::RawOffset, 1).unwrap() as usize;
    let len = r.u64(Col::RawLen, 1).unwrap() as usize;
    assert!(text[off..off + len].starts_with("\"05/10/2026, 02:17:05.250\",ev-get-1,"));
}

#[test]
fn json_rows_and_query_api_response_read_alike() {
    let rows = [
        assume_role("2026-10-05T02:16:00Z"),
        get_object("2026-10-05T02:17:05.25Z"),
        denied("2026-10-05T02:18:00.000Z"),
    ];
    let s = ok("rows.json", &Value::Array(rows.to_vec()).to_string());
    check(&s);
    let lines: String = rows.iter().map(|r| format!("{r}\n")).collect();
    check(&ok("rows.jsonl", &lines));

    let columns: Vec<&str> = HEADER
        .iter()
        .map(|h| h.trim_end_matches(" [UTC]"))
        .collect();
    let s = ok("response.json", &query_response(&columns, &rows));
    check(&s);
    assert_eq!(column(&s, Col::Line), some(&["0", "1", "2"]), "row index");
}

/// Rows of the same event from Sentinel and from the trail itself are one event: same source, id and content.
#[test]
fn a_row_and_the_native_event_are_deduplicated() {
    let row = Value::Array(vec![denied("2026-10-05T02:18:00Z")]).to_string();
    let native = json!({"Records": [{"eventVersion": "1.08", "eventTime": "2026-10-05T02:18:00Z",
        "eventSource": "iam.amazonaws.com", "eventName": "ListRoles", "awsRegion": "us-east-1",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ci", "accessKeyId": KEY},
        "sourceIPAddress": "198.51.100.77", "userAgent": "aws-cli/2.15.0", "requestID": "req-denied-1",
        "errorCode": "AccessDenied", "eventID": "ev-denied-1", "recipientAccountId": ACCT}]})
    .to_string();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    use std::io::Write;
    zip.start_file("sentinel.json", opts).unwrap();
    zip.write_all(row.as_bytes()).unwrap();
    zip.start_file("trail.json", opts).unwrap();
    zip.write_all(native.as_bytes()).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let s = load_bytes("bundle.zip", bytes, &LoadOptions::default()).unwrap();
    assert_eq!((s.len(), s.report.duplicates), (1, 1));
    let formats: Vec<&str> = s.files.iter().map(|f| f.format).collect();
    assert_eq!(formats, ["sentinel", "cloudtrail"]);
}

#[test]
fn a_row_without_a_time_is_reported_at_its_line_and_the_others_load() {
    let mut bad = denied("");
    bad["AwsEventId"] = json!("ev-no-time");
    let rows = [assume_role("05/10/2026, 02:16:00.000"), bad];
    let s = load("query_data.csv", &csv(HEADER, &rows));
    assert_eq!(s.len(), 1);
    assert_eq!(s.report.errors.len(), 1);
    assert_eq!(s.report.errors[0].origin, "query_data.csv:3");
    assert!(
        s.report.errors[0].message.contains("no eventTime"),
        "{:?}",
        s.report.errors
    );
}
