//! `threshold` rules: per group, a window slides over the matching events (sorted by time; two pointers, one
//! pass). The rule fires while the window's measure is above `above` and/or above `above_baseline` times the
//! group's own rate outside the window. Consecutive windows that fire are one finding (an episode) whose events are
//! the union of those windows, explained with the peak window's numbers.
//!
//! Baseline: the group's measure outside the peak window, spread over the rest of the bundle's time span, per
//! window (`(total - window) * W / (span - W)`), and never below `min_baseline`. A bundle shorter than two windows
//! has no "outside", so `min_baseline` stands in. For `distinct(...)` the group's distinct values outside the window
//! are used, an upper estimate of its usual per-window variety.

use super::FastMap;

use super::explain::{bytes, distinct, number, what, who};
use super::{Ctx, Key, NULL};
use crate::detect::duration;
use crate::detect::finding::Finding;
use crate::detect::rule::{Measure, Rule, SumOf, ThresholdRule};
use crate::detect::DetectError;
use crate::frame::Col;

/// The per-event contribution of a sum measure (0 when unknown).
fn amount(ctx: &Ctx<'_>, of: SumOf, r: usize) -> Result<f64, DetectError> {
    let val = |c: Col| -> Result<f64, DetectError> {
        let v = ctx.nums(c)?[r];
        Ok(if v == u64::MAX { 0.0 } else { v as f64 })
    };
    Ok(match of {
        SumOf::Bytes => val(Col::Bytes)?,
        SumOf::InputTokens => val(Col::InputTokens)?,
        SumOf::OutputTokens => val(Col::OutputTokens)?,
        SumOf::Tokens => val(Col::InputTokens)? + val(Col::OutputTokens)?,
    })
}

/// The window's running measure.
struct Window {
    sum: f64,
    distinct: FastMap<u32, u32>,
}

impl Window {
    fn value(&self, m: Measure) -> f64 {
        match m {
            Measure::Count | Measure::Sum(_) => self.sum,
            Measure::Distinct(_) => self.distinct.len() as f64,
        }
    }
}

struct Episode {
    start: usize,
    end: usize,
    peak: f64,
    peak_baseline: f64,
    peak_from: usize,
    peak_to: usize,
}

