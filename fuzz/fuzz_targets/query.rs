//! The query language: any text is parsed, and what parses is compiled and run against a small frame.
#![no_main]

use std::sync::OnceLock;

use heist_core::frame::EventStore;
use heist_core::ingest::{load_bytes, LoadOptions};
use libfuzzer_sys::fuzz_target;

fn store() -> &'static EventStore {
    static STORE: OnceLock<EventStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let records = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:07Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","eventID":"e1","eventType":"AwsApiCall","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIAEXAMPLE"},"requestParameters":{"bucketName":"models","key":"m.safetensors"}}]}"#;
        load_bytes("q.json", records.as_bytes().to_vec(), &LoadOptions::default())
            .expect("the query target's frame loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(q) = heist_core::query::parse(text) else {
        return;
    };
    let _ = heist_core::query::select(&q, &store().frame);
});
