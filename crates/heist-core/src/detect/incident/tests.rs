//! Grouping on hand-made findings over a small frame: the frame gives the usual networks and the lineage.

use super::*;
use crate::frame::assemble::assemble;
use crate::frame::{Col, EventBatch, Row};

const H: Nanos = HOUR;
const DAY: Nanos = 24 * HOUR;
const OFFICE: &str = "203.0.113.10";
const ATTACKER: &str = "198.51.100.77";

/// Routine use of the office network by many people, then the stolen key minting a backdoor key.
fn frame() -> DataFrame {
    let mut b = EventBatch::new("t.json");
    let mut push = |i: u64, t: Nanos, cols: &[(Col, &str)]| {
        let mut r = Row::default();
        r.time = t;
        r.set_str(Col::Source, "test");
        for (c, v) in cols {
            r.set(*c, Some(std::borrow::Cow::Borrowed(*v)));
        }
        r.record_hash = i;
        b.push(&r);
    };
    for (i, who) in ["alice", "bob", "carol", "dave"].iter().enumerate() {
        push(
            i as u64 + 1,
            i as Nanos,
            &[(Col::Identity, who), (Col::SourceIp, OFFICE)],
        );
    }
    push(
        10,
        10 * DAY + 2 * H,
        &[
            (Col::Identity, "ci"),
            (Col::Token, "AKIASTOLEN"),
            (Col::SourceIp, ATTACKER),
            (Col::MintedToken, "AKIABACKDOOR"),
            (Col::MintedIdentity, "svc-backup"),
        ],
    );
    // The same key minted a routine session a week earlier.
    push(
        11,
        3 * DAY,
        &[
            (Col::Identity, "ci"),
            (Col::Token, "AKIASTOLEN"),
            (Col::MintedToken, "ASIAROUTINE"),
        ],
    );
    b.finish().unwrap();
    assemble(vec![b], false).unwrap().frame
}

fn lineage(df: &DataFrame) -> Lineage {
    Lineage::build(df, &|o, l| format!("{o}:{l}")).unwrap()
}

fn f(rule: &str, sev: Severity, tech: &str, first: Nanos, ents: &[(EntityKind, &str)]) -> Finding {
    Finding {
        rule: rule.into(),
        title: rule.into(),
        severity: sev,
        techniques: vec![tech.into()],
        entities: ents.iter().map(|(k, n)| Entity::new(*k, *n)).collect(),
        entities_omitted: 0,
        events: Vec::new(),
        events_total: 1,
        first,
        last: first + 10 * 60_000_000_000,
        explanation: String::new(),
        references: Vec::new(),
        falsepositives: Vec::new(),
    }
}

use EntityKind::{Identity as I, Ip as P, Token as T};

fn attack() -> Vec<Finding> {
    let t0 = 10 * DAY + 2 * H;
    vec![
        f(
            "discovery-burst",
            Severity::Medium,
            "T1087.004",
            t0,
            &[(T, "AKIASTOLEN"), (I, "ci"), (P, ATTACKER)],
        ),
        f(
            "long-term-key-new-ip",
            Severity::High,
            "T1078.004",
            t0,
            &[(T, "AKIASTOLEN"), (P, ATTACKER)],
        ),
        f(
            "credential-for-another-user",
            Severity::High,
            "T1098.001",
            t0 + H / 2,
            &[(T, "AKIASTOLEN"), (P, ATTACKER)],
        ),
        // The backdoor key, from another address: linked by lineage only.
        f(
            "inference-volume-spike",
            Severity::High,
            "T1496.004",
            t0 + H,
            &[(T, "AKIABACKDOOR"), (P, "192.0.2.45")],
        ),
        // Another cloud's credential from the same unusual address, hours later.
        f(
            "vertex-export",
            Severity::High,
            "T1537",
            t0 + 3 * H,
            &[(T, "gcp-key"), (P, ATTACKER)],
        ),
    ]
}

/// An admin's daily discovery from the office, and a second person's unrelated finding from the office too.
fn routine() -> Vec<Finding> {
    let mut v: Vec<Finding> = (1..=6)
        .map(|d| {
            f(
                "discovery-burst",
                Severity::Medium,
                "T1087.004",
                d * DAY + 9 * H,
                &[(T, "AKIAADMIN"), (P, OFFICE)],
            )
        })
        .collect();
    v.push(f(
        "training-data-new-writer",
        Severity::Medium,
        "T1565.001",
        6 * DAY + 9 * H + 60_000_000_000,
        &[(T, "AKIALABELER"), (P, OFFICE)],
    ));
    v
}

