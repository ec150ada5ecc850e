//! Loading a bundle into the event frame: walk, open containers, sniff each file's format, parse in parallel,
//! assemble. Progress is reported through atomics so a UI can draw it while the load runs on another thread.

pub mod budget;
pub(crate) mod buffers;
pub mod bundle;
pub mod cache;
pub mod csv;
pub mod dataset;
pub mod doc;
pub mod formats;
pub mod jsonscan;
pub mod mapping;
pub mod parquet;
pub mod prefilter;
pub mod progress;
pub mod raw;
pub mod text;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use thiserror::Error;

use crate::frame::assemble::assemble_spilled;
use crate::frame::spill::Spill;
use crate::frame::store::{FileIssue, LoadReport, RecordError};
use crate::frame::{EventBatch, EventStore, FileInfo};
use bundle::{Leaf, Opened};
use doc::Probe;
pub use prefilter::Prefilter;
pub use progress::Progress;

#[derive(Debug, Error)]
pub enum IngestError {
    #[error("{path}: {source}")]
    Input {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no input paths given")]
    NoInput,
    #[error("building the event frame: {0}")]
    Frame(#[from] polars::error::PolarsError),
    #[error("load cancelled")]
    Cancelled,
}

/// How to load.
#[derive(Clone)]
pub struct LoadOptions {
    /// Drop events already loaded from another file (same source and event id, or same raw bytes).
    pub dedupe: bool,
    /// Skip files, and records of JSON files, whose bytes cannot hold what the query looks for.
    pub prefilter: Option<Prefilter>,
    /// Formats beyond the built-in ones (mapping files), tried after them.
    pub extra_formats: Vec<Arc<dyn formats::Format>>,
    /// What the load may read and hold (see [`budget`]).
    pub limits: budget::Limits,
    /// The query the load is for, when only its rows are wanted: a Parquet dataset (see [`dataset`]) is scanned
    /// for the rows that can match it. A bundle of logs is loaded whole (its prefilter skips files).
    pub pushdown: Option<crate::query::Query>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            dedupe: true,
            prefilter: None,
            extra_formats: Vec::new(),
            limits: budget::Limits::default(),
            pushdown: None,
        }
    }
}

impl LoadOptions {
    /// Options with the mappings shipped in `assets/mappings/` added.
    pub fn with_builtin_mappings() -> Self {
        let extra_formats = mapping::builtin()
            .into_iter()
            .map(|m| Arc::new(formats::mapped::Mapped::new(m)) as Arc<dyn formats::Format>)
            .collect();
        Self {
            extra_formats,
            ..Self::default()
        }
    }
}

/// What one leaf file became.
enum LeafOutcome {
    Parsed {
        batch: Box<EventBatch>,
        info: FileInfo,
        errors: Vec<RecordError>,
        merged: usize,
    },
    Unreadable(FileIssue),
    Skipped(FileIssue),
    Prefiltered,
}

/// Load every path into one `EventStore`, from `cache` when it holds this bundle (see [`cache`]), writing it there
/// otherwise. Without a cache, as [`load`].
pub fn load_cached(
    paths: &[PathBuf],
    opts: &LoadOptions,
    progress: &Progress,
    cache: Option<&cache::Cache>,
) -> Result<(EventStore, cache::Outcome), IngestError> {
    let (store, outcome, pending) = load_cached_later(paths, opts, progress, cache)?;
    let outcome = match pending {
        Some(p) => p.write(&store),
        None => outcome,
    };
    Ok((store, outcome))
}

/// As [`load_cached`], but a cache entry to write is handed back instead of written, so a UI can show the bundle
/// first and write the entry after.
pub fn load_cached_later(
    paths: &[PathBuf],
    opts: &LoadOptions,
    progress: &Progress,
    cache: Option<&cache::Cache>,
) -> Result<(EventStore, cache::Outcome, Option<cache::PendingWrite>), IngestError> {
    use cache::Outcome;
    if let Some(ds) = dataset::detect(paths) {
        let store = dataset::load(&ds, opts)?;
        let why = Outcome::NotWritten("a Parquet dataset is scanned as it is, not cached".into());
        return Ok((store, why, None));
    }
    let Some(c) = cache else {
        let store = load(paths, opts, progress)?;
        return Ok((store, Outcome::NotWritten("the cache is off".into()), None));
    };
    let Some(key) = cache::key(c, paths, opts) else {
        let store = load(paths, opts, progress)?;
        let why = Outcome::NotWritten("the bundle could not be listed".into());
        return Ok((store, why, None));
    };
    let mut distrusted = None;
    match cache::read(c, &key, opts) {
        Ok(Some(store)) => {
            let n = store.files.len() as u64;
            progress.files_total.store(n, Ordering::Relaxed);
            progress.files_done.store(n, Ordering::Relaxed);
            progress
                .events
                .store(store.frame.height() as u64, Ordering::Relaxed);
            return Ok((store, Outcome::Hit, None));
        }
        Ok(None) => {}
        Err(why) => distrusted = Some(why),
    }
    let store = load(paths, opts, progress)?;
    if opts.prefilter.is_some() {
        let why = Outcome::NotWritten("a load narrowed to a query is partial".into());
        return Ok((store, why, None));
    }
    let pending = cache::PendingWrite {
        cache: c.clone(),
        key,
        distrusted,
    };
    Ok((
        store,
        Outcome::NotWritten("not written yet".into()),
        Some(pending),
    ))
}

