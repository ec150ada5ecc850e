//! The attack scope as the case keeps it: the indicators the analyst started from and their judgement on top of the
//! walk (entities added to the scope, entities dropped from it). The scope itself is recomputed from the bundle
//! (`scope::Scope::build`, then `with_changes`); only what the analyst decided is saved.

use serde::{Deserialize, Serialize};

use super::model::{Case, EntityKey};
use crate::entities::Entity;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseScope {
    /// The indicators of the last scope computed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seeds: Vec<EntityKey>,
    /// Entities the analyst put in scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<EntityKey>,
    /// Entities the analyst took out of scope (and with them what was reached only through them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<EntityKey>,
}

impl CaseScope {
    pub fn is_empty(&self) -> bool {
        self.seeds.is_empty() && self.added.is_empty() && self.dropped.is_empty()
    }

    pub fn seeds(&self) -> Vec<Entity> {
        self.seeds.iter().map(|k| k.0.clone()).collect()
    }

    pub fn added(&self) -> Vec<Entity> {
        self.added.iter().map(|k| k.0.clone()).collect()
    }

    pub fn dropped(&self) -> Vec<Entity> {
        self.dropped.iter().map(|k| k.0.clone()).collect()
    }
}

impl Case {
    /// The assets the analyst tagged as training data (`detect::training::TAG`).
    pub fn training_data(&self) -> Vec<String> {
        self.entities
            .iter()
            .filter(|(k, n)| {
                k.0.kind == crate::entities::EntityKind::Asset
                    && n.tags.iter().any(|t| t == crate::detect::training::TAG)
            })
            .map(|(k, _)| k.0.name.clone())
            .collect()
    }

    /// The attack scope the analyst worked out in this case, recomputed over `store` (seeds walked, then their
    /// additions and drops); `None` when the case has no scope.
    pub fn attack_scope(
        &self,
        store: &crate::frame::EventStore,
        lineage: &crate::entities::Lineage,
    ) -> Option<Result<crate::scope::Scope, crate::scope::ScopeError>> {
        if self.scope.seeds.is_empty() {
            return None;
        }
        let opts = crate::scope::ScopeOptions::default();
        Some(
            crate::scope::Scope::build(store, lineage, &self.scope.seeds(), &opts)
                .map(|s| s.with_changes(&self.scope.added(), &self.scope.dropped())),
        )
    }

    /// The scope now starts from `seeds`; the analyst's additions and drops stay.
    pub fn set_scope_seeds(&mut self, seeds: &[Entity]) {
        self.scope.seeds = seeds.iter().cloned().map(EntityKey).collect();
    }

    /// Drop `e` from the scope, or (already dropped) put it back. Returns whether it is dropped now.
    pub fn toggle_scope_drop(&mut self, e: &Entity) -> bool {
        let k = EntityKey(e.clone());
        if let Some(i) = self.scope.dropped.iter().position(|d| *d == k) {
            self.scope.dropped.remove(i);
            false
        } else {
            self.scope.added.retain(|a| *a != k);
            self.scope.dropped.push(k);
            true
        }
    }

    /// Add `e` to the scope (undoing a drop of it).
    pub fn add_to_scope(&mut self, e: &Entity) {
        let k = EntityKey(e.clone());
        self.scope.dropped.retain(|d| *d != k);
        if !self.scope.added.contains(&k) {
            self.scope.added.push(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::model::BundleRef;
    use crate::entities::EntityKind;

    fn case() -> Case {
        let b = BundleRef {
            sha256: "00".into(),
            files: 1,
            bytes: 1,
        };
        Case::new(b, None, 0)
    }

    #[test]
    fn a_case_file_without_a_scope_loads_and_one_with_it_round_trips() {
        let mut c = case();
        let old = serde_json::to_string(&c).unwrap();
        assert!(!old.contains("scope"), "an empty scope is not written");
        let back: Case = serde_json::from_str(&old).unwrap();
        assert!(back.scope.is_empty());
        let ip = Entity::new(EntityKind::Ip, "198.51.100.7");
        let t = Entity::new(EntityKind::Token, "AKX");
        c.set_scope_seeds(std::slice::from_ref(&ip));
        assert!(c.toggle_scope_drop(&t));
        c.add_to_scope(&Entity::new(EntityKind::Asset, "b/k"));
        let text = serde_json::to_string(&c).unwrap();
        let back: Case = serde_json::from_str(&text).unwrap();
        assert_eq!(back.scope.seeds(), vec![ip]);
        assert_eq!(back.scope.dropped(), vec![t.clone()]);
        assert_eq!(back.scope.added().len(), 1);
        let mut c = back;
        assert!(!c.toggle_scope_drop(&t), "a second drop puts it back");
        c.toggle_scope_drop(&t);
        c.add_to_scope(&t);
        assert!(c.scope.dropped.is_empty() && c.scope.added.len() == 2);
    }
}
