//! Field values and their modifiers, each with a matching and a non-matching record.

use serde_json::json;

use super::{det, det_err, hit, is_invalid, is_unsupported};

#[test]
fn equality_is_case_insensitive() {
    let d = det("sel:\n    eventName: ConsoleLogin\ncondition: sel");
    assert!(hit(&d, json!({"eventName": "ConsoleLogin"})));
    assert!(hit(&d, json!({"eventName": "consolelogin"})));
    assert!(hit(&d, json!({"eventName": "CONSOLELOGIN"})));
    assert!(!hit(&d, json!({"eventName": "ConsoleLogin2"})));
    assert!(!hit(&d, json!({"other": "ConsoleLogin"})));
}

#[test]
fn equality_folds_non_ascii_values() {
    let d = det("sel:\n    user: 'ÉLODIE'\ncondition: sel");
    assert!(hit(&d, json!({"user": "élodie"})));
    assert!(!hit(&d, json!({"user": "elodie"})));
}

#[test]
fn list_of_values_is_or() {
    let d = det("sel:\n    eventName:\n        - CreateUser\n        - DeleteUser\ncondition: sel");
    assert!(hit(&d, json!({"eventName": "DeleteUser"})));
    assert!(!hit(&d, json!({"eventName": "UpdateUser"})));
}

#[test]
fn map_items_are_and() {
    let d =
        det("sel:\n    eventSource: iam.amazonaws.com\n    eventName: CreateUser\ncondition: sel");
    assert!(hit(
        &d,
        json!({"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"})
    ));
    assert!(!hit(
        &d,
        json!({"eventSource": "s3.amazonaws.com", "eventName": "CreateUser"})
    ));
}

#[test]
fn wildcards_star_and_question_mark() {
    let d = det("sel:\n    eventName: 'Get*Policy'\n    region: 'us-?ast-1'\ncondition: sel");
    assert!(hit(
        &d,
        json!({"eventName": "GetBucketPolicy", "region": "us-east-1"})
    ));
    assert!(hit(
        &d,
        json!({"eventName": "getpolicy", "region": "US-EAST-1"})
    ));
    assert!(!hit(
        &d,
        json!({"eventName": "GetBucketPolicyStatus", "region": "us-east-1"})
    ));
    assert!(!hit(
        &d,
        json!({"eventName": "GetPolicy", "region": "us-eeast-1"})
    ));
    let q = det("sel:\n    name: 'a?c'\ncondition: sel");
    assert!(
        hit(&q, json!({"name": "aéc"})),
        "? is one character, not one byte"
    );
    assert!(!hit(&q, json!({"name": "ac"})));
}

#[test]
fn escaped_wildcards_and_backslashes() {
    let d = det("sel:\n    a: 'x\\*y'\n    b: 'x\\?y'\n    c: 'C:\\Windows\\\\*'\ncondition: sel");
    assert!(hit(
        &d,
        json!({"a": "x*y", "b": "x?y", "c": "C:\\Windows\\anything"})
    ));
    assert!(!hit(
        &d,
        json!({"a": "xzy", "b": "x?y", "c": "C:\\Windows\\x"})
    ));
    assert!(!hit(
        &d,
        json!({"a": "x*y", "b": "xzy", "c": "C:\\Windows\\x"})
    ));
    // `\\\*`: a backslash then a plain star.
    let e = det("sel:\n    a: 'x\\\\\\*'\ncondition: sel");
    assert!(hit(&e, json!({"a": "x\\*"})));
    assert!(!hit(&e, json!({"a": "x\\yz"})));
}

#[test]
fn null_matches_missing_or_null() {
    let d = det("sel:\n    errorCode: null\ncondition: sel");
    assert!(hit(&d, json!({"eventName": "x"})));
    assert!(hit(&d, json!({"errorCode": null})));
    assert!(!hit(&d, json!({"errorCode": "AccessDenied"})));
    assert!(!hit(&d, json!({"errorCode": ""})));
}

#[test]
fn empty_string_matches_only_empty_string() {
    let d = det("sel:\n    errorCode: ''\ncondition: sel");
    assert!(hit(&d, json!({"errorCode": ""})));
    assert!(!hit(&d, json!({})));
    assert!(!hit(&d, json!({"errorCode": null})));
    assert!(!hit(&d, json!({"errorCode": "x"})));
}

