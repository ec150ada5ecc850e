//! The work behind effects: loading the bundle, running the rule pack, computing a view (pivot or a finding's
//! events, filter, entity tables, histogram), reading a raw record, opening and saving the case, writing a report.
//! Plain functions: the executor calls them, on the terminal's lanes or inline in the harness.

use std::path::PathBuf;
use std::sync::Arc;

use polars::prelude::*;

use heist_core::case::{self, BundleDigest, Case, CaseError, CaseFile, CaseLocation};
use heist_core::detect::{DetectOptions, Finding, RulePack};
use heist_core::entities::{
    entity_table, Entity, EntityKind, Finder, Lineage, Link, PerKind, PivotEngine,
};
use heist_core::export::{self, BuildOptions, Selection};
use heist_core::frame::{Col, EventStore};
use heist_core::ingest::{self, LoadOptions, Progress};
use heist_core::query::raw::{self, RawProgress};
use heist_core::util::time::Nanos;

use crate::app::findings::Detected;
use crate::app::msg::{CaseOpen, ExportDone, Loaded, Msg};
use crate::app::state::RawText;
use crate::app::trail::{Scope, SortKey, ViewData};

/// Histogram resolution; the sparkline resamples it to its width.
pub const HISTOGRAM_BUCKETS: usize = 240;

/// Load the bundle and prepare what the UI needs from it.
pub fn load(paths: &[PathBuf], opts: &LoadOptions, progress: &Progress) -> Result<Loaded, String> {
    let store = ingest::load(paths, opts, progress).map_err(|e| e.to_string())?;
    prepare(store)
}

/// Load the bundle from `cache` when it holds it, and prepare it; a cache entry to write is handed back, to be
/// written once the bundle is on screen.
pub fn load_cached(
    paths: &[PathBuf],
    opts: &LoadOptions,
    cache: Option<&ingest::cache::Cache>,
    progress: &Progress,
) -> (Result<Loaded, String>, Option<ingest::cache::PendingWrite>) {
    match ingest::load_cached_later(paths, opts, progress, cache) {
        Ok((store, _, pending)) => (prepare(store), pending),
        Err(e) => (Err(e.to_string()), None),
    }
}

/// The lineage over a loaded store: views need it; the finder comes after, on its own (see [`finder`]).
pub fn prepare(store: EventStore) -> Result<Loaded, String> {
    let label = |o: &str, l: u32| store.origin_label(o, l);
    let lineage = Lineage::build(&store.frame, &label).map_err(|e| e.to_string())?;
    Ok(Loaded {
        store: Arc::new(store),
        lineage: Arc::new(lineage),
    })
}

/// The finder's index of every entity name (seconds on a million events, so it is built beside the first view
/// rather than before it).
pub fn finder(store: &EventStore) -> Msg {
    Msg::FinderReady(
        Finder::new(&store.frame)
            .map(Arc::new)
            .map_err(|e| e.to_string()),
    )
}

/// How many hits the finder lists.
pub const FINDER_HITS: usize = 50;

/// The finder's best hits for `pattern` (a fraction of a second over a million names: never on the UI thread).
pub fn search(finder: &Finder, pattern: &str) -> Msg {
    Msg::FinderHits {
        pattern: pattern.to_string(),
        hits: finder.search(pattern, None, FINDER_HITS),
    }
}

/// What the analyst adds to a detection run: end dates, the case's attack scope, the case's training data.
pub struct DetectInputs {
    pub end_dates: Vec<(Entity, Nanos)>,
    pub scope: heist_core::case::CaseScope,
    pub training: Vec<String>,
}

