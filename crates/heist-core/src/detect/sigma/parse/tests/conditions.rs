//! Conditions, aggregations and `required_values`.

use std::time::Duration;

use serde_json::json;

use super::{det, det_err, hit, is_invalid, is_unsupported};
use crate::detect::sigma::parse::{Aggregation, Cmp};

const THREE: &str = "selection_a:\n    a: 1\nselection_b:\n    b: 1\nfilter_main_x:\n    x: 1\nfilter_main_y:\n    y: 1\n";

#[test]
fn one_of_pattern_is_or() {
    let d = det(&format!("{THREE}condition: 1 of selection_*"));
    assert!(hit(&d, json!({"a": 1})));
    assert!(hit(&d, json!({"b": 1})));
    assert!(!hit(&d, json!({"x": 1})));
    let any = det(&format!("{THREE}condition: any of selection_*"));
    assert!(hit(&any, json!({"b": 1})));
    assert!(!hit(&any, json!({"y": 1})));
}

#[test]
fn all_of_pattern_is_and() {
    let d = det(&format!("{THREE}condition: all of selection_*"));
    assert!(hit(&d, json!({"a": 1, "b": 1})));
    assert!(!hit(&d, json!({"a": 1})));
}

#[test]
fn selection_and_not_one_of_filters() {
    let d = det(&format!(
        "{THREE}condition: selection_a and not 1 of filter_main_*"
    ));
    assert!(hit(&d, json!({"a": 1})));
    assert!(!hit(&d, json!({"a": 1, "y": 1})));
    assert!(!hit(&d, json!({"a": 1, "x": 1})));
    assert!(!hit(&d, json!({"b": 1})));
}

