//! Findings an analyst can trust, on real records: the false positives real captures showed, each pinned on the
//! records that showed it (invictus-ir's account hour, panther-analysis fixtures, Stratus detonations, all in
//! `../shared/datasets`), beside a hand-built record of the same shape that runs without the datasets.
//!
//! - CloudTrail tampering is a trail stopped, deleted or narrowed; a trail set up (CreateTrail, StartLogging) or
//!   widened (selectors that log every management event, UpdateTrail making it multi-region) is not.
//! - A credential created "for another user" compares user names: a user creating their own key (with or without
//!   `userName`), or changing their own password from a role session named after them, is not flagged.
//! - Events whose key (source, event id, action) another event shares are named apart: a finding shows and flags
//!   the events behind it, not every record that reuses their id.

use crate::detect_support;

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use detect_support::*;
use heist_core::detect::Flags;
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventKey};

/// Every CloudTrail record of the invictus account hour whose eventID is one of `ids`.
fn invictus(d: &Path, ids: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    let dir = d.join("invictus-aws-dataset/CloudTrail");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for f in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        for r in v["Records"].as_array().into_iter().flatten() {
            if ids.contains(&r["eventID"].as_str().unwrap_or("")) {
                out.push(r.clone());
            }
        }
    }
    assert_eq!(out.len(), ids.len(), "invictus records {ids:?}");
    out
}

/// The panther-analysis CloudTrail fixtures `keep` accepts (the fixture record, and its test's name).
fn panther(d: &Path, keep: impl Fn(&Value, &str) -> bool) -> Vec<Value> {
    let dir = d.join("panther-analysis");
    let events = std::fs::read_to_string(dir.join("AWS_CloudTrail.jsonl")).unwrap();
    let sources = std::fs::read_to_string(dir.join("AWS_CloudTrail.sources.jsonl")).unwrap();
    events
        .lines()
        .zip(sources.lines())
        .filter_map(|(e, s)| {
            let e: Value = serde_json::from_str(e).ok()?;
            let s: Value = serde_json::from_str(s).ok()?;
            keep(&e, s["test"].as_str().unwrap_or("")).then_some(e)
        })
        .collect()
}

/// The actions and event ids of the rows a finding names.
fn named(store: &EventStore, f: &Finding) -> Vec<(String, String)> {
    let r = FrameReader::new(&store.frame).unwrap();
    f.rows(&store.frame)
        .unwrap()
        .into_iter()
        .map(|i| {
            (
                r.text(Col::Action, i).unwrap_or("").to_string(),
                r.text(Col::EventId, i).unwrap_or("").to_string(),
            )
        })
        .collect()
}

// ================================ CloudTrail set up or widened ================================

const NARROWED: &str = "076e96d5-2983-473f-920a-2fc2d7e02777";
const WIDENED: &str = "3d6df238-f83c-4a34-bea8-45cf80a2050b";

