//! threshold and first_seen at their edges, and field terms meaning what the filter means.

use super::*;

#[test]
fn threshold_window_is_half_open_and_episodes_merge() {
    let body = "kind = \"threshold\"\nquery = \"action:InvokeModel\"\ngroup = \"token\"\nwindow = \"10m\"\nabove = 2";
    // Three calls exactly 10 minutes apart never share a window ((t - 10m, t]).
    let spaced: Vec<Ev> = (0..3)
        .map(|i| call(i * 10 * M, "K", "InvokeModel"))
        .collect();
    assert!(run(body, &spaced).is_empty());
    // Two bursts of four, an hour apart: two findings of four events each.
    let mut two = Vec::new();
    for base in [0, 60 * M] {
        for i in 0..4 {
            two.push(call(base + i * M, "K", "InvokeModel"));
        }
    }
    two.push(call(5 * M, "OTHER", "InvokeModel"));
    two.push(call(6 * M, "K", "GetObject"));
    let f = run(body, &two);
    assert_eq!(f.len(), 2);
    assert!(f.iter().all(|x| x.events_total == 4));
    assert_eq!(f[0].entities[0], Entity::new(EntityKind::Token, "K"));
    assert_eq!(f[0].first, 0);
    assert_eq!(f[0].last, 3 * M);
    assert_eq!(f[1].first, 60 * M);
    assert!(
        f[0].explanation
            .starts_with("4 InvokeModel in 10m by token K (threshold 2"),
        "{}",
        f[0].explanation
    );
}

#[test]
fn threshold_baseline_is_the_groups_own_rate_outside_the_window() {
    let body = "kind = \"threshold\"\nquery = \"action:InvokeModel\"\ngroup = \"token\"\nwindow = \"60m\"\nabove_baseline = 5";
    // A steady app: 6 calls an hour for 10 hours, then 12 in an hour: twice its rate, not five times.
    let mut evs = Vec::new();
    for i in 0..60 {
        evs.push(call(i * 10 * M, "APP", "InvokeModel"));
    }
    for i in 0..12 {
        evs.push(call(600 * M + i * 5 * M, "APP", "InvokeModel"));
    }
    assert!(run(body, &evs).is_empty());
    // The same burst on a key that was quiet: baseline 0, floored at min_baseline 1: 12 > 5.
    let mut quiet = vec![call(0, "NEW", "InvokeModel")];
    for i in 0..12 {
        quiet.push(call(600 * M + i * 5 * M, "NEW", "InvokeModel"));
    }
    let f = run(body, &quiet);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation
            .contains("(baseline 0.10/60m, above x5; history 9h 55m: too short"),
        "{}",
        f[0].explanation
    );
    // A bundle shorter than two windows has no outside: the minimum stands in, and the explanation says so.
    let short: Vec<Ev> = (0..7).map(|i| call(i * M, "K", "InvokeModel")).collect();
    let f = run(body, &short);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation.contains("no baseline"),
        "{}",
        f[0].explanation
    );
}

/// A call by `identity` with `token`.
fn by(at: Nanos, identity: &str, token: &str) -> Ev {
    ev(
        at,
        &[
            (Col::Identity, identity),
            (Col::Token, token),
            (Col::Action, "GetObject"),
            (Col::Outcome, "success"),
        ],
    )
}

/// `n` calls a minute apart from `at`.
fn burst(at: Nanos, identity: &str, token: &str, n: i64) -> Vec<Ev> {
    (0..n).map(|i| by(at + i * M, identity, token)).collect()
}

