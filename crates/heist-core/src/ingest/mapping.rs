//! Mapping files: for sources heist does not know (an inference gateway, an AI vendor's audit feed, an eDiscovery
//! CSV), a small TOML file names which field feeds which column, how to read the time, and how to recognise the
//! content. Built-in examples live in `assets/mappings/`; users add theirs with `--map FILE` or in the config dir.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

use crate::frame::Col;

#[derive(Debug, Error)]
pub enum MappingError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

/// A mapping file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Becomes the `source` column.
    pub id: String,
    pub title: String,
    pub provider: String,
    #[serde(default)]
    pub service: Option<String>,
    /// Example layouts, for `heist formats`.
    #[serde(default)]
    pub layouts: Vec<String>,
    pub detect: Detect,
    pub time: TimeSpec,
    /// Column name -> field path (dotted for nested JSON, the header for CSV), or a list tried in order.
    pub fields: BTreeMap<String, Paths>,
    /// Column name -> fixed value.
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    #[serde(default)]
    pub failure: Option<FailureRule>,
}

/// How to recognise the content.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    /// JSON: every one of these top-level keys is in the first records.
    #[serde(default)]
    pub keys: Vec<String>,
    /// CSV: every one of these columns is in the header.
    #[serde(default)]
    pub header: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSpec {
    pub field: Paths,
    /// `auto` (RFC 3339, epoch numbers, common shapes) or a chrono format string, read as UTC.
    #[serde(default = "auto")]
    pub format: String,
}

fn auto() -> String {
    "auto".into()
}

/// The event failed when `field` matches `regex`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureRule {
    pub field: String,
    pub regex: String,
    /// Column that receives the failing value as the error code (default `error_code`).
    #[serde(default)]
    pub error_from: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Paths {
    One(String),
    Many(Vec<String>),
}

impl Paths {
    pub fn list(&self) -> Vec<&str> {
        match self {
            Paths::One(s) => vec![s.as_str()],
            Paths::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Columns a mapping may fill (the raw-location columns are heist's own).
pub fn mappable(col: Col) -> bool {
    !matches!(
        col,
        Col::Time
            | Col::Origin
            | Col::Line
            | Col::RawOffset
            | Col::RawLen
            | Col::RecordHash
            | Col::Source
    )
}

impl Mapping {
    /// Parse and check a mapping; errors name the file and the field.
    pub fn parse(file: &str, text: &str) -> Result<Self, MappingError> {
        let invalid = |message: String| MappingError::Invalid {
            file: file.to_string(),
            message,
        };
        let m: Mapping = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if m.id.is_empty()
            || !m
                .id
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        {
            return Err(invalid(format!(
                "id {:?}: use lower-case letters, digits and _",
                m.id
            )));
        }
        if m.detect.keys.is_empty() && m.detect.header.is_empty() {
            return Err(invalid(
                "detect: give `keys` (JSON) or `header` (CSV) so heist can recognise the content"
                    .into(),
            ));
        }
        for name in m.fields.keys().chain(m.constants.keys()) {
            match Col::from_name(name) {
                Some(c) if mappable(c) => {}
                Some(_) => {
                    return Err(invalid(format!(
                        "fields.{name}: heist fills this column itself"
                    )))
                }
                None => {
                    return Err(invalid(format!(
                        "fields.{name}: no such column (see docs/schema.md)"
                    )))
                }
            }
        }
        if let Some(f) = &m.failure {
            regex::Regex::new(&f.regex).map_err(|e| invalid(format!("failure.regex: {e}")))?;
            if let Some(c) = &f.error_from {
                if Col::from_name(c).is_none() {
                    return Err(invalid(format!("failure.error_from: no such column {c:?}")));
                }
            }
        }
        if m.time.format != "auto"
            && chrono::format::StrftimeItems::new(&m.time.format)
                .any(|i| matches!(i, chrono::format::Item::Error))
        {
            return Err(invalid(format!(
                "time.format {:?} is not a valid chrono format",
                m.time.format
            )));
        }
        Ok(m)
    }

    pub fn load(path: &Path) -> Result<Self, MappingError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Io {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }
}

/// The mappings shipped in `assets/mappings/`.
pub fn builtin() -> Vec<Mapping> {
    const FILES: &[(&str, &str)] = &[
        (
            "assets/mappings/anthropic-activity.toml",
            include_str!("../../../../assets/mappings/anthropic-activity.toml"),
        ),
        (
            "assets/mappings/m365-copilot-purview.toml",
            include_str!("../../../../assets/mappings/m365-copilot-purview.toml"),
        ),
    ];
    FILES
        .iter()
        .filter_map(|(f, t)| Mapping::parse(f, t).ok())
        .collect()
}

/// Every `*.toml` in a folder, sorted; a bad file is an error naming it.
pub fn load_dir(dir: &Path) -> Result<Vec<Mapping>, MappingError> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    for p in paths {
        out.push(Mapping::load(&p)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_mappings_parse() {
        let b = builtin();
        assert_eq!(b.len(), 2, "every shipped mapping must parse");
    }

    /// The Anthropic activity feed's API keys are `api_key` tokens; a user's event, with no key, has no token kind.
    #[test]
    fn a_constant_kind_holds_only_where_its_value_does() {
        use crate::frame::access::FrameReader;
        use crate::frame::Col;
        let api = r#"{"actor":{"api_key_id":"apikey_01X","ip_address":"198.51.100.7","type":"api_actor"},"created_at":"2026-10-05T05:10:27Z","id":"activity_1","organization_id":"org_1","type":"service_key_created"}"#;
        let user = r#"{"actor":{"email_address":"a@example.com","user_id":"user_1","type":"user_actor"},"created_at":"2026-10-05T05:11:27Z","id":"activity_2","organization_id":"org_1","type":"workspace_created"}"#;
        let s = crate::ingest::load_bytes(
            "activity.jsonl",
            format!("{api}\n{user}\n").into_bytes(),
            &crate::ingest::LoadOptions::with_builtin_mappings(),
        )
        .unwrap();
        let r = FrameReader::new(&s.frame).unwrap();
        assert_eq!(r.height(), 2);
        assert_eq!(r.text(Col::Token, 0), Some("apikey_01X"));
        assert_eq!(r.text(Col::TokenKind, 0), Some("api_key"));
        assert_eq!(r.text(Col::Token, 1), None);
        assert_eq!(r.text(Col::TokenKind, 1), None);
    }

    #[test]
    fn errors_name_file_and_field() {
        let base =
            "id='x'\ntitle='t'\nprovider='p'\n[detect]\nkeys=['a']\n[time]\nfield='t'\n[fields]\n";
        let e = Mapping::parse("m.toml", &format!("{base}colour='c'\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m.toml: fields.colour: no such column"),
            "{e}"
        );
        let e = Mapping::parse("m.toml", &format!("{base}origin='c'\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("fields.origin: heist fills this column itself"),
            "{e}"
        );
        let e = Mapping::parse("m.toml", "id='x'\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.toml: "), "{e}");
        assert!(Mapping::parse("m.toml", &format!("{base}identity=['a.b','c']\n")).is_ok());
    }
}