#[test]
fn a_trail_set_up_or_widened_is_not_tampering() {
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let trail = "acme-org-trail";
    let call = |at: Nanos, name: &str, params: Value, tr: &mut Trail| {
        tr.add(api(
            at,
            &alice,
            "cloudtrail.amazonaws.com",
            name,
            OFFICE,
            params,
        ));
    };
    // Set up: created, started, selectors that log every management event and add S3 data events; made
    // multi-region with global events and log-file validation.
    let mut tr = Trail::new();
    call(
        day1(),
        "CreateTrail",
        json!({"name": trail, "s3BucketName": "acme-trail-logs", "includeGlobalServiceEvents": true}),
        &mut tr,
    );
    call(
        day1() + SEC,
        "StartLogging",
        json!({"name": trail}),
        &mut tr,
    );
    call(
        day1() + 3 * SEC,
        "PutEventSelectors",
        json!({"trailName": trail, "eventSelectors": [
        {"readWriteType": "All", "includeManagementEvents": true, "excludeManagementEventSources": [],
         "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::acme-models/"]}]}]}),
        &mut tr,
    );
    call(
        day1() + 4 * SEC,
        "PutEventSelectors",
        json!({"trailName": trail, "advancedEventSelectors": [
        {"name": "Management events", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]},
        {"name": "Model reads", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]}),
        &mut tr,
    );
    call(
        day1() + 5 * SEC,
        "UpdateTrail",
        json!({"name": trail, "isMultiRegionTrail": true,
        "includeGlobalServiceEvents": true, "enableLogFileValidation": true}),
        &mut tr,
    );
    call(
        day1() + 6 * SEC,
        "PutInsightSelectors",
        json!({"trailName": trail,
        "insightSelectors": [{"insightType": "ApiCallRateInsight"}]}),
        &mut tr,
    );
    silent("cloudtrail-tampering", &tr.on_disk());

    // Narrowed, each its own way: management events off; management events of KMS excluded by an advanced
    // selector; made single-region; insights removed.
    for (name, params) in [
        (
            "PutEventSelectors",
            json!({"trailName": trail, "eventSelectors": [{"readWriteType": "ReadOnly",
            "includeManagementEvents": false, "dataResources": [{"type": "AWS::S3::Object", "values": []}]}]}),
        ),
        (
            "PutEventSelectors",
            json!({"trailName": trail, "advancedEventSelectors": [{"name": "no kms",
            "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]},
                {"field": "eventSource", "notEquals": ["kms.amazonaws.com"]}]}]}),
        ),
        (
            "UpdateTrail",
            json!({"name": trail, "isMultiRegionTrail": false}),
        ),
        (
            "PutInsightSelectors",
            json!({"trailName": trail, "insightSelectors": []}),
        ),
    ] {
        let mut tr = Trail::new();
        call(day1(), name, params, &mut tr);
        fires("cloudtrail-tampering", &tr.on_disk());
    }

    // Without the raw records (a bundle read from memory, or detection over the bare frame) a selector change
    // cannot be judged: it is flagged, as it was before the rule read records, and the explanation says so.
    let mut tr = Trail::new();
    call(
        day1(),
        "PutEventSelectors",
        json!({"trailName": trail, "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true}]}),
        &mut tr,
    );
    let f = fires("cloudtrail-tampering", &tr.store());
    assert!(
        f[0].explanation.contains("(raw record not read)"),
        "{}",
        f[0].explanation
    );

    let Some(d) = crate::common::real_data() else {
        return;
    };
    // invictus-ir: Stratus created and started a trail, narrowed its selectors (management events off, read-only),
    // and set them back to everything at cleanup. The narrowing is tampering; the set-up and the cleanup are not.
    let recs = invictus(
        &d,
        &[
            "ad384a22-c03e-4f3c-8520-86a31e79378d", // CreateTrail
            "98cf02da-a187-453b-87fe-884d93a06a4c", // StartLogging
            NARROWED,
            WIDENED,
        ],
    );
    let s = records_on_disk(&recs);
    let f = fires("cloudtrail-tampering", &s);
    assert_eq!(f.len(), 1);
    assert_eq!(
        named(&s, &f[0]),
        [("PutEventSelectors".to_string(), NARROWED.to_string())]
    );
    silent(
        "cloudtrail-tampering",
        &records_on_disk(&invictus(&d, &[WIDENED])),
    );
    // The whole hour: the widening is in no finding.
    let hour = heist_core::ingest::load(
        &[d.join("invictus-aws-dataset/CloudTrail")],
        &LoadOptions::default(),
        &heist_core::ingest::Progress::default(),
    )
    .unwrap();
    let all = fires("cloudtrail-tampering", &hour);
    let ids: BTreeSet<String> = all
        .iter()
        .flat_map(|f| named(&hour, f))
        .map(|(_, id)| id)
        .collect();
    assert!(ids.contains(NARROWED) && !ids.contains(WIDENED), "{ids:?}");

    // panther-analysis: the EventSelectorsDisabled fixtures, one that turns management events off and one that
    // logs everything; and a trail made single-region.
    let selectors = panther(&d, |e, _| e["eventName"] == "PutEventSelectors");
    assert_eq!(selectors.len(), 2);
    for rec in selectors {
        let all = rec["requestParameters"]["eventSelectors"][0]["includeManagementEvents"] == true;
        let s = records_on_disk(&[rec]);
        if all {
            silent("cloudtrail-tampering", &s);
        } else {
            fires("cloudtrail-tampering", &s);
        }
    }
    fires(
        "cloudtrail-tampering",
        &records_on_disk(&panther(&d, |e, _| e["eventName"] == "UpdateTrail")),
    );
}

// ================================ a credential of one's own ================================

#[test]
fn a_credential_of_ones_own_is_not_for_another_user() {
    // A user creating a key for themselves without naming a user (the request has no parameters; the response
    // names the caller), and naming themselves.
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let mut tr = Trail::new();
    tr.add(
        Call::new(day1(), &alice, "iam.amazonaws.com", "CreateAccessKey", OFFICE, UA).response(
            json!({"accessKey": {"userName": "alice", "accessKeyId": "AKIAQ3EGRZTALICENEW1", "status": "Active"}}),
        ),
    )
    .add(
        api(day1() + MIN, &alice, "iam.amazonaws.com", "CreateAccessKey", OFFICE, json!({"userName": "alice"}))
            .response(json!({"accessKey": {"userName": "alice", "accessKeyId": "AKIAQ3EGRZTALICENEW2", "status": "Active"}})),
    );
    silent("credential-for-another-user", &tr.store());
    // A password changed from a role session named after its user, and another user's.
    let sso = session("IAM", "alice", "ASIAQ3EGRZTALICESSO1");
    let profile = |target: &str| {
        let mut tr = Trail::new();
        tr.add(api(
            day1(),
            &sso,
            "iam.amazonaws.com",
            "UpdateLoginProfile",
            OFFICE,
            json!({"userName": target, "passwordResetRequired": false}),
        ));
        tr.store()
    };
    silent("credential-for-another-user", &profile("alice"));
    let f = fires("credential-for-another-user", &profile("bob"));
    assert!(
        f[0].explanation
            .contains(&format!("for arn:aws:iam::{ACCT}:user/bob")),
        "{}",
        f[0].explanation
    );

    let Some(d) = crate::common::real_data() else {
        return;
    };
    // panther-analysis: alice's own password, bob's; user1's own key (userName user1) beside keys for others.
    let login = |who: &'static str| {
        panther(&d, move |e, _| {
            e["eventName"] == "UpdateLoginProfile"
                && e["requestParameters"]["userName"] == who
                && e["requestParameters"]["passwordResetRequired"] == false
        })
    };
    silent(
        "credential-for-another-user",
        &records_on_disk(&login("alice")[..1]),
    );
    fires(
        "credential-for-another-user",
        &records_on_disk(&login("bob")[..1]),
    );
    let own = panther(&d, |e, _| {
        e["eventName"] == "CreateAccessKey" && e["requestParameters"]["userName"] == "user1"
    });
    silent("credential-for-another-user", &records_on_disk(&own));
}

