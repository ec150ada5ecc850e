//! Turn many per-file batches into the one event frame: time order, de-duplication, global dictionaries.

use std::collections::HashSet;
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;

use super::batch::{Dict, EventBatch, NULL, NULL_U64};
use super::schema::{text_index, Col, Kind};
use super::spill::{Columns, Parts, Spill};

/// The frame and what assembling it removed.
pub struct Assembled {
    pub frame: DataFrame,
    /// Rows dropped as duplicates of an earlier row.
    pub duplicates: usize,
}

/// Key that makes two rows the same event: the provider's event id together with everything the row says (an id
/// reused for a different call is not the same event: SIEM test exports, hand-edited fixtures and some exporters
/// reuse ids), so the same event delivered twice, or re-exported beside its native copy, is one; without an id,
/// the raw bytes' hash. Sources are compared by categorical id (equal text, equal id).
#[derive(PartialEq, Eq, Hash)]
enum DedupeKey<'a> {
    Id(u32, &'a str, u64),
    Hash(u32, u64),
}

/// A hash of what a row says: every text column but its file, and the numbers. Where the record sits is not part
/// of it (the same event delivered in two files is one event). Categorical values are hashed as their ids, which
/// are equal exactly when the text is.
fn content_hash(cols: &Columns, b: &EventBatch, g: usize, row: usize) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for col in Col::text_columns().filter(|c| *c != Col::Origin) {
        if col.kind() == Kind::Cat {
            match cols.text[text_index(col)].get(g) {
                NULL => h.update(&[2]),
                id => {
                    h.update(&[1]);
                    h.update(&id.to_le_bytes());
                }
            }
            continue;
        }
        match b.text(col, row) {
            Some(v) => {
                h.update(&[1]);
                h.update(v.as_bytes());
                h.update(&[0]);
            }
            None => h.update(&[2]),
        }
    }
    for n in [
        cols.bytes.get(g),
        cols.input_tokens.get(g),
        cols.output_tokens.get(g),
    ] {
        h.update(&n.to_le_bytes());
    }
    h.digest()
}

/// One column's storage, moved out of the spill (or, for near-unique text, every batch) so it is freed once its
/// frame column exists.
enum ColumnData {
    /// Times travel in the sort order itself.
    Time,
    Cat(Parts<u32>),
    Text(Vec<(Dict, Vec<u32>)>),
    /// `u64::MAX` is null.
    OptU64(Parts<u64>),
    U64(Parts<u64>),
    U32(Parts<u32>),
}

