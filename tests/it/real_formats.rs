//! Real public samples of every non-CloudTrail format, read from `../shared/datasets` (never copied here): each file
//! is recognised as its format, every record is an event, a counted duplicate or an explained error, and the
//! normalised rows are pinned by golden files.

use crate::common;

use common::*;
use heist_core::frame::EventStore;
use heist_core::ingest::{load, LoadOptions, Progress};

fn load_file(d: &std::path::Path, rel: &str) -> EventStore {
    load(
        &[d.join(rel)],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap()
}

/// `heist events FILE --format jsonl`, run from the datasets folder so origins are relative.
fn events_jsonl(d: &std::path::Path, rel: &str) -> String {
    stdout(&heist_in(d, &["events", rel, "--format", "jsonl"]))
}

fn assert_format(s: &EventStore, format: &str) {
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    for f in &s.files {
        assert_eq!(f.format, format, "{}", f.origin);
    }
}

fn count(s: &EventStore, q: &str) -> usize {
    heist_core::query::filter(&s.frame, q).unwrap().height()
}

#[test]
fn bedrock_invocation_logs() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d, "panther-analysis/AWS_BedrockModelInvocation.jsonl");
    assert_format(&s, "bedrock");
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    // Two fixture lines are byte-identical copies (the same test event reused by two rules).
    assert_eq!((s.len(), s.report.duplicates), (6, 2));
    assert_eq!(count(&s, "kind:model"), 6);
    insta::assert_snapshot!(
        "bedrock_panther",
        events_jsonl(&d, "panther-analysis/AWS_BedrockModelInvocation.jsonl")
    );

    let s = load_file(
        &d,
        "elastic-integrations/aws_bedrock__test-aws-bedrock.SUBSET.log",
    );
    assert_format(&s, "bedrock");
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 4);
    assert_eq!(
        count(&s, "kind:inference_profile"),
        1,
        "inference-profile ARN as modelId"
    );
    insta::assert_snapshot!(
        "bedrock_elastic",
        events_jsonl(
            &d,
            "elastic-integrations/aws_bedrock__test-aws-bedrock.SUBSET.log"
        )
    );
}

#[test]
fn s3_server_access_raw_lines() {
    let Some(d) = real_data() else { return };
    let rel = "elastic-integrations/aws_s3access__test-s3-server-access.log";
    let s = load_file(&d, rel);
    assert_format(&s, "s3access");
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 10, "three field-count variants, all ten lines");
    assert!(count(&s, "action:BATCH.DELETE.OBJECT") >= 1);
    insta::assert_snapshot!("s3access_elastic", events_jsonl(&d, rel));
}

/// Panther stores S3 access logs already parsed into its own JSON field names: not the AWS format, so it is listed
/// as unrecognised with its keys (a `--map` file can describe it), never guessed.
#[test]
fn panther_parsed_s3_access_is_listed_not_guessed() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d, "panther-analysis/AWS_S3ServerAccess.jsonl");
    assert_eq!(s.len(), 0);
    assert_eq!(s.report.unreadable.len(), 1);
    assert!(s.report.unreadable[0]
        .reason
        .contains("no known log format"));
}

/// Every error in `s` must carry one of the explanations in `why`.
fn errors_explained(s: &EventStore, why: &[&str]) {
    for e in &s.report.errors {
        assert!(
            why.iter().any(|w| e.message.contains(w)),
            "unexplained error at {}: {}",
            e.origin,
            e.message
        );
    }
}

#[test]
fn gcp_audit_logs() {
    let Some(d) = real_data() else { return };
    for (rel, events, errors, dups) in [
        ("plaso-test-data/gcp_logging.jsonl", 9, 2, 0),
        (
            "sekoia-intake-formats/Google_Cloud__Google_Cloud_Audit.jsonl",
            26,
            0,
            1,
        ),
        (
            "elastic-integrations/gcp_vertexai__test-vertexai.log",
            4,
            0,
            0,
        ),
        (
            "elastic-integrations/gcp_audit__test-iamcredentials-googleapis-com.log",
            1,
            0,
            0,
        ),
        ("dftimewolf/gcp-project-logs.jsonl", 98, 0, 0),
        // Panther's fixtures are hand-written: 59 have no time or no method at all.
        // Panther fixtures reuse insert ids for different records: those are separate events.
        ("panther-analysis/GCP_AuditLog.jsonl", 134, 59, 13),
    ] {
        let s = load_file(&d, rel);
        assert_format(&s, "gcp");
        assert_eq!(
            (s.len(), s.report.error_count, s.report.duplicates),
            (events, errors, dups),
            "{rel}: {:?}",
            &s.report.errors[..s.report.errors.len().min(3)]
        );
        errors_explained(
            &s,
            &[
                "not an audit log entry",
                "no methodName",
                "no protoPayload",
                "timestamp",
            ],
        );
    }
    let s = load_file(&d, "elastic-integrations/gcp_vertexai__test-vertexai.log");
    assert_eq!(count(&s, "kind:model"), 4);
    assert_eq!(count(&s, "outcome:failure"), 1);
    let s = load_file(
        &d,
        "elastic-integrations/gcp_audit__test-iamcredentials-googleapis-com.log",
    );
    assert_eq!(
        count(
            &s,
            "minted:made-up-ci-account@project-id.iam.gserviceaccount.com"
        ),
        0,
        "no token is minted by name"
    );
    insta::assert_snapshot!(
        "gcp_iamcredentials",
        events_jsonl(
            &d,
            "elastic-integrations/gcp_audit__test-iamcredentials-googleapis-com.log"
        )
    );
    insta::assert_snapshot!(
        "gcp_vertexai",
        events_jsonl(&d, "elastic-integrations/gcp_vertexai__test-vertexai.log")
    );
}

