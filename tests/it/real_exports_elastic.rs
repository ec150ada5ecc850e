//! Elastic / OpenSearch documents, shipped records, and real CloudTrail records re-exported to the shapes that have
//! no public example (Splunk, Datadog, Athena, pandas, the console's CSV).
//! Read from `../shared/datasets/siem-exports` (never copied here); rows pinned exactly.

use std::path::{Path, PathBuf};

use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::{load, LoadOptions, Progress};
use serde_json::Value;

use crate::common::real_data;
use crate::reexport_shapes::*;

const ECS: &str = "siem-exports/elastic-ecs";
const OPENSEARCH: &str = "siem-exports/opensearch-catalog/integrations/observability";

fn load_with(path: &Path, dedupe: bool) -> EventStore {
    let opts = LoadOptions {
        dedupe,
        ..LoadOptions::default()
    };
    load(&[path.to_path_buf()], &opts, &Progress::default()).unwrap()
}

fn load_file(path: &Path) -> EventStore {
    load_with(path, true)
}

/// The chosen columns of every row, in frame (time) order; `-` for null.
fn cells(s: &EventStore, cols: &[Col]) -> Vec<Vec<String>> {
    let r = FrameReader::new(&s.frame).unwrap();
    (0..s.len())
        .map(|i| {
            cols.iter()
                .map(|c| r.display(*c, i).unwrap_or_else(|| "-".into()))
                .collect()
        })
        .collect()
}

/// `got` and `want` hold the same rows over `cols` (time first: rows of one instant may come in either order);
/// a difference is named by row and column.
fn assert_same_cells(got: &EventStore, want: &EventStore, cols: &[Col], what: &str) {
    let (mut g, mut w) = (cells(got, cols), cells(want, cols));
    g.sort();
    w.sort();
    assert_eq!(g.len(), w.len(), "{what}: rows");
    for (i, (gr, wr)) in g.iter().zip(&w).enumerate() {
        for (j, c) in cols.iter().enumerate() {
            assert_eq!(gr[j], wr[j], "{what}: row {i} column {}", c.name());
        }
    }
}

fn column(s: &EventStore, c: Col) -> Vec<String> {
    cells(s, &[c])
        .into_iter()
        .map(|mut v| v.remove(0))
        .collect()
}

fn count(s: &EventStore, c: Col, value: &str) -> usize {
    column(s, c).iter().filter(|v| *v == value).count()
}

fn only_format(s: &EventStore, format: &str) {
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    for f in &s.files {
        assert_eq!(f.format, format, "{}", f.origin);
    }
}

const ROW: &[Col] = &[
    Col::Time,
    Col::Source,
    Col::Action,
    Col::Outcome,
    Col::ErrorCode,
    Col::Identity,
    Col::IdentityType,
    Col::Token,
    Col::SourceIp,
    Col::Asset,
    Col::MintedToken,
];

