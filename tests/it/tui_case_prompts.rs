//! The case's prompts in the TUI: the analyst's name (`A`: kept in the case across a reopen, given by the report),
//! the export's file name choosing the format (`e`), and the note editor wrapping long lines (`n`).

use crate::common;

use std::path::{Path, PathBuf};

use common::sample;
use heist_core::case::CaseLocation;
use heist_tui::app::state::{LoadState, Mode};
use heist_tui::app::trail::Pane;
use heist_tui::Harness;

fn open(dir: &Path) -> Harness {
    let h = Harness::with_case(
        &[sample()],
        120,
        36,
        CaseLocation::File(dir.join("case.json")),
        PathBuf::from("reports"),
    );
    assert_eq!(h.state.load, LoadState::Ready);
    h
}

#[test]
fn the_analyst_is_named_in_the_case_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(dir.path());
    h.keys("c");
    let s = h.screen();
    assert!(
        s.contains("analyst: "),
        "the case view names the analyst: {s}"
    );
    h.keys("<esc>A");
    assert!(matches!(h.state.mode, Mode::Prompt(_)));
    assert!(h.screen().contains("analyst: "));
    // Log-like hostile input stays text.
    h.keys("<ctrl-u>Dana Ortiz (IR on-call)<enter>");
    assert!(matches!(h.state.mode, Mode::Normal));
    assert_eq!(
        h.state.case().and_then(|c| c.analyst.as_deref()),
        Some("Dana Ortiz (IR on-call)")
    );
    h.keys("c");
    assert!(h
        .screen()
        .contains("analyst: Dana Ortiz (IR on-call) · A changes it"));
    h.keys("<esc>");
    let out = dir.path().join("report.md");
    h.keys(&format!("e<ctrl-u>{}<enter>", out.display()));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("Dana Ortiz (IR on-call)"), "{md}");
    // Reopened: the name is still there.
    drop(h);
    let h = open(dir.path());
    assert_eq!(
        h.state.case().and_then(|c| c.analyst.as_deref()),
        Some("Dana Ortiz (IR on-call)")
    );
}

#[test]
fn an_empty_name_is_not_taken_and_esc_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(dir.path());
    h.keys("A<ctrl-u>Sam<enter>");
    h.keys("A<ctrl-u><enter>");
    assert!(
        matches!(h.state.mode, Mode::Prompt(_)),
        "an empty name waits"
    );
    h.keys("<esc>");
    assert!(matches!(h.state.mode, Mode::Normal));
    assert_eq!(
        h.state.case().and_then(|c| c.analyst.as_deref()),
        Some("Sam")
    );
}

#[test]
fn the_export_file_name_picks_csv_or_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(dir.path());
    // Nothing marked: the view's events, here the stolen key's.
    h.keys(":token:AKIAQ3EGRZTSTOLEN7CI<enter>");
    let n = h.state.view().events_len();
    assert!(n > 3);
    let csv = dir.path().join("events.csv");
    h.keys(&format!("e<ctrl-u>{}<enter>", csv.display()));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("time,source,provider,"), "{text}");
    assert_eq!(text.lines().count(), n + 1, "a header and a row per event");
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(msg.starts_with("CSV written to"), "{msg}");
    let jsonl = dir.path().join("events.JSONL");
    h.keys(&format!("e<ctrl-u>{}<enter>", jsonl.display()));
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(msg.starts_with("JSON lines written to"), "{msg}");
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), n);
    assert!(rows.iter().all(|r| r["token"] == "AKIAQ3EGRZTSTOLEN7CI"));
}

