//! A Parquet dataset of events: what `heist convert` writes, or what a Spark / Athena job writes when it selects the
//! frame's columns from an organisation's log lake (docs/parquet.md). It is not a bundle of logs: its rows are
//! already events, so it is scanned lazily instead of parsed, and a query's terms are pushed into the scan (each
//! file is read for the rows that can match, and only the columns the frame has).
//!
//! A folder (or file list) is such a dataset when every file in it is Parquet (Spark's `_SUCCESS` and `.crc` files
//! aside) and the first one has the frame's `time` and `action` columns and two of `identity`, `token`, `asset`,
//! `source_ip`. Hive partition folders (`source=cloudtrail/date=2026-10-05/`) give their columns to the rows below
//! them. Columns the files lack are empty; text may be plain strings; times any unit of timestamp.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{bundle, IngestError, LoadOptions};
use crate::frame::schema::Kind;
use crate::frame::store::LoadReport;
use crate::frame::{Col, EventStore};
use crate::query::parse::{Pattern, Query, TermKind};

/// The files of a dataset, each with the partition values its folders give it.
#[derive(Debug)]
pub struct Dataset {
    pub files: Vec<(PathBuf, Vec<(String, String)>)>,
}

/// Files Spark, Hadoop and Athena leave beside the data.
fn is_marker(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('_') || name.starts_with('.') || name.ends_with(".crc")
}

fn is_parquet_file(p: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(p)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && &magic == b"PAR1"
}

/// The dataset `paths` are, or `None` when they are a bundle of logs.
pub fn detect(paths: &[PathBuf]) -> Option<Dataset> {
    let files: Vec<PathBuf> = bundle::walk(paths)
        .ok()?
        .into_iter()
        .filter(|f| !is_marker(f))
        .collect();
    if files.is_empty() || !files.iter().all(|f| is_parquet_file(f)) {
        return None;
    }
    let names = file_columns(&files[0])?;
    let has = |c: &str| names.iter().any(|n| n == c);
    let keyed = ["identity", "token", "asset", "source_ip"]
        .iter()
        .filter(|c| has(c))
        .count();
    if !(has("time") && has("action") && keyed >= 2) {
        return None;
    }
    let files = files
        .into_iter()
        .map(|f| {
            let parts = partitions(&f, paths);
            (f, parts)
        })
        .collect();
    Some(Dataset { files })
}

fn file_columns(p: &Path) -> Option<Vec<String>> {
    let mut lf = LazyFrame::scan_parquet(PlRefPath::try_from_path(p).ok()?, scan_args()).ok()?;
    let schema = lf.collect_schema().ok()?;
    Some(schema.iter_names().map(|n| n.to_string()).collect())
}

/// `key=value` folders between the root the file was found under and the file.
fn partitions(file: &Path, roots: &[PathBuf]) -> Vec<(String, String)> {
    let Some(rel) = roots
        .iter()
        .find_map(|r| file.strip_prefix(r).ok())
        .and_then(|r| r.parent())
    else {
        return Vec::new();
    };
    rel.components()
        .filter_map(|c| {
            let s = c.as_os_str().to_str()?;
            let (k, v) = s.split_once('=')?;
            let v = if v == "__HIVE_DEFAULT_PARTITION__" {
                ""
            } else {
                v
            };
            Some((k.to_string(), unescape(v)))
        })
        .collect()
}

