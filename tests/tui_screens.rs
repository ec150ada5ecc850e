//! Screen tests: the whole TUI on ratatui's TestBackend, driven by key sequences on the sample incident.
//! Effects run inline (no threads, no sleeps), so every snapshot is deterministic.

mod common;

use common::sample;
use heist::entities::EntityKind;
use heist::tui::harness::Harness;
use heist::tui::state::{kind_index, LoadState, Mode, Pane};

const STOLEN: &str = "AKIAQ3EGRZTSTOLEN7CI";
const SESSION: &str = "ASIAQ3EGRZTEXFIL2MDL";
const ATTACKER_IP: &str = "198.51.100.77";

fn harness(w: u16, h: u16) -> Harness {
    let h = Harness::new(&[sample()], w, h);
    assert_eq!(h.state.load, LoadState::Ready);
    h
}

/// The name of the selected row in the current entities tab.
fn selected_entity(h: &Harness) -> Option<String> {
    let v = h.state.view();
    let t = v.table(v.tab)?;
    let i = v.entity_sel[kind_index(v.tab)];
    t.column("name")
        .ok()?
        .str()
        .ok()?
        .get(i)
        .map(str::to_string)
}

/// Move down the current entities tab until `name` is selected, as an analyst would with `j`.
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
    insta::assert_snapshot!("loaded_140x40", h.screen());
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
    // Its assets: the model shards.
    h.keys("3");
    let s = h.screen();
    assert!(s.contains("00001-of-00004.safetensors"), "{s}");
    insta::assert_snapshot!("session_key_assets", s);
    // The lineage of the session key shows where it came from.
    h.keys("2");
    select_entity(&mut h, SESSION);
    let s = h.screen();
    assert!(s.contains("lineage") && s.contains(STOLEN), "{s}");
    // Back three times: the start, with its tab and selection as they were.
    h.keys("<bs><bs><bs>");
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
    let e = h.state.trail()[0].clone();
    assert_eq!(e.kind, EntityKind::Ip);
    // A filter belongs to its view: the pivot starts unfiltered, back restores it.
    assert_eq!(h.state.view().filter, "");
    h.keys("<bs>");
    assert_eq!(h.state.view().filter, format!("token:{STOLEN}"));
}

#[test]
fn fuzzy_finder_ranks_as_you_type() {
    let mut h = harness(120, 36);
    h.keys("/stolen7");
    let s = h.screen();
    insta::assert_snapshot!("finder_stolen7", s);
    let Mode::Finder(f) = &h.state.mode else {
        panic!("finder closed")
    };
    assert_eq!(f.hits[0].entity.name, STOLEN);
    h.keys("<enter>");
    assert_eq!(h.state.trail()[0].name, STOLEN);
    h.keys("/zzzzqqqq");
    assert!(h.screen().contains("no match"));
    h.keys("<esc>");
    assert!(matches!(h.state.mode, Mode::Normal));
}

#[test]
fn filter_errors_show_inline_and_keep_the_view() {
    let mut h = harness(120, 36);
    h.keys(":outcome:failure");
    let total: usize = heist::synth::sample::expected_sources().values().sum();
    let shown = h.state.view().events_len();
    assert!(shown > 0 && shown < total);
    h.keys(" time>=yesterday");
    let s = h.screen();
    assert!(s.contains("time>=yesterday"), "{s}");
    insta::assert_snapshot!("filter_error", s);
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
    insta::assert_snapshot!("resized_80x24", s);
    h.keys("<tab>");
    insta::assert_snapshot!("resized_80x24_timeline", h.screen());
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
