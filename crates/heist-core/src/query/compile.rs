//! Terms to one Polars expression. Text patterns on dictionary-coded columns are evaluated once per distinct value
//! (a few thousand strings, not a million rows) and become an `is_in` over the matching values.

use std::collections::HashMap;

use polars::prelude::*;
use thiserror::Error;

use super::parse::{parse, Cmp, Pattern, Query, QueryError, TermKind, BARE_COLUMNS};
use crate::frame::assemble::cat_dtype;
use crate::frame::schema::Kind;
use crate::frame::Col;

#[derive(Debug, Error)]
pub enum CompileError {
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("query: {0}")]
    Polars(#[from] PolarsError),
}

/// Distinct values of text columns, computed once per compile.
struct Distinct<'a> {
    frame: &'a DataFrame,
    cache: HashMap<Col, Vec<String>>,
}

impl<'a> Distinct<'a> {
    fn values(&mut self, col: Col) -> PolarsResult<&[String]> {
        if !self.cache.contains_key(&col) {
            let s = self
                .frame
                .column(col.name())?
                .as_materialized_series()
                .unique()?;
            let s = s.cast(&DataType::String)?;
            let v = s.str()?.iter().flatten().map(str::to_string).collect();
            self.cache.insert(col, v);
        }
        Ok(self.cache.get(&col).map(Vec::as_slice).unwrap_or(&[]))
    }
}

/// `col` is one of `values` (all of which exist in the column).
fn in_values(col: Col, values: Vec<&str>) -> PolarsResult<Expr> {
    if values.is_empty() {
        return Ok(lit(false));
    }
    let s = Series::new(PlSmallStr::from_static("v"), values);
    let s = match col.kind() {
        Kind::Cat => s.cast(&cat_dtype())?,
        _ => s,
    };
    Ok(col_expr(col).is_in(lit(s).implode(false), false))
}

fn col_expr(c: Col) -> Expr {
    polars::prelude::col(c.name())
}

fn text_term(col: Col, pats: &[Pattern], d: &mut Distinct<'_>) -> PolarsResult<Expr> {
    match col.kind() {
        Kind::Cat => {
            let matched: Vec<&str> = d
                .values(col)?
                .iter()
                .filter(|v| pats.iter().any(|p| p.matches(v)))
                .map(String::as_str)
                .collect();
            in_values(col, matched)
        }
        _ => {
            // High-cardinality ids: evaluated row-wise by Polars.
            let mut e: Option<Expr> = None;
            for p in pats {
                let one = match p {
                    Pattern::Exact(v) => col_expr(col).eq(lit(v.clone())),
                    Pattern::Glob(_, re) | Pattern::Regex(re) => col_expr(col)
                        .str()
                        .contains(lit(re.as_str().to_string()), true),
                    Pattern::Cidr(..) => lit(false),
                };
                e = Some(match e {
                    Some(prev) => prev.or(one),
                    None => one,
                });
            }
            Ok(e.unwrap_or(lit(false)))
        }
    }
}

/// A `UInt64` literal of any size: a plain `lit(u64)` is a dynamic integer that polars narrows to `Int64`, and
/// panics on values past `i64::MAX` (`bytes>12222222222222222200`, found by fuzzing).
fn u64_lit(v: u64) -> Expr {
    lit(Scalar::new(DataType::UInt64, AnyValue::UInt64(v)))
}

/// `time OP at`, `at` in UTC nanoseconds.
pub(crate) fn time_term(op: Cmp, at: i64) -> Expr {
    let v = lit(at).cast(DataType::Datetime(
        TimeUnit::Nanoseconds,
        Some(TimeZone::UTC),
    ));
    cmp(col_expr(Col::Time), op, v)
}

fn cmp(e: Expr, op: Cmp, v: Expr) -> Expr {
    match op {
        Cmp::Lt => e.lt(v),
        Cmp::Le => e.lt_eq(v),
        Cmp::Gt => e.gt(v),
        Cmp::Ge => e.gt_eq(v),
        Cmp::Eq => e.eq(v),
    }
}

