//! Hand-written documents follow Elastic's ECS CloudTrail, GCP and Azure pipelines (`elastic/integrations`
//! packages) and OpenSearch's SS4O schemas; the real documents of both are read in `tests/it/real_exports.rs`.

use serde_json::{json, Value};

use super::*;
use crate::frame::Col;
use crate::ingest::formats::reexport::testkit::*;
use crate::ingest::formats::registry;

fn lines(docs: &[Value]) -> String {
    docs.iter().map(|d| format!("{d}\n")).collect()
}

/// An Elastic Agent document of `CT_GET`, with or without `event.original`.
fn ecs_get(original: bool) -> Value {
    let mut d = json!({
        "@timestamp":"2026-10-05T02:13:00.000Z",
        "aws":{"cloudtrail":{
            "event_version":"1.09","event_type":"AwsApiCall","event_category":"Data","read_only":true,
            "recipient_account_id":"111122223333","request_id":"REQ1",
            "request_parameters":"{bucketName=acme-models, key=llm/model-00001.safetensors}",
            "additional_eventdata":"{bytesTransferredOut=4938000000, AuthenticationMethod=AuthHeader}",
            "flattened":{"request_parameters":{"bucketName":"acme-models","key":"llm/model-00001.safetensors"}},
            "user_identity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ci","access_key_id":"AKIAQ3EXAMPLESTOLEN"}}},
        "cloud":{"account":{"id":"111122223333"},"provider":"aws","region":"us-east-1"},
        "ecs":{"version":"8.11.0"},
        "event":{"action":"GetObject","provider":"s3.amazonaws.com","outcome":"success","id":"EV1","kind":"event",
            "created":"2026-11-01T00:00:00.000Z"},
        "source":{"address":"198.51.100.77","ip":"198.51.100.77","geo":{"country_iso_code":"US"}},
        "user":{"id":"AIDAEXAMPLE","name":"ci"},
        "user_agent":{"original":"aws-cli/2.17.0","name":"aws-cli"},
        "related":{"ip":["198.51.100.77"]},
        "tags":["forwarded"]});
    if original {
        d["event"]["original"] = json!(CT_GET);
        d["tags"] = json!(["preserve_original_event"]);
    }
    d
}

fn check_get(s: &crate::frame::EventStore, r: usize) {
    assert_eq!(cell(s, Col::Source, r).as_deref(), Some("cloudtrail"));
    assert_eq!(
        cell(s, Col::Time, r).as_deref(),
        Some("2026-10-05T02:13:00Z")
    );
    assert_eq!(cell(s, Col::Action, r).as_deref(), Some("GetObject"));
    assert_eq!(
        cell(s, Col::Identity, r).as_deref(),
        Some("arn:aws:iam::111122223333:user/ci")
    );
    assert_eq!(cell(s, Col::IdentityType, r).as_deref(), Some("human"));
    assert_eq!(
        cell(s, Col::Token, r).as_deref(),
        Some("AKIAQ3EXAMPLESTOLEN")
    );
    assert_eq!(cell(s, Col::TokenKind, r).as_deref(), Some("long_term"));
    assert_eq!(cell(s, Col::SourceIp, r).as_deref(), Some("198.51.100.77"));
    assert_eq!(
        cell(s, Col::UserAgent, r).as_deref(),
        Some("aws-cli/2.17.0")
    );
    assert_eq!(
        cell(s, Col::Asset, r).as_deref(),
        Some("acme-models/llm/model-00001.safetensors")
    );
    assert_eq!(cell(s, Col::Bytes, r).as_deref(), Some("4938000000"));
    assert_eq!(cell(s, Col::AuthMethod, r).as_deref(), Some("AuthHeader"));
    assert_eq!(cell(s, Col::Account, r).as_deref(), Some("111122223333"));
    assert_eq!(cell(s, Col::Region, r).as_deref(), Some("us-east-1"));
    assert_eq!(cell(s, Col::EventId, r).as_deref(), Some("EV1"));
    assert_eq!(cell(s, Col::RequestId, r).as_deref(), Some("REQ1"));
    assert_eq!(cell(s, Col::Outcome, r).as_deref(), Some("success"));
}

