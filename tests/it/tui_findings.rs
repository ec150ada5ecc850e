//! Screen tests of the rule pack's findings in the TUI, on the sample incident: the Findings tab in severity and
//! time order, `Enter` on every finding showing exactly its events (and Backspace returning), the status bar's
//! count while detection runs and after, flagged events and entities, a flagged event's detail, 80x24, a broken
//! user rule file, the export's findings section, and how a finding's view is kept in the case. Detection runs
//! inline in the harness, like every other effect.

use crate::common;

use std::collections::HashSet;
use std::path::PathBuf;

use common::{heist, sample, sample_finding_counts, stdout};
use heist_core::case::CaseLocation;
use heist_core::detect::{in_time_order, Finding, Severity};
use heist_core::entities::{Entity, EntityKind};
use heist_core::frame::access::FrameReader;
use heist_core::frame::EventKey;
use heist_tui::app::state::{LoadState, Mode};
use heist_tui::app::trail::{Pane, Scope};
use heist_tui::Harness;
use heist_tui::RuleSet;

fn harness(w: u16, h: u16) -> Harness {
    let h = Harness::new(&[sample()], w, h);
    assert_eq!(h.state.load, LoadState::Ready);
    h
}

/// The keys and times of the current view's events, in its order.
fn view_events(h: &Harness) -> Vec<(EventKey, i64)> {
    let d = h.state.view().data.as_ref().expect("the view has its data");
    let r = FrameReader::new(&d.events).unwrap();
    (0..r.height())
        .map(|i| (EventKey::of_row(&r, i).unwrap(), r.time(i).unwrap()))
        .collect()
}

/// The findings as the tab lists them.
fn listed(h: &Harness) -> Vec<Finding> {
    let f = &h.state.findings;
    f.shown().iter().map(|&i| f.list[i].clone()).collect()
}

/// Move the Findings tab's cursor onto the first finding of `rule` on the attacker (the sample's routine work
/// raises findings of the same rules).
fn select_finding(h: &mut Harness, rule: &str) -> Finding {
    h.keys("5g");
    for _ in 0..h.state.findings.len() {
        let f = h.state.findings.list[h.state.view().finding_sel].clone();
        if f.rule == rule && crate::detect_sample::attacker(&f) {
            return f;
        }
        h.keys("j");
    }
    panic!("no finding of {rule}");
}

/// The line of the screen holding `text`.
fn line_with<'a>(screen: &'a str, text: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no line with {text:?}:\n{screen}"))
}

