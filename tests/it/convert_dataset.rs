//! `heist convert`: the sample as a Hive-partitioned Parquet dataset that DuckDB reads as it is (checked with
//! DuckDB's Python package when it is installed) and that heist opens again with the same events.

use crate::common::{self, heist, stdout};

use std::process::Command;

fn summary_line<'a>(s: &'a str, key: &str) -> &'a str {
    s.lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} line in {s}"))
}

#[test]
fn a_converted_bundle_is_the_same_events_for_heist_and_for_duckdb() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    let sample = common::sample();
    let (sample, ds_s) = (sample.to_str().unwrap(), ds.to_str().unwrap());
    let out = stdout(&heist(&["convert", sample, "--out", ds_s]));
    let bundle = stdout(&heist(&["summary", sample]));
    let events = summary_line(&bundle, "events")
        .split_whitespace()
        .nth(1)
        .unwrap();
    assert!(out.starts_with(&format!("{events} events in ")), "{out}");
    // heist reads the dataset back: the same events, sources and time range.
    let back = stdout(&heist(&["summary", ds_s]));
    assert!(
        summary_line(&back, "files").contains("Parquet files of an event dataset"),
        "{back}"
    );
    for key in ["time range", "sources", "Top identities"] {
        assert_eq!(summary_line(&back, key), summary_line(&bundle, key));
    }
    assert_eq!(
        summary_line(&back, "events").split_whitespace().nth(1),
        Some(events)
    );
    // A query reads the same rows from either (origins aside: the dataset has no raw records to point into).
    let q = "token:AKIAQ3EGRZTBACKDR9SV -action:GetCallerIdentity";
    let rows = |p: &str| -> Vec<serde_json::Value> {
        stdout(&heist(&["events", p, "--where", q, "--format", "jsonl"]))
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("origin");
                v
            })
            .collect()
    };
    let (a, b) = (rows(sample), rows(ds_s));
    assert!(!a.is_empty());
    assert_eq!(a, b);
    // A dataset has no raw records: a raw search says so instead of blaming a changed file.
    let o = heist(&["events", ds_s, "--where", "~GetObject"]);
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("a Parquet dataset of events keeps no raw records"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Never into the bundle, never over a folder with something in it.
    let inside = common::sample().join("converted");
    let o = heist(&["convert", sample, "--out", inside.to_str().unwrap()]);
    assert!(!o.status.success() && !inside.exists());
    let o = heist(&["convert", sample, "--out", ds_s]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));

    // DuckDB reads the folders as they are, partition columns from the folder names.
    let py = r#"
import sys, duckdb
c = duckdb.connect()
rel = f"read_parquet('{sys.argv[1]}/**/*.parquet', hive_partitioning=true)"
n, = c.execute(f"select count(*) from {rel}").fetchone()
by = c.execute(f"select source, count(*) from {rel} group by source order by source").fetchall()
t, = c.execute(f"select typeof(time) from {rel} limit 1").fetchone()
k, = c.execute(f"select count(*) from {rel} where token = 'AKIAQ3EGRZTBACKDR9SV'").fetchone()
print(n); print(", ".join(f"{s} {c:,}" for s, c in by)); print(t); print(k)
"#;
    let have = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("notice: DuckDB's Python package is not installed: the dataset was checked by heist only");
        return;
    }
    let o = Command::new("python3")
        .args(["-c", py, ds_s])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], events.replace(',', ""));
    assert_eq!(
        format!("sources     {}", lines[1]),
        summary_line(&bundle, "sources")
    );
    assert_eq!(lines[2], "TIMESTAMP WITH TIME ZONE");
    let token_rows = stdout(&heist(&[
        "events",
        sample,
        "--where",
        "token:AKIAQ3EGRZTBACKDR9SV",
        "--format",
        "jsonl",
    ]))
    .lines()
    .count();
    assert_eq!(lines[3], token_rows.to_string());
}
