//! The loaded bundle, cached: the normalised frame as Parquet (zstd), its categorical columns as ids with their
//! text in a second Parquet file (see [`text`]), and what is not an event (the files and their locators for
//! re-reading raw records, errors, skipped files) as JSON beside them, in the data dir's `cache/`.
//!
//! A cache entry is keyed by the bundle as given (the paths, and each file's path, size and modification time),
//! heist's version, the frame's schema, the load options and the formats' definitions: anything that could change
//! the frame changes the key. An entry is trusted only when its side file names the same key and schema, its
//! Parquet file reads, holds exactly the columns and types a fresh load makes, and has the rows the side file says.
//! Anything else (a corrupt, truncated, foreign or older entry) is ignored and written again. The evidence is never
//! touched: the cache lives in the data dir only.
//!
//! A load that skips files for a query (`Prefilter`) is partial and never written; it still reads a full entry
//! when one exists. After a write, the oldest entries (by last use) go until the cache fits its size cap.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::formats;
use super::{bundle, LoadOptions};
use crate::frame::assemble::empty_frame;
use crate::frame::store::{FileIssue, Layer, LoadReport, LocKind, Locator, RecordError};
use crate::frame::{Col, EventStore, FileInfo};

/// Bumped whenever what a cache entry holds, or how it is read, changes.
pub const CACHE_VERSION: u32 = 2;

/// Rows per Parquet row group of an entry: each is encoded whole in memory while it is written.
const ROW_GROUP: usize = 1 << 17;

/// The default size cap of the cache folder.
pub const DEFAULT_MAX_BYTES: u64 = 4 << 30;

/// Where the cache lives and how big it may grow.
#[derive(Debug, Clone)]
pub struct Cache {
    pub dir: PathBuf,
    pub max_bytes: u64,
    /// The entry format's version (tests give another to see an older entry rebuilt).
    pub version: u32,
}

impl Cache {
    /// The cache in `data_dir/cache`, capped at `max_bytes`.
    pub fn in_data_dir(data_dir: &Path, max_bytes: u64) -> Self {
        Cache {
            dir: data_dir.join("cache"),
            max_bytes,
            version: CACHE_VERSION,
        }
    }
}

/// Environment variable capping the cache folder, in megabytes (default 4096).
pub const MAX_MB_ENV: &str = "HEIST_CACHE_MAX_MB";

/// The cache of this machine's data dir (`HEIST_DATA_DIR` moves it), capped by `HEIST_CACHE_MAX_MB`; `None` when
/// there is no data dir.
pub fn default_cache() -> Option<Cache> {
    let max = std::env::var(MAX_MB_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_MAX_BYTES, |mb| mb.saturating_mul(1 << 20));
    crate::case::location::data_dir().map(|d| Cache::in_data_dir(&d, max))
}

/// What the cache did for a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The frame came from the cache.
    Hit,
    /// The bundle was read and the cache written.
    Written,
    /// The bundle was read; the cache was not written, and why (a partial load, no cache dir).
    NotWritten(String),
    /// An entry was there but could not be trusted (it was read again and replaced), and why.
    Rebuilt(String),
}

/// A cache entry to write once the store is shown ([`super::load_cached_later`]).
#[derive(Debug, Clone)]
pub struct PendingWrite {
    pub cache: Cache,
    pub key: String,
    /// Why the entry that was there was not trusted.
    pub distrusted: Option<String>,
}

impl PendingWrite {
    /// Write `store` as the entry: what the cache did.
    pub fn write(self, store: &EventStore) -> Outcome {
        match write(&self.cache, &self.key, store) {
            Ok(()) => self.distrusted.map_or(Outcome::Written, Outcome::Rebuilt),
            Err(e) => Outcome::NotWritten(format!("writing it failed: {e}")),
        }
    }
}

/// The key of the bundle `paths` loaded with `opts`, and the files it walks (`None` when a path cannot be walked:
/// the load will say why).
pub fn key(cache: &Cache, paths: &[PathBuf], opts: &LoadOptions) -> Option<String> {
    let files = bundle::walk(paths).ok()?;
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update(s.as_bytes());
        h.update([0u8]);
    };
    put(&format!(
        "heist-cache {} {}",
        cache.version,
        env!("CARGO_PKG_VERSION")
    ));
    put(&schema_fingerprint());
    put(&format!("dedupe {}", opts.dedupe));
    // A file refused by a limit is not in the frame: other limits make another frame.
    let l = opts.limits;
    put(&format!("limits {} {}", l.max_file, l.max_bundle));
    for f in formats::registry() {
        put(f.id());
    }
    for f in &opts.extra_formats {
        put(&f.fingerprint());
    }
    // Origins are shown relative to the paths as given, and files are found again from the working directory.
    if paths.iter().any(|p| p.is_relative()) {
        put(&std::env::current_dir().ok()?.to_string_lossy());
    }
    for p in paths {
        put(&p.to_string_lossy());
    }
    for f in &files {
        let m = fs::metadata(f).ok()?;
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        put(&format!("{}\t{}\t{mtime}", f.to_string_lossy(), m.len()));
    }
    Some(format!("{:x}", h.finalize()))
}