/// Run every enabled rule of `pack` over the bundle; the flags the findings put on events and entities, and their
/// incidents (with the case's scope), are computed here too, once, off the UI thread.
pub fn detect(
    run: u64,
    store: &EventStore,
    lineage: &Lineage,
    pack: &RulePack,
    inputs: DetectInputs,
) -> Msg {
    let rules = pack.rules().iter().filter(|r| r.enabled).count();
    let opts = DetectOptions {
        end_dates: inputs.end_dates,
        ..DetectOptions::default()
    };
    let result = (|| -> Result<Box<Detected>, String> {
        // The case's training data joins the config dir's (which the pack already has).
        let tuned;
        let pack = if inputs.training.is_empty() {
            pack
        } else {
            let mut patterns = RulePack::config_training_data().map_err(|e| e.to_string())?;
            patterns.extend(inputs.training);
            tuned = pack
                .clone()
                .with_training_data(&patterns)
                .map_err(|e| e.to_string())?;
            &tuned
        };
        let detection = heist_core::detect::detect_store_detail(store, pack, &opts)
            .map_err(|e| e.to_string())?;
        let untested = detection.notice();
        let found = detection.findings;
        let scope = if inputs.scope.seeds.is_empty() {
            None
        } else {
            let opts = heist_core::scope::ScopeOptions::default();
            Some(
                heist_core::scope::Scope::build(store, lineage, &inputs.scope.seeds(), &opts)
                    .map_err(|e| format!("the case's attack scope: {e}"))?
                    .with_changes(&inputs.scope.added(), &inputs.scope.dropped()),
            )
        };
        let in_scope = scope.as_ref().map(|s| move |e: &Entity| s.contains(e));
        Detected::new(found, rules)
            .with_untested(untested)
            .grouped(|sorted| {
                heist_core::detect::incident::group(
                    &store.frame,
                    lineage,
                    sorted,
                    in_scope.as_ref().map(|f| f as &dyn Fn(&Entity) -> bool),
                    &heist_core::detect::IncidentOptions::default(),
                )
                .map_err(|e| e.to_string())
            })
            .map(Box::new)
    })();
    Msg::Findings { run, result }
}

/// Walk the attack scope from `seeds` with the default bounds.
pub fn scope(run: u64, store: &EventStore, lineage: &Lineage, seeds: &[Entity]) -> Msg {
    let opts = heist_core::scope::ScopeOptions::default();
    Msg::ScopeReady {
        run,
        result: heist_core::scope::Scope::build(store, lineage, seeds, &opts)
            .map(Box::new)
            .map_err(|e| e.to_string()),
    }
}

/// Compare two entities (their pivots' events, facet by facet).
pub fn compare(
    run: u64,
    store: &EventStore,
    lineage: &Arc<Lineage>,
    a: &Entity,
    b: &Entity,
) -> Msg {
    let engine = PivotEngine::with_lineage(store, lineage.clone());
    Msg::Compared {
        run,
        result: heist_core::entities::compare(&engine, a, b)
            .map(Box::new)
            .map_err(|e| e.to_string()),
    }
}

/// Compute one view, handing each part to `emit` as soon as it is ready: the events and the histogram in
/// `Msg::ViewReady` (the timeline is on screen before any entity table is counted), then the entity table of
/// `first` (the tab on screen) and the others, one `Msg::TableReady` each. Stops early when `emit` says the view is no longer wanted (the analyst moved on).
#[allow(clippy::too_many_arguments)]
pub fn build_view(
    store: &EventStore,
    lineage: &Arc<Lineage>,
    generation: u64,
    scope: &Scope,
    filter: &str,
    sort: SortKey,
    first: EntityKind,
    emit: &mut dyn FnMut(Msg) -> bool,
) {
    let mut progress = |p: RawProgress| {
        emit(Msg::ViewProgress {
            generation,
            files_done: p.files_done,
            files: p.files,
        })
    };
    let data = match build(store, lineage, scope, filter, &mut progress) {
        Ok(data) => data,
        Err(error) => {
            emit(Msg::ViewFailed { generation, error });
            return;
        }
    };
    let events = data.events.clone(); // shares the columns
    if !emit(Msg::ViewReady {
        generation,
        data: Box::new(data),
    }) {
        return;
    }
    // The tables after the events: the timeline is on screen first, the entity tab the analyst is on next.
    let others = EntityKind::ALL.into_iter().filter(|&k| k != first);
    for kind in std::iter::once(first).chain(others) {
        let msg = match table(&events, kind, sort) {
            Ok(table) => Msg::TableReady {
                generation,
                kind,
                table: Box::new(table),
            },
            Err(error) => Msg::ViewFailed { generation, error },
        };
        if !emit(msg) {
            return;
        }
    }
}

