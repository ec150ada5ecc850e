//! Turn many per-file batches into the one event frame: time order, de-duplication, global dictionaries.

use std::collections::HashSet;
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;

use super::batch::{Dict, EventBatch, NULL, NULL_U64};
use super::schema::{text_index, Col, Kind};

/// The frame and what assembling it removed.
pub struct Assembled {
    pub frame: DataFrame,
    /// Rows dropped as duplicates of an earlier row.
    pub duplicates: usize,
}

/// Key that makes two rows the same event: the provider's event id together with everything the row says (an id
/// reused for a different call is not the same event: SIEM test exports, hand-edited fixtures and some exporters
/// reuse ids), so the same event delivered twice, or re-exported beside its native copy, is one; without an id,
/// the raw bytes' hash.
#[derive(PartialEq, Eq, Hash)]
enum DedupeKey<'a> {
    Id(&'a str, &'a str, u64),
    Hash(&'a str, u64),
}

/// A hash of what a row says: every text column but its file, and the numbers. Where the record sits is not part
/// of it (the same event delivered in two files is one event).
fn content_hash(b: &EventBatch, row: usize) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for col in Col::text_columns().filter(|c| *c != Col::Origin) {
        match b.text(col, row) {
            Some(v) => {
                h.update(&[1]);
                h.update(v.as_bytes());
                h.update(&[0]);
            }
            None => h.update(&[2]),
        }
    }
    for n in [b.bytes[row], b.input_tokens[row], b.output_tokens[row]] {
        h.update(&n.to_le_bytes());
    }
    h.digest()
}

/// One column's storage, moved out of every batch (in batch order) so it is freed once its frame column exists.
enum ColumnData {
    /// Times travel in the sort order itself.
    Time,
    Text(Vec<(Dict, Vec<u32>)>),
    /// `u64::MAX` is null.
    OptU64(Vec<Vec<u64>>),
    U64(Vec<Vec<u64>>),
    U32(Vec<Vec<u32>>),
}

fn take_column(col: Col, batches: &mut [EventBatch]) -> ColumnData {
    use std::mem::take;
    match col {
        Col::Time => {
            batches.iter_mut().for_each(|b| drop(take(&mut b.time)));
            ColumnData::Time
        }
        Col::Bytes => ColumnData::OptU64(batches.iter_mut().map(|b| take(&mut b.bytes)).collect()),
        Col::InputTokens => ColumnData::OptU64(
            batches
                .iter_mut()
                .map(|b| take(&mut b.input_tokens))
                .collect(),
        ),
        Col::OutputTokens => ColumnData::OptU64(
            batches
                .iter_mut()
                .map(|b| take(&mut b.output_tokens))
                .collect(),
        ),
        Col::RawOffset => ColumnData::U64(
            batches
                .iter_mut()
                .map(|b| take(&mut b.raw_offset))
                .collect(),
        ),
        Col::RecordHash => ColumnData::U64(
            batches
                .iter_mut()
                .map(|b| take(&mut b.record_hash))
                .collect(),
        ),
        Col::Line => ColumnData::U32(batches.iter_mut().map(|b| take(&mut b.line)).collect()),
        Col::RawLen => ColumnData::U32(batches.iter_mut().map(|b| take(&mut b.raw_len)).collect()),
        _ => {
            let ti = text_index(col);
            ColumnData::Text(
                batches
                    .iter_mut()
                    .map(|b| (take(&mut b.dicts[ti]), take(&mut b.codes[ti])))
                    .collect(),
            )
        }
    }
}

