//! The Markdown report: golden tests on the sample incident's theft chain (marked, tagged, annotated), on a report
//! made of hostile log content, and on findings; plus structural checks that no hostile string escapes its cell,
//! span or fence.

use crate::common;

use heist_core::case::{self, Case, EventInfo};
use heist_core::entities::{Entity, EntityKind, Lineage};
use heist_core::export::report::*;
use heist_core::export::{self, BuildOptions, Selection};
use heist_core::frame::access::FrameReader;
use heist_core::frame::{key, Col, EventKey, EventStore};
use heist_core::ingest::{self, LoadOptions, Progress};
use heist_core::util::time::parse_rfc3339;

const GENERATED: &str = "2026-10-06T10:00:00Z";

fn load_sample() -> (EventStore, Lineage, case::BundleDigest) {
    let paths = vec![common::sample()];
    let store = ingest::load(
        &paths,
        &LoadOptions::with_builtin_mappings(),
        &Progress::default(),
    )
    .unwrap();
    let label = |o: &str, l: u32| store.origin_label(o, l);
    let lineage = Lineage::build(&store.frame, &label).unwrap();
    let digest = case::digest(&paths).unwrap();
    (store, lineage, digest)
}

/// The keys and infos of the events matching `q`, in time order.
fn events_of(store: &EventStore, q: &str) -> Vec<(EventKey, EventInfo)> {
    let df = heist_core::query::filter(&store.frame, q).unwrap();
    let r = FrameReader::new(&df).unwrap();
    let keys = key::keys(&df).unwrap();
    keys.into_iter()
        .enumerate()
        .map(|(i, k)| {
            let summary = format!(
                "{} by {}",
                r.text(Col::Action, i).unwrap_or(""),
                r.text(Col::Identity, i).unwrap_or("")
            );
            (
                k,
                EventInfo {
                    time: r.time(i),
                    summary,
                },
            )
        })
        .collect()
}

enum Pick {
    First,
    FirstLast,
    All,
}