#[test]
fn a_long_note_wraps_between_words_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::with_case(
        &[sample()],
        80,
        24,
        CaseLocation::File(dir.path().join("case.json")),
        PathBuf::from("reports"),
    );
    h.keys("<tab>");
    let words: Vec<String> = (0..40).map(|i| format!("w{i:02}")).collect();
    let text = words.join(" ");
    h.keys(&format!("n{text}"));
    let s = h.screen();
    // Every word is on screen, whole: the editor wraps between words, never cutting one at its edge.
    for w in &words {
        assert!(s.contains(w.as_str()), "{w} is not shown: {s}");
    }
    h.keys("<ctrl-s>");
    // Saved as typed: the wrapping is only on screen.
    let c = h.state.case().expect("the case");
    let notes: Vec<&str> = c.marked().iter().map(|(_, n)| n.note.as_str()).collect();
    assert_eq!(notes, [text.as_str()]);
    // The case view wraps it under its event too.
    h.keys("c");
    let s = h.screen();
    for w in &words {
        assert!(s.contains(w.as_str()), "{w} is not in the case view: {s}");
    }
}

const STOLEN: &str = "AKIAQ3EGRZTSTOLEN7CI";
const END_RULE: &str = "identity-used-after-end-date";

fn end_findings(h: &Harness) -> Vec<String> {
    h.state
        .findings
        .list
        .iter()
        .filter(|f| f.rule == END_RULE)
        .map(|f| f.explanation.clone())
        .collect()
}

#[test]
fn an_end_date_set_on_a_timeline_cell_is_kept_in_the_case_and_flags_later_use() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(dir.path());
    assert!(end_findings(&h).is_empty());
    // The stolen key's first call from the attacker: its token cell, E proposes that call's time.
    h.keys(&format!(":token:{STOLEN} ip:198.51.100.77<enter><tab>l"));
    h.keys("E");
    let Mode::Prompt(p) = &h.state.mode else {
        panic!("no prompt")
    };
    assert!(
        p.input.value().starts_with("2026-10-05T02:1"),
        "{}",
        p.input.value()
    );
    let s = h.screen();
    assert!(s.contains(&format!("token {STOLEN} ended at: ")), "{s}");
    // A typo is said and the prompt stays.
    h.keys("<ctrl-u>tomorrow<enter>");
    assert!(matches!(h.state.mode, Mode::Prompt(_)));
    assert!(h
        .state
        .message
        .as_deref()
        .unwrap_or("")
        .contains("not a time"));
    h.keys("<ctrl-u>2026-10-05T00:00:00Z<enter>");
    assert!(matches!(h.state.mode, Mode::Normal));
    let f = end_findings(&h);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("after its end date 2026-10-05T00:00:00Z"),
        "{}",
        f[0]
    );
    // Reopened: the date is in the case, and detection uses it again.
    drop(h);
    let mut h = open(dir.path());
    assert_eq!(end_findings(&h).len(), 1);
    // On the Tokens tab: the key's detail says so, E proposes its date, an empty answer clears it.
    let e = heist_core::entities::Entity::new(heist_core::entities::EntityKind::Token, STOLEN);
    assert!(h
        .state
        .case()
        .and_then(|c| c.entity(&e))
        .and_then(|n| n.ended)
        .is_some());
    h.keys("<esc>x");
    while h.state.focus != Pane::Entities {
        h.keys("<tab>");
    }
    h.keys("2g");
    for _ in 0..50 {
        let v = h.state.view();
        let name = v
            .table(heist_core::entities::EntityKind::Token)
            .and_then(|t| {
                t.column("name")
                    .ok()?
                    .str()
                    .ok()?
                    .get(v.entity_sel[heist_core::entities::EntityKind::Token])
                    .map(str::to_string)
            });
        if name.as_deref() == Some(STOLEN) {
            break;
        }
        h.keys("j");
    }
    let s = h.screen();
    assert!(
        s.contains("legitimate use ended 2026-10-05T00:00:00Z"),
        "{s}"
    );
    h.keys("E");
    let Mode::Prompt(p) = &h.state.mode else {
        panic!("no prompt")
    };
    assert_eq!(p.input.value(), "2026-10-05T00:00:00Z");
    h.keys("<ctrl-u><enter>");
    assert!(h.state.case().and_then(|c| c.entity(&e)).is_none());
    assert!(end_findings(&h).is_empty());
}
