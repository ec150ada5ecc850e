//! OCSF events in the shapes Amazon Security Lake and the OCSF project's own mapping samples write them (OCSF
//! 1.0.0-rc.2, 1.1.0 and 1.5.0). Records without a public example are written from the OCSF schema and say so.

use serde_json::{json, Value};

use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};
use crate::ingest::doc::Probe;
use crate::ingest::formats::{registry, Format};
use crate::ingest::{load_bytes, LoadOptions};

fn load(name: &str, text: &str) -> EventStore {
    load_bytes(name, text.as_bytes().to_vec(), &LoadOptions::default()).unwrap()
}

fn one(ev: &Value) -> EventStore {
    let s = load("lake.json", &ev.to_string());
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 1);
    assert_eq!(s.files[0].format, "ocsf");
    s
}

fn get(s: &EventStore, c: Col) -> Option<String> {
    FrameReader::new(&s.frame).unwrap().display(c, 0)
}

/// The OCSF project's CloudTrail API Activity sample, OCSF 1.1.0 (`mappings/markdown/AWS/v1.1.0`).
fn api_activity_1_1() -> Value {
    json!({
        "activity_id": 2, "activity_name": "Read",
        "actor": {"user": {"account": {"uid": "1111111111111"}, "credential_uid": "AKIA3Z2XBVEXAMPLE",
            "name": "Level6", "type": "IAMUser", "uid": "arn:aws:iam::1111111111111:user/Level6",
            "uid_alt": "AIDADO2GQEXAMPLE"}},
        "api": {"operation": "DescribeDirectConnectGateways", "request": {"uid": "1c8a6220-4263-4763-b526-example"},
            "response": {"data": "{\"directConnectGateways\":[]}"}, "service": {"name": "directconnect.amazonaws.com"}},
        "category_uid": 6, "class_name": "API Activity", "class_uid": 6003,
        "cloud": {"provider": "AWS", "region": "us-east-1"},
        "http_request": {"user_agent": "Boto3/1.15.2 Python/3.8.2 Linux/5.6.3-arch1-1 Botocore/1.18.2"},
        "metadata": {"event_code": "AwsApiCall", "product": {"feature": {"name": "Management, Data, and Insights"},
            "name": "CloudTrail", "vendor_name": "AWS", "version": "1.05"}, "profiles": ["cloud", "datetime"],
            "uid": "71c88be9-ea5c-43c7-8c82-example", "version": "1.1.0"},
        "severity_id": 1, "src_endpoint": {"ip": "205.8.181.128"}, "status": "Success",
        "time": 1695334972000_i64, "time_dt": "2023-09-21T18:22:52.000-04:00", "type_uid": 600302,
        "unmapped": {"recipientAccountId": "1111111111111"}
    })
}

#[test]
fn cloudtrail_api_activity_1_1_reads_as_cloudtrail() {
    let s = one(&api_activity_1_1());
    assert_eq!(get(&s, Col::Source).as_deref(), Some("cloudtrail"));
    assert_eq!(get(&s, Col::Provider).as_deref(), Some("aws"));
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2023-09-21T22:22:52Z"));
    assert_eq!(
        get(&s, Col::Action).as_deref(),
        Some("DescribeDirectConnectGateways")
    );
    assert_eq!(
        get(&s, Col::Service).as_deref(),
        Some("directconnect.amazonaws.com")
    );
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("arn:aws:iam::1111111111111:user/Level6")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some("AKIA3Z2XBVEXAMPLE"));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("long_term"));
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("205.8.181.128"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some("1111111111111"));
    assert_eq!(get(&s, Col::Region).as_deref(), Some("us-east-1"));
    assert_eq!(
        get(&s, Col::RequestId).as_deref(),
        Some("1c8a6220-4263-4763-b526-example")
    );
    assert_eq!(
        get(&s, Col::EventId).as_deref(),
        Some("71c88be9-ea5c-43c7-8c82-example")
    );
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    assert!(get(&s, Col::UserAgent).unwrap().starts_with("Boto3/1.15.2"));
    // The raw view shows the OCSF event as received.
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(r.u64(Col::RawOffset, 0), Some(0));
}