fn take_column(col: Col, cols: &mut Columns, batches: &mut [EventBatch]) -> ColumnData {
    use std::mem::take;
    match col {
        Col::Time => {
            drop(take(&mut cols.time));
            ColumnData::Time
        }
        Col::Bytes => ColumnData::OptU64(take(&mut cols.bytes)),
        Col::InputTokens => ColumnData::OptU64(take(&mut cols.input_tokens)),
        Col::OutputTokens => ColumnData::OptU64(take(&mut cols.output_tokens)),
        Col::RawOffset => ColumnData::U64(take(&mut cols.raw_offset)),
        Col::RecordHash => ColumnData::U64(take(&mut cols.record_hash)),
        Col::Line => ColumnData::U32(take(&mut cols.line)),
        Col::RawLen => ColumnData::U32(take(&mut cols.raw_len)),
        _ if col.kind() == Kind::Cat => ColumnData::Cat(take(&mut cols.text[text_index(col)])),
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
/// the result does not depend on which thread parsed what.
pub fn assemble(batches: Vec<EventBatch>, dedupe: bool) -> PolarsResult<Assembled> {
    assemble_spilled(batches, Spill::default(), dedupe)
}

/// [`assemble`] for batches that may already be spilled into `spill` (a load spills each file's batch as soon as
/// it is parsed); the others are spilled there first. The frame is built one column at a time from the spill, each
/// column's storage freed as soon as its frame column exists (see [`super::spill`]).
pub fn assemble_spilled(
    mut batches: Vec<EventBatch>,
    spill: Spill,
    dedupe: bool,
) -> PolarsResult<Assembled> {
    for b in &mut batches {
        b.spill_into(&spill)?;
    }
    let mut cols = spill.into_columns();
    let starts: Vec<usize> = batches
        .iter()
        .map(|b| b.spilled_at().unwrap_or(0))
        .collect();
    let total: usize = batches.iter().map(|b| b.len()).sum();
    let mut order: Vec<(i64, u32, u32)> = Vec::with_capacity(total);
    for (bi, b) in batches.iter().enumerate() {
        let start = starts[bi];
        order.extend((0..b.len()).map(|ri| (cols.time.get(start + ri), bi as u32, ri as u32)));
    }
    order.par_sort_unstable();

    let mut duplicates = 0;
    if dedupe {
        duplicates = dedupe_sorted(&mut order, &batches, &starts, &cols);
    }
    // Each row's place in the spill, in frame order.
    let at: Vec<u32> = order
        .iter()
        .map(|&(_, bi, ri)| (starts[bi as usize] + ri as usize) as u32)
        .collect();

    let data: Vec<(Col, ColumnData)> = Col::ALL
        .iter()
        .map(|&c| (c, take_column(c, &mut cols, &mut batches)))
        .collect();
    drop(batches);
    drop(cols);
    let columns: Vec<PolarsResult<Column>> = data
        .into_par_iter()
        .map(|(col, d)| build_column(col, d, &order, &at))
        .collect();
    let columns = columns.into_iter().collect::<PolarsResult<Vec<_>>>()?;
    let frame = DataFrame::new(order.len(), columns)?;
    Ok(Assembled { frame, duplicates })
}

/// Drop later copies of the same event. Copies of one event carry the same timestamp, and `order` is sorted by
/// time, so duplicates can only sit inside a run of equal times: each run is checked on its own (pairwise when
/// short, with a set when long), and no set over the whole load is needed.
fn dedupe_sorted(
    order: &mut Vec<(i64, u32, u32)>,
    batches: &[EventBatch],
    starts: &[usize],
    cols: &Columns,
) -> usize {
    let source = &cols.text[text_index(Col::Source)];
    let key = |&(_, bi, ri): &(i64, u32, u32)| {
        let b = &batches[bi as usize];
        let g = starts[bi as usize] + ri as usize;
        match b.text(Col::EventId, ri as usize) {
            Some(id) => DedupeKey::Id(source.get(g), id, content_hash(cols, b, g, ri as usize)),
            None => DedupeKey::Hash(source.get(g), cols.record_hash.get(g)),
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

fn build_column(
    col: Col,
    data: ColumnData,
    order: &[(i64, u32, u32)],
    at: &[u32],
) -> PolarsResult<Column> {
    let name = PlSmallStr::from_static(col.name());
    // A nullable column no row set (never allocated while spilling): nulls, without reading the spill.
    match &data {
        ColumnData::Cat(v) if v.all_fill() => {
            return Ok(Column::full_null(name, at.len(), &cat_dtype()))
        }
        ColumnData::OptU64(v) if v.all_fill() => {
            return Ok(Column::full_null(name, at.len(), &DataType::UInt64))
        }
        _ => {}
    }
    let at = at.iter().map(|&g| g as usize);
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
            at.map(|g| Some(v.get(g)).filter(|&x| x != NULL_U64)),
        )
        .into_series(),
        ColumnData::U64(v) => {
            let out: Vec<u64> = at.map(|g| v.get(g)).collect();
            UInt64Chunked::from_vec(name, out).into_series()
        }
        ColumnData::U32(v) => {
            let out: Vec<u32> = at.map(|g| v.get(g)).collect();
            UInt32Chunked::from_vec(name, out).into_series()
        }
        ColumnData::Text(parts) => id_column(name, parts, order)?,
        ColumnData::Cat(v) => {
            // Spilled batches hold global mapping ids.
            let dtype = cat_dtype();
            let phys = UInt32Chunked::from_iter_options(
                name,
                at.map(|g| match v.get(g) {
                    NULL => None,
                    c => Some(c),
                }),
            );
            drop(v);
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
