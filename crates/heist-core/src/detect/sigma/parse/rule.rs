//! A Sigma detection rule: its metadata, log source and `detection` section.

use std::time::Duration;

use yaml_rust2::yaml::Hash;
use yaml_rust2::Yaml;

use super::condition::{self, Aggregation, Cond};
use super::record::Record;
use super::search::{self, Search};
use super::{invalid, timespan, unsupported, yaml, SigmaError};

/// A Sigma detection rule.
#[derive(Debug, Clone)]
pub struct SigmaRule {
    /// `id` (a UUID by convention).
    pub id: Option<String>,
    /// `name`: the unique name correlation rules may refer to the rule by.
    pub name: Option<String>,
    /// `title`.
    pub title: String,
    /// `status` (`stable`, `test`, `experimental`, `deprecated`, `unsupported`).
    pub status: Option<String>,
    /// `level` as written, lower-cased (`informational`, `low`, `medium`, `high`, `critical`).
    pub level: Option<String>,
    /// `description`; empty when absent.
    pub description: String,
    /// `author`.
    pub author: Option<String>,
    /// `date`, as written.
    pub date: Option<String>,
    /// `tags` (e.g. `attack.t1078`).
    pub tags: Vec<String>,
    /// `falsepositives`.
    pub falsepositives: Vec<String>,
    /// `references`.
    pub references: Vec<String>,
    /// `logsource`.
    pub logsource: LogSource,
    /// `detection`, compiled.
    pub detection: Detection,
}

/// A rule's `logsource`, lower-cased.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogSource {
    /// `product` (e.g. `aws`, `azure`, `gcp`, `m365`, `okta`).
    pub product: Option<String>,
    /// `service` (e.g. `cloudtrail`, `signinlogs`).
    pub service: Option<String>,
    /// `category`.
    pub category: Option<String>,
}

/// A rule's `detection`: named searches, the condition over them, and the legacy aggregation and timeframe.
#[derive(Debug, Clone)]
pub struct Detection {
    names: Vec<String>,
    searches: Vec<Search>,
    /// The conditions; a list of conditions is ORed.
    conditions: Vec<Cond>,
    aggregation: Option<Aggregation>,
    timeframe: Option<Duration>,
}

impl Detection {
    /// Whether the record matches the rule's condition (the search part; an aggregation is applied by the
    /// engine).
    pub fn matches(&self, rec: &dyn Record) -> bool {
        let search = |i: usize| self.searches.get(i).is_some_and(|s| s.matches(rec));
        self.conditions.iter().any(|c| c.eval(&search))
    }

    /// Every field name the searches use (as written, without modifiers; field references included), sorted
    /// and deduplicated.
    pub fn fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.searches.iter().for_each(|s| s.fields(&mut out));
        out.sort();
        out.dedup();
        out
    }

    /// When every record the condition can match must hold `field` equal to one of these values (plain
    /// equality, no wildcard, no modifier other than none/`cased`; reached through `and`, `1 of`/`all of`, and
    /// `or` only when every branch constrains it; `not` constrains nothing): those values, as written (escapes
    /// resolved), so the engine can prefilter on a frame column. Sigma equality is case-insensitive: compare
    /// them so. Only string values are given (a rule's number matches `403`, `"403"` and `"403.0"` alike).
    /// `None` when the condition does not pin the field.
    pub fn required_values(&self, field: &str) -> Option<Vec<String>> {
        search::either(self.conditions.iter().map(|c| self.required_in(c, field)))
    }

    fn required_in(&self, c: &Cond, field: &str) -> Option<Vec<String>> {
        match c {
            Cond::Search(i) => self.searches.get(*i)?.required(field),
            Cond::Not(_) => None,
            Cond::And(cs) => search::both(cs.iter().map(|c| self.required_in(c, field))),
            Cond::Or(cs) => search::either(cs.iter().map(|c| self.required_in(c, field))),
        }
    }

    /// The condition's `| count(...) ...` aggregation, if any.
    pub fn aggregation(&self) -> Option<&Aggregation> {
        self.aggregation.as_ref()
    }

    /// The detection's `timeframe` (legacy aggregations), if any.
    pub fn timeframe(&self) -> Option<Duration> {
        self.timeframe
    }

    /// Whether a search is a keyword list (full-text over the whole record).
    pub fn uses_keywords(&self) -> bool {
        self.searches.iter().any(Search::uses_keywords)
    }

    /// The search identifiers, in the order written.
    pub fn search_names(&self) -> &[String] {
        &self.names
    }
}

