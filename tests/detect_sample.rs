//! The rule pack on the sample incident: the findings in time order read as the theft story, each leads to the
//! events behind it, benign noise stays within a stated budget, and `heist detect` (JSON and text) is pinned by
//! golden files. Also the CLI's rule loading: `--rules DIR`, the error for a bad rule file, `--min-severity`,
//! `--end`.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

use common::*;
use heist::detect::{detect, in_time_order, DetectOptions, Finding, Flags, RulePack};
use heist::entities::EntityKind;
use heist::frame::{key, EventStore};
use heist::ingest::{load, LoadOptions, Progress};
use heist::synth::sample::{ATTACKER_IP, ATTACKER_IP2, BACKDOOR_KEY, SESSION_KEY, STOLEN_KEY};

fn sample_store() -> EventStore {
    load(&[sample()], &LoadOptions::default(), &Progress::default()).unwrap()
}

fn findings(store: &EventStore) -> Vec<Finding> {
    detect(
        &store.frame,
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
        .output()
        .unwrap()
}

/// Does the finding involve the attacker: one of the stolen or minted keys, the attacker's addresses, or the
/// identities behind them?
fn attacker(f: &Finding) -> bool {
    let tokens = [STOLEN_KEY, SESSION_KEY, BACKDOOR_KEY];
    let ips = [ATTACKER_IP, ATTACKER_IP2];
    f.entities.iter().any(|e| match e.kind {
        EntityKind::Token => tokens.contains(&e.name.as_str()),
        EntityKind::Ip => ips.contains(&e.name.as_str()),
        EntityKind::Identity => {
            e.name.ends_with(":user/svc-backup")
                || e.name.contains("assumed-role/ml-model-registry-reader/")
        }
        EntityKind::Asset => false,
    })
}

#[test]
fn findings_in_time_order_read_as_the_theft_story() {
    let store = sample_store();
    let f = findings(&store);
    let story: Vec<(String, &str)> = in_time_order(&f)
        .iter()
        .map(|x| (heist::util::time::format_utc(x.first), x.rule.as_str()))
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

/// The expected story: (first event, rule).
const STORY: &[(&str, &str)] = &[];

#[test]
fn benign_noise_stays_within_the_false_positive_budget() {
    /// Findings allowed on the sample's two days of ordinary work (alice, the nightly CI run, Lambda).
    const BUDGET: usize = 1;
    let f = findings(&sample_store());
    let benign: Vec<&Finding> = f.iter().filter(|x| !attacker(x)).collect();
    assert!(
        benign.len() <= BUDGET,
        "{} findings on benign activity (budget {BUDGET}): {:#?}",
        benign.len(),
        benign
            .iter()
            .map(|x| (&x.rule, &x.explanation))
            .collect::<Vec<_>>()
    );
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
        let want: HashSet<_> = x.events.iter().cloned().collect();
        let rows = key::rows_of(&store.frame, &want).unwrap();
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
    insta::assert_snapshot!("detect_sample_json", out);
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
query = "action:InvokeModel asset:*haiku*"
group = "identity"
merge = "1d"
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
    assert_eq!(mine.len(), 2, "one finding per day of alice's Haiku calls");

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
