//! The breadcrumb trail's parts: a view (what it is scoped to, its filter, selections, sort and the data computed
//! for it), the panes it is shown in, and the entity orders it selects among.

use std::sync::Arc;

use polars::prelude::DataFrame;

use heist_core::detect::Finding;
use heist_core::entities::{Entity, EntityKind, Link, PerKind};
use heist_core::frame::EventKey;
use heist_core::util::time::Nanos;

/// The panes a view is shown in; one has the focus.
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
    pub tables: PerKind<Option<DataFrame>>,
    pub histogram: Vec<u64>,
    pub span: Option<(Nanos, Nanos)>,
    pub parents: Vec<Link>,
    pub children: Vec<Link>,
    pub joined: usize,
    /// Events the filter's raw search could not read back (their file changed since the load), left out.
    pub raw_unread: usize,
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
    /// The timeline cell to pivot on: the selected event's entity of this kind.
    pub cell: EntityKind,
    pub tab: EntityKind,
    /// The selected row of each entity tab.
    pub entity_sel: PerKind<usize>,
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
            cell: EntityKind::Identity,
            tab: EntityKind::Identity,
            entity_sel: PerKind::default(),
            sort: SortKey::Events,
            findings_tab: false,
            finding_sel: 0,
            pending: None,
            left_focus: None,
        }
    }

    pub fn table(&self, kind: EntityKind) -> Option<&DataFrame> {
        self.data.as_ref()?.tables[kind].as_ref()
    }

    /// The view's data has arrived and so have all four of its entity tables.
    pub fn complete(&self) -> bool {
        self.data
            .as_ref()
            .is_some_and(|d| d.tables.values().all(Option::is_some))
    }

    pub fn events_len(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.events.height())
    }
}
