//! A rule's queries to the rows they match. Terms are ANDed, so the most selective kind of term (a field on the
//! action, service or source) runs first over the whole frame, and each further term only over the rows still
//! in play: a rule touches the million-row frame once, then a few hundred rows.
//!
//! Rules mean exactly what the `--where` filter means: queries are parsed by the query language, and terms are
//! compiled by it (`query::compile`), except field terms on dictionary-coded columns, which are evaluated here on
//! the codes the same way `compile` does it (each distinct value present is tested once with the term's patterns,
//! nulls never match, a negation keeps them) without building a Polars expression per rule. A test keeps the two
//! in step.

use std::sync::Arc;

use polars::prelude::*;

use super::Ctx;
use crate::detect::rule::{Queries, RuleQuery};
use crate::detect::DetectError;
use crate::frame::assemble::cat_mapping_ref;
use crate::frame::schema::Kind;
use crate::frame::Col;
use crate::query::compile::compile_query;
use crate::query::parse::{Pattern, BARE_COLUMNS};
use crate::query::{Query, Term, TermKind};

/// How early a term should run: lower first.
fn rank(t: &Term) -> u8 {
    let base = match &t.kind {
        TermKind::Field { col, .. } => match col {
            Col::Action | Col::Service | Col::Source | Col::Provider => 0,
            c if c.kind() == Kind::Cat => 1,
            _ => 3,
        },
        TermKind::Number { .. } | TermKind::Time { .. } => 2,
        TermKind::Bare(_) => 4,
        // Rules never hold them (see `detect::parse::queries`); last if they did.
        TermKind::Raw(_) => 9,
    };
    if t.negated {
        base + 5
    } else {
        base
    }
}

fn columns(t: &Term) -> Vec<Col> {
    match &t.kind {
        TermKind::Field { col, .. } | TermKind::Number { col, .. } => vec![*col],
        TermKind::Time { .. } => vec![Col::Time],
        TermKind::Bare(_) => BARE_COLUMNS.to_vec(),
        TermKind::Raw(_) => Vec::new(),
    }
}

fn mask_rows(mask: &BooleanChunked, among: Option<&[u32]>) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, m) in mask.iter().enumerate() {
        if m == Some(true) {
            out.push(match among {
                Some(rows) => rows[i],
                None => i as u32,
            });
        }
    }
    out
}

/// The boolean column of `e` over `df`, one value per row. `with_column` (not `select`) so that a term that
/// compiles to a constant (a negated pattern no value matches) still yields a value for every row.
fn mask_of(df: DataFrame, e: Expr) -> PolarsResult<BooleanChunked> {
    let height = df.height();
    let out = df.lazy().with_column(e.alias("__mask")).collect()?;
    let m = out.column("__mask")?.bool()?.clone();
    if m.len() != height {
        return Err(
            polars_err!(ComputeError: "a rule term gave {} values for {height} rows", m.len()),
        );
    }
    Ok(m)
}

/// A field term on a dictionary-coded column, over `among` (or every row).
fn cat_term(
    ctx: &Ctx<'_>,
    t: &Term,
    col: Col,
    pats: &[Pattern],
    among: Option<&[u32]>,
) -> Result<Vec<u32>, DetectError> {
    let codes = ctx.codes(col)?;
    // 0 = not tested yet, 1 = matches, 2 = does not.
    let mut memo: Vec<u8> = vec![0; cat_mapping_ref().num_cats_upper_bound()];
    let mut test = |code: u32| -> bool {
        if code == super::NULL {
            return false;
        }
        let slot = memo.get(code as usize).copied().unwrap_or(0);
        if slot != 0 {
            return slot == 1;
        }
        let m = ctx
            .text(code)
            .is_some_and(|v| pats.iter().any(|p| p.matches(v)));
        if let Some(s) = memo.get_mut(code as usize) {
            *s = if m { 1 } else { 2 };
        }
        m
    };
    let mut out = Vec::new();
    let mut keep = |r: u32, out: &mut Vec<u32>| {
        if test(codes[r as usize]) != t.negated {
            out.push(r);
        }
    };
    match among {
        Some(rows) => rows.iter().for_each(|&r| keep(r, &mut out)),
        None => (0..ctx.n as u32).for_each(|r| keep(r, &mut out)),
    }
    Ok(out)
}

/// The dictionary-coded column and patterns of a field term, if it is one.
fn cat_field(t: &Term) -> Option<(Col, &[Pattern])> {
    match &t.kind {
        TermKind::Field { col, any_of } if col.kind() == Kind::Cat => {
            Some((*col, any_of.as_slice()))
        }
        _ => None,
    }
}

