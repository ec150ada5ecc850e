//! A scope's steps and counts as plain words, shared by the CLI, the report section and the TUI. The text is log
//! content: every caller neutralises it for its medium (terminal or Markdown).

use super::{Access, Edge, ScopeEntity, Why};
use crate::entities::EntityKind;
use crate::util::num::{bytes, thousands};
use crate::util::time::{fmt_time, TimeZone};

/// What an edge says, read from the entity reached: "minted by token:X", "used by token:X" (an address), ...
pub fn edge_words(e: Edge, from: Option<EntityKind>) -> &'static str {
    match e {
        Edge::Seed => "seed",
        Edge::Added => "added by the analyst",
        Edge::MintedBy => "minted by",
        Edge::UsedFrom => "used by",
        Edge::UsedToken if from == Some(EntityKind::Identity) => "held by",
        Edge::UsedToken => "used at",
        Edge::ActedFrom => "acted from",
        Edge::IdentityOf => "identity of",
        Edge::Touched => "touched by",
        Edge::ActedOn => "acted on",
    }
}

/// One step: `minted by token:AKIA... (CreateAccessKey at 2026-10-05T02:41:12Z)`.
pub fn why_text(w: &Why, tz: TimeZone) -> String {
    let mut s = edge_words(w.edge, w.from.as_ref().map(|f| f.kind)).to_string();
    if let Some(f) = &w.from {
        s += &format!(" {f}");
    }
    if let Some(ev) = &w.event {
        s += &format!(" ({} at {})", ev.action, fmt_time(ev.time, tz));
    }
    if let Some(n) = &w.note {
        s += &format!(": {n}");
    }
    s
}

/// Calls per kind of access: `read 4, write 1`.
pub fn access_text(e: &ScopeEntity) -> String {
    Access::ALL
        .iter()
        .filter_map(|a| {
            e.actions
                .get(a)
                .map(|n| format!("{} {}", a.name(), thousands(*n)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `12 calls, 19.8 GB` (bytes only when some were logged).
pub fn volume_text(e: &ScopeEntity) -> String {
    let calls = if e.events == 1 { "call" } else { "calls" };
    let mut s = format!("{} {calls}", thousands(e.events));
    if e.bytes > 0 {
        s += &format!(", {}", bytes(e.bytes as f64));
    }
    s
}
