//! The walk on small hand-made frames: lineage from the compromise on, usual networks, other credentials at an
//! attacker's address, calls not records, the bounds, the analyst's changes.

use std::borrow::Cow;

use super::*;
use crate::frame::assemble::assemble;
use crate::frame::store::LoadReport;
use crate::frame::{Col, EventBatch, Row};

const MIN: Nanos = 60_000_000_000;
const T0: Nanos = 1_790_000_000_000_000_000;
const ATTACKER: &str = "198.51.100.7";

struct Ev {
    at: Nanos,
    text: Vec<(Col, String)>,
    bytes: Option<u64>,
}

/// An event `m` minutes after T0: `who` using `token` from `ip` for `action` on `asset`.
fn call(m: i64, who: &str, token: &str, ip: &str, action: &str, asset: &str) -> Ev {
    let mut text = vec![
        (Col::Source, "cloudtrail".to_string()),
        (Col::Action, action.to_string()),
    ];
    for (c, v) in [
        (Col::Identity, who),
        (Col::Token, token),
        (Col::SourceIp, ip),
        (Col::Asset, asset),
    ] {
        if !v.is_empty() {
            text.push((c, v.to_string()));
        }
    }
    Ev {
        at: T0 + m * MIN,
        text,
        bytes: None,
    }
}

impl Ev {
    fn with(mut self, c: Col, v: &str) -> Self {
        self.text.retain(|(x, _)| *x != c);
        self.text.push((c, v.to_string()));
        self
    }
    fn bytes(mut self, b: u64) -> Self {
        self.bytes = Some(b);
        self
    }
    /// `token` mints `child` for `child_identity`.
    fn mints(self, child: &str, child_identity: &str) -> Self {
        self.with(Col::MintedToken, child)
            .with(Col::MintedIdentity, child_identity)
    }
}

fn store(events: &[Ev]) -> EventStore {
    let mut b = EventBatch::new("t.json");
    for (i, e) in events.iter().enumerate() {
        let mut r = Row::default();
        r.time = e.at;
        for (c, v) in &e.text {
            r.set(*c, Some(Cow::Borrowed(v.as_str())));
        }
        r.bytes = e.bytes;
        r.record_hash = i as u64 + 1;
        r.line = i as u32;
        b.push(&r);
    }
    b.finish().unwrap();
    let frame = assemble(vec![b], false).unwrap().frame;
    EventStore::new(frame, Vec::new(), LoadReport::default())
}

fn scope_of(events: &[Ev], seeds: &[Entity], opts: &ScopeOptions) -> Scope {
    let s = store(events);
    let label = |o: &str, l: u32| format!("{o}:{l}");
    let lineage = Lineage::build(&s.frame, &label).unwrap();
    Scope::build(&s, &lineage, seeds, opts).unwrap()
}

fn ip(v: &str) -> Entity {
    Entity::new(EntityKind::Ip, v)
}
fn token(v: &str) -> Entity {
    Entity::new(EntityKind::Token, v)
}
fn asset(v: &str) -> Entity {
    Entity::new(EntityKind::Asset, v)
}

fn names(list: &[ScopeEntity]) -> Vec<&str> {
    list.iter().map(|e| e.name.as_str()).collect()
}

fn every_entity_has_a_why(s: &Scope) {
    for e in s.entities() {
        let entry = s.get(e).unwrap();
        assert!(!entry.why.is_empty(), "{e} has no why");
    }
}

/// Routine work by three people from the office /24 before the incident.
fn office() -> Vec<Ev> {
    vec![
        call(0, "alice", "AKALICE", "10.1.1.10", "GetObject", "data/a"),
        call(1, "bob", "AKBOB", "10.1.1.11", "GetObject", "data/b"),
        call(2, "ci", "AKCI", "10.1.1.50", "PutObject", "models/w"),
    ]
}

