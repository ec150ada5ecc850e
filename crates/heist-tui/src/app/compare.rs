//! Comparing two entities, as state: the first one chosen (`C` on it), and the comparison asked for last (computed
//! off the UI thread; older answers are stale).

use std::sync::Arc;

use heist_core::entities::{Comparison, Entity};

#[derive(Debug, Clone, Default)]
pub struct CompareState {
    /// The entity `C` chose first, waiting for the second.
    pub first: Option<Entity>,
    /// The newest comparison asked for; older answers are stale.
    pub run: u64,
    /// The two entities of the newest comparison.
    pub pair: Option<(Entity, Entity)>,
    /// Its answer, once there.
    pub result: Option<Result<Arc<Comparison>, String>>,
}