fn schema_fingerprint() -> String {
    Col::ALL
        .iter()
        .map(|c| format!("{}:{:?}", c.name(), c.kind()))
        .collect::<Vec<_>>()
        .join(",")
}

fn frame_path(cache: &Cache, key: &str) -> PathBuf {
    cache.dir.join(format!("{key}.parquet"))
}

/// The text of the frame's categorical columns (see [`text`]).
fn text_path(cache: &Cache, key: &str) -> PathBuf {
    cache.dir.join(format!("{key}.text.parquet"))
}

fn meta_path(cache: &Cache, key: &str) -> PathBuf {
    cache.dir.join(format!("{key}.json"))
}

/// Everything of an `EventStore` that is not the frame.
#[derive(Serialize, Deserialize)]
struct Meta {
    version: u32,
    key: String,
    schema: String,
    rows: usize,
    files: Vec<FileMeta>,
    errors: Vec<(String, String)>,
    error_count: usize,
    unreadable: Vec<(String, String)>,
    skipped: Vec<(String, String)>,
    duplicates: usize,
    merged: usize,
    bytes_read: u64,
    /// The bundle's SHA-256 (the case binding's), once a session has computed it: see [`confirm`].
    #[serde(default)]
    sha256: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct FileMeta {
    origin: String,
    format: String,
    index: bool,
    fs_path: PathBuf,
    /// `gunzip`, `zip:NAME`, `tar:NAME`.
    layers: Vec<String>,
    size: u64,
    events: usize,
    errors: usize,
}

/// The cached store of `key`, if there is one to trust. `Err` says why an entry that was there is not used.
pub fn read(cache: &Cache, key: &str, opts: &LoadOptions) -> Result<Option<EventStore>, String> {
    let meta_file = meta_path(cache, key);
    let frame_file = frame_path(cache, key);
    let text_file = text_path(cache, key);
    if !meta_file.exists() || !frame_file.exists() || !text_file.exists() {
        return Ok(None);
    }
    let meta: Meta = fs::read(&meta_file)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| format!("its description could not be read ({e})"))?;
    if meta.version != cache.version || meta.key != key || meta.schema != schema_fingerprint() {
        return Err("it was written by another heist or for another bundle".into());
    }
    let frame = read_frame(&frame_file, &text_file)?;
    if frame.height() != meta.rows {
        return Err(format!(
            "it holds {} rows where {} were written",
            frame.height(),
            meta.rows
        ));
    }
    let files = meta
        .files
        .iter()
        .map(|f| file_info(f, opts))
        .collect::<Result<Vec<_>, _>>()?;
    let issue = |(origin, reason): &(String, String)| FileIssue {
        origin: origin.clone(),
        reason: reason.clone(),
    };
    let report = LoadReport {
        errors: meta
            .errors
            .iter()
            .map(|(origin, message)| RecordError {
                origin: origin.clone(),
                message: message.clone(),
            })
            .collect(),
        error_count: meta.error_count,
        unreadable: meta.unreadable.iter().map(issue).collect(),
        skipped: meta.skipped.iter().map(issue).collect(),
        duplicates: meta.duplicates,
        merged: meta.merged,
        prefiltered: 0,
        dataset_files: 0,
        cache_entry: Some(meta_file.clone()),
        bytes_read: meta.bytes_read,
    };
    // Last use, for eviction: the oldest unused entry goes first.
    if let Ok(f) = fs::File::options().append(true).open(&meta_file) {
        let _ = f.set_modified(SystemTime::now());
    }
    Ok(Some(EventStore::new(frame, files, report)))
}

/// A Parquet file of the entry, or why not.
fn read_parquet(path: &Path, what: &str) -> Result<DataFrame, String> {
    let file = fs::File::open(path).map_err(|e| e.to_string())?;
    let run = std::panic::AssertUnwindSafe(|| ParquetReader::new(file).finish());
    match std::panic::catch_unwind(run) {
        Ok(Ok(df)) => Ok(df),
        Ok(Err(e)) => Err(format!("its {what} could not be read ({e})")),
        Err(_) => Err(format!(
            "its {what} could not be read (the Parquet reader gave up)"
        )),
    }
}