#[test]
fn lineage_is_followed_down_from_the_compromise_only() {
    let mut ev = office();
    ev.extend([
        // The CI key's routine session, minted before the attacker had the key.
        call(5, "ci", "AKCI", "10.1.1.50", "AssumeRole", "role/deploy")
            .mints("ASCIROUTINE", "arn:aws:sts::1:assumed-role/deploy/ci"),
        call(
            6,
            "arn:aws:sts::1:assumed-role/deploy/ci",
            "ASCIROUTINE",
            "10.1.1.50",
            "PutObject",
            "models/w",
        ),
        call(60, "ci", "AKCI", ATTACKER, "GetCallerIdentity", ""),
        call(61, "ci", "AKCI", ATTACKER, "AssumeRole", "role/reader")
            .mints("ASEXFIL", "arn:aws:sts::1:assumed-role/reader/x"),
        call(
            62,
            "arn:aws:sts::1:assumed-role/reader/x",
            "ASEXFIL",
            "203.0.113.9",
            "CreateAccessKey",
            "user/backup",
        )
        .mints("AKBACKDOOR", "user/backup"),
        call(
            63,
            "user/backup",
            "AKBACKDOOR",
            "203.0.113.9",
            "GetObject",
            "models/w",
        )
        .bytes(500),
    ]);
    let s = scope_of(&ev, &[ip(ATTACKER)], &ScopeOptions::default());
    let tokens = names(&s.tokens);
    for t in ["AKCI", "ASEXFIL", "AKBACKDOOR"] {
        assert!(tokens.contains(&t), "{t} missing from {tokens:?}");
    }
    assert!(!tokens.contains(&"ASCIROUTINE"), "{tokens:?}");
    assert!(!tokens.contains(&"AKALICE"), "{tokens:?}");
    let backdoor = s.get(&token("AKBACKDOOR")).unwrap();
    assert_eq!(backdoor.why[0].edge, Edge::MintedBy);
    assert_eq!(backdoor.why[0].from, Some(token("ASEXFIL")));
    assert_eq!(
        backdoor.why[0].event.as_ref().unwrap().action,
        "CreateAccessKey"
    );
    assert!(backdoor.why[0].event.as_ref().unwrap().key.is_some());
    assert_eq!(backdoor.depth, 3);
    // The session's identity is whole: what it did from its own address is followed too.
    assert!(s.contains(&ip("203.0.113.9")));
    let w = s.get(&asset("models/w")).unwrap();
    assert_eq!(
        (w.events, w.bytes),
        (1, 500),
        "only the attacker's call on it"
    );
    assert_eq!(w.actions.get(&Access::Read), Some(&1));
    assert!(s.contains(&Entity::new(EntityKind::Identity, "user/backup")));
    assert!(!s.contains(&Entity::new(EntityKind::Identity, "alice")));
    every_entity_has_a_why(&s);
}

#[test]
fn usual_networks_are_not_followed_unless_fewer_identities_used_them() {
    let mut ev = office();
    ev.extend([
        call(60, "ci", "AKCI", ATTACKER, "ListBuckets", ""),
        call(70, "ci", "AKCI", "10.1.1.50", "PutObject", "models/w"),
        call(71, "bob", "AKBOB", "10.1.1.11", "GetObject", "data/b"),
    ]);
    let s = scope_of(&ev, &[ip(ATTACKER)], &ScopeOptions::default());
    assert!(!s.contains(&ip("10.1.1.50")));
    assert!(!s.contains(&token("AKBOB")));
    assert_eq!(s.usual_networks.len(), 1);
    assert_eq!(s.usual_networks[0].network, "10.1.1.0/24");
    assert_eq!(s.usual_networks[0].identities, 3);
    assert_eq!(s.usual_networks[0].ips, vec!["10.1.1.50".to_string()]);
    // With a higher bar the office is not "usual", and the walk goes in (and finds bob there).
    let opts = ScopeOptions {
        usual_min_identities: 4,
        ..ScopeOptions::default()
    };
    let s = scope_of(&ev, &[ip(ATTACKER)], &opts);
    assert!(s.contains(&ip("10.1.1.50")));
    assert!(s.usual_networks.is_empty());
}

#[test]
fn a_seed_in_a_usual_network_is_still_followed_and_says_so() {
    let mut ev = office();
    ev.push(call(
        60,
        "carol",
        "AKCAROL",
        "10.1.1.12",
        "GetObject",
        "data/c",
    ));
    let opts = ScopeOptions {
        since: Some(T0 + 30 * MIN),
        ..ScopeOptions::default()
    };
    let s = scope_of(&ev, &[ip("10.1.1.12")], &opts);
    let seed = s.get(&ip("10.1.1.12")).unwrap();
    assert_eq!(seed.why[0].edge, Edge::Seed);
    assert!(seed.why[0].note.as_deref().unwrap().contains("10.1.1.0/24"));
    assert!(s.contains(&token("AKCAROL")));
    assert!(!s.contains(&token("AKALICE")), "before the window");
}

#[test]
fn other_credentials_at_an_attacker_address_in_the_window_join() {
    let mut ev = office();
    ev.extend([
        call(3, "dave", "AKDAVE", ATTACKER, "GetObject", "data/d"), // before the window
        call(60, "ci", "AKCI", ATTACKER, "ListBuckets", ""),
        call(
            65,
            "svc",
            "KEY-OTHER-CLOUD",
            ATTACKER,
            "storage.objects.get",
            "bucket/x",
        ),
        call(66, "console-user", "", ATTACKER, "ConsoleLogin", ""),
    ]);
    let opts = ScopeOptions {
        since: Some(T0 + 30 * MIN),
        ..ScopeOptions::default()
    };
    let s = scope_of(&ev, &[token("AKCI")], &opts);
    let other = s.get(&token("KEY-OTHER-CLOUD")).unwrap();
    assert_eq!(other.why[0].edge, Edge::UsedToken);
    assert_eq!(other.why[0].from, Some(ip(ATTACKER)));
    let console = s
        .get(&Entity::new(EntityKind::Identity, "console-user"))
        .unwrap();
    assert_eq!(console.why[0].edge, Edge::ActedFrom);
    assert!(
        !s.contains(&token("AKDAVE")),
        "used there before the window"
    );
    assert!(s.contains(&asset("bucket/x")));
    every_entity_has_a_why(&s);
}

