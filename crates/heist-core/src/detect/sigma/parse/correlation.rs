//! Sigma correlation rules: documents with a `correlation` section (the correlation rules specification).

use std::time::Duration;

use yaml_rust2::yaml::Hash;
use yaml_rust2::Yaml;

use super::condition::Cmp;
use super::{invalid, timespan, unsupported, yaml, SigmaError};

/// A correlation's field aliases: for each alias (usable in `group-by`), the field it stands for in the events
/// of each referred rule, as `(rule name, field)` pairs in the order written.
pub type FieldAliases = Vec<(String, Vec<(String, String)>)>;

/// What a correlation counts.
#[derive(Debug, Clone, PartialEq)]
pub enum CorrelationKind {
    /// `event_count`: events of the referred rules per group.
    EventCount,
    /// `value_count`: distinct values of `field` per group.
    ValueCount {
        /// The field whose distinct values are counted.
        field: String,
    },
    /// `temporal`: all referred rules match within the timespan, in any order.
    Temporal,
    /// `temporal_ordered`: all referred rules match within the timespan, in the order listed.
    TemporalOrdered,
}

/// A Sigma correlation rule.
#[derive(Debug, Clone)]
pub struct SigmaCorrelation {
    /// `id`.
    pub id: Option<String>,
    /// `name`: the name other correlations may refer to this one by.
    pub name: Option<String>,
    /// `title`.
    pub title: String,
    /// `status`.
    pub status: Option<String>,
    /// `level` as written, lower-cased.
    pub level: Option<String>,
    /// `description`; empty when absent.
    pub description: String,
    /// `tags`.
    pub tags: Vec<String>,
    /// `falsepositives`.
    pub falsepositives: Vec<String>,
    /// `references`.
    pub references: Vec<String>,
    /// `correlation.type` (and `field` for `value_count`).
    pub kind: CorrelationKind,
    /// `correlation.rules`: ids or names of rules (or correlations), as written.
    pub rules: Vec<String>,
    /// `correlation.group-by`: fields (or aliases) as written; empty when absent.
    pub group_by: Vec<String>,
    /// `correlation.timespan`.
    pub timespan: Duration,
    /// `correlation.condition`: the comparison the count must pass. Required for `event_count` and
    /// `value_count`; for the temporal kinds it is the count of distinct referred rules when written, `None`
    /// otherwise (all the rules must match).
    pub condition: Option<(Cmp, f64)>,
    /// `generate`: whether the referred rules also run as stand-alone rules (default `false`).
    pub generate: bool,
    /// `correlation.aliases`; empty when absent.
    pub aliases: FieldAliases,
}

/// The correlation of a document with `correlation`.
pub(crate) fn parse(doc: &Hash) -> Result<SigmaCorrelation, SigmaError> {
    let title = yaml::require_str(doc, "title")?;
    let c = match yaml::get(doc, "correlation") {
        Some(Yaml::Hash(h)) => h,
        Some(other) => return Err(invalid(format!("`correlation` is {}", yaml::kind(other)))),
        None => return Err(invalid("missing `correlation`")),
    };
    let ty = yaml::require_str(c, "type").map_err(|_| invalid("missing `correlation.type`"))?;
    let cond_map = match yaml::get(c, "condition") {
        Some(Yaml::Hash(h)) => Some(h),
        Some(other) => {
            return Err(invalid(format!(
                "`correlation.condition` is {}",
                yaml::kind(other)
            )))
        }
        None => None,
    };
    let kind = match ty.as_str() {
        "event_count" => CorrelationKind::EventCount,
        "value_count" => {
            let field = cond_map
                .and_then(|m| yaml::get(m, "field"))
                .or_else(|| yaml::get(c, "field"));
            let field = match field {
                Some(Yaml::Array(list)) if list.len() == 1 => list.first().and_then(yaml::scalar),
                Some(Yaml::Array(list)) if list.len() > 1 => {
                    return Err(unsupported("`value_count` over several fields"));
                }
                Some(y) => yaml::scalar(y),
                None => None,
            };
            CorrelationKind::ValueCount {
                field: field.ok_or_else(|| invalid("`value_count` without `condition.field`"))?,
            }
        }
        "temporal" => CorrelationKind::Temporal,
        "temporal_ordered" => CorrelationKind::TemporalOrdered,
        "value_sum" | "value_avg" | "value_percentile" => {
            return Err(unsupported(format!("correlation type `{ty}`")));
        }
        other => return Err(invalid(format!("unknown correlation type `{other}`"))),
    };
    let rules = yaml::get_list(c, "rules");
    if rules.is_empty() {
        return Err(invalid("missing `correlation.rules`"));
    }
    let span =
        yaml::require_str(c, "timespan").map_err(|_| invalid("missing `correlation.timespan`"))?;
    let timespan = timespan::parse(&span, "timespan")?;
    let condition = match cond_map {
        Some(m) => read_condition(m)?,
        None => None,
    };
    let temporal = matches!(
        kind,
        CorrelationKind::Temporal | CorrelationKind::TemporalOrdered
    );
    if condition.is_none() && !temporal {
        return Err(invalid(format!(
            "correlation `{ty}` without a `condition` (gt, gte, lt, lte or eq)"
        )));
    }
    let generate = match yaml::get(c, "generate").or_else(|| yaml::get(doc, "generate")) {
        None => false,
        Some(Yaml::Boolean(b)) => *b,
        Some(other) => return Err(invalid(format!("`generate` is {}", yaml::kind(other)))),
    };
    Ok(SigmaCorrelation {
        id: yaml::get_str(doc, "id"),
        name: yaml::get_str(doc, "name"),
        title,
        status: yaml::get_str(doc, "status"),
        level: yaml::get_str(doc, "level").map(|s| s.to_lowercase()),
        description: yaml::get_str(doc, "description").unwrap_or_default(),
        tags: yaml::get_list(doc, "tags"),
        falsepositives: yaml::get_list(doc, "falsepositives"),
        references: yaml::get_list(doc, "references"),
        kind,
        rules,
        group_by: yaml::get_list(c, "group-by"),
        timespan,
        condition,
        generate,
        aliases: read_aliases(c)?,
    })
}

