//! The TUI reads a bundle it has opened before from the load cache, and checks that cached frame against the
//! bundle's SHA-256 once the case binding has computed it: a bundle whose bytes changed under the same file
//! names, sizes and times is said, and its entry removed.

use std::fs;

use heist_core::case::CaseLocation;
use heist_core::ingest::cache::{Cache, DEFAULT_MAX_BYTES};
use heist_tui::Harness;

fn rec(key: &str) -> String {
    format!(
        r#"{{"Records":[{{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:07Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e1","eventType":"AwsApiCall","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"{key}"}}}}]}}"#
    )
}

#[test]
fn a_cached_frame_is_checked_against_the_bundles_digest() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    fs::create_dir(&bundle).unwrap();
    let file = bundle.join("ct.json");
    fs::write(&file, rec("AKIAAAAAAAAAAAAAAAA1")).unwrap();
    let cache = Cache::in_data_dir(&dir.path().join("data"), DEFAULT_MAX_BYTES);
    let open = |n: usize| {
        Harness::with_case_cached(
            std::slice::from_ref(&bundle),
            120,
            36,
            CaseLocation::File(dir.path().join(format!("case{n}.json"))),
            &cache,
        )
    };
    let from_cache = |h: &Harness| h.state.store.as_ref().unwrap().report.cache_entry.is_some();
    let first = open(1);
    assert!(!from_cache(&first));
    drop(first);
    // Read from the cache, confirmed by the digest: nothing to say about it.
    let second = open(2);
    assert!(from_cache(&second));
    assert!(
        !second
            .state
            .message
            .as_deref()
            .unwrap_or("")
            .contains("cached frame"),
        "{:?}",
        second.state.message
    );
    drop(second);
    // The file's bytes change; its size and modification time are put back.
    let mtime = fs::metadata(&file).unwrap().modified().unwrap();
    fs::write(&file, rec("AKIABBBBBBBBBBBBBBB2")).unwrap();
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let mut third = open(3);
    let said = third.state.message.clone().unwrap_or_default();
    assert!(
        said.contains("not those its cached frame was read from"),
        "{said}"
    );
    assert!(third.screen().contains("cached frame"));
    // The entry is gone: the next open reads the bundle, and sees the new key.
    let fourth = open(4);
    assert!(!from_cache(&fourth));
    let store = fourth.state.store.as_ref().unwrap();
    let r = heist_core::frame::access::FrameReader::new(&store.frame).unwrap();
    assert_eq!(
        r.text(heist_core::frame::Col::Token, 0),
        Some("AKIABBBBBBBBBBBBBBB2")
    );
}