/// The identity's own past: compared with its busiest earlier window once it has a day of history; in a bundle's
/// first week, someone there from its first day is also compared with its later days (the logs began, the
/// routine had not shown yet); someone who appears later, and an intruder's new key, are not.
#[test]
fn threshold_compares_with_the_identitys_past_and_in_the_first_week_its_later_days() {
    let body = "kind = \"threshold\"\nquery = \"action:GetObject\"\ngroup = \"token\"\nwindow = \"60m\"\nabove = 3";
    const D: Nanos = 24 * 60 * M;
    let mut evs = vec![by(0, "admin", "AK1"), by(14 * D, "other", "AK9")];
    // The admin, there from the first hour: a weekly look around of 10 on day 1, 8 on days 5 and 9.
    evs.extend(burst(D + 9 * 60 * M, "admin", "AK1", 10));
    evs.extend(burst(5 * D + 9 * 60 * M, "admin", "AK1", 8));
    evs.extend(burst(9 * D + 9 * 60 * M, "admin", "AK1", 8));
    // Someone who starts on day 3 with one call, bursts on day 4, and again on day 6.
    evs.push(by(3 * D, "late", "AK2"));
    evs.extend(burst(4 * D + 9 * 60 * M, "late", "AK2", 10));
    evs.extend(burst(6 * D + 9 * 60 * M, "late", "AK2", 10));
    // A key never seen before, on day 10.
    evs.extend(burst(10 * D, "intruder", "AK3", 10));
    evs.sort_by_key(|e| e.at);
    let f = run(body, &evs);
    let fired: Vec<(&str, Nanos)> = f
        .iter()
        .map(|x| (x.entities[0].name.as_str(), x.first / D))
        .collect();
    assert_eq!(fired, [("AK2", 4), ("AK3", 10)], "{f:#?}");
    assert!(
        f[0].explanation.contains("its busiest 60m before: 1)"),
        "{}",
        f[0].explanation
    );
    assert!(
        f[1].explanation
            .contains("history none: too short to know its usual"),
        "{}",
        f[1].explanation
    );

    // Without its later days, the admin's first look around (10, against a past of 1) would fire: a bundle that
    // ends on day 2 has no later days to learn from.
    let short: Vec<Ev> = evs.into_iter().filter(|e| e.at < 2 * D).collect();
    let f = run(body, &short);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].entities[0].name, "AK1");
}

#[test]
fn threshold_measures_distinct_and_sums() {
    let distinct = "kind = \"threshold\"\nquery = \"action:GetObject\"\ngroup = \"token\"\nwindow = \"10m\"\nmeasure = \"distinct(asset)\"\nabove = 2";
    let get = |at: Nanos, asset: &str, bytes: u64| Ev {
        bytes: Some(bytes),
        ..ev(
            at,
            &[
                (Col::Token, "K"),
                (Col::Action, "GetObject"),
                (Col::Asset, asset),
            ],
        )
    };
    let same: Vec<Ev> = (0..5).map(|i| get(i * M, "b/one", 10)).collect();
    assert!(
        run(distinct, &same).is_empty(),
        "one object read five times is one distinct asset"
    );
    let many: Vec<Ev> = (0..5).map(|i| get(i * M, &format!("b/{i}"), 10)).collect();
    let f = run(distinct, &many);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation
            .starts_with("5 distinct assets (b/0, b/1, b/2, +2 more) in 10m"),
        "{}",
        f[0].explanation
    );

    let sum = "kind = \"threshold\"\nquery = \"action:GetObject\"\ngroup = \"token\"\nwindow = \"10m\"\nmeasure = \"sum(bytes)\"\nabove = 1_000_000_000";
    let small: Vec<Ev> = (0..5).map(|i| get(i * M, "b/x", 100_000_000)).collect();
    assert!(run(sum, &small).is_empty());
    let big: Vec<Ev> = (0..5).map(|i| get(i * M, "b/x", 400_000_000)).collect();
    let f = run(sum, &big);
    assert!(
        f[0].explanation.starts_with("2.0 GB transferred in 10m"),
        "{}",
        f[0].explanation
    );

    let tokens = "kind = \"threshold\"\nquery = \"action:InvokeModel\"\ngroup = \"identity\"\nwindow = \"10m\"\nmeasure = \"sum(tokens)\"\nabove = 100";
    let inv = |at: Nanos, i: u64, o: u64| Ev {
        tokens: Some((i, o)),
        ..ev(
            at,
            &[(Col::Identity, "arn:x"), (Col::Action, "InvokeModel")],
        )
    };
    assert!(
        run(tokens, &[inv(0, 40, 10), inv(M, 40, 10)]).is_empty(),
        "100 is not above 100"
    );
    let f = run(tokens, &[inv(0, 40, 10), inv(M, 40, 11)]);
    assert!(
        f[0].explanation
            .starts_with("101 tokens in 10m by identity arn:x"),
        "{}",
        f[0].explanation
    );
}

fn from(at: Nanos, token: &str, ip: &str) -> Ev {
    ev(
        at,
        &[
            (Col::Token, token),
            (Col::Action, "ListBuckets"),
            (Col::SourceIp, ip),
            (Col::TokenKind, "long_term"),
        ],
    )
}

