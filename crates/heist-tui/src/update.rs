//! `update(state, msg) -> effects`: the only place the TUI state changes. Pure: no terminal, no I/O, no threads;
//! long work is asked for as an `Effect` and comes back as a `Msg` carrying its generation.

use heist_core::entities::{Entity, EntityKind};
use heist_core::frame::access::FrameReader;
use heist_core::frame::Col;

use super::action::Action;
use super::keymap::Key;
use super::state::*;
use super::update_annotate as annotate;
use super::update_case as case;
use super::update_findings as findings;

pub fn update(s: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => on_key(s, k),
        Msg::Progress(p) => {
            if matches!(s.load, LoadState::Loading(_)) {
                s.load = LoadState::Loading(p);
            }
            Vec::new()
        }
        Msg::Loaded(Ok(l)) => {
            s.store = Some(l.store);
            s.lineage = Some(l.lineage);
            s.load = LoadState::Ready;
            let mut e = request_view(s);
            e.extend(case::open_case(s));
            e.extend(findings::start(s));
            e
        }
        Msg::Loaded(Err(e)) => {
            s.load = LoadState::Failed(e);
            Vec::new()
        }
        Msg::ViewReady { generation, data } => {
            if generation != s.generation {
                return Vec::new(); // stale: the analyst has moved on
            }
            s.view_mut().data = Some(*data);
            case::resolve_pending(s);
            clamp(s.view_mut());
            read_selected_raw(s)
        }
        Msg::TableReady {
            generation,
            kind,
            table,
        } => {
            if generation != s.generation {
                return Vec::new();
            }
            let v = s.view_mut();
            if let Some(d) = &mut v.data {
                d.tables[kind_index(kind)] = Some(*table);
            }
            clamp(v);
            Vec::new()
        }
        Msg::FinderReady(r) => match r {
            Ok(f) => {
                s.finder = Some(f);
                search(s)
            }
            Err(e) => {
                s.message = Some(format!("the finder could not index names: {e}"));
                Vec::new()
            }
        },
        Msg::FinderHits { pattern, hits } => {
            let Mode::Finder(fs) = &mut s.mode else {
                return Vec::new();
            };
            if fs.input != pattern {
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
        Msg::ViewFailed { generation, error } => {
            if generation == s.generation {
                s.message = Some(error);
            }
            Vec::new()
        }
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
        Msg::CaseSaved { revision, result } => case::on_saved(s, revision, result),
        Msg::Exported(r) => case::on_exported(s, r),
        Msg::Findings { run, result } => {
            if run != s.findings.run {
                return Vec::new(); // an older run: the end dates have changed since
            }
            findings::on_findings(s, result)
        }
    }
}

fn on_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    match &mut s.mode {
        Mode::Help { scroll } => {
            // Never past the last page (the drawing clamps to the exact height too).
            let (w, h) = super::vm::help_text_area(s.screen.0, s.screen.1);
            let last = super::vm::help_rows(&s.keymap, w).len().saturating_sub(h) as u16;
            let page = s.page.max(1) as u16;
            match k {
                Key::Char('j') | Key::Down => *scroll = scroll.saturating_add(1).min(last),
                Key::Char('k') | Key::Up => *scroll = scroll.saturating_sub(1),
                Key::PageDown | Key::Char(' ') => *scroll = scroll.saturating_add(page).min(last),
                Key::PageUp => *scroll = scroll.saturating_sub(page),
                _ => s.mode = Mode::Normal,
            }
            Vec::new()
        }
        Mode::Finder(_) => finder_key(s, k),
        Mode::Filter(_) => filter_key(s, k),
        Mode::Tag(_) => annotate::tag_key(s, k),
        Mode::Note(_) => annotate::note_key(s, k),
        Mode::Prompt(_) => annotate::prompt_key(s, k),
        Mode::Case(_) => case::case_view_key(s, k),
        Mode::ConfirmQuit { .. } => case::confirm_quit_key(s, k),
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
pub fn act(s: &mut AppState, a: Action) -> Vec<Effect> {
    // While loading (or after a failed load) only help and quit mean anything.
    if s.load != LoadState::Ready && !matches!(a, Action::Quit | Action::Help) {
        return Vec::new();
    }
    match a {
        Action::Quit => case::request_quit(s, Mode::Normal),
        Action::Help => {
            s.mode = Mode::Help { scroll: 0 };
            Vec::new()
        }
        Action::Down => move_by(s, 1),
        Action::Up => move_by(s, -1),
        Action::PageDown => move_by(s, s.page as i64),
        Action::PageUp => move_by(s, -(s.page as i64)),
        Action::Top => move_by(s, i64::MIN / 2),
        Action::Bottom => move_by(s, i64::MAX / 2),
        Action::NextPane => {
            s.focus = s.focus.next();
            Vec::new()
        }
        Action::PrevPane => {
            s.focus = s.focus.prev();
            Vec::new()
        }
        Action::TabIdentities | Action::TabTokens | Action::TabAssets | Action::TabIps => {
            let kind = match a {
                Action::TabIdentities => EntityKind::Identity,
                Action::TabTokens => EntityKind::Token,
                Action::TabAssets => EntityKind::Asset,
                _ => EntityKind::Ip,
            };
            let v = s.view_mut();
            v.tab = kind;
            v.findings_tab = false;
            s.focus = Pane::Entities;
            Vec::new()
        }
        Action::TabFindings => findings::show_tab(s),
        Action::NextColumn | Action::PrevColumn => {
            let v = s.view_mut();
            let i = Cell::ALL.iter().position(|c| *c == v.cell).unwrap_or(0);
            let n = Cell::ALL.len();
            let j = if a == Action::NextColumn {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            v.cell = Cell::ALL[j];
            s.focus = Pane::Timeline;
            Vec::new()
        }
        Action::Sort if s.view().findings_tab => findings::toggle_order(s),
        Action::Sort => {
            let v = s.view_mut();
            v.sort = v.sort.next();
            v.entity_sel = [0; 4];
            s.message = Some(format!("entities sorted by {}", v.sort.label()));
            request_view(s)
        }
        Action::Pivot if s.focus == Pane::Entities && s.view().findings_tab => {
            findings::open_finding(s)
        }
        Action::Pivot => match pivot_target(s) {
            Some(e) => pivot_to(s, e),
            None => {
                s.message = Some("nothing to pivot on here".into());
                Vec::new()
            }
        },
        Action::Back => {
            if s.views.len() > 1 {
                if let Some(mut v) = s.views.pop() {
                    v.left_focus = Some(s.focus);
                    s.forward.push(v);
                }
                let mut e = arrive(s);
                e.extend(case::remember_view(s));
                e
            } else {
                s.message = Some("already at the start of the trail".into());
                Vec::new()
            }
        }
        Action::Forward => match s.forward.pop() {
            Some(v) => {
                push_view(s, v);
                let mut e = arrive(s);
                e.extend(case::remember_view(s));
                e
            }
            None => Vec::new(),
        },
        Action::Find => {
            s.mode = Mode::Finder(FinderState::new());
            search(s)
        }
        Action::Filter => {
            let f = s.view().filter.clone();
            s.mode = Mode::Filter(FilterState {
                input: f.clone(),
                before: f,
                error: None,
            });
            Vec::new()
        }
        Action::ClearFilter => {
            if s.view().filter.is_empty() {
                return Vec::new();
            }
            s.view_mut().filter.clear();
            let mut e = request_view(s);
            e.extend(case::remember_view(s));
            e
        }
        Action::ToggleTz => {
            s.tz = match s.tz {
                Tz::Utc => Tz::Local,
                Tz::Local => Tz::Utc,
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
    }
}

/// Put `v` on the trail, remembering which pane the view it covers had the focus.
pub(super) fn push_view(s: &mut AppState, v: View) {
    s.view_mut().left_focus = Some(s.focus);
    s.views.push(v);
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

fn pivot_to(s: &mut AppState, e: Entity) -> Vec<Effect> {
    s.message = None;
    s.forward.clear();
    push_view(s, View::new(Scope::Entity(e)));
    s.focus = Pane::Timeline;
    s.detail_scroll = 0;
    let mut effects = request_view(s);
    effects.extend(case::remember_view(s));
    effects
}

/// Ask for the current view to be (re)computed; older pending results become stale.
pub fn request_view(s: &mut AppState) -> Vec<Effect> {
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

fn list_len(s: &AppState) -> usize {
    let v = s.view();
    match s.focus {
        Pane::Entities => v.table(v.tab).map_or(0, |t| t.height()),
        _ => v.events_len(),
    }
}

fn move_by(s: &mut AppState, delta: i64) -> Vec<Effect> {
    if s.focus == Pane::Detail {
        let d = delta.clamp(-10_000, 10_000);
        s.detail_scroll = (s.detail_scroll as i64 + d).clamp(0, u16::MAX as i64) as u16;
        return Vec::new();
    }
    if s.focus == Pane::Entities && s.view().findings_tab {
        return findings::move_by(s, delta);
    }
    let len = list_len(s);
    if len == 0 {
        return Vec::new();
    }
    let focus = s.focus;
    let v = s.view_mut();
    let cur = match focus {
        Pane::Entities => &mut v.entity_sel[kind_index(v.tab)],
        _ => &mut v.timeline_sel,
    };
    let next = (*cur as i64).saturating_add(delta).clamp(0, len as i64 - 1) as usize;
    let changed = next != *cur;
    *cur = next;
    if focus == Pane::Timeline && changed {
        s.detail_scroll = 0;
        return read_selected_raw(s);
    }
    Vec::new()
}

fn clamp(v: &mut View) {
    let n = v.events_len();
    v.timeline_sel = v.timeline_sel.min(n.saturating_sub(1));
    for k in EntityKind::ALL {
        // A table still being computed keeps its selection until it arrives.
        let Some(h) = v.table(k).map(|t| t.height()) else {
            continue;
        };
        let i = kind_index(k);
        v.entity_sel[i] = v.entity_sel[i].min(h.saturating_sub(1));
    }
}

/// The entity under the cursor: the selected entity row, or the selected cell of the selected event (none on the
/// Findings tab: a finding is not an entity).
pub(super) fn pivot_target(s: &AppState) -> Option<Entity> {
    let v = s.view();
    match s.focus {
        Pane::Entities if v.findings_tab => None,
        Pane::Entities => {
            let t = v.table(v.tab)?;
            let name = t
                .column("name")
                .ok()?
                .str()
                .ok()?
                .get(v.entity_sel[kind_index(v.tab)])?;
            Some(Entity::new(v.tab, name))
        }
        Pane::Timeline | Pane::Detail => {
            let d = v.data.as_ref()?;
            let r = FrameReader::new(&d.events).ok()?;
            if v.timeline_sel >= r.height() {
                return None;
            }
            let col = v.cell.kind().col();
            let name = r.text(col, v.timeline_sel)?;
            Some(Entity::new(v.cell.kind(), name))
        }
    }
}

/// (origin, line) of the selected event.
pub fn selected_key(s: &AppState) -> Option<(String, u32)> {
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

pub(super) fn read_selected_raw(s: &mut AppState) -> Vec<Effect> {
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

fn finder_key(s: &mut AppState, k: Key) -> Vec<Effect> {
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
        Key::Backspace => {
            f.input.pop();
        }
        Key::Ctrl('u') => f.input.clear(),
        Key::Char(c) => f.input.push(c),
        _ => return Vec::new(),
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
        pattern: f.input.clone(),
    }]
}

fn filter_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Filter(f) = &mut s.mode else {
        return Vec::new();
    };
    match k {
        Key::Esc => {
            let before = f.before.clone();
            s.mode = Mode::Normal;
            if s.view().filter != before {
                s.view_mut().filter = before;
                return request_view(s);
            }
            return Vec::new();
        }
        Key::Enter => {
            if f.error.is_none() {
                s.mode = Mode::Normal;
                return case::remember_view(s);
            }
            return Vec::new();
        }
        Key::Backspace => {
            f.input.pop();
        }
        Key::Ctrl('u') => f.input.clear(),
        Key::Char(c) => f.input.push(c),
        _ => return Vec::new(),
    }
    // Live: every edit that parses is applied; one that does not shows why and leaves the view as it was.
    match heist_core::query::parse(&f.input) {
        Ok(_) => {
            f.error = None;
            let input = f.input.clone();
            let v = s.view_mut();
            v.filter = input;
            v.timeline_sel = 0;
            request_view(s)
        }
        Err(e) => {
            f.error = Some(e.to_string());
            Vec::new()
        }
    }
}
