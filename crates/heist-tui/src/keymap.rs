//! Keys to actions, from one TOML file: the defaults shipped in `assets/keymap.toml`, then the user's overrides in
//! the config dir. The same file drives the help screen. Keys here are heist's own type, so the keymap and the state
//! machine are tested without a terminal.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

use super::action::Action;

/// The shipped bindings.
pub const DEFAULT_KEYMAP: &str = include_str!("../../../assets/keymap.toml");

/// A key press, independent of the terminal library.
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

impl Key {
    pub fn parse(s: &str) -> Option<Key> {
        let k = match s {
            "enter" => Key::Enter,
            "esc" => Key::Esc,
            "tab" => Key::Tab,
            "backtab" | "shift-tab" => Key::BackTab,
            "backspace" => Key::Backspace,
            "up" => Key::Up,
            "down" => Key::Down,
            "left" => Key::Left,
            "right" => Key::Right,
            "pgup" => Key::PageUp,
            "pgdown" => Key::PageDown,
            "home" => Key::Home,
            "end" => Key::End,
            "delete" => Key::Delete,
            "space" => Key::Char(' '),
            _ => {
                if let Some(c) = s.strip_prefix("ctrl-") {
                    let mut it = c.chars();
                    let (Some(c), None) = (it.next(), it.next()) else {
                        return None;
                    };
                    return Some(Key::Ctrl(c.to_ascii_lowercase()));
                }
                let mut it = s.chars();
                match (it.next(), it.next()) {
                    (Some(c), None) => Key::Char(c),
                    _ => return None,
                }
            }
        };
        Some(k)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Char(' ') => f.write_str("space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Ctrl(c) => write!(f, "ctrl-{c}"),
            Key::Enter => f.write_str("enter"),
            Key::Esc => f.write_str("esc"),
            Key::Tab => f.write_str("tab"),
            Key::BackTab => f.write_str("shift-tab"),
            Key::Backspace => f.write_str("backspace"),
            Key::Up => f.write_str("up"),
            Key::Down => f.write_str("down"),
            Key::Left => f.write_str("left"),
            Key::Right => f.write_str("right"),
            Key::PageUp => f.write_str("pgup"),
            Key::PageDown => f.write_str("pgdown"),
            Key::Home => f.write_str("home"),
            Key::End => f.write_str("end"),
            Key::Delete => f.write_str("delete"),
        }
    }
}

#[derive(Debug, Error)]
pub enum KeymapError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    actions: BTreeMap<String, Binding>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Binding {
    keys: Vec<String>,
    #[serde(default)]
    help: Option<String>,
}

/// The resolved bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    /// (action, keys, help) in the shipped order, for the help screen.
    entries: Vec<(Action, Vec<Key>, String)>,
}

impl Keymap {
    /// The shipped defaults.
    pub fn default_map() -> Self {
        // The shipped file is tested; failing here would be a build defect, not an input problem.
        Self::from_sources(&[("assets/keymap.toml", DEFAULT_KEYMAP)])
            .unwrap_or_else(|e| panic!("shipped keymap is invalid: {e}"))
    }

    /// Defaults plus the user's file, when there is one.
    pub fn load(user: Option<&Path>) -> Result<Self, KeymapError> {
        let Some(p) = user.filter(|p| p.exists()) else {
            return Ok(Self::default_map());
        };
        let text = std::fs::read_to_string(p).map_err(|e| KeymapError::Invalid {
            file: p.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_sources(&[
            ("assets/keymap.toml", DEFAULT_KEYMAP),
            (&p.display().to_string(), &text),
        ])
    }

    /// Later sources override earlier ones, action by action.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Self, KeymapError> {
        let mut bindings: Vec<(Action, Binding)> = Vec::new();
        for (file, text) in sources {
            let invalid = |message: String| KeymapError::Invalid {
                file: file.to_string(),
                message,
            };
            let f: File = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
            for (name, b) in f.actions {
                let action: Action = name.parse().map_err(invalid)?;
                for k in &b.keys {
                    if Key::parse(k).is_none() {
                        return Err(invalid(format!("action {name}: unknown key {k:?}")));
                    }
                }
                match bindings.iter_mut().find(|(a, _)| *a == action) {
                    Some((_, old)) => {
                        let help = b.help.clone().or(old.help.clone());
                        *old = Binding { keys: b.keys, help };
                    }
                    None => bindings.push((action, b)),
                }
            }
        }
        // Shipped order for help: the order of Action::ALL.
        bindings.sort_by_key(|(a, _)| Action::ALL.iter().position(|x| x == a));
        let mut by_key = HashMap::new();
        let mut entries = Vec::new();
        for (a, b) in bindings {
            let keys: Vec<Key> = b.keys.iter().filter_map(|k| Key::parse(k)).collect();
            for k in &keys {
                // A key re-bound by the user moves to its new action.
                by_key.insert(*k, a);
            }
            entries.push((a, keys, b.help.unwrap_or_default()));
        }
        Ok(Self { by_key, entries })
    }

    pub fn action(&self, key: Key) -> Option<Action> {
        self.by_key.get(&key).copied()
    }

    /// The keys bound to `action`, for hints.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.entries
            .iter()
            .find(|(a, _, _)| *a == action)
            .map(|(_, k, _)| {
                k.iter()
                    .copied()
                    .filter(|k| self.by_key.get(k) == Some(&action))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// (keys, help) lines for the help screen, in keymap order.
    pub fn help_lines(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|(a, _, help)| {
                let keys: Vec<String> = self.keys_for(*a).iter().map(Key::to_string).collect();
                (keys.join(" "), help.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_bound_and_documented() {
        let k = Keymap::default_map();
        for a in Action::ALL {
            assert!(!k.keys_for(*a).is_empty(), "{a} has no key");
        }
        assert_eq!(k.help_lines().len(), Action::ALL.len());
        assert!(k.help_lines().iter().all(|(_, h)| !h.is_empty()));
        assert_eq!(k.action(Key::Char('j')), Some(Action::Down));
        assert_eq!(k.action(Key::BackTab), Some(Action::PrevPane));
        assert_eq!(k.action(Key::Ctrl('c')), Some(Action::Quit));
    }

    #[test]
    fn user_overrides_move_keys() {
        let user = "[actions]\nquit = { keys = [\"Q\"] }\n";
        let k = Keymap::from_sources(&[("d", DEFAULT_KEYMAP), ("u", user)]).unwrap();
        assert_eq!(k.action(Key::Char('Q')), Some(Action::Quit));
        assert_eq!(k.action(Key::Char('q')), None);
        assert_eq!(
            k.help_lines()
                .iter()
                .find(|(keys, _)| keys == "Q")
                .map(|(_, h)| h.as_str()),
            Some("quit")
        );
    }

    #[test]
    fn bad_user_files_name_the_problem() {
        let e = Keymap::from_sources(&[("u.toml", "[actions]\nfly = { keys = [\"f\"] }\n")])
            .unwrap_err();
        assert!(e.to_string().contains("u.toml") && e.to_string().contains("fly"));
        let e = Keymap::from_sources(&[("u.toml", "[actions]\nquit = { keys = [\"ctrl-\"] }\n")])
            .unwrap_err();
        assert!(e.to_string().contains("unknown key"));
    }
}
