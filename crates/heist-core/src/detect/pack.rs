//! The rule pack: the rules shipped in `assets/rules/` (embedded in the binary), plus user rule folders. Rule ids
//! are unique across the pack; a user rule replaces a shipped one only when it says `override = true`.

use std::path::{Path, PathBuf};

use super::parse::{parse_file, RuleError};
use super::rule::Rule;

/// The shipped rule files, grouped by tactic.
const BUILTIN: &[(&str, &str)] = &[
    (
        "assets/rules/credentials.toml",
        include_str!("../../../../assets/rules/credentials.toml"),
    ),
    (
        "assets/rules/persistence.toml",
        include_str!("../../../../assets/rules/persistence.toml"),
    ),
    (
        "assets/rules/execution.toml",
        include_str!("../../../../assets/rules/execution.toml"),
    ),
    (
        "assets/rules/discovery.toml",
        include_str!("../../../../assets/rules/discovery.toml"),
    ),
    (
        "assets/rules/collection.toml",
        include_str!("../../../../assets/rules/collection.toml"),
    ),
    (
        "assets/rules/inference.toml",
        include_str!("../../../../assets/rules/inference.toml"),
    ),
    (
        "assets/rules/integrity.toml",
        include_str!("../../../../assets/rules/integrity.toml"),
    ),
    (
        "assets/rules/anti-forensics.toml",
        include_str!("../../../../assets/rules/anti-forensics.toml"),
    ),
    (
        "assets/rules/exposure.toml",
        include_str!("../../../../assets/rules/exposure.toml"),
    ),
];

/// Why the analyst's rule pack could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("the shipped rules: {0}")]
    Builtin(RuleError),
    #[error("--rules {}: not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error(transparent)]
    Rule(#[from] RuleError),
}

/// An ordered set of rules with unique ids.
#[derive(Debug, Clone, Default)]
pub struct RulePack {
    rules: Vec<Rule>,
}

impl RulePack {
    /// The rules shipped with heist. A shipped file that does not parse is a bug a unit test catches.
    pub fn builtin() -> Result<Self, RuleError> {
        let mut pack = RulePack::default();
        for (file, text) in BUILTIN {
            pack.merge(Self::from_toml(file, text)?)?;
        }
        Ok(pack)
    }

    /// The analyst's pack: the shipped rules, the config dir's `rules/` folder, then each of `dirs` (given with
    /// `--rules`), in that order; `@training_data` is the config dir's `training-data.txt` when there is one.
    pub fn with_user_dirs(dirs: &[PathBuf]) -> Result<Self, PackError> {
        let mut pack = RulePack::builtin().map_err(PackError::Builtin)?;
        if let Some(d) = directories::ProjectDirs::from("", "", "heist") {
            pack.merge(RulePack::load_dir(&d.config_dir().join("rules"))?)?;
        }
        for d in dirs {
            if !d.is_dir() {
                return Err(PackError::NotAFolder(d.clone()));
            }
            pack.merge(RulePack::load_dir(d)?)?;
        }
        let training = Self::config_training_data()?;
        Ok(pack.with_training_data(&training)?)
    }

    /// The pack with `@training_data` standing for the analyst's patterns (globs over asset names) instead of the
    /// default; no patterns keeps the default. See [`crate::detect::training`].
    pub fn with_training_data(mut self, patterns: &[String]) -> Result<Self, RuleError> {
        let Some(value) = super::training::value_of(patterns) else {
            return Ok(self);
        };
        for r in &mut self.rules {
            let file = r.file.clone();
            let id = r.id.clone();
            for qs in r.kind.queries_mut() {
                for q in
                    qs.0.iter_mut()
                        .filter(|q| q.text.contains(super::training::MACRO))
                {
                    q.query = super::parse::query_with(&q.text, &value).map_err(|message| {
                        RuleError::Field {
                            file: file.clone(),
                            rule: id.clone(),
                            field: "query".into(),
                            message: format!("with the training data {value}: {message}"),
                        }
                    })?;
                }
            }
        }
        Ok(self)
    }

