//! Drawing: reads the state (through the view models) and never changes it.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Clear, Gauge, Paragraph, Row, Sparkline, Table, TableState, Wrap,
};
use ratatui::Frame;

use super::state::*;
use super::{ui_case, ui_findings, vm};

/// Colours, or none under `NO_COLOR`: every distinction also has a modifier so nothing depends on colour alone.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
    pub(super) fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    pub(super) fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub(super) fn failure(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub(super) fn header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub(super) fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::DarkGray)
        }
    }
    pub(super) fn accent(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Waiting notes: readable without colour, quiet with it.
    pub(super) fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }
}

pub fn draw(f: &mut Frame<'_>, s: &AppState, theme: Theme) {
    let area = f.area();
    let [top, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(footer_height(s)),
    ])
    .areas(area);
    draw_status(f, top, s, theme);
    match &s.load {
        LoadState::Loading(p) => draw_loading(f, body, p, theme),
        LoadState::Failed(e) => {
            let p = Paragraph::new(vec![
                Line::styled("The bundle could not be loaded:", theme.failure()),
                Line::raw(vm::clean(e)),
                Line::raw(""),
                Line::raw("q quits"),
            ])
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" load failed "));
            f.render_widget(p, body);
        }
        LoadState::Ready => draw_main(f, body, s, theme),
    }
    draw_footer(f, footer, s, theme);
    match &s.mode {
        Mode::Help { scroll } => draw_help(f, area, s, *scroll, theme),
        Mode::Finder(fs) => draw_finder(f, area, s, fs, theme),
        Mode::Case(cv) => ui_case::draw_case_view(f, area, s, cv, theme),
        Mode::Note(n) => ui_case::draw_note(f, area, s, n, theme),
        Mode::ConfirmQuit { reason, .. } => ui_case::draw_confirm_quit(f, area, reason, theme),
        _ => {}
    }
}

fn footer_height(s: &AppState) -> u16 {
    match &s.mode {
        Mode::Filter(FilterState { error: Some(e), .. }) => 1 + e.lines().count().min(3) as u16,
        Mode::Tag(_) => 2,
        _ => 1,
    }
}

fn draw_status(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let st = vm::status(s, area.width as usize);
    let mut spans = vec![Span::styled(" heist ", theme.accent()), Span::raw(st.trail)];
    if !st.filter.is_empty() {
        spans.push(Span::raw("  │ filter: "));
        spans.push(Span::styled(st.filter, theme.accent()));
    }
    spans.push(Span::raw(format!("  │ {}  │ {}", st.counts, st.tz)));
    let alert = |on: bool| {
        if on {
            theme.failure()
        } else {
            Style::default()
        }
    };
    if !st.case.is_empty() {
        spans.push(Span::raw("  │ "));
        spans.push(Span::styled(st.case, alert(st.case_alert)));
    }
    if !st.findings.is_empty() {
        spans.push(Span::raw("  │ "));
        spans.push(Span::styled(st.findings, alert(st.findings_alert)));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).style(Style::default().add_modifier(Modifier::REVERSED)),
        area,
    );
}