/// The analyst's case on the sample: the theft chain marked, tagged and annotated.
pub fn theft_case(store: &EventStore, digest: &case::BundleDigest) -> Case {
    let mut c = Case::new(digest.bundle_ref(), Some("Dana Whitfield".into()), 0);
    // (query, which of its events, tag, note on the first)
    let chain: &[(&str, Pick, Option<&str>, Option<&str>)] = &[
        (
            "source:k8s asset:ci/secrets/aws-ci-deployer ip:198.51.100.77",
            Pick::First,
            Some("initial-access"),
            Some("The CI runner's service-account token, used from outside the cluster, reads the secret holding ci-deployer's AWS key."),
        ),
        (
            "token:AKIAQ3EGRZTSTOLEN7CI ip:198.51.100.77",
            Pick::First,
            None,
            Some("Eight minutes later the key is used from an address ACME has never used.\nci-deployer only ever runs from CI (203.0.113.50)."),
        ),
        (
            "action:AssumeRole ip:198.51.100.77",
            Pick::First,
            None,
            Some("The stolen key mints session key ASIAQ3EGRZTEXFIL2MDL for the model registry reader role."),
        ),
        (
            "source:cloudtrail action:GetObject asset:*.safetensors ip:198.51.100.77",
            Pick::All,
            Some("exfiltrated"),
            None,
        ),
        (
            "action:CreateAccessKey ip:198.51.100.77",
            Pick::First,
            Some("persistence"),
            Some("Backdoor key for svc-backup."),
        ),
        ("action:StopLogging", Pick::First, None, None),
        (
            "token:AKIAQ3EGRZTBACKDR9SV action:InvokeModel",
            Pick::FirstLast,
            None,
            Some("The backdoor key drives Bedrock from a second address for 25 minutes."),
        ),
        (
            "action:UpdateAccessKey time>=2026-10-05T00:00:00Z",
            Pick::First,
            None,
            Some("ACME disables the leaked key at 09:02."),
        ),
        (
            "token:AKIAQ3EGRZTSTOLEN7CI outcome:failure time>=2026-10-05T09:02:00Z",
            Pick::First,
            None,
            Some("The attacker tries the disabled key again and is refused."),
        ),
    ];
    for (q, pick, tag, note) in chain {
        let evs = events_of(store, q);
        assert!(!evs.is_empty(), "no sample events for {q}");
        let picked: Vec<&(EventKey, EventInfo)> = match pick {
            Pick::All => evs.iter().collect(),
            Pick::First => vec![&evs[0]],
            Pick::FirstLast => vec![&evs[0], &evs[evs.len() - 1]],
        };
        for (k, info) in picked {
            c.set_mark(k, info, true);
            if let Some(t) = tag {
                c.toggle_event_tag(k, info, t).unwrap();
            }
        }
        if let Some(n) = note {
            let (k, info) = &evs[0];
            c.set_event_note(k, info, n);
        }
    }
    let stolen = Entity::new(EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI");
    c.toggle_entity_tag(&stolen, "compromised").unwrap();
    c.set_entity_note(
        &stolen,
        "Leaked from the CI system; GuardDuty alerted on it (IR-2026-1005).\nRotate and audit every pipeline that held it.",
    );
    c.toggle_entity_tag(&Entity::new(EntityKind::Ip, "198.51.100.77"), "attacker-ip")
        .unwrap();
    c.toggle_entity_tag(&Entity::new(EntityKind::Ip, "192.0.2.45"), "attacker-ip")
        .unwrap();
    c
}

fn options(title: &str) -> BuildOptions {
    BuildOptions {
        title: Some(title.into()),
        generated: parse_rfc3339(GENERATED).unwrap(),
        ..BuildOptions::default()
    }
}

#[test]
fn sample_theft_chain_report() {
    let (store, lineage, digest) = load_sample();
    let case = theft_case(&store, &digest);
    let sel = Selection::choose(Some(&case), &store.frame, None);
    let r = export::build(
        &store,
        &lineage,
        &digest,
        Some(&case),
        sel,
        export::ReportFindings::default(),
        &options("Theft of the llm-7b weights with ACME's leaked CI key"),
    )
    .unwrap();
    assert_eq!(r.basis, Basis::Marked { query: None });
    assert_eq!(r.events.len(), case.marked().len());
    assert!(r.events.iter().all(|e| matches!(e.raw, Some(Ok(_)))));
    let md = export::markdown(&r);
    // What a reader needs is there.
    for needle in [
        "# Theft of the llm-7b weights",
        "**Prepared by:** Dana Whitfield",
        "## Scope",
        "| `cloudtrail` |",
        "## Entities involved",
        "`ASIAQ3EGRZTEXFIL2MDL` was minted with `AKIAQ3EGRZTSTOLEN7CI`",
        "## Theft timeline",
        "> **Note on #1:** The CI runner's service-account token, used from outside the cluster",
        "## Notes on entities",
        "### Credential `AKIAQ3EGRZTSTOLEN7CI`",
        "## Appendix: raw records",
        "```json",
    ] {
        assert!(md.contains(needle), "report lacks {needle:?}:\n{md}");
    }
    check_structure(&md);
    insta::assert_snapshot!("sample_theft_chain", md);
}

#[test]
fn marks_from_other_evidence_are_reported_not_dropped() {
    let (store, lineage, digest) = load_sample();
    let mut case = theft_case(&store, &digest);
    let n = case.marked().len();
    case.set_mark(
        &EventKey::from_text("cloudtrail|id|not-in-this-bundle|GetObject"),
        &EventInfo::default(),
        true,
    );
    let sel = Selection::choose(Some(&case), &store.frame, None);
    let r = export::build(
        &store,
        &lineage,
        &digest,
        Some(&case),
        sel,
        export::ReportFindings::default(),
        &options("x"),
    )
    .unwrap();
    assert_eq!(r.events.len(), n);
    let md = export::markdown(&r);
    assert!(
        md.contains(&format!(
            "> **Warning:** 1 of the {} marked events are not in this bundle",
            n + 1
        )),
        "{md}"
    );
}

#[test]
fn sample_query_report_when_nothing_is_marked() {
    let (store, lineage, digest) = load_sample();
    let q = "token:AKIAQ3EGRZTBACKDR9SV";
    let df = heist_core::query::filter(&store.frame, q).unwrap();
    let n = df.height();
    let sel = Selection::choose(None, &store.frame, Some((df, q.to_string())));
    let r = export::build(
        &store,
        &lineage,
        &digest,
        None,
        sel,
        export::ReportFindings::default(),
        &options("Backdoor key"),
    )
    .unwrap();
    assert_eq!(r.basis, Basis::Query(q.into()));
    assert_eq!(r.events.len(), n);
    let md = export::markdown(&r);
    assert!(md.contains("no events are marked: the"), "{md}");
    assert!(md.contains("`token:AKIAQ3EGRZTBACKDR9SV`"), "{md}");
    check_structure(&md);
}

/// A report where every log-derived string is hostile.
fn hostile_input() -> ReportInput {
    const H: &[&str] = &[
        "curl \u{1b}]0;owned\u{7}\u{1b}[2J",
        "a|b||c",
        "``code`` and `x`",
        "<script>alert(1)</script>",
        "[click](javascript:alert(document.cookie))",
        "line one\nline two\r\n# heading",
        "invoice\u{202e}fdp.exe",
        "![img](http://evil.example/x.png) *bold* _it_ ~~s~~ &lt; $x$",
    ];
    let mut fields = vec![None; Col::OUTPUT.len()];
    let set = |f: &mut Vec<Option<String>>, c: Col, v: &str| {
        let i = Col::OUTPUT.iter().position(|x| *x == c).unwrap();
        f[i] = Some(v.to_string());
    };
    set(&mut fields, Col::Action, H[4]);
    set(&mut fields, Col::Identity, H[1]);
    set(&mut fields, Col::Token, H[2]);
    set(&mut fields, Col::Asset, H[3]);
    set(&mut fields, Col::SourceIp, H[6]);
    set(&mut fields, Col::UserAgent, H[0]);
    set(&mut fields, Col::Outcome, "failure");
    set(&mut fields, Col::ErrorCode, H[5]);
    set(&mut fields, Col::MintedToken, H[7]);
    set(&mut fields, Col::Origin, "bundle|x.json[0]");
    let t0 = parse_rfc3339("2026-10-05T02:13:07Z").unwrap();
    let ev = |i: usize, note: &str| ReportEvent {
        key: EventKey::from_text(format!("cloudtrail|id|{i}|`x`")),
        time: t0 + i as i64 * 1_000_000_000,
        fields: fields.clone(),
        marked: true,
        tags: vec!["exfil|trated".into(), "`t`".into()],
        note: note.into(),
        raw: Some(Ok(format!(
            "{{\"userAgent\": \"{}\", \"k\": \"```\\n````\"}}\n```\n````",
            "\u{1b}[31mred\u{202e}"
        ))),
    };
    ReportInput {
        title: "Report <b>| `x` [y](javascript:z)".into(),
        analyst: Some("Eve ![x](y) \u{1b}[5m".into()),
        generated: t0,
        tz: case::TimeZone::Utc,
        scope: Scope {
            bundle_sha256: "ab".repeat(32),
            files: vec![ScopeFile {
                path: "bundle/<img src=x onerror=alert(1)>|.json".into(),
                bytes: 10,
                sha256: "cd".repeat(32),
                formats: vec!["cloud|trail".into()],
                events: 2,
                not_read: Some("bad <tag> | `x`\nsecond line".into()),
            }],
            sources: vec![SourceCount {
                source: H[1].into(),
                events: 2,
                first: Some(t0),
                last: Some(t0),
            }],
            first: Some(t0),
            last: Some(t0),
            events: 2,
            duplicates: 0,
            malformed: 1,
            malformed_examples: vec![(H[3].into(), H[5].into())],
            skipped: 0,
            case_file: Some("/tmp/`case`|.json".into()),
        },
        basis: Basis::Marked {
            query: Some("ua:*`whoami`*|x".into()),
        },
        entities: vec![EntitySummary {
            kind: EntityKind::Token,
            name: H[2].into(),
            detail: Some(H[1].into()),
            first: Some(t0),
            last: Some(t0),
            events: 2,
            failures: 2,
            tags: vec!["a|b".into()],
            lineage: vec![LineageLine {
                relation: Relation::MintedFrom,
                token: Some(H[3].into()),
                identity: Some(H[4].into()),
                action: H[0].into(),
                time: t0,
            }],
            more_minted: 0,
        }],
        findings: vec![ReportFinding {
            rule: "r|1".into(),
            title: H[4].into(),
            severity: "high <b>".into(),
            techniques: vec!["T1078|.004".into()],
            explanation: format!("{}\n{}", H[5], H[3]),
            events: vec![EventKey::from_text("cloudtrail|id|0|`x`")],
            first: Some(t0),
            last: Some(t0),
            references: Vec::new(),
            falsepositives: Vec::new(),
        }],
        incidents: Vec::new(),
        other: Vec::new(),
        attack_scope: None,
        events: vec![
            ev(
                0,
                "analyst pasted: <script>x</script> | `y`\n- not a list\n\n> not a quote",
            ),
            ev(1, ""),
        ],
        entity_notes: vec![EntityAnnotation {
            kind: EntityKind::Identity,
            name: H[4].into(),
            tags: vec!["x".into()],
            note: H[6].into(),
        }],
        appendix_omitted: 0,
        warnings: vec![H[3].into()],
    }
}

#[test]
fn hostile_content_stays_inert() {
    let md = export::markdown(&hostile_input());
    check_structure(&md);
    insta::assert_snapshot!("hostile", md);
}

/// Incidents and the other-findings table carry the same hostile text: it stays inert there too.
#[test]
fn hostile_incidents_stay_inert() {
    let mut r = hostile_input();
    let f = r.findings[0].clone();
    r.findings.push(f.clone());
    r.incidents = vec![export::ReportIncident {
        id: "I1".into(),
        score: 42,
        title: format!("{} from 198.51.100.77: discovery → collection", f.title),
        severity: "high".into(),
        first: 0,
        last: 60_000_000_000,
        techniques: f.techniques.clone(),
        findings: vec![(0, "critical".into())],
        by_time: vec![],
    }];
    r.other = vec![export::ReportOther {
        rule: "a|b||c `x`".into(),
        title: f.title.clone(),
        severity: "medium|".into(),
        count: 37,
        entities: 12,
        first: 0,
        last: 0,
        findings: vec![1],
    }];
    let md = export::markdown(&r);
    check_structure(&md);
    assert!(md.contains("## Incidents\n"), "{md}");
    assert!(md.contains("## Other findings\n"), "{md}");
    assert!(
        md.contains("(rule: high"),
        "a raised severity names the rule's: {md}"
    );
    assert!(
        !md.contains("## Findings\n"),
        "grouped findings are not listed flat too"
    );
    insta::assert_snapshot!("hostile_incidents", md);
}

#[test]
fn findings_section_and_techniques_beside_events() {
    let (store, lineage, digest) = load_sample();
    let case = theft_case(&store, &digest);
    let shards = events_of(
        &store,
        "source:cloudtrail action:GetObject asset:*.safetensors ip:198.51.100.77",
    );
    let finding = ReportFinding {
        rule: "s3-model-weights-bulk-read".into(),
        title: "Model weights read in bulk from a new address".into(),
        severity: "high".into(),
        techniques: vec!["T1530".into(), "T1078.004".into()],
        explanation: "Four safetensors shards of llm-7b were read within minutes by a session key minted from a \
                      long-term key first seen from this address."
            .into(),
        events: shards.iter().map(|(k, _)| k.clone()).collect(),
        first: shards.first().and_then(|(_, i)| i.time),
        last: shards.last().and_then(|(_, i)| i.time),
        references: Vec::new(),
        falsepositives: Vec::new(),
    };
    let sel = Selection::choose(Some(&case), &store.frame, None);
    let r = export::build(
        &store,
        &lineage,
        &digest,
        Some(&case),
        sel,
        export::ReportFindings::flat(vec![finding]),
        &options("With findings"),
    )
    .unwrap();
    let md = export::markdown(&r);
    assert!(md.contains("## Findings"), "{md}");
    assert!(
        md.contains("### 1. Model weights read in bulk from a new address"),
        "{md}"
    );
    assert!(md.contains("**Techniques:** `T1530`, `T1078.004`"), "{md}");
    assert!(md.contains("| techniques |"), "{md}");
    // Each shard's timeline row carries the techniques; the finding points back at those rows.
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.contains("safetensors") && l.starts_with("| "))
        .filter(|l| l.contains("GetObject"))
        .collect();
    assert_eq!(rows.len(), shards.len(), "{md}");
    assert!(
        rows.iter().all(|l| l.contains("`T1078.004` `T1530`")),
        "{rows:?}"
    );
    assert!(md.contains("; in the timeline: #"), "{md}");
    check_structure(&md);
    let section: String = md
        .split("## Findings")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap()
        .to_string();
    insta::assert_snapshot!("findings_section", section);
}