#[test]
fn one_of_them_skips_underscore_searches() {
    let d = det("sel:\n    a: 1\n_hidden:\n    h: 1\ncondition: 1 of them");
    assert!(hit(&d, json!({"a": 1})));
    assert!(!hit(&d, json!({"h": 1})));
    let all = det("sel:\n    a: 1\nother:\n    b: 1\n_hidden:\n    h: 1\ncondition: all of them");
    assert!(hit(&all, json!({"a": 1, "b": 1})));
    assert!(!hit(&all, json!({"a": 1})));
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_override() {
    let base = "a:\n    a: 1\nb:\n    b: 1\nc:\n    c: 1\n";
    let d = det(&format!("{base}condition: a or b and c"));
    assert!(hit(&d, json!({"a": 1})));
    assert!(!hit(&d, json!({"b": 1})));
    assert!(hit(&d, json!({"b": 1, "c": 1})));
    let p = det(&format!("{base}condition: (a or b) and c"));
    assert!(!hit(&p, json!({"a": 1})));
    assert!(hit(&p, json!({"a": 1, "c": 1})));
    assert!(hit(&p, json!({"b": 1, "c": 1})));
}

#[test]
fn not_binds_tighter_than_and() {
    let base = "a:\n    a: 1\nb:\n    b: 1\n";
    let d = det(&format!("{base}condition: not a and b"));
    assert!(hit(&d, json!({"b": 1})));
    assert!(!hit(&d, json!({"a": 1, "b": 1})));
    assert!(!hit(&d, json!({})));
    let n = det(&format!("{base}condition: not (a and b)"));
    assert!(hit(&n, json!({"a": 1})));
    assert!(!hit(&n, json!({"a": 1, "b": 1})));
    let nn = det(&format!("{base}condition: not not a"));
    assert!(hit(&nn, json!({"a": 1})));
    assert!(!hit(&nn, json!({})));
}

#[test]
fn a_list_of_conditions_is_or() {
    let d = det("a:\n    a: 1\nb:\n    b: 1\ncondition:\n    - a\n    - b");
    assert!(hit(&d, json!({"a": 1})));
    assert!(hit(&d, json!({"b": 1})));
    assert!(!hit(&d, json!({"c": 1})));
}

#[test]
fn unknown_identifiers_and_patterns_are_invalid() {
    assert!(is_invalid(
        &det_err("sel:\n    a: 1\ncondition: sel and filter"),
        "unknown search `filter`"
    ));
    assert!(is_invalid(
        &det_err("sel:\n    a: 1\ncondition: sel and not 1 of filter_*"),
        "matches no search"
    ));
    assert!(is_invalid(
        &det_err("sel:\n    a: 1\ncondition: (sel"),
        "`)`"
    ));
    assert!(is_invalid(
        &det_err("sel:\n    a: 1\ncondition: sel and"),
        "condition"
    ));
    assert!(is_invalid(
        &det_err("sel:\n    a: 1\ncondition: sel sel"),
        "unexpected"
    ));
    assert!(is_invalid(&det_err("sel:\n    a: 1"), "condition"));
    assert!(is_unsupported(
        &det_err("sel:\n    a: 1\ncondition: 2 of sel*"),
        "`2 of`"
    ));
    let deep = format!(
        "sel:\n    a: 1\ncondition: {}sel{}",
        "(".repeat(500),
        ")".repeat(500)
    );
    assert!(is_invalid(&det_err(&deep), "nested too deeply"));
}

#[test]
fn count_aggregations_parse() {
    let d = det("selection:\n    eventName: ListBuckets\ntimeframe: 10m\ncondition: selection | count() > 5");
    assert_eq!(
        d.aggregation(),
        Some(&Aggregation {
            field: None,
            by: vec![],
            op: Cmp::Gt,
            value: 5.0
        })
    );
    assert_eq!(d.timeframe(), Some(Duration::from_secs(600)));
    assert!(
        hit(&d, json!({"eventName": "ListBuckets"})),
        "the search part still matches per record"
    );
    let by = det("selection:\n    a: 1\ncondition: selection | count() by sourceIPAddress > 5");
    assert_eq!(
        by.aggregation().map(|a| a.by.clone()),
        Some(vec!["sourceIPAddress".to_owned()])
    );
    let f = det("selection:\n    a: 1\nfilter:\n    b: 1\ncondition: selection and not filter | count(TargetUserName) by IpAddress, Host >= 10");
    assert_eq!(
        f.aggregation(),
        Some(&Aggregation {
            field: Some("TargetUserName".into()),
            by: vec!["IpAddress".into(), "Host".into()],
            op: Cmp::Gte,
            value: 10.0
        })
    );
    for (op, cmp) in [
        (">", Cmp::Gt),
        (">=", Cmp::Gte),
        ("<", Cmp::Lt),
        ("<=", Cmp::Lte),
        ("=", Cmp::Eq),
        ("==", Cmp::Eq),
    ] {
        let d = det(&format!("s:\n    a: 1\ncondition: s | count(x) {op} 3"));
        assert_eq!(d.aggregation().map(|a| a.op), Some(cmp), "{op}");
    }
    assert!(det("s:\n    a: 1\ncondition: s").aggregation().is_none());
}

#[test]
fn cmp_holds() {
    assert!(Cmp::Gt.holds(6.0, 5.0) && !Cmp::Gt.holds(5.0, 5.0));
    assert!(Cmp::Gte.holds(5.0, 5.0) && !Cmp::Gte.holds(4.0, 5.0));
    assert!(Cmp::Lt.holds(4.0, 5.0) && !Cmp::Lt.holds(5.0, 5.0));
    assert!(Cmp::Lte.holds(5.0, 5.0) && !Cmp::Lte.holds(6.0, 5.0));
    assert!(Cmp::Eq.holds(5.0, 5.0) && !Cmp::Eq.holds(6.0, 5.0));
}

#[test]
fn other_aggregations_are_unsupported() {
    let near = det_err(
        "selection1:\n    a: 1\nselection2:\n    b: 1\ncondition: selection1 | near selection2",
    );
    assert_eq!(
        near,
        super::SigmaError::Unsupported("aggregation `near`".into())
    );
    assert!(is_unsupported(
        &det_err("s:\n    a: 1\ncondition: s | sum(bytes) by host > 5"),
        "aggregation `sum`"
    ));
    assert!(is_unsupported(
        &det_err("s:\n    a: 1\ncondition: s | count() != 5"),
        "`!=`"
    ));
    assert!(is_invalid(
        &det_err("s:\n    a: 1\ncondition: s | count() by x"),
        "comparison"
    ));
    assert!(is_invalid(
        &det_err("s:\n    a: 1\ncondition: s | count() > lots"),
        "number"
    ));
    assert!(is_unsupported(
        &det_err("s:\n    a: 1\nt:\n    b: 1\ncondition:\n    - s | count() > 1\n    - t"),
        "list of conditions"
    ));
    assert!(is_invalid(
        &det_err("s:\n    a: 1\ntimeframe: soon\ncondition: s"),
        "timeframe"
    ));
}

#[test]
fn required_values_through_and_not_and_selectors() {
    let d = det("selection:\n    eventSource: x\n    eventName:\n        - A\n        - B\nfilter:\n    eventName: C\ncondition: selection and not filter");
    assert_eq!(
        d.required_values("eventName"),
        Some(vec!["A".into(), "B".into()])
    );
    assert_eq!(d.required_values("eventSource"), Some(vec!["x".into()]));
    assert_eq!(d.required_values("other"), None);
    let not = det("filter:\n    eventName: C\ncondition: not filter");
    assert_eq!(not.required_values("eventName"), None);
    let one_of = det("selection_a:\n    eventName: A\nselection_b:\n    eventName: B\ncondition: 1 of selection_*");
    assert_eq!(
        one_of.required_values("eventName"),
        Some(vec!["A".into(), "B".into()])
    );
    let all_of = det("selection_a:\n    eventName: A\nselection_b:\n    userAgent: B\ncondition: all of selection_*");
    assert_eq!(all_of.required_values("eventName"), Some(vec!["A".into()]));
}

#[test]
fn required_values_need_every_or_branch_and_plain_values() {
    let or = det("a:\n    eventName: A\nb:\n    userAgent: B\ncondition: a or b");
    assert_eq!(or.required_values("eventName"), None);
    let both = det("a:\n    eventName: A\nb:\n    eventName: B\ncondition: a or b");
    assert_eq!(
        both.required_values("eventName"),
        Some(vec!["A".into(), "B".into()])
    );
    let list = det("a:\n    - eventName: A\n    - eventName: B\n      x: 1\ncondition: a");
    assert_eq!(
        list.required_values("eventName"),
        Some(vec!["A".into(), "B".into()])
    );
    let list_gap = det("a:\n    - eventName: A\n    - x: 1\ncondition: a");
    assert_eq!(list_gap.required_values("eventName"), None);
    for body in [
        "a:\n    eventName|contains: A\ncondition: a",
        "a:\n    eventName: 'A*'\ncondition: a",
        "a:\n    eventName: 403\ncondition: a",
        "a:\n    eventName|neq: A\ncondition: a",
        "a:\n    eventName|all:\n        - A\n        - B\ncondition: a",
        "keywords:\n    - A\ncondition: keywords",
    ] {
        assert_eq!(det(body).required_values("eventName"), None, "{body}");
    }
    let cased = det("a:\n    eventName|cased: A\ncondition: a");
    assert_eq!(cased.required_values("eventName"), Some(vec!["A".into()]));
    let escaped = det("a:\n    eventName: 'A\\*'\ncondition: a");
    assert_eq!(
        escaped.required_values("eventName"),
        Some(vec!["A*".into()])
    );
    let conds = det("a:\n    eventName: A\nb:\n    eventName: B\ncondition:\n    - a\n    - b");
    assert_eq!(
        conds.required_values("eventName"),
        Some(vec!["A".into(), "B".into()])
    );
}

#[test]
fn search_names_keep_their_order() {
    let d = det("zeta:\n    a: 1\nalpha:\n    b: 1\ncondition: zeta or alpha");
    assert_eq!(d.search_names(), ["zeta", "alpha"]);
}