/// The frame of a cache entry, with the column types a fresh load makes, or why not.
fn read_frame(path: &Path, text_path: &Path) -> Result<DataFrame, String> {
    let df = read_parquet(path, "frame")?;
    let expected = empty_frame().map_err(|e| e.to_string())?;
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    let want: Vec<&str> = expected
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect();
    if names != want {
        return Err("its columns are not heist's".into());
    }
    let df = text::join(df, &read_parquet(text_path, "text table")?)?;
    let mut cols = Vec::with_capacity(df.width());
    for (c, col) in Col::ALL.iter().zip(df.columns()) {
        let col = col.clone();
        let fresh = expected.column(c.name()).map_err(|e| e.to_string())?;
        if col.dtype() != fresh.dtype() {
            return Err(format!(
                "its column {} is {} where heist makes {}",
                c.name(),
                col.dtype(),
                fresh.dtype()
            ));
        }
        cols.push(col);
    }
    DataFrame::new(df.height(), cols).map_err(|e| e.to_string())
}

fn file_info(f: &FileMeta, opts: &LoadOptions) -> Result<FileInfo, String> {
    let format = formats::registry()
        .iter()
        .map(|x| x.id())
        .chain(opts.extra_formats.iter().map(|x| x.id()))
        .find(|id| *id == f.format)
        .ok_or_else(|| format!("it names a format this heist does not read ({})", f.format))?;
    let layers = f
        .layers
        .iter()
        .map(|l| match l.split_once(':') {
            None if l == "gunzip" => Ok(Layer::Gunzip),
            Some(("zip", n)) => Ok(Layer::ZipEntry(n.to_string())),
            Some(("tar", n)) => Ok(Layer::TarEntry(n.to_string())),
            _ => Err(format!("it names an unknown layer ({l})")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FileInfo {
        origin: f.origin.clone(),
        format,
        loc: if f.index {
            LocKind::Index
        } else {
            LocKind::Line
        },
        locator: Locator {
            fs_path: f.fs_path.clone(),
            layers,
        },
        size: f.size,
        events: f.events,
        errors: f.errors,
    })
}

/// Write `store` as the entry of `key` (atomically: a reader sees the old entry, none, or the whole new one), then
/// evict the oldest entries past the cap.
pub fn write(cache: &Cache, key: &str, store: &EventStore) -> Result<(), String> {
    fs::create_dir_all(&cache.dir).map_err(|e| format!("{}: {e}", cache.dir.display()))?;
    let meta = Meta {
        version: cache.version,
        key: key.to_string(),
        schema: schema_fingerprint(),
        sha256: None,
        rows: store.frame.height(),
        files: store
            .files
            .iter()
            .map(|f| FileMeta {
                origin: f.origin.clone(),
                format: f.format.to_string(),
                index: f.loc == LocKind::Index,
                fs_path: f.locator.fs_path.clone(),
                layers: f
                    .locator
                    .layers
                    .iter()
                    .map(|l| match l {
                        Layer::Gunzip => "gunzip".to_string(),
                        Layer::ZipEntry(n) => format!("zip:{n}"),
                        Layer::TarEntry(n) => format!("tar:{n}"),
                    })
                    .collect(),
                size: f.size,
                events: f.events,
                errors: f.errors,
            })
            .collect(),
        errors: store
            .report
            .errors
            .iter()
            .map(|e| (e.origin.clone(), e.message.clone()))
            .collect(),
        error_count: store.report.error_count,
        unreadable: pairs(&store.report.unreadable),
        skipped: pairs(&store.report.skipped),
        duplicates: store.report.duplicates,
        merged: store.report.merged,
        bytes_read: store.report.bytes_read,
    };
    let mut text = text::text_of(&store.frame).map_err(|e| e.to_string())?;
    let tmp_frame = cache.dir.join(format!(".{key}.parquet.tmp"));
    let tmp_text = cache.dir.join(format!(".{key}.text.parquet.tmp"));
    let tmp_meta = cache.dir.join(format!(".{key}.json.tmp"));
    let written = (|| -> Result<(), String> {
        let writer = |tmp: &Path| -> Result<ParquetWriter<fs::File>, String> {
            let file = fs::File::create(tmp).map_err(|e| e.to_string())?;
            Ok(ParquetWriter::new(file)
                .with_compression(ParquetCompression::Zstd(None))
                .with_row_group_size(Some(ROW_GROUP)))
        };
        writer(&tmp_text)?
            .finish(&mut text.table)
            .map_err(|e| e.to_string())?;
        // The frame a row group at a time: only one slice's ids exist beside the frame while it is written.
        let frame = &store.frame;
        let schema = text
            .ids(&frame.head(Some(0)))
            .map_err(|e| e.to_string())?
            .schema()
            .clone();
        let mut batched = writer(&tmp_frame)?
            .batched(&schema)
            .map_err(|e| e.to_string())?;
        for at in (0..frame.height()).step_by(ROW_GROUP) {
            let mut part = text
                .ids(&frame.slice(at as i64, ROW_GROUP))
                .map_err(|e| e.to_string())?;
            // The writer needs the columns' chunks aligned (a frame read back in row groups has several).
            part.align_chunks();
            batched.write_batch(&part).map_err(|e| e.to_string())?;
        }
        batched.finish().map_err(|e| e.to_string())?;
        let mut f = fs::File::create(&tmp_meta).map_err(|e| e.to_string())?;
        f.write_all(&serde_json::to_vec(&meta).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        f.sync_all().map_err(|e| e.to_string())?;
        // The text and the frame first: a description always names a whole entry.
        fs::rename(&tmp_text, text_path(cache, key)).map_err(|e| e.to_string())?;
        fs::rename(&tmp_frame, frame_path(cache, key)).map_err(|e| e.to_string())?;
        fs::rename(&tmp_meta, meta_path(cache, key)).map_err(|e| e.to_string())?;
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp_frame);
        let _ = fs::remove_file(&tmp_text);
        let _ = fs::remove_file(&tmp_meta);
    }
    written?;
    evict(cache, key);
    Ok(())
}

fn pairs(v: &[FileIssue]) -> Vec<(String, String)> {
    v.iter()
        .map(|i| (i.origin.clone(), i.reason.clone()))
        .collect()
}

/// Remove the least recently used entries (never `keep`) until the cache fits its cap.
fn evict(cache: &Cache, keep: &str) {
    let Ok(dir) = fs::read_dir(&cache.dir) else {
        return;
    };
    // key -> (last use, bytes)
    let mut entries: std::collections::HashMap<String, (SystemTime, u64)> = Default::default();
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        // `KEY.json`, `KEY.parquet`, `KEY.text.parquet` (keys are hex: no dot).
        let Some((k, ext)) = name.split_once('.') else {
            continue;
        };
        if k.is_empty() || !matches!(ext, "parquet" | "json" | "text.parquet") {
            continue;
        }
        let Ok(m) = e.metadata() else { continue };
        let slot = entries
            .entry(k.to_string())
            .or_insert((SystemTime::UNIX_EPOCH, 0));
        slot.1 += m.len();
        if ext == "json" {
            slot.0 = m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        }
    }
    let mut total: u64 = entries.values().map(|e| e.1).sum();
    let mut by_age: Vec<(String, SystemTime, u64)> =
        entries.into_iter().map(|(k, (t, b))| (k, t, b)).collect();
    by_age.sort_by_key(|e| e.1);
    for (k, _, bytes) in by_age {
        if total <= cache.max_bytes {
            break;
        }
        if k == keep {
            continue;
        }
        let _ = fs::remove_file(meta_path(cache, &k));
        let _ = fs::remove_file(frame_path(cache, &k));
        let _ = fs::remove_file(text_path(cache, &k));
        total = total.saturating_sub(bytes);
    }
}

#[cfg(test)]
mod tests;
mod text;

/// What [`confirm`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The entry was made from these very bytes.
    Same,
    /// The entry had no digest yet; it has this one now.
    Recorded,
    /// The bundle's bytes are not those the entry was made from (its files kept their names, sizes and times):
    /// the entry is removed, and the next open reads the bundle.
    Changed,
}

/// Check the entry a store was read from (`meta_file`, see `LoadReport::cache_entry`) against the bundle's SHA-256,
/// which the case binding computes anyway. An entry is found by names, sizes and modification times, which a file
/// changed in place can keep; its digest cannot. The first check records the digest in the entry.
pub fn confirm(meta_file: &Path, sha256: &str) -> Result<Confirmed, String> {
    let text = fs::read(meta_file).map_err(|e| format!("{}: {e}", meta_file.display()))?;
    let mut meta: Meta = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
    match meta.sha256.as_deref() {
        Some(s) if s == sha256 => Ok(Confirmed::Same),
        Some(_) => {
            let _ = fs::remove_file(meta_file.with_extension("parquet"));
            let _ = fs::remove_file(meta_file.with_extension("text.parquet"));
            fs::remove_file(meta_file).map_err(|e| format!("{}: {e}", meta_file.display()))?;
            Ok(Confirmed::Changed)
        }
        None => {
            meta.sha256 = Some(sha256.to_string());
            let tmp = meta_file.with_extension("json.tmp");
            let bytes = serde_json::to_vec(&meta).map_err(|e| e.to_string())?;
            fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
            fs::rename(&tmp, meta_file).map_err(|e| format!("{}: {e}", meta_file.display()))?;
            Ok(Confirmed::Recorded)
        }
    }
}
