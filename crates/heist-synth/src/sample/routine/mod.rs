//! Two weeks of ACME's ordinary work around the theft, 2026-09-21 to the morning after (2026-10-05 12:00 UTC):
//! thirty people with their own keys or console sessions (see `cast`), nine service identities with their own keys
//! beside the CI user whose key leaks, and the nightly jobs. Weekends are quiet. Everything is drawn from one seeded
//! generator, so the same bytes come out on every run.

pub mod cast;
mod humans;
pub(crate) mod k8s;
mod services;

use serde_json::{json, Value};

use super::{t, Story, ACCOUNT, MIN, SEC};
use crate::cloudtrail::{s3_object, Call, Who};
use heist_core::util::time::Nanos;

pub const HOUR: Nanos = 60 * MIN;
pub const DAY: Nanos = 24 * HOUR;
/// The first day of the sample.
pub const START: &str = "2026-09-21T00:00:00Z";
/// Days, the last one (the morning after the theft) cut at `END`.
pub const DAYS: usize = 15;
/// The SOC exported the logs at lunchtime the morning after.
pub const END: &str = "2026-10-05T12:00:00Z";

/// One day of the fortnight.
pub struct Day {
    pub start: Nanos,
    pub weekend: bool,
    /// `2026-09-21`
    pub date: String,
    /// `20260921`
    pub compact: String,
}

pub fn days() -> Vec<Day> {
    let start = t(START);
    (0..DAYS)
        .map(|i| {
            let at = start + i as Nanos * DAY;
            let d = chrono::DateTime::from_timestamp_nanos(at);
            let date = d.format("%Y-%m-%d").to_string();
            use chrono::Datelike;
            Day {
                start: at,
                weekend: d.weekday().number_from_monday() >= 6,
                compact: date.replace('-', ""),
                date,
            }
        })
        .collect()
}

/// Add every routine event to the story.
pub(crate) fn add(s: &mut Story) {
    let days = days();
    humans::add(s, &days);
    services::add(s, &days);
}

/// Someone's calls from one place with one client: the building block of the routine.
pub(crate) struct Act<'a> {
    pub who: &'a Who,
    pub ip: &'a str,
    pub ua: &'a str,
}

impl<'a> Act<'a> {
    pub fn new(who: &'a Who, ip: &'a str, ua: &'a str) -> Self {
        Act { who, ip, ua }
    }

    pub fn call(&self, at: Nanos, source: &'a str, name: &'a str) -> Call<'a> {
        Call::new(at, self.who, source, name, self.ip, self.ua)
    }

    pub fn api(&self, s: &mut Story, at: Nanos, source: &'a str, name: &'a str, params: Value) {
        s.add(self.call(at, source, name).params(params));
    }

    pub fn get(&self, s: &mut Story, at: Nanos, bucket: &str, key: &str, bytes: u64) {
        let (p, r) = s3_object(ACCOUNT, bucket, key);
        s.add(self.call(at, "s3.amazonaws.com", "GetObject").params(p).resources(r).data().extra(
            json!({"bytesTransferredIn": 0, "bytesTransferredOut": bytes, "AuthenticationMethod": "AuthHeader", "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256"}),
        ));
    }

    pub fn put(&self, s: &mut Story, at: Nanos, bucket: &str, key: &str, bytes: u64) {
        let (p, r) = s3_object(ACCOUNT, bucket, key);
        s.add(self.call(at, "s3.amazonaws.com", "PutObject").params(p).resources(r).data().extra(
            json!({"bytesTransferredIn": bytes, "bytesTransferredOut": 0, "AuthenticationMethod": "AuthHeader", "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256"}),
        ));
    }

    pub fn list(&self, s: &mut Story, at: Nanos, bucket: &str, prefix: &str) {
        s.add(
            self.call(at, "s3.amazonaws.com", "ListObjects")
                .params(json!({"bucketName": bucket, "prefix": prefix, "list-type": "2", "Host": format!("{bucket}.s3.us-east-1.amazonaws.com")}))
                .resources(json!([{ "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}"), "accountId": ACCOUNT }]))
                .data()
                .extra(json!({"bytesTransferredIn": 0, "bytesTransferredOut": 2_400, "AuthenticationMethod": "AuthHeader"})),
        );
    }

    pub fn invoke(&self, s: &mut Story, at: Nanos, model: &str) {
        s.add(
            self.call(at, "bedrock.amazonaws.com", "InvokeModel")
                .params(json!({"modelId": model})),
        );
    }
}

/// A time within `span` after `at`, to the second.
pub(crate) fn jitter(s: &mut Story, at: Nanos, span: Nanos) -> Nanos {
    at + (s.plan.below((span / SEC).max(1) as u64) as Nanos) * SEC
}

pub const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
pub const SONNET35: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";
pub const TITAN_EMBED: &str = "amazon.titan-embed-text-v2:0";
pub const LLAMA: &str = "meta.llama3-1-70b-instruct-v1:0";
