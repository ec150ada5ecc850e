//! Row masks for exact matches, the pivot engine's hot path. Dictionary-coded columns share one global mapping, so a
//! value is looked up once and the rows compare integer codes; no string is touched per row.

use std::collections::HashSet;

use polars::prelude::*;

use crate::frame::assemble::cat_mapping_ref;
use crate::frame::schema::Kind;
use crate::frame::Col;

/// Rows where `col` equals one of `values`. A value that never occurs matches nothing.
pub fn is_any(df: &DataFrame, col: Col, values: &[&str]) -> PolarsResult<BooleanChunked> {
    let name = PlSmallStr::from_static(col.name());
    let height = df.height();
    let Ok(column) = df.column(col.name()) else {
        return Ok(BooleanChunked::full(name, false, height));
    };
    match col.kind() {
        Kind::Cat => {
            let mapping = cat_mapping_ref();
            let codes: Vec<u32> = values.iter().filter_map(|v| mapping.get_cat(v)).collect();
            let phys = column.cat32()?.physical();
            let mut mask = BooleanChunked::full(name, false, height);
            for code in codes {
                let eq = phys.equal(code);
                mask = &mask | &eq;
            }
            // Nulls compare as null; a mask says yes or no.
            Ok(mask.fill_null_with_values(false)?)
        }
        Kind::Str => {
            let set: HashSet<&str> = values.iter().copied().collect();
            let ca = column.str()?;
            let mut out: BooleanChunked = ca
                .iter()
                .map(|v| v.is_some_and(|s| set.contains(s)))
                .collect();
            out.rename(name);
            Ok(out)
        }
        _ => Err(polars_err!(InvalidOperation: "{} is not a text column", col.name())),
    }
}

/// Rows where `pre` holds and the text column `col`, lowercased (ASCII), is a key of `lower` (whose keys are
/// lowercase). For ids that different logs spell in different case.
pub fn is_any_where_ci<V>(
    df: &DataFrame,
    col: Col,
    lower: &std::collections::HashMap<String, V>,
    pre: &BooleanChunked,
) -> PolarsResult<BooleanChunked> {
    let name = PlSmallStr::from_static(col.name());
    let Ok(column) = df.column(col.name()) else {
        return Ok(BooleanChunked::full(name, false, df.height()));
    };
    let column = column.cast(&DataType::String)?;
    let mut buf = String::new();
    let mut out: BooleanChunked = column
        .str()?
        .iter()
        .zip(pre.iter())
        .map(|(v, p)| {
            p == Some(true)
                && v.is_some_and(|s| {
                    buf.clear();
                    buf.push_str(s);
                    buf.make_ascii_lowercase();
                    lower.contains_key(buf.as_str())
                })
        })
        .collect();
    out.rename(name);
    Ok(out)
}

/// Rows where `col` holds any value at all.
pub fn is_set(df: &DataFrame, col: Col) -> PolarsResult<BooleanChunked> {
    match df.column(col.name()) {
        Ok(c) => Ok(c.as_materialized_series().is_not_null()),
        Err(_) => Ok(BooleanChunked::full(
            PlSmallStr::from_static(col.name()),
            false,
            df.height(),
        )),
    }
}

/// The distinct non-null values of a text column.
pub fn distinct(df: &DataFrame, col: Col) -> PolarsResult<Vec<String>> {
    let Ok(c) = df.column(col.name()) else {
        return Ok(Vec::new());
    };
    let s = c.as_materialized_series().drop_nulls().unique()?;
    let s = s.cast(&DataType::String)?;
    Ok(s.str()?.iter().flatten().map(str::to_string).collect())
}

/// The distinct values of `col` in the rows selected by `mask`.
pub fn distinct_where(
    df: &DataFrame,
    col: Col,
    mask: &BooleanChunked,
) -> PolarsResult<Vec<String>> {
    let Ok(c) = df.column(col.name()) else {
        return Ok(Vec::new());
    };
    let s = c.as_materialized_series().filter(mask)?;
    let s = s.drop_nulls().unique()?.cast(&DataType::String)?;
    Ok(s.str()?.iter().flatten().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::assemble::assemble;
    use crate::frame::{EventBatch, Row};
    use std::borrow::Cow;

    fn frame() -> DataFrame {
        let mut b = EventBatch::new("t");
        for (i, (tok, rid)) in [("K1", "r1"), ("K2", "r2"), ("K1", "r3")]
            .iter()
            .enumerate()
        {
            let mut r = Row::default();
            r.time = i as i64;
            r.set(Col::Token, Some(Cow::Borrowed(*tok)));
            r.set(Col::RequestId, Some(Cow::Borrowed(*rid)));
            r.set(Col::Source, Some(Cow::Borrowed("x")));
            r.record_hash = i as u64;
            b.push(&r);
        }
        b.finish().unwrap();
        assemble(vec![b], false).unwrap().frame
    }

    #[test]
    fn codes_and_strings_match_exactly() {
        let df = frame();
        let m = is_any(&df, Col::Token, &["K1"]).unwrap();
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [Some(true), Some(false), Some(true)]
        );
        let m = is_any(&df, Col::Token, &["K1", "K2"]).unwrap();
        assert_eq!(m.sum(), Some(3));
        let m = is_any(&df, Col::Token, &["nope"]).unwrap();
        assert_eq!(m.sum(), Some(0));
        // Null rows are `false`, not null.
        let m = is_any(&df, Col::Asset, &["K1"]).unwrap();
        assert_eq!(m.iter().collect::<Vec<_>>(), [Some(false); 3]);
        let m = is_any(&df, Col::RequestId, &["r2", "r3"]).unwrap();
        assert_eq!(m.sum(), Some(2));
        assert_eq!(distinct(&df, Col::Token).unwrap().len(), 2);
        let sel = is_any(&df, Col::RequestId, &["r2"]).unwrap();
        assert_eq!(distinct_where(&df, Col::Token, &sel).unwrap(), ["K2"]);
    }

    #[test]
    fn request_ids_match_in_any_case() {
        let mut b = EventBatch::new("t");
        for (i, rid) in ["CC9X0N62QREGTBMN", "4b0b7f9a-AAAA", "other"]
            .iter()
            .enumerate()
        {
            let mut r = Row::default();
            r.time = i as i64;
            r.set(Col::RequestId, Some(Cow::Borrowed(*rid)));
            r.record_hash = i as u64;
            b.push(&r);
        }
        let df = assemble(vec![b], false).unwrap().frame;
        let lower: std::collections::HashMap<String, ()> = [
            ("cc9x0n62qregtbmn".to_string(), ()),
            ("4b0b7f9a-aaaa".to_string(), ()),
        ]
        .into();
        let all = BooleanChunked::full("p".into(), true, df.height());
        let m = is_any_where_ci(&df, Col::RequestId, &lower, &all).unwrap();
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [Some(true), Some(true), Some(false)]
        );
        let none = BooleanChunked::full("p".into(), false, df.height());
        let m = is_any_where_ci(&df, Col::RequestId, &lower, &none).unwrap();
        assert_eq!(m.sum(), Some(0), "only rows the prefilter keeps");
    }
}
