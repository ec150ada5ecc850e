//! From the loaded bundle and the case to a `ReportInput`: which events make the timeline (the marked ones, or a
//! query's), their fields, tags and notes, their raw records (each file re-read once), the entities they involve
//! with bundle-wide activity and token lineage, and the bundle's scope.

use std::collections::{BTreeSet, HashMap, HashSet};

use polars::prelude::*;

use super::report::*;
use super::ExportError;
use crate::case::{BundleDigest, Case, TimeZone};
use crate::entities::{entity_rows, entity_table, Entity, EntityKind, Lineage};
use crate::frame::access::FrameReader;
use crate::frame::{key, Col, EventKey, EventStore};
use crate::ingest::{bundle, text};
use crate::query::mask::is_any;
use crate::util::time::Nanos;

/// How a report is dressed.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub title: Option<String>,
    /// Defaults to the case's time zone, else UTC.
    pub tz: Option<TimeZone>,
    /// Defaults to the case's analyst.
    pub analyst: Option<String>,
    pub generated: Nanos,
    /// At most this many raw records in the appendix.
    pub appendix_limit: usize,
    /// Where the case is saved, to name it in the report.
    pub case_file: Option<String>,
    pub warnings: Vec<String>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            title: None,
            tz: None,
            analyst: None,
            generated: 0,
            appendix_limit: 200,
            case_file: None,
            warnings: Vec::new(),
        }
    }
}

/// Credentials a token minted that the report lists by name; the rest are counted.
const MAX_MINTED_LISTED: usize = 10;
/// Malformed records named in the scope.
const MAX_MALFORMED_LISTED: usize = 10;

/// Which events the timeline holds.
pub enum Selection {
    /// The marked events (only those in `within`, when given: a query narrows the marks).
    Marked {
        within: Option<DataFrame>,
        query: Option<String>,
    },
    /// The events of `frame` (a query's, a view's, or all).
    Events {
        frame: DataFrame,
        query: Option<String>,
    },
}

impl Selection {
    /// The usual choice: the marked events when the case has any, else `filtered` (a query's events, with the
    /// query) or every event.
    pub fn choose(
        case: Option<&Case>,
        all: &DataFrame,
        filtered: Option<(DataFrame, String)>,
    ) -> Self {
        if case.is_some_and(Case::has_marks) {
            let (within, query) = match filtered {
                Some((f, q)) => (Some(f), Some(q)),
                None => (None, None),
            };
            Selection::Marked { within, query }
        } else {
            match filtered {
                Some((frame, q)) => Selection::Events {
                    frame,
                    query: Some(q),
                },
                None => Selection::Events {
                    frame: all.clone(),
                    query: None,
                },
            }
        }
    }
}