/// The comparison of a `condition` map (its `field` aside). A range (two comparisons) and `neq` are
/// unsupported: a condition is one `(Cmp, f64)`.
fn read_condition(m: &Hash) -> Result<Option<(Cmp, f64)>, SigmaError> {
    let mut found: Vec<(Cmp, f64)> = Vec::new();
    for (k, v) in m {
        let key = yaml::scalar(k).unwrap_or_default();
        let op = match key.as_str() {
            "field" => continue,
            "gt" => Cmp::Gt,
            "gte" => Cmp::Gte,
            "lt" => Cmp::Lt,
            "lte" => Cmp::Lte,
            "eq" => Cmp::Eq,
            "neq" => return Err(unsupported("correlation condition `neq`")),
            other => return Err(invalid(format!("unknown correlation condition `{other}`"))),
        };
        let n = match v {
            Yaml::Integer(i) => *i as f64,
            Yaml::Real(s) => s
                .parse::<f64>()
                .map_err(|_| invalid(format!("correlation condition `{key}: {s}`")))?,
            other => {
                return Err(invalid(format!(
                    "correlation condition `{key}` is {}",
                    yaml::kind(other)
                )))
            }
        };
        found.push((op, n));
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        [a, b, ..] => Err(unsupported(format!(
            "correlation condition range (`{}` and `{}`)",
            a.0.name(),
            b.0.name()
        ))),
    }
}

/// `aliases: {alias: {rule: field, ...}, ...}`.
fn read_aliases(c: &Hash) -> Result<FieldAliases, SigmaError> {
    let map = match yaml::get(c, "aliases") {
        None | Some(Yaml::Null) => return Ok(Vec::new()),
        Some(Yaml::Hash(h)) => h,
        Some(other) => {
            return Err(invalid(format!(
                "`correlation.aliases` is {}",
                yaml::kind(other)
            )))
        }
    };
    let mut out = Vec::with_capacity(map.len());
    for (alias, per_rule) in map {
        let alias = yaml::scalar(alias).ok_or_else(|| invalid("an alias name is not a string"))?;
        let Yaml::Hash(per_rule) = per_rule else {
            return Err(invalid(format!(
                "alias `{alias}` is {}",
                yaml::kind(per_rule)
            )));
        };
        let mut fields = Vec::with_capacity(per_rule.len());
        for (rule, field) in per_rule {
            let (Some(rule), Some(field)) = (yaml::scalar(rule), yaml::scalar(field)) else {
                return Err(invalid(format!(
                    "alias `{alias}`: each entry is `rule: field`"
                )));
            };
            fields.push((rule, field));
        }
        out.push((alias, fields));
    }
    Ok(out)
}
