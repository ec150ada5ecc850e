//! Whole documents: rule metadata, errors, multi-document files, legacy collections, correlations.

use std::time::Duration;

use serde_json::json;

use super::{is_invalid, is_unsupported, parse_rule, JsonRecord};
use crate::detect::sigma::parse::{
    parse_documents, Cmp, CorrelationKind, LogSource, SigmaCorrelation, SigmaDoc, SigmaError,
};

const RULE: &str = "title: AWS Root Console Login
id: 11111111-2222-4333-8444-555555555555
name: root_login
status: test
description: A root user logged in to the console.
author: heist tests
date: 2024-05-01
tags:
    - attack.initial-access
    - attack.t1078.004
references:
    - https://example.com/root
logsource:
    product: AWS
    service: CloudTrail
detection:
    selection:
        eventName: ConsoleLogin
        userIdentity.type: Root
    condition: selection
falsepositives:
    - Break-glass use
level: High
";

#[test]
fn rule_metadata_is_read() {
    let r = parse_rule(RULE).unwrap();
    assert_eq!(r.title, "AWS Root Console Login");
    assert_eq!(
        r.id.as_deref(),
        Some("11111111-2222-4333-8444-555555555555")
    );
    assert_eq!(r.name.as_deref(), Some("root_login"));
    assert_eq!(r.status.as_deref(), Some("test"));
    assert_eq!(r.level.as_deref(), Some("high"));
    assert_eq!(r.description, "A root user logged in to the console.");
    assert_eq!(r.author.as_deref(), Some("heist tests"));
    assert_eq!(r.date.as_deref(), Some("2024-05-01"));
    assert_eq!(r.tags, ["attack.initial-access", "attack.t1078.004"]);
    assert_eq!(r.references, ["https://example.com/root"]);
    assert_eq!(r.falsepositives, ["Break-glass use"]);
    let ls = LogSource {
        product: Some("aws".into()),
        service: Some("cloudtrail".into()),
        category: None,
    };
    assert_eq!(r.logsource, ls);
    let rec =
        JsonRecord::new(json!({"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}}));
    assert!(r.detection.matches(&rec));
    assert!(!r.detection.matches(&JsonRecord::new(
        json!({"eventName": "ConsoleLogin", "userIdentity": {"type": "IAMUser"}})
    )));
}

#[test]
fn bad_yaml_is_invalid_with_its_line() {
    let e =
        parse_documents("title: x\ndetection:\n    sel: [a, b\n    condition: sel\n").unwrap_err();
    assert!(is_invalid(&e, "YAML"), "{e}");
    assert!(is_invalid(&e, "line"), "{e}");
    let dup = parse_documents("title: x\ntitle: y\n").unwrap_err();
    assert!(is_invalid(&dup, "duplicated key"), "{dup}");
}

#[test]
fn structural_errors_are_invalid() {
    assert!(is_invalid(
        &parse_documents("title: x\nlogsource:\n    product: aws\n").unwrap_err(),
        "no `detection`"
    ));
    assert!(is_invalid(
        &parse_documents("- a\n- b\n").unwrap_err(),
        "mapping"
    ));
    let no_logsource = "title: x\ndetection:\n    sel:\n        a: 1\n    condition: sel\n";
    assert!(is_invalid(
        &parse_documents(no_logsource).unwrap_err(),
        "logsource"
    ));
    let no_title =
        "logsource:\n    product: aws\ndetection:\n    sel:\n        a: 1\n    condition: sel\n";
    assert!(is_invalid(&parse_documents(no_title).unwrap_err(), "title"));
    let empty =
        "title: x\nlogsource:\n    product: aws\ndetection:\n    sel:\n    condition: sel\n";
    assert!(is_invalid(
        &parse_documents(empty).unwrap_err(),
        "search `sel`"
    ));
    let map_value = "title: x\nlogsource:\n    product: aws\ndetection:\n    sel:\n        a:\n            b: c\n    condition: sel\n";
    assert!(is_invalid(
        &parse_documents(map_value).unwrap_err(),
        "a map"
    ));
    assert!(parse_documents("").unwrap().is_empty());
    assert!(parse_documents("---\n---\n").unwrap().is_empty());
}

#[test]
fn filter_documents_are_unsupported() {
    let f = "title: f\nlogsource:\n    product: aws\nfilter:\n    rules:\n        - x\n    selection:\n        a: 1\n    condition: not selection\n";
    assert!(is_unsupported(&parse_documents(f).unwrap_err(), "filter"));
}

#[test]
fn nested_aliases_are_refused_before_they_expand() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let e = parse_documents(&text).unwrap_err();
    assert!(is_invalid(&e, "aliases"), "{e}");
    let small = "title: t\nlogsource: &ls {product: aws}\ndetection:\n    sel: {a: 1}\n    condition: sel\n";
    assert!(parse_documents(small).is_ok());
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "\u{0}",
        "title: [",
        "*alias",
        "&a [*a, *a]",
        "title: x\nlogsource: 3\ndetection: 4\n",
        "title: x\nlogsource: {}\ndetection:\n    condition: []\n",
        "title: x\nlogsource: {}\ndetection:\n    s: [[[[[]]]]]\n    condition: s\n",
        "title: x\nlogsource: {}\ndetection:\n    s: {'a|re': null}\n    condition: s\n",
        "title: x\nlogsource: {}\ndetection:\n    s: {'a|base64offset': ''}\n    condition: s\n",
        "title: x\nlogsource: {}\ndetection:\n    s: {'a|windash|base64': '-----'}\n    condition: s\n",
        "title: x\nlogsource: {}\ndetection:\n    s: {a: '\\'}\n    condition: s | count(\n",
        "title: x\nlogsource: {}\ndetection:\n    s: {a: 1}\n    condition: 'of of of'\n",
        "title: x\nlogsource: {}\ndetection:\n    s: {a: 1}\n    condition: ') ('\n",
        "title: x\ncorrelation: {type: event_count, rules: [a], timespan: 99999999999999999999d, condition: {gt: 1}}\n",
        "title: x\ncorrelation: {type: temporal, rules: [a], timespan: 'é'}\n",
    ];
    for i in inputs {
        let _ = parse_documents(i);
    }
    let d = parse_rule("title: x\nlogsource: {}\ndetection:\n    s: {a: '*?*', b|windash: '-'}\n    condition: s\n").unwrap().detection;
    for v in [
        json!({"a": "", "b": "/"}),
        json!({"a": "é", "b": "\u{2015}"}),
        json!({"a": [], "b": {}}),
        json!(null),
    ] {
        let _ = d.matches(&JsonRecord::new(v));
    }
}

#[test]
fn legacy_global_and_repeat_collections_merge() {
    let text = "action: global
title: Shared title
logsource:
    product: aws
    service: cloudtrail
detection:
    common:
        eventSource: iam.amazonaws.com
    condition: common and selection
---
detection:
    selection:
        eventName: CreateUser
---
action: repeat
detection:
    selection:
        eventName: DeleteUser
";
    let docs = parse_documents(text).unwrap();
    assert_eq!(docs.len(), 2);
    let rules: Vec<_> = docs
        .iter()
        .filter_map(|d| {
            if let SigmaDoc::Rule(r) = d {
                Some(r)
            } else {
                None
            }
        })
        .collect();
    assert!(rules.iter().all(|r| r.title == "Shared title"));
    let create = json!({"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"});
    let delete = json!({"eventSource": "iam.amazonaws.com", "eventName": "DeleteUser"});
    assert!(rules[0].detection.matches(&JsonRecord::new(create.clone())));
    assert!(!rules[0].detection.matches(&JsonRecord::new(delete.clone())));
    assert!(rules[1].detection.matches(&JsonRecord::new(delete)));
    assert!(!rules[1].detection.matches(&JsonRecord::new(create)));
    assert!(is_invalid(
        &parse_documents("action: repeat\ntitle: x\n").unwrap_err(),
        "repeat"
    ));
    assert!(is_invalid(
        &parse_documents("action: explode\ntitle: x\n").unwrap_err(),
        "action"
    ));
}

fn correlation(text: &str) -> Result<SigmaCorrelation, SigmaError> {
    let mut docs = parse_documents(text)?;
    match docs.pop() {
        Some(SigmaDoc::Correlation(c)) if docs.is_empty() => Ok(c),
        other => panic!("one correlation expected, got {other:?}"),
    }
}

#[test]
fn correlation_event_count() {
    let c = correlation(
        "title: Brute force\nid: c-1\nlevel: High\ncorrelation:\n    type: event_count\n    rules:\n        - failed_login\n    group-by:\n        - userName\n    timespan: 1h\n    condition:\n        gte: 100\n",
    )
    .unwrap();
    assert_eq!(c.kind, CorrelationKind::EventCount);
    assert_eq!(c.rules, ["failed_login"]);
    assert_eq!(c.group_by, ["userName"]);
    assert_eq!(c.timespan, Duration::from_secs(3600));
    assert_eq!(c.condition, Some((Cmp::Gte, 100.0)));
    assert_eq!(c.level.as_deref(), Some("high"));
    assert!(!c.generate);
    assert!(c.aliases.is_empty());
}

#[test]
fn correlation_value_count_and_each_comparison() {
    let c = correlation(
        "title: Spray\ncorrelation:\n    type: value_count\n    rules: [failed_login]\n    group-by: [sourceIPAddress]\n    timespan: 1d\n    condition:\n        field: userName\n        gt: 20\n",
    )
    .unwrap();
    assert_eq!(
        c.kind,
        CorrelationKind::ValueCount {
            field: "userName".into()
        }
    );
    assert_eq!(c.condition, Some((Cmp::Gt, 20.0)));
    assert_eq!(c.timespan, Duration::from_secs(86_400));
    for (k, cmp) in [
        ("gt", Cmp::Gt),
        ("gte", Cmp::Gte),
        ("lt", Cmp::Lt),
        ("lte", Cmp::Lte),
        ("eq", Cmp::Eq),
    ] {
        let t = format!("title: t\ncorrelation:\n    type: event_count\n    rules: [r]\n    timespan: 30s\n    condition:\n        {k}: 7\n");
        assert_eq!(correlation(&t).unwrap().condition, Some((cmp, 7.0)), "{k}");
    }
    let no_field = "title: t\ncorrelation:\n    type: value_count\n    rules: [r]\n    timespan: 5m\n    condition:\n        gt: 1\n";
    assert!(is_invalid(&correlation(no_field).unwrap_err(), "field"));
}

#[test]
fn correlation_temporal_kinds_and_aliases() {
    let t = correlation(
        "title: Recon\ncorrelation:\n    type: temporal\n    rules:\n        - a\n        - b\n    group-by:\n        - internal_ip\n    timespan: 10s\n    generate: true\n    aliases:\n        internal_ip:\n            a: destination.ip\n            b: source.ip\n",
    )
    .unwrap();
    assert_eq!(t.kind, CorrelationKind::Temporal);
    assert_eq!(t.condition, None);
    assert!(t.generate);
    assert_eq!(
        t.aliases,
        vec![(
            "internal_ip".to_owned(),
            vec![
                ("a".into(), "destination.ip".into()),
                ("b".into(), "source.ip".into())
            ]
        )]
    );
    let o = correlation("title: Ordered\ncorrelation:\n    type: temporal_ordered\n    rules: [a, b]\n    group-by: [user]\n    timespan: 2w\n").unwrap();
    assert_eq!(o.kind, CorrelationKind::TemporalOrdered);
    assert_eq!(o.timespan, Duration::from_secs(14 * 86_400));
}

#[test]
fn correlation_errors() {
    let base = |ty: &str, cond: &str| {
        format!("title: t\ncorrelation:\n    type: {ty}\n    rules: [r]\n    timespan: 1h\n{cond}")
    };
    for ty in ["value_sum", "value_avg", "value_percentile"] {
        let e = correlation(&base(
            ty,
            "    condition:\n        field: bytes\n        gt: 1\n",
        ))
        .unwrap_err();
        assert_eq!(
            e,
            SigmaError::Unsupported(format!("correlation type `{ty}`"))
        );
    }
    assert!(is_unsupported(
        &correlation(&base(
            "event_count",
            "    condition:\n        gt: 100\n        lte: 200\n"
        ))
        .unwrap_err(),
        "range"
    ));
    assert!(is_unsupported(
        &correlation(&base("event_count", "    condition:\n        neq: 1\n")).unwrap_err(),
        "neq"
    ));
    assert!(is_invalid(
        &correlation(&base("event_count", "")).unwrap_err(),
        "condition"
    ));
    assert!(is_invalid(
        &correlation(&base("sequence", "")).unwrap_err(),
        "correlation type"
    ));
    let no_span = "title: t\ncorrelation:\n    type: temporal\n    rules: [r]\n";
    assert!(is_invalid(&correlation(no_span).unwrap_err(), "timespan"));
    let bad_span =
        "title: t\ncorrelation:\n    type: temporal\n    rules: [r]\n    timespan: 1 hour\n";
    assert!(is_invalid(&correlation(bad_span).unwrap_err(), "timespan"));
    let no_rules = "title: t\ncorrelation:\n    type: temporal\n    timespan: 1h\n";
    assert!(is_invalid(&correlation(no_rules).unwrap_err(), "rules"));
}

#[test]
fn correlation_with_its_rules_in_one_file() {
    let text = "title: Failed logins then success
id: cc-1
correlation:
    type: temporal_ordered
    rules:
        - many_failed
        - success
    group-by:
        - userName
    timespan: 10m
level: high
---
title: Many failed
name: many_failed
correlation:
    type: event_count
    rules:
        - failed
    group-by:
        - userName
    timespan: 10m
    condition:
        gte: 10
---
title: Failed
name: failed
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ConsoleLogin
        errorMessage: Failed authentication
    condition: selection
---
title: Success
name: success
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ConsoleLogin
        responseElements.ConsoleLogin: Success
    condition: selection
";
    let docs = parse_documents(text).unwrap();
    let kinds: Vec<&str> = docs
        .iter()
        .map(|d| {
            if let SigmaDoc::Rule(_) = d {
                "rule"
            } else {
                "correlation"
            }
        })
        .collect();
    assert_eq!(kinds, ["correlation", "correlation", "rule", "rule"]);
    let unsupported = text.replace("        gte: 10\n", "        neq: 2\n");
    assert_eq!(
        parse_documents(&unsupported).unwrap_err(),
        SigmaError::Unsupported("correlation condition `neq`".into())
    );
    let invalid = text.replace(
        "        errorMessage: Failed",
        "        errorMessage|cidr: Failed",
    );
    let e = parse_documents(&invalid).unwrap_err();
    assert!(is_invalid(&e, "document 3: search `selection`: `errorMessage|cidr`: `Failed authentication` is not a CIDR range"), "{e}");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let block = "- ".repeat(200_000) + "x";
    assert!(is_invalid(
        &parse_documents(&block).unwrap_err(),
        "nested deeper"
    ));
    let flow = "[".repeat(200_000);
    assert!(is_invalid(&parse_documents(&flow).unwrap_err(), "YAML"));
    let maps: String = (1..2000)
        .map(|i| format!("{}b{i}:\n", " ".repeat(i)))
        .collect();
    assert!(is_invalid(
        &parse_documents(&format!("a:\n{maps}")).unwrap_err(),
        "nested deeper"
    ));
}

#[test]
fn parsed_rules_can_be_shared_across_threads() {
    fn shared<T: Send + Sync + Clone>() {}
    shared::<SigmaDoc>();
    shared::<crate::detect::sigma::parse::SigmaRule>();
    shared::<crate::detect::sigma::parse::Detection>();
    shared::<SigmaCorrelation>();
}
