//! sequence, match, after_end, caps, ordering, flags.

use super::*;

#[test]
fn sequence_needs_first_then_within() {
    let body = "kind = \"sequence\"\nfirst = \"action:Enable\"\nthen = \"action:Invoke\"\nby = \"token\"\nwithin = \"10m\"";
    // Invoke before Enable does not count; Invoke 11 minutes after does not count; another token does not count.
    let evs = [
        call(0, "K", "Invoke"),
        call(M, "K", "Enable"),
        call(12 * M, "K", "Invoke"),
        call(2 * M, "OTHER", "Invoke"),
    ];
    assert!(run(body, &evs).is_empty());
    // A second Enable extends the window.
    let evs = [
        call(0, "K", "Enable"),
        call(9 * M, "K", "Enable"),
        call(15 * M, "K", "Invoke"),
        call(16 * M, "K", "Invoke"),
    ];
    let f = run(body, &evs);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 4);
    assert!(
        f[0].explanation
            .starts_with("2 Enable then 2 Invoke by token K within 15m (limit 10m)"),
        "{}",
        f[0].explanation
    );
}

#[test]
fn sequence_by_minted_follows_the_credential_the_first_event_made() {
    let body = "kind = \"sequence\"\nfirst = \"minted_token:*\"\nthen = \"action:PutObject\"\nby = \"minted\"\nwithin = \"24h\"";
    let mint = |at: Nanos, who: &str, token: &str, new: &str, for_whom: &str| {
        ev(
            at,
            &[
                (Col::Identity, who),
                (Col::Token, token),
                (Col::Action, "CreateAccessKey"),
                (Col::MintedToken, new),
                (Col::MintedIdentity, for_whom),
            ],
        )
    };
    let put = |at: Nanos, who: &str, token: &str| {
        ev(
            at,
            &[
                (Col::Identity, who),
                (Col::Token, token),
                (Col::Action, "PutObject"),
            ],
        )
    };
    // ci's key makes a key for svc-backup, which writes two hours later: found, named by the new key.
    let evs = [
        mint(0, "ci", "AKIASTOLEN", "AKIABACKDOOR", "svc-backup"),
        put(2 * HOUR, "svc-backup", "AKIABACKDOOR"),
        put(3 * HOUR, "ci", "AKIASTOLEN"),
    ];
    let f = run(body, &evs);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].main_entity(),
        Some(&Entity::new(EntityKind::Token, "AKIABACKDOOR"))
    );
    assert_eq!(f[0].events_total, 2);
    // Alice rotating her own key, then writing with it: nothing. A write two days later: nothing.
    let evs = [
        mint(0, "alice", "AKIAOLD", "AKIANEW", "alice"),
        put(HOUR, "alice", "AKIANEW"),
        mint(10 * HOUR, "ci", "AKIASTOLEN", "AKIABACKDOOR", "svc-backup"),
        put(60 * HOUR, "svc-backup", "AKIABACKDOOR"),
    ];
    assert!(run(body, &evs).is_empty());
}

#[test]
fn match_merges_nearby_events_and_keeps_unnamed_callers() {
    let body =
        "kind = \"match\"\nquery = \"action:StopLogging\"\ngroup = \"token\"\nmerge = \"5m\"";
    let evs = [
        call(0, "K", "StopLogging"),
        call(4 * M, "K", "StopLogging"),
        call(20 * M, "K", "StopLogging"),
        ev(30 * M, &[(Col::Action, "StopLogging")]),
    ];
    let f = run(body, &evs);
    assert_eq!(f.len(), 3);
    let unnamed = f
        .iter()
        .find(|x| x.entities.is_empty())
        .expect("the event without a token");
    assert!(
        unnamed
            .explanation
            .starts_with("1 StopLogging by an unnamed caller"),
        "{}",
        unnamed.explanation
    );
    assert_eq!(f.iter().map(|x| x.events_total).sum::<usize>(), 4);
}

#[test]
fn a_negated_term_that_matches_nothing_keeps_every_row() {
    // Regression: such a term compiles to a constant, which must still cover every row in play.
    let body = "kind = \"match\"\nquery = \"action:GetObject -identity:system:kube-system:*\"\ngroup = \"token\"";
    let evs: Vec<Ev> = (0..3).map(|i| call(i * M, "K", "GetObject")).collect();
    let f = run(body, &evs);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 3);
}

#[test]
fn match_differ_compares_two_columns() {
    let body = "kind = \"match\"\nquery = \"action:CreateAccessKey\"\ndiffer = [\"identity\", \"minted_identity\"]";
    let mk = |who: &str, whom: &str| {
        ev(
            0,
            &[
                (Col::Action, "CreateAccessKey"),
                (Col::Identity, who),
                (Col::MintedIdentity, whom),
            ],
        )
    };
    assert!(
        run(body, &[mk("arn:u/alice", "ARN:U/ALICE")]).is_empty(),
        "case-insensitive"
    );
    assert!(
        run(
            body,
            &[ev(
                0,
                &[(Col::Action, "CreateAccessKey"), (Col::Identity, "arn:u/a")]
            )]
        )
        .is_empty(),
        "both must be present"
    );
    let f = run(body, &[mk("arn:u/ci", "arn:u/backup")]);
    assert!(
        f[0].explanation.contains(" for arn:u/backup"),
        "{}",
        f[0].explanation
    );
}

