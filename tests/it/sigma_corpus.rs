//! SigmaHQ's own rules (`../shared/datasets/sigma`, read from there, never copied) over every real dataset: every
//! rule whose logsource heist reads loads, the others are listed with their reason; chosen detections fire on the
//! Stratus Red Team detonations of their technique; the whole corpus runs deterministically over every dataset.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use heist_core::detect::sigma::{load_dirs, SigmaLoad};
use heist_core::detect::{detect_store, DetectOptions, Finding, RuleKind, RulePack};
use heist_core::ingest::LoadOptions;

fn corpus(d: &Path) -> SigmaLoad {
    load_dirs(&[d.join("sigma/rules")]).unwrap()
}

fn pack(load: SigmaLoad) -> RulePack {
    let mut pack = RulePack::builtin().unwrap();
    let skipped = pack.add_sigma(load);
    assert!(
        skipped.iter().all(|s| !s.reason.contains("already loaded")),
        "{skipped:?}"
    );
    pack
}

#[test]
fn every_rule_whose_logsource_heist_reads_loads() {
    let Some(d) = common::real_data() else { return };
    let load = corpus(&d);
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (ls, a, b) in load.by_logsource() {
        per.insert(ls, (a, b));
    }
    // SigmaHQ's counts (the corpus' STATS.json): every cloud logsource heist reads loads whole.
    let expect_loaded = [
        ("aws/cloudtrail", 57),
        ("azure/auditlogs", 44),
        ("azure/activitylogs", 35),
        ("azure/riskdetection", 19),
        ("azure/signinlogs", 18),
        ("azure/pim", 7),
        ("gcp/gcp.audit", 16),
        ("gcp/google_workspace.admin", 7),
        ("gcp/google_workspace.login", 3),
        ("m365/threat_management", 13),
        ("m365/audit", 4),
        ("m365/exchange", 1),
        ("m365/threat_detection", 1),
        ("kubernetes/audit", 16),
    ];
    for (ls, n) in expect_loaded {
        assert_eq!(
            per.get(ls),
            Some(&(n, 0)),
            "{ls}: {per:?}\n{:#?}",
            load.skipped
        );
    }
    // The logs heist does not read: skipped, each with its logsource as the reason.
    for s in &load.skipped {
        assert!(
            s.reason.starts_with(&format!("logsource {}:", s.logsource)),
            "{s:?}"
        );
        assert!(
            [
                "okta/okta",
                "github/audit",
                "bitbucket/audit",
                "onelogin/onelogin.events",
                "cisco/duo"
            ]
            .contains(&s.logsource.as_str()),
            "{s:?}"
        );
    }
    assert_eq!(load.skipped.len(), 21 + 15 + 14 + 2 + 1);
    assert_eq!(load.rules.len(), 57 + 123 + 26 + 19 + 16);
}

#[test]
fn the_other_folders_load_or_say_why() {
    let Some(d) = common::real_data() else { return };
    let s = d.join("sigma");
    // Placeholder rules need values the analyst's organisation defines (`%LegitCountries%`).
    let placeholders = load_dirs(&[s.join("rules-placeholder")]).unwrap();
    assert!(!placeholders.skipped.is_empty());
    for x in &placeholders.skipped {
        assert!(
            x.reason.contains("placeholder") || x.reason.starts_with("logsource "),
            "{x:?}"
        );
    }
    // The `count()` aggregations of the unsupported folder run as thresholds; `near` is named.
    let unsupported = load_dirs(&[s.join("unsupported")]).unwrap();
    let aggregations = unsupported
        .rules
        .iter()
        .filter(|r| matches!(&r.kind, RuleKind::Sigma(x) if x.detection.aggregation().is_some()))
        .count();
    assert!(aggregations >= 6, "{:#?}", unsupported.skipped);
    for x in &unsupported.skipped {
        assert!(
            x.reason.contains("near") || x.reason.starts_with("logsource "),
            "{x:?}"
        );
    }
    // Deprecated rules are skipped as such; hunting rules load.
    let deprecated = load_dirs(&[s.join("deprecated")]).unwrap();
    assert!(deprecated
        .skipped
        .iter()
        .all(|x| x.reason.starts_with("status deprecated") || x.reason.contains("placeholder")));
    let hunting = load_dirs(&[s.join("rules-threat-hunting")]).unwrap();
    assert!(!hunting.rules.is_empty(), "{:#?}", hunting.skipped);
    // The specification's correlation examples.
    let corr = load_dirs(&[s.join("sigma-specification/tests/schema/correlation")]).unwrap();
    assert!(
        corr.rules
            .iter()
            .any(|r| matches!(r.kind, RuleKind::SigmaCorrelation(_)))
            || corr
                .skipped
                .iter()
                .all(|x| !x.reason.starts_with("not valid")),
        "{:#?}",
        corr.skipped
    );
}

