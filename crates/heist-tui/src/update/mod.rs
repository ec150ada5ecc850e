//! `update(state, msg) -> effects`: the only place the TUI state changes. Pure: no terminal, no I/O, no threads;
//! long work is asked for as an `Effect` and comes back as a `Msg` carrying its generation.
//!
//! This module takes each message, key and action to the module of its mode (`nav`: moving in and along the
//! views; `finder`, `filter`; `case`: the case and its view; `annotate`: marks, tags, notes, prompts; `findings`;
//! `quit`) and holds what they share: asking for a view, pivoting, the selected event and entity, and the case's
//! bookkeeping (a new revision to save, remembering where the analyst is). It reads one thing from the view layer:
//! help's layout (`view::help`), so help's scroll stops at its last page.

mod annotate;
mod case;
mod compare;
mod copy;
mod filter;
mod finder;
mod findings;
mod nav;
mod quit;
mod scope;

use heist_core::case::{Case, EntityKey, LastView, TimeZone, ViewStep};
use heist_core::entities::{Entity, EntityKind};
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventKey};
use heist_core::util::time::Nanos;

use crate::app::msg::{Effect, Msg};
use crate::app::state::{AppState, LoadState, Mode};
use crate::app::trail::{Pane, Scope, View};
use crate::input::action::Action;
use crate::input::key::Key;

/// Apply `msg` to the state; the effects it asks for (work to do off the UI thread, answered by messages).
pub fn update(s: &mut AppState, msg: Msg) -> Vec<Effect> {
    let effects = handle(s, msg);
    if s.focus != Pane::Detail {
        s.detail_from = s.focus;
    }
    effects
}

fn handle(s: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => on_key(s, k),
        Msg::Progress(p) => {
            if matches!(s.load, LoadState::Loading(_)) {
                s.load = LoadState::Loading(p);
            }
            Vec::new()
        }
        Msg::Loaded(Ok(l)) => {
            let r = &l.store.report;
            let missed = r.unreadable.len() + r.skipped.len() + r.error_count;
            if missed > 0 {
                s.message = Some(format!(
                    "{} unreadable files, {} skipped, {} malformed records: ! lists them",
                    r.unreadable.len(),
                    r.skipped.len(),
                    r.error_count
                ));
            }
            s.store = Some(l.store);
            s.lineage = Some(l.lineage);
            s.load = LoadState::Ready;
            // Detection starts once the first view is on screen (`findings::after_first_view`).
            let mut e = request_view(s);
            e.extend(case::open_case(s));
            e
        }
        Msg::Loaded(Err(e)) => {
            s.load = LoadState::Failed(e);
            Vec::new()
        }
        Msg::ViewReady { generation, data } => {
            let mut e = findings::after_first_view(s);
            e.extend(nav::on_view_ready(s, generation, *data));
            e
        }
        Msg::TableReady {
            generation,
            kind,
            table,
        } => nav::on_table_ready(s, generation, kind, *table),
        Msg::ViewFailed { generation, error } => {
            let e = findings::after_first_view(s);
            if generation == s.generation {
                s.raw_search = None;
                s.message = Some(error);
            }
            e
        }
        Msg::ViewProgress {
            generation,
            files_done,
            files,
        } => {
            if generation == s.generation {
                s.raw_search = Some((files_done, files));
            }
            Vec::new()
        }
        Msg::FinderReady(r) => finder::on_ready(s, r),
        Msg::FinderHits { pattern, hits } => finder::on_hits(s, pattern, hits),
        Msg::Raw(r) => {
            if selected_key(s).as_ref() == Some(&r.key) {
                s.raw = Some(r);
            }
            Vec::new()
        }
        Msg::Resize { width, height } => {
            s.page = (height as usize / 3).max(1);
            s.screen = (width, height);
            Vec::new()
        }
        Msg::CaseOpened(open) => case::on_case_opened(s, *open),
        Msg::CacheConfirmed(warning) => {
            if warning.is_some() {
                s.message = warning;
            }
            Vec::new()
        }
        Msg::CaseSaved { revision, result } => case::on_saved(s, revision, result),
        Msg::Exported(r) => case::on_exported(s, r),
        Msg::ScopeReady { run, result } => scope::on_ready(s, run, result),
        Msg::Compared { run, result } => compare::on_compared(s, run, result),
        Msg::Findings { run, result } => {
            if run != s.findings.run {
                return Vec::new(); // an older run: the end dates have changed since
            }
            findings::on_findings(s, result)
        }
    }
}