#[test]
fn kubernetes_audit_logs() {
    let Some(d) = real_data() else { return };
    for (rel, events, errors, merged) in [
        ("sekoia-intake-formats/Kubernetes__audit-log.jsonl", 8, 0, 0),
        ("audit2rbac/demo.log", 37, 0, 0),
        // Its GKE line loads as a GCP audit event.
        ("elastic-integrations/kubernetes__test-audit.log", 4, 0, 0),
        // 171 fixtures are hand-written without any timestamp.
        // Three lines are GKE LogEntries among the EKS events: each loads as a GCP audit event.
        ("panther-analysis/Amazon_EKS_Audit.jsonl", 11, 174, 2),
    ] {
        let s = load_file(&d, rel);
        assert_format(&s, "k8s");
        assert_eq!(
            (s.len(), s.report.error_count, s.report.merged),
            (events, errors, merged),
            "{rel}: {:?}",
            &s.report.errors[..s.report.errors.len().min(3)]
        );
        errors_explained(&s, &["timestamp", "verb"]);
    }
    let s = load_file(&d, "audit2rbac/demo.log");
    assert!(count(&s, "outcome:failure") > 0, "the demo is mostly 403s");
    insta::assert_snapshot!(
        "k8s_sekoia",
        events_jsonl(&d, "sekoia-intake-formats/Kubernetes__audit-log.jsonl")
    );
}

#[test]
fn openai_audit_logs() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d, "panther-analysis/OpenAI_Audit.jsonl");
    assert_format(&s, "openai");
    assert_eq!(
        (s.len(), s.report.error_count, s.report.duplicates),
        (29, 0, 4)
    );
    let s = load_file(&d, "elastic-integrations/openai__test-audit.log");
    assert_format(&s, "openai");
    assert_eq!((s.len(), s.report.error_count), (1, 0));
    insta::assert_snapshot!(
        "openai_elastic",
        events_jsonl(&d, "elastic-integrations/openai__test-audit.log")
    );
    // The official documentation example has trailing commas: each record is a clear error, never a crash.
    let s = load_file(&d, "openai-openapi/list_audit_logs.response_example.json");
    assert_eq!(s.len(), 0);
    assert_eq!(s.report.error_count, 2);
    errors_explained(&s, &["trailing comma"]);
}

#[test]
fn azure_openai_diagnostic_logs() {
    let Some(d) = real_data() else { return };
    for (rel, events) in [
        (
            "elastic-integrations/azure_openai__test-open-ai-request-response.log",
            3,
        ),
        (
            "elastic-integrations/azure_openai__test-open-ai-audit.log",
            1,
        ),
        (
            "elastic-integrations/azure_openai__test-open-ai-gateway.log",
            2,
        ),
    ] {
        let s = load_file(&d, rel);
        assert_format(&s, "azure_openai");
        assert_eq!(
            (s.len(), s.report.error_count),
            (events, 0),
            "{rel}: {:?}",
            s.report.errors
        );
    }
    let s = load_file(
        &d,
        "elastic-integrations/azure_openai__test-open-ai-request-response.log",
    );
    // Masked IPs are kept as given.
    assert!(count(&s, "ip:81.2.69.***") >= 1);
    let s = load_file(
        &d,
        "elastic-integrations/azure_openai__test-open-ai-audit.log",
    );
    assert_eq!(count(&s, "action:ListKey"), 1);
    insta::assert_snapshot!(
        "azure_openai_request_response",
        events_jsonl(
            &d,
            "elastic-integrations/azure_openai__test-open-ai-request-response.log"
        )
    );
}
