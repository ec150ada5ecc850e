use super::*;

fn filter(conds: &[&str]) -> RawFilter {
    RawFilter::parse(&conds.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
}

fn parse_err(cond: &str) -> String {
    RawFilter::parse(&[cond.to_string()])
        .unwrap_err()
        .to_string()
}

const ATTACH: &str = r#"{"eventName":"AttachUserPolicy","requestParameters":{"policyArn":"arn:aws:iam::aws:policy/AdministratorAccess","userName":"svc"}}"#;

/// An inline policy as IAM logs it: the document is a JSON string.
fn put_policy(statements: &str) -> String {
    let doc = format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#);
    serde_json::json!({"eventName": "PutUserPolicy", "requestParameters": {"userName": "svc", "policyDocument": doc}})
        .to_string()
}

const ADMIN: &str = r#"requestParameters.policyDocument.Statement[].Action:/^\*$/ requestParameters.policyDocument.Statement[].Resource:"*" requestParameters.policyDocument.Statement[].Effect:Allow"#;

#[test]
fn values_globs_and_evidence() {
    let f = filter(&["requestParameters.policyArn:*/AdministratorAccess"]);
    assert_eq!(
        f.check(ATTACH).as_deref(),
        Some("requestParameters.policyArn arn:aws:iam::aws:policy/AdministratorAccess")
    );
    // Exact values are case-insensitive; a comma list is any of them.
    assert!(filter(&["eventName:attachuserpolicy,PutUserPolicy"])
        .check(ATTACH)
        .is_some());
    assert!(filter(&["requestParameters.policyArn:*/ReadOnlyAccess"])
        .check(ATTACH)
        .is_none());
    // Terms are ANDed; conditions are ORed.
    assert!(filter(&[
        "requestParameters.userName:svc requestParameters.policyArn:*/ReadOnlyAccess"
    ])
    .check(ATTACH)
    .is_none());
    assert!(filter(&[
        "requestParameters.userName:nobody",
        "requestParameters.userName:svc"
    ])
    .check(ATTACH)
    .is_some());
    // Not JSON: nothing to test.
    assert!(f.check("GET /bucket/key 200").is_none());
}

#[test]
fn negation_holds_when_no_value_matches_or_there_is_none() {
    let f = filter(&["requestParameters.userName:svc -sessionCredentialFromConsole:true"]);
    assert_eq!(
        f.check(ATTACH).as_deref(),
        Some("requestParameters.userName svc")
    );
    let console = ATTACH.replacen('{', r#"{"sessionCredentialFromConsole":"true","#, 1);
    assert!(f.check(&console).is_none());
    // Only negated terms: the evidence is empty, the record still matches.
    assert_eq!(
        filter(&["-requestParameters.layers:*"])
            .check(ATTACH)
            .as_deref(),
        Some("")
    );
}

#[test]
fn a_scope_is_one_array_element() {
    let f = filter(&[ADMIN]);
    let admin = put_policy(
        r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Action":["*"],"Resource":"*"}]"#,
    );
    assert_eq!(
        f.check(&admin).as_deref(),
        Some("requestParameters.policyDocument.Statement[].Action *")
    );
    // Everything on one bucket, and one action on everything: no statement allows everything.
    let split = put_policy(
        r#"[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]"#,
    );
    assert!(f.check(&split).is_none());
    let deny = put_policy(r#"[{"Effect":"Deny","Action":"*","Resource":"*"}]"#);
    assert!(f.check(&deny).is_none());
    // A single statement need not be in an array.
    let single = put_policy(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
    assert!(f.check(&single).is_some());
    // A scope of negated terms holds when there is no element at all.
    let none = filter(&["-requestParameters.insightSelectors[].insightType:*"]);
    assert!(none
        .check(r#"{"requestParameters":{"trailName":"t","insightSelectors":[]}}"#)
        .is_some());
    assert!(none
        .check(
            r#"{"requestParameters":{"insightSelectors":[{"insightType":"ApiCallRateInsight"}]}}"#
        )
        .is_none());
}

#[test]
fn numbers_booleans_objects_and_quoted_values() {
    let rec = r#"{"requestParameters":{"fromPort":22,"toPort":22,"cidrIp":"0.0.0.0/0","eventSelectors":[{"includeManagementEvents":false}],"principal":"*","environment":{"variables":{}}}}"#;
    assert!(filter(&["requestParameters.fromPort:22"])
        .check(rec)
        .is_some());
    assert!(
        filter(&["requestParameters.eventSelectors.includeManagementEvents:false"])
            .check(rec)
            .is_some()
    );
    // A quoted value is exact: "*" is the asterisk, not a glob.
    assert!(filter(&[r#"requestParameters.principal:"*""#])
        .check(rec)
        .is_some());
    assert!(filter(&[r#"requestParameters.cidrIp:"*""#])
        .check(rec)
        .is_none());
    // An object reads as its compact JSON.
    assert_eq!(
        filter(&["requestParameters.environment:*variables*"])
            .check(rec)
            .as_deref(),
        Some(r#"requestParameters.environment {"variables":{}}"#)
    );
    // null is no value.
    assert!(filter(&["requestParameters:*"])
        .check(r#"{"requestParameters":null}"#)
        .is_none());
}

#[test]
fn a_record_nested_in_another_is_found() {
    // CloudTrail LookupEvents output: the event is a JSON string in `CloudTrailEvent`.
    let lookup =
        serde_json::json!({"EventName": "AttachUserPolicy", "CloudTrailEvent": ATTACH}).to_string();
    let f = filter(&["requestParameters.policyArn:*/AdministratorAccess"]);
    assert!(f.check(&lookup).is_some());
    // A SIEM document keeping the original under event.original.
    let ecs =
        serde_json::json!({"@timestamp": "2026-10-05T02:00:00Z", "event": {"original": ATTACH}})
            .to_string();
    assert!(f.check(&ecs).is_some());
}

#[test]
fn conditions_that_do_not_parse_say_why() {
    assert!(parse_err("requestParameters.userName").contains("expected path:value"));
    assert!(parse_err("requestParameters.userName:").contains("needs a value"));
    assert!(parse_err("a[].b[].c:x").contains("only one [] per path"));
    assert!(parse_err("a.b[]:x").contains("name a key after the []"));
    assert!(parse_err("a..b:x").contains("is not a path"));
    assert!(parse_err("a:/(/").contains("bad regular expression"));
    assert!(parse_err(r#"a:"open"#).contains("unclosed double quote"));
    assert!(parse_err("  ").contains("empty condition"));
}

#[test]
fn the_store_reads_records_back_and_checks_their_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trail.json");
    let recs = r#"{"Records":[
        {"eventVersion":"1.08","eventTime":"2026-10-05T02:13:00Z","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","eventID":"e1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE1"},"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","requestParameters":{"policyArn":"arn:aws:iam::aws:policy/AdministratorAccess","userName":"b"}},
        {"eventVersion":"1.08","eventTime":"2026-10-05T02:14:00Z","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","eventID":"e2","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE1"},"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","requestParameters":{"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess","userName":"b"}}
    ]}"#;
    std::fs::write(&path, recs).unwrap();
    let store = crate::ingest::load(
        std::slice::from_ref(&path),
        &crate::ingest::LoadOptions::default(),
        &crate::ingest::Progress::default(),
    )
    .unwrap();
    let read = store.records(&[1, 0]);
    assert!(read[0].as_deref().unwrap().contains("ReadOnlyAccess"));
    assert!(read[1].as_deref().unwrap().contains("AdministratorAccess"));
    // The same bundle from memory has no file to read; a file changed since gives nothing rather than other bytes.
    let mem = crate::ingest::load_bytes(
        "trail.json",
        recs.as_bytes().to_vec(),
        &crate::ingest::LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(mem.records(&[0, 1]), vec![None, None]);
    std::fs::write(
        &path,
        recs.replace("AdministratorAccess", "AdministratorAcce55"),
    )
    .unwrap();
    assert_eq!(store.records(&[0]), vec![None]);
}
