//! Sigma rules run natively: rules written here over records built in the real CloudTrail shape (a plain rule, a
//! rule on nested fields, an aggregation, correlations), beside the shipped pack, with their metadata on the
//! findings; the same records wrapped by a SIEM; and a Parquet dataset, which keeps no raw records.

use crate::detect_support::*;

use heist_core::detect::sigma::load_texts;
use heist_core::detect::RuleKind;

const STOP: &str = r#"
title: CloudTrail Stopped
id: 11111111-0000-4000-8000-000000000001
status: test
description: A trail stopped.
references:
    - https://example.org/stop
tags:
    - attack.defense-evasion
    - attack.t1562.008
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - DeleteTrail
    condition: selection
falsepositives:
    - An admin retiring a trail
level: high
"#;

const ROOT: &str = r#"
title: Root Used
id: 11111111-0000-4000-8000-000000000002
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        userIdentity.type: Root
    filter:
        eventType: AwsServiceEvent
    condition: selection and not filter
level: medium
"#;

const BURST: &str = r#"
title: Many Failed Calls From One Address
id: 11111111-0000-4000-8000-000000000003
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        errorCode: AccessDenied
    timeframe: 10m
    condition: selection | count() by sourceIPAddress > 5
level: low
"#;

fn pack_with(texts: &[(&str, &str)]) -> RulePack {
    let load = load_texts(texts);
    assert!(load.skipped.is_empty(), "{:?}", load.skipped);
    let mut pack = RulePack::builtin().unwrap();
    let skipped = pack.add_sigma(load);
    assert!(skipped.is_empty(), "{skipped:?}");
    pack
}

fn sigma_findings(store: &EventStore, pack: &RulePack, id: &str) -> Vec<Finding> {
    detect_store(store, pack, &DetectOptions::default())
        .unwrap()
        .into_iter()
        .filter(|f| f.rule == id)
        .collect()
}

fn incident_trail() -> Trail {
    let admin = user("admin", "AKIAADMIN0000000001");
    let root = user("root", "AKIAROOT00000000001");
    let mut trail = Trail::new();
    let t0 = day1();
    for i in 0..20 {
        trail.call(
            t0 + i * MIN,
            &admin,
            "s3.amazonaws.com",
            "ListBuckets",
            OFFICE,
        );
    }
    trail.call(
        t0 + 30 * MIN,
        &admin,
        "cloudtrail.amazonaws.com",
        "StopLogging",
        EVIL,
    );
    trail.add(
        Call::new(
            t0 + 40 * MIN,
            &root,
            "iam.amazonaws.com",
            "ListUsers",
            EVIL,
            UA,
        )
        .top(
            "userIdentity",
            json!({"type": "Root", "principalId": ACCT, "arn": format!("arn:aws:iam::{ACCT}:root"),
                   "accountId": ACCT, "accessKeyId": "AKIAROOT00000000001"}),
        ),
    );
    for i in 0..7 {
        trail.add(
            Call::new(
                t0 + 50 * MIN + i * SEC,
                &admin,
                "iam.amazonaws.com",
                "ListRoles",
                EVIL,
                UA,
            )
            .error("AccessDenied", "not allowed"),
        );
    }
    for i in 0..3 {
        trail.add(
            Call::new(
                t0 + 50 * MIN + i * SEC,
                &admin,
                "iam.amazonaws.com",
                "ListRoles",
                OFFICE,
                UA,
            )
            .error("AccessDenied", "not allowed"),
        );
    }
    trail
}