/// Security Lake OCSF 1.0.0-rc.2 AssumeRole (the shape of the Security Lake validation samples: `uuid` = ARN,
/// `uid` = principal id, the response flattened into `unmapped`).
#[test]
fn rc2_assume_role_keeps_lineage_from_flat_unmapped() {
    let ev = json!({
        "class_uid": 3002, "time": 1405696059000_i64,
        "metadata": {"product": {"name": "CloudTrail", "vendor_name": "AWS", "version": "1.07"},
            "uid": "dEXAMPLE-ac7f-466c-a608-4ac8dEXAMPLE", "version": "1.0.0-rc.2"},
        "actor": {"user": {"type": "IAMUser", "uid": "AIDAQRSTUVWXYZEXAMPLE",
            "uuid": "arn:aws:iam::777788889999:user/JohnDoe", "account_uid": "777788889999",
            "credential_uid": "AKIAQRSTUVWXYZEXAMPLE", "name": "JohnDoe"}},
        "api": {"operation": "AssumeRole", "service": {"name": "sts.amazonaws.com"},
            "request": {"uid": "4EXAMPLE-0e8d-11e4-96e4-e55c0EXAMPLE"}, "response": {}},
        "cloud": {"provider": "AWS", "region": "us-east-2"},
        "src_endpoint": {"ip": "192.0.2.101"}, "status": "Success", "status_id": 1,
        "unmapped": {
            "recipientAccountId": "111122223333",
            "requestParameters.roleArn": "arn:aws:iam::111122223333:role/EC2-dev",
            "requestParameters.roleSessionName": "JohnDoe-EC2-dev",
            "responseElements.credentials.accessKeyId": "ASIAQRSTUVWXYZSESSION",
            "responseElements.assumedRoleUser.arn": "arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev",
            "resources[].ARN": "arn:aws:iam::111122223333:role/EC2-dev"
        }
    });
    let s = one(&ev);
    assert_eq!(get(&s, Col::Source).as_deref(), Some("cloudtrail"));
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2014-07-18T15:07:39Z"));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("arn:aws:iam::777788889999:user/JohnDoe")
    );
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("arn:aws:iam::111122223333:role/EC2-dev")
    );
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("iam_role"));
    assert_eq!(
        get(&s, Col::MintedToken).as_deref(),
        Some("ASIAQRSTUVWXYZSESSION")
    );
    assert_eq!(
        get(&s, Col::MintedIdentity).as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev")
    );
    assert_eq!(get(&s, Col::Account).as_deref(), Some("111122223333"));
}

/// OCSF 1.1 CreateAccessKey by an assumed-role session, the response in `api.response.data` (written from the
/// Security Lake 1.1 mapping; no public sample of this event).
#[test]
fn create_access_key_mints_from_response_data_and_session_has_issuer() {
    let ev = json!({
        "class_uid": 3001, "time": 1759630380000_i64,
        "metadata": {"product": {"name": "CloudTrail", "vendor_name": "AWS", "version": "1.09"},
            "uid": "ev-cak", "version": "1.1.0"},
        "actor": {"user": {"type": "AssumedRole", "uid": "arn:aws:sts::111122223333:assumed-role/ci/build",
            "uid_alt": "AROAEXAMPLE:build", "account": {"uid": "111122223333"}, "credential_uid": "ASIAEXAMPLESESSION"},
            "session": {"issuer": "arn:aws:iam::111122223333:role/ci", "is_mfa": false,
            "created_time_dt": "2025-10-05T01:00:00Z"}},
        "api": {"operation": "CreateAccessKey", "service": {"name": "iam.amazonaws.com"},
            "request": {"uid": "req-1", "data": "{\"userName\":\"svc-backup\"}"},
            "response": {"data": "{\"accessKey\":{\"accessKeyId\":\"AKIANEWBACKDOOR\",\"status\":\"Active\",\"userName\":\"svc-backup\"}}"}},
        "cloud": {"provider": "AWS", "region": "us-east-1", "account": {"uid": "111122223333"}},
        "src_endpoint": {"ip": "203.0.113.9"}, "status": "Success", "status_id": 1
    });
    let s = one(&ev);
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("role_session"));
    assert_eq!(
        get(&s, Col::Issuer).as_deref(),
        Some("arn:aws:iam::111122223333:role/ci")
    );
    assert_eq!(get(&s, Col::Token).as_deref(), Some("ASIAEXAMPLESESSION"));
    assert_eq!(get(&s, Col::TokenKind).as_deref(), Some("session"));
    assert_eq!(
        get(&s, Col::MintedToken).as_deref(),
        Some("AKIANEWBACKDOOR")
    );
    assert_eq!(
        get(&s, Col::MintedIdentity).as_deref(),
        Some("arn:aws:iam::111122223333:user/svc-backup")
    );
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("arn:aws:iam::111122223333:user/svc-backup")
    );
}