#[test]
fn numbers_match_numbers_and_numeric_strings() {
    let d = det("sel:\n    status: 403\ncondition: sel");
    assert!(hit(&d, json!({"status": 403})));
    assert!(hit(&d, json!({"status": "403"})));
    assert!(hit(&d, json!({"status": 403.0})));
    assert!(!hit(&d, json!({"status": 404})));
    assert!(!hit(&d, json!({"status": "forbidden"})));
    let s = det("sel:\n    status: '40*'\ncondition: sel");
    assert!(
        hit(&s, json!({"status": 403})),
        "a number is matched as its text by a string pattern"
    );
    assert!(!hit(&s, json!({"status": 503})));
}

#[test]
fn booleans_match_booleans_and_their_text() {
    let d = det("sel:\n    mfa: true\ncondition: sel");
    assert!(hit(&d, json!({"mfa": true})));
    assert!(hit(&d, json!({"mfa": "True"})));
    assert!(!hit(&d, json!({"mfa": false})));
    assert!(!hit(&d, json!({"mfa": "no"})));
}

#[test]
fn arrays_match_any_element() {
    let d = det("sel:\n    tags: admin\ncondition: sel");
    assert!(hit(&d, json!({"tags": ["user", "Admin"]})));
    assert!(hit(&d, json!({"tags": [["nested", "admin"]]})));
    assert!(!hit(&d, json!({"tags": ["user", "guest"]})));
    assert!(!hit(&d, json!({"tags": []})));
}

#[test]
fn objects_match_as_compact_json_text() {
    let d = det("sel:\n    requestParameters|contains: '\"userName\":\"eve\"'\ncondition: sel");
    assert!(hit(
        &d,
        json!({"requestParameters": {"userName": "Eve", "path": "/"}})
    ));
    assert!(!hit(&d, json!({"requestParameters": {"userName": "bob"}})));
    let a = det("sel:\n    resources|contains: 'arn:aws:s3:::secret'\ncondition: sel");
    assert!(hit(
        &a,
        json!({"resources": [{"ARN": "arn:aws:s3:::other"}, {"ARN": "arn:aws:s3:::secret-bucket"}]})
    ));
    assert!(!hit(
        &a,
        json!({"resources": [{"ARN": "arn:aws:s3:::other"}]})
    ));
}

#[test]
fn contains_startswith_endswith() {
    let d = det("sel:\n    ua|contains: boto3\n    arn|startswith: 'arn:aws:iam::'\n    key|endswith: '.pem'\ncondition: sel");
    let good = json!({"ua": "Boto3/1.2 Python", "arn": "ARN:aws:iam::1:user/x", "key": "id.PEM"});
    assert!(hit(&d, good));
    assert!(!hit(
        &d,
        json!({"ua": "aws-cli", "arn": "arn:aws:iam::1:user/x", "key": "id.pem"})
    ));
    assert!(!hit(
        &d,
        json!({"ua": "boto3", "arn": "xarn:aws:iam::1", "key": "id.pem"})
    ));
    assert!(!hit(
        &d,
        json!({"ua": "boto3", "arn": "arn:aws:iam::1", "key": "id.pem.bak"})
    ));
}

#[test]
fn contains_all_needs_every_value() {
    let d = det("sel:\n    cmd|contains|all:\n        - 'curl'\n        - '169.254.169.254'\ncondition: sel");
    assert!(hit(
        &d,
        json!({"cmd": "curl http://169.254.169.254/latest"})
    ));
    assert!(!hit(&d, json!({"cmd": "curl http://example.com"})));
}

#[test]
fn re_is_case_sensitive_unless_i() {
    let d = det("sel:\n    arn|re: '.+:assumed-role/aws:.+'\ncondition: sel");
    assert!(hit(
        &d,
        json!({"arn": "arn:aws:sts::1:assumed-role/aws:x/y"})
    ));
    assert!(!hit(
        &d,
        json!({"arn": "arn:aws:sts::1:ASSUMED-ROLE/aws:x/y"})
    ));
    let i = det("sel:\n    arn|re|i: '^arn:.+:assumed-role/'\ncondition: sel");
    assert!(hit(&i, json!({"arn": "ARN:aws:sts::1:ASSUMED-ROLE/x"})));
    assert!(
        !hit(&i, json!({"arn": "role arn:aws:sts::1:assumed-role/x"})),
        "anchors hold"
    );
}

#[test]
fn re_multiline_and_dotall_flags() {
    let m = det("sel:\n    msg|re|m: '^error$'\ncondition: sel");
    assert!(hit(&m, json!({"msg": "ok\nerror\nok"})));
    let plain = det("sel:\n    msg|re: '^error$'\ncondition: sel");
    assert!(!hit(&plain, json!({"msg": "ok\nerror\nok"})));
    let s = det("sel:\n    msg|re|s: 'a.b'\ncondition: sel");
    assert!(hit(&s, json!({"msg": "a\nb"})));
    assert!(!hit(&plain, json!({"msg": "a\nb"})));
}