#[test]
fn findings_tab_by_incident_then_as_the_story_then_by_severity() {
    let mut h = harness(140, 40);
    h.keys("5");
    assert!(h.state.view().findings_tab);
    assert_eq!(h.state.focus, Pane::Entities);
    let s = h.screen();
    let (n, _) = sample_finding_counts();
    assert!(s.contains(&format!("{n} findings from 65 rules: ")), "{s}");
    assert!(s.contains(", by incident (s:"), "{s}");
    assert!(
        s.contains("I1 · score "),
        "the leading incident's story: {s}"
    );
    insta::assert_snapshot!("findings_by_incident", h.snapshot());
    // The first incident's findings come first, in time order, each labelled with it.
    let by_incident = listed(&h);
    let first = &h.state.findings.incidents.incidents[0];
    let leading: Vec<&Finding> = by_incident.iter().take(first.findings.len()).collect();
    assert!(
        leading.windows(2).all(|w| w[0].first <= w[1].first),
        "time order inside an incident"
    );
    assert!(s.contains(" I1 "), "{s}");
    h.keys("ss");
    let s = h.screen();
    assert!(s.contains("by severity (s: by rule)"), "{s}");
    insta::assert_snapshot!("findings_by_severity", h.snapshot());
    let by_sev = listed(&h);
    assert_eq!(by_sev.len(), n);
    assert!(
        by_sev.windows(2).all(|w| w[0].severity >= w[1].severity),
        "highest severity first"
    );
    assert!(by_sev
        .windows(2)
        .all(|w| w[0].severity != w[1].severity || w[0].first <= w[1].first));
    // By rule, then by incident again.
    h.keys("ss");
    // The cursor stays on its finding when the order changes.
    h.keys("jj");
    let selected = h.state.view().finding_sel;
    h.keys("s");
    assert_eq!(h.state.view().finding_sel, selected);
    h.keys("g");
    let s = h.screen();
    assert!(s.contains("in time order (s:"), "{s}");
    insta::assert_snapshot!("findings_in_time_order", h.snapshot());
    // Time order is the CLI's `--by-time` order, and reads as the sample's story.
    let story: Vec<(String, i64)> = listed(&h)
        .iter()
        .map(|f| (f.rule.clone(), f.first))
        .collect();
    let want: Vec<(String, i64)> = in_time_order(&h.state.findings.list)
        .iter()
        .map(|f| (f.rule.clone(), f.first))
        .collect();
    assert_eq!(story, want);
    // The findings on the attacker read as the theft, among the routine work's.
    let attack: Vec<Finding> = listed(&h)
        .into_iter()
        .filter(crate::detect_sample::attacker)
        .collect();
    let rules: Vec<&str> = attack.iter().map(|f| f.rule.as_str()).collect();
    let at = |r: &str| rules.iter().position(|x| *x == r).unwrap();
    assert_eq!(rules[0], "k8s-secrets-read-by-service-account");
    assert!(at("k8s-service-account-token-created") < at("long-term-key-new-ip"));
    assert!(at("long-term-key-new-ip") < at("bulk-model-download"));
    assert!(at("bulk-model-download") < at("credential-for-another-user"));
    assert!(at("credential-for-another-user") < at("inference-volume-spike"));
    assert!(at("vertex-export") < at("azure-keys-listed"));
    assert_eq!(*rules.last().unwrap(), "token-used-after-revocation");
    // On screen, the visible rows are in that order too (ids may be cut: their first 20 characters).
    let all: Vec<&str> = story.iter().map(|(r, _)| r.as_str()).collect();
    let mut from = 0;
    for r in all.iter().take(15) {
        let id: String = r.chars().take(20).collect();
        let at = s[from..]
            .find(&format!(" {id}"))
            .unwrap_or_else(|| panic!("{r} not after the previous row:\n{s}"));
        from += at + 1;
    }
}

#[test]
fn every_finding_leads_by_one_enter_to_exactly_its_events() {
    let mut h = harness(140, 40);
    h.keys("5sg");
    let n = h.state.findings.len();
    assert_eq!(n, sample_finding_counts().0);
    for row in 0..n {
        let i = h.state.findings.shown()[row];
        assert_eq!(h.state.view().finding_sel, i);
        let f = h.state.findings.list[i].clone();
        assert!(
            !f.is_capped(),
            "the sample's findings keep all their events"
        );
        h.keys("<enter>");
        assert_eq!(h.state.views.len(), 2, "{}", f.rule);
        assert_eq!(h.state.focus, Pane::Timeline);
        assert_eq!(
            h.state.view().scope.finding().map(|x| x.rule.clone()),
            Some(f.rule.clone())
        );
        let got = view_events(&h);
        assert_eq!(got.len(), f.events.len(), "{}", f.rule);
        let keys: HashSet<&EventKey> = got.iter().map(|(k, _)| k).collect();
        let want: HashSet<&EventKey> = f.events.iter().collect();
        assert_eq!(keys, want, "{}: exactly its events", f.rule);
        assert!(got.windows(2).all(|w| w[0].1 <= w[1].1), "time ordered");
        let s = h.screen();
        assert!(
            s.lines()
                .next()
                .is_some_and(|l| l.contains(&format!("› finding {}", f.rule))),
            "{s}"
        );
        assert!(
            s.contains(&format!(
                "Timeline · finding {} · {} events",
                f.rule,
                f.events.len()
            )),
            "{s}"
        );
        // Every row of the view is flagged: the mark before each timeline row's time.
        let rows: Vec<&str> = s
            .lines()
            .filter_map(|l| l.split("││").nth(1))
            .filter(|t| t.chars().skip(3).take(5).collect::<String>() == "2026-")
            .collect();
        assert_eq!(rows.len(), f.events.len().min(rows.len()).max(1), "{s}");
        assert!(
            rows.iter()
                .all(|t| matches!(t.chars().nth(1), Some('⚑' | '⚐'))),
            "{s}"
        );
        h.keys("<backspace>");
        assert_eq!(h.state.views.len(), 1);
        assert!(h.state.view().findings_tab, "back on the Findings tab");
        assert_eq!(h.state.focus, Pane::Entities);
        assert_eq!(h.state.view().finding_sel, i, "with the selection kept");
        h.keys("j");
    }
}

