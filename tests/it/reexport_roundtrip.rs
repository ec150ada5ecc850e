//! The sample incident re-exported as a SIEM hands it on (Elastic ECS documents with and without `event.original`,
//! Splunk results as JSON lines and CSV, and, for its CloudTrail, Datadog archives, Athena results, a pandas CSV and
//! the console's CSV) must answer the investigator's questions exactly as the native bundle does: the stolen key's
//! pivot (identities, tokens, assets, IPs, events, lineage) and the attacker IP across sources, in time order.

use std::path::Path;

use heist_core::entities::{Entity, EntityKind, Pivot, PivotEngine};
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::{load, LoadOptions, Progress};
use heist_synth::sample::{ATTACKER_IP, STOLEN_KEY};
use polars::prelude::*;
use serde_json::Value;

use crate::reexport_shapes::*;

fn load_dir(dir: &Path) -> EventStore {
    load(
        &[dir.to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap()
}

fn native() -> EventStore {
    load_dir(&crate::common::sample())
}

/// Write the export's files into a fresh folder and load it.
fn exported(files: &[(&str, String)]) -> (tempfile::TempDir, EventStore) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let s = load_dir(dir.path());
    (dir, s)
}

/// The columns an answer is made of (where the record sits in which file is the export's own).
fn answer_columns() -> Vec<&'static str> {
    Col::ALL
        .iter()
        .filter(|c| {
            !matches!(
                c,
                Col::Origin | Col::Line | Col::RawOffset | Col::RawLen | Col::RecordHash
            )
        })
        .map(|c| c.name())
        .collect()
}

