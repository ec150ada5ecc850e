//! A small multi-line text editor for notes: lines of text and a cursor, changed by keys. Pure data, no terminal;
//! the note overlay draws it and the update loop feeds it keys.

use super::key::Key;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    lines: Vec<String>,
    /// Cursor: line, and char (not byte) position in it.
    row: usize,
    col: usize,
}

impl Default for Editor {
    fn default() -> Self {
        Self::new("")
    }
}

fn byte_at(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

fn len_chars(s: &str) -> usize {
    s.chars().count()
}

impl Editor {
    /// Start with `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let row = lines.len() - 1;
        let col = len_chars(&lines[row]);
        Self { lines, row, col }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.is_empty())
    }

    fn line(&mut self) -> &mut String {
        &mut self.lines[self.row]
    }

    pub fn insert(&mut self, c: char) {
        let col = self.col;
        let line = self.line();
        let at = byte_at(line, col);
        line.insert(at, c);
        self.col += 1;
    }

    pub fn newline(&mut self) {
        let col = self.col;
        let line = self.line();
        let at = byte_at(line, col);
        let rest = line.split_off(at);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            let col = self.col;
            let line = self.line();
            let at = byte_at(line, col - 1);
            line.remove(at);
            self.col -= 1;
        } else if self.row > 0 {
            let cur = self.lines.remove(self.row);
            self.row -= 1;
            self.col = len_chars(&self.lines[self.row]);
            self.lines[self.row].push_str(&cur);
        }
    }

    pub fn delete(&mut self) {
        let n = len_chars(&self.lines[self.row]);
        if self.col < n {
            let col = self.col;
            let line = self.line();
            let at = byte_at(line, col);
            line.remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.line().push_str(&next);
        }
    }

    fn clamp_col(&mut self) {
        self.col = self.col.min(len_chars(&self.lines[self.row]));
    }

    /// Apply an editing key; `false` when the key is not an editing key (the caller handles it).
    pub fn key(&mut self, k: Key) -> bool {
        match k {
            Key::Char(c) => self.insert(c),
            Key::Enter => self.newline(),
            Key::Tab => {
                for _ in 0..4 {
                    self.insert(' ');
                }
            }
            Key::Backspace => self.backspace(),
            Key::Delete => self.delete(),
            Key::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = len_chars(&self.lines[self.row]);
                }
            }
            Key::Right => {
                if self.col < len_chars(&self.lines[self.row]) {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
            }
            Key::Up => {
                self.row = self.row.saturating_sub(1);
                self.clamp_col();
            }
            Key::Down => {
                self.row = (self.row + 1).min(self.lines.len() - 1);
                self.clamp_col();
            }
            Key::Home | Key::Ctrl('a') => self.col = 0,
            Key::End | Key::Ctrl('e') => self.col = len_chars(&self.lines[self.row]),
            Key::Ctrl('u') => {
                let col = self.col;
                let line = self.line();
                let at = byte_at(line, col);
                line.replace_range(..at, "");
                self.col = 0;
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
        e.key(Key::Up);
        e.key(Key::Down);
        e.key(Key::Down);
        assert_eq!(e.cursor(), (1, 0));
    }
}
