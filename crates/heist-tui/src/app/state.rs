//! The TUI's whole state: the loaded bundle, the trail of views, focus and mode (which overlay or prompt has the
//! keys), the case session and the findings. Changed only by `update`.

use std::path::PathBuf;
use std::sync::Arc;

use heist_core::case::{Case, CaseLocation, TimeZone};
use heist_core::entities::{FindHit, Finder, Lineage};
use heist_core::frame::EventStore;
use heist_core::ingest::progress::Snapshot;

use super::casework::{CaseSession, CaseViewState, NoteState, PromptState, TagState};
use super::compare::CompareState;
use super::findings::{FindingsState, RuleSet};
use super::scope::{ScopeState, ScopeViewState};
use super::trail::{Pane, Scope, View};
use crate::input::keymap::Keymap;
use crate::input::line::LineInput;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    Loading(Snapshot),
    Failed(String),
    Ready,
}

#[derive(Debug, Clone)]
pub struct FinderState {
    pub input: LineInput,
    /// The hits of the newest search answered (they stay on screen while the next one runs).
    pub hits: Vec<FindHit>,
    pub sel: usize,
    /// A search for `input` is running off the UI thread.
    pub searching: bool,
    /// `Enter` was pressed while searching: pivot to the best hit of `input` as soon as it comes.
    pub go: bool,
}

impl FinderState {
    pub fn new() -> Self {
        Self {
            input: LineInput::default(),
            hits: Vec::new(),
            sel: 0,
            searching: false,
            go: false,
        }
    }
}

impl Default for FinderState {
    fn default() -> Self {
        Self::new()
    }
}

/// The finder's index, as a search effect carries it; effects compare by which index they carry.
#[derive(Clone)]
pub struct SharedFinder(pub Arc<Finder>);

impl PartialEq for SharedFinder {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for SharedFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedFinder({} names)", self.0.len())
    }
}

#[derive(Debug, Clone)]
pub struct FilterState {
    pub input: LineInput,
    /// The filter in force when the bar opened: Esc puts it back.
    pub before: String,
    /// Why the current input does not parse, with the position of the offending term.
    pub error: Option<String>,
    /// The bar filters the Findings tab, not the timeline.
    pub findings: bool,
}

#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    Help {
        scroll: u16,
    },
    Finder(FinderState),
    Filter(FilterState),
    /// Tagging the selected event or entity.
    Tag(TagState),
    /// Writing a note (multi-line editor).
    Note(NoteState),
    /// A one-line prompt: the export path, a view's name.
    Prompt(PromptState),
    /// The case: marked events in time order with their notes, and saved views.
    Case(CaseViewState),
    /// The attack scope of an entity: what the evidence leads to, and why.
    Scope(ScopeViewState),
    /// What did not load: unreadable and skipped files, malformed records (`!`).
    Problems {
        scroll: u16,
    },
    /// Two entities side by side (`C` on one, then on the other).
    Compare {
        scroll: u16,
    },
    /// Mark every one of the current view's `count` events? (asked when there are more than a hundred)
    ConfirmMarkAll {
        count: usize,
    },
    /// Quit although case work is not saved? `back` is where `n` returns to.
    ConfirmQuit {
        reason: String,
        back: Box<Mode>,
    },
}

/// The raw record shown in the detail pane, for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawText {
    /// `origin` + `line`: which event it belongs to.
    pub key: (String, u32),
    pub text: Result<String, String>,
}

