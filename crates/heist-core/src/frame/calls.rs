//! One call, several records: a bundle holds CloudTrail's GetObject and the S3 server access log line for it, or
//! CloudTrail's InvokeModel and the Bedrock invocation log line, joined by the request id. Counts, totals and bytes
//! are of calls, not records: every consumer (rules, scope, reports) asks here which record stands for a call.
//!
//! The *primary* record of a call is the first one in frame order; a record of another source with the same request
//! id (compared case-insensitively: CloudTrail and the Bedrock invocation log spell one id in different case)
//! repeats it. Records of the same source sharing an id are different events (an Azure deployment's operations share
//! one correlation id).

use std::collections::HashMap;

use polars::prelude::{DataFrame, DataType, PolarsResult};

use super::Col;

/// Row -> the primary row of its call. Empty when no record repeats another (the common single-source bundle), so
/// callers pay nothing; use [`Calls::primary`].
#[derive(Debug, Clone, Default)]
pub struct Calls {
    primary: Vec<u32>,
}

impl Calls {
    /// Join the records of `df` (the event frame, or any frame with its `source` and `request_id` columns) into
    /// calls. A frame without either column has one call per record.
    pub fn build(df: &DataFrame) -> PolarsResult<Self> {
        let (Ok(src), Ok(ids)) = (
            df.column(Col::Source.name()),
            df.column(Col::RequestId.name()),
        ) else {
            return Ok(Calls::default());
        };
        // `source` is categorical in the event frame: read it as text.
        let (src, ids) = (src.cast(&DataType::String)?, ids.cast(&DataType::String)?);
        let (src, ids) = (src.str()?, ids.str()?);
        let first = src.iter().flatten().next();
        if !src.iter().flatten().any(|s| Some(s) != first) {
            return Ok(Calls::default());
        }
        // Request ids are log content: a keyed (SipHash) map.
        let mut first_of: HashMap<String, (u32, &str)> = HashMap::new();
        let mut primary: Vec<u32> = (0..df.height() as u32).collect();
        let mut any = false;
        for (r, (id, s)) in ids.iter().zip(src.iter()).enumerate() {
            let (Some(id), s) = (id.filter(|s| !s.is_empty()), s.unwrap_or("")) else {
                continue;
            };
            match first_of.get(&id.to_ascii_lowercase()) {
                Some(&(row, first_src)) if first_src != s => {
                    primary[r] = row;
                    any = true;
                }
                Some(_) => {}
                None => {
                    first_of.insert(id.to_ascii_lowercase(), (r as u32, s));
                }
            }
        }
        if !any {
            primary = Vec::new();
        }
        Ok(Calls { primary })
    }

    /// Whether any record repeats another.
    pub fn has_repeats(&self) -> bool {
        !self.primary.is_empty()
    }

    /// The primary record of row `r`'s call.
    pub fn primary(&self, r: u32) -> u32 {
        self.primary.get(r as usize).copied().unwrap_or(r)
    }

    /// Whether row `r` is the record that stands for its call (count it; skip the others).
    pub fn is_primary(&self, r: u32) -> bool {
        self.primary(r) == r
    }

    /// How many calls the records `rows` are (each call once, whichever of its records are among `rows`).
    pub fn count(&self, rows: impl IntoIterator<Item = u32>) -> usize {
        if !self.has_repeats() {
            return rows.into_iter().count();
        }
        let mut seen = std::collections::HashSet::new();
        rows.into_iter()
            .filter(|&r| seen.insert(self.primary(r)))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn frame(rows: &[(&str, Option<&str>)]) -> DataFrame {
        let src: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let ids: Vec<Option<&str>> = rows.iter().map(|r| r.1).collect();
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(Col::Source.name().into(), src),
                Column::new(Col::RequestId.name().into(), ids),
            ],
        )
        .unwrap()
    }

    #[test]
    fn records_of_two_sources_with_one_request_id_are_one_call() {
        let df = frame(&[
            ("cloudtrail", Some("ABC-1")),
            ("bedrock", Some("abc-1")),
            ("cloudtrail", Some("x")),
            ("s3access", Some("X")),
            ("cloudtrail", None),
            ("bedrock", None),
        ]);
        let c = Calls::build(&df).unwrap();
        assert!(c.has_repeats());
        assert_eq!(c.primary(1), 0);
        assert_eq!(c.primary(3), 2);
        assert!(!c.is_primary(1) && c.is_primary(4) && c.is_primary(5));
        assert_eq!(c.count(0..6), 4);
        assert_eq!(
            c.count([1, 3]),
            2,
            "a call counts once whichever record is given"
        );
    }

    #[test]
    fn a_categorical_source_column_is_read_as_text() {
        let mut df = frame(&[("cloudtrail", Some("A")), ("bedrock", Some("a"))]);
        let cat = df
            .column(Col::Source.name())
            .unwrap()
            .cast(&crate::frame::assemble::cat_dtype())
            .unwrap();
        df.replace(Col::Source.name(), cat).unwrap();
        assert_eq!(Calls::build(&df).unwrap().count(0..2), 1);
    }

    #[test]
    fn one_source_sharing_an_id_is_several_calls() {
        let df = frame(&[
            ("azure", Some("corr")),
            ("azure", Some("corr")),
            ("azure", None),
        ]);
        let c = Calls::build(&df).unwrap();
        assert!(!c.has_repeats());
        assert_eq!(c.count(0..3), 3);
        let mixed = frame(&[
            ("azure", Some("corr")),
            ("azure", Some("corr")),
            ("gcp", None),
        ]);
        assert_eq!(Calls::build(&mixed).unwrap().count(0..3), 3);
    }
}
