//! `EventStore`: the loaded bundle. The frame plus where every row came from and everything that did not load.

use std::collections::HashMap;
use std::path::PathBuf;

use polars::prelude::DataFrame;

/// How the `line` column of a file's rows reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocKind {
    /// 1-based line number (JSON lines, text logs).
    Line,
    /// 0-based record index inside a JSON document (`Records[i]`, `items[i]`).
    Index,
}

/// One layer between a file on disk and the bytes a parser read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    Gunzip,
    ZipEntry(String),
    TarEntry(String),
}

/// How to read a file's bytes again (for the raw record view) without having kept them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    pub fs_path: PathBuf,
    pub layers: Vec<Layer>,
}

/// A file that produced events (or was read and recognised).
#[derive(Debug, Clone)]
pub struct FileInfo {
    /// Display path inside the bundle, `!/` between an archive and its members.
    pub origin: String,
    pub format: &'static str,
    pub loc: LocKind,
    pub locator: Locator,
    /// Decompressed size in bytes.
    pub size: u64,
    /// Events parsed from this file (before de-duplication).
    pub events: usize,
    /// Malformed records in this file.
    pub errors: usize,
}

/// A record or line that could not be read, with where it was.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordError {
    /// `path:line` or `path[index]`.
    pub origin: String,
    pub message: String,
}

/// A file that heist did not load, and why (unrecognised content, unreadable archive, skipped by design).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileIssue {
    pub origin: String,
    pub reason: String,
}

/// Everything about a load that is not an event.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    /// Malformed records (first `MAX_KEPT_ERRORS` kept in full; `error_count` counts them all).
    pub errors: Vec<RecordError>,
    pub error_count: usize,
    /// Files whose content matches no format, or that could not be opened.
    pub unreadable: Vec<FileIssue>,
    /// Files deliberately not loaded (e.g. Bedrock large-body `data/` objects), counted and named.
    pub skipped: Vec<FileIssue>,
    /// Events dropped because the same event (same source and event id, or same raw bytes) was already loaded.
    pub duplicates: usize,
    /// Partial records merged into one event (e.g. Kubernetes audit stages other than ResponseComplete).
    pub merged: usize,
    /// Files whose bytes could not contain a match for the query's literal, and were not parsed (`events --where`).
    pub prefiltered: usize,
    /// Input bytes read from disk (compressed, as stored).
    pub bytes_read: u64,
    /// Parquet files of an event dataset scanned (`heist convert`'s output, a lake's export): their rows are events
    /// already, with no raw record to read back.
    pub dataset_files: usize,
    /// The load cache's entry this store was read from (its description file), when it was: see
    /// `ingest::cache::confirm`.
    pub cache_entry: Option<std::path::PathBuf>,
}

impl LoadReport {
    pub const MAX_KEPT_ERRORS: usize = 10_000;

    pub fn add_error(&mut self, e: RecordError) {
        self.error_count += 1;
        if self.errors.len() < Self::MAX_KEPT_ERRORS {
            self.errors.push(e);
        }
    }
}

/// The loaded bundle.
pub struct EventStore {
    /// One row per event, sorted by time (ties keep file order), de-duplicated.
    pub frame: DataFrame,
    pub files: Vec<FileInfo>,
    pub report: LoadReport,
    by_origin: HashMap<String, usize>,
}

impl EventStore {
    pub fn new(frame: DataFrame, files: Vec<FileInfo>, report: LoadReport) -> Self {
        let by_origin = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.origin.clone(), i))
            .collect();
        Self {
            frame,
            files,
            report,
            by_origin,
        }
    }

    pub fn file(&self, origin: &str) -> Option<&FileInfo> {
        self.by_origin.get(origin).map(|&i| &self.files[i])
    }

    /// One event as a JSON object: the output columns by name, numbers as numbers, `origin` as `path:line` or
    /// `path[index]` (what `heist events --format jsonl` writes, and the TUI's `Y` copies).
    pub fn event_json(
        &self,
        r: &super::access::FrameReader<'_>,
        row: usize,
    ) -> serde_json::Map<String, serde_json::Value> {
        use super::schema::{Col, Kind};
        use serde_json::Value;
        let mut m = serde_json::Map::new();
        for &c in Col::OUTPUT {
            let v = match c {
                Col::Origin => match (r.text(Col::Origin, row), r.u64(Col::Line, row)) {
                    (Some(o), Some(l)) => Value::String(self.origin_label(o, l as u32)),
                    _ => Value::Null,
                },
                _ => match c.kind() {
                    Kind::U64 | Kind::U32 => r.u64(c, row).map(Value::from).unwrap_or(Value::Null),
                    _ => r.display(c, row).map(Value::String).unwrap_or(Value::Null),
                },
            };
            m.insert(c.name().to_string(), v);
        }
        m
    }

    /// `path:line` for line files, `path[index]` for JSON documents.
    pub fn origin_label(&self, origin: &str, line: u32) -> String {
        match self.file(origin).map(|f| f.loc) {
            Some(LocKind::Index) => format!("{origin}[{line}]"),
            _ => format!("{origin}:{line}"),
        }
    }

    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }
}