#[test]
fn sigma_rules_fire_beside_the_pack_with_their_metadata() {
    let trail = incident_trail();
    let d = trail.on_disk();
    let pack = pack_with(&[("stop.yml", STOP), ("root.yml", ROOT), ("burst.yml", BURST)]);
    let all = detect_store(&d, &pack, &DetectOptions::default()).unwrap();
    // The shipped pack's own rule on the same call still fires.
    assert!(
        all.iter().any(|f| f.rule == "cloudtrail-tampering"),
        "{all:#?}"
    );
    let stop: Vec<&Finding> = all
        .iter()
        .filter(|f| f.rule == "11111111-0000-4000-8000-000000000001")
        .collect();
    assert_eq!(stop.len(), 1, "{all:#?}");
    let f = stop[0];
    assert_eq!(f.title, "CloudTrail Stopped");
    assert_eq!(f.severity, heist_core::detect::Severity::High);
    assert_eq!(f.techniques, vec!["T1562.008"]);
    assert_eq!(f.references, vec!["https://example.org/stop"]);
    assert_eq!(f.falsepositives, vec!["An admin retiring a trail"]);
    assert_eq!(f.events_total, 1);
    assert!(f.explanation.contains("StopLogging"), "{}", f.explanation);
    assert!(
        f.explanation.contains("eventName=StopLogging"),
        "{}",
        f.explanation
    );
    // Nested field, `not`: the root's call.
    let root = sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000002");
    assert_eq!(root.len(), 1, "{root:#?}");
    assert_eq!(root[0].events_total, 1);
    // The aggregation: 7 failures from one address in a minute pass `> 5`; 3 from the office do not.
    let burst = sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000003");
    assert_eq!(burst.len(), 1, "{burst:#?}");
    assert_eq!(burst[0].events_total, 7);
    assert!(
        burst[0]
            .explanation
            .contains(&format!("sourceIPAddress={EVIL}")),
        "{}",
        burst[0].explanation
    );
    // The JSON of a finding carries the rule's references and false positives; a pack finding has none.
    let json = serde_json::to_value(f).unwrap();
    assert_eq!(json["references"][0], "https://example.org/stop");
    let pack_finding = all
        .iter()
        .find(|f| f.rule == "cloudtrail-tampering")
        .unwrap();
    let json = serde_json::to_value(pack_finding).unwrap();
    assert!(json.get("references").is_none());
}

#[test]
fn a_rule_pins_its_event_names_on_the_frame() {
    let load = load_texts(&[("stop.yml", STOP), ("root.yml", ROOT)]);
    let rows = |i: usize| match &load.rules[i].kind {
        RuleKind::Sigma(s) => s.rows.texts().collect::<Vec<_>>().join(" | "),
        _ => panic!("not a Sigma rule"),
    };
    assert_eq!(
        rows(0),
        "provider:aws -source:s3access,bedrock action:StopLogging,DeleteTrail service:cloudtrail.amazonaws.com"
    );
    assert_eq!(rows(1), "provider:aws -source:s3access,bedrock");
}

#[test]
fn records_a_siem_wrapped_match_as_delivered_ones() {
    let trail = incident_trail();
    // Splunk's export: each record as a string under `_raw`.
    let mut text = String::new();
    for r in trail.records() {
        text += &json!({"_time": "x", "sourcetype": "aws:cloudtrail", "_raw": r.to_string()})
            .to_string();
        text.push('\n');
    }
    let d = on_disk("splunk.json", &text);
    assert_eq!(d.len(), trail.records().len(), "{:?}", d.report.errors);
    let pack = pack_with(&[("stop.yml", STOP), ("root.yml", ROOT), ("burst.yml", BURST)]);
    assert_eq!(
        sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000001").len(),
        1
    );
    assert_eq!(
        sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000002").len(),
        1
    );
    assert_eq!(
        sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000003").len(),
        1
    );
}

#[test]
fn without_raw_records_only_rules_on_frame_fields_run() {
    let trail = incident_trail();
    let d = trail.on_disk();
    let memory = d.store_in_memory();
    let pack = pack_with(&[("stop.yml", STOP), ("root.yml", ROOT)]);
    // eventSource and eventName have columns: the rule runs on the frame.
    assert_eq!(
        sigma_findings(&memory, &pack, "11111111-0000-4000-8000-000000000001").len(),
        1
    );
    // userIdentity.type has none: nothing is claimed that was not checked.
    assert!(sigma_findings(&memory, &pack, "11111111-0000-4000-8000-000000000002").is_empty());
}