/// What every report must satisfy, whatever the logs held.
fn check_structure(md: &str) {
    // No raw control or invisible characters anywhere.
    for c in md.chars() {
        assert!(
            c == '\n' || !heist_core::util::sanitize::is_dangerous(c),
            "raw {:?} in the report",
            c
        );
    }
    // Outside code blocks: tables have a constant number of cells, and no `<` or `[` is left unescaped outside
    // code spans (so no HTML and no link can form).
    let mut in_fence: Option<usize> = None;
    let mut columns: Option<usize> = None;
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match in_fence {
            Some(n) => {
                if ticks >= n && line.trim_start_matches('`').is_empty() {
                    in_fence = None;
                }
                continue;
            }
            None if ticks >= 3 => {
                in_fence = Some(ticks);
                continue;
            }
            None => {}
        }
        let outside = outside_code_spans(line);
        for (i, c) in outside.iter().enumerate() {
            if matches!(c, '<' | '[' | ']') {
                assert!(
                    i > 0 && outside[i - 1] == '\\',
                    "unescaped {c:?} in {line:?}"
                );
            }
        }
        if line.starts_with('|') {
            let cells = unescaped_pipes(&outside);
            match columns {
                None => columns = Some(cells),
                Some(n) => assert_eq!(cells, n, "row with another cell count: {line:?}"),
            }
        } else {
            columns = None;
        }
    }
    assert!(in_fence.is_none(), "a code block was left open");
}

/// The characters of a line outside its code spans (spans replaced by one `x`).
fn outside_code_spans(line: &str) -> Vec<char> {
    let b: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '\\' && i + 1 < b.len() {
            out.push(b[i]);
            out.push(b[i + 1]);
            i += 2;
            continue;
        }
        if b[i] == '`' {
            let mut k = 0;
            while i < b.len() && b[i] == '`' {
                k += 1;
                i += 1;
            }
            let mut closed = false;
            while i < b.len() {
                if b[i] == '`' {
                    let mut m = 0;
                    while i < b.len() && b[i] == '`' {
                        m += 1;
                        i += 1;
                    }
                    if m == k {
                        closed = true;
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            assert!(closed, "unclosed code span in {line:?}");
            out.push('x');
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn unescaped_pipes(chars: &[char]) -> usize {
    (0..chars.len())
        .filter(|&i| chars[i] == '|' && (i == 0 || chars[i - 1] != '\\'))
        .count()
}