#[test]
fn re_errors() {
    assert!(is_invalid(
        &det_err("sel:\n    a|re: '(unclosed'\ncondition: sel"),
        "regular expression"
    ));
    assert!(is_unsupported(
        &det_err("sel:\n    a|re: 'x(?=y)'\ncondition: sel"),
        "look-around"
    ));
    assert!(is_invalid(
        &det_err("sel:\n    a|i: 'x'\ncondition: sel"),
        "needs `re`"
    ));
    assert!(is_invalid(
        &det_err("sel:\n    a|contains|re: 'x'\ncondition: sel"),
        "unmodified"
    ));
}

#[test]
fn cidr_v4_and_v6() {
    let d = det("sel:\n    sourceIPAddress|cidr:\n        - '10.0.0.0/8'\n        - '2001:db8::/32'\ncondition: sel");
    assert!(hit(&d, json!({"sourceIPAddress": "10.1.2.3"})));
    assert!(hit(&d, json!({"sourceIPAddress": "2001:db8::1"})));
    assert!(
        hit(&d, json!({"sourceIPAddress": "::ffff:10.9.9.9"})),
        "IPv4-mapped IPv6"
    );
    assert!(!hit(&d, json!({"sourceIPAddress": "11.1.2.3"})));
    assert!(!hit(&d, json!({"sourceIPAddress": "2001:db9::1"})));
    assert!(!hit(&d, json!({"sourceIPAddress": "AWS Internal"})));
    let host = det("sel:\n    ip|cidr: '192.0.2.7'\ncondition: sel");
    assert!(hit(&host, json!({"ip": "192.0.2.7"})));
    assert!(!hit(&host, json!({"ip": "192.0.2.8"})));
    assert!(is_invalid(
        &det_err("sel:\n    ip|cidr: 'not-a-net'\ncondition: sel"),
        "CIDR"
    ));
}

#[test]
fn exists_true_and_false() {
    let t = det("sel:\n    errorCode|exists: true\ncondition: sel");
    assert!(hit(&t, json!({"errorCode": "x"})));
    assert!(
        hit(&t, json!({"errorCode": null})),
        "exists checks presence, not value"
    );
    assert!(!hit(&t, json!({"eventName": "x"})));
    let f = det("sel:\n    errorCode|exists: false\ncondition: sel");
    assert!(hit(&f, json!({"eventName": "x"})));
    assert!(!hit(&f, json!({"errorCode": ""})));
    assert!(is_invalid(
        &det_err("sel:\n    a|exists: maybe\ncondition: sel"),
        "exists"
    ));
}

#[test]
fn numeric_comparisons() {
    let gt = det("sel:\n    n|gt: 10\ncondition: sel");
    assert!(hit(&gt, json!({"n": 11})));
    assert!(hit(&gt, json!({"n": "10.5"})));
    assert!(!hit(&gt, json!({"n": 10})));
    assert!(!hit(&gt, json!({"n": "eleven"})));
    assert!(!hit(&gt, json!({})));
    let gte = det("sel:\n    n|gte: 10\ncondition: sel");
    assert!(hit(&gte, json!({"n": 10})));
    assert!(!hit(&gte, json!({"n": 9.99})));
    let lt = det("sel:\n    n|lt: 0.5\ncondition: sel");
    assert!(hit(&lt, json!({"n": 0.25})));
    assert!(!hit(&lt, json!({"n": 0.5})));
    let lte = det("sel:\n    n|lte: -3\ncondition: sel");
    assert!(hit(&lte, json!({"n": -3})));
    assert!(!hit(&lte, json!({"n": -2})));
    assert!(is_invalid(
        &det_err("sel:\n    n|gt: many\ncondition: sel"),
        "number"
    ));
}

#[test]
fn cased_is_case_sensitive() {
    let d = det("sel:\n    eventName|cased: ConsoleLogin\ncondition: sel");
    assert!(hit(&d, json!({"eventName": "ConsoleLogin"})));
    assert!(!hit(&d, json!({"eventName": "consolelogin"})));
    let c = det("sel:\n    ua|contains|cased: Boto\ncondition: sel");
    assert!(hit(&c, json!({"ua": "x Boto3"})));
    assert!(!hit(&c, json!({"ua": "x boto3"})));
}

