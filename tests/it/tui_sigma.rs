//! Sigma findings in the TUI, on the sample incident: they sit in the Findings tab beside the shipped rules', the tab
//! says how many Sigma rules loaded and how many were skipped, and a finding's detail names the rule's file, false
//! positives and references.

use crate::common;

use common::sample;
use heist_core::detect::RulePack;
use heist_tui::{Harness, RuleSet};

const KEY_FOR_OTHER: &str = r#"
title: Access Key Created
id: 22222222-0000-4000-8000-000000000001
status: test
description: An IAM access key was created.
references:
    - https://example.org/keys
tags:
    - attack.persistence
    - attack.t1098.001
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: iam.amazonaws.com
        eventName: CreateAccessKey
    condition: selection
falsepositives:
    - Key rotation by an administrator
level: high
"#;

#[test]
fn sigma_findings_sit_in_the_findings_tab_with_their_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key.yml"), KEY_FOR_OTHER).unwrap();
    std::fs::write(
        dir.path().join("okta.yml"),
        "title: O\nlogsource: {product: okta, service: okta}\ndetection: {s: {eventType: x}, condition: s}\n",
    )
    .unwrap();
    let load = heist_core::detect::sigma::load_dirs(&[dir.path().to_path_buf()]).unwrap();
    let mut pack = RulePack::builtin().unwrap();
    let skipped = pack.add_sigma(load);
    assert_eq!(skipped.len(), 1);
    let notice = Some("Sigma: 1 rules loaded from 2 files, 1 skipped".to_string());
    let mut h = Harness::with_rules(
        &[sample()],
        160,
        60,
        RuleSet::new(pack, None).with_notice(notice),
    );
    let ours: Vec<usize> = (0..h.state.findings.len())
        .filter(|&i| h.state.findings.list[i].rule == "22222222-0000-4000-8000-000000000001")
        .collect();
    assert!(
        !ours.is_empty(),
        "the Sigma rule fired on the sample's CreateAccessKey"
    );
    h.keys("5");
    let s = h.screen();
    assert!(
        s.contains("Sigma: 1 rules loaded from 2 files, 1 skipped"),
        "{s}"
    );
    // Walk the tab to the Sigma finding and read its detail.
    h.keys("g");
    for _ in 0..h.state.findings.len() {
        let f = &h.state.findings.list[h.state.view().finding_sel];
        if f.rule == "22222222-0000-4000-8000-000000000001" {
            break;
        }
        h.keys("j");
    }
    let s = h.screen();
    // The list names a Sigma rule by its title (its id is a UUID).
    assert!(s.contains("I1 Access Key Created"), "{s}");
    for text in [
        "⚑ high · Access Key Created",
        "techniques      T1098.001",
        "rule            22222222-0000-4000-8000-000000000001 (sigma)",
        "false pos.      Key rotation by an administrator",
        "references      https://example.org/keys",
        "key.yml",
    ] {
        assert!(s.contains(text), "{text:?} missing:\n{s}");
    }
    // Enter shows exactly its events.
    h.keys("<enter>");
    assert!(h.state.view().events_len() >= 1);
}
