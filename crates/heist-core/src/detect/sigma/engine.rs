//! One pass over the raw records for every Sigma rule of a run.
//!
//! Each rule selects its rows on the frame first (its logsource's rows, narrowed by the values its detection pins:
//! `eventName` to `action`). The union of those rows is then read back from the bundle one file at a time, files
//! side by side; each record is parsed once and tested by every rule that selected its row. A row whose record
//! cannot be read is tested on its frame values when every field the rule names has a column, else counted as
//! unread for that rule.

use rayon::prelude::*;
use serde_json::Value;

use super::fields::{frame_col, FrameRecord, JsonRecord};
use super::logsource::Class;
use super::parse::Record;
use crate::detect::eval::{Ctx, FastMap, NULL};
use crate::detect::rule::{Rule, RuleKind, SigmaRun};
use crate::detect::DetectError;
use crate::frame::Col;

/// What one Sigma rule matched.
#[derive(Debug, Default, Clone)]
pub struct Hits {
    /// Matching rows, in frame (time) order.
    pub rows: Vec<u32>,
    /// Per matching row, the values of the rule's `captures` (same order), as text.
    pub captured: Vec<Vec<Option<String>>>,
    /// Rows the rule selected whose record could not be read, and so were not tested.
    pub unread: usize,
}

impl Hits {
    /// The captured value of `field` for the `i`-th matching row.
    pub fn value(&self, run: &SigmaRun, i: usize, field: &str) -> Option<&str> {
        let at = run.captures.iter().position(|c| c == field)?;
        self.captured.get(i)?.get(at)?.as_deref()
    }
}

/// A value as text, for grouping and counting: strings as they are, other values as compact JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Run every Sigma rule of `rules` (others are ignored) over the frame and the raw records behind it.
pub(crate) fn scan(ctx: &Ctx<'_>, rules: &[&Rule]) -> Result<FastMap<String, Hits>, DetectError> {
    let runs: Vec<(&Rule, &SigmaRun)> = rules
        .iter()
        .filter_map(|r| match &r.kind {
            RuleKind::Sigma(s) => Some((*r, s)),
            _ => None,
        })
        .collect();
    let mut out: FastMap<String, Hits> = FastMap::default();
    if runs.is_empty() {
        return Ok(out);
    }
    // Which rules test each row: per row, a slice of rule indexes (rows in CSR form: offsets, then indexes).
    let selected: Vec<std::sync::Arc<Vec<u32>>> = runs
        .iter()
        .map(|(_, run)| ctx.rows(&run.rows))
        .collect::<Result<_, _>>()?;
    let mut start: Vec<u32> = vec![0; ctx.n + 1];
    for rows in &selected {
        for &r in rows.iter() {
            start[r as usize + 1] += 1;
        }
    }
    for i in 0..ctx.n {
        start[i + 1] += start[i];
    }
    let mut fill: Vec<u32> = start.clone();
    let mut tests_of: Vec<u16> = vec![0; start[ctx.n] as usize];
    for (i, rows) in selected.iter().enumerate() {
        for &r in rows.iter() {
            tests_of[fill[r as usize] as usize] = i as u16;
            fill[r as usize] += 1;
        }
    }
    drop(fill);
    let tests = |row: u32| -> &[u16] {
        let (a, b) = (
            start[row as usize] as usize,
            start[row as usize + 1] as usize,
        );
        tests_of.get(a..b).unwrap_or(&[])
    };
    // Rows by file, so each file is read once.
    let origin = ctx.codes(Col::Origin)?;
    let mut by_file: FastMap<u32, Vec<u32>> = FastMap::default();
    for row in 0..ctx.n as u32 {
        if !tests(row).is_empty() {
            by_file.entry(origin[row as usize]).or_default().push(row);
        }
    }
    let mut files: Vec<(u32, Vec<u32>)> = by_file.into_iter().collect();
    files.sort_unstable_by_key(|(o, _)| *o);
    for (_, rows) in &mut files {
        rows.sort_unstable();
    }
    // Each file's hits: (rule, row, captured values), and rows not read per rule.
    type FileHits = (Vec<(u16, u32, Vec<Option<String>>)>, Vec<(u16, usize)>);
    let per_file: Vec<Result<FileHits, DetectError>> = files
        .par_iter()
        .map(|(_, rows)| -> Result<FileHits, DetectError> {
            let mut hits = Vec::new();
            let mut unread: FastMap<u16, usize> = FastMap::default();
            let mut failed: Option<DetectError> = None;
            ctx.each_raw_record(rows, &mut |at, rec| {
                let Some(&row) = rows.get(at) else {
                    return;
                };
                if failed.is_some() {
                    return;
                }
                if let Err(e) = test_row(ctx, &runs, tests(row), row, rec, &mut hits, &mut unread) {
                    failed = Some(e);
                }
            });
            match failed {
                Some(e) => Err(e),
                None => Ok((hits, unread.into_iter().collect())),
            }
        })
        .collect();
    let mut all: Vec<Hits> = vec![Hits::default(); runs.len()];
    let mut found: Vec<Vec<(u32, Vec<Option<String>>)>> = vec![Vec::new(); runs.len()];
    for f in per_file {
        let (hits, unread) = f?;
        for (i, row, cap) in hits {
            found[i as usize].push((row, cap));
        }
        for (i, n) in unread {
            all[i as usize].unread += n;
        }
    }
    for (i, mut rows) in found.into_iter().enumerate() {
        rows.sort_unstable_by_key(|(r, _)| *r);
        let h = &mut all[i];
        for (r, cap) in rows {
            h.rows.push(r);
            h.captured.push(cap);
        }
    }
    for ((rule, _), h) in runs.iter().zip(all) {
        out.insert(rule.id.clone(), h);
    }
    Ok(out)
}