#[test]
fn fieldref_compares_two_fields() {
    let d = det("sel:\n    userIdentity.arn|fieldref: requestParameters.userName\ncondition: sel");
    let same =
        json!({"userIdentity": {"arn": "Alice"}, "requestParameters": {"userName": "alice"}});
    assert!(hit(&d, same));
    let other = json!({"userIdentity": {"arn": "alice"}, "requestParameters": {"userName": "bob"}});
    assert!(!hit(&d, other));
    assert!(
        !hit(&d, json!({"userIdentity": {"arn": "alice"}})),
        "a missing referenced field never matches"
    );
    let e = det("sel:\n    arn|fieldref|endswith: name\ncondition: sel");
    assert!(hit(
        &e,
        json!({"arn": "arn:aws:iam::1:user/Alice", "name": "alice"})
    ));
    assert!(!hit(
        &e,
        json!({"arn": "arn:aws:iam::1:user/alice2", "name": "alice"})
    ));
    let c = det("sel:\n    arn|fieldref|contains: name\ncondition: sel");
    assert!(hit(&c, json!({"arn": "x/alice/y", "name": "ALICE"})));
    assert!(!hit(&c, json!({"arn": "x/bob/y", "name": "alice"})));
}

#[test]
fn neq_negates_the_item() {
    let d = det(
        "sel:\n    eventSource: iam.amazonaws.com\n    eventName|neq: ListUsers\ncondition: sel",
    );
    assert!(hit(
        &d,
        json!({"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"})
    ));
    assert!(!hit(
        &d,
        json!({"eventSource": "iam.amazonaws.com", "eventName": "listusers"})
    ));
}

#[test]
fn placeholders_need_expand() {
    let plain = det("sel:\n    country: '%LegitCountries%'\ncondition: sel");
    assert!(hit(&plain, json!({"country": "%legitcountries%"})));
    assert!(!hit(&plain, json!({"country": "FR"})));
    let e = det_err("sel:\n    country|expand: '%LegitCountries%'\ncondition: sel");
    assert_eq!(
        e,
        super::SigmaError::Unsupported("placeholder %LegitCountries% (modifier expand)".into())
    );
    assert!(is_unsupported(
        &det_err("sel:\n    ip|cidr|expand:\n        - '%Servers%'\ncondition: sel"),
        "placeholder %Servers% (modifier expand)"
    ));
}

#[test]
fn unknown_and_timestamp_modifiers_are_unsupported() {
    assert!(is_unsupported(
        &det_err("sel:\n    a|utf16x: 'x'\ncondition: sel"),
        "modifier `utf16x`"
    ));
    assert!(is_unsupported(
        &det_err("sel:\n    eventTime|hour: 3\ncondition: sel"),
        "modifier `hour`"
    ));
    assert!(is_invalid(
        &det_err("sel:\n    a||contains: 'x'\ncondition: sel"),
        "empty modifier"
    ));
}

#[test]
fn keyword_lists_search_the_whole_text() {
    let d = det("keywords:\n    - 'Microsoft.Authorization/roleAssignments/write'\n    - 'listKeys'\ncondition: keywords");
    assert!(d.uses_keywords());
    assert!(hit(
        &d,
        json!({"operationName": "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"})
    ));
    assert!(hit(&d, json!({"x": {"y": "a/listkeys/action"}})));
    assert!(!hit(
        &d,
        json!({"operationName": "Microsoft.Compute/virtualMachines/write"})
    ));
    let w = det("keywords:\n    - 'break*glass'\ncondition: keywords");
    assert!(hit(&w, json!({"a": "image-policy/BREAK-glass"})));
    assert!(!hit(&w, json!({"a": "glass break"})));
    let all = det("keywords:\n    '|all':\n        - 'OabVirtualDirectory'\n        - ' -ExternalUrl '\ncondition: keywords");
    assert!(hit(
        &all,
        json!({"cmd": "Set-OabVirtualDirectory -ExternalUrl x"})
    ));
    assert!(!hit(&all, json!({"cmd": "Set-OabVirtualDirectory"})));
    assert!(!det("sel:\n    a: b\ncondition: sel").uses_keywords());
}

#[test]
fn list_of_maps_is_or() {
    let d = det("sel:\n    - eventName: A\n      eventSource: s\n    - errorCode|startswith: Access\ncondition: sel");
    assert!(hit(&d, json!({"eventName": "a", "eventSource": "S"})));
    assert!(hit(&d, json!({"errorCode": "AccessDenied"})));
    assert!(!hit(&d, json!({"eventName": "a", "eventSource": "t"})));
}

#[test]
fn fields_lists_every_field_once() {
    let d = det(
        "sel:\n    eventSource: x\n    eventName|contains: y\nfilter:\n    - userIdentity.arn|fieldref: requestParameters.userName\n    - eventName: z\ncondition: sel and not filter",
    );
    assert_eq!(
        d.fields(),
        [
            "eventName",
            "eventSource",
            "requestParameters.userName",
            "userIdentity.arn"
        ]
    );
}