#[test]
fn after_end_revocation_and_grace() {
    let body = "kind = \"after_end\"\nof = \"revocation\"\ngrace = \"1m\"";
    let revoke = ev(
        10 * M,
        &[
            (Col::Action, "UpdateAccessKey"),
            (Col::Identity, "arn:admin"),
            (Col::RevokedToken, "K"),
        ],
    );
    let evs = [
        call(0, "K", "ListBuckets"),
        revoke,
        call(10 * M + 30 * SECOND, "K", "ListBuckets"),
        call(30 * M, "K", "ListBuckets"),
    ];
    let f = run(body, &evs);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 1, "within the grace period is tolerated");
    assert!(f[0].explanation.starts_with("token K used 20m after its revocation at 1970-01-01T00:10:00Z (UpdateAccessKey by arn:admin)"), "{}", f[0].explanation);
}

#[test]
fn end_dates_come_from_the_options() {
    let body = "kind = \"after_end\"\nof = \"end_date\"";
    let evs = [
        call(0, "K", "ListBuckets"),
        call(2 * HOUR, "K", "ListBuckets"),
    ];
    let df = frame(&evs);
    let opts = DetectOptions {
        end_dates: vec![
            (Entity::new(EntityKind::Token, "K"), HOUR),
            (Entity::new(EntityKind::Token, "UNSEEN"), 0),
        ],
        ..DetectOptions::default()
    };
    let f = detect(&df, &rule(body), &opts).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].first, 2 * HOUR);
}

#[test]
fn caps_are_counted_never_silent() {
    let body = "kind = \"match\"\nquery = \"action:GetObject\"\ngroup = \"token\"";
    let evs: Vec<Ev> = (0..(MAX_EVENTS as i64 + 250))
        .map(|i| {
            ev(
                i * SECOND,
                &[
                    (Col::Token, "K"),
                    (Col::Action, "GetObject"),
                    (Col::Asset, &format!("b/{i}")),
                ],
            )
        })
        .collect();
    let f = run(body, &evs);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events.len(), MAX_EVENTS);
    assert_eq!(f[0].events_total, MAX_EVENTS + 250);
    assert!(f[0].is_capped());
    let assets = f[0]
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Asset)
        .count();
    assert_eq!(assets, MAX_ENTITIES_PER_KIND);
    assert_eq!(
        f[0].entities_omitted,
        MAX_EVENTS + 250 - MAX_ENTITIES_PER_KIND
    );
}

#[test]
fn findings_sort_by_severity_then_time_and_min_severity_skips_rules() {
    let text = r#"
[[rule]]
id = "late-high"
title = "t"
severity = "high"
techniques = ["T1530"]
description = "d"
kind = "match"
query = "action:B"

[[rule]]
id = "early-low"
title = "t"
severity = "low"
techniques = ["T1530"]
description = "d"
kind = "match"
query = "action:A"
"#;
    let pack = RulePack::from_toml("t.toml", text).unwrap();
    let df = frame(&[call(0, "K", "A"), call(HOUR, "K", "B")]);
    let f = detect(&df, &pack, &DetectOptions::default()).unwrap();
    assert_eq!(
        f.iter().map(|x| x.rule.as_str()).collect::<Vec<_>>(),
        ["late-high", "early-low"]
    );
    let story = crate::detect::in_time_order(&f);
    assert_eq!(
        story.iter().map(|x| x.rule.as_str()).collect::<Vec<_>>(),
        ["early-low", "late-high"]
    );
    let opts = DetectOptions {
        min_severity: Severity::Medium,
        ..DetectOptions::default()
    };
    let f = detect(&df, &pack, &opts).unwrap();
    assert_eq!(f.len(), 1);
}

#[test]
fn flags_name_rules_and_techniques_per_event() {
    let text = r#"
[[rule]]
id = "a"
title = "t"
severity = "low"
techniques = ["T1530", "AML.T0035"]
description = "d"
kind = "match"
query = "action:GetObject"

[[rule]]
id = "b"
title = "t"
severity = "critical"
techniques = ["T1530", "AML.T0048.004"]
description = "d"
kind = "match"
query = "token:K"
"#;
    let pack = RulePack::from_toml("t.toml", text).unwrap();
    let df = frame(&[
        call(0, "K", "GetObject"),
        call(M, "OTHER", "ListBuckets"),
        call(2 * M, "K", "ListBuckets"),
    ]);
    let f = detect(&df, &pack, &DetectOptions::default()).unwrap();
    let flags = crate::detect::Flags::new(&f);
    assert_eq!(flags.len(), 2);
    let mask: Vec<Option<bool>> = flags.mask(&df).unwrap().iter().collect();
    assert_eq!(mask, [Some(true), Some(false), Some(true)]);
    assert_eq!(flags.rows(&df).unwrap(), [0, 2]);
    let keys = crate::frame::key::keys(&df).unwrap();
    let first = flags.get(&keys[0]).unwrap();
    assert_eq!(first.severity, Severity::Critical);
    let mut rules = first.rules.clone();
    rules.sort();
    assert_eq!(rules, ["a", "b"]);
    assert_eq!(
        first.techniques.len(),
        3,
        "T1530 once: {:?}",
        first.techniques
    );
    assert!(flags.get(&keys[1]).is_none());
}

#[test]
fn an_empty_frame_has_no_findings() {
    let pack = RulePack::builtin().unwrap();
    let f = detect(&frame(&[]), &pack, &DetectOptions::default()).unwrap();
    assert!(f.is_empty());
}
