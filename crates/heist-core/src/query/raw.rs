//! Raw search: the query terms `raw:"text"` and `~text`, answered from the records themselves rather than the
//! frame, for values heist does not map (principal ids, request parameters, anything a log holds).
//!
//! The frame's terms narrow the rows first; the records of the rows left are then read back from the bundle, one
//! file at a time (files in parallel), and kept when each raw term's text is in the record (case-insensitive; a
//! negated term keeps records without it). The text is searched as the file holds it, and also in its JSON-escaped
//! spelling (`a/b` is found where a log wrote `a\/b`). A record that cannot be read back (its file changed or gone
//! since the load, a bundle loaded from memory) matches no raw term, negated or not, and is counted, so the caller
//! can say how many were not searched.

use std::collections::HashMap;

use polars::prelude::*;
use rayon::prelude::*;
use regex::{Regex, RegexBuilder};
use thiserror::Error;

use super::compile::compile_frame_terms;
use super::parse::{Query, TermKind};
use crate::detect::raw::verified_record;
use crate::frame::access::FrameReader;
use crate::frame::{Col, EventStore};

#[derive(Debug, Error)]
pub enum RawSearchError {
    #[error("the search was cancelled")]
    Cancelled,
    #[error("{0}")]
    Polars(#[from] PolarsError),
}

/// What a query selected, and how many of the records it had to read could not be.
#[derive(Debug, Clone)]
pub struct Selected {
    pub frame: DataFrame,
    /// Rows left out because their record could not be read back to search it.
    pub unreadable: usize,
}

/// How far a raw search is: files read of those holding candidate rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawProgress {
    pub files_done: usize,
    pub files: usize,
}

/// One raw term, compiled.
struct Needle {
    re: Regex,
    negated: bool,
}

fn needles(q: &Query) -> Result<Vec<Needle>, PolarsError> {
    q.terms
        .iter()
        .filter_map(|t| match &t.kind {
            TermKind::Raw(text) => Some((text, t.negated)),
            _ => None,
        })
        .map(|(text, negated)| {
            let mut spellings = vec![regex::escape(text)];
            let escaped = json_escaped(text);
            if escaped != *text {
                spellings.push(regex::escape(&escaped));
            }
            RegexBuilder::new(&spellings.join("|"))
                .case_insensitive(true)
                .build()
                .map(|re| Needle { re, negated })
                .map_err(|e| polars_err!(ComputeError: "raw search {text:?}: {e}"))
        })
        .collect()
}

/// `text` as a JSON string's content would hold it, with `/` escaped as some writers do.
fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(text);
    inner.replace('/', "\\/")
}

/// The rows of `frame` (the loaded frame or any slice of it) that `q` selects, raw terms included, in frame
/// order. `progress` hears each file read and answers whether to go on (`false` cancels: the analyst has moved
/// on).
pub fn run(
    store: &EventStore,
    frame: &DataFrame,
    q: &Query,
    progress: &mut dyn FnMut(RawProgress) -> bool,
) -> Result<Selected, RawSearchError> {
    let narrowed = match compile_frame_terms(q, frame)? {
        None => frame.clone(),
        Some(e) => frame.clone().lazy().filter(e).collect()?,
    };
    let needles = needles(q)?;
    if needles.is_empty() {
        return Ok(Selected {
            frame: narrowed,
            unreadable: 0,
        });
    }
    let (keep, unreadable) = search(store, &narrowed, &needles, progress)?;
    let frame = narrowed.filter(&keep)?;
    Ok(Selected { frame, unreadable })
}

/// Which rows of `df` every needle agrees with, and how many rows could not be read.
fn search(
    store: &EventStore,
    df: &DataFrame,
    needles: &[Needle],
    progress: &mut dyn FnMut(RawProgress) -> bool,
) -> Result<(BooleanChunked, usize), RawSearchError> {
    let r = FrameReader::new(df)?;
    let mut by_origin: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    let mut unreadable = 0usize;
    for row in 0..r.height() {
        match r.text(Col::Origin, row) {
            Some(origin) => by_origin
                .entry(origin)
                .or_insert_with(|| {
                    order.push(origin);
                    Vec::new()
                })
                .push(row),
            None => unreadable += 1,
        }
    }
    let mut keep = vec![false; r.height()];
    let files = order.len();
    let batch = (rayon::current_num_threads() * 2).max(1);
    if !progress(RawProgress {
        files_done: 0,
        files,
    }) {
        return Err(RawSearchError::Cancelled);
    }
    for (n, chunk) in order.chunks(batch).enumerate() {
        let answers: Vec<(Vec<(usize, bool)>, usize)> = chunk
            .par_iter()
            .map(|origin| {
                search_file(
                    store,
                    &r,
                    origin,
                    by_origin.get(origin).map(Vec::as_slice).unwrap_or(&[]),
                    needles,
                )
            })
            .collect();
        for (rows, missing) in answers {
            unreadable += missing;
            for (row, yes) in rows {
                keep[row] = yes;
            }
        }
        let files_done = (n * batch + chunk.len()).min(files);
        if !progress(RawProgress { files_done, files }) {
            return Err(RawSearchError::Cancelled);
        }
    }
    Ok((
        BooleanChunked::from_slice(PlSmallStr::from_static("raw"), &keep),
        unreadable,
    ))
}

/// The verdict for each of `rows` (all from `origin`), and how many of them could not be read.
fn search_file(
    store: &EventStore,
    r: &FrameReader<'_>,
    origin: &str,
    rows: &[usize],
    needles: &[Needle],
) -> (Vec<(usize, bool)>, usize) {
    let Some(bytes) = store
        .file(origin)
        .and_then(|f| crate::ingest::bundle::reopen(&f.locator).ok())
    else {
        return (Vec::new(), rows.len());
    };
    let decoded = crate::ingest::text::decode(&bytes);
    let text: &str = &decoded.text;
    let mut out = Vec::with_capacity(rows.len());
    let mut missing = 0;
    for &row in rows {
        match verified_record(r, row, text) {
            Some(rec) => out.push((row, needles.iter().all(|n| n.re.is_match(rec) != n.negated))),
            None => missing += 1,
        }
    }
    (out, missing)
}

/// Why rows of `store` could not be searched for raw text, in words for the analyst.
pub fn unread_reason(store: &EventStore) -> &'static str {
    if store.report.dataset_files > 0 && store.files.is_empty() {
        "a Parquet dataset of events keeps no raw records"
    } else {
        "their records could not be read back (a file changed or gone since the load)"
    }
}

#[cfg(test)]
mod tests;
