//! `heist scope` on the sample incident: what the attacker held and touched, from the attacker's address, and
//! nothing of the routine users. Properties, not counts, so the sample can grow; plus goldens of both outputs.

use crate::common;

use common::*;
use serde_json::Value;

const ATTACKER_IP: &str = "198.51.100.77";

fn scope_json(args: &[&str]) -> Value {
    let mut a = vec!["scope", "samples/incident"];
    a.extend_from_slice(args);
    a.push("--json");
    serde_json::from_str(&stdout(&heist(&a))).expect("JSON output")
}

fn names(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not a list"))
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn scope_from_the_attacker_ip_holds_every_stolen_and_minted_credential_and_no_routine_one() {
    let v = scope_json(&["--from", &format!("ip:{ATTACKER_IP}")]);
    let tokens = names(&v, "tokens");
    let has = |needle: &str| tokens.iter().any(|t| t.contains(needle));
    for t in [
        "AKIAQ3EGRZTSTOLEN7CI",
        "ASIAQ3EGRZTEXFIL2MDL",
        "AKIAQ3EGRZTBACKDR9SV",
    ] {
        assert!(
            tokens.contains(&t.to_string()),
            "{t} missing from {tokens:?}"
        );
    }
    // The attacker's other clouds, reached from the same address: the GCP service-account keys (the stolen CI
    // key and the one minted with it), the Kubernetes service-account token, Azure's client secret and the
    // OpenAI account key listed with it, the Anthropic admin key.
    assert!(
        has("ci-publisher@acme-ml-prod.iam.gserviceaccount.com/keys/"),
        "{tokens:?}"
    );
    assert!(
        tokens
            .iter()
            .filter(|t| t.contains("serviceAccounts/ci-publisher"))
            .count()
            >= 2,
        "the stolen GCP key and the one minted with it: {tokens:?}"
    );
    assert!(has("JTI="), "the Kubernetes token: {tokens:?}");
    assert!(
        has("MICROSOFT.COGNITIVESERVICES/ACCOUNTS/"),
        "the Azure OpenAI key: {tokens:?}"
    );
    assert!(has("apikey_"), "the Anthropic admin key: {tokens:?}");
    for routine in ["AKIAQ3EGRZTALICE4DEV", "ASIAQ3EGRZTCIDEPLOY1"] {
        assert!(!has(routine), "{routine} is routine: {tokens:?}");
    }
    let assets = names(&v, "assets");
    for shard in 1..=4 {
        let name = format!(
            "acme-models/llm-7b/checkpoint-20261004/model-0000{shard}-of-00004.safetensors"
        );
        assert!(assets.contains(&name), "{name} missing from {assets:?}");
    }
    // Yesterday's checkpoint, which only the CI wrote, is not the attacker's.
    assert!(
        !assets.iter().any(|a| a.contains("checkpoint-20261003")),
        "{assets:?}"
    );
    let identities = names(&v, "identities");
    assert!(
        !identities.iter().any(|i| i.ends_with("user/alice")),
        "{identities:?}"
    );
    assert!(names(&v, "ips").contains(&"192.0.2.45".to_string()));
    assert!(names(&v, "seeds") == vec![ATTACKER_IP.to_string()]);
    // Every entity says why it is in scope, each step naming an edge; counts are calls.
    for key in ["seeds", "tokens", "identities", "ips", "assets"] {
        for e in v[key].as_array().unwrap() {
            let why = e["why"].as_array().unwrap();
            assert!(!why.is_empty(), "{} has no why", e["name"]);
            for w in why {
                assert!(w["edge"].is_string());
                assert!(w["edge"] == "seed" || w["from"]["name"].is_string(), "{w}");
            }
            assert!(e["events"].is_u64() && e["bytes"].is_u64() && e["actions"].is_object());
            assert!(e["kind"].is_string() && e["first"].is_string());
        }
    }
    // One GetObject of a weight shard is one call, though CloudTrail and the S3 access log both record it.
    let shard = v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["name"]
                .as_str()
                .unwrap()
                .ends_with("model-00001-of-00004.safetensors")
        })
        .unwrap();
    assert_eq!(shard["events"], 1);
    assert_eq!(shard["actions"]["read"], 1);
    assert_eq!(shard["bytes"], 4_938_000_000u64);
    assert!(v["events"].as_u64().unwrap() > 0);
    assert!(v["time_range"]["first"].is_string());
}

