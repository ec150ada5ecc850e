//! The attack scope in the TUI, as state: the scope computed for the last seeds (off the UI thread), the analyst's
//! changes applied on top of it (kept in the case), and the rows the scope view selects among.

use std::sync::Arc;

use heist_core::case::CaseScope;
use heist_core::entities::{Entity, EntityKind};
use heist_core::scope::Scope as AttackScope;

/// Where the scope stands.
#[derive(Debug, Clone, Default)]
pub struct ScopeState {
    /// The newest computation asked for; older answers are stale.
    pub run: u64,
    pub computing: bool,
    /// The seeds of the newest computation.
    pub seeds: Vec<Entity>,
    /// The walk's result, before the analyst's changes.
    pub base: Option<Arc<AttackScope>>,
    /// What the scope view shows: `base` with the case's additions and drops.
    pub shown: Option<Arc<AttackScope>>,
    pub error: Option<String>,
}

/// The kinds in the order the scope view lists them.
pub const KIND_ORDER: [EntityKind; 4] = [
    EntityKind::Token,
    EntityKind::Identity,
    EntityKind::Ip,
    EntityKind::Asset,
];

/// One selectable row of the scope view: an entity in scope, or one the analyst dropped (listed last, so `d`
/// can put it back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRow {
    pub entity: Entity,
    pub dropped: bool,
}

impl ScopeState {
    /// Apply the case's changes to the walk's result.
    pub fn refresh(&mut self, changes: &CaseScope) {
        self.shown = self
            .base
            .as_ref()
            .map(|b| Arc::new(b.with_changes(&changes.added(), &changes.dropped())));
    }

    /// The rows of the scope view, in its order.
    pub fn rows(&self, changes: &CaseScope) -> Vec<ScopeRow> {
        let Some(s) = &self.shown else {
            return Vec::new();
        };
        let mut rows: Vec<ScopeRow> = KIND_ORDER
            .iter()
            .flat_map(|&k| s.of_kind(k).iter())
            .map(|e| ScopeRow {
                entity: e.entity(),
                dropped: false,
            })
            .collect();
        rows.extend(changes.dropped().into_iter().map(|entity| ScopeRow {
            entity,
            dropped: true,
        }));
        rows
    }
}

/// The scope view's place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeViewState {
    pub sel: usize,
}
