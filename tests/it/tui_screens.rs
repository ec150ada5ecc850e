//! Screen tests: the whole TUI on ratatui's TestBackend, driven by key sequences on the sample incident.
//! Effects run inline (no threads, no sleeps), so every snapshot is deterministic.

use crate::common;

use common::sample;
use heist_core::entities::EntityKind;
use heist_tui::app::state::{LoadState, Mode};
use heist_tui::app::trail::Pane;
use heist_tui::Harness;

pub(crate) const STOLEN: &str = "AKIAQ3EGRZTSTOLEN7CI";
pub(crate) const SESSION: &str = "ASIAQ3EGRZTEXFIL2MDL";
pub(crate) const ATTACKER_IP: &str = "198.51.100.77";

pub(crate) fn harness(w: u16, h: u16) -> Harness {
    let h = Harness::new(&[sample()], w, h);
    assert_eq!(h.state.load, LoadState::Ready);
    h
}

/// The name of the selected row in the current entities tab.
pub(crate) fn selected_entity(h: &Harness) -> Option<String> {
    let v = h.state.view();
    let t = v.table(v.tab)?;
    let i = v.entity_sel[v.tab];
    t.column("name")
        .ok()?
        .str()
        .ok()?
        .get(i)
        .map(str::to_string)
}

/// Move down the current entities tab until `name` is selected, as an analyst would with `j`.
pub(crate) fn select_entity(h: &mut Harness, name: &str) {
    h.keys("g");
    for _ in 0..500 {
        if selected_entity(h).as_deref() == Some(name) {
            return;
        }
        h.keys("j");
    }
    panic!("{name} is not in the list");
}

#[test]
fn loading_screen_shows_progress_and_allows_quit() {
    let mut h = Harness::empty("samples/incident", 100, 30);
    let screen = h.screen();
    assert!(screen.contains("loading the bundle"), "{screen}");
    h.keys("?");
    assert!(matches!(h.state.mode, Mode::Help { .. }));
    assert!(h.screen().contains("help"));
    h.keys("<esc>q");
    assert!(h.state.quit);
}

#[test]
fn loaded_screen() {
    let mut h = harness(140, 40);
    insta::assert_snapshot!("loaded_140x40", h.snapshot());
}

#[test]
fn stolen_key_to_ip_to_session_key_to_model_files_and_back() {
    let mut h = harness(140, 40);
    // Tokens tab, the stolen key, pivot.
    h.keys("2");
    select_entity(&mut h, STOLEN);
    let start = h.screen();
    h.keys("<enter>");
    assert_eq!(h.state.trail().len(), 1);
    let s = h.screen();
    assert!(s.contains(&format!("token {STOLEN}")), "{s}");
    // Its source IPs: the attacker's.
    h.keys("4");
    select_entity(&mut h, ATTACKER_IP);
    h.keys("<enter>");
    let s = h.screen();
    assert!(s.contains(&format!("ip {ATTACKER_IP}")), "{s}");
    // From the IP, the session key the stolen key minted.
    h.keys("2");
    select_entity(&mut h, SESSION);
    h.keys("<enter>");
    assert_eq!(h.state.trail().len(), 3);
    // Its assets: the model shards (flagged: a finding names them).
    h.keys("3");
    let s = h.screen();
    for shard in [
        "001-of-00004",
        "002-of-00004",
        "003-of-00004",
        "004-of-00004",
    ] {
        assert!(s.contains(&format!("{shard}.safetensors ⚑")), "{s}");
    }
    insta::assert_snapshot!("session_key_assets", h.snapshot());
    // The lineage of the session key shows where it came from.
    h.keys("2");
    select_entity(&mut h, SESSION);
    let s = h.screen();
    assert!(s.contains("lineage") && s.contains(STOLEN), "{s}");
    // Back three times: the start, with its tab and selection as they were.
    h.keys("<backspace><backspace><backspace>");
    assert!(h.state.trail().is_empty());
    assert_eq!(h.screen(), start);
    // Forward comes back to the IP pivot.
    h.keys("]");
    assert_eq!(h.state.trail().len(), 1);
    h.keys("]");
    assert!(h.screen().contains(&format!("ip {ATTACKER_IP}")));
}