/// Test one row's record (or its frame values when the record cannot be read) with every rule that selected it.
#[allow(clippy::type_complexity)]
fn test_row(
    ctx: &Ctx<'_>,
    runs: &[(&Rule, &SigmaRun)],
    tests: &[u16],
    row: u32,
    rec: Option<&str>,
    hits: &mut Vec<(u16, u32, Vec<Option<String>>)>,
    unread: &mut FastMap<u16, usize>,
) -> Result<(), DetectError> {
    // The record parsed once per family of the rules that test it (rows of one family but for exports that two
    // logsources share, such as GKE audit events in Cloud Logging).
    let mut parsed: Vec<(Class, Option<JsonRecord<'_>>)> = Vec::new();
    for &i in tests {
        let (_, run) = runs[i as usize];
        if let Some(text) = rec {
            let at = match parsed.iter().position(|(c, _)| *c == run.class) {
                Some(at) => at,
                None => {
                    parsed.push((run.class, JsonRecord::parse(text, run.class)));
                    parsed.len() - 1
                }
            };
            if let Some(j) = &parsed[at].1 {
                if run.detection.matches(j) {
                    hits.push((i, row, capture(j, run)));
                }
                continue;
            }
        }
        match frame_record(ctx, run, row)? {
            Some(f) => {
                if run.detection.matches(&f) {
                    hits.push((i, row, capture(&f, run)));
                }
            }
            None => *unread.entry(i).or_default() += 1,
        }
    }
    Ok(())
}

fn capture(rec: &dyn Record, run: &SigmaRun) -> Vec<Option<String>> {
    run.captures
        .iter()
        .map(|f| {
            let vals = rec.values(f);
            match vals.as_slice() {
                [] => None,
                [one] if one.is_null() => None,
                [one] => Some(value_text(one)),
                many => Some(
                    many.iter()
                        .map(|v| value_text(v))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            }
        })
        .collect()
}

/// The frame's values of the rule's fields for `row`, when every field has a column.
fn frame_record(
    ctx: &Ctx<'_>,
    run: &SigmaRun,
    row: u32,
) -> Result<Option<FrameRecord>, DetectError> {
    if !run.frame_only {
        return Ok(None);
    }
    let mut fields = Vec::new();
    let mut text = String::new();
    for f in run.detection.fields() {
        let Some(col) = frame_col(run.class, &f) else {
            return Ok(None);
        };
        let code = ctx.codes(col)?[row as usize];
        if code == NULL {
            continue;
        }
        if let Some(t) = ctx.text(code) {
            text.push_str(t);
            text.push(' ');
            fields.push((f.clone(), Value::String(t.to_string())));
        }
    }
    Ok(Some(FrameRecord { fields, text }))
}
