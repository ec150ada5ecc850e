//! The annotating half of the case keys: marking, the tag input, the note editor and the one-line prompts
//! (export path, view name, the analyst's name, an entity's end date).

use std::mem;

use heist_core::case::Case;
use heist_core::frame::EventKey;

use super::quit::{self, is_quit_key};
use super::{changed, findings, view_steps, writable};
use crate::app::casework::{NoteState, PromptKind, PromptState, TagState, Target};
use crate::app::findings::DetectStatus;
use crate::app::msg::Effect;
use crate::app::state::{AppState, Mode};
use crate::input::editor::Editor;
use crate::input::key::Key;
use crate::input::line::{Edit, LineInput};

pub(super) fn mark(
    s: &mut AppState,
    key: &EventKey,
    info: &heist_core::case::EventInfo,
) -> Vec<Effect> {
    let Some(c) = writable(s) else {
        return Vec::new();
    };
    let now = c.toggle_mark(key, info);
    let n = c.marked().len();
    let kept = c
        .event(key)
        .is_some_and(|e| !e.note.is_empty() || !e.tags.is_empty());
    s.message = Some(match (now, kept) {
        (true, _) => format!("marked ({n} marked)"),
        (false, true) => format!("unmarked; its tags and note are kept ({n} marked)"),
        (false, false) => format!("unmarked ({n} marked)"),
    });
    changed(s)
}

/// Above this many events, `M` asks first.
const MARK_ALL_ASKS: usize = 100;

/// `M`: mark every event of the current view (asking first when there are many).
pub(super) fn mark_all(s: &mut AppState) -> Vec<Effect> {
    let count = s.view().events_len();
    if count == 0 {
        s.message = Some("no events in this view".into());
        return Vec::new();
    }
    if writable(s).is_none() {
        return Vec::new();
    }
    if count > MARK_ALL_ASKS {
        s.mode = Mode::ConfirmMarkAll { count };
        return Vec::new();
    }
    mark_view(s)
}

pub(super) fn confirm_mark_all(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::ConfirmMarkAll { .. } = mem::replace(&mut s.mode, Mode::Normal) else {
        return Vec::new();
    };
    match k {
        Key::Char('y') | Key::Char('Y') => mark_view(s),
        _ => {
            s.message = Some("nothing marked".into());
            Vec::new()
        }
    }
}

/// Mark the current view's events (those already marked stay so).
fn mark_view(s: &mut AppState) -> Vec<Effect> {
    let targets: Vec<(EventKey, heist_core::case::EventInfo)> = {
        let v = s.view();
        let Some(d) = &v.data else {
            return Vec::new();
        };
        let Ok(r) = heist_core::frame::access::FrameReader::new(&d.events) else {
            return Vec::new();
        };
        (0..r.height())
            .filter_map(|i| match crate::app::casework::event_target(&r, i) {
                Some(Target::Event { key, info }) => Some((key, info)),
                _ => None,
            })
            .collect()
    };
    let Some(c) = writable(s) else {
        return Vec::new();
    };
    let before = c.marked().len();
    for (key, info) in &targets {
        if !c.is_marked(key) {
            c.set_mark(key, info, true);
        }
    }
    let now = c.marked().len();
    s.message = Some(format!(
        "marked {} events of the view ({now} marked)",
        now - before
    ));
    changed(s)
}

pub(super) fn start_tag(s: &mut AppState, target: Option<Target>) -> Vec<Effect> {
    let Some(target) = target else {
        return Vec::new();
    };
    if writable(s).is_some() {
        s.mode = Mode::Tag(TagState {
            target,
            input: LineInput::default(),
            sel: 0,
        });
    }
    Vec::new()
}

fn current_note(c: &Case, t: &Target) -> String {
    match t {
        Target::Event { key, .. } => c.event(key).map(|n| n.note.clone()),
        Target::Entity(e) => c.entity(e).map(|n| n.note.clone()),
    }
    .unwrap_or_default()
}