#[test]
fn pivot_from_a_timeline_cell() {
    let mut h = harness(140, 40);
    h.keys(&format!(":token:{STOLEN}<enter>"));
    assert_eq!(h.state.focus, Pane::Entities);
    h.keys("<tab>");
    assert_eq!(h.state.focus, Pane::Timeline);
    // Cells: identity -> token -> asset -> ip.
    h.keys("lll<enter>");
    let e = h.state.trail()[0].entity().cloned().unwrap();
    assert_eq!(e.kind, EntityKind::Ip);
    // A filter belongs to its view: the pivot starts unfiltered, back restores it.
    assert_eq!(h.state.view().filter, "");
    h.keys("<backspace>");
    assert_eq!(h.state.view().filter, format!("token:{STOLEN}"));
}

#[test]
fn fuzzy_finder_ranks_as_you_type() {
    let mut h = harness(120, 36);
    h.keys("/stolen7");
    insta::assert_snapshot!("finder_stolen7", h.snapshot());
    let Mode::Finder(f) = &h.state.mode else {
        panic!("finder closed")
    };
    assert_eq!(f.hits[0].entity.name, STOLEN);
    h.keys("<enter>");
    assert_eq!(h.state.trail()[0].entity().unwrap().name, STOLEN);
    h.keys("/zzzzqqqq");
    assert!(h.screen().contains("no match"));
    h.keys("<esc>");
    assert!(matches!(h.state.mode, Mode::Normal));
}

#[test]
fn filter_errors_show_inline_and_keep_the_view() {
    let mut h = harness(120, 36);
    h.keys(":outcome:failure");
    let total: usize = heist_synth::sample::expected_sources().values().sum();
    let shown = h.state.view().events_len();
    assert!(shown > 0 && shown < total);
    h.keys(" time>=yesterday");
    let s = h.screen();
    assert!(s.contains("time>=yesterday"), "{s}");
    insta::assert_snapshot!("filter_error", h.snapshot());
    // Live filtering applied the last input that parsed; the broken one changed nothing.
    assert_eq!(h.state.view().filter, "outcome:failure time");
    h.keys("<esc>");
    assert_eq!(h.state.view().filter, "");
    assert_eq!(h.state.view().events_len(), total);
}

#[test]
fn resize_to_80x24() {
    let mut h = harness(140, 40);
    h.resize(80, 24);
    let s = h.screen();
    assert_eq!(s.lines().count(), 24);
    assert!(s.lines().all(|l| l.chars().count() <= 80));
    insta::assert_snapshot!("resized_80x24", h.snapshot());
    h.keys("<tab>");
    insta::assert_snapshot!("resized_80x24_timeline", h.snapshot());
}

#[test]
fn the_style_digest_sees_focus_and_selection_the_text_does_not_show() {
    let mut h = harness(140, 40);
    h.keys("<tab>");
    assert_eq!(h.state.focus, Pane::Timeline);
    let (text, timeline) = (h.screen(), h.snapshot());
    let digest = h.style_digest();
    assert_eq!(h.style_digest(), digest, "the same screen, the same digest");
    // The detail pane takes the focus: the same text, other borders and no underlined pivot cell.
    h.keys("<tab>");
    assert_eq!(h.state.focus, Pane::Detail);
    assert_eq!(h.screen(), text);
    assert_ne!(h.style_digest(), digest);
    assert_ne!(h.snapshot(), timeline);
    // The selection highlight is spelled out: its row, and the reversed run across the timeline.
    let selected = |snapshot: &str| -> Vec<String> {
        snapshot
            .lines()
            .filter(|l| l.starts_with("selected row "))
            .map(str::to_string)
            .collect()
    };
    let before = selected(&timeline);
    assert!(before.iter().any(|l| l.contains("reversed")), "{timeline}");
    // Back on the timeline, one row down: the highlight moves with it.
    h.keys("<backtab>j");
    let after = selected(&h.snapshot());
    assert_ne!(after, before);
}