#[test]
fn scope_of_the_stolen_key_from_the_attack_day_holds_the_chain() {
    let v = scope_json(&[
        "--from",
        "token:AKIAQ3EGRZTSTOLEN7CI",
        "--since",
        "2026-10-05T00:00:00Z",
    ]);
    let tokens = names(&v, "tokens");
    assert!(tokens.contains(&"AKIAQ3EGRZTBACKDR9SV".to_string()));
    assert!(
        !tokens.contains(&"ASIAQ3EGRZTCIDEPLOY1".to_string()),
        "{tokens:?}"
    );
}

#[test]
fn scope_errors_are_clear() {
    for (args, says) in [
        (vec!["--from", "host:x"], "unknown entity kind"),
        (
            vec!["--from", "ip:203.0.113.250"],
            "ip:203.0.113.250 is not in the bundle",
        ),
        (vec!["--from", "198.51.100.77"], "expected KIND:VALUE"),
        (
            vec!["--from", "ip:198.51.100.77", "--since", "yesterday"],
            "is not a time",
        ),
    ] {
        let mut a = vec!["scope", "samples/incident"];
        a.extend(args.iter());
        let o = heist(&a);
        assert!(!o.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn scope_golden() {
    let out = stdout(&heist(&[
        "scope",
        "samples/incident",
        "--from",
        "ip:198.51.100.77",
        "--json",
    ]));
    insta::assert_snapshot!("scope_attacker_ip_json", out);
    let out = stdout(&heist(&[
        "scope",
        "samples/incident",
        "--from",
        "ip:198.51.100.77",
    ]));
    assert!(
        !out.contains('\u{1b}'),
        "terminal escapes reached the output"
    );
    insta::assert_snapshot!("scope_attacker_ip_text", out);
}

// ---- The TUI: `S` on an entity, the scope view, drop / restore / add kept in the case. ----

mod tui {
    use super::ATTACKER_IP;
    use crate::common::sample;
    use heist_core::case::CaseLocation;
    use heist_core::entities::{Entity, EntityKind};
    use heist_tui::app::state::{LoadState, Mode};
    use heist_tui::app::trail::Scope as ViewScope;
    use heist_tui::Harness;
    use std::path::{Path, PathBuf};

    const BACKDOOR: &str = "AKIAQ3EGRZTBACKDR9SV";

    fn open(dir: &Path) -> Harness {
        let h = Harness::with_case(
            &[sample()],
            140,
            40,
            CaseLocation::File(dir.join("case.json")),
            PathBuf::from("reports"),
        );
        assert_eq!(h.state.load, LoadState::Ready);
        h
    }

    fn selected_entity(h: &Harness) -> Option<String> {
        let v = h.state.view();
        let t = v.table(v.tab)?;
        t.column("name")
            .ok()?
            .str()
            .ok()?
            .get(v.entity_sel[v.tab])
            .map(str::to_string)
    }

    fn select_entity(h: &mut Harness, name: &str) {
        h.keys("g");
        for _ in 0..500 {
            if selected_entity(h).as_deref() == Some(name) {
                return;
            }
            h.keys("j");
        }
        panic!("{name} is not in the list");
    }

    /// Move the scope view's selection onto `e`.
    fn select_row(h: &mut Harness, e: &Entity) {
        let changes = h.state.case().unwrap().scope.clone();
        let i = h
            .state
            .scope
            .rows(&changes)
            .iter()
            .position(|r| r.entity == *e)
            .unwrap_or_else(|| panic!("{e} is not a row of the scope view"));
        h.keys("g");
        for _ in 0..i {
            h.keys("j");
        }
    }

    #[test]
    fn scope_view_from_the_attacker_ip_drops_restores_adds_and_pivots() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = open(dir.path());
        h.keys("4");
        select_entity(&mut h, ATTACKER_IP);
        h.keys("S");
        assert!(matches!(h.state.mode, Mode::Scope(_)));
        let s = h.screen();
        assert!(s.contains(&format!("Scope of ip:{ATTACKER_IP}")), "{s}");
        assert!(s.contains("Tokens ("), "{s}");
        insta::assert_snapshot!("tui_scope_attacker_ip", h.snapshot());
        let backdoor = Entity::new(EntityKind::Token, BACKDOOR);
        assert!(h.state.scope.shown.as_ref().unwrap().contains(&backdoor));
        // The backdoor key is shown with the step that put it there.
        select_row(&mut h, &backdoor);
        let s = h.screen();
        assert!(s.contains(BACKDOOR), "{s}");
        assert!(s.contains("minted by token:AKIAQ3EGRZTSTOLEN7CI"), "{s}");
        // Drop it: out of the scope, listed as dropped, kept in the case.
        h.keys("d");
        assert!(!h.state.scope.shown.as_ref().unwrap().contains(&backdoor));
        assert_eq!(
            h.state.case().unwrap().scope.dropped(),
            vec![backdoor.clone()]
        );
        // Listed last, so `d` can put it back.
        h.keys("G");
        let s = h.screen();
        assert!(s.contains("Dropped by the analyst (1)"), "{s}");
        assert!(s.contains(&format!("token:{BACKDOOR}")), "{s}");
        // Reopened: the drop is still there, and the seed.
        h.keys("<esc>");
        drop(h);
        let mut h = open(dir.path());
        let kept = h.state.case().unwrap().scope.clone();
        assert_eq!(kept.dropped(), vec![backdoor.clone()]);
        assert_eq!(kept.seeds(), vec![Entity::new(EntityKind::Ip, ATTACKER_IP)]);
        // Restore it from the view, then pivot to it with Enter.
        h.keys("4");
        select_entity(&mut h, ATTACKER_IP);
        h.keys("S");
        select_row(&mut h, &backdoor);
        h.keys("d");
        assert!(h.state.case().unwrap().scope.dropped.is_empty());
        assert!(h.state.scope.shown.as_ref().unwrap().contains(&backdoor));
        select_row(&mut h, &backdoor);
        h.keys("<enter>");
        assert!(matches!(h.state.mode, Mode::Normal));
        assert_eq!(h.state.view().scope, ViewScope::Entity(backdoor));
        // `+` adds the entity under the cursor (alice's key is not in the attacker's scope).
        h.keys("<backspace>2");
        select_entity(&mut h, "AKIAQ3EGRZTALICE4DEV");
        h.keys("+");
        let alice = Entity::new(EntityKind::Token, "AKIAQ3EGRZTALICE4DEV");
        assert_eq!(h.state.case().unwrap().scope.added(), vec![alice.clone()]);
        assert!(h.state.scope.shown.as_ref().unwrap().contains(&alice));
    }

    /// `S` reruns detection with the case's scope: every finding naming an entity in the scope is in one incident.
    #[test]
    fn the_scope_regroups_the_findings() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = open(dir.path());
        let run = h.state.findings.run;
        h.keys("4");
        select_entity(&mut h, ATTACKER_IP);
        h.keys("S");
        assert!(h.state.findings.run > run, "detection ran again");
        let scope = h.state.scope.shown.clone().expect("the scope is computed");
        let f = &h.state.findings;
        let in_scope: Vec<usize> = (0..f.len())
            .filter(|&i| f.list[i].entities.iter().any(|e| scope.contains(e)))
            .collect();
        assert!(
            in_scope.len() > 10,
            "{} findings touch the scope",
            in_scope.len()
        );
        let first = f.incident_of(in_scope[0]).expect("in an incident");
        for i in in_scope {
            assert_eq!(
                f.incident_of(i).map(|x| &x.id),
                Some(&first.id),
                "{} is not with the scope's incident",
                f.list[i].rule
            );
        }
    }

    #[test]
    fn a_stale_scope_answer_is_dropped_and_nothing_to_scope_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = open(dir.path());
        h.keys("4");
        select_entity(&mut h, ATTACKER_IP);
        h.keys("S");
        let run = h.state.scope.run;
        h.send(heist_tui::app::msg::Msg::ScopeReady {
            run: run - 1,
            result: Err("an older walk".into()),
        });
        assert!(h.state.scope.error.is_none());
        assert!(h.state.scope.shown.is_some());
        h.keys("<esc>5S");
        assert!(
            matches!(h.state.mode, Mode::Normal),
            "a finding is not an entity"
        );
        assert!(h.state.message.as_deref().unwrap_or("").contains("scope"));
    }
}
