use serde_json::json;

use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::{load_bytes, LoadOptions};

fn load(text: &str) -> EventStore {
    load_bytes("t.json", text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

fn one(ev: serde_json::Value) -> EventStore {
    let s = load(&json!({ "Records": [ev] }).to_string());
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 1);
    s
}

fn get(s: &EventStore, c: Col) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, 0)
}

fn base(ui: serde_json::Value) -> serde_json::Value {
    json!({"eventVersion":"1.08","userIdentity":ui,"eventTime":"2023-07-19T21:33:41Z","eventSource":"s3.amazonaws.com",
           "eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"aws-cli/2",
           "requestID":"REQ1","eventID":"EV1","recipientAccountId":"123456789012"})
}

#[test]
fn iam_user_long_term_key() {
    let s = one(base(
        json!({"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/Mary_Major","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Mary_Major"}),
    ));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("arn:aws:iam::123456789012:user/Mary_Major")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("long_term"));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2023-07-19T21:33:41Z"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some("123456789012"));
    assert_eq!(get(&s, Col::RequestId).as_deref(), Some("REQ1"));
    assert_eq!(get(&s, Col::Origin).as_deref(), Some("t.json"));
}

#[test]
fn assumed_role_session_with_issuer() {
    let s = one(base(
        json!({"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/reader/sess","accessKeyId":"ASIAEXAMPLE",
        "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/reader"}}}),
    ));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/reader/sess")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("role_session"));
    assert_eq!(
        get(&s, Col::Issuer).as_deref(),
        Some("arn:aws:iam::123456789012:role/reader")
    );
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("session"));
}

#[test]
fn root_service_anonymous_identity_center() {
    let s = one(base(
        json!({"type":"Root","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"}),
    ));
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("root"));
    let s = one(base(
        json!({"type":"AWSService","invokedBy":"ec2.amazonaws.com"}),
    ));
    assert_eq!(get(&s, Col::Identity).as_deref(), Some("ec2.amazonaws.com"));
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("service"));
    let s = one(base(
        json!({"type":"AWSAccount","principalId":"","accountId":"ANONYMOUS_PRINCIPAL"}),
    ));
    assert_eq!(get(&s, Col::Identity).as_deref(), Some("anonymous"));
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("anonymous"));
    let s = one(base(
        json!({"type":"IdentityCenterUser","accountId":"123456789012","onBehalfOf":{"userId":"94482488-3041-7026-18f3-be45837cd0e4","identityStoreArn":"arn:aws:identitystore::123456789012:identitystore/d-9067230c4b"},"credentialId":"EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"}),
    ));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("94482488-3041-7026-18f3-be45837cd0e4")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("role_session"));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("session"));
}

#[test]
fn s3_object_asset_bytes_and_presigned() {
    let mut ev =
        base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIA1"}));
    ev["requestParameters"] = json!({"bucketName":"models","key":"llm/model-00001.safetensors"});
    ev["additionalEventData"] = json!({"bytesTransferredOut": 4.938E9, "bytesTransferredIn": 0, "AuthenticationMethod":"QueryString"});
    let s = one(ev);
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("models/llm/model-00001.safetensors")
    );
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("s3_object"));
    assert_eq!(get(&s, Col::Bytes).as_deref(), Some("4938000000"));
    assert_eq!(get(&s, Col::AuthMethod).as_deref(), Some("QueryString"));
}

#[test]
fn copy_object_asset_is_the_source() {
    let mut ev = base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}));
    ev["eventName"] = json!("CopyObject");
    ev["requestParameters"] = json!({"bucketName":"attacker","key":"loot.bin","x-amz-copy-source":"models/llm%2Fweights%20v2.bin?versionId=3"});
    let s = one(ev);
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("models/llm/weights v2.bin")
    );
}

