//! `C` compares two entities: on the first it remembers it and says so; on a second (another entity or timeline
//! cell) it asks for the comparison (off the UI thread) and opens the comparison overlay, which scrolls and closes
//! on any other key.

use std::sync::Arc;

use heist_core::entities::Comparison;

use super::pivot_target;
use crate::app::msg::Effect;
use crate::app::state::{AppState, Mode};
use crate::input::key::Key;
use crate::view::compare::compare_view;
use crate::view::help::help_text_area;
use crate::view::text::{clean, fit_id};

/// `C` on the entity under the cursor.
pub(super) fn choose(s: &mut AppState) -> Vec<Effect> {
    let Some(e) = pivot_target(s) else {
        s.message = Some("select an entity or an event's cell to compare".into());
        return Vec::new();
    };
    match s.compare.first.take() {
        Some(first) if first != e => {
            s.compare.run += 1;
            s.compare.pair = Some((first.clone(), e.clone()));
            s.compare.result = None;
            s.mode = Mode::Compare { scroll: 0 };
            vec![Effect::Compare {
                run: s.compare.run,
                a: first,
                b: e,
            }]
        }
        _ => {
            s.message = Some(format!(
                "C on another entity or cell compares it with {} {}",
                e.kind,
                fit_id(&clean(&e.name), 28)
            ));
            s.compare.first = Some(e);
            Vec::new()
        }
    }
}

/// The comparison `run` finished (or failed).
pub(super) fn on_compared(
    s: &mut AppState,
    run: u64,
    result: Result<Box<Comparison>, String>,
) -> Vec<Effect> {
    if run == s.compare.run {
        s.compare.result = Some(result.map(|c| Arc::new(*c)));
    }
    Vec::new()
}

/// Keys while the comparison is open: scroll as help does; any other key closes it.
pub(super) fn key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let (w, h) = help_text_area(s.screen.0, s.screen.1);
    let last = compare_view(s, w).lines.len().saturating_sub(h) as u16;
    let page = s.page.max(1) as u16;
    let Mode::Compare { scroll } = &mut s.mode else {
        return Vec::new();
    };
    if !super::nav::scroll_by(scroll, k, last, page) {
        s.mode = Mode::Normal;
    }
    Vec::new()
}