/// A Hive folder value with its `%XX` escapes undone.
fn unescape(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One file as the frame's columns, in the frame's order and types: missing columns empty, a partition column from
/// its folder.
fn conformed(file: &Path, parts: &[(String, String)], frame: &Schema) -> PolarsResult<LazyFrame> {
    let path = PlRefPath::try_from_path(file)?;
    let mut lf = LazyFrame::scan_parquet(path, scan_args())?;
    let schema = lf.collect_schema()?;
    let exprs: Vec<Expr> = Col::ALL
        .iter()
        .map(|c| {
            let name = c.name();
            let target = frame.get(name).cloned().unwrap_or(DataType::String);
            let e = if schema.contains(name) {
                polars::prelude::col(name)
            } else if let Some((_, v)) = parts.iter().find(|(k, _)| k == name) {
                lit(v.clone())
            } else {
                lit(NULL)
            };
            let e = match c.kind() {
                // Through String first: any text type (and a partition's literal) becomes the global dictionary.
                Kind::Cat => e.cast(DataType::String).cast(target),
                _ => e.cast(target),
            };
            e.alias(name)
        })
        .collect();
    Ok(lf.select(exprs))
}

/// One named file each (no globbing: a folder may be named `logs[1]`), partitions given by heist.
fn scan_args() -> ScanArgsParquet {
    ScanArgsParquet {
        glob: false,
        hive_options: HiveOptions::new_disabled(),
        ..ScanArgsParquet::default()
    }
}

/// The positive terms of `q` as a predicate the scan can apply: a superset of the query's rows (the query itself
/// is applied to what is read, with its exact semantics). Terms it cannot express (negations, networks, raw text,
/// bare words) are left to that second step.
pub fn pushdown(q: &Query) -> Option<Expr> {
    let mut all: Option<Expr> = None;
    for t in q.terms.iter().filter(|t| !t.negated) {
        let e = match &t.kind {
            TermKind::Field { col, any_of } => {
                let text = || polars::prelude::col(col.name()).cast(DataType::String);
                let mut one: Option<Expr> = None;
                for p in any_of {
                    let e = match p {
                        Pattern::Exact(v) => text().str().to_lowercase().eq(lit(v.to_lowercase())),
                        Pattern::Glob(_, re) | Pattern::Regex(re) => {
                            text().str().contains(lit(re.as_str().to_string()), true)
                        }
                        Pattern::Cidr(_) => {
                            one = None;
                            break;
                        }
                    };
                    one = Some(match one {
                        Some(prev) => prev.or(e),
                        None => e,
                    });
                }
                match one {
                    Some(e) => e,
                    None => continue,
                }
            }
            TermKind::Time { op, at } => crate::query::compile::time_term(*op, *at),
            _ => continue,
        };
        all = Some(match all {
            Some(prev) => prev.and(e),
            None => e,
        });
    }
    all
}

/// Scan the dataset into a frame: every file's rows that can match `opts.pushdown`, time ordered. A file that does
/// not read is listed and the others load.
pub fn load(ds: &Dataset, opts: &LoadOptions) -> Result<EventStore, IngestError> {
    let mut report = LoadReport::default();
    let filter = opts.pushdown.as_ref().and_then(pushdown);
    // The frame's columns and types, from an empty load: what every file is made to look like.
    let frame_schema = crate::frame::assemble::empty_frame()?
        .schema()
        .as_ref()
        .clone();
    let scan = |file: &Path, parts: &[(String, String)]| {
        let lf = conformed(file, parts, &frame_schema)?;
        match &filter {
            Some(p) => Ok::<_, PolarsError>(lf.filter(p.clone())),
            None => Ok(lf),
        }
    };
    let mut frames = Vec::new();
    let bad = |file: &Path, e: PolarsError, report: &mut LoadReport| {
        report.unreadable.push(crate::frame::store::FileIssue {
            origin: file.display().to_string(),
            reason: format!("a Parquet file of the dataset that does not read: {e}"),
        })
    };
    for (file, parts) in &ds.files {
        report.bytes_read += std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        match scan(file, parts) {
            Ok(lf) => frames.push((file, parts, lf)),
            Err(e) => bad(file, e, &mut report),
        }
    }
    let sort = SortMultipleOptions::default().with_maintain_order(true);
    let all = concat(
        frames
            .iter()
            .map(|(_, _, lf)| lf.clone())
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )
    .and_then(|lf| lf.sort([Col::Time.name()], sort.clone()).collect());
    let frame = match all {
        Ok(f) => {
            report.dataset_files = frames.len();
            f
        }
        Err(_) if !frames.is_empty() => {
            // One file spoils the union: read each alone, list the ones that fail.
            let mut good = Vec::new();
            for (file, _, lf) in &frames {
                match lf.clone().collect() {
                    Ok(df) => good.push(df.lazy()),
                    Err(e) => bad(file, e, &mut report),
                }
            }
            report.dataset_files = good.len();
            if good.is_empty() {
                crate::frame::assemble::empty_frame()?
            } else {
                concat(good, UnionArgs::default())?
                    .sort([Col::Time.name()], sort)
                    .collect()?
            }
        }
        Err(_) => crate::frame::assemble::empty_frame()?,
    };
    Ok(EventStore::new(frame, Vec::new(), report))
}

#[cfg(test)]
mod tests;