#[test]
fn first_seen_needs_a_quiet_baseline_and_a_known_value() {
    let body = "kind = \"first_seen\"\nquery = \"token_kind:long_term\"\nentity = \"token\"\nattribute = \"ip\"\nbaseline = \"24h\"";
    // New IP after 25 hours of history: fires, and later uses of that IP join the finding.
    let evs = [
        from(0, "K", "203.0.113.5"),
        from(25 * HOUR, "K", "198.51.100.7"),
        from(26 * HOUR, "K", "198.51.100.7"),
        from(27 * HOUR, "K", "203.0.113.5"),
    ];
    let f = run(body, &evs);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 2);
    assert!(
        f[0].explanation
            .contains("after 1d 1h of history with 1 known ip (203.0.113.5)"),
        "{}",
        f[0].explanation
    );
    // History too short, and a value that is not an IP (an AWS service name), never fire.
    let evs = [
        from(0, "K", "203.0.113.5"),
        from(2 * HOUR, "K", "198.51.100.7"),
        from(30 * HOUR, "K", "lambda.amazonaws.com"),
    ];
    assert!(run(body, &evs).is_empty());
    // A token whose only history has no IP has no known value: nothing to compare with.
    let evs = [
        ev(0, &[(Col::Token, "K"), (Col::TokenKind, "long_term")]),
        from(30 * HOUR, "K", "198.51.100.7"),
    ];
    assert!(run(body, &evs).is_empty());
}

#[test]
fn first_seen_max_known_skips_roaming_entities() {
    let body = "kind = \"first_seen\"\nquery = \"token_kind:long_term\"\nentity = \"token\"\nattribute = \"ip\"\nbaseline = \"24h\"\nmax_known = 2";
    let roaming: Vec<Ev> = (0..4)
        .map(|i| from(i * HOUR, "K", &format!("203.0.113.{i}")))
        .chain([from(30 * HOUR, "K", "198.51.100.7")])
        .collect();
    assert!(
        run(body, &roaming).is_empty(),
        "four addresses already: a roamer"
    );
    let stable = [
        from(0, "K", "203.0.113.1"),
        from(HOUR, "K", "203.0.113.2"),
        from(30 * HOUR, "K", "198.51.100.7"),
    ];
    assert_eq!(run(body, &stable).len(), 1);
}

#[test]
fn cat_terms_mean_what_the_filter_means() {
    // Field terms on dictionary-coded columns are evaluated on codes; they must select what `query::filter` does.
    let evs = [
        ev(
            0,
            &[
                (Col::Action, "GetObject"),
                (Col::Asset, "m/model.SAFETENSORS"),
                (Col::SourceIp, "198.51.100.7"),
                (Col::Token, "K"),
            ],
        ),
        ev(
            M,
            &[
                (Col::Action, "getobject"),
                (Col::Asset, "m/config.json"),
                (Col::SourceIp, "203.0.113.9"),
            ],
        ),
        ev(
            2 * M,
            &[
                (Col::Action, "PutObject"),
                (Col::Asset, "d/train/x.parquet"),
                (Col::Identity, "system:serviceaccount:kube-system:x"),
            ],
        ),
        ev(
            3 * M,
            &[
                (Col::Action, "ListBuckets"),
                (Col::SourceIp, "lambda.amazonaws.com"),
                (Col::Identity, "arn:u/a"),
            ],
        ),
    ];
    let df = frame(&evs);
    let ctx = crate::detect::eval::Ctx::new(&df, None).unwrap();
    for q in [
        "action:GetObject",
        "action:getobject,ListBuckets",
        "asset:*.safetensors",
        "asset:/(?i)\\.(safetensors|json)$/",
        "-asset:*.json",
        "-identity:system:serviceaccount:kube-system:*",
        "ip:198.51.100.0/24",
        "-ip:198.51.100.0/24 action:GetObject",
        "token:K action:GetObject,PutObject",
        "action:GetObject -token:K",
        "asset:nothing-like-this",
    ] {
        let parsed = crate::query::parse(q).unwrap();
        let qs = crate::detect::rule::Queries(vec![crate::detect::rule::RuleQuery::new(q, parsed)]);
        let ours = ctx.rows(&qs).unwrap();
        let theirs = crate::query::filter(&df, q).unwrap();
        let keys = crate::frame::key::keys(&df).unwrap();
        let want: Vec<u32> = crate::frame::key::keys(&theirs)
            .unwrap()
            .iter()
            .map(|k| keys.iter().position(|x| x == k).unwrap() as u32)
            .collect();
        assert_eq!(ours.as_slice(), want.as_slice(), "{q}");
    }
}

