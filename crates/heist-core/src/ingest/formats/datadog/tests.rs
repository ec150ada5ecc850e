//! Datadog publishes no export of CloudTrail logs: these records are written by Datadog's documented shapes (the Logs
//! API v1 and v2 responses, Log Archives lines) and its CloudTrail pipeline's remaps to standard attributes
//! (`network.client.ip`, `http.useragent`, `evt.name`, `evt.outcome`, `usr.*`).

use serde_json::{json, Value};

use super::*;
use crate::frame::Col;
use crate::ingest::formats::reexport::testkit::*;
use crate::ingest::formats::registry;

/// `CT_GET`'s attributes after Datadog's CloudTrail pipeline: eventTime, sourceIPAddress, userAgent and eventName
/// moved to the log's time and standard attributes.
fn attributes() -> Value {
    let mut a: Value = serde_json::from_str(CT_GET).unwrap();
    let o = a.as_object_mut().unwrap();
    for k in ["eventTime", "sourceIPAddress", "userAgent", "eventName"] {
        o.remove(k);
    }
    o.insert(
        "evt".into(),
        json!({"name":"GetObject","outcome":"Success"}),
    );
    o.insert(
        "network".into(),
        json!({"client":{"ip":"198.51.100.77","geoip":{"country":{"iso_code":"US"}}}}),
    );
    o.insert(
        "http".into(),
        json!({"useragent":"aws-cli/2.17.0","useragent_details":{"browser":{"family":"Other"}}}),
    );
    o.insert(
        "usr".into(),
        json!({"id":"arn:aws:iam::111122223333:user/ci","name":"ci"}),
    );
    a
}

fn check(s: &crate::frame::EventStore, r: usize) {
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
    assert_eq!(
        cell(s, Col::Token, r).as_deref(),
        Some("AKIAQ3EXAMPLESTOLEN")
    );
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
    assert_eq!(cell(s, Col::EventId, r).as_deref(), Some("EV1"));
}

#[test]
fn logs_api_pages_and_archive_lines() {
    let v2 = json!({"data":[{"id":"AQAAAZ","type":"log","attributes":{"timestamp":"2026-10-05T02:13:00.000Z",
        "host":"cloudtrail","service":"cloudtrail","status":"info","message":"",
        "tags":["source:cloudtrail","region:us-east-1"],"attributes":attributes()}}],
        "links":{"next":"https://api.datadoghq.com/api/v2/logs/events?page[cursor]=x"},"meta":{"page":{"after":"x"},"status":"done"}});
    let v1 = json!({"logs":[{"id":"AQAAAZ","content":{"timestamp":"2026-10-05T02:13:00.000Z","host":"cloudtrail",
        "service":"cloudtrail","message":"","tags":["source:cloudtrail"],"attributes":attributes()}}],"nextLogId":null,"status":"done"});
    let archive = json!({"_id":"AQAAAZ","date":"2026-10-05T02:13:00.000Z","host":"cloudtrail","source":"cloudtrail",
        "service":"cloudtrail","status":"info","message":"","attributes":attributes(),"tags":["source:cloudtrail"]});
    // An export of the attributes alone, the time kept as Datadog's epoch milliseconds.
    let mut flat = attributes();
    flat["timestamp"] = json!(1_791_166_380_000i64);
    for (name, text) in [
        ("v2", serde_json::to_string_pretty(&v2).unwrap()),
        ("v1", v1.to_string()),
        ("archive", format!("{archive}\n{archive}\n")),
        ("flat", json!([flat]).to_string()),
    ] {
        let s = load("dd.json", &text);
        assert_eq!(s.report.error_count, 0, "{name}: {:?}", s.report.errors);
        assert_eq!(s.files[0].format, "datadog", "{name}");
        // The archive's two identical lines are one event.
        assert_eq!(s.len(), 1, "{name}");
        check(&s, 0);
    }
}