/// A frame's rows as text over the answer columns, in the frame's order.
fn rows(df: &DataFrame) -> Vec<String> {
    let cols: Vec<&Column> = answer_columns()
        .into_iter()
        .map(|c| df.column(c).unwrap())
        .collect();
    (0..df.height())
        .map(|i| {
            cols.iter()
                .map(|c| format!("{}", c.get(i).unwrap()))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

/// A related-entity table, row by row.
fn table(df: &DataFrame) -> Vec<String> {
    let cols = df.columns();
    let mut out: Vec<String> = (0..df.height())
        .map(|i| {
            cols.iter()
                .map(|c| format!("{}", c.get(i).unwrap()))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    out.sort();
    out
}

fn links(p: &Pivot) -> Vec<(Option<String>, Option<String>, u32)> {
    let mut v: Vec<_> = p
        .parents
        .iter()
        .chain(&p.children)
        .map(|l| (l.token.clone(), l.identity.clone(), l.depth))
        .collect();
    v.sort();
    v
}

/// Rows in time order; rows of the same instant compared as a set (their order between files is the load's).
fn in_time_order(df: &DataFrame) -> Vec<String> {
    let mut r = rows(df);
    // The time column comes first, so sorting keeps time order and settles ties.
    r.sort();
    r
}

/// The investigator's questions answer the same on `got` as on `want`.
fn assert_same_answers(want: &EventStore, got: &EventStore, shape: &str) {
    assert!(
        got.report.unreadable.is_empty(),
        "{shape}: {:?}",
        got.report.unreadable
    );
    assert_eq!(
        got.report.error_count, want.report.error_count,
        "{shape}: {:?}",
        got.report.errors
    );
    assert_eq!(got.len(), want.len(), "{shape}: events");
    assert_eq!(got.report.merged, want.report.merged, "{shape}: merged");

    let (we, ge) = (
        PivotEngine::new(want).unwrap(),
        PivotEngine::new(got).unwrap(),
    );
    let key = Entity::new(EntityKind::Token, STOLEN_KEY);
    let (wp, gp) = (we.pivot(&key).unwrap(), ge.pivot(&key).unwrap());
    assert!(wp.events.height() > 0);
    assert_eq!(
        gp.events.height(),
        wp.events.height(),
        "{shape}: stolen key events"
    );
    for kind in [
        EntityKind::Identity,
        EntityKind::Token,
        EntityKind::Asset,
        EntityKind::Ip,
    ] {
        assert_eq!(
            table(gp.related(kind)),
            table(wp.related(kind)),
            "{shape}: stolen key's {kind:?}"
        );
    }
    assert_eq!(
        in_time_order(&gp.events),
        in_time_order(&wp.events),
        "{shape}: stolen key's events"
    );
    assert_eq!(links(&gp), links(&wp), "{shape}: lineage");

    let q = format!("ip:{ATTACKER_IP}");
    let (wi, gi) = (
        heist_core::query::filter(&want.frame, &q).unwrap(),
        heist_core::query::filter(&got.frame, &q).unwrap(),
    );
    let sources: std::collections::BTreeSet<String> = rows(&wi)
        .iter()
        .map(|r| r.split(" | ").nth(1).unwrap().to_string())
        .collect();
    assert!(
        sources.len() >= 4,
        "the attacker in many sources: {sources:?}"
    );
    assert_eq!(in_time_order(&gi), in_time_order(&wi), "{shape}: {q}");
    // The frame itself is in time order (each row's text starts with its time, written at a fixed width).
    let times: Vec<String> = rows(&gi)
        .iter()
        .map(|r| r.split(" | ").next().unwrap().to_string())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "{shape}: time order"
    );
    for f in &got.files {
        assert!(
            ["elastic", "splunk"].contains(&f.format),
            "{shape}: {} read as {}",
            f.origin,
            f.format
        );
    }
}

#[test]
fn elastic_documents_with_event_original() {
    let want = native();
    let docs: String = raw_records(&want)
        .iter()
        .map(|r| format!("{}\n", ecs_original(&r.text, r.format)))
        .collect();
    let (_d, got) = exported(&[("logs-export.ndjson", docs)]);
    assert_same_answers(&want, &got, "ECS with event.original");
}

#[test]
fn elastic_documents_without_event_original() {
    let want = native();
    // CloudTrail goes through Elastic's CloudTrail pipeline without keeping the original; the other sources keep it.
    let docs: Vec<Value> = raw_records(&want)
        .iter()
        .map(|r| match (r.format, cloudtrail_event(&r.text)) {
            ("cloudtrail", Some(ev)) => ecs_cloudtrail(&ev, None),
            // Other sources, and a broken CloudTrail record, keep the original.
            (f, _) => ecs_original(&r.text, f),
        })
        .collect();
    assert!(docs
        .iter()
        .any(|d| d.pointer("/aws/cloudtrail/user_identity/access_key_id")
            == Some(&Value::from(STOLEN_KEY))));
    // As an Elasticsearch _search response.
    let hits: Vec<Value> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| serde_json::json!({"_index":".ds-logs-aws.cloudtrail-default","_id":i.to_string(),"_score":1.0,"_source":d}))
        .collect();
    let response = serde_json::json!({"took":12,"timed_out":false,"_shards":{"total":1,"successful":1},
        "hits":{"total":{"value":hits.len(),"relation":"eq"},"max_score":1.0,"hits":hits}});
    let (_d, got) = exported(&[("search.json", response.to_string())]);
    assert_same_answers(&want, &got, "ECS without event.original");
}

#[test]
fn splunk_json_lines_and_csv() {
    let want = native();
    let raws = raw_records(&want);
    let lines: String = raws
        .iter()
        .map(|r| format!("{}\n", splunk_line(&r.text, r.format)))
        .collect();
    let (_d, got) = exported(&[("splunk-export.json", lines)]);
    assert_same_answers(&want, &got, "Splunk JSON lines");
    let (_d, got) = exported(&[("splunk-export.csv", splunk_csv(&raws))]);
    assert_same_answers(&want, &got, "Splunk CSV");
}

/// The columns CloudTrail rows are compared on, for shapes that carry CloudTrail only.
fn cloudtrail_rows(s: &EventStore) -> Vec<String> {
    let ct = heist_core::query::filter(&s.frame, "source:cloudtrail").unwrap();
    in_time_order(&ct)
}

#[test]
fn cloudtrail_as_datadog_athena_pandas_and_console_csv() {
    let want = native();
    let events: Vec<Value> = raw_records(&want)
        .iter()
        .filter(|r| r.format == "cloudtrail")
        .filter_map(|r| cloudtrail_event(&r.text))
        .collect();
    let want_rows = cloudtrail_rows(&want);
    assert!(want_rows.len() > 50, "{}", want_rows.len());
    let datadog: String = events
        .iter()
        .map(|e| format!("{}\n", datadog_line(e)))
        .collect();
    for (name, text, format) in [
        ("datadog-archive.json", datadog, "datadog"),
        ("athena-results.csv", athena_csv(&events), "cloudtrail_csv"),
        ("honey.csv", pandas_csv(&events), "cloudtrail_csv"),
        ("event_history.csv", console_csv(&events), "cloudtrail_csv"),
    ] {
        let (_d, got) = exported(&[(name, text)]);
        assert_eq!(got.report.error_count, 0, "{name}: {:?}", got.report.errors);
        assert_eq!(got.files[0].format, format, "{name}");
        assert_eq!(cloudtrail_rows(&got), want_rows, "{name}");
    }
}