fn table(events: &DataFrame, kind: EntityKind, sort: SortKey) -> Result<DataFrame, String> {
    entity_table(events, kind)
        .and_then(|t| sorted(t, sort))
        .map_err(|e| e.to_string())
}

/// The events of a scope before any filter, with the lineage of a pivot and how many rows joined by request id.
struct Scoped {
    events: DataFrame,
    parents: Vec<Link>,
    children: Vec<Link>,
    joined: usize,
}

fn scoped(store: &EventStore, lineage: &Arc<Lineage>, scope: &Scope) -> PolarsResult<Scoped> {
    Ok(match scope {
        Scope::All => Scoped {
            events: store.frame.clone(),
            parents: Vec::new(),
            children: Vec::new(),
            joined: 0,
        },
        Scope::Entity(e) => {
            let engine = PivotEngine::with_lineage(store, lineage.clone());
            let p = engine.pivot(e)?;
            Scoped {
                events: p.events,
                parents: p.parents,
                children: p.children,
                joined: p.joined,
            }
        }
        Scope::Finding(f) => Scoped {
            events: finding_events(&store.frame, f)?,
            parents: Vec::new(),
            children: Vec::new(),
            joined: 0,
        },
    })
}

/// Exactly the events a finding names, in the frame's (time) order.
pub fn finding_events(frame: &DataFrame, f: &Finding) -> PolarsResult<DataFrame> {
    let rows: Vec<IdxSize> = f.rows(frame)?.into_iter().map(|i| i as IdxSize).collect();
    frame.take(&IdxCa::from_vec(PlSmallStr::from_static("rows"), rows))
}

/// A view's events, histogram and lineage, with the entity table of `first` only.
fn build(
    store: &EventStore,
    lineage: &Arc<Lineage>,
    scope: &Scope,
    filter: &str,
    progress: &mut dyn FnMut(RawProgress) -> bool,
) -> Result<ViewData, String> {
    let err = |e: PolarsError| e.to_string();
    let Scoped {
        events,
        parents,
        children,
        joined,
    } = scoped(store, lineage, scope).map_err(err)?;
    let (events, raw_unread) = filtered(store, events, filter, progress)?;
    let (histogram, span) = histogram(&events, HISTOGRAM_BUCKETS).map_err(err)?;
    Ok(ViewData {
        events,
        tables: PerKind::default(),
        histogram,
        span,
        parents,
        children,
        joined,
        raw_unread,
    })
}

/// The events of `events` that `filter` selects (a raw search reads the records back, reporting each file read),
/// and how many a raw search could not read.
fn filtered(
    store: &EventStore,
    events: DataFrame,
    filter: &str,
    progress: &mut dyn FnMut(RawProgress) -> bool,
) -> Result<(DataFrame, usize), String> {
    if filter.trim().is_empty() {
        return Ok((events, 0));
    }
    let q = heist_core::query::parse(filter).map_err(|e| e.to_string())?;
    let s = raw::run(store, &events, &q, progress).map_err(|e| e.to_string())?;
    Ok((s.frame, s.unreadable))
}

