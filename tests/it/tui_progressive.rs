//! A view arrives in parts: its events and histogram, then the table of the tab on screen, the other entity
//! tables and the finder's index after. These tests hold the later parts back to see the screen meanwhile, then
//! deliver them, stale ones included.

use crate::common;

use common::sample;
use heist_core::entities::EntityKind;
use heist_tui::app::state::{LoadState, Mode};
use heist_tui::{Harness, Hold};

const STOLEN: &str = "AKIAQ3EGRZTSTOLEN7CI";

fn held(tables: bool, finder: bool) -> Harness {
    let h = Harness::holding(
        &[sample()],
        120,
        36,
        Hold {
            tables,
            finder,
            ..Hold::default()
        },
    );
    assert_eq!(h.state.load, LoadState::Ready);
    h
}

fn selected_name(h: &Harness, kind: EntityKind) -> Option<String> {
    let v = h.state.view();
    let t = v.table(kind)?;
    t.column("name")
        .ok()?
        .str()
        .ok()?
        .get(v.entity_sel[kind])
        .map(str::to_string)
}

#[test]
fn the_first_tab_comes_with_the_events_and_the_others_follow() {
    let mut h = held(true, false);
    let v = h.state.view();
    assert!(v.table(EntityKind::Identity).is_some());
    for k in [EntityKind::Token, EntityKind::Asset, EntityKind::Ip] {
        assert!(v.table(k).is_none(), "{k} arrived early");
    }
    let s = h.screen();
    // (the tab bar's compact labels at this width)
    assert!(s.contains("1 Id 101"), "{s}");
    assert!(s.contains("2 Tok …") && s.contains("4 IP …"), "{s}");
    assert!(s.contains("Timeline · 23,958 events"), "{s}");
    // A tab whose table is on its way says so; the timeline is already usable.
    h.keys("3");
    let s = h.screen();
    assert!(s.contains("computing assets…"), "{s}");
    h.keys("<tab>j");
    assert_eq!(h.state.view().timeline_sel, 1);
    h.release();
    assert!(h.state.view().complete());
    let s = h.screen();
    assert!(!s.contains("computing"), "{s}");
    assert!(s.contains("3 Ast 4,572") && s.contains("4 IP 82"), "{s}");
}

#[test]
fn a_view_left_before_its_tables_came_is_computed_again_on_return() {
    let mut h = held(true, false);
    h.keys("jj");
    let third = selected_name(&h, EntityKind::Identity).expect("an identity");
    h.keys("<enter>");
    assert_eq!(h.state.trail().len(), 1);
    h.keys("<backspace>");
    assert!(h.state.trail().is_empty());
    // Back on all events: its identities and selection as they were, the rest asked for again.
    assert_eq!(
        selected_name(&h, EntityKind::Identity).as_deref(),
        Some(third.as_str())
    );
    assert!(!h.state.view().complete());
    // Every table held back is delivered: those of the views left behind are stale and dropped.
    h.release();
    let v = h.state.view();
    assert!(v.complete());
    assert_eq!(v.table(EntityKind::Asset).map(|t| t.height()), Some(4572));
    assert_eq!(v.table(EntityKind::Ip).map(|t| t.height()), Some(82));
    assert_eq!(
        selected_name(&h, EntityKind::Identity).as_deref(),
        Some(third.as_str())
    );
}

#[test]
fn the_finder_opens_before_its_index_and_answers_when_it_comes() {
    let mut h = held(false, true);
    h.keys("/stolen7");
    let s = h.screen();
    assert!(s.contains("indexing entity names…"), "{s}");
    h.release();
    let Mode::Finder(f) = &h.state.mode else {
        panic!("the finder closed")
    };
    assert_eq!(f.hits.first().map(|x| x.entity.name.as_str()), Some(STOLEN));
    let s = h.screen();
    assert!(!s.contains("indexing") && s.contains(STOLEN), "{s}");
    h.keys("<enter>");
    assert_eq!(
        h.state.trail()[0].entity().map(|e| e.name.as_str()),
        Some(STOLEN)
    );
}

#[test]
fn searches_run_off_the_ui_thread_stale_answers_are_dropped_and_enter_waits_for_the_answer() {
    let mut h = Harness::holding(
        &[sample()],
        120,
        36,
        Hold {
            searches: true,
            ..Hold::default()
        },
    );
    h.keys("/");
    let s = h.screen();
    assert!(s.contains("searching…"), "{s}");
    // Typed faster than the searcher answers; Enter before its answer for the whole word.
    h.keys("stolen7<enter>");
    let Mode::Finder(f) = &h.state.mode else {
        panic!("Enter pivoted on hits of an older pattern")
    };
    assert!(f.go && f.searching && f.hits.is_empty());
    // The answers come in order; only the one for "stolen7" counts, and it pivots.
    h.release();
    assert!(matches!(h.state.mode, Mode::Normal));
    assert_eq!(
        h.state.trail()[0].entity().map(|e| e.name.as_str()),
        Some(STOLEN)
    );
    // Enter on a pattern nothing matches keeps the finder open, saying so.
    h.keys("/zzzzqqqq<enter>");
    let s = h.screen();
    assert!(matches!(h.state.mode, Mode::Finder(_)), "{s}");
    assert!(s.contains("no match"), "{s}");
}

/// A bundle that is one `.zip`: the loading box counts the logs inside it as they are read, not "0 / 1 files".
#[test]
fn the_loading_box_counts_the_files_inside_an_archive() {
    use heist_core::ingest::{load, LoadOptions, Progress};
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("bundle.zip");
    std::fs::write(&z, crate::common::zip_dir(&crate::common::sample())).unwrap();
    let p = Progress::default();
    let store = load(&[z], &LoadOptions::with_builtin_mappings(), &p).unwrap();
    let snap = p.snapshot();
    assert_eq!((snap.files_done, snap.files_total), (1, 1));
    let members = store.files.len() + store.report.unreadable.len() + store.report.skipped.len();
    assert!(
        snap.leaves_done as usize >= members && members > 100,
        "{snap:?}, {members} members"
    );
    // As the loading box shows it while files are read (after them it says the frame is being built).
    let reading = heist_core::ingest::progress::Snapshot {
        assembling: false,
        ..snap
    };
    let (_, label) = heist_tui::view::status::loading_lines(&reading);
    assert!(
        label.starts_with(&format!(
            "1 / 1 files ({} read, archive members counted)",
            heist_core::util::num::thousands(snap.leaves_done)
        )),
        "{label}"
    );
}
