//! Ingest speed per format: `cargo bench --bench formats -- [--mb N] [--runs N]`.
//!
//! For every format, the sample incident's records of that format are repeated, in the shape the format is
//! delivered in (CloudTrail `{"Records":[...]}` files, JSON lines, S3 access log lines, an OpenAI page, ...), into
//! 48 files of about N/48 MB each (N = 48 by default), written uncompressed to a temporary folder, and loaded with
//! de-duplication off (the copies are identical on purpose: every format does the same work per byte). Reports MB/s
//! per format and the ratio to CloudTrail; the goal is that no format is more than 2x slower per byte.

use std::time::Instant;

use heist_core::ingest::{load, LoadOptions, Progress};
use heist_synth::sample::{self, aws_logs, azure, gcp, k8s, saas};
use serde_json::Value;

mod common;
use common::{median, Args};

const FILES: usize = 48;

fn lines_of(values: impl Iterator<Item = Value>) -> Vec<String> {
    values.map(|v| v.to_string()).collect()
}

/// Repeat `records` until a file holds about `bytes`, then give it its delivery shape with `wrap`.
fn file_of(records: &[String], bytes: usize, wrap: &dyn Fn(&[String]) -> String) -> String {
    let mut picked: Vec<String> = Vec::new();
    let mut size = 0;
    while size < bytes {
        for r in records {
            size += r.len() + 2;
            picked.push(r.clone());
            if size >= bytes {
                break;
            }
        }
    }
    wrap(&picked)
}

fn main() {
    let args = Args::new();
    let mb = args.number("--mb", 48);
    let runs = args.number("--runs", 3);
    let per_file = mb * 1_000_000 / FILES;

    let events = sample::events();
    let records_wrap = |recs: &[String]| format!("{{\"Records\":[{}]}}", recs.join(","));
    let lines_wrap = |recs: &[String]| recs.iter().map(|r| format!("{r}\n")).collect::<String>();
    let page_wrap = |recs: &[String]| {
        format!(
            "{{\"object\":\"list\",\"data\":[{}],\"has_more\":false}}",
            recs.join(",")
        )
    };
    let azure_recs = azure::records();
    let (az_calls, az_other): (Vec<_>, Vec<_>) = azure_recs
        .into_iter()
        .partition(|(_, f, _)| *f == "insights-logs-requestresponse");
    type Wrap<'a> = &'a dyn Fn(&[String]) -> String;
    let formats: Vec<(&str, Vec<String>, Wrap<'_>)> = vec![
        (
            "cloudtrail",
            lines_of(events.iter().map(|(_, v)| v.clone())),
            &records_wrap,
        ),
        (
            "bedrock",
            lines_of(
                aws_logs::bedrock_records(&events)
                    .into_iter()
                    .map(|(_, v)| v),
            ),
            &lines_wrap,
        ),
        (
            "s3access",
            aws_logs::s3_access_lines(&events)
                .into_iter()
                .map(|(_, l)| l)
                .collect(),
            &lines_wrap,
        ),
        ("k8s", k8s::lines().0, &lines_wrap),
        (
            "gcp",
            lines_of(gcp::entries().into_iter().map(|(_, _, v)| v)),
            &lines_wrap,
        ),
        (
            "azure",
            lines_of(az_other.into_iter().map(|(_, _, v)| v)),
            &lines_wrap,
        ),
        (
            "azure_openai",
            lines_of(az_calls.into_iter().map(|(_, _, v)| v)),
            &lines_wrap,
        ),
        (
            "openai",
            lines_of(saas::openai_events().into_iter().map(|(_, v)| v)),
            &page_wrap,
        ),
        (
            "anthropic_activity",
            lines_of(saas::anthropic_events().into_iter().map(|(_, v)| v)),
            &lines_wrap,
        ),
    ];
    let tmp = std::env::temp_dir().join(format!("heist-formats-bench-{}", std::process::id()));
    let opts = LoadOptions {
        dedupe: false,
        ..LoadOptions::with_builtin_mappings()
    };
    let mut results: Vec<(&str, f64, usize)> = Vec::new();
    for (id, recs, wrap) in &formats {
        let dir = tmp.join(id);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let body = file_of(recs, per_file, wrap);
        for i in 0..FILES {
            std::fs::write(dir.join(format!("part-{i:03}.log")), &body).expect("write");
        }
        let bytes = (body.len() * FILES) as f64;
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let store =
                load(std::slice::from_ref(&dir), &opts, &Progress::default()).expect("load");
            times.push(t.elapsed().as_secs_f64());
            n = store.len();
            let sources = heist_core::query::stats::value_counts(
                &store.frame,
                heist_core::frame::Col::Source,
            )
            .expect("counts");
            assert_eq!(
                sources.len(),
                1,
                "{id}: every file detected as one format: {sources:?}"
            );
            assert_eq!(sources[0].0, *id, "{id}: detected as {}", sources[0].0);
            assert_eq!(store.report.error_count, 0, "{id}: read errors");
        }
        let s = median(times);
        results.push((id, bytes / 1e6 / s, n));
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let ct = results.first().map(|r| r.1).unwrap_or(f64::NAN);
    println!("format              MB/s   events    vs cloudtrail (per byte; goal: no format more than 2x slower)");
    for (id, rate, n) in &results {
        println!(
            "{id:<18} {rate:>6.0} {n:>9}    {:.2}x{}",
            ct / rate,
            if ct / rate > 2.0 {
                "  SLOWER THAN GOAL"
            } else {
                ""
            }
        );
    }
}
