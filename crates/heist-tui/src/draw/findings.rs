//! Drawing the findings: the entities pane's tab bar (with the Findings tab), the Findings tab's list, the marks
//! before a timeline row's time, and a finding view's timeline title. Reads view models only.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Tabs};
use ratatui::Frame;

use heist_core::detect::Finding;
use heist_core::entities::EntityKind;
use heist_core::util::num::thousands;

use super::theme::{severity_style, Theme};
use crate::app::findings::DetectStatus;
use crate::app::state::AppState;
use crate::view::findings::{self as vm_findings, FINDING_COLUMNS};
use crate::view::text::{clean, width};
use crate::view::timeline::TimelineRow;

/// The tab bar: the four entity tabs and the Findings tab, with their counts, in the longest labels that fit.
pub fn draw_tabs(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let v = s.view();
    let mut counts: Vec<String> = EntityKind::ALL
        .iter()
        .map(|k| v.table(*k).map_or("…".into(), |t| thousands(t.height())))
        .collect();
    counts.push(match &s.findings.status {
        DetectStatus::Done => s.findings.len().to_string(),
        DetectStatus::Failed(_) => "!".into(),
        _ => "…".into(),
    });
    let labels: [[&str; 5]; 4] = [
        ["Identities", "Tokens", "Assets", "IPs", "Findings"],
        ["Ids", "Tokens", "Assets", "IPs", "Findings"],
        ["Ids", "Tokens", "Assets", "IPs", "⚑"],
        ["Id", "Tok", "Ast", "IP", "⚑"],
    ];
    let titles_for = |l: &[&str; 5]| -> Vec<String> {
        (0..5)
            .map(|i| format!("{} {} {}", i + 1, l[i], counts[i]))
            .collect()
    };
    // The titles and a divider between each two.
    let fits = |t: &Vec<String>| {
        t.iter().map(|x| width(x)).sum::<usize>() + t.len().saturating_sub(1) <= area.width as usize
    };
    let selected = if v.findings_tab {
        EntityKind::ALL.len()
    } else {
        EntityKind::ALL
            .iter()
            .position(|k| *k == v.tab)
            .unwrap_or(0)
    };
    // Narrowest: the selected tab's label and count, the others by their key alone.
    let only_selected = || -> Vec<String> {
        let short = titles_for(&labels[3]);
        (0..5)
            .map(|i| {
                if i == selected {
                    short[i].clone()
                } else {
                    (i + 1).to_string()
                }
            })
            .collect()
    };
    // Then the shortest labels with the findings' count left to the status bar.
    let no_findings_count = || {
        let mut t = titles_for(&labels[3]);
        t[4] = "5 ⚑".into();
        t
    };
    let titles = labels
        .iter()
        .map(titles_for)
        .chain(std::iter::once_with(no_findings_count))
        .find(fits)
        .unwrap_or_else(only_selected);
    let tabs = Tabs::new(titles)
        .select(selected)
        .highlight_style(theme.accent())
        .padding("", "")
        .divider("│");
    f.render_widget(tabs, area);
}

/// The Findings tab: what detection says, then one row per finding in the chosen order.
pub fn draw_findings(f: &mut Frame<'_>, area: Rect, s: &AppState, focused: bool, theme: Theme) {
    let info = vm_findings::findings_info(s, area.width as usize);
    let [info_area, table_area] = Layout::vertical([
        Constraint::Length(info.len().min(4) as u16),
        Constraint::Min(1),
    ])
    .areas(area);
    let lines: Vec<Line<'_>> = info
        .into_iter()
        .map(|(text, alert)| {
            if alert {
                Line::styled(text, theme.failure())
            } else {
                Line::styled(text, Style::default().add_modifier(Modifier::DIM))
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), info_area);
    let wide = table_area.width >= 100;
    let constraints = [
        Constraint::Length(6),
        Constraint::Length(if wide { 20 } else { 11 }),
        Constraint::Fill(3),
        // Room for a whole access key id (20) when narrow.
        if wide {
            Constraint::Fill(2)
        } else {
            Constraint::Length(20)
        },
        Constraint::Length(6),
    ];
    let rects = Layout::horizontal(constraints).spacing(1).split(table_area);
    let mut widths = [0usize; 5];
    for (w, r) in widths.iter_mut().zip(rects.iter()) {
        *w = r.width as usize;
    }
    let height = table_area.height.saturating_sub(1) as usize;
    let vm = vm_findings::findings_tab(s, height, widths, wide);
    let rows: Vec<Row<'_>> = vm
        .rows
        .iter()
        .map(|r| {
            let cells: Vec<Cell<'_>> = r
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let cell = Cell::from(c.clone());
                    if i == 0 {
                        cell.style(severity_style(Some(r.severity), theme))
                    } else {
                        cell
                    }
                })
                .collect();
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, constraints)
        .header(Row::new(FINDING_COLUMNS).style(theme.header()))
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut ts = TableState::default().with_selected(if focused || vm.selected.is_some() {
        vm.selected
    } else {
        None
    });
    f.render_stateful_widget(table, table_area, &mut ts);
}

/// A timeline row's time cell: the case's mark, the findings' flag in its severity's style, then the time.
pub fn time_cell(r: &TimelineRow, time: &str, theme: Theme) -> Cell<'static> {
    let marks = vm_findings::row_marks(r.case_mark, r.flag);
    let mut chars = marks.chars();
    let case = chars.next().map(String::from).unwrap_or_default();
    let flag: String = chars.collect();
    let case_style = if r.marked {
        theme.accent()
    } else {
        Style::default()
    };
    Cell::from(Line::from(vec![
        Span::styled(case, case_style),
        Span::styled(flag, severity_style(r.flag, theme)),
        Span::raw(time.to_string()),
    ]))
}

/// The timeline's title in a finding's view: which finding, how many events, and whether it keeps them all.
pub fn finding_timeline_title(f: &Finding, shown: usize) -> String {
    let capped = if f.is_capped() {
        format!(
            " · the first {} of {} kept",
            thousands(f.events.len()),
            thousands(f.events_total)
        )
    } else {
        String::new()
    };
    format!(
        " Timeline · finding {} · {} events{capped} ",
        clean(&f.rule),
        thousands(shown)
    )
}