pub(super) fn start_note(s: &mut AppState, target: Option<Target>) -> Vec<Effect> {
    let Some(target) = target else {
        return Vec::new();
    };
    let Some(c) = writable(s) else {
        return Vec::new();
    };
    let original = current_note(c, &target);
    s.mode = Mode::Note(NoteState {
        editor: Editor::new(&original),
        target,
        original,
        confirm_discard: false,
    });
    Vec::new()
}

pub(super) fn tag_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Tag(mut t) = mem::replace(&mut s.mode, Mode::Normal) else {
        return Vec::new();
    };
    if is_quit_key(s, k) {
        return quit::request(s, Mode::Tag(t));
    }
    let suggestions = s
        .case()
        .map(|c| c.tag_suggestions(t.input.value()))
        .unwrap_or_default();
    match k {
        Key::Esc => return Vec::new(),
        Key::Enter => {
            let tag = if t.input.value().trim().is_empty() {
                suggestions.get(t.sel).cloned().unwrap_or_default()
            } else {
                t.input.value().to_string()
            };
            return apply_tag(s, t, &tag);
        }
        Key::Tab => {
            if let Some(x) = suggestions.get(t.sel) {
                t.input = LineInput::new(x.clone());
                t.sel = 0;
            }
        }
        Key::Down | Key::Ctrl('n') => t.sel = (t.sel + 1).min(suggestions.len().saturating_sub(1)),
        Key::Up | Key::Ctrl('p') => t.sel = t.sel.saturating_sub(1),
        other => {
            if t.input.key(other) == Edit::Changed {
                t.sel = 0;
            }
        }
    }
    s.mode = Mode::Tag(t);
    Vec::new()
}

fn apply_tag(s: &mut AppState, t: TagState, tag: &str) -> Vec<Effect> {
    let Some(c) = writable(s) else {
        return Vec::new();
    };
    let res = match &t.target {
        Target::Event { key, info } => c.toggle_event_tag(key, info, tag).map(|has| {
            let marked = has && !c.is_marked(key);
            if marked {
                c.set_mark(key, info, true);
            }
            (has, marked)
        }),
        Target::Entity(e) => c.toggle_entity_tag(e, tag).map(|has| (has, false)),
    };
    match res {
        Ok((has, marked)) => {
            let tag = heist_core::case::model::normalize_tag(tag).unwrap_or_default();
            let training = tag == heist_core::detect::training::TAG
                && matches!(&t.target, Target::Entity(e) if e.kind == heist_core::entities::EntityKind::Asset);
            s.message = Some(match (has, marked) {
                (true, true) => format!("tagged {tag}; the event is marked"),
                (true, false) if training => {
                    format!("tagged {tag}: the poisoning rules watch what is tagged so; detection reruns")
                }
                (true, false) => format!("tagged {tag}"),
                (false, _) => format!("removed tag {tag}"),
            });
            let mut effects = changed(s);
            // What is training data changed: the rules that watch it run again.
            if training {
                effects.extend(findings::start(s));
            }
            effects
        }
        Err(e) => {
            s.message = Some(e.to_string());
            s.mode = Mode::Tag(t);
            Vec::new()
        }
    }
}

pub(super) fn note_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Note(mut n) = mem::replace(&mut s.mode, Mode::Normal) else {
        return Vec::new();
    };
    if n.confirm_discard {
        match k {
            Key::Char('y') | Key::Char('Y') => {
                s.message = Some("note discarded".into());
                return Vec::new();
            }
            _ => n.confirm_discard = false,
        }
        s.mode = Mode::Note(n);
        return Vec::new();
    }
    if is_quit_key(s, k) {
        return quit::request(s, Mode::Note(n));
    }
    match k {
        Key::Ctrl('s') => return save_note(s, n),
        Key::Esc => {
            if n.editor.text() == n.original {
                return Vec::new();
            }
            n.confirm_discard = true;
        }
        other => {
            n.editor.key(other);
        }
    }
    s.mode = Mode::Note(n);
    Vec::new()
}

