//! The frame as a Parquet dataset (`heist convert`): Hive-partitioned folders of zstd Parquet files that DuckDB,
//! Spark, Athena / Trino read as they are, and that heist opens again (see `ingest::dataset`).
//!
//! Every column of the frame is written (docs/schema.md), text as plain strings (no dictionary a reader must know),
//! `time` as a UTC timestamp in microseconds (what Spark and Athena read; the logs heist reads carry at most
//! microseconds but GCP's nanoseconds, which are cut). Partition columns are in the folder names, not in the files,
//! as Hive lays them out: `source=cloudtrail/date=2026-10-05/part-0.parquet`.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::frame::schema::Kind;
use crate::frame::Col;

/// How the files are split into folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKey {
    /// The `source` column (`cloudtrail`, `bedrock`, ...).
    Source,
    /// The UTC date of `time` (`2026-10-05`), a column of the folders only.
    Date,
}

impl PartitionKey {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "source" => Ok(Self::Source),
            "date" => Ok(Self::Date),
            other => Err(format!(
                "cannot partition by {other:?}: heist partitions by `source` and / or `date`"
            )),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Date => "date",
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub rows: usize,
    pub files: Vec<PathBuf>,
}

const DEFAULT_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// The frame's columns as they are written: text as strings, time in microseconds.
fn portable(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let exprs: Vec<Expr> = Col::ALL
        .iter()
        .map(|c| {
            let e = col(c.name());
            match (c, c.kind()) {
                (Col::Time, _) => e.cast(DataType::Datetime(
                    TimeUnit::Microseconds,
                    Some(TimeZone::UTC),
                )),
                (_, Kind::Cat) => e.cast(DataType::String),
                _ => e,
            }
        })
        .collect();
    let date = col(Col::Time.name())
        .dt()
        .strftime("%Y-%m-%d")
        .fill_null(lit(DEFAULT_PARTITION))
        .alias("date");
    frame
        .clone()
        .lazy()
        .select(exprs)
        .with_column(date)
        .collect()
}

/// Write `frame` under `dir` (a new or empty folder), split into folders by `keys` (none: one file).
pub fn write(frame: &DataFrame, dir: &Path, keys: &[PartitionKey]) -> Result<Written, String> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{}: the folder is not empty; convert writes into a new or empty folder so nothing is overwritten",
                dir.display()
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let df = portable(frame).map_err(|e| e.to_string())?;
    let names: Vec<&str> = keys.iter().map(|k| k.name()).collect();
    // Each distinct combination of the partition values, in order.
    let groups = if names.is_empty() {
        None
    } else {
        let g = df
            .clone()
            .lazy()
            .select(names.iter().map(|n| col(*n)).collect::<Vec<_>>())
            .unique_stable(None, UniqueKeepStrategy::First)
            .sort(names.clone(), SortMultipleOptions::default())
            .collect()
            .map_err(|e| e.to_string())?;
        Some(g)
    };
    let mut written = Written {
        rows: df.height(),
        files: Vec::new(),
    };
    let Some(groups) = groups else {
        let mut whole = df.drop("date").map_err(|e| e.to_string())?;
        let path = dir.join("part-0.parquet");
        write_file(&mut whole, &path)?;
        written.files.push(path);
        return Ok(written);
    };
    for i in 0..groups.height() {
        let mut folder = dir.to_path_buf();
        let mut pred: Option<Expr> = None;
        for n in &names {
            let v = groups
                .column(n)
                .and_then(|c| c.str().map(|s| s.get(i).map(str::to_string)))
                .map_err(|e| e.to_string())?;
            let e = match &v {
                Some(v) => col(*n).eq(lit(v.clone())),
                None => col(*n).is_null(),
            };
            pred = Some(match pred {
                Some(p) => p.and(e),
                None => e,
            });
            folder.push(format!("{n}={}", path_value(v.as_deref())));
        }
        let mut part = df
            .clone()
            .lazy()
            .filter(pred.unwrap_or(lit(true)))
            .drop(Selector::ByName {
                names: names.iter().map(|n| PlSmallStr::from(*n)).collect(),
                strict: true,
            })
            .collect()
            .map_err(|e| e.to_string())?;
        if part.get_column_names().iter().any(|c| c.as_str() == "date") {
            part = part.drop("date").map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let path = folder.join("part-0.parquet");
        write_file(&mut part, &path)?;
        written.files.push(path);
    }
    Ok(written)
}

/// A partition value as a folder name: Hive's default partition for none, `/` and other unsafe bytes escaped as
/// Hive escapes them (`%2F`).
fn path_value(v: Option<&str>) -> String {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        return DEFAULT_PARTITION.to_string();
    };
    v.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c.to_string()
            } else {
                let mut b = [0u8; 4];
                c.encode_utf8(&mut b)
                    .bytes()
                    .map(|x| format!("%{x:02X}"))
                    .collect()
            }
        })
        .collect()
}

fn write_file(df: &mut DataFrame, path: &Path) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
        .finish(df)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests;
