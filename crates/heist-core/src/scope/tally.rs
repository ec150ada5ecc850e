//! One entity's activity from its calls: first and last, calls per kind of access and per action, bytes (each
//! call once: the largest its records logged).

use std::collections::{BTreeMap, HashMap};

use super::access::{classify, Access};
use super::index::Index;
use super::{ActionCount, ScopeEntity};
use crate::entities::Entity;

/// The most frequent actions kept per entity.
const TOP_ACTIONS: usize = 10;

/// `calls` are primary rows, distinct. `access` remembers each action name's classification across entities.
pub(super) fn tally<'f>(
    ix: &Index<'f>,
    e: &Entity,
    calls: Vec<u32>,
    access: &mut HashMap<&'f str, Access>,
) -> ScopeEntity {
    let mut actions: BTreeMap<Access, u64> = BTreeMap::new();
    let mut names: HashMap<(&str, Access), u64> = HashMap::new();
    let (mut first, mut last, mut bytes) = (None, None, 0u64);
    for &p in &calls {
        let t = ix.time(p);
        first = Some(first.map_or(t, |f: i64| f.min(t)));
        last = Some(last.map_or(t, |l: i64| l.max(t)));
        // A call's access is what its most telling record says (`GetObject` over `REST.GET.OBJECT` alike).
        let (name, access) = ix
            .call_records(p)
            .filter_map(|r| ix.text(crate::frame::Col::Action, r))
            .map(|a| (a, *access.entry(a).or_insert_with(|| classify(a))))
            .find(|(_, c)| *c != Access::Other)
            .unwrap_or((ix.call_action(p), Access::Other));
        *actions.entry(access).or_default() += 1;
        *names.entry((name, access)).or_default() += 1;
        bytes = bytes.saturating_add(ix.call_bytes(p));
    }
    let mut top: Vec<ActionCount> = names
        .into_iter()
        .map(|((a, access), n)| ActionCount {
            action: a.to_string(),
            access,
            events: n,
        })
        .collect();
    top.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.action.cmp(&b.action))
    });
    top.truncate(TOP_ACTIONS);
    ScopeEntity {
        name: e.name.clone(),
        kind: e.kind,
        first,
        last,
        events: calls.len() as u64,
        actions,
        top_actions: top,
        bytes,
        depth: 0,
        why: Vec::new(),
        calls,
    }
}
