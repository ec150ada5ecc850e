//! The timeline's view model: the visible window of the current view's events, each row's cells fitted to its
//! column, with the case's mark and the findings' flag before its time; and the sparkline over the view's time.

use heist_core::case::Case;
use heist_core::case::TimeZone;
use heist_core::detect::{Flags, Severity};
use heist_core::entities::EntityKind;
use heist_core::export::report::fmt_time;
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventKey};
use heist_core::util::time::fmt_time_in;

use super::text::{clean, fit, fit_id, width, window_start};
use crate::app::trail::View;

pub const TIMELINE_COLUMNS: [&str; 8] = [
    "time", "source", "action", "outcome", "identity", "token", "asset", "ip",
];

/// Which timeline column holds each kind of entity (the cells an analyst can pivot on).
pub fn cell_column(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Identity => 4,
        EntityKind::Token => 5,
        EntityKind::Asset => 6,
        EntityKind::Ip => 7,
    }
}

pub struct TimelineRow {
    /// The cells of `TIMELINE_COLUMNS`; the time cell without the marks before it.
    pub cells: Vec<String>,
    pub failed: bool,
    /// In the case: marked (`●` before the time), or annotated without a mark (`✎`).
    pub marked: bool,
    /// The case's mark: `●`, `✎` or a space.
    pub case_mark: char,
    /// The most severe finding flagging the event (`⚑` / `⚐` after the case's mark).
    pub flag: Option<Severity>,
}

/// Columns the marks take before a row's time: the case's, the findings', a space.
pub const MARK_WIDTH: usize = 3;

/// The case's mark before a timeline row's time: marked, annotated but not marked, or nothing.
fn case_flag(case: Option<&Case>, key: Option<&EventKey>) -> (char, bool) {
    match (case, key) {
        (Some(c), Some(k)) => match c.event(k) {
            Some(n) if n.marked => ('●', true),
            Some(_) => ('✎', false),
            None => (' ', false),
        },
        _ => (' ', false),
    }
}

pub struct TimelineVm {
    pub rows: Vec<TimelineRow>,
    /// Index of the selected row within `rows`.
    pub selected: Option<usize>,
    pub total: usize,
    pub first_row: usize,
    pub cell_column: usize,
}

/// The widest cell of each column among the rows `height` rows of the timeline show (display columns): what the
/// columns are sized to, so a key column is as wide as the keys on screen and an empty column takes no room.
pub fn content_widths(v: &View, height: usize) -> [usize; 8] {
    let mut out = [0usize; 8];
    let Some(d) = &v.data else { return out };
    let start = window_start(v.timeline_sel, v.events_len(), height);
    let slice = d.events.slice(start as i64, height);
    let Ok(r) = FrameReader::new(&slice) else {
        return out;
    };
    let cols = [
        None,
        Some(Col::Source),
        Some(Col::Action),
        Some(Col::ErrorCode),
        Some(Col::Identity),
        Some(Col::Token),
        Some(Col::Asset),
        Some(Col::SourceIp),
    ];
    for i in 0..r.height() {
        for (c, col) in cols.iter().enumerate() {
            let Some(col) = col else { continue };
            let w = match (col, r.text(Col::Outcome, i)) {
                // The outcome column shows `✗ CODE` for failures, the outcome word otherwise.
                (Col::ErrorCode, Some("failure")) => {
                    2 + r.text(*col, i).map_or(7, |t| width(&clean(t)))
                }
                (Col::ErrorCode, o) => o.map_or(0, |t| width(&clean(t))),
                _ => r.text(*col, i).map_or(0, |t| width(&clean(t))),
            };
            out[c] = out[c].max(w);
        }
    }
    out
}

/// The visible slice of the current view's events. `widths` (one per column, 0 = as is) fits each cell (the
/// time column's width includes the marks). Marked events carry `●` before their time, events a finding flags
/// `⚑` (high, critical) or `⚐`.
pub fn timeline(
    v: &View,
    height: usize,
    tz: TimeZone,
    widths: &[usize],
    case: Option<&Case>,
    flags: &Flags,
) -> TimelineVm {
    let mut vm = TimelineVm {
        rows: Vec::new(),
        selected: None,
        total: v.events_len(),
        first_row: 0,
        cell_column: cell_column(v.cell),
    };
    let Some(d) = &v.data else { return vm };
    let start = window_start(v.timeline_sel, vm.total, height);
    let slice = d.events.slice(start as i64, height);
    let Ok(r) = FrameReader::new(&slice) else {
        return vm;
    };
    for i in 0..r.height() {
        let text = |c: Col| r.text(c, i).map(clean).unwrap_or_default();
        let failed = r.text(Col::Outcome, i) == Some("failure");
        let outcome = match r.text(Col::Outcome, i) {
            Some("failure") => r
                .text(Col::ErrorCode, i)
                .map(|e| format!("✗ {}", clean(e)))
                .unwrap_or_else(|| "✗ failure".into()),
            Some(o) => clean(o),
            None => String::new(),
        };
        let key = EventKey::of_row(&r, i);
        let (case_mark, marked) = case_flag(case, key.as_ref());
        let flag = key.as_ref().and_then(|k| flags.get(k)).map(|f| f.severity);
        let cells: Vec<String> = vec![
            // The full time where the column holds it, else the short form (`10-05 02:13:07`).
            r.time(i)
                .map(|t| match widths.first().copied().unwrap_or(0) {
                    0 => fmt_time(t, tz),
                    w => fmt_time_in(t, tz, w.saturating_sub(MARK_WIDTH)),
                })
                .unwrap_or_default(),
            text(Col::Source),
            text(Col::Action),
            outcome,
            text(Col::Identity),
            text(Col::Token),
            text(Col::Asset),
            text(Col::SourceIp),
        ];
        let cells = cells
            .into_iter()
            .enumerate()
            .map(|(c, text)| {
                let w = widths.get(c).copied().unwrap_or(0);
                let w = if c == 0 && w > 0 {
                    w.saturating_sub(MARK_WIDTH).max(1)
                } else {
                    w
                };
                // What tells them apart: an identity's and an asset's tail (`…/model-00003-of-00006.bin`), a
                // token's and an address's head and tail (`AKIA…STOLEN7CI`).
                match c {
                    4 | 6 => fit(&text, w, true),
                    5 | 7 => fit_id(&text, w),
                    _ => fit(&text, w, false),
                }
            })
            .collect();
        vm.rows.push(TimelineRow {
            cells,
            failed,
            marked,
            case_mark,
            flag,
        });
    }
    vm.first_row = start;
    if vm.total > 0 {
        vm.selected = Some(v.timeline_sel - start);
    }
    vm
}

/// Resample the histogram to `width` columns and mark the selected event's column.
pub fn sparkline(v: &View, width: usize) -> (Vec<u64>, Option<usize>) {
    let Some(d) = &v.data else {
        return (Vec::new(), None);
    };
    if width == 0 || d.histogram.is_empty() {
        return (Vec::new(), None);
    }
    let n = d.histogram.len();
    let mut out = vec![0u64; width];
    for (i, c) in d.histogram.iter().enumerate() {
        out[i * width / n] += c;
    }
    let marker = d.span.and_then(|(first, last)| {
        let r = FrameReader::new(&d.events).ok()?;
        let t = r.time(v.timeline_sel)?;
        let span = (last - first).max(1) as i128;
        Some(
            (((t - first) as i128 * (width as i128 - 1)) / span).clamp(0, width as i128 - 1)
                as usize,
        )
    });
    (out, marker)
}
