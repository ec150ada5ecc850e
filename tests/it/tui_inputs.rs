//! The single-line inputs (filter bar, finder, tag input, prompts) are one input: typing goes in at the cursor,
//! which left, right, home and end move; the cursor shows as the reversed character under it, or a block at the
//! end.

use crate::common;

use common::sample;
use heist_tui::app::state::{LoadState, Mode};
use heist_tui::Harness;

const STOLEN: &str = "AKIAQ3EGRZTSTOLEN7CI";

fn harness() -> Harness {
    let h = Harness::new(&[sample()], 120, 36);
    assert_eq!(h.state.load, LoadState::Ready);
    h
}

fn footer(h: &mut Harness) -> String {
    h.screen().lines().last().unwrap_or_default().to_string()
}

#[test]
fn the_filter_bar_edits_at_its_cursor() {
    let mut h = harness();
    let total = h.state.view().events_len();
    h.keys(&format!(":token:{STOLEN}"));
    let one_key = h.state.view().events_len();
    assert!(one_key > 0 && one_key < total);
    assert!(footer(&mut h).starts_with(&format!(":token:{STOLEN}█")));
    // Home, then a `-` in front: every event but the key's, applied live.
    h.keys("<home>");
    let snap = h.snapshot();
    assert!(
        snap.lines()
            .any(|l| l.starts_with("selected row 35: ") && l.ends_with(" · 1-1 reversed")),
        "the cursor is on the first character: {}",
        snap.lines()
            .filter(|l| l.starts_with("selected"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    h.keys("-");
    assert_eq!(h.state.view().filter, format!("-token:{STOLEN}"));
    assert_eq!(h.state.view().events_len(), total - one_key);
    // Moving the cursor changes nothing else; deleting under it does.
    h.keys("<right>");
    assert_eq!(h.state.view().filter, format!("-token:{STOLEN}"));
    h.keys("<delete><delete><delete><delete>");
    let Mode::Filter(f) = &h.state.mode else {
        panic!("the filter bar closed")
    };
    assert_eq!(f.input.value(), format!("-t:{STOLEN}"));
    assert!(f.error.is_some(), "t: is no field");
    h.keys("<ctrl-u>");
    h.keys("<enter>");
    assert!(matches!(h.state.mode, Mode::Normal));
    assert_eq!(h.state.view().events_len(), total);
}

#[test]
fn the_finder_searches_what_is_typed_wherever_the_cursor_is() {
    let mut h = harness();
    h.keys("/sTOLEN7<home><delete>s");
    let Mode::Finder(f) = &h.state.mode else {
        panic!("finder closed")
    };
    assert_eq!(f.input.value(), "sTOLEN7");
    assert_eq!(f.hits[0].entity.name, STOLEN);
    h.keys("<end><left><backspace>");
    let Mode::Finder(f) = &h.state.mode else {
        panic!("finder closed")
    };
    assert_eq!(f.input.value(), "sTOLE7");
    h.keys("<esc>");
}

#[test]
fn a_prompt_edits_its_proposed_text() {
    let mut h = harness();
    h.keys("A");
    let Mode::Prompt(_) = &h.state.mode else {
        panic!("no analyst prompt")
    };
    h.keys("Dana Ortz<left>i<ctrl-a>Dr. <end>!<backspace>");
    let Mode::Prompt(p) = &h.state.mode else {
        panic!("the prompt closed")
    };
    assert_eq!(p.input.value(), "Dr. Dana Ortiz");
    h.keys("<enter>");
    assert_eq!(
        h.state.case().and_then(|c| c.analyst.as_deref()),
        Some("Dr. Dana Ortiz")
    );
}