#[test]
fn a_findings_view_is_a_view_like_any_other() {
    let mut h = harness(140, 40);
    let f = select_finding(&mut h, "long-term-key-new-ip");
    assert_eq!(f.events.len(), 8);
    assert!(
        f.explanation.contains("AKIAQ3EGRZTSTOLEN7CI"),
        "{}",
        f.explanation
    );
    let before = h.screen();
    h.keys("<enter>");
    insta::assert_snapshot!("finding_view_long_term_key_new_ip", h.snapshot());
    // Its entity tables come from its events: the stolen key's identity only.
    h.keys("1");
    let v = h.state.view();
    let ids = v.table(EntityKind::Identity).unwrap();
    assert_eq!(ids.height(), 1);
    // A timeline cell pivots as usual (identity, token, asset, ip: the ip), Backspace comes back to the finding.
    h.keys("<tab>lll<enter>");
    let trail = h.state.trail();
    assert_eq!(trail.len(), 2);
    assert_eq!(
        trail[1].entity(),
        Some(&Entity::new(EntityKind::Ip, "198.51.100.77"))
    );
    h.keys("<backspace>");
    assert_eq!(view_events(&h).len(), 8);
    // The Findings tab works in it: on its own finding; another finding opens beside it on the trail.
    h.keys("5");
    assert_eq!(
        h.state.findings.list[h.state.view().finding_sel].rule,
        f.rule
    );
    h.keys("j<enter>");
    assert_eq!(h.state.trail().len(), 2);
    assert!(h.state.trail().iter().all(|s| s.finding().is_some()));
    h.keys("<backspace><backspace>");
    assert_eq!(h.screen(), before, "back where we started");
}

#[test]
fn status_bar_says_detection_runs_then_counts_findings() {
    #[allow(unused_variables)]
    let (n, high) = sample_finding_counts();
    let mut h = Harness::detection_held(&[sample()], 140, 40);
    let s = h.screen();
    assert!(line_with(&s, " heist ").ends_with("│ ⚑ detecting…"), "{s}");
    // The UI works meanwhile.
    h.keys("2<enter>");
    assert_eq!(h.state.trail().len(), 1);
    h.keys("<backspace>5");
    let s = h.screen();
    assert!(
        s.contains("detecting: the rules are running over the bundle…"),
        "{s}"
    );
    assert!(s.contains("5 Findings …"), "{s}");
    h.keys("<enter>");
    assert_eq!(
        h.state.message.as_deref(),
        Some("detection is still running")
    );
    assert_eq!(h.state.views.len(), 1);
    h.finish_detection();
    let s = h.screen();
    assert!(
        line_with(&s, " heist ").ends_with(&format!("│ ⚑ {n} findings ({high} high)")),
        "{s}"
    );
    assert!(
        s.contains(&format!("5 Findings {}", sample_finding_counts().0)),
        "{s}"
    );
    // At 80 columns the count stays, compact.
    h.resize(80, 24);
    let s = h.screen();
    let top = s.lines().next().unwrap();
    assert!(top.chars().count() <= 80, "{top}");
    assert!(top.ends_with(&format!("│ ⚑ {n} ({high} high)")), "{top}");
}

