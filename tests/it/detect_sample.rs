//! The rule pack on the sample incident: the findings in time order read as the theft story, each leads to the
//! events behind it, benign noise stays within a stated budget, and `heist detect` (JSON and text) is pinned by
//! golden files. Also the CLI's rule loading: `--rules DIR`, the error for a bad rule file, `--min-severity`,
//! `--end`.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use heist_core::detect::{detect_store, in_time_order, DetectOptions, Finding, Flags, RulePack};
use heist_core::entities::EntityKind;
use heist_core::frame::EventStore;
use heist_core::ingest::{load, LoadOptions, Progress};
use heist_synth::sample::azure;
use heist_synth::sample::gcp::{CI_KEY_ID, NEW_KEY_ID};
use heist_synth::sample::k8s::{MINTED_JTI, RUNNER_JTI};
use heist_synth::sample::saas::{ANTHROPIC_ADMIN_KEY, OPENAI_ADMIN_KEY, OPENAI_NEW_KEY};
use heist_synth::sample::{ATTACKER_IP, ATTACKER_IP2, BACKDOOR_KEY, SESSION_KEY, STOLEN_KEY};

fn sample_store() -> EventStore {
    load(
        &[sample()],
        &LoadOptions::with_builtin_mappings(),
        &Progress::default(),
    )
    .unwrap()
}

fn findings(store: &EventStore) -> Vec<Finding> {
    detect_store(
        store,
        &RulePack::builtin().unwrap(),
        &DetectOptions::default(),
    )
    .unwrap()
}

/// `heist detect ...` with an empty config dir, so no user rules of the machine running the tests join in.
fn heist_detect(args: &[&str]) -> Output {
    let cfg = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_heist"))
        .arg("detect")
        .args(args)
        .current_dir(root())
        .env("XDG_CONFIG_HOME", cfg.path())
        .env("HOME", cfg.path())
        .env(heist_core::case::DATA_DIR_ENV, data_dir())
        .output()
        .unwrap()
}

/// Does the finding involve the attacker: a credential stolen or minted in the story (the runner pod's token the
/// poisoned build used, the CI keys taken from its secrets, the keys minted with them), the attacker's addresses,
/// or the identities behind the minted keys? svc-backup has a key of its own for its nightly job: the user counts
/// only for findings that name no key (Bedrock's invocation log names the caller, not the key) while the backdoor
/// key lived.
pub(crate) fn attacker(f: &Finding) -> bool {
    let t = |s: &str| heist_core::util::time::parse_any(s).unwrap();
    let backdoor_life = t("2026-10-05T02:41:12Z")..=t("2026-10-05T09:06:30Z");
    let keyless = !f.entities.iter().any(|e| e.kind == EntityKind::Token);
    let ips = [ATTACKER_IP, ATTACKER_IP2];
    f.entities.iter().any(|e| match e.kind {
        EntityKind::Token => attack_token(&e.name),
        EntityKind::Ip => ips.contains(&e.name.as_str()),
        EntityKind::Identity => {
            (e.name.ends_with(":user/svc-backup")
                && keyless
                && backdoor_life.contains(&f.first)
                && backdoor_life.contains(&f.last))
                || e.name.contains("assumed-role/ml-model-registry-reader/")
        }
        EntityKind::Asset => false,
    })
}

/// A credential the attacker stole or minted.
fn attack_token(name: &str) -> bool {
    let tokens = [
        STOLEN_KEY,
        SESSION_KEY,
        BACKDOOR_KEY,
        RUNNER_JTI,
        MINTED_JTI,
        OPENAI_ADMIN_KEY,
        OPENAI_NEW_KEY,
        ANTHROPIC_ADMIN_KEY,
        azure::SP_KEY_ID,
        azure::SP_TOKEN,
        // The Azure OpenAI account's keys, after the attacker's service principal listed them.
        azure::ACCOUNT_RID,
    ];
    tokens.contains(&name)
        || name.ends_with(&format!("/keys/{CI_KEY_ID}"))
        || name.ends_with(&format!("/keys/{NEW_KEY_ID}"))
}

#[test]
fn findings_in_time_order_read_as_the_theft_story() {
    let store = sample_store();
    let f = findings(&store);
    let story: Vec<(String, &str)> = in_time_order(&f)
        .iter()
        .filter(|x| attacker(x))
        .map(|x| (heist_core::util::time::format_utc(x.first), x.rule.as_str()))
        .collect();
    let want: Vec<(String, &str)> = STORY.iter().map(|(t, r)| (t.to_string(), *r)).collect();
    assert_eq!(
        story,
        want,
        "{:#?}",
        in_time_order(&f)
            .iter()
            .map(|x| &x.explanation)
            .collect::<Vec<_>>()
    );
}