/// A key goes to the mode that has the keys, or (no overlay, no prompt) through the keymap to an action.
fn on_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    match &s.mode {
        Mode::Help { .. } => nav::help_key(s, k),
        Mode::Finder(_) => finder::key(s, k),
        Mode::Filter(_) => filter::key(s, k),
        Mode::Tag(_) => annotate::tag_key(s, k),
        Mode::Note(_) => annotate::note_key(s, k),
        Mode::Prompt(_) => annotate::prompt_key(s, k),
        Mode::Case(_) => case::case_view_key(s, k),
        Mode::Scope(_) => scope::key(s, k),
        Mode::ConfirmQuit { .. } => quit::confirm_key(s, k),
        Mode::ConfirmMarkAll { .. } => annotate::confirm_mark_all(s, k),
        Mode::Problems { .. } => nav::problems_key(s, k),
        Mode::Compare { .. } => compare::key(s, k),
        Mode::Normal => {
            // A message stays until the next key.
            s.message = None;
            match s.keymap.action(k) {
                Some(a) => act(s, a),
                None => Vec::new(),
            }
        }
    }
}

/// Apply one action.
fn act(s: &mut AppState, a: Action) -> Vec<Effect> {
    // While loading (or after a failed load) only help and quit mean anything.
    if s.load != LoadState::Ready && !matches!(a, Action::Quit | Action::Help) {
        return Vec::new();
    }
    let findings_tab = s.view().findings_tab;
    match a {
        Action::Quit => quit::request(s, Mode::Normal),
        Action::Help => {
            s.mode = Mode::Help { scroll: 0 };
            Vec::new()
        }
        Action::Down => nav::move_by(s, 1),
        Action::Up => nav::move_by(s, -1),
        Action::PageDown => nav::move_by(s, s.page as i64),
        Action::PageUp => nav::move_by(s, -(s.page as i64)),
        Action::Top => nav::move_by(s, i64::MIN / 2),
        Action::Bottom => nav::move_by(s, i64::MAX / 2),
        Action::NextPane => {
            s.focus = s.focus.next();
            s.zoomed = false;
            Vec::new()
        }
        Action::PrevPane => {
            s.focus = s.focus.prev();
            s.zoomed = false;
            Vec::new()
        }
        Action::TabIdentities => nav::show_tab(s, EntityKind::Identity),
        Action::TabTokens => nav::show_tab(s, EntityKind::Token),
        Action::TabAssets => nav::show_tab(s, EntityKind::Asset),
        Action::TabIps => nav::show_tab(s, EntityKind::Ip),
        Action::TabFindings => findings::show_tab(s),
        Action::NextColumn => nav::move_column(s, 1),
        Action::PrevColumn => nav::move_column(s, -1),
        Action::Sort if findings_tab => findings::toggle_order(s),
        Action::Sort => nav::sort(s),
        Action::Pivot if s.subject() == Pane::Entities && findings_tab => findings::open_finding(s),
        Action::Pivot => match pivot_target(s) {
            Some(e) => pivot_to(s, e),
            None => {
                s.message = Some("nothing to pivot on here".into());
                Vec::new()
            }
        },
        Action::Back => nav::back(s),
        Action::Forward => nav::forward(s),
        Action::Find => finder::open(s),
        Action::Filter => filter::open(s),
        Action::ClearFilter => filter::clear(s),
        Action::ToggleTz => {
            s.tz = match s.tz {
                TimeZone::Utc => TimeZone::Local,
                TimeZone::Local => TimeZone::Utc,
            };
            case::time_zone_changed(s)
        }
        Action::Mark
        | Action::Tag
        | Action::Note
        | Action::CaseView
        | Action::SaveView
        | Action::Export
        | Action::Analyst
        | Action::EndDate => case::act(s, a),
        Action::Scope => scope::open(s),
        Action::ScopeAdd => scope::add(s),
        Action::JumpTime => nav::open_jump(s),
        Action::Problems => {
            s.mode = Mode::Problems { scroll: 0 };
            Vec::new()
        }
        Action::Copy => copy::value(s),
        Action::CopyRow => copy::row(s),
        Action::MarkAll => annotate::mark_all(s),
        Action::Compare => compare::choose(s),
        Action::Zoom => {
            s.zoomed = !s.zoomed;
            if s.zoomed {
                s.focus = Pane::Detail;
                s.message = Some(
                    "the detail has the screen (j/k, pgdown/pgup scroll); z gives the panes back"
                        .into(),
                );
            } else {
                s.focus = s.detail_from;
            }
            Vec::new()
        }
        Action::ScopeDrop => {
            s.message = Some("open the scope view (S) to drop an entity from the scope".into());
            Vec::new()
        }
    }
}

// ---- Views: asking for one, putting one on the trail, what is selected in it. ----

/// Ask for the current view to be (re)computed; older pending results become stale.
fn request_view(s: &mut AppState) -> Vec<Effect> {
    s.generation += 1;
    let v = s.view();
    vec![Effect::BuildView {
        generation: s.generation,
        scope: v.scope.clone(),
        filter: v.filter.clone(),
        sort: v.sort,
        first: v.tab,
    }]
}