fn row(v: [&str; 11]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn elastic_agent_cloudtrail_documents() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d.join(format!(
        "{ECS}/integrations/aws_cloudtrail__test-console-login-json.log-expected.json"
    )));
    only_format(&s, "elastic");
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    // The failed logins of JaneDoe and of a role session share one eventID and time, but they are two calls by
    // two principals: two events (an id reused for other content is not a duplicate).
    assert_eq!((s.len(), s.report.duplicates), (3, 0));
    assert_eq!(
        cells(&s, ROW),
        [
            row([
                "2014-07-08T17:35:27Z",
                "cloudtrail",
                "ConsoleLogin",
                "failure",
                "ConsoleLoginFailure",
                "arn:aws:iam::111122223333:user/JaneDoe",
                "human",
                "-",
                "89.160.20.156",
                "-",
                "-"
            ]),
            row([
                "2014-07-08T17:35:27Z",
                "cloudtrail",
                "ConsoleLogin",
                "failure",
                "ConsoleLoginFailure",
                "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName",
                "role_session",
                "AKIAIOSFODNN7EXAMPLE",
                "89.160.20.156",
                "-",
                "-"
            ]),
            row([
                "2014-07-16T15:49:27Z",
                "cloudtrail",
                "ConsoleLogin",
                "success",
                "-",
                "arn:aws:iam::111122223333:user/JohnDoe",
                "human",
                "-",
                "89.160.20.156",
                "-",
                "-"
            ]),
        ]
    );

    let rel = format!(
        "{ECS}/integrations/aws_cloudtrail__test-copy-object-json-minimal.log-expected.json"
    );
    let s = load_file(&d.join(&rel));
    only_format(&s, "elastic");
    assert_eq!(s.len(), 1);
    // The second document was made from a line that was not CloudTrail: nothing in it to read.
    assert_eq!(s.report.error_count, 1);
    let e = &s.report.errors[0];
    assert!(
        e.origin
            .ends_with("copy-object-json-minimal.log-expected.json[1]"),
        "{e:?}"
    );
    assert!(
        e.message.contains("nothing in this document to read"),
        "{e:?}"
    );
    assert_eq!(
        cells(&s, ROW),
        [row([
            "2024-10-08T12:24:16Z",
            "cloudtrail",
            "CopyObject",
            "success",
            "-",
            "arn:aws:iam::000000000:user/test@elastic.co",
            "human",
            "ACCESSKEYID",
            "216.160.83.56",
            "elastic-cspm-cloudtrail-test-bucket/test-copy-object/README.md",
            "-"
        ])]
    );
    assert_eq!(column(&s, Col::Bytes), ["224"]);
    assert_eq!(column(&s, Col::AuthMethod), ["AuthHeader"]);

    let s = load_file(&d.join(format!(
        "{ECS}/integrations/aws_cloudtrail__test-get-secret-value-json.log-expected.json"
    )));
    only_format(&s, "elastic");
    assert_eq!((s.len(), s.report.error_count), (1, 0));
    assert_eq!(
        cells(&s, ROW),
        [row([
            "2024-10-11T08:55:23Z",
            "cloudtrail",
            "GetSecretValue",
            "success",
            "-",
            "arn:aws:iam::000000000:user/test@elastic.co",
            "human",
            "ACCESSKEYID",
            "216.160.83.56",
            "arn:aws:secretsmanager:us-east-1:000000000:secret:MyTestSecret-nxYStj",
            "-"
        ])]
    );
    assert_eq!(column(&s, Col::AssetKind), ["secret"]);
}

#[test]
fn filebeat_flattened_documents() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d.join(format!(
        "{ECS}/beats/filebeat_aws_cloudtrail__console-login-json.log-expected.json"
    )));
    only_format(&s, "elastic");
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.len(), s.report.duplicates), (3, 0));
    assert_eq!(
        cells(&s, ROW),
        [
            row([
                "2014-07-08T17:35:27Z",
                "cloudtrail",
                "ConsoleLogin",
                "failure",
                "ConsoleLoginFailure",
                "arn:aws:iam::111122223333:user/JaneDoe",
                "human",
                "-",
                "192.0.2.100",
                "-",
                "-"
            ]),
            row([
                "2014-07-08T17:35:27Z",
                "cloudtrail",
                "ConsoleLogin",
                "failure",
                "ConsoleLoginFailure",
                "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName",
                "role_session",
                "AKIAIOSFODNN7EXAMPLE",
                "192.0.2.100",
                "-",
                "-"
            ]),
            row([
                "2014-07-16T15:49:27Z",
                "cloudtrail",
                "ConsoleLogin",
                "success",
                "-",
                "arn:aws:iam::111122223333:user/JohnDoe",
                "human",
                "-",
                "192.0.2.110",
                "-",
                "-"
            ]),
        ]
    );

    let s = load_file(&d.join(format!(
        "{ECS}/beats/filebeat_aws_cloudtrail__create-access-key-json.log-expected.json"
    )));
    only_format(&s, "elastic");
    assert_eq!((s.len(), s.report.error_count), (1, 0));
    assert_eq!(
        cells(&s, ROW),
        [row([
            "2020-01-08T20:43:06Z",
            "cloudtrail",
            "CreateAccessKey",
            "success",
            "-",
            "arn:aws:iam::0123456789012:user/Alice",
            "human",
            "EXAMPLE_KEY",
            "127.0.0.1",
            "arn:aws:iam::0123456789012:user/Bob",
            "EXAMPLE_KEY_ID"
        ])]
    );
    assert_eq!(
        column(&s, Col::MintedIdentity),
        ["arn:aws:iam::0123456789012:user/Bob"]
    );
}