#[test]
fn the_attack_is_one_incident_and_routine_is_other_findings() {
    let df = frame();
    let mut all = routine();
    all.extend(attack());
    let g = group(&df, &lineage(&df), &all, None, &IncidentOptions::default()).unwrap();
    assert_eq!(g.incidents.len(), 1, "{g:#?}");
    let inc = &g.incidents[0];
    let names: Vec<&str> = inc.findings.iter().map(|&i| all[i].rule.as_str()).collect();
    assert_eq!(
        names,
        [
            "discovery-burst",
            "long-term-key-new-ip",
            "credential-for-another-user",
            "inference-volume-spike",
            "vertex-export"
        ]
    );
    assert_eq!(inc.id, "I1");
    assert_eq!(inc.severity, Severity::High);
    assert!(
        inc.title
            .starts_with("AKIASTOLEN and 2 more credentials from 198.51.100.77, 192.0.2.45: "),
        "{}",
        inc.title
    );
    assert!(inc.title.ends_with("discovery → valid credentials from a new place → persistence → resource hijacking → exfiltration"), "{}", inc.title);
    assert_eq!(inc.techniques[0], "T1087.004");
    // Six daily bursts and one labeller: two lines, the bursts counted.
    assert_eq!(g.other.len(), 2);
    assert_eq!(
        (
            g.other[0].rule.as_str(),
            g.other[0].count,
            g.other[0].entities
        ),
        ("discovery-burst", 6, 1)
    );
    assert_eq!(g.other[1].count, 1);
    // Inside the incident a medium finding is shown a step up; outside it keeps its rule's severity.
    let burst_in = inc.findings[0];
    assert_eq!(g.severity(burst_in, &all[burst_in]), Severity::High);
    assert_eq!(g.severity(0, &all[0]), Severity::Medium);
    assert!(g.incident_of(0).is_none());
}

/// Findings whose log names no address (an OpenAI admin key's actions) join the one incident whose night holds
/// them, marked as linked by time, and keep their rule's severity; outside every incident's night, or when two
/// incidents' nights hold them, they stay apart.
#[test]
fn findings_without_an_address_join_the_incident_whose_night_holds_them() {
    let df = frame();
    let t0 = 10 * DAY + 2 * H;
    let keyless = |first: Nanos| {
        vec![
            f(
                "ai-platform-key-created-by-key",
                Severity::High,
                "T1098.001",
                first,
                &[(T, "key_admin"), (I, "svc_acct_ci")],
            ),
            f(
                "ai-platform-limits-loosened",
                Severity::Medium,
                "T1562.007",
                first + 2 * 60_000_000_000,
                &[(T, "key_admin"), (I, "svc_acct_ci")],
            ),
        ]
    };
    // Inside the attack's night (t0 .. t0 + 3h10m).
    let mut all = attack();
    all.extend(keyless(t0 + 2 * H));
    let g = group(&df, &lineage(&df), &all, None, &IncidentOptions::default()).unwrap();
    assert_eq!(g.incidents.len(), 1, "{g:#?}");
    let inc = &g.incidents[0];
    assert_eq!(inc.findings.len(), 7);
    assert_eq!(inc.by_time, vec![5, 6]);
    assert!(g.joined_by_time(6));
    assert!(!g.joined_by_time(0));
    // Linked by time alone: not raised.
    assert_eq!(g.severity(6, &all[6]), Severity::Medium);
    assert_eq!(g.severity(0, &all[0]), Severity::High);

    // A day later: its own story (two rules, scoring as an incident of its own), not the attack's.
    let mut all = attack();
    all.extend(keyless(t0 + DAY));
    let g = group(&df, &lineage(&df), &all, None, &IncidentOptions::default()).unwrap();
    assert!(g.incidents.iter().all(|i| i.by_time.is_empty()), "{g:#?}");
    assert_eq!(g.incidents[0].findings.len(), 5);

    // A finding that names an address is never linked by time.
    let mut all = attack();
    let mut placed = keyless(t0 + 2 * H);
    for x in &mut placed {
        x.entities.push(Entity::new(P, OFFICE));
    }
    all.extend(placed);
    let g = group(&df, &lineage(&df), &all, None, &IncidentOptions::default()).unwrap();
    assert!(g.incidents.iter().all(|i| i.by_time.is_empty()), "{g:#?}");
}

