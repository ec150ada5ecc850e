//! The filter bar: live filtering as the analyst types (an input that does not parse shows why and leaves the view
//! as it was), Enter keeps it, Esc puts back the filter the bar opened with; and clearing the filter.

use super::{remember_view, request_view};
use crate::app::msg::Effect;
use crate::app::state::{AppState, FilterState, Mode};
use crate::input::key::Key;
use crate::input::line::{Edit, LineInput};

/// `:`: the filter bar, holding the view's filter (on the Findings tab, the findings' filter).
pub(super) fn open(s: &mut AppState) -> Vec<Effect> {
    let findings = s.view().findings_tab && s.subject() == crate::app::trail::Pane::Entities;
    let f = if findings {
        s.findings.filter.clone()
    } else {
        s.view().filter.clone()
    };
    s.mode = Mode::Filter(FilterState {
        input: LineInput::new(f.clone()),
        before: f,
        error: None,
        findings,
    });
    Vec::new()
}

/// The Findings tab's filter: applied as typed when it parses; the selection goes to the first finding shown.
fn set_findings_filter(s: &mut AppState, text: &str) -> Result<(), String> {
    let m = heist_core::detect::filter::FindingFilter::parse(text, s.tz)?;
    s.findings.filter = text.to_string();
    s.findings.matcher = Some(m);
    let first = s.findings.shown().first().copied();
    if let Some(i) = first {
        s.view_mut().finding_sel = i;
    }
    Ok(())
}

/// `x`: the view unfiltered (on the Findings tab, every finding again).
pub(super) fn clear(s: &mut AppState) -> Vec<Effect> {
    if s.view().findings_tab
        && s.subject() == crate::app::trail::Pane::Entities
        && !s.findings.filter.is_empty()
    {
        let _ = set_findings_filter(s, "");
        return Vec::new();
    }
    if s.view().filter.is_empty() {
        return Vec::new();
    }
    s.view_mut().filter.clear();
    let mut e = request_view(s);
    e.extend(remember_view(s));
    e
}

pub(super) fn key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::Filter(f) = &mut s.mode else {
        return Vec::new();
    };
    if f.findings {
        match k {
            Key::Esc => {
                let before = f.before.clone();
                s.mode = Mode::Normal;
                let _ = set_findings_filter(s, &before);
            }
            Key::Enter if f.error.is_none() => s.mode = Mode::Normal,
            Key::Enter => {}
            other => {
                if f.input.key(other) == Edit::Changed {
                    let text = f.input.value().to_string();
                    let res = set_findings_filter(s, &text);
                    if let Mode::Filter(f) = &mut s.mode {
                        f.error = res.err();
                    }
                }
            }
        }
        return Vec::new();
    }
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
                return remember_view(s);
            }
            return Vec::new();
        }
        other => {
            if f.input.key(other) != Edit::Changed {
                return Vec::new();
            }
        }
    }
    // Live: every edit that parses is applied; one that does not shows why and leaves the view as it was.
    match heist_core::query::parse(f.input.value()) {
        Ok(_) => {
            f.error = None;
            let input = f.input.value().to_string();
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