#[test]
fn flagged_events_and_entities_are_marked() {
    let mut h = harness(140, 40);
    let s = h.screen();
    // The fortnight's first call, routine work, is not flagged.
    let events = heist_synth::sample::events();
    let first = format!("│   {} ", events[0].1["eventTime"].as_str().unwrap());
    assert!(s.contains(&first), "{s}");
    // A high finding's event: ⚑; a medium one's: ⚐.
    h.keys(":action:StopLogging<enter>");
    assert!(
        h.screen().contains("│ ⚑ 2026-10-05T02:43:12Z StopLog"),
        "{}",
        h.screen()
    );
    h.keys("x:time>=2026-10-05T01:47:31Z<enter>");
    let s = h.screen();
    assert!(s.contains("│ ⚐ 2026-10-05T01:47:31Z"), "{s}");
    // Marked and flagged: both marks.
    h.keys("x:action:StopLogging<enter><tab>m");
    assert!(
        h.screen().contains("│●⚑ 2026-10-05T02:43:12Z StopLog"),
        "{}",
        h.screen()
    );
    // Entity lists: the stolen key carries the flag, the chat backend's key does not (the two keys' events, to
    // have both on screen among the fortnight's keys).
    h.keys("x:token:AKIAQ3EGRZTSTOLEN7CI,AKIAQ3EGRZTASSIST6PR<enter>2");
    let s = h.screen();
    assert!(
        line_with(&s, "│AKIAQ3EGRZTSTOLEN7CI").contains(" ⚑ LONG-TERM"),
        "{s}"
    );
    let quiet_key = line_with(&s, "│AKIAQ3EGRZTASSIST6PR").to_string();
    assert!(!quiet_key.contains('⚑') && !quiet_key.contains('⚐'), "{s}");
    // At 80 columns the list beside the timeline keeps the flag, the key cut in its middle.
    h.resize(80, 24);
    h.keys("2");
    let s = h.screen();
    assert!(line_with(&s, "EN7CI").contains('⚑'), "{s}");
}

#[test]
fn a_flagged_events_detail_names_its_rules_and_techniques() {
    let mut h = harness(140, 40);
    h.keys(":action:CreateAccessKey ip:198.51.100.77<enter><tab>");
    assert_eq!(h.state.view().events_len(), 1);
    let s = h.screen();
    assert!(s.contains("⚑ flagged by the rule pack (high)"), "{s}");
    for (rule, techniques) in [
        ("credential-for-another-user ", "T1098.001"),
        ("long-term-key-new-ip ", "T1078.004 AML.T0012"),
        (
            "training-data-written-with-a-new-key ",
            "AML.T0020 T1565.001 T1098.001",
        ),
    ] {
        let line = line_with(&s, &format!("high     {rule}"));
        assert!(line.contains(techniques), "{line}");
    }
    insta::assert_snapshot!("flagged_event_detail", h.snapshot());
    // An event no finding names says nothing of findings.
    h.keys("x");
    h.keys("g");
    assert!(!h.screen().contains("flagged by the rule pack"));
    // An entity's detail lists the findings naming it, in time order (below its lineage: read the view model).
    h.keys("2");
    for _ in 0..400 {
        if h.screen().contains("┌ token AKIAQ3EGRZTSTOLEN7CI") {
            break;
        }
        h.keys("j");
    }
    let d = heist_tui::view::detail::detail(&h.state, 136);
    assert_eq!(d.title, "token AKIAQ3EGRZTSTOLEN7CI");
    let at = |text: &str| {
        d.lines
            .iter()
            .position(|l| l.contains(text))
            .unwrap_or_else(|| panic!("{text:?} not in {:#?}", d.lines))
    };
    let head = at("── findings naming it (5 lists all) ──");
    assert!(head > at("── lineage ──"));
    assert_eq!(
        d.lines[head + 1],
        "⚑ high     2026-10-05T02:13:07Z  long-term-key-new-ip"
    );
    assert!(at("02:13:07Z  discovery-burst") < at("09:20:41Z  token-used-after-revocation"));
}

#[test]
fn a_findings_detail_explains_it() {
    let mut h = harness(140, 50);
    select_finding(&mut h, "inference-volume-spike");
    let s = h.screen();
    for text in [
        "┌ ⚑ high · Model invocations far above the credential's own rate",
        "incident        I1 · AKIAQ3EGRZTSTOLEN7CI and ",
        "severity        high",
        "techniques      T1496.004 AML.T0034 AML.T0040",
        "explanation     40 InvokeModel in 60m by token AKIAQ3EGRZTBACKDR9SV",
        "events          40 · enter shows them",
        "entities        token AKIAQ3EGRZTBACKDR9SV",
        "rule            inference-volume-spike (threshold)",
        "── the rule ──",
    ] {
        assert!(s.contains(text), "{text:?} missing:\n{s}");
    }
    // The rule's description reads as prose: its file's line breaks are not shown as `\n`.
    let after = &s[s.find("── the rule ──").unwrap()..];
    assert!(!after.contains("\\n"), "{after}");
}