#[test]
fn ecs_documents_read_event_original_or_are_rebuilt_alike() {
    for original in [true, false] {
        let s = load("ecs.ndjson", &lines(&[ecs_get(original)]));
        assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
        assert_eq!((s.files[0].format, s.len()), ("elastic", 1));
        check_get(&s, 0);
    }
}

#[test]
fn rebuilt_records_keep_sessions_lineage_and_failures() {
    // Filebeat 7.x: dotted keys, Java-map text only (no flattened objects), no event.original.
    let create_key = json!({"@timestamp":"2020-01-08T20:43:06.000Z",
        "aws.cloudtrail.event_version":"1.05","aws.cloudtrail.recipient_account_id":"0123456789012",
        "aws.cloudtrail.request_parameters":"{userName=Bob}",
        "aws.cloudtrail.response_elements":"{accessKey={accessKeyId=AKIANEWKEYEXAMPLE, userName=Bob, status=Active, createDate=Jan 8, 2020 8:43:06 PM}}",
        "aws.cloudtrail.user_identity.access_key_id":"AKIAALICEKEYEXAMPLE",
        "aws.cloudtrail.user_identity.arn":"arn:aws:iam::0123456789012:user/Alice",
        "aws.cloudtrail.user_identity.type":"IAMUser",
        "cloud.account.id":"0123456789012","cloud.region":"us-east-1",
        "event.action":"CreateAccessKey","event.provider":"iam.amazonaws.com","event.id":"EVK","event.outcome":"success",
        "source.address":"203.0.113.9","user.name":"Alice","user_agent.original":"console.amazonaws.com",
        "fileset.name":"cloudtrail","input.type":"log"});
    // A role session's failed console login, nested.
    let failed_login = json!({"@timestamp":"2014-07-08T17:35:27.000Z",
        "aws":{"cloudtrail":{"event_version":"1.05","error_message":"Failed authentication",
            "response_elements":"{ConsoleLogin=Failure}",
            "user_identity":{"type":"AssumedRole","access_key_id":"ASIASESSIONEXAMPLE",
                "arn":"arn:aws:sts::123456789012:assumed-role/Reader/s",
                "session_context":{"mfa_authenticated":"false","session_issuer":{"type":"Role",
                    "arn":"arn:aws:iam::123456789012:role/Reader","principal_id":"AROAEXAMPLE","account_id":"123456789012"}}}}},
        "cloud":{"account":{"id":"123456789012"},"region":"us-east-2"},
        "event":{"action":"ConsoleLogin","provider":"signin.amazonaws.com","outcome":"failure","id":"EVL"},
        "source":{"address":"89.160.20.156","ip":"89.160.20.156"},"user":{"id":"AROAEXAMPLE:s","name":"Reader"}});
    let s = load("b.json", &json!([create_key, failed_login]).to_string());
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("elastic", 2));
    // Rows are in time order: the 2014 login first.
    assert_eq!(cell(&s, Col::Action, 0).as_deref(), Some("ConsoleLogin"));
    assert_eq!(cell(&s, Col::Outcome, 0).as_deref(), Some("failure"));
    assert_eq!(
        cell(&s, Col::IdentityType, 0).as_deref(),
        Some("role_session")
    );
    assert_eq!(
        cell(&s, Col::Issuer, 0).as_deref(),
        Some("arn:aws:iam::123456789012:role/Reader")
    );
    assert_eq!(cell(&s, Col::TokenKind, 0).as_deref(), Some("session"));
    assert_eq!(cell(&s, Col::Line, 0).as_deref(), Some("1"));

    assert_eq!(cell(&s, Col::Action, 1).as_deref(), Some("CreateAccessKey"));
    assert_eq!(
        cell(&s, Col::Token, 1).as_deref(),
        Some("AKIAALICEKEYEXAMPLE")
    );
    assert_eq!(
        cell(&s, Col::MintedToken, 1).as_deref(),
        Some("AKIANEWKEYEXAMPLE")
    );
    assert_eq!(
        cell(&s, Col::MintedIdentity, 1).as_deref(),
        Some("arn:aws:iam::0123456789012:user/Bob")
    );
    assert_eq!(
        cell(&s, Col::Asset, 1).as_deref(),
        Some("arn:aws:iam::0123456789012:user/Bob")
    );
    assert_eq!(cell(&s, Col::SourceIp, 1).as_deref(), Some("203.0.113.9"));
}