/// One term over the whole frame, cached by its text (rules share terms such as `token_kind:long_term`).
fn term_over_frame(ctx: &Ctx<'_>, text: &str, t: &Term) -> Result<Arc<Vec<u32>>, DetectError> {
    if let Ok(cache) = ctx.term_rows.lock() {
        if let Some(v) = cache.get(text) {
            return Ok(v.clone());
        }
    }
    let rows = match cat_field(t) {
        Some((col, pats)) => cat_term(ctx, t, col, pats, None)?,
        None => {
            let q = Query {
                terms: vec![t.clone()],
            };
            match compile_query(&q, ctx.df)? {
                None => (0..ctx.n as u32).collect(),
                Some(e) => {
                    let m = mask_of(ctx.df.clone(), e)?;
                    mask_rows(&m, None)
                }
            }
        }
    };
    let rows = Arc::new(rows);
    if let Ok(mut cache) = ctx.term_rows.lock() {
        cache.insert(text.to_string(), rows.clone());
    }
    Ok(rows)
}

/// One term over `rows` only.
fn term_over_rows(ctx: &Ctx<'_>, t: &Term, rows: &[u32]) -> Result<Vec<u32>, DetectError> {
    if let Some((col, pats)) = cat_field(t) {
        return cat_term(ctx, t, col, pats, Some(rows));
    }
    let cols: Vec<PlSmallStr> = columns(t)
        .into_iter()
        .filter(|c| ctx.df.column(c.name()).is_ok())
        .map(|c| PlSmallStr::from_static(c.name()))
        .collect();
    if cols.is_empty() {
        // The frame lacks the column: a positive term matches nothing, a negated one everything.
        return Ok(if t.negated { rows.to_vec() } else { Vec::new() });
    }
    let idx = IdxCa::from_vec(PlSmallStr::from_static("idx"), rows.to_vec());
    let sub = ctx.df.select(cols)?.take(&idx)?;
    let q = Query {
        terms: vec![t.clone()],
    };
    match compile_query(&q, &sub)? {
        None => Ok(rows.to_vec()),
        Some(e) => {
            let m = mask_of(sub, e)?;
            Ok(mask_rows(&m, Some(rows)))
        }
    }
}

fn one_query(ctx: &Ctx<'_>, text: &str, q: &Query) -> Result<Vec<u32>, DetectError> {
    let mut terms: Vec<&Term> = q.terms.iter().collect();
    terms.sort_by_key(|t| rank(t));
    let Some(first) = terms.first() else {
        return Ok((0..ctx.n as u32).collect());
    };
    let first_text = &text[first.span.0..first.span.1];
    let mut rows: Vec<u32> = term_over_frame(ctx, first_text, first)?.as_ref().clone();
    for t in &terms[1..] {
        if rows.is_empty() {
            break;
        }
        rows = term_over_rows(ctx, t, &rows)?;
    }
    Ok(rows)
}

/// Rows matching any of the queries, ascending (the frame is time ordered, so this is time order). A query's raw
/// conditions are checked last, on the records of the rows its terms selected.
pub(super) fn query_rows(ctx: &Ctx<'_>, qs: &Queries) -> Result<Arc<Vec<u32>>, DetectError> {
    let mut all: Vec<u32> = Vec::new();
    for rq in &qs.0 {
        let rows = one_query(ctx, &rq.text, &rq.query)?;
        match &rq.raw {
            None => all.extend(rows),
            Some(f) => {
                let records = ctx.raw_records(&rows);
                all.extend(
                    rows.iter()
                        .zip(records)
                        .filter(|(_, rec)| f.admits(rec.as_deref()))
                        .map(|(&r, _)| r),
                );
            }
        }
    }
    if qs.0.len() > 1 {
        all.sort_unstable();
        all.dedup();
    }
    Ok(Arc::new(all))
}

/// Whether `row` matches the frame terms (`where`) of `rq`, its raw conditions aside.
pub(super) fn where_matches(ctx: &Ctx<'_>, rq: &RuleQuery, row: u32) -> Result<bool, DetectError> {
    Ok(term_rows_of(ctx, rq)?.binary_search(&row).is_ok())
}

fn term_rows_of(ctx: &Ctx<'_>, rq: &RuleQuery) -> Result<Vec<u32>, DetectError> {
    one_query(ctx, &rq.text, &rq.query)
}