/// Everything the screen shows comes from here.
pub struct AppState {
    pub keymap: Keymap,
    pub load: LoadState,
    pub store: Option<Arc<EventStore>>,
    pub finder: Option<Arc<Finder>>,
    pub lineage: Option<Arc<Lineage>>,
    /// The breadcrumb trail; the last view is the one on screen. Never empty.
    pub views: Vec<View>,
    /// Views left with Back, for Forward.
    pub forward: Vec<View>,
    pub focus: Pane,
    pub mode: Mode,
    /// The zone times are shown in (the case keeps it).
    pub tz: TimeZone,
    pub detail_scroll: u16,
    /// The list the detail pane describes while it has the focus: the one focused before it (an entity, a finding
    /// or an event).
    pub detail_from: Pane,
    /// The detail pane has the whole screen (`z`).
    pub zoomed: bool,
    /// What `y` / `Y` last put on the clipboard.
    pub copied: Option<String>,
    pub raw: Option<RawText>,
    pub message: Option<String>,
    /// Rows a page moves (set from the terminal size).
    pub page: usize,
    /// The terminal's columns and rows (from `Msg::Resize`).
    pub screen: (u16, u16),
    /// Generation of the newest view request; results of older ones are stale and dropped.
    pub generation: u64,
    /// How far the newest view's raw search is (files read, files to read), while it runs.
    pub raw_search: Option<(usize, usize)>,
    pub quit: bool,
    /// What the bundle is, for the status bar.
    pub title: String,
    /// The bundle's paths (the case binds to their content; exports never go inside them).
    pub paths: Vec<PathBuf>,
    /// Where the case is kept.
    pub case_location: CaseLocation,
    /// The folder the export prompt proposes.
    pub export_dir: PathBuf,
    /// The case, once the bundle is loaded and hashed.
    pub case: Option<CaseSession>,
    /// The rule pack detection runs, and why the analyst's rules are not in it.
    pub rules: RuleSet,
    /// What the rule pack found.
    pub findings: FindingsState,
    /// The attack scope the analyst asked for last.
    pub scope: ScopeState,
    pub compare: CompareState,
}

impl AppState {
    pub fn new(keymap: Keymap, title: impl Into<String>) -> Self {
        Self {
            keymap,
            load: LoadState::Loading(Snapshot::default()),
            store: None,
            finder: None,
            lineage: None,
            views: vec![View::new(Scope::All)],
            forward: Vec::new(),
            focus: Pane::Entities,
            mode: Mode::Normal,
            tz: TimeZone::Utc,
            detail_scroll: 0,
            detail_from: Pane::Timeline,
            zoomed: false,
            copied: None,
            raw: None,
            message: None,
            page: 10,
            screen: (80, 24),
            generation: 0,
            raw_search: None,
            quit: false,
            title: title.into(),
            paths: Vec::new(),
            case_location: CaseLocation::Memory,
            export_dir: PathBuf::from("."),
            case: None,
            rules: RuleSet::none(),
            findings: FindingsState::default(),
            scope: ScopeState::default(),
            compare: CompareState::default(),
        }
    }

    /// The rules detection runs once the bundle is loaded.
    pub fn with_rules(mut self, rules: RuleSet) -> Self {
        self.rules = rules;
        self
    }

    /// The bundle behind the state: its case lives at `location`, exports are proposed in `export_dir`.
    pub fn with_bundle(
        mut self,
        paths: Vec<PathBuf>,
        location: CaseLocation,
        export_dir: PathBuf,
    ) -> Self {
        self.paths = paths;
        self.case_location = location;
        self.export_dir = export_dir;
        self
    }

    /// The case's content, once open.
    pub fn case(&self) -> Option<&Case> {
        self.case.as_ref().map(|c| &c.case)
    }

    pub fn view(&self) -> &View {
        // `views` is never empty: Back stops at the root.
        &self.views[self.views.len() - 1]
    }

    pub fn view_mut(&mut self) -> &mut View {
        let n = self.views.len() - 1;
        &mut self.views[n]
    }

    /// The breadcrumb trail, root excluded: pivots and findings' views.
    /// The list whose selection the detail pane shows and the keys act on: the focused list, or, with the
    /// detail focused, the list it describes.
    pub fn subject(&self) -> Pane {
        if self.focus == Pane::Detail {
            self.detail_from
        } else {
            self.focus
        }
    }

    pub fn trail(&self) -> Vec<&Scope> {
        self.views
            .iter()
            .map(|v| &v.scope)
            .filter(|s| !matches!(s, Scope::All))
            .collect()
    }
}