#[test]
fn opensearch_documents_read_the_nested_record_and_the_body_line() {
    let ct: Value = serde_json::from_str(CT_ASSUME).unwrap();
    let docs = json!([
        {"@timestamp":"2023-07-17T08:14:05.000Z","event":{"result":"ACCEPT","name":"cloud_trail","domain":"cloudtrail"},
         "attributes":{"data_stream":{"dataset":"cloudtrail_log","namespace":"production","type":"cloud_trail_logs"}},
         "cloud":{"provider":"aws","account":{"id":"111111111111"},"region":"ap-southeast-2"},
         "aws":{"cloudtrail":ct}},
        {"@timestamp":"2023-07-17T08:14:05.000Z","body":S3_LINE,"event":{"result":"ACCEPT","name":"s3_log","domain":"s3.log"},
         "attributes":{"data_stream":{"dataset":"s3.log","namespace":"production","type":"logs"}},
         "aws":{"s3":{"bucket":"acme-models","remote_ip":"203.0.113.1"}}}
    ]);
    let s = load(
        "samples.json",
        &serde_json::to_string_pretty(&docs).unwrap(),
    );
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("elastic", 2));
    let c = row_of(&s, "cloudtrail");
    // The event's time, not the index's synthetic @timestamp.
    assert_eq!(
        cell(&s, Col::Time, c).as_deref(),
        Some("2026-10-05T02:10:00Z")
    );
    assert_eq!(
        cell(&s, Col::MintedToken, c).as_deref(),
        Some("ASIAQ3EXAMPLESESSION")
    );
    let a = row_of(&s, "s3access");
    // The line's own remote IP, not the document's parsed field.
    assert_eq!(cell(&s, Col::SourceIp, a).as_deref(), Some("198.51.100.77"));
    assert_eq!(cell(&s, Col::Line, a).as_deref(), Some("1"));
}

#[test]
fn shipped_lines_and_every_container() {
    let shipped = json!({"@timestamp":"2026-11-01T00:00:00.000Z","message":CT_ASSUME,"agent":{"type":"filebeat"},
        "log":{"file":{"path":"/var/log/trail.json"}},"input":{"type":"log"}});
    let docs = [ecs_get(true), shipped];
    let hits: Vec<Value> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| json!({"_index":"logs-aws.cloudtrail-default","_id":i.to_string(),"_score":1.0,"_source":d}))
        .collect();
    let shapes = [
        lines(&docs),
        json!(docs).to_string(),
        json!({"took":4,"timed_out":false,"_shards":{"total":1},"hits":{"total":{"value":2},"max_score":1.0,"hits":hits}})
            .to_string(),
        lines(&hits),
        serde_json::to_string_pretty(&json!({ "expected": docs })).unwrap(),
    ];
    for (i, text) in shapes.iter().enumerate() {
        let s = load("docs.json", text);
        assert_eq!(s.report.error_count, 0, "shape {i}: {:?}", s.report.errors);
        assert_eq!((s.files[0].format, s.len()), ("elastic", 2), "shape {i}");
        let tokens = column(&s, Col::Token);
        assert!(
            tokens.contains(&Some("AKIAQ3EXAMPLESTOLEN".into())),
            "shape {i}: {tokens:?}"
        );
        let minted = column(&s, Col::MintedToken);
        assert!(
            minted.contains(&Some("ASIAQ3EXAMPLESESSION".into())),
            "shape {i}"
        );
    }
}

