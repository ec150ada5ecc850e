//! Real public Azure and Microsoft Entra ID samples, read from `../shared/datasets` (never copied here): every file
//! is recognised as `azure`, every record is an event, a counted duplicate or an explained error, the odd time
//! formats parse, and the normalised rows are pinned by golden files.

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

fn count(s: &EventStore, q: &str) -> usize {
    heist_core::query::filter(&s.frame, q).unwrap().height()
}

/// Records in a JSON-lines file (the `event` of panther's wrapper lines counts as one).
fn records(d: &std::path::Path, rel: &str) -> usize {
    std::fs::read_to_string(d.join(rel))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[test]
fn every_azure_sample_is_recognised_and_every_record_accounted_for() {
    let Some(d) = real_data() else { return };
    // (file, events, errors, duplicates)
    let expected = [
        // Panther fixtures reuse event ids for different records: those are separate events.
        ("panther-analysis/Azure_Audit.jsonl", 39, 0, 9),
        ("panther-analysis/Azure_MonitorActivity.jsonl", 212, 35, 2),
        ("sekoia-intake-formats/Azure__azure-ad.jsonl", 25, 0, 0),
        (
            "sekoia-intake-formats/Microsoft__microsoft-entraid-graphapi.jsonl",
            79,
            0,
            0,
        ),
        (
            "sekoia-intake-formats/Azure__azure-activity-logs.jsonl",
            4,
            0,
            0,
        ),
        (
            "sekoia-intake-formats/Azure__azure-key-vault.jsonl",
            31,
            0,
            1,
        ),
        ("plaso-test-data/azure_activity_log.jsonl", 4, 0, 0),
    ];
    for (rel, events, errors, dups) in expected {
        let s = load_file(&d, rel);
        assert!(
            s.report.unreadable.is_empty(),
            "{rel}: {:?}",
            s.report.unreadable
        );
        for f in &s.files {
            assert_eq!(f.format, "azure", "{rel}");
        }
        assert_eq!(
            (s.len(), s.report.error_count, s.report.duplicates),
            (events, errors, dups),
            "{rel}: {:?}",
            s.report.errors.first()
        );
        assert_eq!(
            s.len() + s.report.error_count + s.report.duplicates,
            records(&d, rel),
            "{rel}: every record is an event, an error or a duplicate"
        );
    }
}

#[test]
fn the_only_errors_are_hand_edited_records_without_any_time() {
    let Some(d) = real_data() else { return };
    let rel = "panther-analysis/Azure_MonitorActivity.jsonl";
    let s = load_file(&d, rel);
    let lines: Vec<String> = std::fs::read_to_string(d.join(rel))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(!s.report.errors.is_empty());
    for e in &s.report.errors {
        assert!(
            e.message.starts_with("no timestamp"),
            "{}: {}",
            e.origin,
            e.message
        );
        // The record really carries no time anywhere: not in the Azure fields, not in the AKS audit event inside.
        let n: usize = e.origin.rsplit(':').next().unwrap().parse().unwrap();
        let line = &lines[n - 1];
        for field in [
            "\"time\"",
            "TimeGenerated",
            "eventTimestamp",
            "requestReceivedTimestamp",
            "stageTimestamp",
        ] {
            assert!(!line.contains(field), "{}: has {field}", e.origin);
        }
    }
}

#[test]
fn key_listing_sign_ins_and_odd_times_map() {
    let Some(d) = real_data() else { return };
    let s = load_file(&d, "panther-analysis/Azure_MonitorActivity.jsonl");
    assert_eq!(count(&s, "action:/(?i)storageaccounts/listkeys/"), 3);
    let s = load_file(&d, "panther-analysis/Azure_Audit.jsonl");
    assert!(count(&s, "action:ServicePrincipalSignIn") > 0);
    assert!(
        count(
            &s,
            "action:ServicePrincipalSignIn token_kind:credential_key"
        ) > 0,
        "a service principal's key is its token"
    );
    // Sekoia's Entra records use `12/13/2024 4:34:03 PM`.
    let s = load_file(&d, "sekoia-intake-formats/Azure__azure-ad.jsonl");
    assert_eq!(
        count(&s, "time>=2024-12-13T16:34:03Z time<=2024-12-13T16:34:03Z"),
        1
    );
}

#[test]
fn golden_rows_entra_and_rest_activity() {
    let Some(d) = real_data() else { return };
    for (name, rel) in [
        (
            "azure_entra_sekoia",
            "sekoia-intake-formats/Azure__azure-ad.jsonl",
        ),
        (
            "azure_activity_plaso",
            "plaso-test-data/azure_activity_log.jsonl",
        ),
    ] {
        let out = stdout(&heist_in(&d, &["events", rel, "--format", "jsonl"]));
        insta::assert_snapshot!(name, out);
    }
}