/// What one opened leaf (or failure, or member skipped by design) comes to, keyed by its origin.
fn outcome_of(
    o: Opened,
    opts: &LoadOptions,
    progress: &Progress,
    spill: &Spill,
) -> (String, LeafOutcome) {
    match o {
        Opened::Leaf(leaf) => (leaf.origin.clone(), parse_leaf(leaf, opts, progress, spill)),
        Opened::Failed { origin, reason } => (
            origin.clone(),
            LeafOutcome::Unreadable(FileIssue { origin, reason }),
        ),
        Opened::Skipped { origin, reason } => (
            origin.clone(),
            LeafOutcome::Skipped(FileIssue { origin, reason }),
        ),
    }
}

/// Load every path into one `EventStore`.
pub fn load(
    paths: &[PathBuf],
    opts: &LoadOptions,
    progress: &Progress,
) -> Result<EventStore, IngestError> {
    if paths.is_empty() {
        return Err(IngestError::NoInput);
    }
    if let Some(ds) = dataset::detect(paths) {
        return dataset::load(&ds, opts);
    }
    let walked =
        bundle::walk_all(paths).map_err(|(path, source)| IngestError::Input { path, source })?;
    let files = walked.files;
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    progress
        .files_total
        .store(files.len() as u64, Ordering::Relaxed);
    progress.bytes_total.store(total_bytes, Ordering::Relaxed);
    let budget = budget::Budget::new(opts.limits);
    let spill = Spill::default();

    // Each disk file yields leaves in order; results are kept per disk file so the final order is deterministic.
    let per_file: Vec<(u64, Vec<(String, LeafOutcome)>)> = files
        .par_iter()
        .map(|path| {
            if progress.cancelled() {
                return (0, Vec::new());
            }
            let origin = bundle::display_path(path, paths);
            let out: Mutex<Vec<(String, LeafOutcome)>> = Mutex::new(Vec::new());
            let sink = |o: Opened| {
                progress.leaves_done.fetch_add(1, Ordering::Relaxed);
                let (key, outcome) = outcome_of(o, opts, progress, &spill);
                if let Ok(mut v) = out.lock() {
                    v.push((key, outcome));
                }
            };
            let opener = bundle::Opener {
                budget: &budget,
                sink: &sink,
            };
            let size = opener.open_file(path, origin);
            progress.files_done.fetch_add(1, Ordering::Relaxed);
            progress.bytes_done.fetch_add(size, Ordering::Relaxed);
            let mut v = out.into_inner().unwrap_or_default();
            // Zip and tar members finish in any order; sort by origin for a stable frame.
            v.sort_by(|a, b| a.0.cmp(&b.0));
            (size, v)
        })
        .collect();
    if progress.cancelled() {
        return Err(IngestError::Cancelled);
    }

    let mut report = LoadReport::default();
    let issue = |(p, reason): (PathBuf, String)| FileIssue {
        origin: bundle::display_path(&p, paths),
        reason,
    };
    report
        .unreadable
        .extend(walked.unreadable.into_iter().map(issue));
    report.skipped.extend(walked.skipped.into_iter().map(issue));
    let mut batches = Vec::new();
    let mut infos = Vec::new();
    for (size, leaves) in per_file {
        report.bytes_read += size;
        for (_, outcome) in leaves {
            match outcome {
                LeafOutcome::Parsed {
                    batch,
                    info,
                    errors,
                    merged,
                } => {
                    for e in errors {
                        report.add_error(e);
                    }
                    report.merged += merged;
                    infos.push(info);
                    batches.push(*batch);
                }
                LeafOutcome::Unreadable(i) => report.unreadable.push(i),
                LeafOutcome::Skipped(i) => report.skipped.push(i),
                LeafOutcome::Prefiltered => report.prefiltered += 1,
            }
        }
    }
    progress.assembling.store(true, Ordering::Relaxed);
    let assembled = assemble_spilled(batches, spill, opts.dedupe)?;
    report.duplicates = assembled.duplicates;
    Ok(EventStore::new(assembled.frame, infos, report))
}