pub(super) fn run(
    ctx: &Ctx<'_>,
    rule: &Rule,
    t: &ThresholdRule,
) -> Result<Vec<Finding>, DetectError> {
    let rows = ctx.rows(&t.query)?;
    let groups = ctx.grouped(t.group, &rows)?;
    let span = ctx.span.1 - ctx.span.0;
    let outside = span - t.window;
    let mut out = Vec::new();
    for (key, rows) in groups {
        // What each record adds: 1 (count) or its amount (sum); a record repeating a call already counted in this
        // group adds only what it has beyond that call's largest record (the invocation log's token counts).
        let mut contrib: Vec<f64> = match t.measure {
            Measure::Sum(of) => rows
                .iter()
                .map(|&r| amount(ctx, of, r as usize))
                .collect::<Result<_, _>>()?,
            _ => vec![1.0; rows.len()],
        };
        let joins = ctx.joins()?;
        if joins.has_repeats() {
            let mut best: FastMap<u32, f64> = FastMap::default();
            for (c, &r) in contrib.iter_mut().zip(rows.iter()) {
                let call = joins.primary(r);
                let had = best.get(&call).copied();
                if let Some(h) = had {
                    let add = (*c - h).max(0.0);
                    best.insert(call, h.max(*c));
                    *c = add;
                } else {
                    best.insert(call, *c);
                }
            }
        }
        let vals: Vec<u32> = match t.measure {
            Measure::Distinct(c) => {
                let codes = ctx.codes(c)?;
                rows.iter().map(|&r| codes[r as usize]).collect()
            }
            _ => Vec::new(),
        };
        let total: f64 = match t.measure {
            Measure::Count | Measure::Sum(_) => contrib.iter().sum(),
            Measure::Distinct(_) => {
                let mut all: Vec<u32> = vals.iter().copied().filter(|&v| v != NULL).collect();
                all.sort_unstable();
                all.dedup();
                all.len() as f64
            }
        };
        // The group's rate outside a window holding `v`, per window (0 when the bundle has no outside).
        let baseline = |v: f64| -> f64 {
            if outside >= t.window {
                (total - v).max(0.0) * t.window as f64 / outside as f64
            } else {
                0.0
            }
        };
        let fires = |v: f64, b: f64| {
            t.above.is_none_or(|n| v > n)
                && t.above_baseline
                    .is_none_or(|k| v > k * b.max(t.min_baseline))
        };
        let mut w = Window {
            sum: 0.0,
            distinct: FastMap::default(),
        };
        let mut i = 0;
        let mut ep: Option<Episode> = None;
        let emit = |ep: Episode, out: &mut Vec<Finding>| -> Result<(), DetectError> {
            let part = &rows[ep.start..=ep.end];
            let expl = explain(
                ctx,
                t,
                key,
                &rows[ep.peak_from..=ep.peak_to],
                ep.peak,
                ep.peak_baseline,
                outside >= t.window,
            )?;
            out.push(ctx.finding(rule, Some(key), part, expl)?);
            Ok(())
        };
        for j in 0..rows.len() {
            let tj = ctx.times[rows[j] as usize];
            w.sum += contrib[j];
            if let Some(&v) = vals.get(j) {
                if v != NULL {
                    *w.distinct.entry(v).or_default() += 1;
                }
            }
            while ctx.times[rows[i] as usize] <= tj - t.window {
                w.sum -= contrib[i];
                if let Some(&v) = vals.get(i) {
                    if let Some(n) = w.distinct.get_mut(&v) {
                        *n -= 1;
                        if *n == 0 {
                            w.distinct.remove(&v);
                        }
                    }
                }
                i += 1;
            }
            let v = w.value(t.measure);
            let b = baseline(v);
            if fires(v, b) {
                let e = ep.get_or_insert(Episode {
                    start: i,
                    end: j,
                    peak: v,
                    peak_baseline: b,
                    peak_from: i,
                    peak_to: j,
                });
                e.end = j;
                if v > e.peak {
                    e.peak = v;
                    e.peak_baseline = b;
                    e.peak_from = i;
                    e.peak_to = j;
                }
            } else if let Some(e) = ep.take() {
                emit(e, &mut out)?;
            }
        }
        if let Some(e) = ep.take() {
            emit(e, &mut out)?;
        }
    }
    Ok(out)
}

fn explain(
    ctx: &Ctx<'_>,
    t: &ThresholdRule,
    key: Key,
    peak_rows: &[u32],
    peak: f64,
    baseline: f64,
    has_baseline: bool,
) -> Result<String, DetectError> {
    let win = duration::format(t.window);
    let value = match t.measure {
        Measure::Count => what(ctx, peak_rows)?,
        Measure::Distinct(c) => distinct(ctx, c, peak_rows)?,
        Measure::Sum(SumOf::Bytes) => format!("{} transferred", bytes(peak)),
        Measure::Sum(SumOf::InputTokens) => format!("{} input tokens", number(peak)),
        Measure::Sum(SumOf::OutputTokens) => format!("{} output tokens", number(peak)),
        Measure::Sum(SumOf::Tokens) => format!("{} tokens", number(peak)),
    };
    let shown = |v: f64| match t.measure {
        Measure::Sum(SumOf::Bytes) => bytes(v),
        _ => number(v),
    };
    let mut s = format!("{value} in {win} by {}", who(ctx, key, peak_rows)?);
    let mut limits = Vec::new();
    if let Some(n) = t.above {
        limits.push(format!("threshold {}", shown(n)));
    }
    if let Some(k) = t.above_baseline {
        if has_baseline {
            limits.push(format!(
                "baseline {}/{win}, above x{}",
                shown(baseline),
                number(k)
            ));
        } else {
            limits.push(format!(
                "no baseline: the bundle is shorter than two windows; x{} of the minimum {}",
                number(k),
                shown(t.min_baseline)
            ));
        }
    } else if has_baseline {
        limits.push(format!("baseline {}/{win}", shown(baseline)));
    }
    if !limits.is_empty() {
        s += &format!(" ({})", limits.join("; "));
    }
    Ok(s)
}