/// The expected story among the findings on the attacker: (first event, rule). Initial access through the CI runner's Kubernetes token, the AWS key
/// taken from its secrets, discovery, the role, the weights, persistence, a denied attempt to stop the trail,
/// LLMjacking with the backdoor key, the GCP and Azure branches, the AI platforms' admin keys, and the last try
/// with the revoked key.
const STORY: &[(&str, &str)] = &[
    (
        "2026-10-05T01:47:31Z",
        "k8s-secrets-read-by-service-account",
    ),
    ("2026-10-05T01:50:31Z", "k8s-service-account-token-created"),
    // The minted token from the attacker's address: the secret reads, then the KServe patch.
    ("2026-10-05T02:05:12Z", "k8s-token-used-outside-cluster"),
    (
        "2026-10-05T02:05:12Z",
        "k8s-secrets-read-by-service-account",
    ),
    ("2026-10-05T02:13:07Z", "long-term-key-new-ip"),
    ("2026-10-05T02:13:07Z", "discovery-burst"),
    ("2026-10-05T02:14:30Z", "bedrock-logging-config-read"),
    ("2026-10-05T02:16:07Z", "assume-role-from-new-network"),
    ("2026-10-05T02:17:07Z", "bulk-download-volume"),
    ("2026-10-05T02:17:07Z", "bulk-model-download"),
    ("2026-10-05T02:37:15Z", "presigned-url-read-new-network"),
    ("2026-10-05T02:41:12Z", "credential-for-another-user"),
    // The poisoning: the backdoor key, minted for svc-backup, writes into finetune/v5/ within the hour.
    (
        "2026-10-05T02:41:12Z",
        "training-data-written-with-a-new-key",
    ),
    ("2026-10-05T02:43:12Z", "cloudtrail-tampering"),
    ("2026-10-05T03:06:00Z", "inference-volume-spike"),
    // The same calls in Bedrock's invocation log, which names svc-backup but not which of its two keys.
    ("2026-10-05T03:06:02Z", "inference-volume-spike"),
    (
        "2026-10-05T03:41:02Z",
        "gcp-sa-key-created-by-service-account",
    ),
    ("2026-10-05T03:41:02Z", "long-term-key-new-ip"),
    ("2026-10-05T03:45:02Z", "vertex-export"),
    ("2026-10-05T04:11:24Z", "azure-keys-listed"),
    ("2026-10-05T04:13:44Z", "inference-volume-spike"),
    ("2026-10-05T04:52:09Z", "ai-platform-key-created-by-key"),
    ("2026-10-05T04:54:09Z", "ai-platform-limits-loosened"),
    ("2026-10-05T05:10:27Z", "ai-platform-limits-loosened"),
    ("2026-10-05T05:11:27Z", "ai-platform-key-created-by-key"),
    ("2026-10-05T09:20:41Z", "token-used-after-revocation"),
];

/// Findings allowed per rule on the sample's fortnight of ordinary work (thirty people, ten service identities, the
/// nightly jobs): what the rule pack raises on it today. The budget may only shrink: a rule that grows noisier on
/// routine work fails here.
const BENIGN_BUDGET: &[(&str, usize)] = &[
    // An engineer on a new home line who never signs in to the console (a console sign-in with MFA from the address
    // would vouch for it): her key, an address of a network nobody else used.
    ("long-term-key-new-ip", 1),
    // An admin onboarding two newcomers.
    ("credential-for-another-user", 2),
    // A newcomer's first console sign-in, before they enrol their MFA device.
    ("console-login-without-mfa", 1),
];

#[test]
fn benign_noise_stays_within_the_false_positive_budget() {
    let f = findings(&sample_store());
    let mut benign = std::collections::BTreeMap::<&str, Vec<&Finding>>::new();
    for x in f.iter().filter(|x| !attacker(x)) {
        benign.entry(x.rule.as_str()).or_default().push(x);
    }
    for (rule, found) in &benign {
        let budget = BENIGN_BUDGET
            .iter()
            .find(|(r, _)| r == rule)
            .map_or(0, |(_, n)| *n);
        assert!(
            found.len() <= budget,
            "{rule}: {} findings on benign activity (budget {budget}): {:#?}",
            found.len(),
            found.iter().map(|x| &x.explanation).collect::<Vec<_>>()
        );
    }
    assert!(
        f.iter().filter(|x| attacker(x)).count() >= 8,
        "the theft is found"
    );
}

