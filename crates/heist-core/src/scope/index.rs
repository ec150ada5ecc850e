//! The frame, read once for a scope walk: per-row times and the entity columns, which rows name each identity,
//! token, asset and IP, and which records are one call (`frame::Calls`), so every count is of calls.

use std::collections::HashMap;

use polars::prelude::CategoricalMapping;
use polars::prelude::*;

use crate::entities::EntityKind;
use crate::frame::access::FrameReader;
use crate::frame::{Calls, Col, EventKey};
use crate::util::time::Nanos;

/// Rows naming one entity, in frame (time) order.
pub(super) type Rows = Vec<u32>;

pub(super) struct Index<'a> {
    pub r: FrameReader<'a>,
    pub calls: Calls,
    /// Primary row of a call -> the other records of it (only calls with several records).
    repeats: HashMap<u32, Vec<u32>>,
    /// Per kind (`slot` order): the rows naming each value, by its dictionary code.
    by: [Postings<'a>; 4],
}

#[derive(Default)]
struct Postings<'a> {
    mapping: Option<&'a CategoricalMapping>,
    rows: HashMap<u32, Rows>,
}

/// A kind's place in per-kind arrays.
pub(super) fn slot(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Identity => 0,
        EntityKind::Token => 1,
        EntityKind::Asset => 2,
        EntityKind::Ip => 3,
    }
}

impl<'a> Index<'a> {
    pub fn new(df: &'a DataFrame) -> PolarsResult<Self> {
        let r = FrameReader::new(df)?;
        let calls = Calls::build(df)?;
        // Postings by the columns' integer codes: no text is read or hashed here.
        let mut by: [Postings<'a>; 4] = Default::default();
        for k in EntityKind::ALL {
            let Ok(col) = df.column(k.col().name()) else {
                continue;
            };
            let ca = col.cat32()?;
            let p = &mut by[slot(k)];
            p.mapping = Some(ca.get_mapping().as_ref());
            for (row, code) in ca.physical().iter().enumerate() {
                if let Some(code) = code {
                    p.rows.entry(code).or_default().push(row as u32);
                }
            }
        }
        let mut repeats: HashMap<u32, Vec<u32>> = HashMap::new();
        if calls.has_repeats() {
            for row in 0..r.height() as u32 {
                let p = calls.primary(row);
                if p != row {
                    repeats.entry(p).or_default().push(row);
                }
            }
        }
        Ok(Self {
            r,
            calls,
            repeats,
            by,
        })
    }

    /// The rows naming `name` as a `kind`.
    pub fn rows(&self, kind: EntityKind, name: &str) -> &[u32] {
        let p = &self.by[slot(kind)];
        p.mapping
            .and_then(|m| m.get_cat(name))
            .and_then(|c| p.rows.get(&c))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every asset named `name` or under it (`bucket` -> `bucket/key`), as a seed names a container.
    pub fn assets_under(&self, name: &str) -> Vec<&'a str> {
        let prefix = format!("{name}/");
        let p = &self.by[slot(EntityKind::Asset)];
        let Some(m) = p.mapping else {
            return Vec::new();
        };
        let mut out: Vec<&'a str> = p
            .rows
            .keys()
            .filter_map(|&c| m.cat_to_str(c))
            .filter(|a| *a == name || a.starts_with(&prefix))
            .collect();
        out.sort_unstable();
        out
    }

    pub fn time(&self, row: u32) -> Nanos {
        self.r.time(row as usize).unwrap_or(0)
    }

    pub fn text(&self, col: Col, row: u32) -> Option<&'a str> {
        self.r.text(col, row as usize)
    }

    /// Every record of `row`'s call, its primary first.
    pub fn call_records(&self, row: u32) -> impl Iterator<Item = u32> + '_ {
        let p = self.calls.primary(row);
        std::iter::once(p).chain(self.repeats.get(&p).into_iter().flatten().copied())
    }

    /// The call's bytes: the largest any of its records logged (the same transfer, counted once).
    pub fn call_bytes(&self, row: u32) -> u64 {
        self.call_records(row)
            .filter_map(|r| self.r.u64(Col::Bytes, r as usize))
            .max()
            .unwrap_or(0)
    }

    /// The call's action: its primary record's, else the first record that names one.
    pub fn call_action(&self, row: u32) -> &'a str {
        self.call_records(row)
            .find_map(|r| self.text(Col::Action, r))
            .unwrap_or("")
    }

    pub fn key(&self, row: u32) -> Option<EventKey> {
        EventKey::of_row(&self.r, row as usize)
    }

    /// The first row (in time order) of `rows` at or after `since` and not after `until`.
    pub fn window<'r>(&self, rows: &'r [u32], since: Nanos, until: Nanos) -> &'r [u32] {
        let lo = rows.partition_point(|&r| self.time(r) < since);
        let hi = rows.partition_point(|&r| self.time(r) <= until);
        &rows[lo..hi.max(lo)]
    }
}
