//! Identities, tokens, assets and source IPs: entity tables derived from the event frame, token lineage (who minted
//! what, and with which credential), pivots from any one entity to everything connected to it, and a fuzzy finder
//! over every entity name. Pure library code over Polars frames; no terminal here.

pub mod compare;
pub mod find;
pub mod lineage;
mod per_kind;
pub mod pivot;
pub mod table;

use std::fmt;
use std::str::FromStr;

use crate::frame::Col;

pub use compare::{compare, Comparison, Facet, FacetDiff, Profile};
pub use find::{find, FindHit, Finder};
pub use lineage::{EventRef, Lineage, Link};
pub use per_kind::PerKind;
pub use pivot::{Pivot, PivotEngine};
pub use table::{entity_rows, entity_table, EntityRow};

/// The four kinds of thing an investigation pivots on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Identity,
    Token,
    Asset,
    Ip,
}

impl EntityKind {
    pub const ALL: [EntityKind; 4] = [
        EntityKind::Identity,
        EntityKind::Token,
        EntityKind::Asset,
        EntityKind::Ip,
    ];

    /// The event column that names this kind of entity.
    pub fn col(self) -> Col {
        match self {
            EntityKind::Identity => Col::Identity,
            EntityKind::Token => Col::Token,
            EntityKind::Asset => Col::Asset,
            EntityKind::Ip => Col::SourceIp,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Identity => "identity",
            EntityKind::Token => "token",
            EntityKind::Asset => "asset",
            EntityKind::Ip => "ip",
        }
    }

    /// Plural, as used for JSON keys and headings.
    pub fn plural(self) -> &'static str {
        match self {
            EntityKind::Identity => "identities",
            EntityKind::Token => "tokens",
            EntityKind::Asset => "assets",
            EntityKind::Ip => "ips",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EntityKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "identity" | "identities" => Ok(EntityKind::Identity),
            "token" | "tokens" => Ok(EntityKind::Token),
            "asset" | "assets" => Ok(EntityKind::Asset),
            "ip" | "ips" => Ok(EntityKind::Ip),
            _ => Err(format!(
                "unknown entity kind {s:?}: expected identity, token, asset or ip"
            )),
        }
    }
}

/// One entity: its kind and its canonical name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entity {
    pub kind: EntityKind,
    pub name: String,
}

impl Entity {
    /// An entity by its name; an IP in any spelling the logs use (`035.249.253.232`, `[2001:db8::1]:443`) is named
    /// as the frame spells it, so every spelling reaches the same events.
    pub fn new(kind: EntityKind, name: impl Into<String>) -> Self {
        let mut name = name.into();
        if kind == EntityKind::Ip {
            if let Some(ip) = crate::util::ip::address(name.trim()) {
                name = ip.to_string();
            }
        }
        Self { kind, name }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.name)
    }
}
