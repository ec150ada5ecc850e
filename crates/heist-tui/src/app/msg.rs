//! What flows through `update`: the messages it takes (keys, progress, the answers of effects) and the effects it
//! asks for (work done off the UI thread by the runtime's executor, answered with messages).

use std::path::PathBuf;
use std::sync::Arc;

use polars::prelude::DataFrame;

use heist_core::case::{BundleDigest, Case, CaseFile, CaseLocation, OpenedCase};
use heist_core::detect::Finding;
use heist_core::entities::{Entity, EntityKind, FindHit, Finder, Lineage};
use heist_core::frame::EventStore;
use heist_core::ingest::progress::Snapshot;
use heist_core::util::time::Nanos;

use super::findings::{Detected, SharedRules};
use super::state::{RawText, SharedFinder};
use super::trail::{Scope, SortKey, ViewData};
use crate::input::key::Key;

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
    /// The view `generation` searches raw records: `files_done` of `files` read.
    ViewProgress {
        generation: u64,
        files_done: usize,
        files: usize,
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
    /// The cached frame checked against the bundle's digest: what to tell the analyst, if anything.
    CacheConfirmed(Option<String>),
    /// A save finished.
    CaseSaved {
        revision: u64,
        result: Result<(), String>,
    },
    /// An export finished.
    Exported(Result<ExportDone, String>),
    /// Scope computation `run` finished (or failed).
    ScopeReady {
        run: u64,
        result: Result<Box<heist_core::scope::Scope>, String>,
    },
    /// Comparison `run` finished (or failed).
    Compared {
        run: u64,
        result: Result<Box<heist_core::entities::Comparison>, String>,
    },
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
    /// Events the view's raw search could not read back (their file changed since the load), left out.
    pub raw_unread: usize,
}

/// What a finished load hands over.
pub struct Loaded {
    pub store: Arc<EventStore>,
    pub lineage: Arc<Lineage>,
}

/// Work `update` asks for; performed off the UI thread, answered with a `Msg`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Put text on the system clipboard: the terminal is asked (OSC 52), which works over SSH and in tmux.
    Clipboard(String),
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
    /// Check the load cache's entry the bundle was read from against the bundle's SHA-256 (the case binding's).
    ConfirmCache { entry: PathBuf, sha256: String },
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
        /// The case's attack scope: findings touching it are one incident.
        scope: heist_core::case::CaseScope,
        /// Assets the case tags as training data (they replace the default of the rules that watch it).
        training: Vec<String>,
    },
    /// Walk the attack scope from `seeds` over the loaded bundle; only the newest run matters.
    ComputeScope { run: u64, seeds: Vec<Entity> },
    /// Compare two entities over the loaded bundle; only the newest run matters.
    Compare { run: u64, a: Entity, b: Entity },
    /// Fuzzy-search every entity name (the finder, as the analyst types); only the newest pattern matters.
    Search {
        finder: SharedFinder,
        pattern: String,
    },
}
