//! The case: opening and restoring it, the case actions, the case view (jumping to a marked event, reopening a
//! saved view), saves and exports answered, the time zone kept. Marking, tags, notes and prompts are in
//! `annotate`; the revisions to save and remembering the view are `update`'s shared bookkeeping.

use std::mem;

use heist_core::case::{Case, OpenedCase, ViewStep};
use heist_core::frame::access::FrameReader;
use heist_core::frame::EventKey;
use heist_core::util::time::Nanos;

use super::annotate::{mark, start_note, start_tag};
use super::{
    changed, findings, pivot_target, push_view, quit, read_selected_raw, remember_view,
    request_view, writable,
};
use crate::app::casework::{
    event_target, find_row, CaseSession, CaseViewState, PromptKind, PromptState, Target,
};
use crate::app::msg::{CaseOpen, Effect, ExportDone};
use crate::app::state::{AppState, Mode};
use crate::app::trail::{Pane, Scope, View};
use crate::input::action::Action;
use crate::input::key::Key;
use crate::input::line::LineInput;

/// After the bundle loaded: hash it and open its case.
pub(super) fn open_case(s: &AppState) -> Vec<Effect> {
    if s.paths.is_empty() {
        return Vec::new();
    }
    vec![Effect::OpenCase {
        paths: s.paths.clone(),
        location: s.case_location.clone(),
    }]
}

fn empty_case(open: &CaseOpen) -> Case {
    let bundle = open.digest.as_ref().map(|d| d.bundle_ref()).unwrap_or(
        heist_core::case::model::BundleRef {
            sha256: String::new(),
            files: 0,
            bytes: 0,
        },
    );
    Case::new(bundle, None, 0)
}

/// A frame read from the load cache is checked against the digest the case binding just computed.
fn confirm_cache(s: &AppState) -> Option<Effect> {
    let entry = s.store.as_ref()?.report.cache_entry.clone()?;
    let sha256 = s.case.as_ref()?.digest.as_ref()?.sha256.clone();
    Some(Effect::ConfirmCache { entry, sha256 })
}

pub(super) fn on_case_opened(s: &mut AppState, open: CaseOpen) -> Vec<Effect> {
    let empty = empty_case(&open);
    let CaseOpen { digest, result } = open;
    let opened: Result<OpenedCase, String> = result;
    match opened {
        Ok(o) => {
            let marks = o.case.marked().len();
            s.message = match (&o.warning, o.created) {
                (Some(w), _) => Some(w.clone()),
                // A new case has nothing to say: whatever is said already stays.
                (None, true) => s.message.take(),
                (None, false) => Some(format!("case restored: {marks} marked events")),
            };
            if o.file.is_none()
                && !o.read_only
                && s.case_location != heist_core::case::CaseLocation::Memory
            {
                s.message =
                    Some("no data dir on this machine: the case is kept in memory only".into());
            }
            let ended = !o.case.end_dates().is_empty();
            let read_only = o.read_only.then(|| o.warning.clone().unwrap_or_default());
            let mut session = CaseSession::new(o.case, digest, o.file);
            session.read_only = read_only;
            session.lock = o.lock;
            s.case = Some(session);
            let mut effects = restore(s);
            effects.extend(confirm_cache(s));
            if ended {
                // The case's end dates are rules' input: run them again with them.
                effects.extend(findings::start(s));
            }
            effects
        }
        Err(e) => {
            let mut c = CaseSession::new(empty, digest, None);
            c.read_only = Some(e.clone());
            s.message = Some(format!(
                "case is read-only, changes are kept in memory only: {e}"
            ));
            s.case = Some(c);
            Vec::new()
        }
    }
}

/// The analyst has not moved yet: put them where they were.
fn untouched(s: &AppState) -> bool {
    s.views.len() == 1
        && s.forward.is_empty()
        && s.view().scope == Scope::All
        && s.view().filter.is_empty()
}

fn restore(s: &mut AppState) -> Vec<Effect> {
    let Some(c) = &s.case else { return Vec::new() };
    s.tz = c.case.time_zone;
    let Some(lv) = c.case.last_view.clone() else {
        return Vec::new();
    };
    if !untouched(s) {
        return Vec::new();
    }
    let mut views = steps_to_views(&lv.steps);
    if let (Some(k), Some(top)) = (lv.selected, views.last_mut()) {
        top.pending = Some((lv.selected_time, k));
        s.focus = Pane::Timeline;
    }
    s.views = views;
    request_view(s)
}

fn steps_to_views(steps: &[ViewStep]) -> Vec<View> {
    let mut views: Vec<View> = steps
        .iter()
        .map(|st| {
            let mut v = View::new(Scope::from(st.entity.clone().map(|e| e.0)));
            v.filter = st.filter.clone();
            v
        })
        .collect();
    if views.first().is_none_or(|v| v.scope != Scope::All) {
        views.insert(0, View::new(Scope::All));
    }
    views
}

