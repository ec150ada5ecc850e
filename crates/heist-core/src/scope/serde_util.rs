//! How a scope writes times (RFC 3339 UTC text), kinds and entities (`kind:name` is ambiguous for IPv6 and ARNs,
//! so `{kind, name}`).

use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serializer;

use crate::entities::{Entity, EntityKind};
use crate::util::time::{format_utc, Nanos};

pub mod time {
    use super::*;
    pub fn serialize<S: Serializer>(t: &Nanos, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_utc(*t))
    }
}

pub mod opt_time {
    use super::*;
    pub fn serialize<S: Serializer>(t: &Option<Nanos>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_utc(*t)),
            None => s.serialize_none(),
        }
    }
}

pub fn kind<S: Serializer>(k: &EntityKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.name())
}

fn write_entity<S: Serializer>(e: &Entity, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("kind", e.kind.name())?;
    m.serialize_entry("name", &e.name)?;
    m.end()
}

struct AsEntity<'a>(&'a Entity);

impl serde::Serialize for AsEntity<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_entity(self.0, s)
    }
}

pub fn opt_entity<S: Serializer>(e: &Option<Entity>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => write_entity(e, s),
        None => s.serialize_none(),
    }
}

pub fn entities<S: Serializer>(list: &[Entity], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(list.len()))?;
    for e in list {
        seq.serialize_element(&AsEntity(e))?;
    }
    seq.end()
}

pub fn range<S: Serializer>(r: &Option<(Nanos, Nanos)>, s: S) -> Result<S::Ok, S::Error> {
    match r {
        Some((a, b)) => {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("first", &format_utc(*a))?;
            m.serialize_entry("last", &format_utc(*b))?;
            m.end()
        }
        None => s.serialize_none(),
    }
}