/// Load one in-memory file (tests, stdin). `origin` names it in messages.
pub fn load_bytes(
    origin: &str,
    bytes: Vec<u8>,
    opts: &LoadOptions,
) -> Result<EventStore, IngestError> {
    let progress = Progress::default();
    let spill = Spill::default();
    let locator = crate::frame::store::Locator {
        fs_path: PathBuf::from(origin),
        layers: Vec::new(),
    };
    let out: Mutex<Vec<(String, LeafOutcome)>> = Mutex::new(Vec::new());
    let sink = |o: Opened| {
        let (key, outcome) = outcome_of(o, opts, &progress, &spill);
        if let Ok(mut v) = out.lock() {
            v.push((key, outcome));
        }
    };
    let budget = budget::Budget::new(opts.limits);
    let opener = bundle::Opener {
        budget: &budget,
        sink: &sink,
    };
    opener.expand(bytes, budget.empty(), origin.to_string(), locator);
    // Archive members finish in any order; sort by origin for a stable frame, as `load` does.
    let mut outcomes = out.into_inner().unwrap_or_default();
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    let mut report = LoadReport::default();
    let mut batches = Vec::new();
    let mut infos = Vec::new();
    for (_, outcome) in outcomes {
        match outcome {
            LeafOutcome::Parsed {
                batch,
                info,
                errors,
                merged,
            } => {
                errors.into_iter().for_each(|e| report.add_error(e));
                report.merged += merged;
                infos.push(info);
                batches.push(*batch);
            }
            LeafOutcome::Unreadable(i) => report.unreadable.push(i),
            LeafOutcome::Skipped(i) => report.skipped.push(i),
            LeafOutcome::Prefiltered => report.prefiltered += 1,
        }
    }
    let assembled = assemble_spilled(batches, spill, opts.dedupe)?;
    report.duplicates = assembled.duplicates;
    Ok(EventStore::new(assembled.frame, infos, report))
}

fn parse_leaf(leaf: Leaf, opts: &LoadOptions, progress: &Progress, spill: &Spill) -> LeafOutcome {
    let Leaf {
        origin,
        locator,
        bytes,
        held,
    } = leaf;
    let out = parse_bytes(origin, locator, &bytes, held, opts, progress, spill);
    // The file's buffer serves the next file this thread reads.
    buffers::give(bytes);
    out
}

fn parse_bytes(
    origin: String,
    locator: crate::frame::store::Locator,
    bytes: &[u8],
    mut held: budget::Held,
    opts: &LoadOptions,
    progress: &Progress,
    spill: &Spill,
) -> LeafOutcome {
    let size = bytes.len() as u64;
    if let Some(reason) = formats::skip_reason(&origin) {
        return LeafOutcome::Skipped(FileIssue {
            origin,
            reason: reason.to_string(),
        });
    }
    let decoded = text::decode(bytes);
    if let Some(reason) = decoded.unreadable {
        return LeafOutcome::Unreadable(FileIssue { origin, reason });
    }
    if let std::borrow::Cow::Owned(copy) = &decoded.text {
        // A decoded copy (invalid UTF-8 replaced, a Parquet file's rows as JSON) is held against the budget too,
        // until the file is parsed.
        held.grow(copy.capacity() as u64);
    }
    let text_ref: &str = &decoded.text;
    if let Some(pf) = &opts.prefilter {
        if !pf.may_match(text_ref) {
            return LeafOutcome::Prefiltered;
        }
    }
    let probe = Probe::new(&origin, text_ref);
    let builtin = formats::registry().iter().copied();
    let extra = opts.extra_formats.iter().map(|f| f.as_ref());
    let Some(format) = builtin.chain(extra).find(|f| f.sniff(&probe)) else {
        return LeafOutcome::Unreadable(FileIssue {
            origin: origin.clone(),
            reason: text::unrecognised_reason(&probe, bytes),
        });
    };
    // A load for a query's exact value parses only the records that can hold it: memory follows the answer, not
    // the bundle.
    let probe = probe.keeping(opts.prefilter.as_ref());
    let mut out = formats::ParseOut::new(&origin, probe.loc_kind());
    if let Some(note) = &decoded.lossy_note {
        out.error(0, note.clone());
    }
    format.parse(&probe, &mut out);
    progress
        .events
        .fetch_add(out.batch.len() as u64, Ordering::Relaxed);
    progress
        .errors
        .fetch_add(out.errors.len() as u64, Ordering::Relaxed);
    let info = out.file_info(format.id(), locator, size);
    // The file's text goes to the categorical mapping and its fixed-width columns join the load's (see
    // `frame::spill`): what waits for assembly is compact.
    if let Err(e) = out.batch.spill_into(spill) {
        return LeafOutcome::Unreadable(FileIssue {
            origin,
            reason: format!("could not store its values: {e}"),
        });
    }
    LeafOutcome::Parsed {
        batch: Box::new(out.batch),
        info,
        errors: out.errors,
        merged: out.merged,
    }
}
