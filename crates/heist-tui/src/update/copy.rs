//! `y` and `Y`: the selected value, or the selected event (or entity) as JSON, to the clipboard through the
//! terminal ([`Effect::Clipboard`]). What was copied is kept in the state, and said.

use heist_core::frame::access::FrameReader;

use super::pivot_target;
use crate::app::msg::Effect;
use crate::app::state::AppState;
use crate::app::trail::Pane;

/// `y`: in the detail pane the raw record shown; elsewhere the selected entity, or the timeline's selected cell.
pub(super) fn value(s: &mut AppState) -> Vec<Effect> {
    let raw = (s.focus == Pane::Detail && s.subject() == Pane::Timeline)
        .then(|| s.raw.as_ref().and_then(|r| r.text.as_ref().ok()).cloned())
        .flatten();
    let (what, text) = match raw {
        Some(r) => ("the raw record".to_string(), r),
        None => match pivot_target(s) {
            Some(e) => (format!("{} {}", e.kind, short(&e.name)), e.name),
            None => {
                s.message = Some("nothing selected to copy".into());
                return Vec::new();
            }
        },
    };
    put(s, what, text)
}

/// `Y`: the selected event as JSON (its columns, as `heist events --format jsonl` writes them), or the selected
/// entity as `{"kind", "name"}`.
pub(super) fn row(s: &mut AppState) -> Vec<Effect> {
    let json = match s.subject() {
        Pane::Entities => pivot_target(s)
            .map(|e| serde_json::json!({"kind": e.kind.name(), "name": e.name}).to_string()),
        Pane::Timeline | Pane::Detail => {
            let v = s.view();
            let store = s.store.as_ref();
            v.data.as_ref().zip(store).and_then(|(d, store)| {
                let r = FrameReader::new(&d.events).ok()?;
                (v.timeline_sel < r.height()).then(|| {
                    serde_json::Value::Object(store.event_json(&r, v.timeline_sel)).to_string()
                })
            })
        }
    };
    match json {
        Some(j) => put(s, "the selected row as JSON".into(), j),
        None => {
            s.message = Some("nothing selected to copy".into());
            Vec::new()
        }
    }
}

fn put(s: &mut AppState, what: String, text: String) -> Vec<Effect> {
    s.message = Some(format!(
        "copied {what} ({} characters) to the clipboard (OSC 52)",
        text.chars().count()
    ));
    s.copied = Some(text.clone());
    vec![Effect::Clipboard(text)]
}

/// A name for the message: cut, and stripped of anything a terminal would act on.
fn short(name: &str) -> String {
    crate::view::text::fit_id(&crate::view::text::clean(name), 40)
}