fn sorted(t: DataFrame, sort: SortKey) -> PolarsResult<DataFrame> {
    let (by, desc) = match sort {
        SortKey::Events => return Ok(t), // entity_table's own order
        SortKey::Failures => ("failures", true),
        SortKey::FirstSeen => ("first_seen", false),
        SortKey::LastSeen => ("last_seen", true),
        SortKey::Name => ("name", false),
    };
    t.lazy()
        .sort_by_exprs(
            [col(by), col("name")],
            SortMultipleOptions::default().with_order_descending_multi([desc, false]),
        )
        .collect()
}

/// Event counts in `buckets` equal slices of the frame's time span.
/// Counts per bucket, and the time span they cover.
pub type Histogram = (Vec<u64>, Option<(Nanos, Nanos)>);

pub fn histogram(df: &DataFrame, buckets: usize) -> PolarsResult<Histogram> {
    let mut out = vec![0u64; buckets.max(1)];
    let times = df.column(Col::Time.name())?.datetime()?.physical();
    let (Some(first), Some(last)) = (times.min(), times.max()) else {
        return Ok((out, None));
    };
    let span = (last - first).max(1) as i128;
    let n = out.len() as i128;
    for t in times.iter().flatten() {
        let i = (((t - first) as i128 * (n - 1)) / span).clamp(0, n - 1) as usize;
        out[i] += 1;
    }
    Ok((out, Some((first, last))))
}

/// The raw record of the event at (origin, line).
pub fn read_raw(store: &EventStore, origin: &str, line: u32) -> Msg {
    let key = (origin.to_string(), line);
    let text = raw_text(store, origin, line);
    Msg::Raw(RawText { key, text })
}

fn raw_text(store: &EventStore, origin: &str, line: u32) -> Result<String, String> {
    let file = store
        .file(origin)
        .ok_or_else(|| format!("{origin}: not a loaded file"))?;
    // Find the row to learn the record's byte span (the frame keeps offsets, not text).
    let f = &store.frame;
    let o =
        heist_core::query::mask::is_any(f, Col::Origin, &[origin]).map_err(|e| e.to_string())?;
    let lines = f
        .column(Col::Line.name())
        .and_then(|c| c.u32().cloned())
        .map_err(|e| e.to_string())?;
    let l = lines.equal(line);
    let row = f.filter(&(&o & &l)).map_err(|e| e.to_string())?;
    let r = heist_core::frame::access::FrameReader::new(&row).map_err(|e| e.to_string())?;
    if r.height() == 0 {
        return Err(format!("{origin}:{line}: no such event"));
    }
    let offset = r.u64(Col::RawOffset, 0).unwrap_or(0);
    let len = r.u64(Col::RawLen, 0).unwrap_or(0) as u32;
    let raw = ingest::raw::read_record(&file.locator, offset, len)?;
    Ok(ingest::raw::pretty(&raw))
}

/// Check the cached frame against the bundle's digest; a changed bundle is said (its entry is already gone).
pub fn confirm_cache(entry: &std::path::Path, sha256: &str) -> Msg {
    use ingest::cache::{confirm, Confirmed};
    Msg::CacheConfirmed(match confirm(entry, sha256) {
        Ok(Confirmed::Changed) => Some(
            "the bundle's bytes are not those its cached frame was read from (same file names, sizes and times): \
             what is shown may be stale; the cache entry is removed, reopen heist to read the bundle again"
                .into(),
        ),
        Ok(_) => None,
        Err(e) => Some(format!("the cached frame could not be checked against the bundle: {e}")),
    })
}

/// Hash the bundle and open its case (a machine without a data dir keeps it in memory).
pub fn open_case(paths: &[PathBuf], location: &CaseLocation) -> Msg {
    let digest = match case::digest(paths) {
        Ok(d) => Arc::new(d),
        Err(e) => {
            return Msg::CaseOpened(Box::new(CaseOpen {
                digest: None,
                result: Err(format!("the bundle could not be hashed: {e}")),
            }))
        }
    };
    let result = match case::open_exclusive(location, &digest, case::now()) {
        Err(CaseError::NoDataDir) => case::open(&CaseLocation::Memory, &digest, case::now()),
        other => other,
    }
    .map_err(|e| e.to_string());
    Msg::CaseOpened(Box::new(CaseOpen {
        digest: Some(digest),
        result,
    }))
}

