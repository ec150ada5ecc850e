//! Moving in and along the views: rows, pages and help's scroll, panes, tabs, timeline cells, the entity sort,
//! back and forward along the trail, and a view's data arriving (selections kept in range, a pending event
//! selected).

use polars::prelude::DataFrame;

use heist_core::entities::{EntityKind, PerKind};

use super::{findings, read_selected_raw, remember_view, request_view};
use crate::app::casework::{find_row, PromptKind, PromptState};
use crate::app::msg::Effect;
use crate::app::state::{AppState, Mode};
use crate::app::trail::{Pane, View, ViewData};
use crate::input::key::Key;
use crate::input::line::LineInput;
use crate::view::help::{help_rows, help_text_area};
use heist_core::frame::access::FrameReader;

/// Keys in help: scroll by line and page, never past the last page (the drawing clamps to the exact height
/// too); any other key closes it.
pub(super) fn help_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let (w, h) = help_text_area(s.screen.0, s.screen.1);
    let last = help_rows(&s.keymap, w).len().saturating_sub(h) as u16;
    let page = s.page.max(1) as u16;
    let Mode::Help { scroll } = &mut s.mode else {
        return Vec::new();
    };
    if !scroll_by(scroll, k, last, page) {
        s.mode = Mode::Normal;
    }
    Vec::new()
}

/// An overlay's scroll keys (line, page, never past `last`); `false` for any other key, which closes it.
pub(super) fn scroll_by(scroll: &mut u16, k: Key, last: u16, page: u16) -> bool {
    match k {
        Key::Char('j') | Key::Down => *scroll = scroll.saturating_add(1).min(last),
        Key::Char('k') | Key::Up => *scroll = scroll.saturating_sub(1),
        Key::PageDown | Key::Char(' ') => *scroll = scroll.saturating_add(page).min(last),
        Key::PageUp => *scroll = scroll.saturating_sub(page),
        _ => return false,
    }
    true
}

/// Keys in the load-problems overlay: scroll as help does; any other key closes it.
pub(super) fn problems_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let (w, h) = help_text_area(s.screen.0, s.screen.1);
    let n = s
        .store
        .as_ref()
        .map_or(0, |st| crate::view::problems::problem_lines(st, w).len());
    let last = n.saturating_sub(h) as u16;
    let page = s.page.max(1) as u16;
    let Mode::Problems { scroll } = &mut s.mode else {
        return Vec::new();
    };
    if !scroll_by(scroll, k, last, page) {
        s.mode = Mode::Normal;
    }
    Vec::new()
}

fn list_len(s: &AppState) -> usize {
    let v = s.view();
    match s.focus {
        Pane::Entities => v.table(v.tab).map_or(0, |t| t.height()),
        _ => v.events_len(),
    }
}

/// Move the focused pane's selection (the detail pane scrolls) by `delta` rows, staying in the list.
pub(super) fn move_by(s: &mut AppState, delta: i64) -> Vec<Effect> {
    if s.focus == Pane::Detail {
        let d = delta.clamp(-10_000, 10_000);
        s.detail_scroll = (s.detail_scroll as i64 + d).clamp(0, u16::MAX as i64) as u16;
        return Vec::new();
    }
    if s.focus == Pane::Entities && s.view().findings_tab {
        s.detail_scroll = 0;
        return findings::move_by(s, delta);
    }
    let len = list_len(s);
    if len == 0 {
        return Vec::new();
    }
    let focus = s.focus;
    let v = s.view_mut();
    let cur = match focus {
        Pane::Entities => &mut v.entity_sel[v.tab],
        _ => &mut v.timeline_sel,
    };
    let next = (*cur as i64).saturating_add(delta).clamp(0, len as i64 - 1) as usize;
    let changed = next != *cur;
    *cur = next;
    if changed {
        s.detail_scroll = 0;
    }
    if focus == Pane::Timeline && changed {
        return read_selected_raw(s);
    }
    Vec::new()
}

/// `1`-`4`: an entity tab, focused.
pub(super) fn show_tab(s: &mut AppState, kind: EntityKind) -> Vec<Effect> {
    let v = s.view_mut();
    v.tab = kind;
    v.findings_tab = false;
    s.focus = Pane::Entities;
    Vec::new()
}

/// The timeline cell to pivot on, `step` cells along (wrapping), focused.
pub(super) fn move_column(s: &mut AppState, step: i64) -> Vec<Effect> {
    let v = s.view_mut();
    let cells = EntityKind::ALL;
    let i = cells.iter().position(|c| *c == v.cell).unwrap_or(0) as i64;
    v.cell = cells[(i + step).rem_euclid(cells.len() as i64) as usize];
    s.focus = Pane::Timeline;
    Vec::new()
}

/// The next entity order; the tables are computed again in it.
pub(super) fn sort(s: &mut AppState) -> Vec<Effect> {
    let v = s.view_mut();
    v.sort = v.sort.next();
    v.entity_sel = PerKind::default();
    s.message = Some(format!("entities sorted by {}", v.sort.label()));
    request_view(s)
}

