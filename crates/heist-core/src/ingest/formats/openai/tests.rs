use serde_json::json;

use super::OpenAi;
use crate::frame::access::FrameReader;
use crate::frame::Col;
use crate::ingest::doc::Probe;
use crate::ingest::formats::{Format, ParseOut};
use crate::ingest::{load_bytes, LoadOptions};

/// Sniff and parse with this format alone (no registry, no de-duplication).
fn run(name: &str, text: &str) -> ParseOut {
    let probe = Probe::new(name, text);
    assert!(OpenAi.sniff(&probe), "openai should claim {text}");
    let mut out = ParseOut::new(name, probe.loc_kind());
    OpenAi.parse(&probe, &mut out);
    out
}

fn get(out: &ParseOut, col: Col, row: usize) -> Option<String> {
    out.batch.text(col, row).map(str::to_string)
}

fn session_actor() -> serde_json::Value {
    json!({"type":"session","session":{"user":{"id":"user-dev456","email":"developer@company.com"},
        "ip_address":"203.0.113.50","user_agent":"Mozilla/5.0 (X11; Linux x86_64)","ja3":"a497151ce4338a12c4418c44d375173e",
        "ip_address_details":{"country":"US","city":"San Francisco"}}})
}

#[test]
fn api_page_maps_every_column() {
    let page = json!({"object":"list","data":[
        {"id":"audit_log-abc","type":"api_key.created","effective_at":1720804190,"object":"organization.audit_log",
         "project":{"id":"proj_abc","name":"Training"},"actor":session_actor(),
         "api_key.created":{"id":"key_xyz","data":{"scopes":["model.request"]}}},
        {"id":"audit_log-def","type":"api_key.deleted","effective_at":1720804200,
         "actor":{"type":"api_key","api_key":{"id":"key_admin1","type":"service_account","service_account":{"id":"svc_acct_ci"}}},
         "api_key.deleted":{"id":"key_xyz"}}
    ],"first_id":"audit_log-abc","last_id":"audit_log-def","has_more":false});
    let out = run(
        "audit_logs.json",
        &serde_json::to_string_pretty(&page).unwrap(),
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.batch.len(), 2);
    assert_eq!(out.batch.time[0], 1_720_804_190 * 1_000_000_000);
    let g = |c| get(&out, c, 0);
    assert_eq!(g(Col::Source).as_deref(), Some("openai"));
    assert_eq!(g(Col::Provider).as_deref(), Some("openai"));
    assert_eq!(g(Col::Service).as_deref(), Some("openai"));
    assert_eq!(g(Col::Action).as_deref(), Some("api_key.created"));
    assert_eq!(g(Col::Outcome).as_deref(), Some("success"));
    assert_eq!(g(Col::Identity).as_deref(), Some("developer@company.com"));
    assert_eq!(g(Col::IdentityType).as_deref(), Some("human"));
    assert_eq!(g(Col::Token), None);
    assert_eq!(g(Col::SourceIp).as_deref(), Some("203.0.113.50"));
    assert_eq!(
        g(Col::UserAgent).as_deref(),
        Some("Mozilla/5.0 (X11; Linux x86_64)")
    );
    assert_eq!(g(Col::Asset).as_deref(), Some("key_xyz"));
    assert_eq!(g(Col::AssetKind).as_deref(), Some("api_key"));
    assert_eq!(g(Col::Account).as_deref(), Some("proj_abc"));
    assert_eq!(g(Col::EventId).as_deref(), Some("audit_log-abc"));
    assert_eq!(g(Col::MintedToken).as_deref(), Some("key_xyz"));
    assert_eq!(
        g(Col::MintedIdentity).as_deref(),
        Some("developer@company.com")
    );
    assert_eq!(out.batch.line[0], 0);

    let g = |c| get(&out, c, 1);
    assert_eq!(g(Col::Identity).as_deref(), Some("svc_acct_ci"));
    assert_eq!(g(Col::IdentityType).as_deref(), Some("service"));
    assert_eq!(g(Col::Token).as_deref(), Some("key_admin1"));
    assert_eq!(g(Col::TokenKind).as_deref(), Some("api_key"));
    assert_eq!(g(Col::RevokedToken).as_deref(), Some("key_xyz"));
    assert_eq!(g(Col::MintedToken), None);
    assert_eq!(g(Col::SourceIp), None);
}