/// Put `v` on the trail, remembering which pane the view it covers had the focus.
fn push_view(s: &mut AppState, v: View) {
    s.view_mut().left_focus = Some(s.focus);
    s.views.push(v);
}

/// A new view of `e`'s events on the trail (what was ahead of it is dropped), the timeline focused.
fn pivot_to(s: &mut AppState, e: Entity) -> Vec<Effect> {
    s.message = None;
    s.forward.clear();
    push_view(s, View::new(Scope::Entity(e)));
    s.focus = Pane::Timeline;
    s.detail_scroll = 0;
    let mut effects = request_view(s);
    effects.extend(remember_view(s));
    effects
}

/// The entity under the cursor: the selected entity row, or the selected cell of the selected event (none on the
/// Findings tab: a finding is not an entity).
fn pivot_target(s: &AppState) -> Option<Entity> {
    let v = s.view();
    match s.subject() {
        Pane::Entities if v.findings_tab => None,
        Pane::Entities => {
            let t = v.table(v.tab)?;
            let name = t
                .column("name")
                .ok()?
                .str()
                .ok()?
                .get(v.entity_sel[v.tab])?;
            Some(Entity::new(v.tab, name))
        }
        Pane::Timeline | Pane::Detail => {
            let d = v.data.as_ref()?;
            let r = FrameReader::new(&d.events).ok()?;
            if v.timeline_sel >= r.height() {
                return None;
            }
            let col = v.cell.col();
            let name = r.text(col, v.timeline_sel)?;
            Some(Entity::new(v.cell, name))
        }
    }
}

/// (origin, line) of the selected event.
fn selected_key(s: &AppState) -> Option<(String, u32)> {
    let v = s.view();
    let d = v.data.as_ref()?;
    let r = FrameReader::new(&d.events).ok()?;
    if v.timeline_sel >= r.height() {
        return None;
    }
    let origin = r.text(Col::Origin, v.timeline_sel)?;
    let line = r.u64(Col::Line, v.timeline_sel)? as u32;
    Some((origin.to_string(), line))
}

/// Ask for the selected event's raw record, unless it is the one shown.
fn read_selected_raw(s: &mut AppState) -> Vec<Effect> {
    match selected_key(s) {
        Some(key) if s.raw.as_ref().map(|r| &r.key) != Some(&key) => {
            s.raw = None;
            vec![Effect::ReadRaw {
                origin: key.0,
                line: key.1,
            }]
        }
        Some(_) => Vec::new(),
        None => {
            s.raw = None;
            Vec::new()
        }
    }
}

// ---- The case's bookkeeping: revisions to save, where the analyst is. ----

/// The case changed: a new revision, and a save when it has a file.
fn changed(s: &mut AppState) -> Vec<Effect> {
    let Some(c) = &mut s.case else {
        return Vec::new();
    };
    if c.read_only.is_some() {
        return Vec::new();
    }
    c.revision += 1;
    match &c.file {
        Some(f) => vec![Effect::SaveCase {
            revision: c.revision,
            file: f.clone(),
            case: Box::new(c.case.clone()),
        }],
        None => Vec::new(),
    }
}

/// The case, if it may be changed now; otherwise says why. A read-only case (its file could not be read) takes
/// changes in memory only: nothing is written over the file, and quitting asks first.
fn writable(s: &mut AppState) -> Option<&mut Case> {
    if s.case.is_none() {
        s.message = Some("the case is not open yet".into());
        return None;
    }
    s.case.as_mut().map(|c| &mut c.case)
}

/// Remember where the analyst is (trail, filters, selected event), saving when it moved.
fn remember_view(s: &mut AppState) -> Vec<Effect> {
    let selected = selected_event(s);
    let lv = LastView {
        steps: view_steps(s),
        selected_time: selected.as_ref().and_then(|(t, _)| *t),
        selected: selected.map(|(_, k)| k),
    };
    let Some(c) = &mut s.case else {
        return Vec::new();
    };
    if c.read_only.is_some() || c.case.last_view.as_ref() == Some(&lv) {
        return Vec::new();
    }
    c.case.last_view = Some(lv);
    changed(s)
}

/// The trail as the case keeps it; a finding's view is kept as a pivot on its main entity (`Scope::saved_entity`).
fn view_steps(s: &AppState) -> Vec<ViewStep> {
    s.views
        .iter()
        .map(|v| ViewStep {
            entity: v.scope.saved_entity().map(EntityKey),
            filter: v.filter.clone(),
        })
        .collect()
}

fn selected_event(s: &AppState) -> Option<(Option<Nanos>, EventKey)> {
    let v = s.view();
    let d = v.data.as_ref()?;
    let r = FrameReader::new(&d.events).ok()?;
    let k = EventKey::of_row(&r, v.timeline_sel)?;
    Some((r.time(v.timeline_sel), k))
}