#[test]
fn hostile_content_is_neutralised_on_screen() {
    let mut h = harness(160, 50);
    // The sample has a user agent carrying an ANSI escape and an OSC sequence.
    h.keys(":ua:*whoami*<enter><tab>");
    assert!(h.state.view().events_len() > 0);
    let s = h.screen();
    assert!(
        !s.contains('\u{1b}') && !s.contains('\u{7}'),
        "a raw control character reached the screen"
    );
    assert!(s.contains("\\x1b]0;all clear\\x07\\x1b[2J"), "{s}");
}

#[test]
fn toggling_time_zone_and_help() {
    let mut h = harness(120, 36);
    assert!(h.screen().contains("│ UTC"));
    h.keys("t");
    assert!(h.screen().contains("│ local"));
    h.keys("?");
    let s = h.screen();
    for line in [
        "pivot to the selected entity",
        "fuzzy-find",
        "back along the breadcrumb trail",
    ] {
        assert!(s.contains(line), "help lacks {line}: {s}");
    }
}

#[test]
fn help_at_80x24_scrolls_to_its_last_key_and_wraps_under_the_descriptions() {
    let mut h = harness(80, 24);
    h.keys("?");
    let s = h.screen();
    assert!(s.contains("j/k pgdn/pgup scroll"), "{s}");
    assert!(!s.contains("quit (asks"), "all of help fits? {s}");
    // A wrapped description continues under itself, never under the keys.
    assert!(s.lines().all(|l| !l.contains("│finding's events")), "{s}");
    // Far enough for any length of help: paging stops at its last page.
    h.keys(&"<pgdown>".repeat(20));
    let s = h.screen();
    assert!(matches!(h.state.mode, Mode::Help { .. }));
    assert!(s.contains("filter examples"), "{s}");
    assert!(s.contains("quit"), "the last key: {s}");
    // Past the end it stays on the last page; back up works; any other key closes.
    h.keys("<pgdown>jjjj");
    assert!(h.screen().contains("filter examples"));
    h.keys(&"<pgup>".repeat(20));
    assert!(h.screen().contains("Start from what you know"));
    h.keys("x");
    assert!(matches!(h.state.mode, Mode::Normal));
}

// ---- Case work: mark, tag, note, case view, export, quitting with unsaved work, restoring on reopen. ----

use heist_core::case::CaseLocation;
use std::path::{Path, PathBuf};

/// The sample with its case in `dir`; exports proposed under `reports/`.
pub(crate) fn case_harness(dir: &Path) -> Harness {
    let h = Harness::with_case(
        &[sample()],
        140,
        40,
        CaseLocation::File(dir.join("case.json")),
        PathBuf::from("reports"),
    );
    assert_eq!(h.state.load, LoadState::Ready);
    assert!(h.state.case.is_some(), "the case opens with the bundle");
    h
}

pub(crate) fn marked(h: &Harness) -> usize {
    h.state.case().map_or(0, |c| c.marked().len())
}

/// The stolen key's events from the attacker's address, timeline focused on the first.
pub(crate) fn to_attacker_events(h: &mut Harness) {
    h.keys(&format!(":token:{STOLEN} ip:{ATTACKER_IP}<enter><tab>"));
    assert_eq!(h.state.focus, Pane::Timeline);
    assert!(h.state.view().events_len() >= 3);
}

#[test]
fn marking_events_flags_them_and_saves_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    to_attacker_events(&mut h);
    h.keys("m");
    assert_eq!(marked(&h), 1);
    h.keys("jmjm");
    assert_eq!(marked(&h), 3);
    let s = h.screen();
    // The case's mark first, then the findings' flag (these calls of the stolen key are flagged too).
    assert_eq!(s.matches("●⚑ 2026-").count(), 3, "three rows marked:\n{s}");
    assert!(s.contains("● 3 · case saved"), "{s}");
    insta::assert_snapshot!("case_marked_three", h.snapshot());
    // Saved at once: the file on disk has the three marks.
    let on_disk = heist_core::case::store::load(&dir.path().join("case.json"))
        .unwrap()
        .unwrap();
    assert_eq!(on_disk.marked().len(), 3);
    // m again unmarks.
    h.keys("m");
    assert_eq!(marked(&h), 2);
}

