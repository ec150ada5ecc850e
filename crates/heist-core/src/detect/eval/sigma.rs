//! Findings of Sigma rules, from the rows the shared pass over the raw records matched (`detect::sigma::engine`).
//!
//! - A plain rule is a `match` rule: each principal's events that follow each other within an hour are one finding.
//! - `| count(field) by a, b > N` with a `timeframe` is a threshold: per group (the values of `by`), a window of
//!   `timeframe` slides over the events; consecutive windows whose count (or distinct count of `field`) passes the
//!   comparison are one finding. Without a timeframe the window is the whole bundle. `<` and `<=` compare each
//!   group's count over the whole bundle (a window that is still filling is not "fewer").
//! - Correlations: `event_count` and `value_count` are the same threshold over the events of their rules, grouped
//!   by `group-by` (aliases resolved per rule); `temporal` is a sequence in any order (every rule matched by the
//!   group within `timespan`), `temporal_ordered` one in the order the rules are listed.

use std::collections::BTreeMap;

use super::explain::{failures, from_ips, what, who};
use super::{Ctx, Key};
use crate::detect::duration;
use crate::detect::finding::Finding;
use crate::detect::rule::{CorrelationOf, Group, Rule, SigmaCorrelationRun, SigmaRun};
use crate::detect::sigma::engine::Hits;
use crate::detect::sigma::fields::JsonRecord;
use crate::detect::sigma::parse::{Cmp, Record};
use crate::detect::DetectError;
use crate::util::time::Nanos;

/// Events of one rule that follow each other within this are one finding.
const MERGE: Nanos = duration::HOUR;
/// Fields shown from the first event's record.
const SHOWN_FIELDS: usize = 4;
/// Longest value shown.
const SHOWN_LEN: usize = 80;

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, s: &SigmaRun) -> Result<Vec<Finding>, DetectError> {
    let Some(hits) = ctx.sigma_hits(&rule.id) else {
        return Ok(Vec::new());
    };
    if let Some(agg) = s.detection.aggregation() {
        let items: Vec<Item> = (0..hits.rows.len())
            .map(|i| Item {
                row: hits.rows[i],
                group: agg
                    .by
                    .iter()
                    .map(|f| hits.value(s, i, f).unwrap_or("").to_string())
                    .collect(),
                value: agg
                    .field
                    .as_ref()
                    .and_then(|f| hits.value(s, i, f).map(str::to_string)),
                rule: 0,
            })
            .collect();
        let span = s.detection.timeframe().map(to_nanos);
        let what_counted = match &agg.field {
            Some(f) => format!("distinct {f}"),
            None => "events".to_string(),
        };
        return thresholds(
            ctx,
            rule,
            &items,
            span,
            (agg.op, agg.value),
            agg.field.is_some(),
            &agg.by,
            &what_counted,
        );
    }
    if !s.generates {
        return Ok(Vec::new());
    }
    matches(ctx, rule, s, hits)
}

fn to_nanos(d: std::time::Duration) -> Nanos {
    Nanos::try_from(d.as_nanos()).unwrap_or(Nanos::MAX)
}

