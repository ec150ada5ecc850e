//! Splunk has no public export of CloudTrail to test against: these records follow Splunk's documented export
//! shapes (search/jobs/export JSON lines, the results document, CSV with `_raw`), with `_raw` holding records in
//! their vendors' documented shapes.

use serde_json::json;

use super::*;
use crate::frame::Col;
use crate::ingest::formats::reexport::testkit::*;
use crate::ingest::formats::registry;

fn line(raw: &str, sourcetype: &str) -> String {
    json!({"_time":"2026-10-05T02:13:00.000+00:00","_raw":raw,"host":"ip-10-0-0-1","source":"s3://trail/x.json.gz",
        "sourcetype":sourcetype,"index":"aws","_cd":"12:345","splunk_server":"idx-1"})
    .to_string()
}

#[test]
fn json_lines_read_the_raw_event_with_its_own_format() {
    let text = [
        line(CT_ASSUME, "aws:cloudtrail"),
        line(CT_GET, "aws:cloudtrail"),
        line(S3_LINE, "aws:s3:accesslogs"),
        line(&k8s("RequestReceived", "a1"), "kube:apiserver:audit"),
        line(&k8s("ResponseComplete", "a1"), "kube:apiserver:audit"),
    ]
    .join("\n");
    let s = load("splunk-export.json", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.files[0].format, "splunk");
    // The two Kubernetes stages are one request, as in the apiserver's own file.
    assert_eq!((s.len(), s.report.merged), (4, 1));
    let ct = column(&s, Col::Source);
    assert_eq!(
        ct.iter()
            .filter(|c| c.as_deref() == Some("cloudtrail"))
            .count(),
        2
    );
    let r = (0..s.len())
        .find(|&r| cell(&s, Col::Action, r).as_deref() == Some("GetObject"))
        .unwrap();
    assert_eq!(
        cell(&s, Col::Token, r).as_deref(),
        Some("AKIAQ3EXAMPLESTOLEN")
    );
    assert_eq!(
        cell(&s, Col::Identity, r).as_deref(),
        Some("arn:aws:iam::111122223333:user/ci")
    );
    assert_eq!(cell(&s, Col::SourceIp, r).as_deref(), Some("198.51.100.77"));
    assert_eq!(
        cell(&s, Col::Asset, r).as_deref(),
        Some("acme-models/llm/model-00001.safetensors")
    );
    assert_eq!(
        cell(&s, Col::Time, r).as_deref(),
        Some("2026-10-05T02:13:00Z")
    );
    // Each row is located at its Splunk line, and the raw view shows that line.
    assert_eq!(cell(&s, Col::Line, r).as_deref(), Some("2"));
    let a = (0..s.len())
        .find(|&r| cell(&s, Col::Action, r).as_deref() == Some("AssumeRole"))
        .unwrap();
    assert_eq!(
        cell(&s, Col::MintedToken, a).as_deref(),
        Some("ASIAQ3EXAMPLESESSION")
    );
    let s3 = row_of(&s, "s3access");
    assert_eq!(
        cell(&s, Col::Asset, s3).as_deref(),
        Some("acme-models/llm/model-00002.safetensors")
    );
    assert_eq!(cell(&s, Col::Line, s3).as_deref(), Some("3"));
    let k = row_of(&s, "k8s");
    assert_eq!(cell(&s, Col::Line, k).as_deref(), Some("5"));
    assert_eq!(cell(&s, Col::SourceIp, k).as_deref(), Some("198.51.100.77"));
}

#[test]
fn export_endpoint_lines_and_results_documents() {
    let result = |raw: &str, last: bool| {
        let mut v = json!({"preview":false,"offset":0,"result":{"_raw":raw,"_time":"2026-10-05T02:13:00.000+00:00","sourcetype":"aws:cloudtrail"}});
        if last {
            v["lastrow"] = json!(true);
        }
        v.to_string()
    };
    let text = format!("{}\n{}\n", result(CT_ASSUME, false), result(CT_GET, true));
    let s = load("export.json", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("splunk", 2));

    let doc = json!({"preview":false,"init_offset":0,"messages":[],"fields":[{"name":"_raw"},{"name":"_time"}],
        "results":[{"_raw":CT_ASSUME,"_time":"x"},{"_raw":CT_GET,"_time":"y"}],"highlighted":{}});
    let s = load("results.json", &serde_json::to_string_pretty(&doc).unwrap());
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("splunk", 2));
    // A document's records are numbered by index.
    let r = (0..2)
        .find(|&r| cell(&s, Col::Action, r).as_deref() == Some("GetObject"))
        .unwrap();
    assert_eq!(cell(&s, Col::Line, r).as_deref(), Some("1"));
    assert_eq!(s.origin_label("results.json", 1), "results.json[1]");
}

