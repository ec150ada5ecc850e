//! The attack scope's keys: `S` computes the scope of the entity under the cursor (off the UI thread) and opens
//! the scope view; in it, Enter pivots to the selected entity, `d` drops it from the scope (or puts a dropped one
//! back); `+` in the main view adds the entity under the cursor. The analyst's changes live in the case.

use std::mem;

use heist_core::entities::Entity;

use super::{changed, pivot_target, pivot_to, quit, writable};
use crate::app::msg::Effect;
use crate::app::scope::ScopeViewState;
use crate::app::state::{AppState, Mode};
use crate::input::action::Action;
use crate::input::key::Key;

/// `S`: the scope of the entity under the cursor.
pub(super) fn open(s: &mut AppState) -> Vec<Effect> {
    let Some(seed) = pivot_target(s) else {
        s.message = Some("select an entity or an event's cell to compute its scope".into());
        return Vec::new();
    };
    let seeds = vec![seed];
    s.scope.run += 1;
    s.scope.computing = true;
    s.scope.error = None;
    s.scope.seeds = seeds.clone();
    s.mode = Mode::Scope(ScopeViewState::default());
    let mut effects = vec![Effect::ComputeScope {
        run: s.scope.run,
        seeds: seeds.clone(),
    }];
    if let Some(c) = s.case.as_mut().filter(|c| c.read_only.is_none()) {
        if c.case.scope.seeds() != seeds {
            c.case.set_scope_seeds(&seeds);
            effects.extend(changed(s));
            // Incidents follow the scope.
            effects.extend(super::findings::start(s));
        }
    }
    effects
}

/// The walk finished (or failed).
pub(super) fn on_ready(
    s: &mut AppState,
    run: u64,
    result: Result<Box<heist_core::scope::Scope>, String>,
) -> Vec<Effect> {
    if run != s.scope.run {
        return Vec::new();
    }
    s.scope.computing = false;
    match result {
        Ok(scope) => {
            s.scope.base = Some((*scope).into());
            refresh(s);
        }
        Err(e) => s.scope.error = Some(e),
    }
    Vec::new()
}

/// The shown scope follows the case's changes.
fn refresh(s: &mut AppState) {
    let changes = s.case().map(|c| c.scope.clone()).unwrap_or_default();
    s.scope.refresh(&changes);
}

fn rows(s: &AppState) -> Vec<crate::app::scope::ScopeRow> {
    let changes = s.case().map(|c| c.scope.clone()).unwrap_or_default();
    s.scope.rows(&changes)
}

/// Keys while the scope view is open.
pub(super) fn key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Scope(mut sv) = mem::replace(&mut s.mode, Mode::Normal) else {
        return Vec::new();
    };
    if quit::is_quit_key(s, k) {
        return quit::request(s, Mode::Scope(sv));
    }
    let action = s.keymap.action(k);
    // Esc, `S` again, or `q` close the scope view.
    if k == Key::Esc || matches!(action, Some(Action::Scope | Action::Quit)) {
        return Vec::new();
    }
    let rows = rows(s);
    let last = rows.len().saturating_sub(1);
    match action {
        Some(Action::Down) => sv.sel = (sv.sel + 1).min(last),
        Some(Action::Up) => sv.sel = sv.sel.saturating_sub(1),
        Some(Action::Top) => sv.sel = 0,
        Some(Action::Bottom) => sv.sel = last,
        Some(Action::PageDown) => sv.sel = (sv.sel + s.page).min(last),
        Some(Action::PageUp) => sv.sel = sv.sel.saturating_sub(s.page),
        Some(Action::Pivot) => {
            if let Some(r) = rows.get(sv.sel) {
                return pivot_to(s, r.entity.clone());
            }
        }
        Some(Action::ScopeDrop) => {
            if let Some(r) = rows.get(sv.sel) {
                let e = r.entity.clone();
                let effects = toggle_drop(s, &e);
                let n = rows_len(s);
                sv.sel = sv.sel.min(n.saturating_sub(1));
                s.mode = Mode::Scope(sv);
                return effects;
            }
        }
        _ => {}
    }
    s.mode = Mode::Scope(sv);
    Vec::new()
}

fn rows_len(s: &AppState) -> usize {
    rows(s).len()
}

fn toggle_drop(s: &mut AppState, e: &Entity) -> Vec<Effect> {
    let Some(c) = writable(s) else {
        return Vec::new();
    };
    let dropped = c.toggle_scope_drop(e);
    s.message = Some(if dropped {
        format!("dropped {e} from the scope")
    } else {
        format!("put {e} back in the scope")
    });
    refresh(s);
    let mut effects = changed(s);
    // Incidents follow the scope.
    effects.extend(super::findings::start(s));
    effects
}

/// `+`: add the entity under the cursor to the scope.
pub(super) fn add(s: &mut AppState) -> Vec<Effect> {
    let Some(e) = pivot_target(s) else {
        s.message = Some("select an entity or an event's cell to add it to the scope".into());
        return Vec::new();
    };
    let Some(c) = writable(s) else {
        return Vec::new();
    };
    c.add_to_scope(&e);
    s.message = Some(format!("added {e} to the scope"));
    refresh(s);
    let mut effects = changed(s);
    // Incidents follow the scope.
    effects.extend(super::findings::start(s));
    effects
}