#[test]
fn every_finding_leads_to_the_events_behind_it() {
    let store = sample_store();
    let f = findings(&store);
    assert!(!f.is_empty());
    let times = store
        .frame
        .column("time")
        .unwrap()
        .datetime()
        .unwrap()
        .physical()
        .clone();
    for x in &f {
        assert!(
            !x.is_capped(),
            "{}: the sample's findings are small",
            x.rule
        );
        // What `Enter` on the finding shows: the rows of its events.
        let rows = x.rows(&store.frame).unwrap();
        assert_eq!(
            rows.len(),
            x.events.len(),
            "{}: every key names one row",
            x.rule
        );
        for r in rows {
            let t = times.get(r).unwrap();
            assert!(
                x.first <= t && t <= x.last,
                "{}: event outside the finding's window",
                x.rule
            );
        }
    }
    let flags = Flags::new(&f);
    let marked = flags.mask(&store.frame).unwrap();
    assert_eq!(marked.sum().unwrap_or(0) as usize, flags.len());
}

fn golden_json() -> String {
    stdout(&heist_detect(&["samples/incident", "--json"]))
}

#[test]
fn detect_json_golden() {
    let out = golden_json();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v["findings"].as_array().unwrap();
    for f in list {
        for k in [
            "rule",
            "title",
            "severity",
            "techniques",
            "entities",
            "events",
            "first",
            "last",
            "explanation",
        ] {
            assert!(f.get(k).is_some(), "finding without {k}: {f}");
        }
        assert!(f["first"].as_str().unwrap().ends_with('Z'));
        assert!(f["entities"][0]["kind"].is_string() && f["entities"][0]["name"].is_string());
    }
    for inc in v["incidents"].as_array().unwrap() {
        for k in [
            "id",
            "score",
            "title",
            "first",
            "last",
            "findings",
            "entities",
            "techniques",
        ] {
            assert!(inc.get(k).is_some(), "incident without {k}: {inc}");
        }
        for i in inc["findings"].as_array().unwrap() {
            assert!((i.as_u64().unwrap() as usize) < list.len(), "{inc}");
        }
    }
    insta::assert_snapshot!("detect_sample_json", out);
}

