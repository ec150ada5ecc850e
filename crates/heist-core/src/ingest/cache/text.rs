//! Categorical columns in a cache entry. Each is written as ids, and the text of every id used, once, goes to a
//! table beside the frame (row `i` is the text of id `i`). Reading inserts each text into the reading process's
//! categorical mapping once and renumbers the columns. Written as strings instead, every row's text was looked up
//! again on reopen (a million rows times 24 columns), which was most of a reopen's time and doubled its memory.

use polars::prelude::*;

use crate::frame::assemble::{cat_dtype, cat_mapping, cat_mapping_ref};
use crate::frame::schema::Kind;
use crate::frame::Col;

/// The one column of the text table.
const TEXT: &str = "text";

/// The text of a frame's categorical columns, and each id's number in it (ids numbered from 0 in the order of
/// their text).
pub(super) struct Text {
    /// Id in this process's mapping -> id in the entry.
    local: Vec<u32>,
    /// The text of id `i` in row `i`.
    pub table: DataFrame,
}

/// The text of every id `frame`'s categorical columns use, once.
pub(super) fn text_of(frame: &DataFrame) -> PolarsResult<Text> {
    let mapping = cat_mapping_ref();
    let mut local = vec![u32::MAX; mapping.num_cats_upper_bound()];
    for c in Col::ALL.iter().filter(|c| c.kind() == Kind::Cat) {
        for id in frame.column(c.name())?.cat32()?.physical().iter().flatten() {
            match local.get_mut(id as usize) {
                Some(slot) => *slot = 0,
                None => {
                    polars_bail!(ComputeError: "column {} holds id {id}, past the mapping", c.name())
                }
            }
        }
    }
    let mut used: Vec<(&str, usize)> = Vec::new();
    for (id, slot) in local.iter().enumerate() {
        if *slot == 0 {
            let Some(text) = mapping.cat_to_str(id as u32) else {
                polars_bail!(ComputeError: "id {id} has no text in the mapping");
            };
            used.push((text, id));
        }
    }
    // Ids in the order of the text, not of this process's mapping (which depends on which thread parsed what):
    // two processes writing the same bundle's entry at once write the same files, so an entry whose files come
    // from both is still whole.
    used.sort_unstable();
    let mut texts = Vec::with_capacity(used.len());
    for (text, id) in used {
        local[id] = texts.len() as u32;
        texts.push(text);
    }
    let table = DataFrame::new(
        texts.len(),
        vec![
            StringChunked::from_iter_values(PlSmallStr::from_static(TEXT), texts.into_iter())
                .into_column(),
        ],
    )?;
    Ok(Text { local, table })
}

impl Text {
    /// `part` (the frame, or a slice of it) with its categorical columns as the entry's ids (`UInt32`).
    pub(super) fn ids(&self, part: &DataFrame) -> PolarsResult<DataFrame> {
        let mut df = part.clone();
        for c in Col::ALL.iter().filter(|c| c.kind() == Kind::Cat) {
            let name = PlSmallStr::from_static(c.name());
            let ids: UInt32Chunked = part
                .column(c.name())?
                .cat32()?
                .physical()
                .iter()
                .map(|v| v.map(|id| self.local[id as usize]))
                .collect_ca(name);
            df.with_column(ids.into_column())?;
        }
        Ok(df)
    }
}

/// The frame with its categorical columns as ids, and the table of their text.
#[cfg(test)]
fn split(frame: &DataFrame) -> PolarsResult<(DataFrame, DataFrame)> {
    let text = text_of(frame)?;
    Ok((text.ids(frame)?, text.table))
}

/// The frame read back from a cache entry, its categorical columns renumbered into this process's mapping through
/// `table`. An id past the table, or a table of another shape, means the entry is not one heist wrote whole: it is
/// refused.
pub(super) fn join(mut frame: DataFrame, table: &DataFrame) -> Result<DataFrame, String> {
    let texts = table
        .column(TEXT)
        .and_then(|c| c.str().cloned())
        .map_err(|_| "its text table has no text column".to_string())?;
    let mapping = cat_mapping();
    let renumber = texts
        .iter()
        .map(|t| {
            let t = t.ok_or("its text table has an empty row")?;
            mapping.insert_cat(t).map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<u32>, String>>()?;
    for c in Col::ALL.iter().filter(|c| c.kind() == Kind::Cat) {
        let col = frame.column(c.name()).map_err(|e| e.to_string())?;
        let old = col.u32().map_err(|_| {
            format!(
                "its column {} is {} where ids were written",
                c.name(),
                col.dtype()
            )
        })?;
        let mut unknown = false;
        let phys: UInt32Chunked = old
            .iter()
            .map(|v| {
                v.map(|id| {
                    renumber.get(id as usize).copied().unwrap_or_else(|| {
                        unknown = true;
                        0
                    })
                })
            })
            .collect_ca(PlSmallStr::from_static(c.name()));
        if unknown {
            return Err(format!(
                "its column {} names ids its text table does not",
                c.name()
            ));
        }
        // SAFETY: every id came from `insert_cat` on the mapping of `cat_dtype`, and the physical type is u32.
        let cats =
            unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, cat_dtype()) };
        frame
            .with_column(cats.into_series().into_column())
            .map_err(|e| e.to_string())?;
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(name: &str, values: &[Option<&str>]) -> Column {
        let s = Series::new(PlSmallStr::from(name), values);
        s.cast(&cat_dtype()).unwrap().into_column()
    }

    fn frame() -> DataFrame {
        let empty = crate::frame::assemble::empty_frame().unwrap();
        let n = 3;
        let cols = empty
            .columns()
            .iter()
            .map(|c| match Col::from_name(c.name()) {
                Some(col) if col.kind() == Kind::Cat => {
                    cats(col.name(), &[Some("a"), None, Some(col.name())])
                }
                _ => Column::full_null(c.name().clone(), n, c.dtype()),
            })
            .collect();
        DataFrame::new(n, cols).unwrap()
    }

    fn texts_of(table: &DataFrame) -> Vec<&str> {
        table
            .column("text")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect()
    }

    #[test]
    fn split_and_joined_is_the_same_frame() {
        let f = frame();
        let (ids, table) = split(&f).unwrap();
        assert_eq!(ids.column("action").unwrap().dtype(), &DataType::UInt32);
        // "a" once, and each column's own name once: no text is written twice.
        assert_eq!(table.height(), 1 + 24);
        let mut texts = texts_of(&table);
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), 25);
        let back = join(ids, &table).unwrap();
        assert!(back.equals_missing(&f));
        assert_eq!(back.schema(), f.schema());
    }

    #[test]
    fn the_ids_follow_the_text_not_the_mapping() {
        // Another process fills its mapping in another order; the entry it writes for the same frame is the same.
        let (ids, table) = split(&frame()).unwrap();
        let texts = texts_of(&table);
        let mut sorted = texts.clone();
        sorted.sort_unstable();
        assert_eq!(texts, sorted);
        let a = ids
            .column("account")
            .unwrap()
            .u32()
            .unwrap()
            .get(2)
            .unwrap();
        assert_eq!(texts[a as usize], "account");
    }

    #[test]
    fn an_id_the_table_does_not_name_is_refused() {
        let (ids, table) = split(&frame()).unwrap();
        let short = table.slice(1, table.height() - 1);
        let err = join(ids.clone(), &short).unwrap_err();
        assert!(err.contains("does not"), "{err}");
        let nameless = DataFrame::new(1, vec![Column::new("other".into(), ["x"])]).unwrap();
        assert!(join(ids, &nameless).unwrap_err().contains("no text column"));
    }
}