/// Write the case, stamped with the time of the save.
pub fn save_case(revision: u64, file: &CaseFile, mut case: Case) -> Msg {
    case.updated = case::now();
    Msg::CaseSaved {
        revision,
        result: file.save(&case).map_err(|e| e.to_string()),
    }
}

/// What an export needs besides the loaded bundle.
pub struct ExportJob {
    pub path: PathBuf,
    pub case: Case,
    pub digest: Arc<BundleDigest>,
    pub view: Option<(Scope, String)>,
    pub title: String,
    pub case_file: Option<String>,
    /// The findings section's findings; `None` when detection had not finished.
    pub findings: Option<Arc<Vec<Finding>>>,
}

/// Build the report and write it (atomically, never inside the bundle).
pub fn export_report(
    store: &EventStore,
    lineage: &Arc<Lineage>,
    paths: &[PathBuf],
    job: ExportJob,
) -> Msg {
    Msg::Exported(write_report(store, lineage, paths, job))
}

fn write_report(
    store: &EventStore,
    lineage: &Arc<Lineage>,
    paths: &[PathBuf],
    job: ExportJob,
) -> Result<ExportDone, String> {
    let err = |e: PolarsError| e.to_string();
    export::check_outside(&job.path, paths).map_err(|e| e.to_string())?;
    let mut raw_unread = 0;
    let selection = match &job.view {
        None => Selection::Marked {
            within: None,
            query: None,
        },
        Some((scope, filter)) => {
            let base = scoped(store, lineage, scope).map_err(err)?.events;
            let (frame, unread) = filtered(store, base, filter, &mut |_| true)?;
            raw_unread = unread;
            let mut q = Vec::new();
            match scope {
                Scope::All => {}
                Scope::Entity(e) => q.push(format!("pivot {e}")),
                Scope::Finding(f) => q.push(format!("finding {}", f.rule)),
            }
            if !filter.trim().is_empty() {
                q.push(filter.trim().to_string());
            }
            Selection::Events {
                frame,
                query: (!q.is_empty()).then(|| q.join(" · ")),
            }
        }
    };
    let opts = BuildOptions {
        title: Some(job.title),
        generated: case::now(),
        case_file: job.case_file,
        ..BuildOptions::default()
    };
    let findings = match job.findings.as_deref() {
        Some(found) => {
            // The case's attack scope makes one incident of the findings touching it.
            let scope = job
                .case
                .attack_scope(store, lineage)
                .transpose()
                .map_err(|e| format!("the case's attack scope: {e}"))?;
            let in_scope = scope.as_ref().map(|s| move |e: &Entity| s.contains(e));
            let grouped = heist_core::detect::incident::group(
                &store.frame,
                lineage,
                found,
                in_scope.as_ref().map(|f| f as &dyn Fn(&Entity) -> bool),
                &heist_core::detect::IncidentOptions::default(),
            )
            .map_err(|e| e.to_string())?;
            export::ReportFindings::grouped(found, &grouped)
        }
        None => export::ReportFindings::default(),
    };
    let report = export::build(
        store,
        lineage,
        &job.digest,
        Some(&job.case),
        selection,
        findings,
        &opts,
    )
    .map_err(|e| e.to_string())?;
    // The file name picks the format, as it does for the analyst's other tools: report.md, events.csv, events.jsonl.
    let text = export::Format::from_path(&job.path).render(&report);
    export::write(&job.path, paths, &text).map_err(|e| e.to_string())?;
    Ok(ExportDone {
        path: job.path,
        events: report.events.len(),
        marked: job.view.is_none(),
        findings: job.findings.map(|f| f.len()),
        raw_unread,
    })
}