fn save_note(s: &mut AppState, n: NoteState) -> Vec<Effect> {
    let Some(c) = writable(s) else {
        s.mode = Mode::Note(n);
        return Vec::new();
    };
    let text = n.editor.text();
    let mut marked = false;
    match &n.target {
        Target::Event { key, info } => {
            c.set_event_note(key, info, &text);
            if !text.trim().is_empty() && !c.is_marked(key) {
                c.set_mark(key, info, true);
                marked = true;
            }
        }
        Target::Entity(e) => c.set_entity_note(e, &text),
    }
    s.message = Some(
        match (text.trim().is_empty(), marked) {
            (true, _) => "note removed",
            (false, true) => "note saved; the event is marked",
            (false, false) => "note saved",
        }
        .into(),
    );
    changed(s)
}

pub(super) fn prompt_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Prompt(mut p) = mem::replace(&mut s.mode, Mode::Normal) else {
        return Vec::new();
    };
    if is_quit_key(s, k) {
        return quit::request(s, Mode::Prompt(p));
    }
    match k {
        Key::Esc => return Vec::new(),
        Key::Enter => return submit_prompt(s, p),
        other => {
            p.input.key(other);
        }
    }
    s.mode = Mode::Prompt(p);
    Vec::new()
}

fn submit_prompt(s: &mut AppState, p: PromptState) -> Vec<Effect> {
    let input = p.input.value().trim().to_string();
    match p.kind {
        // Empty means "clear" here; elsewhere the prompt waits for something.
        PromptKind::EndDate => submit_end_date(s, p, &input),
        _ if input.is_empty() => {
            s.mode = Mode::Prompt(p);
            Vec::new()
        }
        PromptKind::JumpTime => super::nav::jump_to(s, p, &input),
        PromptKind::SaveView => {
            let steps = view_steps(s);
            let Some(c) = writable(s) else {
                return Vec::new();
            };
            c.save_view(&input, steps);
            s.message = Some(format!("view saved as {input:?}; c lists saved views"));
            changed(s)
        }
        PromptKind::Analyst => {
            let Some(c) = writable(s) else {
                return Vec::new();
            };
            if c.analyst.as_deref() == Some(input.as_str()) {
                return Vec::new();
            }
            c.analyst = Some(input.clone());
            s.message = Some(format!("analyst: {input}"));
            changed(s)
        }
        PromptKind::Export => {
            let Some(c) = &s.case else {
                s.message = Some("the case is not open yet".into());
                return Vec::new();
            };
            let Some(digest) = c.digest.clone() else {
                s.message = Some("the bundle could not be hashed: no report".into());
                return Vec::new();
            };
            let view =
                (!c.case.has_marks()).then(|| (s.view().scope.clone(), s.view().filter.clone()));
            let findings =
                (s.findings.status == DetectStatus::Done).then(|| s.findings.list.clone());
            s.message = Some(format!("writing the report to {input}…"));
            vec![Effect::Export {
                path: input.into(),
                case: Box::new(c.case.clone()),
                digest,
                view,
                title: heist_core::export::default_title(&s.paths),
                case_file: c.file.as_ref().map(|f| f.path().display().to_string()),
                findings,
            }]
        }
    }
}

/// An entity's end date: a time sets it, nothing clears it; either way detection runs again.
fn submit_end_date(s: &mut AppState, p: PromptState, input: &str) -> Vec<Effect> {
    let Some(e) = p.entity.clone() else {
        return Vec::new();
    };
    let at = if input.is_empty() {
        None
    } else {
        match heist_core::util::time::parse_any(input) {
            Some(t) => Some(t),
            None => {
                s.message = Some(format!(
                    "{input:?} is not a time (try 2026-10-05T09:00:00Z, or nothing to clear it)"
                ));
                s.mode = Mode::Prompt(p);
                return Vec::new();
            }
        }
    };
    let Some(c) = writable(s) else {
        return Vec::new();
    };
    let before = c.entity(&e).and_then(|n| n.ended);
    if before == at {
        return Vec::new();
    }
    c.set_entity_end(&e, at);
    let name = crate::view::text::fit(&e.name, 60, false);
    s.message = Some(match at {
        Some(t) => format!(
            "{} {name} ended {}: its later activity is flagged once detection reruns",
            e.kind,
            heist_core::util::time::format_utc(t)
        ),
        None => format!("{} {name}: end date cleared; detection reruns", e.kind),
    });
    let mut effects = changed(s);
    effects.extend(findings::start(s));
    effects
}