/// Build the frame from batches. Rows are ordered by time, then by batch order, then by position in the batch, so
/// the result does not depend on which thread parsed what. The batches are consumed column by column: peak memory
/// is about the larger of the batches and the frame, not their sum.
pub fn assemble(mut batches: Vec<EventBatch>, dedupe: bool) -> PolarsResult<Assembled> {
    for b in &mut batches {
        b.finish()?;
    }
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
        duplicates = dedupe_sorted(&mut order, &batches);
    }

    let data: Vec<(Col, ColumnData)> = Col::ALL
        .iter()
        .map(|&c| (c, take_column(c, &mut batches)))
        .collect();
    drop(batches);
    let columns: Vec<PolarsResult<Column>> = data
        .into_par_iter()
        .map(|(col, d)| build_column(col, d, &order))
        .collect();
    let columns = columns.into_iter().collect::<PolarsResult<Vec<_>>>()?;
    let frame = DataFrame::new(order.len(), columns)?;
    Ok(Assembled { frame, duplicates })
}

/// Drop later copies of the same event. Copies of one event carry the same timestamp, and `order` is sorted by
/// time, so duplicates can only sit inside a run of equal times: each run is checked on its own (pairwise when
/// short, with a set when long), and no set over the whole load is needed.
fn dedupe_sorted(order: &mut Vec<(i64, u32, u32)>, batches: &[EventBatch]) -> usize {
    let key = |&(_, bi, ri): &(i64, u32, u32)| {
        let b = &batches[bi as usize];
        let source = b.text(Col::Source, ri as usize).unwrap_or("");
        match b.text(Col::EventId, ri as usize) {
            Some(id) => DedupeKey::Id(source, id, content_hash(b, ri as usize)),
            None => DedupeKey::Hash(source, b.record_hash[ri as usize]),
        }
    };
    let mut keep = vec![true; order.len()];
    let mut start = 0;
    while start < order.len() {
        let t = order[start].0;
        let end = start + order[start..].iter().take_while(|o| o.0 == t).count();
        if end - start > 1 {
            if end - start <= 32 {
                for i in start + 1..end {
                    let k = key(&order[i]);
                    if (start..i).any(|j| keep[j] && key(&order[j]) == k) {
                        keep[i] = false;
                    }
                }
            } else {
                let mut seen = HashSet::with_capacity(end - start);
                for i in start..end {
                    keep[i] = seen.insert(key(&order[i]));
                }
            }
        }
        start = end;
    }
    let before = order.len();
    let mut i = 0;
    order.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    before - order.len()
}

/// The frame with every column and no rows.
pub fn empty_frame() -> PolarsResult<DataFrame> {
    Ok(assemble(Vec::new(), false)?.frame)
}

/// The process-wide categorical mapping. Polars keeps it alive only while some column uses it; heist hands out
/// ids from it before any column exists, so it holds one strong reference for the life of the process: ids never
/// change meaning.
fn global_mapping() -> &'static Arc<CategoricalMapping> {
    static KEEP: std::sync::OnceLock<Arc<CategoricalMapping>> = std::sync::OnceLock::new();
    KEEP.get_or_init(|| Categories::global().mapping())
}

/// Polars dtype of each categorical column: the process-wide mapping, so equal strings compare equal across frames.
pub fn cat_dtype() -> DataType {
    DataType::Categorical(Categories::global(), global_mapping().clone())
}

pub fn cat_mapping() -> Arc<CategoricalMapping> {
    global_mapping().clone()
}

pub fn cat_mapping_ref() -> &'static CategoricalMapping {
    global_mapping()
}

