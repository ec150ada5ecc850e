//! A case survives the round trip: written to disk, read back by a fresh heist on a freshly loaded bundle, every
//! mark, tag and note lands on the same event (stable event keys, not row numbers), and the file is plain,
//! readable JSON with the documented fields.

use crate::common;

use std::collections::HashSet;

use heist_core::case::{self, Case, CaseFile, CaseLocation, EventInfo, LastView, ViewStep};
use heist_core::entities::{Entity, EntityKind};
use heist_core::frame::access::FrameReader;
use heist_core::frame::{key, Col, EventKey};
use heist_core::ingest::{self, LoadOptions, Progress};

fn load() -> heist_core::frame::EventStore {
    ingest::load(
        &[common::sample()],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap()
}

#[test]
fn marks_tags_and_notes_land_on_the_same_events_after_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.json");
    let digest = case::digest(&[common::sample()]).unwrap();
    let store = load();
    // Every event of the attacker's address, and what each one is.
    let df = heist_core::query::filter(&store.frame, "ip:198.51.100.77").unwrap();
    let r = FrameReader::new(&df).unwrap();
    let keys = key::keys(&df).unwrap();
    assert!(keys.len() > 10);
    let mut c = Case::new(digest.bundle_ref(), Some("dana".into()), 0);
    let mut expected = Vec::new();
    for (i, k) in keys.iter().enumerate().step_by(3) {
        let info = EventInfo {
            time: r.time(i),
            summary: r.text(Col::Action, i).unwrap_or("").into(),
        };
        c.set_mark(k, &info, true);
        c.toggle_event_tag(k, &info, "attacker").unwrap();
        c.set_event_note(k, &info, &format!("event {i}: | `x` <b>\nsecond line"));
        expected.push((
            k.clone(),
            r.time(i),
            r.text(Col::Action, i).map(str::to_string),
            r.text(Col::Origin, i).map(str::to_string),
        ));
    }
    let ip = Entity::new(EntityKind::Ip, "198.51.100.77");
    c.toggle_entity_tag(&ip, "attacker-ip").unwrap();
    c.set_entity_note(&ip, "a VPS");
    c.last_view = Some(LastView {
        steps: vec![
            ViewStep::default(),
            ViewStep {
                entity: Some(case::EntityKey(ip.clone())),
                filter: "outcome:failure".into(),
            },
        ],
        selected: Some(keys[0].clone()),
        selected_time: r.time(0),
    });
    let (f, _) = CaseFile::open(&path).unwrap();
    f.save(&c).unwrap();
    drop(store);

    // A fresh load of the same bundle, and the case opened by path.
    let store = load();
    let opened = case::open(&CaseLocation::File(path.clone()), &digest, 1).unwrap();
    assert!(!opened.created && opened.warning.is_none());
    assert_eq!(opened.case, c);
    let marked: HashSet<EventKey> = opened
        .case
        .marked()
        .into_iter()
        .map(|(k, _)| k.clone())
        .collect();
    let rows = key::rows_of(&store.frame, &marked).unwrap();
    assert_eq!(
        rows.len(),
        expected.len(),
        "every mark finds its event, once"
    );
    let r2 = FrameReader::new(&store.frame).unwrap();
    for row in rows {
        let k = EventKey::of_row(&r2, row).unwrap();
        let (_, t, action, origin) = expected.iter().find(|e| e.0 == k).unwrap();
        assert_eq!(r2.time(row), *t);
        assert_eq!(r2.text(Col::Action, row).map(str::to_string), *action);
        assert_eq!(r2.text(Col::Origin, row).map(str::to_string), *origin);
        let n = opened.case.event(&k).unwrap();
        assert!(n.tags.contains("attacker") && n.note.ends_with("second line"));
    }
    assert_eq!(opened.case.entity_tags(&ip), ["attacker-ip"]);

    // The file is the documented JSON, readable by anything.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["version"], case::CASE_VERSION);
    assert_eq!(v["bundle"]["sha256"], digest.sha256.as_str());
    assert_eq!(v["analyst"], "dana");
    assert_eq!(v["time_zone"], "utc");
    assert_eq!(v["entities"]["ip:198.51.100.77"]["tags"][0], "attacker-ip");
    let (first_key, first) = v["events"].as_object().unwrap().iter().next().unwrap();
    assert!(
        first_key.contains("|id|") || first_key.contains("|h|"),
        "{first_key}"
    );
    assert_eq!(first["marked"], true);
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["last_view"]["steps"][1]["entity"], "ip:198.51.100.77");
    assert_eq!(v["last_view"]["steps"][1]["filter"], "outcome:failure");
}

#[test]
fn the_default_location_is_the_data_dir_by_bundle_hash() {
    let dir = tempfile::tempdir().unwrap();
    let digest = case::digest(&[common::sample()]).unwrap();
    let p = case::location::case_file_in(dir.path(), &digest.sha256);
    assert_eq!(
        p,
        dir.path()
            .join("cases")
            .join(format!("{}.json", digest.sha256))
    );
    assert_eq!(digest.sha256.len(), 64);
    // Every file of the bundle is hashed, archives whole, and listed with the display path events carry.
    assert_eq!(digest.files.len(), common::files(&common::sample()).len());
    let store = load();
    for f in &store.files {
        let on_disk = f.origin.split("!/").next().unwrap();
        assert!(
            digest.files.iter().any(|d| d.path == on_disk),
            "{on_disk} is not in the digest"
        );
    }
}

#[test]
fn end_dates_round_trip_and_a_version_1_file_reads_and_is_saved_as_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.json");
    let digest = case::digest(&[common::sample()]).unwrap();
    let key = Entity::new(EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI");
    let t = heist_core::util::time::parse_any("2026-10-05T00:00:00Z").unwrap();
    let mut c = Case::new(digest.bundle_ref(), None, 0);
    c.set_entity_end(&key, Some(t));
    assert_eq!(c.end_dates(), vec![(key.clone(), t)]);
    case::store::save_atomic(&path, &c).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"ended\": \"2026-10-05T00:00:00Z\""),
        "{text}"
    );
    let back = case::store::load(&path).unwrap().unwrap();
    assert_eq!(back.end_dates(), vec![(key.clone(), t)]);
    // Cleared, the entity has nothing left and leaves the case.
    let mut back = back;
    back.set_entity_end(&key, None);
    assert!(back.entity(&key).is_none() && back.end_dates().is_empty());
    // A version 1 file (before end dates) reads, and is written back as the current version.
    let mut v1: serde_json::Value = serde_json::from_str(&text).unwrap();
    v1["version"] = 1.into();
    v1["entities"] = serde_json::json!({});
    let v1 = serde_json::to_string_pretty(&v1).unwrap();
    std::fs::write(&path, v1).unwrap();
    let old = case::store::load(&path).unwrap().unwrap();
    assert_eq!(old.version, case::CASE_VERSION);
    assert!(old.end_dates().is_empty());
}