/// Tagging an asset `training-data` says what training data is: detection runs again with it.
#[test]
fn tagging_training_data_reruns_detection() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    let run = h.state.findings.run;
    h.keys("3g");
    h.keys("T");
    h.keys("training-data<enter>");
    assert!(matches!(h.state.mode, Mode::Normal));
    assert!(h.state.findings.run > run, "detection ran again");
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(msg.contains("detection reruns"), "{msg}");
    assert_eq!(h.state.case().unwrap().training_data().len(), 1);
    // Another tag on an asset changes nothing for the rules.
    let run = h.state.findings.run;
    h.keys("jT");
    h.keys("reviewed<enter>");
    assert_eq!(h.state.findings.run, run);
}

#[test]
fn tagging_an_entity_shows_in_every_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    h.keys("2");
    select_entity(&mut h, STOLEN);
    h.keys("T");
    assert!(matches!(h.state.mode, Mode::Tag(_)));
    h.keys("comp");
    let s = h.screen();
    assert!(
        s.contains("#compromised"),
        "the suggestion is offered:\n{s}"
    );
    insta::assert_snapshot!("case_tag_prompt", h.snapshot());
    h.keys("<tab><enter>");
    assert!(matches!(h.state.mode, Mode::Normal));
    let s = h.screen();
    assert!(
        s.contains("#compromised"),
        "the tokens list shows the tag:\n{s}"
    );
    // The finder lists it with its tag too, and the detail pane says it.
    h.keys("/STOLEN7");
    assert!(h.screen().contains(&format!("{STOLEN}  #compromised")));
    h.keys("<esc>");
    // Entering a tag it has removes it.
    h.keys("Tcompromised<enter>");
    assert!(h.state.case().unwrap().entities.is_empty());
}

#[test]
fn writing_a_note_in_the_multi_line_editor() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    to_attacker_events(&mut h);
    h.keys("n");
    assert!(matches!(h.state.mode, Mode::Note(_)));
    h.keys("First use of the leaked key.<enter>From a Kali box: see the user agent.");
    let s = h.screen();
    assert!(s.contains("ctrl-s saves"), "{s}");
    insta::assert_snapshot!("case_note_editor", h.snapshot());
    h.keys("<ctrl-s>");
    assert!(matches!(h.state.mode, Mode::Normal));
    assert_eq!(marked(&h), 1, "a note marks its event");
    let (_, n) = h.state.case().unwrap().marked()[0];
    assert_eq!(
        n.note,
        "First use of the leaked key.\nFrom a Kali box: see the user agent."
    );
    // The detail pane shows the note.
    assert!(h
        .screen()
        .contains("note            First use of the leaked key."));
    // Esc with changes asks before discarding; any other key goes back to the text.
    h.keys("n more<esc>");
    let Mode::Note(ns) = &h.state.mode else {
        panic!("the editor closed without asking")
    };
    assert!(ns.confirm_discard);
    assert!(h.screen().contains("discard the changes"));
    h.keys("x");
    assert!(matches!(&h.state.mode, Mode::Note(ns) if !ns.confirm_discard));
    h.keys("<esc>y");
    assert!(matches!(h.state.mode, Mode::Normal));
    let (_, n) = h.state.case().unwrap().marked()[0];
    assert!(n.note.ends_with("user agent."), "discarded: {}", n.note);
}