#[test]
fn assume_role_mints_a_session_key() {
    let mut ev =
        base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/ci","accessKeyId":"AKIACI"}));
    ev["eventSource"] = json!("sts.amazonaws.com");
    ev["eventName"] = json!("AssumeRole");
    ev["requestParameters"] = json!({"roleArn":"arn:aws:iam::1:role/reader","roleSessionName":"x"});
    ev["responseElements"] = json!({"credentials":{"accessKeyId":"ASIANEW","expiration":"Jul 18, 2014 4:07:39 PM"},
        "assumedRoleUser":{"arn":"arn:aws:sts::1:assumed-role/reader/x"}});
    let s = one(ev);
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("arn:aws:iam::1:role/reader")
    );
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("iam_role"));
    assert_eq!(get(&s, Col::MintedToken).as_deref(), Some("ASIANEW"));
    assert_eq!(
        get(&s, Col::MintedIdentity).as_deref(),
        Some("arn:aws:sts::1:assumed-role/reader/x")
    );
}

#[test]
fn create_access_key_for_another_user_and_revocations() {
    let mut ev = base(
        json!({"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci","accessKeyId":"AKIACI"}),
    );
    ev["eventSource"] = json!("iam.amazonaws.com");
    ev["eventName"] = json!("CreateAccessKey");
    ev["requestParameters"] = json!({"userName":"backup"});
    ev["responseElements"] =
        json!({"accessKey":{"userName":"backup","accessKeyId":"AKIABACKDOOR","status":"Active"}});
    let s = one(ev.clone());
    assert_eq!(get(&s, Col::MintedToken).as_deref(), Some("AKIABACKDOOR"));
    assert_eq!(
        get(&s, Col::MintedIdentity).as_deref(),
        Some("arn:aws:iam::123456789012:user/backup")
    );
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("arn:aws:iam::123456789012:user/backup")
    );

    ev["eventName"] = json!("UpdateAccessKey");
    ev["requestParameters"] = json!({"userName":"ci","accessKeyId":"AKIACI","status":"Inactive"});
    ev["responseElements"] = json!(null);
    assert_eq!(
        get(&one(ev.clone()), Col::RevokedToken).as_deref(),
        Some("AKIACI")
    );
    ev["requestParameters"]["status"] = json!("Active");
    assert_eq!(
        get(&one(ev.clone()), Col::RevokedToken),
        None,
        "re-activation is not a revocation"
    );
    ev["eventName"] = json!("DeleteAccessKey");
    assert_eq!(get(&one(ev), Col::RevokedToken).as_deref(), Some("AKIACI"));
}

#[test]
fn failures_and_console_login() {
    let mut ev = base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}));
    ev["errorCode"] = json!("AccessDenied");
    let s = one(ev.clone());
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("failure"));
    assert_eq!(get(&s, Col::ErrorCode).as_deref(), Some("AccessDenied"));
    ev.as_object_mut().unwrap().remove("errorCode");
    ev["eventName"] = json!("ConsoleLogin");
    ev["responseElements"] = json!({"ConsoleLogin":"Failure"});
    assert_eq!(get(&one(ev), Col::Outcome).as_deref(), Some("failure"));
}

#[test]
fn every_export_shape_reads_the_same_event() {
    let ev = base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIA1"}));
    let line = ev.to_string();
    let shapes = [
        json!({"Records":[ev.clone()]}).to_string(),
        serde_json::to_string_pretty(&json!({"Records":[ev.clone()]})).unwrap(),
        json!([ev.clone()]).to_string(),
        format!("{line}\n{line}\n"),
        format!("2023-07-19T21:33:41.000Z {line}\n"),
        json!({"events":[{"timestamp":1,"message":line,"logStreamName":"s"}]}).to_string(),
        json!({"Events":[{"EventId":"EV1","EventName":"GetObject","CloudTrailEvent":line}]})
            .to_string(),
        format!("{}\n", json!({"EventId":"EV1","CloudTrailEvent":line})),
    ];
    for (i, text) in shapes.iter().enumerate() {
        let s = load(text);
        assert_eq!(s.report.error_count, 0, "shape {i}: {:?}", s.report.errors);
        assert_eq!(
            s.len(),
            1,
            "shape {i} (duplicates dropped: {})",
            s.report.duplicates
        );
        assert_eq!(get(&s, Col::Token).as_deref(), Some("AKIA1"), "shape {i}");
        assert_eq!(s.files[0].format, "cloudtrail");
    }
}