#[test]
fn json_lines_underscored_payloads_failures_and_bad_records() {
    let failed = json!({"id":"audit_log-failed001","type":"login.failed","effective_at":1702857600,
        "object":"organization.audit_log","actor":session_actor(),
        "login_failed":{"error_code":"invalid_credentials","error_message":"Invalid username or password"}});
    let created = json!({"id":"audit_log-test005","type":"api_key.created","effective_at":1702857600.5,
        "actor":{"type":"api_key","api_key":{"type":"user","id":"key-parent001","user":{"id":"user-s2","email":"suspicious@external.com"}}},
        "api_key_created":{"id":"key-child001","data":{"name":"Nested API Key","scopes":["all"]}}});
    let no_code = json!({"id":"audit_log-lf2","type":"logout.failed","effective_at":1702857601,"actor":session_actor()});
    let null_time = json!({"id":"audit_log-x","type":"login.succeeded","effective_at":null,"actor":session_actor()});
    let allowlist = json!({"id":"audit_log-ip002","type":"ip_allowlist.config.deactivated","effective_at":1702857602,
        "actor":session_actor(),"ip_allowlist_config_deactivated":{"configs":[{"id":"ipallow_org-abc123"}]}});
    let text = format!("{failed}\n{created}\n{{\"id\":\"audit_log-broken\",\"type\":\n{no_code}\n{null_time}\n{allowlist}\n");
    let out = run("openai.jsonl", &text);
    assert_eq!(out.batch.len(), 4, "{:?}", out.errors);

    assert_eq!(get(&out, Col::Outcome, 0).as_deref(), Some("failure"));
    assert_eq!(
        get(&out, Col::ErrorCode, 0).as_deref(),
        Some("invalid_credentials")
    );
    assert_eq!(get(&out, Col::Asset, 0), None);

    assert_eq!(out.batch.time[1], 1_702_857_600_500_000_000);
    assert_eq!(
        get(&out, Col::Identity, 1).as_deref(),
        Some("suspicious@external.com")
    );
    assert_eq!(get(&out, Col::IdentityType, 1).as_deref(), Some("human"));
    assert_eq!(get(&out, Col::Token, 1).as_deref(), Some("key-parent001"));
    assert_eq!(
        get(&out, Col::MintedToken, 1).as_deref(),
        Some("key-child001")
    );
    assert_eq!(get(&out, Col::Asset, 1).as_deref(), Some("key-child001"));

    assert_eq!(get(&out, Col::Outcome, 2).as_deref(), Some("failure"));
    assert_eq!(
        get(&out, Col::ErrorCode, 2).as_deref(),
        Some("logout.failed")
    );

    assert_eq!(
        get(&out, Col::Action, 3).as_deref(),
        Some("ip_allowlist.config.deactivated")
    );
    assert_eq!(get(&out, Col::Asset, 3), None);

    let errs: Vec<(&str, &str)> = out
        .errors
        .iter()
        .map(|e| (e.origin.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].0, "openai.jsonl:3");
    assert!(errs[0].1.starts_with("malformed record"), "{errs:?}");
    assert_eq!(errs[1].0, "openai.jsonl:5");
    assert!(errs[1].1.contains("effective_at"), "{errs:?}");
}

#[test]
fn documentation_example_with_trailing_commas_reports_each_record() {
    let text = r#"{
    "object": "list",
    "data": [
        {
            "id": "audit_log-xxx_yyyymmdd",
            "type": "project.archived",
            "effective_at": 1722461446,
            "actor": {
                "type": "api_key",
                "api_key": {
                    "type": "user",
                    "user": {
                        "id": "user-xxx",
                        "email": "user@example.com"
                    }
                }
            },
            "project.archived": {
                "id": "proj_abc"
            },
        },
        {
            "id": "audit_log-yyy__20240101",
            "type": "api_key.updated",
            "effective_at": 1720804190,
            "actor": {"type": "session", "session": {"user": {"id": "user-xxx", "email": "user@example.com"}, "ip_address": "127.0.0.1"}},
            "api_key.updated": {
                "id": "key_xxxx",
                "data": {
                    "scopes": ["resource_2.operation_2"]
                }
            },
        }
    ],
    "first_id": "audit_log-xxx__20240101",
    "last_id": "audit_log_yyy__20240101",
    "has_more": true
}
"#;
    let out = run("list_audit_logs.json", text);
    assert_eq!(out.batch.len(), 0);
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
    assert_eq!(out.errors[0].origin, "list_audit_logs.json[0]");
    assert_eq!(out.errors[1].origin, "list_audit_logs.json[1]");
    assert!(
        out.errors
            .iter()
            .all(|e| e.message.contains("trailing comma")),
        "{:?}",
        out.errors
    );

    // The same page without the trailing commas loads, asset from the dotted payload key.
    let fixed = text
        .replace("},\n        },", "}\n        },")
        .replace("},\n        }\n    ]", "}\n        }\n    ]");
    let out = run("list_audit_logs.json", &fixed);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(get(&out, Col::Asset, 0).as_deref(), Some("proj_abc"));
    assert_eq!(get(&out, Col::AssetKind, 0).as_deref(), Some("project"));
    assert_eq!(
        get(&out, Col::Identity, 0).as_deref(),
        Some("user@example.com")
    );
    assert_eq!(get(&out, Col::Token, 0), None);
    assert_eq!(get(&out, Col::Asset, 1).as_deref(), Some("key_xxxx"));
}

#[test]
fn does_not_claim_other_formats() {
    let cloudtrail = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2023-07-19T21:33:41Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1"}]}"#;
    assert!(!OpenAi.sniff(&Probe::new("ct.json", cloudtrail)));
    let other_list = r#"{"object":"list","data":[{"id":"file-1","object":"file","created_at":1700000000}],"has_more":false}"#;
    assert!(!OpenAi.sniff(&Probe::new("files.json", other_list)));
}

#[test]
fn loads_through_the_registry() {
    let ev = json!({"id":"audit_log-1","type":"login.succeeded","effective_at":1770979925,
        "object":"organization.audit_log","actor":session_actor()});
    let s = load_bytes(
        "openai.jsonl",
        format!("{ev}\n").into_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 1);
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(r.display(Col::Source, 0).as_deref(), Some("openai"));
    assert_eq!(
        r.display(Col::Time, 0).as_deref(),
        Some("2026-02-13T10:52:05Z")
    );
}