/// The Sigma rule loaded from `file` (a SigmaHQ file name).
fn rule_id(load: &SigmaLoad, file: &str) -> String {
    load.rules
        .iter()
        .find(|r| r.file.ends_with(file))
        .map(|r| r.id.clone())
        .unwrap_or_else(|| panic!("no rule from {file}"))
}

#[test]
fn chosen_detections_fire_on_their_stratus_detonations() {
    let Some(d) = common::real_data() else { return };
    let load = corpus(&d);
    let table: &[(&str, &str)] = &[
        (
            "aws.defense-evasion.cloudtrail-stop",
            "aws_cloudtrail_disable_logging.yml",
        ),
        (
            "aws.defense-evasion.cloudtrail-delete",
            "aws_cloudtrail_disable_logging.yml",
        ),
        (
            "aws.persistence.iam-backdoor-user",
            "aws_iam_backdoor_users_keys.yml",
        ),
        (
            "aws.persistence.iam-create-admin-user",
            "aws_iam_backdoor_users_keys.yml",
        ),
        (
            "aws.privilege-escalation.iam-update-user-login-profile",
            "aws_update_login_profile.yml",
        ),
        (
            "aws.exfiltration.ec2-share-ebs-snapshot",
            "aws_snapshot_backup_exfiltration.yml",
        ),
        (
            "aws.execution.ssm-send-command",
            "aws_cloudtrail_ssm_malicious_usage.yml",
        ),
        (
            "aws.exfiltration.ec2-security-group-open-port-22-ingress",
            "aws_cloudtrail_security_group_change_ingress_egress.yml",
        ),
    ];
    let ids: Vec<(String, &str)> = table.iter().map(|(t, f)| (rule_id(&load, f), *t)).collect();
    let pack = pack(load);
    for (id, technique) in ids {
        let store = crate::common::load_path(&d.join(format!("stratus-red-team/{technique}.json")));
        let found = detect_store(&store, &pack, &DetectOptions::default()).unwrap();
        let of_rule: Vec<&Finding> = found.iter().filter(|f| f.rule == id).collect();
        assert!(
            !of_rule.is_empty(),
            "{technique}: Sigma rule {id} did not fire; fired: {:?}",
            found.iter().map(|f| &f.rule).collect::<Vec<_>>()
        );
        for f in of_rule {
            assert!(!f.events.is_empty() && !f.explanation.is_empty(), "{f:#?}");
        }
    }
}

/// Every dataset folder of the real data but the Sigma corpus itself.
fn datasets(d: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with("sigma"))
        .collect();
    v.sort();
    v
}

#[test]
fn the_whole_corpus_runs_over_every_dataset_deterministically() {
    let Some(d) = common::real_data() else { return };
    let load = load_dirs(&[
        d.join("sigma/rules"),
        d.join("sigma/rules-threat-hunting"),
        d.join("sigma/unsupported"),
    ])
    .unwrap();
    let pack = pack(load);
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    for ds in datasets(&d) {
        let store = crate::common::load_path(&ds);
        let a = detect_store(&store, &pack, &DetectOptions::default()).unwrap();
        let b = detect_store(&store, &pack, &DetectOptions::default()).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap(),
            "{}: two runs differ",
            ds.display()
        );
        let sigma = a
            .iter()
            .filter(|f| {
                pack.get(&f.rule).is_some_and(|r| {
                    matches!(r.kind, RuleKind::Sigma(_) | RuleKind::SigmaCorrelation(_))
                })
            })
            .count();
        fired.insert(
            ds.file_name().unwrap().to_string_lossy().into_owned(),
            sigma,
        );
    }
    eprintln!("Sigma findings per dataset: {fired:?}");
    // The AWS captures hold what SigmaHQ's CloudTrail rules look for.
    for ds in [
        "stratus-red-team",
        "invictus-aws-dataset",
        "panther-analysis",
    ] {
        assert!(fired.get(ds).copied().unwrap_or(0) > 0, "{ds}: {fired:?}");
    }
}

#[test]
fn sigma_check_prints_the_table() {
    let Some(d) = common::real_data() else { return };
    let dir = d.join("sigma/rules");
    let o = common::heist(&["sigma", "check", dir.to_str().unwrap()]);
    let out = common::stdout(&o);
    insta::assert_snapshot!("sigma_check_rules", out);
    let o = common::heist(&["sigma", "check", "--json", dir.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&o)).unwrap();
    assert_eq!(v["loaded"], 241);
    assert_eq!(v["skipped"], 53);
    assert_eq!(v["skipped_rules"].as_array().map(Vec::len), Some(53));
}