#[test]
fn outcomes_identity_fallbacks_and_the_message_record() {
    let mut failed = attributes();
    failed["evt"]["outcome"] = json!("failure");
    failed["eventID"] = json!("EV2");
    let mut denied = attributes();
    denied["error"] = json!({"kind":"AccessDenied","message":"not authorized"});
    denied["eventID"] = json!("EV3");
    let mut no_arn = attributes();
    no_arn["userIdentity"]
        .as_object_mut()
        .unwrap()
        .remove("arn");
    no_arn["userIdentity"]
        .as_object_mut()
        .unwrap()
        .remove("userName");
    no_arn["usr"] = json!({"name":"ci-bot"});
    no_arn["eventID"] = json!("EV4");
    let with_message = json!({"_id":"m","date":"2026-11-01T00:00:00.000Z","message":CT_ASSUME,
        "attributes":{"eventSource":"sts.amazonaws.com","evt":{"name":"AssumeRole"}}});
    let log = |a: Value| json!({"_id":"x","date":"2026-10-05T02:13:00.000Z","attributes":a});
    let text = [log(failed), log(denied), log(no_arn), with_message]
        .iter()
        .map(|v| format!("{v}\n"))
        .collect::<String>();
    let s = load("archive.json", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 4);
    let by_id = |id: &str| {
        (0..s.len())
            .find(|&r| cell(&s, Col::EventId, r).as_deref() == Some(id))
            .unwrap()
    };
    assert_eq!(
        cell(&s, Col::Outcome, by_id("EV2")).as_deref(),
        Some("failure")
    );
    assert_eq!(
        cell(&s, Col::ErrorCode, by_id("EV2")).as_deref(),
        Some("failure")
    );
    assert_eq!(
        cell(&s, Col::ErrorCode, by_id("EV3")).as_deref(),
        Some("AccessDenied")
    );
    assert_eq!(
        cell(&s, Col::Identity, by_id("EV4")).as_deref(),
        Some("ci-bot")
    );
    // The message's own record, with its own time and minted key.
    let m = by_id("EV0");
    assert_eq!(
        cell(&s, Col::Time, m).as_deref(),
        Some("2026-10-05T02:10:00Z")
    );
    assert_eq!(
        cell(&s, Col::MintedToken, m).as_deref(),
        Some("ASIAQ3EXAMPLESESSION")
    );
    assert_eq!(cell(&s, Col::Line, m).as_deref(), Some("4"));
}

#[test]
fn a_log_that_is_not_cloudtrail_is_an_error_and_the_rest_load() {
    let text = format!(
        "{}\n{}\n{}\n",
        json!({"_id":"a","date":"2026-10-05T02:13:00.000Z","attributes":attributes()}),
        json!({"_id":"b","date":"2026-10-05T02:13:00.000Z","attributes":{"http":{"useragent":"x"},"eventSource":"s3.amazonaws.com"}}),
        json!({"_id":"c","date":"2026-10-05T02:13:00.000Z","attributes":{"duration":12,"http":{"useragent":"x"}}}),
    );
    let s = load("archive.json", &text);
    assert_eq!(s.len(), 1);
    check(&s, 0);
    let errors: Vec<_> = s
        .report
        .errors
        .iter()
        .map(|e| (e.origin.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, "archive.json:3");
    assert!(errors[0].1.contains("no CloudTrail fields"));
    // Line 2 names CloudTrail's missing event name.
    assert_eq!(errors[1].0, "archive.json:2");
    assert!(errors[1].1.contains("no eventName"), "{errors:?}");
}

#[test]
fn sniffing_goes_both_ways() {
    let claimer = |text: &str| {
        let p = Probe::new("f", text);
        registry().iter().find(|f| f.sniff(&p)).map(|f| f.id())
    };
    // Datadog before CloudTrail: attributes with CloudTrail's top-level fields beside Datadog's are Datadog's.
    let mut flat = attributes();
    flat["eventTime"] = json!("2026-10-05T02:13:00Z");
    assert_eq!(claimer(&format!("{flat}\n{flat}\n")), Some("datadog"));
    // Datadog takes none of the native records, nor a Splunk result or an Elastic document.
    for other in [
        CT_GET.to_string(),
        format!("{{\"Records\":[{CT_GET}]}}"),
        GCP_GET.to_string(),
        AZURE_LISTKEYS.to_string(),
        k8s("ResponseComplete", "a"),
        json!({"_raw":CT_GET,"_time":"x"}).to_string(),
        json!({"@timestamp":"t","event":{"original":CT_GET},"aws":{"cloudtrail":{"event_version":"1.09"}}})
            .to_string(),
    ] {
        assert!(!Datadog.sniff(&Probe::new("f", &other)), "{other}");
    }
}

#[test]
fn cut_short_anywhere_never_panics() {
    let page = json!({"data":[{"id":"a","type":"log","attributes":{"timestamp":"2026-10-05T02:13:00.000Z","attributes":attributes()}}]});
    survives_every_cut("dd.json", &page.to_string());
}
