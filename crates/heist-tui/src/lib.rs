//! The investigator's terminal UI, in layers that depend one way:
//!
//! - `input`: keys, the key-string syntax, actions, the keymap, the single-line input and the note editor.
//! - `app`: the state, the messages that change it and the effects it asks for.
//! - `update`: `update(state, msg) -> effects`, the only place the state changes (pure).
//! - `view`: view models, the only place frames are read for the screen (plain, neutralised strings).
//! - `draw`: widgets over the view models; drawing never changes the state.
//! - `runtime`: the terminal loop, the executor performing effects, the lanes it runs them on, the test harness.
//!
//! The binary needs [`run`] with [`RunOptions`], a [`Keymap`] and a [`RuleSet`]; tests and benchmarks drive the
//! whole TUI through [`Harness`].

pub mod app;
pub mod draw;
pub mod input;
pub mod runtime;
pub mod update;
pub mod view;

pub use app::findings::RuleSet;
pub use input::keymap::Keymap;
pub use runtime::harness::{Harness, Hold};
pub use runtime::term::{run, RunOptions};