#[test]
fn failures_keep_their_error_code_and_console_sign_in_failures_read_as_cloudtrail_does() {
    let mut denied = api_activity_1_1();
    denied["api"]["response"] = json!({"error": "AccessDenied", "message": "not authorized"});
    denied["status"] = json!("Failure");
    denied["status_id"] = json!(2);
    let s = one(&denied);
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("failure"));
    assert_eq!(get(&s, Col::ErrorCode).as_deref(), Some("AccessDenied"));

    // Security Lake rc.2 ConsoleLogin failure: no error code, the status says Failure.
    let login = json!({
        "class_uid": 3002, "time": 1668097474000_i64, "status": "Failure", "status_id": 2,
        "status_detail": "Failed authentication",
        "metadata": {"product": {"name": "CloudTrail", "version": "1.08"}, "uid": "d38ce1b3", "version": "1.0.0-rc.2"},
        "actor": {"user": {"type": "IAMUser", "uid": "AIDACKCEVSQ6C2EXAMPLE", "name": "anaya", "account_uid": "111122223333"}},
        "api": {"operation": "ConsoleLogin", "service": {"name": "signin.amazonaws.com"}, "request": {"uid": "''"}},
        "cloud": {"region": "us-east-1"}, "src_endpoint": {"ip": "192.0.2.0"}
    });
    let s = one(&login);
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("failure"));
    assert_eq!(
        get(&s, Col::ErrorCode).as_deref(),
        Some("ConsoleLoginFailure")
    );
    assert_eq!(get(&s, Col::Identity).as_deref(), Some("anaya"));
    // `''` is Security Lake's empty string, not a request id.
    assert_eq!(get(&s, Col::RequestId), None);
}

/// The OCSF project's EKS audit sample, OCSF 1.1.0 (`mappings/markdown/AWS/v1.1.0/EKS Audit Logs`), trimmed.
#[test]
fn eks_audit_reads_as_k8s() {
    let ev = json!({
        "activity_id": 1, "class_uid": 6003, "message": "ResponseComplete",
        "actor": {"session": {"credential_uid": "EXAMPLEUIDTEST",
            "issuer": "arn:aws:iam::123456789012:role/example-NodeInstanceRole", "uid": "i-12345678901"},
            "user": {"groups": [{"name": "system:nodes"}], "name": "system:node:ip-192-001-02-03.ec2.internal",
            "type_id": 0, "uid": "heptio-authenticator-aws:123456789012:ABCD1234567890EXAMPLE"}},
        "api": {"operation": "create", "request": {"uid": "f47c68f2-d3ac-4f96-b2f4-5d497bf79b64"},
            "response": {"code": 201}, "version": "v1"},
        "cloud": {"account": {"uid": "arn:aws:sts::123456789012:assumed-role/example-NodeInstanceRole/i-12345678901"},
            "provider": "AWS"},
        "http_request": {"url": {"path": "/api/v1/nodes"}, "user_agent": "kubelet/v1.21.2 (linux/amd64) kubernetes/729bdfc"},
        "metadata": {"log_level": "RequestResponse", "product": {"name": "Amazon EKS", "vendor_name": "AWS",
            "version": "audit.k8s.io/v1"}, "version": "1.1.0"},
        "resources": [{"name": "ip-192-001-02-03.ec2.internal", "type": "nodes"}],
        "src_endpoint": {"ip": "12.000.22.33"},
        "start_time_dt": "2021-09-07 20:37:30.502000", "time": 1631047050642_i64,
        "time_dt": "2021-09-07 20:37:30.642000",
        "unmapped": {"annotations.authorization.k8s.io/decision": "allow", "sourceIPs[]": "12.000.22.33"}
    });
    let s = one(&ev);
    assert_eq!(get(&s, Col::Source).as_deref(), Some("k8s"));
    assert_eq!(
        get(&s, Col::Time).as_deref(),
        Some("2021-09-07T20:37:30.502Z")
    );
    assert_eq!(get(&s, Col::Action).as_deref(), Some("create nodes"));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("system:node:ip-192-001-02-03.ec2.internal")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("service"));
    assert_eq!(get(&s, Col::Token).as_deref(), Some("EXAMPLEUIDTEST"));
    assert_eq!(
        get(&s, Col::Issuer).as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/example-NodeInstanceRole/i-12345678901")
    );
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("12.0.22.33"));
    assert_eq!(
        get(&s, Col::Asset).as_deref(),
        Some("nodes/ip-192-001-02-03.ec2.internal")
    );
    assert_eq!(
        get(&s, Col::EventId).as_deref(),
        Some("f47c68f2-d3ac-4f96-b2f4-5d497bf79b64")
    );
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
}

