//! The pivot engine through the CLI, on the sample incident: `entities`, `pivot`, `find`.

use crate::common;

use common::*;
use serde_json::Value;

const STOLEN: &str = "AKIAQ3EGRZTSTOLEN7CI";
const SESSION: &str = "ASIAQ3EGRZTEXFIL2MDL";
const BACKDOOR: &str = "AKIAQ3EGRZTBACKDR9SV";
const ATTACKER_IP: &str = "198.51.100.77";

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&stdout(&heist(args))).expect("JSON output")
}

fn names(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn pivot_from_the_stolen_key_reaches_the_whole_chain() {
    let v = json(&["pivot", "samples/incident", "--token", STOLEN, "--json"]);
    assert_eq!(v["entity"]["kind"], "token");
    assert_eq!(v["entity"]["name"], STOLEN);
    assert!(names(&v, "ips").contains(&ATTACKER_IP.to_string()));
    let children: Vec<&str> = v["lineage"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["token"].as_str())
        .collect();
    assert!(children.contains(&SESSION), "{children:?}");
    assert!(children.contains(&BACKDOOR), "{children:?}");
    let session = v["lineage"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["token"] == SESSION)
        .unwrap();
    assert_eq!(session["minted_by_event"]["action"], "AssumeRole");
    assert!(session["minted_by_event"]["event_id"].is_string());
    assert!(session["minted_by_event"]["time"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    let assets = names(&v, "assets");
    for shard in 1..=4 {
        let name = format!(
            "acme-models/llm-7b/checkpoint-20261004/model-0000{shard}-of-00004.safetensors"
        );
        assert!(assets.contains(&name), "{name} missing from {assets:?}");
    }
    for key in ["identities", "tokens", "assets", "ips"] {
        for e in v[key].as_array().unwrap() {
            assert!(
                e["first_seen"].is_string() && e["last_seen"].is_string() && e["events"].is_u64()
            );
        }
    }
    assert!(v["events"].as_u64().unwrap() > 0);
}

#[test]
fn pivot_golden() {
    let out = stdout(&heist(&[
        "pivot",
        "samples/incident",
        "--token",
        SESSION,
        "--json",
    ]));
    insta::assert_snapshot!("pivot_session_key_json", out);
    let out = stdout(&heist(&["pivot", "samples/incident", "--token", SESSION]));
    insta::assert_snapshot!("pivot_session_key_text", out);
}

#[test]
fn session_key_walks_up_to_the_stolen_key() {
    let v = json(&["pivot", "samples/incident", "--token", SESSION, "--json"]);
    let parents: Vec<&str> = v["lineage"]["parents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["token"].as_str())
        .collect();
    assert_eq!(parents.first(), Some(&STOLEN));
}

#[test]
fn pivot_on_ip_identity_and_asset() {
    let v = json(&["pivot", "samples/incident", "--ip", ATTACKER_IP, "--json"]);
    assert!(names(&v, "tokens").contains(&STOLEN.to_string()));
    let v = json(&[
        "pivot",
        "samples/incident",
        "--asset",
        "acme-models",
        "--json",
    ]);
    // A bucket pivot covers the objects under it.
    assert!(
        names(&v, "assets")
            .iter()
            .filter(|a| a.ends_with(".safetensors"))
            .count()
            >= 8
    );
    let v = json(&[
        "pivot",
        "samples/incident",
        "--identity",
        "arn:aws:iam::111122223333:role/ml-model-registry-reader",
        "--json",
    ]);
    // A role relates to its sessions.
    assert!(names(&v, "identities")
        .iter()
        .any(|i| i.contains(":assumed-role/ml-model-registry-reader/")));
}

#[test]
fn pivot_needs_exactly_one_entity() {
    let o = heist(&["pivot", "samples/incident"]);
    assert!(!o.status.success());
    let o = heist(&[
        "pivot",
        "samples/incident",
        "--ip",
        "1.2.3.4",
        "--token",
        "X",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be used with"));
}

#[test]
fn entities_table_and_json() {
    let v = json(&["entities", "samples/incident", "--kind", "token", "--json"]);
    let list = v.as_array().unwrap();
    let stolen = list.iter().find(|e| e["name"] == STOLEN).unwrap();
    assert_eq!(stolen["type"], "long_term");
    assert!(
        stolen["revoked_at"].is_string(),
        "the stolen key is deactivated in the story"
    );
    assert!(stolen["ips"].as_u64().unwrap() >= 2);
    let session = list.iter().find(|e| e["name"] == SESSION).unwrap();
    assert_eq!(session["type"], "session");
    assert!(session["minted_at"].is_string());
    let out = stdout(&heist(&[
        "entities",
        "samples/incident",
        "--kind",
        "ip",
        "--where",
        "outcome:failure",
    ]));
    insta::assert_snapshot!("entities_ip_failures", out);
    let o = heist(&["entities", "samples/incident", "--kind", "user"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected identity, token, asset or ip"));
}

#[test]
fn find_is_fuzzy_and_ranked() {
    let v = json(&["find", "samples/incident", "STOLEN7", "--json"]);
    assert_eq!(v[0]["name"], STOLEN);
    assert_eq!(v[0]["kind"], "token");
    let v = json(&[
        "find",
        "samples/incident",
        "registry",
        "--kind",
        "identity",
        "--json",
    ]);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "identity"));
    assert!(!v.as_array().unwrap().is_empty());
    let out = stdout(&heist(&["find", "samples/incident", "qqqqzzzz"]));
    assert!(out.contains("no entity matches"));
}

/// The backdoor key the attacker made for svc-backup, beside svc-backup's own key: nothing in common but the user.
#[test]
fn compare_puts_the_backdoor_beside_the_owners_key() {
    let routine = "AKIAQ3EGRZTBACKUP0K1";
    let a = format!("token:{BACKDOOR}");
    let b = format!("token:{routine}");
    let args = [
        "compare",
        "samples/incident",
        "--entity",
        &a,
        "--entity",
        &b,
    ];
    let text = stdout(&heist(&[&args[..], &["--limit", "3"]].concat()));
    insta::assert_snapshot!("compare_backdoor_and_routine_key", text);
    let v = json(&[&args[..], &["--json"]].concat());
    assert_eq!(v["a"]["name"], BACKDOOR);
    assert_eq!(v["b"]["name"], routine);
    let values = |facet: &str, side: &str| -> Vec<String> {
        v["facets"][facet][side]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["value"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(values("IPs", "only_a").contains(&ATTACKER_IP.to_string()));
    assert!(!values("IPs", "only_b").contains(&ATTACKER_IP.to_string()));
    assert_eq!(
        values("identities", "shared"),
        ["arn:aws:iam::111122223333:user/svc-backup"]
    );
    // Two entities, no more, no less.
    let one = heist(&["compare", "samples/incident", "--entity", &a]);
    assert!(!one.status.success());
    assert!(String::from_utf8_lossy(&one.stderr).contains("give two entities"));
}