#[test]
fn csv_exports_with_a_raw_column() {
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(CT_GET).unwrap())
            .unwrap();
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let text = format!(
        "\"_time\",\"_raw\",host,source,sourcetype\r\n\
         \"2026-10-05T02:10:00.000+0000\",{},ip-10-0-0-1,trail,aws:cloudtrail\r\n\
         \"2026-10-05T02:13:00.000+0000\",{},ip-10-0-0-1,trail,aws:cloudtrail\r\n\
         \"2026-10-05T02:14:00.000+0000\",{},ip-10-0-0-1,logs,aws:s3:accesslogs\r\n",
        q(CT_ASSUME),
        q(&pretty),
        q(S3_LINE)
    );
    let s = load("export.csv", &text);
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!((s.files[0].format, s.len()), ("splunk", 3));
    let r = (0..3)
        .find(|&r| cell(&s, Col::Action, r).as_deref() == Some("GetObject"))
        .unwrap();
    assert_eq!(
        cell(&s, Col::Token, r).as_deref(),
        Some("AKIAQ3EXAMPLESTOLEN")
    );
    assert_eq!(cell(&s, Col::Bytes, r).as_deref(), Some("4938000000"));
    // The pretty record spans lines; its row names the line the CSV record starts on.
    assert_eq!(cell(&s, Col::Line, r).as_deref(), Some("3"));
    let after = 3 + pretty.lines().count();
    assert_eq!(
        cell(&s, Col::Line, row_of(&s, "s3access")),
        Some(after.to_string())
    );
}

#[test]
fn records_that_cannot_be_read_are_errors_at_their_line_and_the_rest_load() {
    let text = [
        line(CT_GET, "aws:cloudtrail"),
        json!({"_time":"x","host":"h"}).to_string(),
        line("an application said hello", "app"),
        line(
            &CT_ASSUME.replace("2026-10-05T02:10:00Z", "later"),
            "aws:cloudtrail",
        ),
        json!({"preview":false,"messages":[{"type":"FATAL","text":"Search was cancelled"}]})
            .to_string(),
        "{\"_raw\": ".to_string(),
    ]
    .join("\n");
    let s = load("e.json", &text);
    assert_eq!(s.len(), 1);
    let mut errors: Vec<(String, String)> = s
        .report
        .errors
        .iter()
        .map(|e| (e.origin.clone(), e.message.clone()))
        .collect();
    errors.sort();
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert_eq!(errors[0].0, "e.json:2");
    assert!(errors[0].1.contains("no _raw"), "{errors:?}");
    assert_eq!(errors[1].0, "e.json:3");
    assert!(errors[1].1.contains("not in a format heist reads"));
    assert_eq!(errors[2].0, "e.json:4");
    assert!(errors[2].1.contains("\"later\" is not a timestamp"));
    assert_eq!(errors[3].0, "e.json:5");
    assert!(errors[3].1.contains("Search was cancelled"));
    assert_eq!(errors[4].0, "e.json:6");
}

#[test]
fn sniffing_goes_both_ways() {
    // Splunk before CloudTrail: a result with CloudTrail's fields extracted beside _raw is still a Splunk result.
    let extracted = json!({"_raw":CT_GET,"_time":"x","eventName":"GetObject","eventSource":"s3.amazonaws.com",
        "eventVersion":"1.09","awsRegion":"us-east-1","userIdentity.arn":"arn:aws:iam::111122223333:user/ci"})
    .to_string();
    let claimer = |text: &str| {
        let p = Probe::new("f", text);
        registry().iter().find(|f| f.sniff(&p)).map(|f| f.id())
    };
    assert_eq!(claimer(&extracted), Some("splunk"));
    assert_eq!(claimer("_time,_raw,host\n1,x,h\n"), Some("splunk"));
    // Splunk takes none of the native files.
    for native in [
        CT_GET.to_string(),
        format!("{{\"Records\":[{CT_GET}]}}"),
        format!("{S3_LINE}\n"),
        format!(
            "{}\n{}\n",
            k8s("RequestReceived", "a"),
            k8s("ResponseComplete", "a")
        ),
        "eventTime,eventName,eventSource\n2026-10-05T02:13:00Z,GetObject,s3.amazonaws.com\n".into(),
    ] {
        assert!(!Splunk.sniff(&Probe::new("f", &native)), "{native}");
    }
}

#[test]
fn cut_short_anywhere_never_panics() {
    let lines = format!(
        "{}\n{}\n",
        line(CT_GET, "aws:cloudtrail"),
        line(S3_LINE, "aws:s3:accesslogs")
    );
    survives_every_cut("e.json", &lines);
    survives_every_cut(
        "e.csv",
        &format!("_time,_raw\n1,\"{}\"\n", CT_GET.replace('"', "\"\"")),
    );
}