#[test]
fn detect_with_sigma_on_the_command_line() {
    let Some(d) = common::real_data() else { return };
    let dir = d.join("sigma/rules/cloud/aws");
    let bundle = d.join("stratus-red-team/aws.defense-evasion.cloudtrail-stop.json");
    let o = common::heist(&[
        "detect",
        bundle.to_str().unwrap(),
        "--sigma",
        dir.to_str().unwrap(),
        "--json",
        "--no-cache",
    ]);
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&o)).unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("Sigma: 57 rules loaded from 57 files"),
        "{stderr}"
    );
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "4db60cc0-36fb-42b7-9b58-a5b53019fb74")
        .expect("the Sigma rule's finding");
    assert_eq!(f["title"], "AWS CloudTrail Important Change");
    assert!(f["references"].as_array().is_some_and(|r| !r.is_empty()));
    assert!(f["falsepositives"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    // A folder that is not one is an error, not an empty pack.
    let o = common::heist(&[
        "detect",
        bundle.to_str().unwrap(),
        "--sigma",
        "no/such/folder",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--sigma no/such/folder: not a folder"));
}

/// No capture in the real data deletes a GuardDuty detector, so the rule is run on records shaped as CloudTrail
/// logs them (Stratus Red Team's `aws.defense-evasion.guardduty-*` calls): a deletion and a disabling fire; a
/// denied deletion and an update that keeps the detector on do not (`requestParameters.enable` is a JSON boolean the
/// rule compares with the string `'false'`; a missing `errorCode` is a success).
#[test]
fn the_guardduty_rule_fires_on_a_deleted_or_disabled_detector_only() {
    let Some(d) = common::real_data() else { return };
    let load = corpus(&d);
    let id = rule_id(
        &load,
        "aws_cloudtrail_guardduty_detector_deleted_or_updated.yml",
    );
    let pack = pack(load);
    let rec = |n: u32, name: &str, params: &str, error: &str| {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDA0000000000000000{n}","arn":"arn:aws:iam::111122223333:user/u{n}","accountId":"111122223333","accessKeyId":"AKIA00000000000000{n:02}","userName":"u{n}"}},"eventTime":"2026-11-02T10:0{n}:00Z","eventSource":"guardduty.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.{n}","userAgent":"stratus-red-team","requestParameters":{params}{error},"responseElements":null,"requestID":"r{n}","eventID":"e{n}","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}}"#
        )
    };
    let records = [
        rec(1, "DeleteDetector", r#"{"detectorId":"d1"}"#, ""),
        rec(
            2,
            "UpdateDetector",
            r#"{"detectorId":"d2","enable":false}"#,
            "",
        ),
        rec(
            3,
            "DeleteDetector",
            r#"{"detectorId":"d3"}"#,
            r#","errorCode":"AccessDenied","errorMessage":"no""#,
        ),
        rec(
            4,
            "UpdateDetector",
            r#"{"detectorId":"d4","enable":true}"#,
            "",
        ),
    ];
    let bundle = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    // A file, so the raw records can be read back.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("guardduty.json");
    std::fs::write(&file, bundle).unwrap();
    let store = crate::common::load_path(&file);
    assert_eq!(store.len(), 4);
    let found = detect_store(&store, &pack, &DetectOptions::default()).unwrap();
    let mut fired: Vec<&str> = found
        .iter()
        .filter(|f| f.rule == id)
        .flat_map(|f| {
            f.entities
                .iter()
                .filter(|e| e.name.starts_with("arn:aws:iam"))
                .map(|e| e.name.as_str())
        })
        .collect();
    fired.sort();
    fired.dedup();
    assert_eq!(
        fired,
        [
            "arn:aws:iam::111122223333:user/u1",
            "arn:aws:iam::111122223333:user/u2"
        ],
        "{found:#?}"
    );

    // Read from memory, the records cannot be read back: the rule names a field outside the frame
    // (`requestParameters.enable`), so its four events go untested, and the run says so instead of staying quiet.
    let text = std::fs::read(&file).unwrap();
    let memory =
        heist_core::ingest::load_bytes("guardduty.json", text, &LoadOptions::default()).unwrap();
    let detail =
        heist_core::detect::detect_store_detail(&memory, &pack, &DetectOptions::default()).unwrap();
    let unread = detail
        .unread
        .iter()
        .find(|u| u.rule == id)
        .expect("the GuardDuty rule's events are untested");
    assert_eq!(unread.events, 4);
    let notice = detail.notice().unwrap();
    let events: usize = detail.unread.iter().map(|u| u.events).sum();
    assert!(
        notice.starts_with(&format!(
            "Sigma: {} rules could not test {events} events",
            detail.unread.len()
        )) && notice.contains("could not be read back from the bundle"),
        "{notice}"
    );
    assert!(detail.findings.iter().all(|f| f.rule != id));
    // With the bundle on disk, nothing is left untested.
    let on_disk =
        heist_core::detect::detect_store_detail(&store, &pack, &DetectOptions::default()).unwrap();
    assert!(on_disk.unread.is_empty(), "{:?}", on_disk.unread);
    assert_eq!(on_disk.notice(), None);
}