// ================================ event ids reused ================================

#[test]
fn events_that_share_an_id_are_named_apart() {
    // Two records with one event id and action: a user's own key, and a key for another user.
    let alice = user("alice", "AKIAQ3EGRZTALICE4DEV");
    let mut tr = Trail::new();
    tr.add(
        api(
            day1(),
            &alice,
            "iam.amazonaws.com",
            "CreateAccessKey",
            OFFICE,
            json!({"userName": "alice"}),
        )
        .response(
            json!({"accessKey": {"userName": "alice", "accessKeyId": "AKIAQ3EGRZTALICENEW1"}}),
        ),
    )
    .add(
        api(
            day1() + MIN,
            &alice,
            "iam.amazonaws.com",
            "CreateAccessKey",
            EVIL,
            json!({"userName": "svc-backup"}),
        )
        .response(
            json!({"accessKey": {"userName": "svc-backup", "accessKeyId": "AKIAQ3EGRZTBACKDR9SV"}}),
        ),
    );
    let mut recs = tr.records();
    for r in &mut recs {
        r["eventID"] = json!("12345");
    }
    let s = records_on_disk(&recs);
    let f = fires("credential-for-another-user", &s);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events.len(), 1);
    assert!(
        f[0].events[0]
            .as_str()
            .starts_with("cloudtrail|id|12345|CreateAccessKey|h|"),
        "{}",
        f[0].events[0]
    );
    let rows = f[0].rows(&s.frame).unwrap();
    assert_eq!(rows.len(), 1, "the finding opens its own event only");
    let r = FrameReader::new(&s.frame).unwrap();
    assert_eq!(r.text(Col::SourceIp, rows[0]), Some(EVIL));
    let flags = Flags::new(&f);
    assert_eq!(flags.rows(&s.frame).unwrap(), rows);
    // Asked by the plain key (what a caller without the frame holds), the flag answers for the shared key.
    let plain = EventKey::new("cloudtrail", Some("12345"), Some("CreateAccessKey"), 0);
    assert!(flags.get(&plain).is_some());

    let Some(d) = crate::common::real_data() else {
        return;
    };
    // panther-analysis: four CreateAccessKey fixtures share event id 12345, one of them user1's own key.
    let recs = panther(&d, |e, _| {
        e["eventName"] == "CreateAccessKey" && e["eventID"] == "12345"
    });
    assert_eq!(recs.len(), 4);
    let s = records_on_disk(&recs);
    let f = fires("credential-for-another-user", &s);
    let keys: HashSet<&EventKey> = f.iter().flat_map(|x| &x.events).collect();
    assert_eq!(keys.len(), 3, "three keys for others, three names");
    let r = FrameReader::new(&s.frame).unwrap();
    let targets: BTreeSet<&str> = f
        .iter()
        .flat_map(|x| x.rows(&s.frame).unwrap())
        .map(|i| r.text(Col::MintedIdentity, i).unwrap_or(""))
        .collect();
    assert_eq!(
        targets,
        [
            "arn:aws:iam::123456789:user/jack",
            "arn:aws:iam::123456789:user/jackson",
            "arn:aws:iam::123456789:user/user2",
        ]
        .into_iter()
        .collect(),
        "user1's own key is not behind the finding"
    );
}
