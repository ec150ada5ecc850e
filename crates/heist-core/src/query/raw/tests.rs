//! Raw search over small CloudTrail bundles written here: what the frame does not hold is found in the records.

use std::fs;
use std::path::Path;

use super::*;
use crate::ingest::{load, LoadOptions, Progress};
use crate::query::parse;

fn event(i: usize, user: &str, principal: &str, bucket: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"{principal}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIA{i:012}","userName":"{user}"}},"eventTime":"2026-10-05T02:{m:02}:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.{i}","userAgent":"aws-cli/2","requestParameters":{{"bucketName":"{bucket}","key":"a\/b.bin"}},"eventID":"e{i}","requestID":"r{i}","eventType":"AwsApiCall","recipientAccountId":"111122223333"}}"#,
        m = i % 60
    )
}

/// Two files of CloudTrail records; principal ids and bucket names sit only in the raw records.
fn bundle(dir: &Path) -> EventStore {
    let a: Vec<String> = (0..6)
        .map(|i| {
            event(
                i,
                "alice",
                "AIDAALICE",
                if i % 2 == 0 { "models" } else { "logs" },
            )
        })
        .collect();
    let b: Vec<String> = (6..10)
        .map(|i| event(i, "bob", "AIDABOB", "models"))
        .collect();
    fs::write(
        dir.join("a.json"),
        format!(r#"{{"Records":[{}]}}"#, a.join(",")),
    )
    .unwrap();
    fs::write(
        dir.join("b.json"),
        format!(r#"{{"Records":[{}]}}"#, b.join(",")),
    )
    .unwrap();
    load(
        &[dir.to_path_buf()],
        &LoadOptions::with_builtin_mappings(),
        &Progress::default(),
    )
    .unwrap()
}

fn ids(df: &DataFrame) -> Vec<String> {
    let r = FrameReader::new(df).unwrap();
    let mut v: Vec<String> = (0..r.height())
        .map(|i| r.text(Col::EventId, i).unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

fn select(store: &EventStore, q: &str) -> Selected {
    run(store, &store.frame, &parse(q).unwrap(), &mut |_| true).unwrap()
}

#[test]
fn finds_what_only_the_record_holds_case_insensitively() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundle(dir.path());
    let s = select(&store, r#"raw:"aidabob""#);
    assert_eq!(ids(&s.frame), ["e6", "e7", "e8", "e9"]);
    assert_eq!(s.unreadable, 0);
    // With frame terms, negation, and the ~ spelling.
    let s = select(&store, r#"~AIDAALICE -raw:"logs" ip:198.51.100.2"#);
    assert_eq!(ids(&s.frame), ["e2"]);
    let s = select(&store, "-~models");
    assert_eq!(ids(&s.frame), ["e1", "e3", "e5"]);
}

#[test]
fn a_slash_is_found_where_the_log_escaped_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundle(dir.path());
    assert_eq!(select(&store, "raw:a/b.bin").frame.height(), 10);
}

#[test]
fn searches_a_slice_of_the_frame() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundle(dir.path());
    let slice = crate::query::filter(&store.frame, "identity:*bob*").unwrap();
    let s = run(&store, &slice, &parse("~models").unwrap(), &mut |_| true).unwrap();
    assert_eq!(ids(&s.frame), ["e6", "e7", "e8", "e9"]);
}

#[test]
fn a_changed_file_is_not_searched_and_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundle(dir.path());
    fs::write(dir.path().join("b.json"), "{}").unwrap();
    let s = select(&store, "~aida");
    assert_eq!(ids(&s.frame), ["e0", "e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(s.unreadable, 4);
    // Negated too: what cannot be read is not said to lack the text.
    let s = select(&store, "-~AIDAALICE");
    assert_eq!(s.frame.height(), 0);
    assert_eq!(s.unreadable, 4);
}

#[test]
fn reports_progress_per_file_and_stops_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundle(dir.path());
    let mut seen = Vec::new();
    run(&store, &store.frame, &parse("~x").unwrap(), &mut |p| {
        seen.push(p);
        true
    })
    .unwrap();
    assert_eq!(seen.first().map(|p| (p.files_done, p.files)), Some((0, 2)));
    assert_eq!(seen.last().map(|p| (p.files_done, p.files)), Some((2, 2)));
    let stopped = run(&store, &store.frame, &parse("~x").unwrap(), &mut |_| false);
    assert!(matches!(stopped, Err(RawSearchError::Cancelled)));
}

#[test]
fn the_frame_alone_refuses_a_raw_search() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundle(dir.path());
    assert!(crate::query::filter(&store.frame, "~x").is_err());
}
