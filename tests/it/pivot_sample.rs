//! Pivots on the sample incident: the story's stolen key must lead to everything the attacker did.

use heist_core::entities::{Entity, EntityKind, PivotEngine};
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::{load, LoadOptions, Progress};
use heist_synth::sample::{ATTACKER_IP, BACKDOOR_KEY, SESSION_KEY, STOLEN_KEY};
use polars::prelude::*;

fn sample() -> EventStore {
    let dir = crate::common::sample();
    load(&[dir], &LoadOptions::default(), &Progress::default()).unwrap()
}

fn names(t: &DataFrame) -> Vec<String> {
    t.column("name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(str::to_string)
        .collect()
}

#[test]
fn stolen_key_reaches_ip_session_assets_and_backdoor() {
    let store = sample();
    let engine = PivotEngine::new(&store).unwrap();
    let p = engine
        .pivot(&Entity::new(EntityKind::Token, STOLEN_KEY))
        .unwrap();
    assert!(
        names(&p.ips).contains(&ATTACKER_IP.to_string()),
        "{:?}",
        names(&p.ips)
    );
    let tokens = names(&p.tokens);
    assert!(tokens.contains(&SESSION_KEY.to_string()), "{tokens:?}");
    let kids: Vec<_> = p
        .children
        .iter()
        .filter_map(|l| l.token.as_deref())
        .collect();
    assert!(kids.contains(&SESSION_KEY), "{kids:?}");
    assert!(kids.contains(&BACKDOOR_KEY), "{kids:?}");
    assert!(p.events.height() > 0);
    assert!(p.trail.is_empty());
    // Model weights read with the session key are assets of the stolen key's pivot.
    let assets = names(&p.assets);
    let shards = assets
        .iter()
        .filter(|a| a.ends_with(".safetensors"))
        .count();
    assert!(shards >= 4, "{assets:?}");

    // Composing keeps the trail.
    let q = engine
        .pivot_from(&p, &Entity::new(EntityKind::Ip, ATTACKER_IP))
        .unwrap();
    assert_eq!(q.trail, [Entity::new(EntityKind::Token, STOLEN_KEY)]);
    assert!(names(&q.tokens).contains(&STOLEN_KEY.to_string()));
    let r = engine
        .pivot_from(&q, &Entity::new(EntityKind::Token, SESSION_KEY))
        .unwrap();
    assert_eq!(r.trail.len(), 2);
    let up: Vec<_> = r
        .parents
        .iter()
        .filter_map(|l| l.token.as_deref())
        .collect();
    assert_eq!(
        up.first(),
        Some(&STOLEN_KEY),
        "the session key walks up to the stolen key"
    );
}

#[test]
fn unknown_entity_is_an_empty_pivot() {
    let store = sample();
    let engine = PivotEngine::new(&store).unwrap();
    let p = engine
        .pivot(&Entity::new(EntityKind::Asset, "no-such-bucket"))
        .unwrap();
    assert_eq!(p.events.height(), 0);
    assert_eq!(p.identities.height(), 0);
    assert!(p.parents.is_empty() && p.children.is_empty());
}

/// An S3 server access log row carries the requester's session ARN, not the key; it joins the key's pivot through
/// CloudTrail's request id.
#[test]
fn s3_access_rows_join_cloudtrail_by_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let ct = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2019-02-06T00:00:38Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-west-1","sourceIPAddress":"192.0.2.3","userAgent":"S3Console/0.4","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/r/s","accountId":"111122223333","accessKeyId":"ASIAJOINTEST0000001"},"requestParameters":{"bucketName":"awsexamplebucket1","key":"weights/model.safetensors"},"requestID":"3E57427F3EXAMPLE","eventID":"e-1"}]}"#;
    let s3 = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:sts::111122223333:assumed-role/r/s 3E57427F3EXAMPLE REST.GET.OBJECT weights/model.safetensors \"GET /awsexamplebucket1/weights/model.safetensors HTTP/1.1\" 200 - 113 113 7 - \"-\" \"S3Console/0.4\" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 - -\n";
    std::fs::write(dir.path().join("trail.json"), ct).unwrap();
    std::fs::write(dir.path().join("access.log"), s3).unwrap();
    let store = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(store.report.error_count, 0, "{:?}", store.report.errors);
    assert_eq!(store.len(), 2);
    let engine = PivotEngine::new(&store).unwrap();
    let p = engine
        .pivot(&Entity::new(EntityKind::Token, "ASIAJOINTEST0000001"))
        .unwrap();
    assert_eq!(p.events.height(), 2);
    assert_eq!(p.joined, 1);
    let sources = heist_core::query::mask::distinct(&p.events, Col::Source).unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");
    // Pivoting on the IP finds both rows directly: nothing to join.
    let p = engine
        .pivot(&Entity::new(EntityKind::Ip, "192.0.2.3"))
        .unwrap();
    assert_eq!((p.events.height(), p.joined), (2, 0));
}

/// Azure: a service principal's sign-in mints its token, the token lists an OpenAI account's keys, the keys drain
/// the deployment. The keys were in use before (by the application that owns them): those calls are not the chain's.
#[test]
fn listed_account_keys_count_from_the_listing_on() {
    let acct =
        "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/ML/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/AOAI";
    let chat = |t: &str| {
        serde_json::json!({"category":"RequestResponse","callerIpAddress":"198.51.100.***","correlationId":t,
            "operationName":"ChatCompletions_Create","resultSignature":"200","time":t,"resourceId":acct,
            "properties":{"objectId":"","modelDeploymentName":"gpt"}})
    };
    let list = serde_json::json!({"time":"2026-10-05T04:11:24.0000000Z","resourceId":acct,
        "operationName":"MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION","category":"Administrative",
        "resultType":"Success","callerIpAddress":"198.51.100.77","correlationId":"c-list",
        "identity":{"claims":{"appid":"app-1","uti":"UTI-OF-THE-SP","idtyp":"app"}}});
    let calls = format!(
        "{}\n{}\n",
        chat("2026-10-04T10:00:00.0000000Z"),
        chat("2026-10-05T04:20:00.0000000Z")
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("activity.json"), format!("{list}\n")).unwrap();
    std::fs::write(dir.path().join("openai.json"), calls).unwrap();
    let store = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(store.len(), 3, "{:?}", store.report.errors);
    let engine = PivotEngine::new(&store).unwrap();
    let p = engine
        .pivot(&Entity::new(EntityKind::Token, "UTI-OF-THE-SP"))
        .unwrap();
    let kids: Vec<_> = p
        .children
        .iter()
        .filter_map(|l| l.token.as_deref())
        .collect();
    assert_eq!(kids, [acct]);
    let r = FrameReader::new(&p.events).unwrap();
    let times: Vec<String> = (0..r.height())
        .filter_map(|i| r.display(Col::Time, i))
        .collect();
    assert_eq!(
        times,
        ["2026-10-05T04:11:24Z", "2026-10-05T04:20:00Z"],
        "the earlier key use is not the chain's"
    );
}