#[test]
fn case_view_lists_marks_in_time_order_and_jumps_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    // A fixed name: a new case takes the login name, which differs between machines.
    h.keys("A<ctrl-u>dana<enter>");
    to_attacker_events(&mut h);
    // Mark the third event first, then the first: the case view orders them by time.
    h.keys("jjm");
    h.keys("ggm");
    h.keys("nthe first call<ctrl-s>");
    h.keys("c");
    assert!(matches!(h.state.mode, Mode::Case(_)));
    let s = h.screen();
    assert!(s.contains("Marked events, in time order"), "{s}");
    assert!(s.contains("│ the first call"), "{s}");
    insta::assert_snapshot!("case_view", h.snapshot());
    // Enter on the second mark: back in the timeline, on that event.
    h.keys("j<enter>");
    assert!(matches!(h.state.mode, Mode::Normal));
    assert_eq!(h.state.view().timeline_sel, 2);
    // From a view that does not hold it, the jump goes to all events (Back returns).
    h.keys("x:action:DescribeTrainingJob<enter>c<enter>");
    assert_eq!(h.state.views.len(), 2);
    assert_eq!(h.state.view().filter, "");
    let key = h.state.case().unwrap().marked()[0].0.clone();
    let d = h.state.view().data.as_ref().unwrap();
    let r = heist_core::frame::access::FrameReader::new(&d.events).unwrap();
    assert_eq!(
        heist_core::frame::EventKey::of_row(&r, h.state.view().timeline_sel),
        Some(key)
    );
    h.keys("<backspace>");
    assert_eq!(h.state.view().filter, "action:DescribeTrainingJob");
}

#[test]
fn export_prompt_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    to_attacker_events(&mut h);
    h.keys("mjmjm");
    h.keys("nfoothold<ctrl-s>");
    h.keys("e");
    let s = h.screen();
    assert!(s.contains("export report to: reports/heist-report-"), "{s}");
    insta::assert_snapshot!("case_export_prompt", h.snapshot());
    let out = dir.path().join("report.md");
    h.keys(&format!("<ctrl-u>{}<enter>", out.display()));
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(msg.starts_with("report written to"), "{msg}");
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("> **Note on #3:** foothold"), "{md}");
    assert!(
        md.contains("\n| 3 | 2026-") && !md.contains("\n| 4 | 2026-"),
        "three timeline rows: {md}"
    );
    // Never inside the bundle.
    let inside = sample().join("r.md");
    h.keys(&format!("e<ctrl-u>{}<enter>", inside.display()));
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(msg.contains("inside the bundle"), "{msg}");
    assert!(!inside.exists());
}

#[test]
fn quitting_with_unsaved_work_asks_first() {
    // A case kept in memory only: marks would be lost.
    let mut h = harness(140, 40);
    h.keys("q");
    assert!(h.state.quit, "nothing to lose: q quits");
    let mut h = harness(140, 40);
    h.keys("<tab>m");
    assert_eq!(marked(&h), 1);
    h.keys("q");
    assert!(!h.state.quit);
    let s = h.screen();
    assert!(s.contains("Quit with unsaved case work?"), "{s}");
    insta::assert_snapshot!("case_quit_unsaved", h.snapshot());
    h.keys("n");
    assert!(matches!(h.state.mode, Mode::Normal) && !h.state.quit);
    h.keys("qy");
    assert!(h.state.quit);
    // A note being edited counts, and "no" returns to the note with its text.
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    h.keys("<tab>ndraft<ctrl-c>");
    assert!(h.screen().contains("a note is being edited"));
    h.keys("n");
    let Mode::Note(ns) = &h.state.mode else {
        panic!("not back in the note")
    };
    assert_eq!(ns.editor.text(), "draft");
}

#[test]
fn a_failed_save_is_shown_and_counts_as_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::with_case(
        &[sample()],
        140,
        40,
        CaseLocation::File(dir.path().join("cases/case.json")),
        PathBuf::from("."),
    );
    // After the case opened, its folder cannot be made any more: a file is in the way.
    std::fs::write(dir.path().join("cases"), "x").unwrap();
    h.keys("<tab>m");
    let s = h.screen();
    assert!(s.contains("case NOT SAVED"), "{s}");
    h.keys("q");
    assert!(!h.state.quit);
    assert!(h.screen().contains("the last save failed"));
}

