//! Counts over the frame: values by frequency, time range, events per source.

use polars::prelude::*;

use crate::frame::access::FrameReader;
use crate::frame::Col;
use crate::util::time::Nanos;

/// The `n` most frequent non-null values of a column, most frequent first, ties by value.
pub fn top_values(df: &DataFrame, col: Col, n: usize) -> PolarsResult<Vec<(String, u64)>> {
    let counts = value_counts(df, col)?;
    Ok(counts.into_iter().take(n).collect())
}

/// Every non-null value of a column with its count, most frequent first, ties by value.
pub fn value_counts(df: &DataFrame, col: Col) -> PolarsResult<Vec<(String, u64)>> {
    let name = col.name();
    let g = df
        .clone()
        .lazy()
        .select([polars::prelude::col(name)])
        .filter(polars::prelude::col(name).is_not_null())
        .group_by([polars::prelude::col(name)])
        .agg([len().alias("n")])
        .with_column(polars::prelude::col(name).cast(DataType::String))
        .collect()?;
    let names = g.column(name)?.str()?;
    let ns = g.column("n")?.cast(&DataType::UInt64)?;
    let ns = ns.u64()?;
    let mut out: Vec<(String, u64)> = names
        .iter()
        .zip(ns.iter())
        .filter_map(|(a, b)| Some((a?.to_string(), b?)))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// First and last event time (the frame is time ordered).
pub fn time_range(df: &DataFrame) -> PolarsResult<Option<(Nanos, Nanos)>> {
    if df.height() == 0 {
        return Ok(None);
    }
    let r = FrameReader::new(df)?;
    Ok(r.time(0).zip(r.time(df.height() - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::assemble::assemble;
    use crate::frame::{EventBatch, Row};

    #[test]
    fn counts_sorted_with_ties_by_name() {
        let mut b = EventBatch::new("f");
        for (t, a) in [(1, "B"), (2, "A"), (3, "B"), (4, "C"), (5, "A")] {
            let mut r = Row::default();
            r.time = t;
            r.set_str(Col::Action, a);
            r.record_hash = t as u64;
            b.push(&r);
        }
        let df = assemble(vec![b], false).unwrap().frame;
        let v = value_counts(&df, Col::Action).unwrap();
        assert_eq!(v, vec![("A".into(), 2), ("B".into(), 2), ("C".into(), 1)]);
        assert_eq!(time_range(&df).unwrap(), Some((1, 5)));
        assert!(top_values(&df, Col::Token, 3).unwrap().is_empty());
    }
}
