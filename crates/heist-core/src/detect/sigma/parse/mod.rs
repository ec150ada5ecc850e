//! Sigma rule files: YAML to rules, conditions and value matchers.
//!
//! This layer is pure: it reads the text of a Sigma file ([`parse_documents`]) into detection rules
//! ([`SigmaRule`]) and correlation rules ([`SigmaCorrelation`]), and it matches one record at a time
//! ([`Detection::matches`]) through the [`Record`] trait. Everything a match needs (lower-cased patterns,
//! regexes, CIDR networks, the condition tree) is compiled when the file is read, so matching allocates
//! only where a record value is not ASCII or is not a string.
//!
//! Files and their jobs:
//! - `yaml`: the YAML reader, the legacy `action: global|reset|repeat` collections, scalar helpers;
//! - `rule`: rule metadata and the `detection` section;
//! - `search`: search identifiers (maps, lists of maps, keyword lists) and their matching;
//! - `modifier`: `field|mod|mod: value` to compiled value matchers (typed values: `re`, `cidr`, `exists`,
//!   comparisons, `fieldref`);
//! - `transform`: string values through `contains`, `windash`, `utf16*`, `base64*` and `cased`;
//! - `pattern`: Sigma strings (wildcards, escapes) and the case-insensitive glob matcher;
//! - `value`: one compiled value against a record's JSON values;
//! - `encode`: base64 and UTF-16 encodings of the encoding modifiers;
//! - `condition`: the condition grammar, `x of` selectors and `| count() ...` aggregations;
//! - `correlation`: Sigma correlation rules (`correlation:` documents);
//! - `timespan`: `30s`, `10m`, `1h`, `2d`, `1w` durations.

mod condition;
mod correlation;
mod encode;
mod modifier;
mod pattern;
mod record;
mod rule;
mod search;
mod timespan;
mod transform;
mod value;
mod yaml;

#[cfg(test)]
mod tests;

pub use condition::{Aggregation, Cmp};
pub use correlation::{CorrelationKind, FieldAliases, SigmaCorrelation};
pub use record::Record;
pub use rule::{Detection, LogSource, SigmaRule};

/// One YAML document of a Sigma file.
#[derive(Debug, Clone)]
pub enum SigmaDoc {
    /// A detection rule (a document with `detection`).
    Rule(SigmaRule),
    /// A correlation rule (a document with `correlation`).
    Correlation(SigmaCorrelation),
}

/// Why a Sigma file cannot be run.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum SigmaError {
    /// The rule is valid Sigma but uses something heist cannot run: the message names it precisely,
    /// e.g. "placeholder %LegitCountries% (modifier expand)", "aggregation `near`", "modifier `hour`".
    #[error("unsupported Sigma: {0}")]
    Unsupported(String),
    /// Not a valid Sigma rule: YAML syntax error (with line), no `detection`, a condition naming an unknown
    /// search, an invalid regular expression, ...
    #[error("invalid Sigma: {0}")]
    Invalid(String),
}

impl SigmaError {
    /// An `Invalid` error with `context` before its message (`"document 2: search `sel`: ..."`).
    /// `Unsupported` messages are left as they are: they name the feature alone, so they can be counted by
    /// reason.
    pub(crate) fn context(self, context: &str) -> SigmaError {
        match self {
            SigmaError::Invalid(m) => SigmaError::Invalid(format!("{context}: {m}")),
            e @ SigmaError::Unsupported(_) => e,
        }
    }
}

/// An [`SigmaError::Invalid`] with this message.
pub(crate) fn invalid(msg: impl Into<String>) -> SigmaError {
    SigmaError::Invalid(msg.into())
}

/// An [`SigmaError::Unsupported`] with this message.
pub(crate) fn unsupported(msg: impl Into<String>) -> SigmaError {
    SigmaError::Unsupported(msg.into())
}

/// Parse a Sigma file (it may hold several `---` documents). Errors are per file: the first document that
/// cannot be run fails the file (an `Invalid` message says where: `document N`, the search, the field).
///
/// Empty documents are skipped; legacy `action: global` / `reset` / `repeat` documents are merged into the
/// rules that follow them as the legacy Sigma collection format prescribes.
pub fn parse_documents(text: &str) -> Result<Vec<SigmaDoc>, SigmaError> {
    let docs = yaml::load(text)?;
    let docs = yaml::apply_actions(docs)?;
    let several = docs.len() > 1;
    let mut out = Vec::with_capacity(docs.len());
    for (i, doc) in docs.iter().enumerate() {
        let parsed = parse_document(doc).map_err(|e| {
            if several {
                e.context(&format!("document {}", i + 1))
            } else {
                e
            }
        });
        if let Some(d) = parsed? {
            out.push(d);
        }
    }
    Ok(out)
}

/// One document: a rule, a correlation, nothing (empty), or an error.
fn parse_document(doc: &yaml_rust2::Yaml) -> Result<Option<SigmaDoc>, SigmaError> {
    use yaml_rust2::Yaml;
    let hash = match doc {
        Yaml::BadValue | Yaml::Null => return Ok(None),
        Yaml::Hash(h) => h,
        _ => return Err(invalid("a Sigma document must be a mapping")),
    };
    if yaml::get(hash, "correlation").is_some() {
        return correlation::parse(hash).map(|c| Some(SigmaDoc::Correlation(c)));
    }
    if yaml::get(hash, "detection").is_some() {
        return rule::parse(hash).map(|r| Some(SigmaDoc::Rule(r)));
    }
    if yaml::get(hash, "filter").is_some() {
        return Err(unsupported("Sigma filter document (`filter:` meta filter)"));
    }
    Err(invalid("no `detection` (nor `correlation`)"))
}