pub(super) fn back(s: &mut AppState) -> Vec<Effect> {
    if s.views.len() <= 1 {
        s.message = Some("already at the start of the trail".into());
        return Vec::new();
    }
    if let Some(mut v) = s.views.pop() {
        v.left_focus = Some(s.focus);
        s.forward.push(v);
    }
    let mut e = arrive(s);
    e.extend(remember_view(s));
    e
}

pub(super) fn forward(s: &mut AppState) -> Vec<Effect> {
    let Some(v) = s.forward.pop() else {
        return Vec::new();
    };
    super::push_view(s, v);
    let mut e = arrive(s);
    e.extend(remember_view(s));
    e
}

/// Arriving at a view on the trail (back / forward): keep its selections and focus; compute it again if it has
/// no data.
fn arrive(s: &mut AppState) -> Vec<Effect> {
    s.generation += 1; // whatever was pending belonged to the view we left
    s.detail_scroll = 0;
    if let Some(f) = s.view_mut().left_focus.take() {
        s.focus = f;
    }
    if !s.view().complete() {
        // Never computed, or left before all its tables came: compute it again (selections are kept).
        return request_view(s);
    }
    read_selected_raw(s)
}

/// The view `generation` has its events (and the table of its tab).
pub(super) fn on_view_ready(s: &mut AppState, generation: u64, data: ViewData) -> Vec<Effect> {
    if generation != s.generation {
        return Vec::new(); // stale: the analyst has moved on
    }
    s.raw_search = None;
    if data.raw_unread > 0 {
        let why = s.store.as_deref().map_or(
            "their records could not be read back",
            heist_core::query::raw::unread_reason,
        );
        s.message = Some(format!(
            "{} not searched for raw text: {why}",
            heist_core::util::num::count_of(data.raw_unread, "event", "events")
        ));
    }
    s.view_mut().data = Some(data);
    resolve_pending(s);
    clamp(s.view_mut());
    read_selected_raw(s)
}

/// One more entity table of the view `generation`.
pub(super) fn on_table_ready(
    s: &mut AppState,
    generation: u64,
    kind: EntityKind,
    table: DataFrame,
) -> Vec<Effect> {
    if generation != s.generation {
        return Vec::new();
    }
    let v = s.view_mut();
    if let Some(d) = &mut v.data {
        d.tables[kind] = Some(table);
    }
    clamp(v);
    Vec::new()
}

/// A view's data arrived: select the event it was waiting for.
fn resolve_pending(s: &mut AppState) {
    let v = s.view_mut();
    let Some((time, key)) = v.pending.take() else {
        return;
    };
    let found = v
        .data
        .as_ref()
        .and_then(|d| find_row(&d.events, time, &key));
    match found {
        Some(row) => v.timeline_sel = row,
        None => s.message = Some("that event is not in this view".into()),
    }
}

fn clamp(v: &mut View) {
    let n = v.events_len();
    v.timeline_sel = v.timeline_sel.min(n.saturating_sub(1));
    for k in EntityKind::ALL {
        // A table still being computed keeps its selection until it arrives.
        let Some(h) = v.table(k).map(|t| t.height()) else {
            continue;
        };
        v.entity_sel[k] = v.entity_sel[k].min(h.saturating_sub(1));
    }
}

/// `@`: a prompt for the time to jump to, holding the selected event's time.
pub(super) fn open_jump(s: &mut AppState) -> Vec<Effect> {
    let v = s.view();
    let Some(d) = &v.data else {
        return Vec::new();
    };
    let at = FrameReader::new(&d.events)
        .ok()
        .and_then(|r| r.time(v.timeline_sel));
    let shown = at
        .map(|t| heist_core::util::time::fmt_time(t, s.tz))
        .unwrap_or_default();
    s.mode = Mode::Prompt(PromptState {
        kind: PromptKind::JumpTime,
        input: LineInput::new(shown),
        entity: None,
    });
    Vec::new()
}

/// Select the view's first event at or after the time typed (the last one when all are before it).
pub(super) fn jump_to(s: &mut AppState, p: PromptState, input: &str) -> Vec<Effect> {
    let Some(t) = heist_core::util::time::parse_moment(input, s.tz) else {
        s.message = Some(format!(
            "{input:?} is not a time (try 2026-10-05 02:13 or 2026-10-05T02:13:07Z)"
        ));
        s.mode = Mode::Prompt(p);
        return Vec::new();
    };
    let times = match s.view().data.as_ref().map(|d| FrameReader::new(&d.events)) {
        Some(Ok(r)) => (0..r.height()).map(|i| r.time(i)).collect::<Vec<_>>(),
        _ => return Vec::new(),
    };
    if times.is_empty() {
        s.message = Some("no events in this view".into());
        return Vec::new();
    }
    // The timeline is in time order: the first event not before `t`.
    let at = times
        .partition_point(|x| x.is_some_and(|x| x < t))
        .min(times.len() - 1);
    s.view_mut().timeline_sel = at;
    s.focus = Pane::Timeline;
    s.zoomed = false;
    s.detail_scroll = 0;
    s.message = Some(format!(
        "{}: event {} of {}",
        heist_core::util::time::fmt_time(t, s.tz),
        at + 1,
        times.len()
    ));
    read_selected_raw(s)
}
