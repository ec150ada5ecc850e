//! A key press, independent of the terminal library, and the one syntax keys are written in: the keymap file names
//! one key per string (`j`, `enter`, `ctrl-s`, `pgdown`), and a key sequence (the test harness's, a benchmark's)
//! writes plain characters as themselves and any key by its keymap name in angle brackets (`:outcome:failure<enter>`,
//! `<ctrl-s>`, `<backspace>`).

use std::fmt;

use thiserror::Error;

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

/// Why a key sequence does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeySeqError {
    #[error("unknown key <{0}> (a key sequence names keys as the keymap does: <enter>, <ctrl-s>, <backspace>…)")]
    Unknown(String),
    #[error("`<` without its `>` at character {0} (a `<` is typed as <<>)")]
    Unclosed(usize),
}

/// The keys of a sequence: plain characters as themselves, any key by its keymap name in angle brackets
/// (`<enter>`, `<ctrl-u>`, `<pgdown>`; `<<>` for `<` itself).
pub fn parse_keys(seq: &str) -> Result<Vec<Key>, KeySeqError> {
    let mut out = Vec::new();
    let mut chars = seq.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '<' {
            out.push(Key::Char(c));
            continue;
        }
        // The name runs to the next `>`; its first character may be a `<` or a `>` (`<<>`, `<>>`).
        let Some((_, first)) = chars.next() else {
            return Err(KeySeqError::Unclosed(at));
        };
        let mut name = String::from(first);
        loop {
            match chars.next() {
                Some((_, '>')) => break,
                Some((_, d)) => name.push(d),
                None => return Err(KeySeqError::Unclosed(at)),
            }
        }
        out.push(Key::parse(&name).ok_or(KeySeqError::Unknown(name))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::keymap::Keymap;

    #[test]
    fn every_keymap_name_round_trips_through_a_sequence() {
        let keymap = Keymap::default_map();
        let shipped = crate::input::action::Action::ALL
            .iter()
            .flat_map(|a| keymap.keys_for(*a));
        let named = NAMED.iter().map(|(_, k)| *k);
        let more = [
            Key::Ctrl('s'),
            Key::Ctrl('u'),
            Key::Char('<'),
            Key::Char('>'),
        ];
        for k in shipped.chain(named).chain(more) {
            let name = k.to_string();
            assert_eq!(Key::parse(&name), Some(k), "{name}");
            assert_eq!(parse_keys(&format!("<{name}>")), Ok(vec![k]), "<{name}>");
        }
        for (name, k) in NAMED {
            assert_eq!(parse_keys(&format!("<{name}>")), Ok(vec![*k]), "<{name}>");
        }
        assert_eq!(Key::parse("ctrl-S"), Some(Key::Ctrl('s')));
    }

    #[test]
    fn a_sequence_mixes_text_and_named_keys() {
        let keys = parse_keys("a:b<enter><ctrl-u> x<backspace><<><>>").unwrap();
        assert_eq!(
            keys,
            [
                Key::Char('a'),
                Key::Char(':'),
                Key::Char('b'),
                Key::Enter,
                Key::Ctrl('u'),
                Key::Char(' '),
                Key::Char('x'),
                Key::Backspace,
                Key::Char('<'),
                Key::Char('>'),
            ]
        );
        assert_eq!(
            parse_keys("time>=x"),
            Ok("time>=x".chars().map(Key::Char).collect())
        );
        assert_eq!(parse_keys(""), Ok(Vec::new()));
    }

    #[test]
    fn unknown_names_and_open_brackets_are_errors_not_text() {
        assert_eq!(
            parse_keys("<bs>"),
            Err(KeySeqError::Unknown("bs".into())),
            "the keymap says backspace"
        );
        assert_eq!(
            parse_keys("x<c-s>"),
            Err(KeySeqError::Unknown("c-s".into()))
        );
        assert_eq!(
            parse_keys("<ctrl->"),
            Err(KeySeqError::Unknown("ctrl-".into()))
        );
        assert_eq!(parse_keys("ab<enter"), Err(KeySeqError::Unclosed(2)));
        assert_eq!(parse_keys("<"), Err(KeySeqError::Unclosed(0)));
        let e = parse_keys("<nope>").unwrap_err().to_string();
        assert!(e.contains("<nope>") && e.contains("<ctrl-s>"), "{e}");
    }
}
