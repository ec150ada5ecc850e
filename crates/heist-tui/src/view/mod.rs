//! View models: the only place the TUI reads frames for the screen. Each slices to the visible window and hands
//! widgets plain, neutralised strings (log content is hostile: control characters and escapes are made visible
//! here). One module per part of the screen; `text` holds the text helpers they share, and this module what a
//! view is waiting for and the detail pane's model (an event's, an entity's or a finding's detail fills it).

pub mod case;
pub mod compare;
pub mod detail;
pub mod entities;
pub mod findings;
pub mod help;
pub mod line;
pub mod problems;
pub mod scope;
pub mod status;
pub mod text;
pub mod timeline;

use crate::app::trail::View;

/// What a view is waiting for, if anything: its events, or the table of the tab on screen.
pub fn pending(v: &View) -> Option<String> {
    if v.data.is_none() {
        Some("computing this view…".into())
    } else if v.table(v.tab).is_none() {
        Some(format!("computing {}…", v.tab.plural()))
    } else {
        None
    }
}

/// The detail pane: a titled list of lines.
pub struct DetailVm {
    pub title: String,
    pub lines: Vec<String>,
}
