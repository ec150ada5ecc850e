//! The fuzzy finder: opening it, typing (each edit asks for a search off the UI thread), choosing a hit, and the
//! answers arriving (stale ones dropped; `Enter` typed before the answer pivots once it comes).

use std::sync::Arc;

use heist_core::entities::{FindHit, Finder};

use super::pivot_to;
use crate::app::msg::Effect;
use crate::app::state::{AppState, FinderState, Mode, SharedFinder};
use crate::input::key::Key;
use crate::input::line::Edit;

/// `/`: the finder, searching for nothing yet (its best hits).
pub(super) fn open(s: &mut AppState) -> Vec<Effect> {
    s.mode = Mode::Finder(FinderState::new());
    search(s)
}

pub(super) fn key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Finder(f) = &mut s.mode else {
        return Vec::new();
    };
    match k {
        Key::Esc => {
            s.mode = Mode::Normal;
            return Vec::new();
        }
        Key::Enter => {
            if f.searching || s.finder.is_none() {
                f.go = true; // pivot to the best hit once the search for what was typed answers
                return Vec::new();
            }
            // Nothing matched: the finder stays open and says so (Esc closes it).
            let Some(hit) = f.hits.get(f.sel).map(|h| h.entity.clone()) else {
                return Vec::new();
            };
            s.mode = Mode::Normal;
            return pivot_to(s, hit);
        }
        Key::Down | Key::Ctrl('n') | Key::Tab => {
            f.sel = (f.sel + 1).min(f.hits.len().saturating_sub(1));
            return Vec::new();
        }
        Key::Up | Key::Ctrl('p') | Key::BackTab => {
            f.sel = f.sel.saturating_sub(1);
            return Vec::new();
        }
        other => {
            if f.input.key(other) != Edit::Changed {
                return Vec::new();
            }
        }
    }
    search(s)
}

/// Ask for the finder's hits for what is typed (once its index is built; `FinderReady` asks then).
fn search(s: &mut AppState) -> Vec<Effect> {
    let (Mode::Finder(f), Some(finder)) = (&mut s.mode, &s.finder) else {
        return Vec::new();
    };
    f.searching = true;
    vec![Effect::Search {
        finder: SharedFinder(finder.clone()),
        pattern: f.input.value().to_string(),
    }]
}

/// The finder's index is built (it follows the load): an open finder searches now.
pub(super) fn on_ready(s: &mut AppState, r: Result<Arc<Finder>, String>) -> Vec<Effect> {
    match r {
        Ok(f) => {
            s.finder = Some(f);
            search(s)
        }
        Err(e) => {
            s.message = Some(format!("the finder could not index names: {e}"));
            Vec::new()
        }
    }
}

/// The hits for `pattern`: shown if it is still what is typed, and pivoted to if `Enter` is waiting for them.
pub(super) fn on_hits(s: &mut AppState, pattern: String, hits: Vec<FindHit>) -> Vec<Effect> {
    let Mode::Finder(fs) = &mut s.mode else {
        return Vec::new();
    };
    if fs.input.value() != pattern {
        return Vec::new(); // stale: the analyst typed on
    }
    fs.hits = hits;
    fs.sel = 0;
    fs.searching = false;
    if !fs.go {
        return Vec::new();
    }
    fs.go = false;
    // Nothing matched: the finder stays open and says so.
    let Some(best) = fs.hits.first().map(|h| h.entity.clone()) else {
        return Vec::new();
    };
    s.mode = Mode::Normal;
    pivot_to(s, best)
}