#[test]
fn findings_tab_at_80x24() {
    let mut h = harness(80, 24);
    h.keys("5");
    let s = h.screen();
    assert_eq!(s.lines().count(), 24);
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
    assert!(
        s.contains(&format!("5 Findings {}", sample_finding_counts().0)),
        "{s}"
    );
    insta::assert_snapshot!("findings_80x24", h.snapshot());
    h.keys("s");
    select_finding(&mut h, "k8s-secrets-read-by-service-account");
    let s = h.screen();
    assert!(
        s.contains("⚐ med  10-05 01:47 k8s-secrets-read-by-service-a"),
        "{s}"
    );
    // Enter from here shows the finding's events in the full-width timeline.
    h.keys("<enter>");
    let s = h.screen();
    assert!(s.contains("Timeline · finding k8s-secrets-read-by"), "{s}");
    assert_eq!(h.state.view().events_len(), 6);
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
}

#[test]
fn a_broken_user_rule_file_is_shown_and_the_shipped_rules_still_run() {
    #[allow(unused_variables)]
    let (n, high) = sample_finding_counts();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        "[[rule]]\nid = \"my-rule\"\ntitle = \"t\"\nseverity = \"high\"\ntechniques = [\"T1530\"]\n\
         description = \"d\"\nkind = \"threshold\"\nquery = \"action:GetObject\"\ngroup = \"token\"\n\
         window = \"sixty minutes\"\nabove = 2\n",
    )
    .unwrap();
    let (pack, error) = heist_core::detect::RulePack::for_session(&[dir.path().to_path_buf()]);
    let error = error.expect("the bad file is reported");
    assert!(
        error.contains("mine.toml") && error.contains("window"),
        "{error}"
    );
    let mut h = Harness::with_rules(&[sample()], 140, 40, RuleSet::new(pack, Some(error)));
    assert_eq!(
        h.state.findings.len(),
        sample_finding_counts().0,
        "the shipped rules ran all the same"
    );
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(
        msg.starts_with("your rules were not loaded, the shipped rules ran:")
            && msg.contains("mine.toml"),
        "{msg}"
    );
    let s = h.screen();
    assert!(
        line_with(&s, " heist ").ends_with(&format!(
            "│ ⚑ {n} findings ({high} high) · your rules NOT loaded"
        )),
        "{s}"
    );
    h.keys("5");
    let s = h.screen();
    assert!(
        s.contains("your rules were not loaded, the shipped rules ran:"),
        "{s}"
    );
    assert!(s.contains("mine.toml"), "{s}");
    assert!(s.contains(&format!("{n} findings from 65 rules")), "{s}");
    // A good file adds its rule.
    std::fs::write(
        dir.path().join("mine.toml"),
        "[[rule]]\nid = \"my-rule\"\ntitle = \"t\"\nseverity = \"low\"\ntechniques = [\"T1530\"]\n\
         description = \"d\"\nkind = \"match\"\nquery = \"action:StopLogging\"\n",
    )
    .unwrap();
    let (pack, error) = heist_core::detect::RulePack::for_session(&[dir.path().to_path_buf()]);
    assert_eq!(error, None);
    let h = Harness::with_rules(&[sample()], 140, 40, RuleSet::new(pack, None));
    assert_eq!(h.state.findings.len(), n + 1);
    assert!(h
        .state
        .findings
        .list
        .iter()
        .any(|f| f.rule == "my-rule" && f.severity == Severity::Low));
}

