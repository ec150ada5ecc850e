//! The one single-line input every prompt types into (the filter bar, the finder, the tag input, the export path,
//! a view's name, the analyst's name, an end date): text and a cursor, edited by heist's keys. Pure data; the
//! editing itself is tui-input's, `key` adapts heist's `Key` to it.

use tui_input::{Input, InputRequest};

use super::key::Key;

/// A line of text being typed, with its cursor.
#[derive(Debug, Clone, Default)]
pub struct LineInput(Input);

/// What a key did to a line input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed (a live filter or search runs again).
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key, or one with nothing to do (backspace at the start): the caller's.
    Ignored,
}

impl LineInput {
    /// `text`, the cursor at its end.
    pub fn new(text: impl Into<String>) -> Self {
        Self(Input::new(text.into()))
    }

    pub fn value(&self) -> &str {
        self.0.value()
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    /// The text before the cursor, the character under it (none at the end) and the text after it.
    pub fn split(&self) -> (&str, Option<char>, &str) {
        let s = self.value();
        let at = s
            .char_indices()
            .nth(self.0.cursor())
            .map_or(s.len(), |(i, _)| i);
        let (before, rest) = s.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next();
        (before, under, chars.as_str())
    }

    /// Apply an editing key: characters are typed at the cursor, backspace and delete remove around it, left,
    /// right, home (ctrl-a) and end (ctrl-e) move it, ctrl-u clears the line.
    pub fn key(&mut self, k: Key) -> Edit {
        let req = match k {
            Key::Char(c) => InputRequest::InsertChar(c),
            Key::Backspace => InputRequest::DeletePrevChar,
            Key::Delete => InputRequest::DeleteNextChar,
            Key::Left => InputRequest::GoToPrevChar,
            Key::Right => InputRequest::GoToNextChar,
            Key::Home | Key::Ctrl('a') => InputRequest::GoToStart,
            Key::End | Key::Ctrl('e') => InputRequest::GoToEnd,
            Key::Ctrl('u') => InputRequest::DeleteLine,
            _ => return Edit::Ignored,
        };
        match self.0.handle(req) {
            Some(c) if c.value => Edit::Changed,
            Some(c) if c.cursor => Edit::Moved,
            _ => Edit::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(l: &mut LineInput, s: &str) {
        for c in s.chars() {
            assert_eq!(l.key(Key::Char(c)), Edit::Changed);
        }
    }

    #[test]
    fn typing_at_the_cursor_and_moving_it() {
        let mut l = LineInput::default();
        assert!(l.is_empty());
        typed(&mut l, "tokn");
        assert_eq!(l.split(), ("tokn", None, ""));
        assert_eq!(l.key(Key::Left), Edit::Moved);
        typed(&mut l, "e");
        assert_eq!(l.value(), "token");
        assert_eq!(l.split(), ("toke", Some('n'), ""));
        assert_eq!(l.key(Key::Home), Edit::Moved);
        assert_eq!(l.key(Key::Left), Edit::Ignored, "already at the start");
        assert_eq!(l.key(Key::Backspace), Edit::Ignored);
        typed(&mut l, "-");
        assert_eq!(l.value(), "-token");
        assert_eq!(l.key(Key::Ctrl('e')), Edit::Moved);
        typed(&mut l, ":");
        assert_eq!(l.value(), "-token:");
        assert_eq!(l.key(Key::Ctrl('a')), Edit::Moved);
        assert_eq!(l.key(Key::Delete), Edit::Changed);
        assert_eq!(l.split(), ("", Some('t'), "oken:"));
        assert_eq!(l.key(Key::End), Edit::Moved);
        assert_eq!(l.key(Key::Backspace), Edit::Changed);
        assert_eq!(l.value(), "token");
        assert_eq!(l.key(Key::Ctrl('u')), Edit::Changed);
        assert!(l.is_empty());
    }

    #[test]
    fn a_prefilled_line_has_its_cursor_at_the_end_and_wide_characters_move_as_one() {
        let mut l = LineInput::new("ip:模型🔥");
        assert_eq!(l.split(), ("ip:模型🔥", None, ""));
        l.key(Key::Left);
        assert_eq!(l.split(), ("ip:模型", Some('🔥'), ""));
        l.key(Key::Backspace);
        assert_eq!(l.value(), "ip:模🔥");
        // Keys that are not editing keys are the caller's.
        for k in [
            Key::Enter,
            Key::Esc,
            Key::Tab,
            Key::Up,
            Key::Down,
            Key::Ctrl('s'),
        ] {
            assert_eq!(l.key(k), Edit::Ignored, "{k}");
        }
        assert_eq!(l.value(), "ip:模🔥");
    }
}
