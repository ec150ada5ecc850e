//! Drawing the scope view over the panes. Reads its view model only.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::centered;
use super::theme::Theme;
use crate::app::scope::ScopeViewState;
use crate::app::state::AppState;
use crate::view::scope::{scope_view, ScopeLine};

pub fn draw_scope_view(
    f: &mut Frame<'_>,
    area: Rect,
    s: &AppState,
    sv: &ScopeViewState,
    theme: Theme,
) {
    let r = centered(area, 90, 90);
    f.render_widget(Clear, r);
    let vm = scope_view(
        s,
        sv,
        r.height.saturating_sub(2) as usize,
        r.width.saturating_sub(2) as usize,
    );
    let lines: Vec<Line<'_>> = vm
        .lines
        .into_iter()
        .skip(vm.scroll)
        .map(|(kind, text)| match kind {
            ScopeLine::Section => Line::styled(text, theme.header()),
            ScopeLine::Selected => Line::styled(text, theme.selected()),
            ScopeLine::Item => Line::styled(text, theme.accent()),
            ScopeLine::Detail => Line::raw(text),
            ScopeLine::Hint => Line::styled(text, Style::default().add_modifier(Modifier::DIM)),
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(vm.title)),
        r,
    );
}