    /// The training-data patterns of the config dir's `training-data.txt` (none when absent).
    pub fn config_training_data() -> Result<Vec<String>, PackError> {
        match directories::ProjectDirs::from("", "", "heist") {
            Some(d) => super::training::load_config(d.config_dir()).map_err(|source| {
                PackError::Rule(RuleError::Io {
                    path: d
                        .config_dir()
                        .join("training-data.txt")
                        .display()
                        .to_string(),
                    source,
                })
            }),
            None => Ok(Vec::new()),
        }
    }

    /// The TUI's pack: as [`RulePack::with_user_dirs`], but a rule file that cannot be used never stops the
    /// session: the shipped rules then run alone, and the error (which file, why) comes back beside them.
    pub fn for_session(dirs: &[PathBuf]) -> (Self, Option<String>) {
        match Self::with_user_dirs(dirs) {
            Ok(p) => (p, None),
            Err(e) => match RulePack::builtin() {
                Ok(p) => (p, Some(e.to_string())),
                Err(b) => (
                    RulePack::default(),
                    Some(format!("{e}; the shipped rules: {b}")),
                ),
            },
        }
    }

    /// One rule file's rules. `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, RuleError> {
        let mut pack = RulePack::default();
        for r in parse_file(file, text)? {
            pack.absorb(r)?;
        }
        Ok(pack)
    }

    pub fn load_file(path: &Path) -> Result<Self, RuleError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RuleError::Io {
            path: file.clone(),
            source,
        })?;
        Self::from_toml(&file, &text)
    }

    /// Every `*.toml` in `dir`, in name order. A folder that does not exist holds no rules; one that cannot be
    /// read is an error.
    pub fn load_dir(dir: &Path) -> Result<Self, RuleError> {
        let mut pack = RulePack::default();
        if !dir.exists() {
            return Ok(pack);
        }
        let entries = std::fs::read_dir(dir).map_err(|source| RuleError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            for r in Self::load_file(&p)?.rules {
                pack.absorb(r)?;
            }
        }
        Ok(pack)
    }

    /// Add `other`'s rules (user rules on top of the shipped ones). A duplicate id is an error unless the incoming
    /// rule says `override = true`: it then replaces the loaded rule in place, keeping the pack's order. An
    /// override that replaces nothing is an error too (a misspelt id would otherwise add a second rule).
    pub fn merge(&mut self, other: RulePack) -> Result<(), RuleError> {
        for r in other.rules {
            if r.overrides && self.get(&r.id).is_none() {
                return Err(RuleError::OverridesNothing {
                    file: r.file,
                    id: r.id,
                });
            }
            self.absorb(r)?;
        }
        Ok(())
    }

    fn absorb(&mut self, rule: Rule) -> Result<(), RuleError> {
        match self.rules.iter().position(|r| r.id == rule.id) {
            Some(i) if rule.overrides => self.rules[i] = rule,
            Some(i) => {
                return Err(RuleError::Duplicate {
                    id: rule.id,
                    first: self.rules[i].file.clone(),
                    second: rule.file,
                })
            }
            None => self.rules.push(rule),
        }
        Ok(())
    }

    /// Add the Sigma rules of `load` after the pack's own. A Sigma rule whose id a loaded rule already has is not
    /// added: it comes back, with the reason, beside the rules the load skipped.
    pub fn add_sigma(&mut self, load: super::sigma::SigmaLoad) -> Vec<super::sigma::Skipped> {
        let mut skipped = load.skipped;
        for r in load.rules {
            match self.get(&r.id) {
                Some(first) => skipped.push(super::sigma::Skipped {
                    reason: format!("id {} already loaded from {}", r.id, first.file),
                    file: r.file,
                    title: Some(r.title),
                    id: Some(r.id),
                    logsource: match &r.kind {
                        super::RuleKind::Sigma(s) => s.logsource.clone(),
                        _ => "correlation".into(),
                    },
                }),
                None => self.rules.push(r),
            }
        }
        skipped
    }

    /// The Sigma rules of the pack.
    pub fn sigma_rules(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| {
                matches!(
                    r.kind,
                    super::RuleKind::Sigma(_) | super::RuleKind::SigmaCorrelation(_)
                )
            })
            .count()
    }

    /// Keep only the rules `keep` accepts (e.g. one rule, to test it alone).
    pub fn retain(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The enabled rules whose queries test the raw record: they find nothing unless detection can read the
    /// records (`detect_store`, `detect_with`).
    pub fn reads_raw(&self) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|r| r.enabled && r.reads_raw())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
