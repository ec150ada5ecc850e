//! `threshold` rules: per group, a window slides over the matching events (sorted by time; two pointers, one
//! pass). The rule fires while the window's measure is above `above` and/or above `above_baseline` times the
//! group's own rate outside the window. Consecutive windows that fire are one finding (an episode) whose events are
//! the union of those windows, explained with the peak window's numbers.
//!
//! Its own past: once a group has `min_history` of events before a window (a day by default), the window fires only
//! above `above_peak` times the busiest window the group had before it (twice, by default): the eval runner that
//! pulls the same weights every night, the admin whose morning look around is always five discovery calls, are not
//! anomalies; the same volume from a key that never did it is. A group with less history fires on the limits
//! alone, and its finding says how short its history was, except while a bundle of three days or more is young:
//! in its first day, and in its first week for an identity there since its first day, everyone's history is short
//! because the logs begin, so the group's later days (`min_history` on) stand in with its earlier ones (a nightly
//! job that moves as much every night is routine from the first night on; an admin's Monday look around shows
//! again the next Monday).
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
use crate::util::time::Nanos;

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
    /// Row `j` enters the window.
    fn enter(&mut self, contrib: &[f64], vals: &[u32], j: usize) {
        self.sum += contrib[j];
        if let Some(&v) = vals.get(j) {
            if v != NULL {
                *self.distinct.entry(v).or_default() += 1;
            }
        }
    }

    /// Row `i` leaves the window.
    fn leave(&mut self, contrib: &[f64], vals: &[u32], i: usize) {
        self.sum -= contrib[i];
        if let Some(&v) = vals.get(i) {
            if let Some(n) = self.distinct.get_mut(&v) {
                *n -= 1;
                if *n == 0 {
                    self.distinct.remove(&v);
                }
            }
        }
    }

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
    /// The group's past at the peak window.
    past: Past,
}

