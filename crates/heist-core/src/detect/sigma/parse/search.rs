//! Search identifiers: a map of detection items (all must match), a list of maps (any may match), or a list
//! of plain values (keywords, found anywhere in the record's text).

use yaml_rust2::Yaml;

use super::record::Record;
use super::value::ValueMatcher;
use super::{invalid, modifier, yaml, SigmaError};

/// One detection item: a field (or none, for keywords), its compiled values and how they combine.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The field as written, without modifiers; `None` for keywords.
    pub(crate) field: Option<String>,
    /// The values; any may match, all must with `all`.
    pub(crate) values: Vec<ValueMatcher>,
    /// `|all`: every value must match.
    pub(crate) all: bool,
    /// `|neq`: the item matches when its values do not.
    pub(crate) neq: bool,
    /// The values as written when the item is plain equality (no wildcard, no modifier but `cased`).
    pub(crate) plain: Option<Vec<String>>,
}

impl Item {
    fn matches(&self, rec: &dyn Record) -> bool {
        let hit = match &self.field {
            Some(f) => {
                let vals = rec.values(f);
                if self.all {
                    self.values.iter().all(|m| m.matches(&vals, rec))
                } else {
                    self.values.iter().any(|m| m.matches(&vals, rec))
                }
            }
            None => {
                let text = rec.text();
                if self.all {
                    self.values.iter().all(|m| m.matches_text(text))
                } else {
                    self.values.iter().any(|m| m.matches_text(text))
                }
            }
        };
        hit != self.neq
    }
}

/// A search identifier's definition, compiled.
#[derive(Debug, Clone)]
pub(crate) enum Search {
    /// A map: every item matches.
    All(Vec<Search>),
    /// A list of maps (or of mixed entries): any entry matches.
    Any(Vec<Search>),
    /// One detection item (a map entry, or a keyword list).
    Item(Item),
}

/// How deep lists of lists may nest in a search.
const MAX_DEPTH: usize = 32;

impl Search {
    /// The search `name` defined as `y`.
    pub(crate) fn parse(name: &str, y: &Yaml) -> Result<Search, SigmaError> {
        Search::read(y, 0).map_err(|e| e.context(&format!("search `{name}`")))
    }

    fn read(y: &Yaml, depth: usize) -> Result<Search, SigmaError> {
        if depth > MAX_DEPTH {
            return Err(invalid("lists nested too deeply"));
        }
        match y {
            Yaml::Hash(h) => {
                if h.is_empty() {
                    return Err(invalid("an empty map"));
                }
                let mut items = Vec::with_capacity(h.len());
                for (k, v) in h {
                    let key = match k {
                        Yaml::Null => String::new(),
                        k => yaml::scalar(k)
                            .ok_or_else(|| invalid(format!("a field name is {}", yaml::kind(k))))?,
                    };
                    items.push(Search::Item(
                        modifier::compile(&key, v).map_err(|e| e.context(&format!("`{key}`")))?,
                    ));
                }
                Ok(if items.len() == 1 {
                    items.remove(0)
                } else {
                    Search::All(items)
                })
            }
            Yaml::Array(list) => {
                if list.is_empty() {
                    return Err(invalid("an empty list"));
                }
                let scalars = list.iter().all(|e| {
                    matches!(
                        e,
                        Yaml::String(_) | Yaml::Integer(_) | Yaml::Real(_) | Yaml::Boolean(_)
                    )
                });
                if scalars {
                    return modifier::compile("", y).map(Search::Item);
                }
                let entries = list
                    .iter()
                    .map(|e| Search::read(e, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Search::Any(entries))
            }
            Yaml::String(_) | Yaml::Integer(_) | Yaml::Real(_) | Yaml::Boolean(_) => {
                modifier::compile("", y).map(Search::Item)
            }
            other => Err(invalid(format!("a search cannot be {}", yaml::kind(other)))),
        }
    }

    /// Whether the record matches the search.
    pub(crate) fn matches(&self, rec: &dyn Record) -> bool {
        match self {
            Search::All(s) => s.iter().all(|s| s.matches(rec)),
            Search::Any(s) => s.iter().any(|s| s.matches(rec)),
            Search::Item(i) => i.matches(rec),
        }
    }

    /// Every field the search reads (field references included) into `out`.
    pub(crate) fn fields(&self, out: &mut Vec<String>) {
        match self {
            Search::All(s) | Search::Any(s) => s.iter().for_each(|s| s.fields(out)),
            Search::Item(i) => {
                out.extend(i.field.iter().cloned());
                for v in &i.values {
                    if let ValueMatcher::FieldRef { field, .. } = v {
                        out.push(field.clone());
                    }
                }
            }
        }
    }

    /// Whether the search has a keyword item.
    pub(crate) fn uses_keywords(&self) -> bool {
        match self {
            Search::All(s) | Search::Any(s) => s.iter().any(Search::uses_keywords),
            Search::Item(i) => i.field.is_none(),
        }
    }

    /// The values `field` must equal for a record to match, when the search pins it (see
    /// `Detection::required_values`).
    pub(crate) fn required(&self, field: &str) -> Option<Vec<String>> {
        match self {
            Search::All(s) => both(s.iter().map(|s| s.required(field))),
            Search::Any(s) => either(s.iter().map(|s| s.required(field))),
            Search::Item(i) if !i.neq && i.field.as_deref() == Some(field) => i.plain.clone(),
            Search::Item(_) => None,
        }
    }
}

/// Required values under `and`: any branch's constraint holds; the smallest is kept.
pub(crate) fn both(reqs: impl Iterator<Item = Option<Vec<String>>>) -> Option<Vec<String>> {
    reqs.flatten().min_by_key(Vec::len)
}

/// Required values under `or`: only when every branch constrains the field, the union of their values.
pub(crate) fn either(reqs: impl Iterator<Item = Option<Vec<String>>>) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for r in reqs {
        for v in r? {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    Some(out)
}