/// The rule of a document with `detection`.
pub(crate) fn parse(doc: &Hash) -> Result<SigmaRule, SigmaError> {
    let title = yaml::require_str(doc, "title")?;
    let logsource = match yaml::get(doc, "logsource") {
        Some(Yaml::Hash(h)) => LogSource {
            product: yaml::get_str(h, "product").map(|s| s.to_lowercase()),
            service: yaml::get_str(h, "service").map(|s| s.to_lowercase()),
            category: yaml::get_str(h, "category").map(|s| s.to_lowercase()),
        },
        Some(other) => return Err(invalid(format!("`logsource` is {}", yaml::kind(other)))),
        None => return Err(invalid("missing `logsource`")),
    };
    let detection = match yaml::get(doc, "detection") {
        Some(Yaml::Hash(h)) => parse_detection(h)?,
        Some(other) => return Err(invalid(format!("`detection` is {}", yaml::kind(other)))),
        None => return Err(invalid("missing `detection`")),
    };
    Ok(SigmaRule {
        id: yaml::get_str(doc, "id"),
        name: yaml::get_str(doc, "name"),
        title,
        status: yaml::get_str(doc, "status"),
        level: yaml::get_str(doc, "level").map(|s| s.to_lowercase()),
        description: yaml::get_str(doc, "description").unwrap_or_default(),
        author: yaml::get_str(doc, "author")
            .or_else(|| Some(yaml::get_list(doc, "author").join(", ")).filter(|a| !a.is_empty())),
        date: yaml::get_str(doc, "date"),
        tags: yaml::get_list(doc, "tags"),
        falsepositives: yaml::get_list(doc, "falsepositives"),
        references: yaml::get_list(doc, "references"),
        logsource,
        detection,
    })
}

/// The `detection` section: every key but `condition` and `timeframe` is a search identifier.
fn parse_detection(h: &Hash) -> Result<Detection, SigmaError> {
    let mut names = Vec::new();
    let mut searches = Vec::new();
    let mut condition = None;
    let mut timeframe = None;
    for (k, v) in h {
        let key = yaml::scalar(k)
            .ok_or_else(|| invalid(format!("a search identifier is {}", yaml::kind(k))))?;
        match key.as_str() {
            "condition" => condition = Some(v),
            "timeframe" => {
                let t = yaml::scalar(v)
                    .ok_or_else(|| invalid(format!("`timeframe` is {}", yaml::kind(v))))?;
                timeframe = Some(timespan::parse(&t, "timeframe")?);
            }
            _ => {
                searches.push(Search::parse(&key, v)?);
                names.push(key);
            }
        }
    }
    let texts: Vec<String> = match condition {
        None => return Err(invalid("missing `detection.condition`")),
        Some(Yaml::Array(list)) => list
            .iter()
            .map(|c| {
                yaml::scalar(c).ok_or_else(|| invalid(format!("a condition is {}", yaml::kind(c))))
            })
            .collect::<Result<_, _>>()?,
        Some(c) => {
            vec![yaml::scalar(c)
                .ok_or_else(|| invalid(format!("`condition` is {}", yaml::kind(c))))?]
        }
    };
    if texts.is_empty() {
        return Err(invalid("an empty `condition` list"));
    }
    let mut conditions = Vec::with_capacity(texts.len());
    let mut aggregation = None;
    for t in &texts {
        let (cond, agg) = condition::parse(t, &names)?;
        if agg.is_some() {
            if texts.len() > 1 {
                return Err(unsupported("an aggregation in a list of conditions"));
            }
            aggregation = agg;
        }
        conditions.push(cond);
    }
    Ok(Detection {
        names,
        searches,
        conditions,
        aggregation,
        timeframe,
    })
}
