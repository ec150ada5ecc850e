//! Entity tables: one row per identity, token, asset or source IP, with when it was first and last seen, how much it
//! did and failed, how many distinct counterparts it met, its top actions, the bytes it moved and the sources that
//! mention it.

use std::collections::HashMap;
use std::ops::Range;

use polars::prelude::*;

use super::EntityKind;
use crate::frame::assemble::cat_mapping_ref;
use crate::frame::Col;
use crate::query::mask::is_any;
use crate::util::time::Nanos;

/// Counterpart columns counted for every entity (except the entity's own column).
const COUNTERPARTS: &[(Col, &str)] = &[
    (Col::Identity, "identities"),
    (Col::Token, "tokens"),
    (Col::Asset, "assets"),
    (Col::SourceIp, "ips"),
    (Col::UserAgent, "user_agents"),
    (Col::Region, "regions"),
];

/// How many top actions a row lists.
const TOP_ACTIONS: usize = 3;

/// The column describing an entity's sort: identity_type, token_kind, asset_kind (IPs have none).
fn detail_col(kind: EntityKind) -> Option<Col> {
    match kind {
        EntityKind::Identity => Some(Col::IdentityType),
        EntityKind::Token => Some(Col::TokenKind),
        EntityKind::Asset => Some(Col::AssetKind),
        EntityKind::Ip => None,
    }
}

/// Counterpart column names present in a table of `kind`.
pub fn counterpart_names(kind: EntityKind) -> impl Iterator<Item = &'static str> {
    COUNTERPARTS
        .iter()
        .filter(move |(c, _)| *c != kind.col())
        .map(|(_, n)| *n)
}

/// The entity table of `kind` over the events of `df`, most active first.
///
/// Whether each row is the first record of its call (1) or repeats one (0), and the call's bytes on its first
/// record (the largest any of its records logged; 0 on the repeats).
fn calls_and_bytes(df: &DataFrame) -> PolarsResult<(Vec<u32>, Vec<u64>)> {
    let calls = crate::frame::Calls::build(df)?;
    let n = df.height();
    let bytes: Vec<u64> = match df.column(Col::Bytes.name()) {
        Ok(c) => c
            .cast(&DataType::UInt64)?
            .u64()?
            .iter()
            .map(|b| b.unwrap_or(0))
            .collect(),
        Err(_) => vec![0; n],
    };
    if !calls.has_repeats() {
        return Ok((vec![1; n], bytes));
    }
    let mut primary = vec![1u32; n];
    let mut call_bytes = bytes.clone();
    for r in 0..n as u32 {
        let p = calls.primary(r);
        if p != r {
            primary[r as usize] = 0;
            call_bytes[p as usize] = call_bytes[p as usize].max(bytes[r as usize]);
            call_bytes[r as usize] = 0;
        }
    }
    Ok((primary, call_bytes))
}