fn draw_loading(
    f: &mut Frame<'_>,
    area: Rect,
    p: &heist_core::ingest::progress::Snapshot,
    theme: Theme,
) {
    let (ratio, label) = vm::loading_lines(p);
    let [_, mid, hint, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    let g = Gauge::default()
        .block(Block::bordered().title(" loading the bundle "))
        .gauge_style(theme.fg(Color::Cyan))
        .ratio(ratio)
        .label(label);
    f.render_widget(g, mid);
    f.render_widget(Paragraph::new("q quits · ? help"), hint);
}

fn draw_main(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let [upper, lower] =
        Layout::vertical([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(area);
    if area.width < NARROW {
        // Too narrow for two tables side by side: the focused one takes the width (tab switches).
        if s.focus == Pane::Entities {
            draw_entities(f, upper, s, theme);
        } else {
            draw_timeline(f, upper, s, theme);
        }
    } else {
        // The Findings tab's rows (time, rule, principal) need more room than an entity list.
        let left_pct = if s.view().findings_tab { 55 } else { 38 };
        let [left, right] = Layout::horizontal([
            Constraint::Percentage(left_pct),
            Constraint::Percentage(100 - left_pct),
        ])
        .areas(upper);
        draw_entities(f, left, s, theme);
        draw_timeline(f, right, s, theme);
    }
    draw_detail(f, lower, s, theme);
}

/// Below this width the entities and timeline panes share the space by focus.
pub const NARROW: u16 = 110;

fn titled(title: String, focused: bool, theme: Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title)
}

fn draw_entities(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let focused = s.focus == Pane::Entities;
    let block = titled(" Entities ".into(), focused, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [tabs_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    ui_findings::draw_tabs(f, tabs_area, s, theme);
    if s.view().findings_tab {
        ui_findings::draw_findings(f, table_area, s, focused, theme);
        return;
    }
    let height = table_area.height.saturating_sub(1) as usize;
    let wide = table_area.width >= 100;
    let fixed = 9 + 7 + 5 + 3 + if wide { 42 } else { 0 };
    let name_width = (table_area.width as usize).saturating_sub(fixed);
    let e = vm::entities(
        s.view(),
        height,
        name_width,
        s.tz,
        s.case(),
        &s.findings.entities,
    );
    let flag_width = e.flag_column as u16;
    let tag_width = e
        .rows
        .iter()
        .map(|r| r.tags.chars().count())
        .max()
        .unwrap_or(0)
        .min(18) as u16;
    let mut header = vec!["name"];
    if flag_width > 0 {
        header.push("⚑");
    }
    header.extend(["kind", "events", "fail"]);
    if wide {
        header.extend(["first seen", "last seen"]);
    }
    if tag_width > 0 {
        header.push("tags");
    }
    let rows: Vec<Row<'_>> = e
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![ratatui::widgets::Cell::from(r.name.clone())];
            if flag_width > 0 {
                cells.push(
                    ratatui::widgets::Cell::from(r.marker.clone())
                        .style(ui_findings::severity_style(r.flag, theme)),
                );
            }
            cells.extend(
                [
                    r.detail.clone(),
                    r.events.to_string(),
                    if r.failures > 0 {
                        r.failures.to_string()
                    } else {
                        String::new()
                    },
                ]
                .map(ratatui::widgets::Cell::from),
            );
            if wide {
                cells.push(r.first.clone().into());
                cells.push(r.last.clone().into());
            }
            if tag_width > 0 {
                cells.push(r.tags.clone().into());
            }
            let row = Row::new(cells);
            if r.detail == "LONG-TERM" {
                row.style(theme.fg(Color::Magenta))
            } else {
                row
            }
        })
        .collect();
    let mut widths = vec![Constraint::Fill(1)];
    if flag_width > 0 {
        widths.push(Constraint::Length(flag_width));
    }
    widths.extend([
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(5),
    ]);
    if wide {
        widths.extend([Constraint::Length(20), Constraint::Length(20)]);
    }
    if tag_width > 0 {
        widths.push(Constraint::Length(tag_width.max(4)));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .row_highlight_style(theme.selected());
    let mut ts = TableState::default().with_selected(if focused || e.selected.is_some() {
        e.selected
    } else {
        None
    });
    f.render_stateful_widget(table, table_area, &mut ts);
    if let Some(p) = e.pending {
        f.render_widget(
            Paragraph::new(p).style(theme.dim()),
            below_header(table_area),
        );
    }
}

/// A table's area less its header row.
fn below_header(r: Rect) -> Rect {
    Rect::new(
        r.x,
        r.y.saturating_add(1),
        r.width,
        r.height.saturating_sub(1),
    )
}

fn draw_timeline(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let focused = s.focus == Pane::Timeline;
    let v = s.view();
    let title = match (&v.data, &v.scope) {
        (_, Scope::Finding(fd)) => ui_findings::finding_timeline_title(fd, v.events_len()),
        (Some(d), _) if d.joined > 0 => format!(
            " Timeline · {} events · {} joined by request id ",
            vm::thousands(v.events_len()),
            d.joined
        ),
        _ => format!(" Timeline · {} events ", vm::thousands(v.events_len())),
    };
    let block = titled(title, focused, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [spark_area, table_area] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let (data, marker) = vm::sparkline(v, spark_area.width as usize);
    f.render_widget(
        Sparkline::default()
            .data(&data)
            .style(theme.fg(Color::Green)),
        spark_area,
    );
    if let Some(m) = marker {
        // The selected event's place in time, under the sparkline's last row.
        let x = spark_area.x + m as u16;
        if x < spark_area.right() {
            let mark = Rect::new(x, spark_area.bottom().saturating_sub(1), 1, 1);
            f.render_widget(Paragraph::new("▲").style(theme.accent()), mark);
        }
    }
    let height = table_area.height.saturating_sub(1) as usize;
    // Narrow screens drop source and outcome (failures stay red and marked); the pivot cells always show.
    let narrow = table_area.width < 110;
    let visible: Vec<usize> = if narrow {
        vec![0, 2, 4, 5, 6, 7]
    } else {
        (0..8).collect()
    };
    let all_widths = if narrow {
        [
            Constraint::Length(23),
            Constraint::Length(0),
            Constraint::Fill(2),
            Constraint::Length(0),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Fill(3),
            Constraint::Fill(2),
        ]
    } else {
        [
            Constraint::Length(23),
            Constraint::Length(10),
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Fill(3),
            Constraint::Max(20),
            Constraint::Fill(3),
            Constraint::Max(15),
        ]
    };
    let widths: Vec<Constraint> = visible.iter().map(|&c| all_widths[c]).collect();
    let rects = Layout::horizontal(widths.clone())
        .spacing(1)
        .split(table_area);
    let mut col_widths = vec![0usize; 8];
    for (i, &c) in visible.iter().enumerate() {
        col_widths[c] = rects.get(i).map_or(0, |r| r.width as usize);
    }
    let t = vm::timeline(v, height, s.tz, &col_widths, s.case(), &s.findings.flags);
    let rows: Vec<Row<'_>> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells: Vec<ratatui::widgets::Cell<'_>> = visible
                .iter()
                .map(|&c| (c, &r.cells[c]))
                .map(|(c, text)| {
                    let cell = if c == 0 {
                        ui_findings::time_cell(r, text, theme)
                    } else {
                        ratatui::widgets::Cell::from(text.clone())
                    };
                    if Some(i) == t.selected && c == t.cell_column && focused {
                        cell.style(theme.accent().add_modifier(Modifier::UNDERLINED))
                    } else {
                        cell
                    }
                })
                .collect();
            let row = Row::new(cells);
            match (r.failed, r.marked) {
                (true, _) => row.style(theme.failure()),
                (false, true) => row.style(theme.accent()),
                _ => row,
            }
        })
        .collect();
    let header: Vec<ratatui::widgets::Cell<'_>> = visible
        .iter()
        .map(|&c| (c, vm::TIMELINE_COLUMNS[c]))
        .map(|(c, h)| {
            let cell = ratatui::widgets::Cell::from(h);
            if c == t.cell_column {
                cell.style(theme.accent())
            } else {
                cell
            }
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut ts = TableState::default().with_selected(t.selected);
    f.render_stateful_widget(table, table_area, &mut ts);
    if v.data.is_none() {
        if let Some(p) = vm::pending(v) {
            f.render_widget(
                Paragraph::new(p).style(theme.dim()),
                below_header(table_area),
            );
        }
    }
}

fn draw_detail(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let d = vm::detail(s, area.width.saturating_sub(2) as usize);
    let block = titled(format!(" {} ", d.title), s.focus == Pane::Detail, theme);
    let lines: Vec<Line<'_>> = d.lines.into_iter().map(Line::raw).collect();
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((s.detail_scroll, 0));
    f.render_widget(p, area);
}

fn draw_footer(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let lines = match &s.mode {
        Mode::Filter(fs) => {
            let mut l = vec![Line::from(vec![
                Span::styled(":", theme.accent()),
                Span::raw(vm::clean(&fs.input)),
                Span::styled("█", theme.accent()),
                Span::raw("   enter keeps · esc restores"),
            ])];
            if let Some(e) = &fs.error {
                // The parser's message, then the query with a caret under the offending term.
                l.extend(e.lines().take(3).map(|x| Line::styled(vm::clean(x), theme.failure())));
            }
            l
        }
        Mode::Tag(t) => ui_case::tag_footer(s, t, theme),
        Mode::Prompt(p) => ui_case::prompt_footer(p, theme),
        Mode::Note(_) => vec![Line::styled(
            "ctrl-s saves the note · enter new line · esc cancels",
            theme.accent(),
        )],
        _ => match &s.message {
            Some(m) => vec![Line::styled(vm::clean(m), theme.accent())],
            None if s.focus == Pane::Entities && s.view().findings_tab => vec![Line::raw(
                "enter: its events · s: severity / time order · 1-4 entities · bksp back · ? help",
            )],
            None => vec![Line::raw(
                "? help · enter pivot · bksp back · / find · : filter · 5 findings · m mark · T tag · n note · c case · e export · q quit",
            )],
        },
    };
    f.render_widget(Paragraph::new(lines), area);
}

pub(super) fn centered(area: Rect, pct_w: u16, pct_h: u16) -> Rect {
    let [_, mid, _] = Layout::vertical([
        Constraint::Percentage((100 - pct_h) / 2),
        Constraint::Percentage(pct_h),
        Constraint::Percentage((100 - pct_h) / 2),
    ])
    .areas(area);
    let [_, c, _] = Layout::horizontal([
        Constraint::Percentage((100 - pct_w) / 2),
        Constraint::Percentage(pct_w),
        Constraint::Percentage((100 - pct_w) / 2),
    ])
    .areas(mid);
    c
}

fn draw_help(f: &mut Frame<'_>, area: Rect, s: &AppState, scroll: u16, theme: Theme) {
    let r = centered(area, 90, 90);
    f.render_widget(Clear, r);
    let rows = vm::help_rows(&s.keymap, r.width.saturating_sub(2) as usize);
    let lines: Vec<Line<'_>> = rows
        .into_iter()
        .map(|row| match row {
            vm::HelpRow::Lead(t) => Line::styled(t, theme.accent()),
            vm::HelpRow::Text(t) => Line::raw(t),
            vm::HelpRow::Key { keys, text } => Line::from(vec![
                Span::styled(format!("{keys:<w$}", w = vm::HELP_KEYS), theme.accent()),
                Span::raw(text),
            ]),
        })
        .collect();
    let height = r.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(height) as u16);
    let more = lines.len() > height;
    let title = if more {
        " help · j/k pgdn/pgup scroll · any other key closes "
    } else {
        " help · any key closes "
    };
    let p = Paragraph::new(lines)
        .block(Block::bordered().title(title))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    f.render_widget(p, r);
}

fn draw_finder(f: &mut Frame<'_>, area: Rect, s: &AppState, fs: &FinderState, theme: Theme) {
    let r = centered(area, 80, 70);
    f.render_widget(Clear, r);
    let block = Block::bordered().title(" find · enter pivots · esc closes ");
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [input, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", theme.accent()),
            Span::raw(vm::clean(&fs.input)),
            Span::styled("█", theme.accent()),
        ])),
        input,
    );
    let height = list.height as usize;
    let start = vm::window_start(fs.sel, fs.hits.len(), height);
    let rows: Vec<Row<'_>> = fs
        .hits
        .iter()
        .skip(start)
        .take(height)
        .map(|h| {
            let tags = vm::entity_tags(s.case(), h.entity.kind, &h.entity.name);
            let name = vm::clean(&h.entity.name);
            Row::new(vec![
                h.entity.kind.name().to_string(),
                h.events.to_string(),
                if tags.is_empty() {
                    name
                } else {
                    format!("{name}  {tags}")
                },
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(9),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
    )
    .row_highlight_style(theme.selected());
    let sel = (!fs.hits.is_empty()).then(|| fs.sel - start);
    let mut ts = TableState::default().with_selected(sel);
    f.render_stateful_widget(table, list, &mut ts);
    if fs.hits.is_empty() {
        let why = if s.finder.is_none() {
            "indexing entity names…"
        } else if fs.searching {
            "searching…"
        } else {
            "no match"
        };
        f.render_widget(Paragraph::new(why), list);
    }
}
