//! The TUI's whole state, the messages that change it and the effects it asks for. No terminal, no threads here.

use std::path::PathBuf;
use std::sync::Arc;

use polars::prelude::DataFrame;

use heist_core::case::{BundleDigest, Case, CaseFile, CaseLocation, OpenedCase};
use heist_core::detect::Finding;
use heist_core::entities::{Entity, EntityKind, FindHit, Finder, Lineage, Link};
use heist_core::frame::{EventKey, EventStore};
use heist_core::ingest::progress::Snapshot;
use heist_core::util::time::Nanos;

pub use super::casework::{
    CaseSession, CaseViewState, NoteState, PromptKind, PromptState, TagState, Target,
};
pub use super::findings::{
    DetectStatus, Detected, FindingOrder, FindingsState, RuleSet, SharedRules,
};
use super::keymap::{Key, Keymap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Entities,
    Timeline,
    Detail,
}

impl Pane {
    pub fn next(self) -> Pane {
        match self {
            Pane::Entities => Pane::Timeline,
            Pane::Timeline => Pane::Detail,
            Pane::Detail => Pane::Entities,
        }
    }
    pub fn prev(self) -> Pane {
        self.next().next()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tz {
    Utc,
    Local,
}

/// The timeline cells an analyst can pivot on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Identity,
    Token,
    Asset,
    Ip,
}

impl Cell {
    pub const ALL: [Cell; 4] = [Cell::Identity, Cell::Token, Cell::Asset, Cell::Ip];
    pub fn kind(self) -> EntityKind {
        match self {
            Cell::Identity => EntityKind::Identity,
            Cell::Token => EntityKind::Token,
            Cell::Asset => EntityKind::Asset,
            Cell::Ip => EntityKind::Ip,
        }
    }
}

/// Entity list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Events,
    Failures,
    FirstSeen,
    LastSeen,
    Name,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Events => SortKey::Failures,
            SortKey::Failures => SortKey::FirstSeen,
            SortKey::FirstSeen => SortKey::LastSeen,
            SortKey::LastSeen => SortKey::Name,
            SortKey::Name => SortKey::Events,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Events => "events",
            SortKey::Failures => "failures",
            SortKey::FirstSeen => "first seen",
            SortKey::LastSeen => "last seen",
            SortKey::Name => "name",
        }
    }
}

/// What a background job computed for one view: its events, their entity tables and their histogram.
#[derive(Clone)]
pub struct ViewData {
    pub events: DataFrame,
    /// Identities, tokens, assets, IPs, each sorted per `sort`; `None` while still being computed (the tab on
    /// screen comes with the events, the others follow).
    pub tables: [Option<DataFrame>; 4],
    pub histogram: Vec<u64>,
    pub span: Option<(Nanos, Nanos)>,
    pub parents: Vec<Link>,
    pub children: Vec<Link>,
    pub joined: usize,
}

/// What a view shows before its filter: every event, a pivot on an entity, or the events behind one finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    All,
    Entity(Entity),
    /// `Enter` on a finding: exactly its events (the ones it names), time ordered.
    Finding(Arc<Finding>),
}

impl Scope {
    pub fn entity(&self) -> Option<&Entity> {
        match self {
            Scope::Entity(e) => Some(e),
            _ => None,
        }
    }

    pub fn finding(&self) -> Option<&Finding> {
        match self {
            Scope::Finding(f) => Some(f),
            _ => None,
        }
    }

    /// What the case keeps of this step (last view, saved views): the entity pivoted on. A finding's view is kept
    /// as a pivot on its main entity: findings are computed afresh whenever the bundle opens (the rules may have
    /// changed), so the case file never names one.
    pub fn saved_entity(&self) -> Option<Entity> {
        match self {
            Scope::All => None,
            Scope::Entity(e) => Some(e.clone()),
            Scope::Finding(f) => f.main_entity().cloned(),
        }
    }
}

impl From<Option<Entity>> for Scope {
    fn from(e: Option<Entity>) -> Self {
        e.map_or(Scope::All, Scope::Entity)
    }
}

/// One place on the breadcrumb trail: all events, a pivot, or a finding's events; with its own filter,
/// selections and sort.
#[derive(Clone)]
pub struct View {
    pub scope: Scope,
    pub filter: String,
    pub data: Option<ViewData>,
    pub timeline_sel: usize,
    pub cell: Cell,
    pub tab: EntityKind,
    pub entity_sel: [usize; 4],
    pub sort: SortKey,
    /// The entities pane shows the Findings tab (instead of the entity tab `tab`).
    pub findings_tab: bool,
    /// The selected finding: an index into `FindingsState::list` (so it stays on its finding when the order
    /// changes).
    pub finding_sel: usize,
    /// An event to select once the view's data arrives (a restored view, a jump from the case view).
    pub pending: Option<(Option<Nanos>, EventKey)>,
    /// The pane that had the focus when the analyst left this view along the trail: coming back restores it.
    pub left_focus: Option<Pane>,
}