#[test]
fn counts_are_of_calls_not_records() {
    let ev = vec![
        call(0, "sess", "ASX", ATTACKER, "GetObject", "b/k")
            .with(Col::RequestId, "REQ1")
            .bytes(1000),
        call(0, "sess", "", ATTACKER, "REST.GET.OBJECT", "b/k")
            .with(Col::Source, "s3access")
            .with(Col::RequestId, "req1")
            .bytes(1000),
        call(1, "sess", "ASX", ATTACKER, "GetObject", "b/j").with(Col::RequestId, "REQ2"),
        // Only the access log says what the second call moved: its bytes still count, once.
        call(1, "sess", "", ATTACKER, "REST.GET.OBJECT", "b/j")
            .with(Col::Source, "s3access")
            .with(Col::RequestId, "REQ2")
            .bytes(70),
    ];
    let s = scope_of(&ev, &[token("ASX")], &ScopeOptions::default());
    let t = s.get(&token("ASX")).unwrap();
    assert_eq!((t.events, t.bytes), (2, 1070));
    let k = s.get(&asset("b/k")).unwrap();
    assert_eq!((k.events, k.bytes), (1, 1000));
    assert_eq!(k.actions.get(&Access::Read), Some(&1));
    let a = s.get(&ip(ATTACKER)).unwrap();
    assert_eq!(a.events, 2);
    assert_eq!(s.events, 2);
}

#[test]
fn the_walk_is_bounded_in_entities_and_depth() {
    let mut ev: Vec<Ev> = (0..10)
        .map(|i| {
            call(
                i,
                &format!("user{i}"),
                &format!("AK{i}"),
                "100.64.0.1",
                "GetObject",
                "x",
            )
        })
        .collect();
    ev.push(
        call(20, "user0", "AK0", "100.64.0.1", "AssumeRole", "r")
            .mints("AS1", "arn:aws:sts::1:assumed-role/r/a"),
    );
    ev.push(
        call(
            21,
            "arn:aws:sts::1:assumed-role/r/a",
            "AS1",
            "100.64.0.2",
            "AssumeRole",
            "r2",
        )
        .mints("AS2", "arn:aws:sts::1:assumed-role/r2/a"),
    );
    let opts = ScopeOptions {
        max_entities: 3,
        ..ScopeOptions::default()
    };
    let s = scope_of(&ev, &[ip("100.64.0.1")], &opts);
    assert_eq!(s.tokens.len(), 3);
    assert!(
        s.notes.iter().any(|n| n.contains("stopped at 3 tokens")),
        "{:?}",
        s.notes
    );
    let opts = ScopeOptions {
        max_depth: 2,
        ..ScopeOptions::default()
    };
    let s = scope_of(&ev, &[ip("100.64.0.1")], &opts);
    assert!(s.contains(&token("AS1")));
    assert!(!s.contains(&token("AS2")), "three hops from the seed");
    assert!(
        s.notes.iter().any(|n| n.contains("depth 2")),
        "{:?}",
        s.notes
    );
}

#[test]
fn a_seed_not_in_the_bundle_is_an_error_and_no_seed_too() {
    let st = store(&office());
    let label = |o: &str, l: u32| format!("{o}:{l}");
    let lineage = Lineage::build(&st.frame, &label).unwrap();
    let e = Scope::build(&st, &lineage, &[ip("192.0.2.1")], &ScopeOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "ip:192.0.2.1 is not in the bundle");
    assert!(matches!(
        Scope::build(&st, &lineage, &[], &ScopeOptions::default()),
        Err(ScopeError::NoSeed)
    ));
    // A container names what is under it.
    assert!(Scope::build(&st, &lineage, &[asset("data")], &ScopeOptions::default()).is_ok());
}

#[test]
fn the_analyst_drops_and_adds() {
    let ev = vec![
        call(0, "u", "AKU", ATTACKER, "GetObject", "b/1").bytes(10),
        call(1, "v", "AKV", "100.64.0.9", "GetObject", "b/2").bytes(20),
        call(2, "u", "AKU", "100.64.0.9", "GetObject", "b/3"),
    ];
    let s = scope_of(&ev, &[ip(ATTACKER)], &ScopeOptions::default());
    assert!(s.contains(&token("AKV")), "reached through 100.64.0.9");
    let before = s.events;
    let c = s.with_changes(&[asset("b/9")], &[ip("100.64.0.9")]);
    assert!(!c.contains(&ip("100.64.0.9")));
    assert!(
        !c.contains(&token("AKV")),
        "reached only through the dropped address"
    );
    assert!(!c.contains(&asset("b/2")));
    assert!(c.contains(&token("AKU")) && c.contains(&asset("b/3")));
    let added = c.get(&asset("b/9")).unwrap();
    assert_eq!(added.why[0].edge, Edge::Added);
    assert!(c.events < before);
    assert_eq!(c.changes.dropped, vec![ip("100.64.0.9")]);
    assert_eq!(
        c.entities().count(),
        c.tokens.len() + c.identities.len() + c.ips.len() + c.assets.len()
    );
    every_entity_has_a_why(&c);
}