#[test]
fn malformed_records_are_reported_and_the_rest_load() {
    let good = base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}));
    let mut no_time = good.clone();
    no_time["eventTime"] = json!("redacted");
    no_time["eventID"] = json!("EV2");
    let mut bad_type = good.clone();
    bad_type["eventName"] = json!({"not":"a string"});
    bad_type["eventID"] = json!("EV3");
    let text = format!(
        "{}\n{}\n{{\"eventVersion\": \"1.08\", \"eventTime\n{}\n",
        good, no_time, bad_type
    );
    let s = load(&text);
    assert_eq!(s.len(), 1);
    assert_eq!(s.report.error_count, 3, "{:?}", s.report.errors);
    let origins: Vec<&str> = s.report.errors.iter().map(|e| e.origin.as_str()).collect();
    assert_eq!(origins, ["t.json:2", "t.json:3", "t.json:4"]);
    assert!(s.report.errors[0]
        .message
        .contains("\"redacted\" is not a timestamp"));
}

#[test]
fn insight_events_have_an_action() {
    let ev = json!({"eventVersion":"1.08","eventTime":"2023-07-19T21:33:41Z","eventSource":"ec2.amazonaws.com","eventCategory":"Insight","eventType":"AwsCloudTrailInsight","eventID":"I1","awsRegion":"us-east-1",
        "insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightType":"ApiCallRateInsight"}});
    let s = one(ev);
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("Insight:Start:RunInstances")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("unknown"));
}

#[test]
fn shipped_records_take_at_timestamp_when_event_time_is_gone() {
    // Logstash's CloudTrail codec moves eventTime to @timestamp and adds its own fields.
    let mut ev =
        base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIA1"}));
    ev.as_object_mut().unwrap().remove("eventTime");
    ev["@timestamp"] = json!("2023-07-19T21:33:41.000Z");
    ev["@version"] = json!("1");
    ev["tags"] = json!(["cloudtrail"]);
    ev["host"] = json!({"name":"shipper-1"});
    let text = format!("{ev}\n{ev}\n")
        .replace("EV1", "EV2")
        .replacen("EV2", "EV1", 1);
    let s = load(&text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files[0].format, "cloudtrail");
    assert_eq!(s.len(), 2);
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2023-07-19T21:33:41Z"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some("AKIA1"));

    // eventTime, when there, wins over the shipper's time.
    let mut both = ev.clone();
    both["eventTime"] = json!("2023-07-19T21:00:00Z");
    assert_eq!(
        get(&one(both), Col::Time).as_deref(),
        Some("2023-07-19T21:00:00Z")
    );
    // A shipper's time that is not a time is named in the error.
    ev["@timestamp"] = json!("soon");
    let s = load(&json!({ "Records": [ev] }).to_string());
    assert_eq!(s.len(), 0);
    assert!(
        s.report.errors[0].message.contains("@timestamp \"soon\""),
        "{:?}",
        s.report.errors
    );
}

#[test]
fn byte_counts_written_as_text_are_read() {
    let mut ev = base(json!({"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}));
    ev["additionalEventData"] = json!({"bytesTransferredOut": "224", "bytesTransferredIn": "0", "AuthenticationMethod": "AuthHeader"});
    let s = one(ev);
    assert_eq!(get(&s, Col::Bytes).as_deref(), Some("224"));
    assert_eq!(get(&s, Col::AuthMethod).as_deref(), Some("AuthHeader"));
}
