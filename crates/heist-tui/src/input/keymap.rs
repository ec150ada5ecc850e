//! Keys to actions, from one TOML file: the defaults shipped in `assets/keymap.toml`, then the user's overrides in
//! the config dir. The same file drives the help screen. Key names are `Key::parse`'s (the one key syntax).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

use super::action::Action;
use super::key::Key;

/// The shipped bindings.
pub const DEFAULT_KEYMAP: &str = include_str!("../../../../assets/keymap.toml");

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
