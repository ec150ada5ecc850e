//! The benchmark corpus: N CloudTrail events in the real S3 delivery layout, about 1 KB each, gzipped, 500 events a
//! file. One key (`BENCH_KEY`) appears in a short burst, as a stolen key would; the rest is a realistic mix.

use std::path::Path;

use rayon::prelude::*;
use serde_json::json;

use super::cloudtrail::{s3_object, Call, Who};
use super::rng::Rng;
use super::write_records_gz;
use heist_core::util::time::{parse_rfc3339, Nanos};

pub const BENCH_KEY: &str = "AKIABENCHSTOLENKEY01";
pub const EVENTS_PER_FILE: usize = 500;
const ACCOUNT: &str = "210987654321";

/// Write `n` events under `dir`; returns the number of events with `BENCH_KEY`.
pub fn write(dir: &Path, n: usize) -> std::io::Result<usize> {
    let files = n.div_ceil(EVENTS_PER_FILE);
    let start = parse_rfc3339("2026-09-01T00:00:00Z").unwrap_or(0);
    let step: Nanos = 1_000_000_000 * 3; // one event every 3 s on average
    let burst_file = files / 2;
    let counts: Vec<std::io::Result<usize>> = (0..files)
        .into_par_iter()
        .map(|f| {
            let mut rng = Rng::new(0xbe7c_0000 + f as u64);
            let users: Vec<Who> = (0..50)
                .map(|u| Who::user(ACCOUNT, &format!("user-{u:02}"), &format!("AKIABENCHUSER{u:07}")))
                .collect();
            let sessions: Vec<Who> = (0..150)
                .map(|s| Who::session(ACCOUNT, &format!("role-{:02}", s % 20), &format!("sess-{s}"), &format!("ASIABENCHSESS{s:07}")))
                .collect();
            let stolen = Who::user(ACCOUNT, "ci-bot", BENCH_KEY);
            let mut recs = Vec::with_capacity(EVENTS_PER_FILE);
            let mut hits = 0;
            let count = EVENTS_PER_FILE.min(n - f * EVENTS_PER_FILE);
            for i in 0..count {
                let t = start + ((f * EVENTS_PER_FILE + i) as Nanos) * step;
                let burst = (f == burst_file || f == burst_file + 1) && i % 2 == 0;
                let who = if burst {
                    hits += 1;
                    &stolen
                } else if rng.below(3) == 0 {
                    rng.pick(&users)
                } else {
                    rng.pick(&sessions)
                };
                let ip = format!("10.{}.{}.{}", rng.below(4), rng.below(255), rng.below(255));
                let r = rng.below(10);
                let call = if r < 7 {
                    let key = format!("datasets/part-{:05}/shard-{:04}.parquet", rng.below(500), rng.below(1000));
                    let (p, res) = s3_object(ACCOUNT, "bench-data", &key);
                    Call::new(t, who, "s3.amazonaws.com", if r < 5 { "GetObject" } else { "PutObject" }, &ip, "Boto3/1.34.69 Botocore/1.34.69")
                        .params(p)
                        .resources(res)
                        .data()
                        .extra(json!({"bytesTransferredOut": rng.below(50_000_000), "AuthenticationMethod": "AuthHeader"}))
                } else if r < 9 {
                    Call::new(t, who, "bedrock.amazonaws.com", "InvokeModel", &ip, "aws-cli/2.15.30")
                        .params(json!({"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}))
                } else {
                    Call::new(t, who, "sts.amazonaws.com", "GetCallerIdentity", &ip, "aws-cli/2.15.30")
                };
                recs.push(call.record(ACCOUNT, "us-east-1", &mut rng));
            }
            let ts = chrono::DateTime::from_timestamp_nanos(start + (f * EVENTS_PER_FILE) as Nanos * step);
            let path = dir.join(format!(
                "AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/{}/{ACCOUNT}_CloudTrail_us-east-1_{}_{:016}.json.gz",
                ts.format("%Y/%m/%d"),
                ts.format("%Y%m%dT%H%MZ"),
                f
            ));
            write_records_gz(&path, &recs)?;
            Ok(hits)
        })
        .collect();
    counts.into_iter().sum()
}
