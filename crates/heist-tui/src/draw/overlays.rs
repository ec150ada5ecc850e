//! The overlays over the panes: help (scrolled by `update`, clamped here to its last page) and the fuzzy finder.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use super::theme::Theme;
use super::{centered, line_spans};
use crate::app::state::{AppState, FinderState};
use crate::view::entities::entity_tags;
use crate::view::help::{help_rows, HelpRow, HELP_KEYS};
use crate::view::line::line;
use crate::view::text::{clean, pad, window_start};

pub fn draw_help(f: &mut Frame<'_>, area: Rect, s: &AppState, scroll: u16, theme: Theme) {
    let r = centered(area, 90, 90);
    f.render_widget(Clear, r);
    let rows = help_rows(&s.keymap, r.width.saturating_sub(2) as usize);
    let lines: Vec<Line<'_>> = rows
        .into_iter()
        .map(|row| match row {
            HelpRow::Lead(t) => Line::styled(t, theme.accent()),
            HelpRow::Text(t) => Line::raw(t),
            HelpRow::Key { keys, text } => Line::from(vec![
                Span::styled(pad(&keys, HELP_KEYS), theme.accent()),
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

/// What did not load, over the screen, scrolled like help.
pub fn draw_problems(f: &mut Frame<'_>, area: Rect, s: &AppState, scroll: u16, theme: Theme) {
    let r = centered(area, 90, 90);
    f.render_widget(Clear, r);
    let width = r.width.saturating_sub(2) as usize;
    let lines: Vec<Line<'_>> = match &s.store {
        Some(store) => crate::view::problems::problem_lines(store, width)
            .into_iter()
            .map(|(heading, t)| {
                if heading {
                    Line::styled(t, theme.accent())
                } else {
                    Line::raw(t)
                }
            })
            .collect(),
        None => vec![Line::raw("the bundle is not loaded yet")],
    };
    let height = r.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(height) as u16);
    let title = if lines.len() > height {
        " what did not load · j/k pgdn/pgup scroll · any other key closes "
    } else {
        " what did not load · any key closes "
    };
    let p = Paragraph::new(lines)
        .block(Block::bordered().title(title))
        .scroll((scroll, 0));
    f.render_widget(p, r);
}

/// The comparison of two entities, scrolled to `scroll`.
pub fn draw_compare(f: &mut Frame<'_>, area: Rect, s: &AppState, scroll: u16, theme: Theme) {
    use crate::view::compare::{compare_view, CompareLine};
    let r = centered(area, 90, 90);
    f.render_widget(Clear, r);
    let vm = compare_view(s, r.width.saturating_sub(2) as usize);
    let height = r.height.saturating_sub(2) as usize;
    let scroll = scroll.min(vm.lines.len().saturating_sub(height) as u16);
    let lines: Vec<Line<'_>> = vm
        .lines
        .into_iter()
        .map(|(kind, t)| match kind {
            CompareLine::Heading => Line::styled(t, theme.accent()),
            CompareLine::Section => Line::styled(t, theme.header()),
            CompareLine::Row => Line::raw(t),
            CompareLine::Hint => Line::styled(t, Style::default().add_modifier(Modifier::DIM)),
        })
        .collect();
    let p = Paragraph::new(lines)
        .block(Block::bordered().title(vm.title))
        .scroll((scroll, 0));
    f.render_widget(p, r);
}

pub fn draw_finder(f: &mut Frame<'_>, area: Rect, s: &AppState, fs: &FinderState, theme: Theme) {
    let r = centered(area, 80, 70);
    f.render_widget(Clear, r);
    let block = Block::bordered().title(" find · enter pivots · esc closes ");
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [input, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let mut prompt = vec![Span::styled("> ", theme.accent())];
    prompt.extend(line_spans(line(&fs.input), theme));
    f.render_widget(Paragraph::new(Line::from(prompt)), input);
    let height = list.height as usize;
    let start = window_start(fs.sel, fs.hits.len(), height);
    let rows: Vec<Row<'_>> = fs
        .hits
        .iter()
        .skip(start)
        .take(height)
        .map(|h| {
            let tags = entity_tags(s.case(), h.entity.kind, &h.entity.name);
            let name = clean(&h.entity.name);
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