#[test]
fn the_tuis_report_has_the_findings_section_and_techniques_on_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::with_case(
        &[sample()],
        140,
        40,
        CaseLocation::File(dir.path().join("case.json")),
        PathBuf::from("reports"),
    );
    h.keys(":action:StopLogging<enter><tab>m");
    let out = dir.path().join("report.md");
    h.keys(&format!("e<ctrl-u>{}<enter>", out.display()));
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(
        msg.starts_with("report written to")
            && msg.ends_with(&format!(
                "1 marked events, {} findings",
                sample_finding_counts().0
            )),
        "{msg}"
    );
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("## Incidents"), "{md}");
    // The same title as `heist export` gives the same bundle.
    let cli = stdout(&heist(&[
        "export",
        &sample().display().to_string(),
        "--out",
        "-",
    ]));
    assert_eq!(md.lines().next(), cli.lines().next());
    assert!(
        md.starts_with(&format!("# Investigation of {}", sample().display())),
        "{md}"
    );
    assert!(
        md.contains("CloudTrail logging stopped, deleted or narrowed"),
        "{md}"
    );
    let row = md
        .lines()
        .find(|l| l.starts_with("| 1 | ") && l.contains("StopLogging"))
        .unwrap_or_else(|| panic!("no timeline row:\n{md}"));
    assert!(row.contains("T1562.008"), "{row}");
}

#[test]
fn a_findings_view_is_kept_in_the_case_as_its_main_entitys_pivot() {
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        Harness::with_case(
            &[sample()],
            140,
            40,
            CaseLocation::File(dir.path().join("case.json")),
            PathBuf::from("."),
        )
    };
    let mut h = open();
    let f = select_finding(&mut h, "credential-for-another-user");
    h.keys("<enter>");
    let selected = view_events(&h)[0].0.clone();
    h.keys("q");
    assert!(h.state.quit);
    drop(h);
    let h = open();
    let trail = h.state.trail();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0], &Scope::Entity(f.main_entity().unwrap().clone()));
    let r = FrameReader::new(&h.state.view().data.as_ref().unwrap().events).unwrap();
    assert_eq!(
        EventKey::of_row(&r, h.state.view().timeline_sel),
        Some(selected),
        "on the event that was selected"
    );
}

#[test]
fn case_keys_on_the_findings_tab_say_what_they_act_on() {
    let mut h = harness(140, 40);
    h.keys("5m");
    assert!(h
        .state
        .message
        .as_deref()
        .is_some_and(|m| m.contains("enter shows its events")));
    h.keys("T");
    assert!(matches!(h.state.mode, Mode::Normal));
}

#[test]
fn an_end_date_given_to_the_tui_is_a_finding_there() {
    // The CI key's legitimate use ended the day before the theft: everything it did after is flagged.
    let end = heist_core::util::time::parse_any("2026-10-05T00:00:00Z").unwrap();
    let rules = RuleSet::shipped().with_end_dates(vec![(
        Entity::new(EntityKind::Token, "AKIAQ3EGRZTSTOLEN7CI"),
        end,
    )]);
    let h = Harness::with_rules(&[sample()], 140, 40, rules);
    let f: Vec<&Finding> = h
        .state
        .findings
        .list
        .iter()
        .filter(|f| f.rule == "identity-used-after-end-date")
        .collect();
    assert_eq!(f.len(), 1, "{:?}", h.state.findings.list);
    assert!(f[0].first >= end);
    assert!(
        f[0].explanation
            .contains("after its end date 2026-10-05T00:00:00Z"),
        "{}",
        f[0].explanation
    );
    // Without one, the rule stays silent on the sample.
    let h = harness(140, 40);
    assert!(h
        .state
        .findings
        .list
        .iter()
        .all(|f| f.rule != "identity-used-after-end-date"));
}