/// What the group's history said when a window fired.
#[derive(Clone, Copy)]
enum Past {
    /// `min_history` or more: its busiest earlier window.
    Peak(f64),
    /// Less history than that: how much.
    Short(Nanos),
    /// Not compared (`above_peak = 0`).
    Off,
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
    let histories = identity_histories(ctx, t, &rows)?;
    // A bundle of three days or more has a first day to learn from.
    let warmup = t.above_peak > 0.0 && span >= 3 * duration::DAY;
    let identity = ctx.codes(Col::Identity)?;
    for (key, rows) in groups {
        let (contrib, vals) = measures(ctx, t, &rows)?;
        // Here since the logs began: its history is short because the logs are, not because it is new.
        let since_start = warmup
            && ctx
                .identity_first_seen(identity[rows[0] as usize])?
                .is_some_and(|f| f < ctx.span.0 + duration::DAY);
        // The history this group's windows are compared with: its identity's, else its own.
        let own;
        let (first_time, history) = match histories.get(&identity[rows[0] as usize]) {
            Some((first, h)) => (*first, h.as_slice()),
            None => {
                own = window_values(ctx, t, &rows, &contrib, &vals);
                (ctx.times[rows[0] as usize], own.as_slice())
            }
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
        // The busiest window of the history that ended before the current one began.
        let mut past_at = 0;
        let mut past_peak = 0.0f64;
        let emit = |ep: Episode, out: &mut Vec<Finding>| -> Result<(), DetectError> {
            let part = &rows[ep.start..=ep.end];
            let expl = explain(ctx, t, key, &rows, &ep, outside >= t.window)?;
            out.push(ctx.finding(rule, Some(key), part, expl)?);
            Ok(())
        };
        for j in 0..rows.len() {
            let tj = ctx.times[rows[j] as usize];
            w.enter(&contrib, &vals, j);
            while ctx.times[rows[i] as usize] <= tj - t.window {
                w.leave(&contrib, &vals, i);
                i += 1;
            }
            let v = w.value(t.measure);
            let b = baseline(v);
            let begins = tj - t.window;
            while past_at < history.len() && history[past_at].0 <= begins {
                past_peak = past_peak.max(history[past_at].1);
                past_at += 1;
            }
            let past = if t.above_peak <= 0.0 {
                Past::Off
            } else if begins - first_time >= t.min_history {
                Past::Peak(past_peak)
            } else {
                Past::Short((begins - first_time).max(0))
            };
            // The busiest window it had at least `min_history` after this one.
            let later_peak = || {
                let later = history.partition_point(|&(te, _)| te < tj + t.min_history);
                history[later..].iter().map(|&(_, x)| x).fold(0.0, f64::max)
            };
            // The first week of a long bundle, for whoever was there from its first day: its history is short
            // because the logs begin, not because the credential is new, and a week's routine (Monday's look
            // around is not Tuesday's) has not shown yet. Its later days stand in with its earlier ones: what it
            // does on other days is routine. An identity that appears later has no such excuse: an intruder's new
            // key is compared with nothing it did afterwards.
            let first_day = warmup && begins < ctx.span.0 + duration::DAY;
            let learning = first_day || (since_start && begins < ctx.span.0 + 7 * duration::DAY);
            let beyond_past = match past {
                Past::Peak(p) if learning => v > t.above_peak * p.max(later_peak()),
                Past::Peak(p) => v > t.above_peak * p,
                Past::Short(_) if learning => v > t.above_peak * later_peak(),
                Past::Short(_) => true,
                Past::Off => true,
            };
            // The organisation's own networks: an engineer pulling weights from the office is not theft.
            let from_usual = t.unless_usual > 0 && fires(v, b) && beyond_past && {
                let mut any = false;
                let mut all = true;
                for &r in &rows[i..=j] {
                    if ctx.text(ctx.codes(Col::SourceIp)?[r as usize]).is_some() {
                        any = true;
                        all &= ctx.is_from_usual_network(r, t.unless_usual)?;
                    }
                }
                any && all
            };
            if fires(v, b) && beyond_past && !from_usual {
                let e = ep.get_or_insert(Episode {
                    start: i,
                    end: j,
                    peak: v,
                    peak_baseline: b,
                    peak_from: i,
                    peak_to: j,
                    past,
                });
                e.end = j;
                if v > e.peak {
                    e.peak = v;
                    e.peak_baseline = b;
                    e.peak_from = i;
                    e.peak_to = j;
                    e.past = past;
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

/// What each of `rows` adds to a window: 1 (count) or its amount (sum), and for `distinct(...)` its value's code. A
/// record repeating a call already counted among `rows` adds only what it has beyond that call's largest record (the
/// invocation log's token counts).
fn measures(
    ctx: &Ctx<'_>,
    t: &ThresholdRule,
    rows: &[u32],
) -> Result<(Vec<f64>, Vec<u32>), DetectError> {
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
    Ok((contrib, vals))
}

/// The value of the window ending at each of `rows` (time order): (that row's time, the measure over the rows
/// within `window` before it).
fn window_values(
    ctx: &Ctx<'_>,
    t: &ThresholdRule,
    rows: &[u32],
    contrib: &[f64],
    vals: &[u32],
) -> Vec<(Nanos, f64)> {
    let mut w = Window {
        sum: 0.0,
        distinct: FastMap::default(),
    };
    let mut i = 0;
    let mut out = Vec::with_capacity(rows.len());
    for j in 0..rows.len() {
        let tj = ctx.times[rows[j] as usize];
        w.enter(contrib, vals, j);
        while ctx.times[rows[i] as usize] <= tj - t.window {
            w.leave(contrib, vals, i);
            i += 1;
        }
        out.push((tj, w.value(t.measure)));
    }
    out
}

/// When an identity's first event was, and the value of its window ending at each of its events.
type IdentityHistory = (Nanos, Vec<(Nanos, f64)>);

/// Each identity's windows over the rule's events, and when its first event was: the history a credential's
/// window is compared with. A console user gets a new session key at every sign-in, a key is rotated: the person
/// or service behind them keeps one history.
fn identity_histories(
    ctx: &Ctx<'_>,
    t: &ThresholdRule,
    rows: &[u32],
) -> Result<FastMap<u32, IdentityHistory>, DetectError> {
    let mut out = FastMap::default();
    if t.above_peak <= 0.0 {
        return Ok(out);
    }
    for (k, rows) in ctx.grouped(crate::detect::rule::Group::Identity, rows)? {
        let (contrib, vals) = measures(ctx, t, &rows)?;
        let first = ctx.times[rows[0] as usize];
        out.insert(
            k.code,
            (first, window_values(ctx, t, &rows, &contrib, &vals)),
        );
    }
    Ok(out)
}

/// The episode's explanation, with its peak window's numbers.
fn explain(
    ctx: &Ctx<'_>,
    t: &ThresholdRule,
    key: Key,
    rows: &[u32],
    ep: &Episode,
    has_baseline: bool,
) -> Result<String, DetectError> {
    let peak_rows = &rows[ep.peak_from..=ep.peak_to];
    let (peak, baseline, past) = (ep.peak, ep.peak_baseline, ep.past);
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
    match past {
        Past::Peak(p) => limits.push(format!("its busiest {win} before: {}", shown(p))),
        Past::Short(h) => limits.push(format!(
            "history {}: too short to know its usual",
            if h > 0 {
                duration::format(h)
            } else {
                "none".to_string()
            }
        )),
        Past::Off => {}
    }
    if !limits.is_empty() {
        s += &format!(" ({})", limits.join("; "));
    }
    Ok(s)
}
