//! Drawing the case overlays: the case view, the note editor, the quit question, and the tag / path prompts in the
//! footer. Reads view models only.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::theme::Theme;
use super::{centered, line_spans};
use crate::app::casework::{CaseViewState, NoteState, PromptState, TagState};
use crate::app::state::AppState;
use crate::view::case::{self as vm_case, CaseLine};
use crate::view::text::clean;
use heist_core::util::num::thousands;

pub fn draw_case_view(
    f: &mut Frame<'_>,
    area: Rect,
    s: &AppState,
    cv: &CaseViewState,
    theme: Theme,
) {
    let r = centered(area, 90, 80);
    f.render_widget(Clear, r);
    let inner_height = r.height.saturating_sub(2) as usize;
    let vm = vm_case::case_view(s, cv, inner_height, r.width.saturating_sub(2) as usize);
    let lines: Vec<Line<'_>> = vm
        .lines
        .into_iter()
        .skip(vm.scroll)
        .map(|(kind, text)| match kind {
            CaseLine::Section => Line::styled(text, theme.header()),
            CaseLine::Selected => Line::styled(text, theme.selected()),
            CaseLine::Item => Line::styled(text, theme.accent()),
            CaseLine::Detail => Line::raw(text),
            CaseLine::Hint => Line::styled(text, Style::default().add_modifier(Modifier::DIM)),
        })
        .collect();
    let p = Paragraph::new(lines).block(Block::bordered().title(vm.title));
    f.render_widget(p, r);
}

pub fn draw_note(f: &mut Frame<'_>, area: Rect, s: &AppState, n: &NoteState, theme: Theme) {
    let r = centered(area, 80, 60);
    f.render_widget(Clear, r);
    let block = Block::bordered().border_style(theme.border(true));
    let inner = block.inner(r);
    let [text_area, hint_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let vm = vm_case::note(s, n, text_area.width as usize);
    f.render_widget(block.title(vm.title), r);
    let height = text_area.height as usize;
    let first = vm.cursor.0.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line<'_>> = vm
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, l)| {
            if i != vm.cursor.0 {
                return Line::raw(l.clone());
            }
            // The cursor as a reversed cell.
            let chars: Vec<char> = l.chars().collect();
            let at = vm.cursor.1.min(chars.len());
            let before: String = chars[..at].iter().collect();
            let under: String = chars.get(at).map_or(" ".into(), |c| c.to_string());
            let after: String = chars.iter().skip(at + 1).collect();
            Line::from(vec![
                Span::raw(before),
                Span::styled(under, theme.selected()),
                Span::raw(after),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), text_area);
    let hint = if vm.confirm_discard {
        Line::styled(
            "discard the changes to this note? y discards · any other key keeps editing",
            theme.failure(),
        )
    } else {
        Line::styled(
            "ctrl-s saves · enter new line · esc cancels",
            theme.accent(),
        )
    };
    f.render_widget(Paragraph::new(hint), hint_area);
}

pub fn draw_confirm_quit(f: &mut Frame<'_>, area: Rect, reason: &str, theme: Theme) {
    let lead = Line::styled("Quit with unsaved case work?", theme.failure());
    let body = Line::raw(clean(reason));
    confirm(
        f,
        area,
        " quit? ",
        lead,
        body,
        "y quits anyway · n (or any other key) stays",
        theme,
    );
}

pub fn draw_confirm_mark_all(f: &mut Frame<'_>, area: Rect, count: usize, theme: Theme) {
    let lead = Line::styled(
        format!("Mark all {} events of this view?", thousands(count as u64)),
        theme.accent(),
    );
    let body = Line::raw("Marked events make the report's timeline.");
    confirm(
        f,
        area,
        " mark all? ",
        lead,
        body,
        "y marks them · n (or any other key) does not",
        theme,
    );
}

/// A question over the screen: what is asked, why, and which key says yes.
fn confirm(
    f: &mut Frame<'_>,
    area: Rect,
    title: &str,
    lead: Line<'static>,
    body: Line<'static>,
    keys: &'static str,
    theme: Theme,
) {
    let r = centered(area, 60, 30);
    f.render_widget(Clear, r);
    let p = Paragraph::new(vec![
        lead,
        Line::raw(""),
        body,
        Line::raw(""),
        Line::styled(keys, theme.accent()),
    ])
    .wrap(Wrap { trim: false })
    .block(
        Block::bordered()
            .title(title.to_string())
            .border_style(theme.border(true)),
    );
    f.render_widget(p, r);
}

pub fn tag_footer(s: &AppState, t: &TagState, theme: Theme) -> Vec<Line<'static>> {
    let vm = vm_case::tag_prompt(s, t);
    let mut first = vec![Span::styled("tag ", theme.accent()), Span::raw(vm.target)];
    if !vm.current.is_empty() {
        first.push(Span::raw(format!("  (has {})", vm.current)));
    }
    first.push(Span::styled(": ", theme.accent()));
    first.extend(line_spans(vm.input, theme));
    let mut second = vec![Span::raw(
        "enter adds (removes a tag it has) · tab completes · ↑↓ choose · esc cancels  ",
    )];
    for (i, sug) in vm.suggestions.iter().take(8).enumerate() {
        let style = if i == vm.sel {
            theme.selected()
        } else {
            Style::default()
        };
        second.push(Span::styled(format!("#{sug}"), style));
        second.push(Span::raw(" "));
    }
    vec![Line::from(first), Line::from(second)]
}

pub fn prompt_footer(p: &PromptState, theme: Theme) -> Vec<Line<'static>> {
    let vm = vm_case::prompt(p);
    let mut spans = vec![Span::styled(vm.label, theme.accent())];
    spans.extend(line_spans(vm.input, theme));
    spans.push(Span::raw(vm.hint));
    vec![Line::from(spans)]
}
