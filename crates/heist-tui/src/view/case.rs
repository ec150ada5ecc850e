//! View models of the case overlays: the case view, the tag and path prompts, the note editor.
//! Plain, neutralised strings for the widgets (notes and summaries can hold pasted log text).

use heist_core::case::TimeZone;
use heist_core::export::report::fmt_time;

use super::line::{line, LineVm};
use super::text::{self, clean, fit, wrap_spans};
use crate::app::casework::{CaseViewState, NoteState, PromptKind, PromptState, TagState, Target};
use crate::app::state::AppState;

/// How a line of the case view is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseLine {
    Section,
    Item,
    Selected,
    Detail,
    Hint,
}

pub struct CaseViewVm {
    pub title: String,
    pub lines: Vec<(CaseLine, String)>,
    /// First line to show so the selected item and its note are in view.
    pub scroll: usize,
}

/// What a case key acts on, in words.
pub fn target_label(t: &Target, tz: TimeZone) -> String {
    match t {
        Target::Event { info, .. } => {
            let when = info.time.map(|t| fmt_time(t, tz)).unwrap_or_default();
            format!("event {when} {}", fit(&clean(&info.summary), 70, false))
        }
        Target::Entity(e) => format!("{} {}", e.kind, fit(&clean(&e.name), 70, false)),
    }
}

/// The case view, `height` rows of `width` columns (notes wrap to it).
pub fn case_view(s: &AppState, cv: &CaseViewState, height: usize, width: usize) -> CaseViewVm {
    let mut lines = Vec::new();
    let mut selected_at = (0, 0);
    let Some(session) = &s.case else {
        return CaseViewVm {
            title: " Case ".into(),
            lines: vec![(CaseLine::Hint, "the case is not open yet".into())],
            scroll: 0,
        };
    };
    let c = &session.case;
    let where_ = match (&session.read_only, &session.file) {
        (Some(_), _) => "read-only".to_string(),
        (None, Some(f)) => f
            .path()
            .file_name()
            .map(|n| clean(&n.to_string_lossy()))
            .unwrap_or_default(),
        (None, None) => "in memory only".into(),
    };
    let marked = c.marked();
    let title = format!(
        " Case · {} marked · {where_} · enter goes there · m unmarks · n note · T tag · esc closes ",
        marked.len()
    );
    lines.push((
        CaseLine::Hint,
        match &c.analyst {
            Some(a) => format!("analyst: {} · A changes it", clean(a)),
            None => "analyst: not set · A sets it (the report gives it)".into(),
        },
    ));
    lines.push((CaseLine::Section, "Marked events, in time order".into()));
    if marked.is_empty() {
        lines.push((
            CaseLine::Hint,
            "  none yet: select an event in the timeline and press m".into(),
        ));
    }
    let mut item = 0;
    for (_, n) in &marked {
        let start = lines.len();
        let when = n
            .time
            .map(|t| fmt_time(t, s.tz))
            .unwrap_or_else(|| "(time unknown)".into());
        let style = if item == cv.sel {
            CaseLine::Selected
        } else {
            CaseLine::Item
        };
        lines.push((style, format!("● {when}  {}", clean(&n.summary))));
        if !n.tags.is_empty() {
            let t: Vec<String> = n.tags.iter().map(|t| format!("#{}", clean(t))).collect();
            lines.push((CaseLine::Detail, format!("    {}", t.join(" "))));
        }
        // Notes wrap under their event (the prefix takes 6 columns).
        for l in n.note.lines() {
            let text = clean(l);
            let chars: Vec<char> = text.chars().collect();
            for (a, b) in wrap_spans(&text, width.saturating_sub(6).max(10)) {
                let row: String = chars[a..b].iter().collect();
                lines.push((CaseLine::Detail, format!("    │ {}", row.trim_end())));
            }
        }
        if item == cv.sel {
            selected_at = (start, lines.len());
        }
        item += 1;
    }
    if !c.views.is_empty() {
        lines.push((CaseLine::Hint, String::new()));
        lines.push((CaseLine::Section, "Saved views".into()));
        for v in &c.views {
            let style = if item == cv.sel {
                CaseLine::Selected
            } else {
                CaseLine::Item
            };
            let trail: Vec<String> = v
                .steps
                .iter()
                .map(|st| match &st.entity {
                    Some(e) => fit(&clean(&e.to_string()), 40, false),
                    None => "all events".into(),
                })
                .collect();
            let filter = v
                .steps
                .last()
                .map(|st| st.filter.as_str())
                .filter(|f| !f.is_empty())
                .map(|f| format!("  filter {}", clean(f)))
                .unwrap_or_default();
            if item == cv.sel {
                selected_at = (lines.len(), lines.len() + 1);
            }
            lines.push((
                style,
                format!("◆ {}  {}{filter}", clean(&v.name), trail.join(" › ")),
            ));
            item += 1;
        }
    }
    let scroll = selected_at.1.saturating_sub(height).min(selected_at.0);
    CaseViewVm {
        title,
        lines,
        scroll,
    }
}

pub struct TagVm {
    pub target: String,
    pub current: String,
    pub input: LineVm,
    pub suggestions: Vec<String>,
    pub sel: usize,
}