/// Every ECS document of a file with `event.original` taken out (nested or dotted).
fn without_original(path: &Path) -> String {
    fn strip(v: &mut Value) {
        match v {
            Value::Array(a) => a.iter_mut().for_each(strip),
            Value::Object(m) => {
                m.remove("event.original");
                if let Some(Value::Object(e)) = m.get_mut("event") {
                    e.remove("original");
                }
                if let Some(x) = m.get_mut("expected") {
                    strip(x);
                }
            }
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    strip(&mut v);
    serde_json::to_string_pretty(&v).unwrap()
}

/// The answer columns an ECS document without its original still carries.
const REBUILT: &[Col] = &[
    Col::Time,
    Col::Source,
    Col::Provider,
    Col::Service,
    Col::Action,
    Col::Outcome,
    Col::ErrorCode,
    Col::Account,
    Col::Region,
    Col::Identity,
    Col::IdentityType,
    Col::Issuer,
    Col::Token,
    Col::TokenKind,
    Col::SourceIp,
    Col::UserAgent,
    Col::Asset,
    Col::AssetKind,
    Col::AuthMethod,
    Col::MintedToken,
    Col::MintedIdentity,
    Col::Bytes,
    Col::RequestId,
    Col::EventId,
];

#[test]
fn ecs_documents_without_event_original_rebuild_the_same_events() {
    let Some(d) = real_data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // Filebeat 7.x's module kept no requestID outside event.original.
    let no_request_id: Vec<Col> = REBUILT
        .iter()
        .copied()
        .filter(|c| *c != Col::RequestId)
        .collect();
    for (rel, cols) in [
        (
            "integrations/aws_cloudtrail__test-console-login-json.log-expected.json",
            REBUILT,
        ),
        (
            "integrations/aws_cloudtrail__test-copy-object-json-minimal.log-expected.json",
            REBUILT,
        ),
        (
            "integrations/aws_cloudtrail__test-get-secret-value-json.log-expected.json",
            REBUILT,
        ),
        (
            "beats/filebeat_aws_cloudtrail__console-login-json.log-expected.json",
            &no_request_id[..],
        ),
        (
            "beats/filebeat_aws_cloudtrail__create-access-key-json.log-expected.json",
            &no_request_id[..],
        ),
    ] {
        let path = d.join(ECS).join(rel);
        let stripped = tmp.path().join(path.file_name().unwrap());
        std::fs::write(&stripped, without_original(&path)).unwrap();
        let (want, got) = (load_with(&path, false), load_with(&stripped, false));
        only_format(&got, "elastic");
        assert_eq!(got.report.error_count, want.report.error_count, "{rel}");
        assert_same_cells(&got, &want, cols, rel);
    }
}

#[test]
fn opensearch_cloudtrail_documents() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d.join(format!("{OPENSEARCH}/aws_cloudtrail/data/samples.json")));
    only_format(&s, "elastic");
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.len(), s.report.duplicates), (50, 0));
    // The records' own times, never the documents' synthetic 2023 @timestamp.
    let times = column(&s, Col::Time);
    assert_eq!(times.first().unwrap(), "2021-12-02T22:11:17Z");
    assert_eq!(times.last().unwrap(), "2021-12-02T22:12:03Z");
    assert_eq!(count(&s, Col::Source, "cloudtrail"), 50);
    for (action, n) in [
        ("GetBucketLocation", 16),
        ("AssumeRole", 8),
        ("GetTopicAttributes", 4),
        ("Decrypt", 3),
        ("SendCommand", 1),
    ] {
        assert_eq!(count(&s, Col::Action, action), n, "{action}");
    }
    assert_eq!(count(&s, Col::IdentityType, "role_session"), 38);
    assert_eq!(count(&s, Col::IdentityType, "service"), 12);
    assert_eq!(count(&s, Col::TokenKind, "session"), 35);
    // Services named where an address belongs are not addresses.
    assert_eq!(count(&s, Col::SourceService, "AWS Internal"), 19);
    assert_eq!(count(&s, Col::SourceService, "config.amazonaws.com"), 17);
    assert_eq!(count(&s, Col::SourceIp, "AWS Internal"), 0);
    assert_eq!(count(&s, Col::SourceIp, "54.73.36.57"), 1);
    assert_eq!(count(&s, Col::Outcome, "success"), 50);
    let minted: Vec<String> = column(&s, Col::MintedToken)
        .into_iter()
        .filter(|m| m != "-")
        .collect();
    assert_eq!(minted.len(), 8);
    assert!(
        minted.iter().all(|m| m.starts_with("ASIAVBW53AN5")),
        "{minted:?}"
    );
    let send = cells(&s, &[Col::Action, Col::Identity, Col::Token])
        .into_iter()
        .find(|r| r[0] == "SendCommand")
        .unwrap();
    assert_eq!(
        send[1],
        "arn:aws:sts::345678901234:assumed-role/LogHub-LogHubInstanceMetaAPIInstanceAgentStatusHan-1MBVWRVD11MZY/LogHub-LogHubInstanceMetaAPIInstanceAgentStatusHan-czSef9qts2To"
    );
    assert_eq!(send[2], "ASIAVBW53AN5KXKBYXWC");
}

