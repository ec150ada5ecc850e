//! The note editor: lines of text and a cursor, changed by keys. The editing is ratatui-textarea's, used as data
//! only (the note overlay draws the lines itself, wrapped, so drawing never touches the editor); `key` adapts
//! heist's `Key` to it.

use ratatui_textarea::{CursorMove, DataCursor, TextArea};

use super::key::Key;

/// Boxed: a text area is large, and a note being written is one of the modes the state switches between.
#[derive(Debug, Clone)]
pub struct Editor(Box<TextArea<'static>>);

impl Default for Editor {
    fn default() -> Self {
        Self::new("")
    }
}

impl Editor {
    /// Start with `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        let mut area = TextArea::new(text.split('\n').map(str::to_string).collect());
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        Self(Box::new(area))
    }

    pub fn text(&self) -> String {
        self.0.lines().join("\n")
    }

    pub fn lines(&self) -> &[String] {
        self.0.lines()
    }

    /// Line, and char (not byte) position in it.
    pub fn cursor(&self) -> (usize, usize) {
        let DataCursor(row, col) = self.0.cursor();
        (row, col)
    }

    pub fn is_empty(&self) -> bool {
        self.0.lines().iter().all(|l| l.is_empty())
    }

    /// Apply an editing key; `false` when the key is not an editing key (the caller handles it).
    pub fn key(&mut self, k: Key) -> bool {
        let a = &mut self.0;
        match k {
            Key::Char(c) => a.insert_char(c),
            Key::Enter => a.insert_newline(),
            Key::Tab => {
                a.insert_str("    ");
            }
            Key::Backspace => {
                a.delete_char();
            }
            Key::Delete => {
                a.delete_next_char();
            }
            Key::Left => a.move_cursor(CursorMove::Back),
            Key::Right => a.move_cursor(CursorMove::Forward),
            Key::Up => a.move_cursor(CursorMove::Up),
            Key::Down => a.move_cursor(CursorMove::Down),
            Key::Home | Key::Ctrl('a') => a.move_cursor(CursorMove::Head),
            Key::End | Key::Ctrl('e') => a.move_cursor(CursorMove::End),
            // The line up to the cursor; at its start, nothing (the line is not joined to the one above).
            Key::Ctrl('u') => {
                if a.cursor().1 > 0 {
                    a.delete_line_by_head();
                }
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(e: &mut Editor, s: &str) {
        for c in s.chars() {
            if c == '\n' {
                e.key(Key::Enter);
            } else {
                e.key(Key::Char(c));
            }
        }
    }

    #[test]
    fn typing_lines_and_joining_them() {
        let mut e = Editor::default();
        assert!(e.is_empty());
        typed(&mut e, "first\nsecönd");
        assert_eq!(e.text(), "first\nsecönd");
        assert_eq!(e.cursor(), (1, 6));
        e.key(Key::Home);
        e.key(Key::Backspace);
        assert_eq!(e.text(), "firstsecönd");
        assert_eq!(e.cursor(), (0, 5));
        e.key(Key::Enter);
        assert_eq!(e.text(), "first\nsecönd");
        e.key(Key::Up);
        e.key(Key::End);
        e.key(Key::Delete);
        assert_eq!(e.text(), "firstsecönd");
        assert!(!e.key(Key::Esc), "esc is the caller's");
        assert!(!e.key(Key::Ctrl('s')));
    }

    #[test]
    fn cursor_moves_on_chars_across_lines() {
        let mut e = Editor::new("ab\nçd");
        assert_eq!(e.cursor(), (1, 2));
        e.key(Key::Left);
        e.key(Key::Left);
        e.key(Key::Left);
        assert_eq!(e.cursor(), (0, 2));
        e.key(Key::Right);
        assert_eq!(e.cursor(), (1, 0));
        e.key(Key::Char('x'));
        assert_eq!(e.text(), "ab\nxçd");
        e.key(Key::End);
        e.key(Key::Backspace);
        assert_eq!(e.text(), "ab\nxç");
        e.key(Key::Ctrl('u'));
        assert_eq!(e.text(), "ab\n");
        e.key(Key::Ctrl('u'));
        assert_eq!(e.text(), "ab\n", "ctrl-u at the start of a line leaves it");
        e.key(Key::Up);
        e.key(Key::Down);
        e.key(Key::Down);
        assert_eq!(e.cursor(), (1, 0));
    }

    #[test]
    fn tab_is_four_spaces_and_a_typed_newline_breaks_the_line() {
        let mut e = Editor::new("a");
        e.key(Key::Tab);
        assert_eq!(e.text(), "a    ");
        e.key(Key::Home);
        e.key(Key::Char('\n'));
        assert_eq!(e.lines(), ["", "a    "]);
        assert_eq!(e.cursor(), (1, 0));
    }

    #[test]
    fn up_and_down_keep_the_cursor_in_the_line() {
        let mut e = Editor::new("long line\nab\nlonger line");
        assert_eq!(e.cursor(), (2, 11));
        e.key(Key::Up);
        assert_eq!(e.cursor(), (1, 2));
        e.key(Key::Up);
        assert_eq!(e.cursor(), (0, 2));
        e.key(Key::Up);
        assert_eq!(e.cursor(), (0, 2), "already on the first line");
        e.key(Key::End);
        assert_eq!(e.cursor(), (0, 9));
        e.key(Key::Down);
        assert_eq!(e.cursor(), (1, 2));
        e.key(Key::Down);
        e.key(Key::Down);
        assert_eq!(e.cursor(), (2, 2), "already on the last line");
    }
}