pub(super) fn on_saved(s: &mut AppState, revision: u64, result: Result<(), String>) -> Vec<Effect> {
    let Some(c) = &mut s.case else {
        return Vec::new();
    };
    match result {
        Ok(()) => {
            c.saved = c.saved.max(revision);
            if revision >= c.revision {
                c.save_error = None;
            }
        }
        Err(e) => {
            s.message = Some(format!("case NOT saved: {e}"));
            c.save_error = Some(e);
        }
    }
    Vec::new()
}

/// What an export file is, by its name: the same rule the export itself follows.
fn export_kind(path: &std::path::Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => "CSV",
        Some("jsonl" | "ndjson") => "JSON lines",
        _ => "report",
    }
}

pub(super) fn on_exported(s: &mut AppState, r: Result<ExportDone, String>) -> Vec<Effect> {
    s.message = Some(match r {
        Ok(d) => format!(
            "{} written to {}: {} {}, {}{}",
            export_kind(&d.path),
            d.path.display(),
            d.events,
            if d.marked {
                "marked events"
            } else {
                "events of the view"
            },
            match d.findings {
                Some(1) => "1 finding".to_string(),
                Some(n) => format!("{n} findings"),
                None => "no findings section (detection had not finished)".to_string(),
            },
            if d.raw_unread > 0 {
                format!(
                    "; {} not searched for raw text (their file changed since the load) are not in it",
                    heist_core::util::num::count_of(d.raw_unread, "event", "events")
                )
            } else {
                String::new()
            }
        ),
        Err(e) => format!("export failed: {e}"),
    });
    Vec::new()
}

/// The selected event (timeline and detail focus) or entity (entities focus; nothing on the Findings tab).
fn selection_target(s: &mut AppState) -> Option<Target> {
    if s.subject() == Pane::Entities && s.view().findings_tab {
        s.message =
            Some("a finding is not an event: enter shows its events, to mark, tag or note".into());
        return None;
    }
    match s.subject() {
        Pane::Entities => pivot_target(s).map(Target::Entity),
        Pane::Timeline | Pane::Detail => {
            let v = s.view();
            let r = FrameReader::new(&v.data.as_ref()?.events).ok()?;
            event_target(&r, v.timeline_sel)
        }
    }
}

fn case_view_rows(s: &AppState) -> (Vec<(EventKey, heist_core::case::EventNote)>, usize) {
    let c = s.case();
    let marked = c
        .map(|c| {
            c.marked()
                .into_iter()
                .map(|(k, n)| (k.clone(), n.clone()))
                .collect()
        })
        .unwrap_or_default();
    (marked, c.map_or(0, |c| c.views.len()))
}

/// The marked event under the case view's cursor.
pub(super) fn case_view_target(s: &AppState, sel: usize) -> Option<Target> {
    let (marked, _) = case_view_rows(s);
    marked.get(sel).map(|(k, n)| Target::Event {
        key: k.clone(),
        info: heist_core::case::EventInfo {
            time: n.time,
            summary: n.summary.clone(),
        },
    })
}