/// Plain rules: per principal, events within an hour of each other are one finding.
fn matches(
    ctx: &Ctx<'_>,
    rule: &Rule,
    s: &SigmaRun,
    hits: &Hits,
) -> Result<Vec<Finding>, DetectError> {
    let mut groups: Vec<(Option<Key>, Vec<u32>)> = Vec::new();
    let mut at: super::FastMap<Option<Key>, usize> = super::FastMap::default();
    for &r in &hits.rows {
        let k = ctx.group_key(Group::Principal, r)?;
        let i = *at.entry(k).or_insert_with(|| {
            groups.push((k, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(r);
    }
    let mut out = Vec::new();
    for (key, rows) in groups {
        let mut start = 0;
        for i in 1..=rows.len() {
            if i == rows.len()
                || ctx.times[rows[i] as usize] - ctx.times[rows[i - 1] as usize] > MERGE
            {
                let part = &rows[start..i];
                let mut why = what(ctx, part)?;
                match key {
                    Some(k) => why += &format!(" by {}", who(ctx, k, part)?),
                    None => why += " by an unnamed caller",
                }
                why += &from_ips(ctx, part)?;
                if let Some(shown) = evidence(ctx, s, part[0]) {
                    why += &format!(" ({shown})");
                }
                why += &failures(ctx, part)?;
                out.push(ctx.finding(rule, key, part, why)?);
                start = i;
            }
        }
    }
    Ok(out)
}

/// The values the rule's fields have in `row`'s record: `eventName=StopLogging, userIdentity.type=Root`.
fn evidence(ctx: &Ctx<'_>, s: &SigmaRun, row: u32) -> Option<String> {
    let text = ctx.raw_records(&[row]).pop().flatten()?;
    let rec = JsonRecord::parse(&text, s.class)?;
    let mut parts = Vec::new();
    for f in s.detection.fields() {
        if parts.len() == SHOWN_FIELDS {
            break;
        }
        let vals = rec.values(&f);
        let Some(v) = vals.first() else {
            continue;
        };
        let mut t = crate::detect::sigma::engine::value_text(v);
        if t.chars().count() > SHOWN_LEN {
            t = t.chars().take(SHOWN_LEN).collect::<String>() + "…";
        }
        parts.push(format!("{f}={t}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// One event a threshold or a correlation counts.
struct Item {
    row: u32,
    /// The group's values (one per group-by field).
    group: Vec<String>,
    /// The counted value (`count(field)`, `value_count`).
    value: Option<String>,
    /// Which of a correlation's rules matched it.
    rule: usize,
}

/// Per group, a window of `span` (the whole bundle when `None`) slides over the items; consecutive windows whose
/// count (distinct `value`s when `distinct`) passes `cond` are one finding.
#[allow(clippy::too_many_arguments)]
fn thresholds(
    ctx: &Ctx<'_>,
    rule: &Rule,
    items: &[Item],
    span: Option<Nanos>,
    cond: (Cmp, f64),
    distinct: bool,
    by: &[String],
    counted: &str,
) -> Result<Vec<Finding>, DetectError> {
    let mut out = Vec::new();
    for (group, mut members) in by_group(items) {
        members.sort_by_key(|it| it.row);
        let t = |it: &Item| ctx.times[it.row as usize];
        let whole = matches!(cond.0, Cmp::Lt | Cmp::Lte) || span.is_none();
        let mut episodes: Vec<(usize, usize, f64)> = Vec::new();
        if whole {
            let n = measure(&members, distinct);
            if cond.0.holds(n, cond.1) && !members.is_empty() {
                episodes.push((0, members.len() - 1, n));
            }
        } else {
            let w = span.unwrap_or(Nanos::MAX);
            let mut lo = 0;
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for hi in 0..members.len() {
                if let Some(v) = members[hi].value.as_deref() {
                    *counts.entry(v).or_default() += 1;
                }
                while t(members[hi]) - t(members[lo]) > w {
                    if let Some(v) = members[lo].value.as_deref() {
                        if let Some(c) = counts.get_mut(v) {
                            *c -= 1;
                            if *c == 0 {
                                counts.remove(v);
                            }
                        }
                    }
                    lo += 1;
                }
                let n = if distinct { counts.len() } else { hi - lo + 1 } as f64;
                if cond.0.holds(n, cond.1) {
                    match episodes.last_mut() {
                        Some(e) if e.1 + 1 >= lo => {
                            e.1 = hi;
                            e.2 = e.2.max(n);
                        }
                        _ => episodes.push((lo, hi, n)),
                    }
                }
            }
        }
        for (a, b, peak) in episodes {
            let rows: Vec<u32> = members[a..=b].iter().map(|it| it.row).collect();
            let main = ctx.group_key(Group::Principal, rows[0])?;
            let mut why = format!(
                "{} {counted}{} {}",
                super::explain::number(peak),
                match span {
                    Some(w) if !whole => format!(" within {}", duration::format(w)),
                    _ => String::new(),
                },
                condition_text(cond),
            );
            why += &group_story(ctx, by, &group, &rows, main)?;
            why += &from_ips(ctx, &rows)?;
            out.push(ctx.finding(rule, main, &rows, why)?);
        }
    }
    Ok(out)
}

/// What a count or a sequence adds to its headline: the group's values (`for user=alice`), what was done, and by
/// whom.
fn group_story(
    ctx: &Ctx<'_>,
    by: &[String],
    group: &[String],
    rows: &[u32],
    main: Option<Key>,
) -> Result<String, DetectError> {
    let mut why = String::new();
    if !by.is_empty() {
        let shown: Vec<String> = by
            .iter()
            .zip(group.iter())
            .map(|(f, v)| format!("{f}={}", if v.is_empty() { "(none)" } else { v }))
            .collect();
        why += &format!(" for {}", shown.join(", "));
    }
    why += &format!("; {}", what(ctx, rows)?);
    if let Some(k) = main {
        why += &format!(" by {}", who(ctx, k, rows)?);
    }
    Ok(why)
}

fn measure(items: &[&Item], distinct: bool) -> f64 {
    if distinct {
        let set: std::collections::BTreeSet<&str> =
            items.iter().filter_map(|i| i.value.as_deref()).collect();
        set.len() as f64
    } else {
        items.len() as f64
    }
}

fn condition_text((op, v): (Cmp, f64)) -> String {
    let op = match op {
        Cmp::Gt => ">",
        Cmp::Gte => ">=",
        Cmp::Lt => "<",
        Cmp::Lte => "<=",
        Cmp::Eq => "=",
    };
    format!("({op} {})", super::explain::number(v))
}

/// Items by group, groups in first-seen order.
fn by_group(items: &[Item]) -> Vec<(Vec<String>, Vec<&Item>)> {
    let mut at: std::collections::HashMap<&[String], usize> = std::collections::HashMap::new();
    let mut out: Vec<(Vec<String>, Vec<&Item>)> = Vec::new();
    for it in items {
        let i = *at.entry(it.group.as_slice()).or_insert_with(|| {
            out.push((it.group.clone(), Vec::new()));
            out.len() - 1
        });
        out[i].1.push(it);
    }
    out
}

/// A correlation rule.
pub(super) fn correlate(
    ctx: &Ctx<'_>,
    rule: &Rule,
    c: &SigmaCorrelationRun,
) -> Result<Vec<Finding>, DetectError> {
    let mut items: Vec<Item> = Vec::new();
    for (ri, id) in c.rules.iter().enumerate() {
        let (Some(hits), Some(run)) = (ctx.sigma_hits(id), ctx.sigma_run(id)) else {
            continue;
        };
        let fields = c.group_by.get(ri).map(Vec::as_slice).unwrap_or(&[]);
        let counted = c.field.get(ri).cloned().flatten();
        for i in 0..hits.rows.len() {
            items.push(Item {
                row: hits.rows[i],
                group: fields
                    .iter()
                    .map(|f| hits.value(run, i, f).unwrap_or("").to_string())
                    .collect(),
                value: counted
                    .as_deref()
                    .and_then(|f| hits.value(run, i, f).map(str::to_string)),
                rule: ri,
            });
        }
    }
    let by: Vec<String> = c.group_by.first().cloned().unwrap_or_default();
    match c.of {
        CorrelationOf::EventCount | CorrelationOf::ValueCount => {
            let Some(cond) = c.condition else {
                return Ok(Vec::new());
            };
            let distinct = c.of == CorrelationOf::ValueCount;
            let counted = match (&c.of, c.field.iter().flatten().next()) {
                (CorrelationOf::ValueCount, Some(f)) => format!("distinct {f}"),
                _ => "events".to_string(),
            };
            thresholds(
                ctx,
                rule,
                &items,
                Some(c.timespan),
                cond,
                distinct,
                &by,
                &counted,
            )
        }
        CorrelationOf::Temporal | CorrelationOf::TemporalOrdered => {
            sequences(ctx, rule, c, &items, &by)
        }
    }
}

/// Per group, windows of `timespan` in which every rule matched (in the listed order for `temporal_ordered`).
fn sequences(
    ctx: &Ctx<'_>,
    rule: &Rule,
    c: &SigmaCorrelationRun,
    items: &[Item],
    by: &[String],
) -> Result<Vec<Finding>, DetectError> {
    let n_rules = c.rules.len();
    let ordered = c.of == CorrelationOf::TemporalOrdered;
    let mut out = Vec::new();
    for (group, mut members) in by_group(items) {
        members.sort_by_key(|it| (it.row, it.rule));
        let t = |it: &Item| ctx.times[it.row as usize];
        let mut lo = 0;
        let mut episodes: Vec<(usize, usize)> = Vec::new();
        for hi in 0..members.len() {
            while t(members[hi]) - t(members[lo]) > c.timespan {
                lo += 1;
            }
            let window = &members[lo..=hi];
            let done = if ordered {
                let mut next = 0;
                for it in window {
                    if next < n_rules && it.rule == next {
                        next += 1;
                    }
                }
                next == n_rules
            } else {
                (0..n_rules).all(|r| window.iter().any(|it| it.rule == r))
            };
            if done {
                match episodes.last_mut() {
                    Some(e) if e.1 + 1 >= lo => e.1 = hi,
                    _ => episodes.push((lo, hi)),
                }
            }
        }
        for (a, b) in episodes {
            let mut rows: Vec<u32> = members[a..=b].iter().map(|it| it.row).collect();
            rows.dedup();
            let main = ctx.group_key(Group::Principal, rows[0])?;
            let mut why = format!(
                "{} of {} rules{} within {}",
                if ordered { "in order, all" } else { "all" },
                n_rules,
                "",
                duration::format(c.timespan)
            );
            why += &group_story(ctx, by, &group, &rows, main)?;
            out.push(ctx.finding(rule, main, &rows, why)?);
        }
    }
    Ok(out)
}
