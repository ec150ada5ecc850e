//! The entities pane's view model: the visible rows of the current entity tab (names fitted, flags of the findings
//! naming them, the analyst's tags), and what the list waits for while its table is computed.

use heist_core::case::Case;
use heist_core::case::TimeZone;
use heist_core::detect::Severity;
use heist_core::entities::table::entity_rows;
use heist_core::entities::{Entity, EntityKind, PerKind};
use heist_core::export::report::fmt_time;

use super::findings::{entity_marker, flag_char};
use super::pending;
use super::text::{clean, fit, fit_id, window_start};
use crate::app::findings::FlaggedEntities;
use crate::app::trail::View;

/// An entity's tags as `#a #b` (empty without a case or tags).
pub fn entity_tags(case: Option<&Case>, kind: EntityKind, name: &str) -> String {
    let Some(c) = case else {
        return String::new();
    };
    c.entity_tags(&Entity::new(kind, name))
        .iter()
        .map(|t| format!("#{}", clean(t)))
        .collect::<Vec<_>>()
        .join(" ")
}

pub struct EntityListRow {
    pub name: String,
    /// The most severe finding naming the entity, and its marker (`⚑ high`, or `⚑` in a narrow list).
    pub flag: Option<Severity>,
    pub marker: String,
    /// The analyst's tags, `#a #b`.
    pub tags: String,
    pub detail: String,
    pub first: String,
    pub last: String,
    pub events: u64,
    pub failures: u64,
}

pub struct EntitiesVm {
    pub tab: EntityKind,
    /// Rows per tab; `None` while that table is computed.
    pub counts: PerKind<Option<usize>>,
    pub rows: Vec<EntityListRow>,
    pub selected: Option<usize>,
    pub total: usize,
    pub sort: &'static str,
    /// A visible row is named by a finding: the list shows a flag column this wide (taken from the names'
    /// width): `⚑ high`, or only `⚑` when the names would be left too little room.
    pub flag_column: usize,
    /// What the list is waiting for (`computing assets…`) while the view or this tab's table is computed.
    pub pending: Option<String>,
}

/// Width of the entity list's flag column (`⚑ high`).
pub const FLAG_COLUMN: usize = 6;
/// Names keep at least this much room before the flag column shrinks to its symbol.
const NAME_ROOM: usize = 24;

/// The visible rows of the current entity tab; names fit `name_width` (less the flag column when it shows).
pub fn entities(
    v: &View,
    height: usize,
    name_width: usize,
    tz: TimeZone,
    case: Option<&Case>,
    flagged: &FlaggedEntities,
) -> EntitiesVm {
    let counts = PerKind::from_fn(|k| v.table(k).map(|t| t.height()));
    let total = counts[v.tab].unwrap_or(0);
    let mut vm = EntitiesVm {
        tab: v.tab,
        counts,
        rows: Vec::new(),
        selected: None,
        total,
        sort: v.sort.label(),
        flag_column: 0,
        pending: pending(v),
    };
    let Some(t) = v.table(v.tab) else { return vm };
    let sel = v.entity_sel[v.tab];
    let start = window_start(sel, total, height);
    let Ok(rows) = entity_rows(t, v.tab, start..start + height) else {
        return vm;
    };
    if rows.iter().any(|r| flagged.get(v.tab, &r.name).is_some()) {
        vm.flag_column = if name_width == 0 || name_width > NAME_ROOM + FLAG_COLUMN {
            FLAG_COLUMN
        } else {
            1
        };
    }
    let name_width = match vm.flag_column {
        0 => name_width,
        w if name_width > 0 => name_width.saturating_sub(w + 1).max(1),
        _ => name_width,
    };
    vm.rows = rows
        .into_iter()
        .map(|r| EntityListRow {
            flag: flagged.get(v.tab, &r.name),
            marker: match vm.flag_column {
                1 => flag_char(flagged.get(v.tab, &r.name)).to_string(),
                _ => entity_marker(flagged.get(v.tab, &r.name)),
            },
            tags: entity_tags(case, v.tab, &r.name),
            name: match v.tab {
                EntityKind::Identity | EntityKind::Asset => fit(&clean(&r.name), name_width, true),
                _ => fit_id(&clean(&r.name), name_width),
            },
            detail: r
                .detail
                .as_deref()
                .map(short_detail)
                .unwrap_or_default()
                .to_string(),
            first: r.first_seen.map(|t| fmt_time(t, tz)).unwrap_or_default(),
            last: r.last_seen.map(|t| fmt_time(t, tz)).unwrap_or_default(),
            events: r.events,
            failures: r.failures,
        })
        .collect();
    if total > 0 {
        vm.selected = Some(sel - start);
    }
    vm
}

/// Long-term keys apart from session keys, at a glance.
fn short_detail(d: &str) -> &str {
    match d {
        "long_term" => "LONG-TERM",
        "session" => "session",
        "role_session" => "session",
        other => other,
    }
}