/// The attack is one incident: every finding that names an attacker's address or a stolen or minted credential is
/// in it (the OpenAI admin key's, whose log names no address, by time), every credential in it is the attacker's,
/// and at most five findings are left outside it.
#[test]
fn the_attack_is_one_incident() {
    let v: serde_json::Value = serde_json::from_str(&golden_json()).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let incidents = v["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    let first: Vec<usize> = incidents[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap() as usize)
        .collect();
    let names = |f: &serde_json::Value, kind: &str| -> Vec<String> {
        f["entities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    for (i, f) in findings.iter().enumerate() {
        let names_attack = names(f, "token").iter().any(|t| attack_token(t))
            || names(f, "ip")
                .iter()
                .any(|ip| ip == ATTACKER_IP || ip == ATTACKER_IP2);
        if names_attack {
            assert!(
                first.contains(&i),
                "attack finding outside the incident: {f}"
            );
        }
    }
    for t in names(&incidents[0], "token") {
        assert!(attack_token(&t), "routine credential in the incident: {t}");
    }
    // The OpenAI admin key's steps are in by time alone, and say so.
    let by_time: Vec<&str> = incidents[0]["by_time"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            findings[i.as_u64().unwrap() as usize]["rule"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        by_time,
        [
            "ai-platform-key-created-by-key",
            "ai-platform-limits-loosened"
        ]
    );
    let outside = findings.len() - first.len();
    assert!(
        outside <= 5,
        "{outside} findings outside the attack's incident"
    );
}

#[test]
fn detect_text_golden() {
    let out = stdout(&heist_detect(&["samples/incident", "--by-time"]));
    assert!(
        !out.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
    insta::assert_snapshot!("detect_sample_text", out);
}

#[test]
fn min_severity_filters_rules() {
    let all: serde_json::Value = serde_json::from_str(&golden_json()).unwrap();
    let high: serde_json::Value = serde_json::from_str(&stdout(&heist_detect(&[
        "samples/incident",
        "--json",
        "--min-severity",
        "HIGH",
    ])))
    .unwrap();
    let n_all = all["findings"].as_array().unwrap().len();
    let high = high["findings"].as_array().unwrap();
    assert!(!high.is_empty() && high.len() < n_all);
    assert!(high
        .iter()
        .all(|f| f["severity"] == "high" || f["severity"] == "critical"));
    let bad = heist_detect(&["samples/incident", "--min-severity", "severe"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown severity \"severe\""));
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn user_rules_join_and_bad_ones_name_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mine.toml",
        r#"
[[rule]]
id = "alice-invokes-haiku"
title = "Haiku used"
severity = "info"
techniques = ["AML.T0040"]
description = "A user rule: every Bedrock call to Claude 3 Haiku, to check --rules adds rules."
kind = "match"
query = "action:InvokeModel asset:*haiku* identity:*:user/alice"
group = "identity"
merge = "6h"
"#,
    );
    let d = dir.path().to_str().unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&heist_detect(&[
        "samples/incident",
        "--json",
        "--rules",
        d,
    ])))
    .unwrap();
    let mine: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "alice-invokes-haiku")
        .collect();
    let mut days: Vec<String> = heist_synth::sample::events()
        .iter()
        .filter(|(_, e)| {
            e["eventName"] == "InvokeModel"
                && e["userIdentity"]["userName"] == "alice"
                && e["requestParameters"]["modelId"]
                    .as_str()
                    .is_some_and(|m| m.contains("haiku"))
        })
        .map(|(_, e)| e["eventTime"].as_str().unwrap()[..10].to_string())
        .collect();
    days.dedup();
    assert!(days.len() > 5, "{days:?}");
    assert_eq!(
        mine.len(),
        days.len(),
        "one finding per day of alice's Haiku calls"
    );

    write(dir.path(), "zz-broken.toml", "[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"low\"\ntechniques = [\"T1530\"]\ndescription = \"d\"\nkind = \"threshold\"\nquery = \"action:GetObject\"\ngroup = \"token\"\nwindow = \"soon\"\nabove = 1\n");
    let o = heist_detect(&["samples/incident", "--rules", d]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "zz-broken.toml: rule \"x\": field \"window\": expected a duration like \"60m\""
        ),
        "{err}"
    );

    let missing = heist_detect(&["samples/incident", "--rules", "/nonexistent/rules"]);
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("--rules /nonexistent/rules: not a folder"));
}

#[test]
fn end_dates_from_the_command_line() {
    let end = format!("token:{STOLEN_KEY}@2026-10-05T00:00:00Z");
    let v: serde_json::Value = serde_json::from_str(&stdout(&heist_detect(&[
        "samples/incident",
        "--json",
        "--end",
        &end,
    ])))
    .unwrap();
    let f: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "identity-used-after-end-date")
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["entities"][0]["name"], STOLEN_KEY);
    assert_eq!(f[0]["first"], "2026-10-05T02:13:07Z");
    let bad = heist_detect(&["samples/incident", "--end", "token:AKIA"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected KIND:NAME@TIME"));
}

#[test]
fn detect_takes_the_end_dates_of_a_case_file() {
    let dir = tempfile::tempdir().unwrap();
    let case_path = dir.path().join("case.json");
    let digest = heist_core::case::digest(&[sample()]).unwrap();
    let mut c = heist_core::case::Case::new(digest.bundle_ref(), None, 0);
    let t = heist_core::util::time::parse_any("2026-10-05T00:00:00Z").unwrap();
    c.set_entity_end(
        &heist_core::entities::Entity::new(EntityKind::Token, STOLEN_KEY),
        Some(t),
    );
    heist_core::case::store::save_atomic(&case_path, &c).unwrap();
    let rules = |o: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let s = sample().display().to_string();
    let without = rules(&heist(&["detect", &s, "--json"]));
    let with = rules(&heist(&[
        "detect",
        &s,
        "--json",
        "--case",
        &case_path.display().to_string(),
    ]));
    assert!(!without.iter().any(|r| r == "identity-used-after-end-date"));
    assert_eq!(
        with.iter()
            .filter(|r| *r == "identity-used-after-end-date")
            .count(),
        1,
        "{with:?}"
    );
    assert_eq!(with.len(), without.len() + 1);
    // A case file that is not there is an error, not an empty case.
    let o = heist(&["detect", &s, "--case", "no/such/case.json"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such case file"));
}