impl View {
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            filter: String::new(),
            data: None,
            timeline_sel: 0,
            cell: Cell::Identity,
            tab: EntityKind::Identity,
            entity_sel: [0; 4],
            sort: SortKey::Events,
            findings_tab: false,
            finding_sel: 0,
            pending: None,
            left_focus: None,
        }
    }

    pub fn table(&self, kind: EntityKind) -> Option<&DataFrame> {
        self.data.as_ref()?.tables[kind_index(kind)].as_ref()
    }

    /// The view's data has arrived and so have all four of its entity tables.
    pub fn complete(&self) -> bool {
        self.data
            .as_ref()
            .is_some_and(|d| d.tables.iter().all(Option::is_some))
    }

    pub fn events_len(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.events.height())
    }
}

pub fn kind_index(k: EntityKind) -> usize {
    match k {
        EntityKind::Identity => 0,
        EntityKind::Token => 1,
        EntityKind::Asset => 2,
        EntityKind::Ip => 3,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    Loading(Snapshot),
    Failed(String),
    Ready,
}

#[derive(Debug, Clone)]
pub struct FinderState {
    pub input: String,
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
            input: String::new(),
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
    pub input: String,
    /// The filter in force when the bar opened: Esc puts it back.
    pub before: String,
    /// Why the current input does not parse, with the position of the offending term.
    pub error: Option<String>,
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
    pub tz: Tz,
    pub detail_scroll: u16,
    pub raw: Option<RawText>,
    pub message: Option<String>,
    /// Rows a page moves (set from the terminal size).
    pub page: usize,
    /// The terminal's columns and rows (from `Msg::Resize`).
    pub screen: (u16, u16),
    /// Generation of the newest view request; results of older ones are stale and dropped.
    pub generation: u64,
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
}

/// Inputs to `update`.
pub enum Msg {
    Key(Key),
    Progress(Snapshot),
    Loaded(Result<Loaded, String>),
    ViewReady {
        generation: u64,
        data: Box<ViewData>,
    },
    /// One more entity table of the view `generation` (they follow its `ViewReady`).
    TableReady {
        generation: u64,
        kind: EntityKind,
        table: Box<DataFrame>,
    },
    ViewFailed {
        generation: u64,
        error: String,
    },
    /// The finder's index of entity names is built (it follows the load).
    FinderReady(Result<Arc<Finder>, String>),
    /// The finder's best hits for `pattern`.
    FinderHits {
        pattern: String,
        hits: Vec<FindHit>,
    },
    Raw(RawText),
    Resize {
        width: u16,
        height: u16,
    },
    /// The bundle is hashed and its case read (or not).
    CaseOpened(Box<CaseOpen>),
    /// A save finished.
    CaseSaved {
        revision: u64,
        result: Result<(), String>,
    },
    /// An export finished.
    Exported(Result<ExportDone, String>),
    /// Detection run `run` finished (or failed).
    Findings {
        run: u64,
        result: Result<Box<Detected>, String>,
    },
}

/// What opening the case found.
pub struct CaseOpen {
    /// `None` when the bundle could not be hashed.
    pub digest: Option<Arc<BundleDigest>>,
    pub result: Result<OpenedCase, String>,
}

/// A report written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDone {
    pub path: PathBuf,
    pub events: usize,
    /// Marked events, or the view's.
    pub marked: bool,
    /// The findings in the report; `None` when detection had not finished.
    pub findings: Option<usize>,
}

/// What a finished load hands over.
pub struct Loaded {
    pub store: Arc<EventStore>,
    pub lineage: Arc<Lineage>,
}

/// Work `update` asks for; performed off the UI thread, answered with a `Msg`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Compute a view: the events of `scope`, `filter` applied, tables sorted by `sort`; the table of `first`
    /// (the tab on screen) comes with the events, the others after.
    BuildView {
        generation: u64,
        scope: Scope,
        filter: String,
        sort: SortKey,
        first: EntityKind,
    },
    /// Read the raw record of an event from the bundle.
    ReadRaw { origin: String, line: u32 },
    /// Hash the bundle and open its case.
    OpenCase {
        paths: Vec<PathBuf>,
        location: CaseLocation,
    },
    /// Write the case (atomically); newer revisions supersede queued older ones.
    SaveCase {
        revision: u64,
        file: CaseFile,
        case: Box<Case>,
    },
    /// Write a report: the marked events, or (`view` set) the events of that view; with the findings when
    /// detection has finished.
    Export {
        path: PathBuf,
        case: Box<Case>,
        digest: Arc<BundleDigest>,
        view: Option<(Scope, String)>,
        title: String,
        case_file: Option<String>,
        findings: Option<Arc<Vec<Finding>>>,
    },
    /// Run the rule pack over the loaded bundle, with the analyst's end dates.
    Detect {
        run: u64,
        rules: SharedRules,
        end_dates: Vec<(Entity, Nanos)>,
    },
    /// Fuzzy-search every entity name (the finder, as the analyst types); only the newest pattern matters.
    Search {
        finder: SharedFinder,
        pattern: String,
    },
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
            tz: Tz::Utc,
            detail_scroll: 0,
            raw: None,
            message: None,
            page: 10,
            screen: (80, 24),
            generation: 0,
            quit: false,
            title: title.into(),
            paths: Vec::new(),
            case_location: CaseLocation::Memory,
            export_dir: PathBuf::from("."),
            case: None,
            rules: RuleSet::none(),
            findings: FindingsState::default(),
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
    pub fn trail(&self) -> Vec<&Scope> {
        self.views
            .iter()
            .map(|v| &v.scope)
            .filter(|s| !matches!(s, Scope::All))
            .collect()
    }
}