#[test]
fn gcp_and_azure_documents_need_their_original() {
    let gcp = |original: bool| {
        let mut d = json!({"@timestamp":"2026-10-05T03:10:00.123Z","ecs":{"version":"8.11.0"},
            "gcp":{"audit":{"method_name":"storage.objects.get","service_name":"storage.googleapis.com"}},
            "event":{"action":"storage.objects.get","outcome":"success"},"source":{"ip":"198.51.100.77"}});
        if original {
            d["event"]["original"] = json!(GCP_GET);
        }
        d
    };
    let azure = |original: bool| {
        let mut d = json!({"@timestamp":"2026-10-05T04:10:00.000Z","ecs":{"version":"8.11.0"},
            "azure":{"activitylogs":{"operation_name":"MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION"}},
            "event":{"action":"MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION"}});
        if original {
            d["event"]["original"] = json!(AZURE_LISTKEYS);
        }
        d
    };
    let degenerate = json!({"@timestamp":"2021-11-11T01:02:03.123456789Z","cloud":{"provider":"aws"},
        "ecs":{"version":"8.11.0"},"event":{"kind":"event","outcome":"success"},"tags":["preserve_original_event"]});
    let text = lines(&[
        gcp(true),
        azure(true),
        gcp(false),
        azure(false),
        degenerate,
        ecs_get(true),
    ]);
    let s = load("mixed.ndjson", &text);
    assert_eq!(s.files[0].format, "elastic");
    assert_eq!(s.len(), 3);
    assert_eq!(
        cell(&s, Col::SourceIp, row_of(&s, "gcp")).as_deref(),
        Some("198.51.100.77")
    );
    assert_eq!(cell(&s, Col::Line, row_of(&s, "gcp")).as_deref(), Some("1"));
    assert_eq!(
        cell(&s, Col::Line, row_of(&s, "azure")).as_deref(),
        Some("2")
    );
    check_get(&s, row_of(&s, "cloudtrail"));
    let errors: Vec<_> = s
        .report
        .errors
        .iter()
        .map(|e| (e.origin.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].0, "mixed.ndjson:3");
    assert!(errors[0]
        .1
        .contains("gcp.audit document without event.original"));
    assert_eq!(errors[1].0, "mixed.ndjson:4");
    assert!(errors[1]
        .1
        .contains("azure document without event.original"));
    assert_eq!(errors[2].0, "mixed.ndjson:5");
    assert!(errors[2].1.contains("nothing in this document to read"));
}

#[test]
fn sniffing_goes_both_ways() {
    let claimer = |text: &str| {
        let p = Probe::new("f", text);
        registry().iter().find(|f| f.sniff(&p)).map(|f| f.id())
    };
    // A Logstash-stamped CloudTrail record stays CloudTrail's.
    let mut stamped: Value = serde_json::from_str(CT_GET).unwrap();
    stamped["@timestamp"] = json!("2026-10-05T02:13:00.000Z");
    stamped["@version"] = json!("1");
    stamped["message"] = json!(CT_GET);
    assert_eq!(claimer(&stamped.to_string()), Some("cloudtrail"));
    // Elastic documents go to elastic, whatever they carry.
    for doc in [
        ecs_get(true),
        ecs_get(false),
        json!({"@timestamp":"t","gcp.audit.method_name":"x","event.original":GCP_GET}),
        json!({"@timestamp":"t","azure":{"signinlogs":{}},"event":{"original":AZURE_LISTKEYS}}),
        json!({"@timestamp":"t","body":S3_LINE,"attributes":{"data_stream":{"type":"logs"}}}),
        json!({"@timestamp":"t","message":"{}","agent":{"type":"filebeat"}}),
    ] {
        assert_eq!(
            claimer(&format!("{doc}\n{doc}\n")),
            Some("elastic"),
            "{doc}"
        );
    }
    // Elastic takes none of the native records.
    for native in [
        CT_GET,
        GCP_GET,
        AZURE_LISTKEYS,
        &k8s("ResponseComplete", "a"),
        S3_LINE,
    ] {
        assert!(!Elastic.sniff(&Probe::new("f", native)), "{native}");
    }
}

#[test]
fn cut_short_anywhere_never_panics() {
    let docs =
        json!({"took":1,"hits":{"hits":[{"_source":ecs_get(false)},{"_source":ecs_get(true)}]}});
    survives_every_cut("search.json", &serde_json::to_string_pretty(&docs).unwrap());
}
