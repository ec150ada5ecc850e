//! Pivots on the sample incident: the story's stolen key must lead to everything the attacker did.

use super::*;
use crate::ingest::{load, LoadOptions, Progress};
use crate::synth::sample::{ATTACKER_IP, BACKDOOR_KEY, SESSION_KEY, STOLEN_KEY};

fn sample() -> EventStore {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/incident");
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