/// Compile a parsed query against the frame it will filter. `None` means "everything". A query that searches the
/// raw records (`raw:`) is an error here: the frame alone cannot answer it (see [`crate::query::raw::run`]).
pub fn compile_query(q: &Query, frame: &DataFrame) -> PolarsResult<Option<Expr>> {
    if q.has_raw() {
        polars_bail!(ComputeError: "a raw search (raw: or ~) needs the bundle's records, not only its frame");
    }
    compile_frame_terms(q, frame)
}

/// Compile the terms of `q` the frame answers, leaving out raw searches (their caller applies them).
pub fn compile_frame_terms(q: &Query, frame: &DataFrame) -> PolarsResult<Option<Expr>> {
    let mut d = Distinct {
        frame,
        cache: HashMap::new(),
    };
    let mut all: Option<Expr> = None;
    for t in &q.terms {
        let e = match &t.kind {
            TermKind::Field { col, any_of } => text_term(*col, any_of, &mut d)?,
            TermKind::Time { op, at } => time_term(*op, *at),
            TermKind::Number { col, op, value } => cmp(col_expr(*col), *op, u64_lit(*value)),
            TermKind::Bare(word) => {
                let lower = word.to_lowercase();
                let pat = [Pattern::Regex(
                    regex::Regex::new(&format!("(?i){}", regex::escape(&lower)))
                        .map_err(|e| polars_err!(ComputeError: "{e}"))?,
                )];
                let mut any: Option<Expr> = None;
                for &c in BARE_COLUMNS {
                    let one = text_term(c, &pat, &mut d)?;
                    any = Some(match any {
                        Some(prev) => prev.or(one),
                        None => one,
                    });
                }
                any.unwrap_or(lit(false))
            }
            TermKind::Raw(_) => continue,
        };
        // Nulls never match a positive term; a negated term keeps them (`-token:X` includes events with no token).
        let e = e.fill_null(lit(false));
        let e = if t.negated { e.not() } else { e };
        all = Some(match all {
            Some(prev) => prev.and(e),
            None => e,
        });
    }
    Ok(all)
}

/// Parse and compile.
pub fn compile(query: &str, frame: &DataFrame) -> Result<Option<Expr>, CompileError> {
    let q = parse(query)?;
    Ok(compile_query(&q, frame)?)
}

/// The rows of `frame` that a parsed query selects, in frame order; `None` when it selects every row (it has no
/// terms).
pub fn select(q: &Query, frame: &DataFrame) -> PolarsResult<Option<DataFrame>> {
    match compile_query(q, frame)? {
        None => Ok(None),
        Some(e) => frame.clone().lazy().filter(e).collect().map(Some),
    }
}

/// The rows of `frame` that match `query`, in frame order.
pub fn filter(frame: &DataFrame, query: &str) -> Result<DataFrame, CompileError> {
    let q = parse(query)?;
    Ok(select(&q, frame)?.unwrap_or_else(|| frame.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing: a number past `i64::MAX` made polars panic while planning the comparison.
    #[test]
    fn numbers_up_to_u64_max_compare_without_panicking() {
        let frame = crate::ingest::load_bytes(
            "ct.json",
            br#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-10-05T02:13:07Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e","eventType":"AwsApiCall","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"additionalEventData":{"bytesTransferredOut":5}}]}"#.to_vec(),
            &crate::ingest::LoadOptions::default(),
        )
        .unwrap()
        .frame;
        for (q, n) in [
            ("bytes>12222222222222222200 (a OR b)", 0),
            ("bytes<18446744073709551615", 1),
            ("bytes>=5", 1),
            ("input_tokens>9223372036854775808", 0),
        ] {
            assert_eq!(filter(&frame, q).unwrap().height(), n, "{q}");
        }
    }
}
