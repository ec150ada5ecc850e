//! View models: the only place the TUI reads frames. Each slices to the visible window and hands widgets plain,
//! neutralised strings (log content is hostile: control characters and escapes are made visible here).

use heist_core::case::Case;
use heist_core::detect::{Flags, Severity};
use heist_core::entities::table::entity_rows;
use heist_core::entities::{Entity, EntityKind, Link};
use heist_core::frame::access::FrameReader;
use heist_core::frame::{Col, EventKey};
use heist_core::ingest::progress::Snapshot;
use heist_core::util::sanitize::for_terminal;
use heist_core::util::time::{format_local, format_utc, Nanos};

use super::findings::FlaggedEntities;
use super::state::*;
use super::vm_findings;

pub const TIMELINE_COLUMNS: [&str; 8] = [
    "time", "source", "action", "outcome", "identity", "token", "asset", "ip",
];

/// Which timeline column holds each pivotable cell.
pub fn cell_column(c: Cell) -> usize {
    match c {
        Cell::Identity => 4,
        Cell::Token => 5,
        Cell::Asset => 6,
        Cell::Ip => 7,
    }
}

pub fn clean(s: &str) -> String {
    for_terminal(s).into_owned()
}

pub fn fmt_time(t: Nanos, tz: Tz) -> String {
    match tz {
        Tz::Utc => format_utc(t),
        Tz::Local => format_local(t),
    }
}