#[test]
fn correlations_count_and_order_the_events_of_their_rules() {
    let texts = [
        (
            "fail.yml",
            r#"
title: Denied
name: denied_call
id: 11111111-0000-4000-8000-000000000010
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {errorCode: AccessDenied}
    condition: selection
level: low
"#,
        ),
        (
            "root.yml",
            r#"
title: Root List
name: root_list
id: 11111111-0000-4000-8000-000000000011
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {userIdentity.type: Root, eventName: ListUsers}
    condition: selection
level: low
"#,
        ),
        (
            "stop.yml",
            r#"
title: Stop
name: stop
id: 11111111-0000-4000-8000-000000000012
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: StopLogging}
    condition: selection
level: low
"#,
        ),
        (
            "corr.yml",
            r#"
title: Denied Burst
id: 11111111-0000-4000-8000-000000000020
correlation:
    type: event_count
    rules: [denied_call]
    group-by: [sourceIPAddress]
    timespan: 5m
    condition: {gte: 7}
level: high
---
title: Stop Then Root
id: 11111111-0000-4000-8000-000000000021
correlation:
    type: temporal_ordered
    rules: [stop, root_list]
    group-by: [sourceIPAddress]
    timespan: 15m
level: critical
---
title: Root Then Stop
id: 11111111-0000-4000-8000-000000000022
correlation:
    type: temporal_ordered
    rules: [root_list, stop]
    group-by: [sourceIPAddress]
    timespan: 1h
level: critical
---
title: Distinct Callers
id: 11111111-0000-4000-8000-000000000023
correlation:
    type: value_count
    rules: [denied_call]
    group-by: [sourceIPAddress]
    timespan: 1h
    condition: {field: eventName, gte: 2}
level: medium
"#,
        ),
    ];
    let trail = incident_trail();
    let d = trail.on_disk();
    let pack = pack_with(&texts);
    let count = sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000020");
    assert_eq!(count.len(), 1, "{count:#?}");
    assert_eq!(count[0].events_total, 7);
    assert_eq!(count[0].severity, heist_core::detect::Severity::High);
    // A correlated rule without `generate` feeds the correlation only.
    assert!(sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000010").is_empty());
    // Stop at +30m then the root's call at +40m, from the same address: in order within 15 minutes.
    let ordered = sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000021");
    assert_eq!(ordered.len(), 1, "{ordered:#?}");
    assert_eq!(ordered[0].events_total, 2);
    // The reverse order never happened.
    assert!(sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000022").is_empty());
    // One event name only among the denied calls: fewer than 2 distinct.
    assert!(sigma_findings(&d, &pack, "11111111-0000-4000-8000-000000000023").is_empty());
}

#[test]
fn rules_heist_cannot_run_are_listed_with_the_reason() {
    let load = load_texts(&[
        (
            "okta.yml",
            "title: O\nlogsource: {product: okta, service: okta}\ndetection: {s: {eventType: x}, condition: s}\n",
        ),
        (
            "win.yml",
            "title: W\nlogsource: {product: windows, category: process_creation}\ndetection: {s: {Image: x}, condition: s}\n",
        ),
        (
            "expand.yml",
            "title: E\nlogsource: {product: azure, service: signinlogs}\ndetection: {s: {Location|expand: '%LegitCountries%'}, condition: s}\n",
        ),
        ("broken.yml", "title: [unclosed\n"),
        (
            "dup.yml",
            "title: D\nid: 11111111-0000-4000-8000-000000000001\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: x}, condition: s}\n",
        ),
        ("stop.yml", STOP),
    ]);
    let reasons: Vec<(&str, &str)> = load
        .skipped
        .iter()
        .map(|s| (s.file.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(load.rules.len(), 1, "{reasons:?}");
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    let why = |f: &str| {
        reasons
            .iter()
            .find(|(x, _)| *x == f)
            .map(|(_, r)| *r)
            .unwrap_or("")
    };
    assert!(
        why("okta.yml").starts_with("logsource okta/okta:"),
        "{reasons:?}"
    );
    assert!(
        why("win.yml").starts_with("logsource windows/process_creation:"),
        "{reasons:?}"
    );
    assert!(why("expand.yml").contains("LegitCountries"), "{reasons:?}");
    assert!(
        why("broken.yml").starts_with("not valid Sigma"),
        "{reasons:?}"
    );
    // The duplicate is the later file: stop.yml comes after dup.yml here, so stop.yml is the one skipped.
    assert!(
        why("stop.yml").contains("already loaded from dup.yml"),
        "{reasons:?}"
    );
}
