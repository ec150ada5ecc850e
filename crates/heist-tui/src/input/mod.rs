//! What the analyst types, as heist's own data: keys and the names the keymap and key sequences give them, the
//! actions keys ask for, the keymap from `assets/keymap.toml`, the single-line input every prompt shares and the
//! note editor. No terminal here (tui-input and ratatui-textarea edit text as data, nothing draws them), so the
//! keymap, the inputs and the state machine are tested without one.

pub mod action;
pub mod editor;
pub mod key;
pub mod keymap;
pub mod line;