/// The case actions from the keymap.
pub(super) fn act(s: &mut AppState, a: Action) -> Vec<Effect> {
    match a {
        Action::Mark => match selection_target(s) {
            Some(Target::Event { key, info }) => mark(s, &key, &info),
            Some(Target::Entity(_)) => {
                s.message = Some("m marks events: select one in the timeline (tab)".into());
                Vec::new()
            }
            None => Vec::new(),
        },
        Action::Tag => {
            let t = selection_target(s);
            start_tag(s, t)
        }
        Action::Note => {
            let t = selection_target(s);
            start_note(s, t)
        }
        Action::CaseView => {
            s.mode = Mode::Case(CaseViewState::default());
            Vec::new()
        }
        Action::Export => {
            let name = match s.case.as_ref().and_then(|c| c.digest.as_ref()) {
                Some(d) => format!("heist-report-{}.md", heist_core::case::short(&d.sha256)),
                None => "heist-report.md".into(),
            };
            s.mode = Mode::Prompt(PromptState {
                kind: PromptKind::Export,
                input: LineInput::new(s.export_dir.join(name).display().to_string()),
                entity: None,
            });
            Vec::new()
        }
        Action::Analyst => {
            if let Some(c) = writable(s) {
                let input = LineInput::new(c.analyst.clone().unwrap_or_default());
                s.mode = Mode::Prompt(PromptState {
                    kind: PromptKind::Analyst,
                    input,
                    entity: None,
                });
            }
            Vec::new()
        }
        Action::EndDate => {
            if s.subject() == Pane::Entities && s.view().findings_tab {
                s.message =
                    Some("a finding has no end date: select an entity or a timeline cell".into());
                return Vec::new();
            }
            let Some(e) = pivot_target(s) else {
                s.message =
                    Some("select an entity, or a timeline cell, to set its end date".into());
                return Vec::new();
            };
            let ended = s.case().and_then(|c| c.entity(&e)).and_then(|n| n.ended);
            // The date it has, else the selected event's time (the usual answer: "from this call on").
            let at = ended.or_else(|| match s.subject() {
                Pane::Entities => None,
                _ => {
                    let v = s.view();
                    let r = FrameReader::new(&v.data.as_ref()?.events).ok()?;
                    match event_target(&r, v.timeline_sel)? {
                        Target::Event { info, .. } => info.time,
                        Target::Entity(_) => None,
                    }
                }
            });
            if writable(s).is_some() {
                s.mode = Mode::Prompt(PromptState {
                    kind: PromptKind::EndDate,
                    input: LineInput::new(
                        at.map(heist_core::util::time::format_utc)
                            .unwrap_or_default(),
                    ),
                    entity: Some(e),
                });
            }
            Vec::new()
        }
        Action::SaveView => {
            if writable(s).is_some() {
                s.mode = Mode::Prompt(PromptState {
                    kind: PromptKind::SaveView,
                    input: LineInput::default(),
                    entity: None,
                });
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub(super) fn case_view_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Case(mut cv) = mem::replace(&mut s.mode, Mode::Normal) else {
        return Vec::new();
    };
    let (marked, views) = case_view_rows(s);
    let n = marked.len() + views;
    let action = s.keymap.action(k);
    if quit::is_quit_key(s, k) {
        return quit::request(s, Mode::Case(cv));
    }
    // Esc, `c` again, or `q` close the case view.
    if k == Key::Esc || matches!(action, Some(Action::CaseView | Action::Quit)) {
        return Vec::new();
    }
    match action {
        Some(Action::Down) => cv.sel = (cv.sel + 1).min(n.saturating_sub(1)),
        Some(Action::Up) => cv.sel = cv.sel.saturating_sub(1),
        Some(Action::Top) => cv.sel = 0,
        Some(Action::Bottom) => cv.sel = n.saturating_sub(1),
        Some(Action::PageDown) => cv.sel = (cv.sel + s.page).min(n.saturating_sub(1)),
        Some(Action::PageUp) => cv.sel = cv.sel.saturating_sub(s.page),
        Some(Action::Pivot) => {
            if let Some((key, note)) = marked.get(cv.sel) {
                return jump(s, key.clone(), note.time);
            }
            let i = cv.sel - marked.len();
            if let Some(v) = s.case().and_then(|c| c.views.get(i)).cloned() {
                s.views = steps_to_views(&v.steps);
                s.forward.clear();
                s.focus = Pane::Timeline;
                s.message = Some(format!("view {:?}", v.name));
                let mut e = request_view(s);
                e.extend(remember_view(s));
                return e;
            }
        }
        Some(Action::Mark) => {
            if let Some(Target::Event { key, info }) = case_view_target(s, cv.sel) {
                let e = mark(s, &key, &info);
                cv.sel = cv.sel.min(n.saturating_sub(2));
                s.mode = Mode::Case(cv);
                return e;
            }
        }
        Some(Action::Note) => return start_note(s, case_view_target(s, cv.sel)),
        Some(Action::Tag) => return start_tag(s, case_view_target(s, cv.sel)),
        _ => {}
    }
    s.mode = Mode::Case(cv);
    Vec::new()
}

/// Go to a marked event: in the current view if it is there, else in all events (on the trail, so Back returns).
fn jump(s: &mut AppState, key: EventKey, time: Option<Nanos>) -> Vec<Effect> {
    s.mode = Mode::Normal;
    s.focus = Pane::Timeline;
    s.detail_scroll = 0;
    let here = s
        .view()
        .data
        .as_ref()
        .and_then(|d| find_row(&d.events, time, &key));
    if let Some(row) = here {
        s.view_mut().timeline_sel = row;
        return read_selected_raw(s);
    }
    s.forward.clear();
    let mut v = View::new(Scope::All);
    v.pending = Some((time, key));
    push_view(s, v);
    let mut e = request_view(s);
    e.extend(remember_view(s));
    e
}

/// `t` changed the time zone: the case keeps it.
pub(super) fn time_zone_changed(s: &mut AppState) -> Vec<Effect> {
    let tz = s.tz;
    match &mut s.case {
        Some(c) if c.read_only.is_none() && c.case.time_zone != tz => {
            c.case.time_zone = tz;
            changed(s)
        }
        _ => Vec::new(),
    }
}