#[test]
fn opensearch_raw_sample_with_masked_identifiers() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d.join(format!("{OPENSEARCH}/aws_cloudtrail/data/raw-sample.json")));
    // A raw record, masked in place: CloudTrail's, and it loads whole.
    only_format(&s, "cloudtrail");
    assert_eq!((s.len(), s.report.error_count), (1, 0));
    assert_eq!(
        cells(
            &s,
            &[
                Col::Time,
                Col::Action,
                Col::Identity,
                Col::IdentityType,
                Col::Issuer,
                Col::Token,
                Col::TokenKind,
                Col::SourceIp,
                Col::Account,
                Col::Region
            ]
        ),
        [row10([
            "2024-05-22T06:35:54Z",
            "ListDomainNames",
            "arn***/assumed-role/AwsSecurityAudit/Palisade",
            "role_session",
            "arn***/AwsSecurityAudit",
            "ASIA2***",
            "session",
            "30.*.0.210",
            "700***",
            "ap-northeast-1"
        ])]
    );
}

fn row10(v: [&str; 10]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn opensearch_s3_access_documents_and_raw_lines() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d.join(format!("{OPENSEARCH}/amazon_s3/data/sample.json")));
    only_format(&s, "elastic");
    assert_eq!((s.len(), s.report.error_count), (5, 0));
    assert_eq!(count(&s, Col::Source, "s3access"), 5);
    assert_eq!(count(&s, Col::Action, "REST.GET.BUCKET"), 5);
    assert_eq!(
        column(&s, Col::Time),
        [
            "2023-01-31T09:25:20Z",
            "2023-01-31T10:35:30Z",
            "2023-01-31T11:45:40Z",
            "2023-01-31T13:56:00Z",
            "2023-01-31T15:35:45Z"
        ]
    );
    // The IPs of the raw lines in `body` (the documents' parsed `remote_ip` disagree with them).
    assert_eq!(
        column(&s, Col::SourceIp),
        [
            "35.89.52.162",
            "36.99.53.163",
            "37.109.54.164",
            "39.119.56.166",
            "48.129.58.168"
        ]
    );
    assert_eq!(
        column(&s, Col::Identity)[0],
        "arn:aws:sts::347283850106:assumed-role/CentralizedLogging-CustomCDKBucketDeployment8693BB-1X4DVR38SF7ZY/CentralizedLogging-CustomCDKBucketDeployment8693BB-kU6BAxSswmfp"
    );
    assert_eq!(
        column(&s, Col::Asset)[0],
        "centralizedlogging-webconsoleuis3bucket22191f5e-t9bxwwr3d7k"
    );
    assert!(column(&s, Col::Bytes).iter().all(|b| b == "322"));

    let s = load_file(&d.join(format!("{OPENSEARCH}/amazon_s3/data/raw.log")));
    only_format(&s, "s3access");
    assert_eq!((s.len(), s.report.error_count), (18, 0));
    let times = column(&s, Col::Time);
    assert_eq!(
        (times[0].as_str(), times[17].as_str()),
        ("2023-01-31T09:25:21Z", "2023-01-31T09:25:34Z")
    );
}

