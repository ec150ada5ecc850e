//! One value per entity kind, looked up by the kind: a view's four entity tables, the selection in each tab, the
//! entities a finding flags, counts per kind.

use std::ops::{Index, IndexMut};

use super::EntityKind;

/// A `T` for each of the four entity kinds, indexed by [`EntityKind`] and iterated in [`EntityKind::ALL`]'s order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PerKind<T>([T; 4]);

/// Where a kind's value sits (the order of `EntityKind::ALL`).
fn slot(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Identity => 0,
        EntityKind::Token => 1,
        EntityKind::Asset => 2,
        EntityKind::Ip => 3,
    }
}

impl<T> PerKind<T> {
    /// The value of each kind, as `f` gives it.
    pub fn from_fn(mut f: impl FnMut(EntityKind) -> T) -> Self {
        Self(EntityKind::ALL.map(&mut f))
    }

    /// Each kind with its value.
    pub fn iter(&self) -> impl Iterator<Item = (EntityKind, &T)> {
        EntityKind::ALL.into_iter().zip(self.0.iter())
    }

    /// Each kind with its value, to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (EntityKind, &mut T)> {
        EntityKind::ALL.into_iter().zip(self.0.iter_mut())
    }

    /// The values alone, in the kinds' order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

impl<T> Index<EntityKind> for PerKind<T> {
    type Output = T;
    fn index(&self, kind: EntityKind) -> &T {
        &self.0[slot(kind)]
    }
}

impl<T> IndexMut<EntityKind> for PerKind<T> {
    fn index_mut(&mut self, kind: EntityKind) -> &mut T {
        &mut self.0[slot(kind)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_own_value_in_all_s_order() {
        let mut p: PerKind<usize> = PerKind::default();
        p[EntityKind::Asset] = 3;
        p[EntityKind::Token] += 1;
        assert_eq!(p[EntityKind::Asset], 3);
        assert_eq!(p[EntityKind::Identity], 0);
        let kinds: Vec<EntityKind> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, EntityKind::ALL);
        assert_eq!(p.values().copied().collect::<Vec<_>>(), [0, 1, 3, 0]);
        let names = PerKind::from_fn(EntityKind::name);
        for (k, n) in names.iter() {
            assert_eq!(*n, k.name());
        }
        for (_, v) in p.iter_mut() {
            *v = 7;
        }
        assert!(p.values().all(|v| *v == 7));
    }
}
