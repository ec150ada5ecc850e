//! Drawing: widgets over the view models, in the theme's styles. Reads the state (through `view`) and never changes
//! it. This module lays out the screen (status bar, body, footer, overlays) and holds the layout helpers the
//! others share; `panes` draws the entities, timeline and detail panes, `overlays` help and the finder, `case`
//! and `findings` their parts.

mod case;
mod findings;
mod overlays;
mod panes;
mod scope;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{AppState, FilterState, LoadState, Mode};
use crate::app::trail::Pane;
use crate::view::line::{line, LineVm};
use crate::view::status::{loading_lines, status};
use crate::view::text::{clean, wrap};
use theme::Theme;

pub fn draw(f: &mut Frame<'_>, s: &AppState, theme: Theme) {
    let area = f.area();
    let [top, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(footer_height(s, area.width)),
    ])
    .areas(area);
    draw_status(f, top, s, theme);
    match &s.load {
        LoadState::Loading(p) => draw_loading(f, body, p, theme),
        LoadState::Failed(e) => {
            let p = Paragraph::new(vec![
                Line::styled("The bundle could not be loaded:", theme.failure()),
                Line::raw(clean(e)),
                Line::raw(""),
                Line::raw("q quits"),
            ])
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" load failed "));
            f.render_widget(p, body);
        }
        LoadState::Ready => panes::draw_main(f, body, s, theme),
    }
    draw_footer(f, footer, s, theme);
    match &s.mode {
        Mode::Help { scroll } => overlays::draw_help(f, area, s, *scroll, theme),
        Mode::Problems { scroll } => overlays::draw_problems(f, area, s, *scroll, theme),
        Mode::Compare { scroll } => overlays::draw_compare(f, area, s, *scroll, theme),
        Mode::Finder(fs) => overlays::draw_finder(f, area, s, fs, theme),
        Mode::Case(cv) => case::draw_case_view(f, area, s, cv, theme),
        Mode::Scope(sv) => scope::draw_scope_view(f, area, s, sv, theme),
        Mode::Note(n) => case::draw_note(f, area, s, n, theme),
        Mode::ConfirmQuit { reason, .. } => case::draw_confirm_quit(f, area, reason, theme),
        Mode::ConfirmMarkAll { count } => case::draw_confirm_mark_all(f, area, *count, theme),
        _ => {}
    }
}

/// Rows a message may take in the footer (wrapped at the terminal's width) before it is cut.
const MESSAGE_ROWS: usize = 4;

fn footer_height(s: &AppState, width: u16) -> u16 {
    match &s.mode {
        Mode::Filter(FilterState { error: Some(e), .. }) => 1 + e.lines().count().min(3) as u16,
        Mode::Tag(_) => 2,
        Mode::Normal => s.message.as_ref().map_or(1, |m| {
            wrap(&clean(m), width as usize).len().clamp(1, MESSAGE_ROWS) as u16
        }),
        _ => 1,
    }
}

fn draw_status(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let st = status(s, area.width as usize);
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
    let (ratio, label) = loading_lines(p);
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

fn draw_footer(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let lines = match &s.mode {
        Mode::Filter(fs) => {
            let mut spans = vec![Span::styled(":", theme.accent())];
            spans.extend(line_spans(line(&fs.input), theme));
            spans.push(Span::raw("   enter keeps · esc restores"));
            let mut l = vec![Line::from(spans)];
            if let Some(e) = &fs.error {
                // The parser's message, then the query with a caret under the offending term.
                l.extend(e.lines().take(3).map(|x| Line::styled(clean(x), theme.failure())));
            }
            l
        }
        Mode::Tag(t) => case::tag_footer(s, t, theme),
        Mode::Prompt(p) => case::prompt_footer(p, theme),
        Mode::Note(_) => vec![Line::styled(
            "ctrl-s saves the note · enter new line · esc cancels",
            theme.accent(),
        )],
        _ => match &s.message {
            // A long message (a case error with its path) wraps rather than being cut.
            Some(m) => wrap(&clean(m), area.width as usize)
                .into_iter()
                .take(MESSAGE_ROWS)
                .map(|l| Line::styled(l, theme.accent()))
                .collect(),
            None if s.subject() == Pane::Entities && s.view().findings_tab => vec![Line::raw(
                "enter: its events · s: incidents / time / severity · 1-4 entities · bksp back · ? help",
            )],
            None => vec![Line::raw(
                "? help · enter pivot · bksp back · / find · : filter · 5 findings · m mark · T tag · n note · c case · e export · q quit",
            )],
        },
    };
    f.render_widget(Paragraph::new(lines), area);
}

/// A single-line input and its cursor: a block after the text, or the character under it reversed.
pub(super) fn line_spans(vm: LineVm, theme: Theme) -> Vec<Span<'static>> {
    match vm.under {
        None => vec![Span::raw(vm.before), Span::styled("█", theme.accent())],
        Some(under) => vec![
            Span::raw(vm.before),
            Span::styled(under, theme.selected()),
            Span::raw(vm.after),
        ],
    }
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

fn titled(title: String, focused: bool, theme: Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title)
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