/// The OCSF project's Okta System Log authentication sample (OCSF 1.3.0), trimmed: `time` in SECONDS.
#[test]
fn okta_maps_directly_as_ocsf_with_seconds() {
    let ev = json!({
        "activity_id": 1, "class_uid": 3002, "status": "Success", "status_id": 1,
        "actor": {"session": {"uid": "idxBager62CSveUkTxvgRtonA"}, "user": {"email_addr": "john.doe@example.com",
            "name": "John Doe", "type": "User", "type_id": 1, "uid": "00uttidj01jqL21aM1d6"}},
        "http_request": {"uid": "ab609228fe84ce59cdcbfa690bcce016", "user_agent": "Mozilla/5.0"},
        "metadata": {"event_code": "user.sesion.start", "product": {"name": "Okta System Log", "vendor_name": "Okta"},
            "uid": "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a", "version": "1.3.0"},
        "src_endpoint": {"ip": "10.0.0.1"}, "time": 1723564700, "time_dt": "2024-08-13T15:58:20.000Z",
        "user": {"email_addr": "john.doe@example.com", "name": "John Doe", "type": "User", "type_id": 1,
            "uid": "00uttidj01jqL21aM1d6"}
    });
    let s = one(&ev);
    assert_eq!(get(&s, Col::Source).as_deref(), Some("ocsf"));
    assert_eq!(get(&s, Col::Provider).as_deref(), Some("okta"));
    assert_eq!(get(&s, Col::Service).as_deref(), Some("Okta System Log"));
    assert_eq!(get(&s, Col::Time).as_deref(), Some("2024-08-13T15:58:20Z"));
    assert_eq!(get(&s, Col::Action).as_deref(), Some("user.sesion.start"));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("john.doe@example.com")
    );
    assert_eq!(get(&s, Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(get(&s, Col::SourceIp).as_deref(), Some("10.0.0.1"));
    assert_eq!(get(&s, Col::Outcome).as_deref(), Some("success"));
    // The user who signed in is the identity: not an asset of their own sign-in.
    assert_eq!(get(&s, Col::Asset), None);
}

/// A Security Lake Route 53 resolver query (OCSF 1.1 DNS Activity 4003), written from the OCSF schema: no public
/// sample.
#[test]
fn route53_dns_activity_names_the_instance_and_the_query() {
    let ev = json!({
        "class_uid": 4003, "activity_id": 1, "time": 1759630380000_i64, "rcode": "NoError",
        "metadata": {"product": {"name": "Route 53", "vendor_name": "AWS", "version": "1.100000"}, "version": "1.1.0"},
        "cloud": {"account": {"uid": "111122223333"}, "region": "us-east-1", "provider": "AWS"},
        "query": {"hostname": "exfil.example.net.", "type": "A", "class": "IN"},
        "src_endpoint": {"ip": "10.0.1.7", "instance_uid": "i-0abc", "vpc_uid": "vpc-1"}
    });
    let s = one(&ev);
    assert_eq!(get(&s, Col::Source).as_deref(), Some("ocsf"));
    assert_eq!(get(&s, Col::Provider).as_deref(), Some("aws"));
    assert_eq!(get(&s, Col::Service).as_deref(), Some("Route 53"));
    assert_eq!(get(&s, Col::Identity).as_deref(), Some("i-0abc"));
    assert_eq!(get(&s, Col::Asset).as_deref(), Some("exfil.example.net."));
    assert_eq!(get(&s, Col::AssetKind).as_deref(), Some("dns_name"));
    assert_eq!(get(&s, Col::Account).as_deref(), Some("111122223333"));
}

#[test]
fn a_bad_event_is_reported_with_its_line_and_the_others_load() {
    let good = api_activity_1_1().to_string();
    let mut no_time = api_activity_1_1();
    no_time.as_object_mut().unwrap().remove("time");
    no_time.as_object_mut().unwrap().remove("time_dt");
    let mut bad_time = api_activity_1_1();
    bad_time["time"] = json!("yesterday");
    bad_time.as_object_mut().unwrap().remove("time_dt");
    let text = format!("{good}\n{{\"class_uid\": 6003, \n{no_time}\n{bad_time}\n{good}\n");
    let s = load("lake.jsonl", &text);
    assert_eq!(s.files[0].format, "ocsf");
    assert_eq!(s.report.error_count, 3, "{:?}", s.report.errors);
    assert_eq!(
        s.len(),
        1,
        "the two good lines are one event (same event id)"
    );
    assert_eq!(s.report.duplicates, 1);
    let origins: Vec<&str> = s.report.errors.iter().map(|e| e.origin.as_str()).collect();
    assert_eq!(origins, ["lake.jsonl:2", "lake.jsonl:3", "lake.jsonl:4"]);
    let msgs: Vec<&str> = s.report.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(msgs[0].contains("malformed record"), "{msgs:?}");
    assert!(msgs[1].contains("no time or time_dt"), "{msgs:?}");
    assert!(msgs[2].contains("\"yesterday\" is not a time"), "{msgs:?}");
}

#[test]
fn other_records_in_a_mixed_file_go_to_their_own_format() {
    let ct = r#"{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/ci","accessKeyId":"AKIANATIVE"},"eventID":"native-1"}"#;
    let text = format!("{}\n{ct}\n{{\"hello\":1}}\n", api_activity_1_1());
    let s = load("mixed.jsonl", &text);
    assert_eq!(s.files[0].format, "ocsf");
    assert_eq!(s.len(), 2);
    assert_eq!(s.report.error_count, 1, "{:?}", s.report.errors);
    assert_eq!(s.report.errors[0].origin, "mixed.jsonl:3");
    let r = FrameReader::new(&s.frame).unwrap();
    let tokens: Vec<_> = (0..2).filter_map(|i| r.text(Col::Token, i)).collect();
    assert!(tokens.contains(&"AKIANATIVE"), "{tokens:?}");
}

#[test]
fn trailing_commas_load_leniently_and_say_so() {
    // The OCSF project's v1.5.0 samples end members with a comma before `}`: not JSON, but the event is whole.
    let text = "{\n  \"class_uid\": 6003,\n  \"time\": 1695334972000,\n  \"metadata\": {\"product\": {\"name\": \"CloudTrail\"}, \"uid\": \"e1\", \"version\": \"1.5.0\"},\n  \"api\": {\"operation\": \"GetObject\", \"service\": {\"name\": \"s3.amazonaws.com\"},},\n  \"actor\": {\"user\": {\"type\": \"IAMUser\", \"uid\": \"arn:aws:iam::1:user/a, b\", \"credential_uid\": \"AKIAEXAMPLE\"}},\n  \"note\": \"a comma, } inside a string stays\",\n}\n";
    let s = load("sample.ocsf", text);
    assert_eq!(s.files[0].format, "ocsf");
    assert_eq!(s.len(), 1);
    assert_eq!(get(&s, Col::Token).as_deref(), Some("AKIAEXAMPLE"));
    assert_eq!(
        get(&s, Col::Identity).as_deref(),
        Some("arn:aws:iam::1:user/a, b")
    );
    assert_eq!(s.report.error_count, 1, "{:?}", s.report.errors);
    assert_eq!(s.report.errors[0].origin, "sample.ocsf[0]");
    assert!(s.report.errors[0].message.contains("trailing comma"));
}

#[test]
fn sniffing_in_both_directions() {
    let ocsf = super::Ocsf;
    // Native CloudTrail, Kubernetes and GCP records are not OCSF.
    for native in [
        r#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1"}]}"#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get"}"#,
        r#"{"protoPayload":{"methodName":"x"},"insertId":"i","timestamp":"2026-10-05T02:13:00Z","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity"}"#,
    ] {
        assert!(!ocsf.sniff(&Probe::new("n.json", native)), "{native}");
    }
    // No other format claims an OCSF event: OCSF is first, and the native formats do not match it alone.
    let text = api_activity_1_1().to_string();
    let probe = Probe::new("o.json", &text);
    for f in registry().iter().filter(|f| f.id() != "ocsf") {
        assert!(!f.sniff(&probe), "{} claims an OCSF event", f.id());
    }
    assert_eq!(
        registry().iter().find(|f| f.sniff(&probe)).map(|f| f.id()),
        Some("ocsf")
    );
}
