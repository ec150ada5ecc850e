//! The three panes: the entities (an entity tab or the Findings tab), the timeline (sparkline and the visible
//! events, the pivot cell underlined), and the detail of what is selected. Below `NARROW` columns the focused one
//! of entities and timeline takes the width.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Sparkline, Table, TableState, Wrap};
use ratatui::Frame;

use heist_core::util::num::thousands;

use super::findings::{draw_findings, draw_tabs, finding_timeline_title, time_cell};
use super::theme::{severity_style, Theme};
use super::{below_header, titled};
use crate::app::state::AppState;
use crate::app::trail::{Pane, Scope};
use crate::view::detail::detail;
use crate::view::entities::entities;
use crate::view::pending;
use crate::view::text::width;
use crate::view::timeline::{sparkline, timeline, TIMELINE_COLUMNS};

pub fn draw_main(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    if s.zoomed {
        draw_detail(f, area, s, theme);
        return;
    }
    // The detail pane takes 38% of the height, and never fewer than 8 rows of text (10 with its border) while the
    // lists above keep at least 8 rows.
    let lower_h = (area.height * 38 / 100)
        .max(DETAIL_MIN_ROWS + 2)
        .min(area.height.saturating_sub(8));
    let [upper, lower] = Layout::vertical([
        Constraint::Length(area.height.saturating_sub(lower_h)),
        Constraint::Length(lower_h),
    ])
    .areas(area);
    let side_by_side =
        area.width >= NARROW || (area.width >= MIN_SIDE_BY_SIDE && !s.view().findings_tab);
    if !side_by_side {
        // Too narrow for two tables side by side: the focused one takes the width (tab switches).
        if s.subject() == Pane::Entities {
            draw_entities(f, upper, s, theme);
        } else {
            draw_timeline(f, upper, s, theme);
        }
    } else {
        // The Findings tab's rows (time, rule, principal) need more room than an entity list; under 110 columns
        // the entity list keeps names and counts, the timeline the rest.
        let left_pct = if s.view().findings_tab {
            55
        } else if area.width < NARROW {
            30
        } else {
            38
        };
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

/// Rows of text the detail pane keeps on any screen tall enough for it.
pub const DETAIL_MIN_ROWS: u16 = 8;

/// Below this width the panes drop their less important columns (and the Findings tab takes the width when
/// focused).
pub const NARROW: u16 = 110;

/// Below this width the entities and timeline panes share the space by focus.
pub const MIN_SIDE_BY_SIDE: u16 = 72;

/// Below this many columns inside its border the entity list shows name, flag and events only.
const COMPACT_ENTITIES: u16 = 40;

/// Below this many columns inside its border the timeline shows time (short), action, the cell to pivot on and
/// the address only.
const COMPACT_TIMELINE: u16 = 64;

fn draw_entities(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let focused = s.focus == Pane::Entities;
    let block = titled(" Entities ".into(), focused, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [tabs_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    draw_tabs(f, tabs_area, s, theme);
    if s.view().findings_tab {
        draw_findings(f, table_area, s, focused, theme);
        return;
    }
    let height = table_area.height.saturating_sub(1) as usize;
    let wide = table_area.width >= 100;
    // Beside the timeline on a narrow screen: name, flag and events (kind shows in colour: long-term keys).
    let compact = table_area.width < COMPACT_ENTITIES;
    let fixed = if compact {
        7 + 1
    } else {
        9 + 7 + 5 + 3 + if wide { 42 } else { 0 }
    };
    let name_width = (table_area.width as usize).saturating_sub(fixed);
    let e = entities(
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
        .map(|r| width(&r.tags))
        .max()
        .unwrap_or(0)
        .min(18) as u16;
    let mut header = vec!["name"];
    if flag_width > 0 {
        header.push("⚑");
    }
    if compact {
        header.push("events");
    } else {
        header.extend(["kind", "events", "fail"]);
    }
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
                        .style(severity_style(r.flag, theme)),
                );
            }
            if compact {
                cells.push(r.events.to_string().into());
            } else {
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
            }
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
    if compact {
        widths.push(Constraint::Length(7));
    } else {
        widths.extend([
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(5),
        ]);
    }
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

fn draw_timeline(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let focused = s.focus == Pane::Timeline;
    let v = s.view();
    let title = match (&v.data, &v.scope) {
        (_, Scope::Finding(fd)) => finding_timeline_title(fd, v.events_len()),
        (Some(d), _) if d.joined > 0 => format!(
            " Timeline · {} events · {} joined by request id ",
            thousands(v.events_len()),
            d.joined
        ),
        _ => format!(" Timeline · {} events ", thousands(v.events_len())),
    };
    let block = titled(title, focused, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [spark_area, table_area] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let (data, marker) = sparkline(v, spark_area.width as usize);
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
    // Narrow screens drop source and outcome (failures stay red and marked); the pivot cells always show. The
    // narrowest keep a short time, the action, the cell to pivot on (the token when that is the address) and the
    // address.
    let narrow = table_area.width < 110;
    let compact = table_area.width < COMPACT_TIMELINE;
    let visible: Vec<usize> = if compact {
        let cell = match crate::view::timeline::cell_column(v.cell) {
            7 => 5,
            c => c,
        };
        vec![0, 2, cell, 7]
    } else if narrow {
        vec![0, 2, 4, 5, 6, 7]
    } else {
        (0..8).collect()
    };
    let time_width: usize = if compact { 3 + 14 } else { 23 };
    // Columns as wide as what the visible rows hold (up to a cap): a key column fits the keys on screen, an
    // empty one takes no room; identity and asset share what is left, never less than eight columns each.
    let content = crate::view::timeline::content_widths(v, height);
    let mut want = [0usize; 8];
    let caps: [usize; 8] = if narrow {
        [0, 0, 12, 0, 0, 20, 0, 15]
    } else {
        [0, 12, 24, 16, 0, 24, 0, 39]
    };
    for c in 0..8 {
        if caps[c] > 0 {
            let header = crate::view::timeline::TIMELINE_COLUMNS[c].len();
            want[c] = content[c].max(header).min(caps[c]);
        }
    }
    // Identity and asset share what is left (16 columns kept for them when both show, 8 for the one a compact
    // timeline shows).
    let fill_reserve = if compact {
        if visible.iter().any(|c| matches!(c, 4 | 6)) {
            8
        } else {
            0
        }
    } else {
        16
    };
    let room =
        (table_area.width as usize).saturating_sub(time_width + visible.len() - 1 + fill_reserve);
    // Too little room: the action gives first, then the key (cut in the middle, it stays tellable apart), the
    // source and the outcome (never under 8 columns each), and the address last, which keeps an IPv4 address
    // whole (15 columns) whatever it costs identity and asset.
    for c in [2, 5, 1, 3, 7] {
        let over = want.iter().sum::<usize>().saturating_sub(room);
        if over == 0 {
            break;
        }
        let floor = if c == 7 {
            want[c].min(15)
        } else {
            8.min(want[c])
        };
        want[c] = want[c].saturating_sub(over).max(floor);
    }
    let len = |c: usize| Constraint::Length(want[c] as u16);
    let all_widths = if narrow {
        [
            Constraint::Length(time_width as u16),
            Constraint::Length(0),
            len(2),
            Constraint::Length(0),
            Constraint::Fill(2),
            len(5),
            Constraint::Fill(3),
            len(7),
        ]
    } else {
        [
            Constraint::Length(23),
            len(1),
            len(2),
            len(3),
            Constraint::Fill(3),
            len(5),
            Constraint::Fill(3),
            len(7),
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
    let t = timeline(v, height, s.tz, &col_widths, s.case(), &s.findings.flags);
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
                        time_cell(r, text, theme)
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
        .map(|&c| (c, TIMELINE_COLUMNS[c]))
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
        if let Some(p) = pending(v) {
            f.render_widget(
                Paragraph::new(p).style(theme.dim()),
                below_header(table_area),
            );
        }
    }
}

fn draw_detail(f: &mut Frame<'_>, area: Rect, s: &AppState, theme: Theme) {
    let d = detail(s, area.width.saturating_sub(2) as usize);
    let block = titled(format!(" {} ", d.title), s.focus == Pane::Detail, theme);
    let lines: Vec<Line<'_>> = d.lines.into_iter().map(Line::raw).collect();
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((s.detail_scroll, 0));
    f.render_widget(p, area);
}
