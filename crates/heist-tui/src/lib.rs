//! The investigator's terminal UI. `Action`s come from keys through the keymap; `update` changes the state and
//! returns effects; jobs perform them off the UI thread and answer with messages; `ui::draw` reads the state
//! through view models. Only `term` touches the terminal.

pub mod action;
pub mod casework;
pub mod editor;
pub mod findings;
pub mod harness;
pub mod jobs;
pub mod keymap;
pub mod state;
pub mod term;
pub mod ui;
pub mod ui_case;
pub mod ui_findings;
pub mod update;
pub mod update_annotate;
pub mod update_case;
pub mod update_findings;
pub mod vm;
pub mod vm_case;
pub mod vm_findings;

pub use term::run;