fn build_column(col: Col, data: ColumnData, order: &[(i64, u32, u32)]) -> PolarsResult<Column> {
    let name = PlSmallStr::from_static(col.name());
    let at = |bi: u32, ri: u32| (bi as usize, ri as usize);
    let series = match data {
        ColumnData::Time => {
            // The sort already carried every row's time.
            let v: Vec<i64> = order.iter().map(|&(t, _, _)| t).collect();
            Int64Chunked::from_vec(name, v)
                .into_datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
                .into_series()
        }
        ColumnData::OptU64(v) => UInt64Chunked::from_iter_options(
            name,
            order.iter().map(|&(_, bi, ri)| {
                let (b, r) = at(bi, ri);
                Some(v[b][r]).filter(|&x| x != NULL_U64)
            }),
        )
        .into_series(),
        ColumnData::U64(v) => {
            let out: Vec<u64> = order
                .iter()
                .map(|&(_, bi, ri)| v[bi as usize][ri as usize])
                .collect();
            UInt64Chunked::from_vec(name, out).into_series()
        }
        ColumnData::U32(v) => {
            let out: Vec<u32> = order
                .iter()
                .map(|&(_, bi, ri)| v[bi as usize][ri as usize])
                .collect();
            UInt32Chunked::from_vec(name, out).into_series()
        }
        ColumnData::Text(parts) if col.kind() == Kind::Str => id_column(name, parts, order)?,
        ColumnData::Text(parts) => {
            // Finished batches already hold global mapping ids.
            let dtype = cat_dtype();
            let phys = UInt32Chunked::from_iter_options(
                name,
                order
                    .iter()
                    .map(|&(_, bi, ri)| match parts[bi as usize].1[ri as usize] {
                        NULL => None,
                        c => Some(c),
                    }),
            );
            drop(parts);
            // SAFETY: every id came from `insert_cat` on this dtype's mapping, and the physical type is u32.
            unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, dtype) }
                .into_series()
        }
    };
    Ok(series.into_column())
}

/// Near-unique ids (event ids, request ids): the batches' arenas become the column's buffers and each row a
/// string view into them, so the text is never copied.
fn id_column(
    name: PlSmallStr,
    parts: Vec<(Dict, Vec<u32>)>,
    order: &[(i64, u32, u32)],
) -> PolarsResult<Series> {
    use polars_arrow::array::{Utf8ViewArray, View};
    use polars_arrow::bitmap::BitmapBuilder;
    use polars_buffer::Buffer;

    let mut views: Vec<View> = Vec::with_capacity(order.len());
    let mut validity = BitmapBuilder::with_capacity(order.len());
    for &(_, bi, ri) in order {
        let (dict, codes) = &parts[bi as usize];
        match codes[ri as usize] {
            NULL => {
                views.push(View::default());
                validity.push(false);
            }
            c => {
                let (off, _) = dict.span(c);
                views.push(View::new_from_bytes(dict.get(c).as_bytes(), bi, off));
                validity.push(true);
            }
        }
    }
    let buffers: Vec<Buffer<u8>> = parts
        .into_iter()
        .map(|(d, _)| Buffer::from(d.into_arena().into_bytes()))
        .collect();
    let total_buffer_len = buffers.iter().map(|b| b.len()).sum();
    let validity = validity.into_opt_validity();
    // SAFETY: every view was made from a valid UTF-8 span of the arena that became buffer `bi`, at its offset.
    let arr = unsafe {
        Utf8ViewArray::new_unchecked_unknown_md(
            polars_arrow::datatypes::ArrowDataType::Utf8View,
            Buffer::from(views),
            Buffer::from(buffers),
            validity,
            Some(total_buffer_len),
        )
    };
    Ok(StringChunked::with_chunk(name, arr).into_series())
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
        let out = assemble(vec![a, b], true).unwrap();
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
    fn an_event_id_reused_for_other_content_is_two_events() {
        // A SIEM test export numbers its events "1", "2", ...: same id, same time, different calls and callers.
        let mut a = EventBatch::new("siem.json");
        let mut first = row(10, "GetObject", Some("1"));
        first.set_str(Col::SourceIp, "198.51.100.77");
        a.push(&first);
        let mut second = row(10, "GetObject", Some("1"));
        second.set_str(Col::SourceIp, "10.0.0.5");
        a.push(&second);
        // The first event delivered again in another file (another place in another record) is still one event.
        let mut b = EventBatch::new("again.json");
        let mut again = first.clone();
        again.record_hash = 99;
        again.line = 7;
        b.push(&again);
        let out = assemble(vec![a, b], true).unwrap();
        assert_eq!(out.duplicates, 1);
        assert_eq!(out.frame.height(), 2);
    }

    #[test]
    fn empty_frame_has_schema() {
        let df = empty_frame().unwrap();
        assert_eq!(df.width(), Col::ALL.len());
        assert_eq!(df.height(), 0);
    }
}
