//! Turn many per-file batches into the one event frame: time order, de-duplication, global dictionaries.

use std::collections::HashSet;

use polars::prelude::*;
use rayon::prelude::*;

use super::batch::{Dict, EventBatch, NULL};
use super::schema::{text_index, Col, Kind};

/// The frame and what assembling it removed.
pub struct Assembled {
    pub frame: DataFrame,
    /// Rows dropped as duplicates of an earlier row.
    pub duplicates: usize,
}

/// Key that makes two rows the same event: the provider's event id when there is one, else the raw bytes' hash.
#[derive(PartialEq, Eq, Hash)]
enum DedupeKey<'a> {
    Id(&'a str, &'a str),
    Hash(&'a str, u64),
}

/// Build the frame from batches. Rows are ordered by time, then by batch order, then by position in the batch, so
/// the result does not depend on which thread parsed what.
pub fn assemble(batches: &[EventBatch], dedupe: bool) -> PolarsResult<Assembled> {
    let total: usize = batches.iter().map(|b| b.len()).sum();
    let mut order: Vec<(i64, u32, u32)> = Vec::with_capacity(total);
    for (bi, b) in batches.iter().enumerate() {
        order.extend(
            b.time
                .iter()
                .enumerate()
                .map(|(ri, &t)| (t, bi as u32, ri as u32)),
        );
    }
    order.par_sort_unstable();

    let mut duplicates = 0;
    if dedupe {
        let mut seen: HashSet<DedupeKey<'_>> = HashSet::with_capacity(order.len());
        order.retain(|&(_, bi, ri)| {
            let b = &batches[bi as usize];
            let source = b.text(Col::Source, ri as usize).unwrap_or("");
            let key = match b.text(Col::EventId, ri as usize) {
                Some(id) => DedupeKey::Id(source, id),
                None => DedupeKey::Hash(source, b.record_hash[ri as usize]),
            };
            let fresh = seen.insert(key);
            if !fresh {
                duplicates += 1;
            }
            fresh
        });
    }

    let columns: Vec<PolarsResult<Column>> = Col::ALL
        .par_iter()
        .map(|&col| build_column(col, batches, &order))
        .collect();
    let columns = columns.into_iter().collect::<PolarsResult<Vec<_>>>()?;
    let frame = DataFrame::new(order.len(), columns)?;
    Ok(Assembled { frame, duplicates })
}

/// The frame with every column and no rows.
pub fn empty_frame() -> PolarsResult<DataFrame> {
    Ok(assemble(&[], false)?.frame)
}

/// Polars dtype of each categorical column: the process-wide mapping, so equal strings compare equal across frames.
pub fn cat_dtype() -> DataType {
    DataType::from_categories(Categories::global())
}

fn build_column(
    col: Col,
    batches: &[EventBatch],
    order: &[(i64, u32, u32)],
) -> PolarsResult<Column> {
    let name = PlSmallStr::from_static(col.name());
    let series = match col.kind() {
        Kind::Time => {
            let v: Vec<i64> = order.iter().map(|&(t, _, _)| t).collect();
            Int64Chunked::from_vec(name, v)
                .into_datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
                .into_series()
        }
        Kind::U64 => {
            let pick = |b: &EventBatch, r: usize| match col {
                Col::Bytes => b.bytes[r],
                Col::InputTokens => b.input_tokens[r],
                Col::OutputTokens => b.output_tokens[r],
                Col::RawOffset => Some(b.raw_offset[r]),
                Col::RecordHash => Some(b.record_hash[r]),
                _ => None,
            };
            UInt64Chunked::from_iter_options(
                name,
                order
                    .iter()
                    .map(|&(_, bi, ri)| pick(&batches[bi as usize], ri as usize)),
            )
            .into_series()
        }
        Kind::U32 => {
            let pick = |b: &EventBatch, r: usize| match col {
                Col::Line => b.line[r],
                Col::RawLen => b.raw_len[r],
                _ => 0,
            };
            let v: Vec<u32> = order
                .iter()
                .map(|&(_, bi, ri)| pick(&batches[bi as usize], ri as usize))
                .collect();
            UInt32Chunked::from_vec(name, v).into_series()
        }
        Kind::Cat | Kind::Str => {
            let ti = text_index(col);
            // Merge the per-batch dictionaries into one, remembering how each batch's codes move.
            let mut global = Dict::default();
            let remap: Vec<Vec<u32>> = batches
                .iter()
                .map(|b| b.dicts[ti].iter().map(|s| global.intern(s)).collect())
                .collect();
            let code_of = |bi: u32, ri: u32| -> u32 {
                match batches[bi as usize].codes[ti][ri as usize] {
                    NULL => NULL,
                    c => remap[bi as usize][c as usize],
                }
            };
            if col.kind() == Kind::Str {
                StringChunked::from_iter_options(
                    name,
                    order.iter().map(|&(_, bi, ri)| match code_of(bi, ri) {
                        NULL => None,
                        c => Some(global.get(c)),
                    }),
                )
                .into_series()
            } else {
                let dtype = cat_dtype();
                let DataType::Categorical(_, mapping) = &dtype else {
                    unreachable!("cat_dtype is categorical")
                };
                let ids: Vec<u32> = global
                    .iter()
                    .map(|s| mapping.insert_cat(s))
                    .collect::<PolarsResult<_>>()?;
                let phys = UInt32Chunked::from_iter_options(
                    name,
                    order.iter().map(|&(_, bi, ri)| match code_of(bi, ri) {
                        NULL => None,
                        c => Some(ids[c as usize]),
                    }),
                );
                // SAFETY: every id came from `insert_cat` on this dtype's mapping, and the physical type is u32.
                unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, dtype) }
                    .into_series()
            }
        }
    };
    Ok(series.into_column())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::batch::Row;

    fn row(t: i64, action: &'static str, id: Option<&'static str>) -> Row<'static> {
        let mut r = Row::default();
        r.time = t;
        r.set_str(Col::Source, "cloudtrail");
        r.set_str(Col::Action, action);
        if let Some(id) = id {
            r.set_str(Col::EventId, id);
        }
        r.record_hash = t as u64;
        r
    }

    #[test]
    fn sorts_dedupes_and_keeps_text() {
        let mut a = EventBatch::new("a.json");
        a.push(&row(30, "GetObject", Some("e3")));
        a.push(&row(10, "AssumeRole", Some("e1")));
        let mut b = EventBatch::new("b.json");
        b.push(&row(10, "AssumeRole", Some("e1")));
        b.push(&row(20, "ListBuckets", None));
        let out = assemble(&[a, b], true).unwrap();
        assert_eq!(out.duplicates, 1);
        let df = out.frame;
        assert_eq!(df.height(), 3);
        let actions: Vec<String> = df
            .column("action")
            .unwrap()
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect();
        assert_eq!(actions, ["AssumeRole", "ListBuckets", "GetObject"]);
        let origins = df
            .column("origin")
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        assert_eq!(
            origins.str().unwrap().get(0),
            Some("a.json"),
            "first copy wins"
        );
    }

    #[test]
    fn empty_frame_has_schema() {
        let df = empty_frame().unwrap();
        assert_eq!(df.width(), Col::ALL.len());
        assert_eq!(df.height(), 0);
    }
}