#[test]
fn the_office_network_links_nobody() {
    let df = frame();
    // Two people, two rules each firing once, both from the office, the same hour: not one story.
    let v = vec![
        f(
            "discovery-burst",
            Severity::Medium,
            "T1087.004",
            5 * DAY,
            &[(T, "AKIAADMIN"), (P, OFFICE)],
        ),
        f(
            "long-term-key-new-ip",
            Severity::High,
            "T1078.004",
            5 * DAY,
            &[(T, "AKIAOTHER"), (P, OFFICE)],
        ),
    ];
    let g = group(&df, &lineage(&df), &v, None, &IncidentOptions::default()).unwrap();
    assert!(g.incidents.is_empty(), "{g:#?}");
    // The same two findings from an address nobody else used are one story.
    let v: Vec<Finding> = v
        .into_iter()
        .map(|mut x| {
            x.entities[1].name = "192.0.2.200".into();
            x
        })
        .collect();
    let g = group(&df, &lineage(&df), &v, None, &IncidentOptions::default()).unwrap();
    assert_eq!(g.incidents.len(), 1);
}

#[test]
fn an_address_is_judged_before_its_first_finding() {
    let df = frame();
    // In the frame, "ci" uses the attacker's address at 10d 2h. With one identity enough to make a network usual,
    // findings after that do not link through it; with two, they do. Only the first finding naming the address is
    // judged: by the second's time more identities may have used it.
    let v = vec![
        f(
            "long-term-key-new-ip",
            Severity::High,
            "T1078.004",
            10 * DAY + 3 * H,
            &[(T, "AKIASTOLEN"), (P, ATTACKER)],
        ),
        f(
            "vertex-export",
            Severity::High,
            "T1537",
            10 * DAY + 5 * H,
            &[(T, "gcp-key"), (P, ATTACKER)],
        ),
    ];
    let opts = IncidentOptions {
        usual_identities: 1,
        ..IncidentOptions::default()
    };
    let g = group(&df, &lineage(&df), &v, None, &opts).unwrap();
    assert!(
        g.incidents.is_empty(),
        "one identity used it before the first finding: usual at 1"
    );
    let opts = IncidentOptions {
        usual_identities: 2,
        ..IncidentOptions::default()
    };
    let g = group(&df, &lineage(&df), &v, None, &opts).unwrap();
    assert_eq!(g.incidents.len(), 1);
}

#[test]
fn findings_far_apart_on_one_credential_are_separate() {
    let df = frame();
    let v = vec![
        f(
            "discovery-burst",
            Severity::Medium,
            "T1087.004",
            DAY,
            &[(T, "AKIAX")],
        ),
        f(
            "long-term-key-new-ip",
            Severity::High,
            "T1078.004",
            4 * DAY,
            &[(T, "AKIAX")],
        ),
    ];
    let g = group(&df, &lineage(&df), &v, None, &IncidentOptions::default()).unwrap();
    assert!(g.incidents.is_empty());
    let close = vec![
        v[0].clone(),
        f(
            "long-term-key-new-ip",
            Severity::High,
            "T1078.004",
            DAY + 2 * H,
            &[(T, "AKIAX")],
        ),
    ];
    assert_eq!(
        group(
            &df,
            &lineage(&df),
            &close,
            None,
            &IncidentOptions::default()
        )
        .unwrap()
        .incidents
        .len(),
        1
    );
}

#[test]
fn a_session_minted_long_before_the_finding_does_not_link() {
    let df = frame();
    let v = vec![
        f(
            "long-term-key-new-ip",
            Severity::High,
            "T1078.004",
            10 * DAY + 2 * H,
            &[(T, "AKIASTOLEN")],
        ),
        f(
            "bulk-model-download",
            Severity::High,
            "T1530",
            3 * DAY,
            &[(T, "ASIAROUTINE")],
        ),
    ];
    let g = group(&df, &lineage(&df), &v, None, &IncidentOptions::default()).unwrap();
    assert!(g.incidents.is_empty(), "{g:#?}");
}

#[test]
fn the_scope_makes_one_incident_of_what_it_touches() {
    let df = frame();
    let v = routine();
    let in_scope = |e: &Entity| e.name == "AKIALABELER" || e.name == "AKIAADMIN";
    let g = group(
        &df,
        &lineage(&df),
        &v,
        Some(&in_scope),
        &IncidentOptions::default(),
    )
    .unwrap();
    assert_eq!(g.incidents.len(), 1);
    assert_eq!(g.incidents[0].findings.len(), 7);
    assert!(g.other.is_empty());
}

#[test]
fn no_findings_no_incidents() {
    let df = frame();
    let g = group(&df, &lineage(&df), &[], None, &IncidentOptions::default()).unwrap();
    assert_eq!(g, Incidents::default());
}