#[test]
fn a_corrupt_case_file_is_never_written_and_work_on_it_counts_as_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, "{\"version\": 1, \"bund").unwrap();
    let mut h = Harness::with_case(
        &[sample()],
        140,
        40,
        CaseLocation::File(file.clone()),
        PathBuf::from("."),
    );
    let s = h.screen();
    assert!(s.contains("case read-only · NOT SAVED"), "{s}");
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(
        msg.contains("read-only") && msg.contains("case.json"),
        "the reason, naming the file: {msg}"
    );
    // Work goes on in memory; quitting asks, since it is written nowhere.
    h.keys("<tab>m");
    assert_eq!(marked(&h), 1);
    h.keys("q");
    assert!(!h.state.quit);
    assert!(h.screen().contains("the case file could not be read"));
    h.keys("y");
    assert!(h.state.quit);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"version\": 1, \"bund"
    );
}

#[test]
fn reopening_restores_marks_tags_notes_and_the_last_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    h.keys("2");
    select_entity(&mut h, STOLEN);
    h.keys("Tcompromised<enter><enter>");
    assert_eq!(h.state.trail().len(), 1);
    h.keys(":outcome:failure<enter>jm");
    h.keys("nkey disabled, tried again<ctrl-s>");
    let sel = h.state.view().timeline_sel;
    h.keys("t");
    h.keys("q");
    assert!(h.state.quit);
    drop(h);
    let mut h = case_harness(dir.path());
    assert_eq!(marked(&h), 1);
    assert_eq!(h.state.trail().len(), 1, "the pivot is restored");
    assert_eq!(h.state.trail()[0].entity().unwrap().name, STOLEN);
    assert_eq!(h.state.view().filter, "outcome:failure");
    assert_eq!(
        h.state.view().timeline_sel,
        sel,
        "the selected event is restored"
    );
    assert_eq!(h.state.focus, Pane::Timeline);
    let s = h.screen();
    assert!(s.contains("│ local"), "the time zone is restored: {s}");
    assert!(
        s.contains("note            key disabled, tried again"),
        "{s}"
    );
    h.keys("2");
    assert!(h.screen().contains("#compromised"), "the tag is restored");
}

#[test]
fn saved_views_are_listed_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    h.keys("2");
    select_entity(&mut h, STOLEN);
    h.keys("<enter>:outcome:failure<enter>");
    h.keys("Vstolen key failures<enter>");
    let c = h.state.case().unwrap();
    assert_eq!(c.views.len(), 1);
    assert_eq!(c.views[0].name, "stolen key failures");
    // Back to the start, then open the saved view from the case view.
    h.keys("<backspace>x");
    assert!(h.state.trail().is_empty());
    h.keys("c");
    assert!(h.screen().contains(
        "◆ stolen key failures  all events › token:AKIAQ3EGRZTSTOLEN7CI  filter outcome:failure"
    ));
    h.keys("<enter>");
    assert_eq!(h.state.trail().len(), 1);
    assert_eq!(h.state.view().filter, "outcome:failure");
    assert!(h.state.view().events_len() > 0);
}

/// A case file someone made read-only: the TUI shows its marks, says it is read-only, and never writes it (its
/// bytes and its mode stay as they were).
#[test]
fn a_read_only_case_file_is_shown_and_never_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut h = case_harness(dir.path());
    to_attacker_events(&mut h);
    h.keys("m");
    assert_eq!(marked(&h), 1);
    let path = dir.path().join("case.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut h = case_harness(dir.path());
    assert_eq!(marked(&h), 1, "its marks are shown");
    let msg = h.state.message.clone().unwrap_or_default();
    assert!(msg.contains("is read-only"), "{msg}");
    assert!(h.screen().contains("read-only"), "{}", h.screen());
    // The last view is restored; mark another event on the timeline.
    h.keys("ljm");
    assert_eq!(std::fs::read(&path).unwrap(), before, "never written");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}
