//! Everything a key can ask for, as data: loggable, replayable, testable without a terminal.

use std::fmt;
use std::str::FromStr;

macro_rules! actions {
    ($($var:ident = $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($var,)* }
        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$var,)*];
            pub fn name(self) -> &'static str { match self { $(Action::$var => $name,)* } }
        }
        impl FromStr for Action {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s { $($name => Ok(Action::$var),)* _ => Err(format!("unknown action {s:?}")) }
            }
        }
    };
}

actions! {
    Down = "down",
    Up = "up",
    Top = "top",
    Bottom = "bottom",
    PageDown = "page_down",
    PageUp = "page_up",
    NextPane = "next_pane",
    PrevPane = "prev_pane",
    TabIdentities = "tab_identities",
    TabTokens = "tab_tokens",
    TabAssets = "tab_assets",
    TabIps = "tab_ips",
    TabFindings = "tab_findings",
    NextColumn = "next_column",
    PrevColumn = "prev_column",
    Sort = "sort",
    Pivot = "pivot",
    Back = "back",
    Forward = "forward",
    Find = "find",
    Filter = "filter",
    ClearFilter = "clear_filter",
    ToggleTz = "toggle_tz",
    Mark = "mark",
    MarkAll = "mark_all",
    Compare = "compare",
    Tag = "tag",
    Note = "note",
    CaseView = "case_view",
    SaveView = "save_view",
    Export = "export",
    Analyst = "analyst",
    EndDate = "end_date",
    Scope = "scope",
    ScopeDrop = "scope_drop",
    ScopeAdd = "scope_add",
    Zoom = "zoom",
    Problems = "problems",
    Copy = "copy",
    CopyRow = "copy_row",
    JumpTime = "jump_time",
    Help = "help",
    Quit = "quit",
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
