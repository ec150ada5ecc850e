//! Real public CloudTrail samples from `../shared/datasets` (never copied here). Counts come from the dataset index;
//! every error must be one the index explains.

use crate::common;

use common::*;
use heist_core::frame::access::FrameReader;
use heist_core::frame::Col;
use heist_core::ingest::{load, LoadOptions, Progress};

fn load_dir(p: &std::path::Path) -> heist_core::frame::EventStore {
    load(
        &[p.to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap()
}

#[test]
fn invictus_s3_delivery_files() {
    let Some(d) = real_data() else { return };
    let s = load_dir(&d.join("invictus-aws-dataset/CloudTrail"));
    assert_eq!(
        s.report.error_count,
        0,
        "{:?}",
        &s.report.errors[..s.report.errors.len().min(3)]
    );
    assert!(s.report.unreadable.is_empty(), "{:?}", s.report.unreadable);
    assert_eq!(s.files.len(), 55);
    assert_eq!(
        s.len() + s.report.duplicates,
        2900,
        "every record is an event or a counted duplicate"
    );
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(
        r.display(Col::Time, 0).as_deref(),
        Some("2023-07-10T11:42:18Z")
    );
    assert_eq!(
        r.display(Col::Time, s.len() - 1).as_deref(),
        Some("2023-07-10T12:37:50Z")
    );
    let assume = heist_core::query::filter(&s.frame, "action:AssumeRole").unwrap();
    assert_eq!(assume.height(), 49, "the index counts 49 AssumeRole");
    let minted = heist_core::query::filter(&s.frame, "action:AssumeRole minted:ASIA*").unwrap();
    assert!(
        minted.height() > 0,
        "AssumeRole responses carry the minted session keys"
    );
}

#[test]
fn stratus_red_team_arrays_with_odd_regions_and_ips() {
    let Some(d) = real_data() else { return };
    let s = load_dir(&d.join("stratus-red-team"));
    assert_eq!(
        s.report.error_count,
        0,
        "{:?}",
        &s.report.errors[..s.report.errors.len().min(3)]
    );
    assert_eq!(s.files.len(), 35);
    assert_eq!(s.len() + s.report.duplicates, 310);
    // Anonymised zero-padded IPs (`035.249.253.232`) have one spelling in the frame: every way of writing the
    // address, and CIDRs written either way, find the same events.
    let padded = heist_core::query::filter(&s.frame, "ip:/^0\\d\\d\\./").unwrap();
    assert_eq!(
        padded.height(),
        0,
        "no zero-padded spelling is left in the frame"
    );
    let counts: Vec<usize> = [
        "ip:35.249.253.232",
        "ip:035.249.253.232",
        "ip:35.249.253.0/24",
        "ip:035.249.253.0/24",
    ]
    .iter()
    .map(|q| heist_core::query::filter(&s.frame, q).unwrap().height())
    .collect();
    assert_eq!(counts, [15, 15, 15, 15]);
    let engine = heist_core::entities::PivotEngine::new(&s).unwrap();
    for spelling in ["35.249.253.232", "035.249.253.232"] {
        let p = engine
            .pivot(&heist_core::entities::Entity::new(
                heist_core::entities::EntityKind::Ip,
                spelling,
            ))
            .unwrap();
        assert_eq!(p.events.height(), 15, "pivot --ip {spelling}");
    }
    let bedrock = heist_core::query::filter(
        &s.frame,
        "action:InvokeModel,PutUseCaseForModelAccess,CreateFoundationModelAgreement",
    )
    .unwrap();
    assert_eq!(bedrock.height(), 3);
    let fed = heist_core::query::filter(&s.frame, "action:GetFederationToken minted:*").unwrap();
    assert!(fed.height() >= 1, "GetFederationToken mints a key");
}

#[test]
fn plaso_lookup_events_lines() {
    let Some(d) = real_data() else { return };
    let s = load_dir(&d.join("plaso-test-data/aws_cloudtrail.jsonl"));
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len(), 6);
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(
        r.display(Col::Identity, 0).as_deref(),
        Some("arn:aws:iam::012345678901:user/fakeusername")
    );
    assert_eq!(
        r.display(Col::Time, 0).as_deref(),
        Some("2022-02-07T22:19:04Z")
    );
}

#[test]
fn sekoia_single_events_including_an_insight() {
    let Some(d) = real_data() else { return };
    let s = load_dir(&d.join("sekoia-intake-formats/AWS__aws-cloudtrail.jsonl"));
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len() + s.report.duplicates, 15);
    let insight = heist_core::query::filter(&s.frame, "action:Insight:*").unwrap();
    assert_eq!(insight.height(), 1);
}

/// Panther's rule fixtures (one raw event per line) are partly hand-edited: the events load, and the ones with no
/// usable time are reported with the reason, never silently dropped.
#[test]
fn panther_fixtures_load_or_explain() {
    let Some(d) = real_data() else { return };
    let path = d.join("panther-analysis/AWS_CloudTrail.jsonl");
    let lines = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    // INDEX.md says 484, but the file (and its .sources.jsonl) holds 475 records, one per line.
    assert_eq!(lines, 475);
    let s = load(
        &[path],
        &LoadOptions {
            dedupe: false,
            ..LoadOptions::default()
        },
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(
        s.len() + s.report.error_count,
        lines,
        "every fixture is an event or a reported error"
    );
    for e in &s.report.errors {
        let m = &e.message;
        let explained =
            m.contains("eventTime") || m.contains("no eventName") || m.contains("malformed record");
        assert!(explained, "unexplained error at {}: {m}", e.origin);
    }
    assert!(
        s.report.error_count < 40,
        "{} errors: {:?}",
        s.report.error_count,
        &s.report.errors[..5]
    );
}

/// The fixtures' provenance files sit beside them: JSON, but not a log. Listed as unreadable with the reason.
#[test]
fn provenance_files_are_listed_not_guessed() {
    let Some(d) = real_data() else { return };
    let s = load(
        &[d.join("panther-analysis/AWS_CloudTrail.sources.jsonl")],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(s.len(), 0);
    assert_eq!(s.report.unreadable.len(), 1);
    assert!(
        s.report.unreadable[0]
            .reason
            .contains("no known log format"),
        "{:?}",
        s.report.unreadable
    );
}

/// The shipped mappings read the real shapes they were written for.
#[test]
fn shipped_mappings_read_real_exports() {
    let Some(d) = real_data() else { return };
    let opts = LoadOptions::with_builtin_mappings();
    let s = load(
        &[d.join("panther-analysis/Anthropic_Activity.jsonl")],
        &opts,
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
    assert_eq!(s.len() + s.report.duplicates, 38);
    assert_eq!(s.files[0].format, "anthropic_activity");
    let failed = heist_core::query::filter(&s.frame, "outcome:failure").unwrap();
    assert!(failed.height() >= 1, "sso_login_failed is a failure");

    let s = load(
        &[d.join("splunk-attack-data/copilot_prompt_logs.csv")],
        &opts,
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(s.files[0].format, "m365_copilot");
    assert_eq!(
        s.len() + s.report.duplicates + s.report.error_count,
        177,
        "{:?}",
        &s.report.errors[..s.report.errors.len().min(3)]
    );
    for e in &s.report.errors {
        assert!(
            e.message.contains("no time"),
            "unexplained: {} {}",
            e.origin,
            e.message
        );
    }
}
