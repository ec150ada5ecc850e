//! Typed, row-wise reads of the event frame, for the layers that turn rows into text (CLI output, export, view
//! models). Nothing here copies a column.

use polars::prelude::*;

use super::schema::{Col, Kind};
use crate::util::time::Nanos;

enum ColRef<'a> {
    Time(&'a DatetimeChunked),
    Cat(&'a Categorical32Chunked),
    Str(&'a StringChunked),
    U64(&'a UInt64Chunked),
    U32(&'a UInt32Chunked),
    Missing,
}

/// Reads any cell of an event frame by (column, row).
pub struct FrameReader<'a> {
    cols: Vec<ColRef<'a>>,
    height: usize,
}

impl<'a> FrameReader<'a> {
    pub fn new(df: &'a DataFrame) -> PolarsResult<Self> {
        let mut cols = Vec::with_capacity(Col::ALL.len());
        for &c in Col::ALL {
            let r = match df.column(c.name()) {
                Err(_) => ColRef::Missing,
                Ok(col) => match c.kind() {
                    Kind::Time => ColRef::Time(col.datetime()?),
                    Kind::Cat => ColRef::Cat(col.cat32()?),
                    Kind::Str => ColRef::Str(col.str()?),
                    Kind::U64 => ColRef::U64(col.u64()?),
                    Kind::U32 => ColRef::U32(col.u32()?),
                },
            };
            cols.push(r);
        }
        Ok(Self {
            cols,
            height: df.height(),
        })
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn time(&self, row: usize) -> Option<Nanos> {
        match &self.cols[Col::Time as usize] {
            ColRef::Time(ca) => ca.physical().get(row),
            _ => None,
        }
    }

    pub fn text(&self, col: Col, row: usize) -> Option<&'a str> {
        match &self.cols[col as usize] {
            ColRef::Cat(ca) => {
                let id = ca.physical().get(row)?;
                ca.get_mapping().cat_to_str(id)
            }
            ColRef::Str(ca) => ca.get(row),
            _ => None,
        }
    }

    pub fn u64(&self, col: Col, row: usize) -> Option<u64> {
        match &self.cols[col as usize] {
            ColRef::U64(ca) => ca.get(row),
            ColRef::U32(ca) => ca.get(row).map(u64::from),
            _ => None,
        }
    }

    /// Any cell as display text (`None` for null); time as RFC 3339 UTC.
    pub fn display(&self, col: Col, row: usize) -> Option<String> {
        match col.kind() {
            Kind::Time => self.time(row).map(crate::util::time::format_utc),
            Kind::Cat | Kind::Str => self.text(col, row).map(str::to_string),
            Kind::U64 | Kind::U32 => self.u64(col, row).map(|v| v.to_string()),
        }
    }
}