#[test]
fn first_seen_networks_and_history_scope() {
    let net = "kind = \"first_seen\"\nquery = \"action:AssumeRole\"\nentity = \"any\"\nattribute = \"network\"\nbaseline = \"24h\"";
    let a = |at: Nanos, ip: &str| {
        ev(
            at,
            &[
                (Col::Action, "AssumeRole"),
                (Col::SourceIp, ip),
                (Col::Token, "K"),
            ],
        )
    };
    let other = |at: Nanos, ip: &str| ev(at, &[(Col::Action, "ListBuckets"), (Col::SourceIp, ip)]);
    // The /24 was seen by other events (history = all): quiet. A new /24: fires.
    let evs = [
        other(0, "203.0.113.10"),
        a(30 * HOUR, "203.0.113.200"),
        a(31 * HOUR, "198.51.100.77"),
    ];
    let f = run(net, &evs);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation
            .contains("from new network 198.51.100.0/24 (198.51.100.77)"),
        "{}",
        f[0].explanation
    );
    // With history = query, only AssumeRole events count as history: the office /24 is new to them too (but the
    // first AssumeRole has no history of its own yet, so only later ones can fire).
    let q = format!("{net}\nhistory = \"query\"");
    let evs = [
        other(0, "203.0.113.10"),
        a(HOUR, "203.0.113.9"),
        a(30 * HOUR, "203.0.113.200"),
        a(31 * HOUR, "198.51.100.77"),
    ];
    let f = run(&q, &evs);
    assert_eq!(
        f.len(),
        1,
        "{:?}",
        f.iter().map(|x| &x.explanation).collect::<Vec<_>>()
    );
}

#[test]
fn first_seen_settle_keeps_recent_values_new() {
    let base = "kind = \"first_seen\"\nquery = \"action:AssumeRole\"\nentity = \"any\"\nattribute = \"network\"\nbaseline = \"24h\"";
    let a = |at: Nanos, ip: &str| ev(at, &[(Col::Action, "AssumeRole"), (Col::SourceIp, ip)]);
    let other = |at: Nanos, ip: &str| ev(at, &[(Col::Action, "ListSecrets"), (Col::SourceIp, ip)]);
    // The attacker's address shows up in another log ten minutes before the AssumeRole.
    let evs = [
        other(0, "203.0.113.10"),
        other(30 * HOUR, "198.51.100.77"),
        a(30 * HOUR + 10 * M, "198.51.100.77"),
    ];
    assert!(
        run(base, &evs).is_empty(),
        "without settle the network is already known"
    );
    let f = run(&format!("{base}\nsettle = \"24h\""), &evs);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].events_total, 1);
}

#[test]
fn first_seen_role_and_location() {
    let body = "kind = \"first_seen\"\nquery = \"action:PutObject\"\nentity = \"location\"\ndepth = 1\nattribute = \"role\"\nhistory = \"query\"\nbaseline = \"24h\"";
    let put = |at: Nanos, identity: &str, issuer: &str, asset: &str| {
        ev(
            at,
            &[
                (Col::Action, "PutObject"),
                (Col::Identity, identity),
                (Col::Issuer, issuer),
                (Col::Asset, asset),
            ],
        )
    };
    let evs = [
        put(
            0,
            "arn:aws:sts::1:assumed-role/ci/run-1",
            "arn:aws:iam::1:role/ci",
            "models/a/x.bin",
        ),
        // Same role, new session name, another prefix of the same bucket: not new.
        put(
            30 * HOUR,
            "arn:aws:sts::1:assumed-role/ci/run-2",
            "arn:aws:iam::1:role/ci",
            "models/b/y.bin",
        ),
        // Another bucket entirely: no history there.
        put(
            31 * HOUR,
            "arn:aws:sts::1:assumed-role/x/s",
            "arn:aws:iam::1:role/x",
            "other/z.bin",
        ),
        // A new role in the bucket: fires.
        put(
            32 * HOUR,
            "arn:aws:sts::1:assumed-role/x/s",
            "arn:aws:iam::1:role/x",
            "models/c/z.bin",
        ),
    ];
    let f = run(body, &evs);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation
            .starts_with("location models: 1 PutObject by new role arn:aws:iam::1:role/x"),
        "{}",
        f[0].explanation
    );
}

#[test]
fn one_call_logged_by_two_sources_counts_once_whatever_the_id_case() {
    // CloudTrail's InvokeModel and the Bedrock invocation log's record of it share a request id, in different case.
    let body = "kind = \"threshold\"\nquery = \"action:InvokeModel\"\ngroup = \"token\"\nwindow = \"10m\"\nabove = 2";
    let mut evs = Vec::new();
    for i in 0..3 {
        let id = format!("4b0b7f9a-{i}-cafe");
        evs.push(ev(
            i * M,
            &[
                (Col::Source, "cloudtrail"),
                (Col::Token, "K"),
                (Col::Action, "InvokeModel"),
                (Col::RequestId, &id.to_uppercase()),
            ],
        ));
        evs.push(ev(
            i * M,
            &[
                (Col::Source, "bedrock"),
                (Col::Token, "K"),
                (Col::Action, "InvokeModel"),
                (Col::RequestId, &id),
            ],
        ));
    }
    let f = run(body, &evs);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation
            .starts_with("3 InvokeModel in 10m by token K"),
        "three calls, six records: {}",
        f[0].explanation
    );
}