/// `:` on the Findings tab filters the findings (severity, rule, entity, incident, time, words), live; a term it
/// cannot read says why and keeps the list; `x` shows every finding again; the timeline's filter is untouched. At
/// 160x45 and at 80x24.
#[test]
fn the_findings_tab_filters_its_findings() {
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        h.keys("5");
        let all = h.state.findings.shown().len();
        h.keys(":severity:medium");
        let shown = h.state.findings.shown();
        assert!(!shown.is_empty() && shown.len() < all);
        // The severity shown: a medium rule's finding raised inside the incident is high, not medium.
        assert!(shown.iter().all(|&i| {
            let f = &h.state.findings.list[i];
            h.state.findings.incidents.severity(i, f) == Severity::Medium
        }));
        // The selection follows to the first finding shown.
        assert_eq!(h.state.view().finding_sel, shown[0]);
        h.keys("<enter>");
        assert!(
            h.state.view().filter.is_empty(),
            "the timeline is not filtered"
        );
        let s = h.screen();
        assert!(s.contains("filter: severity:medium"), "{s}");
        insta::assert_snapshot!(format!("findings_filtered_{w}x{ht}"), h.snapshot());
        // A term it cannot read: said, and the list stays as the last one that could be read; Esc puts back the
        // filter the bar opened with.
        h.keys(":<ctrl-u>colour:red");
        assert!(
            matches!(&h.state.mode, Mode::Filter(f) if f.error.as_deref().is_some_and(|e| e.contains("unknown field")))
        );
        assert_eq!(h.state.findings.filter, "colour");
        h.keys("<esc>");
        assert_eq!(h.state.findings.filter, "severity:medium");
        assert_eq!(h.state.findings.shown(), shown);
        // Entities and incidents: the stolen key's findings outside incident I1 are none.
        h.keys(":<ctrl-u>token:AKIAQ3EGRZTSTOLEN7CI incident:none<enter>");
        assert!(h.state.findings.shown().is_empty());
        h.keys(":<ctrl-u>token:AKIAQ3EGRZTSTOLEN7CI<enter>");
        assert!(h.state.findings.shown().iter().all(|&i| {
            h.state.findings.list[i]
                .entities
                .iter()
                .any(|e| e.name == "AKIAQ3EGRZTSTOLEN7CI")
        }));
        h.keys("x");
        assert_eq!(h.state.findings.shown().len(), all);
        assert!(h.state.findings.filter.is_empty());
    }
}

/// `s` on the Findings tab also groups by rule: one line per rule, its count, the most frequent first. At 160x45
/// and at 80x24.
#[test]
fn the_findings_tab_groups_by_rule_with_counts() {
    use heist_tui::app::findings::FindingOrder;
    for (w, ht) in [(160u16, 45u16), (80, 24)] {
        let mut h = harness(w, ht);
        h.keys("5");
        while h.state.findings.order != FindingOrder::Rule {
            h.keys("s");
        }
        let f = &h.state.findings;
        let shown = f.shown();
        let mut rules: Vec<&str> = f.list.iter().map(|x| x.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        assert_eq!(shown.len(), rules.len(), "one line per rule");
        let counts: Vec<usize> = shown.iter().map(|&i| f.rule_count(i)).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        assert_eq!(counts.iter().sum::<usize>(), f.len());
        let top = f.list[shown[0]].rule.clone();
        let s = h.screen();
        assert!(s.contains(&format!("×{} ", counts[0])), "{s}");
        assert!(s.contains("by rule (s:"), "{s}");
        insta::assert_snapshot!(format!("findings_by_rule_{w}x{ht}"), h.snapshot());
        // A rule's findings: the filter, in time order, lists them all.
        h.keys(&format!(":rule:{top}<enter>"));
        while h.state.findings.order != FindingOrder::Time {
            h.keys("s");
        }
        assert_eq!(h.state.findings.shown().len(), counts[0]);
    }
}

/// A value that is both a key and the identity acting with it is listed once, with both kinds.
#[test]
fn a_findings_detail_lists_each_entity_once() {
    let mut h = harness(140, 40);
    let key = "apikey_01HACMECIADMIN7K";
    h.keys("5g");
    for _ in 0..h.state.findings.len() {
        let f = &h.state.findings.list[h.state.view().finding_sel];
        if f.rule == "ai-platform-key-created-by-key" && f.entities.iter().any(|e| e.name == key) {
            break;
        }
        h.keys("j");
    }
    let lines = heist_tui::view::findings::finding_detail(&h.state, 140).lines;
    let naming: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains(key) && !l.starts_with("explanation"))
        .collect();
    assert_eq!(naming.len(), 1, "{lines:#?}");
    assert!(naming[0].contains("token · identity apikey_"), "{lines:#?}");
}
