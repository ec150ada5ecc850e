//! Quitting: at once when no case work would be lost, otherwise after asking (`y` quits, any other key goes back
//! to where the analyst was: the timeline, a note being written, a prompt). The last view goes to disk with the
//! final save.

use std::mem;

use super::remember_view;
use crate::app::casework::CaseSession;
use crate::app::msg::Effect;
use crate::app::state::{AppState, Mode};
use crate::input::action::Action;
use crate::input::key::Key;

/// `q`: quit, or ask first when case work would be lost; `back` is the mode a "no" returns to.
pub(super) fn request(s: &mut AppState, back: Mode) -> Vec<Effect> {
    let reason = match &back {
        Mode::Note(n) if n.editor.text() != n.original => {
            Some("a note is being edited".to_string())
        }
        _ => s.case.as_ref().and_then(CaseSession::unsaved),
    };
    match reason {
        Some(reason) => {
            s.mode = Mode::ConfirmQuit {
                reason,
                back: Box::new(back),
            };
            Vec::new()
        }
        None => now(s),
    }
}

fn now(s: &mut AppState) -> Vec<Effect> {
    s.mode = Mode::Normal;
    s.quit = true;
    // The last view goes to disk with the final save; the terminal loop waits for saves before exiting.
    remember_view(s)
}

/// The answer to "quit with unsaved case work?".
pub(super) fn confirm_key(s: &mut AppState, k: Key) -> Vec<Effect> {
    let Mode::ConfirmQuit { back, .. } = mem::replace(&mut s.mode, Mode::Normal) else {
        return Vec::new();
    };
    match k {
        Key::Char('y') | Key::Char('Y') => now(s),
        _ => {
            s.mode = *back;
            Vec::new()
        }
    }
}

/// A ctrl key bound to quit: it quits from prompts and editors too (plain `q` is text there).
pub(super) fn is_quit_key(s: &AppState, k: Key) -> bool {
    matches!(k, Key::Ctrl(_)) && s.keymap.action(k) == Some(Action::Quit)
}