/// Columns: `name`, `type`, `first_seen`, `last_seen`, `events` (calls: a call two sources logged counts once), `failures`, `bytes` (each call once), one distinct count per
/// counterpart (`identities`, `tokens`, `assets`, `ips`, `user_agents`, `regions`, minus the entity's own),
/// `top_actions` ("GetObject 120, ListObjects 3") and `sources` ("cloudtrail, s3access").
pub fn entity_table(df: &DataFrame, kind: EntityKind) -> PolarsResult<DataFrame> {
    let key = kind.col();
    let failed = is_any(df, Col::Outcome, &["failure"])?;
    let mut cols: Vec<Column> = Vec::new();
    let mut wanted = vec![key, Col::Time, Col::Bytes, Col::Action, Col::Source];
    wanted.extend(COUNTERPARTS.iter().map(|(c, _)| *c).filter(|&c| c != key));
    for c in &wanted {
        cols.push(df.column(c.name())?.clone());
    }
    cols.push(
        failed
            .with_name("__failed".into())
            .into_series()
            .into_column(),
    );
    // Calls, not records: a call logged by two sources (CloudTrail and the S3 access log, joined by request id)
    // counts once, with the largest byte count any of its records logged, on its first record.
    let (primary, call_bytes) = calls_and_bytes(df)?;
    cols.push(Column::new("__call".into(), primary));
    cols.push(Column::new("__call_bytes".into(), call_bytes));
    let base = DataFrame::new(df.height(), cols)?;

    let aggs = vec![
        col(Col::Time.name()).min().alias("first_seen"),
        col(Col::Time.name()).max().alias("last_seen"),
        col("__call").sum().cast(DataType::UInt64).alias("events"),
        col("__failed")
            .sum()
            .cast(DataType::UInt64)
            .alias("failures"),
        col("__call_bytes")
            .sum()
            .cast(DataType::UInt64)
            .alias("bytes"),
    ];
    // `type` (the entity's first non-null kind) comes from one pass over the rows below: a per-group
    // `drop_nulls().first()` is the slow generic path when there are hundreds of thousands of groups.
    let order = [
        "name",
        "first_seen",
        "last_seen",
        "events",
        "failures",
        "bytes",
        "__key",
    ];
    let grouped = base
        .clone()
        .lazy()
        .filter(col(key.name()).is_not_null())
        // Group on the dictionary codes; only the group keys become strings.
        .group_by([col(key.name())])
        .agg(aggs)
        .with_columns([
            col(key.name()).cast(DataType::String).alias("name"),
            col(key.name()).alias("__key"),
        ])
        .select(order.iter().map(|n| col(*n)).collect::<Vec<_>>())
        .sort_by_exprs(
            [col("events"), col("name")],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;

    let actions = pairs(&base, key, Col::Action)?;
    let sources = pairs(&base, key, Col::Source)?;
    let mapping = cat_mapping_ref();
    let name_of = |code: u32| mapping.cat_to_str(code).unwrap_or("");
    let keys = grouped.column("__key")?.cat32()?.physical().clone();
    let mut top = Vec::with_capacity(grouped.height());
    let mut srcs = Vec::with_capacity(grouped.height());
    for code in keys.iter() {
        let code = code.unwrap_or(u32::MAX);
        top.push(ranked(actions.get(&code), TOP_ACTIONS, true, &name_of));
        srcs.push(ranked(sources.get(&code), usize::MAX, false, &name_of));
    }
    let mut out = grouped.drop("__key")?;
    let types: Vec<Option<&str>> = match detail_col(kind) {
        Some(d) => {
            let first = first_per_key(df, key, d)?;
            keys.iter()
                .map(|k| {
                    let code = *first.get(k? as usize)?;
                    (code != u32::MAX).then(|| name_of(code))
                })
                .collect()
        }
        None => vec![None; keys.len()],
    };
    out.with_column(Column::new("type".into(), types))?;
    let mut cols: Vec<&str> = vec!["name", "type"];
    cols.extend(order[1..order.len() - 1].iter().copied());
    let mut out = out.select(cols)?;
    // Distinct counterparts per entity: sorting the (entity, counterpart) code pairs once per column is far
    // cheaper than a per-group n_unique when there are hundreds of thousands of entities (assets, IPs).
    for (c, n) in COUNTERPARTS.iter().filter(|(c, _)| *c != key) {
        let counts = distinct_per_key(df, key, *c)?;
        let v: Vec<u64> = keys
            .iter()
            .map(|k| {
                k.and_then(|k| counts.get(k as usize))
                    .map_or(0, |&n| u64::from(n))
            })
            .collect();
        out.with_column(Column::new((*n).into(), v))?;
    }
    out.with_column(Column::new("top_actions".into(), top))?;
    out.with_column(Column::new("sources".into(), srcs))?;
    Ok(out)
}

/// key code -> the code of the first non-null `other` beside it, in frame (time) order, as a dense table indexed by
/// code (`u32::MAX`: none).
fn first_per_key(df: &DataFrame, key: Col, other: Col) -> PolarsResult<Vec<u32>> {
    let k = df.column(key.name())?.cat32()?.physical();
    let o = df.column(other.name())?.cat32()?.physical();
    let mut out: Vec<u32> = Vec::new();
    for (k, o) in k.iter().zip(o.iter()) {
        let (Some(k), Some(o)) = (k, o) else { continue };
        let k = k as usize;
        if k >= out.len() {
            out.resize(k + 1, u32::MAX);
        }
        if out[k] == u32::MAX {
            out[k] = o;
        }
    }
    Ok(out)
}

/// key code -> how many distinct non-null values of `other` appear with it, as a dense table indexed by code.
fn distinct_per_key(df: &DataFrame, key: Col, other: Col) -> PolarsResult<Vec<u32>> {
    let pairs = code_pairs(df, key, other)?;
    let max = pairs.last().map_or(0, |p| (p >> 32) as usize + 1);
    let mut out = vec![0u32; max];
    let mut prev = u64::MAX;
    for p in pairs {
        if p != prev {
            out[(p >> 32) as usize] += 1;
            prev = p;
        }
    }
    Ok(out)
}

/// Every non-null (key code, other code) pair of two dictionary columns, as `key << 32 | other`, sorted.
fn code_pairs(df: &DataFrame, key: Col, other: Col) -> PolarsResult<Vec<u64>> {
    use rayon::slice::ParallelSliceMut;
    let k = df.column(key.name())?.cat32()?.physical();
    let o = df.column(other.name())?.cat32()?.physical();
    let mut pairs: Vec<u64> = k
        .iter()
        .zip(o.iter())
        .filter_map(|(k, o)| Some((u64::from(k?) << 32) | u64::from(o?)))
        .collect();
    pairs.par_sort_unstable();
    Ok(pairs)
}

type Pairs = HashMap<u32, Vec<(u32, u64)>, foldhash::fast::FixedState>;

/// key code -> [(other code, count)], from the sorted code pairs (no string is built per row).
fn pairs(df: &DataFrame, key: Col, other: Col) -> PolarsResult<Pairs> {
    let sorted = code_pairs(df, key, other)?;
    let mut out = Pairs::default();
    let mut i = 0;
    while i < sorted.len() {
        let p = sorted[i];
        let n = sorted[i..].iter().take_while(|&&q| q == p).count();
        out.entry((p >> 32) as u32)
            .or_default()
            .push(((p & 0xffff_ffff) as u32, n as u64));
        i += n;
    }
    Ok(out)
}

/// "A 3, B 1" (with counts, most first) or "a, b" (names only, alphabetical).
fn ranked(
    v: Option<&Vec<(u32, u64)>>,
    max: usize,
    counts: bool,
    name: &dyn Fn(u32) -> &'static str,
) -> String {
    let Some(v) = v else { return String::new() };
    let mut v: Vec<(&str, u64)> = v.iter().map(|&(c, n)| (name(c), n)).collect();
    if counts {
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v.iter()
            .take(max)
            .map(|(a, n)| format!("{a} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.iter().map(|(a, _)| *a).collect::<Vec<_>>().join(", ")
    }
}

/// One entity-table row as plain values, for the CLI, the export and view models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRow {
    pub name: String,
    /// identity_type / token_kind / asset_kind.
    pub detail: Option<String>,
    pub first_seen: Option<Nanos>,
    pub last_seen: Option<Nanos>,
    pub events: u64,
    pub failures: u64,
    pub bytes: u64,
    /// (counterpart, distinct count), in table order.
    pub counterparts: Vec<(&'static str, u64)>,
    pub top_actions: String,
    pub sources: String,
}

/// Rows `range` of an entity table (clamped to its height).
pub fn entity_rows(
    t: &DataFrame,
    kind: EntityKind,
    range: Range<usize>,
) -> PolarsResult<Vec<EntityRow>> {
    let end = range.end.min(t.height());
    let start = range.start.min(end);
    let name = t.column("name")?.str()?;
    let detail = t.column("type")?.str()?;
    let first = t.column("first_seen")?.datetime()?.physical();
    let last = t.column("last_seen")?.datetime()?.physical();
    let events = t.column("events")?.u64()?;
    let failures = t.column("failures")?.u64()?;
    let bytes = t.column("bytes")?.u64()?;
    let top = t.column("top_actions")?.str()?;
    let sources = t.column("sources")?.str()?;
    let cps: Vec<(&'static str, &UInt64Chunked)> = counterpart_names(kind)
        .map(|n| Ok((n, t.column(n)?.u64()?)))
        .collect::<PolarsResult<_>>()?;
    Ok((start..end)
        .map(|i| EntityRow {
            name: name.get(i).unwrap_or("").to_string(),
            detail: detail.get(i).map(str::to_string),
            first_seen: first.get(i),
            last_seen: last.get(i),
            events: events.get(i).unwrap_or(0),
            failures: failures.get(i).unwrap_or(0),
            bytes: bytes.get(i).unwrap_or(0),
            counterparts: cps
                .iter()
                .map(|(n, c)| (*n, c.get(i).unwrap_or(0)))
                .collect(),
            top_actions: top.get(i).unwrap_or("").to_string(),
            sources: sources.get(i).unwrap_or("").to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{load_bytes, LoadOptions};

    fn ct(name: &str, key: &str, ip: &str, t: &str, err: bool, bucket_key: &str) -> String {
        let err = if err {
            r#","errorCode":"AccessDenied""#
        } else {
            ""
        };
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"ua","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","accountId":"1","accessKeyId":"{key}"}},"requestParameters":{{"bucketName":"b","key":"{bucket_key}"}},"additionalEventData":{{"bytesTransferredOut":10}},"eventID":"{t}{name}"{err}}}"#
        )
    }

    #[test]
    fn token_table_counts_and_ranks() {
        let lines = [
            ct(
                "GetObject",
                "AKIA1",
                "1.1.1.1",
                "2024-01-01T00:00:00Z",
                false,
                "k1",
            ),
            ct(
                "GetObject",
                "AKIA1",
                "2.2.2.2",
                "2024-01-01T00:01:00Z",
                false,
                "k2",
            ),
            ct(
                "PutObject",
                "AKIA1",
                "2.2.2.2",
                "2024-01-01T00:02:00Z",
                true,
                "k2",
            ),
            ct(
                "GetObject",
                "ASIA2",
                "2.2.2.2",
                "2024-01-01T00:03:00Z",
                false,
                "k1",
            ),
        ]
        .join("\n");
        let s = load_bytes(
            "t.jsonl",
            lines.as_bytes().to_vec(),
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(s.report.error_count, 0, "{:?}", s.report.errors);
        let t = entity_table(&s.frame, EntityKind::Token).unwrap();
        let rows = entity_rows(&t, EntityKind::Token, 0..10).unwrap();
        assert_eq!(rows.len(), 2);
        let a = &rows[0];
        assert_eq!(a.name, "AKIA1");
        assert_eq!(a.detail.as_deref(), Some("long_term"));
        assert_eq!((a.events, a.failures), (3, 1));
        assert_eq!(a.bytes, 30, "bytes as logged, summed");
        assert_eq!(
            crate::util::time::format_utc(a.first_seen.unwrap()),
            "2024-01-01T00:00:00Z"
        );
        assert_eq!(
            crate::util::time::format_utc(a.last_seen.unwrap()),
            "2024-01-01T00:02:00Z"
        );
        let cp: HashMap<_, _> = a.counterparts.iter().copied().collect();
        assert_eq!(cp["ips"], 2);
        assert_eq!(cp["assets"], 2);
        assert_eq!(cp["identities"], 1);
        assert!(!cp.contains_key("tokens"));
        assert_eq!(a.top_actions, "GetObject 2, PutObject 1");
        assert_eq!(a.sources, "cloudtrail");
        assert_eq!(rows[1].name, "ASIA2");
        assert_eq!(rows[1].detail.as_deref(), Some("session"));

        let ips = entity_table(&s.frame, EntityKind::Ip).unwrap();
        let rows = entity_rows(&ips, EntityKind::Ip, 0..10).unwrap();
        assert_eq!(rows[0].name, "2.2.2.2");
        assert_eq!(rows[0].events, 3);
        assert_eq!(rows[0].detail, None);
        let cp: HashMap<_, _> = rows[0].counterparts.iter().copied().collect();
        assert_eq!(cp["tokens"], 2);
    }

    #[test]
    fn empty_frame_gives_empty_tables() {
        let s = load_bytes("e.jsonl", Vec::new(), &LoadOptions::default()).unwrap();
        for k in EntityKind::ALL {
            let t = entity_table(&s.frame, k).unwrap();
            assert_eq!(t.height(), 0);
            assert!(entity_rows(&t, k, 0..5).unwrap().is_empty());
        }
    }
}