/// The columns the shapes without a public example are compared on.
const ALL_ANSWERS: &[Col] = &[
    Col::Time,
    Col::Source,
    Col::Provider,
    Col::Service,
    Col::Action,
    Col::Outcome,
    Col::ErrorCode,
    Col::Account,
    Col::Region,
    Col::Identity,
    Col::IdentityType,
    Col::Issuer,
    Col::Caller,
    Col::Token,
    Col::TokenKind,
    Col::SourceIp,
    Col::UserAgent,
    Col::Asset,
    Col::AssetKind,
    Col::AuthMethod,
    Col::MintedToken,
    Col::MintedIdentity,
    Col::RevokedToken,
    Col::Bytes,
    Col::RequestId,
    Col::EventId,
];

/// Splunk, Datadog, Athena, pandas and the console's CSV have no public CloudTrail export: OpenSearch's 50 real
/// CloudTrail records, written in each shape by its vendor's documented layout, load as the records themselves.
#[test]
fn real_cloudtrail_records_in_the_shapes_without_a_public_example() {
    let Some(d) = real_data() else { return };
    let docs: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(d.join(format!("{OPENSEARCH}/aws_cloudtrail/data/samples.json")))
            .unwrap(),
    )
    .unwrap();
    let events: Vec<Value> = docs
        .iter()
        .map(|d| d["aws"]["cloudtrail"].clone())
        .collect();
    assert_eq!(events.len(), 50);
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| -> PathBuf {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let native = load_file(&write(
        "trail.json",
        serde_json::json!({ "Records": events }).to_string(),
    ));
    assert_eq!(native.len(), 50);
    let raws: Vec<Raw> = events
        .iter()
        .map(|e| Raw {
            text: e.to_string(),
            format: "cloudtrail",
        })
        .collect();
    let shapes = [
        (
            "splunk.json",
            raws.iter()
                .map(|r| format!("{}\n", splunk_line(&r.text, r.format)))
                .collect::<String>(),
            "splunk",
        ),
        ("splunk.csv", splunk_csv(&raws), "splunk"),
        (
            "datadog.json",
            events
                .iter()
                .map(|e| format!("{}\n", datadog_line(e)))
                .collect(),
            "datadog",
        ),
        ("athena.csv", athena_csv(&events), "cloudtrail_csv"),
        ("pandas.csv", pandas_csv(&events), "cloudtrail_csv"),
        ("console.csv", console_csv(&events), "cloudtrail_csv"),
    ];
    for (name, text, format) in shapes {
        let s = load_file(&write(name, text));
        only_format(&s, format);
        assert_eq!(s.report.error_count, 0, "{name}: {:?}", s.report.errors);
        assert_same_cells(&s, &native, ALL_ANSWERS, name);
    }
}