/// Build the report.
pub fn build(
    store: &EventStore,
    lineage: &Lineage,
    digest: &BundleDigest,
    case: Option<&Case>,
    selection: Selection,
    findings: ReportFindings,
    opts: &BuildOptions,
) -> Result<ReportInput, ExportError> {
    let mut warnings = opts.warnings.clone();
    let (timeline, basis) = match selection {
        Selection::Marked { within, query } => {
            let set: HashSet<EventKey> = case
                .map(|c| c.marked().into_iter().map(|(k, _)| k.clone()).collect())
                .unwrap_or_default();
            let narrowed = within.is_some();
            let base = within.unwrap_or_else(|| store.frame.clone());
            let m = key::mask(&base, &set)?;
            let timeline = base.filter(&m)?;
            // Marks that name no event of this bundle (a case made on other evidence) must not vanish silently.
            let found = if narrowed {
                key::mask(&store.frame, &set)?.sum().unwrap_or(0) as usize
            } else {
                timeline.height()
            };
            if found < set.len() {
                warnings.push(format!(
                    "{} of the {} marked events are not in this bundle and are not in the timeline",
                    set.len() - found,
                    set.len()
                ));
            }
            (timeline, Basis::Marked { query })
        }
        Selection::Events { frame, query } => (
            frame,
            match query {
                Some(q) => Basis::Query(q),
                None => Basis::All,
            },
        ),
    };
    let (events, omitted) =
        timeline_events(store, case, &timeline, opts.appendix_limit, &mut warnings)?;
    // The case's attack scope; a scope that cannot be walked over this bundle is said, not dropped silently.
    let attack_scope = match case.and_then(|c| c.attack_scope(store, lineage)) {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            warnings.push(format!(
                "the case's attack scope could not be computed: {e}"
            ));
            None
        }
        None => None,
    };
    let entities = involved(store, lineage, case, &timeline)?;
    let entity_notes = case
        .map(|c| {
            c.entities
                .iter()
                .filter(|(_, n)| !n.tags.is_empty() || !n.note.trim().is_empty())
                .map(|(k, n)| EntityAnnotation {
                    kind: k.0.kind,
                    name: k.0.name.clone(),
                    tags: n.tags.iter().cloned().collect(),
                    note: n.note.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ReportInput {
        title: opts
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "Investigation report".into()),
        analyst: opts
            .analyst
            .clone()
            .or_else(|| case.and_then(|c| c.analyst.clone())),
        generated: opts.generated,
        tz: opts
            .tz
            .or(case.map(|c| c.time_zone))
            .unwrap_or(TimeZone::Utc),
        scope: scope(store, digest, opts)?,
        basis,
        entities,
        findings: findings.findings,
        incidents: findings.incidents,
        other: findings.other,
        attack_scope,
        events,
        entity_notes,
        appendix_omitted: omitted,
        warnings,
    })
}

/// The timeline's events with their annotations; raw records for the first `limit`.
fn timeline_events(
    store: &EventStore,
    case: Option<&Case>,
    df: &DataFrame,
    limit: usize,
    warnings: &mut Vec<String>,
) -> Result<(Vec<ReportEvent>, usize), ExportError> {
    let r = FrameReader::new(df)?;
    let mut out = Vec::with_capacity(r.height());
    for row in 0..r.height() {
        let Some(k) = EventKey::of_row(&r, row) else {
            continue;
        };
        let fields = Col::OUTPUT
            .iter()
            .map(|&c| match c {
                Col::Origin => r
                    .text(Col::Origin, row)
                    .map(|o| store.origin_label(o, r.u64(Col::Line, row).unwrap_or(0) as u32)),
                _ => r.display(c, row),
            })
            .collect();
        let note = case.and_then(|c| c.event(&k));
        out.push(ReportEvent {
            time: r.time(row).unwrap_or(0),
            fields,
            marked: case.is_some_and(|c| c.is_marked(&k)),
            tags: note
                .map(|n| n.tags.iter().cloned().collect())
                .unwrap_or_default(),
            note: note.map(|n| n.note.clone()).unwrap_or_default(),
            raw: None,
            key: k,
        });
    }
    // Raw records: each file re-read once for all its events.
    let take = out.len().min(limit);
    let mut by_origin: HashMap<&str, Vec<(usize, u64, u32)>> = HashMap::new();
    for (row, ev) in out.iter_mut().enumerate().take(take) {
        if let Some(o) = r.text(Col::Origin, row) {
            let off = r.u64(Col::RawOffset, row);
            let len = r.u64(Col::RawLen, row).unwrap_or(0) as u32;
            match off {
                Some(off) => by_origin.entry(o).or_default().push((row, off, len)),
                None => ev.raw = Some(Err("the record's place in its file is not known".into())),
            }
        }
    }
    let mut failed = 0;
    for (origin, rows) in by_origin {
        let file = store.file(origin);
        let bytes = match file {
            Some(f) => bundle::reopen(&f.locator),
            None => Err(format!("{origin}: not a loaded file")),
        };
        let decoded = bytes.as_ref().map(|b| text::decode(b));
        for (row, off, len) in rows {
            let raw = match &decoded {
                Ok(d) => {
                    let (start, end) = (off as usize, off as usize + len as usize);
                    d.text.get(start..end).map(crate::ingest::raw::pretty).ok_or_else(|| {
                        format!("bytes {start}..{end} are no longer in {origin}: was the bundle changed?")
                    })
                }
                Err(e) => Err(e.to_string()),
            };
            if raw.is_err() {
                failed += 1;
            }
            out[row].raw = Some(raw);
        }
    }
    if failed > 0 {
        warnings.push(format!(
            "{failed} raw records could not be read again from the bundle; the appendix says which"
        ));
    }
    let omitted = out.len() - take;
    Ok((out, omitted))
}

/// Entity names the timeline's events carry, per kind (plus the credentials they minted or ended).
fn names_in(df: &DataFrame, kind: EntityKind) -> PolarsResult<BTreeSet<String>> {
    let cols: &[Col] = match kind {
        EntityKind::Identity => &[Col::Identity, Col::MintedIdentity],
        EntityKind::Token => &[Col::Token, Col::MintedToken, Col::RevokedToken],
        EntityKind::Asset => &[Col::Asset],
        EntityKind::Ip => &[Col::SourceIp],
    };
    let r = FrameReader::new(df)?;
    let mut out = BTreeSet::new();
    for &c in cols {
        for row in 0..r.height() {
            if let Some(v) = r.text(c, row) {
                if !out.contains(v) {
                    out.insert(v.to_string());
                }
            }
        }
    }
    Ok(out)
}

/// Every entity the timeline involves or the analyst annotated, with bundle-wide activity.
fn involved(
    store: &EventStore,
    lineage: &Lineage,
    case: Option<&Case>,
    timeline: &DataFrame,
) -> Result<Vec<EntitySummary>, ExportError> {
    let mut out = Vec::new();
    for kind in EntityKind::ALL {
        let mut names = names_in(timeline, kind)?;
        if let Some(c) = case {
            names.extend(
                c.entities
                    .keys()
                    .filter(|k| k.0.kind == kind)
                    .map(|k| k.0.name.clone()),
            );
        }
        if names.is_empty() {
            continue;
        }
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        let m = is_any(&store.frame, kind.col(), &list)?;
        let rows = store.frame.filter(&m)?;
        let table = entity_table(&rows, kind)?;
        let mut found: HashMap<String, EntitySummary> = entity_rows(&table, kind, 0..usize::MAX)?
            .into_iter()
            .map(|r| {
                let s = EntitySummary {
                    kind,
                    name: r.name.clone(),
                    detail: r.detail,
                    first: r.first_seen,
                    last: r.last_seen,
                    events: r.events,
                    failures: r.failures,
                    tags: Vec::new(),
                    lineage: Vec::new(),
                    more_minted: 0,
                };
                (r.name, s)
            })
            .collect();
        let mut summaries: Vec<EntitySummary> = names
            .iter()
            .map(|n| {
                found.remove(n).unwrap_or_else(|| EntitySummary {
                    kind,
                    name: n.clone(),
                    detail: None,
                    first: None,
                    last: None,
                    events: 0,
                    failures: 0,
                    tags: Vec::new(),
                    lineage: Vec::new(),
                    more_minted: 0,
                })
            })
            .collect();
        for s in &mut summaries {
            if let Some(c) = case {
                s.tags = c
                    .entity_tags(&Entity::new(kind, s.name.clone()))
                    .into_iter()
                    .map(str::to_string)
                    .collect();
            }
            if kind == EntityKind::Token {
                token_lineage(lineage, s, &names);
            }
        }
        summaries.sort_by(|a, b| {
            (a.first.is_none(), a.first, &a.name).cmp(&(b.first.is_none(), b.first, &b.name))
        });
        out.extend(summaries);
    }
    Ok(out)
}

/// Where a credential came from, what it minted (those not listed as tokens themselves), and when it ended.
fn token_lineage(lineage: &Lineage, s: &mut EntitySummary, listed: &BTreeSet<String>) {
    for m in lineage.minted(&s.name) {
        s.lineage.push(LineageLine {
            relation: Relation::MintedFrom,
            token: m.parent_token.clone(),
            identity: m.parent_identity.clone(),
            action: m.event.action.clone(),
            time: m.event.time,
        });
    }
    let children: Vec<_> = lineage
        .children_of_token(&s.name)
        .into_iter()
        .filter(|l| l.depth == 1)
        .filter(|l| l.token.as_ref().is_none_or(|t| !listed.contains(t)))
        .collect();
    for l in children.iter().take(MAX_MINTED_LISTED) {
        s.lineage.push(LineageLine {
            relation: Relation::Minted,
            token: l.token.clone(),
            identity: l.identity.clone(),
            action: l.minted_by.action.clone(),
            time: l.minted_by.time,
        });
    }
    s.more_minted = children.len().saturating_sub(MAX_MINTED_LISTED);
    for rev in lineage.revocations_of(&s.name) {
        s.lineage.push(LineageLine {
            relation: Relation::EndedBy,
            token: None,
            identity: rev.by_identity.clone(),
            action: rev.event.action.clone(),
            time: rev.event.time,
        });
    }
}

/// The bundle: files with their hashes, sources, counts.
fn scope(
    store: &EventStore,
    digest: &BundleDigest,
    opts: &BuildOptions,
) -> Result<Scope, ExportError> {
    let rep = &store.report;
    let files = digest
        .files
        .iter()
        .map(|d| {
            let leaves: Vec<_> = store
                .files
                .iter()
                .filter(|f| f.locator.fs_path == d.fs_path)
                .collect();
            let formats: BTreeSet<String> = leaves.iter().map(|f| f.format.to_string()).collect();
            let inside =
                |origin: &str| origin == d.path || origin.starts_with(&format!("{}!/", d.path));
            let mut why: Vec<String> = rep
                .unreadable
                .iter()
                .chain(rep.skipped.iter())
                .filter(|i| inside(&i.origin))
                .map(|i| {
                    if i.origin == d.path {
                        i.reason.clone()
                    } else {
                        format!("{}: {}", i.origin, i.reason)
                    }
                })
                .collect();
            why.dedup();
            ScopeFile {
                path: d.path.clone(),
                bytes: d.bytes,
                sha256: d.sha256.clone(),
                formats: formats.into_iter().collect(),
                events: leaves.iter().map(|f| f.events).sum(),
                not_read: (!why.is_empty()).then(|| why.join("; ")),
            }
        })
        .collect();
    let range = crate::query::stats::time_range(&store.frame)?;
    Ok(Scope {
        bundle_sha256: digest.sha256.clone(),
        files,
        sources: sources(&store.frame)?,
        first: range.map(|r| r.0),
        last: range.map(|r| r.1),
        events: store.len(),
        duplicates: rep.duplicates,
        malformed: rep.error_count,
        malformed_examples: rep
            .errors
            .iter()
            .take(MAX_MALFORMED_LISTED)
            .map(|e| (e.origin.clone(), e.message.clone()))
            .collect(),
        skipped: rep.skipped.len(),
        case_file: opts.case_file.clone(),
    })
}

/// Events per source with each source's time range, most events first.
fn sources(df: &DataFrame) -> PolarsResult<Vec<SourceCount>> {
    let g = df
        .clone()
        .lazy()
        .group_by([col(Col::Source.name())
            .cast(DataType::String)
            .alias("source")])
        .agg([
            len().cast(DataType::UInt64).alias("n"),
            col(Col::Time.name()).min().alias("first"),
            col(Col::Time.name()).max().alias("last"),
        ])
        .collect()?;
    let names = g.column("source")?.str()?;
    let n = g.column("n")?.u64()?;
    let first = g.column("first")?.datetime()?.physical();
    let last = g.column("last")?.datetime()?.physical();
    let mut out: Vec<SourceCount> = (0..g.height())
        .filter_map(|i| {
            Some(SourceCount {
                source: names.get(i)?.to_string(),
                events: n.get(i).unwrap_or(0),
                first: first.get(i),
                last: last.get(i),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.source.cmp(&b.source))
    });
    Ok(out)
}