/// First row of a window of `height` rows that keeps `sel` in view, centred when it can.
pub fn window_start(sel: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    sel.saturating_sub(height / 2).min(len - height)
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

/// An entity's tags as `#a #b` (empty without a case or tags).
pub fn entity_tags(case: Option<&Case>, kind: EntityKind, name: &str) -> String {
    let Some(c) = case else {
        return String::new();
    };
    c.entity_tags(&Entity::new(kind, name))
        .iter()
        .map(|t| format!("#{}", clean(t)))
        .collect::<Vec<_>>()
        .join(" ")
}

pub struct TimelineVm {
    pub rows: Vec<TimelineRow>,
    /// Index of the selected row within `rows`.
    pub selected: Option<usize>,
    pub total: usize,
    pub first_row: usize,
    pub cell_column: usize,
}

/// Fit `s` in `width` chars. Names whose tail says the most (ARNs, object keys, resource paths) keep the tail.
pub fn fit(s: &str, width: usize, keep_tail: bool) -> String {
    let n = s.chars().count();
    if width == 0 || n <= width {
        return s.to_string();
    }
    if keep_tail {
        let tail: String = s.chars().skip(n - (width - 1)).collect();
        format!("…{tail}")
    } else {
        heist_core::util::sanitize::truncate(s, width).into_owned()
    }
}

/// The visible slice of the current view's events. `widths` (one per column, 0 = as is) fits each cell (the
/// time column's width includes the marks). Marked events carry `●` before their time, events a finding flags
/// `⚑` (high, critical) or `⚐`.
pub fn timeline(
    v: &View,
    height: usize,
    tz: Tz,
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
            r.time(i).map(|t| fmt_time(t, tz)).unwrap_or_default(),
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
                fit(&text, w, matches!(c, 4 | 6))
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

pub struct EntityListRow {
    pub name: String,
    /// The most severe finding naming the entity, and its marker (`⚑ high`, or `⚑` in a narrow list).
    pub flag: Option<Severity>,
    pub marker: String,
    /// The analyst's tags, `#a #b`.
    pub tags: String,
    pub detail: String,
    pub first: String,
    pub last: String,
    pub events: u64,
    pub failures: u64,
}

pub struct EntitiesVm {
    pub tab: EntityKind,
    /// Rows per tab; `None` while that table is computed.
    pub counts: [Option<usize>; 4],
    pub rows: Vec<EntityListRow>,
    pub selected: Option<usize>,
    pub total: usize,
    pub sort: &'static str,
    /// A visible row is named by a finding: the list shows a flag column this wide (taken from the names'
    /// width): `⚑ high`, or only `⚑` when the names would be left too little room.
    pub flag_column: usize,
    /// What the list is waiting for (`computing assets…`) while the view or this tab's table is computed.
    pub pending: Option<String>,
}

/// What a view is waiting for, if anything: its events, or the table of the tab on screen.
pub fn pending(v: &View) -> Option<String> {
    if v.data.is_none() {
        Some("computing this view…".into())
    } else if v.table(v.tab).is_none() {
        Some(format!("computing {}…", v.tab.plural()))
    } else {
        None
    }
}

/// Width of the entity list's flag column (`⚑ high`).
pub const FLAG_COLUMN: usize = 6;
/// Names keep at least this much room before the flag column shrinks to its symbol.
const NAME_ROOM: usize = 24;

/// The visible rows of the current entity tab; names fit `name_width` (less the flag column when it shows).
pub fn entities(
    v: &View,
    height: usize,
    name_width: usize,
    tz: Tz,
    case: Option<&Case>,
    flagged: &FlaggedEntities,
) -> EntitiesVm {
    let counts = EntityKind::ALL.map(|k| v.table(k).map(|t| t.height()));
    let total = counts[kind_index(v.tab)].unwrap_or(0);
    let mut vm = EntitiesVm {
        tab: v.tab,
        counts,
        rows: Vec::new(),
        selected: None,
        total,
        sort: v.sort.label(),
        flag_column: 0,
        pending: pending(v),
    };
    let Some(t) = v.table(v.tab) else { return vm };
    let sel = v.entity_sel[kind_index(v.tab)];
    let start = window_start(sel, total, height);
    let Ok(rows) = entity_rows(t, v.tab, start..start + height) else {
        return vm;
    };
    if rows.iter().any(|r| flagged.get(v.tab, &r.name).is_some()) {
        vm.flag_column = if name_width == 0 || name_width > NAME_ROOM + FLAG_COLUMN {
            FLAG_COLUMN
        } else {
            1
        };
    }
    let name_width = match vm.flag_column {
        0 => name_width,
        w if name_width > 0 => name_width.saturating_sub(w + 1).max(1),
        _ => name_width,
    };
    vm.rows = rows
        .into_iter()
        .map(|r| EntityListRow {
            flag: flagged.get(v.tab, &r.name),
            marker: match vm.flag_column {
                1 => vm_findings::flag_char(flagged.get(v.tab, &r.name)).to_string(),
                _ => vm_findings::entity_marker(flagged.get(v.tab, &r.name)),
            },
            tags: entity_tags(case, v.tab, &r.name),
            name: fit(
                &clean(&r.name),
                name_width,
                matches!(v.tab, EntityKind::Identity | EntityKind::Asset),
            ),
            detail: r
                .detail
                .as_deref()
                .map(short_detail)
                .unwrap_or_default()
                .to_string(),
            first: r.first_seen.map(|t| fmt_time(t, tz)).unwrap_or_default(),
            last: r.last_seen.map(|t| fmt_time(t, tz)).unwrap_or_default(),
            events: r.events,
            failures: r.failures,
        })
        .collect();
    if total > 0 {
        vm.selected = Some(sel - start);
    }
    vm
}

/// Long-term keys apart from session keys, at a glance.
fn short_detail(d: &str) -> &str {
    match d {
        "long_term" => "LONG-TERM",
        "session" => "session",
        "role_session" => "session",
        other => other,
    }
}

/// The detail pane: a titled list of lines.
pub struct DetailVm {
    pub title: String,
    pub lines: Vec<String>,
}

fn field(label: &str, v: Option<String>) -> Option<String> {
    v.map(|v| format!("{label:<15} {v}"))
}

fn link_lines(out: &mut Vec<String>, links: &[Link], up: bool, tz: Tz) {
    for l in links {
        let who = match (&l.token, &l.identity) {
            (Some(t), Some(i)) => format!("{} ({})", clean(t), clean(i)),
            (Some(t), None) => clean(t),
            (None, Some(i)) => clean(i),
            (None, None) => "(unnamed credential)".into(),
        };
        out.push(format!(
            "{}{} {}  by {} at {}",
            "  ".repeat(l.depth as usize),
            if up { "↑" } else { "↓" },
            who,
            clean(&l.minted_by.action),
            fmt_time(l.minted_by.time, tz),
        ));
    }
}

/// Detail of the selected event (timeline / detail focus), of the selected entity or finding (entities focus),
/// for a pane `width` columns wide.
pub fn detail(s: &AppState, width: usize) -> DetailVm {
    let v = s.view();
    if s.focus == Pane::Entities && v.findings_tab {
        return vm_findings::finding_detail(s, width);
    }
    if s.focus == Pane::Entities {
        return entity_detail(s, v);
    }
    let mut vm = DetailVm {
        title: "Event".into(),
        lines: Vec::new(),
    };
    let Some(d) = &v.data else { return vm };
    let row = d.events.slice(v.timeline_sel as i64, 1);
    let Ok(r) = FrameReader::new(&row) else {
        return vm;
    };
    if r.height() == 0 {
        vm.lines.push("no events in this view".into());
        return vm;
    }
    let key = EventKey::of_row(&r, 0);
    if let (Some(c), Some(k)) = (s.case(), key.as_ref()) {
        if let Some(n) = c.event(k) {
            vm.lines.extend(annotation_lines(
                n.marked,
                &n.tags.iter().cloned().collect::<Vec<_>>(),
                &n.note,
            ));
        }
    }
    if let Some(k) = &key {
        vm.lines.extend(vm_findings::event_flag_lines(s, k));
    }
    for &c in Col::OUTPUT {
        let value = match c {
            Col::Time => r.time(0).map(|t| fmt_time(t, s.tz)),
            Col::Origin => r.text(Col::Origin, 0).map(|o| {
                let line = r.u64(Col::Line, 0).unwrap_or(0) as u32;
                let label = s
                    .store
                    .as_ref()
                    .map(|st| st.origin_label(o, line))
                    .unwrap_or_else(|| o.to_string());
                clean(&label)
            }),
            _ => r.display(c, 0).map(|x| clean(&x)),
        };
        vm.lines.extend(field(c.name(), value));
    }
    vm.lines.push(String::new());
    vm.lines.push("── raw record ──".into());
    match &s.raw {
        None => vm.lines.push("(reading…)".into()),
        Some(raw) => match &raw.text {
            Ok(t) => vm.lines.extend(t.lines().map(clean)),
            Err(e) => vm
                .lines
                .push(format!("cannot show the raw record: {}", clean(e))),
        },
    }
    vm
}

fn entity_detail(s: &AppState, v: &View) -> DetailVm {
    let mut vm = DetailVm {
        title: format!("{}", v.tab),
        lines: Vec::new(),
    };
    let Some(t) = v.table(v.tab) else { return vm };
    let i = v.entity_sel[kind_index(v.tab)];
    let Ok(rows) = entity_rows(t, v.tab, i..i + 1) else {
        return vm;
    };
    let Some(r) = rows.first() else {
        vm.lines.push(format!("no {} in this view", v.tab.plural()));
        return vm;
    };
    vm.title = format!("{} {}", v.tab, clean(&r.name));
    if let Some(n) = s
        .case()
        .and_then(|c| c.entity(&Entity::new(v.tab, r.name.clone())))
    {
        vm.lines.extend(annotation_lines(
            false,
            &n.tags.iter().cloned().collect::<Vec<_>>(),
            &n.note,
        ));
        if let Some(t) = n.ended {
            vm.lines.push(format!(
                "✗ legitimate use ended {} (the analyst's date; E changes it)",
                fmt_time(t, s.tz)
            ));
        }
    }
    vm.lines.extend(field("name", Some(clean(&r.name))));
    vm.lines.extend(field("type", r.detail.clone()));
    let t = |x: Option<Nanos>| x.map(|t| fmt_time(t, s.tz)).unwrap_or_default();
    vm.lines.extend(field(
        "seen",
        Some(format!("{} .. {}", t(r.first_seen), t(r.last_seen))),
    ));
    vm.lines.extend(field(
        "events",
        Some(format!(
            "{} ({} failed)",
            thousands(r.events),
            thousands(r.failures)
        )),
    ));
    if let Some(l) = &s.lineage {
        let (up, down) = match v.tab {
            EntityKind::Token => (l.parents_of_token(&r.name), l.children_of_token(&r.name)),
            EntityKind::Identity => (
                l.parents_of_identity(&r.name),
                l.children_of_identity(&r.name),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        if !up.is_empty() || !down.is_empty() {
            vm.lines.push("── lineage ──".into());
            link_lines(&mut vm.lines, &up, true, s.tz);
            vm.lines.push(format!("• {}", clean(&r.name)));
            link_lines(&mut vm.lines, &down, false, s.tz);
        }
        if v.tab == EntityKind::Token {
            for rev in l.revocations_of(&r.name) {
                vm.lines.push(format!(
                    "✗ ended by {} at {}",
                    clean(&rev.event.action),
                    fmt_time(rev.event.time, s.tz)
                ));
            }
        }
    }
    vm.lines
        .extend(vm_findings::entity_finding_lines(s, v.tab, &r.name));
    vm.lines.push("── activity ──".into());
    vm.lines.extend(field(
        "bytes",
        Some(heist_core::util::num::bytes_exact(r.bytes)),
    ));
    for (k, n) in &r.counterparts {
        vm.lines.extend(field(k, Some(n.to_string())));
    }
    vm.lines
        .extend(field("top actions", Some(clean(&r.top_actions))));
    vm.lines.extend(field("sources", Some(clean(&r.sources))));
    vm
}

/// The case's lines at the top of a detail: marked, tags, the note.
fn annotation_lines(marked: bool, tags: &[String], note: &str) -> Vec<String> {
    let mut out = Vec::new();
    if marked {
        out.push("● marked for the report".to_string());
    }
    if !tags.is_empty() {
        let t: Vec<String> = tags.iter().map(|t| format!("#{}", clean(t))).collect();
        out.extend(field("tags", Some(t.join(" "))));
    }
    for (i, l) in note.lines().enumerate() {
        out.extend(field(if i == 0 { "note" } else { "" }, Some(clean(l))));
    }
    if !out.is_empty() {
        out.push(String::new());
    }
    out
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

/// The breadcrumb / status line pieces. The bar reads ` heist ` trail [`  │ filter: ` filter] `  │ ` counts
/// `  │ ` tz [`  │ ` case] [`  │ ` findings]; `status` fits that in the terminal's width.
pub struct StatusVm {
    pub trail: String,
    pub filter: String,
    pub counts: String,
    pub tz: &'static str,
    /// `● 3 · case saved`, empty before the case is open.
    pub case: String,
    /// The case is not safely on disk (save failed, read-only, memory only).
    pub case_alert: bool,
    /// `⚑ 23 findings (14 high)`, `⚑ detecting…`; empty before the bundle is loaded.
    pub findings: String,
    /// Detection failed, or the analyst's rules were not loaded.
    pub findings_alert: bool,
}

impl StatusVm {
    /// Characters the bar takes, separators included.
    pub fn width(&self) -> usize {
        let n = |s: &str| s.chars().count();
        let opt = |s: &str, sep: usize| if s.is_empty() { 0 } else { sep + n(s) };
        7 + n(&self.trail)
            + opt(&self.filter, 12)
            + 4
            + n(&self.counts)
            + 4
            + n(self.tz)
            + opt(&self.case, 4)
            + opt(&self.findings, 4)
    }
}

/// One crumb of the trail.
pub fn crumb(scope: &Scope) -> String {
    match scope {
        Scope::All => "all events".into(),
        Scope::Entity(e) => format!(
            "{} {}",
            e.kind,
            clean(&heist_core::util::sanitize::truncate(&e.name, 40))
        ),
        Scope::Finding(f) => format!(
            "finding {}",
            clean(&heist_core::util::sanitize::truncate(&f.rule, 40))
        ),
    }
}

/// The status bar for a terminal `width` columns wide: compact forms of the findings and case parts when the
/// long ones do not fit, then the trail cut at its start (the latest crumb is the one that matters).
pub fn status(s: &AppState, width: usize) -> StatusVm {
    let mut crumbs = vec![crumb(&Scope::All)];
    crumbs.extend(s.trail().into_iter().map(crumb));
    let total = s.store.as_ref().map_or(0, |st| st.len());
    let findings = vm_findings::status_part(s);
    let mut vm = StatusVm {
        trail: crumbs.join(" › "),
        filter: clean(&s.view().filter),
        counts: format!(
            "{} / {}",
            thousands(s.view().events_len()),
            thousands(total)
        ),
        tz: match s.tz {
            Tz::Utc => "UTC",
            Tz::Local => "local",
        },
        case: s
            .case
            .as_ref()
            .map(|c| case_status(c, false))
            .unwrap_or_default(),
        case_alert: s.case.as_ref().is_some_and(|c| {
            !matches!(
                c.status(),
                super::casework::CaseStatus::Saved | super::casework::CaseStatus::Saving
            )
        }),
        findings: findings
            .as_ref()
            .map(|f| f.long.clone())
            .unwrap_or_default(),
        findings_alert: findings.as_ref().is_some_and(|f| f.alert),
    };
    if vm.width() > width {
        if let Some(f) = &findings {
            vm.findings = f.short.clone();
        }
    }
    if vm.width() > width {
        if let Some(c) = &s.case {
            vm.case = case_status(c, true);
        }
    }
    // Then the trail loses crumbs from its start (`… › ` stands for them), and at last the start of the one left.
    let mut first = 0;
    while vm.width() > width && first + 1 < crumbs.len() {
        first += 1;
        vm.trail = format!("… › {}", crumbs[first..].join(" › "));
    }
    let over = vm.width().saturating_sub(width);
    if over > 0 {
        let n = vm.trail.chars().count();
        let keep = n.saturating_sub(over + 1).max(12.min(n));
        if keep < n {
            let tail: String = vm.trail.chars().skip(n - keep).collect();
            vm.trail = format!("…{tail}");
        }
    }
    vm
}

fn case_status(c: &CaseSession, short: bool) -> String {
    use super::casework::CaseStatus;
    let state = match (c.status(), short) {
        (CaseStatus::Saved, false) => "case saved",
        (CaseStatus::Saving, false) => "case saving…",
        (CaseStatus::Failed, false) => "case NOT SAVED",
        (CaseStatus::Memory, false) => "case in memory",
        (CaseStatus::ReadOnly, false) => "case read-only · NOT SAVED",
        (CaseStatus::Saved, true) => "saved",
        (CaseStatus::Saving, true) => "saving…",
        (CaseStatus::Failed, true) => "NOT SAVED",
        (CaseStatus::Memory, true) => "memory",
        (CaseStatus::ReadOnly, true) => "read-only",
    };
    format!("● {} · {state}", c.case.marked().len())
}

pub use heist_core::util::num::thousands;

/// Loading screen numbers.
pub fn loading_lines(p: &Snapshot) -> (f64, String) {
    let label = if p.assembling {
        format!("building the frame: {} events", thousands(p.events))
    } else {
        format!(
            "{} / {} files · {} events · {:.1} / {:.1} MB · {} errors",
            p.files_done,
            p.files_total,
            thousands(p.events),
            p.bytes_done as f64 / 1e6,
            p.bytes_total as f64 / 1e6,
            p.errors
        )
    };
    (p.ratio().clamp(0.0, 1.0), label)
}

/// One row of help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpRow {
    /// The first words: where to start.
    Lead(String),
    Text(String),
    /// A key's row: its keys on the first row of its description, empty on the rows it wraps to.
    Key {
        keys: String,
        text: String,
    },
}

/// Width of the keys column in help.
pub const HELP_KEYS: usize = 18;

/// Help's rows at `width` columns: where to start, every key with its description wrapped under itself (not
/// under the keys), and filter examples.
pub fn help_rows(keymap: &super::keymap::Keymap, width: usize) -> Vec<HelpRow> {
    let room = width.saturating_sub(HELP_KEYS).max(10);
    let wrap = super::vm_findings::wrap;
    let mut rows = vec![
        HelpRow::Lead("Start from what you know: a key, an IP, a bucket.".into()),
        HelpRow::Text("/ finds it; enter pivots to it; backspace comes back.".into()),
        HelpRow::Text(String::new()),
    ];
    for (keys, help) in keymap.help_lines() {
        for (i, part) in wrap(&help, room).into_iter().enumerate() {
            rows.push(HelpRow::Key {
                keys: if i == 0 { keys.clone() } else { String::new() },
                text: part,
            });
        }
    }
    rows.push(HelpRow::Text(String::new()));
    let examples =
        "filter examples: token:AKIA… · ip:198.51.100.0/24 · -outcome:success · time>=2026-10-05T02:00:00Z";
    rows.extend(wrap(examples, width).into_iter().map(HelpRow::Text));
    rows
}

/// Columns and rows of text the help overlay has on a `width` x `height` terminal (90% of the area between the
/// status bar and the footer, less its border), rounded down so scrolling always reaches the last row.
pub fn help_text_area(width: u16, height: u16) -> (usize, usize) {
    let body = height.saturating_sub(2) as usize;
    (
        (width as usize * 90 / 100).saturating_sub(2),
        (body * 90 / 100).saturating_sub(2),
    )
}