pub fn tag_prompt(s: &AppState, t: &TagState) -> TagVm {
    let c = s.case();
    let current: Vec<String> = match (&t.target, c) {
        (Target::Event { key, .. }, Some(c)) => c
            .event(key)
            .map(|n| n.tags.iter().cloned().collect())
            .unwrap_or_default(),
        (Target::Entity(e), Some(c)) => c.entity_tags(e).iter().map(|x| x.to_string()).collect(),
        _ => Vec::new(),
    };
    TagVm {
        target: target_label(&t.target, s.tz),
        current: current
            .iter()
            .map(|x| format!("#{}", clean(x)))
            .collect::<Vec<_>>()
            .join(" "),
        input: line(&t.input),
        suggestions: c
            .map(|c| c.tag_suggestions(t.input.value()))
            .unwrap_or_default()
            .iter()
            .map(|x| clean(x))
            .collect(),
        sel: t.sel,
    }
}

pub struct NoteVm {
    pub title: String,
    /// The note's lines, wrapped to the editor's width.
    pub rows: Vec<String>,
    /// Cursor (row in `rows`, column in that row).
    pub cursor: (usize, usize),
    pub confirm_discard: bool,
}

/// The note being written, its lines word-wrapped at `width` columns.
pub fn note(s: &AppState, n: &NoteState, width: usize) -> NoteVm {
    let width = width.max(1);
    let (line, col) = n.editor.cursor();
    let mut rows = Vec::new();
    let mut cursor = (0, 0);
    for (i, l) in n.editor.lines().iter().enumerate() {
        let text = clean(l);
        let chars: Vec<char> = text.chars().collect();
        let row = |(a, b): (usize, usize)| chars[a..b].iter().collect::<String>();
        let mut wrapped = wrap_spans(&text, width);
        if i == line {
            let c = clean(&l.chars().take(col).collect::<String>())
                .chars()
                .count();
            // After the last character of a full row, the cursor starts the next one.
            if c == chars.len()
                && wrapped
                    .last()
                    .is_some_and(|&r| text::width(&row(r)) >= width)
            {
                wrapped.push((c, c));
            }
            let r = wrapped
                .iter()
                .rposition(|&(start, _)| start <= c)
                .unwrap_or(0);
            cursor = (rows.len() + r, c - wrapped[r].0);
        }
        rows.extend(wrapped.iter().map(|&r| row(r)));
    }
    NoteVm {
        title: format!(" note on {} ", target_label(&n.target, s.tz)),
        rows,
        cursor,
        confirm_discard: n.confirm_discard,
    }
}

pub struct PromptVm {
    pub label: String,
    pub input: LineVm,
    pub hint: &'static str,
}

pub fn prompt(p: &PromptState) -> PromptVm {
    match p.kind {
        PromptKind::Export => PromptVm {
            label: "export report to: ".into(),
            input: line(&p.input),
            hint: "   enter writes (.csv/.jsonl: rows; never inside the bundle) · esc cancels",
        },
        PromptKind::SaveView => PromptVm {
            label: "save view as: ".into(),
            input: line(&p.input),
            hint: "   enter saves · esc cancels",
        },
        PromptKind::Analyst => PromptVm {
            label: "analyst: ".into(),
            input: line(&p.input),
            hint: "   enter keeps it in the case (the report gives it) · esc cancels",
        },
        PromptKind::JumpTime => PromptVm {
            label: "jump to: ".into(),
            input: line(&p.input),
            hint: "   a time or date (2026-10-05 02:13, in the zone shown) · enter jumps · esc cancels",
        },
        PromptKind::EndDate => PromptVm {
            label: match &p.entity {
                Some(e) => format!("{} {} ended at: ", e.kind, fit(&clean(&e.name), 40, false)),
                None => "ended at: ".into(),
            },
            input: line(&p.input),
            hint: "   enter sets (later use is flagged) · empty clears · esc cancels",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::editor::Editor;
    use crate::input::key::Key;
    use crate::input::keymap::Keymap;
    use heist_core::entities::{Entity, EntityKind};

    fn note_at(text: &str, keys: &[Key], width: usize) -> NoteVm {
        let s = AppState::new(Keymap::default_map(), "t");
        let mut editor = Editor::new(text);
        for k in keys {
            editor.key(*k);
        }
        let n = NoteState {
            target: Target::Entity(Entity::new(EntityKind::Asset, "a")),
            editor,
            original: String::new(),
            confirm_discard: false,
        };
        note(&s, &n, width)
    }

    #[test]
    fn the_cursor_maps_onto_rows_of_wide_characters() {
        // 8 columns: the space after the first word does not fit its row and starts the next.
        let vm = note_at("模型权重 数据🔥", &[], 8);
        assert_eq!(vm.rows, ["模型权重", " 数据🔥"]);
        assert_eq!(vm.cursor, (1, 4), "after the last character");
        let vm = note_at("模型权重 数据🔥", &[Key::Home, Key::Right, Key::Right], 8);
        assert_eq!(vm.cursor, (0, 2), "on 权");
        let vm = note_at(
            "模型权重 数据🔥",
            &[Key::Home, Key::Down, Key::Ctrl('e'), Key::Left],
            8,
        );
        assert_eq!(vm.cursor, (1, 3), "on 🔥");
        // A row full to the last column: the cursor after it starts a row of its own.
        let vm = note_at("模型权重", &[], 8);
        assert_eq!(vm.rows, ["模型权重", ""]);
        assert_eq!(vm.cursor, (1, 0));
        // One column short of full (a wide character did not fit): the cursor stays on the row.
        let vm = note_at("模型权重", &[], 9);
        assert_eq!(vm.cursor, (0, 4));
    }
}
