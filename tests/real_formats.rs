//! Real public samples of every non-CloudTrail format, read from `../shared/datasets` (never copied here): each file
//! is recognised as its format, every record is an event, a counted duplicate or an explained error, and the
//! normalised rows are pinned by golden files.

mod common;

use common::*;
use heist::frame::EventStore;
use heist::ingest::{load, LoadOptions, Progress};

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
    heist::query::filter(&s.frame, q).unwrap().height()
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
