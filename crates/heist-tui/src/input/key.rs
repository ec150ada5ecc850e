//! A key press, independent of the terminal library, and its names as the keymap file writes them (`j`, `enter`,
//! `ctrl-s`, `pgdown`).

use std::fmt;

/// A key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
}

/// The keys with a name, as the keymap file writes them. The first name of a key is the one it is shown by.
const NAMED: &[(&str, Key)] = &[
    ("enter", Key::Enter),
    ("esc", Key::Esc),
    ("tab", Key::Tab),
    ("shift-tab", Key::BackTab),
    ("backtab", Key::BackTab),
    ("backspace", Key::Backspace),
    ("up", Key::Up),
    ("down", Key::Down),
    ("left", Key::Left),
    ("right", Key::Right),
    ("pgup", Key::PageUp),
    ("pgdown", Key::PageDown),
    ("home", Key::Home),
    ("end", Key::End),
    ("delete", Key::Delete),
    ("space", Key::Char(' ')),
];

impl Key {
    /// The key a keymap name stands for: a named key, `ctrl-<c>`, or a single character.
    pub fn parse(s: &str) -> Option<Key> {
        if let Some((_, k)) = NAMED.iter().find(|(name, _)| *name == s) {
            return Some(*k);
        }
        if let Some(c) = s.strip_prefix("ctrl-") {
            return single(c).map(|c| Key::Ctrl(c.to_ascii_lowercase()));
        }
        single(s).map(Key::Char)
    }
}

fn single(s: &str) -> Option<char> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

impl fmt::Display for Key {
    /// The key's keymap name (what help shows).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((name, _)) = NAMED.iter().find(|(_, k)| k == self) {
            return f.write_str(name);
        }
        match self {
            Key::Char(c) => write!(f, "{c}"),
            Key::Ctrl(c) => write!(f, "ctrl-{c}"),
            // Every other key is in `NAMED`.
            other => write!(f, "{other:?}"),
        }
    }
}
